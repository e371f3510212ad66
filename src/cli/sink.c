/* The event sink of `prova export --post` and `prova sink`: HTTP POST with libcurl, retries with exponential
 * backoff, and a bounded spool directory so that an event is never lost while the endpoint is down.
 *
 * A spooled event is one file "<ns since the epoch, 20 digits>-<pid>.event" holding
 *     prova-spool 1\n URL\n Content-Type\n <n headers>\n "Name: value"\n ... \n <body bytes>
 * written atomically (temporary file, fsync, rename). Delivery is oldest first and stops at the first event that
 * still fails, so the order of events per spool is kept; a new event is spooled directly while older ones wait. */
#define _DEFAULT_SOURCE /* usleep, dirent d_type */

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h" /* app_url_for_log */
#include "export.h"

#define SPOOL_MAGIC        "prova-spool 1\n"
#define DEFAULT_RETRIES    3U
#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_SPOOL_MAX  ((size_t)64 << 20)
#define MAX_SPOOLED        100000

typedef struct answer {
    char head[256]; /* the first bytes of the response body, for error messages */
    size_t n;
} answer;

static size_t keep_head(char *ptr, size_t size, size_t nmemb, void *ud) {
    answer *a = ud;
    size_t len = size * nmemb, room = sizeof a->head - 1 - a->n;
    size_t take = len < room ? len : room;
    memcpy(a->head + a->n, ptr, take);
    a->n += take;
    a->head[a->n] = '\0';
    return len;
}

enum { SEND_OK, SEND_RETRY, SEND_REFUSED };

/* One attempt. Returns SEND_OK (2xx), SEND_RETRY (transport error, 408, 429, 5xx) or SEND_REFUSED (other status);
 * *status and a->head describe the answer. trace: the trace context sent (traceparent, tracestate) when valid. */
static int send_once(const cli_sink *s, const char *url, const char *ctype, const cli_header *h, size_t nh,
                     const void *body, size_t len, const otel_ctx *trace, long *status, char *errbuf, answer *a) {
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(errbuf, CURL_ERROR_SIZE, "cannot initialise libcurl");
        return SEND_RETRY;
    }
    struct curl_slist *hl = NULL;
    char line[1024];
    int rc = SEND_RETRY;
    bool oom = false;
    snprintf(line, sizeof line, "Content-Type: %s", ctype);
    struct curl_slist *t = curl_slist_append(hl, line);
    oom |= !t;
    hl = t ? t : hl;
    if (s->token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", s->token);
        t = curl_slist_append(hl, line);
        oom |= !t;
        hl = t ? t : hl;
    }
    for (size_t i = 0; i < nh; i++) {
        snprintf(line, sizeof line, "%s: %s", h[i].name, h[i].value);
        t = curl_slist_append(hl, line);
        oom |= !t;
        hl = t ? t : hl;
    }
    if (trace->valid) { /* W3C Trace Context */
        char tp[OTEL_TRACEPARENT_LEN + 1];
        otel_ctx_traceparent(trace, tp);
        snprintf(line, sizeof line, "traceparent: %s", tp);
        t = curl_slist_append(hl, line);
        oom |= !t;
        hl = t ? t : hl;
        if (trace->tracestate[0]) {
            snprintf(line, sizeof line, "tracestate: %s", trace->tracestate);
            t = curl_slist_append(hl, line);
            oom |= !t;
            hl = t ? t : hl;
        }
    }
    t = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    oom |= !t;
    hl = t ? t : hl;
    errbuf[0] = '\0';
    a->n = 0;
    a->head[0] = '\0';
    *status = 0;
    if (oom) {
        snprintf(errbuf, CURL_ERROR_SIZE, "out of memory");
    } else {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_ms > 0 ? s->timeout_ms : DEFAULT_TIMEOUT_MS);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_head);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "prova/" PROVA_VERSION_STRING);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        CURLcode cr = curl_easy_perform(c);
        if (cr == CURLE_OK) {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
            if (*status >= 200 && *status < 300)
                rc = SEND_OK;
            else if (*status == 408 || *status == 429 || *status >= 500)
                rc = SEND_RETRY;
            else
                rc = SEND_REFUSED;
        } else if (cr == CURLE_UNSUPPORTED_PROTOCOL || cr == CURLE_URL_MALFORMAT) {
            if (!errbuf[0]) snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cr));
            rc = SEND_REFUSED;
        } else if (!errbuf[0]) {
            snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cr));
        }
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return rc;
}

