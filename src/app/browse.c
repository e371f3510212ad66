/* The listings of what the gateway holds (docs/browse.md): traces, chains, certificates, proof records, the log's
 * entries and checkpoints, one page at a time by keyset (prova_store_*_list), and the proof records' store (POST
 * /v1/proofs). Reads go through the reader connections, each page from one snapshot; the cursor is the position of
 * the page's last item, base64url("<listing letter>.<time in µs>.<id>"), checked strictly when it comes back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "jsonw.h"
#include "prova/encoding.h"
#include "prova/logentry.h"
#include "prova/proof.h"
#include "prova/time.h"

#define FILTER_MAX 256 /* bytes of a kid or payload_type filter */

typedef enum listing { L_TRACES, L_CHAINS, L_CERTS, L_PROOFS, L_LOG, L_CHECKPOINTS } listing;

static const char letters[] = "tcxplk"; /* a cursor's first byte, per listing */

/* The page's request, checked. */
typedef struct page_req {
    listing what;
    size_t limit;
    bool have_cursor;
    int64_t pos_us; /* the cursor's position (for L_LOG: the first index; L_CHECKPOINTS: the id to continue before) */
    char pos_id[APP_ID_MAX + 1];
    int64_t since_us, until_us;
} page_req;

static int bad_cursor(app_call *c) {
    app_fail(c, APP_E_INPUT, "invalid_cursor",
             "cursor is not a cursor of this listing (pass next_cursor as it was given)");
    return APP_REFUSED;
}

/* A decimal integer without sign or leading zeros, at most 18 digits. */
static bool decimal(const char *s, size_t n, int64_t *ret) {
    if (n == 0 || n > 18 || (s[0] == '0' && n > 1)) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *ret = v;
    return true;
}

static int take_time(app_call *c, const char *name, const char *v, int64_t *ret) {
    if (!v) return 0;
    size_t n = strlen(v);
    if (!prova_time_valid(v, n) || prova_time_parse(v, n, ret) < 0)
        return app_fail(c, APP_E_INPUT, "invalid_time",
                        "%s must be an RFC 3339 time, e.g. 2026-12-07T10:00:00Z (a '+' offset URL-encoded as %%2B)",
                        name),
               APP_REFUSED;
    return 0;
}

static void cursor_encode(listing what, int64_t us, const char *id, char *out, size_t cap) {
    char raw[APP_ID_MAX + 48];
    int n = snprintf(raw, sizeof raw, "%c.%lld.%s", letters[what], (long long)us, id ? id : "");
    prova_base64url_encode(raw, (size_t)n, out, cap);
}

/* The cursor of listing what: its letter, a time (or index), an id that follows the id rule (proofs: 64 hex; the log
 * and checkpoints: none). Anything else, a cursor of another listing included, is invalid_cursor. */
static int cursor_decode(app_call *c, const char *cur, page_req *p) {
    char raw[APP_ID_MAX + 64];
    size_t n = 0, cl = strlen(cur);
    prova_error e;
    if (cl == 0 || cl > 2 * sizeof raw || prova_base64url_decode(cur, cl, raw, sizeof raw - 1, &n, &e) < 0 || n < 4 ||
        raw[0] != letters[p->what] || raw[1] != '.')
        return bad_cursor(c);
    raw[n] = 0;
    char *dot = memchr(raw + 2, '.', n - 2);
    const char *id = dot ? dot + 1 : "";
    size_t idn = dot ? (size_t)(raw + n - id) : 0;
    bool ok = dot && decimal(raw + 2, (size_t)(dot - raw - 2), &p->pos_us) && !memchr(id, 0, idn);
    if (ok && (p->what == L_LOG || p->what == L_CHECKPOINTS))
        ok = idn == 0;
    else if (ok && p->what == L_PROOFS)
        ok = idn == PROVA_PROOF_HEX_LEN && strspn(id, "0123456789abcdef") == idn;
    else if (ok)
        ok = app_id_problem(id, idn) == NULL;
    if (!ok) return bad_cursor(c);
    memcpy(p->pos_id, id, idn + 1);
    p->have_cursor = true;
    return 0;
}

