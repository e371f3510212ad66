/* RO-Crate 1.2 metadata for a record of any family (ophamin.md §10 for proof records, docs/rocrate.md for the
 * others). The store-only zip writer of prova/rocrate.h is zip.c.
 *
 * The metadata is built in two steps: the graph is first written as compact JSON text (every string through the
 * ophamin string writer, so a proof record's lone surrogates and NaN survive), then that text is parsed again and
 * written out the way Python's json.dumps(metadata, indent=2, sort_keys=True) writes it. The parsed document keeps
 * its members in code point order, which is Python's sort_keys order. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "prova/crypto.h"
#include "prova/interop.h"
#include "prova/rocrate.h"

/* U+2014 EM DASH and U+2013 EN DASH, which the reference's strings hold (written as \u2014 / \u2013). */
#define EM_DASH "\xe2\x80\x94"
#define EN_DASH "\xe2\x80\x93"

/* ---- A sticky-error JSON text builder ------------------------------------------------------------------- */

typedef struct tb {
    prova_buf buf;
    int rc;
} tb;

static void rawn(tb *t, const void *s, size_t n) {
    if (!t->rc) t->rc = prova_buf_append(&t->buf, s, n);
}
static void raw(tb *t, const char *s) {
    rawn(t, s, strlen(s));
}

/* A JSON string literal of n bytes of s: strict UTF-8, or the generalized UTF-8 of a parsed proof record (lone
 * surrogates), written with the ophamin string rules. */
static void jstrn(tb *t, const char *s, size_t n) {
    if (t->rc) return;
    if (n > UINT32_MAX) {
        t->rc = PROVA_ELIMIT;
        return;
    }
    prova_json tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.type = PROVA_JSON_STRING;
    tmp.len = (uint32_t)n;
    tmp.u.str = s;
    t->rc = prova_canon_write(&tmp, PROVA_PROFILE_OPHAMIN, &t->buf, NULL);
}
static void jstr(tb *t, const char *s) {
    jstrn(t, s, strlen(s));
}
static void jval(tb *t, const prova_json *v) {
    if (!t->rc) t->rc = prova_canon_write(v, PROVA_PROFILE_OPHAMIN, &t->buf, NULL);
}

/* A string made of parts: open, parts (escaped, without their quotes), close. */
static void cat_open(tb *t) {
    raw(t, "\"");
}
static void cat_part(tb *t, const char *s, size_t n) {
    size_t at = t->buf.len;
    jstrn(t, s, n);
    if (t->rc) return;
    memmove(t->buf.data + at, t->buf.data + at + 1, t->buf.len - at - 2);
    t->buf.len -= 2;
}
static void cat_lit(tb *t, const char *s) {
    cat_part(t, s, strlen(s));
}
static void cat_json(tb *t, const prova_json *v) {
    cat_part(t, v->u.str, v->len);
}
static void cat_close(tb *t) {
    raw(t, "\"");
}

/* Members end with ','; close() turns a trailing ',' into the closing bracket. */
static void close_with(tb *t, char c) {
    if (t->rc) return;
    if (t->buf.len && t->buf.data[t->buf.len - 1] == ',')
        t->buf.data[t->buf.len - 1] = (uint8_t)c;
    else
        rawn(t, &c, 1);
    raw(t, ",");
}
static void key(tb *t, const char *k) {
    jstr(t, k);
    raw(t, ":");
}
static void m_lit(tb *t, const char *k, const char *s) {
    key(t, k);
    jstr(t, s);
    raw(t, ",");
}
static void m_val(tb *t, const char *k, const prova_json *v) {
    key(t, k);
    jval(t, v);
    raw(t, ",");
}
static void m_ref(tb *t, const char *k, const char *id) {
    key(t, k);
    raw(t, "{\"@id\":");
    jstr(t, id);
    raw(t, "},");
}
static void m_uint(tb *t, const char *k, uint64_t n) {
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)n);
    key(t, k);
    raw(t, num);
    raw(t, ",");
}
static void ref_item(tb *t, const char *id) {
    raw(t, "{\"@id\":");
    jstr(t, id);
    raw(t, "},");
}

/* ---- Python str helpers (code points, str.isspace) ------------------------------------------------------ */

/* Length of the (generalized) UTF-8 sequence that starts with byte c. */
static size_t seq_len(uint8_t c) {
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static uint32_t decode_at(const uint8_t *s, size_t n) {
    switch (n) {
    case 1:
        return s[0];
    case 2:
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3Fu);
    case 3:
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3Fu);
    default:
        return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
               (s[3] & 0x3Fu);
    }
}

/* Bytes of the first k code points of s (Python s[:k]). */
static size_t cp_prefix(const char *s, size_t n, size_t k) {
    size_t i = 0;
    while (i < n && k) {
        size_t l = seq_len((uint8_t)s[i]);
        i += l <= n - i ? l : n - i;
        k--;
    }
    return i;
}

