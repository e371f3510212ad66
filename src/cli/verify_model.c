/* The model behind `prova verify --format html|dot|mermaid` (verify_view.h): the document's structure, read from
 * the parsed document through the public JSON API, and the parts of it that failed checks point at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prova/cloudevents.h"
#include "prova/interop.h"
#include "prova/intoto.h"
#include "prova/jsonl.h"
#include "verify_view.h"

const char *vv_verdict(const vv_model *m) {
    return prova_report_valid(m->rep) ? "VALID" : "INVALID";
}

/* A string member, or NULL (absent, null or not a string). */
static const char *str(const prova_json *obj, const char *key) {
    const prova_json *v = prova_json_get(obj, key);
    return prova_json_is_string(v) ? prova_json_str(v) : NULL;
}

/* A number member's token, or a string member; NULL otherwise. */
static const char *num(const prova_json *obj, const char *key) {
    const prova_json *v = prova_json_get(obj, key);
    if (prova_json_is_number(v)) return v->u.str; /* the token (prova/json.h: the layout is public) */
    return prova_json_is_string(v) ? prova_json_str(v) : NULL;
}

/* arr with room for one more element, of n used and *cap allocated, each of size bytes (doubling: a JSON Lines
 * chain of a million hops is not copied a million times); NULL when out of memory (arr is then unchanged). */
static void *grow(void *arr, size_t n, size_t *cap, size_t size) {
    if (n < *cap) return arr;
    size_t c = *cap ? *cap * 2 : 16;
    void *p = realloc(arr, c * size);
    if (p) *cap = c;
    return p;
}

static int keep_doc(vv_model *m, prova_doc *d) {
    prova_doc **docs = grow(m->docs, m->ndocs, &m->capdocs, sizeof *docs);
    if (!docs) {
        prova_doc_free(d);
        return PROVA_ENOMEM;
    }
    m->docs = docs;
    m->docs[m->ndocs++] = d;
    return 0;
}

static int add_item(vv_model *m, const char *prefix, size_t i, bool indexed, vv_item **ret) {
    vv_item *items = grow(m->items, m->nitems, &m->capitems, sizeof *items);
    if (!items) return PROVA_ENOMEM;
    m->items = items;
    vv_item *it = &m->items[m->nitems++];
    memset(it, 0, sizeof *it);
    if (indexed)
        snprintf(it->ptr, sizeof it->ptr, "%s/%zu", prefix, i);
    else
        snprintf(it->ptr, sizeof it->ptr, "%s", prefix);
    *ret = it;
    return 0;
}

static int add_receipt(vv_model *m, const prova_json *r, const char *prefix, size_t i, bool indexed) {
    vv_item *it;
    if (add_item(m, prefix, i, indexed, &it) < 0) return PROVA_ENOMEM;
    it->num = num(r, "hop");
    it->ts = str(r, "ts");
    it->kid = str(r, "gateway_kid");
    it->cid_a = str(r, "request_cid");
    it->cid_b = str(r, "normalized_cid");
    it->hash = str(r, "receipt_hash");
    it->prev = str(r, "prev_receipt_hash");
    it->trace_id = str(r, "trace_id");
    return 0;
}

static int add_event(vv_model *m, const prova_json *e, const char *prefix, size_t i) {
    vv_item *it;
    if (add_item(m, prefix, i, true, &it) < 0) return PROVA_ENOMEM;
    it->num = num(e, "seq");
    it->ts = str(e, "created_at");
    it->kid = str(e, "actor_id");
    it->type = str(e, "event_type");
    it->hash = str(e, "event_hash");
    it->prev = str(e, "prev_hash");
    return 0;
}

static bool is_receipt(const prova_json *v) {
    return prova_json_get(v, "receipt_hash") != NULL;
}
static bool is_event(const prova_json *v) {
    return prova_json_get(v, "event_hash") != NULL;
}

