/* OpenLineage 2.0 RunEvents from records of every family, and UUIDv5. docs/openlineage.md.
 *
 * SPEC (reference/ophamin.md §11): "runId for single-event and terminal emission: uuid5(OPHAMIN_RUNID_NAMESPACE,
 * proof_id)"; "eventType rule: outcome "INCONCLUSIVE" -> "FAIL", anything else -> "COMPLETE""; "Every facet carries
 * _producer = producer and a _schemaURL". The members are written in the order of the reference's dicts.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "internal.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/ope.h"
#include "prova/openlineage.h"
#include "prova/proof.h"

/* ---- UUIDs ------------------------------------------------------------------------------------------------- */

static void uuid_text(const uint8_t b[PROVA_UUID_BYTES], char out[PROVA_UUID_STRLEN + 1]) {
    char hex[2 * PROVA_UUID_BYTES + 1];
    prova_hex_encode(b, PROVA_UUID_BYTES, hex, sizeof hex);
    size_t j = 0;
    for (size_t i = 0; i < 2 * PROVA_UUID_BYTES; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out[j++] = '-';
        out[j++] = hex[i];
    }
    out[j] = '\0';
}

int prova_uuid_v5(const uint8_t ns[PROVA_UUID_BYTES], const void *name, size_t len, char out[PROVA_UUID_STRLEN + 1]) {
    if (!ns || !out || (!name && len)) return PROVA_EINVAL;
    /* SPEC: RFC 9562 §5.5: "SHA-1 ... of the concatenation of the Namespace ID and the name"; octets 0-15 of the
     * hash; ver field 0b0101; var field 0b10. */
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(ctx, ns, PROVA_UUID_BYTES) == 1 &&
             (len == 0 || EVP_DigestUpdate(ctx, name, len) == 1) && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 &&
             mdlen == 20;
    EVP_MD_CTX_free(ctx);
    if (!ok) return PROVA_ECRYPTO;
    md[6] = (uint8_t)((md[6] & 0x0f) | 0x50);
    md[8] = (uint8_t)((md[8] & 0x3f) | 0x80);
    uuid_text(md, out);
    return 0;
}

int prova_uuid_parse(const char *s, size_t n, uint8_t ret[PROVA_UUID_BYTES]) {
    if (!s || !ret) return PROVA_EINVAL;
    if (n != PROVA_UUID_STRLEN) return PROVA_ESYNTAX;
    uint8_t b[PROVA_UUID_BYTES];
    size_t j = 0;
    for (size_t i = 0; i < n;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return PROVA_ESYNTAX;
            i++;
            continue;
        }
        int hi = prova__hex_value(s[i]), lo = prova__hex_value(s[i + 1]);
        if (hi < 0 || lo < 0) return PROVA_ESYNTAX;
        b[j++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    memcpy(ret, b, sizeof b);
    return 0;
}

/* ---- event names ------------------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *wire; /* eventType */
} event_table[] = {
    [PROVA_OPENLINEAGE_RECORD] = {"record", NULL},        [PROVA_OPENLINEAGE_START] = {"start", "START"},
    [PROVA_OPENLINEAGE_RUNNING] = {"running", "RUNNING"}, [PROVA_OPENLINEAGE_COMPLETE] = {"complete", "COMPLETE"},
    [PROVA_OPENLINEAGE_FAIL] = {"fail", "FAIL"},
};
#define EVENT_COUNT (sizeof event_table / sizeof event_table[0])

int prova_openlineage_event_lookup(const char *name, prova_openlineage_event *ret) {
    if (!name || !ret) return PROVA_EINVAL;
    for (size_t i = 0; i < EVENT_COUNT; i++)
        if (strcmp(name, event_table[i].name) == 0) {
            *ret = (prova_openlineage_event)i;
            return 0;
        }
    return PROVA_EUNSUPPORTED;
}

const char *prova_openlineage_event_name(prova_openlineage_event e) {
    return (size_t)e < EVENT_COUNT ? event_table[e].name : NULL;
}

/* ---- time -------------------------------------------------------------------------------------------------- */

int prova_openlineage_time(const char *s, size_t n, char out[40]) {
    return prova__time_isoformat(s, n, out);
}

/* ---- the writer -------------------------------------------------------------------------------------------- */

/* A writer that stops at the first failure: every w_* is a no-op once w->r < 0, so the mappings read as the events
 * they write and check the status once. */
typedef struct writer {
    prova_buf *out;
    int r;
    prova_error *err;
    const char *producer;
    uint32_t flags;
} writer;

static void w_fail(writer *w, int status, const char *reason, const char *message, const char *pointer) {
    if (w->r < 0) return;
    w->r = prova__fail(w->err, status, reason, message);
    if (w->err && pointer) {
        size_t n = strlen(pointer);
        if (n >= sizeof w->err->pointer) n = sizeof w->err->pointer - 1;
        memcpy(w->err->pointer, pointer, n);
        w->err->pointer[n] = '\0';
    }
}

static void w_raw(writer *w, const char *s) {
    if (w->r == 0) w->r = prova_buf_append(w->out, s, strlen(s));
}

/* A C string of ours (or the caller's) as a JSON string. */
static void w_cstr(writer *w, const char *s) {
    if (w->r == 0) w->r = prova_canon_write_string(s, strlen(s), PROVA_PROFILE_OPHAMIN, w->out);
}

