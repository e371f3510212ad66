/* Payload normalization (SFT): the registry, the ODIN starter gateway's built-in transforms (byte for byte with
 * packages/odin_core/sft.py at starter f4854158, reference/odin.md §5.6) and declarative mapping files.
 * docs/transforms.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ope_internal.h"
#include "prova/sft.h"

/* ---- Errors ----------------------------------------------------------------------------------------------- */

static int fail_at(prova_error *e, int status, const char *reason, const char *msg, const char *ptr) {
    prova__fail(e, status, reason, msg);
    if (e && ptr) {
        size_t n = strlen(ptr);
        if (n >= sizeof e->pointer) n = sizeof e->pointer - 1;
        memcpy(e->pointer, ptr, n);
        e->pointer[n] = '\0';
    }
    return status;
}

/* A payload the transform cannot take (the reference's SFTError). */
static int reject(prova_error *e, const char *msg, const char *ptr) {
    return fail_at(e, PROVA_ESYNTAX, "sft_payload_rejected", msg, ptr);
}

static int put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}

/* The value, or null when absent (Python's dict.get). */
static int putv(prova_buf *b, const prova_json *v, prova_error *e) {
    return v ? prova_canon_write(v, PROVA_PROFILE_OPE, b, e) : put(b, "null");
}

static int putkv(prova_buf *b, const char *key, const prova_json *v, prova_error *e) {
    int r = prova_canon_write_string(key, strlen(key), PROVA_PROFILE_OPE, b);
    if (r == 0) r = put(b, ":");
    if (r == 0) r = putv(b, v, e);
    return r;
}

/* Python truthiness of a JSON value (absent counts as the .get default, handled by callers). */
static bool py_falsy(const prova_json *v) {
    switch (prova_json_typeof(v)) {
    case PROVA_JSON_NULL:
    case PROVA_JSON_FALSE:
        return true;
    case PROVA_JSON_TRUE:
        return false;
    case PROVA_JSON_NUMBER: {
        double d = 1;
        if (prova_json_get_double(v, &d) < 0) return false;
        return d == 0;
    }
    default:
        return prova_json_len(v) == 0;
    }
}

/* ---- Python equality of two JSON values (procurement's amounts_consistent) ------------------------------------- */

/* An integer token's digits without sign and leading zeros; "-0" is "0". */
static void int_norm(const char *t, size_t n, bool *neg, const char **d, size_t *dl) {
    *neg = n && t[0] == '-';
    if (*neg) t++, n--;
    while (n > 1 && t[0] == '0') t++, n--;
    if (n == 1 && t[0] == '0') *neg = false;
    *d = t;
    *dl = n;
}

static bool num_eq(const prova_json *a, const prova_json *b) {
    /* bool is an int in Python: True == 1 == 1.0 */
    const char *ta = prova_json_is_bool(a) ? (a->type == PROVA_JSON_TRUE ? "1" : "0") : a->u.str;
    const char *tb = prova_json_is_bool(b) ? (b->type == PROVA_JSON_TRUE ? "1" : "0") : b->u.str;
    bool fa = prova_json_is_number(a) && (a->flags & PROVA_NUM_FLOAT);
    bool fb = prova_json_is_number(b) && (b->flags & PROVA_NUM_FLOAT);
    if (!fa && !fb) {
        bool na, nb;
        const char *da, *db;
        size_t la, lb;
        int_norm(ta, strlen(ta), &na, &da, &la);
        int_norm(tb, strlen(tb), &nb, &db, &lb);
        return na == nb && la == lb && memcmp(da, db, la) == 0;
    }
    double xa = 0, xb = 0;
    if (fa && prova_json_get_double(a, &xa) < 0) xa = ta[0] == '-' ? -INFINITY : INFINITY;
    if (fb && prova_json_get_double(b, &xb) < 0) xb = tb[0] == '-' ? -INFINITY : INFINITY;
    if (fa && fb) return xa == xb;
    /* int against float: exact, as Python compares them */
    double x = fa ? xa : xb;
    const char *it = fa ? tb : ta;
    if (!isfinite(x) || x != floor(x)) return false;
    char fbuf[400];
    snprintf(fbuf, sizeof fbuf, "%.0f", x);
    bool n1, n2;
    const char *d1, *d2;
    size_t l1, l2;
    int_norm(fbuf, strlen(fbuf), &n1, &d1, &l1);
    int_norm(it, strlen(it), &n2, &d2, &l2);
    return n1 == n2 && l1 == l2 && memcmp(d1, d2, l1) == 0;
}

static bool py_eq(const prova_json *a, const prova_json *b) {
    bool an = prova_json_is_number(a) || prova_json_is_bool(a), bn = prova_json_is_number(b) || prova_json_is_bool(b);
    if (an && bn) return num_eq(a, b);
    if (a->type != b->type) return false;
    switch (a->type) {
    case PROVA_JSON_NULL:
        return true;
    case PROVA_JSON_STRING:
        return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
    case PROVA_JSON_ARRAY:
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!py_eq(&a->u.items[i], &b->u.items[i])) return false;
        return true;
    case PROVA_JSON_OBJECT:
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++) { /* both sorted by key */
            const prova_json_member *ma = &a->u.members[i], *mb = &b->u.members[i];
            if (ma->key.len != mb->key.len || memcmp(ma->key.u.str, mb->key.u.str, ma->key.len) != 0 ||
                !py_eq(&ma->value, &mb->value))
                return false;
        }
        return true;
    default:
        return false;
    }
}

/* ---- Python's json.dumps(x) with its defaults (ensure_ascii, ", " and ": ") ------------------------------------
 * Objects come out in prova's order (code point order of keys), not in the order they were written: a parsed
 * document does not keep it (docs/transforms.md, "Differences from the reference"). */
static int py_dumps(const prova_json *v, prova_buf *b, prova_error *e) {
    int r = 0;
    switch (v->type) {
    case PROVA_JSON_STRING:
        return prova_canon_write(v, PROVA_PROFILE_OPHAMIN, b, e);
    case PROVA_JSON_ARRAY:
        r = put(b, "[");
        for (uint32_t i = 0; r == 0 && i < v->len; i++) {
            if (i) r = put(b, ", ");
            if (r == 0) r = py_dumps(&v->u.items[i], b, e);
        }
        return r ? r : put(b, "]");
    case PROVA_JSON_OBJECT:
        r = put(b, "{");
        for (uint32_t i = 0; r == 0 && i < v->len; i++) {
            if (i) r = put(b, ", ");
            if (r == 0) r = prova_canon_write(&v->u.members[i].key, PROVA_PROFILE_OPHAMIN, b, e);
            if (r == 0) r = put(b, ": ");
            if (r == 0) r = py_dumps(&v->u.members[i].value, b, e);
        }
        return r ? r : put(b, "}");
    default:
        return prova_canon_write(v, PROVA_PROFILE_OPE, b, e);
    }
}

/* ---- The built-in transforms ------------------------------------------------------------------------------------ */

typedef int (*builtin_fn)(const prova_json *p, prova_buf *out, prova_buf *notes, prova_error *e);

#define NOT_OBJECT "the payload is not a JSON object"

