/* The store's backends behind prova/store.h: store.c checks the arguments and dispatches through the backend's
 * table; sqlite.c and postgres.c each fill one. A backend's connection struct begins with struct prova_store. */
#ifndef PROVA_STORE_INTERNAL_H
#define PROVA_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prova/store.h"

typedef enum store_tx {
    STORE_BEGIN,       /* the write transaction: takes the store's write lock at once */
    STORE_COMMIT,      /* returns once the transaction is durable */
    STORE_ROLLBACK,    /* a no-op outside a transaction */
    STORE_SAVEPOINT,   /* one request inside a group commit */
    STORE_RELEASE,     /* keeps the savepoint's writes */
    STORE_ROLLBACK_TO, /* undoes them and ends the savepoint; the transaction stays open */
    STORE_READ_BEGIN,  /* a read snapshot */
} store_tx;

typedef enum store_list {
    STORE_LIST_TRACES,
    STORE_LIST_CHAINS,
    STORE_LIST_CERTS,
    STORE_LIST_REPLAY, /* [key, expires_us] pairs */
} store_list;

typedef enum store_rows {
    STORE_ROWS_RECEIPTS,     /* a trace's receipts by hop */
    STORE_ROWS_RECEIPTS_LOG, /* their log indexes (null for none) */
    STORE_ROWS_EVENTS,       /* a chain's events by seq */
    STORE_ROWS_EVENTS_LOG,   /* their log indexes */
} store_rows;

/* What the listings (schema 5, docs/browse.md) keep beside a record, in columns of its row: given by the caller
 * (a receipt's, which the service knows) or read by store.c from the record (a chain's, a certificate's). An
 * unknown time is 0 (listed last), an unknown string "" (NULL in the row). */
typedef struct store_receipt_meta {
    int64_t ts_us;
    const char *gateway_kid, *sender_kid, *payload_type; /* NULL: unknown */
} store_receipt_meta;

typedef struct store_chain_meta {
    char chain_type[64], status[16];
    int64_t created_us, updated_us;
    int64_t events; /* -1: unknown */
} store_chain_meta;

typedef struct store_cert_meta {
    char status[16];         /* "active" when the bundle has no status block */
    char superseded_by[257]; /* "": none */
    int64_t issued_us;
} store_cert_meta;

typedef enum store_browse_kind {
    STORE_BROWSE_TRACES,      /* by (last_us, trace_id), newest first */
    STORE_BROWSE_CHAINS,      /* by (updated_us, id), newest first */
    STORE_BROWSE_CERTS,       /* by (issued_us, id), newest first */
    STORE_BROWSE_PROOFS,      /* by (stored_us, id), newest first */
    STORE_BROWSE_LOG,         /* by index, ascending from before_us (the first index listed) */
    STORE_BROWSE_CHECKPOINTS, /* by the row's id, newest first: id < before_us */
} store_browse_kind;

/* One page of a listing: the items strictly after the keyset position (before_us, before_id) in the listing's order
 * (before_id "" with before_us = until_us: the first page), with since_us <= t < until_us, at most limit. */
typedef struct store_browse {
    store_browse_kind kind;
    int64_t before_us;
    const char *before_id;
    int64_t since_us, until_us;
    const char *kid, *payload_type, *status, *chain_id; /* NULL: any */
    size_t limit;
} store_browse;

/* One migration of a backend's schema: the version it brings the store to and what it does. */
typedef struct store_migration {
    int version;
    const char *description;
} store_migration;