/* A value of the record, as it is (the ophamin profile writes NaN as NaN: JSON has none, so a non-finite number is
 * written as null). */
static void w_val(writer *w, const prova_json *v) {
    if (w->r < 0) return;
    if (!v || (prova_json_is_number(v) && (v->flags & PROVA_NUM_NONFINITE))) {
        w_raw(w, "null");
        return;
    }
    w->r = prova_canon_write(v, PROVA_PROFILE_OPHAMIN, w->out, NULL);
}

/* The dataset name of an OpenExecution chain: "chain:" + its id (a JSON string), as a JSON string. */
static void w_chain_name(writer *w, const prova_json *id) {
    if (w->r < 0) return;
    prova_buf t = PROVA_BUF_INIT;
    w->r = prova_buf_append(&t, "chain:", 6);
    if (w->r == 0) w->r = prova_buf_append(&t, prova_json_str(id), id->len);
    if (w->r == 0) w->r = prova_canon_write_string((const char *)t.data, t.len, PROVA_PROFILE_OPHAMIN, w->out);
    prova_buf_free(&t);
}

/* A value the reference's dataclass coerces with float(): an integer token is written as a float ("30.0"). */
static void w_float(writer *w, const prova_json *v) {
    if (w->r < 0) return;
    if (prova_json_is_int(v)) {
        double d;
        char buf[32];
        size_t n;
        if (prova_json_get_double(v, &d) == 0 && (n = prova_canon_format_double(d, PROVA_PROFILE_OPHAMIN, buf)) > 0) {
            w->r = prova_buf_append(w->out, buf, n);
            return;
        }
    }
    w_val(w, v);
}

/* ,"key": then the member of obj (null when absent). */
static void w_member(writer *w, const prova_json *obj, const char *key) {
    w_raw(w, ",\"");
    w_raw(w, key);
    w_raw(w, "\":");
    w_val(w, prova_json_get(obj, key));
}

/* "name":{"_producer":P,"_schemaURL":URL   (the caller writes the members and the closing brace) */
static void w_facet_open(writer *w, const char *name, const char *schema_url, const char *fragment) {
    w_cstr(w, name);
    w_raw(w, ":{\"_producer\":");
    w_cstr(w, w->producer);
    w_raw(w, ",\"_schemaURL\":\"");
    w_raw(w, schema_url);
    if (fragment) w_raw(w, fragment);
    w_raw(w, "\"");
}

/* One of prova's facets: _schemaURL "urn:prova:openlineage:facet:<name>:1". */
static void w_prova_facet_open(writer *w, const char *name) {
    w_cstr(w, name);
    w_raw(w, ":{\"_producer\":");
    w_cstr(w, w->producer);
    w_raw(w, ",\"_schemaURL\":\"" PROVA_OPENLINEAGE_FACET_URN_PREFIX);
    w_raw(w, name);
    w_raw(w, ":1\"");
}

/* A string member the mapping needs, or a failure naming it. */
static const prova_json *need_string(writer *w, const prova_json *obj, const char *key, const char *pointer) {
    const prova_json *v = prova_json_get(obj, key);
    if (!prova_json_is_string(v) || v->len == 0) {
        w_fail(w, PROVA_EINVAL, "openlineage_field_invalid",
               "a member the OpenLineage mapping needs is absent, empty "
               "or not a string",
               pointer);
        return NULL;
    }
    return v;
}

/* The eventTime of a time member: RFC 3339 text normalised (prova_openlineage_time), or integer milliseconds when
 * ms_ok (OPE's seed 001 ts). */
static void w_time(writer *w, const prova_json *v, bool ms_ok, const char *pointer) {
    if (w->r < 0) return;
    char t[40];
    if (prova_json_is_string(v) && prova_openlineage_time(v->u.str, v->len, t) == 0) {
        w_raw(w, "\"");
        w_raw(w, t);
        w_raw(w, "\"");
        return;
    }
    int64_t ms;
    if (ms_ok && prova_json_is_int(v) && prova_json_get_int64(v, &ms) == 0 && ms >= 0 && ms < 253402300800000) {
        char buf[40];
        size_t n = prova_time_format(ms * 1000, buf);
        if (n == 32) {
            if (memcmp(buf + 19, ".000000", 7) == 0) memmove(buf + 19, buf + 26, 7);
            w_raw(w, "\"");
            w_raw(w, buf);
            w_raw(w, "\"");
            return;
        }
    }
    w_fail(w, PROVA_EINVAL, "openlineage_time_invalid", "a time is not RFC 3339 with an offset", pointer);
}

/* The common head and tail of a RunEvent. The caller writes the run facets between w_event_open and w_job, the job
 * facets between w_job and w_io, the inputs and outputs, then w_event_close. */
typedef struct ev {
    const char *ns;
    const char *job;
    const char *run_id;
} ev;

static void w_event_open(writer *w, const char *type, const prova_json *time, bool ms_ok, const char *time_ptr,
                         const char *time_text, const ev *e) {
    w_raw(w, "{\"eventType\":\"");
    w_raw(w, type);
    w_raw(w, "\",\"eventTime\":");
    if (time_text) {
        char t[40];
        if (prova_openlineage_time(time_text, strlen(time_text), t) < 0) {
            w_fail(w, PROVA_EINVAL, "openlineage_time_invalid", "the event time is not RFC 3339 with an offset", NULL);
        } else {
            w_raw(w, "\"");
            w_raw(w, t);
            w_raw(w, "\"");
        }
    } else {
        w_time(w, time, ms_ok, time_ptr);
    }
    w_raw(w, ",\"run\":{\"runId\":");
    w_cstr(w, e->run_id);
    w_raw(w, ",\"facets\":{");
}

