/* prova/store.h's functions: the arguments checked once, for every backend, then the backend's table
 * (store_internal.h). The location decides the backend: a PostgreSQL URI, or a SQLite file. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "prova/json.h"
#include "prova/time.h"
#include "store_internal.h"

bool prova_store_is_postgresql(const char *location) {
    return location && (strncmp(location, "postgresql://", 13) == 0 || strncmp(location, "postgres://", 11) == 0);
}

int prova_store_open(const char *location, unsigned flags, prova_store **ret, prova_error *reterr) {
    if (!location || !ret || (flags & ~(PROVA_STORE_READONLY | PROVA_STORE_NO_MIGRATE))) return PROVA_EINVAL;
    *ret = NULL;
    if (prova_store_is_postgresql(location)) return prova__store_pg_open(location, flags, ret, reterr);
    return prova__store_sqlite_open(location, flags, ret, reterr);
}

prova_store *prova_store_close(prova_store *s) {
    if (s) s->ops->close(s);
    return NULL;
}

const char *prova_store_errmsg(const prova_store *s) {
    return s ? s->msg : "";
}

const char *prova_store_backend(const prova_store *s) {
    return s ? s->ops->name : "";
}

void prova__store_msg(prova_store *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
}

/* ---- Transactions -------------------------------------------------------------------------------------------- */

#define NEED(cond)                                                                                                     \
    do {                                                                                                               \
        if (!(cond)) return PROVA_EINVAL;                                                                              \
    } while (0)

int prova_store_begin(prova_store *s) {
    NEED(s);
    return s->ops->tx(s, STORE_BEGIN);
}
int prova_store_commit(prova_store *s) {
    NEED(s);
    return s->ops->tx(s, STORE_COMMIT);
}
int prova_store_rollback(prova_store *s) {
    NEED(s);
    return s->ops->tx(s, STORE_ROLLBACK);
}
int prova_store_savepoint(prova_store *s) {
    NEED(s);
    return s->ops->tx(s, STORE_SAVEPOINT);
}
int prova_store_release(prova_store *s) {
    NEED(s);
    return s->ops->tx(s, STORE_RELEASE);
}
int prova_store_rollback_to(prova_store *s) {
    NEED(s);
    return s->ops->tx(s, STORE_ROLLBACK_TO);
}
int prova_store_read_begin(prova_store *s) {
    NEED(s);
    return s->ops->tx(s, STORE_READ_BEGIN);
}

/* ---- What the listings keep beside a record (schema 5) ----------------------------------------------------------- */

/* The time of an RFC 3339 string member, or 0 (unknown: listed last). */
static int64_t member_us(const prova_json *v) {
    int64_t us = 0;
    if (!prova_json_is_string(v) || prova_time_parse(prova_json_str(v), prova_json_len(v), &us) < 0) return 0;
    return us;
}

/* A string member into dst (cap bytes, NUL included), or "" when absent, not a string, or too long. */
static void member_str(const prova_json *v, char *dst, size_t cap) {
    dst[0] = 0;
    size_t n = prova_json_len(v);
    if (prova_json_is_string(v) && n < cap && !memchr(prova_json_str(v), 0, n)) memcpy(dst, prova_json_str(v), n + 1);
}

static int parse_record(const void *json, size_t len, prova_doc **ret) {
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    po.max_depth = 1024;
    return prova_json_parse(json, len, &po, ret, NULL);
}

/* A chain record's (stored without its events): chain_type, status, created_at, updated_at, event_count. A record that
 * is not JSON is stored all the same, without them. */
static void chain_meta(const void *json, size_t len, store_chain_meta *m) {
    memset(m, 0, sizeof *m);
    m->events = -1;
    prova_doc *d = NULL;
    if (parse_record(json, len, &d) < 0) return;
    const prova_json *r = prova_doc_root(d);
    member_str(prova_json_get(r, "chain_type"), m->chain_type, sizeof m->chain_type);
    member_str(prova_json_get(r, "status"), m->status, sizeof m->status);
    m->created_us = member_us(prova_json_get(r, "created_at"));
    m->updated_us = member_us(prova_json_get(r, "updated_at"));
    int64_t n;
    if (prova_json_get_int64(prova_json_get(r, "event_count"), &n) == 0 && n >= 0) m->events = n;
    prova_doc_free(d);
}

