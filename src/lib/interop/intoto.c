/* in-toto Statement v1 + DSSE: the Statement of any record, PAE, signing and two-layer verification.
 * Formats, decisions and reason codes: docs/intoto.md.
 *
 * SPEC (DSSE v1, protocol.md): "PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
 *   ... LEN(s) = ASCII decimal encoding of the byte length of s, with no leading zeros".
 * SPEC (reference/ophamin.md §9): "payload_bytes = json.dumps(statement, sort_keys=True, separators=(",",":"),
 *   ensure_ascii=True)"; "Signature: HMAC-SHA256(key, PAE), raw 32-byte digest, base64-encoded".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "interop_internal.h"
#include "ope_internal.h" /* prova__keyset_describe */
#include "prova/encoding.h"
#include "prova/interop.h"
#include "prova/intoto.h"
#include "prova/ope.h"
#include "prova/proof.h"

static int oom(prova_error *err) {
    return prova__fail(err, PROVA_ENOMEM, "out_of_memory", "out of memory");
}

static int put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}

static int put_str(prova_buf *b, const char *s, prova_profile p) {
    return prova_canon_write_string(s, strlen(s), p, b);
}

/* A STRING value equal to the NUL-terminated s, compared with the value's length (a value may hold NUL). */
static bool str_is(const prova_json *v, const char *s) {
    return prova_json_is_string(v) && prova_json_len(v) == strlen(s) && memcmp(prova_json_str(v), s, v->len) == 0;
}

/* ---- the Statement ------------------------------------------------------------------------------------------- */

static int proof_statement(const prova_json *rec, const prova_record_info *info, const char *name, prova_buf *out,
                           prova_error *err) {
    /* SPEC (§9): "the proof must be signed (non-empty signature) and proof_id must be 64 lowercase hex". */
    const prova_json *sig = prova_json_get(rec, "signature");
    if (!prova_json_is_string(sig) || prova_json_len(sig) == 0)
        return prova__fail(err, PROVA_EINVAL, "intoto_unsigned",
                           "an unsigned proof record has no in-toto Statement (sign it first)");
    const prova_json *pid = prova_json_get(rec, "proof_id");
    if (!prova_json_is_string(pid) || pid->len != PROVA_PROOF_HEX_LEN || !prova__is_hex(pid->u.str, pid->len, true))
        return prova__fail(err, PROVA_EINVAL, "intoto_proof_id_invalid", "proof_id must be 64 lowercase hex digits");
    const prova_json *sv = prova_json_get(rec, "schema_version");
    const prova_profile P = PROVA_PROFILE_OPHAMIN;
    int r = put(out, "{\"_type\":\"" PROVA_INTOTO_STATEMENT_V1 "\",\"predicate\":{\"body\":");
    if (r == 0) r = prova_proof_body(rec, out, err);
    if (r == 0) r = put(out, ",\"ophamin_version\":\"" PROVA_VERSION_STRING "\",\"schema_version\":");
    if (r == 0) r = sv ? prova_canon_write(sv, P, out, err) : put(out, "null");
    if (r == 0) r = put(out, ",\"signature\":");
    if (r == 0) r = prova_canon_write(sig, P, out, err);
    if (r == 0)
        r = put(out, "},\"predicateType\":\"" PROVA_INTOTO_OPHAMIN_PREDICATE_V1 "\",\"subject\":[{\"digest\":"
                     "{\"sha256\":");
    if (r == 0) r = put_str(out, info->digest, P);
    if (r == 0) r = put(out, "},\"name\":");
    if (r == 0 && put_str(out, name, P) < 0)
        r = prova__fail(err, PROVA_EINVAL, "intoto_subject_name_invalid", "the subject name is not UTF-8");
    if (r == 0) r = put(out, "}]}");
    return r;
}

