/* Internal to the signed-note half of src/lib/tlog (note.c, checkpoint.c, policy.c, proof_text.c): the layout of
 * the note key, the error helper with a position, the text checks shared by notes, checkpoints and proofs. Not
 * installed; nothing here is exported. */
#ifndef PROVA_TLOG_NOTE_INTERNAL_H
#define PROVA_TLOG_NOTE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h" /* core: codec, utf8, PROVA_NEVER, prova__fail */
#include "prova/checkpoint.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/note.h"

/* SPEC: c2sp.org/signed-note: "em dash (U+2014), space (U+0020), key name, space, base64-encoded signature". */
#define PROVA__NOTE_DASH     "\xE2\x80\x94 "
#define PROVA__NOTE_DASH_LEN 4U

/* The longest key name we accept (bytes). Names are identifiers (URLs); a bound keeps every line short. */
#define PROVA__NOTE_NAME_MAX 1024U

struct prova_note_key {
    prova_note_type type;
    bool is_private;
    uint32_t id;
    size_t name_len;
    char *name; /* NUL-terminated copy */
    uint8_t pub[PROVA_ED25519_PUBLICKEYBYTES];
    uint8_t seed[PROVA_ED25519_SEEDBYTES]; /* SECRET when is_private; wiped by prova_note_key_free */
    prova_key *key;                        /* the crypto layer's key: strict verification, signing */
};

/* Fills reterr with status, reason and message; when data is not NULL, with the byte offset off into data[0..len)
 * and its 1-based line and column too. Returns status. */
int prova__tlog_fail(prova_error *reterr, int status, const char *reason, const char *message, const void *data,
                     size_t len, size_t off);

/* Checks that s[0..n) is note text in the sense of c2sp.org/signed-note: valid UTF-8 and no control character but
 * newline (reasons note_invalid_utf8, note_control_character; offsets relative to base, which s points into). */
int prova__note_check_chars(const uint8_t *s, size_t n, const uint8_t *base, size_t base_len, prova_error *reterr);

/* True when name[0..n) is a valid key name: 1..PROVA__NOTE_NAME_MAX bytes of UTF-8, no control character, no
 * Unicode space (Go's unicode.IsSpace) and no '+'. */
bool prova__note_name_valid(const char *name, size_t n);

/* The key ID: SHA-256(name || 0x0A || type || pub)[:4], big-endian. */
int prova__note_key_id(const char *name, size_t n, uint8_t type, const uint8_t pub[PROVA_ED25519_PUBLICKEYBYTES],
                       uint32_t *ret_id);

/* Parses a decimal without leading zeros ("0" alone is zero) that fits a uint64_t. */
bool prova__tlog_parse_u64(const char *s, size_t n, uint64_t *ret);

#endif /* PROVA_TLOG_NOTE_INTERNAL_H */
