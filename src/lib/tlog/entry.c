/* Log entries (prova/logentry.h, docs/tlog.md "Log entries"): the statement of one logged record, written as JCS
 * (RFC 8785) and parsed back strictly. One table drives both directions: which members each kind has. The writer
 * emits the members in JCS order directly (every member name is ASCII, so code unit order is byte order), the
 * parser accepts exactly the bytes the writer would write for what it read. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "prova/logentry.h"

/* Members a kind may have, as bits. */
enum {
    M_TRACE = 1u << 0,
    M_CHAIN = 1u << 1,
    M_CERT = 1u << 2,
    M_STATUS = 1u << 3,
    M_HOP = 1u << 4,
    M_SEQ = 1u << 5,
};

static const struct kind_row {
    prova_log_kind kind;
    const char *family;
    const char *name;
    unsigned members;
} kinds[] = {
    {PROVA_LOG_OPE_RECEIPT, "ope", "receipt", M_TRACE | M_HOP},
    {PROVA_LOG_OE_EVENT, "oe", "event", M_CHAIN | M_SEQ},
    {PROVA_LOG_OE_CERTIFICATE, "oe", "certificate", M_CHAIN | M_CERT},
    {PROVA_LOG_OE_STATUS, "oe", "status", M_CERT | M_STATUS},
    {PROVA_LOG_PROOF_RECORD, "proof", "proof_record", 0},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

#define STR_MAX 1024
/* Positions are JSON numbers that every reader (JavaScript, Python's json) reads exactly: at most 2^53 - 1. */
#define POSITION_MAX ((INT64_C(1) << 53) - 1)

static const struct kind_row *row_of(prova_log_kind k) {
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].kind == k) return &kinds[i];
    return NULL;
}

const char *prova_log_kind_family(prova_log_kind k) {
    const struct kind_row *r = row_of(k);
    return r ? r->family : NULL;
}

const char *prova_log_kind_name(prova_log_kind k) {
    const struct kind_row *r = row_of(k);
    return r ? r->name : NULL;
}

size_t prova_log_entry_sizeof(void) {
    return sizeof(prova_log_entry);
}

static int fail_at(prova_error *reterr, int status, const char *reason, const char *message, const char *member) {
    prova__fail(reterr, status, reason, message);
    if (reterr && member) snprintf(reterr->pointer, sizeof reterr->pointer, "/%s", member);
    return status;
}

/* "<alg>:<lowercase hex of the algorithm's length>" */
static bool digest_ok(const char *d) {
    const char *colon = strchr(d, ':');
    if (!colon || colon == d || colon - d > 16) return false;
    char name[17];
    memcpy(name, d, (size_t)(colon - d));
    name[colon - d] = '\0';
    prova_hash_alg alg;
    if (prova_hash_lookup(name, &alg) < 0 || strcmp(prova_hash_name(alg), name) != 0) return false;
    const char *hex = colon + 1;
    size_t n = strlen(hex);
    if (n != 2 * prova_hash_size(alg)) return false;
    for (size_t i = 0; i < n; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'))) return false;
    return true;
}

static bool text_ok(const char *s) {
    size_t n = strlen(s);
    return n >= 1 && n <= STR_MAX && prova_utf8_valid(s, n);
}

/* Checks e against its kind's row; the row, or NULL with reterr set (*ret_status the status). */
static const struct kind_row *check(const prova_log_entry *e, prova_error *reterr, int *ret_status) {
    const struct kind_row *r = row_of(e->kind);
    *ret_status = PROVA_EINVAL;
    if (!r) return prova__fail(reterr, PROVA_EINVAL, "log_entry_kind", "unknown log entry kind"), NULL;
    const struct {
        unsigned bit;
        const char *name;
        const char *value;
    } strs[] = {
        {M_TRACE, "trace_id", e->trace_id},
        {M_CHAIN, "chain_id", e->chain_id},
        {M_CERT, "certificate_id", e->certificate_id},
        {M_STATUS, "status", e->status},
    };
    if (!e->digest)
        return fail_at(reterr, PROVA_EINVAL, "log_entry_member_missing", "digest is required", "digest"), NULL;
    if (!e->time) return fail_at(reterr, PROVA_EINVAL, "log_entry_member_missing", "time is required", "time"), NULL;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        bool want = r->members & strs[i].bit;
        if (want && !strs[i].value)
            return fail_at(reterr, PROVA_EINVAL, "log_entry_member_missing", "a member of this kind is missing",
                           strs[i].name),
                   NULL;
        if (!want && strs[i].value)
            return fail_at(reterr, PROVA_EINVAL, "log_entry_member_unexpected", "this kind has no such member",
                           strs[i].name),
                   NULL;
        if (want && !text_ok(strs[i].value))
            return fail_at(reterr, PROVA_EINVAL, "log_entry_value", "must be 1-1024 bytes of UTF-8", strs[i].name),
                   NULL;
    }
    if (!digest_ok(e->digest))
        return fail_at(reterr, PROVA_EINVAL, "log_entry_digest",
                       "digest must be <alg>:<lowercase hex> of a known hash algorithm", "digest"),
               NULL;
    if (!text_ok(e->time))
        return fail_at(reterr, PROVA_EINVAL, "log_entry_value", "must be 1-1024 bytes of UTF-8", "time"), NULL;
    if ((r->members & M_STATUS) && strcmp(e->status, "revoked") != 0 && strcmp(e->status, "superseded") != 0)
        return fail_at(reterr, PROVA_EINVAL, "log_entry_value", "status must be revoked or superseded", "status"), NULL;
    bool positioned = r->members & (M_HOP | M_SEQ);
    if (positioned ? (e->position < 0 || e->position > POSITION_MAX) : e->position != 0)
        return fail_at(reterr, PROVA_EINVAL, "log_entry_value",
                       positioned ? "the position must be 0 .. 2^53-1" : "this kind has no position",
                       positioned ? (r->members & M_HOP ? "hop" : "seq") : NULL),
               NULL;
    return r;
}