static int family_statement(const prova_json *rec, const prova_record_info *info, const char *name, prova_buf *out,
                            prova_error *err) {
    /* Canonical under the record's own profile, so that the record inside stays byte-faithful: its signatures
     * are over its canonical form under that profile. The Statement's own keys are ASCII: every profile sorts
     * them the same way. */
    prova_profile p = info->family == PROVA_RECORD_OE ? PROVA_PROFILE_JCS : PROVA_PROFILE_OPE;
    const char *ptype = info->family == PROVA_RECORD_OE ? PROVA_INTOTO_OE_PREDICATE_V1 : PROVA_INTOTO_OPE_PREDICATE_V1;
    int r = put(out, "{\"_type\":\"" PROVA_INTOTO_STATEMENT_V1 "\",\"predicate\":{\"kind\":");
    if (r == 0) r = put_str(out, info->kind, p);
    if (r == 0) r = put(out, ",\"record\":");
    if (r == 0) r = prova_canon_write(rec, p, out, err);
    if (r == 0) r = put(out, "},\"predicateType\":\"");
    if (r == 0) r = put(out, ptype);
    if (r == 0) r = put(out, "\",\"subject\":[{\"digest\":{");
    if (r == 0) r = put_str(out, info->digest_alg, p);
    if (r == 0) r = put(out, ":");
    if (r == 0) r = put_str(out, info->digest, p);
    if (r == 0) r = put(out, "},\"name\":");
    if (r == 0 && put_str(out, name, p) < 0)
        r = prova__fail(err, PROVA_EINVAL, "intoto_subject_name_invalid", "the subject name is not UTF-8");
    if (r == 0) r = put(out, "}]}");
    return r;
}

int prova_intoto_statement(const prova_json *record, const char *subject_name, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!record || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL record or buffer");
    prova_record_info info;
    int r = prova_record_describe(record, &info, reterr);
    if (r < 0) return r;
    const char *name = subject_name ? subject_name : info.name;
    size_t mark = out->len;
    r = info.family == PROVA_RECORD_PROOF ? proof_statement(record, &info, name, out, reterr)
                                          : family_statement(record, &info, name, out, reterr);
    if (r < 0) {
        out->len = mark;
        if (r == PROVA_ENOMEM) oom(reterr);
    }
    return r;
}

/* ---- PAE and signing ------------------------------------------------------------------------------------------ */

int prova_dsse_pae(const char *type, size_t type_len, const void *payload, size_t len, prova_buf *out) {
    if ((!type && type_len) || (!payload && len) || !out) return PROVA_EINVAL;
    char num[32];
    size_t mark = out->len;
    int n = snprintf(num, sizeof num, "DSSEv1 %zu ", type_len);
    int r = prova_buf_append(out, num, (size_t)n);
    if (r == 0 && type_len) r = prova_buf_append(out, type, type_len);
    n = snprintf(num, sizeof num, " %zu ", len);
    if (r == 0) r = prova_buf_append(out, num, (size_t)n);
    if (r == 0 && len) r = prova_buf_append(out, payload, len);
    if (r < 0) out->len = mark;
    return r;
}

static int sign_one(const prova_dsse_signer *s, const prova_buf *pae, prova_buf *out, prova_error *err) {
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t siglen = 0;
    const char *keyid;
    int r;
    if (s->key) {
        r = prova_key_sign(s->key, pae->data, pae->len, sig, &siglen);
        if (r == PROVA_EKEY)
            return prova__fail(err, r, "dsse_key_not_private", "a DSSE signing key must be a private key");
        if (r < 0) return prova__fail(err, r, "dsse_sign_failed", "signing failed");
        keyid = prova_key_kid(s->key);
    } else {
        r = prova_hmac_sha256_compute(s->hmac_key, s->hmac_key_len, pae->data, pae->len, sig);
        if (r < 0) return prova__fail(err, r, "dsse_sign_failed", "HMAC-SHA256 failed");
        siglen = PROVA_HMAC_SHA256_BYTES;
        keyid = s->keyid ? s->keyid : "";
    }
    r = put(out, "{\"keyid\":");
    if (r == 0 && prova_canon_write_string(keyid, strlen(keyid), PROVA_PROFILE_OPHAMIN, out) < 0)
        r = prova__fail(err, PROVA_EINVAL, "dsse_keyid_invalid", "a keyid must be UTF-8");
    if (r == 0) r = put(out, ",\"sig\":\"");
    if (r == 0) r = prova__buf_base64(out, sig, siglen, false);
    if (r == 0) r = put(out, "\"}");
    prova_mem_wipe(sig, sizeof sig);
    return r;
}

