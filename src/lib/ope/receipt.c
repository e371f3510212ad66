/* OPE v1 receipts: build the starter gateway's signed, hash-linked receipt; verify one receipt or a chain.
 *
 * SPEC (odin.md §3.1, starter odin_core.receipts.build_receipt):
 *   core              = receipt without receipt_signature and receipt_hash
 *   receipt_signature = b64u(Ed25519(gateway_key, canonical_json(core)))
 *   receipt_hash      = sha256_hex(canonical_json(core))            (bare lowercase hex, no "sha256:" prefix)
 * The RFC (seed 003 §3) says "without the signature field" only, and the repository's own verifiers strip only
 * receipt_signature, so they reject every receipt the gateway emits. prova strips both members, which is what the
 * gateway actually hashed (it adds receipt_hash after hashing); see odin.md §3.1 "Verifier rule".
 *
 * Lite receipts (odin.md §3.2, odin-gateway-cloud-lite) carry receipt_hash = "sha256:" + sha256_hex(canonical_json(
 * receipt without receipt_hash)) and no signature. With no signature present, "without receipt_hash" and "without
 * receipt_signature and receipt_hash" are the same bytes, so one function yields the hashed bytes of both forms.
 * Lite chains are global (prev_receipt_hash links to the previous receipt of any trace) and every lite hop is 0,
 * so a lite chain is checked for linkage only: no same-trace rule and no hop == index rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ope_internal.h"

#define HEX_LEN         (2 * PROVA_SHA256_BYTES) /* 64 */
#define LITE_PREFIX     "sha256:"
#define LITE_PREFIX_LEN 7u

/* ---- Small helpers ------------------------------------------------------------------------------------------ */

static bool is_lower_hex(const char *s, size_t n) {
    return prova__is_hex(s, n, true);
}

/* "sha256:" + 64 lowercase hex. */
static bool is_cid(const char *s, size_t n) {
    return n == OPE_CID_LEN && memcmp(s, LITE_PREFIX, LITE_PREFIX_LEN) == 0 &&
           is_lower_hex(s + LITE_PREFIX_LEN, HEX_LEN);
}

/* The bytes a receipt's hash and signature cover: its ope canonical form without receipt_signature and
 * receipt_hash. The builder and the verifiers both call this (bytes signed = bytes verified). */
static int receipt_core_bytes(const prova_json *rc, prova_buf *out) {
    static const char *const skip[] = {"receipt_hash", "receipt_signature"};
    return prova__canon_without(rc, skip, 2, out);
}

/* ---- Building ------------------------------------------------------------------------------------------------ */

/* Checks the previous receipt given to prova_ope_receipt_build: same trace, integer hop, 64-hex receipt_hash. */
static bool prev_ok(const prova_json *prev, const char *trace_id, size_t trace_len, int64_t *ret_hop,
                    const prova_json **ret_hash) {
    if (!prova_json_is_object(prev)) return false;
    const prova_json *t = prova_json_get(prev, "trace_id");
    const prova_json *h = prova_json_get(prev, "receipt_hash");
    int64_t hop;
    if (!prova_json_is_string(t) || t->len != trace_len || memcmp(t->u.str, trace_id, trace_len) != 0) return false;
    if (!prova_json_is_int(prova_json_get(prev, "hop")) ||
        prova_json_get_int64(prova_json_get(prev, "hop"), &hop) < 0 || hop < 0 || hop == INT64_MAX)
        return false;
    if (!prova_json_is_string(h) || h->len != HEX_LEN || !is_lower_hex(h->u.str, h->len)) return false;
    *ret_hop = hop;
    *ret_hash = h;
    return true;
}

