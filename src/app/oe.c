/* OpenExecution operations (docs/http-oe.md): execution chains and their events, resolve, provenance certificates
 * and their status, the verify API of seed 002 §7 / openexecution.md §5.5, the issuer's public key and the offline
 * bundles.
 *
 * Storage: a chain record without its events (one row), the events (one row each, by seq), each certificate as its
 * offline bundle. The library's functions take a whole chain record, so the service assembles one from the rows.
 * Every read-modify-write of a chain runs in the writer's apply, on the writer's connection: two appends to one
 * chain are applied one after the other, the second sees the first's event, and a chain never forks. Event,
 * resolve, certificate and status times are the service's clock, read on the writer.
 *
 * Results are the "data" of seed 002's answers; the HTTP layer wraps them as {"data": ...}. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "jsonw.h"
#include "prova/encoding.h"
#include "prova/logentry.h"
#include "prova/oe.h"
#include "prova/ope.h" /* key sets */
#include "prova/ope.h" /* prova_uuid_v4 */
#include "prova/report.h"

static const char *const chain_types[] = {"resource_audit", "manual", "incident_response", "compliance_report", NULL};
static const char *const sentiments[] = {"positive", "negative", "neutral", NULL};
static const char *const hash_names[] = {"sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512", NULL};

static bool id_ok(const char *s, size_t n) {
    return app_id_problem(s, n) == NULL;
}

/* Copies an id given to an operation into out; 0, or APP_DONE with a 400 set. */
static int take_id(app_call *c, const char *s, char out[APP_ID_MAX + 1], const char *what) {
    size_t n = s ? strlen(s) : 0;
    char label[48];
    snprintf(label, sizeof label, "the %s id", what);
    if (app_check_id(c, APP_E_INPUT, label, s ? s : "", n)) return APP_REFUSED;
    memcpy(out, s, n + 1);
    otel_span_str(c->span, strcmp(what, "chain") == 0 ? "prova.oe.chain_id" : "prova.oe.certificate_id", out);
    return 0;
}

/* Limits for documents the service wrote itself (chains grow beyond any request's limits). */
static prova_parse_options store_po(const app *a) {
    prova_parse_options po = {0};
    po.max_depth = a->cfg.max_depth + 16 > PROVA_DEFAULT_MAX_DEPTH ? a->cfg.max_depth + 16 : PROVA_DEFAULT_MAX_DEPTH;
    po.max_size = SIZE_MAX >> 1;
    po.max_string = SIZE_MAX >> 1;
    po.max_members = SIZE_MAX >> 1;
    return po;
}

static int parse_stored(const app *a, const prova_buf *b, prova_doc **ret) {
    prova_parse_options po = store_po(a);
    return prova_json_parse(b->data ? (const void *)b->data : "", b->len, &po, ret, NULL);
}

