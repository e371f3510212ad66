/* What the bridges need to know about a record of any family: family, kind, content address, id, time, name. */
#include <stdio.h>
#include <string.h>

#include "interop_internal.h"
#include "oe_internal.h"
#include "ope_internal.h"
#include "prova/interop.h"
#include "prova/proof.h"

/* A document rejected by the strict parser only for what Python values may hold (NaN, Infinity, lone surrogates,
 * numbers beyond a double) is read again leniently and kept only if it is a proof record (ophamin.md §1.2 R10).
 * 0 with *ret_doc; PROVA_ESYNTAX when the retry does not apply or the document is not a proof record; ENOMEM. */
int prova__parse_proof_lenient(const void *data, size_t len, uint32_t max_depth, const prova_error *strict_err,
                               prova_doc **ret_doc) {
    const char *why = strict_err->reason;
    if (!why || (strcmp(why, "json_nonfinite") != 0 && strcmp(why, "json_lone_surrogate") != 0 &&
                 strcmp(why, "json_number_range") != 0))
        return PROVA_ESYNTAX;
    prova_parse_options lenient = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES,
                                   .max_depth = max_depth};
    prova_doc *doc = NULL;
    int rc = prova_json_parse(data ? data : "", len, &lenient, &doc, NULL);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0) return PROVA_ESYNTAX;
    if (!prova_proof_detect(prova_doc_root(doc))) {
        prova_doc_free(doc);
        return PROVA_ESYNTAX;
    }
    *ret_doc = doc;
    return 0;
}

int prova_record_parse(const void *data, size_t len, const prova_parse_options *opts, prova_doc **ret_doc,
                       prova_error *reterr) {
    if ((!data && len) || !ret_doc) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_error err;
    int rc = prova_json_parse(data ? data : "", len, opts, ret_doc, &err);
    if (rc == 0 || rc == PROVA_ENOMEM || (opts && opts->flags)) {
        if (rc < 0 && reterr) *reterr = err;
        return rc;
    }
    int lr = prova__parse_proof_lenient(data, len, opts ? opts->max_depth : 0, &err, ret_doc);
    if (lr == 0 || lr == PROVA_ENOMEM) return lr;
    if (reterr) *reterr = err;
    return rc;
}

/* ---- description ------------------------------------------------------------------------------------------- */

static int fail_at(prova_error *err, const char *reason, const char *message, const char *pointer) {
    prova__fail(err, PROVA_EINVAL, reason, message);
    if (err) snprintf(err->pointer, sizeof err->pointer, "%s", pointer);
    return PROVA_EINVAL;
}

/* Copies a string member into a fixed field when it fits (else leaves it empty). */
static void copy_str(char *dst, size_t cap, const prova_json *v) {
    dst[0] = '\0';
    if (prova_json_is_string(v) && v->len < cap && !memchr(v->u.str, '\0', v->len)) memcpy(dst, v->u.str, v->len + 1);
}

/* A time that may be an RFC 3339 string or integer milliseconds (OPE ts). */
static void copy_time(char *dst, size_t cap, const prova_json *v) {
    int64_t ms;
    if (prova_json_is_int(v) && prova_json_get_int64(v, &ms) == 0 && ms >= 0 && ms < INT64_MAX / 1000) {
        char buf[40];
        size_t n = prova_time_format(ms * 1000, buf);
        if (n && n < cap)
            memcpy(dst, buf, n + 1);
        else
            dst[0] = '\0';
        return;
    }
    copy_str(dst, cap, v);
}

/* The in-toto DigestSet name of a hash algorithm ("sha3-256" -> "sha3_256"). */
static void digest_name(prova_hash_alg alg, char out[16]) {
    snprintf(out, 16, "%s", prova_hash_name(alg));
    for (char *p = out; *p; p++)
        if (*p == '-') *p = '_';
}

