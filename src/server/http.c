/* The HTTP side of the gateway: libmicrohttpd with a thread pool (epoll), request bodies under a size limit,
 * routing, bearer tokens, JSON errors, suspended connections for writes, access metrics. */
#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "gateway.h"
#include "prova/encoding.h"

int64_t gw_now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int gw_sha256_hex(const void *data, size_t len, char out[65]) {
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    int rc = prova_hash_hex(PROVA_HASH_SHA256, data, len, hex);
    if (rc == 0) memcpy(out, hex, 65);
    return rc;
}

void gw_sleep_ms(unsigned ms) {
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

static int64_t mono_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

void gw_log(gw *g, const char *fmt, ...) {
    (void)g;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "prova serve: %s\n", line);
}

/* ---- Per-request state ---------------------------------------------------------------------------------- */

typedef struct gw_conn {
    gw_req req;
    prova_buf body;
    size_t route; /* index into gw_routes, or gw_nroutes when none matched */
    bool method_mismatch, too_large, answered;
    int64_t start_us;
    char *segs; /* a copy of the path whose '*' segments the params point into */
} gw_conn;

static void conn_free(gw_conn *c) {
    if (!c) return;
    prova_buf_free(&c->body);
    prova_buf_free(&c->req.resp.body);
    for (unsigned i = 0; i < c->req.resp.nheaders; i++) free(c->req.resp.hvalue[i]);
    if (c->req.state_free) c->req.state_free(c->req.state);
    free(c->segs);
    free(c);
}

/* ---- Request bodies --------------------------------------------------------------------------------------- */

bool gw_body_too_large(const char *content_length, size_t max) {
    if (!content_length) return false;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(content_length, &end, 10);
    return errno || *end || n > max;
}

int gw_body_take(prova_buf *body, bool *too_large, size_t max, const char *data, size_t n) {
    if (*too_large) return 0;
    if (body->len + n > max) {
        *too_large = true;
        prova_buf_free(body);
        return 0;
    }
    return prova_buf_append(body, data, n);
}

/* ---- Responses ------------------------------------------------------------------------------------------------ */

int gw_header(gw_req *req, const char *name, const char *value) {
    gw_resp *r = &req->resp;
    if (r->nheaders == GW_MAX_HEADERS) return PROVA_ELIMIT;
    char *v = strdup(value ? value : "");
    if (!v) return PROVA_ENOMEM;
    r->hname[r->nheaders] = name;
    r->hvalue[r->nheaders++] = v;
    return 0;
}

int gw_text(gw_req *req, unsigned status, const char *content_type, const void *data, size_t len) {
    gw_resp *r = &req->resp;
    r->body.len = 0;
    r->status = status;
    r->content_type = content_type;
    return prova_buf_append(&r->body, data, len);
}

int gw_json(gw_req *req, unsigned status, const void *json, size_t len) {
    return gw_text(req, status, "application/json", json, len);
}

int gw_json_buf(gw_req *req, unsigned status, prova_buf *body) {
    gw_resp *r = &req->resp;
    prova_buf_free(&r->body);
    r->body = *body;
    *body = (prova_buf)PROVA_BUF_INIT;
    r->status = status;
    r->content_type = "application/json";
    return 0;
}

int gw_put_raw(prova_buf *out, const char *s) { return prova_buf_append(out, s, strlen(s)); }

int gw_put_str(prova_buf *out, const char *s) {
    size_t mark = out->len;
    int rc = prova_canon_write_string(s, strlen(s), PROVA_PROFILE_JCS, out);
    if (rc < 0) { /* not UTF-8: say so rather than send broken JSON */
        out->len = mark;
        rc = gw_put_raw(out, "\"(invalid UTF-8)\"");
    }
    return rc;
}

