/* The MCP tools' shared helpers: results, JSON, arguments, the service (tools_internal.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "prova/encoding.h"
#include "tools_internal.h"

const char tool_no_store[] = "no store: run `prova mcp --data DIR` (a gateway data directory) or use the /mcp "
                             "endpoint of `prova serve`";

/* ---- Results ------------------------------------------------------------------------------------------------ */

/* The message of a tool error, of any length (never cut). */
static int vmessage(prova_buf *out, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static int vmessage(prova_buf *out, const char *fmt, va_list ap) {
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) n = 0;
    int rc = prova_buf_reserve(out, (size_t)n + 1);
    if (rc == 0) {
        vsnprintf((char *)out->data + out->len, (size_t)n + 1, fmt, ap);
        out->len += (size_t)n;
    }
    return rc;
}

int mcp_tool_error(mcp_result *res, const char *fmt, ...) {
    res->is_error = true;
    res->text.len = 0;
    res->structured.len = 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = vmessage(&res->text, fmt, ap);
    va_end(ap);
    return rc < 0 ? PROVA_ENOMEM : 0;
}

void mcp_result_free(mcp_result *res) {
    if (!res) return;
    prova_buf_free(&res->structured);
    prova_buf_free(&res->text);
    res->is_error = false;
}

int tool_err(mcp_result *res, const char *fmt, ...) {
    res->is_error = true;
    res->text.len = 0;
    res->structured.len = 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = vmessage(&res->text, fmt, ap);
    va_end(ap);
    return rc < 0 ? PROVA_ENOMEM : TOOL_ERR;
}

int tool_done(int rc) {
    return rc == TOOL_ERR ? 0 : rc;
}

/* ---- Writing JSON ------------------------------------------------------------------------------------------- */

int tool_put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}
int tool_putn(prova_buf *b, const void *s, size_t n) {
    return prova_buf_append(b, s, n);
}
/* A JSON string literal of n bytes of UTF-8. */
int tool_put_strn(prova_buf *b, const char *s, size_t n) {
    return prova_json_put_string(b, s, n);
}
int tool_put_str(prova_buf *b, const char *s) {
    return tool_put_strn(b, s, strlen(s));
}
int tool_put_u64(prova_buf *b, unsigned long long v) {
    char num[32];
    int n = snprintf(num, sizeof num, "%llu", v);
    return tool_putn(b, num, (size_t)n);
}
/* A value as compact JSON (members in code point order, UTF-8 kept). */
int tool_put_value(prova_buf *b, const prova_json *v) {
    prova_error e;
    return prova_canon_write(v, PROVA_PROFILE_OPE, b, &e);
}

/* ---- Arguments ------------------------------------------------------------------------------------------------ */

/* Refuses members of args that the tool does not take (its inputSchema says additionalProperties false). */
int tool_check_args(mcp_result *res, const prova_json *args, const char *const *names) {
    if (!prova_json_is_object(args)) return tool_err(res, "the arguments must be a JSON object");
    for (size_t i = 0; i < args->len; i++) {
        const prova_json *k = &args->u.members[i].key;
        bool ok = false;
        for (size_t j = 0; names[j] && !ok; j++) ok = prova_json_str_eq(k, names[j]);
        if (ok) continue;
        char list[512] = "";
        size_t used = 0;
        for (size_t j = 0; names[j]; j++) {
            int n = snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "", names[j]);
            if (n < 0 || (size_t)n >= sizeof list - used) break;
            used += (size_t)n;
        }
        return tool_err(res, "unknown argument '%.64s' (this tool takes: %s)", prova_json_str(k),
                        names[0] ? list : "no arguments");
    }
    return 0;
}

/* The argument called name, or *ret NULL when it is absent or null (a tool error when required). */
static int arg_present(mcp_result *res, const prova_json *args, const char *name, bool required, const char *what,
                       const prova_json **ret) {
    const prova_json *v = prova_json_get(args, name);
    *ret = NULL;
    if (!v || prova_json_is_null(v)) return required ? tool_err(res, "argument '%s' is required (%s)", name, what) : 0;
    *ret = v;
    return 0;
}

/* A string argument: *ret is NULL when absent (or null) and not required. NUL bytes are refused. */
int tool_arg_str(mcp_result *res, const prova_json *args, const char *name, bool required, const char *what,
                 const prova_json **ret) {
    int rc = arg_present(res, args, name, required, what, ret);
    const prova_json *v = *ret;
    if (rc || !v) return rc;
    *ret = NULL;
    if (!prova_json_is_string(v)) return tool_err(res, "argument '%s' must be a string (%s)", name, what);
    if (strlen(prova_json_str(v)) != prova_json_len(v))
        return tool_err(res, "argument '%s' must not contain NUL characters", name);
    *ret = v;
    return 0;
}

int tool_arg_bool(mcp_result *res, const prova_json *args, const char *name, bool *ret) {
    const prova_json *v = prova_json_get(args, name);
    if (!v || prova_json_is_null(v)) return 0;
    if (!prova_json_is_bool(v)) return tool_err(res, "argument '%s' must be a boolean (true or false)", name);
    *ret = prova_json_typeof(v) == PROVA_JSON_TRUE;
    return 0;
}

