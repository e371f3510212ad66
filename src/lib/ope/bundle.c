/* OPE v1 export bundles: build and verify the starter gateway's form, the ope-lib form and the flat form of seed 003.
 *
 * SPEC (odin.md §4.2, starter GET /v1/receipts/export/{trace_id}):
 *   {"bundle":{"trace_id","exported_at","gateway_kid","receipts":[...],"chain_valid","count"},
 *    "bundle_cid": "sha256:" + sha256_hex(canonical_json(bundle)),           (the inner object only)
 *    "bundle_signature": b64u(Ed25519("{bundle_cid}|{trace_id}|{exported_at}"))}
 * The RFC (seed 003 §4) says "the entire bundle without bundle_signature" and its §7.3 example puts
 * "bundle_cid":"PENDING" inside; the gateway never does either, and prova follows the gateway.
 * chain_valid is the gateway's own linkage test: each receipt's prev_receipt_hash equals the previous receipt's
 * receipt_hash (the first receipt is not tested). A starter export also carries "transparency" (an inclusion proof
 * in the gateway's experimental log); prova does not produce it and does not check it yet (a warning says so).
 *
 * SPEC (odin.md §4.1, ope-lib build_bundle / sign_bundle / verify_bundle_or_raise):
 *   bundle = {"trace_id","exported_at","receipts"}; bundle_cid = compute_cid(bundle);
 *   signature = b64u(Ed25519("{bundle_cid}|{trace_id}|{exported_at}")), RETURNED DETACHED, with the kid passed
 *   separately to the verifier. prova's choice: one self-contained document,
 *     {"bundle":{...},"bundle_cid","kid","signature"}
 *   so that a bundle file can be verified alone; "bundle" is exactly ope-lib's dict, so bundle_cid and the signature
 *   are byte-identical to ope-lib's (basic_vector.json). "kid" is not covered by the signature (it only selects the
 *   key), and the report lists it as unauthenticated.
 *   ope-lib treats receipt hashes as opaque strings ({hop, receipt_hash, prev_receipt_hash}, e.g. "h0"): when every
 *   receipt of an ope-lib bundle is of that shape, prova checks what ope-lib checks (hop == index and linkage) and
 *   warns that the hashes were not recomputed; otherwise the receipts are verified as a full chain.
 *
 * SPEC (seed 003 §4, the flat form): {"trace_id","exported_at","receipts":[...],"bundle_cid","bundle_signature"}
 *   (optional "kid"); "bundle_cid = sha256: + sha256_hex(canonical JSON of the entire bundle without
 *   bundle_signature). (Implementations MUST verify which variant a peer uses; this spec fixes the meaning for v1.)"
 *   bundle_signature = Ed25519 over "{bundle_cid}|{trace_id}|{exported_at}".
 *   "Without bundle_signature" cannot include bundle_cid's own value (it would hash itself). What real peers do
 *   (odin.md §4): ope-lib hashes the dict before any cid is in it, the starter and lite never put bundle_cid inside
 *   what they hash; only the RFC's §7.3 example hashes a placeholder "bundle_cid":"PENDING". So prova verifies the
 *   cid under each plausible variant (flat_variants below) and says which one matched, and builds the first one:
 *   the bundle without bundle_signature and bundle_cid, with kid inside, so that every member prova writes is
 *   authenticated. Members that the matched variant leaves out of the cid and that the signing string does not
 *   carry (kid, when it was left out; anything else added) are listed as unauthenticated.
 *
 * exported_at freshness is not checked, in any form: bundles are archives, verified long after their export. Only
 * the signature binds exported_at (it is in the signed string and, for the nested forms and the flat form's bundle
 * variants, in the CID).
 */
#include <stdio.h>
#include <string.h>

#include "ope_internal.h"

#define LITE_PREFIX     "sha256:"
#define LITE_PREFIX_LEN 7u
#define PTR_MAX         512

/* The starter gateway's chain_valid (services/gateway/main.py export_chain): for every receipt after the first,
 * r.get("prev_receipt_hash") == previous.get("receipt_hash"), Python equality (absent == null). */
static bool starter_chain_valid(const prova_json *receipts) {
    for (size_t i = 1; i < prova_json_len(receipts); i++) {
        const prova_json *prev = prova_json_get(prova_json_at(receipts, i), "prev_receipt_hash");
        const prova_json *before = prova_json_get(prova_json_at(receipts, i - 1), "receipt_hash");
        bool prev_none = !prev || prova_json_is_null(prev), before_none = !before || prova_json_is_null(before);
        if (prev_none && before_none) continue;
        if (!prova__ope_str_same(prev, before)) return false;
    }
    return true;
}