/* A certificate bundle's: certificate.issued_at, status.status ("active" without a status block), status.superseded_by.
 */
static void cert_meta(const void *json, size_t len, store_cert_meta *m) {
    memset(m, 0, sizeof *m);
    prova_doc *d = NULL;
    if (parse_record(json, len, &d) < 0) return;
    const prova_json *r = prova_doc_root(d), *st = prova_json_get(r, "status");
    m->issued_us = member_us(prova_json_get(prova_json_get(r, "certificate"), "issued_at"));
    member_str(prova_json_get(st, "status"), m->status, sizeof m->status);
    if (!m->status[0] && prova_json_is_object(r)) memcpy(m->status, "active", 7);
    member_str(prova_json_get(st, "superseded_by"), m->superseded_by, sizeof m->superseded_by);
    prova_doc_free(d);
}

/* ---- OPE ------------------------------------------------------------------------------------------------------ */

int prova_store_ope_last(prova_store *s, const char *trace_id, prova_buf *out, int64_t *ret_hop) {
    NEED(s && trace_id && out);
    return s->ops->ope_last(s, trace_id, out, ret_hop);
}

int prova_store_ope_append(prova_store *s, const char *trace_id, int64_t hop, const char *receipt_hash,
                           const void *json, size_t len) {
    return prova_store_ope_append_logged(s, trace_id, hop, receipt_hash, json, len, -1);
}

/* The callers that do not know the receipt's time (a copy, a tool) pay for one parse of it. */
int prova_store_ope_append_logged(prova_store *s, const char *trace_id, int64_t hop, const char *receipt_hash,
                                  const void *json, size_t len, int64_t log_index) {
    NEED(s && trace_id && receipt_hash && json && hop >= 0);
    store_receipt_meta m = {0};
    prova_doc *d = NULL;
    if (parse_record(json, len, &d) == 0) m.ts_us = member_us(prova_json_get(prova_doc_root(d), "ts"));
    prova_doc_free(d);
    return s->ops->ope_append(s, trace_id, hop, receipt_hash, json, len, log_index, &m);
}

int prova_store_ope_append_meta(prova_store *s, const char *trace_id, int64_t hop, const char *receipt_hash,
                                const void *json, size_t len, int64_t log_index, int64_t ts_us, const char *gateway_kid,
                                const char *sender_kid, const char *payload_type) {
    NEED(s && trace_id && receipt_hash && json && hop >= 0);
    store_receipt_meta m = {
        .ts_us = ts_us, .gateway_kid = gateway_kid, .sender_kid = sender_kid, .payload_type = payload_type};
    return s->ops->ope_append(s, trace_id, hop, receipt_hash, json, len, log_index, &m);
}

int prova_store_ope_chain(prova_store *s, const char *trace_id, prova_buf *out, size_t *ret_count) {
    NEED(s && trace_id && out);
    return s->ops->rows(s, STORE_ROWS_RECEIPTS, trace_id, out, ret_count);
}

int prova_store_ope_chain_log(prova_store *s, const char *trace_id, prova_buf *out, size_t *ret_count) {
    NEED(s && trace_id && out);
    return s->ops->rows(s, STORE_ROWS_RECEIPTS_LOG, trace_id, out, ret_count);
}

int prova_store_replay_claim(prova_store *s, const char *key, int64_t now_us, int64_t expires_us) {
    NEED(s && key);
    return s->ops->replay_claim(s, key, now_us, expires_us);
}

int prova_store_replay_purge(prova_store *s, int64_t now_us, int64_t limit, int64_t *ret_deleted) {
    NEED(s && limit >= 0);
    return s->ops->replay_purge(s, now_us, limit, ret_deleted);
}

/* ---- OpenExecution ------------------------------------------------------------------------------------------ */

int prova_store_oe_chain_put(prova_store *s, const char *chain_id, const void *json, size_t len) {
    NEED(s && chain_id && json);
    store_chain_meta m;
    chain_meta(json, len, &m);
    return s->ops->oe_chain_put(s, chain_id, json, len, &m);
}