/* _map_invoice_to_iso20022(args, created_at) */
static int map_invoice(const prova_json *args, const prova_json *created_at, prova_buf *o, prova_buf *notes,
                       prova_error *e) {
    const prova_json *ccy = prova_json_get(args, "currency"), *desc = prova_json_get(args, "description");
    int r = put(o, "{\"Document\":{\"FIToFICstmrCdtTrf\":{\"GrpHdr\":{");
    if (r == 0) r = putkv(o, "MsgId", prova_json_get(args, "invoice_id"), e);
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "CreDtTm", created_at, e);
    if (r == 0) r = put(o, "},\"CdtTrfTxInf\":[{\"Amt\":{\"InstdAmt\":{\"ccy\":");
    if (r == 0) r = ccy ? putv(o, ccy, e) : put(o, "\"USD\"");
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "value", prova_json_get(args, "amount"), e);
    if (r == 0) r = put(o, "}},\"Cdtr\":{");
    if (r == 0) r = putkv(o, "Nm", prova_json_get(args, "customer_name"), e);
    if (r == 0) r = put(o, "},\"RmtInf\":{\"Ustrd\":[");
    if (r == 0) r = desc ? putv(o, desc, e) : put(o, "\"\"");
    if (r == 0) r = put(o, "]}}]}}}");
    if (r == 0)
        r = put(notes, "{\"fields_mapped\":[\"invoice_id->MsgId\",\"amount->InstdAmt\",\"customer_name->Cdtr.Nm\"]}");
    return r;
}

static int vendor_to_iso20022(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    return map_invoice(p, prova_json_get(p, "created_at"), o, notes, e);
}

/* arguments given as a JSON string: parsed (*ret_doc owns the result) */
static int parse_arguments(const prova_json *aj, prova_doc **ret_doc, const prova_json **ret_args, const char *msg,
                           const char *ptr, prova_error *e) {
    int r = prova_json_parse(aj->u.str, aj->len, NULL, ret_doc, NULL);
    if (r == PROVA_ENOMEM) return prova__fail(e, r, "out_of_memory", prova_status_message(r));
    if (r < 0) return reject(e, msg, ptr);
    *ret_args = prova_doc_root(*ret_doc);
    return 0;
}

#define OAI "Failed to map openai.tooluse.invoice.v1: "
static int openai_tooluse_to_iso20022(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    const prova_json *tc = prova_json_get(p, "tool_calls");
    if (!tc || py_falsy(tc)) return reject(e, OAI "No tool_calls found", "/tool_calls");
    if (!prova_json_is_array(tc)) return reject(e, OAI "tool_calls is not an array", "/tool_calls");
    const prova_json *call = prova_json_at(tc, 0);
    if (!prova_json_is_object(call)) return reject(e, OAI "tool_calls[0] is not an object", "/tool_calls/0");
    const prova_json *func = prova_json_get(call, "function");
    if (func && !prova_json_is_object(func))
        return reject(e, OAI "tool_calls[0].function is not an object", "/tool_calls/0/function");
    const prova_json *aj = prova_json_get(func, "arguments"), *args = NULL;
    prova_doc *doc = NULL;
    int r = 0;
    if (prova_json_is_string(aj))
        r = parse_arguments(aj, &doc, &args, OAI "the function arguments are not valid JSON",
                            "/tool_calls/0/function/arguments", e);
    else if (prova_json_is_object(aj))
        args = aj;
    else
        return reject(e, OAI "Function arguments missing", "/tool_calls/0/function/arguments");
    if (r == 0 && !prova_json_is_object(args))
        r = reject(e, OAI "the function arguments are not a JSON object", "/tool_calls/0/function/arguments");
    if (r == 0) r = map_invoice(args, prova_json_get(p, "created_at"), o, notes, e);
    prova_doc_free(doc);
    return r;
}

#define CLA "Failed to map claude.tooluse.invoice.v1: "
static int claude_tooluse_to_iso20022(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    const prova_json *tc = prova_json_get(p, "tool_calls"), *args = NULL;
    prova_doc *doc = NULL;
    int r = 0;
    /* Newer shape: tool_calls (parity with OpenAI); function falls back to the call itself when falsy. */
    if (tc && !py_falsy(tc)) {
        if (!prova_json_is_array(tc)) return reject(e, CLA "tool_calls is not an array", "/tool_calls");
        const prova_json *call = prova_json_at(tc, 0);
        if (!prova_json_is_object(call)) return reject(e, CLA "tool_calls[0] is not an object", "/tool_calls/0");
        const prova_json *func = prova_json_get(call, "function");
        if (!func || py_falsy(func))
            func = call;
        else if (!prova_json_is_object(func))
            return reject(e, CLA "tool_calls[0].function is not an object", "/tool_calls/0/function");
        const prova_json *aj = prova_json_get(func, "arguments");
        if (prova_json_is_string(aj)) {
            r = parse_arguments(aj, &doc, &args, CLA "the function arguments are not valid JSON", "/tool_calls/0", e);
            if (r == 0 && prova_json_is_null(args)) args = NULL; /* json.loads("null") is None: not found */
        } else if (prova_json_is_object(aj))
            args = aj;
    }
    /* Legacy Anthropic shape: content list with tool_use entries. */
    const prova_json *content = prova_json_get(p, "content");
    if (r == 0 && !args && content) {
        if (prova_json_is_array(content)) {
            for (size_t i = 0; i < content->len; i++) {
                const prova_json *item = prova_json_at(content, i);
                if (!prova_json_is_object(item)) {
                    r = reject(e, CLA "a content item is not an object", "/content");
                    break;
                }
                const prova_json *in = prova_json_get(item, "input");
                if (prova_json_str_eq(prova_json_get(item, "type"), "tool_use") && prova_json_is_object(in)) {
                    args = in;
                    break;
                }
            }
        } else if (!((prova_json_is_string(content) || prova_json_is_object(content)) && content->len == 0))
            r = reject(e, CLA "content is not a list", "/content");
    }
    if (r == 0 && !args) r = reject(e, CLA "No tool_use arguments found", "");
    if (r == 0 && !prova_json_is_object(args))
        r = reject(e, CLA "the tool arguments are not a JSON object", "/tool_calls/0");
    if (r == 0) r = map_invoice(args, prova_json_get(p, "created_at"), o, notes, e);
    prova_doc_free(doc);
    return r;
}

/* member k of obj, or the empty object when absent (Python's .get(k, {})), which must then be an object */
static const prova_json *get_obj(const prova_json *obj, const char *k, bool *ok) {
    const prova_json *v = prova_json_get(obj, k);
    if (v && !prova_json_is_object(v)) *ok = false;
    return v;
}

