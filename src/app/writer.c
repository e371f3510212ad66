/* The writer: one thread owns the store's write connection. It takes every queued call, applies each inside its own
 * savepoint of one transaction, commits once (one fsync for the whole batch: group commit) and then wakes the
 * callers. A call that fails undoes only its own writes; a failed commit fails every call of the batch, so that no
 * caller is told "stored" for something that is not on disk. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app_internal.h"

static app_call *call_of(app_job *j) {
    return (app_call *)(void *)((char *)j - offsetof(app_call, job));
}

int app_submit(app_call *c, int (*apply)(app *a, prova_store *w, app_call *c), void (*finish)(app_call *c)) {
    app *a = c->a;
    assert(a && a->w && apply && finish); /* operations call app_need_store before they queue */
    c->job.apply = apply;
    c->job.next = NULL;
    c->job.status = 0;
    c->finish = finish;
    atomic_store(&c->job_done, 0);
    if (c->park) c->park(c);
    pthread_mutex_lock(&a->qlock);
    int rc = 0;
    if (a->stopping)
        rc = PROVA_EIO;
    else if (a->qlen >= a->cfg.max_queue)
        rc = PROVA_ELIMIT;
    else {
        if (a->qtail)
            a->qtail->next = &c->job;
        else
            a->qhead = &c->job;
        a->qtail = &c->job;
        a->qlen++;
        pthread_cond_signal(&a->qcond);
    }
    pthread_mutex_unlock(&a->qlock);
    if (rc == 0) return APP_PENDING;
    c->finish = NULL;
    if (rc == PROVA_ELIMIT) {
        app_fail(c, APP_E_BUSY, "overloaded", "too many writes are queued; retry shortly");
        c->err.retry_after_s = 1;
    } else {
        app_fail(c, APP_E_UNAVAILABLE, "shutting_down", "the gateway is shutting down");
        c->err.retry_after_s = 5;
    }
    return APP_DONE;
}

/* Replay claims older than the freshness window are useless: a replay of them fails the time check. Each batch
 * deletes up to twice as many expired claims as it has writes, inside its own transaction (no extra fsync), so
 * expiry keeps pace with the claims without ever stalling the queue; an idle writer sweeps the rest. */
static int purge_some(app *a, unsigned writes) {
    return prova_store_replay_purge(a->w, app_now_us(), 2 * (int64_t)writes + 16, NULL);
}

void app_store_outcome(app *a, int rc) {
    if (rc == 0) {
        if (atomic_exchange(&a->store_failing, false)) app_log(a, "the store is writable again");
        return;
    }
    pthread_mutex_lock(&a->qlock);
    if (!atomic_load(&a->store_failing)) a->store_fault_since_us = app_now_us();
    snprintf(a->store_fault_msg, sizeof a->store_fault_msg, "%s: %s", prova_status_name(rc), prova_store_errmsg(a->w));
    atomic_store(&a->store_failing, true);
    pthread_mutex_unlock(&a->qlock);
}

/* After a failed commit, and every second while the store fails with no writes to try it: one small transaction
 * (an already expired replay claim, which the next purge deletes). It finds out when the fault has gone, and it
 * writes over whatever the failed commit left past the end of the WAL: after a failed fsync its frames may be
 * whole in the file, and a restart's recovery would otherwise take the refused batch for a committed one.
 * The probe right after a failure does not declare the store writable when it succeeds: on a nearly full disk a
 * tiny transaction fits where the batch did not, and /health would say ok while every real write fails. */
static void probe(app *a, bool right_after_failure) {
    prova_store *w = a->w;
    a->last_probe_us = app_now_us();
    int rc = prova_store_begin(w);
    if (rc == 0) rc = prova_store_replay_claim(w, "prova:probe", a->last_probe_us, 0);
    if (rc == 0) rc = prova_store_commit(w);
    if (rc < 0) prova_store_rollback(w);
    if (rc < 0 || !right_after_failure) app_store_outcome(a, rc);
}

