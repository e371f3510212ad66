/* The daemon: libmicrohttpd with a thread pool (epoll), request bodies under a size limit, routing, bearer tokens,
 * suspended connections while a write waits for the service's writer, the access log and metrics; the connection
 * limits (total, per address) and the guard against slow clients (guard.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "http.h"
#include "jsonw.h"
#include "prova/compress.h"
#include "prova/crypto.h"
#include "prova/encoding.h" /* prova_mem_wipe */

void http_config_defaults(http_config *c) {
    memset(c, 0, sizeof *c);
    c->listen = "127.0.0.1:8080";
    c->max_connections = 1024;
    c->max_per_ip = 64;
    c->timeout_s = 30;
    c->header_timeout_s = 10;
    c->min_body_rate = 1024;
    c->max_body = (size_t)1 << 20;
    c->max_header = (size_t)32 << 10;
    c->log_prefix = "prova serve";
    c->access_log = HTTP_ACCESS_TEXT;
    c->compress_min = HTTP_COMPRESS_MIN;
    c->max_ratio = PROVA_DECOMPRESS_DEFAULT_MAX_RATIO;
}

int http_access_log_parse(const char *s, int *ret) {
    static const char *const names[] = {[HTTP_ACCESS_TEXT] = "text",
                                        [HTTP_ACCESS_JSON] = "json",
                                        [HTTP_ACCESS_OFF] = "off",
                                        [HTTP_ACCESS_OTLP] = "otlp"};
    for (int i = 0; s && i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(s, names[i]) == 0) {
            *ret = i;
            return 0;
        }
    return -1;
}

static int64_t mono_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void sleep_ms(unsigned ms) {
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

static void logf_(httpd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(httpd *d, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\n", d->cfg.log_prefix, line);
}

/* ---- Per-request state ---------------------------------------------------------------------------------- */

enum { REQUEST_ID_MAX = 128, USER_AGENT_MAX = 256 };

typedef struct conn {
    http_req req;
    prova_buf body;
    size_t route; /* index into http_routes, or http_nroutes when none matched */
    bool method_mismatch, too_large, answered, pending, parked;
    atomic_int woken;
    int64_t start_us;
    http_guard_conn *guard;              /* the connection's entry in the guard, or NULL */
    char *segs;                          /* a copy of the path whose '*' segments the params point into */
    char request_id[REQUEST_ID_MAX + 1]; /* X-Request-Id: the client's when well-formed, else 32 random hex */
    /* For the JSON access log, taken when the head is in (libmicrohttpd's values are not looked up at the end). */
    struct timespec start_wall;
    size_t bytes_in, bytes_out; /* body bytes received; the response body's length */
    char method[16];            /* the request's method as sent ("HEAD" is served as GET) */
    char client[INET6_ADDRSTRLEN];
    char user_agent[USER_AGENT_MAX + 1]; /* "" when none; cut at USER_AGENT_MAX bytes */
    /* The request's W3C trace id (32 lowercase hex): its server span's, else a valid incoming traceparent's; "" when
     * neither. */
    char trace_id[33];
    otel_span *span; /* the request's server span (NULL: telemetry off) */
    /* A body sent with Content-Encoding gzip or zstd: decoded as it arrives into body (docs/compression.md). */
    prova_decompressor *dec;
    size_t raw_len;  /* the body's bytes as sent (compressed), under max_body too */
    bool dec_failed; /* dec_err says why; the rest of the body is dropped */
    prova_error dec_err;
} conn;

/* The client's X-Request-Id is echoed when it is 1..128 characters of [A-Za-z0-9._:-] (safe in a header and in a
 * log line); anything else is replaced. */
static bool request_id_ok(const char *s) {
    size_t n = s ? strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") : 0;
    return n >= 1 && n <= REQUEST_ID_MAX && s[n] == '\0';
}

/* A request id: the client's when well-formed, else 16 bytes of ChaCha20's keystream under the daemon's key at a
 * counter taken atomically, as hex (unpredictable and unique without a getrandom system call per request). */
static void request_id(httpd *d, const char *given, char out[REQUEST_ID_MAX + 1]) {
    if (request_id_ok(given)) {
        strcpy(out, given);
        return;
    }
    uint64_t k = atomic_fetch_add_explicit(&d->rid_counter, 1, memory_order_relaxed);
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES], r[16];
    for (size_t i = 0; i < sizeof nonce; i++) nonce[i] = (uint8_t)(k >> (8 * i));
    crypto_stream_chacha20(r, sizeof r, nonce, d->rid_key);
    otel_hex(r, sizeof r, out);
}

/* The peer's address as text; an IPv4-mapped IPv6 address (a dual-stack listener) as the IPv4 one. */
static void client_address(struct MHD_Connection *mc, char out[INET6_ADDRSTRLEN]) {
    strcpy(out, "");
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (!sa) return;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, INET6_ADDRSTRLEN);
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a))
            inet_ntop(AF_INET, a->s6_addr + 12, out, INET6_ADDRSTRLEN);
        else
            inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
    }
}

static void copy_cut(char *out, size_t size, const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n >= size) n = size - 1;
    if (n) memcpy(out, s, n);
    out[n] = '\0';
}

static void resp_free(http_resp *r) {
    prova_buf_free(&r->body);
    for (unsigned i = 0; i < r->nheaders; i++) free(r->hvalue[i]);
    r->nheaders = 0;
}

static void conn_free(conn *c) {
    if (!c) return;
    prova_buf_free(&c->body);
    prova_decompress_free(c->dec);
    resp_free(&c->req.resp);
    if (c->req.call.a) app_call_free(&c->req.call); /* initialized only when a handler ran */
    free(c->segs);
    free(c);
}

/* ---- Request bodies --------------------------------------------------------------------------------------- */

static bool body_too_large(const char *content_length, size_t max) {
    if (!content_length) return false;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(content_length, &end, 10);
    return errno || *end || n > max;
}