int prova_ope_receipt_build(const prova_key *gw, const prova_json *prev, const prova_ope_receipt_params *p,
                            prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!gw || !p || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (prova_key_alg(gw) != PROVA_SIG_ED25519 || !prova_key_is_private(gw))
        return prova__fail(reterr, PROVA_EKEY, "key_not_ed25519_private",
                           "OPE v1 receipts need an Ed25519 private key");
    if (!p->trace_id || !*p->trace_id || !prova_utf8_valid(p->trace_id, strlen(p->trace_id)))
        return prova__fail(reterr, PROVA_EINVAL, "trace_id_invalid", "trace_id must be a non-empty UTF-8 string");
    const char *created_at = p->created_at ? p->created_at : p->ts;
    int64_t t;
    if (!p->ts || prova_time_parse(p->ts, strlen(p->ts), &t) < 0)
        return prova__fail(reterr, PROVA_ESYNTAX, "ts_invalid", "ts must be an RFC 3339 timestamp with an offset");
    if (prova_time_parse(created_at, strlen(created_at), &t) < 0)
        return prova__fail(reterr, PROVA_ESYNTAX, "created_at_invalid",
                           "created_at must be an RFC 3339 timestamp with an offset");
    const char *normalized_cid = p->normalized_cid ? p->normalized_cid : p->request_cid;
    if (!p->request_cid || !is_cid(p->request_cid, strlen(p->request_cid)) ||
        !is_cid(normalized_cid, strlen(normalized_cid)))
        return prova__fail(reterr, PROVA_EINVAL, "cid_invalid",
                           "request_cid and normalized_cid must be \"sha256:\" and 64 lowercase hex digits");
    if (p->policy && !prova_json_is_object(p->policy))
        return prova__fail(reterr, PROVA_EINVAL, "policy_invalid", "policy must be a JSON object");
    if (!p->sft_id != !p->sft_version ||
        (p->sft_id && (!*p->sft_id || !*p->sft_version || !prova_utf8_valid(p->sft_id, strlen(p->sft_id)) ||
                       !prova_utf8_valid(p->sft_version, strlen(p->sft_version)))))
        return prova__fail(reterr, PROVA_EINVAL, "sft_invalid",
                           "sft_id and sft_version must both be non-empty UTF-8 strings, or both NULL");
    int64_t prev_hop = -1;
    const prova_json *prev_hash = NULL;
    if (prev && !prev_ok(prev, p->trace_id, strlen(p->trace_id), &prev_hop, &prev_hash))
        return prova__fail(reterr, PROVA_EINVAL, "receipt_prev_invalid",
                           "prev must be a receipt of the same trace_id with an integer hop and a 64-hex receipt_hash");

    /* The core, members in code point order: created_at, gateway_kid, hop, normalized_cid, policy, policy_engine,
     * prev_receipt_hash, request_cid, [sft,] trace_id, ts. (policy_engine is always null at the starter's HEAD; sft is
     * prova's: the transform that made normalized_cid, docs/transforms.md.) */
    const char *kid = prova_key_kid(gw);
    char hop[24];
    snprintf(hop, sizeof hop, "%lld", (long long)(prev_hop + 1));
    prova_buf core = PROVA_BUF_INIT;
    int r = prova__ope_put(&core, "{\"created_at\":");
    if (r == 0) r = prova__ope_put_str(&core, created_at, strlen(created_at));
    if (r == 0) r = prova__ope_put(&core, ",\"gateway_kid\":");
    if (r == 0) r = prova__ope_put_str(&core, kid, strlen(kid));
    if (r == 0) r = prova__ope_put(&core, ",\"hop\":");
    if (r == 0) r = prova__ope_put(&core, hop);
    if (r == 0) r = prova__ope_put(&core, ",\"normalized_cid\":");
    if (r == 0) r = prova__ope_put_str(&core, normalized_cid, strlen(normalized_cid));
    if (r == 0) r = prova__ope_put(&core, ",\"policy\":");
    if (r == 0)
        r = p->policy ? prova_canon_write(p->policy, PROVA_PROFILE_OPE, &core, reterr)
                      : prova__ope_put(&core, "{\"passed\":true,\"rules\":[]}");
    if (r == 0) r = prova__ope_put(&core, ",\"policy_engine\":null,\"prev_receipt_hash\":");
    if (r == 0)
        r = prev_hash ? prova__ope_put_str(&core, prev_hash->u.str, prev_hash->len) : prova__ope_put(&core, "null");
    size_t split = core.len; /* receipt_hash and receipt_signature go here, before request_cid */
    if (r == 0) r = prova__ope_put(&core, ",\"request_cid\":");
    if (r == 0) r = prova__ope_put_str(&core, p->request_cid, strlen(p->request_cid));
    if (r == 0 && p->sft_id) {
        r = prova__ope_put(&core, ",\"sft\":{\"id\":");
        if (r == 0) r = prova__ope_put_str(&core, p->sft_id, strlen(p->sft_id));
        if (r == 0) r = prova__ope_put(&core, ",\"version\":");
        if (r == 0) r = prova__ope_put_str(&core, p->sft_version, strlen(p->sft_version));
        if (r == 0) r = prova__ope_put(&core, "}");
    }
    if (r == 0) r = prova__ope_put(&core, ",\"trace_id\":");
    if (r == 0) r = prova__ope_put_str(&core, p->trace_id, strlen(p->trace_id));
    if (r == 0) r = prova__ope_put(&core, ",\"ts\":");
    if (r == 0) r = prova__ope_put_str(&core, p->ts, strlen(p->ts));
    if (r == 0) r = prova__ope_put(&core, "}");

    /* The core is written in ope canonical form member by member (names in code point order, every value through
     * the canonical writers), so it is the signed bytes as they are: what a verifier recomputes (receipt_core_bytes
     * of the receipt) is this text, and the receipt is this text with receipt_hash and receipt_signature spliced in
     * at their place. (It used to be parsed back, canonicalized again and written a third time: the same bytes;
     * tests/unit/test_ope_receipts.c checks both properties on receipts of every shape.) */
    char sig[OPE_SIG_B64_LEN + 1], hash[HEX_LEN + 1];
    if (r == 0) r = prova__ope_sign_b64(gw, core.data, core.len, sig);
    if (r == 0) {
        prova__sha256_hex(core.data, core.len, hash);
        size_t mark = out->len;
        r = prova_buf_reserve(out, core.len + HEX_LEN + OPE_SIG_B64_LEN + 48);
        if (r == 0) r = prova_buf_append(out, core.data, split);
        if (r == 0) r = prova__ope_put(out, ",\"receipt_hash\":");
        if (r == 0) r = prova__ope_put_str(out, hash, HEX_LEN);
        if (r == 0) r = prova__ope_put(out, ",\"receipt_signature\":");
        if (r == 0) r = prova__ope_put_str(out, sig, strlen(sig));
        if (r == 0) r = prova_buf_append(out, core.data + split, core.len - split);
        if (r < 0) out->len = mark;
    }
    prova_buf_free(&core);
    if (r < 0 && reterr && reterr->status == 0) prova__fail(reterr, r, prova_status_name(r), prova_status_message(r));
    return r;
}

