/* The HTTP daemon: one libmicrohttpd server (thread pool, epoll) that serves the gateway's routes and /mcp for
 * `prova serve`, and only /mcp and /health for `prova mcp --http`, with the same limits, TLS, tokens and metrics.
 * docs/operations.md, docs/architecture.md.
 *
 * A request runs on a pool thread: its body is collected under the size limit, the route is matched, and the
 * route's handler calls the service (src/app). A write comes back APP_PENDING: the connection is suspended and
 * resumed by the service's writer once the write is committed; then the call's result becomes the response. */
#ifndef PROVA_HTTP_H
#define PROVA_HTTP_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "app.h"
#include "mcp.h"
#include "otel_data.h"

struct MHD_Connection;
struct MHD_Daemon;

typedef struct http_config {
    const char *listen;      /* "127.0.0.1:8080", "[::1]:8080", ":8080" (and PORT alone when bare_port) */
    bool bare_port;          /* accept PORT alone for 127.0.0.1:PORT */
    bool mcp_only;           /* serve only /mcp and /health (prova mcp --http) */
    bool no_mcp;             /* do not serve /mcp */
    struct witness *witness; /* prova witness: serve only its routes, /health, /version and /metrics */
    const char *tls_cert, *tls_key;
    const char *tls_priority;       /* GnuTLS priority string; NULL: HTTP_TLS_PRIORITY (docs/operations.md "TLS") */
    unsigned threads;               /* pool threads; 0: 2 x CPUs */
    unsigned max_connections;       /* capped by the open-files limit (RLIMIT_NOFILE) */
    unsigned max_per_ip;            /* connections from one address (0: no limit) */
    unsigned timeout_s;             /* idle connection timeout */
    unsigned header_timeout_s;      /* a request head must arrive within this, in all (0: no deadline) */
    unsigned min_body_rate;         /* bytes/s a body must average after the grace (0: no minimum) */
    size_t max_body;                /* bytes */
    size_t max_header;              /* bytes of request line + headers (per-connection memory) */
    bool quiet;                     /* no access log (whatever access_log says) */
    int access_log;                 /* HTTP_ACCESS_TEXT (the default), HTTP_ACCESS_JSON or HTTP_ACCESS_OFF */
    const char *log_prefix;         /* "prova serve", "prova mcp" */
    const char *const *mcp_origins; /* Origin values /mcp accepts besides loopback ones */
    size_t nmcp_origins;
    /* Compression (docs/compression.md): responses of at least compress_min bytes are compressed when the client's
     * Accept-Encoding allows (SIZE_MAX: never); a request body with Content-Encoding is decoded under max_body and
     * max_ratio (bytes out per byte in once past HTTP_RATIO_FLOOR; 0: no ratio limit). */
    size_t compress_min;
    unsigned max_ratio;
} http_config;
#define HTTP_COMPRESS_MIN 1024u
#define HTTP_RATIO_FLOOR  ((size_t)64 << 10)

void http_config_defaults(http_config *c);

/* The access log's formats (--access-log; docs/observability.md "Access log"): one line per request on stderr,
 * "METHOD path status NNNus NNNB" (text) or a JSON object (json, JSON Lines), an OTLP log record in the request's
 * trace (otlp: to the OpenTelemetry exporter's logs endpoint, nothing on stderr), or none (off). */
enum { HTTP_ACCESS_TEXT = 0, HTTP_ACCESS_JSON = 1, HTTP_ACCESS_OFF = 2, HTTP_ACCESS_OTLP = 3 };
/* "text", "json", "off" or "otlp" into *ret: 0, or -1 (anything else; *ret unchanged). */
int http_access_log_parse(const char *s, int *ret);
#define HTTP_ACCESS_LOG_FORMATS "text, json, otlp or off"

/* The TLS policy by default: TLS 1.3 and 1.2 only; in TLS 1.2 only ECDHE key exchange (forward secrecy) with AEAD
 * ciphers (AES-GCM, ChaCha20-Poly1305); ECDHE groups only (X25519, P-256, P-384); no SHA-1 signatures. */
#define HTTP_TLS_PRIORITY                                                                                              \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:"    \
    "+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:"                \
    "-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:%SERVER_PRECEDENCE"

typedef struct httpd httpd;

/* Starts listening. app: the service (its store may be absent); mcp: the MCP server behind /mcp (NULL: none).
 * On failure logs why and returns a CLI exit code (2: configuration, 3: system). */
