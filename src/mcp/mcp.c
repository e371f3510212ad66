/* The MCP protocol (JSON-RPC 2.0): message validation, initialize and version negotiation, ping, tools,
 * resources, cancellation; sessions (one per stdio connection, one per Mcp-Session-Id over HTTP). docs/mcp.md.
 *
 * SPEC: modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle: "If the server supports the requested
 * protocol version, it MUST respond with the same version. Otherwise, the server MUST respond with another
 * protocol version it supports. This SHOULD be the latest version supported by the server."
 */
#define _DEFAULT_SOURCE

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "jsonw.h"
#include "mcp.h"
#include "prova/encoding.h"

#define MCP_MAX_SESSIONS   1024
#define MCP_SESSION_IDLE_S 3600
#define MCP_ID_MAX         128 /* bytes of a request id's JSON tracked for cancellation */

static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

struct mcp_server {
    mcp_config cfg;
    pthread_mutex_t lock; /* the HTTP session table */
    mcp_session **sessions;
    size_t nsessions;
};

struct mcp_session {
    mcp_server *s;
    const app_token *token;
    pthread_mutex_t lock; /* one message at a time */
    char version[16];     /* negotiated; "" before initialize */
    bool initialized;     /* notifications/initialized received */
    /* cancellation: the request being handled (its id as JSON) and its flag */
    pthread_mutex_t cancel_lock;
    char inflight[MCP_ID_MAX];
    size_t inflight_len;
    atomic_bool cancelled;
    otel_span *span; /* the span of the request being handled (under lock), or NULL */
    /* HTTP */
    char id[64];
    int64_t last_used;
    unsigned refs;
    bool closed;
};

const mcp_config *mcp_server_config(const mcp_server *s) {
    return &s->cfg;
}
const app_token *mcp_session_token(const mcp_session *ss) {
    return ss->token;
}

bool mcp_version_supported(const char *v) {
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (strcmp(v, versions[i]) == 0) return true;
    return false;
}

static int64_t mono_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec;
}