/* Python's str.isspace(): bidirectional class WS, B or S, or category Zs. */
static bool py_isspace(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Python s.strip(): *ret_off, *ret_n = the span without leading and trailing whitespace. */
static void py_strip(const char *s, size_t n, size_t *ret_off, size_t *ret_n) {
    const uint8_t *u = (const uint8_t *)s;
    size_t b = 0, e = n;
    while (b < e) {
        size_t l = seq_len(u[b]);
        if (l > e - b || !py_isspace(decode_at(u + b, l))) break;
        b += l;
    }
    while (e > b) {
        size_t p = e - 1;
        while (p > b && (u[p] & 0xC0) == 0x80 && e - p < 4) p--;
        size_t l = seq_len(u[p]);
        if (l != e - p || !py_isspace(decode_at(u + p, l))) break;
        e = p;
    }
    *ret_off = b;
    *ret_n = e - b;
}

/* A truthy Python value as the reference's `if x:` tests it: a non-empty string, a non-zero integer. */
static bool truthy_str(const prova_json *v) {
    return prova_json_is_string(v) && v->len > 0;
}
static bool truthy_int(const prova_json *v) {
    if (!prova_json_is_int(v)) return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (v->u.str[i] >= '1' && v->u.str[i] <= '9') return true;
    return false;
}

/* ---- Field access with errors --------------------------------------------------------------------------- */

static int field_fail(prova_error *err, const char *pointer, const char *message) {
    prova__fail(err, PROVA_ESYNTAX, "rocrate_field_invalid", message);
    if (err) snprintf(err->pointer, sizeof err->pointer, "%s", pointer);
    return PROVA_ESYNTAX;
}

/* A required string member. */
static const prova_json *req_str(const prova_json *obj, const char *k, const char *ptr, prova_error *err, int *rc) {
    const prova_json *v = prova_json_get(obj, k);
    if (*rc == 0 && !prova_json_is_string(v))
        *rc = field_fail(err, ptr, "a member the RO-Crate graph needs is missing or not a string");
    return v;
}
/* An optional string member: NULL when absent or null; an error for another type. */
static const prova_json *opt_str(const prova_json *obj, const char *k, const char *ptr, prova_error *err, int *rc) {
    const prova_json *v = prova_json_get(obj, k);
    if (!v || prova_json_is_null(v)) return NULL;
    if (*rc == 0 && !prova_json_is_string(v)) *rc = field_fail(err, ptr, "an optional member is not a string");
    return prova_json_is_string(v) ? v : NULL;
}

/* ---- Proof records: the reference's to_ro_crate_metadata() (ophamin.md §10) ----------------------------- */

typedef struct proof_fields {
    const prova_json *statement, *outcome, *created_at, *schema_version, *signature, *datasets, *substrate_name,
        *substrate_commit, *metric, *units, *observed, *reasoning, *command, *lineage, *version, *git_commit;
} proof_fields;

static const prova_json empty_string = {PROVA_JSON_STRING, 0, 0, 0, {""}};
static const prova_json corpus_string = {PROVA_JSON_STRING, 0, 0, 6, {"corpus"}};

static int proof_fields_get(const prova_json *rec, proof_fields *f, prova_error *err) {
    int rc = 0;
    const prova_json *identity = prova_json_get(rec, "identity"), *claim = prova_json_get(rec, "claim"),
                     *verdict = prova_json_get(rec, "verdict"), *data = prova_json_get(rec, "data"),
                     *repro = prova_json_get(rec, "reproduction");
    f->statement = req_str(claim, "statement", "/claim/statement", err, &rc);
    f->outcome = req_str(verdict, "outcome", "/verdict/outcome", err, &rc);
    f->created_at = req_str(identity, "created_at", "/identity/created_at", err, &rc);
    f->schema_version = req_str(rec, "schema_version", "/schema_version", err, &rc);
    f->signature = opt_str(rec, "signature", "/signature", err, &rc);
    f->datasets = prova_json_get(data, "datasets");
    if (rc == 0 && !prova_json_is_array(f->datasets))
        rc = field_fail(err, "/data/datasets", "data.datasets is missing or not an array");
    for (size_t i = 0; rc == 0 && i < prova_json_len(f->datasets); i++) {
        const prova_json *d = prova_json_at(f->datasets, i);
        char ptr[80];
        snprintf(ptr, sizeof ptr, "/data/datasets/%zu", i);
        if (!prova_json_is_object(d)) {
            rc = field_fail(err, ptr, "a dataset is not an object");
            break;
        }
        size_t pl = strlen(ptr);
        snprintf(ptr + pl, sizeof ptr - pl, "/name");
        (void)req_str(d, "name", ptr, err, &rc);
        snprintf(ptr + pl, sizeof ptr - pl, "/content_hash");
        (void)req_str(d, "content_hash", ptr, err, &rc);
        snprintf(ptr + pl, sizeof ptr - pl, "/kind");
        (void)opt_str(d, "kind", ptr, err, &rc);
        snprintf(ptr + pl, sizeof ptr - pl, "/source");
        (void)opt_str(d, "source", ptr, err, &rc);
        const prova_json *nr = prova_json_get(d, "n_records");
        snprintf(ptr + pl, sizeof ptr - pl, "/n_records");
        if (rc == 0 && nr && !prova_json_is_null(nr) && !prova_json_is_int(nr))
            rc = field_fail(err, ptr, "n_records is not an integer");
    }
    f->substrate_name = opt_str(data, "substrate_name", "/data/substrate_name", err, &rc);
    f->substrate_commit = opt_str(data, "substrate_git_commit", "/data/substrate_git_commit", err, &rc);
    /* The verdict's threshold (the claim's when the verdict has none): they are the same object in every record
       the reference writes. */
    const prova_json *th = prova_json_get(verdict, "threshold");
    const char *thp = "/verdict/threshold";
    if (!prova_json_is_object(th)) {
        th = prova_json_get(claim, "threshold");
        thp = "/claim/threshold";
    }
    char ptr[64];
    snprintf(ptr, sizeof ptr, "%s/metric", thp);
    f->metric = req_str(th, "metric", ptr, err, &rc);
    snprintf(ptr, sizeof ptr, "%s/units", thp);
    f->units = opt_str(th, "units", ptr, err, &rc);
    if (!f->units) f->units = &empty_string; /* from_dict's default */
    f->observed = prova_json_get(verdict, "observed_value");
    if (rc == 0 && !prova_json_is_number(f->observed))
        rc = field_fail(err, "/verdict/observed_value", "verdict.observed_value is missing or not a number");
    f->reasoning = req_str(verdict, "reasoning", "/verdict/reasoning", err, &rc);
    f->command = req_str(repro, "command", "/reproduction/command", err, &rc);
    f->lineage = prova_json_get(repro, "lineage_chain");
    if (prova_json_is_null(f->lineage)) f->lineage = NULL;
    if (rc == 0 && f->lineage && !prova_json_is_array(f->lineage))
        rc = field_fail(err, "/reproduction/lineage_chain", "reproduction.lineage_chain is not an array");
    for (size_t i = 0; rc == 0 && i < prova_json_len(f->lineage); i++)
        if (!prova_json_is_string(prova_json_at(f->lineage, i))) {
            snprintf(ptr, sizeof ptr, "/reproduction/lineage_chain/%zu", i);
            rc = field_fail(err, ptr, "a lineage_chain entry is not a string");
        }
    f->version = opt_str(identity, "ophamin_version", "/identity/ophamin_version", err, &rc);
    f->git_commit = opt_str(identity, "ophamin_git_commit", "/identity/ophamin_git_commit", err, &rc);
    return rc;
}

/* "#dataset-<content_hash[:16] or 'unknown'>" as a string value. */
static void dataset_id(tb *t, const prova_json *d) {
    const prova_json *ch = prova_json_get(d, "content_hash");
    cat_open(t);
    cat_lit(t, "#dataset-");
    if (ch->len)
        cat_part(t, ch->u.str, cp_prefix(ch->u.str, ch->len, 16));
    else
        cat_lit(t, "unknown");
    cat_close(t);
}

static void descriptor(tb *t) {
    raw(t, "{");
    m_lit(t, "@id", PROVA_ROCRATE_METADATA_FILENAME);
    m_lit(t, "@type", "CreativeWork");
    m_ref(t, "about", "./");
    m_ref(t, "conformsTo", PROVA_ROCRATE_CONFORMS_TO);
    close_with(t, '}');
}

static void proof_graph(tb *t, const prova_json *rec, const prova_record_info *info, const char *fname,
                        const proof_fields *f) {
    descriptor(t);

    /* 2. The root dataset. */
    raw(t, "{");
    m_lit(t, "@id", "./");
    m_lit(t, "@type", "Dataset");
    key(t, "name");
    cat_open(t);
    cat_lit(t, "Ophamin Empirical Proof Record " EM_DASH " ");
    cat_part(t, info->digest, info->digest[0] ? cp_prefix(info->digest, strlen(info->digest), 16) : 0);
    if (!info->digest[0]) cat_lit(t, "unknown");
    cat_close(t);
    raw(t, ",");
    key(t, "description");
    size_t off, n;
    py_strip(f->statement->u.str, f->statement->len, &off, &n);
    cat_open(t);
    cat_lit(t, "Self-contained empirical observation of: ");
    cat_part(t, f->statement->u.str + off, n);
    cat_lit(t, " " EM_DASH " Verdict: ");
    cat_json(t, f->outcome);
    cat_lit(t, ".");
    cat_close(t);
    raw(t, ",");
    m_val(t, "datePublished", f->created_at);
    m_lit(t, "identifier", info->digest);
    key(t, "conformsTo");
    raw(t, "[{\"@id\":");
    jstr(t, PROVA_ROCRATE_CONFORMS_TO);
    raw(t, "},{\"@id\":");
    cat_open(t);
    cat_lit(t, "https://ophamin.org/schema/");
    cat_json(t, f->schema_version);
    cat_close(t);
    raw(t, "}],");
    key(t, "hasPart");
    raw(t, "[");
    ref_item(t, fname);
    for (size_t i = 0; i < prova_json_len(f->datasets); i++) {
        raw(t, "{\"@id\":");
        dataset_id(t, prova_json_at(f->datasets, i));
        raw(t, "},");
    }
    close_with(t, ']');
    m_ref(t, "mainEntity", fname);
    close_with(t, '}');

    /* 3. The proof file. */
    raw(t, "{");
    m_lit(t, "@id", fname);
    m_lit(t, "@type", "File");
    m_lit(t, "name", "Empirical Proof Record (signed)");
    m_lit(t, "description",
          "JSON encoding of the Ophamin EmpiricalProofRecord " EM_DASH " sections 1" EN_DASH "8 (claim, "
          "preregistration, data, evidence, verdict, reproduction, provenance) plus the \xc2\xa7"
          "9 HMAC-SHA256 signature. See SCHEMAS.md for the canonical-form spec.");
    m_lit(t, "encodingFormat", "application/json");
    if (truthy_str(f->signature))
        m_val(t, "identifier", f->signature);
    else
        m_lit(t, "identifier", info->digest);
    close_with(t, '}');

    /* 4. One entity per DatasetRef. */
    for (size_t i = 0; i < prova_json_len(f->datasets); i++) {
        const prova_json *d = prova_json_at(f->datasets, i);
        const prova_json *kind = prova_json_get(d, "kind"), *source = prova_json_get(d, "source"),
                         *nrec = prova_json_get(d, "n_records");
        raw(t, "{");
        key(t, "@id");
        dataset_id(t, d);
        raw(t, ",");
        m_lit(t, "@type", "Dataset");
        m_val(t, "name", prova_json_get(d, "name"));
        m_val(t, "identifier", prova_json_get(d, "content_hash"));
        m_val(t, "additionalType", prova_json_is_string(kind) ? kind : &corpus_string);
        if (truthy_str(source)) m_val(t, "url", source);
        if (truthy_int(nrec)) {
            key(t, "size");
            raw(t, "{");
            m_lit(t, "@type", "QuantitativeValue");
            m_val(t, "value", nrec);
            m_lit(t, "unitText", "records");
            close_with(t, '}');
        }
        close_with(t, '}');
    }

    /* 5. The substrate under test. */
    if (truthy_str(f->substrate_name)) {
        raw(t, "{");
        key(t, "@id");
        cat_open(t);
        cat_lit(t, "#substrate-");
        cat_json(t, f->substrate_name);
        if (truthy_str(f->substrate_commit)) {
            cat_lit(t, "@");
            cat_part(t, f->substrate_commit->u.str,
                     cp_prefix(f->substrate_commit->u.str, f->substrate_commit->len, 12));
        }
        cat_close(t);
        raw(t, ",");
        m_lit(t, "@type", "SoftwareApplication");
        m_val(t, "name", f->substrate_name);
        m_lit(t, "applicationCategory", "substrate-under-test");
        if (truthy_str(f->substrate_commit)) m_val(t, "softwareVersion", f->substrate_commit);
        close_with(t, '}');
    }

    /* 6. The verdict. observed_value is a float in the reference's dataclass (from_dict coerces it). */
    raw(t, "{");
    m_lit(t, "@id", "#verdict");
    m_lit(t, "@type", "AssessAction");
    key(t, "name");
    cat_open(t);
    cat_lit(t, "Verdict " EM_DASH " ");
    cat_json(t, f->outcome);
    cat_close(t);
    raw(t, ",");
    key(t, "result");
    raw(t, "{");
    m_lit(t, "@type", "PropertyValue");
    m_val(t, "propertyID", f->metric);
    key(t, "value");
    double dv;
    char num[32];
    size_t nl;
    if (!(f->observed->flags & PROVA_NUM_FLOAT) && prova_json_get_double(f->observed, &dv) == 0 &&
        (nl = prova_canon_format_double(dv, PROVA_PROFILE_OPHAMIN, num)) > 0)
        rawn(t, num, nl);
    else
        jval(t, f->observed);
    raw(t, ",");
    m_val(t, "unitText", f->units);
    close_with(t, '}');
    m_val(t, "description", f->reasoning);
    m_lit(t, "actionStatus", "CompletedActionStatus");
    m_val(t, "additionalType", f->outcome);
    close_with(t, '}');

    /* 7. The reproduction command. */
    raw(t, "{");
    m_lit(t, "@id", "#reproduction");
    m_lit(t, "@type", "SoftwareSourceCode");
    m_lit(t, "name", "Reproduction command");
    m_val(t, "text", f->command);
    m_lit(t, "programmingLanguage", "shell");
    m_lit(t, "description",
          "Run this command from a clean Ophamin checkout to reproduce the empirical observation "
          "that produced this proof.");
    if (prova_json_len(f->lineage)) {
        key(t, "isBasedOn");
        raw(t, "[");
        for (size_t i = 0; i < prova_json_len(f->lineage); i++) {
            const prova_json *a = prova_json_at(f->lineage, i);
            raw(t, "{\"@id\":");
            cat_open(t);
            cat_lit(t, "#proof-");
            cat_part(t, a->u.str, cp_prefix(a->u.str, a->len, 16));
            cat_close(t);
            raw(t, "},");
        }
        close_with(t, ']');
    }
    close_with(t, '}');

    /* 8. Ophamin itself. */
    raw(t, "{");
    m_lit(t, "@id", "#ophamin");
    m_lit(t, "@type", "SoftwareApplication");
    m_lit(t, "name", "Ophamin");
    if (truthy_str(f->version))
        m_val(t, "softwareVersion", f->version);
    else
        m_lit(t, "softwareVersion", PROVA_VERSION_STRING);
    m_lit(t, "url", "https://github.com/IdirBenSlama/Ophamin");
    m_lit(t, "description",
          "Ophamin " EM_DASH " an empirical observatory framework producing content-addressed, "
          "HMAC-signed proof records of falsifiable claims about a substrate under test.");
    if (truthy_str(f->git_commit)) m_val(t, "identifier", f->git_commit);
    close_with(t, '}');
    (void)rec;
}

/* ---- OPE and OpenExecution records ---------------------------------------------------------------------- */

typedef struct kind_entry {
    const char *kind, *file, *file_jsonl, *title;
} kind_entry;

static const kind_entry kinds[] = {
    {"proof_record", PROVA_ROCRATE_PROOF_FILENAME, NULL, "Ophamin empirical proof record"},
    {"ope_envelope", "ope_envelope.json", NULL, "ODIN OPE v1 envelope"},
    {"ope_receipt", "ope_receipt.json", NULL, "ODIN OPE v1 gateway receipt"},
    {"ope_receipt_chain", "ope_receipt_chain.json", "ope_receipt_chain.jsonl", "ODIN OPE v1 receipt chain"},
    {"ope_bundle", "ope_bundle.json", NULL, "ODIN OPE v1 trace bundle"},
    {"oe_bundle", "oe_bundle.json", NULL, "OpenExecution v2 certificate bundle"},
    {"oe_chain", "oe_chain.json", NULL, "OpenExecution v2 execution chain record"},
};

static const kind_entry *kind_find(const char *kind) {
    if (!kind) return NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].kind, kind) == 0) return &kinds[i];
    return NULL;
}