/* The delivery's CLIENT span (semantic conventions: HTTP client spans), or NULL without telemetry. */
static otel_span *deliver_span(const cli_sink *s, const char *url) {
    otel_span *sp = otel_span_start(s->otel, s->parent, "prova.sink.deliver", OTEL_KIND_CLIENT);
    if (!otel_span_recording(sp)) return sp;
    char shown[1024], host[256];
    int port = 0;
    app_url_for_log(url, shown, sizeof shown); /* without credentials */
    app_url_host(url, host, sizeof host, &port);
    otel_span_str(sp, "http.request.method", "POST");
    otel_span_str(sp, "url.full", shown);
    if (host[0]) otel_span_str(sp, "server.address", host);
    if (port) otel_span_int(sp, "server.port", port);
    return sp;
}

/* Up to 1 + retries attempts with backoff 200 ms, 400 ms, ..., as one "prova.sink.deliver" span. */
static int send_retrying(const cli_sink *s, const char *url, const char *ctype, const cli_header *h, size_t nh,
                         const void *body, size_t len, char *why, size_t whycap) {
    unsigned tries = 1 + s->retries;
    useconds_t delay = 200000;
    otel_span *sp = deliver_span(s, url);
    otel_ctx trace;
    if (sp)
        otel_span_context(sp, &trace);
    else if (s->parent && s->parent->valid)
        trace = *s->parent; /* no telemetry of our own: the caller's context goes on as it is */
    else
        trace.valid = false;
    int r = SEND_RETRY;
    long status = 0;
    unsigned k = 0;
    for (; k < tries; k++) {
        char errbuf[CURL_ERROR_SIZE];
        answer a;
        r = send_once(s, url, ctype, h, nh, body, len, &trace, &status, errbuf, &a);
        if (r == SEND_OK) break;
        if (status)
            snprintf(why, whycap, "HTTP %ld%s%.200s", status, a.n ? ": " : "", a.head);
        else
            snprintf(why, whycap, "%s", errbuf);
        if (r == SEND_REFUSED) break;
        if (k + 1 < tries) {
            usleep(delay);
            delay = delay < 3200000 ? delay * 2 : delay;
        }
    }
    if (otel_span_recording(sp)) {
        unsigned retries = k < tries ? k : tries - 1;
        if (status) otel_span_int(sp, "http.response.status_code", status);
        if (retries) otel_span_int(sp, "prova.sink.retries", retries);
        if (r != SEND_OK) {
            char type[24];
            snprintf(type, sizeof type, "%ld", status);
            otel_span_str(sp, "error.type", status >= 400 ? type : "_OTHER");
            otel_span_error(sp, why);
        }
    }
    otel_span_end(sp);
    return r;
}

/* ---- the spool ----------------------------------------------------------------------------------------------- */

static int ensure_dir(const char *path) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return cli_fail(EXIT_USAGE, "spool path too long");
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return cli_fail(EXIT_INTERNAL, "%s: cannot create: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return cli_fail(EXIT_INTERNAL, "%s: cannot create: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) return cli_fail(EXIT_USAGE, "spool %s is not a directory", buf);
    return EXIT_OK;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spooled event files, oldest first, and their total size. *ret is NULL when the directory does not exist. */
static int spool_list(const char *dir, char ***ret, size_t *ret_n, size_t *ret_bytes) {
    *ret = NULL;
    *ret_n = 0;
    *ret_bytes = 0;
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? EXIT_OK : cli_fail(EXIT_INTERNAL, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = EXIT_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && rc == EXIT_OK) {
        size_t l = strlen(e->d_name);
        if (l < 7 || strcmp(e->d_name + l - 6, ".event") != 0) continue;
        if (n == MAX_SPOOLED) break;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) {
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
                break;
            }
            names = nn;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0) *ret_bytes += (size_t)st.st_size;
        names[n] = strdup(e->d_name);
        if (!names[n])
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
        else
            n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    *ret = names;
    *ret_n = n;
    return rc;
}