/* A member name or value for a message: at most 64 bytes, anything but printable ASCII as '?'. */
static void printable(const char *s, size_t n, char out[68]) {
    size_t k = 0;
    for (; k < n && k < 64; k++) out[k] = (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] < 0x7f ? s[k] : '?';
    if (n > 64) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* obj's members except `drop` and those set replaces, then set's, as canonical (JCS) JSON appended to out. */
static int rewrite(const prova_json *obj, const char *drop, const prova_member_text *set, size_t nset, prova_buf *out) {
    return prova_canon_edit(obj, drop ? &drop : NULL, drop ? 1 : 0, set, nset, PROVA_PROFILE_JCS, out, NULL);
}

/* A chain record as stored: the record without "events". */
static int strip_events(const app *a, const prova_buf *record, prova_buf *out) {
    prova_doc *d = NULL;
    int rc = parse_stored(a, record, &d);
    if (rc == 0) rc = rewrite(prova_doc_root(d), "events", NULL, 0, out);
    prova_doc_free(d);
    return rc;
}

/* The stored record (an object without "events") and the events array as one chain record. */
static int assemble(const app *a, const prova_buf *rec, const prova_buf *events, prova_doc **ret) {
    if (rec->len < 2 || rec->data[0] != '{' || rec->data[rec->len - 1] != '}') return PROVA_EIO;
    prova_buf t = PROVA_BUF_INIT;
    int rc = prova_buf_append(&t, rec->data, rec->len - 1);
    if (rc == 0) rc = prova_buf_append(&t, rec->len > 2 ? ",\"events\":" : "\"events\":", rec->len > 2 ? 10 : 9);
    if (rc == 0) rc = prova_buf_append(&t, events->data, events->len);
    if (rc == 0) rc = prova_buf_append(&t, "}", 1);
    if (rc == 0) rc = parse_stored(a, &t, ret);
    prova_buf_free(&t);
    return rc;
}

static const char *str_or(const prova_json *v, const char *fallback) {
    return prova_json_is_string(v) ? v->u.str : fallback;
}

/* ---- Request bodies ------------------------------------------------------------------------------------------ */

typedef struct field {
    const char *name;
    bool required;
    bool object;               /* a JSON object (else a string) */
    size_t max;                /* a string: 1..max bytes */
    const char *const *values; /* a string: one of these (NULL-terminated), or any */
    bool id;                   /* a string: an id (app_id_problem) */
} field;

enum { OE_MAX_FIELDS = 6 };

typedef struct oe_job {
    prova_doc *doc;                     /* the request body */
    const prova_json *f[OE_MAX_FIELDS]; /* its members in the endpoint's field order (NULL: absent or null) */
    char id[APP_ID_MAX + 1];            /* the chain or certificate id */
    prova_hash_alg alg;                 /* create */
    prova_buf out;                      /* the response's data */
    prova_buf stored;                   /* create: the record as stored */
    unsigned ok_status;
    atomic_llong *counter; /* counted after the commit */
    bool logged;           /* the record's log entry, appended in the call's savepoint */
    int64_t log_index;
    /* For the call's span, after the commit: the event appended (its hash and seq), the certificate issued. */
    char event_hash[PROVA_OE_HEX_MAX + 1];
    int64_t event_seq;
    char cert_id[37];
    /* A refusal decided on the writer (apply returns a negative status with these set). */
    unsigned err_status;
    const char *err_code;
    char err_msg[480];
} oe_job;

static void oe_job_free(void *p) {
    oe_job *j = p;
    if (!j) return;
    prova_doc_free(j->doc);
    prova_buf_free(&j->out);
    prova_buf_free(&j->stored);
    free(j);
}

static oe_job *job_new(app_call *c) {
    oe_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    c->state = j;
    c->state_free = oe_job_free;
    return j;
}

static const char *fstr(const oe_job *j, size_t i) {
    return str_or(j->f[i], NULL);
}

/* Parses the body (empty = {}) and checks it against the field table; 0, or APP_DONE with a 4xx set. Strict: a
 * member the operation does not know is refused (a typo must not be silently ignored); null = absent. */
static int check_body(app_call *c, oe_job *j, const void *body, size_t len, const field *fields, size_t n) {
    if (len == 0) {
        if (prova_json_parse("{}", 2, NULL, &j->doc, NULL) < 0) return app_fail_status(c, PROVA_ENOMEM), APP_REFUSED;
    } else if (app_parse_doc(c, body, len, &j->doc) < 0) {
        return APP_REFUSED;
    }
    const prova_json *root = prova_doc_root(j->doc);
    if (!prova_json_is_object(root))
        return app_fail(c, APP_E_SCHEMA, "schema_error", "the body must be a JSON object"), APP_REFUSED;
    for (size_t i = 0; i < root->len; i++) {
        const prova_json *k = &root->u.members[i].key;
        bool known = false;
        for (size_t f = 0; f < n; f++) known = known || prova_json_str_eq(k, fields[f].name);
        if (known) continue;
        char name[68], expected[256] = "";
        printable(k->u.str, k->len, name);
        for (size_t f = 0; f < n; f++) {
            size_t l = strlen(expected);
            snprintf(expected + l, sizeof expected - l, "%s%s", f ? ", " : "", fields[f].name);
        }
        return app_fail(c, APP_E_SCHEMA, "unknown_member", "unknown member \"%s\" (this endpoint takes: %s)", name,
                        n ? expected : "no members"),
               1;
    }
    for (size_t f = 0; f < n; f++) {
        const field *d = &fields[f];
        const prova_json *v = prova_json_get(root, d->name);
        j->f[f] = NULL;
        if (!v || prova_json_is_null(v)) {
            if (d->required)
                return app_fail(c, APP_E_SCHEMA, "missing_member", "\"%s\" is required", d->name), APP_REFUSED;
            continue;
        }
        if (d->object) {
            if (!prova_json_is_object(v))
                return app_fail(c, APP_E_SCHEMA, "schema_error", "\"%s\" must be a JSON object", d->name), APP_REFUSED;
            prova_buf t = PROVA_BUF_INIT;
            prova_error e;
            int rc = prova_canon_write(v, PROVA_PROFILE_JCS, &t, &e);
            prova_buf_free(&t);
            if (rc == PROVA_ENOMEM) return app_fail_status(c, rc), APP_REFUSED;
            if (rc < 0)
                return app_fail(c, APP_E_SCHEMA, "invalid_value", "\"%s\" has no RFC 8785 form (%s)%s%s", d->name,
                                e.message ? e.message : "not canonicalizable", e.pointer[0] ? " at " : "", e.pointer),
                       APP_REFUSED;
            j->f[f] = v;
            continue;
        }
        if (!prova_json_is_string(v))
            return app_fail(c, APP_E_SCHEMA, "schema_error", "\"%s\" must be a string", d->name), APP_REFUSED;
        if (d->id && app_check_id(c, APP_E_SCHEMA, d->name, v->u.str, v->len)) return APP_REFUSED;
        if (v->len == 0 || v->len > d->max || strlen(v->u.str) != v->len)
            return app_fail(c, APP_E_SCHEMA, "invalid_value", "\"%s\" must be 1-%zu bytes of UTF-8 without NUL",
                            d->name, d->max),
                   APP_REFUSED;
        if (d->values) {
            bool one = false;
            char list[160] = "";
            for (size_t k = 0; d->values[k]; k++) {
                one = one || strcmp(v->u.str, d->values[k]) == 0;
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s%s", k ? ", " : "", d->values[k]);
            }
            if (!one) {
                char got[68];
                printable(v->u.str, v->len, got);
                return app_fail(c, APP_E_SCHEMA, "invalid_value", "\"%s\" must be one of %s (got \"%s\")", d->name,
                                list, got),
                       APP_REFUSED;
            }
        }
        j->f[f] = v;
    }
    return 0;
}

/* ---- The writer side ------------------------------------------------------------------------------------------ */

static int jfail(oe_job *j, int rc, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int jfail(oe_job *j, int rc, unsigned status, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err_msg, sizeof j->err_msg, fmt, ap);
    va_end(ap);
    j->err_status = status;
    j->err_code = code;
    return rc < 0 ? rc : PROVA_EINVAL;
}

/* A library refusal as the answer: its reason code decides the status. */
static int lib_fail(oe_job *j, int rc, const prova_error *e) {
    static const struct {
        const char *reason;
        unsigned status;
        const char *code;
    } map[] = {
        {"oe_chain_not_open", 409, "chain_not_open"},
        {"oe_chain_not_resolved", 409, "chain_not_resolved"},
        {"oe_status_transition", 409, "status_transition"},
        {"oe_key_mismatch", 409, "issuer_key_mismatch"},
        {"key_algorithm_mismatch", 409, "issuer_key_mismatch"},
        {"oe_chain_invalid", 409, "chain_invalid"},
        {"chain_hash_mismatch", 409, "chain_invalid"},
        {"oe_schema", 409, "chain_invalid"},
        {"unsupported_hash_algorithm", 409, "chain_invalid"},
        {"unsupported_signature_algorithm", 409, "chain_invalid"},
    };
    if (rc == PROVA_ENOMEM) return rc;
    const char *reason = e->reason ? e->reason : "";
    const char *msg = e->message ? e->message : prova_status_message(rc);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(reason, map[i].reason) == 0) return jfail(j, rc, map[i].status, map[i].code, "%s", msg);
    if (rc == PROVA_ELIMIT) return jfail(j, rc, 409, "chain_too_large", "the chain exceeds a limit: %s", msg);
    if (rc == PROVA_EINVAL || rc == PROVA_ESYNTAX || rc == PROVA_ERANGE)
        return jfail(j, rc, 422, "invalid_value", "%s (%s)", msg, reason[0] ? reason : prova_status_name(rc));
    return jfail(j, rc, 500, "internal", "%s (%s)", msg, prova_status_name(rc));
}

