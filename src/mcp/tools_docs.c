/* prova's document tools: verify (through the service), canonicalize, hash, pack_envelope (the server's key), export
 * (the bridges of prova/intoto.h, cloudevents.h, openlineage.h, rocrate.h) and jwks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prova/cloudevents.h"
#include "prova/crypto.h"
#include "prova/interop.h"
#include "prova/intoto.h"
#include "prova/ope.h"
#include "prova/openlineage.h"
#include "prova/proof.h"
#include "prova/rocrate.h"
#include "tools_internal.h"

/* ---- verify ------------------------------------------------------------------------------------------------------ */

int mcp_tool_verify(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"document", "jwks",       "hmac_key_b64", "trust_embedded_key",
                                        "now",      "max_skew_s", "no_skew",      NULL};
    app_verify_args o = {0};
    o.keys = ctx->keys;
    prova_buf doc = PROVA_BUF_INIT, jwks = PROVA_BUF_INIT;
    prova_keyset *ks = NULL;
    const prova_json *hk, *now, *jv = prova_json_get(args, "jwks"), *skew = prova_json_get(args, "max_skew_s");
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_document(ctx, res, args, "document", NULL, &doc);
    if (!rc) rc = tool_arg_str(res, args, "hmac_key_b64", false, "a proof record's HMAC key as standard base64", &hk);
    if (!rc) rc = tool_arg_str(res, args, "now", false, "the verifier's clock, RFC 3339", &now);
    if (!rc) rc = tool_arg_bool(res, args, "trust_embedded_key", &o.trust_embedded_key);
    if (!rc) rc = tool_arg_bool(res, args, "no_skew", &o.no_skew);
    if (!rc && hk) o.hmac_key_b64 = prova_json_str(hk);
    if (!rc && now && prova_time_parse(prova_json_str(now), prova_json_len(now), &o.now_us) < 0)
        rc = tool_err(res, "argument 'now' must be an RFC 3339 time such as 2026-01-01T00:00:00Z");
    if (!rc && skew && !prova_json_is_null(skew)) {
        int64_t s = 0;
        if (!prova_json_is_int(skew) || prova_json_get_int64(skew, &s) < 0 || s < 1 || s > 315360000)
            rc = tool_err(res, "argument 'max_skew_s' must be an integer number of seconds from 1 to 315360000");
        o.max_skew_s = s;
    }
    if (!rc && jv && !prova_json_is_null(jv)) {
        if (prova_json_is_string(jv))
            rc = tool_putn(&jwks, prova_json_str(jv), prova_json_len(jv));
        else if (prova_json_is_object(jv))
            rc = tool_put_value(&jwks, jv);
        else
            rc = tool_err(res, "argument 'jwks' must be a JWKS object {\"keys\":[...]} or its JSON text");
        ks = rc ? NULL : prova_keyset_new();
        if (!rc && !ks) rc = PROVA_ENOMEM;
        prova_error e;
        int n = rc ? 0 : prova_keyset_add_jwks(ks, jwks.data, jwks.len, "jwks:argument", &e);
        if (n == PROVA_ENOMEM)
            rc = n;
        else if (n < 0)
            rc = tool_err(res, "argument 'jwks' is not a usable JWKS: %s", e.message);
        else if (!rc && n == 0)
            rc = tool_err(res, "argument 'jwks' holds no supported public key");
        o.keys = ks;
    }
    if (!rc) {
        app_call c;
        tool_call_init(&c, ctx);
        app_verify(&c, doc.data, doc.len, &o, NULL);
        if (app_call_failed(&c)) otel_span_str(c.span, "prova.error.code", c.err.code);
        if (!app_call_failed(&c))
            rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len);
        else if (c.err.status == APP_E_INPUT && strcmp(c.err.code, "invalid_argument") != 0)
            rc = tool_err(res, "document is not valid JSON: %s (%s)", c.err.message, c.err.code);
        else if (c.err.status < 500)
            rc = tool_err(res, "document cannot be verified: %s", c.err.message);
        else
            rc = tool_err(res, "document cannot be verified now: %s (%s)", c.err.message, c.err.code);
        app_call_free(&c);
    }
    prova_keyset_free(ks);
    prova_buf_free(&doc);
    prova_buf_free(&jwks);
    return tool_done(rc);
}

/* ---- canonicalize / hash ---------------------------------------------------------------------------------- */

