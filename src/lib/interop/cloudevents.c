/* CloudEvents 1.0: structured, binary (HTTP) and batch events of prova records, and unwrap. docs/cloudevents.md.
 *
 * SPEC (reference/ophamin.md §7): the proof event is {"specversion":"1.0","id":proof_id,"source","type",
 * "datacontenttype":"application/json","dataschema":..,"time":identity.created_at (only if a non-empty string),
 * "ophaminversion","ophaminschema","ophaminverdict", caller extensions, "data": the proof} in that order.
 * SPEC (CloudEvents 1.0.2 §3.1.1): "CloudEvents attribute names MUST consist of lower-case letters ('a' to 'z') or
 * digits ('0' to '9') from the ASCII character set. Attribute names SHOULD be descriptive and terse and SHOULD NOT
 * exceed 20 characters in length." (prova, as the reference, makes the 20 a MUST.)
 * SPEC (HTTP binding 1.0.2 §3.1.3.2): header values are percent-encoded: "space (U+0020), double-quote (U+0022),
 * percent (U+0025), and any characters outside the printable ASCII range of U+0021-U+007E inclusive".
 * SPEC (CloudEvents 1.0.2 §3.1.1 type system): "URI - Absolute uniform resource identifier. String encoding:
 * Absolute URI as defined in RFC 3986 Section 4.3"; "URI-reference - ... URI-reference as defined in RFC 3986
 * Section 4.1". source is a non-empty URI-reference, dataschema a non-empty URI (§3.1.2, §3.1.3); the documented
 * extension dataref (extensions/dataref.md) is a URI-reference. prova checks them when writing and when reading
 * (prova_ce_uri_check); a dataschema may carry a fragment, which §4.3's absolute-URI leaves out, because real peers
 * write one (the reference's proof dataschema ends "#empiricalproofrecord--10") and the SDK accepts it.
 *
 * One code path: every event is first a list of attributes (name, string value), then written either as a JSON
 * object (structured, batch) or as header lines (binary).
 */
#include <arpa/inet.h> /* inet_pton: the IPv6address of an IP literal */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "prova/cloudevents.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/time.h"

/* ---- small helpers ----------------------------------------------------------------------------------------- */

static int fail_at(prova_error *err, int status, const char *reason, const char *message, const char *name,
                   size_t name_len) {
    prova__fail(err, status, reason, message);
    if (err && name) {
        /* RFC 6901: "/" + the name with '~' -> "~0" and '/' -> "~1"; cut (not overflowed) when too long. */
        size_t o = 0;
        err->pointer[o++] = '/';
        for (size_t i = 0; i < name_len && o + 3 < PROVA_POINTER_MAX; i++) {
            char c = name[i];
            if (c == '~' || c == '/') {
                err->pointer[o++] = '~';
                err->pointer[o++] = c == '~' ? '0' : '1';
            } else {
                err->pointer[o++] = c;
            }
        }
        err->pointer[o] = '\0';
    }
    return status;
}

static bool name_valid(const char *s, size_t n) {
    if (n < 1 || n > 20) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) return false;
    return true;
}