static const char *status_name(const prova_json *rec) {
    return str_or(prova_json_get(rec, "status"), "unknown");
}

/* Appends the log entry of the record the call stored (j->out, as answered) inside the call's savepoint: an event
 * of a chain hashed with alg, a certificate bundle as issued, or one after a status change. */
static int log_record(app *a, prova_store *w, oe_job *j, prova_log_kind kind, prova_hash_alg alg) {
    prova_doc *d = NULL;
    prova_buf entry = PROVA_BUF_INIT;
    prova_error e;
    int rc = parse_stored(a, &j->out, &d);
    if (rc == 0) {
        const prova_json *root = prova_doc_root(d);
        rc = kind == PROVA_LOG_OE_EVENT         ? prova_log_entry_of_oe_event(root, alg, &entry, &e)
             : kind == PROVA_LOG_OE_CERTIFICATE ? prova_log_entry_of_oe_certificate(root, &entry, &e)
                                                : prova_log_entry_of_oe_status(root, &entry, &e);
        const prova_json *h = kind == PROVA_LOG_OE_EVENT ? prova_json_get(root, "event_hash") : NULL;
        if (prova_json_is_string(h) && h->len < sizeof j->event_hash) memcpy(j->event_hash, h->u.str, h->len + 1);
        if (rc < 0 && rc != PROVA_ENOMEM)
            rc = jfail(j, rc, 500, "log_entry", "the record's log entry cannot be built (%s at %s)",
                       e.reason ? e.reason : prova_status_name(rc), e.pointer);
    }
    if (rc == 0) rc = app_log_append(w, &entry, &j->log_index);
    j->logged = rc == 0;
    prova_buf_free(&entry);
    prova_doc_free(d);
    return rc;
}

/* The stored chain record (without events) into rec and parsed into *ret_doc. */
static int load_record(app *a, prova_store *s, oe_job *j, const char *id, prova_buf *rec, prova_doc **ret_doc) {
    int rc = prova_store_oe_chain_get(s, id, rec);
    if (rc == PROVA_ENOTFOUND) return jfail(j, rc, 404, "chain_not_found", "Chain not found: %s", id);
    if (rc < 0) return rc;
    rc = parse_stored(a, rec, ret_doc);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0 || !prova_json_is_object(prova_doc_root(*ret_doc)))
        return jfail(j, PROVA_EIO, 500, "store_corrupt", "the stored record of chain %s is not a JSON object", id);
    return 0;
}

static int record_alg(const prova_json *rec, prova_hash_alg *alg) {
    const prova_json *h = prova_json_get(rec, "hash_algorithm");
    return prova_json_is_string(h) ? prova_oe_hash_lookup(h->u.str, alg) : PROVA_EUNSUPPORTED;
}

static void now_text(char out[PROVA_OE_TIME_LEN + 1]) {
    if (!prova_oe_time_format(app_now_us(), out)) memcpy(out, "1970-01-01T00:00:00.000Z", PROVA_OE_TIME_LEN + 1);
}

static void oe_finish(app_call *c) {
    oe_job *j = c->state;
    if (j->err_status) {
        app_fail(c, j->err_status, j->err_code, "%s", j->err_msg);
        return;
    }
    if (c->job.status < 0) {
        app_fail_store(c, c->job.status, NULL);
        return;
    }
    if (j->counter) atomic_fetch_add(j->counter, 1);
    if (j->cert_id[0]) otel_span_str(c->span, "prova.oe.certificate_id", j->cert_id);
    if (j->event_hash[0] && otel_span_recording(c->span)) {
        const otel_attr ev[] = {
            OTEL_STR("prova.oe.event.hash", j->event_hash),
            OTEL_INT("prova.oe.event.seq", j->event_seq),
            OTEL_INT("prova.log.index", j->log_index),
        };
        otel_span_event(c->span, "prova.oe.event", ev, sizeof ev / sizeof ev[0]);
    }
    app_ok(c, j->ok_status, &j->out);
    c->res.logged = j->logged;
    c->res.log_index = j->log_index;
}

static int submit(app_call *c, oe_job *j, int (*apply)(app *, prova_store *, app_call *), unsigned ok_status,
                  atomic_llong *counter) {
    j->ok_status = ok_status;
    j->counter = counter;
    return app_submit(c, apply, oe_finish);
}

/* What every OpenExecution write does first: the store and the oe:write scope, the id (NULL: none), the body
 * against the operation's fields. The job, or NULL with the call's error set. */
static oe_job *oe_begin(app_call *c, const char *id, const char *what, const void *body, size_t len,
                        const field *fields, size_t nfields) {
    if (app_need_store(c) || app_need_scope(c, APP_SCOPE_OE_WRITE)) return NULL;
    oe_job *j = job_new(c);
    if (!j) return app_fail_status(c, PROVA_ENOMEM), NULL;
    if (id && take_id(c, id, j->id, what)) return NULL;
    if (check_body(c, j, body, len, fields, nfields)) return NULL;
    return j;
}

#define NFIELDS(f) (sizeof(f) / sizeof((f)[0]))

/* ---- POST /api/v1/chains ------------------------------------------------------------------------------------- */

static const field create_fields[] = {
    {"chain_type", false, false, 32, chain_types, false},
    {"origin_type", false, false, 32, NULL, false},
    {"origin_id", false, false, 256, NULL, false},
    {"hash_algorithm", false, false, 16, hash_names, false},
};

static int create_apply(app *a, prova_store *w, app_call *c) {
    (void)a;
    oe_job *j = c->state;
    prova_buf seen = PROVA_BUF_INIT;
    int rc = prova_store_oe_chain_get(w, j->id, &seen);
    prova_buf_free(&seen);
    if (rc == 0) return jfail(j, PROVA_ECONFLICT, 409, "chain_exists", "a chain %s exists already", j->id);
    if (rc != PROVA_ENOTFOUND) return rc;
    return prova_store_oe_chain_put(w, j->id, j->stored.data, j->stored.len);
}