/* ---- Building ------------------------------------------------------------------------------------------------ */

int prova_ope_bundle_build(const prova_key *gw, const char *trace_id, const char *exported_at,
                           const prova_json *receipts, prova_ope_bundle_form form, prova_buf *out,
                           prova_error *reterr) {
    prova_error_clear(reterr);
    if (!gw || !trace_id || !exported_at || !receipts || !out)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (form != PROVA_OPE_BUNDLE_STARTER && form != PROVA_OPE_BUNDLE_OPE_LIB && form != PROVA_OPE_BUNDLE_FLAT)
        return prova__fail(reterr, PROVA_EINVAL, "unknown_bundle_form", "unknown bundle form");
    if (prova_key_alg(gw) != PROVA_SIG_ED25519 || !prova_key_is_private(gw))
        return prova__fail(reterr, PROVA_EKEY, "key_not_ed25519_private", "OPE v1 bundles need an Ed25519 private key");
    size_t trace_len = strlen(trace_id), exported_len = strlen(exported_at);
    if (!trace_len || !prova_utf8_valid(trace_id, trace_len))
        return prova__fail(reterr, PROVA_EINVAL, "trace_id_invalid", "trace_id must be a non-empty UTF-8 string");
    int64_t t;
    if (prova_time_parse(exported_at, exported_len, &t) < 0)
        return prova__fail(reterr, PROVA_ESYNTAX, "exported_at_invalid",
                           "exported_at must be an RFC 3339 timestamp with an offset");
    if (!prova_json_is_array(receipts) || receipts->len == 0)
        return prova__fail(reterr, PROVA_EINVAL, "bundle_receipts_invalid", "receipts must be a non-empty JSON array");
    for (size_t i = 0; i < receipts->len; i++) {
        const prova_json *rc = &receipts->u.items[i];
        if (!prova_json_is_object(rc))
            return prova__fail(reterr, PROVA_EINVAL, "bundle_receipts_invalid", "every receipt must be a JSON object");
        /* One trace per bundle; lite receipts are exempt (their chain runs across traces). */
        const prova_json *rt = prova_json_get(rc, "trace_id");
        if (rt && !prova__ope_is_lite(rc) &&
            (!prova_json_is_string(rt) || rt->len != trace_len || memcmp(rt->u.str, trace_id, trace_len) != 0))
            return prova__fail(reterr, PROVA_EINVAL, "bundle_receipt_trace_mismatch",
                               "a receipt belongs to another trace than the bundle");
    }

    const char *kid = prova_key_kid(gw);
    prova_buf inner = PROVA_BUF_INIT;
    int r = 0;
    if (form == PROVA_OPE_BUNDLE_STARTER) {
        char count[24];
        snprintf(count, sizeof count, "%zu", (size_t)receipts->len);
        r = prova__ope_put(&inner, starter_chain_valid(receipts) ? "{\"chain_valid\":true" : "{\"chain_valid\":false");
        if (r == 0) r = prova__ope_put(&inner, ",\"count\":");
        if (r == 0) r = prova__ope_put(&inner, count);
        if (r == 0) r = prova__ope_put(&inner, ",\"exported_at\":");
        if (r == 0) r = prova__ope_put_str(&inner, exported_at, exported_len);
        if (r == 0) r = prova__ope_put(&inner, ",\"gateway_kid\":");
        if (r == 0) r = prova__ope_put_str(&inner, kid, strlen(kid));
    } else {
        r = prova__ope_put(&inner, "{\"exported_at\":");
        if (r == 0) r = prova__ope_put_str(&inner, exported_at, exported_len);
        if (form == PROVA_OPE_BUNDLE_FLAT) { /* inside what bundle_cid covers: authenticated */
            if (r == 0) r = prova__ope_put(&inner, ",\"kid\":");
            if (r == 0) r = prova__ope_put_str(&inner, kid, strlen(kid));
        }
    }
    if (r == 0) r = prova__ope_put(&inner, ",\"receipts\":");
    if (r == 0) r = prova_canon_write(receipts, PROVA_PROFILE_OPE, &inner, reterr);
    if (r == 0) r = prova__ope_put(&inner, ",\"trace_id\":");
    if (r == 0) r = prova__ope_put_str(&inner, trace_id, trace_len);
    if (r == 0) r = prova__ope_put(&inner, "}");

    /* bundle_cid from the parsed object through the verifier's function (bytes hashed = bytes verified). */
    prova_doc *doc = NULL;
    prova_parse_options po = {.max_depth = 100000}; /* the receipts were already accepted by the caller's parse */
    char cid[OPE_CID_LEN + 1], sig[OPE_SIG_B64_LEN + 1];
    prova_buf msg = PROVA_BUF_INIT;
    if (r == 0) r = prova_json_parse(inner.data, inner.len, &po, &doc, reterr);
    if (r == 0) r = prova__ope_cid(prova_doc_root(doc), cid, reterr);
    if (r == 0) r = prova_ope_signing_string(cid, strlen(cid), trace_id, trace_len, exported_at, exported_len, &msg);
    if (r == 0) r = prova__ope_sign_b64(gw, msg.data, msg.len, sig);
    if (r == 0 && form == PROVA_OPE_BUNDLE_FLAT) {
        /* {"bundle_cid","bundle_signature", then the hashed members}: code point order, as inner's are. */
        size_t mark = out->len;
        r = prova__ope_put(out, "{\"bundle_cid\":");
        if (r == 0) r = prova__ope_put_str(out, cid, strlen(cid));
        if (r == 0) r = prova__ope_put(out, ",\"bundle_signature\":");
        if (r == 0) r = prova__ope_put_str(out, sig, strlen(sig));
        if (r == 0) r = prova__ope_put(out, ",");
        if (r == 0) r = prova_buf_append(out, inner.data + 1, inner.len - 1);
        if (r < 0) out->len = mark;
    } else if (r == 0) {
        size_t mark = out->len;
        r = prova__ope_put(out, "{\"bundle\":");
        if (r == 0) r = prova_buf_append(out, inner.data, inner.len);
        if (r == 0) r = prova__ope_put(out, ",\"bundle_cid\":");
        if (r == 0) r = prova__ope_put_str(out, cid, strlen(cid));
        if (form == PROVA_OPE_BUNDLE_STARTER) {
            if (r == 0) r = prova__ope_put(out, ",\"bundle_signature\":");
            if (r == 0) r = prova__ope_put_str(out, sig, strlen(sig));
        } else {
            if (r == 0) r = prova__ope_put(out, ",\"kid\":");
            if (r == 0) r = prova__ope_put_str(out, kid, strlen(kid));
            if (r == 0) r = prova__ope_put(out, ",\"signature\":");
            if (r == 0) r = prova__ope_put_str(out, sig, strlen(sig));
        }
        if (r == 0) r = prova__ope_put(out, "}");
        if (r < 0) out->len = mark;
    }
    prova_doc_free(doc);
    prova_buf_free(&msg);
    prova_buf_free(&inner);
    if (r < 0 && reterr && reterr->status == 0) prova__fail(reterr, r, prova_status_name(r), prova_status_message(r));
    return r;
}