static bool eq_n(const char *s, size_t n, const char *lit) {
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* The length of a string in a fixed array (cap when it has no NUL: then refused by the callers). */
static size_t cstr_len(const char *s, size_t cap) {
    const char *z = memchr(s, '\0', cap);
    return z ? (size_t)(z - s) : cap;
}

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ieq_n(const char *s, size_t n, const char *lit) {
    if (strlen(lit) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lit[i]) return false;
    return true;
}

/* The context attributes of CloudEvents 1.0 (§3.1 required, §3.2 optional) and the JSON format's data members:
 * never an extension's name. */
static const char *const context_attrs[] = {"specversion", "id",      "source", "type", "datacontenttype",
                                            "dataschema",  "subject", "time",   "data", "data_base64"};

static bool is_context_attr(const char *s, size_t n) {
    for (size_t i = 0; i < sizeof context_attrs / sizeof context_attrs[0]; i++)
        if (eq_n(s, n, context_attrs[i])) return true;
    return false;
}

bool prova_ce_time_valid(const char *s, size_t n) {
    return prova_time_valid(s, n);
}

/* ---- URIs (RFC 3986) --------------------------------------------------------------------------------------- */

static bool c_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool c_digit(char c) {
    return c >= '0' && c <= '9';
}
static bool c_hex(char c) {
    return c_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
/* §2.3 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static bool c_unreserved(char c) {
    return c_alpha(c) || c_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
/* §2.2 sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "=" */
static bool c_subdelim(char c) {
    return c && strchr("!$&'()*+,;=", c) != NULL;
}
/* §3.3 pchar = unreserved / pct-encoded / sub-delims / ":" / "@" ('%' checked in the first pass) */
static bool c_pchar(char c) {
    return c_unreserved(c) || c_subdelim(c) || c == ':' || c == '@' || c == '%';
}

/* A failure: *ret_off the byte, the message a constant sentence. Returns the reason. */
static const char *uri_bad(size_t i, const char *msg, size_t *ret_off, const char **ret_msg) {
    *ret_off = i;
    *ret_msg = msg;
    return "ce_uri_invalid";
}

/* §3.2.2 IP-literal = "[" ( IPv6address / IPvFuture ) "]" between a and b (the brackets excluded). */
static bool ip_literal(const char *s, size_t a, size_t b) {
    if (b > a && (s[a] == 'v' || s[a] == 'V')) { /* IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) */
        size_t i = a + 1;
        while (i < b && c_hex(s[i])) i++;
        if (i == a + 1 || i >= b || s[i] != '.') return false;
        if (++i == b) return false;
        for (; i < b; i++)
            if (!c_unreserved(s[i]) && !c_subdelim(s[i]) && s[i] != ':') return false;
        return true;
    }
    char tmp[64];
    unsigned char addr[16];
    if (b - a >= sizeof tmp) return false;
    memcpy(tmp, s + a, b - a);
    tmp[b - a] = '\0';
    return inet_pton(AF_INET6, tmp, addr) == 1; /* RFC 4291 text forms, IPv4-embedded included; no zone ids */
}

/* §3.2 authority = [ userinfo "@" ] host [ ":" port ] in s[a, b). NULL when valid. */
static const char *check_authority(const char *s, size_t a, size_t b, size_t *ret_off, const char **ret_msg) {
    const char *at = memchr(s + a, '@', b - a);
    size_t h = a;
    if (at) { /* userinfo = *( unreserved / pct-encoded / sub-delims / ":" ) */
        for (size_t i = a; s + i < at; i++)
            if (!c_unreserved(s[i]) && !c_subdelim(s[i]) && s[i] != ':' && s[i] != '%')
                return uri_bad(i,
                               "the userinfo of a URI may hold only unreserved characters, sub-delims, ':' and "
                               "percent-encodings (RFC 3986 section 3.2.1)",
                               ret_off, ret_msg);
        h = (size_t)(at - s) + 1;
    }
    size_t i = h;
    if (i < b && s[i] == '[') {
        const char *close = memchr(s + i, ']', b - i);
        if (!close) return uri_bad(i, "an IP literal must end with ']' (RFC 3986 section 3.2.2)", ret_off, ret_msg);
        if (!ip_literal(s, i + 1, (size_t)(close - s)))
            return uri_bad(i + 1, "an IP literal must be an IPv6 address or an IPvFuture (RFC 3986 section 3.2.2)",
                           ret_off, ret_msg);
        i = (size_t)(close - s) + 1;
    } else { /* reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4address is a reg-name too */
        while (i < b && s[i] != ':') {
            if (!c_unreserved(s[i]) && !c_subdelim(s[i]) && s[i] != '%')
                return uri_bad(i,
                               "a host may hold only unreserved characters, sub-delims and percent-encodings, or "
                               "be an IP literal in brackets (RFC 3986 section 3.2.2)",
                               ret_off, ret_msg);
            i++;
        }
    }
    if (i < b && s[i] != ':')
        return uri_bad(i, "only a ':' and a port may follow the host (RFC 3986 section 3.2)", ret_off, ret_msg);
    for (i = i < b ? i + 1 : b; i < b; i++) /* port = *DIGIT */
        if (!c_digit(s[i])) return uri_bad(i, "a port is decimal digits (RFC 3986 section 3.2.3)", ret_off, ret_msg);
    return NULL;
}

/* The whole grammar: URI-reference (§4.1) = URI / relative-ref, or with absolute a URI (§3: a scheme; see above for
 * the fragment). NULL when s[0, n) is one; else the reason, with the offending byte and a sentence. */
static const char *uri_problem(const char *s, size_t n, bool absolute, size_t *ret_off, const char **ret_msg) {
    /* Every byte is one RFC 3986 allows somewhere, and every '%' starts pct-encoded = "%" HEXDIG HEXDIG (§2.1). */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || !c_hex(s[i + 1]) || !c_hex(s[i + 2]))
                return uri_bad(i,
                               "a '%' must start a percent-encoding, '%' and two hexadecimal digits (RFC 3986 "
                               "section 2.1)",
                               ret_off, ret_msg);
            i += 2;
        } else if (!c_unreserved(c) && !c_subdelim(c) && !(c && strchr(":/?#[]@", c))) {
            return uri_bad(i,
                           "a byte that RFC 3986 does not allow in a URI: percent-encode it (section 2.1; a space "
                           "is %20)",
                           ret_off, ret_msg);
        }
    }
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':' (§3.1) */
    size_t i = 0;
    if (n && c_alpha(s[0])) {
        i = 1;
        while (i < n && (c_alpha(s[i]) || c_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) i++;
        i = i < n && s[i] == ':' ? i + 1 : 0;
    }
    bool scheme = i > 0;
    if (absolute && !scheme) {
        *ret_off = 0;
        *ret_msg = "a URI must be absolute: it starts with a scheme and ':' (RFC 3986 section 4.3, the CloudEvents "
                   "URI type)";
        return "ce_uri_not_absolute";
    }
    /* hier-part / relative-part */
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
        size_t a = i + 2, b = a;
        while (b < n && s[b] != '/' && s[b] != '?' && s[b] != '#') b++;
        const char *bad = check_authority(s, a, b, ret_off, ret_msg);
        if (bad) return bad;
        i = b;
    } else if (!scheme) { /* path-noscheme: the first segment has no ':' (§4.2) */
        for (size_t j = i; j < n && s[j] != '/' && s[j] != '?' && s[j] != '#'; j++)
            if (s[j] == ':')
                return uri_bad(j,
                               "a relative reference's first segment cannot hold ':' (it would read as a scheme; "
                               "RFC 3986 section 4.2): start it with \"./\" or give a scheme",
                               ret_off, ret_msg);
    }
    /* path, then "?" query, then "#" fragment (§3.3-§3.5) */
    int part = 0; /* 0 path, 1 query, 2 fragment */
    for (; i < n; i++) {
        char c = s[i];
        if (c == '?' && part == 0)
            part = 1;
        else if (c == '#' && part < 2)
            part = 2;
        else if (!(c_pchar(c) || c == '/' || (part > 0 && c == '?')))
            return uri_bad(i,
                           part == 0 ? "'[', ']', '#' or '?' where the path of a URI cannot have it (RFC 3986 "
                                       "section 3.3): percent-encode it"
                                     : "'[', ']' or a second '#' in a query or fragment (RFC 3986 sections 3.4, "
                                       "3.5): percent-encode it",
                           ret_off, ret_msg);
    }
    return NULL;
}