const char *prova_rocrate_filename(const char *kind, bool jsonl) {
    const kind_entry *k = kind_find(kind);
    if (!k) return NULL;
    return jsonl && k->file_jsonl ? k->file_jsonl : k->file;
}

#define MAX_KEYS 16 /* distinct gateway keys listed for a chain or bundle */

typedef struct keyset {
    const prova_json *kid[MAX_KEYS];
    size_t n;
} keyset;

static void keyset_add(keyset *ks, const prova_json *v) {
    if (!truthy_str(v) || ks->n == MAX_KEYS) return;
    for (size_t i = 0; i < ks->n; i++)
        if (ks->kid[i]->len == v->len && memcmp(ks->kid[i]->u.str, v->u.str, v->len) == 0) return;
    ks->kid[ks->n++] = v;
}

static void property_value(tb *t, const char *id, const char *name, const char *prop, const prova_json *v,
                           const char *vlit) {
    raw(t, "{");
    m_lit(t, "@id", id);
    m_lit(t, "@type", "PropertyValue");
    m_lit(t, "name", name);
    m_lit(t, "propertyID", prop);
    if (v)
        m_val(t, "value", v);
    else
        m_lit(t, "value", vlit);
    close_with(t, '}');
}

/* The contextual entities of an OPE record; their @ids go to about (the ids are static or "#gateway-key-N"). */
typedef struct about_list {
    char id[MAX_KEYS + 4][24];
    size_t n;
} about_list;

