/* OPE v1 envelopes: pack in three dialects, verify any of them into the unified report.
 *
 * SPEC (seed 003 §2): signing string "{cid}|{trace_id}|{ts}", Ed25519, base64url without padding. Nothing else is
 * signed, so every other member is unauthenticated; prova's opt-in "sig_scope":"envelope" signs the canonical
 * envelope without "sig" instead (docs/ope.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ope_internal.h"

static const char *const dialect_names[] = {"prova", "ope-lib", "starter"};

const char *prova_ope_dialect_name(prova_ope_dialect d) {
    return (unsigned)d < sizeof dialect_names / sizeof *dialect_names ? dialect_names[d] : "unknown";
}

int prova_ope_dialect_lookup(const char *name, prova_ope_dialect *ret) {
    if (!name || !ret) return PROVA_EINVAL;
    for (unsigned i = 0; i < sizeof dialect_names / sizeof *dialect_names; i++) {
        if (strcmp(name, dialect_names[i]) == 0) {
            *ret = (prova_ope_dialect)i;
            return 0;
        }
    }
    return PROVA_EUNSUPPORTED;
}

/* ---- Writing an object from named members ------------------------------------------------------------------ */

typedef enum { M_STR, M_RAW, M_VALUE } mkind;

typedef struct member {
    const char *name;
    mkind kind;
    const char *s;       /* M_STR: a string; M_RAW: JSON text written as is */
    const prova_json *v; /* M_VALUE */
} member;

static int cmp_member(const void *a, const void *b) {
    return strcmp(((const member *)a)->name, ((const member *)b)->name);
}

/* Appends {"name":value,...} with members in code point order (names are ASCII). */
static int write_object(member *m, size_t n, prova_buf *out) {
    qsort(m, n, sizeof *m, cmp_member);
    int r = prova_buf_append(out, "{", 1);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i) r = prova_buf_append(out, ",", 1);
        if (r == 0) r = prova_canon_write_string(m[i].name, strlen(m[i].name), PROVA_PROFILE_OPE, out);
        if (r == 0) r = prova_buf_append(out, ":", 1);
        if (r) break;
        switch (m[i].kind) {
        case M_STR:
            r = prova_canon_write_string(m[i].s, strlen(m[i].s), PROVA_PROFILE_OPE, out);
            break;
        case M_RAW:
            r = prova_buf_append(out, m[i].s, strlen(m[i].s));
            break;
        case M_VALUE:
            r = prova_canon_write(m[i].v, PROVA_PROFILE_OPE, out, NULL);
            break;
        }
    }
    if (r == 0) r = prova_buf_append(out, "}", 1);
    return r;
}

/* The starter gateway hashes payloads with ensure_ascii=True: the ophamin string rules (odin.md §1.1). */
static int cid_ascii(const prova_json *payload, char out[OPE_CID_LEN + 1], prova_error *err) {
    prova_buf b = PROVA_BUF_INIT;
    int r = prova_canon_write(payload, PROVA_PROFILE_OPHAMIN, &b, err);
    if (r == 0) prova__ope_cid_bytes(b.data, b.len, out);
    prova_buf_free(&b);
    return r;
}