mcp_server *mcp_server_new(const mcp_config *cfg) {
    if (!cfg->a) return NULL; /* the tools act through the service, with or without a store */
    mcp_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cfg = *cfg;
    if (!s->cfg.max_message) s->cfg.max_message = MCP_DEFAULT_MAX_MESSAGE;
    if (!s->cfg.max_depth) s->cfg.max_depth = 128;
    if (!s->cfg.key && s->cfg.a) s->cfg.key = app_key(s->cfg.a);
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void mcp_server_free(mcp_server *s) {
    if (!s) return;
    for (size_t i = 0; i < s->nsessions; i++) mcp_session_free(s->sessions[i]);
    free(s->sessions);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

mcp_session *mcp_session_new(mcp_server *s, const app_token *token) {
    mcp_session *ss = calloc(1, sizeof *ss);
    if (!ss) return NULL;
    ss->s = s;
    ss->token = token;
    pthread_mutex_init(&ss->lock, NULL);
    pthread_mutex_init(&ss->cancel_lock, NULL);
    atomic_init(&ss->cancelled, false);
    return ss;
}

void mcp_session_free(mcp_session *ss) {
    if (!ss) return;
    pthread_mutex_destroy(&ss->lock);
    pthread_mutex_destroy(&ss->cancel_lock);
    free(ss);
}

const char *mcp_session_version(const mcp_session *ss) {
    return ss->version;
}

/* ---- HTTP sessions ------------------------------------------------------------------------------------------ */

/* Drops idle sessions nobody is using. Called with s->lock held. */
static void purge_idle(mcp_server *s, int64_t now) {
    for (size_t i = 0; i < s->nsessions;) {
        mcp_session *ss = s->sessions[i];
        if (ss->refs == 0 && now - ss->last_used > MCP_SESSION_IDLE_S) {
            s->sessions[i] = s->sessions[--s->nsessions];
            mcp_session_free(ss);
        } else {
            i++;
        }
    }
}

/* A new session with a random id, referenced once (release it). 0, PROVA_ELIMIT (the table is full),
 * PROVA_ENOMEM or PROVA_EIO (no randomness). */
int mcp_sessions_open(mcp_server *s, const app_token *token, mcp_session **ret, char id[64]) {
    uint8_t rnd[24];
    size_t got = 0;
    while (got < sizeof rnd) {
        ssize_t n = getrandom(rnd + got, sizeof rnd - got, 0);
        if (n <= 0) return PROVA_EIO;
        got += (size_t)n;
    }
    mcp_session *ss = mcp_session_new(s, token);
    if (!ss) return PROVA_ENOMEM;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof rnd; i++) {
        ss->id[2 * i] = hex[rnd[i] >> 4];
        ss->id[2 * i + 1] = hex[rnd[i] & 15];
    }
    ss->id[2 * sizeof rnd] = '\0';
    pthread_mutex_lock(&s->lock);
    int64_t now = mono_s();
    purge_idle(s, now);
    int rc = 0;
    if (s->nsessions == MCP_MAX_SESSIONS) {
        rc = PROVA_ELIMIT;
    } else if (!s->sessions) {
        s->sessions = calloc(MCP_MAX_SESSIONS, sizeof *s->sessions);
        if (!s->sessions) rc = PROVA_ENOMEM;
    }
    if (rc == 0) {
        ss->last_used = now;
        ss->refs = 1;
        s->sessions[s->nsessions++] = ss;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc) {
        mcp_session_free(ss);
        return rc;
    }
    memcpy(id, ss->id, sizeof ss->id);
    *ret = ss;
    return 0;
}

/* The session with this id, referenced (release it), or NULL when unknown or expired. */
mcp_session *mcp_sessions_acquire(mcp_server *s, const char *id) {
    size_t n = strlen(id);
    if (n == 0 || n >= sizeof((mcp_session *)0)->id) return NULL;
    pthread_mutex_lock(&s->lock);
    int64_t now = mono_s();
    mcp_session *found = NULL;
    for (size_t i = 0; i < s->nsessions; i++) {
        mcp_session *ss = s->sessions[i];
        if (strlen(ss->id) == n && prova_ct_equal(ss->id, id, n)) {
            if (ss->refs == 0 && now - ss->last_used > MCP_SESSION_IDLE_S) {
                s->sessions[i] = s->sessions[--s->nsessions];
                mcp_session_free(ss);
            } else {
                found = ss;
                ss->refs++;
                ss->last_used = now;
            }
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

static void remove_locked(mcp_server *s, mcp_session *ss) {
    for (size_t i = 0; i < s->nsessions; i++)
        if (s->sessions[i] == ss) {
            s->sessions[i] = s->sessions[--s->nsessions];
            break;
        }
}

/* Gives a session back; discard: remove it too (an initialize that failed). */
void mcp_sessions_release(mcp_server *s, mcp_session *ss, bool discard) {
    pthread_mutex_lock(&s->lock);
    if (discard && !ss->closed) {
        remove_locked(s, ss);
        ss->closed = true;
    }
    ss->last_used = mono_s();
    bool gone = --ss->refs == 0 && ss->closed;
    pthread_mutex_unlock(&s->lock);
    if (gone) mcp_session_free(ss);
}

/* Ends a session (DELETE): removed now, freed when its last user releases it. The caller's reference is released. */
int mcp_sessions_close(mcp_server *s, mcp_session *ss) {
    pthread_mutex_lock(&s->lock);
    if (!ss->closed) remove_locked(s, ss);
    ss->closed = true;
    pthread_mutex_unlock(&s->lock);
    mcp_sessions_release(s, ss, false);
    return 0;
}

/* ---- Writing responses -------------------------------------------------------------------------------------- */

static int put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}

/* A JSON string; bytes that are not UTF-8 (a message quoting client bytes) become U+FFFD. */
static int put_str(prova_buf *b, const char *s, size_t n) {
    prova_jw w;
    prova_jw_init(&w, b);
    prova_jw_str_lossy(&w, s, n);
    return prova_jw_finish(&w);
}

static int put_cstr(prova_buf *b, const char *s) {
    return put_str(b, s, strlen(s));
}

/* The id as JSON (a validated string or integer), or null. */
static void put_id(prova_jw *w, const prova_json *id, prova_buf *scratch) {
    scratch->len = 0;
    if (id && prova_canon_write(id, PROVA_PROFILE_OPE, scratch, NULL) == 0)
        prova_jw_raw(w, scratch->data, scratch->len);
    else
        prova_jw_null(w);
}

/* {"jsonrpc":"2.0","id":ID,"result": — the result follows. */
static int begin_result(prova_buf *b, const prova_json *id) {
    prova_buf t = PROVA_BUF_INIT;
    int rc = put(b, "{\"jsonrpc\":\"2.0\",\"id\":");
    if (!rc) {
        prova_jw w;
        prova_jw_init(&w, b);
        put_id(&w, id, &t);
        rc = prova_jw_finish(&w);
    }
    if (!rc) rc = put(b, ",\"result\":");
    prova_buf_free(&t);
    return rc;
}

/* An error response; sp (the request's span, may be NULL) gets the error: error.type and rpc.response.status_code
 * the JSON-RPC code, its status ERROR with the message (semantic conventions, gen-ai/mcp). */
static int put_error(otel_span *sp, prova_buf *b, const prova_json *id, int code, const char *data_json,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int put_error(otel_span *sp, prova_buf *b, const prova_json *id, int code, const char *data_json,
                     const char *fmt, ...) {
    prova_buf msg = PROVA_BUF_INIT, t = PROVA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || prova_buf_reserve(&msg, (size_t)n + 1) < 0) return PROVA_ENOMEM;
    va_start(ap, fmt);
    vsnprintf((char *)msg.data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (otel_span_recording(sp)) {
        char num[16];
        snprintf(num, sizeof num, "%d", code);
        otel_span_str(sp, "error.type", num);
        otel_span_str(sp, "rpc.response.status_code", num);
        otel_span_error(sp, (const char *)msg.data);
    }
    prova_jw w;
    prova_jw_init(&w, b);
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "jsonrpc", "2.0");
    prova_jw_key(&w, "id");
    put_id(&w, id, &t);
    prova_jw_key(&w, "error");
    prova_jw_obj(&w);
    prova_jw_ki64(&w, "code", code);
    prova_jw_key(&w, "message");
    prova_jw_str_lossy(&w, (const char *)msg.data, (size_t)n);
    if (data_json) prova_jw_kraw(&w, "data", data_json, strlen(data_json));
    prova_jw_end(&w);
    prova_jw_end(&w);
    prova_buf_free(&msg);
    prova_buf_free(&t);
    return prova_jw_finish(&w);
}

/* ---- Methods ---------------------------------------------------------------------------------------------- */

static const char instructions[] =
    "prova makes and verifies signed, canonical records. Document tools (verify, verify_proof, canonicalize, "
    "canonicalize_value, hash, export, jwks) work on the JSON you pass in and never change anything. "
    "Store tools (append_receipt, get_chain, export_bundle, oe_append_event, oe_issue_certificate, "
    "oe_verify_certificate) act on the gateway store configured with `prova mcp --data DIR` (or the /mcp endpoint "
    "of `prova serve`); pack_envelope signs with the server's key. Verification results are reports with a "
    "verdict and the checks that failed: read them rather than retrying.";

static int m_initialize(mcp_session *ss, const prova_json *id, const prova_json *params, prova_buf *out) {
    const prova_json *pv = prova_json_get(params, "protocolVersion");
    if (!prova_json_is_string(pv))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL,
                         "initialize: params.protocolVersion must be a string");
    const prova_json *caps = prova_json_get(params, "capabilities");
    if (caps && !prova_json_is_object(caps))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL,
                         "initialize: params.capabilities must be an object");
    const prova_json *ci = prova_json_get(params, "clientInfo");
    if (ci && !prova_json_is_object(ci))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL,
                         "initialize: params.clientInfo must be an object");
    const char *v = versions[0];
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (strlen(versions[i]) == pv->len && memcmp(versions[i], pv->u.str, pv->len) == 0) v = versions[i];
    int rc = begin_result(out, id);
    if (!rc) rc = put(out, "{\"protocolVersion\":");
    if (!rc) rc = put_cstr(out, v);
    if (!rc)
        rc = put(out, ",\"capabilities\":{\"tools\":{\"listChanged\":false},"
                      "\"resources\":{\"subscribe\":false,\"listChanged\":false}},"
                      "\"serverInfo\":{\"name\":\"" MCP_SERVER_NAME "\",\"title\":\"prova: signed, verifiable "
                      "records (ODIN OPE, OpenExecution, Ophamin proofs)\",\"version\":\"" PROVA_VERSION_STRING
                      "\"},\"instructions\":");
    if (!rc) rc = put_cstr(out, instructions);
    if (!rc) rc = put(out, "}}");
    if (!rc) snprintf(ss->version, sizeof ss->version, "%s", v);
    return rc;
}

