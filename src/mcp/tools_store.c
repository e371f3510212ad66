/* The store tools: each calls the service's operation that the HTTP route calls (src/app/app.h), with the
 * session's token, and waits for a write's commit. */
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "tools_internal.h"

/* ---- OPE store tools ----------------------------------------------------------------------------------------- */

int mcp_tool_append_receipt(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"envelope", NULL};
    const prova_json *env;
    prova_buf body = PROVA_BUF_INIT;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_object(res, args, "envelope", true, "a signed OPE envelope, e.g. from pack_envelope", &env);
    if (!rc) rc = tool_need_store(ctx, res);
    if (!rc) rc = tool_put_value(&body, env);
    if (!rc) {
        app_call c;
        tool_call_init(&c, ctx);
        rc = tool_finish_call(res, &c, app_ope_append(&c, body.data, body.len, NULL, NULL), "append_receipt");
        if (!rc) rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len);
        app_call_free(&c);
    }
    prova_buf_free(&body);
    return tool_done(rc);
}

/* The receipts of a trace as {trace_id, receipts:[...]}; *ret_count receives their number. */
int mcp_tools_trace_chain(const mcp_ctx *ctx, mcp_result *res, const char *trace_id, size_t *ret_count) {
    app_call c;
    tool_call_init(&c, ctx);
    int rc = tool_finish_call(res, &c, app_ope_chain(&c, trace_id), "get_chain");
    prova_doc *doc = NULL;
    if (!rc) rc = tool_parse_big(c.res.body.data, c.res.body.len, &doc);
    if (!rc) {
        const prova_json *hops = prova_doc_root(doc);
        prova_buf *o = &res->structured;
        rc = tool_put(o, "{\"trace_id\":");
        if (!rc) rc = tool_put_str(o, trace_id);
        if (!rc) rc = tool_put(o, ",\"receipts\":");
        if (!rc) rc = tool_putn(o, c.res.body.data, c.res.body.len);
        if (!rc) rc = tool_put(o, "}");
        *ret_count = prova_json_len(hops);
    }
    prova_doc_free(doc);
    app_call_free(&c);
    return rc;
}

int mcp_tool_get_chain(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"trace_id", NULL};
    const char *id;
    size_t n = 0;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_id(res, args, "trace_id", true, &id);
    if (!rc) rc = tool_need_store(ctx, res);
    if (!rc) rc = mcp_tools_trace_chain(ctx, res, id, &n);
    return tool_done(rc);
}

int mcp_tool_export_bundle(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"trace_id", "log_proofs", NULL};
    const char *id;
    bool log_proofs = false;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_id(res, args, "trace_id", true, &id);
    if (!rc) rc = tool_arg_bool(res, args, "log_proofs", &log_proofs);
    if (!rc) rc = tool_need_store(ctx, res);
    if (rc) return tool_done(rc);
    app_call c;
    tool_call_init(&c, ctx);
    rc = tool_finish_call(res, &c, app_ope_export(&c, id, log_proofs), "export_bundle");
    if (!rc) rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len);
    app_call_free(&c);
    return tool_done(rc);
}

/* ---- OpenExecution store tools ------------------------------------------------------------------------------ */