int prova_ce_uri_check(const char *s, size_t n, bool absolute, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!s && n) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL string");
    size_t off = 0;
    const char *msg = NULL;
    const char *reason = uri_problem(s ? s : "", n, absolute, &off, &msg);
    if (!reason) return 0;
    prova__fail(reterr, PROVA_ESYNTAX, reason, msg);
    if (reterr) reterr->offset = off;
    return PROVA_ESYNTAX;
}

/* The URI-typed attributes: 1 URI-reference, 2 URI, 0 not URI-typed. */
static int uri_type(const char *name, size_t n) {
    if (eq_n(name, n, "source") || eq_n(name, n, "dataref")) return 1;
    return eq_n(name, n, "dataschema") ? 2 : 0;
}

/* Checks an attribute's string value when its type is URI or URI-reference; reterr names the attribute (pointer)
 * and the byte (offset, within the value). */
static int check_uri_attr(const char *name, size_t nl, const char *v, size_t n, int status, prova_error *reterr) {
    int t = uri_type(name, nl);
    if (!t) return 0;
    size_t off = 0;
    const char *msg = NULL;
    const char *reason = uri_problem(v, n, t == 2, &off, &msg);
    if (!reason) return 0;
    fail_at(reterr, status, reason, msg, name, nl);
    if (reterr) reterr->offset = off;
    return status;
}

/* ---- the attribute list ------------------------------------------------------------------------------------ */

#define CE_OWN_ATTRS 12

typedef struct ce_attr {
    const char *name;
    const char *val; /* UTF-8 (may hold NUL bytes: len) */
    size_t len;
    const prova_json *json; /* when the value is a string of the record: written from it (lone surrogates) */
} ce_attr;

typedef struct ce_event {
    ce_attr a[CE_OWN_ATTRS + PROVA_CE_MAX_EXTENSIONS];
    size_t n;
    prova_profile profile; /* how the record (data) and the attributes are written */
    char id[200];
    char time[40];
    prova_buf schema, verdict; /* ophaminschema / ophaminverdict when not a string of the record */
} ce_event;

static void ev_free(ce_event *e) {
    prova_buf_free(&e->schema);
    prova_buf_free(&e->verdict);
}

static void add(ce_event *e, const char *name, const char *val, size_t len, const prova_json *json) {
    ce_attr *a = &e->a[e->n++];
    a->name = name;
    a->val = val;
    a->len = len;
    a->json = json;
}

static void add_cstr(ce_event *e, const char *name, const char *val) {
    add(e, name, val, strlen(val), NULL);
}

static void add_jstr(ce_event *e, const char *name, const prova_json *s) {
    add(e, name, prova_json_str(s), prova_json_len(s), s);
}

static bool truthy(const prova_json *v) {
    switch (prova_json_typeof(v)) {
    case PROVA_JSON_TRUE:
        return true;
    case PROVA_JSON_STRING:
    case PROVA_JSON_ARRAY:
    case PROVA_JSON_OBJECT:
        return v->len > 0;
    case PROVA_JSON_NUMBER: {
        if (v->flags & PROVA_NUM_NONFINITE) return true;
        double d;
        return prova_json_get_double(v, &d) != 0 || d != 0.0; /* out of range: huge, so truthy */
    }
    default:
        return false;
    }
}

/* Python's str(v or ""): "" for a falsy value, the string itself, "True", and for a number its JSON token as
 * Python writes it (str(float) == repr == json.dumps for finite floats; "nan"/"inf"/"-inf" otherwise). A non-empty
 * array or object becomes its canonical JSON text (Python would give its repr; documented). Adds the attribute. */
static int add_pystr(ce_event *e, const char *name, const prova_json *v, prova_buf *scratch, prova_error *reterr) {
    if (!truthy(v)) {
        add_cstr(e, name, "");
        return 0;
    }
    if (prova_json_is_string(v)) {
        add_jstr(e, name, v);
        return 0;
    }
    if (v->type == PROVA_JSON_TRUE) {
        add_cstr(e, name, "True");
        return 0;
    }
    int r;
    if (v->type == PROVA_JSON_NUMBER && (v->flags & PROVA_NUM_NONFINITE)) {
        const char *t = v->u.str[0] == 'N' ? "nan" : v->u.str[0] == '-' ? "-inf" : "inf";
        r = prova_buf_append(scratch, t, strlen(t));
    } else {
        r = prova_canon_write(v, PROVA_PROFILE_OPHAMIN, scratch, reterr);
    }
    if (r < 0) return r == PROVA_ENOMEM ? prova__fail(reterr, r, "out_of_memory", "out of memory") : r;
    add(e, name, (const char *)scratch->data, scratch->len, NULL);
    return 0;
}