static int put(prova_buf *out, const char *s) {
    return prova_buf_append(out, s, strlen(s));
}

/* ,"name":"value" (or without the comma for the first member) */
static int put_str(prova_buf *out, const char *name, const char *value, bool first) {
    int rc = put(out, first ? "\"" : ",\"");
    if (rc == 0) rc = put(out, name);
    if (rc == 0) rc = put(out, "\":");
    if (rc == 0) rc = prova_canon_write_string(value, strlen(value), PROVA_PROFILE_JCS, out);
    return rc;
}

static int put_int(prova_buf *out, const char *name, int64_t v) {
    char t[48];
    snprintf(t, sizeof t, ",\"%s\":%" PRId64, name, v);
    return put(out, t);
}

int prova_log_entry_write(const prova_log_entry *e, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!e || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    int status;
    const struct kind_row *r = check(e, reterr, &status);
    if (!r) return status;
    size_t mark = out->len;
    /* JCS order: certificate_id chain_id digest family format hop kind seq status time trace_id */
    int rc = put(out, "{");
    bool first = true;
    if (rc == 0 && e->certificate_id) rc = put_str(out, "certificate_id", e->certificate_id, first), first = false;
    if (rc == 0 && e->chain_id) rc = put_str(out, "chain_id", e->chain_id, first), first = false;
    if (rc == 0) rc = put_str(out, "digest", e->digest, first);
    if (rc == 0) rc = put_str(out, "family", r->family, false);
    if (rc == 0) rc = put_str(out, "format", PROVA_LOG_ENTRY_FORMAT, false);
    if (rc == 0 && (r->members & M_HOP)) rc = put_int(out, "hop", e->position);
    if (rc == 0) rc = put_str(out, "kind", r->name, false);
    if (rc == 0 && (r->members & M_SEQ)) rc = put_int(out, "seq", e->position);
    if (rc == 0 && e->status) rc = put_str(out, "status", e->status, false);
    if (rc == 0) rc = put_str(out, "time", e->time, false);
    if (rc == 0 && e->trace_id) rc = put_str(out, "trace_id", e->trace_id, false);
    if (rc == 0) rc = put(out, "}");
    if (rc < 0) {
        out->len = mark;
        return prova__fail(reterr, rc == PROVA_ENOMEM ? rc : PROVA_EINVAL,
                           rc == PROVA_ENOMEM ? "out_of_memory" : "log_entry_value", "cannot write the entry");
    }
    return 0;
}

/* ---- Parsing ------------------------------------------------------------------------------------------------- */

static const char *const known[] = {"certificate_id", "chain_id", "digest", "family", "format",  "hop",
                                    "kind",           "seq",      "status", "time",   "trace_id"};