/* ---- Verification ------------------------------------------------------------------------------------------- */

/* An ope-lib ReceiptModel {hop, receipt_hash, prev_receipt_hash}: no signature and no lite "sha256:" hash, so
 * nothing in it can be recomputed. */
static bool is_opaque(const prova_json *rc) {
    return prova_json_is_object(rc) && !prova_json_get(rc, "receipt_signature") && !prova_json_get(rc, "gateway_kid") &&
           !prova__ope_is_lite(rc);
}

/* What ope-lib's verify_bundle_or_raise checks of receipts: members present, hop == index, linkage. */
static void verify_opaque_chain(const prova_json *receipts, const char *prefix, prova_report *r) {
    char at[PTR_MAX], pb[PTR_MAX], cn[64];
    for (size_t i = 0; i < receipts->len; i++) {
        const prova_json *rc = &receipts->u.items[i];
        snprintf(at, sizeof at, "%s/%zu", prefix, i);
        const prova_json *hopv = prova_json_get(rc, "hop");
        const prova_json *hash = prova_json_get(rc, "receipt_hash");
        const prova_json *prev = prova_json_get(rc, "prev_receipt_hash");
        snprintf(cn, sizeof cn, "receipt[%zu].schema", i);
        if (!hopv || !prova_json_is_string(hash) || !prev ||
            !(prova_json_is_null(prev) || prova_json_is_string(prev))) {
            prova__report_check(
                r, cn, false, "schema_error", at,
                "a receipt needs hop, receipt_hash (a string) and prev_receipt_hash (null or a string)");
            continue;
        }
        prova__report_check(r, cn, true, NULL, at, "ope-lib receipt (opaque hashes)");
        int64_t hop = -1;
        snprintf(cn, sizeof cn, "receipt[%zu].hop", i);
        snprintf(pb, sizeof pb, "%s/%zu/hop", prefix, i);
        if (prova_json_is_int(hopv) && prova_json_get_int64(hopv, &hop) == 0 && hop >= 0 && (uint64_t)hop == i)
            prova__report_check(r, cn, true, NULL, pb, "hop is %zu", i);
        else
            prova__report_check(r, cn, false, "hop_mismatch", pb,
                                "hop is not %zu (a receipt dropped, duplicated or "
                                "reordered?)",
                                i);
        snprintf(cn, sizeof cn, "receipt[%zu].link", i);
        snprintf(pb, sizeof pb, "%s/%zu/prev_receipt_hash", prefix, i);
        bool ok = i == 0 ? prova_json_is_null(prev) || prev->len == 0
                         : prova__ope_str_same(prev, prova_json_get(&receipts->u.items[i - 1], "receipt_hash"));
        if (ok)
            prova__report_check(r, cn, true, NULL, pb,
                                i == 0 ? "the first receipt has no predecessor"
                                       : "prev_receipt_hash is the previous receipt_hash");
        else
            prova__report_check(r, cn, false, "chain_broken", pb,
                                i == 0 ? "the first receipt links to a predecessor that is missing"
                                       : "prev_receipt_hash is not the previous receipt's receipt_hash");
    }
}