static int body_take(prova_buf *body, bool *too_large, size_t max, const char *data, size_t n) {
    if (*too_large) return 0;
    if (body->len + n > max) {
        *too_large = true;
        prova_buf_free(body);
        return 0;
    }
    return prova_buf_append(body, data, n);
}

/* ---- Request framing and header hygiene ------------------------------------------------------------------ */

/* What the headers say about the request's framing, gathered over every header (libmicrohttpd 0.9.75 looks up
 * only the first Content-Length and the first Transfer-Encoding). */
typedef struct head_scan {
    unsigned content_length, transfer_encoding;
    bool bad_length, bad_encoding, nul;
} head_scan;

static bool all_digits(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size) {
    (void)kind;
    head_scan *h = cls;
    if (!key || strlen(key) != key_size || (value && strlen(value) != value_size)) h->nul = true;
    if (!key) return MHD_YES;
    if (strcasecmp(key, "Content-Length") == 0) {
        h->content_length++;
        h->bad_length |= !value || !all_digits(value, value_size);
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        h->transfer_encoding++;
        h->bad_encoding |= !value || strcasecmp(value, "chunked") != 0;
    }
    return MHD_YES;
}

/* Why the request's headers cannot be taken as they are (RFC 9112 §6.3: a message whose length is ambiguous is
 * refused and the connection closed, or the rest of its body could be read as another request), or NULL. *code
 * is the reason code. */
static const char *head_problem(struct MHD_Connection *mc, const char **code) {
    head_scan h = {0};
    MHD_get_connection_values_n(mc, MHD_HEADER_KIND, scan_header, &h);
    *code = "framing_invalid";
    if (h.content_length > 1) return "more than one Content-Length header: the body's length is ambiguous";
    if (h.bad_length) return "Content-Length must be one decimal number";
    if (h.transfer_encoding && h.content_length)
        return "Content-Length together with Transfer-Encoding: the body's length is ambiguous";
    if (h.transfer_encoding > 1 || h.bad_encoding) return "the only Transfer-Encoding accepted is one 'chunked'";
    *code = "header_invalid";
    if (h.nul) return "a header name or value contains a NUL byte";
    return NULL;
}

static int hex_digit(char ch) {
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* Like libmicrohttpd's own unescaping of the path and query arguments, but %00 stays as it is: a decoded NUL
 * would cut the C string the routes see (an id "a%00b" would be served as "a"). */
static size_t unescape(void *cls, struct MHD_Connection *mc, char *s) {
    (void)cls;
    (void)mc;
    char *w = s;
    for (const char *r = s; *r;) {
        int hi = r[0] == '%' ? hex_digit(r[1]) : -1, lo = hi >= 0 ? hex_digit(r[2]) : -1;
        if (lo >= 0 && (hi | lo)) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* ---- Content codings (docs/compression.md) --------------------------------------------------------------------- */

typedef struct coding_scan {
    int format;      /* the one coding other than identity, or PROVA_COMPRESSION_NONE */
    unsigned others; /* codings other than identity, gzip, x-gzip and zstd, or more than one of those */
    char bad[48];    /* the first coding refused, for the message */
    bool stacked;    /* two of gzip and zstd, one applied over the other */
} coding_scan;

static enum MHD_Result scan_coding(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    coding_scan *h = cls;
    if (!key || strcasecmp(key, "Content-Encoding") != 0 || !value) return MHD_YES;
    for (const char *p = value; *p;) { /* RFC 9110 §8.4: a list of codings, in the order they were applied */
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,;");
        if (!n) break;
        char tok[32];
        prova_compression f;
        snprintf(tok, sizeof tok, "%.*s", (int)(n < sizeof tok - 1 ? n : sizeof tok - 1), p);
        if (n < sizeof tok && prova_compression_lookup(tok, &f) == 0 && strcasecmp(tok, "none") != 0) {
            if (f != PROVA_COMPRESSION_NONE && h->format != PROVA_COMPRESSION_NONE) {
                h->others++; /* two codings stacked: refused rather than decoded twice */
                h->stacked = true;
            } else if (f != PROVA_COMPRESSION_NONE) {
                h->format = (int)f;
            }
        } else {
            h->others++;
            if (!h->bad[0]) snprintf(h->bad, sizeof h->bad, "%.*s", (int)(n < 40 ? n : 40), p);
        }
        p += n;
        p += strcspn(p, ","); /* parameters of a coding are ignored */
    }
    return MHD_YES;
}

/* The q-value of a coding in Accept-Encoding (RFC 9110 §12.5.3, §12.4.2): 0..1000, or -1 when it is not named (nor
 * "*"). */
static int accept_q(const char *ae, const char *coding, const char *alias) {
    int star = -1;
    for (const char *p = ae; p && *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,;");
        if (!n) break;
        int q = 1000;
        const char *e = p + n + strcspn(p + n, ",");
        const char *qs = p + n;
        while (qs < e && (qs = strchr(qs, ';')) != NULL && qs < e) { /* ;q=0.5 */
            qs++;
            qs += strspn(qs, " \t");
            if ((qs[0] == 'q' || qs[0] == 'Q') && qs[1] == '=') {
                const char *v = qs + 2;
                q = 0;
                if (v[0] == '1') {
                    q = 1000;
                } else if (v[0] == '0') {
                    int scale = 100;
                    for (const char *d = v[1] == '.' ? v + 2 : v + 1; *d >= '0' && *d <= '9' && scale; d++, scale /= 10)
                        q += (*d - '0') * scale;
                }
                break;
            }
        }
        if ((strlen(coding) == n && strncasecmp(p, coding, n) == 0) ||
            (alias && strlen(alias) == n && strncasecmp(p, alias, n) == 0))
            return q;
        if (n == 1 && p[0] == '*') star = q;
        p = e;
    }
    return star;
}

/* The coding of a response for this Accept-Encoding: zstd or gzip, the one with the higher q-value (zstd on a tie),
 * or none (no header, neither acceptable: identity, which is always sent rather than a 406). */
static prova_compression pick_coding(const char *ae) {
    if (!ae) return PROVA_COMPRESSION_NONE;
    int z = accept_q(ae, "zstd", NULL), g = accept_q(ae, "gzip", "x-gzip");
    if (z <= 0 && g <= 0) return PROVA_COMPRESSION_NONE;
    return z >= g ? PROVA_COMPRESSION_ZSTD : PROVA_COMPRESSION_GZIP;
}

/* Whether a response of this type and size is worth compressing: not tiny, not already compressed or random. */
static bool compressible(const http_resp *r, size_t min) {
    if (r->status == 204 || r->status == 304 || r->body.len < min) return false;
    const char *t = r->content_type ? r->content_type : "application/json";
    static const char *const no[] = {"image/",
                                     "audio/",
                                     "video/",
                                     "application/zip",
                                     "application/gzip",
                                     "application/zstd",
                                     "application/octet-stream",
                                     "text/event-stream"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (strncasecmp(t, no[i], strlen(no[i])) == 0) return false;
    for (unsigned i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->hname[i], "Content-Encoding") == 0) return false;
    return true;
}

/* A strong ETag becomes weak (W/"...") on a compressed variant: its bytes differ from the identity response's,
 * which owns the strong tag, while If-None-Match (a weak comparison) still matches both (as nginx does). */
static void weaken_etag(http_resp *r) {
    for (unsigned i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->hname[i], "ETag") != 0 || r->hvalue[i][0] != '"') continue;
        size_t n = strlen(r->hvalue[i]);
        char *w = malloc(n + 3);
        if (!w) continue; /* left strong: the 304 logic still matches; only a cache's byte ranges would care */
        memcpy(w, "W/", 2);
        memcpy(w + 2, r->hvalue[i], n + 1);
        free(r->hvalue[i]);
        r->hvalue[i] = w;
    }
}

/* ---- Responses ------------------------------------------------------------------------------------------------ */

int http_header(http_req *r, const char *name, const char *value) {
    http_resp *p = &r->resp;
    if (p->nheaders == HTTP_MAX_HEADERS) return PROVA_ELIMIT;
    char *v = strdup(value ? value : "");
    if (!v) return PROVA_ENOMEM;
    p->hname[p->nheaders] = name;
    p->hvalue[p->nheaders++] = v;
    return HTTP_RESPONDED;
}

int http_text(http_req *r, unsigned status, const char *content_type, const void *data, size_t len) {
    http_resp *p = &r->resp;
    p->body.len = 0;
    p->status = status;
    p->content_type = content_type;
    int rc = prova_buf_append(&p->body, data, len);
    return rc < 0 ? rc : HTTP_RESPONDED;
}

/* {"error":{"code","message"},"detail":message} */
static int error_body(http_req *r, unsigned status, const char *code, const char *msg) {
    http_resp *p = &r->resp;
    p->body.len = 0;
    prova_jw w;
    prova_jw_init(&w, &p->body);
    prova_jw_obj(&w);
    prova_jw_key(&w, "error");
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "code", code);
    prova_jw_key(&w, "message");
    prova_jw_str_lossy(&w, msg, strlen(msg));
    prova_jw_end(&w);
    prova_jw_key(&w, "detail");
    prova_jw_str_lossy(&w, msg, strlen(msg));
    prova_jw_end(&w);
    int rc = prova_jw_finish(&w);
    p->status = status;
    p->content_type = "application/json";
    return rc < 0 ? rc : HTTP_RESPONDED;
}