/* ---- Verification ------------------------------------------------------------------------------------------- */

#define PTR_MAX   512
#define LABEL_MAX 48

/* at + "/" + name, truncated to fit (a pointer in a report is informative; truncation cannot overflow). */
static const char *ptr(char buf[PTR_MAX], const char *at, const char *name) {
    size_t n = 0;
    const char *parts[3] = {at, "/", name};
    for (size_t k = 0; k < 3; k++) {
        size_t l = strlen(parts[k]);
        if (l > PTR_MAX - 1 - n) l = PTR_MAX - 1 - n;
        memcpy(buf + n, parts[k], l);
        n += l;
    }
    buf[n] = '\0';
    return buf;
}

/* "receipt[N]" when the pointer ends in an array index, else "receipt". */
static void make_label(char buf[LABEL_MAX], const char *at) {
    const char *slash = strrchr(at, '/');
    const char *idx = slash ? slash + 1 : NULL;
    size_t n = idx ? strlen(idx) : 0;
    bool digits = n > 0 && n < 20;
    for (size_t i = 0; digits && i < n; i++) digits = idx[i] >= '0' && idx[i] <= '9';
    if (digits)
        snprintf(buf, LABEL_MAX, "receipt[%s]", idx);
    else
        snprintf(buf, LABEL_MAX, "receipt");
}

static const char *cname(char buf[LABEL_MAX + 16], const char *label, const char *what) {
    snprintf(buf, LABEL_MAX + 16, "%s.%s", label, what);
    return buf;
}