int prova_ope_envelope_pack(const prova_key *key, const prova_json *payload, const prova_ope_envelope_params *p,
                            prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!key || !payload || !p || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!prova_json_is_object(payload))
        return prova__fail(reterr, PROVA_EINVAL, "payload_not_object", "the payload must be a JSON object");
    if (!p->payload_type || !p->target_type || !*p->payload_type || !*p->target_type)
        return prova__fail(reterr, PROVA_EINVAL, "missing_type", "payload_type and target_type are required");
    if ((unsigned)p->dialect > PROVA_OPE_DIALECT_STARTER)
        return prova__fail(reterr, PROVA_EINVAL, "unknown_dialect", "unknown envelope dialect");
    if (p->bind && p->dialect != PROVA_OPE_DIALECT_PROVA)
        return prova__fail(reterr, PROVA_EINVAL, "bind_needs_prova_dialect",
                           "a bound signature exists only in the prova dialect (the others would not verify it)");
    if (prova_key_alg(key) != PROVA_SIG_ED25519 || !prova_key_is_private(key))
        return prova__fail(reterr, PROVA_EKEY, "key_not_ed25519_private",
                           "OPE v1 envelopes need an Ed25519 private key");
    int64_t t;
    if (!p->ts || prova_time_parse(p->ts, strlen(p->ts), &t) < 0)
        return prova__fail(reterr, PROVA_ESYNTAX, "ts_invalid", "ts must be an RFC 3339 timestamp with an offset");
    if ((p->not_before && prova_time_parse(p->not_before, strlen(p->not_before), &t) < 0) ||
        (p->expires_at && prova_time_parse(p->expires_at, strlen(p->expires_at), &t) < 0))
        return prova__fail(reterr, PROVA_ESYNTAX, "time_invalid", "not_before/expires_at must be RFC 3339 timestamps");
    char trace[37];
    const char *trace_id = p->trace_id;
    if (!trace_id || !*trace_id) {
        prova_uuid_v4(trace);
        trace_id = trace;
    }

    char cid[OPE_CID_LEN + 1];
    int r = p->dialect == PROVA_OPE_DIALECT_STARTER ? cid_ascii(payload, cid, reterr)
                                                    : prova__ope_cid(payload, cid, reterr);
    if (r < 0) return r;

    member m[16];
    size_t n = 0;
    m[n++] = (member){"cid", M_STR, cid, NULL};
    m[n++] = (member){"payload", M_VALUE, NULL, payload};
    m[n++] = (member){"payload_type", M_STR, p->payload_type, NULL};
    m[n++] = (member){"target_type", M_STR, p->target_type, NULL};
    m[n++] = (member){"trace_id", M_STR, trace_id, NULL};
    m[n++] = (member){"ts", M_STR, p->ts, NULL};
    if (p->not_before) m[n++] = (member){"not_before", M_STR, p->not_before, NULL};
    if (p->expires_at) m[n++] = (member){"expires_at", M_STR, p->expires_at, NULL};

    prova_buf msg = PROVA_BUF_INIT;
    prova_buf jwk = PROVA_BUF_INIT;
    char sig[OPE_SIG_B64_LEN + 1];
    const char *kid = prova_key_kid(key);
    switch (p->dialect) {
    case PROVA_OPE_DIALECT_PROVA:
        m[n++] = (member){"version", M_RAW, "1", NULL};
        m[n++] = (member){"kid", M_STR, kid, NULL};
        m[n++] = (member){"sig_alg", M_STR, "ed25519", NULL};
        if (p->bind) {
            /* SPEC (prova): the signature covers the canonical envelope without "sig". */
            m[n++] = (member){"sig_scope", M_STR, "envelope", NULL};
            r = write_object(m, n, &msg);
        }
        break;
    case PROVA_OPE_DIALECT_OPE_LIB:
        m[n++] = (member){"kid", M_STR, kid, NULL};
        break;
    case PROVA_OPE_DIALECT_STARTER:
        /* The starter requires sender{kid, jwk|jwks_uri}; the JWK travels with the envelope (verifiers must pin it). */
        r = prova_buf_append(&jwk, "{\"jwk\":", 7);
        if (r == 0) r = prova_key_to_jwk(key, false, &jwk);
        if (r == 0) r = prova_buf_append(&jwk, ",\"kid\":", 7);
        if (r == 0) r = prova_canon_write_string(kid, strlen(kid), PROVA_PROFILE_OPE, &jwk);
        if (r == 0) r = prova_buf_append(&jwk, "}", 1);
        if (r == 0) r = prova_buf_append(&jwk, "", 1); /* NUL-terminate: M_RAW is a C string */
        if (r == 0) m[n++] = (member){"sender", M_RAW, (const char *)jwk.data, NULL};
        break;
    }
    if (r == 0 && !p->bind) {
        r = prova_ope_signing_string(cid, strlen(cid), trace_id, strlen(trace_id), p->ts, strlen(p->ts), &msg);
    }
    if (r == 0) r = prova__ope_sign_b64(key, msg.data, msg.len, sig);
    if (r == 0) {
        const char *sig_name = p->dialect == PROVA_OPE_DIALECT_PROVA     ? "sig"
                               : p->dialect == PROVA_OPE_DIALECT_OPE_LIB ? "sender_sig"
                                                                         : "signature";
        m[n++] = (member){sig_name, M_STR, sig, NULL};
        size_t mark = out->len;
        r = write_object(m, n, out);
        if (r < 0) out->len = mark;
    }
    prova_buf_free(&msg);
    prova_buf_free(&jwk);
    if (r < 0 && reterr && reterr->status == 0) prova__fail(reterr, r, prova_status_name(r), prova_status_message(r));
    return r;
}

/* ---- Verification -------------------------------------------------------------------------------------------- */