static int take_page(app_call *c, listing what, const app_browse_query *q, page_req *p) {
    memset(p, 0, sizeof *p);
    p->what = what;
    p->limit = APP_BROWSE_LIMIT_DEFAULT;
    p->since_us = INT64_MIN;
    p->until_us = INT64_MAX;
    if (q->limit) {
        int64_t v = 0;
        if (!decimal(q->limit, strlen(q->limit), &v) || v < 1 || v > APP_BROWSE_LIMIT_MAX)
            return app_fail(c, APP_E_INPUT, "invalid_limit", "limit must be an integer from 1 to %d",
                            APP_BROWSE_LIMIT_MAX),
                   APP_REFUSED;
        p->limit = (size_t)v;
    }
    if (take_time(c, "since", q->since, &p->since_us) || take_time(c, "until", q->until, &p->until_us))
        return APP_REFUSED;
    if (p->since_us > p->until_us) p->since_us = p->until_us; /* an empty window */
    if (q->cursor && cursor_decode(c, q->cursor, p)) return APP_REFUSED;
    return 0;
}

static int take_filter(app_call *c, const char *name, const char *v) {
    if (v && (!*v || strlen(v) > FILTER_MAX))
        return app_fail(c, APP_E_INPUT, "invalid_filter", "%s must be 1-%d bytes", name, FILTER_MAX), APP_REFUSED;
    return 0;
}