const char *prova_ce_type_for(const prova_json *record, const prova_record_info *info) {
    if (!info || !info->kind) return NULL;
    static const struct {
        const char *kind, *type;
    } types[] = {
        {"proof_record", PROVA_CE_PROOF_TYPE},
        {"ope_envelope", "prova.ope.envelope.accepted.v1"},
        {"ope_receipt", "prova.ope.receipt.appended.v1"},
        {"ope_receipt_chain", "prova.ope.chain.exported.v1"},
        {"ope_bundle", "prova.ope.bundle.exported.v1"},
        {"oe_chain", "prova.oe.chain.resolved.v1"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(info->kind, types[i].kind) == 0) return types[i].type;
    if (strcmp(info->kind, "oe_bundle") == 0) {
        const prova_json *st = prova_json_get(prova_json_get(record, "status"), "status");
        if (prova_json_str_eq(st, "active")) return "prova.oe.certificate.issued.v1";
        if (prova_json_str_eq(st, "revoked")) return "prova.oe.certificate.revoked.v1";
        if (prova_json_str_eq(st, "superseded")) return "prova.oe.certificate.superseded.v1";
        return "prova.oe.certificate.exported.v1";
    }
    return NULL;
}

/* SHA-256 hex of canonical(proof minus signature and proof_id) — the reference's wrap() id when proof_id is
 * missing; unlike the signed body it keeps `attestation` (reference §12.4). */
static int proof_fallback_id(const prova_json *record, char out[2 * PROVA_HASH_MAX_BYTES + 1], prova_error *reterr) {
    prova_buf body = PROVA_BUF_INIT;
    int r = prova_buf_append(&body, "{", 1);
    bool first = true;
    for (size_t i = 0; r == 0 && i < record->len; i++) {
        const prova_json_member *m = &record->u.members[i];
        if (prova_json_str_eq(&m->key, "signature") || prova_json_str_eq(&m->key, "proof_id")) continue;
        if (!first) r = prova_buf_append(&body, ",", 1);
        first = false;
        if (r == 0) r = prova_canon_write(&m->key, PROVA_PROFILE_OPHAMIN, &body, reterr);
        if (r == 0) r = prova_buf_append(&body, ":", 1);
        if (r == 0) r = prova_canon_write(&m->value, PROVA_PROFILE_OPHAMIN, &body, reterr);
    }
    if (r == 0) r = prova_buf_append(&body, "}", 1);
    if (r == 0) r = prova_hash_compute_hex(PROVA_HASH_SHA256, body.data, body.len, out);
    prova_buf_free(&body);
    if (r == PROVA_ENOMEM) prova__fail(reterr, r, "out_of_memory", "out of memory");
    return r;
}

/* Fills the attribute list of one event (everything but data). */
static int build(ce_event *e, const prova_json *record, const prova_record_info *info, const prova_ce_options *o,
                 prova_error *reterr) {
    if (!record || !info || !o || !info->kind || (o->nextensions && !o->extensions))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL record, info or options");
    if (!o->source || !o->source[0] || !prova_utf8_valid(o->source, strlen(o->source)))
        return fail_at(reterr, PROVA_EINVAL, "ce_source", "the event source must be a non-empty UTF-8 string", "source",
                       6);
    const char *type = o->type ? o->type : prova_ce_type_for(record, info);
    if (!type) return prova__fail(reterr, PROVA_EINVAL, "ce_unknown_kind", "no event type for this kind of record");
    if (!type[0] || !prova_utf8_valid(type, strlen(type)))
        return fail_at(reterr, PROVA_EINVAL, "ce_type", "the event type must be a non-empty UTF-8 string", "type", 4);
    if (o->nextensions > PROVA_CE_MAX_EXTENSIONS)
        return prova__fail(reterr, PROVA_ELIMIT, "ce_extension_limit", "too many extensions (at most 64)");

    bool proof = strcmp(info->kind, "proof_record") == 0;
    add_cstr(e, "specversion", PROVA_CE_SPECVERSION);
    if (proof) {
        if (!prova_json_is_object(record))
            return prova__fail(reterr, PROVA_EINVAL, "ce_unknown_kind", "a proof record must be a JSON object");
        e->profile = PROVA_PROFILE_OPHAMIN;
        const prova_json *pid = prova_json_get(record, "proof_id");
        if (prova_json_is_string(pid) && pid->len > 0) {
            add_jstr(e, "id", pid);
        } else {
            int r = proof_fallback_id(record, e->id, reterr);
            if (r < 0) return r;
            add_cstr(e, "id", e->id);
        }
        add_cstr(e, "source", o->source);
        add_cstr(e, "type", type);
        add_cstr(e, "datacontenttype", "application/json");
        add_cstr(e, "dataschema", PROVA_CE_PROOF_DATASCHEMA);
        const prova_json *identity = prova_json_get(record, "identity");
        const prova_json *created = prova_json_get(identity, "created_at");
        if (prova_json_is_string(created) && created->len > 0) add_jstr(e, "time", created);
        const prova_json *ver = prova_json_get(identity, "ophamin_version");
        if (prova_json_is_string(ver) && ver->len > 0)
            add_jstr(e, "ophaminversion", ver);
        else
            add_cstr(e, "ophaminversion", PROVA_VERSION_STRING);
        int r = add_pystr(e, "ophaminschema", prova_json_get(record, "schema_version"), &e->schema, reterr);
        if (r == 0)
            r = add_pystr(e, "ophaminverdict", prova_json_get(prova_json_get(record, "verdict"), "outcome"),
                          &e->verdict, reterr);
        if (r < 0) return r;
    } else {
        e->profile = info->family == PROVA_RECORD_OE ? PROVA_PROFILE_JCS : PROVA_PROFILE_OPE;
        /* source + id must be unique per distinct event (CloudEvents §3.1.1 id): a receipt chain shares its head
           receipt's address and an OE bundle its chain's, so the kind is part of the id. */
        int k = snprintf(e->id, sizeof e->id, "%s:%s:%s", info->kind, info->digest_alg, info->digest);
        if (k < 0 || (size_t)k >= sizeof e->id || !info->digest[0])
            return prova__fail(reterr, PROVA_EINVAL, "ce_unknown_kind", "the record has no content address");
        add_cstr(e, "id", e->id);
        add_cstr(e, "source", o->source);
        add_cstr(e, "type", type);
        add_cstr(e, "datacontenttype", "application/json");
        size_t idn = cstr_len(info->id, sizeof info->id);
        if (idn > 0 && idn < sizeof info->id && prova_utf8_valid(info->id, idn)) add(e, "subject", info->id, idn, NULL);
        size_t tn = cstr_len(info->time, sizeof info->time);
        if (tn > 0 && tn < sizeof info->time) {
            int64_t us;
            if (prova_ce_time_valid(info->time, tn)) {
                add(e, "time", info->time, tn, NULL);
            } else if (prova_time_parse(info->time, tn, &us) == 0 && prova_time_format(us, e->time) > 0) {
                add_cstr(e, "time", e->time);
            } /* else: not a time prova can read; left out (the record keeps it) */
        }
        add_cstr(e, "provakind", info->kind);
    }

    /* Caller extensions: the reference's rule (name ^[a-z0-9]{1,20}$, no collision with the keys already set or
       "data"), plus every context attribute name, set or not. */
    for (size_t i = 0; i < o->nextensions; i++) {
        const char *name = o->extensions[i].name, *val = o->extensions[i].value;
        size_t nl = name ? strlen(name) : 0;
        if (!name_valid(name ? name : "", nl))
            return fail_at(reterr, PROVA_EINVAL, "ce_extension_name",
                           "an extension name must be 1 to 20 lowercase letters or digits", name, nl);
        bool clash = is_context_attr(name, nl);
        for (size_t j = 0; j < e->n && !clash; j++) clash = strcmp(e->a[j].name, name) == 0;
        if (clash)
            return fail_at(reterr, PROVA_EINVAL, "ce_extension_collision",
                           "an extension may not reuse an attribute's name", name, nl);
        if (!val || !prova_utf8_valid(val, strlen(val)))
            return fail_at(reterr, PROVA_EINVAL, "ce_extension_value", "an extension value must be a UTF-8 string",
                           name, nl);
        add_cstr(e, name, val);
    }
    /* The URI-typed attributes (the source, dataschema, a dataref extension) must be what their type says. */
    for (size_t i = 0; i < e->n; i++) {
        int r = check_uri_attr(e->a[i].name, strlen(e->a[i].name), e->a[i].val, e->a[i].len, PROVA_EINVAL, reterr);
        if (r < 0) return r;
    }
    return 0;
}

static int put_value(const ce_attr *a, prova_profile p, prova_buf *out, prova_error *reterr) {
    if (a->json) return prova_canon_write(a->json, p, out, reterr);
    int r = prova_canon_write_string(a->val, a->len, p, out);
    if (r == PROVA_ESYNTAX)
        return fail_at(reterr, r, "ce_attribute_type", "an attribute is not UTF-8", a->name, strlen(a->name));
    return r;
}

static int write_structured(const ce_event *e, const prova_json *record, prova_buf *out, prova_error *reterr) {
    int r = prova_buf_append(out, "{", 1);
    for (size_t i = 0; r == 0 && i < e->n; i++) {
        const ce_attr *a = &e->a[i];
        if (i) r = prova_buf_append(out, ",", 1);
        if (r == 0) r = prova_buf_append(out, "\"", 1);
        if (r == 0) r = prova_buf_append(out, a->name, strlen(a->name)); /* [a-z0-9_]: no escaping */
        if (r == 0) r = prova_buf_append(out, "\":", 2);
        if (r == 0) r = put_value(a, e->profile, out, reterr);
    }
    if (r == 0) r = prova_buf_append(out, ",\"data\":", 8);
    if (r == 0) r = prova_canon_write(record, e->profile, out, reterr);
    if (r == 0) r = prova_buf_append(out, "}", 1);
    return r;
}

static int finish(int r, prova_buf *out, size_t mark, prova_error *reterr) {
    if (r < 0) {
        out->len = mark;
        if (r == PROVA_ENOMEM) prova__fail(reterr, r, "out_of_memory", "out of memory");
    }
    return r;
}

int prova_ce_wrap(const prova_json *record, const prova_record_info *info, const prova_ce_options *opts, prova_buf *out,
                  prova_error *reterr) {
    prova_error_clear(reterr);
    if (!out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL output buffer");
    size_t mark = out->len;
    ce_event e;
    memset(&e, 0, sizeof e);
    int r = build(&e, record, info, opts, reterr);
    if (r == 0) r = write_structured(&e, record, out, reterr);
    ev_free(&e);
    return finish(r, out, mark, reterr);
}

int prova_ce_wrap_batch(const prova_json *const *records, const prova_record_info *infos, size_t n,
                        const prova_ce_options *opts, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!records || !infos || !out || n == 0)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or no records");
    size_t mark = out->len;
    int r = prova_buf_append(out, "[", 1);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i) r = prova_buf_append(out, ",", 1);
        ce_event e;
        memset(&e, 0, sizeof e);
        if (r == 0) r = build(&e, records[i], &infos[i], opts, reterr);
        if (r == 0) r = write_structured(&e, records[i], out, reterr);
        ev_free(&e);
        if (r < 0 && reterr) { /* prefix the pointer with the event's index */
            char tmp[PROVA_POINTER_MAX];
            int k = snprintf(tmp, sizeof tmp, "/%zu%s", i, reterr->pointer);
            if (k > 0 && (size_t)k < sizeof tmp) memcpy(reterr->pointer, tmp, (size_t)k + 1);
        }
    }
    if (r == 0) r = prova_buf_append(out, "]", 1);
    return finish(r, out, mark, reterr);
}