int app_oe_chain_create(app_call *c, const void *body, size_t len) {
    app *a = c->a;
    oe_job *j = oe_begin(c, NULL, NULL, body, len, create_fields, NFIELDS(create_fields));
    if (!j) return APP_DONE;
    prova_hash_alg alg = PROVA_HASH_SHA256;
    if (fstr(j, 3) && prova_oe_hash_lookup(fstr(j, 3), &alg) < 0)
        return app_fail(c, APP_E_SCHEMA, "invalid_value", "\"hash_algorithm\" is not supported by this build");
    char now[PROVA_OE_TIME_LEN + 1], id[37];
    now_text(now);
    prova_uuid_v4(id);
    prova_oe_chain_params p = {0};
    p.id = id;
    p.chain_type = fstr(j, 0);
    p.origin_type = fstr(j, 1);
    p.origin_id = fstr(j, 2);
    p.hash_alg = alg;
    p.sig_alg = prova_key_alg(a->key);
    p.created_at = now;
    prova_error e;
    int rc = prova_oe_chain_new(&p, &j->out, &e);
    if (rc == PROVA_ENOMEM) return app_fail_status(c, rc);
    if (rc < 0) return app_fail_lib(c, APP_E_SCHEMA, &e);
    if ((rc = strip_events(a, &j->out, &j->stored)) < 0) return app_fail_status(c, rc);
    memcpy(j->id, id, sizeof id);
    memcpy(c->res.id, id, sizeof id);
    otel_span_str(c->span, "prova.oe.chain_id", id);
    return submit(c, j, create_apply, 201, &a->chains);
}

/* ---- GET /api/v1/chains/{chainId} ---------------------------------------------------------------------------- */

/* The chain record with its events, from one snapshot, into out. 0, or APP_DONE with the error set. */
static int read_chain(app_call *c, const char *chain_id, prova_buf *out) {
    app *a = c->a;
    char id[APP_ID_MAX + 1];
    if (app_need_store(c) || take_id(c, chain_id, id, "chain")) return APP_REFUSED;
    prova_store *s = app_reader_get(a);
    if (!s) return app_fail_store(c, PROVA_EIO, NULL), APP_REFUSED;
    prova_buf rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT;
    size_t n = 0;
    int rc = prova_store_read_begin(s); /* the record and its events from one snapshot */
    if (rc == 0) rc = prova_store_oe_chain_get(s, id, &rec);
    if (rc == 0) rc = prova_store_oe_events(s, id, &events, &n);
    prova_store_rollback(s);
    if (rc == PROVA_ENOTFOUND) {
        app_reader_put(a, s);
        app_fail(c, APP_E_NOT_FOUND, "chain_not_found", "Chain not found: %s", id);
        goto out;
    }
    if (rc < 0) {
        app_fail_store(c, rc, s);
        app_reader_put(a, s);
        goto out;
    }
    app_reader_put(a, s);
    prova_doc *d = NULL;
    rc = assemble(a, &rec, &events, &d);
    if (rc == 0) rc = prova_canon_write(prova_doc_root(d), PROVA_PROFILE_JCS, out, NULL);
    prova_doc_free(d);
    if (rc == PROVA_ENOMEM)
        app_fail_status(c, rc);
    else if (rc < 0)
        app_fail(c, APP_E_INTERNAL, "store_corrupt", "the stored chain %s cannot be read", id);
out:
    prova_buf_free(&rec);
    prova_buf_free(&events);
    return app_call_failed(c) ? APP_REFUSED : 0;
}

int app_oe_chain_get(app_call *c, const char *chain_id) {
    prova_buf out = PROVA_BUF_INIT;
    if (read_chain(c, chain_id, &out) == 0) app_ok(c, 200, &out);
    prova_buf_free(&out);
    return APP_DONE;
}

int app_oe_chain_status(app_call *c, const char *chain_id, char status[16]) {
    app *a = c->a;
    char id[APP_ID_MAX + 1];
    if (app_need_store(c) || take_id(c, chain_id, id, "chain")) return APP_DONE;
    prova_store *s = app_reader_get(a);
    if (!s) return app_fail_store(c, PROVA_EIO, NULL);
    prova_buf rec = PROVA_BUF_INIT;
    prova_doc *d = NULL;
    int rc = prova_store_oe_chain_get(s, id, &rec);
    if (rc == PROVA_ENOTFOUND)
        app_fail(c, APP_E_NOT_FOUND, "chain_not_found", "Chain not found: %s", id);
    else if (rc < 0)
        app_fail_store(c, rc, s);
    app_reader_put(a, s);
    if (rc == 0 && (rc = parse_stored(a, &rec, &d)) < 0)
        app_fail(c, APP_E_INTERNAL, "store_corrupt", "the stored chain %s cannot be read", id);
    if (rc == 0) {
        snprintf(status, 16, "%s", str_or(prova_json_get(prova_doc_root(d), "status"), "unknown"));
        prova_buf b = PROVA_BUF_INIT;
        if (prova_json_put_string(&b, status, strlen(status)) == 0)
            app_ok(c, 200, &b);
        else
            app_fail_status(c, PROVA_ENOMEM);
        prova_buf_free(&b);
    }
    prova_doc_free(d);
    prova_buf_free(&rec);
    return APP_DONE;
}

/* ---- POST /api/v1/chains/{chainId}/events ---------------------------------------------------------------------- */

static const field event_fields[] = {
    {"event_type", true, false, 64, NULL, false},  {"actor_id", false, false, 512, NULL, false},
    {"actor_type", false, false, 64, NULL, false}, {"sentiment", false, false, 16, sentiments, false},
    {"payload", false, true, 0, NULL, false},
};

