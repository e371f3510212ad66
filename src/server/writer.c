/* The writer: one thread owns the store's write connection. It takes every queued job, applies each inside its own
 * savepoint of one transaction, commits once (one fsync for the whole batch: group commit) and then completes
 * the jobs. A job that fails undoes only its own writes; a failed commit fails every job of the batch, so that no
 * caller is told "stored" for something that is not on disk. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gateway.h"

int gw_writer_submit(gw *g, gw_job *job) {
    job->next = NULL;
    job->status = 0;
    pthread_mutex_lock(&g->qlock);
    int rc = 0;
    if (g->stopping) rc = PROVA_EIO;
    else if (g->qlen >= g->cfg.max_queue) rc = PROVA_ELIMIT;
    else {
        if (g->qtail) g->qtail->next = job;
        else g->qhead = job;
        g->qtail = job;
        g->qlen++;
        pthread_cond_signal(&g->qcond);
    }
    pthread_mutex_unlock(&g->qlock);
    return rc;
}

/* Replay claims older than the freshness window are useless: a replay of them fails the time check. Each batch
 * deletes up to twice as many expired claims as it has writes, inside its own transaction (no extra fsync), so
 * expiry keeps pace with the claims without ever stalling the queue; an idle writer sweeps the rest. */
static int purge_some(gw *g, unsigned writes) {
    return prova_store_replay_purge(g->w, gw_now_us(), 2 * (int64_t)writes + 16, NULL);
}

static void purge_idle(gw *g) {
    int64_t now = gw_now_us();
    if (now - g->last_purge_us < 10 * 1000000) return;
    g->last_purge_us = now;
    if (prova_store_begin(g->w) == 0 && prova_store_replay_purge(g->w, now, 0, NULL) == 0 &&
        prova_store_commit(g->w) == 0)
        return;
    gw_log(g, "replay purge failed: %s", prova_store_errmsg(g->w));
    prova_store_rollback(g->w);
}

static void run_batch(gw *g, gw_job *jobs, unsigned njobs) {
    prova_store *w = g->w;
    int rc = prova_store_begin(w);
    if (rc == 0 && purge_some(g, njobs) < 0) /* not fatal for the batch: the claims stay until the next try */
        gw_log(g, "replay purge failed: %s", prova_store_errmsg(w));
    for (gw_job *j = jobs; j; j = j->next) {
        if (rc < 0) {
            j->status = rc;
            continue;
        }
        if ((rc = prova_store_savepoint(w)) < 0) {
            j->status = rc;
            continue;
        }
        j->status = j->apply(g, w, j);
        rc = j->status < 0 ? prova_store_rollback_to(w) : prova_store_release(w);
        if (rc < 0 && j->status == 0) j->status = rc;
    }
    if (rc == 0) rc = prova_store_commit(w);
    if (rc < 0) {
        gw_log(g, "commit failed (%s): %s; %s", prova_status_name(rc), prova_store_errmsg(w),
               "every write of the batch is refused");
        prova_store_rollback(w);
        atomic_fetch_add(&g->failed_commits, 1);
        for (gw_job *j = jobs; j; j = j->next)
            if (j->status >= 0) j->status = rc;
    } else {
        atomic_fetch_add(&g->commits, 1);
    }
    unsigned long long n = 0;
    for (gw_job *j = jobs, *next; j; j = next) {
        next = j->next; /* done() may free the job */
        if (j->status == 0) n++;
        j->done(j);
    }
    atomic_fetch_add(&g->committed_jobs, n);
}

static void *writer_main(void *arg) {
    gw *g = arg;
    pthread_mutex_lock(&g->qlock);
    for (;;) {
        while (!g->qhead && !g->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 5;
            if (pthread_cond_timedwait(&g->qcond, &g->qlock, &until) == ETIMEDOUT) break;
        }
        if (!g->qhead) {
            if (g->stopping) break;
            pthread_mutex_unlock(&g->qlock);
            purge_idle(g);
            pthread_mutex_lock(&g->qlock);
            continue;
        }
        /* Take up to max_batch jobs. */
        gw_job *head = g->qhead, *last = head;
        unsigned n = 1;
        while (last->next && n < g->cfg.max_batch) {
            last = last->next;
            n++;
        }
        g->qhead = last->next;
        if (!g->qhead) g->qtail = NULL;
        last->next = NULL;
        g->qlen -= n;
        pthread_mutex_unlock(&g->qlock);
        run_batch(g, head, n);
        pthread_mutex_lock(&g->qlock);
    }
    pthread_mutex_unlock(&g->qlock);
    return NULL;
}

int gw_writer_start(gw *g) {
    if (pthread_create(&g->writer, NULL, writer_main, g) != 0) return PROVA_EIO;
    g->writer_started = true;
    return 0;
}

/* Lets the writer finish every queued job, then joins it. */
void gw_writer_stop(gw *g) {
    pthread_mutex_lock(&g->qlock);
    g->stopping = true;
    pthread_cond_broadcast(&g->qcond);
    pthread_mutex_unlock(&g->qlock);
    if (g->writer_started) pthread_join(g->writer, NULL);
    g->writer_started = false;
}