static void free_list(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int spool_store(const cli_sink *s, const char *url, const char *ctype, const cli_header *h, size_t nh,
                       const void *body, size_t len) {
    int rc = ensure_dir(s->spool);
    if (rc != EXIT_OK) return rc;
    char **names;
    size_t n, bytes;
    rc = spool_list(s->spool, &names, &n, &bytes);
    free_list(names, n);
    if (rc != EXIT_OK) return rc;
    size_t max = s->spool_max_bytes ? s->spool_max_bytes : DEFAULT_SPOOL_MAX;
    prova_buf b = PROVA_BUF_INIT;
    char line[1200];
    snprintf(line, sizeof line, SPOOL_MAGIC "%s\n%s\n%zu\n", url, ctype, nh);
    int w = prova_buf_append(&b, line, strlen(line));
    for (size_t i = 0; w == 0 && i < nh; i++) {
        snprintf(line, sizeof line, "%s: %s\n", h[i].name, h[i].value);
        w = prova_buf_append(&b, line, strlen(line));
    }
    if (w == 0) w = prova_buf_append(&b, body, len);
    if (w < 0)
        rc = cli_fail(EXIT_INTERNAL, "out of memory");
    else if (bytes + b.len > max)
        rc = cli_fail(EXIT_INTERNAL, "the spool %s is full (%zu of %zu bytes): the event was NOT stored", s->spool,
                      bytes, max);
    if (rc == EXIT_OK) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char path[4200];
        snprintf(path, sizeof path, "%s/%020lld-%ld.event", s->spool, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
                 (long)getpid());
        rc = cli_write_file_atomic_mode(path, b.data, b.len, 0600); /* it holds the Authorization header */
        if (rc == EXIT_OK)
            fprintf(stderr,
                    "prova: warning: the event was spooled in %s: it will be sent by the next "
                    "`prova export --post` or `prova sink flush`\n",
                    path);
    }
    prova_buf_free(&b);
    return rc;
}

/* Splits a spooled file into its request. Pointers point into data (which is modified: NULs at line ends). */
static bool spool_parse(char *data, size_t len, const char **url, const char **ctype, cli_header *h, size_t cap,
                        size_t *nh, const char **body, size_t *blen) {
    size_t ml = strlen(SPOOL_MAGIC);
    if (len < ml || memcmp(data, SPOOL_MAGIC, ml) != 0) return false;
    char *p = data + ml, *end = data + len;
    char *fields[3];
    for (int i = 0; i < 3; i++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return false;
        *nl = '\0';
        fields[i] = p;
        p = nl + 1;
    }
    char *e;
    unsigned long n = strtoul(fields[2], &e, 10);
    if (*e || n > cap) return false;
    for (unsigned long i = 0; i < n; i++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return false;
        *nl = '\0';
        char *colon = strstr(p, ": ");
        if (!colon) return false;
        *colon = '\0';
        h[i].name = p;
        h[i].value = colon + 2;
        p = nl + 1;
    }
    *url = fields[0];
    *ctype = fields[1];
    *nh = n;
    *body = p;
    *blen = (size_t)(end - p);
    return true;
}