static int append_apply(app *a, prova_store *w, app_call *c) {
    oe_job *j = c->state;
    prova_buf rec = PROVA_BUF_INIT, last = PROVA_BUF_INIT, newrec = PROVA_BUF_INIT;
    prova_doc *rd = NULL, *ld = NULL;
    int64_t seq = 0;
    prova_hash_alg alg = PROVA_HASH_SHA256;
    int rc = load_record(a, w, j, j->id, &rec, &rd);
    const prova_json *root = prova_doc_root(rd);
    if (rc == 0 && !prova_json_str_eq(prova_json_get(root, "status"), "open"))
        rc = jfail(j, PROVA_ECONFLICT, 409, "chain_not_open",
                   "chain %s is %s: events can only be appended to an open chain", j->id, status_name(root));
    if (rc == 0 && record_alg(root, &alg) < 0)
        rc = jfail(j, PROVA_EIO, 500, "store_corrupt", "the stored chain %s has no known hash_algorithm", j->id);
    if (rc == 0) {
        rc = prova_store_oe_event_last(w, j->id, &last, &seq);
        if (rc == PROVA_ENOTFOUND) {
            rc = 0;
            seq = 0;
        } else if (rc == 0) {
            int64_t js = 0;
            rc = parse_stored(a, &last, &ld);
            if (rc == 0 && (prova_json_get_int64(prova_json_get(prova_doc_root(ld), "seq"), &js) < 0 || js != seq))
                rc = jfail(j, PROVA_EIO, 409, "chain_invalid",
                           "the last stored event of chain %s does not carry its seq %lld", j->id, (long long)seq);
            else if (rc < 0 && rc != PROVA_ENOMEM)
                rc = jfail(j, rc, 409, "chain_invalid", "the last stored event of chain %s is not JSON", j->id);
        }
    }
    char now[PROVA_OE_TIME_LEN + 1], q_now[PROVA_OE_TIME_LEN + 3], count[32];
    now_text(now);
    snprintf(q_now, sizeof q_now, "\"%s\"", now);
    snprintf(count, sizeof count, "%lld", (long long)(seq + 1));
    if (rc == 0) {
        prova_oe_event_params p = {0};
        p.event_type = fstr(j, 0);
        p.actor_id = fstr(j, 1);
        p.actor_type = fstr(j, 2);
        p.sentiment = fstr(j, 3);
        p.payload = j->f[4];
        p.created_at = now;
        prova_error e;
        j->out.len = 0;
        prova_buf built = PROVA_BUF_INIT;
        rc = prova_oe_event_build(j->id, alg, ld ? prova_doc_root(ld) : NULL, &p, &built, &e);
        if (rc < 0) rc = lib_fail(j, rc, &e);
        /* Stored and answered in JCS form (the builder puts "seq" before "sentiment"). */
        prova_parse_options po = store_po(a);
        if (rc == 0) {
            otel_span *cs = app_span_canon(c, PROVA_PROFILE_JCS);
            rc = prova_canon_bytes(built.data, built.len, PROVA_PROFILE_JCS, &po, &j->out, NULL);
            otel_span_int(cs, "prova.canonical.bytes", (int64_t)j->out.len);
            if (rc < 0) otel_span_error(cs, prova_status_name(rc));
            otel_span_end(cs);
        }
        prova_buf_free(&built);
        j->event_seq = seq + 1;
    }
    /* The entry first: the event's row holds its index (what an export with log proofs reads). */
    if (rc == 0) rc = log_record(a, w, j, PROVA_LOG_OE_EVENT, alg);
    if (rc == 0) rc = prova_store_oe_event_append_logged(w, j->id, seq + 1, j->out.data, j->out.len, j->log_index);
    if (rc == 0) {
        prova_member_text set[] = {{"event_count", count, strlen(count)}, {"updated_at", q_now, strlen(q_now)}};
        rc = rewrite(root, "events", set, 2, &newrec);
    }
    if (rc == 0) rc = prova_store_oe_chain_put(w, j->id, newrec.data, newrec.len);
    prova_doc_free(rd);
    prova_doc_free(ld);
    prova_buf_free(&rec);
    prova_buf_free(&last);
    prova_buf_free(&newrec);
    return rc;
}

int app_oe_event_append(app_call *c, const char *chain_id, const void *body, size_t len) {
    oe_job *j = oe_begin(c, chain_id, "chain", body, len, event_fields, NFIELDS(event_fields));
    return j ? submit(c, j, append_apply, 201, &c->a->events) : APP_DONE;
}

/* ---- POST /api/v1/chains/{chainId}/resolve ------------------------------------------------------------------- */

static int resolve_apply(app *a, prova_store *w, app_call *c) {
    oe_job *j = c->state;
    prova_buf rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT, stored = PROVA_BUF_INIT;
    prova_doc *rd = NULL, *cd = NULL;
    size_t n = 0;
    int rc = load_record(a, w, j, j->id, &rec, &rd);
    if (rc == 0 && !prova_json_str_eq(prova_json_get(prova_doc_root(rd), "status"), "open"))
        rc = jfail(j, PROVA_ECONFLICT, 409, "chain_not_open", "chain %s is %s: only an open chain can be resolved",
                   j->id, status_name(prova_doc_root(rd)));
    if (rc == 0) rc = prova_store_oe_events(w, j->id, &events, &n);
    if (rc == 0 && n == 0)
        rc =
            jfail(j, PROVA_ECONFLICT, 409, "chain_empty", "chain %s has no events: there is nothing to resolve", j->id);
    if (rc == 0 && (rc = assemble(a, &rec, &events, &cd)) < 0 && rc != PROVA_ENOMEM)
        rc = jfail(j, rc, 500, "store_corrupt", "the stored chain %s cannot be read", j->id);
    char now[PROVA_OE_TIME_LEN + 1];
    now_text(now);
    if (rc == 0) {
        prova_error e;
        rc = prova_oe_chain_resolve(prova_doc_root(cd), now, &j->out, &e);
        if (rc < 0) rc = lib_fail(j, rc, &e);
    }
    if (rc == 0) rc = strip_events(a, &j->out, &stored);
    if (rc == 0) rc = prova_store_oe_chain_put(w, j->id, stored.data, stored.len);
    prova_doc_free(rd);
    prova_doc_free(cd);
    prova_buf_free(&rec);
    prova_buf_free(&events);
    prova_buf_free(&stored);
    return rc;
}

int app_oe_resolve(app_call *c, const char *chain_id, const void *body, size_t len) {
    oe_job *j = oe_begin(c, chain_id, "chain", body, len, NULL, 0);
    return j ? submit(c, j, resolve_apply, 200, NULL) : APP_DONE;
}

/* ---- POST /api/v1/chains/{chainId}/certificate --------------------------------------------------------------- */

static const field certify_fields[] = {
    {"artifact_type", true, false, 64, NULL, false},
    {"artifact_ref", true, false, 512, NULL, false},
    {"artifact_title", false, false, 500, NULL, false},
};

