/* prova/note.h — C2SP signed notes (c2sp.org/signed-note) and their keys: Ed25519 signatures (type 0x01) and
 * timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature, cosignature/v1, type 0x04).
 *
 * A signed note is a text ending in a newline, a blank line, and one or more signature lines
 *     — <key name> base64(key ID (4 bytes, big-endian) || signature)
 * Verification takes a set of keys: signature lines whose (name, key ID) matches no key are ignored, a matching one
 * must verify (else the note is rejected, note_signature_invalid), and at least one must (note_no_trusted_signature).
 * Keys in text: the verifier key (vkey) "name+hex8+base64(type || public key)" and the private form Go's
 * golang.org/x/mod/sumdb/note and Tessera use, "PRIVATE+KEY+name+hex8+base64(type || 32-byte seed)".
 *
 * Limits: a note is at most PROVA_NOTE_MAX_BYTES bytes and carries at most PROVA_NOTE_MAX_SIGNATURES signature lines
 * (PROVA_ELIMIT beyond; the spec asks for at least 16). Every error has a stable reason code (docs/tlog.md).
 * Thread-safe: keys and notes are immutable once built and may be shared between threads.
 */
#ifndef PROVA_NOTE_H
#define PROVA_NOTE_H

#include <stdbool.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_NOTE_MAX_BYTES      1048576U /* 1 MiB */
#define PROVA_NOTE_MAX_SIGNATURES 100U
#define PROVA_NOTE_KEY_ID_BYTES   4U
/* The sizes above as functions, for bindings. */
PROVA_EXPORT size_t prova_note_max_bytes(void);
PROVA_EXPORT size_t prova_note_max_signatures(void);
PROVA_EXPORT size_t prova_note_key_id_bytes(void);

/* The signature type byte (c2sp.org/signed-note, "Signature types"); the values are the spec's. */
typedef enum prova_note_type {
    PROVA_NOTE_ED25519 = 1,        /* Ed25519 over the note text: logs' checkpoint signatures */
    PROVA_NOTE_COSIGNATURE_V1 = 4, /* timestamped Ed25519 cosignature/v1: witnesses */
} prova_note_type;

/* ---- Keys ---------------------------------------------------------------------------------------------------- */

typedef struct prova_note_key prova_note_key;

/* Parses a vkey, "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k". The key ID must be the one
 * the spec computes, SHA-256(name || "\n" || type || public key)[:4] (vkey_id_mismatch). The key is public.
 * 0, PROVA_ESYNTAX (vkey_malformed, vkey_name_invalid, vkey_bad_base64, vkey_id_mismatch), PROVA_EUNSUPPORTED
 * (vkey_unsupported_type), PROVA_EKEY (vkey_key_invalid: not a usable Ed25519 point), PROVA_EINVAL, PROVA_ENOMEM.
 * Free the key with prova_note_key_free(). */
PROVA_EXPORT PROVA_NODISCARD int prova_note_key_parse_vkey(const char *text, size_t len, prova_note_key **ret_key,
                                                           prova_error *reterr);
/* Parses "PRIVATE+KEY+name+hex8+base64(type || seed)". Same checks, reasons skey_* (skey_malformed,
 * skey_name_invalid, skey_bad_base64, skey_id_mismatch, skey_unsupported_type). The text is secret: the decoded
 * seed is wiped; the caller wipes its own copy. */
PROVA_EXPORT PROVA_NODISCARD int prova_note_key_parse_private(const char *text, size_t len, prova_note_key **ret_key,
                                                              prova_error *reterr);
/* Generates a private key named name[0..len) of the given type (a log: PROVA_NOTE_ED25519, a witness:
 * PROVA_NOTE_COSIGNATURE_V1). 0, PROVA_ESYNTAX (note_key_name_invalid), PROVA_EUNSUPPORTED, PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_note_key_generate(const char *name, size_t len, prova_note_type type,
                                                         prova_note_key **ret_key, prova_error *reterr);
/* Appends the vkey (no newline) to out. 0, PROVA_EINVAL or PROVA_ENOMEM (out unchanged). */
PROVA_EXPORT PROVA_NODISCARD int prova_note_key_write_vkey(const prova_note_key *key, prova_buf *out);
/* Appends the private form (no newline) to out; secret text: wipe out's bytes when done. PROVA_EKEY for a public
 * key. */
