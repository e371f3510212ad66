/* Ophamin proof records into the unified report: schema, the record.validate() checklist, proof_id, the HMAC
 * signature and the Ed25519 attestation. Every reason code is listed in docs/proof.md.
 *
 * SPEC (reference/ophamin.md §3.1 and the reference's schema.json): nine sections, their members and types.
 * SPEC (§3.3 item 4, EmpiricalProofRecord.validate()): "claim.statement non-empty; h0 and h1 non-empty; config_hash
 *   and data_hash non-empty; preregistered_at <= created_at (ISO parse); >=1 dataset, each with content_hash and
 *   n_records > 0; substrate_git_commit non-empty; >=1 evidence, each with library and library_version; the verdict
 *   must agree with threshold.decide(observed) unless INCONCLUSIVE; reproduction.command and environment non-empty;
 *   ophamin_version non-empty."
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ope_internal.h" /* prova__keyset_find_public */
#include "proof_internal.h"

/* Per-item failures of the checklist listed one by one for datasets and evidence before the rest are counted. */
#define PROOF_MAX_LISTED 20

/* ---- detection ------------------------------------------------------------------------------------------------ */

bool prova_proof_detect(const prova_json *doc) {
    return prova_json_is_object(doc) && prova_json_is_string(prova_json_get(doc, "schema_version")) &&
           prova_json_is_object(prova_json_get(doc, "identity")) &&
           prova_json_is_object(prova_json_get(doc, "claim")) && prova_json_is_object(prova_json_get(doc, "verdict"));
}

/* ---- schema ----------------------------------------------------------------------------------------------------- */

typedef enum ftype {
    F_STR,       /* string */
    F_NUM,       /* number (NaN and Infinity are Python floats) */
    F_NUM_NULL,  /* number or null */
    F_INT,       /* integer (an integral float token too, as jsonschema's "integer") */
    F_OBJ,       /* object, any members */
    F_THRESHOLD, /* the threshold object */
    F_DATASETS,  /* array of dataset references */
    F_EVIDENCE,  /* array of pillar evidence (the evidence section itself) */
    F_STR_MAP,   /* object of strings */
    F_STR_ARR,   /* array of strings */
    F_COMPARATOR,
    F_CROSS_CHECK,
} ftype;

typedef struct field {
    const char *name;
    uint8_t type;
    bool required;
    bool nonempty; /* schema minLength 1 where validate() has no item of its own */
} field;

#define NF(a) (sizeof(a) / sizeof((a)[0]))

/* A record's string for a report message or pointer: at most max bytes, cut on a code point boundary, NUL and
 * lone surrogates (legal in a Python string, not in the report's UTF-8) as '?', and with pointer set, '~' and '/'
 * escaped as RFC 6901 wants. The report's JSON writer accepts only valid UTF-8: nothing from the record reaches it
 * unfiltered. Returns buf. */
#define CLIP_MAX 64
static const char *clip(const char *s, size_t n, bool pointer, char buf[2 * CLIP_MAX + 1]) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n && o < CLIP_MAX) {
        unsigned char c = u[i];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + len > n || o + len > CLIP_MAX) break;
        if (c == 0 || (c == 0xED && u[i + 1] >= 0xA0)) { /* NUL; U+D800..U+DFFF (generalized UTF-8) */
            buf[o++] = '?';
        } else if (pointer && (c == '~' || c == '/')) {
            buf[o++] = '~';
            buf[o++] = c == '~' ? '0' : '1';
        } else {
            memcpy(buf + o, s + i, len);
            o += len;
        }
        i += len;
    }
    buf[o] = '\0';
    return buf;
}
static const char *clip_json(const prova_json *v, char buf[2 * CLIP_MAX + 1]) {
    return prova_json_is_string(v) ? clip(v->u.str, v->len, false, buf) : "";
}

static const field identity_f[] = {{"ophamin_version", F_STR, true, false},
                                   {"ophamin_git_commit", F_STR, true, false},
                                   {"created_at", F_STR, true, false}};
static const field claim_f[] = {{"statement", F_STR, true, false},
                                {"operationalization", F_STR, true, true},
                                {"threshold", F_THRESHOLD, true, false},
                                {"h0", F_STR, true, false},
                                {"h1", F_STR, true, false}};
static const field threshold_f[] = {{"metric", F_STR, true, true},
                                    {"comparator", F_COMPARATOR, true, false},
                                    {"value", F_NUM, true, false},
                                    {"units", F_STR, true, false}};
static const field prereg_f[] = {{"config_hash", F_STR, true, false},
                                 {"data_hash", F_STR, true, false},
                                 {"analysis_plan", F_STR, true, false},
                                 {"sweep_grid", F_OBJ, true, false},
                                 {"preregistered_at", F_STR, true, false}};
static const field data_f[] = {{"substrate_name", F_STR, true, true},
                               {"substrate_git_commit", F_STR, true, false},
                               {"datasets", F_DATASETS, true, false}};
static const field dataset_f[] = {{"name", F_STR, true, true},
                                  {"content_hash", F_STR, true, false},
                                  {"n_records", F_INT, true, false},
                                  {"source", F_STR, true, false},
                                  {"kind", F_STR, true, false}};
static const field evidence_f[] = {{"pillar", F_STR, true, true},           {"statistic_name", F_STR, true, true},
                                   {"statistic_value", F_NUM, true, false}, {"library", F_STR, true, false},
                                   {"library_version", F_STR, true, false}, {"effect_size", F_NUM_NULL, false, false},
                                   {"ci_low", F_NUM_NULL, false, false},    {"ci_high", F_NUM_NULL, false, false},
                                   {"p_value", F_NUM_NULL, false, false},   {"cross_check", F_CROSS_CHECK, true, false},
                                   {"detail", F_OBJ, true, false}};