#define REV "Failed to map invoice.iso20022.v1 -> openai.tooluse.invoice.v1: "
static int iso20022_to_openai(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    bool ok = true;
    const prova_json *doc = get_obj(p, "Document", &ok);
    const prova_json *main = get_obj(doc, "FIToFICstmrCdtTrf", &ok);
    const prova_json *grp = get_obj(main, "GrpHdr", &ok);
    if (!ok) return reject(e, REV "Document, FIToFICstmrCdtTrf and GrpHdr must be objects", "/Document");
    const prova_json *txs = prova_json_get(main, "CdtTrfTxInf");
    if (!txs || py_falsy(txs)) return reject(e, REV "Missing CdtTrfTxInf array", "/Document/FIToFICstmrCdtTrf");
    const prova_json *first = prova_json_at(txs, 0);
    if (!prova_json_is_object(first))
        return reject(e, REV "CdtTrfTxInf[0] is not an object", "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf");
    const prova_json *amt = get_obj(first, "Amt", &ok);
    const prova_json *instd = get_obj(amt, "InstdAmt", &ok);
    const prova_json *cdtr = get_obj(first, "Cdtr", &ok);
    const prova_json *rmtinf = get_obj(first, "RmtInf", &ok);
    if (!ok)
        return reject(e, REV "Amt, InstdAmt, Cdtr and RmtInf must be objects",
                      "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/0");
    const prova_json *rmt = prova_json_get(rmtinf, "Ustrd");
    const prova_json *desc = NULL;
    prova_json ch = {0}; /* rmt[0] of a string: its first character */
    if (rmt && !py_falsy(rmt)) {
        if (prova_json_is_array(rmt))
            desc = prova_json_at(rmt, 0);
        else if (prova_json_is_string(rmt)) {
            unsigned char c0 = (unsigned char)rmt->u.str[0];
            uint32_t n = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
            ch.type = PROVA_JSON_STRING;
            ch.len = n <= rmt->len ? n : rmt->len;
            ch.u.str = rmt->u.str;
            desc = &ch;
        } else
            return reject(e, REV "Ustrd is not a list", "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/0/RmtInf/Ustrd");
    }
    /* args in the reference's insertion order, None values left out, then json.dumps with its defaults */
    static const char *const names[] = {"invoice_id", "amount", "currency", "customer_name", "description"};
    const prova_json *vals[] = {prova_json_get(grp, "MsgId"), prova_json_get(instd, "value"),
                                prova_json_get(instd, "ccy"), prova_json_get(cdtr, "Nm"), desc};
    prova_buf a = PROVA_BUF_INIT;
    int r = put(&a, "{");
    bool any = false;
    for (size_t i = 0; r == 0 && i < 5; i++) {
        if (!vals[i] || prova_json_is_null(vals[i])) continue;
        if (any) r = put(&a, ", ");
        any = true;
        if (r == 0) r = prova_canon_write_string(names[i], strlen(names[i]), PROVA_PROFILE_OPHAMIN, &a);
        if (r == 0) r = put(&a, ": ");
        if (r == 0) r = py_dumps(vals[i], &a, e);
    }
    if (r == 0) r = put(&a, "}");
    if (r == 0) r = put(o, "{\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"create_invoice\",");
    if (r == 0) r = put(o, "\"arguments\":");
    if (r == 0) r = prova_canon_write_string((const char *)a.data, a.len, PROVA_PROFILE_OPE, o);
    if (r == 0) r = put(o, "}}],");
    if (r == 0) r = putkv(o, "created_at", prova_json_get(grp, "CreDtTm"), e);
    if (r == 0) r = put(o, "}");
    if (r == 0)
        r = put(notes, "{\"fields_mapped\":[\"MsgId->invoice_id\",\"InstdAmt->amount\",\"Cdtr.Nm->customer_name\"],"
                       "\"reverse\":true}");
    prova_buf_free(&a);
    return r;
}

/* Python's f"{x}" of a JSON value: str for strings, None/True/False, an int's digits, a float's repr. */
static int py_str(const prova_json *v, prova_buf *b, prova_error *e, const char *ptr) {
    switch (prova_json_typeof(v)) {
    case PROVA_JSON_NULL:
        return put(b, "None");
    case PROVA_JSON_TRUE:
        return put(b, "True");
    case PROVA_JSON_FALSE:
        return put(b, "False");
    case PROVA_JSON_STRING:
        return prova_buf_append(b, v->u.str, v->len);
    case PROVA_JSON_NUMBER:
        return prova_canon_write(v, PROVA_PROFILE_OPE, b, e);
    default: /* Python's repr of a list or dict: written here only when empty (the rest needs Python's str.repr) */
        if (v->len == 0) return put(b, v->type == PROVA_JSON_ARRAY ? "[]" : "{}");
        return reject(e, "Failed to map health.observation.vendor.v1: patient_id is a non-empty list or object", ptr);
    }
}

static int vendor_obs_to_fhir(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    prova_buf ref = PROVA_BUF_INIT;
    int r = put(&ref, "Patient/");
    if (r == 0) r = py_str(prova_json_get(p, "patient_id"), &ref, e, "/patient_id");
    if (r == 0) r = put(o, "{\"resourceType\":\"Observation\",");
    if (r == 0) r = putkv(o, "id", prova_json_get(p, "observation_id"), e);
    if (r == 0) r = put(o, ",\"code\":{");
    if (r == 0) r = putkv(o, "text", prova_json_get(p, "code"), e);
    if (r == 0) r = put(o, "},\"valueQuantity\":{");
    if (r == 0) r = putkv(o, "value", prova_json_get(p, "value"), e);
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "unit", prova_json_get(p, "unit"), e);
    if (r == 0) r = put(o, "},\"subject\":{\"reference\":");
    if (r == 0) r = prova_canon_write_string((const char *)ref.data, ref.len, PROVA_PROFILE_OPE, o);
    if (r == 0) r = put(o, "},");
    if (r == 0) r = putkv(o, "effectiveDateTime", prova_json_get(p, "effective_at"), e);
    if (r == 0) r = put(o, "}");
    if (r == 0)
        r = put(notes, "{\"fields_mapped\":[\"observation_id->id\",\"code->code.text\",\"value->valueQuantity.value\","
                       "\"patient_id->subject.reference\"]}");
    prova_buf_free(&ref);
    return r;
}

static int vendor_patient_to_fhir(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    int r = put(o, "{\"resourceType\":\"Patient\",");
    if (r == 0) r = putkv(o, "id", prova_json_get(p, "patient_id"), e);
    if (r == 0) r = put(o, ",\"name\":[{");
    if (r == 0) r = putkv(o, "text", prova_json_get(p, "name"), e);
    if (r == 0) r = put(o, "}],");
    if (r == 0) r = putkv(o, "gender", prova_json_get(p, "gender"), e);
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "birthDate", prova_json_get(p, "birth_date"), e);
    if (r == 0) r = put(o, "}");
    if (r == 0) r = put(notes, "{\"fields_mapped\":[\"patient_id->id\",\"name->name[0].text\"]}");
    return r;
}

static int vendor_claim_notice(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    int r = put(o, "{\"ClaimNotice\":{");
    if (r == 0) r = putkv(o, "ClaimNumber", prova_json_get(p, "claim_number"), e);
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "LossDate", prova_json_get(p, "loss_date"), e);
    if (r == 0) r = put(o, ",\"Insured\":{");
    if (r == 0) r = putkv(o, "Name", prova_json_get(p, "insured_name"), e);
    if (r == 0) r = put(o, "},");
    if (r == 0) r = putkv(o, "LossDescription", prova_json_get(p, "description"), e);
    if (r == 0) r = put(o, "}}");
    if (r == 0) r = put(notes, "{\"fields_mapped\":[\"claim_number->ClaimNumber\",\"insured_name->Insured.Name\"]}");
    return r;
}