int http_error(http_req *r, unsigned status, const char *code, const char *fmt, ...) {
    char msg[APP_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return error_body(r, status, code, msg);
}

void http_from_call(http_req *r, bool wrap) {
    const app_call *c = &r->call;
    if (c->err.status) {
        error_body(r, c->err.status, c->err.code, c->err.message);
        if (c->err.retry_after_s) {
            char v[16];
            snprintf(v, sizeof v, "%u", c->err.retry_after_s);
            http_header(r, "Retry-After", v);
        }
        if (c->err.status == APP_E_AUTH) http_header(r, "WWW-Authenticate", "Bearer realm=\"prova\"");
        return;
    }
    http_resp *p = &r->resp;
    p->status = c->res.status;
    p->content_type = c->res.content_type ? c->res.content_type : "application/json";
    prova_buf_free(&p->body);
    if (wrap) {
        prova_jw w;
        prova_jw_init(&w, &p->body);
        prova_jw_obj(&w);
        prova_jw_kraw(&w, "data", c->res.body.data, c->res.body.len);
        /* Beside the seed's "data", not in it: data stays the record as stored and as signed. */
        if (c->res.logged) prova_jw_ki64(&w, "log_index", c->res.log_index);
        prova_jw_end(&w);
        if (prova_jw_finish(&w) < 0) {
            error_body(r, 503, "out_of_memory", "the gateway is out of memory");
            return;
        }
    } else {
        p->body = r->call.res.body;
        r->call.res.body = (prova_buf)PROVA_BUF_INIT;
    }
    for (unsigned i = 0; i < c->res.nmeta; i++) http_header(r, c->res.meta_name[i], c->res.meta_value[i]);
}

const char *http_query(http_req *r, const char *name) {
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

typedef struct unknown_scan {
    const char *const *allowed;
    const char *found;
} unknown_scan;

static enum MHD_Result scan_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    (void)value;
    unknown_scan *u = cls;
    for (size_t i = 0; key && u->allowed[i]; i++)
        if (strcmp(key, u->allowed[i]) == 0) return MHD_YES;
    u->found = key ? key : "";
    return MHD_NO;
}

const char *http_query_unknown(http_req *r, const char *const *allowed) {
    unknown_scan u = {allowed, NULL};
    if (r->conn) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, scan_query, &u);
    return u.found;
}