/* The receipts of a bundle whose members sit under `base` ("/bundle" or "" for the flat form): opaque ope-lib
 * receipts (when allowed and every receipt is one) for hop order and linkage, else a full chain; then that they
 * belong to the bundle's trace. 0 or PROVA_ENOMEM. */
static int verify_receipts(const prova_json *receipts, const prova_json *trace, const char *base, bool allow_opaque,
                           const prova_verify_options *o, prova_report *r) {
    char at[32]; /* base is "/bundle" or "" */
    snprintf(at, sizeof at, "%s/receipts", base);
    bool opaque = allow_opaque;
    for (size_t i = 0; opaque && i < receipts->len; i++) opaque = is_opaque(&receipts->u.items[i]);
    if (opaque) {
        verify_opaque_chain(receipts, at, r);
        prova__report_warn(r, "receipt_hashes_opaque", at,
                           "ope-lib receipts: hashes are opaque strings, so only hop order and linkage were checked "
                           "(the bundle signature covers them)");
        return 0;
    }
    int vr = prova__ope_verify_chain(receipts, at, o, r);
    if (vr < 0) return vr;
    /* The receipts belong to the bundle's trace (lite chains run across traces and are exempt). */
    const prova_json *first = &receipts->u.items[0];
    const prova_json *rt = prova_json_get(first, "trace_id");
    if (!prova__ope_is_lite(first) && prova_json_is_string(rt)) {
        char tat[48], rat[48];
        snprintf(tat, sizeof tat, "%s/trace_id", base);
        snprintf(rat, sizeof rat, "%s/receipts/0/trace_id", base);
        if (prova__ope_str_same(rt, trace))
            prova__report_check(r, "bundle.trace", true, NULL, tat, "the receipts belong to the bundle's trace");
        else
            prova__report_check(r, "bundle.trace", false, "chain_broken", rat,
                                "the receipts belong to trace %.80s, the bundle to %.80s", rt->u.str, trace->u.str);
    }
    return 0;
}

/* Why a bundle document lacks what its checks need, or NULL; *ret_at names the member. */
static const char *schema_problem(const prova_json *doc, bool starter, const char **ret_at) {
    const prova_json *bundle = prova_json_get(doc, "bundle");
    const prova_json *trace = prova_json_get(bundle, "trace_id");
    const prova_json *receipts = prova_json_get(bundle, "receipts");
    const prova_json *sig = prova_json_get(doc, starter ? "bundle_signature" : "signature");
    const prova_json *kid = starter ? prova_json_get(bundle, "gateway_kid") : prova_json_get(doc, "kid");
    *ret_at = "";
    if (!prova_json_is_object(doc)) return "a bundle must be a JSON object";
    if (!sig) return "no bundle_signature (starter) or signature (ope-lib) member";
    *ret_at = "/bundle";
    if (!prova_json_is_object(bundle)) return "bundle must be an object";
    *ret_at = "/bundle/trace_id";
    if (!prova_json_is_string(trace) || trace->len == 0) return "bundle.trace_id must be a non-empty string";
    *ret_at = "/bundle/exported_at";
    if (!prova_json_is_string(prova_json_get(bundle, "exported_at"))) return "bundle.exported_at must be a string";
    *ret_at = "/bundle/receipts";
    if (!prova_json_is_array(receipts) || receipts->len == 0) return "bundle.receipts must be a non-empty array";
    *ret_at = "/bundle_cid";
    if (!prova_json_is_string(prova_json_get(doc, "bundle_cid"))) return "bundle_cid must be a string";
    *ret_at = starter ? "/bundle_signature" : "/signature";
    if (!prova_json_is_string(sig) || sig->len == 0) return "the signature must be a non-empty string";
    *ret_at = starter ? "/bundle/gateway_kid" : "/kid";
    if (starter && !kid) return "bundle.gateway_kid is missing";
    if (kid && (!prova_json_is_string(kid) || kid->len == 0)) return "the kid must be a non-empty string";
    if (!starter) return NULL; /* an absent kid is reported by the signature check */
    *ret_at = "/bundle/chain_valid";
    if (!prova_json_is_bool(prova_json_get(bundle, "chain_valid"))) return "bundle.chain_valid must be a boolean";
    *ret_at = "/bundle/count";
    if (!prova_json_is_int(prova_json_get(bundle, "count"))) return "bundle.count must be an integer";
    return NULL;
}

