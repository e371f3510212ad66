/* prova mcp: prova's abilities as tools for AI agents over the Model Context Protocol (JSON-RPC 2.0), on stdio
 * and streamable HTTP, standalone (`prova mcp`) or inside the gateway (`prova serve`, POST /mcp). docs/mcp.md.
 *
 * Layers:
 *   mcp.c        the protocol: JSON-RPC 2.0 messages, initialize (version negotiation, capabilities), ping,
 *                tools/list, tools/call, resources/list|read|templates/list, notifications/initialized and
 *                notifications/cancelled; sessions
 *   stdio.c      newline-delimited JSON-RPC on stdin/stdout (logs on stderr only)
 *   http.c       streamable HTTP: mcp_http_handle(), the transport's rules for one request to /mcp (the daemon is
 *                src/http's)
 *   tools.c      the tools: names, schemas, annotations, handlers
 *   resources.c  prova:// resources (traces, certificates) and their templates
 * Tools call the service layer (src/app/app.h) directly: the same operations, rules and writer as the HTTP routes.
 * Without a store the store tools answer a tool error saying how to configure one. The HTTP transport's rules are
 * here (http.c); the daemon that carries them is src/http's, for `prova serve` and `prova mcp --http` alike.
 */
#ifndef PROVA_MCP_H
#define PROVA_MCP_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "app.h"
#include "prova/common.h"
#include "prova/json.h"

#define MCP_SERVER_NAME         "prova"
#define MCP_DEFAULT_MAX_MESSAGE ((size_t)4 << 20) /* bytes of one JSON-RPC message */

/* JSON-RPC error codes. */
enum {
    MCP_PARSE_ERROR = -32700,
    MCP_INVALID_REQUEST = -32600,
    MCP_METHOD_NOT_FOUND = -32601,
    MCP_INVALID_PARAMS = -32602,
    MCP_INTERNAL_ERROR = -32603,
    MCP_RESOURCE_NOT_FOUND = -32002,
};

/* ---- What a tool sees ------------------------------------------------------------------------------------ */

typedef struct mcp_ctx {
    app *a;                       /* the service (its store may be absent: document tools only) */
    const app_token *token;       /* the caller's authority for writes (its scopes); NULL: none */
    const prova_key *key;         /* the server's signing key (pack_envelope), or NULL */
    const prova_keyset *keys;     /* trusted public keys for verification (NULL: the service's) */
    uint32_t max_depth;           /* JSON nesting limit for documents passed in arguments (0: 128) */
    const atomic_bool *cancelled; /* set when the client cancelled this call (may be NULL) */
    otel_span
        *span; /* the request's span (tools/call), or NULL: the service's spans are its children (app_call.span) */
} mcp_ctx;

typedef struct mcp_result {
    prova_buf structured; /* a JSON object: structuredContent; its text is also sent as the text content */
    prova_buf text;       /* a tool error's message (plain UTF-8), or empty */
    bool is_error;        /* a tool execution error: isError true, text holds the message */
} mcp_result;