const char *http_header_in(http_req *r, const char *name) {
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

/* ---- Routing and auth ------------------------------------------------------------------------------------ */

/* Matches path against pattern; '*' takes one non-empty segment. Params point into *segs (a copy of path). */
static bool match(const char *pattern, const char *path, http_req *req, char **segs) {
    const char *p = pattern, *s = path;
    unsigned np = 0;
    size_t starts[HTTP_MAX_PARAMS], lens[HTTP_MAX_PARAMS];
    while (*p && *s) {
        if (p[0] == '*' && p[1] == '*' && !p[2]) { /* a trailing '**' takes the rest of the path (non-empty) */
            if (np == HTTP_MAX_PARAMS) return false;
            starts[np] = (size_t)(s - path);
            lens[np++] = strlen(s);
            s += strlen(s);
            p += 2;
        } else if (*p == '*') {
            size_t n = strcspn(s, "/");
            if (n == 0 || np == HTTP_MAX_PARAMS) return false;
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

/* The index of the route for method and path (http_nroutes when none; *mismatch when the path matched another
 * method). */
static size_t find_route(httpd *d, http_req *req, const char *path, int method, char **segs, bool *mismatch) {
    for (size_t i = 0; i < http_nroutes; i++) {
        const http_route *rt = &http_routes[i];
        if (d->cfg.mcp_only && !rt->mcp_mode) continue;
        if (d->cfg.witness ? rt->witness_mode == HTTP_W_NO : rt->witness_mode == HTTP_W_ONLY) continue;
        if (!match(rt->pattern, path, req, segs)) continue;
        if (rt->method == method) return i;
        *mismatch = true;
    }
    return http_nroutes;
}

/* A bearer token that does not verify is refused on a route that writes; otherwise the operation decides (it
 * knows what needs which scope, and the reference's API key + MAC may stand in for a token). 0: go on. */
static int authorize(conn *c) {
    const http_route *rt = &http_routes[c->route];
    http_req *req = &c->req;
    const char *auth = http_header_in(req, "Authorization");
    req->token = app_bearer(req->d->a, auth);
    if (!rt->scope || !auth || req->token) return 0;
    http_header(req, "WWW-Authenticate", "Bearer realm=\"prova\"");
    http_error(req, 401, "token_invalid", "the bearer token is not valid");
    return 1;
}

/* Whether the media type ct (parameters ignored) is one of the route's (http_route.accept). */
static bool media_type_in(const char *accept, const char *ct) {
    while (*ct == ' ' || *ct == '\t') ct++;
    size_t n = strcspn(ct, "; \t");
    for (const char *a = accept; *a;) {
        a += strspn(a, ", ");
        size_t m = strcspn(a, ",");
        const char *star = memchr(a, '*', m);
        if (star) { /* "type/" "*+suffix": the type's prefix, a non-empty subtype, then the suffix */
            size_t pre = (size_t)(star - a), suf = m - pre - 1;
            if (n > pre + suf && strncasecmp(ct, a, pre) == 0 && strncasecmp(ct + n - suf, star + 1, suf) == 0)
                return true;
        } else if (n == m && strncasecmp(ct, a, m) == 0) {
            return true;
        }
        a += m;
    }
    return false;
}

/* A body whose Content-Type the route does not take is 415 (nothing runs). 0: go on. */
static int check_media_type(conn *c) {
    const char *accept = http_routes[c->route].accept;
    http_req *req = &c->req;
    if (!accept) return 0;
    bool untyped_ok = accept[0] == '?';
    accept += untyped_ok;
    const char *ct = http_header_in(req, "Content-Type");
    if (ct ? media_type_in(accept, ct) : untyped_ok || req->body_len == 0) return 0;
    if (ct)
        http_error(req, 415, "unsupported_media_type", "%s takes Content-Type %s, not '%.80s'", req->path, accept, ct);
    else
        http_error(req, 415, "unsupported_media_type", "%s takes a body with Content-Type %s; none was given",
                   req->path, accept);
    return 1;
}

/* ---- Writes waiting for the writer ------------------------------------------------------------------------- */

/* The connection is suspended before the write is queued, so that the writer's resume always finds it suspended. */
static void park(app_call *call) {
    conn *c = call->wake_ctx;
    c->parked = true;
    MHD_suspend_connection(c->req.conn);
}

static void wake(app_call *call) {
    conn *c = call->wake_ctx;
    atomic_store(&c->woken, 1);
    MHD_resume_connection(c->req.conn);
}

/* ---- libmicrohttpd callbacks ----------------------------------------------------------------------------- */

static enum MHD_Result send_response(conn *c) {
    http_resp *r = &c->req.resp;
    if (!r->status) http_error(&c->req, 500, "internal", "the handler produced no response");
    /* Content-Encoding by Accept-Encoding, after the handler: X-ODIN-Response-CID and X-ODIN-Signature cover the
     * identity body (docs/compression.md). */
    httpd *d = c->req.d;
    const char *coding = NULL;
    bool vary = false;
    if (d->cfg.compress_min != SIZE_MAX) {
        prova_compression f = pick_coding(MHD_lookup_connection_value(c->req.conn, MHD_HEADER_KIND, "Accept-Encoding"));
        if (compressible(r, d->cfg.compress_min)) {
            vary = true;
            prova_buf z = PROVA_BUF_INIT;
            if (f != PROVA_COMPRESSION_NONE && prova_compress_write(r->body.data, r->body.len, f, 0, &z, NULL) == 0 &&
                z.len < r->body.len) {
                prova_buf_free(&r->body);
                r->body = z;
                coding = prova_compression_name(f);
                weaken_etag(r);
                atomic_fetch_add(&d->coded_out[f], 1);
            } else {
                prova_buf_free(&z);
            }
        } else if (r->status == 304 && f != PROVA_COMPRESSION_NONE) {
            vary = true; /* the variant being revalidated was compressed: the same weak tag */
            weaken_etag(r);
        }
    }
    c->bytes_out = r->body.len;
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
    bool cache_set = false; /* a handler that sets Cache-Control (the log's tiles) replaces the default */
    for (unsigned i = 0; i < r->nheaders; i++) cache_set |= strcasecmp(r->hname[i], "Cache-Control") == 0;
    if (!cache_set) MHD_add_response_header(mr, "Cache-Control", "no-store");
    for (unsigned i = 0; i < r->nheaders; i++) MHD_add_response_header(mr, r->hname[i], r->hvalue[i]);
    MHD_add_response_header(mr, "X-Request-Id", c->request_id);
    if (coding) MHD_add_response_header(mr, "Content-Encoding", coding);
    if (vary) MHD_add_response_header(mr, "Vary", "Accept-Encoding");
    enum MHD_Result ok = MHD_queue_response(c->req.conn, r->status, mr);
    MHD_destroy_response(mr);
    c->answered = true;
    return ok;
}

/* The handler's outcome as a response. */
static void settle(conn *c, int rc) {
    http_req *req = &c->req;
    const http_route *rt = &http_routes[c->route];
    if (rc == HTTP_CALLED) {
        http_from_call(req, rt->wrap_data);
    } else if (rc < 0 && !req->resp.status) {
        if (rc == PROVA_ENOMEM)
            http_error(req, 503, "out_of_memory", "the gateway is out of memory");
        else
            http_error(req, 500, "internal", "internal error (%s)", prova_status_name(rc));
    }
}

/* ---- Tracing (docs/observability.md) ---------------------------------------------------------------------- */

/* The request's SERVER span, child of the caller's traceparent when it has a valid one, with the attributes of the
 * HTTP semantic conventions; its name is "METHOD route" ("METHOD" alone for no route: the path is not a low-
 * cardinality name). */
static otel_span *server_span(httpd *d, struct MHD_Connection *mc, const char *method, const char *url,
                              const char *version, size_t route) {
    otel *o = app_otel(d->a);
    if (!o) return NULL;
    otel_ctx parent;
    otel_ctx_parse(&parent, MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "traceparent"),
                   MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "tracestate"));
    const char *rname = route < http_nroutes ? http_routes[route].name : NULL;
    char name[160];
    snprintf(name, sizeof name, "%s%s%s", method, rname ? " " : "", rname ? rname : "");
    otel_span *s = otel_span_start(o, &parent, name, OTEL_KIND_SERVER);
    if (!otel_span_recording(s)) return s;
    otel_span_str(s, "http.request.method", method);
    otel_span_str(s, "url.path", url);
    otel_span_str(s, "url.scheme", d->cfg.tls_cert ? "https" : "http");
    if (rname) otel_span_str(s, "http.route", rname);
    if (version && strncmp(version, "HTTP/", 5) == 0) otel_span_str(s, "network.protocol.version", version + 5);
    const char *ua = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "User-Agent");
    if (ua) otel_span_str(s, "user_agent.original", ua);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        char host[INET6_ADDRSTRLEN] = "";
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
            inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        } else if (sa->sa_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        }
        if (host[0]) otel_span_str(s, "client.address", host);
    }
    return s;
}