int http_start(const http_config *cfg, app *a, mcp_server *mcp, httpd **ret);
/* Checks the TLS settings (both of --tls-cert and --tls-key, or neither; a --tls-priority GnuTLS accepts, only with
 * them) before anything is opened. 0, or 2 (logged). http_start checks them too. */
int http_check_tls(const http_config *cfg);
/* Stops accepting, lets in-flight requests finish (their writes included), stops. NULL is a no-op. */
void http_stop(httpd *d);

/* A listen address: HOST:PORT, [V6]:PORT, :PORT (every interface; "localhost" is 127.0.0.1) and, when bare_port,
 * PORT alone for 127.0.0.1:PORT. *ret_loopback: only this machine can connect. 0, or -1 when it does not parse. */
int http_parse_listen(const char *s, bool bare_port, struct sockaddr_storage *ss, socklen_t *len, bool *ret_loopback);

/* ---- Inside the daemon (daemon.c, routes.c, metrics.c) ------------------------------------------------------- */

enum { HTTP_GET = 1, HTTP_POST = 2, HTTP_DELETE = 3 };
enum { HTTP_MAX_HEADERS = 8, HTTP_MAX_PARAMS = 2 };
enum { HTTP_CODES = 16, HTTP_BUCKETS = 14 };
/* Why the guard closed a connection: the head deadline, the body rate, shed to keep room for new requests. */
enum { HTTP_CLOSE_HEADER, HTTP_CLOSE_BODY, HTTP_CLOSE_SHED, HTTP_CLOSE_REASONS };
enum { HTTP_BODY_GRACE_S = 10 }; /* the body rate's grace when there is no head deadline (else the deadline) */

typedef struct http_route_metrics {
    atomic_ullong by_code[HTTP_CODES];
    atomic_ullong bucket[HTTP_BUCKETS];
    atomic_ullong count, sum_us;
} http_route_metrics;

struct httpd {
    http_config cfg;
    app *a;
    mcp_server *mcp;
    bool loopback; /* the listen address is a loopback one: /mcp needs no token */
    struct MHD_Daemon *daemon;
    atomic_long inflight;
    atomic_bool stopping; /* set by http_stop: new requests get 503 instead of a handler (and never suspend) */
    http_route_metrics *route_metrics;                           /* one per route + one for "unmatched" */
    struct http_guard *guard;                                    /* slow clients (guard.c) */
    atomic_long conn_open;                                       /* connections open now */
    atomic_ullong conn_closed[HTTP_CLOSE_REASONS], conn_refused; /* by the guard; over the connection limits */
    atomic_ullong coded_in[3], coded_out[3]; /* bodies decoded, responses compressed; by prova_compression */
    uint8_t rid_key[32]; /* request ids (daemon.c request_id): ChaCha20 under this key, at rid_counter */
    atomic_ullong rid_counter;
};

typedef struct http_resp {
    unsigned status;
    const char *content_type;
    prova_buf body;
    const char *hname[HTTP_MAX_HEADERS];
    char *hvalue[HTTP_MAX_HEADERS];
    unsigned nheaders;
} http_resp;

typedef struct http_req http_req;
typedef int (*http_handler)(http_req *r);

/* What a handler returns. */
#define HTTP_RESPONDED 0 /* r->resp is set */
#define HTTP_CALLED    1 /* r->call holds the result or the error: the daemon writes the response from it */
#define HTTP_PENDING   2 /* the call waits for the writer */

typedef struct http_route {
    int method;
    const char *pattern; /* '*' matches one non-empty path segment */
    http_handler handler;
    unsigned scope;   /* the scope its writes need (0: open); a bad bearer token is refused before the handler */
    const char *name; /* for metrics: the pattern with {names} */
    bool wrap_data;   /* the call's result is sent as {"data": result} (the OpenExecution API) */
    bool mcp_mode;    /* also served by prova mcp --http */
    unsigned char witness_mode; /* HTTP_W_NO (the default), HTTP_W_ALSO (also by prova witness), HTTP_W_ONLY */
    /* The media types a request body may have, ", "-separated, compared without parameters and case-insensitively;
     * "application/" "*+json" is any JSON-based type (RFC 6839). Another Content-Type is 415 unsupported_media_type;
     * none is allowed with an empty body, or always with a leading "?". NULL: not checked (routes without a body). */
    const char *accept;
} http_route;

