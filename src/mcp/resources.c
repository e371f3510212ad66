/* prova:// resources (docs/mcp-tools.md): a trace's receipt chain, a trace's signed export bundle and a
 * certificate's offline bundle, read through the service (src/app) like the tools. resources/list is empty: the
 * store has no cheap, bounded listing, and the templates say how to name what exists. */
#include <stdio.h>
#include <string.h>

#include "mcp.h"
#include "tools_internal.h" /* tool_call_init */

#define RES_ID_MAX APP_ID_MAX

/* tools.c: the receipts of a trace as {trace_id, receipts} (get_chain's result). */

int mcp_resources_list(const mcp_ctx *ctx, prova_buf *out) {
    (void)ctx;
    return prova_buf_append(out, "[]", 2);
}

static const char TEMPLATES[] =
    "[{\"uriTemplate\":\"prova://traces/{trace_id}\",\"name\":\"trace\",\"title\":\"ODIN OPE receipt chain\","
    "\"description\":\"The receipts of a trace in hop order: {trace_id, receipts} (the get_chain tool's result).\","
    "\"mimeType\":\"application/json\"},"
    "{\"uriTemplate\":\"prova://traces/{trace_id}/bundle\",\"name\":\"trace-bundle\",\"title\":\"ODIN OPE export "
    "bundle\",\"description\":\"The gateway-signed export bundle of a trace (verify it with the gateway's JWKS).\","
    "\"mimeType\":\"application/json\"},"
    "{\"uriTemplate\":\"prova://certificates/{certificate_id}\",\"name\":\"certificate\",\"title\":\"OpenExecution "
    "certificate bundle\",\"description\":\"The offline bundle of a provenance certificate, exactly as stored "
    "(`prova verify` checks it).\",\"mimeType\":\"application/json\"}]";

int mcp_resource_templates(prova_buf *out) {
    return prova_buf_append(out, TEMPLATES, sizeof TEMPLATES - 1);
}

static bool id_ok(const char *s, size_t n) {
    return app_id_problem(s, n) == NULL;
}

static bool starts(const char *s, size_t n, const char *prefix, size_t *ret_plen) {
    size_t p = strlen(prefix);
    *ret_plen = p;
    return n >= p && memcmp(s, prefix, p) == 0;
}

/* [{"uri","mimeType","text"}] */
static int contents(prova_buf *out, const char *uri, size_t len, const void *text, size_t tlen) {
    int rc = prova_buf_append(out, "[{\"uri\":", 8);
    if (!rc) rc = prova_canon_write_string(uri, len, PROVA_PROFILE_OPE, out);
    if (!rc) rc = prova_buf_append(out, ",\"mimeType\":\"application/json\",\"text\":", 38);
    if (!rc) rc = prova_canon_write_string(text, tlen, PROVA_PROFILE_OPE, out);
    if (!rc) rc = prova_buf_append(out, "}]", 2);
    return rc < 0 ? PROVA_ENOMEM : 0;
}

/* The result of a read operation as the resource's contents, or MCP_RESOURCE_NOT_FOUND. */
static int from_call(app_call *c, const char *uri, size_t len, prova_buf *out, const char **ret_message,
                     const char *missing) {
    if (app_call_failed(c)) {
        *ret_message =
            c->err.status == APP_E_NOT_FOUND ? missing : "the resource cannot be read (the store answered an error)";
        return MCP_RESOURCE_NOT_FOUND;
    }
    return contents(out, uri, len, c->res.body.data, c->res.body.len);
}

int mcp_resource_read(const mcp_ctx *ctx, const char *uri, size_t len, prova_buf *out, const char **ret_message) {
    size_t p;
    char id[RES_ID_MAX + 1];
    if (!uri) {
        *ret_message = "no uri";
        return MCP_RESOURCE_NOT_FOUND;
    }
    if (starts(uri, len, "prova://traces/", &p)) {
        const char *s = uri + p;
        size_t n = len - p;
        bool bundle = n > 7 && memcmp(s + n - 7, "/bundle", 7) == 0;
        if (bundle) n -= 7;
        if (!id_ok(s, n)) {
            *ret_message = "unknown resource: a trace id is 1-128 visible ASCII characters without / ? # % or \\";
            return MCP_RESOURCE_NOT_FOUND;
        }
        if (!app_has_store(ctx->a)) {
            *ret_message = "no store: run `prova mcp --data DIR` or use the /mcp endpoint of `prova serve`";
            return MCP_RESOURCE_NOT_FOUND;
        }
        memcpy(id, s, n);
        id[n] = '\0';
        if (bundle) {
            app_call c;
            tool_call_init(&c, ctx);
            app_ope_export(&c, id, false);
            int rc = from_call(&c, uri, len, out, ret_message, "no such trace in the store");
            app_call_free(&c);
            return rc;
        }
        mcp_result res = {PROVA_BUF_INIT, PROVA_BUF_INIT, false};
        size_t count = 0;
        int rc = mcp_tools_trace_chain(ctx, &res, id, &count);
        if (rc < 0) {
            mcp_result_free(&res);
            return rc;
        }
        if (res.is_error || count == 0) {
            mcp_result_free(&res);
            *ret_message = "no such trace in the store";
            return MCP_RESOURCE_NOT_FOUND;
        }
        rc = contents(out, uri, len, res.structured.data, res.structured.len);
        mcp_result_free(&res);
        return rc;
    }
    if (starts(uri, len, "prova://certificates/", &p)) {
        if (!id_ok(uri + p, len - p)) {
            *ret_message = "unknown resource: a certificate id is 1-128 visible ASCII characters without / ? # % or \\";
            return MCP_RESOURCE_NOT_FOUND;
        }
        if (!app_has_store(ctx->a)) {
            *ret_message = "no store: run `prova mcp --data DIR` or use the /mcp endpoint of `prova serve`";
            return MCP_RESOURCE_NOT_FOUND;
        }
        memcpy(id, uri + p, len - p);
        id[len - p] = '\0';
        app_call c;
        tool_call_init(&c, ctx);
        app_oe_bundle(&c, id, false);
        int rc = from_call(&c, uri, len, out, ret_message, "no such certificate in the store");
        app_call_free(&c);
        return rc;
    }
    *ret_message = "unknown resource URI (prova://traces/{trace_id}, prova://traces/{trace_id}/bundle, "
                   "prova://certificates/{certificate_id})";
    return MCP_RESOURCE_NOT_FOUND;
}