/* The response's status and sizes; a 5xx is the server's error (a 4xx is the client's: the span's status stays
 * unset, as the conventions say for a server span). */
static void end_server_span(httpd *d, conn *c, unsigned status, int64_t us) {
    otel_span *s = c->span;
    c->span = NULL;
    otel *o = d->cfg.access_log == HTTP_ACCESS_OTLP ? app_otel(d->a) : NULL;
    if (o) { /* --access-log otlp: the access record as an OTLP log record, in the request's trace */
        otel_ctx ctx;
        otel_span_context(s, &ctx);
        const char *method = c->req.method == HTTP_POST ? "POST" : c->req.method == HTTP_DELETE ? "DELETE" : "GET";
        const char *route = c->route < http_nroutes ? http_routes[c->route].name : "unmatched";
        char line[256];
        snprintf(line, sizeof line, "%s %s %u", method, route, status);
        const otel_attr a[] = {
            OTEL_STR("http.request.method", method),
            OTEL_STR("http.route", route),
            OTEL_INT("http.response.status_code", status),
            OTEL_DOUBLE("prova.duration_ms", (double)us / 1000.0),
            OTEL_INT("http.request.body.size", (int64_t)c->body.len),
        };
        otel_log(o, &ctx,
                 status >= 500   ? OTEL_SEV_ERROR
                 : status >= 400 ? OTEL_SEV_WARN
                                 : OTEL_SEV_INFO,
                 "prova.access", line, a, sizeof a / sizeof a[0]);
    }
    if (otel_span_recording(s)) {
        otel_span_int(s, "http.response.status_code", status);
        otel_span_int(s, "http.request.body.size", (int64_t)c->body.len);
        if (c->answered) otel_span_int(s, "http.response.body.size", (int64_t)c->bytes_out);
        if (status >= 500) {
            char code[16];
            snprintf(code, sizeof code, "%u", status);
            otel_span_str(s, "error.type", code);
            otel_span_error(s, NULL);
        }
    }
    otel_span_end(s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    httpd *d = cls;
    conn *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) return MHD_NO;
        *con_cls = c;
        c->start_us = mono_us();
        c->req.d = d;
        c->req.conn = mc;
        c->req.path = url;
        clock_gettime(CLOCK_REALTIME, &c->start_wall);
        request_id(d, MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Request-Id"), c->request_id);
        if (d->cfg.access_log == HTTP_ACCESS_JSON) {
            copy_cut(c->method, sizeof c->method, method);
            client_address(mc, c->client);
            copy_cut(c->user_agent, sizeof c->user_agent,
                     MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "User-Agent"));
        }
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        c->guard = ci ? ci->socket_context : NULL;
        http_guard_body(d, c->guard); /* the head is in */
        atomic_fetch_add(&d->inflight, 1);
        int m = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ? HTTP_GET
                : strcmp(method, "POST") == 0                             ? HTTP_POST
                : strcmp(method, "DELETE") == 0                           ? HTTP_DELETE
                                                                          : 0;
        c->req.method = m;
        c->route = find_route(d, &c->req, url, m, &c->segs, &c->method_mismatch);
        c->span = server_span(d, mc, method, url, version, c->route);
        if (d->cfg.access_log == HTTP_ACCESS_JSON) { /* the server span's trace, else the caller's, else none */
            otel_ctx ctx;
            otel_span_context(c->span, &ctx);
            if (!ctx.valid) otel_ctx_parse(&ctx, MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "traceparent"), NULL);
            if (ctx.valid) otel_hex(ctx.trace_id, 16, c->trace_id);
        }
        const char *code, *why = head_problem(mc, &code);
        if (why) {               /* answered before the body is read: the connection closes after this one response */
            c->too_large = true; /* the body, if any, is not kept */
            http_header(&c->req, "Connection", "close");
            http_error(&c->req, 400, code, "%s", why);
            return send_response(c);
        }
        if (body_too_large(MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length"), d->cfg.max_body)) {
            c->too_large = true;
            http_guard_busy(d, c->guard);
            http_error(&c->req, 413, "body_too_large", "the body exceeds the limit of %zu bytes", d->cfg.max_body);
            return send_response(c);
        }
        coding_scan cs = {0};
        MHD_get_connection_values(mc, MHD_HEADER_KIND, scan_coding, &cs);
        if (cs.others) { /* answered before the body is read, which is dropped */
            c->too_large = true;
            http_guard_busy(d, c->guard);
            if (cs.stacked && !cs.bad[0])
                http_error(&c->req, 415, "unsupported_content_encoding",
                           "more than one Content-Encoding is not accepted: send the body as is, or with one of gzip "
                           "or zstd");
            else
                http_error(&c->req, 415, "unsupported_content_encoding",
                           "Content-Encoding '%s' is not accepted: send the body as is, or with one of gzip or zstd",
                           cs.bad);
            return send_response(c);
        }
        if (cs.format != PROVA_COMPRESSION_NONE) {
            /* decoded as it arrives: at most max_body bytes out, at most max_ratio out per byte in past 64 KiB */
            prova_decompress_options o = {.format = cs.format,
                                          .max_size = d->cfg.max_body,
                                          .max_ratio = d->cfg.max_ratio ? d->cfg.max_ratio : SIZE_MAX,
                                          .ratio_floor = HTTP_RATIO_FLOOR};
            if (prova_decompress_new(&o, &c->dec, NULL) < 0) return MHD_NO;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        http_guard_bytes(d, c->guard, *upload_data_size);
        c->bytes_in += *upload_data_size;
        if (c->dec) { /* Content-Encoding: the bytes sent count against max_body too */
            c->raw_len += *upload_data_size;
            if (c->raw_len > d->cfg.max_body && !c->too_large) {
                c->too_large = true;
                prova_buf_free(&c->body);
            }
            if (!c->too_large && !c->dec_failed &&
                prova_decompress_update(c->dec, upload_data, *upload_data_size, &c->body, &c->dec_err) < 0) {
                c->dec_failed = true; /* a bomb stops here: nothing more is decoded or kept */
                prova_buf_free(&c->body);
            }
        } else if (body_take(&c->body, &c->too_large, d->cfg.max_body, upload_data, *upload_data_size) < 0) {
            return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    http_guard_busy(d, c->guard); /* the body is in */
    if (c->answered) return MHD_YES;
    http_req *req = &c->req;
    if (c->pending) { /* resumed after the writer */
        if (!atomic_load(&c->woken)) return MHD_YES;
        c->pending = false;
        app_call_complete(&req->call);
        settle(c, HTTP_CALLED);
        return send_response(c);
    }
    if (c->dec && !c->too_large && !c->dec_failed && c->raw_len > 0 && prova_decompress_finish(c->dec, &c->dec_err) < 0)
        c->dec_failed = true;
    if (c->dec && !c->dec_failed && !c->too_large) atomic_fetch_add(&d->coded_in[prova_decompress_format(c->dec)], 1);
    req->body = c->body.data ? c->body.data : (const uint8_t *)"";
    req->body_len = c->body.len;
    if (c->too_large) {
        http_error(req, 413, "body_too_large", "the body exceeds the limit of %zu bytes", d->cfg.max_body);
    } else if (c->dec_failed) {
        /* a limit is 413, a broken stream 400; the library's reason code either way */
        const prova_error *e = &c->dec_err;
        unsigned status = e->status == PROVA_ELIMIT ? 413 : e->status == PROVA_ENOMEM ? 503 : 400;
        if (e->status == PROVA_ELIMIT && strcmp(e->reason, "compression_ratio_exceeded") == 0)
            http_error(req, status, e->reason, "%s (more than %u:1; at byte %zu of the body as sent)", e->message,
                       d->cfg.max_ratio, e->offset);
        else if (e->status == PROVA_ELIMIT && strcmp(e->reason, "decompressed_too_large") == 0)
            http_error(req, status, e->reason, "%s of %zu bytes (at byte %zu of the body as sent)", e->message,
                       d->cfg.max_body, e->offset);
        else
            http_error(req, status, e->reason, "%s (at byte %zu of the body as sent)", e->message, e->offset);
    } else if (c->route == http_nroutes) {
        if (c->method_mismatch) {
            http_header(req, "Allow", req->method == HTTP_POST ? "GET, HEAD" : "POST");
            http_error(req, 405, "method_not_allowed", "%s is not allowed on %s", method, url);
        } else {
            http_error(req, 404, "not_found", "no such endpoint: %s (see /openapi.json)", url);
        }
    } else if (atomic_load(&d->stopping)) {
        /* Shutting down: a request on a kept-alive connection is refused rather than parked, so that no connection
         * is suspended when the daemon stops (libmicrohttpd aborts if one is). */
        http_header(req, "Retry-After", "5");
        http_header(req, "Connection", "close");
        http_error(req, 503, "shutting_down", "the gateway is shutting down");
    } else if (authorize(c) == 0 && check_media_type(c) == 0) {
        app_call_init(&req->call, d->a, req->token);
        req->call.span = c->span;
        req->call.wake = wake;
        req->call.park = park;
        req->call.wake_ctx = c;
        int rc = http_routes[c->route].handler(req);
        if (rc == HTTP_PENDING) {
            c->pending = true;
            return MHD_YES;
        }
        if (c->parked) { /* the write could not be queued (429, 503): answer now */
            c->parked = false;
            MHD_resume_connection(mc);
        }
        settle(c, rc);
    }
    return send_response(c);
}

/* One JSON object per request on stderr (JSON Lines), written whole by one fwrite. What a client sent goes in only
 * as the method, the path without its query, the User-Agent and ids checked above: never a header's value besides
 * User-Agent (a bearer token), never the query (it may carry a secret). docs/observability.md "Access log". */
static void access_json(conn *c, unsigned status, int64_t us) {
    char when[64] = "";
    struct tm tm;
    if (gmtime_r(&c->start_wall.tv_sec, &tm)) { /* RFC 3339 in UTC with milliseconds: 2025-01-02T03:04:05.678Z */
        size_t n = strftime(when, sizeof when - 6, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(when + n, sizeof when - n, ".%03uZ", (unsigned)(c->start_wall.tv_nsec / 1000000L) % 1000u);
    }
    if (us < 0) us = 0;
    char ms[32];
    snprintf(ms, sizeof ms, "%" PRId64 ".%03" PRId64, us / 1000, us % 1000);
    const char *path = c->req.path ? c->req.path : "";
    prova_buf b = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &b);
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "time", when);
    prova_jw_kstr(&w, "request_id", c->request_id);
    prova_jw_kstr_or_null(&w, "trace_id", c->trace_id[0] ? c->trace_id : NULL);
    prova_jw_key(&w, "method");
    prova_jw_str_lossy(&w, c->method, strlen(c->method));
    prova_jw_kstr(&w, "route", c->route < http_nroutes ? http_routes[c->route].name : "unmatched");
    prova_jw_key(&w, "path");
    prova_jw_str_lossy(&w, path, strlen(path));
    prova_jw_ku64(&w, "status", status);
    prova_jw_key(&w, "duration_ms");
    prova_jw_raw(&w, ms, strlen(ms));
    prova_jw_ku64(&w, "bytes_in", c->bytes_in);
    prova_jw_ku64(&w, "bytes_out", c->bytes_out);
    prova_jw_kstr(&w, "client", c->client);
    if (c->user_agent[0]) {
        prova_jw_key(&w, "user_agent");
        prova_jw_str_lossy(&w, c->user_agent, strlen(c->user_agent));
    }
    prova_jw_end(&w);
    if (prova_jw_finish(&w) == 0 && prova_buf_append(&b, "\n", 1) == 0) fwrite(b.data, 1, b.len, stderr);
    prova_buf_free(&b);
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)mc;
    httpd *d = cls;
    conn *c = *con_cls;
    if (!c) return;
    *con_cls = NULL;
    http_guard_head(d, c->guard); /* a kept-alive connection waits for its next head from now */
    unsigned status = c->answered ? c->req.resp.status : 499; /* 499: the client went away first */
    if (!c->answered && toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) status = 408;
    int64_t us = mono_us() - c->start_us;
    http_record(d, c->route, status, us);
    if (d->cfg.access_log == HTTP_ACCESS_JSON) {
        access_json(c, status, us);
    } else if (d->cfg.access_log == HTTP_ACCESS_TEXT) {
        fprintf(stderr, "%s %s %u %" PRId64 "us %zuB\n",
                c->req.method == HTTP_POST     ? "POST"
                : c->req.method == HTTP_DELETE ? "DELETE"
                                               : "GET",
                c->req.path, status, us, c->body.len);
    }
    /* A request cut off while its write is queued keeps its state until the writer is done with it. */
    if (c->pending && !atomic_load(&c->woken)) {
        logf_(d, "connection closed while its write was queued; the write completes");
        while (!atomic_load(&c->woken)) sleep_ms(1);
    }
    end_server_span(d, c, status, us);
    conn_free(c);
    atomic_fetch_sub(&d->inflight, 1);
}