int prova_dsse_sign(const char *payload_type, const void *payload, size_t len, const prova_dsse_signer *signers,
                    size_t n, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!payload_type || (!payload && len) || (!signers && n) || !out)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (n == 0) return prova__fail(reterr, PROVA_EINVAL, "dsse_no_signer", "a DSSE envelope needs a signer");
    for (size_t i = 0; i < n; i++) {
        const prova_dsse_signer *s = &signers[i];
        bool hmac = s->hmac_key != NULL;
        if ((s->key != NULL) == hmac || (hmac && s->hmac_key_len == 0))
            return prova__fail(reterr, PROVA_EINVAL, "dsse_signer_invalid",
                               "a signer needs exactly one of a private key and a non-empty HMAC key");
    }
    size_t tlen = strlen(payload_type);
    if (tlen == 0 || !prova_utf8_valid(payload_type, tlen))
        return prova__fail(reterr, PROVA_EINVAL, "dsse_payload_type_invalid", "payloadType must be non-empty UTF-8");
    prova_buf pae = PROVA_BUF_INIT;
    size_t mark = out->len;
    /* Bytes signed = bytes verified: prova_dsse_verify() builds PAE with the same function. */
    int r = prova_dsse_pae(payload_type, tlen, payload, len, &pae);
    if (r == 0) r = put(out, "{\"payloadType\":");
    if (r == 0) r = prova_canon_write_string(payload_type, tlen, PROVA_PROFILE_OPHAMIN, out);
    if (r == 0) r = put(out, ",\"payload\":\"");
    if (r == 0) r = prova__buf_base64(out, payload, len, false);
    if (r == 0) r = put(out, "\",\"signatures\":[");
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i) r = put(out, ",");
        if (r == 0) r = sign_one(&signers[i], &pae, out, reterr);
    }
    if (r == 0) r = put(out, "]}");
    prova_buf_free(&pae);
    if (r < 0) {
        out->len = mark;
        if (r == PROVA_ENOMEM) oom(reterr);
    }
    return r;
}

/* ---- reading envelopes and Statements ------------------------------------------------------------------------- */

/* Checks the envelope's shape. On failure *why is a sentence and at a JSON Pointer. */
static bool envelope_schema(const prova_json *env, const char **why, char at[PROVA_POINTER_MAX]) {
    strcpy(at, "");
    if (!prova_json_is_object(env)) {
        *why = "a DSSE envelope must be a JSON object";
        return false;
    }
    if (!prova_json_is_string(prova_json_get(env, "payloadType"))) {
        strcpy(at, "/payloadType");
        *why = "payloadType must be a string";
        return false;
    }
    if (!prova_json_is_string(prova_json_get(env, "payload"))) {
        strcpy(at, "/payload");
        *why = "payload must be a string";
        return false;
    }
    const prova_json *sigs = prova_json_get(env, "signatures");
    if (!prova_json_is_array(sigs) || sigs->len == 0) {
        strcpy(at, "/signatures");
        *why = "signatures must be a non-empty array";
        return false;
    }
    for (size_t i = 0; i < sigs->len; i++) {
        const prova_json *s = prova_json_at(sigs, i);
        const prova_json *kid = prova_json_get(s, "keyid");
        if (!prova_json_is_object(s) || !prova_json_is_string(prova_json_get(s, "sig")) ||
            (kid && !prova_json_is_string(kid))) {
            snprintf(at, PROVA_POINTER_MAX, "/signatures/%zu", i);
            *why = "each signature must be an object with a string sig and an optional string keyid";
            return false;
        }
    }
    return true;
}

/* The family a predicateType names, or 0. */
static prova_record_family predicate_family(const prova_json *pt) {
    if (str_is(pt, PROVA_INTOTO_OPHAMIN_PREDICATE_V1)) return PROVA_RECORD_PROOF;
    if (str_is(pt, PROVA_INTOTO_OPE_PREDICATE_V1)) return PROVA_RECORD_OPE;
    if (str_is(pt, PROVA_INTOTO_OE_PREDICATE_V1)) return PROVA_RECORD_OE;
    return (prova_record_family)0;
}

static bool outside_body(const prova_json *key) {
    return prova_json_str_eq(key, "signature") || prova_json_str_eq(key, "proof_id") ||
           prova_json_str_eq(key, "attestation");
}

/* Rebuilds the record a Statement carries (see prova_intoto_record). Checks _type, the shape and the
 * predicateType; *ret_family is set. err->pointer is relative to the Statement. */