static void about_add(about_list *a, const char *id) {
    if (a->n < sizeof a->id / sizeof a->id[0]) snprintf(a->id[a->n++], sizeof a->id[0], "%s", id);
}

static void ope_entities(tb *t, const prova_json *rec, const prova_record_info *info, about_list *about, bool emit) {
    const char *kind = info->kind;
    if (info->id[0]) {
        if (emit) {
            prova_json tid = {PROVA_JSON_STRING, 0, 0, (uint32_t)strlen(info->id), {info->id}};
            property_value(t, "#trace", "OPE trace", "trace_id", &tid, NULL);
        }
        about_add(about, "#trace");
    }
    if (strcmp(kind, "ope_envelope") == 0) {
        const prova_json *kid = prova_json_get(rec, "kid");
        if (!truthy_str(kid)) kid = prova_json_get(prova_json_get(rec, "sender"), "kid");
        if (truthy_str(kid)) {
            if (emit) property_value(t, "#sender-key", "OPE sender key", "kid", kid, NULL);
            about_add(about, "#sender-key");
        }
        return;
    }
    keyset ks = {{NULL}, 0};
    const prova_json *receipts = NULL;
    const prova_json *hop = NULL;
    if (strcmp(kind, "ope_receipt") == 0) {
        keyset_add(&ks, prova_json_get(rec, "gateway_kid"));
        hop = prova_json_get(rec, "hop");
    } else if (strcmp(kind, "ope_receipt_chain") == 0) {
        receipts = rec;
    } else { /* ope_bundle */
        const prova_json *b = prova_json_get(rec, "bundle");
        keyset_add(&ks, prova_json_get(b, "gateway_kid"));
        keyset_add(&ks, prova_json_get(rec, "kid"));
        receipts = prova_json_get(b, "receipts");
    }
    for (size_t i = 0; i < prova_json_len(receipts) && ks.n < MAX_KEYS; i++)
        keyset_add(&ks, prova_json_get(prova_json_at(receipts, i), "gateway_kid"));
    for (size_t i = 0; i < ks.n; i++) {
        char id[24];
        snprintf(id, sizeof id, "#gateway-key-%u", (unsigned)(i + 1) % 100u); /* i < MAX_KEYS */
        if (emit) property_value(t, id, "OPE gateway key", "kid", ks.kid[i], NULL);
        about_add(about, id);
    }
    if (hop && prova_json_is_int(hop)) {
        if (emit) property_value(t, "#hop", "OPE hop of this receipt", "hop", hop, NULL);
        about_add(about, "#hop");
    } else if (prova_json_is_array(receipts)) {
        if (emit) {
            raw(t, "{");
            m_lit(t, "@id", "#hops");
            m_lit(t, "@type", "PropertyValue");
            m_lit(t, "name", "OPE receipts (hops) in the trace");
            m_lit(t, "propertyID", "hops");
            m_uint(t, "value", receipts->len);
            close_with(t, '}');
        }
        about_add(about, "#hops");
    }
}