/* libmicrohttpd's STARTED and CLOSED: the guard's entry is the socket context (CLOSED comes before the socket is
 * closed; guard.c). */
static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    httpd *d = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? http_guard_opened(d, ci->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        http_guard_closed(d, *socket_context);
        *socket_context = NULL;
    }
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap) {
    httpd *d = cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    /* One line per connection would let a flood write the log: a refusal is counted (the guard logs the count
     * once per interval), and a client that went away mid-head (or was closed by the guard) is not logged. */
    if (strncmp(line, "Server reached connection limit", 31) == 0) {
        atomic_fetch_add_explicit(&d->conn_refused, 1, memory_order_relaxed);
        return;
    }
    if (strncmp(line, "Connection was closed by remote side with incomplete request", 60) == 0) return;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    fprintf(stderr, "%s: http: %s\n", d->cfg.log_prefix, line);
}

/* ---- Start and stop ------------------------------------------------------------------------------------ */

int http_parse_listen(const char *s, bool bare_port, struct sockaddr_storage *ss, socklen_t *len, bool *ret_loopback) {
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
        if (!host[0])
            a->sin6_addr = in6addr_any;
        else if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return -1;
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

/* Reads a PEM file for TLS into out (NUL-terminated). 0, or a CLI exit code (logged). */
static int read_pem(httpd *d, const char *path, prova_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        logf_(d, "%s: %s", path, strerror(errno));
        return 2;
    }
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > ((size_t)1 << 20))
            rc = PROVA_ELIMIT;
        else
            rc = prova_buf_append(out, chunk, n);
    }
    fclose(f);
    if (rc == 0) rc = prova_buf_append(out, "", 1);
    if (rc == PROVA_ELIMIT) logf_(d, "%s: over 1 MiB: not a PEM file", path);
    return rc == 0 ? 0 : rc == PROVA_ELIMIT ? 2 : 3;
}