int gw_error(gw_req *req, unsigned status, const char *code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    prova_buf b = PROVA_BUF_INIT;
    int rc = gw_put_raw(&b, "{\"error\":{\"code\":");
    if (!rc) rc = gw_put_str(&b, code);
    if (!rc) rc = gw_put_raw(&b, ",\"message\":");
    if (!rc) rc = gw_put_str(&b, msg);
    if (!rc) rc = gw_put_raw(&b, "},\"detail\":");
    if (!rc) rc = gw_put_str(&b, msg);
    if (!rc) rc = gw_put_raw(&b, "}");
    if (rc < 0) {
        prova_buf_free(&b);
        return rc;
    }
    return gw_json_buf(req, status, &b);
}

int gw_error_lib(gw_req *req, unsigned status, const prova_error *e) {
    if (e->line)
        return gw_error(req, status, e->reason, "%s at line %zu, column %zu (byte %zu)%s%s", e->message, e->line,
                        e->column, e->offset, e->pointer[0] ? ", at " : "", e->pointer);
    return gw_error(req, status, e->reason, "%s%s%s", e->message, e->pointer[0] ? " at " : "", e->pointer);
}

int gw_error_store(gw_req *req, int rc, prova_store *s) {
    gw_log(req->g, "store: %s: %s", prova_status_name(rc), s ? prova_store_errmsg(s) : "no connection");
    if (rc == PROVA_ENOMEM) return gw_error(req, 503, "out_of_memory", "the gateway is out of memory");
    gw_header(req, "Retry-After", "1");
    return gw_error(req, 503, "store_unavailable", "the store cannot be read or written now");
}

const char *gw_query(gw_req *req, const char *name) {
    return req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

const char *gw_header_in(gw_req *req, const char *name) {
    return req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name) : NULL;
}

int gw_parse_body(gw_req *req, prova_doc **ret) {
    prova_parse_options po = {0};
    po.max_depth = req->g->cfg.max_depth;
    po.max_size = req->g->cfg.max_body;
    prova_error e;
    int rc = prova_json_parse(req->body, req->body_len, &po, ret, &e);
    if (rc < 0) {
        if (rc == PROVA_ENOMEM) gw_error(req, 503, "out_of_memory", "the gateway is out of memory");
        else gw_error_lib(req, 400, &e);
    }
    return rc;
}

/* ---- Metrics helpers ------------------------------------------------------------------------------------ */

static const unsigned code_table[GW_CODES] = {200, 201, 204, 400, 401, 403, 404, 405,
                                              409, 413, 415, 422, 429, 500, 503, 0};

static unsigned code_index(unsigned status) {
    for (unsigned i = 0; i + 1 < GW_CODES; i++)
        if (code_table[i] == status) return i;
    return GW_CODES - 1;
}

unsigned gw_code_at(unsigned i) { return code_table[i]; }

/* Upper bounds of the latency buckets, microseconds (the last is +Inf). */
const int64_t gw_bucket_us[GW_BUCKETS] = {250,    500,    1000,    2500,    5000,    10000,   25000,
                                          50000, 100000, 250000, 500000, 1000000, 5000000, INT64_MAX};

static void record(gw *g, size_t route, unsigned status, int64_t us) {
    gw_route_metrics *m = &g->route_metrics[route];
    atomic_fetch_add_explicit(&m->by_code[code_index(status)], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (unsigned long long)(us < 0 ? 0 : us), memory_order_relaxed);
    for (unsigned b = 0; b < GW_BUCKETS; b++)
        if (us <= gw_bucket_us[b]) {
            atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
            break;
        }
}

/* ---- Routing and auth ------------------------------------------------------------------------------------ */