static int certify_apply(app *a, prova_store *w, app_call *c) {
    oe_job *j = c->state;
    prova_buf rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT, certified = PROVA_BUF_INIT, stored = PROVA_BUF_INIT;
    prova_doc *rd = NULL, *cd = NULL;
    size_t n = 0;
    int rc = load_record(a, w, j, j->id, &rec, &rd);
    if (rc == 0 && !prova_json_str_eq(prova_json_get(prova_doc_root(rd), "status"), "resolved"))
        rc = jfail(j, PROVA_ECONFLICT, 409, "chain_not_resolved",
                   "chain %s is %s: only a resolved chain can be certified (POST .../resolve first)", j->id,
                   status_name(prova_doc_root(rd)));
    if (rc == 0) rc = prova_store_oe_events(w, j->id, &events, &n);
    if (rc == 0 && (rc = assemble(a, &rec, &events, &cd)) < 0 && rc != PROVA_ENOMEM)
        rc = jfail(j, rc, 500, "store_corrupt", "the stored chain %s cannot be read", j->id);
    char now[PROVA_OE_TIME_LEN + 1], cert_id[37];
    now_text(now);
    prova_uuid_v4(cert_id);
    if (rc == 0) {
        prova_oe_cert_params p = {0};
        p.artifact_type = fstr(j, 0);
        p.artifact_ref = fstr(j, 1);
        p.artifact_title = fstr(j, 2);
        p.issued_at = now;
        p.certificate_id = cert_id;
        prova_error e;
        otel_span *ss = app_span_sign(c, "oe_certificate");
        rc = prova_oe_certify(a->key, prova_doc_root(cd), &p, &j->out, &certified, &e);
        if (rc < 0) otel_span_error(ss, e.reason ? e.reason : prova_status_name(rc));
        otel_span_end(ss);
        if (rc < 0) rc = lib_fail(j, rc, &e);
        if (rc == 0) memcpy(j->cert_id, cert_id, sizeof cert_id);
    }
    if (rc == 0) rc = strip_events(a, &certified, &stored);
    if (rc == 0) rc = prova_store_oe_chain_put(w, j->id, stored.data, stored.len);
    if (rc == 0) rc = log_record(a, w, j, PROVA_LOG_OE_CERTIFICATE, PROVA_HASH_SHA256);
    if (rc == 0) rc = prova_store_oe_cert_put_logged(w, cert_id, j->id, j->out.data, j->out.len, j->log_index, -1);
    prova_doc_free(rd);
    prova_doc_free(cd);
    prova_buf_free(&rec);
    prova_buf_free(&events);
    prova_buf_free(&certified);
    prova_buf_free(&stored);
    return rc;
}

int app_oe_certify(app_call *c, const char *chain_id, const void *body, size_t len) {
    oe_job *j = oe_begin(c, chain_id, "chain", body, len, certify_fields, NFIELDS(certify_fields));
    return j ? submit(c, j, certify_apply, 201, &c->a->certificates) : APP_DONE;
}

/* ---- Certificate status: revoke, supersede ------------------------------------------------------------------- */

static const field revoke_fields[] = {
    {"reason", true, false, 4096, NULL, false},
};

static const field supersede_fields[] = {
    {"superseded_by", true, false, APP_ID_MAX, NULL, true},
    {"reason", false, false, 4096, NULL, false},
};

/* The certificate's chain id: certificate.chain_id, else chain.id. */
static const char *bundle_chain_id(const prova_json *b) {
    const prova_json *c = prova_json_get(prova_json_get(b, "certificate"), "chain_id");
    if (!prova_json_is_string(c)) c = prova_json_get(prova_json_get(b, "chain"), "id");
    return prova_json_is_string(c) && id_ok(c->u.str, c->len) ? c->u.str : NULL;
}

static int status_apply(app *a, prova_store *w, app_call *c, prova_oe_cert_status to) {
    oe_job *j = c->state;
    prova_buf b = PROVA_BUF_INIT, rec = PROVA_BUF_INIT, newrec = PROVA_BUF_INIT;
    prova_doc *bd = NULL, *rd = NULL;
    int rc = prova_store_oe_cert_get(w, j->id, &b);
    if (rc == PROVA_ENOTFOUND) rc = jfail(j, rc, 404, "certificate_not_found", "Certificate not found: %s", j->id);
    if (rc == 0 && (rc = parse_stored(a, &b, &bd)) < 0 && rc != PROVA_ENOMEM)
        rc = jfail(j, rc, 500, "store_corrupt", "the stored certificate %s is not JSON", j->id);
    const char *successor = to == PROVA_OE_SUPERSEDED ? fstr(j, 0) : NULL;
    if (rc == 0 && successor) {
        prova_buf other = PROVA_BUF_INIT;
        rc = prova_store_oe_cert_get(w, successor, &other);
        prova_buf_free(&other);
        if (rc == PROVA_ENOTFOUND)
            rc = jfail(j, rc, 422, "superseded_by_unknown", "\"superseded_by\" names no certificate: %s", successor);
    }
    const prova_json *bundle = prova_doc_root(bd);
    const char *chain_id = rc == 0 ? bundle_chain_id(bundle) : NULL;
    if (rc == 0 && !chain_id)
        rc = jfail(j, PROVA_EIO, 500, "store_corrupt", "the stored certificate %s names no chain", j->id);
    char now[PROVA_OE_TIME_LEN + 1], q_now[PROVA_OE_TIME_LEN + 3];
    now_text(now);
    snprintf(q_now, sizeof q_now, "\"%s\"", now);
    if (rc == 0) {
        prova_oe_status_params p = {0};
        p.status = to;
        p.reason = to == PROVA_OE_SUPERSEDED ? fstr(j, 1) : fstr(j, 0);
        p.superseded_by = successor;
        p.at = now;
        prova_error e;
        otel_span *ss = app_span_sign(c, "oe_status");
        rc = prova_oe_set_status(a->key, bundle, &p, &j->out, &e);
        if (rc < 0) otel_span_error(ss, e.reason ? e.reason : prova_status_name(rc));
        otel_span_end(ss);
        if (rc < 0) rc = lib_fail(j, rc, &e);
    }
    /* The row keeps the certificate's own log index; the status change's is the latest one's. */
    int64_t cert_index = -1;
    if (rc == 0) rc = prova_store_oe_cert_log(w, j->id, &cert_index, NULL);
    if (rc == 0) rc = log_record(a, w, j, PROVA_LOG_OE_STATUS, PROVA_HASH_SHA256);
    if (rc == 0)
        rc = prova_store_oe_cert_put_logged(w, j->id, chain_id, j->out.data, j->out.len, cert_index, j->log_index);
    /* A revocation revokes the chain too (its status enum has "revoked"; the bundle's copy follows in the library);
     * a superseded certificate leaves its chain certified. */
    if (rc == 0 && to == PROVA_OE_REVOKED) {
        rc = prova_store_oe_chain_get(w, chain_id, &rec);
        if (rc == PROVA_ENOTFOUND) {
            rc = 0;
        } else if (rc == 0 && (rc = parse_stored(a, &rec, &rd)) == 0) {
            prova_member_text set[] = {{"status", "\"revoked\"", 9}, {"updated_at", q_now, strlen(q_now)}};
            rc = rewrite(prova_doc_root(rd), "events", set, 2, &newrec);
            if (rc == 0) rc = prova_store_oe_chain_put(w, chain_id, newrec.data, newrec.len);
        }
    }
    prova_doc_free(bd);
    prova_doc_free(rd);
    prova_buf_free(&b);
    prova_buf_free(&rec);
    prova_buf_free(&newrec);
    return rc;
}