static void oe_entities(tb *t, const prova_json *rec, const prova_record_info *info, about_list *about, bool emit) {
    bool bundle = strcmp(info->kind, "oe_bundle") == 0;
    const prova_json *chain = bundle ? prova_json_get(rec, "chain") : rec;
    if (bundle) {
        const prova_json *cid = prova_json_get(rec, "certificate_id");
        const prova_json *issued = prova_json_get(prova_json_get(rec, "certificate"), "issued_at");
        const prova_json *status = prova_json_get(prova_json_get(rec, "status"), "status");
        if (emit) {
            raw(t, "{");
            m_lit(t, "@id", "#certificate");
            m_lit(t, "@type", "CreativeWork");
            m_lit(t, "name", "OpenExecution provenance certificate");
            if (prova_json_is_string(cid)) m_val(t, "identifier", cid);
            if (prova_json_is_string(issued)) m_val(t, "dateCreated", issued);
            if (prova_json_is_string(status)) m_val(t, "creativeWorkStatus", status);
            m_ref(t, "about", "#chain");
            close_with(t, '}');
        }
        about_add(about, "#certificate");
    }
    if (emit) {
        const prova_json *id = prova_json_get(chain, "id"), *status = prova_json_get(chain, "status"),
                         *created = prova_json_get(chain, "created_at"), *events = prova_json_get(chain, "events"),
                         *count = prova_json_get(chain, "event_count");
        raw(t, "{");
        m_lit(t, "@id", "#chain");
        m_lit(t, "@type", "CreativeWork");
        m_lit(t, "name", "OpenExecution execution chain");
        key(t, "identifier");
        raw(t, "[");
        if (prova_json_is_string(id)) {
            raw(t, "{");
            m_lit(t, "@type", "PropertyValue");
            m_lit(t, "propertyID", "chain_id");
            m_val(t, "value", id);
            close_with(t, '}');
        }
        raw(t, "{");
        m_lit(t, "@type", "PropertyValue");
        m_lit(t, "propertyID", "chain_hash");
        key(t, "value");
        cat_open(t);
        cat_lit(t, info->digest_alg);
        cat_lit(t, ":");
        cat_lit(t, info->digest);
        cat_close(t);
        raw(t, ",");
        close_with(t, '}');
        close_with(t, ']');
        if (prova_json_is_string(status)) m_val(t, "creativeWorkStatus", status);
        if (prova_json_is_string(created)) m_val(t, "dateCreated", created);
        if (prova_json_is_array(events) || prova_json_is_int(count)) {
            key(t, "size");
            raw(t, "{");
            m_lit(t, "@type", "QuantitativeValue");
            if (prova_json_is_array(events))
                m_uint(t, "value", events->len);
            else
                m_val(t, "value", count);
            m_lit(t, "unitText", "events");
            close_with(t, '}');
        }
        close_with(t, '}');
    }
    about_add(about, "#chain");
    const prova_json *pk = bundle ? prova_json_get(rec, "public_key") : NULL;
    if (truthy_str(pk)) {
        if (emit)
            property_value(t, "#issuer-key", "OpenExecution certificate issuer public key", "public_key", pk, NULL);
        about_add(about, "#issuer-key");
    }
}