/* HTTP binding §3.1.3.2: percent-encode space, '"', '%' and every byte outside U+0021..U+007E (each UTF-8 byte of a
 * character outside ASCII). Uppercase hex, as RFC 3986 §2.1 recommends. */
static int put_pct(const char *s, size_t n, prova_buf *out) {
    static const char hex[] = "0123456789ABCDEF";
    int r = prova_buf_reserve(out, 3 * n);
    if (r < 0) return r;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '%') {
            out->data[out->len++] = '%';
            out->data[out->len++] = (uint8_t)hex[c >> 4];
            out->data[out->len++] = (uint8_t)hex[c & 15];
        } else {
            out->data[out->len++] = c;
        }
    }
    return 0;
}

int prova_ce_wrap_binary(const prova_json *record, const prova_record_info *info, const prova_ce_options *opts,
                         prova_buf *ret_headers, prova_buf *ret_body, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!ret_headers || !ret_body || ret_headers == ret_body)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL or shared output buffers");
    size_t hmark = ret_headers->len, bmark = ret_body->len;
    ce_event e;
    memset(&e, 0, sizeof e);
    int r = build(&e, record, info, opts, reterr);
    if (r == 0) r = prova_buf_append(ret_headers, "Content-Type: application/json\r\n", 32);
    for (size_t i = 0; r == 0 && i < e.n; i++) {
        const ce_attr *a = &e.a[i];
        if (strcmp(a->name, "datacontenttype") == 0) continue; /* §3.1.1: carried by Content-Type */
        r = prova_buf_append(ret_headers, "ce-", 3);
        if (r == 0) r = prova_buf_append(ret_headers, a->name, strlen(a->name));
        if (r == 0) r = prova_buf_append(ret_headers, ": ", 2);
        if (r == 0) r = put_pct(a->val, a->len, ret_headers); /* a lone surrogate: its generalized UTF-8 bytes */
        if (r == 0) r = prova_buf_append(ret_headers, "\r\n", 2);
    }
    if (r == 0) r = prova_canon_write(record, e.profile, ret_body, reterr);
    ev_free(&e);
    if (r < 0) {
        ret_body->len = bmark;
        return finish(r, ret_headers, hmark, reterr);
    }
    return 0;
}