/* Matches path against pattern; '*' takes one non-empty segment. Params point into *segs (a copy of path). */
static bool match(const char *pattern, const char *path, gw_req *req, char **segs) {
    const char *p = pattern, *s = path;
    unsigned np = 0;
    size_t starts[GW_MAX_PARAMS], lens[GW_MAX_PARAMS];
    while (*p && *s) {
        if (*p == '*') {
            size_t n = strcspn(s, "/");
            if (n == 0 || np == GW_MAX_PARAMS) return false;
            starts[np] = (size_t)(s - path);
            lens[np++] = n;
            s += n;
            p++;
        } else if (*p++ != *s++) {
            return false;
        }
    }
    if (*p || *s) return false;
    if (np) {
        free(*segs);
        *segs = strdup(path);
        if (!*segs) return false;
        for (unsigned i = 0; i < np; i++) {
            (*segs)[starts[i] + lens[i]] = '\0';
            req->param[i] = *segs + starts[i];
        }
    }
    return true;
}

/* The index of the route for method and path (gw_nroutes when none; *mismatch when the path matched another
 * method). */
static size_t find_route(gw_req *req, const char *path, int method, char **segs, bool *mismatch) {
    for (size_t i = 0; i < gw_nroutes; i++) {
        if (!match(gw_routes[i].pattern, path, req, segs)) continue;
        if (gw_routes[i].method == method) return i;
        *mismatch = true;
    }
    return gw_nroutes;
}

static void route(gw_conn *c, const char *path, int method) {
    c->route = find_route(&c->req, path, method, &c->segs, &c->method_mismatch);
}

const gw_token *gw_bearer(const gw_token *tokens, size_t n, const char *auth) {
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) return NULL;
    const char *t = auth + 7;
    while (*t == ' ') t++;
    uint8_t h[PROVA_HASH_MAX_BYTES];
    if (!*t || prova_hash(PROVA_HASH_SHA256, t, strlen(t), h) < 0) return NULL;
    const gw_token *found = NULL;
    for (size_t i = 0; i < n; i++) /* every entry compared: the time does not depend on which one */
        if (prova_ct_equal(h, tokens[i].sha256, 32)) found = &tokens[i];
    return found;
}

static const char *scope_name(unsigned scope) {
    return scope == GW_SCOPE_OPE_WRITE ? "ope:write" : scope == GW_SCOPE_OE_WRITE ? "oe:write" : "write";
}

/* 0: go on; otherwise the error response is set. */
static int authorize(gw_conn *c) {
    const gw_route *r = &gw_routes[c->route];
    gw_req *req = &c->req;
    const char *auth = gw_header_in(req, "Authorization");
    req->token = gw_bearer(req->g->tokens, req->g->ntokens, auth);
    if (!r->scope) return 0;
    if (!req->token) {
        /* The ODIN API key + MAC is checked by the envelope handler, which knows what the MAC covers. */
        if (r->scope == GW_SCOPE_OPE_WRITE && !auth && gw_header_in(req, "X-ODIN-API-Key")) return 0;
        gw_header(req, "WWW-Authenticate", "Bearer realm=\"prova\"");
        return gw_error(req, 401, auth ? "token_invalid" : "token_missing",
                        auth ? "the bearer token is not valid" : "this endpoint needs a bearer token (Authorization: "
                                                                 "Bearer ...) with scope %s",
                        scope_name(r->scope)) < 0
                   ? -1
                   : 1;
    }
    if ((req->token->scopes & r->scope) != r->scope) {
        gw_error(req, 403, "scope_missing", "token %s lacks scope %s", req->token->name, scope_name(r->scope));
        return 1;
    }
    return 0;
}

/* ---- Async writes ------------------------------------------------------------------------------------------- */

static void http_job_done(gw_job *job) {
    gw_req *req = job->ctx;
    if (!req->conn) { /* gw_dispatch: the caller waits on the request's condition variable */
        gw_wait *w = req->wait;
        pthread_mutex_lock(&w->lock);
        atomic_store(&req->job_done, 1);
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        return;
    }
    atomic_store(&req->job_done, 1);
    MHD_resume_connection(req->conn);
}