static void other_graph(tb *t, const prova_json *rec, const prova_record_info *info, const char *fname,
                        const void *file_data, size_t file_len, const char *sha256_hex) {
    const kind_entry *k = kind_find(info->kind);
    const char *title = k ? k->title : info->kind;
    descriptor(t);

    raw(t, "{");
    m_lit(t, "@id", "./");
    m_lit(t, "@type", "Dataset");
    key(t, "name");
    cat_open(t);
    cat_lit(t, "prova ");
    cat_lit(t, info->kind);
    cat_lit(t, " ");
    cat_part(t, info->digest, cp_prefix(info->digest, strlen(info->digest), 16));
    cat_close(t);
    raw(t, ",");
    key(t, "description");
    cat_open(t);
    cat_lit(t, "An ");
    cat_lit(t, title);
    cat_lit(t, ", packaged by prova with its content address.");
    cat_close(t);
    raw(t, ",");
    key(t, "identifier");
    cat_open(t);
    cat_lit(t, info->digest_alg);
    cat_lit(t, ":");
    cat_lit(t, info->digest);
    cat_close(t);
    raw(t, ",");
    if (info->time[0]) m_lit(t, "datePublished", info->time);
    m_ref(t, "conformsTo", PROVA_ROCRATE_CONFORMS_TO);
    key(t, "hasPart");
    raw(t, "[");
    ref_item(t, fname);
    close_with(t, ']');
    m_ref(t, "mainEntity", fname);
    close_with(t, '}');

    about_list about;
    memset(&about, 0, sizeof about);
    if (info->family == PROVA_RECORD_OPE)
        ope_entities(t, rec, info, &about, false);
    else
        oe_entities(t, rec, info, &about, false);

    size_t fl = strlen(fname);
    bool jsonl = fl >= 6 && strcmp(fname + fl - 6, ".jsonl") == 0;
    raw(t, "{");
    m_lit(t, "@id", fname);
    m_lit(t, "@type", "File");
    key(t, "name");
    cat_open(t);
    cat_lit(t, title);
    cat_lit(t, " (signed)");
    cat_close(t);
    raw(t, ",");
    m_lit(t, "encodingFormat", jsonl ? "application/jsonl" : "application/json");
    key(t, "identifier");
    cat_open(t);
    cat_lit(t, info->digest_alg);
    cat_lit(t, ":");
    cat_lit(t, info->digest);
    cat_close(t);
    raw(t, ",");
    m_lit(t, "sha256", sha256_hex);
    char size[24];
    snprintf(size, sizeof size, "%llu", (unsigned long long)file_len);
    m_lit(t, "contentSize", size);
    if (about.n) {
        key(t, "about");
        raw(t, "[");
        for (size_t i = 0; i < about.n; i++) ref_item(t, about.id[i]);
        close_with(t, ']');
    }
    close_with(t, '}');
    (void)file_data;

    if (info->family == PROVA_RECORD_OPE)
        ope_entities(t, rec, info, &about, true);
    else
        oe_entities(t, rec, info, &about, true);
}

