/* The connection guard: slow clients (docs/operations.md "Slow clients and connection limits").
 *
 * libmicrohttpd's own timeout is an idle one (each byte resets it), so a client sending a byte of its head every
 * few seconds holds a connection for as long as it likes, and a thousand of them fill the connection limit. The
 * guard tracks every connection from its start to its close, in one of three phases: waiting for a request head
 * (since the accept, or since the previous response on a kept-alive connection), receiving a body (since the head
 * ended) and busy (the handler runs, a write waits for the writer, the response is sent). A thread closes a
 * connection whose head took longer than the head deadline, or whose body arrives slower than the minimum rate
 * once the grace has passed; and when a new connection leaves fewer than the reserve free, the oldest connection
 * still waiting for its head is shed, so that a real request always finds room. A busy connection is never closed.
 *
 * Closing is shutdown(fd, SHUT_RDWR): libmicrohttpd, which keeps owning the socket, then reads end-of-file and
 * closes the connection itself. The fd cannot have been reused by then: libmicrohttpd calls the CLOSED notification
 * (http_guard_closed, which unlinks the entry under the guard's mutex) before it closes the socket (daemon.c of
 * 0.9.75: MHD_cleanup_connections and new_connection_process_), and shutdown is only called under that mutex on a
 * linked entry. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "http.h"

enum { PHASE_HEAD, PHASE_BODY, PHASE_BUSY, PHASE_CUT };

struct http_guard_conn {
    http_guard_conn *prev, *next; /* in the list of its phase (head or body); none while busy or cut */
    int fd;
    int phase;
    int64_t since_us; /* when the phase began */
    uint64_t body_bytes;
};

typedef struct guard_list {
    http_guard_conn *first, *last;
} guard_list;

struct http_guard {
    httpd *d;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stop;
    guard_list head, body; /* head: in the order their phase began (oldest first) */
    unsigned live;         /* connections open and not cut */
    unsigned shed_above;   /* a new connection that makes live exceed this sheds the oldest head (0: never) */
    int64_t head_us, grace_us;
    uint64_t min_rate;                                             /* bytes per second */
    unsigned long long logged[HTTP_CLOSE_REASONS], logged_refused; /* the counts at the last log line */
    int64_t logged_us;
};

enum { TICK_MS = 200, LOG_INTERVAL_US = 10 * 1000000 };

static int64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void unlink_(guard_list *l, http_guard_conn *e) {
    if (e->prev)
        e->prev->next = e->next;
    else
        l->first = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->last = e->prev;
    e->prev = e->next = NULL;
}

static void append(guard_list *l, http_guard_conn *e) {
    e->prev = l->last;
    e->next = NULL;
    if (l->last)
        l->last->next = e;
    else
        l->first = e;
    l->last = e;
}

/* Takes e out of its phase's list. Under g->mu. */
static void leave(http_guard *g, http_guard_conn *e) {
    if (e->phase == PHASE_HEAD) unlink_(&g->head, e);
    if (e->phase == PHASE_BODY) unlink_(&g->body, e);
}

/* e enters phase now. Under g->mu; a cut connection stays cut. */
static void enter(http_guard *g, http_guard_conn *e, int phase) {
    if (e->phase == PHASE_CUT || e->phase == phase) return;
    leave(g, e);
    e->phase = phase;
    e->since_us = now_us();
    e->body_bytes = 0;
    if (phase == PHASE_HEAD) append(&g->head, e);
    if (phase == PHASE_BODY) append(&g->body, e);
}

/* Closes e's connection (libmicrohttpd sees end-of-file and closes it). Under g->mu, with e linked. */
static void cut(http_guard *g, http_guard_conn *e, int reason) {
    leave(g, e);
    e->phase = PHASE_CUT;
    g->live--;
    shutdown(e->fd, SHUT_RDWR);
    atomic_fetch_add_explicit(&g->d->conn_closed[reason], 1, memory_order_relaxed);
}

/* One line per interval with what was closed or refused since the last one (none when nothing was). */
static void log_counts(http_guard *g, int64_t now) {
    if (now - g->logged_us < LOG_INTERVAL_US) return;
    httpd *d = g->d;
    unsigned long long n[HTTP_CLOSE_REASONS], refused = atomic_load(&d->conn_refused), any = 0;
    for (unsigned r = 0; r < HTTP_CLOSE_REASONS; r++) {
        n[r] = atomic_load(&d->conn_closed[r]);
        any |= n[r] - g->logged[r];
    }
    any |= refused - g->logged_refused;
    if (any)
        fprintf(stderr,
                "%s: slow clients: closed %llu at the head deadline, %llu below the body rate, shed %llu waiting "
                "heads; refused %llu over the connection limits (%u open)\n",
                d->cfg.log_prefix, n[HTTP_CLOSE_HEADER] - g->logged[HTTP_CLOSE_HEADER],
                n[HTTP_CLOSE_BODY] - g->logged[HTTP_CLOSE_BODY], n[HTTP_CLOSE_SHED] - g->logged[HTTP_CLOSE_SHED],
                refused - g->logged_refused, g->live);
    for (unsigned r = 0; r < HTTP_CLOSE_REASONS; r++) g->logged[r] = n[r];
    g->logged_refused = refused;
    g->logged_us = now;
}