static void w_job(writer *w, const ev *e) {
    w_raw(w, "}},\"job\":{\"namespace\":");
    w_cstr(w, e->ns);
    w_raw(w, ",\"name\":");
    w_cstr(w, e->job);
    w_raw(w, ",\"facets\":{");
}

static void w_event_close(writer *w) {
    w_raw(w, ",\"producer\":");
    w_cstr(w, w->producer);
    w_raw(w, ",\"schemaURL\":\"" PROVA_OPENLINEAGE_SCHEMA_URL "\"}\n");
}

/* The job name when the caller gave none: a string member or the fallback. */
static const char *job_or(const char *given, const prova_json *v, const char *fallback) {
    if (given) return given;
    return prova_json_is_string(v) && v->len && strlen(v->u.str) == v->len ? v->u.str : fallback;
}

static void run_id_of(writer *w, const char *prefix, const char *name, size_t len, char out[PROVA_UUID_STRLEN + 1]) {
    if (w->r < 0) return;
    static const uint8_t ns[PROVA_UUID_BYTES] = PROVA_OPENLINEAGE_RUNID_NAMESPACE;
    prova_buf b = PROVA_BUF_INIT;
    int r = prova_buf_append(&b, prefix, strlen(prefix));
    if (r == 0) r = prova_buf_append(&b, name, len);
    if (r == 0) r = prova_uuid_v5(ns, b.data, b.len, out);
    prova_buf_free(&b);
    if (r < 0)
        w_fail(w, r, r == PROVA_ENOMEM ? "out_of_memory" : "crypto_backend",
               r == PROVA_ENOMEM ? "out of memory" : "the crypto backend failed", NULL);
}

/* The run of a trace or chain: the caller's namespace, job and runId, or prova's defaults and the deterministic
 * runId UUIDv5(namespace, prefix + name). rid holds the runId text the result points to. */
static ev family_run(writer *w, const ev *base, const char *job, const char *prefix, const prova_json *name,
                     char rid[PROVA_UUID_STRLEN + 1]) {
    ev e = *base;
    if (!e.ns) e.ns = "prova";
    if (!e.job) e.job = job;
    if (!e.run_id) {
        run_id_of(w, prefix, name->u.str, name->len, rid);
        e.run_id = rid;
    }
    return e;
}

/* ---- proof records (reference §11) -------------------------------------------------------------------------- */

#define OPHAMIN_S "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md"

static void w_threshold(writer *w, const prova_json *t) {
    if (!prova_json_is_object(t)) {
        w_val(w, t);
        return;
    }
    w_raw(w, "{\"metric\":");
    w_val(w, prova_json_get(t, "metric"));
    w_raw(w, ",\"comparator\":");
    w_val(w, prova_json_get(t, "comparator"));
    w_raw(w, ",\"value\":");
    w_float(w, prova_json_get(t, "value"));
    w_raw(w, ",\"units\":");
    w_val(w, prova_json_get(t, "units"));
    w_raw(w, "}");
}

static void w_claim_facet(writer *w, const prova_json *claim) {
    w_facet_open(w, "ophamin_claim", OPHAMIN_S, "#claim-ophamin");
    static const char *const keys[] = {"statement", "operationalization", "h0", "h1"};
    for (size_t i = 0; i < 4; i++) w_member(w, claim, keys[i]);
    w_raw(w, ",\"threshold\":");
    w_threshold(w, prova_json_get(claim, "threshold"));
    w_raw(w, "}");
}

static void w_documentation(writer *w, const prova_json *record) {
    const prova_json *plan = prova_json_get(prova_json_get(record, "preregistration"), "analysis_plan");
    if (!prova_json_is_string(plan) || plan->len == 0) return; /* Python: `if analysis_plan` */
    w_facet_open(w, "documentation", "https://openlineage.io/spec/facets/1-0-1/DocumentationJobFacet.json", NULL);
    w_raw(w, ",\"description\":");
    w_val(w, plan);
    w_raw(w, "}");
}

/* RFC 3986 absolute URI, as far as the DatasourceDatasetFacet's format "uri" needs: scheme ":" and no whitespace or
 * control characters. */
static bool absolute_uri(const prova_json *v) {
    if (!prova_json_is_string(v) || v->len == 0) return false;
    const char *s = v->u.str;
    size_t n = v->len, i = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
    while (i < n && s[i] != ':') {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
              c == '.'))
            return false;
        i++;
    }
    if (i == n) return false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
            c == '{' || c == '|' || c == '}')
            return false;
    }
    return true;
}