static int revoke_apply(app *a, prova_store *w, app_call *c) {
    return status_apply(a, w, c, PROVA_OE_REVOKED);
}
static int supersede_apply(app *a, prova_store *w, app_call *c) {
    return status_apply(a, w, c, PROVA_OE_SUPERSEDED);
}

int app_oe_revoke(app_call *c, const char *cert_id, const void *body, size_t len) {
    oe_job *j = oe_begin(c, cert_id, "certificate", body, len, revoke_fields, NFIELDS(revoke_fields));
    return j ? submit(c, j, revoke_apply, 200, NULL) : APP_DONE;
}

int app_oe_supersede(app_call *c, const char *cert_id, const void *body, size_t len) {
    oe_job *j = oe_begin(c, cert_id, "certificate", body, len, supersede_fields, NFIELDS(supersede_fields));
    if (!j) return APP_DONE;
    if (strcmp(fstr(j, 0), j->id) == 0)
        return app_fail(c, APP_E_SCHEMA, "invalid_value", "a certificate cannot supersede itself");
    return submit(c, j, supersede_apply, 200, NULL);
}

/* ---- Verify, public key, bundles -------------------------------------------------------------------------------- */

static int verify_stored(app_call *c, const char *cert_id, otel_span *vs) {
    app *a = c->a;
    char id[APP_ID_MAX + 1];
    if (app_need_store(c) || take_id(c, cert_id, id, "certificate")) return APP_DONE;
    prova_store *s = app_reader_get(a);
    if (!s) return app_fail_store(c, PROVA_EIO, NULL);
    prova_buf bundle = PROVA_BUF_INIT, record = PROVA_BUF_INIT, events = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    prova_doc *bd = NULL, *rd = NULL, *ed = NULL;
    size_t n = 0;
    /* The certificate, its chain record and the chain's events from one snapshot. */
    int rc = prova_store_read_begin(s);
    if (rc == 0) rc = prova_store_oe_cert_get(s, id, &bundle);
    if (rc == 0 && (rc = parse_stored(a, &bundle, &bd)) < 0 && rc != PROVA_ENOMEM) rc = PROVA_EVERIFY;
    const char *chain_id = rc == 0 ? bundle_chain_id(prova_doc_root(bd)) : NULL;
    if (rc == 0 && chain_id) {
        rc = prova_store_oe_chain_get(s, chain_id, &record);
        if (rc == PROVA_ENOTFOUND) rc = 0, record.len = 0;
        if (rc == 0) rc = prova_store_oe_events(s, chain_id, &events, &n);
    } else if (rc == 0) {
        rc = prova_buf_append(&events, "[]", 2);
    }
    prova_store_rollback(s);
    if (rc == PROVA_ENOTFOUND)
        app_fail(c, APP_E_NOT_FOUND, "certificate_not_found", "Certificate not found: %s", id);
    else if (rc == PROVA_EVERIFY)
        app_fail(c, APP_E_INTERNAL, "internal", "Verification failed: internal error");
    else if (rc < 0)
        app_fail_store(c, rc, s);
    app_reader_put(a, s);
    if (rc == 0 && record.len && (parse_stored(a, &record, &rd) < 0 || !prova_json_is_object(prova_doc_root(rd)))) {
        prova_doc_free(rd);
        rd = NULL;
    }
    if (rc == 0) rc = parse_stored(a, &events, &ed);
    prova_keyset *ks = NULL;
    bool valid = false;
    char reason[PROVA_OE_REASON_MAX] = "";
    if (rc == 0) {
        /* Only the gateway's own keys, active and legacy: a certificate verifies with the key that issued it. */
        ks = prova_keyset_new();
        rc = ks ? prova_keyset_add_jwks(ks, a->jwks.data, a->jwks.len, "gateway", NULL) : PROVA_ENOMEM;
        if (rc > 0) rc = 0;
    }
    if (rc == 0)
        rc = prova_oe_verify_stored(id, prova_doc_root(bd), rd ? prova_doc_root(rd) : NULL, prova_doc_root(ed), ks,
                                    app_now_us(), &out, &valid, reason, NULL);
    if (rc == 0) {
        app_count_verdict(a, valid);
        app_span_verdict(vs, NULL, valid, reason);
        app_ok(c, 200, &out);
        if (!valid) app_meta(c, "X-Prova-Verify-Reason", reason);
    } else if (!app_call_failed(c)) {
        app_count_verify_error(a);
        if (rc == PROVA_ENOMEM)
            app_fail_status(c, rc);
        else
            app_fail(c, APP_E_INTERNAL, "internal", "Verification failed: internal error");
    } else if (rc == PROVA_EVERIFY) {
        app_count_verify_error(a);
    }
    prova_keyset_free(ks);
    prova_doc_free(bd);
    prova_doc_free(rd);
    prova_doc_free(ed);
    prova_buf_free(&bundle);
    prova_buf_free(&record);
    prova_buf_free(&events);
    prova_buf_free(&out);
    return APP_DONE;
}

/* A stored certificate's verification as a "prova.verify" span: its answer (valid or not) is the verdict; a
 * certificate that is not there, or cannot be checked at all, the span's error. */
int app_oe_verify(app_call *c, const char *cert_id) {
    otel_span *vs = app_span(c, "prova.verify");
    if (otel_span_recording(vs)) otel_span_str(vs, "prova.verify.kind", "oe_certificate");
    int rc = verify_stored(c, cert_id, vs);
    app_span_end(vs, c);
    return rc;
}