/* The structure of one document (root), or of the lines of a JSON Lines input (lines, n). */
static int read_structure(vv_model *m, const prova_json *root, const prova_json *const *lines, size_t n) {
    if (lines) {
        bool receipts = n > 0, events = n > 0;
        for (size_t i = 0; i < n; i++) {
            receipts = receipts && is_receipt(lines[i]);
            events = events && is_event(lines[i]);
        }
        if (!receipts && !events) return 0;
        m->shape = receipts ? VV_OPE_RECEIPTS : VV_OE;
        m->form = receipts ? "receipt chain (JSON Lines)" : "events (JSON Lines)";
        for (size_t i = 0; i < n; i++) {
            int rc = receipts ? add_receipt(m, lines[i], "", i, true) : add_event(m, lines[i], "", i);
            if (rc < 0) return rc;
        }
        if (receipts) m->trace_id = str(lines[0], "trace_id");
        return 0;
    }
    if (prova_json_is_array(root)) {
        size_t len = prova_json_len(root);
        bool receipts = len > 0, events = len > 0;
        for (size_t i = 0; i < len; i++) {
            receipts = receipts && is_receipt(prova_json_at(root, i));
            events = events && is_event(prova_json_at(root, i));
        }
        if (!receipts && !events) return 0;
        m->shape = receipts ? VV_OPE_RECEIPTS : VV_OE;
        m->form = receipts ? "receipt chain" : "events";
        for (size_t i = 0; i < len; i++) {
            const prova_json *v = prova_json_at(root, i);
            int rc = receipts ? add_receipt(m, v, "", i, true) : add_event(m, v, "", i);
            if (rc < 0) return rc;
        }
        if (receipts) m->trace_id = str(prova_json_at(root, 0), "trace_id");
        return 0;
    }
    if (!prova_json_is_object(root)) return 0;
    const prova_json *b = prova_json_get(root, "bundle");
    const prova_json *rs = prova_json_get(b, "receipts");
    const char *prefix = "/bundle/receipts";
    if (prova_json_is_array(rs)) {
        m->form = prova_json_get(root, "bundle_signature") ? "starter bundle" : "ope-lib bundle";
        m->bundle_kid = str(root, "kid") ? str(root, "kid") : str(b, "gateway_kid");
        m->exported_at = str(b, "exported_at");
        m->trace_id = str(b, "trace_id");
    } else if (prova_json_is_array(prova_json_get(root, "receipts")) && prova_json_get(root, "bundle_cid")) {
        rs = prova_json_get(root, "receipts");
        prefix = "/receipts";
        m->form = "flat bundle";
        m->bundle_kid = str(root, "kid");
        m->exported_at = str(root, "exported_at");
        m->trace_id = str(root, "trace_id");
    }
    if (rs) {
        m->shape = VV_OPE_RECEIPTS;
        m->bundle.present = true;
        m->bundle_cid = str(root, "bundle_cid");
        for (size_t i = 0; i < prova_json_len(rs); i++)
            if (add_receipt(m, prova_json_at(rs, i), prefix, i, true) < 0) return PROVA_ENOMEM;
        return 0;
    }
    if (is_receipt(root)) {
        m->shape = VV_OPE_RECEIPTS;
        m->form = "receipt";
        m->trace_id = str(root, "trace_id");
        return add_receipt(m, root, "", 0, false);
    }
    const prova_json *chain = prova_json_get(root, "chain");
    const prova_json *cert = prova_json_get(root, "certificate");
    if (prova_json_is_object(chain) && prova_json_is_object(cert)) {
        m->shape = VV_OE;
        m->form = "certificate bundle";
        m->cert.present = true;
        snprintf(m->cert.ptr, sizeof m->cert.ptr, "/certificate");
        m->cert_id = str(root, "certificate_id");
        m->issued_at = str(cert, "issued_at");
        m->artifact_type = str(cert, "artifact_type");
        m->artifact_ref = str(cert, "artifact_ref");
        const prova_json *st = prova_json_get(root, "status");
        if (prova_json_is_object(st)) {
            m->stat.present = true;
            snprintf(m->stat.ptr, sizeof m->stat.ptr, "/status");
            m->status = str(st, "status");
            m->superseded_by = str(st, "superseded_by");
            m->status_at = str(st, "revoked_at") ? str(st, "revoked_at") : str(st, "superseded_at");
            m->status_reason =
                str(st, "revocation_reason") ? str(st, "revocation_reason") : str(st, "supersession_reason");
        }
        m->chain.present = true;
        snprintf(m->chain.ptr, sizeof m->chain.ptr, "/chain");
        root = chain;
        prefix = "/chain/events";
    } else if (prova_json_is_array(prova_json_get(root, "events")) && prova_json_get(root, "hash_algorithm")) {
        m->shape = VV_OE;
        m->form = "chain record";
        m->chain.present = true;
        prefix = "/events";
    } else {
        if (prova_json_get(root, "schema_version") && prova_json_get(root, "claim")) {
            m->shape = VV_PROOF;
            m->form = "proof record";
            m->proof_id = str(root, "proof_id");
            m->created_at = str(prova_json_get(root, "identity"), "created_at");
            m->verdict_outcome = str(prova_json_get(root, "verdict"), "outcome");
        } else if (prova_json_get(root, "payload") && prova_json_get(root, "trace_id")) {
            m->shape = VV_OPE_ENVELOPE;
            m->form = "envelope";
            vv_item *it;
            if (add_item(m, "", 0, false, &it) < 0) return PROVA_ENOMEM;
            it->trace_id = m->trace_id = str(root, "trace_id");
            it->ts = str(root, "ts");
            it->kid = str(root, "kid") ? str(root, "kid") : str(prova_json_get(root, "sender"), "kid");
            it->type = str(root, "payload_type");
            it->cid_a = str(root, "cid");
        }
        return 0;
    }
    m->chain_id = str(root, "id");
    m->chain_type = str(root, "chain_type");
    m->chain_status = str(root, "status");
    m->hash_alg = str(root, "hash_algorithm");
    m->chain_hash = str(root, "chain_hash");
    const prova_json *ev = prova_json_get(root, "events");
    for (size_t i = 0; i < prova_json_len(ev); i++)
        if (add_event(m, prova_json_at(ev, i), prefix, i) < 0) return PROVA_ENOMEM;
    return 0;
}