static void w_inputs(writer *w, const prova_json *record) {
    const prova_json *datasets = prova_json_get(prova_json_get(record, "data"), "datasets");
    w_raw(w, "[");
    for (size_t i = 0; prova_json_is_array(datasets) && i < datasets->len; i++) {
        const prova_json *d = prova_json_at(datasets, i);
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/data/datasets/%zu/name", i);
        const prova_json *name = need_string(w, d, "name", ptr);
        if (i) w_raw(w, ",");
        w_raw(w, "{\"namespace\":\"ophamin.datasets\",\"name\":");
        w_val(w, name);
        w_raw(w, ",\"facets\":{");
        w_facet_open(w, "dataSource", "https://openlineage.io/spec/facets/1-0-1/DataSourceDatasetFacet.json", NULL);
        w_raw(w, ",\"name\":");
        w_val(w, prova_json_get(d, "kind"));
        const prova_json *source = prova_json_get(d, "source");
        if ((w->flags & PROVA_OPENLINEAGE_VERBATIM_URI) || absolute_uri(source)) {
            w_raw(w, ",\"uri\":");
            w_val(w, source);
        }
        w_raw(w, "},");
        w_facet_open(w, "ophamin_dataset", OPHAMIN_S, "#datasetref-ophamin");
        w_member(w, d, "content_hash");
        w_member(w, d, "n_records");
        w_member(w, d, "kind");
        w_raw(w, "}}}");
    }
    w_raw(w, "]");
}

static void w_proof_terminal(writer *w, const prova_json *record, const char *proof_id, const ev *e) {
    const prova_json *verdict = prova_json_get(record, "verdict");
    const prova_json *outcome = prova_json_get(verdict, "outcome");
    const char *type = prova_json_str_eq(outcome, "INCONCLUSIVE") ? "FAIL" : "COMPLETE";
    w_event_open(w, type, prova_json_get(prova_json_get(record, "identity"), "created_at"), false,
                 "/identity/created_at", NULL, e);
    w_claim_facet(w, prova_json_get(record, "claim"));
    w_raw(w, ",");
    w_facet_open(w, "ophamin_verdict", OPHAMIN_S, "#verdict-ophamin");
    w_raw(w, ",\"outcome\":");
    w_val(w, outcome);
    w_raw(w, ",\"observed_value\":");
    w_float(w, prova_json_get(verdict, "observed_value"));
    w_member(w, verdict, "reasoning");
    w_raw(w, ",\"threshold\":");
    w_threshold(w, prova_json_get(verdict, "threshold"));
    const prova_json *sig = prova_json_get(record, "signature");
    if (prova_json_is_string(sig) && sig->len) { /* "when signed" */
        w_raw(w, ",\"ophamin_signature\":");
        w_val(w, sig);
        w_raw(w, ",\"ophamin_signature_algorithm\":\"HMAC-SHA256\"");
    }
    w_raw(w, "}");
    w_job(w, e);
    w_documentation(w, record);
    w_raw(w, "}},\"inputs\":");
    w_inputs(w, record);
    w_raw(w, ",\"outputs\":[{\"namespace\":\"ophamin.proofs\",\"name\":\"");
    w_raw(w, proof_id);
    w_raw(w, "\",\"facets\":{");
    w_facet_open(w, "schema", "https://openlineage.io/spec/facets/1-0-1/SchemaDatasetFacet.json", NULL);
    w_raw(w, ",\"fields\":[{\"name\":\"proof_id\",\"type\":\"string\"},{\"name\":\"verdict.outcome\",\"type\":"
             "\"string\"},{\"name\":\"verdict.observed_value\",\"type\":\"number\"},{\"name\":\"signature\","
             "\"type\":\"string\"}]}}}]");
    w_event_close(w);
}

static int map_proof(writer *w, const prova_json *record, const prova_openlineage_options *o, const ev *base,
                     size_t *count) {
    char proof_id[PROVA_PROOF_HEX_LEN + 1];
    int r = prova_proof_id(record, proof_id, w->err);
    if (r < 0) return w->r = r;
    char rid[PROVA_UUID_STRLEN + 1];
    ev e = *base;
    if (!e.ns) e.ns = "ophamin";
    e.job = job_or(e.job, prova_json_get(prova_json_at(prova_json_get(record, "evidence"), 0), "pillar"),
                   "empirical-claim");
    if (!e.run_id) {
        run_id_of(w, "", proof_id, PROVA_PROOF_HEX_LEN, rid);
        e.run_id = rid;
    }
    prova_openlineage_event which = o ? o->event : PROVA_OPENLINEAGE_RECORD;
    const char *t = o ? o->event_time : NULL;
    if ((which == PROVA_OPENLINEAGE_START || which == PROVA_OPENLINEAGE_RUNNING || which == PROVA_OPENLINEAGE_FAIL) &&
        !t) {
        w_fail(w, PROVA_EINVAL, "openlineage_time_required", "a START, RUNNING or FAIL event needs its event time",
               NULL);
        return w->r;
    }
    switch (which) {
    case PROVA_OPENLINEAGE_RECORD:
    case PROVA_OPENLINEAGE_COMPLETE: /* to_openlineage_complete_event: the single event with the caller's runId */
        w_proof_terminal(w, record, proof_id, &e);
        break;
    case PROVA_OPENLINEAGE_START:
        w_event_open(w, "START", NULL, false, NULL, t, &e);
        if (prova_json_get(record, "claim")) w_claim_facet(w, prova_json_get(record, "claim"));
        w_job(w, &e);
        w_documentation(w, record);
        w_raw(w, "}},\"inputs\":");
        w_inputs(w, record);
        w_raw(w, ",\"outputs\":[]");
        w_event_close(w);
        break;
    case PROVA_OPENLINEAGE_RUNNING: {
        const prova_json *p = o->progress;
        if (p && !prova_json_is_object(p)) {
            w_fail(w, PROVA_EINVAL, "openlineage_progress_invalid", "the progress must be a JSON object", NULL);
            break;
        }
        w_event_open(w, "RUNNING", NULL, false, NULL, t, &e);
        w_facet_open(w, "ophamin_progress", OPHAMIN_S, "#progress-ophamin");
        for (size_t i = 0; p && i < p->len; i++) {
            w_raw(w, ",");
            w_val(w, &p->u.members[i].key);
            w_raw(w, ":");
            w_val(w, &p->u.members[i].value);
        }
        w_raw(w, "}");
        w_job(w, &e);
        w_raw(w, "}},\"inputs\":[],\"outputs\":[]");
        w_event_close(w);
        break;
    }
    case PROVA_OPENLINEAGE_FAIL: {
        const char *msg = o->error_message ? o->error_message : "", *type = o->error_type ? o->error_type : "";
        w_event_open(w, "FAIL", NULL, false, NULL, t, &e);
        if (msg[0] || type[0]) {
            w_facet_open(w, "ophamin_error", OPHAMIN_S, "#error-ophamin");
            w_raw(w, ",\"error_message\":");
            w_cstr(w, msg);
            w_raw(w, ",\"error_type\":");
            w_cstr(w, type);
            w_raw(w, "}");
        }
        w_job(w, &e);
        w_raw(w, "}},\"inputs\":[],\"outputs\":[]");
        w_event_close(w);
        break;
    }
    }
    if (w->r == 0) *count = 1;
    return w->r;
}

