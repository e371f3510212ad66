/* Internal: helpers shared by the OpenExecution modules (event.c, chain.c, cert.c, attest.c, verify.c). */
#ifndef PROVA_OE_INTERNAL_H
#define PROVA_OE_INTERNAL_H

#include <string.h>

#include "ope_internal.h" /* key sets */
#include "prova/oe.h"

/* Failures listed one by one in a report before the rest are only counted; SDK error strings kept. */
#define OE_MAX_FAILURES   100
#define OE_MAX_SDK_ERRORS 10000

/* Fills err (if not NULL) and returns status (the OPE modules' helper). */
static inline int prova__oe_fail(prova_error *err, int status, const char *reason, const char *message) {
    return prova__fail(err, status, reason, message);
}

/* JavaScript truthiness of a member value (absent = undefined = false). */
bool prova__oe_truthy(const prova_json *v);

/* Appends String(v) as JavaScript's template literals would write it ("undefined" for NULL, numbers as
 * Number::toString, "[object Object]"), truncated to max UTF-16 code units (0: no limit). Raw UTF-8, not JSON. */
int prova__oe_js_string(const prova_json *v, size_t max, prova_buf *out);

/* Appends a C string / a JSON string literal under jcs. 0 or a negative status. */
static inline int prova__oe_put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}
static inline int prova__oe_put_str(prova_buf *b, const char *s, size_t n) {
    return prova_canon_write_string(s, n, PROVA_PROFILE_JCS, b);
}

/* A string argument: valid UTF-8, 1..max bytes. */
bool prova__oe_text_ok(const char *s, size_t max);
/* Appends ,"key":"value" (value a C string, or null when NULL). */
int prova__oe_put_kv(prova_buf *b, const char *key, const char *value);

/* Writes obj (an object) with the named members replaced by (or added as) the given JSON texts, in JCS form. */
typedef struct oe_member {
    const char *name;
    const char *json; /* JSON text of the value */
    size_t len;
} oe_member;
int prova__oe_rewrite(const prova_json *obj, const oe_member *set, size_t nset, prova_buf *out, prova_error *reterr);

/* Parses JSON text that the library itself wrote and re-emits it under jcs (RFC 8785 member order). */
int prova__oe_jcs_text(const prova_buf *text, prova_buf *out, prova_error *reterr);

/* ---- the incremental chain checker (one event at a time: documents and JSON Lines share it) ---- */

#define OE_MAX_EXTRA      32
#define OE_MAX_EXTRA_NAME 128
#define OE_POOL_BLOCKS    16
typedef struct oe_pool {
    void *block[OE_POOL_BLOCKS];
    size_t cap[OE_POOL_BLOCKS];
    size_t n;
} oe_pool;

typedef struct oe_chain {
    prova_hash_alg alg;
    size_t hexlen;
    size_t count;               /* events seen */
    prova_buf prev;             /* the previous event's stored event_hash (JS: expectedPrev), genesis at first */
    prova_hash_ctx *stored;     /* chain hash over the stored event hashes (what the SDKs compute) */
    prova_hash_ctx *recomputed; /* chain hash over the recomputed ones (what prova adds) */
    prova_hash_ctx *event;      /* reused for every event hash */
    prova_buf stored_pending, recomputed_pending; /* hex fed to the chain hashes in 4 KiB batches */
    bool recomputed_ok;                           /* every event hash could be recomputed */
    prova_buf input;                              /* scratch: the hash input of the current event */
    prova_buf canon;                              /* scratch: the JCS form of the current event line (fast path) */
    oe_pool pool;                                 /* the canonicalizer's scratch, recycled across lines */
    prova_allocator pool_alloc;
    size_t failures; /* failed per-event checks (listed up to OE_MAX_FAILURES) */
    bool integrity_ok;
    const char *at; /* JSON Pointer of the events array ("" for JSON Lines: /<index>) */
    prova_report *r;
    /* The SDK's error strings as JSON string literals joined by ',' (when sdk is set). */
    bool sdk;
    prova_buf sdk_errors;
    size_t sdk_count, sdk_dropped;
    /* Names of event members outside the event hash (anything but seq, event_type, actor_id, created_at, payload,
     * prev_hash and event_hash; sentiment included), each once, as owned copies: at most OE_MAX_EXTRA names of at
     * most OE_MAX_EXTRA_NAME bytes without NUL; extra_more counts the names not kept. */
    char *extra[OE_MAX_EXTRA];
    size_t extra_len[OE_MAX_EXTRA];
    size_t nextra, extra_more;
} oe_chain;

int prova__oe_chain_init(oe_chain *c, prova_hash_alg alg, const char *at, prova_report *r, bool sdk);
void prova__oe_chain_free(oe_chain *c);
/* Checks the next event (seq, link, hash), feeds both chain hashes and collects the names of its members outside the
 * event hash (c->extra). 0 or PROVA_ENOMEM. */