/* True when pointer at is p or inside it ("/1" holds "/1/hop", not "/10"). */
static bool under(const char *at, const char *p) {
    size_t n = strlen(p);
    return strncmp(at, p, n) == 0 && (at[n] == '\0' || at[n] == '/');
}

static bool ends_with(const char *s, const char *tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static void mark(bool *failed, const char **code, const prova_check *c) {
    if (!*failed) *code = c->code;
    *failed = true;
}

/* Points each failed check at the node it is about. */
static void place_failures(vv_model *m) {
    for (size_t k = 0; k < prova_report_check_count(m->rep); k++) {
        const prova_check *c = prova_report_check_at(m->rep, k);
        if (c->ok) continue;
        m->nfailed++;
        const char *at = c->at ? c->at : "";
        bool placed = false;
        /* a wrapper's own checks (dsse.*, cloudevent) point into the wrapper, not into the document drawn */
        bool about_wrapper =
            m->wrapper && c->check && (strncmp(c->check, "dsse", 4) == 0 || strncmp(c->check, "cloudevent", 10) == 0);
        if (m->shape == VV_NONE || m->shape == VV_PROOF || about_wrapper) {
            m->nunplaced++;
            continue;
        }
        /* the innermost item first: a one-item document has the pointer "", which holds everything */
        for (size_t i = 0; i < m->nitems && !placed; i++) {
            vv_item *it = &m->items[i];
            if (it->ptr[0] == '\0' && at[0] == '\0' && m->nitems > 1) continue;
            if (!under(at, it->ptr)) continue;
            placed = true;
            mark(&it->failed, &it->fail_code, c);
            if (i > 0 && (ends_with(at, "/prev_receipt_hash") || ends_with(at, "/prev_hash")) &&
                strlen(at) > strlen(it->ptr) && strchr(at + strlen(it->ptr) + 1, '/') == NULL) {
                if (!it->link_broken) it->link_code = c->code;
                it->link_broken = true;
            }
        }
        if (!placed && m->bundle.present) {
            mark(&m->bundle.failed, &m->bundle.fail_code, c);
            placed = true;
        }
        if (!placed && m->shape == VV_OE) {
            if (m->cert.present && (under(at, "/certificate") || under(at, "/certificate_id") ||
                                    under(at, "/certificate_signature") || under(at, "/public_key"))) {
                mark(&m->cert.failed, &m->cert.fail_code, c);
                placed = true;
            } else if (m->stat.present && under(at, "/status")) {
                mark(&m->stat.failed, &m->stat.fail_code, c);
                placed = true;
            } else if (m->chain.present && at[0] != '\0') {
                mark(&m->chain.failed, &m->chain.fail_code, c);
                placed = true;
            }
        }
        if (!placed) m->nunplaced++;
    }
}

/* The document inside a wrapper, parsed into m->docs; NULL when it cannot be read. */
static const prova_json *unwrap(vv_model *m, const uint8_t *data, size_t len, const prova_json *root) {
    prova_error err;
    const char *kind = prova_report_kind(m->rep);
    if (kind && strcmp(kind, "cloudevent") == 0) {
        if (prova_ce_unwrap(root, &m->inner, &err) < 0) return NULL;
    } else if (kind && strcmp(kind, "dsse_envelope") == 0) {
        prova_buf stmt = PROVA_BUF_INIT;
        int rc = prova_dsse_payload(data, len, &stmt, &err);
        if (rc == 0) rc = prova_intoto_record(stmt.data, stmt.len, &m->inner, &err);
        prova_buf_free(&stmt);
        if (rc < 0) return NULL;
    } else {
        return root;
    }
    m->wrapper = kind;
    prova_doc *d = NULL;
    if (prova_record_parse(m->inner.data, m->inner.len, NULL, &d, &err) < 0) return NULL;
    if (keep_doc(m, d) < 0) return NULL;
    return prova_doc_root(d);
}

int vv_model_build(const uint8_t *data, size_t len, const prova_report *rep, const char *file, const char *now,
                   vv_model *m) {
    memset(m, 0, sizeof *m);
    m->rep = rep;
    m->file = file;
    m->now = now;
    prova_error err;
    prova_buf js = PROVA_BUF_INIT;
    prova_doc *rd = NULL;
    if (prova_report_to_json(rep, &js) < 0) return PROVA_ENOMEM;
    int rc = prova_json_parse(js.data, js.len, NULL, &rd, &err);
    prova_buf_free(&js);
    if (rc == PROVA_ENOMEM) return rc;
    m->report_doc = rd;

    prova_doc *d = NULL;
    rc = prova_record_parse(data, len, NULL, &d, &err);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc == 0) {
        if (keep_doc(m, d) < 0) return PROVA_ENOMEM;
        const prova_json *root = unwrap(m, data, len, prova_doc_root(d));
        if (root && read_structure(m, root, NULL, 0) < 0) return PROVA_ENOMEM;
    } else {
        /* JSON Lines: every line one document */
        prova_jsonl it;
        prova_jsonl_line l;
        prova_jsonl_init(&it, data, len, PROVA_DEFAULT_MAX_SIZE);
        const prova_json **lines = NULL;
        size_t n = 0, caplines = 0;
        bool ok = true;
        for (;;) {
            int more = prova_jsonl_next(&it, &l, &err);
            if (more <= 0) {
                ok = ok && more == 0;
                break;
            }
            prova_doc *ld = NULL;
            rc = prova_record_parse(l.text, l.len, NULL, &ld, &err);
            if (rc < 0) {
                ok = false;
                break;
            }
            const prova_json **nl = grow(lines, n, &caplines, sizeof *nl);
            if (!nl) {
                prova_doc_free(ld);
                free(lines);
                return PROVA_ENOMEM;
            }
            lines = nl;
            if (keep_doc(m, ld) < 0) {
                free(lines);
                return PROVA_ENOMEM;
            }
            lines[n++] = prova_doc_root(ld);
        }
        rc = rc == PROVA_ENOMEM ? rc : ok && n > 0 ? read_structure(m, NULL, lines, n) : 0;
        free(lines);
        if (rc == PROVA_ENOMEM) return rc;
    }
    place_failures(m);
    return 0;
}