static int vendor_three_way_match(const prova_json *p, prova_buf *o, prova_buf *notes, prova_error *e) {
    if (!prova_json_is_object(p)) return reject(e, NOT_OBJECT, "");
    bool ok = true;
    const prova_json *po = get_obj(p, "po", &ok), *gr = get_obj(p, "gr", &ok), *inv = get_obj(p, "invoice", &ok);
    if (!ok) return reject(e, "Failed to map procurement.match.vendor.v1: po, gr and invoice must be objects", "");
    const prova_json *pa = prova_json_get(po, "amount");
    const prova_json *amounts[2] = {prova_json_get(gr, "amount"), prova_json_get(inv, "amount")};
    bool consistent = true;
    for (size_t i = 0; i < 2; i++) {
        const prova_json *a = amounts[i];
        if (!a || prova_json_is_null(a) || !pa || !py_eq(a, pa)) consistent = false;
    }
    const char *cs = consistent ? "true" : "false";
    int r = put(o, "{\"three_way_match\":{\"po\":{");
    if (r == 0) r = putkv(o, "id", prova_json_get(po, "id"), e);
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "amount", pa, e);
    if (r == 0) r = put(o, "},\"goods_receipt\":{");
    if (r == 0) r = putkv(o, "id", prova_json_get(gr, "id"), e);
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "amount", amounts[0], e);
    if (r == 0) r = put(o, "},\"invoice\":{");
    if (r == 0) r = putkv(o, "id", prova_json_get(inv, "id"), e);
    if (r == 0) r = put(o, ",");
    if (r == 0) r = putkv(o, "amount", amounts[1], e);
    if (r == 0) r = put(o, "},\"amounts_consistent\":");
    if (r == 0) r = put(o, cs);
    if (r == 0) r = put(o, "}}");
    if (r == 0)
        r = put(notes,
                "{\"fields_mapped\":[\"po.id->three_way_match.po.id\",\"invoice.id->three_way_match.invoice.id\"],"
                "\"consistency\":");
    if (r == 0) r = put(notes, cs);
    if (r == 0) r = put(notes, "}");
    return r;
}

typedef struct builtin {
    const char *from, *to, *id;
    builtin_fn fn;
} builtin;