static const field verdict_f[] = {{"outcome", F_STR, true, false},
                                  {"observed_value", F_NUM, true, false},
                                  {"threshold", F_THRESHOLD, true, false},
                                  {"reasoning", F_STR, true, true}};
static const field repro_f[] = {{"command", F_STR, true, false},
                                {"environment", F_STR_MAP, true, false},
                                {"lineage_chain", F_STR_ARR, true, false}};

/* The eight sections after schema_version, with what each must be. */
static const struct section {
    const char *name;
    uint8_t type; /* F_OBJ with fields, F_EVIDENCE, or F_OBJ without (provenance) */
    const field *fields;
    size_t nfields;
} sections[] = {
    {"identity", F_OBJ, identity_f, NF(identity_f)},
    {"claim", F_OBJ, claim_f, NF(claim_f)},
    {"preregistration", F_OBJ, prereg_f, NF(prereg_f)},
    {"data", F_OBJ, data_f, NF(data_f)},
    {"evidence", F_EVIDENCE, NULL, 0},
    {"verdict", F_OBJ, verdict_f, NF(verdict_f)},
    {"reproduction", F_OBJ, repro_f, NF(repro_f)},
    {"provenance", F_OBJ, NULL, 0},
};

/* Problems found in one section: how many, and the first one. */
typedef struct problems {
    size_t n;
    const char *code;
    char at[PROVA_POINTER_MAX];
    char msg[256];
    size_t unknown; /* members the schema does not name (additionalProperties) */
    char unknown_at[PROVA_POINTER_MAX];
} problems;