int prova_store_oe_chain_get(prova_store *s, const char *chain_id, prova_buf *out) {
    NEED(s && chain_id && out);
    return s->ops->oe_chain_get(s, chain_id, out);
}

int prova_store_oe_event_append(prova_store *s, const char *chain_id, int64_t seq, const void *json, size_t len) {
    return prova_store_oe_event_append_logged(s, chain_id, seq, json, len, -1);
}

int prova_store_oe_event_append_logged(prova_store *s, const char *chain_id, int64_t seq, const void *json, size_t len,
                                       int64_t log_index) {
    NEED(s && chain_id && json);
    return s->ops->oe_event_append(s, chain_id, seq, json, len, log_index);
}

int prova_store_oe_event_last(prova_store *s, const char *chain_id, prova_buf *out, int64_t *ret_seq) {
    NEED(s && chain_id && out);
    return s->ops->oe_event_last(s, chain_id, out, ret_seq);
}

int prova_store_oe_events(prova_store *s, const char *chain_id, prova_buf *out, size_t *ret_count) {
    NEED(s && chain_id && out);
    return s->ops->rows(s, STORE_ROWS_EVENTS, chain_id, out, ret_count);
}

int prova_store_oe_events_log(prova_store *s, const char *chain_id, prova_buf *out, size_t *ret_count) {
    NEED(s && chain_id && out);
    return s->ops->rows(s, STORE_ROWS_EVENTS_LOG, chain_id, out, ret_count);
}

int prova_store_oe_cert_put(prova_store *s, const char *cert_id, const char *chain_id, const void *json, size_t len) {
    return prova_store_oe_cert_put_logged(s, cert_id, chain_id, json, len, -1, -1);
}

int prova_store_oe_cert_put_logged(prova_store *s, const char *cert_id, const char *chain_id, const void *json,
                                   size_t len, int64_t log_index, int64_t status_log_index) {
    NEED(s && cert_id && chain_id && json);
    store_cert_meta m;
    cert_meta(json, len, &m);
    return s->ops->oe_cert_put(s, cert_id, chain_id, json, len, log_index, status_log_index, &m);
}

int prova_store_oe_cert_get(prova_store *s, const char *cert_id, prova_buf *out) {
    NEED(s && cert_id && out);
    return s->ops->oe_cert_get(s, cert_id, out);
}

int prova_store_oe_cert_log(prova_store *s, const char *cert_id, int64_t *ret_log_index,
                            int64_t *ret_status_log_index) {
    NEED(s && cert_id);
    return s->ops->oe_cert_log(s, cert_id, ret_log_index, ret_status_log_index);
}

int prova_store_oe_cert_chain(prova_store *s, const char *cert_id, prova_buf *out) {
    NEED(s && cert_id && out);
    return s->ops->oe_cert_chain(s, cert_id, out);
}

/* ---- The log ----------------------------------------------------------------------------------------------------- */

size_t prova_store_log_entry_max(void) {
    return PROVA_STORE_LOG_ENTRY_MAX;
}

int prova_store_log_append(prova_store *s, const void *entry, size_t len, int64_t now_us, int64_t *ret_index) {
    NEED(s && entry && len);
    if (len > PROVA_STORE_LOG_ENTRY_MAX) return PROVA_ELIMIT;
    return s->ops->log_append(s, entry, len, now_us, ret_index);
}

int prova_store_log_get(prova_store *s, int64_t index, prova_buf *out) {
    NEED(s && out && index >= 0);
    return s->ops->log_get(s, index, out);
}

int prova_store_log_entries(prova_store *s, int64_t from, int64_t to, prova_buf *out, size_t *ret_count) {
    NEED(s && out && from >= 0 && to >= from);
    return s->ops->log_entries(s, from, to, out, ret_count);
}

int prova_store_log_size(prova_store *s, int64_t *ret) {
    NEED(s && ret);
    return s->ops->log_size(s, ret);
}

int prova_store_log_tile_put(prova_store *s, int level, int64_t index, const void *data, size_t len) {
    NEED(s && level >= 0 && level <= 63 && index >= 0 && data && len && len <= 256 * 32);
    return s->ops->tile_put(s, level, index, data, len);
}