/* ---- unwrap ------------------------------------------------------------------------------------------------ */

typedef enum { V_ABSENT = 0, V_STRING, V_INT, V_BOOL, V_OTHER } vkind;

/* One known attribute's checks (the value's kind and, for strings, its bytes). */
static int check_known(const char *name, vkind k, const char *s, size_t n, bool required, prova_error *reterr) {
    size_t nl = strlen(name);
    if (k == V_ABSENT) {
        if (!required) return 0;
        return fail_at(reterr, PROVA_ESYNTAX, "ce_missing_attribute", "a required CloudEvents attribute is missing",
                       name, nl);
    }
    if (strcmp(name, "specversion") == 0) {
        if (k != V_STRING || !eq_n(s, n, PROVA_CE_SPECVERSION))
            return fail_at(reterr, PROVA_ESYNTAX, "ce_specversion", "specversion must be the string \"1.0\"", name, nl);
        return 0;
    }
    if (strcmp(name, "time") == 0) {
        if (k != V_STRING)
            return fail_at(reterr, PROVA_ESYNTAX, "ce_attribute_type", "time must be a string", name, nl);
        if (!prova_ce_time_valid(s, n))
            return fail_at(reterr, PROVA_ESYNTAX, "ce_time", "time must be an RFC 3339 timestamp", name, nl);
        return 0;
    }
    if (k != V_STRING)
        return fail_at(reterr, PROVA_ESYNTAX, "ce_attribute_type", "a CloudEvents attribute must be a string", name,
                       nl);
    if (n == 0)
        return fail_at(reterr, PROVA_ESYNTAX, "ce_attribute_empty", "a CloudEvents attribute must not be empty", name,
                       nl);
    return check_uri_attr(name, nl, s, n, PROVA_ESYNTAX, reterr);
}