static int take_status(app_call *c, const char *v, const char *const *allowed) {
    if (!v) return 0;
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0) return 0;
    char list[96] = "";
    for (size_t i = 0; allowed[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
    return app_fail(c, APP_E_INPUT, "invalid_status", "status must be one of %s", list), APP_REFUSED;
}

/* ---- Writing a page ------------------------------------------------------------------------------------------- */

static void put_time(prova_jw *w, const char *name, const prova_json *us) {
    int64_t v;
    char ts[PROVA_TIME_MAX];
    prova_jw_key(w, name);
    if (prova_json_get_int64(us, &v) == 0 && v > 0 && prova_time_format(v, ts))
        prova_jw_str(w, ts);
    else
        prova_jw_null(w);
}

/* A member copied as it is (a string, a number, null, an array of strings), absent: null. */
static void put_copy(prova_jw *w, const char *name, const prova_json *v) {
    prova_jw_key(w, name);
    if (prova_json_is_string(v)) {
        prova_jw_strn(w, prova_json_str(v), prova_json_len(v));
    } else if (prova_json_is_array(v)) {
        prova_jw_arr(w);
        for (size_t i = 0; i < prova_json_len(v); i++) {
            const prova_json *s = prova_json_at(v, i);
            if (prova_json_is_string(s)) prova_jw_strn(w, prova_json_str(s), prova_json_len(s));
        }
        prova_jw_end(w);
    } else if (v && v->type == PROVA_JSON_NUMBER) {
        prova_jw_raw(w, v->u.str, v->len);
    } else {
        prova_jw_null(w);
    }
}

/* One item of the store's page in the API's shape. */
static void put_item(prova_jw *w, listing what, const prova_json *it) {
#define G(k) prova_json_get(it, k)
    prova_jw_obj(w);
    switch (what) {
    case L_TRACES:
        put_copy(w, "trace_id", G("trace_id"));
        put_copy(w, "hops", G("hops"));
        put_time(w, "first_at", G("first_us"));
        put_time(w, "last_at", G("last_us"));
        put_copy(w, "last_receipt_hash", G("last_receipt_hash"));
        put_copy(w, "kids", G("kids"));
        put_copy(w, "payload_types", G("payload_types"));
        break;
    case L_CHAINS:
        put_copy(w, "chain_id", G("chain_id"));
        put_copy(w, "chain_type", G("chain_type"));
        put_copy(w, "status", G("status"));
        put_copy(w, "events", G("events"));
        put_time(w, "created_at", G("created_us"));
        put_time(w, "updated_at", G("updated_us"));
        put_copy(w, "certificate_id", G("certificate_id"));
        break;
    case L_CERTS:
        put_copy(w, "certificate_id", G("certificate_id"));
        put_copy(w, "chain_id", G("chain_id"));
        put_copy(w, "status", G("status"));
        put_time(w, "issued_at", G("issued_us"));
        put_copy(w, "superseded_by", G("superseded_by"));
        put_copy(w, "log_index", G("log_index"));
        break;
    case L_PROOFS:
        put_copy(w, "proof_id", G("proof_id"));
        put_time(w, "stored_at", G("stored_us"));
        put_copy(w, "log_index", G("log_index"));
        break;
    case L_LOG:
        put_copy(w, "index", G("index"));
        put_time(w, "sequenced_at", G("sequenced_us"));
        break; /* the entry: by the caller */
    case L_CHECKPOINTS:
        put_copy(w, "size", G("size"));
        put_time(w, "time", G("time_us"));
        put_copy(w, "note", G("note"));
        break;
    }
#undef G
}

/* The keyset position of an item: its time (or index, or checkpoint id) and id. */
static void item_pos(listing what, const prova_json *it, int64_t *us, const char **id) {
    static const char *const t[] = {"last_us", "updated_us", "issued_us", "stored_us", "index", "id"};
    static const char *const k[] = {"trace_id", "chain_id", "certificate_id", "proof_id", NULL, NULL};
    *us = 0;
    *id = "";
    if (prova_json_get_int64(prova_json_get(it, t[what]), us) < 0) *us = 0;
    if (k[what]) *id = prova_json_str(prova_json_get(it, k[what]));
    if (!*id) *id = "";
}

/* Reads one page (limit + 1 items, to know whether there is a next one) and writes the answer. */
static int page(app_call *c, const page_req *p, const char *f1, const char *f2) {
    if (app_need_store(c)) return APP_DONE;
    prova_store *s = app_reader_get(c->a);
    if (!s) return app_fail_store(c, PROVA_EIO, NULL);
    prova_buf raw = PROVA_BUF_INIT;
    size_t n = 0, want = p->limit + 1;
    int64_t before = p->have_cursor ? p->pos_us : p->until_us, size = -1;
    const char *before_id = p->have_cursor ? p->pos_id : "";
    if (!p->have_cursor && p->what == L_LOG) before = 0;
    if (!p->have_cursor && p->what == L_CHECKPOINTS) before = INT64_MAX;
    /* (t, id) < (cursor) and t < until: the cursor's position when it is before until, else until's */
    if (p->have_cursor && p->what <= L_PROOFS && p->pos_us >= p->until_us) {
        before = p->until_us;
        before_id = "";
    }
    int rc = prova_store_read_begin(s);
    if (rc == 0) {
        switch (p->what) {
        case L_TRACES:
            rc = prova_store_ope_trace_list(s, before, before_id, p->since_us, p->until_us, f1, f2, want, &raw, &n);
            break;
        case L_CHAINS:
            rc = prova_store_oe_chain_list(s, before, before_id, p->since_us, p->until_us, f1, want, &raw, &n);
            break;
        case L_CERTS:
            rc = prova_store_oe_cert_list(s, before, before_id, p->since_us, p->until_us, f1, f2, want, &raw, &n);
            break;
        case L_PROOFS:
            rc = prova_store_proof_list(s, before, before_id, p->since_us, p->until_us, want, &raw, &n);
            break;
        case L_LOG:
            rc = prova_store_log_entry_list(s, before, p->since_us, p->until_us, want, &raw, &n);
            if (rc == 0) rc = prova_store_log_size(s, &size);
            break;
        case L_CHECKPOINTS:
            rc = prova_store_log_checkpoint_list(s, before, p->since_us, p->until_us, want, &raw, &n);
            if (rc == 0) rc = prova_store_log_size(s, &size);
            break;
        }
        prova_store_rollback(s);
    }
    if (rc < 0) {
        prova_buf_free(&raw);
        app_fail_store(c, rc, s);
        app_reader_put(c->a, s);
        return APP_DONE;
    }
    app_reader_put(c->a, s);
    prova_doc *d = NULL;
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    rc = prova_json_parse(raw.data, raw.len, &po, &d, NULL);
    prova_buf_free(&raw);
    if (rc < 0) return app_fail_status(c, rc == PROVA_ENOMEM ? rc : PROVA_EIO);
    const prova_json *items = prova_doc_root(d);
    size_t shown = prova_json_len(items) > p->limit ? p->limit : prova_json_len(items);
    prova_buf out = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &out);
    prova_jw_obj(&w);
    if (p->what == L_LOG) prova_jw_ki64(&w, "size", size);
    prova_jw_key(&w, "items");
    prova_jw_arr(&w);
    for (size_t i = 0; rc == 0 && i < shown; i++) {
        const prova_json *it = prova_json_at(items, i);
        put_item(&w, p->what, it);
        if (p->what == L_LOG) {
            /* the entry's JSON (JCS bytes as the log holds them), checked before it is embedded */
            const prova_json *e = prova_json_get(it, "entry");
            prova_doc *ed = NULL;
            prova_jw_key(&w, "entry");
            if (prova_json_is_string(e) && prova_json_parse(prova_json_str(e), prova_json_len(e), NULL, &ed, NULL) == 0)
                prova_jw_raw(&w, prova_json_str(e), prova_json_len(e));
            else
                prova_jw_null(&w);
            prova_doc_free(ed);
        }
        prova_jw_end(&w);
    }
    prova_jw_end(&w);
    prova_jw_key(&w, "next_cursor");
    if (prova_json_len(items) > p->limit && shown > 0) {
        int64_t us;
        const char *id;
        item_pos(p->what, prova_json_at(items, shown - 1), &us, &id);
        if (p->what == L_LOG) us++; /* the next page starts after the last index shown */
        char cur[2 * (APP_ID_MAX + 48)];
        cursor_encode(p->what, us, id, cur, sizeof cur);
        prova_jw_str(&w, cur);
    } else {
        prova_jw_null(&w);
    }
    prova_jw_end(&w);
    prova_doc_free(d);
    rc = prova_jw_finish(&w);
    if (rc < 0) {
        prova_buf_free(&out);
        return app_fail_status(c, rc);
    }
    return app_ok(c, 200, &out);
}