/* ---- json.dumps(indent=2, sort_keys=True) --------------------------------------------------------------- */

static int indent(prova_buf *out, size_t depth) {
    static const char spaces[] = "                                ";
    int rc = prova_buf_append(out, "\n", 1);
    for (size_t n = depth * 2; rc == 0 && n;) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        rc = prova_buf_append(out, spaces, k);
        n -= k;
    }
    return rc;
}

/* Recursion depth is bounded by the parser's depth limit. */
static int pretty(const prova_json *v, size_t depth, prova_buf *out) {
    int rc;
    if (v->type == PROVA_JSON_OBJECT || v->type == PROVA_JSON_ARRAY) {
        bool obj = v->type == PROVA_JSON_OBJECT;
        if (v->len == 0) return prova_buf_append(out, obj ? "{}" : "[]", 2);
        if ((rc = prova_buf_append(out, obj ? "{" : "[", 1)) < 0) return rc;
        for (uint32_t i = 0; i < v->len; i++) {
            if (i && (rc = prova_buf_append(out, ",", 1)) < 0) return rc;
            if ((rc = indent(out, depth + 1)) < 0) return rc;
            if (obj) {
                if ((rc = prova_canon_write(&v->u.members[i].key, PROVA_PROFILE_OPHAMIN, out, NULL)) < 0) return rc;
                if ((rc = prova_buf_append(out, ": ", 2)) < 0) return rc;
                rc = pretty(&v->u.members[i].value, depth + 1, out);
            } else {
                rc = pretty(&v->u.items[i], depth + 1, out);
            }
            if (rc < 0) return rc;
        }
        if ((rc = indent(out, depth)) < 0) return rc;
        return prova_buf_append(out, obj ? "}" : "]", 1);
    }
    return prova_canon_write(v, PROVA_PROFILE_OPHAMIN, out, NULL);
}