static void problem(problems *p, const char *code, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(problems *p, const char *code, const char *at, const char *fmt, ...) {
    if (p->n++) return;
    p->code = code;
    snprintf(p->at, sizeof p->at, "%s", at);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

/* The schema is three levels deep and member names are clipped to CLIP_MAX bytes, so a pointer always fits; a
 * pointer that did not would be cut to its parent rather than to a wrong member. */
static void child(char *dst, const char *at, const char *name) {
    int n = snprintf(dst, PROVA_POINTER_MAX, "%s/%s", at, name);
    if (PROVA_NEVER(n < 0 || n >= PROVA_POINTER_MAX)) snprintf(dst, PROVA_POINTER_MAX, "%s", at);
}
static void index_ptr(char *dst, const char *at, size_t i) {
    int n = snprintf(dst, PROVA_POINTER_MAX, "%s/%zu", at, i);
    if (PROVA_NEVER(n < 0 || n >= PROVA_POINTER_MAX)) snprintf(dst, PROVA_POINTER_MAX, "%s", at);
}

static const char *type_name(const prova_json *v) {
    static const char *const names[] = {"null", "false", "true", "a number", "a string", "an array", "an object"};
    return v->type <= PROVA_JSON_OBJECT ? names[v->type] : "?";
}

static bool in_set(const prova_json *v, const char *const *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (prova_json_str_eq(v, set[i])) return true;
    return false;
}

static const char *const comparators[] = {">=", "<=", ">", "<", "=="};
static const char *const cross_checks[] = {"passed", "skipped", "failed", "n/a"};
static const char *const outcomes[] = {"VALIDATED", "REFUTED", "INCONCLUSIVE"};

static void check_fields(const prova_json *obj, const field *f, size_t nf, const char *at, problems *p);

static void check_value(const prova_json *v, uint8_t t, bool nonempty, const char *at, problems *p) {
    char sub[PROVA_POINTER_MAX];
    switch ((ftype)t) {
    case F_STR:
        if (!prova_json_is_string(v))
            problem(p, "proof_schema_type", at, "%s must be a string, not %s", at, type_name(v));
        else if (nonempty && v->len == 0)
            problem(p, "proof_schema_empty_string", at, "%s must not be empty", at);
        break;
    case F_NUM:
        if (!prova_json_is_number(v))
            problem(p, "proof_schema_type", at, "%s must be a number, not %s", at, type_name(v));
        break;
    case F_NUM_NULL:
        if (!prova_json_is_number(v) && !prova_json_is_null(v))
            problem(p, "proof_schema_type", at, "%s must be a number or null, not %s", at, type_name(v));
        break;
    case F_INT: {
        double d;
        bool ok = prova_json_is_int(v) ||
                  (prova__py_float(v, &d) && !(v->flags & PROVA_NUM_NONFINITE) && d - d == 0 && floor(d) == d);
        if (!ok) problem(p, "proof_schema_type", at, "%s must be an integer", at);
        break;
    }
    case F_OBJ:
        if (!prova_json_is_object(v))
            problem(p, "proof_schema_type", at, "%s must be an object, not %s", at, type_name(v));
        break;
    case F_THRESHOLD:
        if (!prova_json_is_object(v))
            problem(p, "proof_schema_type", at, "%s must be an object, not %s", at, type_name(v));
        else
            check_fields(v, threshold_f, NF(threshold_f), at, p);
        break;
    case F_DATASETS:
    case F_EVIDENCE:
        if (!prova_json_is_array(v)) {
            problem(p, "proof_schema_type", at, "%s must be an array, not %s", at, type_name(v));
            break;
        }
        for (size_t i = 0; i < v->len; i++) {
            const prova_json *e = &v->u.items[i];
            index_ptr(sub, at, i);
            if (!prova_json_is_object(e))
                problem(p, "proof_schema_type", sub, "%s must be an object, not %s", sub, type_name(e));
            else if (t == F_DATASETS)
                check_fields(e, dataset_f, NF(dataset_f), sub, p);
            else
                check_fields(e, evidence_f, NF(evidence_f), sub, p);
        }
        break;
    case F_STR_MAP:
        if (!prova_json_is_object(v)) {
            problem(p, "proof_schema_type", at, "%s must be an object, not %s", at, type_name(v));
            break;
        }
        for (size_t i = 0; i < v->len; i++)
            if (!prova_json_is_string(&v->u.members[i].value))
                problem(p, "proof_schema_type", at, "%s: every value must be a string", at);
        break;
    case F_STR_ARR:
        if (!prova_json_is_array(v)) {
            problem(p, "proof_schema_type", at, "%s must be an array, not %s", at, type_name(v));
            break;
        }
        for (size_t i = 0; i < v->len; i++)
            if (!prova_json_is_string(&v->u.items[i]))
                problem(p, "proof_schema_type", at, "%s: every element must be a string", at);
        break;
    case F_COMPARATOR:
        if (!prova_json_is_string(v))
            problem(p, "proof_schema_type", at, "%s must be a string, not %s", at, type_name(v));
        else if (!in_set(v, comparators, NF(comparators)))
            problem(p, "proof_schema_enum", at, "%s must be one of >=, <=, >, <, ==", at);
        break;
    case F_CROSS_CHECK:
        if (!prova_json_is_string(v))
            problem(p, "proof_schema_type", at, "%s must be a string, not %s", at, type_name(v));
        else if (!in_set(v, cross_checks, NF(cross_checks)))
            problem(p, "proof_schema_enum", at, "%s must be one of passed, skipped, failed, n/a", at);
        break;
    }
}

static void check_fields(const prova_json *obj, const field *f, size_t nf, const char *at, problems *p) {
    char sub[PROVA_POINTER_MAX];
    for (size_t i = 0; i < nf; i++) {
        const prova_json *v = prova_json_get(obj, f[i].name);
        child(sub, at, f[i].name);
        if (!v) {
            if (f[i].required) problem(p, "proof_schema_missing_field", sub, "%s is missing", sub);
            continue;
        }
        check_value(v, f[i].type, f[i].nonempty, sub, p);
    }
    for (size_t i = 0; i < obj->len; i++) {
        bool known = false;
        for (size_t j = 0; j < nf && !known; j++) known = prova_json_str_eq(&obj->u.members[i].key, f[j].name);
        if (known) continue;
        if (p->unknown++ == 0) {
            char name[2 * CLIP_MAX + 1];
            child(p->unknown_at, at, clip(obj->u.members[i].key.u.str, obj->u.members[i].key.len, true, name));
        }
    }
}

/* The schema_version check and one check per section. The checks after these look only at members of the
 * right type, so they run whatever the schema checks found. */
static int check_schema(const prova_json *doc, prova_report *r) {
    const prova_json *sv = prova_json_get(doc, "schema_version");
    int rc;
    if (!sv) {
        rc = prova__report_check(r, "schema_version", false, "proof_schema_version_missing", "/schema_version",
                                 "the record has no schema_version");
    } else if (!prova_json_is_string(sv)) {
        rc = prova__report_check(r, "schema_version", false, "proof_schema_type", "/schema_version",
                                 "schema_version must be a string, not %s", type_name(sv));
    } else if (prova_json_str_eq(sv, "1.0")) {
        rc = prova__report_check(r, "schema_version", true, "ok", "/schema_version", "EmpiricalProofRecord 1.0");
    } else if (sv->len > 2 && sv->len <= 12 && memcmp(sv->u.str, "1.", 2) == 0 &&
               strspn(sv->u.str + 2, "0123456789") == sv->len - 2) {
        /* "Minor versions only add fields" (SCHEMAS.md §schema-version policy). */
        rc = prova__report_check(r, "schema_version", true, "ok", "/schema_version",
                                 "EmpiricalProofRecord %s, read as 1.0", sv->u.str);
        if (rc == 0)
            rc = prova__report_warn(r, "proof_schema_minor_newer", "/schema_version",
                                    "schema_version %s is a newer minor version: members it adds are signed but "
                                    "not checked",
                                    sv->u.str);
    } else {
        char t[2 * CLIP_MAX + 1];
        rc = prova__report_check(r, "schema_version", false, "proof_schema_version_unsupported", "/schema_version",
                                 "schema_version \"%s\" is not 1.x", clip_json(sv, t));
    }
    for (size_t s = 0; rc == 0 && s < NF(sections); s++) {
        const struct section *sec = &sections[s];
        char at[PROVA_POINTER_MAX], check[48];
        snprintf(at, sizeof at, "/%s", sec->name);
        snprintf(check, sizeof check, "schema.%s", sec->name);
        const prova_json *v = prova_json_get(doc, sec->name);
        problems p;
        memset(&p, 0, sizeof p);
        if (!v)
            problem(&p, "proof_section_missing", at, "the record has no %s section", sec->name);
        else if (sec->type == F_EVIDENCE)
            check_value(v, F_EVIDENCE, false, at, &p);
        else if (!prova_json_is_object(v))
            problem(&p, "proof_schema_type", at, "%s must be an object, not %s", at, type_name(v));
        else if (sec->fields)
            check_fields(v, sec->fields, sec->nfields, at, &p);
        if (p.n) {
            rc = prova__report_check(r, check, false, p.code, p.at, "%s%s", p.msg,
                                     p.n > 1 ? " (and more problems in this section)" : "");
        } else {
            rc = prova__report_check(r, check, true, "ok", at, "%s has the members and types of schema 1.0", sec->name);
        }
        if (rc == 0 && p.unknown)
            rc = prova__report_warn(
                r, "proof_unknown_member", p.unknown_at,
                "%zu member(s) that schema 1.0 does not define in %s, first %s (signed, not checked)", p.unknown,
                sec->name, p.unknown_at);
    }
    /* Unknown top-level members: in the signed body (forward compatibility), but schema 1.0 does not define them. */
    size_t unknown = 0;
    char first[PROVA_POINTER_MAX] = "";
    for (size_t i = 0; rc == 0 && i < doc->len; i++) {
        const prova_json *k = &doc->u.members[i].key;
        bool known = prova_json_str_eq(k, "schema_version") || prova_json_str_eq(k, "proof_id") ||
                     prova_json_str_eq(k, "signature") || prova_json_str_eq(k, "attestation");
        for (size_t s = 0; !known && s < NF(sections); s++) known = prova_json_str_eq(k, sections[s].name);
        char name[2 * CLIP_MAX + 1];
        if (!known && unknown++ == 0) snprintf(first, sizeof first, "/%s", clip(k->u.str, k->len, true, name));
    }
    if (rc == 0 && unknown)
        rc = prova__report_warn(r, "proof_unknown_member", first,
                                "%zu top-level member(s) that schema 1.0 does not define, first %s: they are in the "
                                "signed body, but nothing checks them",
                                unknown, first);
    return rc;
}

/* ---- record.validate() ------------------------------------------------------------------------------------------ */

static const prova_json *get2(const prova_json *doc, const char *section, const char *name) {
    return prova_json_get(prova_json_get(doc, section), name);
}

static bool empty_str(const prova_json *v) {
    return prova_json_is_string(v) && v->len == 0;
}
static bool blank_str(const prova_json *v) {
    return prova_json_is_string(v) && prova__py_blank(v->u.str, v->len);
}

typedef struct vstate {
    prova_report *r;
    size_t failed;
    int rc;
} vstate;

static void vfail(vstate *s, const char *check, const char *code, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void vfail(vstate *s, const char *check, const char *code, const char *at, const char *fmt, ...) {
    if (s->rc < 0) return;
    s->failed++;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->rc = prova__report_check(s->r, check, false, code, at, "%s", msg);
}

/* Python's f"{d}" of a float, for messages: repr. */
static void float_text(double d, char buf[32]) {
    if (d != d)
        snprintf(buf, 32, "nan");
    else if (d - d != 0)
        snprintf(buf, 32, d < 0 ? "-inf" : "inf");
    else
        buf[prova_canon_format_double(d, PROVA_PROFILE_OPHAMIN, buf)] = '\0';
}

static void check_timestamps(const prova_json *doc, vstate *s) {
    const prova_json *pre = get2(doc, "preregistration", "preregistered_at"),
                     *cre = get2(doc, "identity", "created_at");
    if (!prova_json_is_string(pre) || !prova_json_is_string(cre)) return; /* the schema checks say why */
    int64_t tp, tc;
    bool ap, ac;
    if (!prova__py_isoformat(pre->u.str, pre->len, &tp, &ap) || !prova__py_isoformat(cre->u.str, cre->len, &tc, &ac)) {
        vfail(s, "record.timestamps", "proof_timestamp_invalid", "/preregistration/preregistered_at",
              "preregistration.preregistered_at / created_at not ISO timestamps");
    } else if (ap != ac) {
        /* Python: "can't compare offset-naive and offset-aware datetimes" (TypeError). */
        vfail(s, "record.timestamps", "proof_timestamp_invalid", "/preregistration/preregistered_at",
              "preregistration.preregistered_at and created_at cannot be compared: one has a UTC offset, the other "
              "has none");
    } else if (tp > tc) {
        char a[2 * CLIP_MAX + 1], b[2 * CLIP_MAX + 1];
        vfail(s, "record.preregistration", "proof_preregistered_after_created", "/preregistration/preregistered_at",
              "preregistration.preregistered_at is AFTER created_at - the pre-registration lock is violated (%s > %s)",
              clip_json(pre, a), clip_json(cre, b));
    }
}

/* The verdict against its threshold; adds a passing "record.verdict" check when it agrees. */
static void check_verdict(const prova_json *doc, vstate *s) {
    const prova_json *outcome = get2(doc, "verdict", "outcome");
    if (!prova_json_is_string(outcome)) return;
    if (!in_set(outcome, outcomes, NF(outcomes))) {
        char t[2 * CLIP_MAX + 1];
        vfail(s, "record.verdict", "proof_verdict_outcome_invalid", "/verdict/outcome",
              "verdict.outcome '%s' is not a valid outcome (VALIDATED, REFUTED, INCONCLUSIVE)", clip_json(outcome, t));
        return;
    }
    if (prova_json_str_eq(outcome, "INCONCLUSIVE")) {
        if (s->rc == 0)
            s->rc = prova__report_check(s->r, "record.verdict", true, "ok", "/verdict/outcome",
                                        "INCONCLUSIVE: the threshold is not applied");
        return;
    }
    const prova_json *thr = get2(doc, "verdict", "threshold");
    const prova_json *cmp = prova_json_get(thr, "comparator");
    double obs, val;
    bool known = false, satisfied = false;
    if (prova_json_is_string(cmp) && prova__py_float(get2(doc, "verdict", "observed_value"), &obs) &&
        prova__py_float(prova_json_get(thr, "value"), &val))
        satisfied = prova__proof_decide(cmp->u.str, cmp->len, obs, val, &known);
    if (!known) return; /* the schema checks say why */
    const char *expected = satisfied ? "VALIDATED" : "REFUTED";
    char o[32], v[32];
    float_text(obs, o);
    float_text(val, v);
    if (!prova_json_str_eq(outcome, expected)) {
        vfail(s, "record.verdict", "proof_verdict_threshold_disagrees", "/verdict/outcome",
              "verdict.outcome '%s' contradicts the threshold (observed %s %s %s is %s -> expected %s)", outcome->u.str,
              o, cmp->u.str, v, satisfied ? "true" : "false", expected);
    } else if (s->rc == 0) {
        s->rc = prova__report_check(s->r, "record.verdict", true, "ok", "/verdict/outcome",
                                    "observed %s %s %s is %s: %s agrees with the threshold", o, cmp->u.str, v,
                                    satisfied ? "true" : "false", expected);
    }
}

static void check_items(const prova_json *doc, vstate *s) {
    char at[PROVA_POINTER_MAX];
    const prova_json *ds = get2(doc, "data", "datasets");
    if (prova_json_is_array(ds) && ds->len == 0)
        vfail(s, "record.datasets", "proof_no_datasets", "/data/datasets", "no datasets - a proof needs real data");
    size_t listed = 0, more = 0;
    for (size_t i = 0; prova_json_is_array(ds) && i < ds->len; i++) {
        const prova_json *d = &ds->u.items[i];
        char nm[2 * CLIP_MAX + 1];
        clip_json(prova_json_get(d, "name"), nm);
        double n;
        if (empty_str(prova_json_get(d, "content_hash"))) {
            if (listed++ < PROOF_MAX_LISTED) {
                snprintf(at, sizeof at, "/data/datasets/%zu/content_hash", i);
                vfail(s, "record.datasets", "proof_dataset_content_hash_empty", at, "dataset '%s' has no content hash",
                      nm);
            } else {
                more++;
            }
        }
        /* int(n_records) <= 0; int() truncates toward zero, int(nan) raises */
        if (prova__py_float(prova_json_get(d, "n_records"), &n) && !(n >= 1)) {
            if (listed++ < PROOF_MAX_LISTED) {
                snprintf(at, sizeof at, "/data/datasets/%zu/n_records", i);
                vfail(s, "record.datasets", "proof_dataset_n_records", at, "dataset '%s' has n_records <= 0", nm);
            } else {
                more++;
            }
        }
    }
    if (empty_str(get2(doc, "data", "substrate_git_commit")))
        vfail(s, "record.substrate", "proof_substrate_commit_empty", "/data/substrate_git_commit",
              "substrate_git_commit is empty - the substrate must be versioned");
    const prova_json *ev = prova_json_get(doc, "evidence");
    if (prova_json_is_array(ev) && ev->len == 0)
        vfail(s, "record.evidence", "proof_no_evidence", "/evidence", "no pillar evidence recorded");
    for (size_t i = 0; prova_json_is_array(ev) && i < ev->len; i++) {
        const prova_json *e = &ev->u.items[i];
        if (!empty_str(prova_json_get(e, "library")) && !empty_str(prova_json_get(e, "library_version"))) continue;
        if (listed++ >= PROOF_MAX_LISTED) {
            more++;
            continue;
        }
        char pl[2 * CLIP_MAX + 1], sn[2 * CLIP_MAX + 1];
        snprintf(at, sizeof at, "/evidence/%zu", i);
        vfail(s, "record.evidence", "proof_evidence_attribution_missing", at,
              "evidence '%s/%s' missing library attribution", clip_json(prova_json_get(e, "pillar"), pl),
              clip_json(prova_json_get(e, "statistic_name"), sn));
    }
    if (more && s->rc == 0)
        s->rc = prova__report_warn(s->r, "proof_items_more", "/data/datasets",
                                   "%zu more dataset or evidence problems of the kinds above are not listed", more);
}

static int check_record(const prova_json *doc, prova_report *r) {
    vstate s = {r, 0, 0};
    if (blank_str(get2(doc, "claim", "statement")))
        vfail(&s, "record.claim", "proof_claim_statement_empty", "/claim/statement", "claim.statement is empty");
    if (blank_str(get2(doc, "claim", "h0")) || blank_str(get2(doc, "claim", "h1")))
        vfail(&s, "record.claim", "proof_claim_hypotheses_empty",
              blank_str(get2(doc, "claim", "h0")) ? "/claim/h0" : "/claim/h1", "claim must state both H0 and H1");
    if (empty_str(get2(doc, "preregistration", "config_hash")))
        vfail(&s, "record.preregistration", "proof_config_hash_empty", "/preregistration/config_hash",
              "preregistration.config_hash is empty");
    if (empty_str(get2(doc, "preregistration", "data_hash")))
        vfail(&s, "record.preregistration", "proof_data_hash_empty", "/preregistration/data_hash",
              "preregistration.data_hash is empty");
    check_timestamps(doc, &s);
    check_items(doc, &s);
    check_verdict(doc, &s);
    if (blank_str(get2(doc, "reproduction", "command")))
        vfail(&s, "record.reproduction", "proof_reproduction_command_empty", "/reproduction/command",
              "reproduction.command is empty");
    const prova_json *env = get2(doc, "reproduction", "environment");
    if (prova_json_is_object(env) && env->len == 0)
        vfail(&s, "record.reproduction", "proof_reproduction_environment_empty", "/reproduction/environment",
              "reproduction.environment lock is empty");
    if (empty_str(get2(doc, "identity", "ophamin_version")))
        vfail(&s, "record.identity", "proof_ophamin_version_empty", "/identity/ophamin_version",
              "ophamin_version is empty");
    if (s.rc == 0 && s.failed == 0)
        s.rc = prova__report_check(r, "record", true, "ok", "",
                                   "the record.validate() checklist holds: falsifiable, pre-registered, real data, "
                                   "attributed, reproducible, identified");
    /* Not in validate(): the claim's threshold and the verdict's are expected to be the same. */
    const prova_json *ct = get2(doc, "claim", "threshold"), *vt = get2(doc, "verdict", "threshold");
    if (s.rc == 0 && prova_json_is_object(ct) && prova_json_is_object(vt)) {
        prova_buf a = PROVA_BUF_INIT, b = PROVA_BUF_INIT;
        int w = prova_canon_write(ct, PROVA_PROFILE_OPHAMIN, &a, NULL);
        if (w == 0) w = prova_canon_write(vt, PROVA_PROFILE_OPHAMIN, &b, NULL);
        if (w == 0 && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0))
            s.rc = prova__report_warn(r, "proof_threshold_differs", "/verdict/threshold",
                                      "the verdict's threshold is not the claim's: the verdict was decided against "
                                      "another boundary than the one pre-registered");
        if (w == PROVA_ENOMEM) s.rc = w;
        prova_buf_free(&a);
        prova_buf_free(&b);
    }
    return s.rc;
}

/* ---- proof_id, signature, attestation --------------------------------------------------------------------------- */

static int check_proof_id(const prova_json *doc, const char *id, prova_report *r) {
    const prova_json *w = prova_json_get(doc, "proof_id");
    if (!w) return prova__report_check(r, "proof_id", true, "ok", "", "no proof_id on the wire; the body's is %s", id);
    if (!prova__lower_hex(w, PROVA_PROOF_HEX_LEN))
        return prova__report_check(r, "proof_id", false, "proof_id_malformed", "/proof_id",
                                   "proof_id must be 64 lowercase hex digits (the body's is %s)", id);
    bool ok = prova_ct_equal(w->u.str, id, PROVA_PROOF_HEX_LEN);
    return prova__report_check(r, "proof_id", ok, ok ? "ok" : "proof_id_mismatch", "/proof_id",
                               ok ? "proof_id is the SHA-256 of the canonical body (%s)"
                                  : "proof_id is not the SHA-256 of the canonical body, which is %s",
                               id);
}

/* The members of the attestation that its signature does not cover, listed in unauthenticated_fields (JSON
 * Pointers): author, and anything beside author, algorithm, public_key and signature. The signature covers the
 * body only (ophamin.md §3.5); algorithm is checked to be "ed25519", public_key is the key that verifies (and is
 * pinned or not, as the checks say), signature is the signature. A member name that a pointer cannot carry whole
 * (longer than the clip, or with bytes the report cannot hold) is named by its parent, "/attestation". */
static int attestation_unauthenticated(const prova_json *att, prova_report *r) {
    static const char *const signed_or_checked[] = {"algorithm", "public_key", "signature"};
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < att->len; i++) {
        const prova_json *k = &att->u.members[i].key;
        bool covered = false;
        for (size_t j = 0; j < NF(signed_or_checked) && !covered; j++)
            covered = prova_json_str_eq(k, signed_or_checked[j]);
        if (covered) continue;
        char name[2 * CLIP_MAX + 1], ptr[PROVA_POINTER_MAX];
        clip(k->u.str, k->len, true, name);
        bool whole = k->len <= CLIP_MAX / 2 && !memchr(k->u.str, '\0', k->len) && strlen(name) >= k->len;
        for (size_t j = 0; whole && j + 1 < k->len; j++) /* a lone surrogate, kept as generalized UTF-8 */
            whole = !((unsigned char)k->u.str[j] == 0xED && (unsigned char)k->u.str[j + 1] >= 0xA0);
        if (whole)
            child(ptr, "/attestation", name);
        else
            snprintf(ptr, sizeof ptr, "/attestation");
        rc = prova_report_add_unauthenticated(r, ptr);
        n++;
    }
    if (rc == 0 && n)
        rc = prova__report_warn(r, "unauthenticated_fields", "/attestation",
                                "%zu member(s) of the attestation are not covered by its signature, which covers the "
                                "body only; see unauthenticated_fields",
                                n);
    return rc;
}

/* The attestation: *ret_trusted is set when it verifies under a trusted key (an authentication). Messages never
 * name the author as the signer: the signature does not cover it ("author, unsigned: ..."). */
static int check_attestation(const prova_json *doc, const prova_buf *body, const prova_verify_options *o,
                             prova_report *r, bool *ret_trusted) {
    *ret_trusted = false;
    const prova_json *att = prova_json_get(doc, "attestation");
    if (!att || prova_json_is_null(att)) return 0;
    if (!prova_json_is_object(att))
        return prova__report_check(r, "attestation", false, "proof_attestation_malformed", "/attestation",
                                   "attestation must be an object {author, algorithm, public_key, signature}");
    int rc = prova_report_add_unauthenticated(r, "/attestation/author");
    if (rc == 0)
        rc = prova__report_warn(r, "proof_attestation_author_unsigned", "/attestation/author",
                                "the Ed25519 signature covers the body, not attestation.author: the name proves "
                                "nothing unless the key is pinned for that author");
    if (rc == 0) rc = attestation_unauthenticated(att, r);
    if (rc < 0) return rc;
    const prova_json *author = prova_json_get(att, "author"), *alg = prova_json_get(att, "algorithm");
    const prova_json *pk = prova_json_get(att, "public_key"), *sig = prova_json_get(att, "signature");
    static const struct {
        const char *at, *sentence;
    } shape[] = {{"/attestation/author", "attestation.author must be a non-empty string"},
                 {"/attestation/algorithm", "attestation.algorithm must be a string"},
                 {"/attestation/public_key", "attestation.public_key must be 64 lowercase hex digits"},
                 {"/attestation/signature", "attestation.signature must be 128 lowercase hex digits"}};
    int bad = !prova_json_is_string(author) || author->len == 0         ? 0
              : !prova_json_is_string(alg)                              ? 1
              : !prova__lower_hex(pk, 2 * PROVA_ED25519_PUBLICKEYBYTES) ? 2
              : !prova__lower_hex(sig, PROVA_PROOF_ATTEST_SIG_HEX_LEN)  ? 3
                                                                        : -1;
    if (bad >= 0)
        return prova__report_check(r, "attestation", false, "proof_attestation_malformed", shape[bad].at, "%s",
                                   shape[bad].sentence);
    char who[2 * CLIP_MAX + 1];
    clip_json(author, who);
    if (!prova_json_str_eq(alg, "ed25519")) {
        char a[2 * CLIP_MAX + 1];
        return prova__report_check(r, "attestation", false, "proof_attestation_algorithm", "/attestation/algorithm",
                                   "attestation algorithm \"%s\" is not ed25519", clip_json(alg, a));
    }
    uint8_t pub[PROVA_ED25519_PUBLICKEYBYTES], raw[PROVA_ED25519_SIGBYTES];
    size_t n = 0;
    prova_key *embedded = NULL;
    if (prova_hex_decode(pk->u.str, pk->len, pub, sizeof pub, &n, NULL) < 0 ||
        prova_hex_decode(sig->u.str, sig->len, raw, sizeof raw, &n, NULL) < 0)
        return prova__report_check(r, "attestation", false, "proof_attestation_malformed", "/attestation", "not hex");
    rc = prova_key_from_ed25519_public(pub, &embedded);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0)
        return prova__report_check(r, "attestation", false, "proof_attestation_invalid", "/attestation/public_key",
                                   "attestation.public_key is not a valid Ed25519 public key");
    const char *kid = prova_key_kid(embedded);
    if (prova_key_verify(embedded, body->data, body->len, raw, sizeof raw) != 0) {
        rc = prova__report_check(r, "attestation", false, "proof_attestation_invalid", "/attestation/signature",
                                 "the Ed25519 attestation signature does not verify over the %zu-byte body with "
                                 "its key %s (author, unsigned: \"%s\")",
                                 body->len, kid, who);
        prova_key_free(embedded);
        return rc;
    }
    const char *source = NULL;
    const prova_key *t = o ? prova__keyset_find_public(o->keys, embedded, &source) : NULL;
    size_t ntrusted = o ? prova_keyset_count(o->keys) : 0;
    if (t) {
        *ret_trusted = true;
        rc = prova__report_check(r, "attestation", true, "ok", "/attestation",
                                 "the Ed25519 attestation signature verifies over the %zu-byte body with the "
                                 "trusted key %s (%s) (author, unsigned: \"%s\")",
                                 body->len, prova_key_kid(t), source, who);
        if (rc == 0) rc = prova_report_add_key(r, prova_key_kid(t), source);
    } else if (o && o->trust_embedded_key) {
        *ret_trusted = true;
        rc = prova__report_check(r, "attestation", true, "ok", "/attestation",
                                 "the Ed25519 attestation signature verifies over the %zu-byte body with its "
                                 "embedded key %s, trusted on request (author, unsigned: \"%s\")",
                                 body->len, kid, who);
        if (rc == 0) rc = prova_report_add_key(r, kid, "embedded (attestation.public_key, trusted on request)");
        if (rc == 0)
            rc = prova__report_warn(r, "proof_attestation_key_embedded", "/attestation/public_key",
                                    "the attestation key %s came from the record itself (--trust-embedded-key): "
                                    "anyone can re-sign a record with their own key",
                                    kid);
    } else if (ntrusted) {
        char offered[PROVA__KEYSET_DESC_MAX];
        rc =
            prova__report_check(r, "attestation", false, "proof_attestation_key_not_trusted", "/attestation/public_key",
                                "the attestation verifies, but its key %s is not one of the %zu trusted keys; %s", kid,
                                ntrusted, prova__keyset_describe(o->keys, offered, sizeof offered));
    } else {
        rc = prova__report_check(r, "attestation", true, "ok", "/attestation",
                                 "the Ed25519 attestation signature verifies over the %zu-byte body with its "
                                 "embedded key %s (not trusted: it proves only that the holder of that key signed) "
                                 "(author, unsigned: \"%s\")",
                                 body->len, kid, who);
        if (rc == 0)
            rc = prova__report_warn(r, "proof_attestation_key_untrusted", "/attestation/public_key",
                                    "the attestation key %s is not pinned: pin the author's key (--key/--jwks) to "
                                    "prove who signed, or pass --trust-embedded-key",
                                    kid);
    }
    prova_key_free(embedded);
    return rc;
}