int prova__oe_chain_step(oe_chain *c, const prova_json *ev);
/* The fast path of JSON Lines: checks the next event given as one line of JSON text, through its JCS form and
 * without building a document. Sets *handled when the event passed every check (the state then moved on exactly
 * as prova__oe_chain_step would move it, member names outside the hash collected); otherwise nothing changed and
 * the caller runs the full step, which also writes the failure reports. 0 or PROVA_ENOMEM. */
int prova__oe_chain_step_text(oe_chain *c, const char *line, size_t n, bool *handled);
/* ---- the scanning fast path of JSON Lines (scan.c) ---- */

#define OE_SCAN_OTHERS 8
typedef struct oe_span {
    const char *p;
    size_t n;
} oe_span;
/* Scratch of one scanning thread. */
typedef struct oe_scan {
    prova_hash_alg alg;
    size_t hexlen;
    prova_hash_ctx *event;
    prova_buf input, canon, tmp;
} oe_scan;
/* What the scan found in one line: ok when the line is a well-formed event whose stored event_hash is the
 * recomputed one; then the spans (into the line) that the chain checks need. */
typedef struct oe_pre {
    bool ok;
    oe_span seq, prev, stored;
    size_t nothers;
    oe_span others[OE_SCAN_OTHERS]; /* member names outside the hash, in the order of the line */
} oe_pre;
int prova__oe_scan_init(oe_scan *s, prova_hash_alg alg);
void prova__oe_scan_free(oe_scan *s);
/* The chain-independent checks of one line (any thread). 0 (pre->ok says whether it passed) or PROVA_ENOMEM. */
int prova__oe_scan_event(oe_scan *s, const char *line, size_t n, oe_pre *pre);
/* The chain checks of a scanned line, in order: *handled when it passed and the state moved on as
 * prova__oe_chain_step would move it; otherwise nothing changed. 0 or PROVA_ENOMEM. */
int prova__oe_scan_apply(oe_chain *c, const oe_pre *pre, bool *handled);
/* Moves the chain state on for an event that passed every check (stored = recomputed event hash). */
int prova__oe_chain_pass(oe_chain *c, const char *hash, size_t n, const oe_span *others, size_t nothers);

/* Finishes both chain hashes (hex, NUL-terminated; recomputed is "" when some event hash could not be computed)
 * and adds the summary of per-event failures beyond OE_MAX_FAILURES. */
int prova__oe_chain_finish(oe_chain *c, char stored[PROVA_OE_HEX_MAX + 1], char recomputed[PROVA_OE_HEX_MAX + 1]);
/* Adds one SDK error string (printf-style). */
int prova__oe_sdk_error(oe_chain *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the SDK error strings list to out (JSON literals joined by ','). */

/* ---- chain records (chain.c) ---- */

/* Checks a resolved chain record (status, algorithm, every event, chain_hash); *alg and hash receive its hash
 * algorithm and chain hash. */
int prova__oe_chain_verify_resolved(const prova_json *chain, prova_hash_alg *alg, char hash[PROVA_OE_HEX_MAX + 1],
                                    prova_error *reterr);
/* The chain record rewritten as certified at `at` (.sssZ form). */
int prova__oe_chain_certified(const prova_json *chain, const char *at, prova_buf *out, prova_error *reterr);

/* ---- signatures and keys ---- */

/* Decodes a certificate signature: lowercase/uppercase hex, an optional "oe_sig_" prefix. 0 or PROVA_ESYNTAX. */
int prova__oe_sig_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *ret_len);
/* Signs msg with key as lowercase hex into out (NUL-terminated). */
int prova__oe_sign_hex(const prova_key *key, const void *msg, size_t n, prova_buf *out);
/* A public key as the SDKs carry it (PEM SPKI or hex DER SPKI), or JWK, or a raw 64-hex Ed25519 key. */
int prova__oe_key_parse(const prova_json *pk, prova_key **ret_key, prova_error *reterr);

/* ---- attestations (attest.c) ---- */

/* Verifies one attestation, appends its SDK result object ({type, ...}, canonical) to out, and returns whether it
 * is valid in *ret_valid; *ret_reason is the SDK's reason string for an invalid one (static or NULL). */
int prova__oe_attestation(const prova_json *att, prova_hash_alg alg, const prova_key *key,
                          const char *expected_chain_hash, prova_buf *out, bool *ret_valid, const char **ret_reason);

/* An OpenExecution event object (event_hash, seq and prev_hash members): JSON Lines detection. */
bool prova__oe_is_event(const prova_json *v);
/* An offline certificate bundle / a chain record (the kinds prova_oe_verify_doc() reports as oe_bundle, oe_chain). */
bool prova__oe_is_bundle(const prova_json *v);
bool prova__oe_is_chain_record(const prova_json *v);

/* Writes v in decimal into out (no NUL); returns the length. The expected "seq" of an event is compared as text. */
static inline size_t prova__oe_decimal(size_t v, char out[24]) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t k = 0; k < n; k++) out[k] = tmp[n - 1 - k];
    return n;
}

#endif