PROVA_EXPORT PROVA_NODISCARD int prova_note_key_write_private(const prova_note_key *key, prova_buf *out);
/* The key name, NUL-terminated (its length in *ret_len when not NULL); owned by the key. NULL for NULL. */
PROVA_EXPORT const char *prova_note_key_name(const prova_note_key *key, size_t *ret_len);
/* The key ID as a number (the vkey's hex8). 0 for NULL. */
PROVA_EXPORT uint32_t prova_note_key_id(const prova_note_key *key);
PROVA_EXPORT prova_note_type prova_note_key_type(const prova_note_key *key);
PROVA_EXPORT bool prova_note_key_is_private(const prova_note_key *key);
/* Copies the 32-byte Ed25519 public key to out. */
PROVA_EXPORT void prova_note_key_public(const prova_note_key *key, uint8_t out[32]);
/* Frees a key and wipes its seed. NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_note_key *prova_note_key_free(prova_note_key *key);

/* ---- Notes --------------------------------------------------------------------------------------------------- */

typedef struct prova_note prova_note;

/* Parses a signed note (c2sp.org/signed-note, "Format"): valid UTF-8, no control character but newline, the text
 * separated from the signatures by the last blank line, each signature line "— name base64". Nothing is verified.
 * 0, PROVA_ESYNTAX (note_invalid_utf8, note_control_character, note_trailing_data (no final newline),
 * note_text_empty, note_no_blank_line, note_no_signatures, note_signature_line_malformed, note_key_name_invalid,
 * note_bad_base64, note_signature_short), PROVA_ELIMIT (note_too_large, note_too_many_signatures), PROVA_EINVAL,
 * PROVA_ENOMEM. reterr's offset/line/column point at the offending byte. Free with prova_note_free(). */
PROVA_EXPORT PROVA_NODISCARD int prova_note_parse(const void *data, size_t len, prova_note **ret_note,
                                                  prova_error *reterr);
PROVA_EXPORT prova_note *prova_note_free(prova_note *note);
/* The note text (including its final newline, not the blank line); owned by the note. */
PROVA_EXPORT const char *prova_note_text(const prova_note *note, size_t *ret_len);
PROVA_EXPORT size_t prova_note_signature_count(const prova_note *note);
/* The key name (not NUL-terminated) and key ID of signature line i; NULL / 0 when i is out of range. */
PROVA_EXPORT const char *prova_note_signature_name(const prova_note *note, size_t i, size_t *ret_len);
PROVA_EXPORT uint32_t prova_note_signature_id(const prova_note *note, size_t i);

/* Verifies a note against keys[0..nkeys) (public or private). ret_verified (optional, nkeys entries) receives which
 * keys signed validly; ret_times (optional, nkeys entries) the cosignature timestamp of each cosignature/v1 key that
 * verified (0 otherwise). 0; PROVA_EVERIFY (note_signature_invalid: a known key's signature fails, reterr's offset at
 * its line; note_no_trusted_signature: no known key signed; note_cosignature_time_invalid: a timestamp above
 * 2^63-1); PROVA_EINVAL; PROVA_ENOMEM. Outputs are written only on success. */
PROVA_EXPORT PROVA_NODISCARD int prova_note_verify(const prova_note *note, const prova_note_key *const *keys,
                                                   size_t nkeys, bool *ret_verified, uint64_t *ret_times,
                                                   prova_error *reterr);
/* Parses and verifies in one call; the parsed note is returned in *ret_note when not NULL (free it). */
PROVA_EXPORT PROVA_NODISCARD int prova_note_open(const void *data, size_t len, const prova_note_key *const *keys,
                                                 size_t nkeys, bool *ret_verified, prova_note **ret_note,
                                                 prova_error *reterr);

/* Appends the signature line "— name base64(id || sig)\n" of key (private) over text[0..len) to out. For
 * PROVA_NOTE_COSIGNATURE_V1 the signed message is "cosignature/v1\ntime <timestamp>\n" || text and the signature
 * is timestamp (8 bytes, big-endian) || Ed25519; timestamp is ignored for PROVA_NOTE_ED25519. text must be note
 * text (UTF-8, no control character but newline, non-empty, ending in a newline). Appending the line to a signed
 * note adds a signature (a witness's cosignature) to it.
 * 0, PROVA_ESYNTAX (note_text_invalid, note_invalid_utf8, note_control_character), PROVA_ERANGE (timestamp above
 * 2^63-1), PROVA_EKEY (a public key), PROVA_EINVAL, PROVA_ENOMEM; out is unchanged on failure. */
PROVA_EXPORT PROVA_NODISCARD int prova_note_signature_write(const void *text, size_t len, const prova_note_key *key,
                                                            uint64_t timestamp, prova_buf *out, prova_error *reterr);
/* Appends a signed note: text, a blank line and key's signature line. Same arguments and errors. */
PROVA_EXPORT PROVA_NODISCARD int prova_note_sign(const void *text, size_t len, const prova_note_key *key,
                                                 uint64_t timestamp, prova_buf *out, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_NOTE_H */