int mcp_tool_oe_append_event(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"chain_id", "chain", "event", NULL};
    static const char *const event_names[] = {"event_type", "type",      "actor_id", "actor",
                                              "actor_type", "sentiment", "payload",  NULL};
    const char *chain_id;
    const prova_json *chain, *event;
    prova_buf body = PROVA_BUF_INIT, cbody = PROVA_BUF_INIT;
    char created[ID_MAX + 1] = "";
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_id(res, args, "chain_id", false, &chain_id);
    if (!rc)
        rc = tool_arg_object(res, args, "chain", false, "chain_type, origin_type, origin_id, hash_algorithm", &chain);
    if (!rc)
        rc =
            tool_arg_object(res, args, "event", true, "{event_type, payload, actor_id, actor_type, sentiment}", &event);
    if (!rc && chain && chain_id) rc = tool_err(res, "argument 'chain' applies only when 'chain_id' is absent");
    /* The event: the operation's members, with the aliases type (event_type) and actor (actor_id). */
    for (size_t i = 0; !rc && i < event->len; i++) {
        const prova_json *k = &event->u.members[i].key;
        bool ok = false;
        for (size_t j = 0; event_names[j] && !ok; j++) ok = prova_json_str_eq(k, event_names[j]);
        if (!ok)
            rc = tool_err(res,
                          "event.%.64s is not an event member (event_type or type, payload, actor_id or actor, "
                          "actor_type, sentiment)",
                          prova_json_str(k));
    }
    const prova_json *et = NULL, *actor = NULL;
    if (!rc) {
        et = prova_json_get(event, "event_type");
        const prova_json *t = prova_json_get(event, "type");
        actor = prova_json_get(event, "actor_id");
        const prova_json *a = prova_json_get(event, "actor");
        if (et && t)
            rc = tool_err(res, "event: give event_type or type, not both");
        else if (actor && a)
            rc = tool_err(res, "event: give actor_id or actor, not both");
        if (!et) et = t;
        if (!actor) actor = a;
        if (!rc && !prova_json_is_string(et))
            rc = tool_err(res, "event.event_type is required (a string of 1-64 bytes)");
    }
    if (!rc) rc = tool_need_store(ctx, res);
    if (!rc) rc = tool_put(&body, "{\"event_type\":");
    if (!rc) rc = tool_put_value(&body, et);
    if (!rc && actor) rc = tool_put(&body, ",\"actor_id\":");
    if (!rc && actor) rc = tool_put_value(&body, actor);
    static const char *const copy[] = {"actor_type", "sentiment", "payload"};
    for (size_t i = 0; !rc && i < sizeof copy / sizeof *copy; i++) {
        const prova_json *v = prova_json_get(event, copy[i]);
        if (!v) continue;
        rc = tool_put(&body, ",\"");
        if (!rc) rc = tool_put(&body, copy[i]);
        if (!rc) rc = tool_put(&body, "\":");
        if (!rc) rc = tool_put_value(&body, v);
    }
    if (!rc) rc = tool_put(&body, "}");
    if (!rc && !chain_id) {
        if (chain) rc = tool_put_value(&cbody, chain);
        app_call c;
        tool_call_init(&c, ctx);
        if (!rc)
            rc = tool_finish_call(
                res, &c, app_oe_chain_create(&c, chain ? cbody.data : (const uint8_t *)"{}", chain ? cbody.len : 2),
                "oe_append_event (creating the chain)");
        if (!rc) {
            memcpy(created, c.res.id, sizeof created);
            chain_id = created;
        }
        app_call_free(&c);
    }
    app_call c;
    tool_call_init(&c, ctx);
    if (!rc) {
        rc = tool_finish_call(res, &c, app_oe_event_append(&c, chain_id, body.data, body.len), "oe_append_event");
        if (rc == TOOL_ERR && created[0]) {
            /* Say which chain was made: the caller may append to it once the event is corrected. */
            rc = prova_buf_printf(&res->text, " (the chain %s was created and is empty)", created) < 0 ? PROVA_ENOMEM
                                                                                                       : TOOL_ERR;
        }
    }
    if (!rc) {
        prova_buf *o = &res->structured;
        rc = tool_put(o, "{\"chain_id\":");
        if (!rc) rc = tool_put_str(o, chain_id);
        if (!rc)
            rc = tool_put(o, created[0] ? ",\"chain_created\":true,\"event\":" : ",\"chain_created\":false,\"event\":");
        if (!rc) rc = tool_putn(o, c.res.body.data, c.res.body.len);
        if (!rc && c.res.logged) rc = prova_buf_printf(o, ",\"log_index\":%lld", (long long)c.res.log_index);
        if (!rc) rc = tool_put(o, "}");
    }
    app_call_free(&c);
    prova_buf_free(&body);
    prova_buf_free(&cbody);
    return tool_done(rc);
}