/* Delivers the spool oldest first. *ret_left = events still waiting (delivery stopped at a failing one). */
static int spool_drain(const cli_sink *s, size_t *ret_left) {
    *ret_left = 0;
    if (!s->spool) return EXIT_OK;
    char **names;
    size_t n, bytes;
    int rc = spool_list(s->spool, &names, &n, &bytes);
    for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", s->spool, names[i]);
        prova_buf f = PROVA_BUF_INIT;
        rc = cli_read_file(path, (size_t)1 << 30, &f);
        if (rc != EXIT_OK) break;
        const char *url, *ctype, *body;
        cli_header h[CLI_EXPORT_MAX_EXT + 16];
        size_t nh, blen;
        if (!spool_parse((char *)f.data, f.len, &url, &ctype, h, sizeof h / sizeof *h, &nh, &body, &blen)) {
            rc = cli_fail(EXIT_INTERNAL, "%s: not a spooled event (move it away to continue)", path);
        } else {
            char why[512], shown[1024];
            int r = send_retrying(s, url, ctype, h, nh, body, blen, why, sizeof why);
            app_url_for_log(url, shown, sizeof shown);
            if (r == SEND_OK) {
                if (unlink(path) != 0) rc = cli_fail(EXIT_INTERNAL, "%s: cannot remove: %s", path, strerror(errno));
            } else if (r == SEND_REFUSED) {
                rc = cli_fail(EXIT_INVALID, "%s: %s refused the spooled event: %s (it stays in the spool)", path, shown,
                              why);
            } else {
                fprintf(stderr, "prova: %s is still unreachable (%s): %zu event(s) stay in %s\n", shown, why, n - i,
                        s->spool);
                *ret_left = n - i;
                prova_buf_free(&f);
                break;
            }
        }
        prova_buf_free(&f);
        if (rc != EXIT_OK) *ret_left = n - i;
    }
    free_list(names, n);
    return rc;
}

static void global_init(void) {
    static bool done; /* the CLI is single-threaded; libcurl's global state is process-wide anyway */
    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = true;
    }
}

int cli_sink_post(const cli_sink *s, const char *content_type, const cli_header *headers, size_t nheaders,
                  const void *body, size_t len) {
    global_init();
    for (size_t i = 0; i < nheaders; i++)
        if (strpbrk(headers[i].name, "\r\n:") || strpbrk(headers[i].value, "\r\n"))
            return cli_fail(EXIT_USAGE, "header %s: CR, LF or ':' in a header", headers[i].name);
    if (strpbrk(s->url, "\r\n \t")) return cli_fail(EXIT_USAGE, "--post: the URL contains white space");
    size_t left;
    int rc = spool_drain(s, &left);
    if (rc != EXIT_OK) return rc;
    if (left) return spool_store(s, s->url, content_type, headers, nheaders, body, len);
    char why[512], shown[1024]; /* the URL in messages, without its credentials */
    int r = send_retrying(s, s->url, content_type, headers, nheaders, body, len, why, sizeof why);
    if (r == SEND_OK) return EXIT_OK;
    app_url_for_log(s->url, shown, sizeof shown);
    if (r == SEND_REFUSED) return cli_fail(EXIT_INVALID, "%s refused the event: %s", shown, why);
    if (!s->spool) return cli_fail(EXIT_INTERNAL, "%s: %s (no spool: the event was not delivered)", shown, why);
    fprintf(stderr, "prova: %s: %s\n", shown, why);
    return spool_store(s, s->url, content_type, headers, nheaders, body, len);
}

int cli_sink_flush(const cli_sink *s) {
    global_init();
    if (!s->spool) return cli_fail(EXIT_USAGE, "no spool directory (--spool DIR, or set XDG_STATE_HOME or HOME)");
    size_t left;
    int rc = spool_drain(s, &left);
    if (rc == EXIT_OK && left) rc = EXIT_INTERNAL;
    return rc;
}

void cli_sink_from_export(const cli_export *x, cli_sink *ret) {
    static char spool[4096]; /* the CLI's one sink per run */
    memset(ret, 0, sizeof *ret);
    ret->url = x->post;
    ret->retries = DEFAULT_RETRIES;
    ret->timeout_ms = DEFAULT_TIMEOUT_MS;
    ret->spool_max_bytes = DEFAULT_SPOOL_MAX;
    ret->otel = x->otel;
    ret->parent = x->parent;
    ret->token = x->token ? x->token : getenv("PROVA_SINK_TOKEN");
    const char *env = getenv("PROVA_SINK_RETRIES");
    if (env && *env) {
        char *e;
        unsigned long r = strtoul(env, &e, 10);
        if (!*e && r <= 10) ret->retries = (unsigned)r;
    }
    if (x->spool) {
        ret->spool = x->spool;
    } else {
        const char *st = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
        if (st && *st)
            snprintf(spool, sizeof spool, "%s/prova/spool", st);
        else if (home && *home)
            snprintf(spool, sizeof spool, "%s/.local/state/prova/spool", home);
        ret->spool = spool[0] ? spool : NULL;
    }
}