/* Why a receipt does not have the members its checks need, or NULL. */
static const char *schema_problem(const prova_json *rc, const char **ret_member) {
    *ret_member = "";
    if (!prova_json_is_object(rc)) return "a receipt must be a JSON object";
    const prova_json *trace = prova_json_get(rc, "trace_id");
    const prova_json *hopv = prova_json_get(rc, "hop");
    const prova_json *hash = prova_json_get(rc, "receipt_hash");
    const prova_json *sig = prova_json_get(rc, "receipt_signature");
    const prova_json *kid = prova_json_get(rc, "gateway_kid");
    const prova_json *prev = prova_json_get(rc, "prev_receipt_hash");
    int64_t hop;
    if (!prova_json_is_string(trace) || trace->len == 0) {
        *ret_member = "trace_id";
        return "trace_id must be a non-empty string";
    }
    if (!prova_json_is_int(hopv) || prova_json_get_int64(hopv, &hop) < 0 || hop < 0) {
        *ret_member = "hop";
        return "hop must be an integer >= 0";
    }
    *ret_member = "receipt_hash";
    if (!prova_json_is_string(hash)) return "receipt_hash must be a string";
    bool prefixed = hash->len >= LITE_PREFIX_LEN && memcmp(hash->u.str, LITE_PREFIX, LITE_PREFIX_LEN) == 0;
    if (prefixed ? !is_cid(hash->u.str, hash->len) : hash->len != HEX_LEN || !is_lower_hex(hash->u.str, hash->len))
        return "receipt_hash must be 64 lowercase hex digits (or \"sha256:\" and 64 hex digits in a lite receipt)";
    if (prefixed && sig)
        return "a signed receipt's receipt_hash is bare hex (only unsigned lite receipts use \"sha256:\")";
    if (!prefixed) {
        if (!prova_json_is_string(sig) || sig->len == 0) {
            *ret_member = "receipt_signature";
            return "receipt_signature must be a non-empty string";
        }
        if (!prova_json_is_string(kid) || kid->len == 0) {
            *ret_member = "gateway_kid";
            return "gateway_kid must be a non-empty string";
        }
    }
    if (!prev || !(prova_json_is_null(prev) || prova_json_is_string(prev))) {
        *ret_member = "prev_receipt_hash";
        return "prev_receipt_hash must be present, null or a string";
    }
    static const char *const strings[] = {"ts", "created_at", "request_cid", "normalized_cid"};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        const prova_json *v = prova_json_get(rc, strings[i]);
        if (v && !prova_json_is_string(v)) {
            *ret_member = strings[i];
            return "ts, created_at, request_cid and normalized_cid must be strings when present";
        }
    }
    return NULL;
}

/* Schema, hash and signature of one receipt. *ret_schema_ok tells the chain whether its own checks can run. */
static int verify_one(const prova_json *rc, const char *at, const prova_verify_options *o, prova_report *r,
                      bool *ret_schema_ok) {
    char label[LABEL_MAX], cn[LABEL_MAX + 16], pb[PTR_MAX];
    make_label(label, at);
    *ret_schema_ok = false;

    const char *member;
    const char *bad = schema_problem(rc, &member);
    if (bad) {
        prova__report_check(r, cname(cn, label, "schema"), false, "schema_error", member[0] ? ptr(pb, at, member) : at,
                            "%s", bad);
        return 0;
    }
    bool lite = prova__ope_is_lite(rc);
    prova__report_check(r, cname(cn, label, "schema"), true, NULL, at, "%s receipt with the members its checks need",
                        lite ? "unsigned lite" : "signed starter");
    *ret_schema_ok = true;

    /* Hash. */
    const prova_json *hash = prova_json_get(rc, "receipt_hash");
    const char *stated = hash->u.str + (lite ? LITE_PREFIX_LEN : 0);
    prova_buf core = PROVA_BUF_INIT;
    int rr = receipt_core_bytes(rc, &core);
    if (rr == PROVA_ENOMEM) {
        prova_buf_free(&core);
        return PROVA_ENOMEM;
    }
    if (rr < 0) {
        prova__report_check(r, cname(cn, label, "hash"), false, "schema_error", at,
                            "the receipt cannot be canonicalized (a number out of range?)");
        prova_buf_free(&core);
        return 0;
    }
    char mine[HEX_LEN + 1];
    prova__sha256_hex(core.data, core.len, mine);
    if (prova_ct_equal(mine, stated, HEX_LEN))
        prova__report_check(r, cname(cn, label, "hash"), true, NULL, ptr(pb, at, "receipt_hash"),
                            "receipt_hash is the SHA-256 of the canonical receipt without %s",
                            lite ? "receipt_hash" : "receipt_signature and receipt_hash");
    else
        prova__report_check(r, cname(cn, label, "hash"), false, "receipt_hash_mismatch", ptr(pb, at, "receipt_hash"),
                            "receipt_hash %.64s does not match the receipt, whose hash is %s", stated, mine);

    /* Signature. */
    if (lite) {
        prova__report_warn(r, "unsigned", at,
                           "lite receipt: no signature, so only its hash and its linkage are checked (anyone can "
                           "recompute them)");
    } else {
        const prova_json *kid = prova_json_get(rc, "gateway_kid");
        const prova_json *sig = prova_json_get(rc, "receipt_signature");
        const char *source = NULL;
        const prova_key *key = prova__ope_find_key(o, kid->u.str, &source);
        if (!key || strlen(kid->u.str) != kid->len) {
            char offered[PROVA__KEYSET_DESC_MAX];
            prova__report_check(r, cname(cn, label, "signature"), false, "kid_not_found", ptr(pb, at, "gateway_kid"),
                                "no trusted key has kid %.80s; %s", kid->u.str,
                                prova__keyset_describe(o ? o->keys : NULL, offered, sizeof offered));
        } else {
            int v = prova_key_alg(key) != PROVA_SIG_ED25519
                        ? PROVA_EVERIFY
                        : prova__ope_verify_b64(key, core.data, core.len, sig->u.str, sig->len);
            if (v == 0) {
                prova__report_check(r, cname(cn, label, "signature"), true, NULL, ptr(pb, at, "receipt_signature"),
                                    "Ed25519 signature over the canonical receipt verifies with %s", kid->u.str);
                prova_report_add_key(r, kid->u.str, source ? source : "");
            } else {
                prova__report_check(r, cname(cn, label, "signature"), false, "receipt_signature_invalid",
                                    ptr(pb, at, "receipt_signature"),
                                    v == PROVA_ESYNTAX ? "receipt_signature is not base64url"
                                    : prova_key_alg(key) != PROVA_SIG_ED25519
                                        ? "the key %.80s is not an Ed25519 key"
                                        : "the Ed25519 signature does not verify with %.80s",
                                    kid->u.str);
            }
        }
    }
    prova_buf_free(&core);
    return 0;
}

