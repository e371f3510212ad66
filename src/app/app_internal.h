/* The service's insides, shared by src/app's files only. */
#ifndef PROVA_APP_INTERNAL_H
#define PROVA_APP_INTERNAL_H

#include "app.h"
#include "prova/checkpoint.h"
#include "prova/merkle.h"
#include "prova/note.h"
#include "prova/sft.h"

struct app {
    app_config cfg;
    prova_key *key; /* the signing key (Ed25519), or NULL without a store and --key */
    char kid[128];
    prova_buf jwks; /* {"keys":[active, legacy...]} */

    /* Trusted senders and the keys of /v1/verify (the gateway's own and the senders), swapped whole by
     * app_reload_senders under keys_lock; operations hold the read lock while they verify. */
    pthread_rwlock_t keys_lock;
    prova_keyset *senders;
    prova_keyset *verify_keys;

    app_token *tokens;
    size_t ntokens;
    app_api_key *api_keys;
    size_t napi_keys;

    char db_path[4096];
    int64_t started_us;

    /* the writer (writer.c) */
    prova_store *w;
    pthread_t writer;
    pthread_mutex_t qlock;
    pthread_cond_t qcond;
    app_job *qhead, *qtail;
    unsigned qlen;
    bool stopping, writer_started;
    int64_t last_purge_us;

    /* read connections */
    pthread_mutex_t rlock;
    prova_store **readers;
    size_t nreaders, readers_cap;

    /* the transparency log (log.c): its key, the tile writer (the writer thread's own), the published checkpoint */
    prova_note_key *log_key;
    prova_buf log_vkey;
    prova_tile_writer *tw;
    int64_t log_next_us;     /* the writer's next scheduled integration */
    atomic_bool log_leading; /* the write connection holds the log's integrator lock (several gateways: one
                             integrates, the others follow the checkpoints it stores) */
    atomic_bool log_want;    /* someone waits for an entry to be integrated: integrate now */
    pthread_mutex_t log_lock;
    prova_buf log_cp; /* the published checkpoint (a signed note), under log_lock */
    uint64_t log_cp_size;
    atomic_ullong log_checkpoints, log_integrations, log_integration_us, log_failures;
    /* witnessing (--witness-policy): the witness thread takes the latest signed checkpoint (under log_lock) and
     * publishes it once the quorum cosigned */
    prova_tlog_policy *policy;
    char **witness_url; /* per witness of the policy (NULL: none given) */
    uint64_t *witness_size;
    pthread_t wthread;
    bool wthread_started, wstop;
    pthread_cond_t wcond;
    prova_buf wnote;  /* signed, not yet published */
    prova_buf wstore; /* cosigned and published, for the writer to store (several gateways: the others publish it) */
    uint64_t wstore_size;
    otel_ctx wctx; /* the trace context of the checkpoint's span: the witness calls are its children */
    uint64_t wsize;
    bool wpending;
    atomic_llong log_size;

    /* counters */
    atomic_ullong verify_valid, verify_invalid, verify_error;
    atomic_ullong commits, committed_jobs, failed_commits;
    /* The store's health as the writer last saw it (writer.c app_store_outcome): writable until a commit fails,
     * again once one succeeds; the first failure's time and the last failure's message, under qlock. */
    atomic_bool store_failing;
    int64_t store_fault_since_us, last_probe_us;
    char store_fault_msg[160];
    atomic_llong receipts, traces, chains, events, certificates;
    struct egress_policy *egress; /* the egress policy (egress.c, docs/egress.md) */
    atomic_ullong egress_allowed, egress_blocked, forwards_ok, forwards_failed;

    prova_sft_registry *sft; /* the transforms (sft.c): built-ins and --transforms DIR */
};

/* The writer (writer.c). */
int app_writer_start(app *a);
/* On the writer thread, after a commit on the write connection (a batch's, a log integration's): records whether
 * the store is writable (rc 0) or failing (rc < 0, with the store's message), what /health reports. */
void app_store_outcome(app *a, int rc);
void app_writer_stop(app *a);
/* Queues c's job (c->job.apply set, c->finish set); APP_PENDING, or APP_DONE with a 429/503 error. */
int app_submit(app_call *c, int (*apply)(app *a, prova_store *w, app_call *c), void (*finish)(app_call *c));

/* On the writer thread, after the commit: marks c's job done and wakes its front end (c->wake, or the thread
 * blocked in app_call_run). c may be freed by then: nothing touches it afterwards. */
void app_call_done(app_call *c);

/* Store connections for reads: borrow one, give it back. NULL on failure (the caller answers 503). */
prova_store *app_reader_get(app *a);
void app_reader_put(app *a, prova_store *s);

/* What the service's checks return when they refused (the call's error is set); 0 means go on. */
#define APP_REFUSED (-1)

/* 503 "the store cannot be used", with the backend's message logged (not sent) when s is given. Returns APP_DONE. */
int app_fail_store(app_call *c, int rc, prova_store *s);
/* 503 when the service has no store. 0 when it has one, else APP_REFUSED with the error set. */
int app_need_store(app_call *c);
/* 401/403 unless the call's token has scope. 0 to go on, else APP_REFUSED with the error set. */
int app_need_scope(app_call *c, unsigned scope);

/* The key sets under the read lock: acquire before verifying, release after. */
void app_keys_acquire(app *a, const prova_keyset **ret_senders, const prova_keyset **ret_verify);
void app_keys_release(app *a);