static int statement_record(const prova_json *st, prova_record_family *ret_family, prova_buf *out, prova_error *err) {
    const char *schema = "intoto_schema";
    if (!prova_json_is_object(st))
        return prova__fail(err, PROVA_EINVAL, schema, "an in-toto Statement must be a JSON object");
    if (!str_is(prova_json_get(st, "_type"), PROVA_INTOTO_STATEMENT_V1)) {
        prova__fail(err, PROVA_EINVAL, "intoto_type", "_type must be \"" PROVA_INTOTO_STATEMENT_V1 "\"");
        if (err) strcpy(err->pointer, "/_type");
        return PROVA_EINVAL;
    }
    const prova_json *subj = prova_json_get(st, "subject");
    bool subj_ok = prova_json_is_array(subj) && subj->len > 0;
    for (size_t i = 0; subj_ok && i < subj->len; i++) {
        const prova_json *d = prova_json_get(prova_json_at(subj, i), "digest");
        subj_ok = prova_json_is_object(d);
        for (size_t k = 0; subj_ok && k < d->len; k++) subj_ok = prova_json_is_string(&d->u.members[k].value);
    }
    if (!subj_ok) {
        prova__fail(err, PROVA_EINVAL, schema, "subject must be a non-empty array of {name, digest: {alg: hex}}");
        if (err) strcpy(err->pointer, "/subject");
        return PROVA_EINVAL;
    }
    prova_record_family fam = predicate_family(prova_json_get(st, "predicateType"));
    if (!fam) {
        prova__fail(err, PROVA_EINVAL, "intoto_predicate_type",
                    "predicateType is not one prova knows (the Ophamin proof record, urn:prova:predicate:ope:v1, "
                    "urn:prova:predicate:openexecution:v1)");
        if (err) strcpy(err->pointer, "/predicateType");
        return PROVA_EINVAL;
    }
    const prova_json *pred = prova_json_get(st, "predicate");
    size_t mark = out->len;
    int r;
    if (fam == PROVA_RECORD_PROOF) {
        const prova_json *body = prova_json_get(pred, "body");
        const prova_json *sig = prova_json_get(pred, "signature");
        const prova_json *pid = prova_json_get(prova_json_get(prova_json_at(subj, 0), "digest"), "sha256");
        bool ok = prova_json_is_object(body) && prova_json_is_string(sig) && pid;
        for (size_t i = 0; ok && i < body->len; i++) ok = !outside_body(&body->u.members[i].key);
        if (!ok) {
            prova__fail(err, PROVA_EINVAL, schema,
                        "the Ophamin predicate needs an object body (without proof_id, signature or attestation), a "
                        "string signature and a sha256 subject digest");
            if (err) strcpy(err->pointer, "/predicate");
            return PROVA_EINVAL;
        }
        const prova_profile P = PROVA_PROFILE_OPHAMIN;
        r = put(out, "{\"proof_id\":");
        if (r == 0) r = prova_canon_write(pid, P, out, err);
        for (size_t i = 0; r == 0 && i < body->len; i++) {
            r = put(out, ",");
            if (r == 0) r = prova_canon_write(&body->u.members[i].key, P, out, err);
            if (r == 0) r = put(out, ":");
            if (r == 0) r = prova_canon_write(&body->u.members[i].value, P, out, err);
        }
        if (r == 0) r = put(out, ",\"signature\":");
        if (r == 0) r = prova_canon_write(sig, P, out, err);
        if (r == 0) r = put(out, "}");
    } else {
        const prova_json *rec = prova_json_get(pred, "record");
        if (!rec || !prova_json_is_string(prova_json_get(pred, "kind"))) {
            prova__fail(err, PROVA_EINVAL, schema, "the predicate must be {\"kind\": string, \"record\": the record}");
            if (err) strcpy(err->pointer, "/predicate");
            return PROVA_EINVAL;
        }
        r = prova_canon_write(rec, fam == PROVA_RECORD_OE ? PROVA_PROFILE_JCS : PROVA_PROFILE_OPE, out, err);
        if (r < 0 && r != PROVA_ENOMEM && err) {
            /* "/predicate/record" + the pointer, cut (at a byte) if it does not fit. */
            static const char pre[] = "/predicate/record";
            size_t n = strnlen(err->pointer, PROVA_POINTER_MAX - 1), room = PROVA_POINTER_MAX - sizeof pre;
            if (n > room) n = room;
            memmove(err->pointer + sizeof pre - 1, err->pointer, n);
            memcpy(err->pointer, pre, sizeof pre - 1);
            err->pointer[sizeof pre - 1 + n] = '\0';
        }
    }
    if (r < 0) {
        out->len = mark;
        if (r == PROVA_ENOMEM) oom(err);
        return r;
    }
    *ret_family = fam;
    return 0;
}

