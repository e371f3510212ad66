/* The gateway behind `prova serve`: one process, libmicrohttpd with a thread pool, one writer thread that
 * group-commits every write into the store, a pool of read connections. docs/operations.md and docs/http.md.
 *
 * A request runs on an HTTP pool thread: parse, authenticate, verify (the CPU work) and, for a write, hand a
 * gw_job to the writer and suspend the connection. The writer takes every queued job, applies each in its own
 * savepoint inside one transaction, commits (fsync) and resumes the connections: a 2xx is sent only after the
 * commit, and appends to one trace or chain are serialized because one thread applies them.
 */
#ifndef PROVA_GATEWAY_H
#define PROVA_GATEWAY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "prova/common.h"
#include "prova/crypto.h"
#include "prova/json.h"
#include "prova/ope.h"
#include "prova/store.h"

struct MHD_Connection;
struct MHD_Daemon;

/* ---- Configuration ------------------------------------------------------------------------------------------ */

#define GW_SCOPE_OPE_WRITE 0x1u
#define GW_SCOPE_OE_WRITE 0x2u
#define GW_SCOPE_ALL (GW_SCOPE_OPE_WRITE | GW_SCOPE_OE_WRITE)

typedef struct gw_token {
    char name[64];
    uint8_t sha256[32]; /* of the token string: the file may hold the hash instead of the secret */
    unsigned scopes;
} gw_token;

typedef struct gw_api_key { /* the reference's X-ODIN-API-Key + X-ODIN-API-MAC */
    char *key;
    uint8_t *secret;
    size_t secret_len;
    unsigned scopes;
} gw_api_key;

typedef struct gw_config {
    const char *listen; /* "127.0.0.1:8080", "[::1]:8080", ":8080"; NULL: headless (no HTTP daemon; the store,
                           keys and writer serve in-process callers through gw_dispatch) */
    const char *data_dir;
    const char *key_path;         /* NULL: DATA/gateway.key, generated on first run */
    const char *legacy_keys_path; /* NULL: none; a JWKS of earlier public keys (published as legacy) */
    const char *trusted_senders;  /* JWKS file or NULL */
    bool allow_inline_sender_keys;
    const char *tokens_path;      /* NULL: DATA/tokens.json, generated on first run */
    const char *tls_cert, *tls_key;
    unsigned threads;             /* HTTP pool threads; 0: 2 x CPUs */
    unsigned max_connections;
    unsigned timeout_s;           /* idle connection timeout */
    size_t max_body;              /* bytes */
    unsigned max_depth;           /* JSON nesting */
    size_t max_header;            /* bytes of request line + headers (per-connection memory) */
    unsigned max_queue;           /* queued writes before 429 */
    unsigned max_batch;           /* writes per commit */
    int64_t max_skew_s;           /* envelope freshness window */
    bool quiet;                   /* no access log */
    bool no_mcp;                  /* do not serve POST /mcp */
    const char *mcp_allow_origins; /* comma-separated Origin values /mcp accepts besides loopback ones */
} gw_config;

void gw_config_defaults(gw_config *c);

/* ---- Metrics --------------------------------------------------------------------------------------------- */

enum { GW_CODES = 16, GW_BUCKETS = 14 };

typedef struct gw_route_metrics {
    atomic_ullong by_code[GW_CODES];
    atomic_ullong bucket[GW_BUCKETS];
    atomic_ullong count, sum_us;
} gw_route_metrics;

/* ---- The writer ----------------------------------------------------------------------------------------- */

typedef struct gw gw;
typedef struct gw_job gw_job;

struct gw_job {
    /* Runs on the writer thread inside a savepoint; 0 keeps the job's writes, a negative status undoes them. */
    int (*apply)(gw *g, prova_store *w, gw_job *job);
    /* Runs on the writer thread after the commit (or the failure) with job->status set. */
    void (*done)(gw_job *job);
    void *ctx;
    int status; /* apply's result, or the commit's failure */
    gw_job *next;
};

/* Queues a job; PROVA_ELIMIT when the queue is full (the caller answers 429), PROVA_EIO when shutting down. */
int gw_writer_submit(gw *g, gw_job *job);

/* ---- The gateway ------------------------------------------------------------------------------------------ */

typedef struct gw_route gw_route;

struct gw {
    gw_config cfg;
    prova_key *key;      /* the signing key (Ed25519) */
    char kid[128];
    prova_buf jwks;      /* {"keys":[active, legacy...]} */
    prova_keyset *senders;     /* trusted envelope senders */
    prova_keyset *verify_keys; /* for /v1/verify: the gateway's own keys (active and legacy) and the senders */
    gw_token *tokens;
    size_t ntokens;
    gw_api_key *api_keys;
    size_t napi_keys;
    char db_path[4096];
    int64_t started_us;