int gw_req_submit(gw_req *req, void (*finish)(gw_req *req)) {
    req->finish = finish;
    req->job.done = http_job_done;
    req->job.ctx = req;
    if (req->conn) MHD_suspend_connection(req->conn);
    int rc = gw_writer_submit(req->g, &req->job);
    if (rc < 0) {
        if (req->conn) MHD_resume_connection(req->conn);
        req->finish = NULL;
        if (rc == PROVA_ELIMIT) {
            gw_header(req, "Retry-After", "1");
            gw_error(req, 429, "overloaded", "too many writes are queued; retry shortly");
        } else {
            gw_header(req, "Retry-After", "5");
            gw_error(req, 503, "shutting_down", "the gateway is shutting down");
        }
        return 0;
    }
    return GW_ASYNC;
}

/* ---- In-process requests ------------------------------------------------------------------------------------ */

void gw_resp_free(gw_resp *r) {
    prova_buf_free(&r->body);
    for (unsigned i = 0; i < r->nheaders; i++) free(r->hvalue[i]);
    r->nheaders = 0;
}

/* The route's scope against the caller's token, as authorize() does for a connection. 0: go on. */
static int authorize_token(gw_req *req, const gw_route *r) {
    if (!r->scope) return 0;
    if (!req->token) {
        gw_error(req, 401, "token_missing", "this operation needs a token with scope %s", scope_name(r->scope));
        return 1;
    }
    if ((req->token->scopes & r->scope) != r->scope) {
        gw_error(req, 403, "scope_missing", "token %s lacks scope %s", req->token->name, scope_name(r->scope));
        return 1;
    }
    return 0;
}

int gw_dispatch(gw *g, int method, const char *path, const void *body, size_t len, const gw_token *token,
                gw_resp *out) {
    gw_req req;
    memset(&req, 0, sizeof req);
    gw_wait w;
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    req.g = g;
    req.method = method;
    req.path = path;
    req.body = body ? body : (const uint8_t *)"";
    req.body_len = len;
    req.token = token;
    req.wait = &w;
    atomic_fetch_add(&g->inflight, 1);
    int64_t start = mono_us();
    char *segs = NULL;
    bool mismatch = false;
    size_t ri = find_route(&req, path, method, &segs, &mismatch);
    int rc = 0;
    if (ri == gw_nroutes) {
        rc = mismatch ? gw_error(&req, 405, "method_not_allowed", "this method is not allowed on %s", path)
                      : gw_error(&req, 404, "not_found", "no such endpoint: %s", path);
    } else if (len > g->cfg.max_body) {
        rc = gw_error(&req, 413, "body_too_large", "the body exceeds the limit of %zu bytes", g->cfg.max_body);
    } else if (authorize_token(&req, &gw_routes[ri]) == 0) {
        rc = gw_routes[ri].handler(&req);
        if (rc == GW_ASYNC) {
            pthread_mutex_lock(&w.lock);
            while (!atomic_load(&req.job_done)) pthread_cond_wait(&w.cond, &w.lock);
            pthread_mutex_unlock(&w.lock);
            req.finish(&req);
            rc = 0;
        } else if (rc < 0 && !req.resp.status) {
            rc = rc == PROVA_ENOMEM ? gw_error(&req, 503, "out_of_memory", "the gateway is out of memory")
                                    : gw_error(&req, 500, "internal", "internal error (%s)", prova_status_name(rc));
        }
    }
    if (!req.resp.status && rc == 0) gw_error(&req, 500, "internal", "the handler produced no response");
    record(g, ri, req.resp.status, mono_us() - start);
    if (req.state_free) req.state_free(req.state);
    free(segs);
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
    atomic_fetch_sub(&g->inflight, 1);
    *out = req.resp;
    return req.resp.status ? 0 : PROVA_ENOMEM;
}

/* ---- libmicrohttpd callbacks ----------------------------------------------------------------------------- */