/* The profile argument (default ope) and the canonical bytes of value / value_json under it. */
static int canon_args(const mcp_ctx *ctx, const prova_json *args, mcp_result *res, prova_profile *ret_p,
                      prova_buf *canon) {
    const prova_json *pv;
    int rc = tool_arg_str(res, args, "profile", false, "ope, ophamin or jcs", &pv);
    if (rc) return rc;
    *ret_p = PROVA_PROFILE_OPE;
    if (pv && prova_profile_lookup(prova_json_str(pv), ret_p) < 0)
        return tool_err(res, "argument 'profile' must be ope, ophamin or jcs (not '%.64s')", prova_json_str(pv));
    prova_error e;
    const prova_json *value = prova_json_get(args, "value"), *text = prova_json_get(args, "value_json");
    if (value && text) return tool_err(res, "give either 'value' or 'value_json', not both");
    if (!value && !text)
        return tool_err(res, "argument 'value' (any JSON value) or 'value_json' (JSON text) is required");
    if (value) {
        rc = prova_canon_write(value, *ret_p, canon, &e);
        if (rc < 0 && rc != PROVA_ENOMEM)
            return tool_err(res, "value has no %s canonical form: %s", prova_profile_name(*ret_p), e.message);
        return rc;
    }
    if (!prova_json_is_string(text)) return tool_err(res, "argument 'value_json' must be a string of JSON text");
    prova_doc *doc = NULL;
    uint32_t flags =
        *ret_p == PROVA_PROFILE_OPHAMIN ? PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES : 0;
    rc = tool_parse_text(ctx, res, "value_json", prova_json_str(text), prova_json_len(text), flags, &doc);
    if (rc) return rc;
    rc = prova_canon_write(prova_doc_root(doc), *ret_p, canon, &e);
    prova_doc_free(doc);
    if (rc < 0 && rc != PROVA_ENOMEM)
        return tool_err(res, "value_json has no %s canonical form: %s", prova_profile_name(*ret_p), e.message);
    return rc;
}

int mcp_tool_canonicalize(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"value", "value_json", "profile", NULL};
    prova_buf canon = PROVA_BUF_INIT;
    prova_profile p = PROVA_PROFILE_OPE;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = canon_args(ctx, args, res, &p, &canon);
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    if (!rc) rc = prova_hash_compute_hex(PROVA_HASH_SHA256, canon.data, canon.len, hex);
    prova_buf *o = &res->structured;
    if (!rc) rc = tool_put(o, "{\"profile\":");
    if (!rc) rc = tool_put_str(o, prova_profile_name(p));
    if (!rc) rc = tool_put(o, ",\"canonical\":");
    if (!rc) rc = tool_put_strn(o, (const char *)canon.data, canon.len);
    if (!rc) rc = tool_put(o, ",\"bytes_len\":");
    if (!rc) rc = tool_put_u64(o, canon.len);
    if (!rc) rc = tool_put(o, ",\"sha256_hex\":\"");
    if (!rc) rc = tool_put(o, hex);
    if (!rc) rc = tool_put(o, "\",\"cid\":\"sha256:");
    if (!rc) rc = tool_put(o, hex);
    if (!rc) rc = tool_put(o, "\"}");
    prova_buf_free(&canon);
    return tool_done(rc);
}

int mcp_tool_hash(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"value", "value_json", "profile", "alg", NULL};
    prova_buf canon = PROVA_BUF_INIT;
    prova_profile p = PROVA_PROFILE_OPE;
    prova_hash_alg alg = PROVA_HASH_SHA256;
    const prova_json *av;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_str(res, args, "alg", false, "sha256, sha384, sha512, sha3-256, sha3-384 or sha3-512", &av);
    if (!rc && av && prova_hash_lookup(prova_json_str(av), &alg) < 0)
        rc =
            tool_err(res, "argument 'alg' must be sha256, sha384, sha512, sha3-256, sha3-384 or sha3-512 (not '%.64s')",
                     prova_json_str(av));
    if (!rc) rc = canon_args(ctx, args, res, &p, &canon);
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    if (!rc) rc = prova_hash_compute_hex(alg, canon.data, canon.len, hex);
    prova_buf *o = &res->structured;
    if (!rc) rc = tool_put(o, "{\"alg\":");
    if (!rc) rc = tool_put_str(o, prova_hash_name(alg));
    if (!rc) rc = tool_put(o, ",\"profile\":");
    if (!rc) rc = tool_put_str(o, prova_profile_name(p));
    if (!rc) rc = tool_put(o, ",\"hex\":\"");
    if (!rc) rc = tool_put(o, hex);
    if (!rc) rc = tool_put(o, "\"}");
    prova_buf_free(&canon);
    return tool_done(rc);
}