int mcp_tool_oe_issue_certificate(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"chain_id", "artifact_type", "artifact_ref", "artifact_title", NULL};
    const char *chain_id;
    const prova_json *at, *ar, *ti;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_id(res, args, "chain_id", true, &chain_id);
    if (!rc) rc = tool_arg_str(res, args, "artifact_type", true, "1-64 bytes, e.g. report", &at);
    if (!rc) rc = tool_arg_str(res, args, "artifact_ref", true, "1-512 bytes: what the certificate is about", &ar);
    if (!rc) rc = tool_arg_str(res, args, "artifact_title", false, "1-500 bytes", &ti);
    if (!rc) rc = tool_need_store(ctx, res);
    if (rc) return tool_done(rc);
    /* Resolve first when the chain is still open. */
    char status[16] = "";
    app_call c;
    tool_call_init(&c, ctx);
    rc = tool_finish_call(res, &c, app_oe_chain_status(&c, chain_id, status),
                          "oe_issue_certificate (reading the chain)");
    app_call_free(&c);
    if (!rc && strcmp(status, "open") == 0) {
        tool_call_init(&c, ctx);
        rc = tool_finish_call(res, &c, app_oe_resolve(&c, chain_id, "{}", 2),
                              "oe_issue_certificate (resolving the chain)");
        app_call_free(&c);
    }
    prova_buf body = PROVA_BUF_INIT;
    if (!rc) rc = tool_put(&body, "{\"artifact_type\":");
    if (!rc) rc = tool_put_value(&body, at);
    if (!rc) rc = tool_put(&body, ",\"artifact_ref\":");
    if (!rc) rc = tool_put_value(&body, ar);
    if (!rc && ti) rc = tool_put(&body, ",\"artifact_title\":");
    if (!rc && ti) rc = tool_put_value(&body, ti);
    if (!rc) rc = tool_put(&body, "}");
    if (!rc) {
        tool_call_init(&c, ctx);
        rc = tool_finish_call(res, &c, app_oe_certify(&c, chain_id, body.data, body.len), "oe_issue_certificate");
        /* The bundle with the certificate's log index as one more top-level member (the signatures do not cover
         * the bundle's top level; verifiers ignore members they do not know). */
        if (!rc && c.res.logged && c.res.body.len > 2 && c.res.body.data[c.res.body.len - 1] == '}') {
            rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len - 1);
            if (!rc) rc = prova_buf_printf(&res->structured, ",\"log_index\":%lld}", (long long)c.res.log_index);
        } else if (!rc) {
            rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len);
        }
        app_call_free(&c);
    }
    prova_buf_free(&body);
    return tool_done(rc);
}

int mcp_tool_oe_verify_certificate(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"certificate_id", "bundle", NULL};
    const char *id;
    const prova_json *bundle;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_id(res, args, "certificate_id", false, &id);
    if (!rc) rc = tool_arg_object(res, args, "bundle", false, "an offline certificate bundle", &bundle);
    if (!rc && id && bundle) rc = tool_err(res, "give either 'certificate_id' or 'bundle', not both");
    if (!rc && !id && !bundle)
        rc = tool_err(res, "argument 'certificate_id' (a certificate in the store) or 'bundle' (an offline certificate "
                           "bundle object) is required");
    if (rc) return tool_done(rc);
    app_call c;
    tool_call_init(&c, ctx);
    if (id) {
        rc = tool_need_store(ctx, res);
        if (!rc) rc = tool_finish_call(res, &c, app_oe_verify(&c, id), "oe_verify_certificate");
        if (!rc) rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len);
        app_call_free(&c);
        return tool_done(rc);
    }
    prova_buf doc = PROVA_BUF_INIT;
    app_verify_args o = {0};
    o.keys = ctx->keys;
    prova_report *r = NULL;
    rc = tool_put_value(&doc, bundle);
    if (!rc) {
        app_verify(&c, doc.data, doc.len, &o, &r);
        if (app_call_failed(&c)) rc = tool_err(res, "bundle cannot be verified: %s", c.err.message);
    }
    if (!rc && strcmp(prova_report_kind(r), "oe_bundle") != 0)
        rc = tool_err(res, "bundle is not an OpenExecution certificate bundle (it reads as %s)", prova_report_kind(r));
    if (!rc) rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len);
    prova_report_free(r);
    app_call_free(&c);
    prova_buf_free(&doc);
    return tool_done(rc);
}
