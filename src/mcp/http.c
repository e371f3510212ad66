/* The streamable HTTP transport: mcp_http_handle() applies the transport's rules to one request to the MCP
 * endpoint, whichever daemon received it (src/http serves /mcp for `prova serve` and `prova mcp --http` alike).
 *
 * SPEC: modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http:
 *   "Servers MUST validate the Origin header on all incoming connections ... If the Origin header is present and
 *    invalid, servers MUST respond with HTTP 403 Forbidden."
 *   "If the input is a JSON-RPC response or notification: If the server accepts the input, the server MUST return
 *    HTTP status code 202 Accepted with no body."
 *   "Servers that require a session ID SHOULD respond to requests without an Mcp-Session-Id header (other than
 *    initialization) with HTTP 400 Bad Request." "... MUST respond to requests containing [a terminated] session ID
 *    with HTTP 404 Not Found."
 *   "If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST respond with
 *    400 Bad Request."
 *   GET: "the server MUST either return Content-Type: text/event-stream ... or else return HTTP 405 Method Not
 *    Allowed, indicating that the server does not offer an SSE stream at this endpoint." prova returns 405.
 */
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonw.h"
#include "mcp.h"

void mcp_http_out_free(mcp_http_out *out) {
    if (!out) return;
    prova_buf_free(&out->body);
}

/* A transport-level error: the status and a JSON-RPC error body with id null. */
static int fail(mcp_http_out *out, unsigned status, const char *msg) {
    out->status = status;
    out->content_type = "application/json";
    out->body.len = 0;
    prova_jw w;
    prova_jw_init(&w, &out->body);
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "jsonrpc", "2.0");
    prova_jw_key(&w, "id");
    prova_jw_null(&w);
    prova_jw_key(&w, "error");
    prova_jw_obj(&w);
    prova_jw_ki64(&w, "code", -32000);
    prova_jw_kstr(&w, "message", msg);
    prova_jw_end(&w);
    prova_jw_end(&w);
    return prova_jw_finish(&w);
}

/* http://localhost[:port], http://127.0.0.1[:port], http://[::1][:port] (or https). */
static bool loopback_origin(const char *o) {
    if (strncasecmp(o, "http://", 7) == 0)
        o += 7;
    else if (strncasecmp(o, "https://", 8) == 0)
        o += 8;
    else
        return false;
    static const char *const hosts[] = {"localhost", "127.0.0.1", "[::1]"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(hosts[i]);
        if (strncasecmp(o, hosts[i], n) != 0) continue;
        const char *p = o + n;
        if (!*p) return true;
        if (*p++ != ':' || !*p) return false;
        while (*p >= '0' && *p <= '9') p++;
        return !*p;
    }
    return false;
}

static bool origin_ok(const mcp_config *c, const char *o) {
    if (!o) return true; /* not a browser */
    if (loopback_origin(o)) return true;
    for (size_t i = 0; i < c->norigins; i++)
        if (c->allowed_origins[i] && strcasecmp(c->allowed_origins[i], o) == 0) return true;
    return false;
}

/* Whether the Accept header allows JSON and/or SSE (absent: anything). */
static void accepts(const char *h, bool *json, bool *sse) {
    *json = *sse = false;
    if (!h) {
        *json = true;
        return;
    }
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t') p++;
        size_t n = strcspn(p, ",;");
        size_t t = n;
        while (t && (p[t - 1] == ' ' || p[t - 1] == '\t')) t--;
#define IS(s) (t == sizeof(s) - 1 && strncasecmp(p, s, t) == 0)
        if (IS("application/json") || IS("application/*")) *json = true;
        if (IS("text/event-stream") || IS("text/*")) *sse = true;
        if (IS("*/*")) *json = *sse = true;
#undef IS
        p += n;
        while (*p && *p != ',') p++;
    }
}

static bool json_content_type(const char *ct) {
    if (!ct) return false;
    while (*ct == ' ') ct++;
    if (strncasecmp(ct, "application/json", 16) != 0) return false;
    char e = ct[16];
    return e == '\0' || e == ';' || e == ' ';
}

/* The reply as the body: JSON, or one SSE event when the client accepts only text/event-stream. */
static int reply(mcp_http_out *out, prova_buf *msg, bool sse) {
    out->status = 200;
    if (!sse) {
        out->content_type = "application/json";
        prova_buf_free(&out->body);
        out->body = *msg;
        *msg = (prova_buf)PROVA_BUF_INIT;
        return 0;
    }
    out->content_type = "text/event-stream";
    out->body.len = 0;
    static const char head[] = "event: message\ndata: ";
    int rc = prova_buf_append(&out->body, head, sizeof head - 1);
    if (!rc) rc = prova_buf_append(&out->body, msg->data, msg->len);
    if (!rc) rc = prova_buf_append(&out->body, "\n\n", 2);
    return rc;
}

/* Whether the message is an initialize request (peeked before any session exists): 1 yes, 0 no, 2 not JSON,
 * or PROVA_ENOMEM. */