typedef struct mcp_tool {
    const char *name; /* ^[a-z][a-z0-9_]*$ */
    const char *title;
    const char *description;
    const char *input_schema;  /* a JSON Schema object (text) */
    const char *output_schema; /* a JSON Schema object (text) for structuredContent, or NULL */
    bool read_only;            /* annotations: readOnlyHint */
    bool destructive;          /* destructiveHint (only meaningful when not read_only) */
    bool idempotent;           /* idempotentHint */
    bool open_world;           /* openWorldHint (reads or writes outside the given arguments: files, the store) */
    /* Runs the tool on args (an object; {} when the call had none). Fills res: structured for a result, or
     * is_error + text for a tool error (bad arguments included: the model can correct them). Returns 0, or a
     * negative PROVA_E* for an internal failure (the call then gets a JSON-RPC internal error). */
    int (*run)(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
} mcp_tool;

/* The tools (tools.c), in the order tools/list shows them. */
const mcp_tool *mcp_tools(size_t *ret_n);
const mcp_tool *mcp_tool_find(const char *name, size_t len);

/* Sets res to a tool error with a printf-style message; returns 0 (the tool's return value) or PROVA_ENOMEM. */
int mcp_tool_error(mcp_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mcp_result_free(mcp_result *res);
/* The receipts of a trace from the store as get_chain's result {trace_id, receipts}; *ret_count receipts. Shared by
 * get_chain and the prova://traces/{id} resource. */
int mcp_tools_trace_chain(const mcp_ctx *ctx, mcp_result *res, const char *trace_id, size_t *ret_count);

/* ---- Resources (resources.c) ------------------------------------------------------------------------------ */

/* Appends the JSON array of resources/list (concrete resources, e.g. the most recent traces and certificates of the
 * store; [] without a store). 0 or a negative status. */
int mcp_resources_list(const mcp_ctx *ctx, prova_buf *out);
/* Appends the JSON array of resources/templates/list. */
int mcp_resource_templates(prova_buf *out);
/* Reads uri: appends the JSON array "contents" ([{uri, mimeType, text}]) and returns 0; returns
 * MCP_RESOURCE_NOT_FOUND (the JSON-RPC code, -32002) with *ret_message (static) when there is no such resource, or
 * a PROVA_E* status on failure. */
int mcp_resource_read(const mcp_ctx *ctx, const char *uri, size_t len, prova_buf *out, const char **ret_message);

/* ---- The server and its sessions (mcp.c) ------------------------------------------------------------------ */

typedef struct mcp_config {
    app *a;                             /* the service: its store (if any), keys and tokens */
    const prova_key *key;               /* pack_envelope's key (NULL: the service's signing key) */
    const prova_keyset *keys;           /* trusted keys for verify tools (NULL: the service's verify keys) */
    size_t max_message;                 /* 0: MCP_DEFAULT_MAX_MESSAGE */
    const char *const *allowed_origins; /* HTTP: Origin values accepted besides loopback ones (http://localhost,
                                           http://127.0.0.1, http://[::1], any port); a request without Origin is
                                           accepted (not a browser) */
    size_t norigins;
    uint32_t max_depth; /* 0: 128 */
    bool quiet;         /* no log lines on stderr */
} mcp_config;

typedef struct mcp_server mcp_server;
typedef struct mcp_session mcp_session;

mcp_server *mcp_server_new(const mcp_config *cfg);
void mcp_server_free(mcp_server *s);

/* A session: one stdio connection, or one Mcp-Session-Id over HTTP. token: the caller's authority (stdio: the
 * local user, all scopes; HTTP: the bearer token presented, or NULL). */
mcp_session *mcp_session_new(mcp_server *s, const app_token *token);
void mcp_session_free(mcp_session *ss);

/* Handles one received message (a JSON-RPC request, notification or response; a batch array is accepted for
 * 2025-03-26 clients). Appends the reply (a response object, or an array for a batch) to out, nothing for
 * notifications and responses. Protocol errors (parse error, invalid request, unknown method, bad params, a
 * request before initialize) are JSON-RPC error responses. Returns 0, or PROVA_ENOMEM. Thread-safe for different
 * sessions; one session's messages are handled one at a time.
 *
 * Telemetry (with the service's exporter, app_otel): each request gets a SERVER span ("tools/call NAME", or the
 * method), child of the traceparent (and tracestate) in its params._meta when valid, else of transport: the
 * context of the transport's span (the HTTP request's; NULL on stdio or without one). With a _meta parent the
 * transport's context is linked instead. docs/observability.md "Spans". */
int mcp_handle(mcp_session *ss, const uint8_t *msg, size_t len, const otel_ctx *transport, prova_buf *out);

/* The protocol version the session negotiated ("" before initialize). */
const char *mcp_session_version(const mcp_session *ss);

/* HTTP sessions (mcp.c, used by http.c): open one for a token (its id: 48 hex digits); acquire by id (NULL when
 * unknown or expired) and release (discard: end it); close ends it now. */
int mcp_sessions_open(mcp_server *s, const app_token *token, mcp_session **ret, char id[64]);
mcp_session *mcp_sessions_acquire(mcp_server *s, const char *id);
void mcp_sessions_release(mcp_server *s, mcp_session *ss, bool discard);
int mcp_sessions_close(mcp_server *s, mcp_session *ss);
const app_token *mcp_session_token(const mcp_session *ss);
const mcp_config *mcp_server_config(const mcp_server *s);
bool mcp_version_supported(const char *v);

/* ---- Transports ------------------------------------------------------------------------------------------- */

/* stdio.c: serves one session on in/out until EOF; returns a process exit code. */
int mcp_serve_stdio(mcp_server *s, int in_fd, int out_fd);

/* http.c: one HTTP request to the MCP endpoint, whoever received it. */
enum { MCP_HTTP_OTHER = 0, MCP_HTTP_GET, MCP_HTTP_POST, MCP_HTTP_DELETE };

typedef struct mcp_http_in {
    int method;               /* MCP_HTTP_* */
    const char *session_id;   /* Mcp-Session-Id header or NULL */
    const char *protocol;     /* MCP-Protocol-Version header or NULL */
    const char *origin;       /* Origin header or NULL */
    const char *accept;       /* Accept header or NULL */
    const char *content_type; /* Content-Type header or NULL */
    const app_token *token;   /* the valid bearer token presented, or NULL */
    bool token_required;      /* the endpoint is not on loopback: no token, no service (401) */
    const otel_ctx *parent;   /* the context of the HTTP request's span, or NULL: the MCP spans' parent (mcp_handle) */
    const uint8_t *body;
    size_t body_len;
} mcp_http_in;

typedef struct mcp_http_out {
    unsigned status;
    const char *content_type; /* static */
    char session_id[64];      /* an Mcp-Session-Id header to send ("" for none) */
    const char *allow;        /* an Allow header (405) or NULL */
    bool www_authenticate;    /* send WWW-Authenticate: Bearer (401) */
    prova_buf body;
} mcp_http_out;

int mcp_http_handle(mcp_server *s, const mcp_http_in *in, mcp_http_out *out);
void mcp_http_out_free(mcp_http_out *out);

#endif