static int parse_statement(const void *data, size_t len, prova_doc **ret, prova_error *err) {
    /* Proof records' Statements may hold NaN/Infinity and lone surrogates (the reference's json.dumps allows them). */
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    int r = prova_json_parse(data, len, &po, ret, err);
    if (r < 0 && r != PROVA_ENOMEM && err) {
        err->status = PROVA_ESYNTAX;
        err->reason = "intoto_json";
        err->message = "the Statement is not JSON";
        return PROVA_ESYNTAX;
    }
    return r;
}

int prova_intoto_record(const void *statement, size_t len, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!statement && len) || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_doc *doc = NULL;
    int r = parse_statement(statement ? statement : "", len, &doc, reterr);
    if (r < 0) return r;
    prova_record_family fam;
    r = statement_record(prova_doc_root(doc), &fam, out, reterr);
    prova_doc_free(doc);
    return r;
}

int prova_dsse_payload(const void *envelope, size_t len, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!envelope && len) || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_doc *doc = NULL;
    int r = prova_json_parse(envelope ? envelope : "", len, NULL, &doc, reterr);
    if (r < 0) {
        if (r != PROVA_ENOMEM && reterr) {
            reterr->status = PROVA_ESYNTAX;
            reterr->reason = "dsse_json";
            reterr->message = "the DSSE envelope is not JSON";
        }
        return r == PROVA_ENOMEM ? r : PROVA_ESYNTAX;
    }
    const prova_json *root = prova_doc_root(doc);
    const char *why;
    char at[PROVA_POINTER_MAX];
    if (!envelope_schema(root, &why, at)) {
        prova_doc_free(doc);
        prova__fail(reterr, PROVA_EINVAL, "dsse_schema", why);
        if (reterr) strcpy(reterr->pointer, at);
        return PROVA_EINVAL;
    }
    size_t mark = out->len;
    const prova_json *payload = prova_json_get(root, "payload");
    r = prova__buf_base64_decode(out, payload->u.str, payload->len, false, reterr);
    prova_doc_free(doc);
    if (r == PROVA_ESYNTAX) {
        size_t off = reterr ? reterr->offset : 0;
        prova__fail(reterr, r, "dsse_payload_base64", "payload is not standard base64 with padding");
        if (reterr) {
            reterr->offset = off;
            strcpy(reterr->pointer, "/payload");
        }
    } else if (r == PROVA_ENOMEM) {
        oom(reterr);
    }
    if (r < 0) out->len = mark;
    return r;
}

/* ---- verification -------------------------------------------------------------------------------------------- */

typedef struct sig_result {
    bool unknown; /* no key for the keyid and no HMAC key that matched */
} sig_result;