static enum MHD_Result send_response(gw_conn *c) {
    gw_resp *r = &c->req.resp;
    if (!r->status) gw_error(&c->req, 500, "internal", "the handler produced no response");
    struct MHD_Response *mr;
    if (r->body.len && !r->body.alloc) {
        mr = MHD_create_response_from_buffer(r->body.len, r->body.data, MHD_RESPMEM_MUST_FREE);
        if (mr) r->body = (prova_buf)PROVA_BUF_INIT;
    } else {
        mr = MHD_create_response_from_buffer(r->body.len, r->body.len ? r->body.data : (void *)"",
                                             MHD_RESPMEM_MUST_COPY);
    }
    if (!mr) return MHD_NO;
    if (r->content_type || r->body.len) /* an empty 202/204 has no media type */
        MHD_add_response_header(mr, "Content-Type", r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Cache-Control", "no-store");
    for (unsigned i = 0; i < r->nheaders; i++) MHD_add_response_header(mr, r->hname[i], r->hvalue[i]);
    enum MHD_Result ok = MHD_queue_response(c->req.conn, r->status, mr);
    MHD_destroy_response(mr);
    c->answered = true;
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    (void)version;
    gw *g = cls;
    gw_conn *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) return MHD_NO;
        *con_cls = c;
        c->start_us = mono_us();
        c->req.g = g;
        c->req.conn = conn;
        c->req.path = url;
        atomic_fetch_add(&g->inflight, 1);
        int m = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ? GW_GET
                : strcmp(method, "POST") == 0                              ? GW_POST
                : strcmp(method, "DELETE") == 0                            ? GW_DELETE
                                                                           : 0;
        c->req.method = m;
        route(c, url, m);
        if (gw_body_too_large(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length"),
                              g->cfg.max_body)) {
            c->too_large = true;
            gw_error(&c->req, 413, "body_too_large", "the body exceeds the limit of %zu bytes", g->cfg.max_body);
            return send_response(c);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (gw_body_take(&c->body, &c->too_large, g->cfg.max_body, upload_data, *upload_data_size) < 0) return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (c->answered) return MHD_YES;
    gw_req *req = &c->req;
    if (req->finish) { /* resumed after the writer */
        if (!atomic_load(&req->job_done)) return MHD_YES;
        req->finish(req);
        return send_response(c);
    }
    req->body = c->body.data ? c->body.data : (const uint8_t *)"";
    req->body_len = c->body.len;
    if (c->too_large) {
        gw_error(req, 413, "body_too_large", "the body exceeds the limit of %zu bytes", g->cfg.max_body);
    } else if (c->route == gw_nroutes) {
        if (c->method_mismatch) {
            gw_header(req, "Allow", req->method == GW_POST ? "GET, HEAD" : "POST");
            gw_error(req, 405, "method_not_allowed", "%s is not allowed on %s", method, url);
        } else {
            gw_error(req, 404, "not_found", "no such endpoint: %s (see /openapi.json)", url);
        }
    } else {
        int a = authorize(c);
        if (a < 0) return MHD_NO;
        if (a == 0) {
            int rc = gw_routes[c->route].handler(req);
            if (rc == GW_ASYNC) return MHD_YES;
            if (rc < 0 && !req->resp.status) {
                if (rc == PROVA_ENOMEM) gw_error(req, 503, "out_of_memory", "the gateway is out of memory");
                else gw_error(req, 500, "internal", "internal error (%s)", prova_status_name(rc));
            }
        }
    }
    return send_response(c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)conn;
    gw *g = cls;
    gw_conn *c = *con_cls;
    if (!c) return;
    *con_cls = NULL;
    unsigned status = c->answered ? c->req.resp.status : 499; /* 499: the client went away first */
    if (!c->answered && toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) status = 408;
    int64_t us = mono_us() - c->start_us;
    record(g, c->route, status, us);
    if (!g->cfg.quiet)
        fprintf(stderr, "%s %s %u %" PRId64 "us %zuB\n", c->req.method == GW_POST ? "POST" : "GET", c->req.path,
                status, us, c->body.len);
    /* A request cut off while its write is queued keeps its state until the writer is done with it. */
    if (c->req.finish && !atomic_load(&c->req.job_done)) {
        gw_log(g, "connection closed while its write was queued; the write completes");
        while (!atomic_load(&c->req.job_done)) gw_sleep_ms(1);
    }
    conn_free(c);
    atomic_fetch_sub(&g->inflight, 1);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    fprintf(stderr, "prova serve: http: %s\n", line);
}

/* ---- Start and stop ------------------------------------------------------------------------------------ */

int gw_parse_listen(const char *s, bool bare_port, struct sockaddr_storage *ss, socklen_t *len, bool *ret_loopback) {
    char host[256];
    const char *port;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *e = strchr(s, ']');
        if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host) return -1;
        memcpy(host, s + 1, (size_t)(e - s - 1));
        host[e - s - 1] = '\0';
        port = e + 2;
    } else if (bare_port && !strchr(s, ':')) {
        strcpy(host, "127.0.0.1");
        port = s;
    } else {
        const char *e = strrchr(s, ':');
        if (!e || (size_t)(e - s) >= sizeof host) return -1;
        memcpy(host, s, (size_t)(e - s));
        host[e - s] = '\0';
        port = e + 1;
    }
    char *end;
    errno = 0;
    unsigned long p = strtoul(port, &end, 10);
    if (errno || *end || !*port || p > 65535) return -1;
    if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
    if (!host[0] || strchr(host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)p);
        if (!host[0]) a->sin6_addr = in6addr_any;
        else if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return -1;
        *len = sizeof *a;
        *ret_loopback = host[0] && IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)p);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
        *len = sizeof *a;
        *ret_loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    return 0;
}