int app_oe_public_key(app_call *c) {
    app *a = c->a;
    if (!a->key) return app_fail(c, APP_E_NOT_FOUND, "no_key", "this server has no signing key");
    prova_buf der = PROVA_BUF_INIT, pem = PROVA_BUF_INIT, b = PROVA_BUF_INIT;
    char fp[65];
    char *hex = NULL;
    int rc = prova_key_to_spki_der(a->key, &der);
    if (rc == 0) rc = prova_key_to_pem(a->key, false, &pem);
    if (rc == 0 && !(hex = malloc(2 * der.len + 1))) rc = PROVA_ENOMEM;
    if (rc == 0) prova_hex_encode(der.data, der.len, hex, 2 * der.len + 1);
    if (rc == 0) rc = app_sha256_hex(der.data, der.len, fp);
    if (rc == 0) {
        prova_jw w;
        prova_jw_init(&w, &b);
        prova_jw_obj(&w);
        prova_jw_kstr(&w, "algorithm", prova_sig_name(prova_key_alg(a->key)));
        prova_jw_kstr(&w, "public_key", hex);
        prova_jw_kstr(&w, "format", "DER (SPKI)");
        prova_jw_key(&w, "public_key_pem");
        prova_jw_strn(&w, (const char *)pem.data, pem.len);
        prova_jw_kstr(&w, "fingerprint", fp);
        prova_jw_end(&w);
        rc = prova_jw_finish(&w);
    }
    free(hex);
    prova_buf_free(&der);
    prova_buf_free(&pem);
    if (rc == 0)
        app_ok(c, 200, &b);
    else
        app_fail_status(c, rc);
    prova_buf_free(&b);
    return APP_DONE;
}

/* The log indexes of a certificate bundle's records (JSON arrays, null for none): the certificate's, its status
 * change's, and the events of its chain (the bundle's: a certified chain takes no more events). */
static int bundle_log_indexes(app *a, prova_store *s, const char *id, const prova_buf *b, prova_buf *out) {
    int64_t ci = -1, si = -1;
    int rc = prova_store_oe_cert_log(s, id, &ci, &si);
    char head[64];
    int k = snprintf(head, sizeof head, "[%lld,%lld]", (long long)ci, (long long)si);
    if (rc == 0) rc = prova_buf_append(out, head, (size_t)k); /* -1: the minus sign makes it no index */
    prova_doc *bd = NULL;
    if (rc == 0 && parse_stored(a, b, &bd) == 0) {
        const char *chain_id = bundle_chain_id(prova_doc_root(bd));
        if (chain_id) rc = prova_store_oe_events_log(s, chain_id, out, NULL);
    }
    prova_doc_free(bd);
    return rc;
}

/* The attestations of ?attest=: bit 1 content-integrity, bit 2 timestamp; -1 for an unknown name. */
static int attest_set(const char *s) {
    int set = 0;
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 17 && memcmp(s, "content-integrity", n) == 0)
            set |= 1;
        else if (n == 9 && memcmp(s, "timestamp", n) == 0)
            set |= 2;
        else if (n)
            return -1;
        s = e ? e + 1 : NULL;
    }
    return set;
}

/* Adds the attestations of set to the bundle in b (replaced on success); fails the call otherwise. */
static int attest_stored(app_call *c, int set, prova_buf *b) {
    app *a = c->a;
    prova_doc *d = NULL;
    int rc = parse_stored(a, b, &d);
    if (rc < 0) {
        app_fail(c, APP_E_INTERNAL, "store_corrupt", "the stored bundle cannot be read");
        return rc;
    }
    char now[PROVA_OE_TIME_LEN + 1];
    now_text(now);
    for (int bit = 1; rc == 0 && bit <= 2; bit <<= 1) {
        if (!(set & bit)) continue;
        prova_oe_attest_params p = {.block_number = -1, .key = a->key, .at = now};
        p.type = bit == 1 ? PROVA_OE_ATTEST_CONTENT_INTEGRITY : PROVA_OE_ATTEST_TIMESTAMP;
        prova_buf out = PROVA_BUF_INIT;
        prova_error e;
        rc = prova_oe_attest_bundle(prova_doc_root(d), &p, &out, &e);
        if (rc == 0) {
            prova_doc_free(d);
            d = NULL;
            rc = parse_stored(a, &out, &d);
            prova_buf_free(b);
            *b = out;
        } else {
            prova_buf_free(&out);
            if (rc == PROVA_ENOMEM)
                app_fail_status(c, rc);
            else
                app_fail_lib(c, APP_E_CONFLICT, &e);
        }
    }
    prova_doc_free(d);
    return rc;
}

int app_oe_bundle(app_call *c, const char *cert_id, bool log_proofs) {
    return app_oe_bundle_attest(c, cert_id, log_proofs, NULL);
}

int app_oe_bundle_attest(app_call *c, const char *cert_id, bool log_proofs, const char *attest) {
    app *a = c->a;
    char id[APP_ID_MAX + 1];
    int set = attest_set(attest);
    if (set < 0)
        return app_fail(c, APP_E_INPUT, "attest_invalid",
                        "attest takes content-integrity and timestamp, comma-separated");
    if (app_need_store(c) || take_id(c, cert_id, id, "certificate")) return APP_DONE;
    prova_store *s = app_reader_get(a);
    if (!s) return app_fail_store(c, PROVA_EIO, NULL);
    prova_buf b = PROVA_BUF_INIT, logidx = PROVA_BUF_INIT;
    int rc = log_proofs ? prova_store_read_begin(s) : 0; /* the bundle and its indexes from one snapshot */
    if (rc == 0) rc = prova_store_oe_cert_get(s, id, &b);
    if (rc == 0 && log_proofs) rc = bundle_log_indexes(a, s, id, &b, &logidx);
    if (log_proofs) prova_store_rollback(s);
    if (rc == PROVA_ENOTFOUND)
        app_fail(c, APP_E_NOT_FOUND, "certificate_not_found", "Certificate not found: %s", id);
    else if (rc < 0)
        app_fail_store(c, rc, s);
    app_reader_put(a, s);
    if (rc == 0 && set) rc = attest_stored(c, set, &b); /* outside the log entry (the certificate's digest) */
    if (rc == 0 && log_proofs) {
        prova_buf with = PROVA_BUF_INIT;
        rc = app_log_attach(a, &b, &logidx, &with);
        prova_buf_free(&b);
        b = with;
        if (rc < 0) app_fail_status(c, rc);
    }
    if (rc == 0) app_ok(c, 200, &b);
    prova_buf_free(&b);
    prova_buf_free(&logidx);
    return APP_DONE;
}