/* Parses a document given to an operation under max_body/max_depth; on failure sets a 400 (413 over the size)
 * with the parser's reason and position and returns the negative status. */
int app_parse_doc(app_call *c, const void *data, size_t len, prova_doc **ret);

/* On the writer, inside the call's savepoint: appends a log entry (prova/logentry.h bytes) at the log's next
 * index, *ret_index. 0 or a negative store status (the call then fails and its savepoint is rolled back). */
int app_log_append(prova_store *w, const prova_buf *entry, int64_t *ret_index);

/* The transparency log (log.c). app_tlog_open: on the write connection before the writer starts, loads or creates
 * the log key, restores the tile writer from the last checkpoint (refusing to start when they disagree) and signs
 * the first checkpoint of a new log; a CLI exit code. app_tlog_due/app_tlog_integrate: on the writer thread. */
int app_tlog_open(app *a);
void app_tlog_close(app *a);
bool app_tlog_due(app *a, int64_t now_us, int64_t *ret_next_us);
void app_tlog_integrate(app *a);

/* Files (service.c): read at most max bytes (PROVA_ELIMIT beyond; errno set on PROVA_EIO); DIR/NAME (-1 when too
 * long); a new 0600 file, fsynced (fails when it exists). */
int app_read_file(const char *path, size_t max, prova_buf *out);
int app_join(char *out, size_t cap, const char *dir, const char *name);
int app_write_new_secret(const char *path, const void *data, size_t len);

/* Telemetry (call.c, docs/observability.md "Spans"). Each is a no-op without an exporter (NULL spans).
 * app_span: an INTERNAL span, child of the call's span (c->span; a root span when the call has none).
 * app_span_end: ends s; when c is given and the call failed, first sets its status to ERROR with the call's reason
 * code (also as error.type). A verdict (a document that does not verify) is not an error: end such spans with c
 * NULL after app_span_verdict.
 * app_span_verdict: prova.verify.kind (when not NULL), prova.verify.valid and, when invalid, prova.verify.reason.
 * app_span_sign: a "prova.sign" span for a signature by the service's key: prova.sign.alg, prova.sign.kid and what
 * is signed (prova.sign.document).
 * app_span_canon: a "prova.canonical.encode" span with prova.canonical.profile; set prova.canonical.bytes with
 * otel_span_int before ending it. */
otel_span *app_span(const app_call *c, const char *name);
void app_span_end(otel_span *s, const app_call *c);
void app_span_verdict(otel_span *s, const char *kind, bool valid, const char *reason);
otel_span *app_span_sign(const app_call *c, const char *document);
otel_span *app_span_canon(const app_call *c, prova_profile profile);

/* Lowercase hex SHA-256 (64 digits + NUL). */
int app_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- The gateway's steps on an accepted envelope (ope.c calls them; reference/odin.md §5.5, §5.6) ---------- */

/* Normalization (sft.c): payload_type -> target_type through the transform registry (docs/transforms.md). */
typedef struct app_sft_out {
    prova_buf payload;   /* the normalized payload: ope-canonical bytes */
    char cid[72];        /* "sha256:" + hex SHA-256 of payload: the receipt's normalized_cid */
    prova_buf notes;     /* the response's sft_notes: one JSON object */
    const char *id;      /* the transform's id and version (the receipt's "sft" member), NULL for an identity; */
    const char *version; /* owned by the service's registry */
} app_sft_out;
/* Loads cfg.transforms_dir into a->sft at app_open (a CLI exit code, 2 with the reason logged); frees it. */
int app_sft_open(app *a);
void app_sft_close(app *a);
/* Runs the transform for env's (payload_type, target_type). 0, or APP_REFUSED with the error set (400 for an
 * unregistered pair or a payload the transform refuses). */
int app_sft_run(app_call *c, const prova_json *env, app_sft_out *out);
void app_sft_out_free(app_sft_out *o);

/* Egress (egress.c): the policy on forward_url, and forwarding (docs/egress.md). */
typedef struct app_egress_out {
    prova_doc *policy; /* the receipt's policy member; NULL: {"passed":true,"rules":[]} (no forward_url) */
    bool blocked;      /* the policy refused forward_url: the receipt is written, then the call answers 403 */
    char reason[256];  /* why, for the 403's message */
    char *forward_url; /* what to forward to when not blocked, or NULL (owned) */
} app_egress_out;
/* Evaluates the egress policy for env's forward_url (before the receipt: its result is in it). 0 to go on, else
 * APP_REFUSED with the error set (APP_DONE is 0: it cannot say "stop" here). */
int app_egress_check(app_call *c, const prova_json *env, app_egress_out *out);
/* After the receipt is durable: forwards the normalized payload when e says so. Appends the response body's
 * "forwarded" value (JSON: null, {"status_code":N,"body":...} or {"error":"..."}) to forwarded. 0, else
 * APP_REFUSED with the error set (out of memory only: a failed forward is a value). */
int app_egress_forward(app_call *c, const app_egress_out *e, const char *trace_id, const prova_buf *payload,
                       prova_buf *forwarded);
void app_egress_out_free(app_egress_out *o);
/* At app_open: builds the egress policy from cfg.egress (a bad setting: logged, exit code 2); at app_close. */
int app_egress_open(app *a);
void app_egress_close(app *a);

#endif