static void put_tool(prova_jw *w, const mcp_tool *t) {
    static const char any_object[] = "{\"type\":\"object\"}";
    const char *title = t->title ? t->title : t->name;
    const char *in = t->input_schema ? t->input_schema : any_object;
    prova_jw_obj(w);
    prova_jw_kstr(w, "name", t->name);
    prova_jw_kstr(w, "title", title);
    prova_jw_kstr(w, "description", t->description ? t->description : "");
    prova_jw_kraw(w, "inputSchema", in, strlen(in));
    if (t->output_schema) prova_jw_kraw(w, "outputSchema", t->output_schema, strlen(t->output_schema));
    prova_jw_key(w, "annotations");
    prova_jw_obj(w);
    prova_jw_kstr(w, "title", title);
    prova_jw_kbool(w, "readOnlyHint", t->read_only);
    prova_jw_kbool(w, "destructiveHint", t->destructive && !t->read_only);
    prova_jw_kbool(w, "idempotentHint", t->idempotent);
    prova_jw_kbool(w, "openWorldHint", t->open_world);
    prova_jw_end(w);
    prova_jw_end(w);
}

static int m_tools_list(mcp_session *ss, const prova_json *id, const prova_json *params, prova_buf *out) {
    if (prova_json_get(params, "cursor"))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL,
                         "tools/list: invalid cursor (the list has one page)");
    size_t n = 0;
    const mcp_tool *tools = mcp_tools(&n);
    size_t mark = out->len;
    int rc = begin_result(out, id);
    if (!rc) {
        prova_jw w;
        prova_jw_init(&w, out);
        prova_jw_obj(&w);
        prova_jw_key(&w, "tools");
        prova_jw_arr(&w);
        for (size_t i = 0; i < n; i++) put_tool(&w, &tools[i]);
        prova_jw_end(&w);
        prova_jw_end(&w);
        rc = prova_jw_finish(&w);
    }
    if (!rc) rc = put(out, "}");
    if (rc) out->len = mark;
    return rc;
}