/* A member's pointer under the envelope's pointer. */
/* snprintf(buf, 256, "%s/%s", at, name) without the format machinery (one of the per-envelope costs). */
static const char *ptr(char buf[256], const char *at, const char *name) {
    size_t a = strlen(at), n = strlen(name), k = 0;
    size_t take = a < 255 ? a : 255;
    memcpy(buf, at, take);
    k = take;
    if (k < 255) buf[k++] = '/';
    take = n < 255 - k ? n : 255 - k;
    memcpy(buf + k, name, take);
    buf[k + take] = '\0';
    return buf;
}

/* Members that the dialect's signature covers (directly or, for the payload, through the cid). */
static bool covered(const char *name, bool bound) {
    if (bound) return true; /* every member but the signature is signed, and the signature is the signature */
    static const char *const signed_members[] = {"cid", "trace_id", "ts", "payload", "sig", "sender_sig", "signature"};
    for (size_t i = 0; i < sizeof signed_members / sizeof *signed_members; i++)
        if (strcmp(name, signed_members[i]) == 0) return true;
    return false;
}

/* ts as the literal text that was signed: a string, or an integer token (seed 001 shows integer milliseconds). */
static bool ts_text(const prova_json *ts, const char **ret_s, size_t *ret_n, int64_t *ret_us, bool *ret_parsed) {
    *ret_parsed = false;
    if (prova_json_is_string(ts)) {
        *ret_s = ts->u.str;
        *ret_n = ts->len;
        *ret_parsed = prova_time_parse(ts->u.str, ts->len, ret_us) == 0;
        return true;
    }
    int64_t ms;
    if (prova_json_is_int(ts) && prova_json_get_int64(ts, &ms) == 0 && ms >= 0 && ms < INT64_MAX / 1000) {
        *ret_s = ts->u.str;
        *ret_n = ts->len;
        *ret_us = ms * 1000;
        *ret_parsed = true;
        return true;
    }
    return false;
}

int prova__ope_verify_envelope(const prova_json *env, const char *at, const prova_verify_options *o, prova_report *r) {
    return prova_ope_envelope_verify(env, at, o, r, NULL);
}

