/* Internal: helpers shared by the OPE modules (envelope.c, receipt.c, bundle.c, verify.c). Not installed. */
#ifndef PROVA_OPE_INTERNAL_H
#define PROVA_OPE_INTERNAL_H

#include <string.h>

#include "crypto_internal.h"
#include "internal.h"
#include "json_internal.h"
#include "prova/encoding.h"
#include "prova/jsonl.h"
#include "prova/ope.h"

#define OPE_CID_LEN     (7 + 2 * PROVA_SHA256_BYTES)                /* "sha256:" + 64 hex */
#define OPE_SIG_B64_LEN PROVA_BASE64URL_LEN(PROVA_ED25519_SIGBYTES) /* 86 */

/* "sha256:<hex>" of the ope canonical bytes of v, NUL-terminated. 0 or a canon error (reterr filled). */
int prova__ope_cid(const prova_json *v, char out[OPE_CID_LEN + 1], prova_error *reterr);

/* "sha256:<hex>" / bare hex of bytes. */
void prova__ope_cid_bytes(const void *data, size_t len, char out[OPE_CID_LEN + 1]);
void prova__sha256_hex(const void *data, size_t len, char out[2 * PROVA_SHA256_BYTES + 1]);

/* Appends the ope canonical bytes of obj without the members named in skip (nskip names). */
int prova__canon_without(const prova_json *obj, const char *const *skip, size_t nskip, prova_buf *out);

/* Ed25519 signature over msg as base64url without padding (86 chars + NUL). key must be an Ed25519 private key. */
int prova__ope_sign_b64(const prova_key *key, const void *msg, size_t n, char out[OPE_SIG_B64_LEN + 1]);

/* Verifies a base64url (padding optional) signature. 0 valid, PROVA_EVERIFY invalid, PROVA_ESYNTAX bad encoding. */
int prova__ope_verify_b64(const prova_key *key, const void *msg, size_t n, const char *sig, size_t siglen);

/* The trusted key for kid (options' keyset), or NULL; *ret_source receives where it came from. */
const prova_key *prova__ope_find_key(const prova_verify_options *o, const char *kid, const char **ret_source);

/* The freshness window in seconds, or -1 when disabled. */
int64_t prova__ope_skew(const prova_verify_options *o);

/* Per-kind verifiers: each appends its checks to r. `at` is the JSON Pointer prefix of the value ("" for the
 * document). They return 0, or PROVA_ENOMEM. */
int prova__ope_verify_envelope(const prova_json *env, const char *at, const prova_verify_options *o, prova_report *r);
int prova__ope_verify_receipt(const prova_json *rc, const char *at, const prova_verify_options *o, prova_report *r);
/* A chain: every receipt's hash, signature, hop and link, in order; all receipts of one trace. */
int prova__ope_verify_chain(const prova_json *receipts, const char *at, const prova_verify_options *o, prova_report *r);
/* A chain verified one receipt at a time (JSON Lines input streams through it): what a receipt is checked
 * against is only the chain's first trace_id and the previous receipt_hash, kept here as copies. */
typedef struct ope_chain {
    size_t count;
    bool lite;
    char *trace0;
    size_t trace0_len;
    bool trace0_str;
    char *prev;
    size_t prev_len;
    bool prev_str;
} ope_chain;

/* Receipts beyond this many in one chain are checked as thoroughly, but their passing checks are counted in one
 * summary check instead of listed: a 100,000-receipt chain keeps a report of bounded size. */
#define OPE_CHAIN_DETAIL 1000

void prova__ope_chain_init(ope_chain *c);
void prova__ope_chain_free(ope_chain *c);
/* Starts a chain in the middle: count receipts came before, first is receipt 0 and last the one just before. */
int prova__ope_chain_seed(ope_chain *c, size_t count, const prova_json *first, const prova_json *last);
/* Checks the next receipt (position c->count) of the chain. 0 or PROVA_ENOMEM. */
int prova__ope_chain_step(ope_chain *c, const prova_json *rc, const char *at, const prova_verify_options *o,
                          prova_report *r);
/* Adds the summary check of a chain longer than OPE_CHAIN_DETAIL. */
int prova__ope_chain_summary(const ope_chain *c, prova_report *r);

/* Any bundle form (detected from the members): starter, ope-lib, or flat (seed 003 §4). */
int prova__ope_verify_bundle(const prova_json *doc, const prova_verify_options *o, prova_report *r);

/* Appends a C string as is / a string as a JSON literal (ope profile). 0 or a negative status. */
static inline int prova__ope_put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}
static inline int prova__ope_put_str(prova_buf *b, const char *s, size_t n) {
    return prova_canon_write_string(s, n, PROVA_PROFILE_OPE, b);
}

/* True when both keys have the same algorithm and public bytes. */
bool prova__key_same_public(const prova_key *a, const prova_key *b);
/* The trusted key in ks with the same public bytes as key (its source in *ret_source), or NULL. */
const prova_key *prova__keyset_find_public(const prova_keyset *ks, const prova_key *key, const char **ret_source);
/* Key i of ks (NULL past the end). */
const prova_key *prova__keyset_at(const prova_keyset *ks, size_t i, const char **ret_source);
/* What a failed key lookup was offered, for its message: "trusted: A, B, C" (the distinct kids of ks in the order
 * they were added, at most PROVA__KEYSET_LISTED of them, then " and N more"), or "no keys are trusted". Always
 * NUL-terminated; cap PROVA__KEYSET_DESC_MAX is enough for the longest kids. Returns buf. */
#define PROVA__KEYSET_LISTED   8
#define PROVA__KEYSET_DESC_MAX (PROVA__KEYSET_LISTED * (PROVA_KID_MAX + 2) + 64)
const char *prova__keyset_describe(const prova_keyset *ks, char *buf, size_t cap);

/* Fills err (if not NULL) with status/reason/message and returns status. */
/* True when a and b are strings with the same bytes. */
bool prova__ope_str_same(const prova_json *a, const prova_json *b);
/* A lite receipt: a "sha256:"-prefixed receipt_hash and no receipt_signature (odin.md §3.2). */
bool prova__ope_is_lite(const prova_json *rc);

/* JSON Lines receipts as one chain (verify.c). */
int prova__ope_verify_jsonl(const char *data, size_t len, const prova_verify_options *o, prova_report *r,
                            prova_error *err);
/* Any OPE document kind; dispatch on the detected kind (a failed "kind" check when none). */
bool prova__ope_detect(const prova_json *root);
int prova__ope_verify_root(const prova_json *root, const prova_verify_options *o, prova_report *r);

/* Kind detection helpers (verify.c). */
bool prova__ope_is_envelope(const prova_json *v);
bool prova__ope_is_receipt(const prova_json *v);
bool prova__ope_is_bundle(const prova_json *v);
/* A flat bundle (seed 003 §4): trace_id, exported_at, receipts, bundle_cid, bundle_signature at the top (bundle.c). */
bool prova__ope_is_flat_bundle(const prova_json *v);
/* A non-empty JSON array of receipts (a receipt chain). */
bool prova__ope_is_chain(const prova_json *v);

#endif