/* ---- pack_envelope ------------------------------------------------------------------------------------------ */

int mcp_tool_pack_envelope(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"payload", "payload_type", "target_type", "trace_id", "dialect", NULL};
    const prova_json *payload, *pt, *tt, *dv;
    const char *tr;
    prova_ope_envelope_params p = {0};
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_object(res, args, "payload", true, "the payload object", &payload);
    if (!rc) rc = tool_arg_str(res, args, "payload_type", true, "e.g. openai.tooluse.invoice.v1", &pt);
    if (!rc) rc = tool_arg_str(res, args, "target_type", true, "e.g. invoice.iso20022.v1", &tt);
    if (!rc) rc = tool_arg_id(res, args, "trace_id", false, &tr); /* absent: a new UUIDv4 */
    if (!rc) rc = tool_arg_str(res, args, "dialect", false, "prova, ope-lib or starter", &dv);
    if (!rc && (prova_json_len(pt) == 0 || prova_json_len(pt) > 256))
        rc = tool_err(res, "argument 'payload_type' must be 1-256 bytes");
    if (!rc && (prova_json_len(tt) == 0 || prova_json_len(tt) > 256))
        rc = tool_err(res, "argument 'target_type' must be 1-256 bytes");
    if (!rc && dv && prova_ope_dialect_lookup(prova_json_str(dv), &p.dialect) < 0)
        rc = tool_err(res, "argument 'dialect' must be prova, ope-lib or starter (not '%.64s')", prova_json_str(dv));
    if (!rc && !ctx->key) rc = tool_err(res, "no signing key: --key or --data");
    if (rc) return tool_done(rc);
    char ts[40];
    prova_time_format(tool_now_us(), ts);
    p.payload_type = prova_json_str(pt);
    p.target_type = prova_json_str(tt);
    p.trace_id = tr;
    p.ts = ts;
    prova_buf env = PROVA_BUF_INIT;
    prova_error e;
    prova_doc *doc = NULL;
    rc = prova_ope_envelope_pack(ctx->key, payload, &p, &env, &e);
    if (rc < 0 && rc != PROVA_ENOMEM) {
        rc = rc == PROVA_EKEY ? tool_err(res, "the server's signing key cannot sign envelopes: %s", e.message)
                              : tool_err(res, "the envelope cannot be made: %s (%s)", e.message, e.reason);
    }
    if (!rc) rc = tool_parse_big(env.data, env.len, &doc);
    const prova_json *root = doc ? prova_doc_root(doc) : NULL;
    prova_buf *o = &res->structured;
    const char *kid = prova_key_kid(ctx->key);
    if (!rc) rc = tool_put(o, "{\"envelope\":");
    if (!rc) rc = tool_putn(o, env.data, env.len);
    if (!rc) rc = tool_put(o, ",\"cid\":");
    if (!rc) rc = tool_put_value(o, prova_json_get(root, "cid"));
    if (!rc) rc = tool_put(o, ",\"trace_id\":");
    if (!rc) rc = tool_put_value(o, prova_json_get(root, "trace_id"));
    if (!rc) rc = tool_put(o, ",\"kid\":");
    if (!rc) rc = tool_put_str(o, kid ? kid : "");
    if (!rc) rc = tool_put(o, "}");
    prova_doc_free(doc);
    prova_buf_free(&env);
    return tool_done(rc);
}

/* ---- export ---------------------------------------------------------------------------------------------------- */

static int lib_err(mcp_result *res, int rc, const char *to, const prova_error *e) {
    if (rc == PROVA_ENOMEM) return rc;
    return tool_err(res, "export to %s failed: %s (%s%s%s)", to, e->message, e->reason, e->pointer[0] ? " at " : "",
                    e->pointer);
}