/* SPEC: ophamin.md §10: "The filename must be non-empty, not start with `/`, have no `..` segment and contain no
 * NUL" (a C string cannot hold NUL). */
static bool filename_ok(const char *name) {
    if (!name || !name[0] || name[0] == '/') return false;
    for (const char *p = name; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') return false;
        p += n;
        if (*p == '/') p++;
    }
    return true;
}

int prova_rocrate_metadata(const prova_json *record, const void *file_data, size_t file_len,
                           const char *record_filename, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!record || !out || (!file_data && file_len))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_record_info info;
    int rc = prova_record_describe(record, &info, reterr);
    if (rc < 0) return rc;
    const char *fname = record_filename ? record_filename : prova_rocrate_filename(info.kind, false);
    if (!filename_ok(fname))
        return prova__fail(reterr, PROVA_EINVAL, "rocrate_filename_invalid",
                           "the record file name must be non-empty, relative and without a '..' segment");
    {
        prova_buf probe = PROVA_BUF_INIT;
        rc = prova_canon_write_string(fname, strlen(fname), PROVA_PROFILE_OPHAMIN, &probe);
        prova_buf_free(&probe);
        if (rc == PROVA_ENOMEM) return prova__fail(reterr, rc, "out_of_memory", "out of memory");
        if (rc < 0) return prova__fail(reterr, PROVA_ESYNTAX, "json_invalid_utf8", "the record file name is not UTF-8");
    }

    proof_fields f;
    memset(&f, 0, sizeof f);
    char sha[PROVA_HASH_MAX_BYTES * 2 + 1] = "";
    if (info.family == PROVA_RECORD_PROOF) {
        if ((rc = proof_fields_get(record, &f, reterr)) < 0) return rc;
    } else {
        rc = prova_hash_compute_hex(PROVA_HASH_SHA256, file_data ? file_data : "", file_len, sha);
        if (rc < 0) return prova__fail(reterr, rc, "hash_failed", "SHA-256 of the record file failed");
    }

    tb t = {PROVA_BUF_INIT, 0};
    raw(&t, "{\"@context\":");
    jstr(&t, PROVA_ROCRATE_CONTEXT);
    raw(&t, ",\"@graph\":[");
    if (info.family == PROVA_RECORD_PROOF)
        proof_graph(&t, record, &info, fname, &f);
    else
        other_graph(&t, record, &info, fname, file_data, file_len, sha);
    close_with(&t, ']');
    if (!t.rc && t.buf.len) t.buf.len--; /* the ',' close_with() leaves */
    raw(&t, "}");
    if (t.rc) {
        prova_buf_free(&t.buf);
        return prova__fail(reterr, t.rc, t.rc == PROVA_ENOMEM ? "out_of_memory" : "rocrate_too_large",
                           t.rc == PROVA_ENOMEM ? "out of memory" : "a string of the record is too long");
    }
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES,
                              .max_size = (size_t)UINT32_MAX,
                              .max_string = (size_t)UINT32_MAX};
    prova_doc *doc = NULL;
    prova_error perr;
    rc = prova_json_parse(t.buf.data, t.buf.len, &po, &doc, &perr);
    prova_buf_free(&t.buf);
    if (rc < 0) {
        /* The text is built here: a parse failure is a bug, or memory ran out. */
        return rc == PROVA_ENOMEM ? prova__fail(reterr, rc, "out_of_memory", "out of memory")
                                  : prova__fail(reterr, rc, "rocrate_internal", "the metadata text did not parse");
    }
    size_t mark = out->len;
    rc = pretty(prova_doc_root(doc), 0, out);
    prova_doc_free(doc);
    if (rc < 0) {
        out->len = mark;
        return prova__fail(reterr, rc, rc == PROVA_ENOMEM ? "out_of_memory" : "rocrate_internal",
                           rc == PROVA_ENOMEM ? "out of memory" : "the metadata could not be written");
    }
    return 0;
}