/* Verifies signature i; returns 1 when it verified, 0 when not (a check or a deferred unknown), <0 on ENOMEM. */
static int verify_one(const prova_json *s, size_t i, const prova_buf *pae, const prova_dsse_verify_options *o,
                      const uint8_t hmac[PROVA_HMAC_SHA256_BYTES], prova_report *r, sig_result *res) {
    char name[48], at[64];
    snprintf(name, sizeof name, "dsse.signatures[%zu]", i);
    snprintf(at, sizeof at, "/signatures/%zu/sig", i);
    const prova_json *sigv = prova_json_get(s, "sig");
    const prova_json *kidv = prova_json_get(s, "keyid");
    const char *kid = kidv ? prova_json_str(kidv) : "";
    bool kid_clean = !kidv || strlen(kid) == kidv->len;
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t siglen = 0;
    prova_error e;
    int dr = prova_base64_decode(sigv->u.str, sigv->len, sig, sizeof sig, &siglen, &e);
    if (dr == PROVA_ESYNTAX)
        return prova__report_check(r, name, false, "dsse_sig_base64", at,
                                   "sig is not standard base64 with padding (offset %zu)", e.offset) < 0
                   ? PROVA_ENOMEM
                   : 0;
    if (dr < 0) /* longer than any signature prova knows */
        return prova__report_check(r, name, false, "dsse_signature_invalid", at,
                                   "sig is longer than any supported signature") < 0
                   ? PROVA_ENOMEM
                   : 0;
    const char *source = NULL;
    const prova_key *key = o && o->keys && kid_clean && *kid ? prova_keyset_find(o->keys, kid, &source) : NULL;
    if (key) {
        bool ok = prova_key_verify(key, pae->data, pae->len, sig, siglen) == 0;
        int rc = ok ? prova__report_check(r, name, true, "ok", at, "%s signature by %s verifies over PAE",
                                          prova_sig_name(prova_key_alg(key)), prova_key_kid(key))
                    : prova__report_check(r, name, false, "dsse_signature_invalid", at,
                                          "the %s signature by %s does not verify over PAE(payloadType, payload)",
                                          prova_sig_name(prova_key_alg(key)), prova_key_kid(key));
        if (rc == 0 && ok) rc = prova_report_add_key(r, prova_key_kid(key), source ? source : "");
        return rc < 0 ? PROVA_ENOMEM : ok;
    }
    if (hmac) {
        bool ok = siglen == PROVA_HMAC_SHA256_BYTES && prova_ct_equal(sig, hmac, PROVA_HMAC_SHA256_BYTES);
        if (ok)
            return prova__report_check(r, name, true, "ok", at, "HMAC-SHA256 over PAE verifies under the HMAC key") < 0
                       ? PROVA_ENOMEM
                       : 1;
        if (!*kid)
            return prova__report_check(r, name, false, "dsse_signature_invalid", at,
                                       "the signature does not verify as HMAC-SHA256 over PAE under the HMAC key") < 0
                       ? PROVA_ENOMEM
                       : 0;
    }
    res->unknown = true;
    return 0;
}

static int verify_envelope_sigs(const prova_json *env, const prova_buf *pae, const prova_dsse_verify_options *o,
                                prova_report *r) {
    const prova_json *sigs = prova_json_get(env, "signatures");
    uint8_t hmac_buf[PROVA_HMAC_SHA256_BYTES];
    const uint8_t *hmac = NULL;
    if (o && o->hmac_key) {
        if (prova_hmac_sha256_compute(o->hmac_key, o->hmac_key_len, pae->data, pae->len, hmac_buf) < 0)
            return PROVA_ENOMEM;
        hmac = hmac_buf;
    }
    sig_result *res = calloc(sigs->len, sizeof *res);
    if (!res) return PROVA_ENOMEM;
    char offered[PROVA__KEYSET_DESC_MAX];
    size_t verified = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sigs->len; i++) {
        int v = verify_one(prova_json_at(sigs, i), i, pae, o, hmac, r, &res[i]);
        if (v < 0)
            rc = v;
        else
            verified += (size_t)v;
    }
    /* SPEC (DSSE protocol): a verifier skips signatures whose keyid it does not know; it fails when too few
     * verified. An unknown keyid is a warning when another signature verified, a failed check otherwise. */
    for (size_t i = 0; rc == 0 && i < sigs->len; i++) {
        if (!res[i].unknown) continue;
        const prova_json *kidv = prova_json_get(prova_json_at(sigs, i), "keyid");
        const char *kid = kidv ? prova_json_str(kidv) : "";
        char name[48], at[64];
        snprintf(name, sizeof name, "dsse.signatures[%zu]", i);
        snprintf(at, sizeof at, "/signatures/%zu/keyid", i);
        if (verified)
            rc = prova__report_warn(r, "dsse_keyid_unknown", at,
                                    "signature %zu (keyid \"%s\") was skipped: no key for it", i, kid);
        else
            rc = prova__report_check(r, name, false, "dsse_keyid_unknown", at,
                                     "no trusted key has keyid \"%.80s\"; %s%s", kid,
                                     prova__keyset_describe(o ? o->keys : NULL, offered, sizeof offered),
                                     hmac ? "; nor is it an HMAC-SHA256 signature under the HMAC key" : "");
    }
    if (rc == 0)
        rc = verified ? prova__report_check(r, "dsse.signatures", true, "ok", "/signatures",
                                            "%zu of %zu signatures verify", verified, (size_t)sigs->len)
                      : prova__report_check(r, "dsse.signatures", false, "dsse_no_valid_signature", "/signatures",
                                            "no signature verifies (%zu given)", (size_t)sigs->len);
    free(res);
    prova_mem_wipe(hmac_buf, sizeof hmac_buf);
    return rc < 0 ? PROVA_ENOMEM : 0;
}