int prova_ope_envelope_verify(const prova_json *env, const char *at, const prova_verify_options *o, prova_report *r,
                              prova_ope_envelope_info *info) {
    if (info) memset(info, 0, sizeof *info);
    if (!at) at = "";
    char pb[256];
    const char *sig_name, *dialect;
    if (prova_json_get(env, "sig")) {
        sig_name = "sig";
        dialect = "prova";
    } else if (prova_json_get(env, "sender_sig")) {
        sig_name = "sender_sig";
        dialect = "ope-lib";
    } else if (prova_json_get(env, "signature") || prova_json_get(env, "sender")) {
        sig_name = "signature";
        dialect = "starter";
    } else {
        sig_name = "sig";
        dialect = "prova";
    }
    bool starter = strcmp(dialect, "starter") == 0;
    const prova_json *payload = prova_json_get(env, "payload");
    const prova_json *cid = prova_json_get(env, "cid");
    const prova_json *trace = prova_json_get(env, "trace_id");
    const prova_json *ts = prova_json_get(env, "ts");
    const prova_json *sig = prova_json_get(env, sig_name);
    const prova_json *scope = prova_json_get(env, "sig_scope");
    const prova_json *sender = prova_json_get(env, "sender");
    const prova_json *kidv = starter ? prova_json_get(sender, "kid") : prova_json_get(env, "kid");
    bool bound = prova_json_str_eq(scope, "envelope");

    /* Schema: what the signature needs, typed. */
    const char *ts_s = NULL;
    size_t ts_n = 0;
    int64_t ts_us = 0;
    bool ts_parsed = false;
    bool schema_ok = true;
    const char *bad = NULL;
    if (!prova_json_is_object(payload))
        bad = "payload must be an object";
    else if (!prova_json_is_string(trace) || trace->len == 0)
        bad = "trace_id must be a non-empty string";
    else if (!ts || !ts_text(ts, &ts_s, &ts_n, &ts_us, &ts_parsed))
        bad = "ts must be a string or integer milliseconds";
    else if (cid && !prova_json_is_string(cid))
        bad = "cid must be a string";
    else if (!starter && !cid)
        bad = "cid is missing";
    else if (!starter && (!prova_json_is_string(prova_json_get(env, "payload_type")) ||
                          !prova_json_is_string(prova_json_get(env, "target_type"))))
        bad = "payload_type and target_type must be strings";
    else if (prova_json_get(env, "sig_alg") && !prova_json_str_eq(prova_json_get(env, "sig_alg"), "ed25519"))
        bad = "sig_alg must be \"ed25519\" (the only OPE v1 algorithm)";
    else if (scope && !bound)
        bad = "sig_scope must be \"envelope\" when present";
    else if (starter && !prova_json_is_object(sender))
        bad = "sender must be an object";
    if (bad) {
        schema_ok = false;
        prova__report_check(r, "schema", false, "schema_error", at[0] ? at : "", "%s (%s dialect)", bad, dialect);
    } else {
        prova__report_check(r, "schema", true, NULL, at, "%s envelope with the members a signature needs", dialect);
    }
    if (!schema_ok) return 0;

    /* CID. prova and ope-lib hash the payload with ensure_ascii=False (ope); the starter gateway with
     * ensure_ascii=True. A starter envelope may carry either (SDKs use the first), or none. */
    char mine[OPE_CID_LEN + 1], ascii[OPE_CID_LEN + 1] = "";
    prova_error ce;
    if (prova__ope_cid(payload, mine, &ce) < 0) {
        prova__report_check(r, "cid", false, ce.reason, ptr(pb, at, "payload"),
                            "the payload cannot be canonicalized: %s", ce.message);
        return 0;
    }
    /* The ASCII form costs a second canonicalization: only for starter envelopes that need it. */
    bool need_ascii = starter && (!cid || !prova_json_str_eq(cid, mine));
    if (need_ascii && cid_ascii(payload, ascii, NULL) < 0) ascii[0] = '\0';
    const char *use_cid = mine;
    if (cid) {
        bool eq_mine = prova_json_str_eq(cid, mine), eq_ascii = need_ascii && ascii[0] && prova_json_str_eq(cid, ascii);
        if (eq_mine || eq_ascii) {
            use_cid = eq_mine ? mine : ascii;
            prova__report_check(r, "cid", true, NULL, ptr(pb, at, "cid"),
                                "cid is the SHA-256 of the canonical payload%s",
                                eq_mine ? "" : " (ASCII-escaped, as the starter gateway hashes it)");
        } else {
            prova__report_check(r, "cid", false, "cid_mismatch", ptr(pb, at, "cid"),
                                "cid %.80s does not match the payload, whose cid is %s", cid->u.str, mine);
            use_cid = NULL;
        }
    } else {
        use_cid = ascii; /* the starter computes it when absent */
        prova__report_check(r, "cid", true, NULL, ptr(pb, at, "payload"),
                            "no cid sent; computed %s as the starter does", ascii);
    }

    /* Signature and key. */
    if (!prova_json_is_string(sig) || sig->len == 0 || !prova_json_is_string(kidv) || kidv->len == 0) {
        prova__report_check(r, "signature", false, "missing_sig_or_kid", ptr(pb, at, sig_name),
                            "the envelope has no %s or no kid", sig_name);
    } else {
        const char *source = NULL;
        const prova_key *key = prova__ope_find_key(o, kidv->u.str, &source);
        prova_key *embedded = NULL;
        if (!key && starter && o && o->trust_embedded_key && prova_json_get(sender, "jwk")) {
            prova_error ke;
            if (prova_key_from_jwk_value(prova_json_get(sender, "jwk"), &embedded, &ke) == 0) {
                key = embedded;
                source = "embedded (sender.jwk, trusted on request)";
            }
        }
        if (!key) {
            char offered[PROVA__KEYSET_DESC_MAX];
            prova__report_check(r, "signature", false, "kid_not_found",
                                starter ? ptr(pb, at, "sender/kid") : ptr(pb, at, "kid"),
                                "no trusted key has kid %.80s%s; %s", kidv->u.str,
                                starter && prova_json_get(sender, "jwk") ? " (sender.jwk is not trusted without "
                                                                           "--trust-embedded-key)"
                                                                         : "",
                                prova__keyset_describe(o ? o->keys : NULL, offered, sizeof offered));
        } else if (!use_cid) {
            prova__report_check(r, "signature", false, "cid_mismatch", ptr(pb, at, sig_name),
                                "not checked: the signed cid does not match the payload");
        } else {
            prova_buf msg = PROVA_BUF_INIT;
            int rc;
            if (bound) {
                static const char *const skip[] = {"sig"};
                rc = prova__canon_without(env, skip, 1, &msg);
            } else {
                rc = prova_ope_signing_string(use_cid, strlen(use_cid), trace->u.str, trace->len, ts_s, ts_n, &msg);
            }
            int v = rc ? rc : prova__ope_verify_b64(key, msg.data, msg.len, sig->u.str, sig->len);
            if (v == 0) {
                prova__report_check(r, "signature", true, NULL, ptr(pb, at, sig_name),
                                    "Ed25519 signature over %s verifies with %s",
                                    bound ? "the whole envelope" : "cid|trace_id|ts", kidv->u.str);
                prova_report_add_key(r, kidv->u.str, source);
                if (info) {
                    memcpy(info->cid, use_cid, strlen(use_cid) + 1);
                    info->trace_id = trace->u.str;
                    info->trace_len = trace->len;
                    info->ts = ts_s;
                    info->ts_len = ts_n;
                    info->ts_us = ts_us;
                    info->ts_parsed = ts_parsed;
                    info->kid = kidv->u.str;
                    info->dialect = dialect;
                    info->bound = bound;
                    info->signature = sig->u.str;
                    info->signature_len = sig->len;
                }
            } else {
                prova__report_check(r, "signature", false, "signature_invalid", ptr(pb, at, sig_name),
                                    v == PROVA_ESYNTAX ? "the signature is not base64url"
                                                       : "the Ed25519 signature does not verify with %s",
                                    kidv->u.str);
            }
            prova_buf_free(&msg);
        }
        prova_key_free(embedded);
    }

    /* Time: ts freshness, not_before, expires_at. */
    int64_t skew = prova__ope_skew(o);
    int64_t now = o ? o->now_us : 0;
    if (!ts_parsed && skew >= 0) {
        prova__report_check(r, "timestamp", false, "schema_error", ptr(pb, at, "ts"),
                            "ts is not an RFC 3339 timestamp with an offset, so its freshness cannot be checked");
    } else if (!ts_parsed) {
        prova__report_warn(r, "timestamp_unparsed", ptr(pb, at, "ts"),
                           "ts is not an RFC 3339 timestamp with an offset");
    } else if (skew >= 0) {
        int64_t d = ts_us - now;
        if (d > skew * 1000000) {
            prova__report_check(r, "timestamp", false, "timestamp_skew", ptr(pb, at, "ts"),
                                "ts is %lld s in the future (window %lld s)", (long long)(d / 1000000),
                                (long long)skew);
        } else {
            prova__report_check(r, "timestamp", true, NULL, ptr(pb, at, "ts"),
                                "ts is not in the future (window %lld s)", (long long)skew);
            if (-d > skew * 1000000)
                prova__report_warn(r, "stale_timestamp", ptr(pb, at, "ts"), "ts is %lld s in the past (window %lld s)",
                                   (long long)(-d / 1000000), (long long)skew);
        }
    }
    static const struct {
        const char *name, *code;
        bool after;
    } windows[] = {{"not_before", "not_yet_valid", false}, {"expires_at", "expired", true}};
    for (size_t i = 0; i < 2; i++) {
        const prova_json *w = prova_json_get(env, windows[i].name);
        if (!w) continue;
        int64_t wt;
        if (!prova_json_is_string(w) || prova_time_parse(w->u.str, w->len, &wt) < 0) {
            prova__report_check(r, windows[i].name, false, "schema_error", ptr(pb, at, windows[i].name),
                                "%s is not an RFC 3339 timestamp with an offset", windows[i].name);
        } else if (windows[i].after ? now >= wt : now < wt) {
            prova__report_check(r, windows[i].name, false, windows[i].code, ptr(pb, at, windows[i].name), "%s %.40s %s",
                                windows[i].name, w->u.str, windows[i].after ? "has passed" : "is still ahead");
        } else {
            prova__report_check(r, windows[i].name, true, NULL, ptr(pb, at, windows[i].name), "%s %.40s holds",
                                windows[i].name, w->u.str);
        }
    }

    /* What the signature does not cover. */
    size_t unauth = 0;
    for (size_t i = 0; i < env->len; i++) {
        const char *name = env->u.members[i].key.u.str;
        if (!covered(name, bound)) {
            prova_report_add_unauthenticated(r, name);
            unauth++;
        }
    }
    if (unauth)
        prova__report_warn(r, "unauthenticated_fields", at,
                           "%zu member(s) are not covered by the signature (OPE v1 signs only cid|trace_id|ts); see "
                           "unauthenticated_fields",
                           unauth);
    return 0;
}