static const char *const known_attrs[] = {"specversion",     "id",         "source",  "type",
                                          "datacontenttype", "dataschema", "subject", "time"};
#define N_KNOWN    (sizeof known_attrs / sizeof known_attrs[0])
#define N_REQUIRED 4 /* the first four */

static vkind kind_of(const prova_json *v) {
    switch (prova_json_typeof(v)) {
    case PROVA_JSON_NULL:
        return V_ABSENT; /* also when v is NULL: a null attribute is not set */
    case PROVA_JSON_STRING:
        return V_STRING;
    case PROVA_JSON_TRUE:
    case PROVA_JSON_FALSE:
        return V_BOOL;
    case PROVA_JSON_NUMBER: {
        int64_t i;
        /* CloudEvents Integer: "A whole number in the range -2,147,483,648 to +2,147,483,647 inclusive" */
        if (prova_json_is_int(v) && prova_json_get_int64(v, &i) == 0 && i >= INT32_MIN && i <= INT32_MAX) return V_INT;
        return V_OTHER;
    }
    default:
        return V_OTHER;
    }
}

/* RFC 6838 structured syntax: JSON is application/json, text/json or any type with a "+json" suffix (parameters
 * ignored). */
static bool is_json_type(const char *s, size_t n) {
    size_t e = 0;
    while (e < n && s[e] != ';') e++;
    while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
    if (ieq_n(s, e, "application/json") || ieq_n(s, e, "text/json")) return true;
    return e >= 5 && ieq_n(s + e - 5, 5, "+json");
}

int prova_ce_unwrap(const prova_json *event, prova_buf *ret_data, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!event || !ret_data) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL event or buffer");
    if (!prova_json_is_object(event))
        return prova__fail(reterr, PROVA_ESYNTAX, "ce_not_object", "a CloudEvent must be a JSON object");
    for (size_t i = 0; i < N_KNOWN; i++) {
        const prova_json *v = prova_json_get(event, known_attrs[i]);
        int r = check_known(known_attrs[i], kind_of(v), prova_json_str(v), prova_json_len(v), i < N_REQUIRED, reterr);
        if (r < 0) return r;
    }
    for (size_t i = 0; i < event->len; i++) {
        const prova_json_member *m = &event->u.members[i];
        const char *k = m->key.u.str;
        size_t kl = m->key.len;
        if (is_context_attr(k, kl)) continue;
        if (!name_valid(k, kl))
            return fail_at(reterr, PROVA_ESYNTAX, "ce_extension_name",
                           "an extension name must be 1 to 20 lowercase letters or digits", k, kl);
        vkind vk = kind_of(&m->value);
        if (vk == V_OTHER)
            return fail_at(reterr, PROVA_ESYNTAX, "ce_extension_value",
                           "an extension value must be a string, a boolean or a 32-bit integer", k, kl);
        if (uri_type(k, kl) && vk != V_STRING && vk != V_ABSENT)
            return fail_at(reterr, PROVA_ESYNTAX, "ce_attribute_type", "a URI-reference attribute must be a string", k,
                           kl);
        if (vk == V_STRING) {
            int r = check_uri_attr(k, kl, m->value.u.str, m->value.len, PROVA_ESYNTAX, reterr);
            if (r < 0) return r;
        }
    }
    const prova_json *data = prova_json_get(event, "data"), *b64 = prova_json_get(event, "data_base64");
    if (prova_json_is_null(data)) data = NULL;
    if (prova_json_is_null(b64)) b64 = NULL;
    if (data && b64)
        return fail_at(reterr, PROVA_ESYNTAX, "ce_data_conflict", "an event has data or data_base64, not both",
                       "data_base64", 11);
    if (!data && !b64) return fail_at(reterr, PROVA_ESYNTAX, "ce_data_missing", "the event has no data", "data", 4);
    size_t mark = ret_data->len;
    int r;
    if (b64) {
        if (!prova_json_is_string(b64))
            return fail_at(reterr, PROVA_ESYNTAX, "ce_attribute_type", "data_base64 must be a string", "data_base64",
                           11);
        size_t cap = b64->len / 4 * 3 + 3, got = 0;
        r = prova_buf_reserve(ret_data, cap);
        if (r < 0) return prova__fail(reterr, r, "out_of_memory", "out of memory");
        r = prova_base64_decode(b64->u.str, b64->len, ret_data->data + ret_data->len, cap, &got, NULL);
        if (r < 0)
            return fail_at(reterr, PROVA_ESYNTAX, "ce_data_base64", "data_base64 is not valid base64 (RFC 4648 §4)",
                           "data_base64", 11);
        ret_data->len += got;
        return 0;
    }
    const prova_json *ct = prova_json_get(event, "datacontenttype");
    if (prova_json_is_string(data) && prova_json_is_string(ct) && !is_json_type(ct->u.str, ct->len)) {
        /* JSON event format §3.1: data of a non-JSON datacontenttype is the string itself. */
        r = prova_buf_append(ret_data, data->u.str, data->len);
    } else {
        r = prova_canon_write(data, PROVA_PROFILE_OPHAMIN, ret_data, reterr);
        if (r < 0 && reterr && r != PROVA_ENOMEM) {
            char tmp[PROVA_POINTER_MAX];
            int k = snprintf(tmp, sizeof tmp, "/data%s", reterr->pointer);
            if (k > 0 && (size_t)k < sizeof tmp) memcpy(reterr->pointer, tmp, (size_t)k + 1);
        }
    }
    return finish(r, ret_data, mark, reterr);
}