int prova_store_log_tile_get(prova_store *s, int level, int64_t index, prova_buf *out) {
    NEED(s && out && level >= 0 && level <= 63 && index >= 0);
    return s->ops->tile_get(s, level, index, out);
}

int prova_store_log_checkpoint_put(prova_store *s, int64_t size, const void *note, size_t len, int64_t time_us) {
    NEED(s && size >= 0 && note && len && len <= 1 << 20);
    return s->ops->cp_put(s, size, note, len, time_us);
}

int prova_store_log_checkpoint_latest(prova_store *s, prova_buf *out, int64_t *ret_size) {
    NEED(s && out);
    return s->ops->cp_latest(s, out, ret_size);
}

int prova_store_log_checkpoints(prova_store *s, int64_t from, size_t limit, prova_buf *out, size_t *ret_count) {
    NEED(s && out && from >= 0 && limit);
    return s->ops->cp_list(s, from, limit, out, ret_count);
}

int prova_store_log_lead(prova_store *s, bool *ret_leading) {
    NEED(s && ret_leading);
    return s->ops->log_lead(s, ret_leading);
}

/* ---- Listing and schema ---------------------------------------------------------------------------------------- */

static int list(prova_store *s, store_list which, const char *after, size_t limit, prova_buf *out, size_t *ret_count) {
    NEED(s && out && limit);
    return s->ops->list(s, which, after ? after : "", limit, out, ret_count);
}

int prova_store_ope_traces(prova_store *s, const char *after, size_t limit, prova_buf *out, size_t *ret_count) {
    return list(s, STORE_LIST_TRACES, after, limit, out, ret_count);
}
int prova_store_oe_chain_ids(prova_store *s, const char *after, size_t limit, prova_buf *out, size_t *ret_count) {
    return list(s, STORE_LIST_CHAINS, after, limit, out, ret_count);
}
int prova_store_oe_cert_ids(prova_store *s, const char *after, size_t limit, prova_buf *out, size_t *ret_count) {
    return list(s, STORE_LIST_CERTS, after, limit, out, ret_count);
}
int prova_store_replay_list(prova_store *s, const char *after, size_t limit, prova_buf *out, size_t *ret_count) {
    return list(s, STORE_LIST_REPLAY, after, limit, out, ret_count);
}

size_t prova_store_page_max(void) {
    return PROVA_STORE_PAGE_MAX;
}

/* ---- Browsing ------------------------------------------------------------------------------------------------------
 */

static int browse(prova_store *s, store_browse *q, prova_buf *out, size_t *ret_count) {
    NEED(s && out && q->limit >= 1 && q->limit <= PROVA_STORE_PAGE_MAX && q->since_us <= q->until_us);
    if (!q->before_id) q->before_id = "";
    size_t n = 0;
    int rc = s->ops->browse(s, q, out, &n);
    if (rc == 0 && ret_count) *ret_count = n;
    return rc;
}

int prova_store_ope_trace_list(prova_store *s, int64_t before_us, const char *before_id, int64_t since_us,
                               int64_t until_us, const char *kid, const char *payload_type, size_t limit,
                               prova_buf *out, size_t *ret_count) {
    store_browse q = {.kind = STORE_BROWSE_TRACES,
                      .before_us = before_us,
                      .before_id = before_id,
                      .since_us = since_us,
                      .until_us = until_us,
                      .kid = kid,
                      .payload_type = payload_type,
                      .limit = limit};
    return browse(s, &q, out, ret_count);
}

int prova_store_oe_chain_list(prova_store *s, int64_t before_us, const char *before_id, int64_t since_us,
                              int64_t until_us, const char *status, size_t limit, prova_buf *out, size_t *ret_count) {
    store_browse q = {.kind = STORE_BROWSE_CHAINS,
                      .before_us = before_us,
                      .before_id = before_id,
                      .since_us = since_us,
                      .until_us = until_us,
                      .status = status,
                      .limit = limit};
    return browse(s, &q, out, ret_count);
}