static const prova_json empty_object = {.type = PROVA_JSON_OBJECT};

static void make_ctx(mcp_session *ss, mcp_ctx *ctx) {
    const mcp_config *c = &ss->s->cfg;
    ctx->a = c->a;
    ctx->token = ss->token;
    ctx->key = c->key;
    ctx->keys = c->keys;
    ctx->max_depth = c->max_depth;
    ctx->cancelled = &ss->cancelled;
    ctx->span = ss->span;
}

static int m_tools_call(mcp_session *ss, const prova_json *id, const prova_json *params, prova_buf *out) {
    const prova_json *name = prova_json_get(params, "name");
    if (!prova_json_is_string(name))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL, "tools/call: params.name must be a string");
    const mcp_tool *t = mcp_tool_find(name->u.str, name->len);
    if (!t) {
        char shown[80];
        snprintf(shown, sizeof shown, "%.*s", name->len > 64 ? 64 : (int)name->len, name->u.str);
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL, "unknown tool: %s%s (tools/list names them)",
                         shown, name->len > 64 ? "..." : "");
    }
    const prova_json *args = prova_json_get(params, "arguments");
    if (!args || prova_json_is_null(args)) args = &empty_object;
    if (!prova_json_is_object(args))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL,
                         "tools/call %s: params.arguments must be an object", t->name);
    mcp_ctx ctx;
    make_ctx(ss, &ctx);
    mcp_result res;
    memset(&res, 0, sizeof res);
    int rc = t->run(&ctx, args, &res);
    if (rc < 0) {
        if (!ss->s->cfg.quiet) fprintf(stderr, "prova mcp: tool %s failed: %s\n", t->name, prova_status_name(rc));
        mcp_result_free(&res);
        if (rc == PROVA_ENOMEM) return put_error(ss->span, out, id, MCP_INTERNAL_ERROR, NULL, "out of memory");
        return put_error(ss->span, out, id, MCP_INTERNAL_ERROR, NULL, "internal error in tool %s", t->name);
    }
    if (res.is_error && otel_span_recording(ss->span)) {
        /* SPEC (semantic conventions, gen-ai/mcp): "When CallToolResult is returned with isError set to true, this
         * attribute [error.type] SHOULD be set to tool_error." The service's reason code, when the tool had one, is
         * prova.error.code (tool_finish_call). */
        char msg[256];
        size_t n = res.text.len < sizeof msg - 1 ? res.text.len : sizeof msg - 1;
        if (n) memcpy(msg, res.text.data, n);
        msg[n] = '\0';
        otel_span_str(ss->span, "error.type", "tool_error");
        otel_span_error(ss->span, msg);
    }
    size_t mark = out->len;
    rc = begin_result(out, id);
    if (!rc && res.is_error) {
        rc = put(out, "{\"content\":[{\"type\":\"text\",\"text\":");
        if (!rc) rc = put_str(out, (const char *)(res.text.data ? res.text.data : (const uint8_t *)""), res.text.len);
        if (!rc) rc = put(out, "}],\"isError\":true}}");
    } else if (!rc) {
        const char *sj = res.structured.len ? (const char *)res.structured.data : "{}";
        size_t sl = res.structured.len ? res.structured.len : 2;
        rc = put(out, "{\"content\":[{\"type\":\"text\",\"text\":");
        if (!rc) rc = put_str(out, sj, sl);
        if (!rc) rc = put(out, "}],\"structuredContent\":");
        if (!rc) rc = prova_buf_append(out, sj, sl);
        if (!rc) rc = put(out, ",\"isError\":false}}");
    }
    if (rc) out->len = mark;
    mcp_result_free(&res);
    return rc;
}