/* ---- The listings ---------------------------------------------------------------------------------------------- */

int app_browse_traces(app_call *c, const app_browse_query *q) {
    page_req p;
    if (take_page(c, L_TRACES, q, &p) || take_filter(c, "kid", q->kid) ||
        take_filter(c, "payload_type", q->payload_type))
        return APP_DONE;
    return page(c, &p, q->kid, q->payload_type);
}

int app_browse_chains(app_call *c, const app_browse_query *q) {
    static const char *const st[] = {"open", "resolved", "certified", "revoked", NULL};
    page_req p;
    if (take_page(c, L_CHAINS, q, &p) || take_status(c, q->status, st)) return APP_DONE;
    return page(c, &p, q->status, NULL);
}

int app_browse_certificates(app_call *c, const app_browse_query *q) {
    static const char *const st[] = {"active", "revoked", "superseded", NULL};
    page_req p;
    if (take_page(c, L_CERTS, q, &p) || take_status(c, q->status, st)) return APP_DONE;
    if (q->chain_id && app_check_id(c, APP_E_INPUT, "chain_id", q->chain_id, strlen(q->chain_id))) return APP_DONE;
    return page(c, &p, q->chain_id, q->status);
}

int app_browse_proofs(app_call *c, const app_browse_query *q) {
    page_req p;
    if (take_page(c, L_PROOFS, q, &p)) return APP_DONE;
    return page(c, &p, NULL, NULL);
}

int app_browse_log_entries(app_call *c, const app_browse_query *q) {
    page_req p;
    if (take_page(c, L_LOG, q, &p)) return APP_DONE;
    if (q->from && !p.have_cursor) {
        int64_t v;
        if (!decimal(q->from, strlen(q->from), &v))
            return app_fail(c, APP_E_INPUT, "invalid_from", "from must be a log index (a decimal integer)");
        p.have_cursor = true; /* the position to start at */
        p.pos_us = v;
    }
    return page(c, &p, NULL, NULL);
}

int app_browse_log_checkpoints(app_call *c, const app_browse_query *q) {
    page_req p;
    if (take_page(c, L_CHECKPOINTS, q, &p)) return APP_DONE;
    return page(c, &p, NULL, NULL);
}

/* ---- Proof records --------------------------------------------------------------------------------------------- */

typedef struct proof_job {
    prova_doc *doc;
    prova_buf body; /* the record's bytes as sent: what is stored */
    char id[PROVA_PROOF_HEX_LEN + 1];
    prova_buf stored; /* what the store holds under id (the same record sent before, or this one) */
    bool existed;
    int64_t log_index;
} proof_job;

static void proof_job_free(void *p) {
    proof_job *j = p;
    if (!j) return;
    prova_doc_free(j->doc);
    prova_buf_free(&j->body);
    prova_buf_free(&j->stored);
    free(j);
}

/* On the writer: the record stored once, its log entry appended in the same savepoint. */
static int proof_apply(app *a, prova_store *w, app_call *c) {
    (void)a;
    proof_job *j = c->state;
    j->stored.len = 0;
    j->log_index = -1;
    int rc = prova_store_proof_get(w, j->id, &j->stored, &j->log_index);
    if (rc == 0) {
        j->existed = true;
        return 0;
    }
    if (rc != PROVA_ENOTFOUND) return rc;
    prova_buf entry = PROVA_BUF_INIT;
    rc = prova_log_entry_of_proof_record(prova_doc_root(j->doc), &entry, NULL);
    if (rc == 0) rc = app_log_append(w, &entry, &j->log_index);
    prova_buf_free(&entry);
    if (rc == 0) rc = prova_store_proof_put(w, j->id, j->body.data, j->body.len, app_now_us(), j->log_index);
    if (rc == 0) rc = prova_buf_append(&j->stored, j->body.data, j->body.len);
    return rc;
}