static int chk(prova_report *r, const char *check, bool ok, const char *code, const char *at, const char *msg) {
    return prova__report_check(r, check, ok, ok ? "ok" : code, at, "%s", msg) < 0 ? PROVA_ENOMEM : 0;
}

/* The Statement layer; ret_record receives the bytes of the record it carries when they are worth verifying. */
static int verify_statement(const prova_buf *payload, prova_report *r, prova_buf *ret_record) {
    prova_doc *doc = NULL;
    prova_error e;
    int rc = parse_statement(payload->len ? (const void *)payload->data : "", payload->len, &doc, &e);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0)
        return prova__report_check(r, "intoto.statement", false, "intoto_json", e.pointer,
                                   "the payload is not JSON: %s at line %zu, column %zu", e.message, e.line,
                                   e.column) < 0
                   ? PROVA_ENOMEM
                   : 0;
    rc = chk(r, "intoto.statement", true, "ok", "", "the payload is JSON");
    const prova_json *st = prova_doc_root(doc);
    prova_buf rec = PROVA_BUF_INIT;
    prova_record_family fam = 0;
    if (rc == 0) {
        int sr = statement_record(st, &fam, &rec, &e);
        if (sr == PROVA_ENOMEM)
            rc = sr;
        else if (sr < 0) {
            const char *check = strcmp(e.reason, "intoto_type") == 0             ? "intoto._type"
                                : strcmp(e.reason, "intoto_predicate_type") == 0 ? "intoto.predicateType"
                                : strcmp(e.reason, "intoto_schema") == 0         ? "intoto.schema"
                                                                                 : "intoto.record";
            const char *code = strncmp(e.reason, "intoto_", 7) == 0 ? e.reason : "intoto_record";
            rc = prova__report_check(r, check, false, code, e.pointer, "%s", e.message) < 0 ? PROVA_ENOMEM : 0;
            fam = 0;
        } else {
            rc = chk(r, "intoto._type", true, "ok", "/_type", "_type is " PROVA_INTOTO_STATEMENT_V1);
        }
    }
    prova_doc *rdoc = NULL;
    prova_record_info info;
    bool described = false;
    if (rc == 0 && fam) {
        int pr = prova_record_parse(rec.data, rec.len, NULL, &rdoc, &e);
        if (pr == 0) pr = prova_record_describe(prova_doc_root(rdoc), &info, &e);
        if (pr == PROVA_ENOMEM)
            rc = pr;
        else if (pr < 0 && fam == PROVA_RECORD_PROOF && strcmp(e.reason, "record_digest_mismatch") == 0)
            rc = chk(r, "intoto.subject", false, "intoto_subject_digest", "/subject/0/digest/sha256",
                     "the subject digest is not the proof_id of predicate.body (SHA-256 of its canonical bytes)");
        else if (pr < 0)
            rc = prova__report_check(r, "intoto.record", false, "intoto_record", "/predicate",
                                     "the predicate does not hold a record prova knows: %s (%s)", e.message,
                                     e.reason) < 0
                     ? PROVA_ENOMEM
                     : 0;
        else
            described = true;
    }
    if (rc == 0 && described) {
        bool fam_ok = info.family == fam;
        rc = prova__report_check(r, "intoto.predicateType", fam_ok, fam_ok ? "ok" : "intoto_predicate_type",
                                 "/predicateType",
                                 fam_ok ? "the predicateType is the one of a %s record"
                                        : "the predicateType is not the one of a %s record",
                                 info.kind) < 0
                 ? PROVA_ENOMEM
                 : 0;
        if (rc == 0 && fam != PROVA_RECORD_PROOF) {
            bool kind_ok = prova_json_str_eq(prova_json_get(prova_json_get(st, "predicate"), "kind"), info.kind);
            rc = prova__report_check(r, "intoto.predicate.kind", kind_ok, kind_ok ? "ok" : "intoto_predicate_kind",
                                     "/predicate/kind", "predicate.kind %s the record's kind %s",
                                     kind_ok ? "is" : "is not", info.kind) < 0
                     ? PROVA_ENOMEM
                     : 0;
        }
        if (rc == 0) {
            const prova_json *subj = prova_json_get(st, "subject");
            bool found = false;
            for (size_t i = 0; !found && i < subj->len; i++)
                found = str_is(prova_json_get(prova_json_get(prova_json_at(subj, i), "digest"), info.digest_alg),
                               info.digest);
            rc = prova__report_check(r, "intoto.subject", found, found ? "ok" : "intoto_subject_digest", "/subject",
                                     found ? "a subject digest is the record's content address %s:%s"
                                           : "no subject digest is the record's content address %s:%s",
                                     info.digest_alg, info.digest) < 0
                     ? PROVA_ENOMEM
                     : 0;
        }
    }
    prova_doc_free(rdoc);
    /* The inner record goes back to the caller, which verifies it as `prova verify` would on its own (the
     * dispatcher is above this layer). */
    if (rc == 0 && fam) rc = prova_buf_append(ret_record, rec.data, rec.len);
    prova_buf_free(&rec);
    prova_doc_free(doc);
    return rc;
}

