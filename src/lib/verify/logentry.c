/* The log entry of a record of each family (prova/logentry.h): what the gateway logs when it accepts the record,
 * and what an offline verifier recomputes from an export to look the record up in the log. Both call these, so the
 * logged bytes and the recomputed bytes come from one function. They belong to the verify layer because they read
 * every family's records (the proof record's content address is the proof family's); the statement itself is the
 * log layer's (src/lib/tlog/entry.c). */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "prova/encoding.h"
#include "prova/logentry.h"
#include "prova/proof.h"

/* "<alg>:" + the longest hex digest + NUL */
#define DIGEST_MAX (16 + 2 * PROVA_HASH_MAX_BYTES + 2)
#define HEX_MAX    (2 * PROVA_HASH_MAX_BYTES)

static int missing(prova_error *reterr, const char *pointer) {
    prova__fail(reterr, PROVA_EINVAL, "log_record_member", "the record lacks a member its log entry needs");
    if (reterr) snprintf(reterr->pointer, sizeof reterr->pointer, "%s", pointer);
    return PROVA_EINVAL;
}

/* A string member without NUL, or NULL. */
static const char *text(const prova_json *obj, const char *name) {
    const prova_json *v = prova_json_get(obj, name);
    return prova_json_is_string(v) && strlen(v->u.str) == v->len ? v->u.str : NULL;
}

static int position(const prova_json *obj, const char *name, int64_t *ret) {
    const prova_json *v = prova_json_get(obj, name);
    return prova_json_is_int(v) && prova_json_get_int64(v, ret) == 0 ? 0 : PROVA_EINVAL;
}

/* "<alg>:" + hex into out (room for the longest). */
static void prefixed(prova_hash_alg alg, const char *hex, char out[DIGEST_MAX]) {
    snprintf(out, DIGEST_MAX, "%s:%s", prova_hash_name(alg), hex);
}

/* "sha256:" + hex SHA-256 of the JCS bytes of v. */
static int jcs_digest(const prova_json *v, char out[DIGEST_MAX], prova_error *reterr) {
    uint8_t h[PROVA_HASH_MAX_BYTES];
    char hex[2 * PROVA_SHA256_BYTES + 1];
    int rc = prova_canon_hash(v, PROVA_PROFILE_JCS, PROVA_HASH_SHA256, h, reterr);
    if (rc < 0) return rc;
    prova_hex_encode(h, PROVA_SHA256_BYTES, hex, sizeof hex);
    prefixed(PROVA_HASH_SHA256, hex, out);
    return 0;
}

int prova_log_entry_of_receipt(const prova_json *receipt, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!receipt || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    char digest[DIGEST_MAX];
    prova_log_entry e = {.kind = PROVA_LOG_OPE_RECEIPT};
    const char *hash = text(receipt, "receipt_hash");
    if (!hash || strlen(hash) > HEX_MAX) return missing(reterr, "/receipt_hash");
    if (!(e.trace_id = text(receipt, "trace_id"))) return missing(reterr, "/trace_id");
    if (!(e.time = text(receipt, "ts"))) return missing(reterr, "/ts");
    if (position(receipt, "hop", &e.position) < 0) return missing(reterr, "/hop");
    prefixed(PROVA_HASH_SHA256, hash, digest);
    e.digest = digest;
    return prova_log_entry_write(&e, out, reterr);
}

int prova_log_entry_of_oe_event(const prova_json *event, prova_hash_alg alg, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!event || !out || !prova_hash_name(alg))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or unknown algorithm");
    char digest[DIGEST_MAX];
    prova_log_entry e = {.kind = PROVA_LOG_OE_EVENT};
    const char *hash = text(event, "event_hash");
    if (!hash || strlen(hash) > HEX_MAX) return missing(reterr, "/event_hash");
    if (!(e.chain_id = text(event, "chain_id"))) return missing(reterr, "/chain_id");
    if (!(e.time = text(event, "created_at"))) return missing(reterr, "/created_at");
    if (position(event, "seq", &e.position) < 0) return missing(reterr, "/seq");
    prefixed(alg, hash, digest);
    e.digest = digest;
    return prova_log_entry_write(&e, out, reterr);
}

int prova_log_entry_of_oe_certificate(const prova_json *bundle, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!bundle || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    char digest[DIGEST_MAX];
    prova_log_entry e = {.kind = PROVA_LOG_OE_CERTIFICATE};
    const prova_json *cert = prova_json_get(bundle, "certificate");
    if (!prova_json_is_object(cert)) return missing(reterr, "/certificate");
    if (!(e.certificate_id = text(bundle, "certificate_id"))) return missing(reterr, "/certificate_id");
    if (!(e.chain_id = text(cert, "chain_id"))) return missing(reterr, "/certificate/chain_id");
    if (!(e.time = text(cert, "issued_at"))) return missing(reterr, "/certificate/issued_at");
    int rc = jcs_digest(cert, digest, reterr);
    if (rc < 0) return rc;
    e.digest = digest;
    return prova_log_entry_write(&e, out, reterr);
}

int prova_log_entry_of_oe_status(const prova_json *bundle, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!bundle || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    char digest[DIGEST_MAX];
    prova_log_entry e = {.kind = PROVA_LOG_OE_STATUS};
    const prova_json *st = prova_json_get(bundle, "status");
    if (!prova_json_is_object(st)) return missing(reterr, "/status");
    if (!(e.certificate_id = text(bundle, "certificate_id"))) return missing(reterr, "/certificate_id");
    e.status = text(st, "status");
    if (!e.status || (strcmp(e.status, "revoked") != 0 && strcmp(e.status, "superseded") != 0))
        return missing(reterr, "/status/status");
    if (!(e.time = text(st, "updated_at"))) return missing(reterr, "/status/updated_at");
    int rc = jcs_digest(st, digest, reterr);
    if (rc < 0) return rc;
    e.digest = digest;
    return prova_log_entry_write(&e, out, reterr);
}

int prova_log_entry_of_proof_record(const prova_json *record, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!record || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    char id[PROVA_PROOF_HEX_LEN + 1], digest[DIGEST_MAX];
    prova_log_entry e = {.kind = PROVA_LOG_PROOF_RECORD};
    if (!(e.time = text(prova_json_get(record, "identity"), "created_at")))
        return missing(reterr, "/identity/created_at");
    int rc = prova_proof_id(record, id, reterr);
    if (rc < 0) return rc;
    prefixed(PROVA_HASH_SHA256, id, digest);
    e.digest = digest;
    return prova_log_entry_write(&e, out, reterr);
}