/* Sets the digest from a stated hex address ("sha256:" prefix allowed when prefix_ok) of algorithm alg. */
static int set_stated(prova_record_info *ri, const prova_json *v, prova_hash_alg alg, bool prefix_ok, const char *at,
                      prova_error *err) {
    const char *s = prova_json_str(v);
    size_t n = prova_json_len(v);
    if (s && prefix_ok && n > 7 && memcmp(s, "sha256:", 7) == 0 && alg == PROVA_HASH_SHA256) {
        s += 7;
        n -= 7;
    }
    size_t want = 2 * prova_hash_size(alg);
    bool ok = s && n == want;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F');
    if (!ok)
        return fail_at(err, "record_digest_invalid", "the record's content address is not hex of its algorithm", at);
    for (size_t i = 0; i < n; i++) ri->digest[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
    ri->digest[n] = '\0';
    digest_name(alg, ri->digest_alg);
    return 0;
}

static int describe_envelope(const prova_json *env, prova_record_info *ri, prova_error *err) {
    const prova_json *payload = prova_json_get(env, "payload");
    if (!prova_json_is_object(payload))
        return fail_at(err, "record_unknown_kind", "an envelope's payload must be an object", "/payload");
    char mine[OPE_CID_LEN + 1];
    int rc = prova__ope_cid(payload, mine, err);
    if (rc < 0) return rc;
    const prova_json *cid = prova_json_get(env, "cid");
    if (cid && !prova_json_str_eq(cid, mine)) {
        /* The starter dialect may state the cid of its ASCII form (odin.md §1.1). */
        prova_buf b = PROVA_BUF_INIT;
        char ascii[OPE_CID_LEN + 1] = "";
        rc = prova_canon_write(payload, PROVA_PROFILE_OPHAMIN, &b, err);
        if (rc == 0) prova__ope_cid_bytes(b.data, b.len, ascii);
        prova_buf_free(&b);
        if (rc < 0) return rc;
        if (!prova_json_str_eq(cid, ascii))
            return fail_at(err, "record_digest_mismatch", "the envelope's cid is not the SHA-256 of its payload",
                           "/cid");
        memcpy(mine, ascii, sizeof mine);
    }
    memcpy(ri->digest, mine + 7, 2 * PROVA_SHA256_BYTES + 1);
    snprintf(ri->digest_alg, sizeof ri->digest_alg, "sha256");
    copy_str(ri->id, sizeof ri->id, prova_json_get(env, "trace_id"));
    copy_time(ri->time, sizeof ri->time, prova_json_get(env, "ts"));
    return 0;
}

static int describe_oe(const prova_json *chain, const char *at, prova_record_info *ri, prova_error *err) {
    const prova_json *h = prova_json_get(chain, "chain_hash");
    char ptr[64];
    snprintf(ptr, sizeof ptr, "%s/chain_hash", at);
    if (!h || prova_json_is_null(h))
        return fail_at(err, "record_not_resolved", "the chain is not resolved: it has no chain_hash yet", ptr);
    prova_hash_alg alg = PROVA_HASH_SHA256;
    const prova_json *name = prova_json_get(chain, "hash_algorithm");
    if (name) {
        if (!prova_json_is_string(name) || prova_oe_hash_lookup(name->u.str, &alg) < 0) {
            snprintf(ptr, sizeof ptr, "%s/hash_algorithm", at);
            return fail_at(err, "record_digest_invalid", "the chain's hash_algorithm is not one prova knows", ptr);
        }
    } else if (prova_json_len(h) == 96) {
        alg = PROVA_HASH_SHA384;
    } else if (prova_json_len(h) == 128) {
        alg = PROVA_HASH_SHA512;
    }
    return set_stated(ri, h, alg, false, ptr, err);
}

int prova_record_describe(const prova_json *record, prova_record_info *ret, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!record || !ret) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_record_info ri;
    memset(&ri, 0, sizeof ri);
    int rc;
    if (prova__oe_is_bundle(record)) {
        ri.family = PROVA_RECORD_OE;
        ri.kind = "oe_bundle";
        const prova_json *chain = prova_json_get(record, "chain");
        if (!prova_json_is_object(chain))
            return fail_at(reterr, "record_not_resolved", "the bundle carries no chain object", "/chain");
        rc = describe_oe(chain, "/chain", &ri, reterr);
        copy_str(ri.id, sizeof ri.id, prova_json_get(record, "certificate_id"));
        copy_str(ri.time, sizeof ri.time, prova_json_get(prova_json_get(record, "certificate"), "issued_at"));
    } else if (prova__oe_is_chain_record(record)) {
        ri.family = PROVA_RECORD_OE;
        ri.kind = "oe_chain";
        rc = describe_oe(record, "", &ri, reterr);
        copy_str(ri.id, sizeof ri.id, prova_json_get(record, "id"));
        copy_str(ri.time, sizeof ri.time, prova_json_get(record, "resolved_at"));
    } else if (prova__ope_is_bundle(record)) {
        ri.family = PROVA_RECORD_OPE;
        ri.kind = "ope_bundle";
        rc = set_stated(&ri, prova_json_get(record, "bundle_cid"), PROVA_HASH_SHA256, true, "/bundle_cid", reterr);
        const prova_json *b = prova_json_get(record, "bundle");
        copy_str(ri.id, sizeof ri.id, prova_json_get(b, "trace_id"));
        copy_time(ri.time, sizeof ri.time, prova_json_get(b, "exported_at"));
    } else if (prova__ope_is_envelope(record)) {
        ri.family = PROVA_RECORD_OPE;
        ri.kind = "ope_envelope";
        rc = describe_envelope(record, &ri, reterr);
    } else if (prova__ope_is_receipt(record)) {
        ri.family = PROVA_RECORD_OPE;
        ri.kind = "ope_receipt";
        rc = set_stated(&ri, prova_json_get(record, "receipt_hash"), PROVA_HASH_SHA256, true, "/receipt_hash", reterr);
        copy_str(ri.id, sizeof ri.id, prova_json_get(record, "trace_id"));
        copy_time(ri.time, sizeof ri.time, prova_json_get(record, "ts"));
    } else if (prova__ope_is_chain(record)) {
        ri.family = PROVA_RECORD_OPE;
        ri.kind = "ope_receipt_chain";
        const prova_json *last = prova_json_at(record, record->len - 1);
        char ptr[48];
        snprintf(ptr, sizeof ptr, "/%u/receipt_hash", record->len - 1);
        rc = set_stated(&ri, prova_json_get(last, "receipt_hash"), PROVA_HASH_SHA256, true, ptr, reterr);
        copy_str(ri.id, sizeof ri.id, prova_json_get(prova_json_at(record, 0), "trace_id"));
        copy_time(ri.time, sizeof ri.time, prova_json_get(last, "ts"));
    } else if (prova_proof_detect(record)) {
        ri.family = PROVA_RECORD_PROOF;
        ri.kind = "proof_record";
        rc = prova_proof_id(record, ri.digest, reterr);
        const prova_json *wire = prova_json_get(record, "proof_id");
        if (rc == 0 && wire && !prova_json_str_eq(wire, ri.digest))
            rc = fail_at(reterr, "record_digest_mismatch", "proof_id is not the SHA-256 of the record's canonical body",
                         "/proof_id");
        snprintf(ri.digest_alg, sizeof ri.digest_alg, "sha256");
        memcpy(ri.id, ri.digest, sizeof ri.digest < sizeof ri.id ? sizeof ri.digest : sizeof ri.id);
        copy_str(ri.time, sizeof ri.time, prova_json_get(prova_json_get(record, "identity"), "created_at"));
    } else {
        return fail_at(reterr, "record_unknown_kind",
                       "not a record prova exports: expected an OPE envelope, receipt, receipt chain or bundle, an "
                       "OpenExecution bundle or resolved chain record, or an Ophamin proof record",
                       "");
    }
    if (rc < 0) return rc;
    ri.family_name = ri.family == PROVA_RECORD_OPE ? "ope" : ri.family == PROVA_RECORD_OE ? "oe" : "proof";
    if (ri.family == PROVA_RECORD_PROOF) {
        snprintf(ri.name, sizeof ri.name, "empirical-proof-record-%.16s", ri.digest);
    } else {
        snprintf(ri.name, sizeof ri.name, "%s-%.16s", ri.kind, ri.digest);
        for (char *p = ri.name; *p; p++)
            if (*p == '_') *p = '-';
    }
    *ret = ri;
    return 0;
}