/* ---- the other families: a list of events, filtered ----------------------------------------------------------- */

/* Writes an event only when the filter keeps it: the mapping calls keep() before each event. */
typedef struct filter {
    prova_openlineage_event which;
    size_t count;
} filter;

static bool keep(filter *f, prova_openlineage_event type) {
    if (f->which != PROVA_OPENLINEAGE_RECORD && f->which != type) return false;
    f->count++;
    return true;
}

/* OPE: a receipt as a RUNNING event of its trace. */
static void w_hop(writer *w, const prova_json *rc, const char *ptr_prefix, const ev *e) {
    char ptr[96];
    snprintf(ptr, sizeof ptr, "%s/ts", ptr_prefix);
    if (!prova_json_is_object(rc)) {
        w_fail(w, PROVA_EINVAL, "openlineage_field_invalid", "a receipt is not a JSON object", ptr_prefix);
        return;
    }
    w_event_open(w, "RUNNING", prova_json_get(rc, "ts"), true, ptr, NULL, e);
    w_prova_facet_open(w, "prova_ope_hop");
    static const char *const keys[] = {"hop",         "receipt_hash",   "prev_receipt_hash",
                                       "request_cid", "normalized_cid", "gateway_kid"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) w_member(w, rc, keys[i]);
    w_raw(w, ",\"policy_passed\":");
    w_val(w, prova_json_get(prova_json_get(rc, "policy"), "passed"));
    w_raw(w, "}");
    w_job(w, e);
    /* The payloads as datasets (docs/openlineage.md "Lineage"): the request CID in, the normalized CID out, so a
       lineage backend links a hop to every other hop or trace that names the same payload. */
    w_raw(w, "}},\"inputs\":[");
    const prova_json *req = prova_json_get(rc, "request_cid");
    if (prova_json_is_string(req) && req->len) {
        w_raw(w, "{\"namespace\":\"prova.ope\",\"name\":");
        w_val(w, req);
        w_raw(w, "}");
    }
    w_raw(w, "],\"outputs\":[");
    const prova_json *norm = prova_json_get(rc, "normalized_cid");
    if (prova_json_is_string(norm) && norm->len) {
        w_raw(w, "{\"namespace\":\"prova.ope\",\"name\":");
        w_val(w, norm);
        w_raw(w, "}");
    }
    w_raw(w, "]");
    w_event_close(w);
}