/* The Content-Types of the routes (http_route.accept). */
#define HTTP_JSON       "application/json"
#define HTTP_JSON_ANY   "application/json, application/*+json, application/x-ndjson, application/jsonl"
#define HTTP_CHECKPOINT "?text/plain"

enum { HTTP_W_NO = 0, HTTP_W_ALSO = 1, HTTP_W_ONLY = 2 };

extern const http_route http_routes[];
extern const size_t http_nroutes;

struct http_req {
    httpd *d;
    struct MHD_Connection *conn;
    int method;
    const char *path;
    const char *param[HTTP_MAX_PARAMS]; /* the path segments matched by '*' in the route */
    const uint8_t *body;
    size_t body_len;
    const app_token *token; /* the bearer token presented and valid, or NULL */
    app_call call;
    http_resp resp;
};

/* Response helpers (routes.c, daemon.c). Each returns HTTP_RESPONDED, or a negative status on allocation failure. */
int http_text(http_req *r, unsigned status, const char *content_type, const void *data, size_t len);
int http_error(http_req *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int http_header(http_req *r, const char *name, const char *value);
/* The response of a finished call: its result (wrapped as {"data": ...} when wrap), or its error. */
void http_from_call(http_req *r, bool wrap);

/* The request's query argument or header, or NULL. */
const char *http_query(http_req *r, const char *name);
/* The first query argument whose name is not in allowed (a NULL-terminated list), or NULL when all are. The name is
 * the connection's (valid during the request). */
const char *http_query_unknown(http_req *r, const char *const *allowed);
const char *http_header_in(http_req *r, const char *name);

/* The connection guard (guard.c): the head deadline, the minimum body rate and the connections kept free for new
 * requests (docs/operations.md "Slow clients and connection limits"). Start before the daemon, stop after it. A
 * connection is tracked from opened (libmicrohttpd's STARTED notification, with its socket) to closed (CLOSED, which
 * libmicrohttpd calls before it closes the socket); head: waiting for a request head (after a response), body: the
 * head is in, the body arrives (bytes counts it), busy: the request is handled. Each takes NULL as a no-op. */
typedef struct http_guard http_guard;
typedef struct http_guard_conn http_guard_conn;
int http_guard_start(httpd *d);
void http_guard_stop(httpd *d);
http_guard_conn *http_guard_opened(httpd *d, int fd);
void http_guard_closed(httpd *d, http_guard_conn *e);
void http_guard_head(httpd *d, http_guard_conn *e);
void http_guard_body(httpd *d, http_guard_conn *e);
void http_guard_bytes(httpd *d, http_guard_conn *e, size_t n);
void http_guard_busy(httpd *d, http_guard_conn *e);
/* The connections kept free of waiting heads out of max_connections: an eighth, at least 8 (none for 16 or less). */
unsigned http_reserved_connections(unsigned max_connections);

/* Metrics (metrics.c): one request's outcome; every metric of /metrics added to a snapshot (ms initialized by the
 * caller; an allocation failure is in ms->status); and /metrics, that snapshot as Prometheus text appended to out
 * (0 or PROVA_ENOMEM). */
void http_record(httpd *d, size_t route, unsigned status, int64_t us);
void http_metrics_collect(httpd *d, otel_metrics *ms);
/* Makes the daemon's metrics the OTLP exporter's metrics source (on), or stops it (off: waits for a collection in
 * progress). A no-op without telemetry. */
void http_metrics_export(httpd *d, bool on);
int http_metrics_text(httpd *d, prova_buf *out);

/* The compiled-in OpenAPI document and /docs page (scripts/embed.py). */
extern const unsigned char http_openapi_json[];
extern const size_t http_openapi_json_len;
extern const unsigned char http_docs_html[];
extern const size_t http_docs_html_len;
extern const char http_docs_html_etag[];
/* The web view's assets (src/http/ui, docs/browse.md "The web view"), with their strong ETags. */
#define HTTP_UI_ASSET(n)                                                                                               \
    extern const unsigned char http_ui_##n[];                                                                          \
    extern const size_t http_ui_##n##_len;                                                                             \
    extern const char http_ui_##n##_etag[];
HTTP_UI_ASSET(index_html)
HTTP_UI_ASSET(app_js)
HTTP_UI_ASSET(app_css)
HTTP_UI_ASSET(prova_js)
#undef HTTP_UI_ASSET

#endif /* PROVA_HTTP_H */