/* The HMAC key from the options: 0 with *key set (or NULL: none), 1 for "bad base64" (a failed check was added). */
static int hmac_key(const prova_verify_options *o, prova_report *r, uint8_t **key, size_t *len, bool *is_default) {
    *key = NULL;
    *len = 0;
    *is_default = false;
    if (o && o->hmac_key_b64) {
        prova_error err;
        int rc = prova_proof_key_decode(o->hmac_key_b64, key, len, &err);
        if (rc == PROVA_ENOMEM) return rc;
        if (rc < 0) {
            rc = prova__report_check(r, "signature", false, "proof_hmac_key_invalid", "/signature",
                                     "the HMAC key is not valid standard base64 (%s)", err.message);
            return rc < 0 ? rc : 1;
        }
        *is_default = *len == PROVA_PROOF_DEFAULT_KEY_LEN && memcmp(*key, PROVA_PROOF_DEFAULT_KEY, *len) == 0;
        return 0;
    }
    if (o && o->allow_default_hmac_key) {
        int rc = prova_proof_key_decode("", key, len, NULL);
        if (rc < 0) return rc;
        *is_default = true;
    }
    return 0;
}

static int check_signature(const prova_json *doc, const prova_buf *body, const prova_verify_options *o,
                           bool authenticated, prova_report *r) {
    uint8_t *key;
    size_t klen;
    bool is_default;
    int rc = hmac_key(o, r, &key, &klen, &is_default);
    if (rc) return rc < 0 ? rc : 0;
    const prova_json *sig = prova_json_get(doc, "signature");
    if (!key) {
        if (authenticated)
            return prova__report_warn(r, "proof_signature_not_checked", "/signature",
                                      "the HMAC signature was not checked (no key given); the trusted attestation "
                                      "authenticates the body");
        return prova__report_check(r, "signature", false, "proof_hmac_key_missing", "/signature",
                                   "the HMAC signature was not checked: no key was given (hmac_key_b64, or "
                                   "allow_default_hmac_key for the public default key) and no trusted attestation "
                                   "authenticates the record");
    }
    const char *what = is_default ? "the public default key" : "the given key";
    if (!sig) {
        rc = prova__report_check(r, "signature", false, "proof_unsigned", "", "the record has no signature member");
    } else if (!prova_json_is_string(sig)) {
        rc = prova__report_check(r, "signature", false, "proof_signature_malformed", "/signature",
                                 "signature must be a string, not %s", type_name(sig));
    } else if (sig->len == 0) {
        rc = prova__report_check(r, "signature", false, "proof_unsigned", "/signature",
                                 "signature is empty: the record is unsigned");
    } else if (!prova__lower_hex(sig, PROVA_PROOF_HEX_LEN)) {
        rc = prova__report_check(r, "signature", false, "proof_signature_malformed", "/signature",
                                 "signature must be 64 lowercase hex digits (HMAC-SHA256)");
    } else {
        uint8_t mac[PROVA_HMAC_SHA256_BYTES];
        char hex[PROVA_PROOF_HEX_LEN + 1];
        rc = prova_hmac_sha256_compute(key, klen, body->data, body->len, mac);
        if (rc == 0) {
            prova_hex_encode(mac, sizeof mac, hex, sizeof hex);
            bool ok = prova_ct_equal(sig->u.str, hex, PROVA_PROOF_HEX_LEN);
            rc = prova__report_check(r, "signature", ok, ok ? "ok" : "proof_signature_mismatch", "/signature",
                                     ok ? "HMAC-SHA256 over the %zu-byte canonical body verifies under %s"
                                        : "HMAC-SHA256 over the %zu-byte canonical body does not verify under %s",
                                     body->len, what);
            if (rc == 0 && ok)
                rc = prova_report_add_key(r, is_default ? "hmac-sha256:default" : "hmac-sha256",
                                          is_default ? "default key (ophamin-scenario-proof-key)" : "hmac_key_b64");
            if (rc == 0 && ok && is_default)
                rc = prova__report_warn(r, "proof_default_key", "/signature",
                                        "the signature verifies under the public default key "
                                        "\"ophamin-scenario-proof-key\": it proves integrity against accidents only, "
                                        "not who wrote the record");
        }
        prova_mem_wipe(mac, sizeof mac);
    }
    prova_proof_key_free(key, klen);
    return rc;
}