static int is_initialize(const uint8_t *body, size_t len, size_t max, uint32_t depth) {
    prova_parse_options po = {.max_depth = depth + 8, .max_size = max};
    prova_doc *doc = NULL;
    int rc = prova_json_parse(body, len, &po, &doc, NULL);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0) return 2;
    const prova_json *root = prova_doc_root(doc);
    int r = prova_json_str_eq(prova_json_get(root, "method"), "initialize") && prova_json_get(root, "id") ? 1 : 0;
    prova_doc_free(doc);
    return r;
}

int mcp_http_handle(mcp_server *s, const mcp_http_in *in, mcp_http_out *out) {
    const mcp_config *c = mcp_server_config(s);
    out->status = 0;
    out->session_id[0] = '\0';
    out->allow = NULL;
    out->www_authenticate = false;
    if (!origin_ok(c, in->origin))
        return fail(out, 403, "Forbidden: this Origin may not use the MCP endpoint (prova mcp --allow-origin)");
    if (in->token_required && !in->token) {
        out->www_authenticate = true;
        return fail(out, 401, "Unauthorized: this MCP endpoint needs a bearer token (Authorization: Bearer ...)");
    }
    if (in->method != MCP_HTTP_POST && in->method != MCP_HTTP_DELETE) {
        out->allow = "POST, DELETE";
        return fail(out, 405, "Method Not Allowed: POST JSON-RPC messages; this server offers no SSE stream on GET");
    }
    if (in->protocol && !mcp_version_supported(in->protocol))
        return fail(out, 400,
                    "Bad Request: unsupported MCP-Protocol-Version (supported: 2025-11-25, 2025-06-18, "
                    "2025-03-26, 2024-11-05)");
    if (in->method == MCP_HTTP_DELETE) {
        if (!in->session_id) return fail(out, 400, "Bad Request: DELETE needs the Mcp-Session-Id header");
        mcp_session *ss = mcp_sessions_acquire(s, in->session_id);
        if (!ss) return fail(out, 404, "Not Found: no such session (it ended or expired); initialize again");
        if (mcp_session_token(ss) != in->token) {
            mcp_sessions_release(s, ss, false);
            return fail(out, 404, "Not Found: no such session for this token");
        }
        mcp_sessions_close(s, ss);
        out->status = 204;
        out->content_type = "application/json";
        out->body.len = 0;
        return 0;
    }
    if (in->body_len > c->max_message) {
        char msg[160];
        snprintf(msg, sizeof msg, "Payload Too Large: a message may have at most %zu bytes", c->max_message);
        return fail(out, 413, msg);
    }
    if (!json_content_type(in->content_type))
        return fail(out, 415, "Unsupported Media Type: POST a JSON-RPC message as Content-Type: application/json");
    bool json, sse;
    accepts(in->accept, &json, &sse);
    if (!json && !sse) return fail(out, 406, "Not Acceptable: Accept must allow application/json or text/event-stream");

    int init = is_initialize(in->body, in->body_len, c->max_message, c->max_depth);
    if (init < 0) return init;
    mcp_session *ss = NULL;
    bool fresh = false;
    prova_buf msg = PROVA_BUF_INIT;
    int rc = 0;
    if (init == 2) { /* not JSON: a parse error from a throwaway session, with 400 */
        mcp_session *tmp = mcp_session_new(s, NULL);
        if (!tmp) return PROVA_ENOMEM;
        rc = mcp_handle(tmp, in->body ? in->body : (const uint8_t *)"", in->body_len, in->parent, &msg);
        mcp_session_free(tmp);
        if (!rc) rc = reply(out, &msg, !json);
        out->status = 400;
        prova_buf_free(&msg);
        return rc;
    }
    if (init == 1 && !in->session_id) {
        rc = mcp_sessions_open(s, in->token, &ss, out->session_id);
        if (rc == PROVA_ELIMIT)
            return fail(out, 503,
                        "Service Unavailable: too many MCP sessions are open (1024); end one with DELETE "
                        "or wait for idle ones to expire (1 hour)");
        if (rc < 0) return rc;
        fresh = true;
    } else {
        if (!in->session_id) return fail(out, 400, "Bad Request: missing Mcp-Session-Id header (initialize first)");
        ss = mcp_sessions_acquire(s, in->session_id);
        if (!ss) return fail(out, 404, "Not Found: no such session (it ended or expired); initialize again");
        if (mcp_session_token(ss) != in->token) {
            mcp_sessions_release(s, ss, false);
            return fail(out, 404, "Not Found: no such session for this token");
        }
    }
    rc = mcp_handle(ss, in->body, in->body_len, in->parent, &msg);
    bool keep = !fresh || mcp_session_version(ss)[0];
    mcp_sessions_release(s, ss, !keep);
    if (!keep) out->session_id[0] = '\0';
    if (rc < 0) {
        prova_buf_free(&msg);
        return rc;
    }
    if (msg.len == 0) { /* notifications and responses (or a cancelled request) */
        out->status = 202;
        out->content_type = "application/json";
        out->body.len = 0;
    } else {
        rc = reply(out, &msg, !json);
    }
    prova_buf_free(&msg);
    return rc;
}