    /* writer */
    prova_store *w;
    pthread_t writer;
    pthread_mutex_t qlock;
    pthread_cond_t qcond;
    gw_job *qhead, *qtail;
    unsigned qlen;
    bool stopping, writer_started;
    int64_t last_purge_us;

    /* read connections */
    pthread_mutex_t rlock;
    prova_store **readers;
    size_t nreaders, readers_cap;

    struct MHD_Daemon *daemon;
    atomic_long inflight;

    /* MCP at /mcp (src/mcp/mcp.h), NULL when disabled or headless */
    struct mcp_server *mcp;
    bool mcp_loopback; /* --listen is a loopback address: /mcp needs no token */
    char **mcp_origins;
    size_t nmcp_origins;

    /* metrics */
    gw_route_metrics *route_metrics; /* one per route + one for "unmatched" */
    atomic_ullong verify_valid, verify_invalid, verify_error;
    atomic_ullong commits, committed_jobs, failed_commits;
    atomic_llong receipts, traces, chains, events, certificates;
};

/* Store connections for reads: borrow one, give it back. NULL on failure (the caller answers 503). */
prova_store *gw_reader_get(gw *g);
void gw_reader_put(gw *g, prova_store *s);

int64_t gw_now_us(void);
void gw_sleep_ms(unsigned ms);
/* Lowercase hex SHA-256 (64 digits + NUL). */
int gw_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- Requests and responses ------------------------------------------------------------------------------- */

enum { GW_GET = 1, GW_POST = 2, GW_DELETE = 3 };
enum { GW_MAX_HEADERS = 8, GW_MAX_PARAMS = 2 };

typedef struct gw_resp {
    unsigned status;
    const char *content_type;
    prova_buf body;
    const char *hname[GW_MAX_HEADERS];
    char *hvalue[GW_MAX_HEADERS];
    unsigned nheaders;
} gw_resp;

typedef struct gw_req gw_req;

/* An in-process caller's wait for the writer (gw_dispatch). */
typedef struct gw_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
} gw_wait;

/* A route handler: fills req->resp and returns 0, or returns GW_ASYNC after gw_req_submit() (the response is
 * written by job_finish when the writer is done). */
#define GW_ASYNC 1

struct gw_req {
    gw *g;
    struct MHD_Connection *conn;
    int method;
    const char *path;
    const char *param[GW_MAX_PARAMS]; /* the path segments matched by '*' in the route */
    const uint8_t *body;
    size_t body_len;
    const gw_token *token;   /* the bearer token that authorized the request, or NULL */
    gw_resp resp;
    /* async writes */
    gw_job job;
    void (*finish)(gw_req *req); /* builds resp from job.status after the commit */
    struct gw_wait *wait;        /* gw_dispatch: where the caller waits for the writer (conn is NULL) */
    void *state;                 /* the handler's, freed by state_free */
    void (*state_free)(void *state);
    atomic_int job_done;
};

/* Suspends the connection and hands job (req->job, with apply/ctx set) to the writer; finish will build the
 * response. Returns GW_ASYNC, or 0 with a 429/503 response when the job cannot be queued. */
int gw_req_submit(gw_req *req, void (*finish)(gw_req *req));

/* Runs a route in process as an HTTP request would run it (routing, the route's scope checked against token, the
 * handler, the writer and its commit for a write) and waits for the answer: *out gets the status, content type,
 * headers and body (release with gw_resp_free). For callers inside the process (MCP tools). Request headers and
 * query parameters are absent. Returns 0 (whatever the status), or PROVA_ENOMEM. */
int gw_dispatch(gw *g, int method, const char *path, const void *body, size_t len, const gw_token *token,
                gw_resp *out);
void gw_resp_free(gw_resp *r);

/* libmicrohttpd request bodies, for both servers (the gateway and `prova mcp --http`): content_length (the header or
 * NULL) over max marks the request too large before any byte arrives; gw_body_take appends an upload chunk unless
 * that would pass max (then the body is dropped and *too_large set). gw_body_take returns 0 or PROVA_ENOMEM. */
bool gw_body_too_large(const char *content_length, size_t max);
int gw_body_take(prova_buf *body, bool *too_large, size_t max, const char *data, size_t n);

/* A listen address: HOST:PORT, [V6]:PORT, :PORT (every interface; "localhost" is 127.0.0.1) and, when bare_port,
 * PORT alone for 127.0.0.1:PORT. *ret_loopback: only this machine can connect. 0, or -1 when it does not parse. */
int gw_parse_listen(const char *s, bool bare_port, struct sockaddr_storage *ss, socklen_t *len, bool *ret_loopback);
/* The token whose SHA-256 is that of an "Authorization: Bearer T" value (every entry compared, constant time per
 * entry), or NULL. */