typedef struct store_ops {
    const char *name; /* "sqlite", "postgresql" */
    void (*close)(prova_store *s);
    int (*tx)(prova_store *s, store_tx op);

    /* OPE. ope_last/oe_event_last/get: the row's JSON appended to out. rows: a JSON array of one key's rows. */
    int (*ope_last)(prova_store *s, const char *trace_id, prova_buf *out, int64_t *ret_hop);
    int (*ope_append)(prova_store *s, const char *trace_id, int64_t hop, const char *receipt_hash, const void *json,
                      size_t len, int64_t log_index, const store_receipt_meta *m);
    int (*rows)(prova_store *s, store_rows which, const char *key, prova_buf *out, size_t *ret_count);
    int (*replay_claim)(prova_store *s, const char *key, int64_t now_us, int64_t expires_us);
    int (*replay_purge)(prova_store *s, int64_t now_us, int64_t limit, int64_t *ret_deleted);

    /* OpenExecution */
    int (*oe_chain_put)(prova_store *s, const char *chain_id, const void *json, size_t len, const store_chain_meta *m);
    int (*oe_chain_get)(prova_store *s, const char *chain_id, prova_buf *out);
    int (*oe_event_append)(prova_store *s, const char *chain_id, int64_t seq, const void *json, size_t len,
                           int64_t log_index);
    int (*oe_event_last)(prova_store *s, const char *chain_id, prova_buf *out, int64_t *ret_seq);
    int (*oe_cert_put)(prova_store *s, const char *cert_id, const char *chain_id, const void *json, size_t len,
                       int64_t log_index, int64_t status_log_index, const store_cert_meta *m);
    int (*oe_cert_get)(prova_store *s, const char *cert_id, prova_buf *out);
    int (*oe_cert_log)(prova_store *s, const char *cert_id, int64_t *ret_log_index, int64_t *ret_status_log_index);
    int (*oe_cert_chain)(prova_store *s, const char *cert_id, prova_buf *out);

    /* The log (arguments checked by store.c) */
    int (*log_append)(prova_store *s, const void *entry, size_t len, int64_t now_us, int64_t *ret_index);
    int (*log_get)(prova_store *s, int64_t index, prova_buf *out);
    int (*log_entries)(prova_store *s, int64_t from, int64_t to, prova_buf *out, size_t *ret_count);
    int (*log_size)(prova_store *s, int64_t *ret);
    int (*tile_put)(prova_store *s, int level, int64_t index, const void *data, size_t len);
    int (*tile_get)(prova_store *s, int level, int64_t index, prova_buf *out);
    int (*cp_put)(prova_store *s, int64_t size, const void *note, size_t len, int64_t time_us);
    int (*cp_latest)(prova_store *s, prova_buf *out, int64_t *ret_size);
    int (*cp_list)(prova_store *s, int64_t from, size_t limit, prova_buf *out, size_t *ret_count);
    int (*log_lead)(prova_store *s, bool *ret_leading);

    /* Proof records and the listings (schema 5). proof_put: PROVA_ECONFLICT when the id is stored. browse: a JSON
     * array of the page's items (store.c's prova_store_*_list document their members). */
    int (*proof_put)(prova_store *s, const char *id, const void *json, size_t len, int64_t stored_us,
                     int64_t log_index);
    int (*proof_get)(prova_store *s, const char *id, prova_buf *out, int64_t *ret_log_index);
    int (*browse)(prova_store *s, const store_browse *q, prova_buf *out, size_t *ret_count);

    /* Listing and schema */
    int (*list)(prova_store *s, store_list which, const char *after, size_t limit, prova_buf *out, size_t *ret_count);
    int (*schema_status)(prova_store *s, prova_buf *out);
    int (*migrate)(prova_store *s, int *ret_applied);
    int (*counts_get)(prova_store *s, prova_store_counts *ret);
    int64_t (*bytes)(const prova_store *s);
} store_ops;

struct prova_store {
    const store_ops *ops;
    char msg[256]; /* the backend's last error message */
};

/* The backends' open functions (location already told apart by store.c). */
int prova__store_sqlite_open(const char *path, unsigned flags, prova_store **ret, prova_error *reterr);
int prova__store_pg_open(const char *uri, unsigned flags, prova_store **ret, prova_error *reterr);

/* store.c's helpers for the backends. */
/* s->msg = the formatted message (truncated to fit). */
void prova__store_msg(prova_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The JSON of prova_store_schema_status: the migrations known (in version order) and, per migration, when it was
 * applied (applied_us[i] > 0: microseconds since the epoch; 0: applied, time unknown; -1: pending). */
int prova__store_status_json(prova_buf *out, const char *backend, int version, const store_migration *m, size_t n,
                             const int64_t *applied_us);

#endif /* PROVA_STORE_INTERNAL_H */