static int m_resources_list(mcp_session *ss, const prova_json *id, const prova_json *params, prova_buf *out,
                            bool templates) {
    if (prova_json_get(params, "cursor"))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL, "invalid cursor (the list has one page)");
    mcp_ctx ctx;
    make_ctx(ss, &ctx);
    size_t mark = out->len;
    int rc = begin_result(out, id);
    if (!rc) rc = put(out, templates ? "{\"resourceTemplates\":" : "{\"resources\":");
    if (!rc) rc = templates ? mcp_resource_templates(out) : mcp_resources_list(&ctx, out);
    if (!rc) rc = put(out, "}}");
    if (rc < 0) {
        out->len = mark;
        if (rc == PROVA_ENOMEM) return rc;
        return put_error(ss->span, out, id, MCP_INTERNAL_ERROR, NULL, "the resources cannot be listed now");
    }
    return 0;
}

static int m_resources_read(mcp_session *ss, const prova_json *id, const prova_json *params, prova_buf *out) {
    const prova_json *uri = prova_json_get(params, "uri");
    if (!prova_json_is_string(uri))
        return put_error(ss->span, out, id, MCP_INVALID_PARAMS, NULL, "resources/read: params.uri must be a string");
    mcp_ctx ctx;
    make_ctx(ss, &ctx);
    size_t mark = out->len;
    const char *msg = NULL;
    int rc = begin_result(out, id);
    if (!rc) rc = put(out, "{\"contents\":");
    if (!rc) rc = mcp_resource_read(&ctx, uri->u.str, uri->len, out, &msg);
    if (rc == MCP_RESOURCE_NOT_FOUND) {
        out->len = mark;
        prova_buf data = PROVA_BUF_INIT;
        rc = put(&data, "{\"uri\":");
        if (!rc) rc = put_str(&data, uri->u.str, uri->len);
        if (!rc) rc = prova_buf_append(&data, "}", 2); /* with the NUL */
        if (!rc)
            rc = put_error(ss->span, out, id, MCP_RESOURCE_NOT_FOUND, (const char *)data.data, "%s",
                           msg ? msg : "resource not found");
        prova_buf_free(&data);
        return rc;
    }
    if (!rc) rc = put(out, "}}");
    if (rc < 0) {
        out->len = mark;
        if (rc == PROVA_ENOMEM) return rc;
        return put_error(ss->span, out, id, MCP_INTERNAL_ERROR, NULL, "the resource cannot be read now");
    }
    return 0;
}