/* The starter's registered pairs (packages/odin_core/sft.py); ids name the reference's functions. */
#define BUILTIN_VERSION "1"
static const builtin builtins[] = {
    {"invoice.vendor.v1", "invoice.iso20022.v1", "odin.vendor_to_iso20022", vendor_to_iso20022},
    {"openai.tooluse.invoice.v1", "invoice.iso20022.v1", "odin.openai_tooluse_invoice_to_iso20022",
     openai_tooluse_to_iso20022},
    {"claude.tooluse.invoice.v1", "invoice.iso20022.v1", "odin.claude_tooluse_invoice_to_iso20022",
     claude_tooluse_to_iso20022},
    {"invoice.iso20022.v1", "openai.tooluse.invoice.v1", "odin.iso20022_back_to_openai", iso20022_to_openai},
    {"health.observation.vendor.v1", "fhir.observation.v1", "odin.vendor_obs_to_fhir", vendor_obs_to_fhir},
    {"health.patient.vendor.v1", "fhir.patient.v1", "odin.vendor_patient_to_fhir", vendor_patient_to_fhir},
    {"insurance.claim_notice.vendor.v1", "acord.claim_notice.v1", "odin.vendor_claim_notice", vendor_claim_notice},
    {"procurement.match.vendor.v1", "procurement.match.v1", "odin.vendor_three_way_match", vendor_three_way_match},
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

/* ---- Mapping files ---------------------------------------------------------------------------------------------- */

typedef enum op_kind { OP_RENAME, OP_MOVE, OP_DROP, OP_DEFAULT, OP_COERCE } op_kind;
typedef enum coerce_type { CT_STRING, CT_NUMBER, CT_INTEGER, CT_BOOLEAN } coerce_type;

typedef struct map_op {
    op_kind kind;
    const char *path;        /* the member operated on (move: the destination) */
    const char *from;        /* move: the source */
    const prova_json *to;    /* rename: the new member name */
    const prova_json *value; /* default */
    coerce_type ctype;
    bool required;
} map_op;

typedef struct mapping {
    prova_doc *doc; /* owns every string below */
    const char *from, *to, *id, *version;
    map_op *ops;
    size_t nops;
    bool overrides;
} mapping;

struct prova_sft_registry {
    mapping *maps;
    size_t n, cap;
};

int prova_sft_registry_new(prova_sft_registry **ret) {
    if (!ret) return PROVA_EINVAL;
    prova_sft_registry *r = calloc(1, sizeof *r);
    if (!r) return PROVA_ENOMEM;
    *ret = r;
    return 0;
}

prova_sft_registry *prova_sft_registry_free(prova_sft_registry *r) {
    if (!r) return NULL;
    for (size_t i = 0; i < r->n; i++) {
        prova_doc_free(r->maps[i].doc);
        free(r->maps[i].ops);
    }
    free(r->maps);
    free(r);
    return NULL;
}

#define MAP_FAIL(reason, msg, ptr) fail_at(reterr, PROVA_ESYNTAX, reason, msg, ptr)

/* An RFC 6901 pointer: "" or "/"-separated tokens where "~" is followed by 0 or 1. */
static bool pointer_ok(const prova_json *v) {
    if (!prova_json_is_string(v) || v->len == 0 || v->u.str[0] != '/' || memchr(v->u.str, 0, v->len)) return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (v->u.str[i] == '~' && (i + 1 >= v->len || (v->u.str[i + 1] != '0' && v->u.str[i + 1] != '1'))) return false;
    return true;
}

/* A type name: 1-256 printable ASCII characters without spaces. */
static bool type_ok(const prova_json *v) {
    if (!prova_json_is_string(v) || v->len == 0 || v->len > 256) return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (v->u.str[i] <= ' ' || v->u.str[i] > '~') return false;
    return true;
}

static bool only_members(const prova_json *obj, const char *const *allowed, const char **ret_bad) {
    for (uint32_t i = 0; i < obj->len; i++) {
        const prova_json *k = &obj->u.members[i].key;
        bool found = false;
        for (const char *const *a = allowed; *a && !found; a++) found = prova_json_str_eq(k, *a);
        if (!found) {
            *ret_bad = k->u.str;
            return false;
        }
    }
    return true;
}

static int parse_op(const prova_json *o, size_t i, map_op *op, prova_error *reterr) {
    char ptr[64];
    snprintf(ptr, sizeof ptr, "/operations/%zu", i);
    if (!prova_json_is_object(o)) return MAP_FAIL("sft_map_op", "an operation must be a JSON object", ptr);
    const prova_json *kind = prova_json_get(o, "op");
    static const char *const kinds[] = {"rename", "move", "drop", "default", "coerce"};
    size_t k = 0;
    while (k < 5 && !prova_json_str_eq(kind, kinds[k])) k++;
    if (k == 5) {
        snprintf(ptr, sizeof ptr, "/operations/%zu/op", i);
        return MAP_FAIL("sft_map_op", "op must be one of rename, move, drop, default, coerce", ptr);
    }
    op->kind = (op_kind)k;
    static const char *const m_rename[] = {"op", "path", "to", "required", NULL};
    static const char *const m_move[] = {"op", "from", "path", "required", NULL};
    static const char *const m_drop[] = {"op", "path", "required", NULL};
    static const char *const m_default[] = {"op", "path", "value", NULL};
    static const char *const m_coerce[] = {"op", "path", "type", "required", NULL};
    static const char *const *const members[] = {m_rename, m_move, m_drop, m_default, m_coerce};
    const char *bad = NULL;
    if (!only_members(o, members[k], &bad)) {
        snprintf(ptr, sizeof ptr, "/operations/%zu", i);
        return MAP_FAIL("sft_map_op", "the operation has a member its op does not take", ptr);
    }
    const prova_json *path = prova_json_get(o, "path");
    snprintf(ptr, sizeof ptr, "/operations/%zu/path", i);
    if (!path) return MAP_FAIL("sft_map_op", "the operation needs a path", ptr);
    if (!pointer_ok(path))
        return MAP_FAIL("sft_map_pointer", "path must be a JSON Pointer (RFC 6901) to a member, not the root", ptr);
    op->path = path->u.str;
    const prova_json *req = prova_json_get(o, "required");
    if (req && !prova_json_is_bool(req)) {
        snprintf(ptr, sizeof ptr, "/operations/%zu/required", i);
        return MAP_FAIL("sft_map_op", "required must be true or false", ptr);
    }
    op->required = req && req->type == PROVA_JSON_TRUE;
    switch (op->kind) {
    case OP_RENAME:
        op->to = prova_json_get(o, "to");
        snprintf(ptr, sizeof ptr, "/operations/%zu/to", i);
        if (!op->to) return MAP_FAIL("sft_map_op", "rename needs to (the new member name)", ptr);
        if (!prova_json_is_string(op->to) || op->to->len == 0)
            return MAP_FAIL("sft_map_op", "to must be a non-empty member name (not a pointer)", ptr);
        break;
    case OP_MOVE: {
        const prova_json *from = prova_json_get(o, "from");
        snprintf(ptr, sizeof ptr, "/operations/%zu/from", i);
        if (!from) return MAP_FAIL("sft_map_op", "move needs from", ptr);
        if (!pointer_ok(from))
            return MAP_FAIL("sft_map_pointer", "from must be a JSON Pointer (RFC 6901) to a member, not the root", ptr);
        op->from = from->u.str;
        size_t fl = from->len;
        if (path->len >= fl && memcmp(path->u.str, from->u.str, fl) == 0 &&
            (path->len == fl || path->u.str[fl] == '/')) {
            snprintf(ptr, sizeof ptr, "/operations/%zu/path", i);
            return MAP_FAIL("sft_map_pointer", "move cannot put a member at or inside itself", ptr);
        }
        break;
    }
    case OP_DEFAULT:
        op->value = prova_json_get(o, "value");
        snprintf(ptr, sizeof ptr, "/operations/%zu/value", i);
        if (!op->value) return MAP_FAIL("sft_map_op", "default needs value", ptr);
        break;
    case OP_COERCE: {
        const prova_json *t = prova_json_get(o, "type");
        snprintf(ptr, sizeof ptr, "/operations/%zu/type", i);
        if (!t) return MAP_FAIL("sft_map_op", "coerce needs type", ptr);
        static const char *const types[] = {"string", "number", "integer", "boolean"};
        size_t c = 0;
        while (c < 4 && !prova_json_str_eq(t, types[c])) c++;
        if (c == 4) return MAP_FAIL("sft_map_coerce_type", "type must be string, number, integer or boolean", ptr);
        op->ctype = (coerce_type)c;
        break;
    }
    default:
        break;
    }
    return 0;
}

static bool builtin_has(const char *from, const char *to) {
    for (size_t i = 0; i < NBUILTINS; i++)
        if (!strcmp(builtins[i].from, from) && !strcmp(builtins[i].to, to)) return true;
    return false;
}

int prova_sft_registry_add_mapping(prova_sft_registry *r, const void *data, size_t len, bool *ret_overrides,
                                   prova_error *reterr) {
    prova_error_clear(reterr);
    if (!r || (!data && len)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_doc *doc = NULL;
    prova_error pe;
    int rc = prova_json_parse(data, len, NULL, &doc, &pe);
    if (rc == PROVA_ENOMEM) return prova__fail(reterr, rc, "out_of_memory", prova_status_message(rc));
    if (rc < 0) {
        fail_at(reterr, PROVA_ESYNTAX, "sft_map_json", "the mapping file is not JSON", pe.pointer);
        if (reterr) {
            reterr->offset = pe.offset;
            reterr->line = pe.line;
            reterr->column = pe.column;
        }
        return PROVA_ESYNTAX;
    }
    const prova_json *root = prova_doc_root(doc);
    mapping m = {.doc = doc};
    static const char *const top[] = {"id", "version", "from", "to", "description", "operations", NULL};
    const char *bad = NULL;
    const prova_json *id = prova_json_get(root, "id"), *ver = prova_json_get(root, "version");
    const prova_json *from = prova_json_get(root, "from"), *to = prova_json_get(root, "to");
    const prova_json *ops = prova_json_get(root, "operations"), *desc = prova_json_get(root, "description");
    if (!prova_json_is_object(root))
        rc = MAP_FAIL("sft_map_schema", "a mapping file is a JSON object", "");
    else if (!only_members(root, top, &bad))
        rc =
            MAP_FAIL("sft_map_schema", "unknown member (id, version, from, to, description, operations are known)", "");
    else if (!prova_json_is_string(id) || id->len == 0 || id->len > 256 || memchr(id->u.str, 0, id->len))
        rc = MAP_FAIL("sft_map_schema", "id must be a string of 1-256 bytes", "/id");
    else if (!prova_json_is_string(ver) || ver->len == 0 || ver->len > 64 || memchr(ver->u.str, 0, ver->len))
        rc = MAP_FAIL("sft_map_schema", "version must be a string of 1-64 bytes", "/version");
    else if (!type_ok(from))
        rc =
            MAP_FAIL("sft_map_type", "from must be a type name (1-256 printable ASCII characters, no spaces)", "/from");
    else if (!type_ok(to))
        rc = MAP_FAIL("sft_map_type", "to must be a type name (1-256 printable ASCII characters, no spaces)", "/to");
    else if (from->len == to->len && !memcmp(from->u.str, to->u.str, from->len))
        rc = MAP_FAIL("sft_map_type", "from and to are equal: equal types are always the identity", "/to");
    else if (desc && !prova_json_is_string(desc))
        rc = MAP_FAIL("sft_map_schema", "description must be a string", "/description");
    else if (!prova_json_is_array(ops))
        rc = MAP_FAIL("sft_map_schema", "operations must be an array", "/operations");
    else if (ops->len > 10000)
        rc = MAP_FAIL("sft_map_schema", "a mapping file has at most 10000 operations", "/operations");
    if (rc == 0 && ops->len && !(m.ops = calloc(ops->len, sizeof *m.ops))) rc = PROVA_ENOMEM;
    for (size_t i = 0; rc == 0 && i < prova_json_len(ops); i++)
        rc = parse_op(prova_json_at(ops, i), i, &m.ops[i], reterr);
    if (rc == 0) {
        m.from = from->u.str, m.to = to->u.str, m.id = id->u.str, m.version = ver->u.str, m.nops = ops->len;
        for (size_t i = 0; i < r->n; i++)
            if (!strcmp(r->maps[i].from, m.from) && !strcmp(r->maps[i].to, m.to)) {
                rc = MAP_FAIL("sft_map_duplicate", "another mapping file has the same from and to", "/to");
                break;
            }
    }
    if (rc == 0 && r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 8;
        mapping *nm = realloc(r->maps, nc * sizeof *nm);
        if (!nm)
            rc = PROVA_ENOMEM;
        else
            r->maps = nm, r->cap = nc;
    }
    if (rc < 0) {
        if (rc == PROVA_ENOMEM) prova__fail(reterr, rc, "out_of_memory", prova_status_message(rc));
        free(m.ops);
        prova_doc_free(doc);
        return rc;
    }
    m.overrides = builtin_has(m.from, m.to);
    if (ret_overrides) *ret_overrides = m.overrides;
    r->maps[r->n++] = m;
    return 0;
}

size_t prova_sft_registry_count(const prova_sft_registry *r) {
    size_t n = NBUILTINS;
    for (size_t i = 0; r && i < r->n; i++)
        if (!r->maps[i].overrides) n++;
    return n;
}

static const mapping *find_mapping(const prova_sft_registry *r, const char *from, const char *to) {
    for (size_t i = 0; r && i < r->n; i++)
        if (!strcmp(r->maps[i].from, from) && !strcmp(r->maps[i].to, to)) return &r->maps[i];
    return NULL;
}

int prova_sft_registry_at(const prova_sft_registry *r, size_t i, const char **ret_from, const char **ret_to,
                          const char **ret_id, const char **ret_version) {
    const char *f = NULL, *t = NULL, *id = NULL, *v = NULL;
    if (i < NBUILTINS) {
        const mapping *m = find_mapping(r, builtins[i].from, builtins[i].to);
        f = builtins[i].from, t = builtins[i].to;
        id = m ? m->id : builtins[i].id;
        v = m ? m->version : BUILTIN_VERSION;
    } else {
        size_t k = i - NBUILTINS;
        for (size_t j = 0; r && j < r->n && !f; j++) {
            if (r->maps[j].overrides) continue;
            if (k-- == 0) f = r->maps[j].from, t = r->maps[j].to, id = r->maps[j].id, v = r->maps[j].version;
        }
        if (!f) return PROVA_EINVAL;
    }
    if (ret_from) *ret_from = f;
    if (ret_to) *ret_to = t;
    if (ret_id) *ret_id = id;
    if (ret_version) *ret_version = v;
    return 0;
}

/* ---- A mutable JSON tree for the mapping operations -------------------------------------------------------------- */

typedef struct node node;
struct node {
    uint8_t type;
    char *s; /* STRING: bytes; NUMBER: token */
    size_t len;
    node **kids;
    char **keys;   /* OBJECT */
    size_t *klens; /* OBJECT */
    size_t n, cap;
};

static void node_free(node *x) {
    if (!x) return;
    for (size_t i = 0; i < x->n; i++) {
        node_free(x->kids[i]);
        if (x->keys) free(x->keys[i]);
    }
    free(x->kids);
    free(x->keys);
    free(x->klens);
    free(x->s);
    free(x);
}

static char *dup_bytes(const char *s, size_t n) {
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

static node *node_new(uint8_t type, const char *s, size_t len) {
    node *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->type = type;
    if (s && !(x->s = dup_bytes(s, len))) {
        free(x);
        return NULL;
    }
    x->len = len;
    return x;
}

static int node_reserve(node *x) {
    if (x->n < x->cap) return 0;
    size_t nc = x->cap ? 2 * x->cap : 8;
    node **k = realloc(x->kids, nc * sizeof *k);
    if (!k) return PROVA_ENOMEM;
    x->kids = k;
    if (x->type == PROVA_JSON_OBJECT) {
        char **ks = realloc(x->keys, nc * sizeof *ks);
        if (!ks) return PROVA_ENOMEM;
        x->keys = ks;
        size_t *kl = realloc(x->klens, nc * sizeof *kl);
        if (!kl) return PROVA_ENOMEM;
        x->klens = kl;
    }
    x->cap = nc;
    return 0;
}

/* Appends kid (taken) under key (copied) to an object, or to an array (key NULL). kid is freed on failure. */
static int node_push(node *x, const char *key, size_t klen, node *kid) {
    char *k = NULL;
    if (!kid || node_reserve(x) < 0 || (key && !(k = dup_bytes(key, klen)))) {
        node_free(kid);
        return PROVA_ENOMEM;
    }
    if (x->type == PROVA_JSON_OBJECT) x->keys[x->n] = k, x->klens[x->n] = klen;
    x->kids[x->n++] = kid;
    return 0;
}

static node *node_copy(const prova_json *v) {
    uint8_t t = v->type;
    node *x = node_new(t, t == PROVA_JSON_STRING || t == PROVA_JSON_NUMBER ? v->u.str : NULL,
                       t == PROVA_JSON_STRING || t == PROVA_JSON_NUMBER ? v->len : 0);
    if (!x) return NULL;
    for (uint32_t i = 0; t == PROVA_JSON_ARRAY && i < v->len; i++)
        if (node_push(x, NULL, 0, node_copy(&v->u.items[i])) < 0) return node_free(x), NULL;
    for (uint32_t i = 0; t == PROVA_JSON_OBJECT && i < v->len; i++) {
        const prova_json_member *m = &v->u.members[i];
        if (node_push(x, m->key.u.str, m->key.len, node_copy(&m->value)) < 0) return node_free(x), NULL;
    }
    return x;
}

static int node_write(const node *x, prova_buf *b) {
    int r = 0;
    switch (x->type) {
    case PROVA_JSON_NULL:
        return put(b, "null");
    case PROVA_JSON_TRUE:
        return put(b, "true");
    case PROVA_JSON_FALSE:
        return put(b, "false");
    case PROVA_JSON_NUMBER:
        return prova_buf_append(b, x->s, x->len);
    case PROVA_JSON_STRING:
        return prova_canon_write_string(x->s, x->len, PROVA_PROFILE_OPE, b);
    case PROVA_JSON_ARRAY:
        r = put(b, "[");
        for (size_t i = 0; r == 0 && i < x->n; i++) {
            if (i) r = put(b, ",");
            if (r == 0) r = node_write(x->kids[i], b);
        }
        return r ? r : put(b, "]");
    default:
        r = put(b, "{");
        for (size_t i = 0; r == 0 && i < x->n; i++) {
            if (i) r = put(b, ",");
            if (r == 0) r = prova_canon_write_string(x->keys[i], x->klens[i], PROVA_PROFILE_OPE, b);
            if (r == 0) r = put(b, ":");
            if (r == 0) r = node_write(x->kids[i], b);
        }
        return r ? r : put(b, "}");
    }
}

/* The next reference token of pointer *p (decoded into tok, at most cap bytes): its length, or -1 when too long. */
static long next_token(const char **p, char *tok, size_t cap) {
    const char *s = *p + 1; /* past '/' */
    size_t n = 0;
    while (*s && *s != '/') {
        char c = *s++;
        if (c == '~') c = *s++ == '0' ? '~' : '/';
        if (n >= cap) return -1;
        tok[n++] = c;
    }
    *p = s;
    return (long)n;
}

static long obj_find(const node *x, const char *k, size_t kl) {
    for (size_t i = 0; i < x->n; i++)
        if (x->klens[i] == kl && memcmp(x->keys[i], k, kl) == 0) return (long)i;
    return -1;
}

/* An array index token: digits without leading zeros. */
static bool index_of(const char *t, size_t n, size_t *ret) {
    if (n == 0 || n > 9 || (n > 1 && t[0] == '0')) return false;
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9') return false;
        v = v * 10 + (size_t)(t[i] - '0');
    }
    *ret = v;
    return true;
}

#define TOK_MAX 4096

/* Where pointer p leads: *ret_parent and the slot (*ret_i, or -1 when absent with the last token in tok and its length
 * in ret_tl). create: intermediate members that are absent become objects. Returns 0, 1 when the path is absent (not
 * create) or crosses a value that is not a container, PROVA_ESYNTAX when create meets such a value, PROVA_ENOMEM. */
static int locate(node *root, const char *p, bool create, node **ret_parent, long *ret_i, char *tok, size_t *ret_tl) {
    node *cur = root;
    for (;;) {
        long tl = next_token(&p, tok, TOK_MAX);
        if (tl < 0) return 1;
        bool last = *p == '\0';
        long i = -1;
        size_t idx;
        if (cur->type == PROVA_JSON_OBJECT)
            i = obj_find(cur, tok, (size_t)tl);
        else if (cur->type == PROVA_JSON_ARRAY) {
            if (!index_of(tok, (size_t)tl, &idx) || idx > cur->n) return create ? PROVA_ESYNTAX : 1;
            i = idx < cur->n ? (long)idx : -1;
        } else
            return create ? PROVA_ESYNTAX : 1;
        if (last) {
            *ret_parent = cur;
            *ret_i = i;
            *ret_tl = (size_t)tl;
            return 0;
        }
        if (i < 0) {
            if (!create) return 1;
            node *o = node_new(PROVA_JSON_OBJECT, NULL, 0);
            if (node_push(cur, cur->type == PROVA_JSON_OBJECT ? tok : NULL, (size_t)tl, o) < 0) return PROVA_ENOMEM;
            i = (long)cur->n - 1;
        }
        cur = cur->kids[i];
    }
}

/* Removes slot i of parent, returning its value. */
static node *detach(node *parent, long i) {
    node *v = parent->kids[i];
    if (parent->keys) free(parent->keys[i]);
    for (size_t k = (size_t)i + 1; k < parent->n; k++) {
        parent->kids[k - 1] = parent->kids[k];
        if (parent->keys) parent->keys[k - 1] = parent->keys[k], parent->klens[k - 1] = parent->klens[k];
    }
    parent->n--;
    return v;
}

/* Puts v (taken) at pointer p, creating intermediate objects, replacing what is there. */
static int place(node *root, const char *p, node *v, prova_error *e) {
    node *parent;
    long i;
    size_t tl;
    char tok[TOK_MAX];
    if (!v) return PROVA_ENOMEM;
    int rc = locate(root, p, true, &parent, &i, tok, &tl);
    if (rc != 0) {
        node_free(v);
        return rc == PROVA_ENOMEM ? rc : reject(e, "the path crosses a value that is not an object", p);
    }
    if (i >= 0) {
        node_free(parent->kids[i]);
        parent->kids[i] = v;
        return 0;
    }
    return node_push(parent, parent->type == PROVA_JSON_OBJECT ? tok : NULL, tl, v);
}

static void append_pointer_token(prova_buf *b, const char *t, size_t n, int *rc) {
    for (size_t i = 0; *rc == 0 && i < n; i++)
        *rc = t[i] == '~' ? put(b, "~0") : t[i] == '/' ? put(b, "~1") : prova_buf_append(b, &t[i], 1);
}

static int coerce(node *x, coerce_type t, const char *ptr, prova_error *e) {
    if (t == CT_STRING) {
        if (x->type == PROVA_JSON_STRING) return 0;
        prova_buf b = PROVA_BUF_INIT;
        int rc = 0;
        if (x->type == PROVA_JSON_NUMBER)
            rc = prova_canon_bytes(x->s, x->len, PROVA_PROFILE_OPE, NULL, &b, e);
        else if (x->type == PROVA_JSON_TRUE || x->type == PROVA_JSON_FALSE)
            rc = put(&b, x->type == PROVA_JSON_TRUE ? "true" : "false");
        else
            rc = reject(e, "coerce to string takes a string, a number or a boolean", ptr);
        char *s = rc == 0 ? dup_bytes((const char *)b.data, b.len) : NULL;
        if (rc == 0 && !s) rc = PROVA_ENOMEM;
        if (rc == 0) {
            free(x->s);
            x->s = s, x->len = b.len, x->type = PROVA_JSON_STRING;
        }
        prova_buf_free(&b);
        return rc;
    }
    if (t == CT_BOOLEAN) {
        if (x->type == PROVA_JSON_TRUE || x->type == PROVA_JSON_FALSE) return 0;
        if (x->type == PROVA_JSON_STRING && x->len == 4 && !memcmp(x->s, "true", 4))
            x->type = PROVA_JSON_TRUE;
        else if (x->type == PROVA_JSON_STRING && x->len == 5 && !memcmp(x->s, "false", 5))
            x->type = PROVA_JSON_FALSE;
        else
            return reject(e, "coerce to boolean takes true, false, \"true\" or \"false\"", ptr);
        free(x->s);
        x->s = NULL, x->len = 0;
        return 0;
    }
    /* number, integer: from a number or a string holding a JSON number */
    if (x->type != PROVA_JSON_NUMBER && x->type != PROVA_JSON_STRING)
        return reject(e, "coerce to number or integer takes a number or a string holding one", ptr);
    prova_doc *d = NULL;
    if (prova_json_parse(x->s, x->len, NULL, &d, NULL) < 0 || !prova_json_is_number(prova_doc_root(d))) {
        prova_doc_free(d);
        return reject(e, "the string does not hold a JSON number", ptr);
    }
    const prova_json *num = prova_doc_root(d);
    char buf[400];
    const char *tokn = num->u.str;
    size_t tl = num->len;
    if (t == CT_INTEGER && (num->flags & PROVA_NUM_FLOAT)) {
        double dv;
        if (prova_json_get_double(num, &dv) < 0 || !isfinite(dv) || dv != floor(dv) || fabs(dv) > 9007199254740992.0) {
            prova_doc_free(d);
            return reject(e, "coerce to integer takes an integral number within +-2^53", ptr);
        }
        snprintf(buf, sizeof buf, "%.0f", dv);
        if (!strcmp(buf, "-0")) strcpy(buf, "0");
        tokn = buf, tl = strlen(buf);
    }
    char *s = dup_bytes(tokn, tl);
    prova_doc_free(d);
    if (!s) return PROVA_ENOMEM;
    free(x->s);
    x->s = s, x->len = tl, x->type = PROVA_JSON_NUMBER;
    return 0;
}

static int note_item(prova_buf *b, bool *first, const char *a, const char *sep, const char *c) {
    int rc = *first ? 0 : put(b, ",");
    *first = false;
    prova_buf t = PROVA_BUF_INIT;
    if (rc == 0) rc = put(&t, a);
    if (rc == 0 && sep) rc = put(&t, sep);
    if (rc == 0 && c) rc = put(&t, c);
    if (rc == 0) rc = prova_canon_write_string((const char *)t.data, t.len, PROVA_PROFILE_OPE, b);
    prova_buf_free(&t);
    return rc;
}

static int run_mapping(const mapping *m, const prova_json *payload, prova_buf *out, prova_buf *notes, prova_error *e) {
    node *root = node_copy(payload);
    if (!root) return PROVA_ENOMEM;
    prova_buf lists[4] = {PROVA_BUF_INIT, PROVA_BUF_INIT, PROVA_BUF_INIT,
                          PROVA_BUF_INIT}; /* mapped, dropped, defaulted, coerced */
    bool first[4] = {true, true, true, true};
    int rc = 0;
    char tok[TOK_MAX];
    for (size_t k = 0; rc == 0 && k < m->nops; k++) {
        const map_op *op = &m->ops[k];
        node *parent;
        long i;
        size_t tl;
        const char *src = op->kind == OP_MOVE ? op->from : op->path;
        int f = locate(root, src, false, &parent, &i, tok, &tl);
        if (f < 0) {
            rc = f;
            break;
        }
        bool present = f == 0 && i >= 0;
        if (op->kind == OP_DEFAULT) {
            if (present) continue;
            rc = place(root, op->path, node_copy(op->value), e);
            if (rc == 0) rc = note_item(&lists[2], &first[2], op->path, NULL, NULL);
            continue;
        }
        if (!present) {
            if (op->required) rc = reject(e, "a required member is absent", src);
            continue;
        }
        switch (op->kind) {
        case OP_RENAME: {
            if (parent->type != PROVA_JSON_OBJECT) {
                rc = reject(e, "rename takes an object member, not an array element", src);
                break;
            }
            long j = obj_find(parent, op->to->u.str, op->to->len);
            if (j == i) break;
            node *v = detach(parent, i);
            if (j > i) j--;
            if (j >= 0) node_free(detach(parent, j));
            rc = node_push(parent, op->to->u.str, op->to->len, v);
            prova_buf dst = PROVA_BUF_INIT;
            const char *slash = strrchr(src, '/');
            if (rc == 0) rc = prova_buf_append(&dst, src, (size_t)(slash - src) + 1);
            append_pointer_token(&dst, op->to->u.str, op->to->len, &rc);
            if (rc == 0) rc = prova_buf_append(&dst, "", 1);
            if (rc == 0) rc = note_item(&lists[0], &first[0], src, "->", (const char *)dst.data);
            prova_buf_free(&dst);
            break;
        }
        case OP_MOVE:
            rc = place(root, op->path, detach(parent, i), e);
            if (rc == 0) rc = note_item(&lists[0], &first[0], op->from, "->", op->path);
            break;
        case OP_DROP:
            node_free(detach(parent, i));
            rc = note_item(&lists[1], &first[1], op->path, NULL, NULL);
            break;
        case OP_COERCE:
            rc = coerce(parent->kids[i], op->ctype, op->path, e);
            if (rc == 0) rc = note_item(&lists[3], &first[3], op->path, NULL, NULL);
            break;
        default:
            break;
        }
    }
    prova_buf text = PROVA_BUF_INIT;
    if (rc == 0) rc = node_write(root, &text);
    prova_parse_options po = {.max_depth = 100000};
    if (rc == 0) rc = prova_canon_bytes(text.data, text.len, PROVA_PROFILE_OPE, &po, out, e);
    static const char *const names[] = {"coerced", "defaulted", "dropped", "fields_mapped"};
    static const int order[] = {3, 2, 1, 0};
    if (rc == 0) rc = put(notes, "{");
    for (size_t k = 0; rc == 0 && k < 4; k++) {
        if (k) rc = put(notes, ",");
        if (rc == 0) rc = prova_canon_write_string(names[k], strlen(names[k]), PROVA_PROFILE_OPE, notes);
        if (rc == 0) rc = put(notes, ":[");
        if (rc == 0) rc = prova_buf_append(notes, lists[order[k]].data, lists[order[k]].len);
        if (rc == 0) rc = put(notes, "]");
    }
    if (rc == 0) rc = put(notes, ",\"mapping\":");
    if (rc == 0) rc = prova_canon_write_string(m->id, strlen(m->id), PROVA_PROFILE_OPE, notes);
    if (rc == 0) rc = put(notes, ",\"version\":");
    if (rc == 0) rc = prova_canon_write_string(m->version, strlen(m->version), PROVA_PROFILE_OPE, notes);
    if (rc == 0) rc = put(notes, "}");
    prova_buf_free(&text);
    for (size_t k = 0; k < 4; k++) prova_buf_free(&lists[k]);
    node_free(root);
    return rc;
}

/* ---- Running ------------------------------------------------------------------------------------------------------
 */

void prova_sft_result_free(prova_sft_result *res) {
    if (!res) return;
    prova_buf_free(&res->payload);
    prova_buf_free(&res->notes);
    res->id = res->version = NULL;
    res->cid[0] = '\0';
}

int prova_sft_run(const prova_sft_registry *r, const prova_json *payload, const char *payload_type,
                  const char *target_type, unsigned flags, prova_sft_result *ret, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!payload || !payload_type || !target_type || !ret)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    ret->payload.len = ret->notes.len = 0;
    ret->id = ret->version = NULL;
    ret->cid[0] = '\0';
    const mapping *m = strcmp(payload_type, target_type) ? find_mapping(r, payload_type, target_type) : NULL;
    const builtin *b = NULL;
    for (size_t i = 0; !m && strcmp(payload_type, target_type) && i < NBUILTINS && !b; i++)
        if (!strcmp(builtins[i].from, payload_type) && !strcmp(builtins[i].to, target_type)) b = &builtins[i];
    int rc;
    prova_buf raw = PROVA_BUF_INIT;
    if (m) {
        rc = run_mapping(m, payload, &ret->payload, &ret->notes, reterr);
        ret->id = m->id, ret->version = m->version;
    } else if (b) {
        rc = b->fn(payload, &raw, &ret->notes, reterr);
        prova_parse_options po = {.max_depth = 100000};
        if (rc == 0) rc = prova_canon_bytes(raw.data, raw.len, PROVA_PROFILE_OPE, &po, &ret->payload, reterr);
        ret->id = b->id, ret->version = BUILTIN_VERSION;
    } else if (!strcmp(payload_type, target_type) || (flags & PROVA_SFT_PASSTHROUGH)) {
        rc = prova_canon_write(payload, PROVA_PROFILE_OPE, &ret->payload, reterr);
        const char *n = strcmp(payload_type, target_type) ? "{\"notes\":\"not_transformed\"}"
                                                          : "{\"notes\":\"already_normalized\"}";
        if (rc == 0) rc = put(&ret->notes, n);
    } else
        rc = prova__fail(reterr, PROVA_ENOTFOUND, "sft_unregistered", "No SFT transformer registered for the pair");
    prova_buf_free(&raw);
    if (rc == 0) prova__ope_cid_bytes(ret->payload.data, ret->payload.len, ret->cid);
    if (rc < 0) {
        if (rc == PROVA_ENOMEM && reterr && reterr->status == 0)
            prova__fail(reterr, rc, "out_of_memory", prova_status_message(rc));
        prova_sft_result_free(ret);
    }
    return rc;
}