static void proof_finish(app_call *c) {
    proof_job *j = c->state;
    if (c->job.status < 0) {
        app_fail_store(c, c->job.status, NULL);
        return;
    }
    prova_buf out = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &out);
    prova_jw_obj(&w);
    prova_jw_kraw(&w, "data", j->stored.data, j->stored.len);
    prova_jw_key(&w, "log_index");
    if (j->log_index >= 0)
        prova_jw_i64(&w, j->log_index);
    else
        prova_jw_null(&w);
    prova_jw_end(&w);
    int rc = prova_jw_finish(&w);
    if (rc < 0) {
        prova_buf_free(&out);
        app_fail_status(c, rc);
        return;
    }
    memcpy(c->res.id, j->id, sizeof j->id);
    app_ok(c, j->existed ? 200 : 201, &out);
    if (j->log_index >= 0) {
        c->res.logged = true;
        c->res.log_index = j->log_index;
    }
}

int app_proof_store(app_call *c, const void *body, size_t len, const char *hmac_key_b64) {
    app *a = c->a;
    if (app_need_store(c) || app_need_scope(c, APP_SCOPE_PROOF_WRITE)) return APP_DONE;
    proof_job *j = calloc(1, sizeof *j);
    if (!j) return app_fail_status(c, PROVA_ENOMEM);
    c->state = j;
    c->state_free = proof_job_free;
    if (app_parse_doc(c, body, len, &j->doc) < 0) return APP_DONE;
    const prova_json *rec = prova_doc_root(j->doc);
    if (!prova_json_is_object(rec) || !prova_proof_detect(rec))
        return app_fail(c, APP_E_SCHEMA, "proof_not_record",
                        "the body must be an Ophamin proof record (an object with schema_version, identity, claim "
                        "and verdict)");
    /* The verifier's verdict: the HMAC seal under the given key (X-Prova-HMAC-Key; without one, the public default
     * key), an attestation by a key the gateway trusts. */
    prova_verify_options o = {0};
    o.hmac_key_b64 = hmac_key_b64;
    o.allow_default_hmac_key = hmac_key_b64 == NULL;
    o.now_us = app_now_us();
    o.max_skew_s = a->cfg.max_skew_s;
    prova_report *r = prova_report_new("proof_record");
    otel_span *vs = app_span(c, "prova.verify");
    if (otel_span_recording(vs)) otel_span_str(vs, "prova.verify.kind", "proof_record");
    app_keys_acquire(a, NULL, &o.keys);
    int rc = r ? prova_proof_verify_doc(rec, &o, r) : PROVA_ENOMEM;
    app_keys_release(a);
    if (rc < 0) {
        prova_report_free(r);
        app_span_end(vs, NULL);
        return app_fail_status(c, rc);
    }
    const prova_check *f = prova_report_first_failure(r);
    app_count_verdict(a, f == NULL);
    app_span_verdict(vs, NULL, f == NULL, f ? f->code : NULL);
    app_span_end(vs, NULL);
    if (f) {
        app_fail(c, APP_E_SCHEMA, f->code, "the proof record does not verify: %s%s%s", f->message,
                 f->at[0] ? " at " : "", f->at);
        prova_report_free(r);
        return APP_DONE;
    }
    prova_report_free(r);
    if (prova_proof_id(rec, j->id, NULL) < 0) return app_fail_status(c, PROVA_EIO);
    if ((rc = prova_buf_append(&j->body, body, len)) < 0) return app_fail_status(c, rc);
    otel_span_str(c->span, "prova.proof.id", j->id);
    return app_submit(c, proof_apply, proof_finish);
}

int app_proof_get(app_call *c, const char *id) {
    if (app_need_store(c)) return APP_DONE;
    size_t n = strlen(id);
    if (n != PROVA_PROOF_HEX_LEN || strspn(id, "0123456789abcdef") != n)
        return app_fail(c, APP_E_INPUT, "invalid_id",
                        "a proof id is 64 lowercase hex digits (the record's content hash)");
    prova_store *s = app_reader_get(c->a);
    if (!s) return app_fail_store(c, PROVA_EIO, NULL);
    prova_buf rec = PROVA_BUF_INIT;
    int64_t li = -1;
    int rc = prova_store_proof_get(s, id, &rec, &li);
    if (rc < 0 && rc != PROVA_ENOTFOUND) app_fail_store(c, rc, s);
    app_reader_put(c->a, s);
    if (rc == PROVA_ENOTFOUND) {
        prova_buf_free(&rec);
        return app_fail(c, APP_E_NOT_FOUND, "proof_not_found", "no proof record %s", id);
    }
    if (rc < 0) {
        prova_buf_free(&rec);
        return APP_DONE;
    }
    return app_ok(c, 200, &rec);
}