/* ---- entry point ------------------------------------------------------------------------------------------------ */

int prova_proof_verify_doc(const prova_json *doc, const prova_verify_options *o, prova_report *r) {
    if (!doc || !r) return PROVA_EINVAL;
    int rc = prova_report_set_kind(r, "proof_record");
    if (rc < 0) return rc;
    if (!prova_json_is_object(doc)) {
        prova_report_set_outcome(r, PROVA_OUTCOME_UNKNOWN_KIND);
        return prova__report_check(r, "kind", false, "proof_not_object", "", "a proof record must be a JSON object");
    }
    rc = check_schema(doc, r);
    if (rc == 0) rc = check_record(doc, r);
    prova_buf body = PROVA_BUF_INIT;
    char id[PROVA_PROOF_HEX_LEN + 1];
    prova_error err;
    if (rc == 0) {
        int b = prova__proof_digests(doc, NULL, 0, &body, id, NULL, &err);
        if (b == PROVA_ENOMEM)
            rc = b;
        else if (b < 0)
            rc = prova__report_check(r, "body", false, err.reason ? err.reason : "proof_body", err.pointer,
                                     "the body cannot be canonicalized: %s", err.message ? err.message : "");
        else
            rc = check_proof_id(doc, id, r);
        bool trusted = false;
        if (rc == 0 && b == 0) {
            /* The attestation is decided first (a trusted one authenticates the body without an HMAC key), and
             * reported after the signature. */
            prova_report *tmp = prova_report_new("proof_record");
            if (!tmp) rc = PROVA_ENOMEM;
            if (rc == 0) rc = check_attestation(doc, &body, o, tmp, &trusted);
            if (rc == 0) rc = check_signature(doc, &body, o, trusted, r);
            if (rc == 0) rc = prova__report_append(r, tmp);
            prova_report_free(tmp);
        }
    }
    prova_buf_free(&body);
    return rc;
}