const gw_token *gw_bearer(const gw_token *tokens, size_t n, const char *authorization);

/* Response helpers. Each returns 0 (the handler's return value), or PROVA_ENOMEM. */
int gw_json(gw_req *req, unsigned status, const void *json, size_t len);
int gw_json_buf(gw_req *req, unsigned status, prova_buf *body); /* takes the buffer */
int gw_text(gw_req *req, unsigned status, const char *content_type, const void *data, size_t len);
/* {"error":{"code","message"},"detail":message} */
int gw_error(gw_req *req, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The error of a failed library call: its reason code and message (and position when it has one). */
int gw_error_lib(gw_req *req, unsigned status, const prova_error *err);
/* 503 with the store's message logged (not sent). */
int gw_error_store(gw_req *req, int rc, prova_store *s);
int gw_header(gw_req *req, const char *name, const char *value);

/* The request's query argument, or NULL. */
const char *gw_query(gw_req *req, const char *name);
/* A request header, or NULL. */
const char *gw_header_in(gw_req *req, const char *name);

/* Parses the body as one JSON text under the configured limits; on failure answers 400 with the parser's
 * reason and position and returns the (negative) status. */
int gw_parse_body(gw_req *req, prova_doc **ret);

/* Appends s as a JSON string literal (strict UTF-8) to out. */
int gw_put_str(prova_buf *out, const char *s);
int gw_put_raw(prova_buf *out, const char *s);

void gw_log(gw *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- Routes ----------------------------------------------------------------------------------------------- */

typedef int (*gw_handler)(gw_req *req);

struct gw_route {
    int method;
    const char *pattern; /* '*' matches one non-empty path segment */
    gw_handler handler;
    unsigned scope;      /* 0: open */
    const char *name;    /* for metrics: the pattern with {names} */
};

extern const gw_route gw_routes[];
extern const size_t gw_nroutes;

/* Handlers, one file per family. */
int gw_h_health(gw_req *req);
int gw_h_version(gw_req *req);
int gw_h_openapi(gw_req *req);
int gw_h_docs(gw_req *req);
int gw_h_metrics(gw_req *req);
int gw_h_jwks(gw_req *req);
int gw_h_verify_any(gw_req *req);
int gw_h_proof_verify(gw_req *req);
int gw_h_proof_canonicalize(gw_req *req);

int gw_h_ope_envelope(gw_req *req);
int gw_h_ope_chain(gw_req *req);
int gw_h_ope_export(gw_req *req);

int gw_h_oe_chain_create(gw_req *req);
int gw_h_oe_chain_get(gw_req *req);
int gw_h_oe_event_append(gw_req *req);
int gw_h_oe_resolve(gw_req *req);
int gw_h_oe_certify(gw_req *req);
int gw_h_oe_revoke(gw_req *req);
int gw_h_oe_supersede(gw_req *req);
int gw_h_oe_verify(gw_req *req);
int gw_h_oe_public_key(gw_req *req);
int gw_h_oe_bundle(gw_req *req);

/* ---- Shared between the server's files ---------------------------------------------------------------------- */

/* Counts a verification verdict for /metrics. */
void gw_count_verdict(gw *g, bool valid);
/* The status code of metrics slot i (0: "other"), and the latency buckets' upper bounds in microseconds. */
unsigned gw_code_at(unsigned i);
extern const int64_t gw_bucket_us[GW_BUCKETS];
/* The compiled-in OpenAPI document and /docs page (scripts/embed.py). */
extern const unsigned char gw_openapi_json[];
extern const size_t gw_openapi_json_len;
extern const unsigned char gw_docs_html[];
extern const size_t gw_docs_html_len;
/* The HTTP daemon (http.c) and the writer thread (writer.c). */
int gw_http_start(gw *g);
void gw_http_quiesce(gw *g);
void gw_http_stop(gw *g);
/* MCP at /mcp (routes_mcp.c): the server with the gateway's store, keys and allowed origins; freed at stop. */
int gw_mcp_start(gw *g);
void gw_mcp_stop(gw *g);
int gw_h_mcp(gw_req *req);
int gw_writer_start(gw *g);
void gw_writer_stop(gw *g);

/* ---- Lifecycle -------------------------------------------------------------------------------------------- */

/* Loads keys and tokens (generating the development ones under data_dir on first run), opens the store,
 * starts the writer and the HTTP daemon. On failure prints why and returns a CLI exit code (2 or 3). */
int gw_start(gw *g, const gw_config *cfg);
/* Stops accepting, finishes in-flight requests and queued writes, closes the store. */
void gw_stop(gw *g);

/* Setup helpers (setup.c). */
int gw_load_keys(gw *g);
int gw_load_tokens(gw *g);
int gw_load_senders(gw *g);
void gw_free_config_state(gw *g);

#endif /* PROVA_GATEWAY_H */