/* ---- Dispatch ----------------------------------------------------------------------------------------------- */

static bool method_is(const prova_json *m, const char *name) {
    return prova_json_str_eq(m, name);
}

/* notifications/cancelled: flags the request in progress with that id. */
static void cancel(mcp_session *ss, const prova_json *params) {
    const prova_json *rid = prova_json_get(params, "requestId");
    if (!prova_json_is_string(rid) && !prova_json_is_int(rid)) return;
    char buf[MCP_ID_MAX];
    size_t n = 0;
    if (prova_canon_write_to(rid, PROVA_PROFILE_OPE, buf, sizeof buf, &n, NULL) < 0) return;
    pthread_mutex_lock(&ss->cancel_lock);
    if (ss->inflight_len && n == ss->inflight_len && memcmp(buf, ss->inflight, n) == 0)
        atomic_store(&ss->cancelled, true);
    pthread_mutex_unlock(&ss->cancel_lock);
}

static void set_inflight(mcp_session *ss, const prova_json *id) {
    size_t n = 0;
    pthread_mutex_lock(&ss->cancel_lock);
    if (!id || prova_canon_write_to(id, PROVA_PROFILE_OPE, ss->inflight, sizeof ss->inflight, &n, NULL) < 0) n = 0;
    ss->inflight_len = n;
    atomic_store(&ss->cancelled, false);
    pthread_mutex_unlock(&ss->cancel_lock);
}

static int handle_request(mcp_session *ss, const prova_json *id, const prova_json *method, const prova_json *params,
                          bool in_batch, prova_buf *out);

/* The methods a span is named after; another method's span is "_OTHER" (a client's method names would make span
 * names unbounded), its mcp.method.name attribute the method as sent. */
static const char *const known_methods[] = {
    "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read"};

/* The SERVER span of a request (semantic conventions, gen-ai/mcp). SPEC: "MCP server instrumentation SHOULD, by
 * default, use context extracted from MCP params._meta as a parent for MCP server span and SHOULD link current
 * ambient context, if it's present." The ambient context is the transport's (the HTTP request's span), which is the
 * parent when _meta has no valid traceparent. */
static otel_span *request_span(mcp_session *ss, const prova_json *id, const prova_json *method,
                               const prova_json *params, const otel_ctx *transport) {
    otel *o = app_otel(ss->s->cfg.a);
    if (!o) return NULL;
    const prova_json *meta = prova_json_get(params, "_meta");
    const prova_json *tp = prova_json_get(meta, "traceparent"), *ts = prova_json_get(meta, "tracestate");
    otel_ctx remote;
    bool from_meta = prova_json_is_string(tp) &&
                     otel_ctx_parse(&remote, tp->u.str, prova_json_is_string(ts) ? ts->u.str : NULL) == 0;
    const char *name = "_OTHER";
    for (size_t i = 0; i < sizeof known_methods / sizeof known_methods[0]; i++)
        if (method_is(method, known_methods[i])) name = known_methods[i];
    const mcp_tool *tool = NULL;
    char full[96];
    if (method_is(method, "tools/call")) {
        const prova_json *tn = prova_json_get(params, "name");
        tool = prova_json_is_string(tn) ? mcp_tool_find(tn->u.str, tn->len) : NULL;
        if (tool) { /* only a known tool's name: the span name stays of low cardinality */
            snprintf(full, sizeof full, "tools/call %s", tool->name);
            name = full;
        }
    }
    otel_span *sp = otel_span_start(o, from_meta ? &remote : transport, name, OTEL_KIND_SERVER);
    if (!otel_span_recording(sp)) return sp;
    if (from_meta && transport) otel_span_link(sp, transport);
    otel_span_strn(sp, "mcp.method.name", method->u.str, method->len);
    otel_span_strn(sp, "jsonrpc.request.id", id->u.str, id->len); /* a string's text, or an integer's token */
    if (ss->id[0]) otel_span_str(sp, "mcp.session.id", ss->id);
    if (ss->version[0]) otel_span_str(sp, "mcp.protocol.version", ss->version);
    if (tool) {
        otel_span_str(sp, "gen_ai.tool.name", tool->name);
        otel_span_str(sp, "gen_ai.operation.name", "execute_tool");
    }
    const prova_json *uri = method_is(method, "resources/read") ? prova_json_get(params, "uri") : NULL;
    if (prova_json_is_string(uri)) otel_span_strn(sp, "mcp.resource.uri", uri->u.str, uri->len);
    return sp;
}