int tool_arg_object(mcp_result *res, const prova_json *args, const char *name, bool required, const char *what,
                    const prova_json **ret) {
    int rc = arg_present(res, args, name, required, what, ret);
    const prova_json *v = *ret;
    if (rc || !v) return rc;
    *ret = NULL;
    if (!prova_json_is_object(v)) return tool_err(res, "argument '%s' must be a JSON object (%s)", name, what);
    *ret = v;
    return 0;
}

/* An id (trace, chain, certificate): the service's one rule for ids (app_id_problem). */
int tool_arg_id(mcp_result *res, const prova_json *args, const char *name, bool required, const char **ret) {
    const char *what = "an id: 1-128 visible ASCII characters without '/', '?', '#', '%' or '\\'";
    const prova_json *v;
    int rc = arg_present(res, args, name, required, what, &v);
    *ret = NULL;
    if (rc || !v) return rc;
    if (!prova_json_is_string(v)) return tool_err(res, "argument '%s' must be a string (%s)", name, what);
    /* The HTTP API's rule and reason code (a NUL is one of the characters it refuses). */
    const char *bad = app_id_problem(prova_json_str(v), prova_json_len(v));
    if (bad) return tool_err(res, "argument '%s': refused (%s): %s", name, APP_ID_INVALID, bad);
    *ret = prova_json_str(v);
    return 0;
}

uint32_t tool_depth(const mcp_ctx *ctx) {
    return ctx->max_depth ? ctx->max_depth : PROVA_DEFAULT_MAX_DEPTH;
}

/* Parses a string argument's JSON text; a failure is a tool error naming the argument and the position. */
int tool_parse_text(const mcp_ctx *ctx, mcp_result *res, const char *name, const void *text, size_t len, uint32_t flags,
                    prova_doc **ret) {
    prova_parse_options po = {0};
    po.flags = flags;
    po.max_depth = tool_depth(ctx);
    prova_error e;
    int rc = prova_json_parse(text, len, &po, ret, &e);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0)
        return tool_err(res, "%s is not valid JSON: %s (%s) at line %zu, column %zu", name, e.message, e.reason, e.line,
                        e.column);
    return 0;
}

/* "value" (any JSON) or "value_json" (its text): exactly one. Appends the document's bytes to out (a value is
 * written compactly with its members sorted, which no canonical form depends on). */
int tool_arg_document(const mcp_ctx *ctx, mcp_result *res, const prova_json *args, const char *vname, const char *tname,
                      prova_buf *out) {
    (void)ctx;
    const prova_json *v = prova_json_get(args, vname);
    const prova_json *t = tname ? prova_json_get(args, tname) : NULL;
    if (v && t) return tool_err(res, "give either '%s' or '%s', not both", vname, tname);
    if (t) {
        if (!prova_json_is_string(t)) return tool_err(res, "argument '%s' must be a string of JSON text", tname);
        return tool_putn(out, prova_json_str(t), prova_json_len(t));
    }
    if (!v) {
        if (tname) return tool_err(res, "argument '%s' (any JSON value) or '%s' (JSON text) is required", vname, tname);
        return tool_err(res, "argument '%s' is required", vname);
    }
    if (!tname && prova_json_is_string(v)) return tool_putn(out, prova_json_str(v), prova_json_len(v));
    int rc = tool_put_value(out, v);
    if (rc < 0 && rc != PROVA_ENOMEM) return tool_err(res, "argument '%s' cannot be written as JSON", vname);
    return rc;
}

int64_t tool_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool tool_cancelled(const mcp_ctx *ctx) {
    return ctx->cancelled && atomic_load(ctx->cancelled);
}

/* ---- The gateway ---------------------------------------------------------------------------------------------- */

void tool_call_init(app_call *c, const mcp_ctx *ctx) {
    app_call_init(c, ctx->a, ctx->token);
    c->span = ctx->span;
}

int tool_need_store(const mcp_ctx *ctx, mcp_result *res) {
    return app_has_store(ctx->a) ? 0 : tool_err(res, "%s", tool_no_store);
}

int tool_parse_big(const void *data, size_t len, prova_doc **ret) {
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    po.max_depth = 1000;
    return prova_json_parse(data, len, &po, ret, NULL);
}

/* Runs an operation of the service to its end (a write waits for its commit). A refusal becomes the tool error
 * "WHAT: refused (STATUS CODE): MESSAGE". 0 with the result in c->res, TOOL_ERR, or a negative status. */
int tool_finish_call(mcp_result *res, app_call *c, int rc, const char *what) {
    app_call_run(c, rc);
    if (!app_call_failed(c)) return 0;
    otel_span_str(c->span, "prova.error.code", c->err.code); /* the request's span: error.type is tool_error */
    return tool_err(res, "%s: refused (%u %s): %.600s", what, c->err.status, c->err.code, c->err.message);
}