/* ---- The flat form (seed 003 §4) ------------------------------------------------------------------------------ */

/* What a peer may have hashed into bundle_cid (see the header comment). The first is prova's (PROVA_OPE_BUNDLE_FLAT)
 * and ope-lib's compute_cid(bundle); names are stable: the report quotes them. */
typedef struct flat_variant {
    const char *name;
    const char *what;   /* the object hashed, for the report */
    bool pending;       /* "bundle_cid":"PENDING" in place of the cid (seed 003 §7.3) */
    bool kid;           /* kid inside the hashed object (when the bundle has one) */
    bool receipts_only; /* the receipts array alone (the other reading that seed 003 §4 names) */
} flat_variant;

static const flat_variant flat_variants[] = {
    {"without_cid", "the bundle without bundle_signature and bundle_cid", false, true, false},
    {"without_cid_and_kid", "the bundle without bundle_signature, bundle_cid and kid", false, false, false},
    {"pending_cid", "the bundle without bundle_signature, with \"bundle_cid\":\"PENDING\"", true, true, false},
    {"pending_cid_without_kid", "the bundle without bundle_signature and kid, with \"bundle_cid\":\"PENDING\"", true,
     false, false},
    {"receipts_only", "the receipts array alone", false, false, true},
};
#define FLAT_VARIANTS (sizeof flat_variants / sizeof flat_variants[0])

/* A flat bundle: an object with the members of seed 003 §4 at the top (no "bundle" object). */
bool prova__ope_is_flat_bundle(const prova_json *v) {
    return prova_json_is_object(v) && !prova_json_get(v, "bundle") && prova_json_get(v, "bundle_cid") &&
           prova_json_is_array(prova_json_get(v, "receipts"));
}

/* The CID of what variant f hashes of the flat bundle doc. 0, PROVA_ENOMEM or a canon error. */
static int flat_cid(const prova_json *doc, const flat_variant *f, char cid[OPE_CID_LEN + 1]) {
    if (f->receipts_only) return prova__ope_cid(prova_json_get(doc, "receipts"), cid, NULL);
    prova_buf b = PROVA_BUF_INIT;
    int r = prova_buf_append(&b, "{", 1);
    bool first = true;
    /* A parsed document's members are in code point order already; "bundle_cid" keeps its place as "PENDING". */
    for (size_t i = 0; r == 0 && i < doc->len; i++) {
        const prova_json_member *m = &doc->u.members[i];
        bool cidm = prova_json_str_eq(&m->key, "bundle_cid");
        if (prova_json_str_eq(&m->key, "bundle_signature") || (cidm && !f->pending) ||
            (!f->kid && prova_json_str_eq(&m->key, "kid")))
            continue;
        if (!first) r = prova_buf_append(&b, ",", 1);
        first = false;
        if (r == 0) r = prova_canon_write_string(m->key.u.str, m->key.len, PROVA_PROFILE_OPE, &b);
        if (r == 0) r = prova_buf_append(&b, ":", 1);
        if (r == 0 && cidm)
            r = prova__ope_put(&b, "\"PENDING\"");
        else if (r == 0)
            r = prova_canon_write(&m->value, PROVA_PROFILE_OPE, &b, NULL);
    }
    if (r == 0) r = prova_buf_append(&b, "}", 1);
    if (r == 0) prova__ope_cid_bytes(b.data, b.len, cid);
    prova_buf_free(&b);
    return r;
}