int prova__ope_verify_receipt(const prova_json *rc, const char *at, const prova_verify_options *o, prova_report *r) {
    bool schema_ok;
    if (!r) return PROVA_EINVAL;
    return verify_one(rc, at ? at : "", o, r, &schema_ok);
}

/* ---- Chains, one receipt at a time ---------------------------------------------------------------------------- */

void prova__ope_chain_init(ope_chain *c) {
    memset(c, 0, sizeof *c);
}

void prova__ope_chain_free(ope_chain *c) {
    free(c->trace0);
    free(c->prev);
    memset(c, 0, sizeof *c);
}

/* Remembers a string member (or its absence) beyond the life of the receipt's document. */
static int keep(char **dst, size_t *dst_len, bool *is_str, const prova_json *v) {
    free(*dst);
    *dst = NULL;
    *dst_len = 0;
    *is_str = prova_json_is_string(v);
    if (!*is_str) return 0;
    *dst = malloc(v->len + 1);
    if (!*dst) return PROVA_ENOMEM;
    memcpy(*dst, v->u.str, v->len + 1);
    *dst_len = v->len;
    return 0;
}

static bool same(const prova_json *v, const char *s, size_t n, bool is_str) {
    return is_str && prova_json_is_string(v) && v->len == n && memcmp(v->u.str, s, n) == 0;
}

int prova__ope_chain_seed(ope_chain *c, size_t count, const prova_json *first, const prova_json *last) {
    prova__ope_chain_init(c);
    c->count = count;
    c->lite = prova__ope_is_lite(first);
    int k = keep(&c->trace0, &c->trace0_len, &c->trace0_str, prova_json_get(first, "trace_id"));
    if (k == 0) k = keep(&c->prev, &c->prev_len, &c->prev_str, prova_json_get(last, "receipt_hash"));
    return k;
}