static int map_ope_receipts(writer *w, const prova_json *receipts, const prova_json *single, const prova_json *bundle,
                            const prova_json *bundle_doc, const ev *base, filter *f) {
    /* The receipts: a chain (JSON array), a bundle's, or one receipt. */
    const prova_json *items = single ? single : receipts ? receipts->u.items : NULL;
    size_t n = single ? 1 : receipts ? receipts->len : 0;
    const char *prefix = single ? "" : bundle ? "/bundle/receipts" : "";
    const prova_json *first = n ? &items[0] : NULL;
    const prova_json *trace = bundle ? prova_json_get(bundle, "trace_id") : prova_json_get(first, "trace_id");
    if (!prova_json_is_string(trace) || trace->len == 0) {
        w_fail(w, PROVA_EINVAL, "openlineage_field_invalid", "the OPE trace has no trace_id",
               bundle   ? "/bundle/trace_id"
               : single ? "/trace_id"
                        : "/0/trace_id");
        return w->r;
    }
    char rid[PROVA_UUID_STRLEN + 1];
    ev e = family_run(w, base, "ope-trace", "ope:trace:", trace, rid);
    char ptr[96];
    /* START: the trace from its first hop (a receipt chain that starts later, or a lone later receipt, has none). */
    const prova_json *hop0 = prova_json_get(first, "hop");
    if (first && (!hop0 || (prova_json_is_int(hop0) && strcmp(hop0->u.str, "0") == 0)) &&
        keep(f, PROVA_OPENLINEAGE_START)) {
        snprintf(ptr, sizeof ptr, "%s%s/ts", prefix, single ? "" : "/0");
        w_event_open(w, "START", prova_json_get(first, "ts"), true, ptr, NULL, &e);
        w_prova_facet_open(w, "prova_ope_trace");
        w_raw(w, ",\"trace_id\":");
        w_val(w, trace);
        w_raw(w, "}");
        w_job(w, &e);
        w_raw(w, "}},\"inputs\":[],\"outputs\":[]");
        w_event_close(w);
    }
    for (size_t i = 0; i < n && w->r == 0; i++) {
        if (!keep(f, PROVA_OPENLINEAGE_RUNNING)) continue;
        if (single) {
            ptr[0] = '\0';
        } else {
            snprintf(ptr, sizeof ptr, "%s/%zu", prefix, i);
        }
        w_hop(w, &items[i], ptr, &e);
    }
    /* COMPLETE: the bundle's export. */
    if (bundle && keep(f, PROVA_OPENLINEAGE_COMPLETE)) {
        const prova_json *cid = need_string(w, bundle_doc, "bundle_cid", "/bundle_cid");
        w_event_open(w, "COMPLETE", prova_json_get(bundle, "exported_at"), true, "/bundle/exported_at", NULL, &e);
        w_prova_facet_open(w, "prova_ope_bundle");
        w_raw(w, ",\"bundle_cid\":");
        w_val(w, cid);
        w_raw(w, ",\"trace_id\":");
        w_val(w, trace);
        w_raw(w, ",\"count\":");
        char num[24];
        snprintf(num, sizeof num, "%zu", n);
        w_raw(w, num);
        w_member(w, bundle, "exported_at");
        w_raw(w, ",\"form\":\"");
        w_raw(w, prova_json_get(bundle_doc, "bundle_signature") ? "starter" : "ope-lib");
        w_raw(w, "\"}");
        w_job(w, &e);
        w_raw(w, "}},\"inputs\":[],\"outputs\":[{\"namespace\":\"prova.ope\",\"name\":");
        w_val(w, cid);
        w_raw(w, "}]");
        w_event_close(w);
    }
    return w->r;
}

static int map_ope_envelope(writer *w, const prova_json *env, const ev *base, filter *f) {
    const prova_json *trace = need_string(w, env, "trace_id", "/trace_id");
    if (w->r < 0) return w->r;
    const prova_json *payload = prova_json_get(env, "payload");
    const prova_json *cid = prova_json_get(env, "cid");
    char computed[80];
    if (!prova_json_is_string(cid)) {
        /* The starter dialect sends no cid: its gateway computes it over the ASCII-escaped canonical payload
         * (docs/ope.md), which is the ophamin profile. */
        prova_buf b = PROVA_BUF_INIT;
        uint8_t d[PROVA_HASH_MAX_BYTES];
        int r = prova_json_is_object(payload) ? prova_canon_write(payload, PROVA_PROFILE_OPHAMIN, &b, w->err)
                                              : PROVA_EINVAL;
        if (r == 0) r = prova_hash_compute(PROVA_HASH_SHA256, b.data, b.len, d);
        prova_buf_free(&b);
        if (r < 0) {
            w_fail(w, PROVA_EINVAL, "openlineage_field_invalid",
                   "the envelope has neither a cid nor a payload "
                   "object",
                   "/payload");
            return w->r;
        }
        memcpy(computed, "sha256:", 7);
        prova_hex_encode(d, PROVA_SHA256_BYTES, computed + 7, sizeof computed - 7);
        computed[7 + 2 * PROVA_SHA256_BYTES] = '\0';
    }
    char rid[PROVA_UUID_STRLEN + 1];
    ev e = family_run(w, base, "ope-trace", "ope:trace:", trace, rid);
    /* An envelope alone is the request that enters the trace: the run's START (docs/openlineage.md). */
    if (!keep(f, PROVA_OPENLINEAGE_START)) return w->r;
    w_event_open(w, "START", prova_json_get(env, "ts"), true, "/ts", NULL, &e);
    w_prova_facet_open(w, "prova_ope_envelope");
    w_raw(w, ",\"cid\":");
    if (prova_json_is_string(cid)) {
        w_val(w, cid);
    } else {
        w_cstr(w, computed);
    }
    w_raw(w, ",\"trace_id\":");
    w_val(w, trace);
    w_member(w, env, "payload_type");
    w_member(w, env, "target_type");
    w_raw(w, ",\"kid\":");
    const prova_json *kid = prova_json_get(env, "kid");
    w_val(w, kid ? kid : prova_json_get(prova_json_get(env, "sender"), "kid"));
    w_member(w, env, "ts");
    w_raw(w, "}");
    w_job(w, &e);
    w_raw(w, "}},\"inputs\":[{\"namespace\":\"prova.ope\",\"name\":");
    if (prova_json_is_string(cid)) {
        w_val(w, cid);
    } else {
        w_cstr(w, computed);
    }
    w_raw(w, "}],\"outputs\":[]");
    w_event_close(w);
    return w->r;
}