/* Why a flat bundle lacks what its checks need, or NULL; *ret_at names the member. */
static const char *flat_schema_problem(const prova_json *doc, const char **ret_at) {
    const prova_json *trace = prova_json_get(doc, "trace_id"), *receipts = prova_json_get(doc, "receipts");
    const prova_json *sig = prova_json_get(doc, "bundle_signature"), *kid = prova_json_get(doc, "kid");
    *ret_at = "/trace_id";
    if (!prova_json_is_string(trace) || trace->len == 0) return "trace_id must be a non-empty string";
    *ret_at = "/exported_at";
    if (!prova_json_is_string(prova_json_get(doc, "exported_at"))) return "exported_at must be a string";
    *ret_at = "/receipts";
    if (!prova_json_is_array(receipts) || receipts->len == 0) return "receipts must be a non-empty array";
    *ret_at = "/bundle_cid";
    if (!prova_json_is_string(prova_json_get(doc, "bundle_cid"))) return "bundle_cid must be a string";
    *ret_at = "/bundle_signature";
    if (!prova_json_is_string(sig) || sig->len == 0) return "bundle_signature must be a non-empty string";
    *ret_at = "/kid";
    if (kid && (!prova_json_is_string(kid) || kid->len == 0 || strlen(kid->u.str) != kid->len))
        return "kid must be a non-empty string";
    return NULL;
}

/* The signature over "{bundle_cid}|{trace_id}|{exported_at}": by the trusted key named by kid, or, without a kid,
 * by any trusted key (each tried; the report names the one that verified). */
static int flat_signature(const prova_json *doc, const prova_verify_options *o, prova_report *r) {
    const prova_json *cidv = prova_json_get(doc, "bundle_cid"), *sig = prova_json_get(doc, "bundle_signature");
    const prova_json *trace = prova_json_get(doc, "trace_id"), *exported = prova_json_get(doc, "exported_at");
    const prova_json *kid = prova_json_get(doc, "kid");
    prova_buf msg = PROVA_BUF_INIT;
    int mr = prova_ope_signing_string(cidv->u.str, cidv->len, trace->u.str, trace->len, exported->u.str, exported->len,
                                      &msg);
    if (mr < 0) {
        prova_buf_free(&msg);
        return mr;
    }
    const prova_key *key = NULL;
    const char *source = NULL;
    int v = PROVA_EVERIFY;
    size_t tried = 0;
    if (kid) {
        key = prova__ope_find_key(o, kid->u.str, &source);
        if (key)
            v = prova_key_alg(key) != PROVA_SIG_ED25519
                    ? PROVA_EVERIFY
                    : prova__ope_verify_b64(key, msg.data, msg.len, sig->u.str, sig->len);
    } else {
        const prova_key *k;
        const char *src;
        for (size_t i = 0; v != 0 && v != PROVA_ESYNTAX && o && (k = prova__keyset_at(o->keys, i, &src)); i++) {
            if (prova_key_alg(k) != PROVA_SIG_ED25519) continue;
            tried++;
            v = prova__ope_verify_b64(k, msg.data, msg.len, sig->u.str, sig->len);
            if (v == 0) {
                key = k;
                source = src;
            }
        }
    }
    prova_buf_free(&msg);
    const char *at = "/bundle_signature";
    if (kid && !key)
        return prova__report_check(r, "bundle.signature", false, "kid_not_found", "/kid",
                                   "no trusted key has kid %.80s", kid->u.str);
    if (!kid && !tried && v != 0)
        return prova__report_check(r, "bundle.signature", false, "kid_not_found", "",
                                   "the bundle names no kid and no trusted Ed25519 key was given");
    if (v == PROVA_ESYNTAX)
        return prova__report_check(r, "bundle.signature", false, "bundle_signature_invalid", at,
                                   "the signature is not base64url");
    if (v != 0)
        return kid ? prova__report_check(r, "bundle.signature", false, "bundle_signature_invalid", at,
                                         "the Ed25519 signature does not verify with %.80s", kid->u.str)
                   : prova__report_check(r, "bundle.signature", false, "bundle_signature_invalid", at,
                                         "the Ed25519 signature verifies with none of the %zu trusted keys (the "
                                         "bundle names no kid)",
                                         tried);
    const char *name = prova_key_kid(key);
    int rc = prova__report_check(r, "bundle.signature", true, NULL, at,
                                 "Ed25519 signature over bundle_cid|trace_id|exported_at verifies with %.80s%s", name,
                                 kid ? "" : " (the bundle names no kid: found among the trusted keys)");
    if (rc == 0) rc = prova_report_add_key(r, name, source ? source : "");
    return rc;
}