static int parse_into(const prova_json *root, prova_log_entry *e, prova_error *reterr) {
    if (!prova_json_is_object(root))
        return prova__fail(reterr, PROVA_EINVAL, "log_entry_type", "a log entry is a JSON object");
    for (size_t i = 0; i < root->len; i++) {
        const prova_json *k = &root->u.members[i].key;
        bool ok = false;
        for (size_t j = 0; j < sizeof known / sizeof known[0]; j++) ok = ok || prova_json_str_eq(k, known[j]);
        if (!ok) return prova__fail(reterr, PROVA_EINVAL, "log_entry_member_unknown", "a member no entry has");
    }
    const prova_json *format = prova_json_get(root, "format");
    if (!format) return fail_at(reterr, PROVA_EINVAL, "log_entry_member_missing", "format is required", "format");
    if (!prova_json_str_eq(format, PROVA_LOG_ENTRY_FORMAT))
        return fail_at(reterr, PROVA_EUNSUPPORTED, "log_entry_format", "not a " PROVA_LOG_ENTRY_FORMAT " entry",
                       "format");
    const prova_json *family = prova_json_get(root, "family"), *kind = prova_json_get(root, "kind");
    const struct kind_row *r = NULL;
    for (size_t i = 0; i < NKINDS && family && kind; i++)
        if (prova_json_str_eq(family, kinds[i].family) && prova_json_str_eq(kind, kinds[i].name)) r = &kinds[i];
    if (!r) return prova__fail(reterr, PROVA_EINVAL, "log_entry_kind", "unknown family and kind");
    memset(e, 0, sizeof *e);
    e->kind = r->kind;
    const struct {
        const char *name;
        const char **dst;
    } strs[] = {
        {"digest", &e->digest},     {"time", &e->time},     {"trace_id", &e->trace_id},
        {"chain_id", &e->chain_id}, {"status", &e->status}, {"certificate_id", &e->certificate_id},
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        const prova_json *v = prova_json_get(root, strs[i].name);
        if (!v) continue; /* missing or unexpected: prova_log_entry_write's check says which */
        if (!prova_json_is_string(v) || strlen(v->u.str) != v->len)
            return fail_at(reterr, PROVA_EINVAL, "log_entry_type", "must be a string without NUL", strs[i].name);
        *strs[i].dst = v->u.str;
    }
    const char *pos_name = r->members & M_HOP ? "hop" : r->members & M_SEQ ? "seq" : NULL;
    for (size_t i = 0; i < 2; i++) {
        const char *name = i ? "seq" : "hop";
        const prova_json *v = prova_json_get(root, name);
        if (!v && pos_name && strcmp(name, pos_name) == 0)
            return fail_at(reterr, PROVA_EINVAL, "log_entry_member_missing", "the position is required", name);
        if (!v) continue;
        if (!pos_name || strcmp(name, pos_name) != 0)
            return fail_at(reterr, PROVA_EINVAL, "log_entry_member_unexpected", "this kind has no such member", name);
        if (!prova_json_is_int(v) || prova_json_get_int64(v, &e->position) < 0)
            return fail_at(reterr, PROVA_EINVAL, "log_entry_type", "the position must be an integer", name);
    }
    return 0;
}

int prova_log_entry_parse(const void *data, size_t len, prova_log_entry *ret, prova_doc **ret_doc,
                          prova_error *reterr) {
    prova_error_clear(reterr);
    if (!data || !ret || !ret_doc) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    *ret_doc = NULL;
    prova_doc *doc = NULL;
    prova_parse_options po = {0};
    po.max_depth = 4;
    po.max_size = 64 * 1024;
    int rc = prova_json_parse(data, len, &po, &doc, reterr);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0) {
        if (reterr) reterr->reason = "log_entry_json";
        return PROVA_ESYNTAX;
    }
    prova_log_entry e;
    rc = parse_into(prova_doc_root(doc), &e, reterr);
    prova_buf again = PROVA_BUF_INIT;
    if (rc == 0) rc = prova_log_entry_write(&e, &again, reterr);
    if (rc == 0 && (again.len != len || memcmp(again.data, data, len) != 0))
        rc = prova__fail(reterr, PROVA_ESYNTAX, "log_entry_not_canonical",
                         "the bytes are not the entry's JCS form (RFC 8785)");
    prova_buf_free(&again);
    if (rc < 0) {
        prova_doc_free(doc);
        return rc;
    }
    *ret = e;
    *ret_doc = doc;
    return 0;
}