static void purge_idle(app *a) {
    int64_t now = app_now_us();
    if (now - a->last_purge_us < 10 * 1000000) return;
    a->last_purge_us = now;
    int rc = prova_store_begin(a->w);
    if (rc == 0) rc = prova_store_replay_purge(a->w, now, 0, NULL);
    if (rc == 0) {
        rc = prova_store_commit(a->w);
        app_store_outcome(a, rc);
    }
    if (rc == 0) return;
    app_log(a, "replay purge failed: %s", prova_store_errmsg(a->w));
    prova_store_rollback(a->w);
}

/* The batch's span: a root span (one commit serves many requests), linked to the span of each call in it (the
 * first OTEL_SPAN_LINKS; the others are counted as dropped links). */
static otel_span *commit_span(app *a, app_job *jobs, unsigned njobs) {
    otel_span *s = otel_span_start(a->cfg.otel, NULL, "prova.store.commit", OTEL_KIND_INTERNAL);
    if (!otel_span_recording(s)) return s;
    otel_span_int(s, "prova.store.batch_size", njobs);
    otel_span_str(s, "db.system.name", prova_store_backend(a->w));
    otel_ctx cc;
    cc.valid = false;
    unsigned k = 0;
    for (app_job *j = jobs; j; j = j->next) {
        const otel_span *cs = call_of(j)->span;
        if (!cs) continue;
        /* past the limit only the count of dropped links changes: no need to copy the context again */
        if (k++ < OTEL_SPAN_LINKS) otel_span_context(cs, &cc);
        otel_span_link(s, &cc);
    }
    return s;
}

static void run_batch(app *a, app_job *jobs, unsigned njobs) {
    prova_store *w = a->w;
    otel_span *span = commit_span(a, jobs, njobs);
    int rc = prova_store_begin(w);
    /* Not fatal for the batch: the claims stay until the next try. In a savepoint of its own, because a failed
     * statement spoils the rest of a PostgreSQL transaction (docs/postgresql.md). */
    if (rc == 0 && (rc = prova_store_savepoint(w)) == 0) {
        int pr = purge_some(a, njobs);
        if (pr < 0) app_log(a, "replay purge failed: %s", prova_store_errmsg(w));
        rc = pr < 0 ? prova_store_rollback_to(w) : prova_store_release(w);
    }
    for (app_job *j = jobs; j; j = j->next) {
        if (rc < 0) {
            j->status = rc;
            continue;
        }
        if ((rc = prova_store_savepoint(w)) < 0) {
            j->status = rc;
            continue;
        }
        j->status = j->apply(a, w, call_of(j));
        if (j->status == PROVA_EIO) /* logged here, with the store's message: the 503 it gets carries none */
            app_log(a, "a write failed (%s): %s; it alone is refused", prova_status_name(j->status),
                    prova_store_errmsg(w));
        rc = j->status < 0 ? prova_store_rollback_to(w) : prova_store_release(w);
        if (rc < 0 && j->status == 0) j->status = rc;
    }
    if (rc == 0) rc = prova_store_commit(w);
    if (rc < 0) {
        app_log(a, "commit failed (%s): %s; every write of the batch is refused", prova_status_name(rc),
                prova_store_errmsg(w));
        if (otel_span_recording(span)) {
            char msg[200];
            snprintf(msg, sizeof msg, "%s: %s", prova_status_name(rc), prova_store_errmsg(w));
            otel_span_str(span, "error.type", prova_status_name(rc));
            otel_span_error(span, msg);
        }
        prova_store_rollback(w);
        atomic_fetch_add(&a->failed_commits, 1);
        for (app_job *j = jobs; j; j = j->next)
            if (j->status >= 0) j->status = rc;
        app_store_outcome(a, rc);
        probe(a, true);
    } else {
        atomic_fetch_add(&a->commits, 1);
        app_store_outcome(a, 0);
    }
    otel_span_end(span); /* before the wakes: a call's span may end (and be freed) as soon as it is woken */
    unsigned long long n = 0;
    for (app_job *j = jobs, *next; j; j = next) {
        next = j->next; /* the wake may free the call */
        if (j->status == 0) n++;
        app_call_done(call_of(j));
    }
    atomic_fetch_add(&a->committed_jobs, n);
}

/* The log's sequence is the store's (prova_store_log_append derives the next index inside the transaction), so a
 * call whose savepoint is rolled back, or a batch whose commit fails, gives its indexes back: the writer keeps no
 * counter of its own that could drift from what is durable. */