static int verify_flat(const prova_json *doc, const prova_verify_options *o, prova_report *r) {
    const char *bad_at = "";
    const char *bad = flat_schema_problem(doc, &bad_at);
    if (bad) return prova__report_check(r, "bundle.schema", false, "schema_error", bad_at, "%s (flat form)", bad);
    int rc = prova__report_check(r, "bundle.schema", true, NULL, "", "flat export bundle (seed 003, section 4)");

    /* bundle_cid, under each variant; the first that matches says what the peer hashed. */
    const prova_json *cidv = prova_json_get(doc, "bundle_cid"), *kid = prova_json_get(doc, "kid");
    const flat_variant *matched = NULL;
    char cid[OPE_CID_LEN + 1], first_cid[OPE_CID_LEN + 1] = "";
    for (size_t i = 0; rc == 0 && !matched && i < FLAT_VARIANTS; i++) {
        const flat_variant *f = &flat_variants[i];
        if (!kid && !f->kid && !f->receipts_only) continue; /* the same bytes as the variant before */
        int cr = flat_cid(doc, f, cid);
        if (cr == PROVA_ENOMEM) return cr;
        if (cr < 0) {
            rc = prova__report_check(r, "bundle.cid", false, "schema_error", "", "the bundle cannot be canonicalized");
            break;
        }
        if (!first_cid[0]) memcpy(first_cid, cid, sizeof cid);
        if (prova_json_str_eq(cidv, cid)) matched = f;
    }
    if (rc == 0 && matched)
        rc = prova__report_check(r, "bundle.cid", true, NULL, "/bundle_cid",
                                 "bundle_cid is the CID of %s (cid variant %s)", matched->what, matched->name);
    else if (rc == 0 && first_cid[0])
        rc = prova__report_check(r, "bundle.cid", false, "bundle_cid_mismatch", "/bundle_cid",
                                 "bundle_cid %.80s matches no variant of the bundle (%s is the CID of %s; the "
                                 "variants without kid, with \"bundle_cid\":\"PENDING\" and of the receipts alone "
                                 "were tried too)",
                                 cidv->u.str, first_cid, flat_variants[0].what);
    if (rc < 0) return rc;

    rc = flat_signature(doc, o, r);
    if (rc == 0) rc = verify_receipts(prova_json_get(doc, "receipts"), prova_json_get(doc, "trace_id"), "", true, o, r);

    /* Members neither in the cid (as the matched variant hashed it; prova's variant when none matched) nor in the
     * signed string. */
    const flat_variant *f = matched ? matched : &flat_variants[0];
    size_t unauth = 0;
    for (size_t i = 0; rc == 0 && i < doc->len; i++) {
        const prova_json *k = &doc->u.members[i].key;
        bool is_kid = prova_json_str_eq(k, "kid");
        if (prova_json_str_eq(k, "bundle_cid") || prova_json_str_eq(k, "bundle_signature") ||
            prova_json_str_eq(k, "trace_id") || prova_json_str_eq(k, "exported_at") || prova_json_str_eq(k, "receipts"))
            continue;
        if (!f->receipts_only && (f->kid || !is_kid)) continue;
        rc = prova_report_add_unauthenticated(r, k->u.str); /* a member name, as for the other OPE kinds */
        unauth++;
    }
    if (rc == 0 && unauth)
        rc = prova__report_warn(r, "unauthenticated_fields", "",
                                "%zu member(s) of the bundle are neither in what bundle_cid covers (cid variant %s) "
                                "nor in the signed string; see unauthenticated_fields",
                                unauth, f->name);
    return rc;
}