int prova__ope_chain_step(ope_chain *c, const prova_json *rc, const char *at, const prova_verify_options *o,
                          prova_report *r) {
    size_t i = c->count++;
    char rat[PTR_MAX], pb[PTR_MAX], label[LABEL_MAX], cn[LABEL_MAX + 16];
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    ptr(rat, at ? at : "", idx);
    make_label(label, rat);
    if (i == 0) {
        /* A chain is lite (global, unsigned) or signed (per trace) as a whole, judged from its first receipt. */
        c->lite = prova__ope_is_lite(rc);
        int k = keep(&c->trace0, &c->trace0_len, &c->trace0_str, prova_json_get(rc, "trace_id"));
        if (k < 0) return k;
    }
    bool schema_ok;
    int vr = verify_one(rc, rat, o, r, &schema_ok);
    if (vr < 0) return vr;
    const prova_json *hash = prova_json_get(rc, "receipt_hash");
    if (schema_ok && prova__ope_is_lite(rc) != c->lite) {
        prova__report_check(r, cname(cn, label, "schema"), false, "schema_error", ptr(pb, rat, "receipt_hash"),
                            "the chain mixes unsigned lite receipts and signed receipts");
        schema_ok = false;
    }
    if (schema_ok) {
        const prova_json *trace = prova_json_get(rc, "trace_id");
        if (!c->lite && i > 0) {
            if (same(trace, c->trace0, c->trace0_len, c->trace0_str))
                prova__report_check(r, cname(cn, label, "trace"), true, NULL, ptr(pb, rat, "trace_id"),
                                    "same trace_id as receipt 0");
            else
                prova__report_check(r, cname(cn, label, "trace"), false, "chain_broken", ptr(pb, rat, "trace_id"),
                                    "trace_id %.80s differs from the chain's %.80s", trace->u.str,
                                    c->trace0_str ? c->trace0 : "(none)");
        }
        if (!c->lite) {
            int64_t hop = -1;
            if (prova_json_get_int64(prova_json_get(rc, "hop"), &hop) == 0 && hop >= 0 && (uint64_t)hop == i)
                prova__report_check(r, cname(cn, label, "hop"), true, NULL, ptr(pb, rat, "hop"), "hop is %zu", i);
            else
                prova__report_check(r, cname(cn, label, "hop"), false, "hop_mismatch", ptr(pb, rat, "hop"),
                                    "hop is %lld at position %zu (a receipt dropped, duplicated or reordered?)",
                                    (long long)hop, i);
        }
        const prova_json *prev = prova_json_get(rc, "prev_receipt_hash");
        if (i == 0) {
            /* ope-lib accepts "" for the first receipt's prev_receipt_hash (odin.md §4.1). */
            if (prova_json_is_null(prev) || (prova_json_is_string(prev) && prev->len == 0))
                prova__report_check(r, cname(cn, label, "link"), true, NULL, ptr(pb, rat, "prev_receipt_hash"),
                                    "the first receipt has no predecessor");
            else
                prova__report_check(r, cname(cn, label, "link"), false, "chain_broken",
                                    ptr(pb, rat, "prev_receipt_hash"),
                                    "the first receipt links to %.80s: receipts before it are missing",
                                    prova_json_is_string(prev) ? prev->u.str : "?");
        } else if (same(prev, c->prev, c->prev_len, c->prev_str)) {
            prova__report_check(r, cname(cn, label, "link"), true, NULL, ptr(pb, rat, "prev_receipt_hash"),
                                "prev_receipt_hash is receipt %zu's receipt_hash", i - 1);
        } else {
            prova__report_check(r, cname(cn, label, "link"), false, "chain_broken", ptr(pb, rat, "prev_receipt_hash"),
                                "prev_receipt_hash %.80s is not receipt %zu's receipt_hash %.80s",
                                prova_json_is_string(prev) ? prev->u.str : "null", i - 1,
                                c->prev_str ? c->prev : "(none)");
        }
    }
    /* The next receipt must link to this one's hash, whatever else was wrong with this one. */
    return keep(&c->prev, &c->prev_len, &c->prev_str, hash);
}

int prova__ope_verify_chain(const prova_json *receipts, const char *at, const prova_verify_options *o,
                            prova_report *r) {
    if (!r) return PROVA_EINVAL;
    if (!at) at = "";
    if (!prova_json_is_array(receipts) || receipts->len == 0) {
        prova__report_check(r, "chain.schema", false, "schema_error", at, "a receipt chain must be a non-empty array");
        return 0;
    }
    ope_chain c;
    prova__ope_chain_init(&c);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < receipts->len; i++) {
        if (i == OPE_CHAIN_DETAIL) prova__report_quiet(r, true);
        rc = prova__ope_chain_step(&c, &receipts->u.items[i], at, o, r);
    }
    prova__report_quiet(r, false);
    if (rc == 0 && receipts->len > OPE_CHAIN_DETAIL) rc = prova__ope_chain_summary(&c, r);
    prova__ope_chain_free(&c);
    return rc;
}

int prova__ope_chain_summary(const ope_chain *c, prova_report *r) {
    size_t passed = prova__report_quiet_passed(r);
    return prova__report_check(r, "chain.summary", true, NULL, "",
                               "%zu receipts: beyond the first %d, the %zu checks that passed are counted here, not "
                               "listed (failures are always listed)",
                               c->count, OPE_CHAIN_DETAIL, passed);
}