bool prova__dsse_detect(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_get(v, "payloadType") && prova_json_get(v, "payload") &&
           prova_json_get(v, "signatures");
}

int prova__dsse_verify_layers(const prova_json *env, const prova_dsse_verify_options *o, prova_report *r,
                              prova_buf *ret_record) {
    const char *why;
    char at[PROVA_POINTER_MAX];
    if (!envelope_schema(env, &why, at)) return chk(r, "dsse.schema", false, "dsse_schema", at, why);
    int rc = chk(r, "dsse.schema", true, "ok", "", "the envelope has payloadType, payload and signatures");
    const char *expected = o && o->payload_type ? o->payload_type : PROVA_DSSE_INTOTO_PAYLOAD_TYPE;
    const prova_json *pt = prova_json_get(env, "payloadType");
    bool pt_ok = str_is(pt, expected);
    if (rc == 0)
        rc = prova__report_check(r, "dsse.payloadType", pt_ok, pt_ok ? "ok" : "dsse_payload_type", "/payloadType",
                                 "payloadType %s \"%s\"", pt_ok ? "is" : "is not the expected", expected) < 0
                 ? PROVA_ENOMEM
                 : 0;
    prova_buf payload = PROVA_BUF_INIT, pae = PROVA_BUF_INIT;
    prova_error e;
    bool payload_ok = false;
    if (rc == 0) {
        const prova_json *p64 = prova_json_get(env, "payload");
        int dr = prova__buf_base64_decode(&payload, p64->u.str, p64->len, false, &e);
        if (dr == PROVA_ENOMEM)
            rc = dr;
        else if (dr < 0)
            rc = prova__report_check(r, "dsse.payload", false, "dsse_payload_base64", "/payload",
                                     "payload is not standard base64 with padding (offset %zu)", e.offset) < 0
                     ? PROVA_ENOMEM
                     : 0;
        else {
            payload_ok = true;
            rc = prova__report_check(r, "dsse.payload", true, "ok", "/payload", "payload is %zu bytes of base64",
                                     payload.len) < 0
                     ? PROVA_ENOMEM
                     : 0;
        }
    }
    /* SPEC (DSSE): the signatures are over PAE(the envelope's payloadType, the decoded payload). */
    if (rc == 0 && payload_ok) rc = prova_dsse_pae(pt->u.str, pt->len, payload.data, payload.len, &pae);
    if (rc == 0 && payload_ok) rc = verify_envelope_sigs(env, &pae, o, r);
    /* The Statement layer only for in-toto payloads: another payloadType carries something else. */
    if (rc == 0 && payload_ok && pt_ok && str_is(pt, PROVA_DSSE_INTOTO_PAYLOAD_TYPE))
        rc = verify_statement(&payload, r, ret_record);
    prova_buf_free(&payload);
    prova_buf_free(&pae);
    return rc;
}