const prova_json *vv_report_member(const vv_model *m, const char *name) {
    return m->report_doc ? prova_json_get(prova_doc_root(m->report_doc), name) : NULL;
}

void vv_model_free(vv_model *m) {
    for (size_t i = 0; i < m->ndocs; i++) prova_doc_free(m->docs[i]);
    free(m->docs);
    free(m->items);
    prova_buf_free(&m->inner);
    prova_doc_free(m->report_doc);
    memset(m, 0, sizeof *m);
}

bool vv_format_known(const char *f) {
    static const char *const formats[] = {"text", "json", "html", "dot", "mermaid"};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (strcmp(f, formats[i]) == 0) return true;
    return false;
}

int vv_print(const char *file, const char *now, const char *format, int status, const prova_report *rep,
             const prova_error *err, const uint8_t *data, size_t len) {
    if (status == PROVA_ENOMEM || !rep) return cli_fail(EXIT_INTERNAL, "out of memory");
    vv_model m;
    prova_buf out = PROVA_BUF_INIT;
    int w = vv_model_build(data, len, rep, file, now, &m);
    if (w == 0) {
        if (strcmp(format, "html") == 0)
            w = vv_write_html(&m, &out);
        else if (strcmp(format, "dot") == 0)
            w = vv_write_dot(&m, &out);
        else
            w = vv_write_mermaid(&m, &out);
    }
    vv_model_free(&m);
    int rc = w < 0 ? cli_fail(EXIT_INTERNAL, "out of memory") : cli_write_stdout(out.data, out.len);
    prova_buf_free(&out);
    if (status == PROVA_ESYNTAX) {
        cli_report(file, err);
        if (rc == EXIT_OK) rc = EXIT_USAGE;
    } else if (rc == EXIT_OK && !prova_report_valid(rep)) {
        rc = prova_report_outcome(rep) == PROVA_OUTCOME_INVALID ? EXIT_INVALID : EXIT_USAGE;
    }
    return rc;
}