int prova_store_oe_cert_list(prova_store *s, int64_t before_us, const char *before_id, int64_t since_us,
                             int64_t until_us, const char *chain_id, const char *status, size_t limit, prova_buf *out,
                             size_t *ret_count) {
    store_browse q = {.kind = STORE_BROWSE_CERTS,
                      .before_us = before_us,
                      .before_id = before_id,
                      .since_us = since_us,
                      .until_us = until_us,
                      .chain_id = chain_id,
                      .status = status,
                      .limit = limit};
    return browse(s, &q, out, ret_count);
}

int prova_store_proof_list(prova_store *s, int64_t before_us, const char *before_id, int64_t since_us, int64_t until_us,
                           size_t limit, prova_buf *out, size_t *ret_count) {
    store_browse q = {.kind = STORE_BROWSE_PROOFS,
                      .before_us = before_us,
                      .before_id = before_id,
                      .since_us = since_us,
                      .until_us = until_us,
                      .limit = limit};
    return browse(s, &q, out, ret_count);
}

int prova_store_log_entry_list(prova_store *s, int64_t from, int64_t since_us, int64_t until_us, size_t limit,
                               prova_buf *out, size_t *ret_count) {
    NEED(from >= 0);
    store_browse q = {
        .kind = STORE_BROWSE_LOG, .before_us = from, .since_us = since_us, .until_us = until_us, .limit = limit};
    return browse(s, &q, out, ret_count);
}

int prova_store_log_checkpoint_list(prova_store *s, int64_t before, int64_t since_us, int64_t until_us, size_t limit,
                                    prova_buf *out, size_t *ret_count) {
    store_browse q = {.kind = STORE_BROWSE_CHECKPOINTS,
                      .before_us = before,
                      .since_us = since_us,
                      .until_us = until_us,
                      .limit = limit};
    return browse(s, &q, out, ret_count);
}

int prova_store_proof_put(prova_store *s, const char *id, const void *json, size_t len, int64_t stored_us,
                          int64_t log_index) {
    NEED(s && id && *id && json && len);
    return s->ops->proof_put(s, id, json, len, stored_us, log_index);
}

int prova_store_proof_get(prova_store *s, const char *id, prova_buf *out, int64_t *ret_log_index) {
    NEED(s && id && out);
    int64_t li = -1;
    int rc = s->ops->proof_get(s, id, out, &li);
    if (rc == 0 && ret_log_index) *ret_log_index = li;
    return rc;
}

int prova_store_schema_status(prova_store *s, prova_buf *out) {
    NEED(s && out);
    return s->ops->schema_status(s, out);
}

int prova_store_migrate(prova_store *s, int *ret_applied) {
    NEED(s);
    int applied = 0;
    int rc = s->ops->migrate(s, &applied);
    if (ret_applied) *ret_applied = applied;
    return rc;
}

int prova__store_status_json(prova_buf *out, const char *backend, int version, const store_migration *m, size_t n,
                             const int64_t *applied_us) {
    int latest = n ? m[n - 1].version : 0;
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "backend", backend);
    prova_jw_ki64(&w, "schema_version", version);
    prova_jw_ki64(&w, "schema_latest", latest);
    prova_jw_ki64(&w, "pending", latest > version ? latest - version : 0);
    prova_jw_key(&w, "migrations");
    prova_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        prova_jw_obj(&w);
        prova_jw_ki64(&w, "version", m[i].version);
        prova_jw_kstr(&w, "description", m[i].description);
        prova_jw_key(&w, "applied_at");
        if (applied_us[i] > 0) {
            char ts[PROVA_TIME_MAX];
            prova_time_format(applied_us[i], ts);
            prova_jw_str(&w, ts);
        } else {
            prova_jw_null(&w);
        }
        prova_jw_kbool(&w, "applied", applied_us[i] >= 0);
        prova_jw_end(&w);
    }
    prova_jw_end(&w);
    prova_jw_end(&w);
    return prova_jw_finish(&w);
}

/* ---- Size ------------------------------------------------------------------------------------------------------- */

int prova_store_counts_get(prova_store *s, prova_store_counts *ret) {
    NEED(s && ret);
    memset(ret, 0, sizeof *ret);
    return s->ops->counts_get(s, ret);
}

int64_t prova_store_bytes(const prova_store *s) {
    return s ? s->ops->bytes(s) : 0;
}