int mcp_tool_export(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"document", "to", "options", NULL};
    const prova_json *tov = NULL, *opts = NULL;
    prova_buf data = PROVA_BUF_INIT, out = PROVA_BUF_INIT, meta = PROVA_BUF_INIT;
    prova_doc *doc = NULL;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_document(ctx, res, args, "document", NULL, &data);
    if (!rc) rc = tool_arg_str(res, args, "to", true, "intoto, dsse, cloudevents, openlineage or ro-crate", &tov);
    if (!rc)
        rc = tool_arg_object(res, args, "options", false,
                             "cloudevents: source, type, mode; openlineage: namespace, "
                             "job",
                             &opts);
    const char *to = rc ? "" : prova_json_str(tov);
    static const char *const tos[] = {"intoto", "dsse", "cloudevents", "openlineage", "ro-crate"};
    size_t which = 5;
    for (size_t i = 0; !rc && i < 5; i++)
        if (strcmp(to, tos[i]) == 0) which = i;
    if (!rc && which == 5)
        rc =
            tool_err(res, "argument 'to' must be intoto, dsse, cloudevents, openlineage or ro-crate (not '%.64s')", to);
    /* options: only the target's own members, each a non-empty string */
    static const char *const ce_opts[] = {"source", "type", "mode", NULL},
                             *const ol_opts[] = {"namespace", "job", NULL}, *const no_opts[] = {NULL};
    const char *const *allowed = which == 2 ? ce_opts : which == 3 ? ol_opts : no_opts;
    for (size_t i = 0; !rc && opts && i < opts->len; i++) {
        const prova_json *k = &opts->u.members[i].key, *v = &opts->u.members[i].value;
        bool ok = false;
        for (size_t j = 0; allowed[j] && !ok; j++) ok = prova_json_str_eq(k, allowed[j]);
        if (!ok)
            rc = tool_err(res,
                          "options.%.64s does not apply to 'to': %s (cloudevents takes source, type, mode; "
                          "openlineage takes namespace, job)",
                          prova_json_str(k), to);
        else if (!prova_json_is_string(v) || prova_json_len(v) == 0 || prova_json_len(v) > 1024 ||
                 strlen(prova_json_str(v)) != prova_json_len(v))
            rc = tool_err(res, "options.%s must be a non-empty string", prova_json_str(k));
    }
    const char *mode =
        opts && prova_json_get(opts, "mode") ? prova_json_str(prova_json_get(opts, "mode")) : "structured";
    if (!rc && which == 2 && strcmp(mode, "structured") != 0 && strcmp(mode, "batch") != 0)
        rc = tool_err(res, "options.mode must be structured or batch (binary mode is an HTTP message, not JSON)");
    if (!rc && which == 1 && !ctx->key) rc = tool_err(res, "no signing key: --key or --data (export to dsse signs)");
    prova_error e;
    prova_record_info info;
    if (!rc) {
        prova_parse_options po = {0};
        po.max_depth = tool_depth(ctx);
        int v = prova_record_parse(data.data, data.len, &po, &doc, &e);
        if (v == PROVA_ENOMEM)
            rc = v;
        else if (v < 0)
            rc = tool_err(res, "document is not valid JSON: %s (%s) at line %zu, column %zu", e.message, e.reason,
                          e.line, e.column);
    }
    const prova_json *record = doc ? prova_doc_root(doc) : NULL;
    if (!rc) {
        int v = prova_record_describe(record, &info, &e);
        if (v == PROVA_ENOMEM)
            rc = v;
        else if (v < 0)
            rc = tool_err(res, "document is not a record prova can export: %s (%s)", e.message, e.reason);
    }
    const char *ctype = "application/json";
    const char *fname = NULL;
    if (!rc) {
        int v = 0;
        switch (which) {
        case 0:
            ctype = PROVA_DSSE_INTOTO_PAYLOAD_TYPE;
            v = prova_intoto_statement(record, NULL, &out, &e);
            break;
        case 1: {
            ctype = "application/vnd.dsse.envelope.v1+json";
            prova_buf st = PROVA_BUF_INIT;
            prova_dsse_signer signer = {.key = ctx->key};
            v = prova_intoto_statement(record, NULL, &st, &e);
            if (v == 0) v = prova_dsse_sign(PROVA_DSSE_INTOTO_PAYLOAD_TYPE, st.data, st.len, &signer, 1, &out, &e);
            prova_buf_free(&st);
            break;
        }
        case 2: {
            const prova_json *src = prova_json_get(opts, "source"), *ty = prova_json_get(opts, "type");
            prova_ce_options co = {.source = src ? prova_json_str(src) : "urn:prova:mcp",
                                   .type = ty ? prova_json_str(ty) : NULL};
            if (strcmp(mode, "batch") == 0) {
                const prova_json *const one[1] = {record};
                ctype = PROVA_CE_BATCH_CONTENT_TYPE;
                v = prova_ce_wrap_batch(one, &info, 1, &co, &out, &e);
            } else {
                ctype = PROVA_CE_CONTENT_TYPE;
                v = prova_ce_wrap(record, &info, &co, &out, &e);
            }
            break;
        }
        case 3: {
            prova_openlineage_options oo = {0};
            const prova_json *ns = prova_json_get(opts, "namespace"), *job = prova_json_get(opts, "job");
            oo.ns = ns ? prova_json_str(ns) : NULL;
            oo.job = job ? prova_json_str(job) : NULL;
            oo.kind = info.kind;
            char t[40];
            time_t secs = (time_t)(tool_now_us() / 1000000);
            struct tm tm;
            if (gmtime_r(&secs, &tm)) strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
            oo.event_time = t;
            prova_buf lines = PROVA_BUF_INIT;
            size_t n = 0;
            v = prova_openlineage_events(record, &oo, &lines, &n, &e);
            /* JSON Lines -> one JSON array */
            if (v == 0) v = tool_put(&out, "[");
            size_t start = 0, k = 0;
            for (size_t i = 0; v == 0 && i < lines.len; i++) {
                if (lines.data[i] != '\n') continue;
                if (k++) v = tool_put(&out, ",");
                if (v == 0) v = tool_putn(&out, lines.data + start, i - start);
                start = i + 1;
            }
            if (v == 0) v = tool_put(&out, "]");
            prova_buf_free(&lines);
            break;
        }
        default:
            ctype = "application/ld+json";
            fname = prova_rocrate_filename(info.kind, false);
            if (!fname) {
                rc = tool_err(res, "export to ro-crate: no file name for a record of kind %s", info.kind);
                break;
            }
            v = prova_rocrate_metadata(record, data.data, data.len, fname, &meta, &e);
            /* The metadata file is pretty-printed; the output is compact (stdio frames messages by newlines). */
            if (v == 0) {
                prova_doc *md = NULL;
                v = tool_parse_big(meta.data, meta.len, &md);
                if (v == 0) v = tool_put_value(&out, prova_doc_root(md));
                prova_doc_free(md);
            }
            break;
        }
        if (!rc && v < 0) rc = lib_err(res, v, to, &e);
    }
    prova_buf *o = &res->structured;
    if (!rc) rc = tool_put(o, "{\"to\":");
    if (!rc) rc = tool_put_str(o, to);
    if (!rc) rc = tool_put(o, ",\"content_type\":");
    if (!rc) rc = tool_put_str(o, ctype);
    if (!rc) rc = tool_put(o, ",\"kind\":");
    if (!rc) rc = tool_put_str(o, info.kind);
    if (!rc) rc = tool_put(o, ",\"output\":");
    if (!rc) rc = tool_putn(o, out.data, out.len);
    if (!rc && fname) {
        rc = tool_put(o, ",\"files\":{");
        if (!rc) rc = tool_put_str(o, PROVA_ROCRATE_METADATA_FILENAME);
        if (!rc) rc = tool_put(o, ":");
        if (!rc) rc = tool_put_strn(o, (const char *)meta.data, meta.len);
        if (!rc) rc = tool_put(o, ",");
        if (!rc) rc = tool_put_str(o, fname);
        if (!rc) rc = tool_put(o, ":");
        if (!rc) rc = tool_put_strn(o, (const char *)data.data, data.len);
        if (!rc) rc = tool_put(o, "}");
    }
    if (!rc) rc = tool_put(o, "}");
    prova_doc_free(doc);
    prova_buf_free(&data);
    prova_buf_free(&out);
    prova_buf_free(&meta);
    return tool_done(rc);
}

/* ---- jwks ----------------------------------------------------------------------------------------------------------
 */

int mcp_tool_jwks(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {NULL};
    int rc = tool_check_args(res, args, names);
    if (rc) return tool_done(rc);
    const prova_buf *jwks = app_jwks(ctx->a);
    if (app_has_store(ctx->a) && jwks->len) return tool_putn(&res->structured, jwks->data, jwks->len);
    if (ctx->key) {
        const prova_key *keys[1] = {ctx->key};
        return prova_key_to_jwks(keys, 1, &res->structured);
    }
    return tool_done(
        tool_err(res, "no keys: run `prova mcp --data DIR` (the gateway's JWKS) or `prova mcp --key KEY`"));
}