int gw_http_start(gw *g) {
    struct sockaddr_storage ss;
    socklen_t sl;
    bool loopback;
    if (gw_parse_listen(g->cfg.listen, false, &ss, &sl, &loopback) < 0) {
        gw_log(g, "--listen %s: expected HOST:PORT (an IP address; [::1]:PORT for IPv6, :PORT for all)",
               g->cfg.listen);
        return 2;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    prova_buf cert = PROVA_BUF_INIT, key = PROVA_BUF_INIT;
    if (g->cfg.tls_cert || g->cfg.tls_key) {
        if (!g->cfg.tls_cert || !g->cfg.tls_key) {
            gw_log(g, "TLS needs both --tls-cert and --tls-key");
            return 2;
        }
        const char *paths[2] = {g->cfg.tls_cert, g->cfg.tls_key};
        prova_buf *bufs[2] = {&cert, &key};
        for (int i = 0; i < 2; i++) {
            FILE *f = fopen(paths[i], "rb");
            char chunk[4096];
            size_t n;
            if (!f) {
                gw_log(g, "%s: %s", paths[i], strerror(errno));
                prova_buf_free(&cert);
                prova_buf_free(&key);
                return 2;
            }
            while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                if (prova_buf_append(bufs[i], chunk, n) < 0) break;
            fclose(f);
            if (prova_buf_append(bufs[i], "", 1) < 0) return 3;
        }
        flags |= MHD_USE_TLS;
    }
    unsigned threads = g->cfg.threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = (unsigned)(n > 0 ? 2 * n : 4);
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, g},
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, g->cfg.max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, g->cfg.timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)g->cfg.max_header, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, g},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {cert.len ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert.data},
        {cert.len ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key.data},
        {MHD_OPTION_END, 0, NULL},
    };
    uint16_t port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    g->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request, g, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    prova_wipe(key.data, key.len);
    prova_buf_free(&cert);
    prova_buf_free(&key);
    if (!g->daemon) {
        gw_log(g, "cannot listen on %s: %s", g->cfg.listen, errno ? strerror(errno) : "libmicrohttpd refused");
        return 3;
    }
    return 0;
}

void gw_http_quiesce(gw *g) {
    if (g->daemon) MHD_quiesce_daemon(g->daemon);
}

void gw_http_stop(gw *g) {
    if (g->daemon) MHD_stop_daemon(g->daemon);
    g->daemon = NULL;
}