/* OpenExecution: a chain record is a run; a bundle adds the certificate (COMPLETE, or FAIL when revoked). */
static int map_oe(writer *w, const prova_json *chain, const prova_json *bundle, const ev *base, filter *f) {
    const char *cp = bundle ? "/chain" : "";
    char ptr[96];
    if (!prova_json_is_object(chain)) {
        w_fail(w, PROVA_EINVAL, "openlineage_field_invalid", "the OpenExecution chain is not a JSON object", cp);
        return w->r;
    }
    snprintf(ptr, sizeof ptr, "%s/id", cp);
    const prova_json *id = need_string(w, chain, "id", ptr);
    if (w->r < 0) return w->r;
    char rid[PROVA_UUID_STRLEN + 1];
    ev e = family_run(w, base, "oe-chain", "oe:chain:", id, rid);
    if (keep(f, PROVA_OPENLINEAGE_START)) {
        snprintf(ptr, sizeof ptr, "%s/created_at", cp);
        w_event_open(w, "START", prova_json_get(chain, "created_at"), false, ptr, NULL, &e);
        w_prova_facet_open(w, "prova_oe_chain");
        w_raw(w, ",\"chain_id\":");
        w_val(w, id);
        static const char *const keys[] = {"chain_type",     "origin_type",         "origin_id",   "protocol_version",
                                           "hash_algorithm", "signature_algorithm", "event_count", "chain_hash"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) w_member(w, chain, keys[i]);
        w_raw(w, "}");
        w_job(w, &e);
        w_raw(w, "}},\"inputs\":[],\"outputs\":[]");
        w_event_close(w);
    }
    const prova_json *events = prova_json_get(chain, "events");
    if (events && !prova_json_is_array(events)) {
        snprintf(ptr, sizeof ptr, "%s/events", cp);
        w_fail(w, PROVA_EINVAL, "openlineage_field_invalid", "the chain's events are not an array", ptr);
    }
    for (size_t i = 0; events && w->r == 0 && i < prova_json_len(events); i++) {
        if (!keep(f, PROVA_OPENLINEAGE_RUNNING)) continue;
        const prova_json *ve = prova_json_at(events, i);
        snprintf(ptr, sizeof ptr, "%s/events/%zu/created_at", cp, i);
        if (!prova_json_is_object(ve)) {
            w_fail(w, PROVA_EINVAL, "openlineage_field_invalid", "a chain event is not a JSON object", ptr);
            break;
        }
        w_event_open(w, "RUNNING", prova_json_get(ve, "created_at"), false, ptr, NULL, &e);
        w_prova_facet_open(w, "prova_oe_event");
        static const char *const keys[] = {"seq", "event_type", "actor_id", "sentiment", "event_hash", "prev_hash"};
        w_raw(w, ",\"id\":");
        w_val(w, prova_json_get(ve, "id"));
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) w_member(w, ve, keys[k]);
        w_raw(w, "}");
        w_job(w, &e);
        w_raw(w, "}},\"inputs\":[],\"outputs\":[]");
        w_event_close(w);
    }
    if (!bundle || w->r < 0) return w->r;
    const prova_json *cert = prova_json_get(bundle, "certificate");
    const prova_json *status = prova_json_get(bundle, "status");
    const prova_json *cert_id = need_string(w, bundle, "certificate_id", "/certificate_id");
    if (w->r < 0) return w->r;
    bool revoked = prova_json_str_eq(prova_json_get(status, "status"), "revoked");
    if (!keep(f, revoked ? PROVA_OPENLINEAGE_FAIL : PROVA_OPENLINEAGE_COMPLETE)) return w->r;
    if (revoked) {
        const prova_json *at = prova_json_get(status, "revoked_at");
        w_event_open(w, "FAIL", at ? at : prova_json_get(status, "updated_at"), false,
                     at ? "/status/revoked_at" : "/status/updated_at", NULL, &e);
    } else {
        w_event_open(w, "COMPLETE", prova_json_get(cert, "issued_at"), false, "/certificate/issued_at", NULL, &e);
    }
    w_prova_facet_open(w, "prova_oe_certificate");
    w_raw(w, ",\"certificate_id\":");
    w_val(w, cert_id);
    static const char *const ckeys[] = {"artifact_type", "artifact_ref", "artifact_title", "chain_hash", "issued_at"};
    for (size_t k = 0; k < sizeof ckeys / sizeof ckeys[0]; k++)
        if (k != 2 || prova_json_get(cert, ckeys[k])) w_member(w, cert, ckeys[k]);
    w_raw(w, "}");
    if (prova_json_is_object(status)) {
        w_raw(w, ",");
        w_prova_facet_open(w, "prova_oe_status");
        static const char *const skeys[] = {"status",        "updated_at",    "revoked_at",         "revocation_reason",
                                            "superseded_at", "superseded_by", "supersession_reason"};
        for (size_t k = 0; k < sizeof skeys / sizeof skeys[0]; k++)
            if (k < 2 || prova_json_get(status, skeys[k])) w_member(w, status, skeys[k]);
        w_raw(w, "}");
    }
    w_job(w, &e);
    /* the certified chain in (named "chain:<id>", apart from the certificate ids), the certificate out */
    w_raw(w, "}},\"inputs\":[{\"namespace\":\"prova.oe\",\"name\":");
    w_chain_name(w, id);
    w_raw(w, "}],\"outputs\":[{\"namespace\":\"prova.oe\",\"name\":");
    w_val(w, cert_id);
    w_raw(w, "}]");
    w_event_close(w);
    return w->r;
}