static void *guard_main(void *arg) {
    http_guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        int64_t now = now_us();
        /* The head list is oldest first: stop at the first one still within the deadline. */
        while (g->head_us && g->head.first && now - g->head.first->since_us >= g->head_us)
            cut(g, g->head.first, HTTP_CLOSE_HEADER);
        if (g->min_rate) {
            http_guard_conn *next;
            for (http_guard_conn *e = g->body.first; e; e = next) {
                next = e->next;
                int64_t took = now - e->since_us;
                if (took >= g->grace_us && (double)e->body_bytes < (double)g->min_rate * (double)took / 1e6)
                    cut(g, e, HTTP_CLOSE_BODY);
            }
        }
        log_counts(g, now);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &until);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int http_guard_start(httpd *d) {
    http_guard *g = calloc(1, sizeof *g);
    if (!g) return -1;
    g->d = d;
    const http_config *c = &d->cfg;
    g->head_us = (int64_t)c->header_timeout_s * 1000000;
    g->grace_us = (int64_t)(c->header_timeout_s ? c->header_timeout_s : HTTP_BODY_GRACE_S) * 1000000;
    g->min_rate = c->min_body_rate;
    unsigned reserve = http_reserved_connections(c->max_connections);
    g->shed_above = c->max_connections > reserve ? c->max_connections - reserve : 0;
    g->logged_us = now_us();
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc) {
        free(g);
        return -1;
    }
    pthread_mutex_init(&g->mu, NULL);
    if (pthread_create(&g->thread, NULL, guard_main, g) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        free(g);
        return -1;
    }
    d->guard = g;
    return 0;
}

void http_guard_stop(httpd *d) {
    http_guard *g = d->guard;
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
    d->guard = NULL;
}

http_guard_conn *http_guard_opened(httpd *d, int fd) {
    http_guard *g = d->guard;
    if (!g || fd < 0) return NULL;
    http_guard_conn *e = calloc(1, sizeof *e);
    if (!e) return NULL; /* not tracked: libmicrohttpd's idle timeout still applies */
    e->fd = fd;
    e->phase = PHASE_BUSY;
    pthread_mutex_lock(&g->mu);
    enter(g, e, PHASE_HEAD);
    g->live++;
    atomic_fetch_add_explicit(&d->conn_open, 1, memory_order_relaxed);
    /* Capacity kept: shed the oldest connections still waiting for a head (never this one, never a busy one). */
    while (g->shed_above && g->live > g->shed_above && g->head.first && g->head.first != e)
        cut(g, g->head.first, HTTP_CLOSE_SHED);
    pthread_mutex_unlock(&g->mu);
    return e;
}

void http_guard_closed(httpd *d, http_guard_conn *e) {
    http_guard *g = d->guard;
    if (!g || !e) return;
    pthread_mutex_lock(&g->mu);
    leave(g, e);
    if (e->phase != PHASE_CUT) g->live--;
    atomic_fetch_sub_explicit(&d->conn_open, 1, memory_order_relaxed);
    pthread_mutex_unlock(&g->mu);
    free(e);
}

static void to_phase(httpd *d, http_guard_conn *e, int phase) {
    http_guard *g = d->guard;
    if (!g || !e) return;
    pthread_mutex_lock(&g->mu);
    enter(g, e, phase);
    pthread_mutex_unlock(&g->mu);
}

void http_guard_head(httpd *d, http_guard_conn *e) {
    to_phase(d, e, PHASE_HEAD);
}
void http_guard_body(httpd *d, http_guard_conn *e) {
    to_phase(d, e, PHASE_BODY);
}
void http_guard_busy(httpd *d, http_guard_conn *e) {
    to_phase(d, e, PHASE_BUSY);
}

void http_guard_bytes(httpd *d, http_guard_conn *e, size_t n) {
    http_guard *g = d->guard;
    if (!g || !e) return;
    pthread_mutex_lock(&g->mu);
    e->body_bytes += n;
    pthread_mutex_unlock(&g->mu);
}

unsigned http_reserved_connections(unsigned max_connections) {
    unsigned r = max_connections / 8;
    return r < 8 ? (max_connections > 16 ? 8 : 0) : r;
}
