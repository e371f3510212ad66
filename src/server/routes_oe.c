/* OpenExecution endpoints (docs/http-oe.md): execution chains and their events, resolve, provenance certificates
 * and their status, the verify API of seed 002 §7 / openexecution.md §5.5, the issuer's public key and the offline
 * bundles.
 *
 * Storage: a chain record without its events (one row), the events (one row each, by seq), each certificate as its
 * offline bundle. The library's functions take a whole chain record, so the gateway assembles one from the rows.
 * Every read-modify-write of a chain runs in the writer's apply, on the writer's connection: two appends to one
 * chain are applied one after the other, the second sees the first's event, and a chain never forks. Event,
 * resolve, certificate and status times are the gateway's clock, read on the writer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "prova/encoding.h"
#include "prova/oe.h"
#include "prova/report.h"


/* Chain and certificate ids travel in URL paths: visible ASCII without '/', at most OE_ID_MAX bytes. */
#define OE_ID_MAX   128
#define OE_DIFF_MAX 100 /* store/bundle event differences listed before the rest are counted */

static const char *const chain_types[] = {"resource_audit", "manual", "incident_response", "compliance_report", NULL};
static const char *const sentiments[] = {"positive", "negative", "neutral", NULL};
static const char *const hash_names[] = {"sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512", NULL};

static bool id_ok(const char *s, size_t n) {
    if (n == 0 || n > OE_ID_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '/') return false;
    return true;
}

/* Copies the path parameter into out; 0, or 1 with a 400 answered. */
static int path_id(gw_req *req, char out[OE_ID_MAX + 1], const char *what) {
    const char *s = req->param[0] ? req->param[0] : "";
    size_t n = strlen(s);
    if (!id_ok(s, n)) {
        gw_error(req, 400, "invalid_id", "the %s id must be 1-%d visible ASCII characters without '/'", what,
                 OE_ID_MAX);
        return 1;
    }
    memcpy(out, s, n + 1);
    return 0;
}

/* Limits for documents the gateway wrote itself (chains grow beyond any request's limits). */
static prova_parse_options store_po(const gw *g) {
    prova_parse_options po = {0};
    po.max_depth = g->cfg.max_depth + 16 > PROVA_DEFAULT_MAX_DEPTH ? g->cfg.max_depth + 16 : PROVA_DEFAULT_MAX_DEPTH;
    po.max_size = SIZE_MAX >> 1;
    po.max_string = SIZE_MAX >> 1;
    po.max_members = SIZE_MAX >> 1;
    return po;
}