/* ---- dispatch ---------------------------------------------------------------------------------------------- */

static const char *detect(const prova_json *rec) {
    if (prova_json_is_array(rec)) return "ope_receipt_chain";
    if (!prova_json_is_object(rec)) return NULL;
    if (prova_json_get(rec, "bundle") && prova_json_get(rec, "bundle_cid")) return "ope_bundle";
    if (prova_json_get(rec, "certificate") && prova_json_get(rec, "chain")) return "oe_bundle";
    if (prova_json_is_array(prova_json_get(rec, "events")) && prova_json_get(rec, "hash_algorithm")) return "oe_chain";
    if (prova_json_get(rec, "receipt_hash") && prova_json_get(rec, "trace_id")) return "ope_receipt";
    if (prova_json_get(rec, "payload")) return "ope_envelope";
    if (prova_proof_detect(rec)) return "proof_record";
    return NULL;
}

static bool scheme_uri(const char *s) {
    prova_json v = {.type = PROVA_JSON_STRING, .len = (uint32_t)strlen(s), .u.str = s};
    return strlen(s) < UINT32_MAX && absolute_uri(&v);
}

int prova_openlineage_events(const prova_json *record, const prova_openlineage_options *o, prova_buf *out,
                             size_t *ret_count, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!record || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL record or buffer");
    writer w = {.out = out, .err = reterr, .producer = PROVA_OPENLINEAGE_PRODUCER};
    ev e = {0};
    prova_openlineage_event which = PROVA_OPENLINEAGE_RECORD;
    const char *kind = NULL;
    if (o) {
        if (o->producer) w.producer = o->producer;
        e.ns = o->ns;
        e.job = o->job;
        e.run_id = o->run_id;
        which = o->event;
        kind = o->kind;
        w.flags = o->flags;
    }
    if (!scheme_uri(w.producer)) /* ASCII only, so also valid UTF-8 */
        return prova__fail(reterr, PROVA_EINVAL, "openlineage_producer_invalid",
                           "the producer must be an absolute URI");
    if (e.ns && !e.ns[0])
        return prova__fail(reterr, PROVA_EINVAL, "openlineage_namespace_invalid", "the namespace must not be empty");
    if (e.job && !e.job[0])
        return prova__fail(reterr, PROVA_EINVAL, "openlineage_job_invalid", "the job name must not be empty");
    uint8_t u[PROVA_UUID_BYTES];
    if (e.run_id && prova_uuid_parse(e.run_id, strlen(e.run_id), u) < 0)
        return prova__fail(reterr, PROVA_EINVAL, "openlineage_run_id_invalid",
                           "the run id must be a UUID (8-4-4-4-12 hex digits)");
    if ((size_t)which >= EVENT_COUNT)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "unknown OpenLineage event");
    if (!kind) kind = detect(record);
    if (!kind) return prova__fail(reterr, PROVA_EINVAL, "openlineage_unknown_kind", "not a record of a known family");

    size_t mark = out->len, count = 0;
    filter f = {.which = which};
    if (strcmp(kind, "proof_record") == 0) {
        map_proof(&w, record, o, &e, &count);
        f.count = count;
    } else if (strcmp(kind, "ope_receipt_chain") == 0 && prova_json_is_array(record)) {
        map_ope_receipts(&w, record, NULL, NULL, NULL, &e, &f);
    } else if (strcmp(kind, "ope_receipt") == 0 && prova_json_is_object(record)) {
        map_ope_receipts(&w, NULL, record, NULL, NULL, &e, &f);
    } else if (strcmp(kind, "ope_bundle") == 0) {
        const prova_json *b = prova_json_get(record, "bundle"), *rc = prova_json_get(b, "receipts");
        if (!prova_json_is_array(rc)) {
            w_fail(&w, PROVA_EINVAL, "openlineage_field_invalid", "the bundle has no receipts array",
                   "/bundle/receipts");
        } else {
            map_ope_receipts(&w, rc, NULL, b, record, &e, &f);
        }
    } else if (strcmp(kind, "ope_envelope") == 0 && prova_json_is_object(record)) {
        map_ope_envelope(&w, record, &e, &f);
    } else if (strcmp(kind, "oe_chain") == 0) {
        map_oe(&w, record, NULL, &e, &f);
    } else if (strcmp(kind, "oe_bundle") == 0) {
        map_oe(&w, prova_json_get(record, "chain"), record, &e, &f);
    } else {
        w_fail(&w, PROVA_EINVAL, "openlineage_unknown_kind", "not a record of a known family", NULL);
    }
    if (w.r == 0 && f.count == 0)
        w_fail(&w, PROVA_EINVAL, "openlineage_no_event", "the record has no event of the selected type", NULL);
    if (w.r < 0) {
        out->len = mark;
        if (w.r == PROVA_ENOMEM)
            prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        else if (w.r == PROVA_ESYNTAX && (!reterr || !reterr->reason))
            prova__fail(reterr, PROVA_ESYNTAX, "openlineage_string_invalid", "a string is not valid UTF-8");
        return w.r;
    }
    if (ret_count) *ret_count = f.count;
    return 0;
}