typedef struct bin_attr {
    char name[21];
    size_t off, len; /* the decoded value in the scratch buffer */
} bin_attr;

int prova_ce_unwrap_binary(const prova_ce_header *h, size_t n, const void *body, size_t len, prova_buf *ret_data,
                           prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!h && n) || (!body && len) || !ret_data)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL headers, body or buffer");
    if (n > PROVA_CE_MAX_HEADERS)
        return prova__fail(reterr, PROVA_ELIMIT, "ce_header_limit", "too many headers (at most 256)");
    bin_attr *attrs = NULL;
    size_t na = 0;
    prova_buf vals = PROVA_BUF_INIT;
    const prova_allocator *al = prova_allocator_default();
    int r = 0;
    if (n) {
        attrs = al->malloc(al->ctx, n * sizeof *attrs);
        if (!attrs) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        const char *nm = h[i].name;
        size_t nl = h[i].name_len;
        if (!nm || (!h[i].value && h[i].value_len)) {
            r = prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "a header without a name or value");
            break;
        }
        bin_attr a;
        if (ieq_n(nm, nl, "content-type")) {
            memcpy(a.name, "datacontenttype", 16);
        } else if (nl >= 3 && ieq_n(nm, 3, "ce-")) {
            nm += 3;
            nl -= 3;
            char low[21];
            for (size_t j = 0; j < nl && j < 20; j++) low[j] = lower(nm[j]);
            if (!name_valid(low, nl)) {
                r = fail_at(reterr, PROVA_ESYNTAX, "ce_extension_name",
                            "an attribute name must be 1 to 20 lowercase letters or digits", nm, nl);
                break;
            }
            if (eq_n(low, nl, "datacontenttype") || eq_n(low, nl, "data")) {
                r = fail_at(reterr, PROVA_ESYNTAX, "ce_header_invalid",
                            "binary mode carries datacontenttype as Content-Type and data as the body", low, nl);
                break;
            }
            memcpy(a.name, low, nl);
            a.name[nl] = '\0';
        } else {
            continue; /* not a CloudEvents header */
        }
        for (size_t j = 0; j < na && r == 0; j++)
            if (strcmp(attrs[j].name, a.name) == 0)
                r = fail_at(reterr, PROVA_ESYNTAX, "ce_header_duplicate", "an attribute is given twice", a.name,
                            strlen(a.name));
        if (r < 0) break;
        /* Decode: §3.1.3.2 percent-decoding, then the bytes must be UTF-8. Content-Type is not percent-encoded. */
        const char *v = h[i].value;
        size_t vl = h[i].value_len;
        bool ctype = strcmp(a.name, "datacontenttype") == 0;
        a.off = vals.len;
        r = prova_buf_reserve(&vals, vl);
        if (r < 0) {
            prova__fail(reterr, r, "out_of_memory", "out of memory");
            break;
        }
        for (size_t j = 0; j < vl; j++) {
            if (v[j] == '%' && !ctype) {
                int hi = j + 2 < vl ? prova__hex_value(v[j + 1]) : -1,
                    lo = j + 2 < vl ? prova__hex_value(v[j + 2]) : -1;
                if (hi < 0 || lo < 0) {
                    r = -1;
                    break;
                }
                vals.data[vals.len++] = (uint8_t)(hi * 16 + lo);
                j += 2;
            } else {
                vals.data[vals.len++] = (uint8_t)v[j];
            }
        }
        a.len = vals.len - a.off;
        if (r < 0 || (a.len && !prova_utf8_valid((const char *)vals.data + a.off, a.len))) {
            r = fail_at(reterr, PROVA_ESYNTAX, "ce_header_encoding",
                        "a header value is not percent-encoded UTF-8 (HTTP binding 1.0.2 §3.1.3.2)", a.name,
                        strlen(a.name));
            break;
        }
        attrs[na++] = a;
    }
    for (size_t i = 0; r == 0 && i < N_KNOWN; i++) {
        const bin_attr *a = NULL;
        for (size_t j = 0; j < na && !a; j++)
            if (strcmp(attrs[j].name, known_attrs[i]) == 0) a = &attrs[j];
        r = check_known(known_attrs[i], a ? V_STRING : V_ABSENT, a && a->len ? (const char *)vals.data + a->off : "",
                        a ? a->len : 0, i < N_REQUIRED, reterr);
    }
    for (size_t j = 0; r == 0 && j < na; j++) /* extensions of a URI type (dataref); the known ones are checked above */
        if (!is_context_attr(attrs[j].name, strlen(attrs[j].name)))
            r = check_uri_attr(attrs[j].name, strlen(attrs[j].name), (const char *)vals.data + attrs[j].off,
                               attrs[j].len, PROVA_ESYNTAX, reterr);
    if (r == 0 && len == 0) r = fail_at(reterr, PROVA_ESYNTAX, "ce_data_missing", "the event has no data", "data", 4);
    if (r == 0) {
        r = prova_buf_append(ret_data, body, len);
        if (r < 0) prova__fail(reterr, r, "out_of_memory", "out of memory");
    }
    prova_buf_free(&vals);
    if (attrs) al->free(al->ctx, attrs, n * sizeof *attrs);
    return r;
}