static int parse_stored(const gw *g, const prova_buf *b, prova_doc **ret) {
    prova_parse_options po = store_po(g);
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

typedef struct member {
    const char *name;
    const char *json; /* the value as JSON text */
    size_t len;
} member;

/* obj's members except `drop` and those set replaces, then set's, as canonical (JCS) JSON appended to out. */
static int rewrite(const gw *g, const prova_json *obj, const char *drop, const member *set, size_t nset,
                   prova_buf *out) {
    prova_buf t = PROVA_BUF_INIT;
    int rc = gw_put_raw(&t, "{");
    bool first = true;
    for (size_t i = 0; rc == 0 && i < prova_json_len(obj); i++) {
        const prova_json_member *m = &obj->u.members[i];
        bool skip = drop && prova_json_str_eq(&m->key, drop);
        for (size_t k = 0; k < nset; k++) skip = skip || prova_json_str_eq(&m->key, set[k].name);
        if (skip) continue;
        if (!first) rc = gw_put_raw(&t, ",");
        first = false;
        if (rc == 0) rc = prova_canon_write(&m->key, PROVA_PROFILE_JCS, &t, NULL);
        if (rc == 0) rc = gw_put_raw(&t, ":");
        if (rc == 0) rc = prova_canon_write(&m->value, PROVA_PROFILE_JCS, &t, NULL);
    }
    for (size_t k = 0; rc == 0 && k < nset; k++) {
        if (!first) rc = gw_put_raw(&t, ",");
        first = false;
        if (rc == 0) rc = gw_put_str(&t, set[k].name);
        if (rc == 0) rc = gw_put_raw(&t, ":");
        if (rc == 0) rc = prova_buf_append(&t, set[k].json, set[k].len);
    }
    if (rc == 0) rc = gw_put_raw(&t, "}");
    prova_parse_options po = store_po(g);
    if (rc == 0) rc = prova_canon_bytes(t.data, t.len, PROVA_PROFILE_JCS, &po, out, NULL);
    prova_buf_free(&t);
    return rc;
}

/* A chain record as stored: the record without "events". */
static int strip_events(const gw *g, const prova_buf *record, prova_buf *out) {
    prova_doc *d = NULL;
    int rc = parse_stored(g, record, &d);
    if (rc == 0) rc = rewrite(g, prova_doc_root(d), "events", NULL, 0, out);
    prova_doc_free(d);
    return rc;
}

/* The stored record (an object without "events") and the events array as one chain record. */
static int assemble(const gw *g, const prova_buf *rec, const prova_buf *events, prova_doc **ret) {
    if (rec->len < 2 || rec->data[0] != '{' || rec->data[rec->len - 1] != '}') return PROVA_EIO;
    prova_buf t = PROVA_BUF_INIT;
    int rc = prova_buf_append(&t, rec->data, rec->len - 1);
    if (rc == 0) rc = gw_put_raw(&t, rec->len > 2 ? ",\"events\":" : "\"events\":");
    if (rc == 0) rc = prova_buf_append(&t, events->data, events->len);
    if (rc == 0) rc = gw_put_raw(&t, "}");
    if (rc == 0) rc = parse_stored(g, &t, ret);
    prova_buf_free(&t);
    return rc;
}

/* {"data": data} with the given status. */
static int respond_data(gw_req *req, unsigned status, const prova_buf *data) {
    prova_buf b = PROVA_BUF_INIT;
    int rc = gw_put_raw(&b, "{\"data\":");
    if (rc == 0) rc = prova_buf_append(&b, data->data, data->len);
    if (rc == 0) rc = gw_put_raw(&b, "}");
    if (rc < 0) {
        prova_buf_free(&b);
        return rc;
    }
    return gw_json_buf(req, status, &b);
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
    bool id;                   /* a string: an id (visible ASCII without '/', at most OE_ID_MAX) */
} field;

enum { OE_MAX_FIELDS = 6 };

typedef struct oe_job {
    prova_doc *doc;                     /* the request body */
    const prova_json *f[OE_MAX_FIELDS]; /* its members in the endpoint's field order (NULL: absent or null) */
    char id[OE_ID_MAX + 1];             /* the chain or certificate id of the path */
    prova_hash_alg alg;                 /* create */
    prova_buf out;                      /* the response's data */
    prova_buf stored;                   /* create: the record as stored */
    unsigned ok_status;
    atomic_llong *counter; /* counted after the commit */
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

static oe_job *job_new(gw_req *req) {
    oe_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    req->state = j;
    req->state_free = oe_job_free;
    return j;
}

static const char *fstr(const oe_job *j, size_t i) {
    return str_or(j->f[i], NULL);
}

/* Parses the body (empty = {}) and checks it against the field table; 0, or 1 with a 4xx answered. Strict: a
 * member the endpoint does not know is refused (a typo must not be silently ignored); null = absent. */
static int check_body(gw_req *req, oe_job *j, const field *fields, size_t n) {
    if (req->body_len == 0) {
        if (prova_json_parse("{}", 2, NULL, &j->doc, NULL) < 0) return PROVA_ENOMEM;
    } else if (gw_parse_body(req, &j->doc) < 0) {
        return 1;
    }
    const prova_json *root = prova_doc_root(j->doc);
    if (!prova_json_is_object(root)) return gw_error(req, 422, "schema_error", "the body must be a JSON object"), 1;
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
        return gw_error(req, 422, "unknown_member", "unknown member \"%s\" (this endpoint takes: %s)", name,
                        n ? expected : "no members"),
               1;
    }
    for (size_t f = 0; f < n; f++) {
        const field *d = &fields[f];
        const prova_json *v = prova_json_get(root, d->name);
        j->f[f] = NULL;
        if (!v || prova_json_is_null(v)) {
            if (d->required) return gw_error(req, 422, "missing_member", "\"%s\" is required", d->name), 1;
            continue;
        }
        if (d->object) {
            if (!prova_json_is_object(v))
                return gw_error(req, 422, "schema_error", "\"%s\" must be a JSON object", d->name), 1;
            prova_buf c = PROVA_BUF_INIT;
            prova_error e;
            int rc = prova_canon_write(v, PROVA_PROFILE_JCS, &c, &e);
            prova_buf_free(&c);
            if (rc == PROVA_ENOMEM) return rc;
            if (rc < 0)
                return gw_error(req, 422, "invalid_value", "\"%s\" has no RFC 8785 form (%s)%s%s", d->name,
                                e.message ? e.message : "not canonicalizable", e.pointer[0] ? " at " : "", e.pointer),
                       1;
            j->f[f] = v;
            continue;
        }
        if (!prova_json_is_string(v)) return gw_error(req, 422, "schema_error", "\"%s\" must be a string", d->name), 1;
        if (v->len == 0 || v->len > d->max || strlen(v->u.str) != v->len)
            return gw_error(req, 422, "invalid_value", "\"%s\" must be 1-%zu bytes of UTF-8 without NUL", d->name,
                            d->max),
                   1;
        if (d->id && !id_ok(v->u.str, v->len))
            return gw_error(req, 422, "invalid_value", "\"%s\" must be 1-%d visible ASCII characters without '/'",
                            d->name, OE_ID_MAX),
                   1;
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
                return gw_error(req, 422, "invalid_value", "\"%s\" must be one of %s (got \"%s\")", d->name, list, got),
                       1;
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
    const char *msg = e->message ? e->message : prova_strerror(rc);
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

/* The stored chain record (without events) into rec and parsed into *ret_doc. */
static int load_record(gw *g, prova_store *s, oe_job *j, const char *id, prova_buf *rec, prova_doc **ret_doc) {
    int rc = prova_store_oe_chain_get(s, id, rec);
    if (rc == PROVA_ENOTFOUND) return jfail(j, rc, 404, "chain_not_found", "Chain not found: %s", id);
    if (rc < 0) return rc;
    rc = parse_stored(g, rec, ret_doc);
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
    if (!prova_oe_time_format(gw_now_us(), out)) memcpy(out, "1970-01-01T00:00:00.000Z", PROVA_OE_TIME_LEN + 1);
}

static void oe_finish(gw_req *req) {
    oe_job *j = req->state;
    if (j->err_status) {
        gw_error(req, j->err_status, j->err_code, "%s", j->err_msg);
        return;
    }
    if (req->job.status < 0) {
        gw_error_store(req, req->job.status, NULL);
        return;
    }
    if (j->counter) atomic_fetch_add(j->counter, 1);
    respond_data(req, j->ok_status, &j->out);
}

static int submit(gw_req *req, oe_job *j, int (*apply)(gw *, prova_store *, gw_job *), unsigned ok_status,
                  atomic_llong *counter) {
    j->ok_status = ok_status;
    j->counter = counter;
    req->job.apply = apply;
    return gw_req_submit(req, oe_finish);
}

/* ---- POST /api/v1/chains ------------------------------------------------------------------------------------- */

static const field create_fields[] = {
    {"chain_type", false, false, 32, chain_types, false},
    {"origin_type", false, false, 32, NULL, false},
    {"origin_id", false, false, 256, NULL, false},
    {"hash_algorithm", false, false, 16, hash_names, false},
};

static int create_apply(gw *g, prova_store *w, gw_job *job) {
    (void)g;
    gw_req *req = job->ctx;
    oe_job *j = req->state;
    prova_buf seen = PROVA_BUF_INIT;
    int rc = prova_store_oe_chain_get(w, j->id, &seen);
    prova_buf_free(&seen);
    if (rc == 0) return jfail(j, PROVA_ECONFLICT, 409, "chain_exists", "a chain %s exists already", j->id);
    if (rc != PROVA_ENOTFOUND) return rc;
    return prova_store_oe_chain_put(w, j->id, j->stored.data, j->stored.len);
}

int gw_h_oe_chain_create(gw_req *req) {
    gw *g = req->g;
    oe_job *j = job_new(req);
    if (!j) return PROVA_ENOMEM;
    int rc = check_body(req, j, create_fields, sizeof create_fields / sizeof create_fields[0]);
    if (rc) return rc < 0 ? rc : 0;
    prova_hash_alg alg = PROVA_HASH_SHA256;
    if (fstr(j, 3) && prova_oe_hash_lookup(fstr(j, 3), &alg) < 0)
        return gw_error(req, 422, "invalid_value", "\"hash_algorithm\" is not supported by this build");
    char now[PROVA_OE_TIME_LEN + 1], id[37];
    now_text(now);
    prova_uuid4(id);
    prova_oe_chain_params p = {0};
    p.id = id;
    p.chain_type = fstr(j, 0);
    p.origin_type = fstr(j, 1);
    p.origin_id = fstr(j, 2);
    p.hash_alg = alg;
    p.sig_alg = prova_key_alg(g->key);
    p.created_at = now;
    prova_error e;
    rc = prova_oe_chain_new(&p, &j->out, &e);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0) return gw_error_lib(req, 422, &e);
    if ((rc = strip_events(g, &j->out, &j->stored)) < 0) return rc;
    memcpy(j->id, id, sizeof id);
    return submit(req, j, create_apply, 201, &g->chains);
}

/* ---- GET /api/v1/chains/{chainId} ---------------------------------------------------------------------------- */

int gw_h_oe_chain_get(gw_req *req) {
    gw *g = req->g;
    char id[OE_ID_MAX + 1];
    if (path_id(req, id, "chain")) return 0;
    prova_store *s = gw_reader_get(g);
    if (!s) return gw_error_store(req, PROVA_EIO, NULL);
    prova_buf rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    size_t n = 0;
    int rc = prova_store_read_begin(s); /* the record and its events from one snapshot */
    if (rc == 0) rc = prova_store_oe_chain_get(s, id, &rec);
    if (rc == 0) rc = prova_store_oe_events(s, id, &events, &n);
    prova_store_rollback(s);
    if (rc == PROVA_ENOTFOUND) {
        gw_reader_put(g, s);
        rc = gw_error(req, 404, "chain_not_found", "Chain not found: %s", id);
        goto out;
    }
    if (rc < 0) {
        gw_error_store(req, rc, s);
        gw_reader_put(g, s);
        rc = 0;
        goto out;
    }
    gw_reader_put(g, s);
    prova_doc *d = NULL;
    rc = assemble(g, &rec, &events, &d);
    if (rc == 0) rc = prova_canon_write(prova_doc_root(d), PROVA_PROFILE_JCS, &out, NULL);
    prova_doc_free(d);
    if (rc == 0)
        rc = respond_data(req, 200, &out);
    else if (rc != PROVA_ENOMEM)
        rc = gw_error(req, 500, "store_corrupt", "the stored chain %s cannot be read", id);
out:
    prova_buf_free(&rec);
    prova_buf_free(&events);
    prova_buf_free(&out);
    return rc;
}

/* ---- POST /api/v1/chains/{chainId}/events ---------------------------------------------------------------------- */

static const field event_fields[] = {
    {"event_type", true, false, 64, NULL, false},  {"actor_id", false, false, 512, NULL, false},
    {"actor_type", false, false, 64, NULL, false}, {"sentiment", false, false, 16, sentiments, false},
    {"payload", false, true, 0, NULL, false},
};

static int append_apply(gw *g, prova_store *w, gw_job *job) {
    gw_req *req = job->ctx;
    oe_job *j = req->state;
    prova_buf rec = PROVA_BUF_INIT, last = PROVA_BUF_INIT, newrec = PROVA_BUF_INIT;
    prova_doc *rd = NULL, *ld = NULL;
    int64_t seq = 0;
    prova_hash_alg alg = PROVA_HASH_SHA256;
    int rc = load_record(g, w, j, j->id, &rec, &rd);
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
            rc = parse_stored(g, &last, &ld);
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
        prova_parse_options po = store_po(g);
        if (rc == 0) rc = prova_canon_bytes(built.data, built.len, PROVA_PROFILE_JCS, &po, &j->out, NULL);
        prova_buf_free(&built);
    }
    if (rc == 0) rc = prova_store_oe_event_append(w, j->id, seq + 1, j->out.data, j->out.len);
    if (rc == 0) {
        member set[] = {{"event_count", count, strlen(count)}, {"updated_at", q_now, strlen(q_now)}};
        rc = rewrite(g, root, "events", set, 2, &newrec);
    }
    if (rc == 0) rc = prova_store_oe_chain_put(w, j->id, newrec.data, newrec.len);
    prova_doc_free(rd);
    prova_doc_free(ld);
    prova_buf_free(&rec);
    prova_buf_free(&last);
    prova_buf_free(&newrec);
    return rc;
}

int gw_h_oe_event_append(gw_req *req) {
    oe_job *j = job_new(req);
    if (!j) return PROVA_ENOMEM;
    if (path_id(req, j->id, "chain")) return 0;
    int rc = check_body(req, j, event_fields, sizeof event_fields / sizeof event_fields[0]);
    if (rc) return rc < 0 ? rc : 0;
    return submit(req, j, append_apply, 201, &req->g->events);
}

/* ---- POST /api/v1/chains/{chainId}/resolve ------------------------------------------------------------------- */

static int resolve_apply(gw *g, prova_store *w, gw_job *job) {
    gw_req *req = job->ctx;
    oe_job *j = req->state;
    prova_buf rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT, stored = PROVA_BUF_INIT;
    prova_doc *rd = NULL, *cd = NULL;
    size_t n = 0;
    int rc = load_record(g, w, j, j->id, &rec, &rd);
    if (rc == 0 && !prova_json_str_eq(prova_json_get(prova_doc_root(rd), "status"), "open"))
        rc = jfail(j, PROVA_ECONFLICT, 409, "chain_not_open", "chain %s is %s: only an open chain can be resolved",
                   j->id, status_name(prova_doc_root(rd)));
    if (rc == 0) rc = prova_store_oe_events(w, j->id, &events, &n);
    if (rc == 0 && n == 0)
        rc =
            jfail(j, PROVA_ECONFLICT, 409, "chain_empty", "chain %s has no events: there is nothing to resolve", j->id);
    if (rc == 0 && (rc = assemble(g, &rec, &events, &cd)) < 0 && rc != PROVA_ENOMEM)
        rc = jfail(j, rc, 500, "store_corrupt", "the stored chain %s cannot be read", j->id);
    char now[PROVA_OE_TIME_LEN + 1];
    now_text(now);
    if (rc == 0) {
        prova_error e;
        rc = prova_oe_chain_resolve(prova_doc_root(cd), now, &j->out, &e);
        if (rc < 0) rc = lib_fail(j, rc, &e);
    }
    if (rc == 0) rc = strip_events(g, &j->out, &stored);
    if (rc == 0) rc = prova_store_oe_chain_put(w, j->id, stored.data, stored.len);
    prova_doc_free(rd);
    prova_doc_free(cd);
    prova_buf_free(&rec);
    prova_buf_free(&events);
    prova_buf_free(&stored);
    return rc;
}

int gw_h_oe_resolve(gw_req *req) {
    oe_job *j = job_new(req);
    if (!j) return PROVA_ENOMEM;
    if (path_id(req, j->id, "chain")) return 0;
    int rc = check_body(req, j, NULL, 0);
    if (rc) return rc < 0 ? rc : 0;
    return submit(req, j, resolve_apply, 200, NULL);
}

/* ---- POST /api/v1/chains/{chainId}/certificate --------------------------------------------------------------- */

static const field certify_fields[] = {
    {"artifact_type", true, false, 64, NULL, false},
    {"artifact_ref", true, false, 512, NULL, false},
    {"artifact_title", false, false, 500, NULL, false},
};

static int certify_apply(gw *g, prova_store *w, gw_job *job) {
    gw_req *req = job->ctx;
    oe_job *j = req->state;
    prova_buf rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT, certified = PROVA_BUF_INIT, stored = PROVA_BUF_INIT;
    prova_doc *rd = NULL, *cd = NULL;
    size_t n = 0;
    int rc = load_record(g, w, j, j->id, &rec, &rd);
    if (rc == 0 && !prova_json_str_eq(prova_json_get(prova_doc_root(rd), "status"), "resolved"))
        rc = jfail(j, PROVA_ECONFLICT, 409, "chain_not_resolved",
                   "chain %s is %s: only a resolved chain can be certified (POST .../resolve first)", j->id,
                   status_name(prova_doc_root(rd)));
    if (rc == 0) rc = prova_store_oe_events(w, j->id, &events, &n);
    if (rc == 0 && (rc = assemble(g, &rec, &events, &cd)) < 0 && rc != PROVA_ENOMEM)
        rc = jfail(j, rc, 500, "store_corrupt", "the stored chain %s cannot be read", j->id);
    char now[PROVA_OE_TIME_LEN + 1], cert_id[37];
    now_text(now);
    prova_uuid4(cert_id);
    if (rc == 0) {
        prova_oe_cert_params p = {0};
        p.artifact_type = fstr(j, 0);
        p.artifact_ref = fstr(j, 1);
        p.artifact_title = fstr(j, 2);
        p.issued_at = now;
        p.certificate_id = cert_id;
        prova_error e;
        rc = prova_oe_certify(g->key, prova_doc_root(cd), &p, &j->out, &certified, &e);
        if (rc < 0) rc = lib_fail(j, rc, &e);
    }
    if (rc == 0) rc = strip_events(g, &certified, &stored);
    if (rc == 0) rc = prova_store_oe_chain_put(w, j->id, stored.data, stored.len);
    if (rc == 0) rc = prova_store_oe_cert_put(w, cert_id, j->id, j->out.data, j->out.len);
    prova_doc_free(rd);
    prova_doc_free(cd);
    prova_buf_free(&rec);
    prova_buf_free(&events);
    prova_buf_free(&certified);
    prova_buf_free(&stored);
    return rc;
}

int gw_h_oe_certify(gw_req *req) {
    oe_job *j = job_new(req);
    if (!j) return PROVA_ENOMEM;
    if (path_id(req, j->id, "chain")) return 0;
    int rc = check_body(req, j, certify_fields, sizeof certify_fields / sizeof certify_fields[0]);
    if (rc) return rc < 0 ? rc : 0;
    return submit(req, j, certify_apply, 201, &req->g->certificates);
}

/* ---- Certificate status: revoke, supersede ------------------------------------------------------------------- */

static const field revoke_fields[] = {
    {"reason", true, false, 4096, NULL, false},
};

static const field supersede_fields[] = {
    {"superseded_by", true, false, OE_ID_MAX, NULL, true},
    {"reason", false, false, 4096, NULL, false},
};

/* The certificate's chain id: certificate.chain_id, else chain.id. */
static const char *bundle_chain_id(const prova_json *b) {
    const prova_json *c = prova_json_get(prova_json_get(b, "certificate"), "chain_id");
    if (!prova_json_is_string(c)) c = prova_json_get(prova_json_get(b, "chain"), "id");
    return prova_json_is_string(c) && id_ok(c->u.str, c->len) ? c->u.str : NULL;
}

static int status_apply(gw *g, prova_store *w, gw_job *job, prova_oe_cert_status to) {
    gw_req *req = job->ctx;
    oe_job *j = req->state;
    prova_buf b = PROVA_BUF_INIT, rec = PROVA_BUF_INIT, newrec = PROVA_BUF_INIT;
    prova_doc *bd = NULL, *rd = NULL;
    int rc = prova_store_oe_cert_get(w, j->id, &b);
    if (rc == PROVA_ENOTFOUND) rc = jfail(j, rc, 404, "certificate_not_found", "Certificate not found: %s", j->id);
    if (rc == 0 && (rc = parse_stored(g, &b, &bd)) < 0 && rc != PROVA_ENOMEM)
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
        rc = prova_oe_set_status(g->key, bundle, &p, &j->out, &e);
        if (rc < 0) rc = lib_fail(j, rc, &e);
    }
    if (rc == 0) rc = prova_store_oe_cert_put(w, j->id, chain_id, j->out.data, j->out.len);
    /* A revocation revokes the chain too (its status enum has "revoked"; the bundle's copy follows in the library);
     * a superseded certificate leaves its chain certified. */
    if (rc == 0 && to == PROVA_OE_REVOKED) {
        rc = prova_store_oe_chain_get(w, chain_id, &rec);
        if (rc == PROVA_ENOTFOUND) {
            rc = 0;
        } else if (rc == 0 && (rc = parse_stored(g, &rec, &rd)) == 0) {
            member set[] = {{"status", "\"revoked\"", 9}, {"updated_at", q_now, strlen(q_now)}};
            rc = rewrite(g, prova_doc_root(rd), "events", set, 2, &newrec);
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

static int revoke_apply(gw *g, prova_store *w, gw_job *job) {
    return status_apply(g, w, job, PROVA_OE_REVOKED);
}
static int supersede_apply(gw *g, prova_store *w, gw_job *job) {
    return status_apply(g, w, job, PROVA_OE_SUPERSEDED);
}

int gw_h_oe_revoke(gw_req *req) {
    oe_job *j = job_new(req);
    if (!j) return PROVA_ENOMEM;
    if (path_id(req, j->id, "certificate")) return 0;
    int rc = check_body(req, j, revoke_fields, sizeof revoke_fields / sizeof revoke_fields[0]);
    if (rc) return rc < 0 ? rc : 0;
    return submit(req, j, revoke_apply, 200, NULL);
}

int gw_h_oe_supersede(gw_req *req) {
    oe_job *j = job_new(req);
    if (!j) return PROVA_ENOMEM;
    if (path_id(req, j->id, "certificate")) return 0;
    int rc = check_body(req, j, supersede_fields, sizeof supersede_fields / sizeof supersede_fields[0]);
    if (rc) return rc < 0 ? rc : 0;
    if (strcmp(fstr(j, 0), j->id) == 0)
        return gw_error(req, 422, "invalid_value", "a certificate cannot supersede itself");
    return submit(req, j, supersede_apply, 200, NULL);
}

/* ---- GET /api/v1/provenance/verify/{certificateId} -------------------------------------------------------------- */

/* The state of the checks named `name` in r: -1 none, 0 one failed, 1 all passed. */
static int check_state(const prova_report *r, const char *name) {
    int st = -1;
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (strcmp(c->check, name) != 0) continue;
        if (!c->ok) return 0;
        st = 1;
    }
    return st;
}

/* A failed per-event check ("events[3].prev_hash", "events" too_many_failures). */
static bool events_failed(const prova_report *r) {
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (!c->ok && strncmp(c->check, "events", 6) == 0) return true;
    }
    return false;
}

/* The chain hash checks: the certificate's against the stored and the recomputed hashes, and the chain record's
 * (seed 002 §4 steps 5-6). */
static bool hash_checks_ok(const prova_report *r) {
    return check_state(r, "chain_hash") == 1 && check_state(r, "chain_hash.recomputed") != 0 &&
           check_state(r, "chain.chain_hash") != 0;
}

typedef struct list {
    prova_buf b; /* JSON string literals joined by ',' */
    size_t n;
} list;

static int list_add(list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int list_add(list *l, const char *fmt, ...) {
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int rc = l->n ? gw_put_raw(&l->b, ",") : 0;
    if (rc == 0) rc = gw_put_str(&l->b, msg);
    if (rc == 0) l->n++;
    return rc;
}

/* The bundle's events against the store's: one error string per difference (up to OE_DIFF_MAX). */
static int diff_events(const prova_json *bundle_events, const prova_json *store_events, list *errs, bool *ret_same) {
    size_t nb = prova_json_is_array(bundle_events) ? bundle_events->len : 0;
    size_t ns = prova_json_is_array(store_events) ? store_events->len : 0;
    size_t diffs = 0;
    int rc = 0;
    prova_buf x = PROVA_BUF_INIT, y = PROVA_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < (nb > ns ? nb : ns); i++) {
        const char *what = NULL;
        if (i >= ns)
            what = "missing from the store";
        else if (i >= nb)
            what = "in the store but not in the certificate";
        else {
            x.len = y.len = 0;
            rc = prova_canon_write(&bundle_events->u.items[i], PROVA_PROFILE_JCS, &x, NULL);
            if (rc == 0) rc = prova_canon_write(&store_events->u.items[i], PROVA_PROFILE_JCS, &y, NULL);
            if (rc == 0 && (x.len != y.len || memcmp(x.data, y.data, x.len) != 0))
                what = "the stored event differs from the certified one";
        }
        if (rc < 0 || !what) continue;
        if (diffs++ < OE_DIFF_MAX) rc = list_add(errs, "Event seq=%zu: %s", i + 1, what);
    }
    if (rc == 0 && diffs > OE_DIFF_MAX)
        rc = list_add(errs, "%zu more events differ between the store and the certificate", diffs - OE_DIFF_MAX);
    prova_buf_free(&x);
    prova_buf_free(&y);
    *ret_same = diffs == 0;
    return rc;
}

/* Appends the string errors of sdk_result.chain_integrity to l; *ret_valid its is_valid. */
static int sdk_integrity(const prova_report *r, list *l, bool *ret_valid) {
    *ret_valid = false;
    const char *s = prova_report_sdk_result(r);
    if (!s) return 0;
    prova_doc *d = NULL;
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    po.max_members = SIZE_MAX >> 1;
    int rc = prova_json_parse(s, strlen(s), &po, &d, NULL);
    if (rc < 0) return rc;
    const prova_json *ci = prova_json_get(prova_doc_root(d), "chain_integrity");
    *ret_valid = prova_json_typeof(prova_json_get(ci, "is_valid")) == PROVA_JSON_TRUE;
    const prova_json *errs = prova_json_get(ci, "errors");
    for (size_t i = 0; rc == 0 && i < prova_json_len(errs) && prova_json_is_array(errs); i++) {
        const prova_json *e = &errs->u.items[i];
        if (!prova_json_is_string(e)) continue;
        rc = l->n ? gw_put_raw(&l->b, ",") : 0;
        if (rc == 0) rc = prova_canon_write(e, PROVA_PROFILE_JCS, &l->b, NULL);
        if (rc == 0) l->n++;
    }
    prova_doc_free(d);
    return rc;
}

/* "key":value (the JSON value, or null) after a comma unless first. */
static int put_member(prova_buf *b, const char *key, const prova_json *v, bool first) {
    int rc = first ? 0 : gw_put_raw(b, ",");
    if (rc == 0) rc = gw_put_str(b, key);
    if (rc == 0) rc = gw_put_raw(b, ":");
    if (rc == 0) rc = v ? prova_canon_write(v, PROVA_PROFILE_JCS, b, NULL) : gw_put_raw(b, "null");
    return rc;
}

static int put_member_str(prova_buf *b, const char *key, const char *s, bool first) {
    int rc = first ? 0 : gw_put_raw(b, ",");
    if (rc == 0) rc = gw_put_str(b, key);
    if (rc == 0) rc = gw_put_raw(b, ":");
    if (rc == 0) rc = gw_put_str(b, s);
    return rc;
}

/* Verifies a document against the gateway's keys (active and legacy: a certificate verifies with the key that
 * issued it, and only with one of the gateway's). */
static int verify_doc(gw *g, const prova_json *doc, prova_report **ret) {
    prova_keyset *ks = prova_keyset_new();
    prova_report *r = prova_report_new("oe_bundle");
    int rc = ks && r ? 0 : PROVA_ENOMEM;
    if (rc == 0 && (rc = prova_keyset_add_jwks(ks, g->jwks.data, g->jwks.len, "gateway", NULL)) > 0) rc = 0;
    prova_verify_options o = {0};
    o.keys = ks;
    o.now_us = gw_now_us();
    if (rc == 0) rc = prova_oe_verify_doc(doc, &o, r);
    prova_keyset_free(ks);
    if (rc < 0) {
        prova_report_free(r);
        return rc;
    }
    *ret = r;
    return 0;
}

typedef struct verify_state {
    prova_buf bundle, record, events, d2;
    prova_doc *bd, *rd, *ed, *dd;
    prova_report *r1, *r2;
    list errs;
} verify_state;

static void verify_state_free(verify_state *v) {
    prova_buf_free(&v->bundle);
    prova_buf_free(&v->record);
    prova_buf_free(&v->events);
    prova_buf_free(&v->d2);
    prova_doc_free(v->bd);
    prova_doc_free(v->rd);
    prova_doc_free(v->ed);
    prova_doc_free(v->dd);
    prova_report_free(v->r1);
    prova_report_free(v->r2);
    prova_buf_free(&v->errs.b);
}

/* Reads the certificate, its chain record and the chain's events from one snapshot. 0, PROVA_ENOTFOUND (no such
 * certificate) or a store error (answered). */
static int verify_read(gw_req *req, const char *id, verify_state *v) {
    gw *g = req->g;
    prova_store *s = gw_reader_get(g);
    if (!s) return gw_error_store(req, PROVA_EIO, NULL), PROVA_EIO;
    size_t n = 0;
    int rc = prova_store_read_begin(s);
    if (rc == 0) rc = prova_store_oe_cert_get(s, id, &v->bundle);
    if (rc == 0 && (rc = parse_stored(g, &v->bundle, &v->bd)) < 0 && rc != PROVA_ENOMEM) rc = PROVA_EVERIFY;
    const char *chain_id = rc == 0 ? bundle_chain_id(prova_doc_root(v->bd)) : NULL;
    if (rc == 0 && chain_id) {
        rc = prova_store_oe_chain_get(s, chain_id, &v->record);
        if (rc == PROVA_ENOTFOUND) rc = 0, v->record.len = 0;
        if (rc == 0) rc = prova_store_oe_events(s, chain_id, &v->events, &n);
    } else if (rc == 0) {
        rc = gw_put_raw(&v->events, "[]");
    }
    prova_store_rollback(s);
    if (rc < 0 && rc != PROVA_ENOTFOUND && rc != PROVA_EVERIFY) gw_error_store(req, rc, s);
    gw_reader_put(g, s);
    return rc;
}

int gw_h_oe_verify(gw_req *req) {
    gw *g = req->g;
    char id[OE_ID_MAX + 1];
    if (path_id(req, id, "certificate")) return 0;
    verify_state v;
    memset(&v, 0, sizeof v);
    int rc = verify_read(req, id, &v);
    if (rc == PROVA_ENOTFOUND) {
        verify_state_free(&v);
        return gw_error(req, 404, "certificate_not_found", "Certificate not found: %s", id);
    }
    if (rc == PROVA_EVERIFY) {
        verify_state_free(&v);
        atomic_fetch_add(&g->verify_error, 1);
        return gw_error(req, 500, "internal", "Verification failed: internal error");
    }
    if (rc < 0) {
        verify_state_free(&v);
        return rc == PROVA_ENOMEM ? rc : 0;
    }
    const prova_json *b = prova_doc_root(v.bd);
    const prova_json *cert = prova_json_get(b, "certificate"), *bchain = prova_json_get(b, "chain");
    if (v.record.len) {
        if (parse_stored(g, &v.record, &v.rd) < 0 || !prova_json_is_object(prova_doc_root(v.rd))) {
            prova_doc_free(v.rd);
            v.rd = NULL;
        }
    }
    const prova_json *rec = v.rd ? prova_doc_root(v.rd) : NULL;
    rc = parse_stored(g, &v.events, &v.ed);

    /* 1. The stored bundle, as a verifier offline would check it: signature, status, its own chain. */
    if (rc == 0) rc = verify_doc(g, b, &v.r1);
    bool signature_valid = rc == 0 && check_state(v.r1, "certificate_signature") == 1;

    /* 2. The chain as the store has it now: its events must be the certified ones. When they are not, the live
     * events are checked in the bundle's place (the SDK's error strings for them), and the differences listed. */
    bool same = false;
    const prova_json *live = rc == 0 ? prova_doc_root(v.ed) : NULL;
    if (rc == 0) rc = diff_events(prova_json_get(bchain, "events"), live, &v.errs, &same);
    if (rc == 0 && !same) {
        prova_buf c2 = PROVA_BUF_INIT;
        member ev = {"events", (const char *)v.events.data, v.events.len};
        rc = rewrite(g, prova_json_is_object(bchain) ? bchain : b, NULL, &ev, 1, &c2);
        member ch = {"chain", (const char *)c2.data, c2.len};
        if (rc == 0) rc = rewrite(g, b, NULL, &ch, 1, &v.d2);
        prova_buf_free(&c2);
        if (rc == 0) rc = parse_stored(g, &v.d2, &v.dd);
        if (rc == 0) rc = verify_doc(g, prova_doc_root(v.dd), &v.r2);
    }
    const prova_report *live_r = same ? v.r1 : v.r2;
    list integrity = {PROVA_BUF_INIT, 0};
    bool sdk_ok = false;
    if (rc == 0) rc = sdk_integrity(live_r, &integrity, &sdk_ok);
    if (rc == 0 && v.errs.n) {
        rc = integrity.n ? gw_put_raw(&integrity.b, ",") : 0;
        if (rc == 0) rc = prova_buf_append(&integrity.b, v.errs.b.data, v.errs.b.len);
        integrity.n += v.errs.n;
    }
    if (rc < 0) {
        prova_buf_free(&integrity.b);
        verify_state_free(&v);
        atomic_fetch_add(&g->verify_error, 1);
        if (rc == PROVA_ENOMEM) return rc;
        return gw_error(req, 500, "internal", "Verification failed: internal error");
    }
    bool integrity_valid = same && sdk_ok && !events_failed(live_r);
    /* Step 6: the chain hash must also be the chain record's in the store. */
    const prova_json *cert_hash = prova_json_get(cert, "chain_hash");
    bool record_ok = rec && prova_json_is_string(cert_hash) &&
                     prova_json_str_eq(prova_json_get(rec, "chain_hash"), cert_hash->u.str);
    bool chain_hash_valid = same && record_ok && hash_checks_ok(v.r1);
    const prova_json *st = prova_json_get(prova_json_get(b, "status"), "status");
    const char *status = str_or(st, "unknown");
    bool valid = prova_report_valid(v.r1) && signature_valid && chain_hash_valid && integrity_valid &&
                 strcmp(status, "active") == 0;
    gw_count_verdict(g, valid);

    /* The response: seed 002 §7, members in its order. */
    const prova_json *chain_src = rec ? rec : bchain;
    const prova_json *sa = prova_json_get(bchain, "signature_algorithm"),
                     *ha = prova_json_get(bchain, "hash_algorithm");
    const prova_json *cid = prova_json_get(cert, "chain_id");
    prova_buf out = PROVA_BUF_INIT;
    char head[120];
    snprintf(head, sizeof head,
             "{\"data\":{\"valid\":%s,\"signature_valid\":%s,\"chain_hash_valid\":%s,\"certificate\":{",
             valid ? "true" : "false", signature_valid ? "true" : "false", chain_hash_valid ? "true" : "false");
    rc = gw_put_raw(&out, head);
    if (rc == 0) rc = put_member_str(&out, "id", id, true);
    if (rc == 0) rc = put_member(&out, "chain_id", cid, false);
    if (rc == 0) rc = put_member(&out, "artifact_type", prova_json_get(cert, "artifact_type"), false);
    if (rc == 0) rc = put_member(&out, "artifact_ref", prova_json_get(cert, "artifact_ref"), false);
    if (rc == 0) rc = put_member_str(&out, "status", status, false);
    if (rc == 0) rc = put_member_str(&out, "signature_algorithm", str_or(sa, "ed25519"), false);
    if (rc == 0) rc = put_member_str(&out, "hash_algorithm", str_or(ha, "sha256"), false);
    if (rc == 0) rc = gw_put_raw(&out, "},\"chain\":{");
    if (rc == 0) rc = put_member(&out, "id", prova_json_get(chain_src, "id"), true);
    if (rc == 0) rc = put_member(&out, "chain_type", prova_json_get(chain_src, "chain_type"), false);
    if (rc == 0) rc = put_member(&out, "status", prova_json_get(chain_src, "status"), false);
    if (rc == 0) rc = gw_put_raw(&out, "},\"integrity\":{");
    if (rc == 0) rc = put_member(&out, "chain_id", cid, true);
    if (rc == 0) {
        char tail[96];
        snprintf(tail, sizeof tail, ",\"event_count\":%zu,\"is_valid\":%s,\"errors\":[", prova_json_len(live),
                 integrity_valid ? "true" : "false");
        rc = gw_put_raw(&out, tail);
    }
    if (rc == 0) rc = prova_buf_append(&out, integrity.b.data, integrity.b.len);
    if (rc == 0) rc = gw_put_raw(&out, "]}}}");
    /* Why, when invalid: the first failed check's code (the body's members are the seed's, exactly). */
    const prova_check *f = valid ? NULL : prova_report_first_failure(v.r1);
    if (!f && !valid && v.r2) f = prova_report_first_failure(v.r2);
    if (rc == 0 && !valid)
        gw_header(req, "X-Prova-Verify-Reason",
                  f       ? f->code
                  : !same ? "store_events_differ"
                          : "chain_record_hash_mismatch");
    prova_buf_free(&integrity.b);
    verify_state_free(&v);
    if (rc < 0) {
        prova_buf_free(&out);
        return rc;
    }
    return gw_json_buf(req, 200, &out);
}

/* ---- GET /api/v1/provenance/public-key ------------------------------------------------------------------------ */

int gw_h_oe_public_key(gw_req *req) {
    gw *g = req->g;
    prova_buf der = PROVA_BUF_INIT, pem = PROVA_BUF_INIT, b = PROVA_BUF_INIT;
    char fp[65];
    char *hex = NULL;
    int rc = prova_key_to_spki_der(g->key, &der);
    if (rc == 0) rc = prova_key_to_pem(g->key, false, &pem);
    if (rc == 0) rc = prova_buf_append(&pem, "", 1); /* NUL-terminated for gw_put_str */
    if (rc == 0 && !(hex = malloc(2 * der.len + 1))) rc = PROVA_ENOMEM;
    if (rc == 0) prova_hex_encode(der.data, der.len, hex, 2 * der.len + 1);
    if (rc == 0) rc = gw_sha256_hex(der.data, der.len, fp);
    if (rc == 0) rc = gw_put_raw(&b, "{\"algorithm\":");
    if (rc == 0) rc = gw_put_str(&b, prova_sig_name(prova_key_alg(g->key)));
    if (rc == 0) rc = put_member_str(&b, "public_key", hex, false);
    if (rc == 0) rc = put_member_str(&b, "format", "DER (SPKI)", false);
    if (rc == 0) rc = put_member_str(&b, "public_key_pem", (const char *)pem.data, false);
    if (rc == 0) rc = put_member_str(&b, "fingerprint", fp, false);
    if (rc == 0) rc = gw_put_raw(&b, "}");
    free(hex);
    prova_buf_free(&der);
    prova_buf_free(&pem);
    if (rc < 0) {
        prova_buf_free(&b);
        return rc;
    }
    rc = gw_json_buf(req, 200, &b);
    if (rc == 0) rc = gw_header(req, "Access-Control-Allow-Origin", "*");
    return rc;
}

/* ---- GET /api/v1/provenance/bundle/{certificateId} ------------------------------------------------------------ */

int gw_h_oe_bundle(gw_req *req) {
    gw *g = req->g;
    char id[OE_ID_MAX + 1];
    if (path_id(req, id, "certificate")) return 0;
    prova_store *s = gw_reader_get(g);
    if (!s) return gw_error_store(req, PROVA_EIO, NULL);
    prova_buf b = PROVA_BUF_INIT;
    int rc = prova_store_oe_cert_get(s, id, &b);
    if (rc == PROVA_ENOTFOUND)
        rc = gw_error(req, 404, "certificate_not_found", "Certificate not found: %s", id);
    else if (rc < 0)
        rc = gw_error_store(req, rc, s);
    else
        rc = gw_json_buf(req, 200, &b);
    gw_reader_put(g, s);
    prova_buf_free(&b);
    return rc;
}