int prova__ope_verify_bundle(const prova_json *doc, const prova_verify_options *o, prova_report *r) {
    if (!r) return PROVA_EINVAL;
    if (prova__ope_is_flat_bundle(doc)) return verify_flat(doc, o, r);
    const prova_json *bundle = prova_json_get(doc, "bundle");
    const prova_json *cidv = prova_json_get(doc, "bundle_cid");
    bool starter = prova_json_get(doc, "bundle_signature") != NULL;
    const char *sig_name = starter ? "bundle_signature" : "signature";
    const prova_json *sig = prova_json_get(doc, sig_name);
    const prova_json *trace = prova_json_get(bundle, "trace_id");
    const prova_json *exported = prova_json_get(bundle, "exported_at");
    const prova_json *receipts = prova_json_get(bundle, "receipts");
    const prova_json *kid = starter ? prova_json_get(bundle, "gateway_kid") : prova_json_get(doc, "kid");
    const char *kid_at = starter ? "/bundle/gateway_kid" : "/kid";
    const char *form = starter ? "starter" : "ope-lib";
    char pb[PTR_MAX];

    /* Schema. */
    const char *bad_at = "";
    const char *bad = schema_problem(doc, starter, &bad_at);
    if (bad) {
        prova__report_check(r, "bundle.schema", false, "schema_error", bad_at, "%s (%s form)", bad, form);
        return 0;
    }
    prova__report_check(r, "bundle.schema", true, NULL, "", "%s export bundle with the members its checks need", form);

    /* bundle_cid over the inner bundle object. */
    char cid[OPE_CID_LEN + 1];
    prova_error ce = {0};
    int cr = prova__ope_cid(bundle, cid, &ce);
    if (cr == PROVA_ENOMEM) return cr;
    if (cr < 0)
        prova__report_check(r, "bundle.cid", false, "schema_error", "/bundle", "the bundle cannot be canonicalized: %s",
                            ce.message ? ce.message : "error");
    else if (prova_json_str_eq(cidv, cid))
        prova__report_check(r, "bundle.cid", true, NULL, "/bundle_cid",
                            "bundle_cid is the CID of the canonical bundle");
    else
        prova__report_check(r, "bundle.cid", false, "bundle_cid_mismatch", "/bundle_cid",
                            "bundle_cid %.80s does not match the bundle, whose CID is %s", cidv->u.str, cid);

    /* Signature over "{bundle_cid}|{trace_id}|{exported_at}" as stated. */
    const char *source = NULL;
    const prova_key *key = kid && strlen(kid->u.str) == kid->len ? prova__ope_find_key(o, kid->u.str, &source) : NULL;
    snprintf(pb, sizeof pb, "/%s", sig_name);
    if (!key) {
        char offered[PROVA__KEYSET_DESC_MAX];
        prova__report_check(r, "bundle.signature", false, "kid_not_found", kid_at, "no trusted key has kid %.80s; %s",
                            kid ? kid->u.str : "(none: an ope-lib bundle needs a \"kid\" beside its signature)",
                            prova__keyset_describe(o ? o->keys : NULL, offered, sizeof offered));
    } else {
        prova_buf msg = PROVA_BUF_INIT;
        int mr = prova_ope_signing_string(cidv->u.str, cidv->len, trace->u.str, trace->len, exported->u.str,
                                          exported->len, &msg);
        if (mr < 0) {
            prova_buf_free(&msg);
            return mr;
        }
        int v = prova_key_alg(key) != PROVA_SIG_ED25519
                    ? PROVA_EVERIFY
                    : prova__ope_verify_b64(key, msg.data, msg.len, sig->u.str, sig->len);
        prova_buf_free(&msg);
        if (v == 0) {
            prova__report_check(r, "bundle.signature", true, NULL, pb,
                                "Ed25519 signature over bundle_cid|trace_id|exported_at verifies with %.80s",
                                kid->u.str);
            prova_report_add_key(r, kid->u.str, source ? source : "");
        } else {
            prova__report_check(r, "bundle.signature", false, "bundle_signature_invalid", pb,
                                v == PROVA_ESYNTAX ? "the signature is not base64url"
                                                   : "the Ed25519 signature does not verify with %.80s",
                                kid->u.str);
        }
    }

    /* The receipts. */
    int vr = verify_receipts(receipts, trace, "/bundle", !starter, o, r);
    if (vr < 0) return vr;

    if (starter) {
        int64_t count = -1;
        if (prova_json_get_int64(prova_json_get(bundle, "count"), &count) == 0 && count >= 0 &&
            (uint64_t)count == receipts->len)
            prova__report_check(r, "bundle.count", true, NULL, "/bundle/count", "count is %zu", (size_t)receipts->len);
        else
            prova__report_check(r, "bundle.count", false, "schema_error", "/bundle/count",
                                "count is not the number of receipts (%zu)", (size_t)receipts->len);
        bool stated = prova_json_typeof(prova_json_get(bundle, "chain_valid")) == PROVA_JSON_TRUE;
        bool actual = starter_chain_valid(receipts);
        if (stated && actual)
            prova__report_check(r, "bundle.chain_valid", true, NULL, "/bundle/chain_valid",
                                "chain_valid is true and the linkage agrees");
        else
            prova__report_check(r, "bundle.chain_valid", false, "chain_broken", "/bundle/chain_valid",
                                stated ? "chain_valid is true but the receipts do not link"
                                       : "the exporter reported a broken chain (chain_valid false)");
    }

    /* Members outside what bundle_cid and the signature cover. */
    size_t unauth = 0;
    for (size_t i = 0; i < doc->len; i++) {
        const char *name = doc->u.members[i].key.u.str;
        if (strcmp(name, "bundle") == 0 || strcmp(name, "bundle_cid") == 0 || strcmp(name, sig_name) == 0) continue;
        if (strcmp(name, "transparency") == 0)
            prova__report_warn(r, "transparency_not_checked", "/transparency",
                               "the transparency inclusion proof is not checked");
        prova_report_add_unauthenticated(r, name);
        unauth++;
    }
    if (unauth)
        prova__report_warn(
            r, "unauthenticated_fields", "",
            "%zu member(s) beside the bundle are not covered by its signature; see unauthenticated_fields", unauth);
    return 0;
}