int app_log_append(prova_store *w, const prova_buf *entry, int64_t *ret_index) {
    return prova_store_log_append(w, entry->data, entry->len, app_now_us(), ret_index);
}

static void *writer_main(void *arg) {
    app *a = arg;
    pthread_setname_np(pthread_self(), "prova-writer"); /* top -H, bench/gateway_cpu.sh: the writer's CPU apart */
    pthread_mutex_lock(&a->qlock);
    for (;;) {
        /* The transparency log is integrated on this thread, between batches: serialized with the writes, on the
         * write connection, every log interval, and at once when a reader waits for an entry (log.c). */
        int64_t next_log = 0;
        if (app_tlog_due(a, app_now_us(), &next_log)) {
            pthread_mutex_unlock(&a->qlock);
            app_tlog_integrate(a);
            pthread_mutex_lock(&a->qlock);
            continue;
        }
        while (!a->qhead && !a->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            int64_t wait_us = atomic_load(&a->store_failing) ? 1000000 : 5 * 1000000; /* probe() each second */
            if (a->tw) {
                int64_t left = next_log - app_now_us();
                if (left < wait_us) wait_us = left < 1000 ? 1000 : left;
            }
            until.tv_sec += (time_t)(wait_us / 1000000);
            until.tv_nsec += (long)(wait_us % 1000000) * 1000;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&a->qcond, &a->qlock, &until) == ETIMEDOUT) break;
            if (app_tlog_due(a, app_now_us(), NULL)) break;
        }
        if (!a->qhead) {
            if (a->stopping) break;
            /* Not skipped when the log is due: with a log interval under a second the wait above always ends for
             * the log, and a failing store with no writes would never be probed (the log's integration commits
             * nothing when there is nothing new). */
            pthread_mutex_unlock(&a->qlock);
            if (atomic_load(&a->store_failing) && app_now_us() - a->last_probe_us >= 1000000) probe(a, false);
            purge_idle(a);
            pthread_mutex_lock(&a->qlock);
            continue;
        }
        /* Group commit delay: a commit (fsync, WAL frames, SQLite's bookkeeping) costs several times one write's own
         * work, so at a moderate rate, when writes arrive one at a time, waiting a little for the next ones divides
         * that cost among them. Each app_submit signals qcond; a full batch or a stop ends the wait early. */
        if (a->cfg.commit_delay_us && a->qlen < a->cfg.max_batch && !a->stopping) {
            unsigned delay = a->cfg.commit_delay_us < 1000000 ? a->cfg.commit_delay_us : 1000000;
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += (long)(delay % 1000000) * 1000;
            until.tv_sec += (time_t)(delay / 1000000);
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (a->qlen < a->cfg.max_batch && !a->stopping)
                if (pthread_cond_timedwait(&a->qcond, &a->qlock, &until) == ETIMEDOUT) break;
        }
        /* Take up to max_batch jobs. */
        app_job *head = a->qhead, *last = head;
        unsigned n = 1;
        while (last->next && n < a->cfg.max_batch) {
            last = last->next;
            n++;
        }
        a->qhead = last->next;
        if (!a->qhead) a->qtail = NULL;
        last->next = NULL;
        a->qlen -= n;
        pthread_mutex_unlock(&a->qlock);
        run_batch(a, head, n);
        pthread_mutex_lock(&a->qlock);
    }
    pthread_mutex_unlock(&a->qlock);
    app_tlog_integrate(a); /* what the last batches sequenced, before the store closes */
    return NULL;
}

int app_writer_start(app *a) {
    if (pthread_create(&a->writer, NULL, writer_main, a) != 0) return PROVA_EIO;
    a->writer_started = true;
    return 0;
}

/* Lets the writer finish every queued job, then joins it. */
void app_writer_stop(app *a) {
    pthread_mutex_lock(&a->qlock);
    a->stopping = true;
    pthread_cond_broadcast(&a->qcond);
    pthread_mutex_unlock(&a->qlock);
    if (a->writer_started) pthread_join(a->writer, NULL);
    a->writer_started = false;
}