/* One message (not an array). in_batch: initialize is refused there. transport: the context of the transport's
 * span, or NULL. */
static int handle_one(mcp_session *ss, const prova_json *m, bool in_batch, const otel_ctx *transport, prova_buf *out) {
    if (!prova_json_is_object(m))
        return put_error(NULL, out, NULL, MCP_INVALID_REQUEST, NULL,
                         "Invalid Request: a message must be a JSON object");
    const prova_json *id = prova_json_get(m, "id");
    const prova_json *method = prova_json_get(m, "method");
    const prova_json *params = prova_json_get(m, "params");
    bool id_ok = id && (prova_json_is_string(id) || prova_json_is_int(id));
    const prova_json *eid = id_ok ? id : NULL;
    if (!prova_json_str_eq(prova_json_get(m, "jsonrpc"), "2.0"))
        return put_error(NULL, out, eid, MCP_INVALID_REQUEST, NULL, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
    if (!method) {
        /* A response from the client (to a request this server never sends): ignored. */
        if (id && (prova_json_get(m, "result") || prova_json_get(m, "error"))) return 0;
        return put_error(NULL, out, eid, MCP_INVALID_REQUEST, NULL, "Invalid Request: \"method\" is missing");
    }
    if (id && !id_ok)
        return put_error(NULL, out, NULL, MCP_INVALID_REQUEST, NULL,
                         "Invalid Request: \"id\" must be a string or an integer (not null, a float or a structure)");
    if (!prova_json_is_string(method))
        return put_error(NULL, out, eid, MCP_INVALID_REQUEST, NULL, "Invalid Request: \"method\" must be a string");
    if (params && !prova_json_is_object(params)) {
        if (!id) return 0;
        if (prova_json_is_array(params))
            return put_error(NULL, out, id, MCP_INVALID_PARAMS, NULL, "Invalid params: \"params\" must be an object");
        return put_error(NULL, out, id, MCP_INVALID_REQUEST, NULL,
                         "Invalid Request: \"params\" must be an object when present");
    }
    if (!params) params = &empty_object;

    if (!id) { /* a notification: never answered */
        if (method_is(method, "notifications/initialized")) {
            if (ss->version[0]) ss->initialized = true;
        } else if (method_is(method, "notifications/cancelled")) {
            cancel(ss, params);
        }
        return 0;
    }
    ss->span = request_span(ss, id, method, params, transport);
    int rc = handle_request(ss, id, method, params, in_batch, out);
    otel_span_end(ss->span);
    ss->span = NULL;
    return rc;
}

/* A request (it has an id), with ss->span its span. */
static int handle_request(mcp_session *ss, const prova_json *id, const prova_json *method, const prova_json *params,
                          bool in_batch, prova_buf *out) {
    if (method_is(method, "ping")) {
        int rc = begin_result(out, id);
        return rc ? rc : put(out, "{}}");
    }
    if (method_is(method, "initialize")) {
        if (in_batch)
            return put_error(ss->span, out, id, MCP_INVALID_REQUEST, NULL,
                             "Invalid Request: initialize must not be in a batch");
        if (ss->version[0])
            return put_error(ss->span, out, id, MCP_INVALID_REQUEST, NULL,
                             "Invalid Request: the session is already initialized (protocol %s)", ss->version);
        return m_initialize(ss, id, params, out);
    }
    if (!ss->version[0])
        return put_error(ss->span, out, id, MCP_INVALID_REQUEST, NULL,
                         "Invalid Request: the session is not initialized; send initialize first");
    if (method_is(method, "tools/list")) return m_tools_list(ss, id, params, out);
    if (method_is(method, "tools/call")) {
        size_t mark = out->len;
        set_inflight(ss, id);
        int rc = m_tools_call(ss, id, params, out);
        /* SPEC (basic/utilities/cancellation): "Receivers of cancellation notifications SHOULD ... Not send a
         * response for the cancelled request" */
        if (rc == 0 && atomic_load(&ss->cancelled)) out->len = mark;
        set_inflight(ss, NULL);
        return rc;
    }
    if (method_is(method, "resources/list")) return m_resources_list(ss, id, params, out, false);
    if (method_is(method, "resources/templates/list")) return m_resources_list(ss, id, params, out, true);
    if (method_is(method, "resources/read")) return m_resources_read(ss, id, params, out);
    char shown[80];
    snprintf(shown, sizeof shown, "%.*s", method->len > 64 ? 64 : (int)method->len, method->u.str);
    return put_error(ss->span, out, id, MCP_METHOD_NOT_FOUND, NULL, "Method not found: %s%s", shown,
                     method->len > 64 ? "..." : "");
}

static const char *parse_reason(const prova_error *e) {
    const char *r = e->reason ? e->reason : "";
    if (strcmp(r, "json_duplicate_key") == 0) return "a duplicate object key";
    if (strcmp(r, "json_depth_limit") == 0) return "nesting deeper than the limit";
    if (strcmp(r, "json_size_limit") == 0) return "a message larger than the limit";
    if (strcmp(r, "json_empty") == 0) return "an empty message";
    return e->message ? e->message : "malformed JSON";
}

int mcp_handle(mcp_session *ss, const uint8_t *msg, size_t len, const otel_ctx *transport, prova_buf *out) {
    const mcp_config *c = &ss->s->cfg;
    if (len > c->max_message)
        return put_error(NULL, out, NULL, MCP_INVALID_REQUEST, NULL,
                         "Invalid Request: the message is %zu bytes; the limit is %zu", len, c->max_message);
    prova_parse_options po = {0};
    po.max_depth = c->max_depth + 8; /* message, params, arguments, then the documents' own limit */
    po.max_size = c->max_message;
    prova_doc *doc = NULL;
    prova_error e;
    memset(&e, 0, sizeof e);
    int rc = prova_json_parse(msg, len, &po, &doc, &e);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0)
        return put_error(NULL, out, NULL, MCP_PARSE_ERROR, NULL, "Parse error: %s at line %zu, column %zu (%s)",
                         parse_reason(&e), e.line, e.column, e.reason ? e.reason : "json_syntax");
    const prova_json *root = prova_doc_root(doc);
    if (prova_json_is_object(root)) {
        /* A cancellation is taken at once, without waiting for the call it cancels (HTTP: another thread). */
        const prova_json *m = prova_json_get(root, "method");
        if (!prova_json_get(root, "id") && prova_json_str_eq(m, "notifications/cancelled") &&
            prova_json_str_eq(prova_json_get(root, "jsonrpc"), "2.0")) {
            cancel(ss, prova_json_get(root, "params"));
            prova_doc_free(doc);
            return 0;
        }
    }
    pthread_mutex_lock(&ss->lock);
    if (prova_json_is_array(root)) {
        size_t n = prova_json_len(root);
        if (n == 0) {
            rc = put_error(NULL, out, NULL, MCP_INVALID_REQUEST, NULL, "Invalid Request: an empty batch");
        } else {
            size_t mark = out->len;
            rc = put(out, "[");
            size_t start = out->len;
            for (size_t i = 0; !rc && i < n; i++) {
                size_t before = out->len;
                if (out->len > start) rc = put(out, ",");
                size_t body = out->len;
                if (!rc) rc = handle_one(ss, prova_json_at(root, i), true, transport, out);
                if (!rc && out->len == body) out->len = before; /* nothing to answer: drop the comma */
            }
            if (!rc) rc = out->len == start ? (out->len = mark, 0) : put(out, "]");
            if (rc) out->len = mark;
        }
    } else {
        rc = handle_one(ss, root, false, transport, out);
    }
    pthread_mutex_unlock(&ss->lock);
    prova_doc_free(doc);
    return rc;
}