static void cfg_logf(const http_config *cfg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cfg_logf(const http_config *cfg, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\n", cfg->log_prefix, line);
}

/* The TLS policy is checked with GnuTLS itself (libmicrohttpd would only say that it cannot start): a string GnuTLS
 * does not parse, or one that enables no TLS version, is refused with the part at fault. */
int http_check_tls(const http_config *cfg) {
    if (!cfg->tls_cert && !cfg->tls_key) {
        if (!cfg->tls_priority) return 0;
        cfg_logf(cfg, "--tls-priority applies to TLS: give --tls-cert and --tls-key too");
        return 2;
    }
    if (!cfg->tls_cert || !cfg->tls_key) {
        cfg_logf(cfg, "TLS needs both --tls-cert and --tls-key");
        return 2;
    }
    const char *prio = cfg->tls_priority ? cfg->tls_priority : HTTP_TLS_PRIORITY;
    gnutls_priority_t p;
    const char *at = NULL;
    int g = gnutls_priority_init2(&p, prio, &at, 0);
    if (g == GNUTLS_E_INVALID_REQUEST && at) {
        cfg_logf(cfg,
                 "--tls-priority '%s': GnuTLS does not understand '%s'; list what a string enables with gnutls-cli "
                 "--priority STRING -l",
                 prio, at);
        return 2;
    }
    if (g < 0) {
        cfg_logf(cfg, "--tls-priority '%s': %s", prio, gnutls_strerror(g));
        return 2;
    }
    const unsigned *vers = NULL;
    int nvers = gnutls_priority_protocol_list(p, &vers);
    gnutls_priority_deinit(p);
    if (nvers <= 0) {
        cfg_logf(cfg, "--tls-priority '%s' enables no TLS version", prio);
        return 2;
    }
    return 0;
}

int http_start(const http_config *cfg, app *a, mcp_server *mcp, httpd **ret) {
    *ret = NULL;
    httpd *d = calloc(1, sizeof *d);
    if (!d) return 3;
    d->cfg = *cfg;
    if (cfg->quiet) d->cfg.access_log = HTTP_ACCESS_OFF;
    d->a = a;
    d->mcp = cfg->no_mcp ? NULL : mcp;
    prova_random_fill(d->rid_key, sizeof d->rid_key);
    d->route_metrics = calloc(http_nroutes + 1, sizeof *d->route_metrics);
    if (!d->route_metrics) {
        free(d);
        return 3;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    if (http_parse_listen(cfg->listen, cfg->bare_port, &ss, &sl, &d->loopback) < 0) {
        logf_(d, "listen address %s: expected HOST:PORT (an IP address; [::1]:PORT for IPv6, :PORT for all)",
              cfg->listen);
        http_stop(d);
        return 2;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    prova_buf cert = PROVA_BUF_INIT, key = PROVA_BUF_INIT;
    int tls = http_check_tls(cfg);
    if (tls) {
        http_stop(d);
        return tls;
    }
    if (cfg->tls_cert) {
        int rc = read_pem(d, cfg->tls_cert, &cert);
        if (rc == 0) rc = read_pem(d, cfg->tls_key, &key);
        if (rc) {
            prova_mem_wipe(key.data, key.len);
            prova_buf_free(&cert);
            prova_buf_free(&key);
            http_stop(d);
            return rc;
        }
        flags |= MHD_USE_TLS;
    }
    /* Each connection is a descriptor: the limit leaves room under the open-files limit for the rest. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY &&
        (rlim_t)d->cfg.max_connections + 128 > nofile.rlim_cur) {
        unsigned cap = nofile.rlim_cur > 256 ? (unsigned)(nofile.rlim_cur - 128) : 128;
        logf_(d, "--max-connections %u is over the open-files limit (%llu): using %u", d->cfg.max_connections,
              (unsigned long long)nofile.rlim_cur, cap);
        d->cfg.max_connections = cap;
    }
    if (http_guard_start(d) < 0) {
        logf_(d, "cannot start the connection guard: %s", strerror(errno));
        http_stop(d);
        return 3;
    }
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = (unsigned)(n > 0 ? 2 * n : 4);
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, d},
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, d->cfg.max_connections, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_ip, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, d},
        {MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)cfg->max_header, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, d},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {cert.len ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert.data},
        {cert.len ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key.data},
        {cert.len ? MHD_OPTION_HTTPS_PRIORITIES : MHD_OPTION_END, 0,
         (void *)(cfg->tls_priority ? cfg->tls_priority : HTTP_TLS_PRIORITY)},
        {MHD_OPTION_END, 0, NULL},
    };
    uint16_t port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    d->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request, d, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    prova_mem_wipe(key.data, key.len);
    prova_buf_free(&cert);
    prova_buf_free(&key);
    if (!d->daemon) {
        logf_(d, "cannot listen on %s: %s", cfg->listen, errno ? strerror(errno) : "libmicrohttpd refused");
        http_stop(d);
        return 3;
    }
    http_metrics_export(d, true);
    *ret = d;
    return 0;
}

void http_stop(httpd *d) {
    if (!d) return;
    http_metrics_export(d, false);
    if (d->daemon) {
        MHD_quiesce_daemon(d->daemon);
        atomic_store(&d->stopping, true);
        /* In-flight requests finish (their writes included); then the daemon stops. A request counts as in flight
         * from its first callback, so one that passed the stopping check before it was set is waited for. */
        for (int i = 0; i < 3000 && atomic_load(&d->inflight) > 0; i++) sleep_ms(10);
        MHD_stop_daemon(d->daemon);
    }
    http_guard_stop(d); /* after the daemon: no connection is left to notify it */
    free(d->route_metrics);
    free(d);
}
