/* OpenExecution events: timestamps, the event hash, genesis, and the incremental chain checker.
 *
 * SPEC (openexecution.md §2.1, hash-chain §3, JS SDK computeEventHash):
 *   H(JCS({seq, event_type, actor_id: actor_id || "system", timestamp: new Date(created_at).toISOString(),
 *          payload, prev_hash}))
 *   JCS sorts the six ASCII keys to actor_id, event_type, payload, prev_hash, seq, timestamp, so the input is
 *   written in that order without sorting. A member the event lacks is left out, as JSON.stringify drops
 *   undefined; the Python SDK instead defaults payload to {} and prev_hash to genesis (a divergence the reference
 *   notes; prova follows JS, the reference implementation).
 * SPEC (§5.2, the integrity loop of both SDKs): for each index i, seq must be i+1, prev_hash the previous STORED
 *   event_hash (genesis for the first), the recomputed hash the stored one; checking goes on after a failure.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oe_internal.h"

#define OE_BATCH 4096

static void pool_drain(oe_pool *pl);

int prova_oe_hash_lookup(const char *name, prova_hash_alg *ret) {
    if (!name || !ret) return PROVA_EINVAL;
    static const struct {
        const char *name;
        prova_hash_alg alg;
    } py[] = {{"sha3_256", PROVA_HASH_SHA3_256}, {"sha3_384", PROVA_HASH_SHA3_384}, {"sha3_512", PROVA_HASH_SHA3_512}};
    for (size_t i = 0; i < sizeof py / sizeof py[0]; i++) {
        if (strcmp(name, py[i].name) == 0) {
            *ret = py[i].alg;
            return 0;
        }
    }
    return prova_hash_lookup(name, ret);
}

/* created_at as JS's new Date(v).toISOString(): a string in the accepted forms, or a number of milliseconds. */
static int event_timestamp(const prova_json *v, char out[PROVA_OE_TIME_LEN + 1]) {
    if (prova_json_is_string(v)) return prova_oe_timestamp(v->u.str, v->len, out);
    if (prova_json_is_number(v)) {
        double ms;
        if (prova_json_get_double(v, &ms) < 0 || !(fabs(ms) <= 8.64e15)) return PROVA_ESYNTAX;
        return prova_oe_time_format((int64_t)trunc(ms) * 1000, out) ? 0 : PROVA_ESYNTAX;
    }
    return PROVA_ESYNTAX;
}

void prova_oe_genesis(prova_hash_alg alg, char out[PROVA_OE_HEX_MAX + 1]) {
    if (!out) return;
    size_t n = 2 * prova_hash_size(alg);
    memset(out, '0', n);
    out[n] = '\0';
}

/* ---- JavaScript semantics ------------------------------------------------------------------------------------- */

bool prova__oe_truthy(const prova_json *v) {
    if (!v) return false;
    switch ((prova_json_type)v->type) {
    case PROVA_JSON_NULL:
    case PROVA_JSON_FALSE:
        return false;
    case PROVA_JSON_STRING:
        return v->len > 0;
    case PROVA_JSON_NUMBER: {
        double d;
        return prova_json_get_double(v, &d) < 0 || d != 0; /* 1e400 is Infinity: truthy */
    }
    default:
        return true;
    }
}

/* Appends UTF-8 s[0..n) cut after max UTF-16 code units (JS String.prototype.slice(0, max)). */
static int put_utf16_prefix(prova_buf *out, const char *s, size_t n, size_t max) {
    if (!max) return prova_buf_append(out, s, n);
    size_t i = 0, units = 0;
    while (i < n && units < max) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        size_t u = len == 4 ? 2 : 1;
        if (units + u > max) break; /* half a surrogate pair: JS would keep a lone surrogate; prova stops */
        if (i + len > n) len = n - i;
        i += len;
        units += u;
    }
    return prova_buf_append(out, s, i);
}

int prova__oe_js_string(const prova_json *v, size_t max, prova_buf *out) {
    if (!v) return put_utf16_prefix(out, "undefined", 9, max);
    switch ((prova_json_type)v->type) {
    case PROVA_JSON_NULL:
        return put_utf16_prefix(out, "null", 4, max);
    case PROVA_JSON_FALSE:
        return put_utf16_prefix(out, "false", 5, max);
    case PROVA_JSON_TRUE:
        return put_utf16_prefix(out, "true", 4, max);
    case PROVA_JSON_STRING:
        return put_utf16_prefix(out, v->u.str, v->len, max);
    case PROVA_JSON_NUMBER: {
        char buf[32];
        double d;
        if (prova_json_get_double(v, &d) < 0) return put_utf16_prefix(out, "Infinity", 8, max);
        size_t n = prova_canon_format_double(d, PROVA_PROFILE_JCS, buf);
        return put_utf16_prefix(out, buf, n, max);
    }
    case PROVA_JSON_OBJECT:
        return put_utf16_prefix(out, "[object Object]", 15, max);
    case PROVA_JSON_ARRAY: {
        /* String([a, b]) is "a,b" with null/undefined as "". Enough for messages; nested arrays flatten alike. */
        prova_buf tmp = PROVA_BUF_INIT;
        int r = 0;
        for (size_t i = 0; r == 0 && i < v->len; i++) {
            if (i) r = prova_buf_append(&tmp, ",", 1);
            const prova_json *e = &v->u.items[i];
            if (r == 0 && e->type != PROVA_JSON_NULL) r = prova__oe_js_string(e, 0, &tmp);
        }
        if (r == 0) r = put_utf16_prefix(out, tmp.data ? (const char *)tmp.data : "", tmp.len, max);
        prova_buf_free(&tmp);
        return r;
    }
    }
    return PROVA_EINVAL;
}

/* ---- the event hash ------------------------------------------------------------------------------------------- */

static int put_member(prova_buf *out, bool *first, const char *key_literal, const prova_json *v, prova_error *err) {
    int r = prova_buf_append(out, *first ? "{" : ",", 1);
    *first = false;
    if (r == 0) r = prova__oe_put(out, key_literal);
    if (r == 0) r = prova_canon_write(v, PROVA_PROFILE_JCS, out, err);
    return r;
}

int prova_oe_event_input(const prova_json *ev, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!prova_json_is_object(ev) || !out)
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_schema", "an event must be a JSON object");
    char ts[PROVA_OE_TIME_LEN + 1];
    if (event_timestamp(prova_json_get(ev, "created_at"), ts) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid",
                              "created_at is missing or not an RFC 3339 timestamp with an offset");
    size_t mark = out->len;
    const prova_json *actor = prova_json_get(ev, "actor_id");
    int r =
        prova__oe_truthy(actor) ? prova__oe_put(out, "{\"actor_id\":") : prova__oe_put(out, "{\"actor_id\":\"system\"");
    if (r == 0 && prova__oe_truthy(actor)) r = prova_canon_write(actor, PROVA_PROFILE_JCS, out, reterr);
    bool first = false;
    const prova_json *v;
    if (r == 0 && (v = prova_json_get(ev, "event_type"))) r = put_member(out, &first, "\"event_type\":", v, reterr);
    if (r == 0 && (v = prova_json_get(ev, "payload"))) r = put_member(out, &first, "\"payload\":", v, reterr);
    if (r == 0 && (v = prova_json_get(ev, "prev_hash"))) r = put_member(out, &first, "\"prev_hash\":", v, reterr);
    if (r == 0 && (v = prova_json_get(ev, "seq"))) r = put_member(out, &first, "\"seq\":", v, reterr);
    if (r == 0) r = prova__oe_put(out, ",\"timestamp\":\"");
    if (r == 0) r = prova_buf_append(out, ts, PROVA_OE_TIME_LEN);
    if (r == 0) r = prova__oe_put(out, "\"}");
    if (r < 0) out->len = mark;
    return r;
}

static int hash_hex(prova_hash_alg alg, const void *data, size_t len, char out[PROVA_OE_HEX_MAX + 1]) {
    return prova_hash_compute_hex(alg, data, len, out);
}

int prova_oe_event_hash(const prova_json *ev, prova_hash_alg alg, char out[PROVA_OE_HEX_MAX + 1], prova_error *reterr) {
    if (!out || !prova_hash_size(alg)) return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "bad argument");
    prova_buf b = PROVA_BUF_INIT;
    int r = prova_oe_event_input(ev, &b, reterr);
    if (r == 0) r = hash_hex(alg, b.data ? b.data : (const uint8_t *)"", b.len, out);
    prova_buf_free(&b);
    return r;
}

/* ---- the chain checker ---------------------------------------------------------------------------------------- */

int prova__oe_chain_init(oe_chain *c, prova_hash_alg alg, const char *at, prova_report *r, bool sdk) {
    memset(c, 0, sizeof *c);
    c->alg = alg;
    c->hexlen = 2 * prova_hash_size(alg);
    c->at = at ? at : "";
    c->r = r;
    c->sdk = sdk;
    c->recomputed_ok = true;
    c->integrity_ok = true;
    char genesis[PROVA_OE_HEX_MAX + 1];
    prova_oe_genesis(alg, genesis);
    int rc = prova_buf_append(&c->prev, genesis, c->hexlen);
    if (rc == 0) rc = prova_hash_new(alg, &c->stored);
    if (rc == 0) rc = prova_hash_new(alg, &c->recomputed);
    if (rc == 0) rc = prova_hash_new(alg, &c->event);
    if (rc == 0) rc = prova_buf_reserve(&c->stored_pending, OE_BATCH + PROVA_OE_HEX_MAX);
    if (rc == 0) rc = prova_buf_reserve(&c->recomputed_pending, OE_BATCH + PROVA_OE_HEX_MAX);
    if (rc < 0) prova__oe_chain_free(c);
    return rc;
}

void prova__oe_chain_free(oe_chain *c) {
    for (size_t i = 0; i < c->nextra; i++) free(c->extra[i]);
    c->nextra = 0;
    prova_buf_free(&c->prev);
    prova_buf_free(&c->input);
    prova_buf_free(&c->canon);
    pool_drain(&c->pool);
    prova_buf_free(&c->sdk_errors);
    prova_buf_free(&c->stored_pending);
    prova_buf_free(&c->recomputed_pending);
    c->stored = prova_hash_free(c->stored);
    c->recomputed = prova_hash_free(c->recomputed);
    c->event = prova_hash_free(c->event);
}

/* Adds bytes to a chain hash through its batch buffer (one digest update per 4 KiB instead of per event). */
static int feed(prova_hash_ctx *h, prova_buf *pending, const void *data, size_t n) {
    if (pending->len + n > OE_BATCH) {
        int r = prova_hash_update(h, pending->data, pending->len);
        pending->len = 0;
        if (r < 0) return r;
        if (n > OE_BATCH) return prova_hash_update(h, data, n);
    }
    return prova_buf_append(pending, data, n);
}

int prova__oe_sdk_error(oe_chain *c, const char *fmt, ...) {
    if (!c->sdk) return 0;
    if (c->sdk_count >= OE_MAX_SDK_ERRORS) {
        c->sdk_dropped++;
        return 0;
    }
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return PROVA_EINVAL;
    char *s = small;
    char *big = NULL;
    if ((size_t)n >= sizeof small) {
        big = malloc((size_t)n + 1);
        if (!big) return PROVA_ENOMEM;
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        s = big;
    }
    int r = c->sdk_count ? prova_buf_append(&c->sdk_errors, ",", 1) : 0;
    /* The strings quote values from the input: they are written as JSON literals, invalid UTF-8 impossible
     * (every quoted value came from a parsed document). */
    if (r == 0) r = prova__oe_put_str(&c->sdk_errors, s, (size_t)n);
    free(big);
    if (r == 0) c->sdk_count++;
    return r;
}

/* One failed per-event check (listed while under the limit, counted after). */
static int event_failure(oe_chain *c, size_t i, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int event_failure(oe_chain *c, size_t i, const char *field, const char *code, const char *fmt, ...) {
    c->integrity_ok = false;
    if (c->failures++ >= OE_MAX_FAILURES || !c->r) return 0;
    char msg[400], check[64], at[PROVA_POINTER_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(check, sizeof check, "events[%zu].%s", i, field);
    snprintf(at, sizeof at, "%s/%zu/%s", c->at, i, field);
    return prova__report_check(c->r, check, false, code, at, "%s", msg);
}

/* JS String(v).slice(0, 16) into a NUL-terminated buffer (for the SDK's messages). */
static void js_prefix(const prova_json *v, char out[80]) {
    prova_buf b = PROVA_BUF_INIT;
    size_t n = 0;
    if (prova__oe_js_string(v, 16, &b) == 0 && b.len < 80) n = b.len;
    if (n) memcpy(out, b.data, n);
    out[n] = '\0';
    prova_buf_free(&b);
}

/* s[0..n).slice(0, 16) into a NUL-terminated buffer. */
static void raw_prefix(const char *s, size_t n, char out[80]) {
    prova_buf b = PROVA_BUF_INIT;
    size_t len = 0;
    if (put_utf16_prefix(&b, s, n, 16) == 0 && b.len < 80) len = b.len;
    if (len) memcpy(out, b.data, len);
    out[len] = '\0';
    prova_buf_free(&b);
}

/* (v || '') as the SDK writes it in its messages. */
static void js_prefix_or_empty(const prova_json *v, char out[80]) {
    if (prova__oe_truthy(v))
        js_prefix(v, out);
    else
        out[0] = '\0';
}

static const char *const hashed_members[] = {"seq",     "event_type", "actor_id",  "created_at",
                                             "payload", "prev_hash",  "event_hash"};

/* True for the event members that the event hash covers (seq, event_type, actor_id, created_at, payload,
 * prev_hash) and event_hash itself. */
static bool event_member_hashed(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof hashed_members / sizeof hashed_members[0]; i++)
        if (strlen(hashed_members[i]) == len && memcmp(hashed_members[i], name, len) == 0) return true;
    return false;
}

/* Remembers a member name outside the event hash (once). 0 or PROVA_ENOMEM. */
static int extra_add(oe_chain *c, const char *name, size_t len) {
    for (size_t i = 0; i < c->nextra; i++)
        if (c->extra_len[i] == len && memcmp(c->extra[i], name, len) == 0) return 0;
    if (c->nextra == OE_MAX_EXTRA || len > OE_MAX_EXTRA_NAME || memchr(name, '\0', len)) {
        c->extra_more++;
        return 0;
    }
    char *copy = malloc(len + 1);
    if (!copy) return PROVA_ENOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    c->extra[c->nextra] = copy;
    c->extra_len[c->nextra++] = len;
    return 0;
}

static bool is_seq(const prova_json *v, size_t expected) {
    double d;
    return prova_json_is_number(v) && prova_json_get_double(v, &d) == 0 && d == (double)expected;
}

int prova__oe_chain_step(oe_chain *c, const prova_json *ev) {
    size_t i = c->count++;
    int r = 0;
    const prova_json *seq = prova_json_get(ev, "seq");
    const prova_json *prev = prova_json_get(ev, "prev_hash");
    const prova_json *stored = prova_json_get(ev, "event_hash");
    char seq_buf[80];
    bool seq_done = false;
#define SEQ_S (seq_done ? seq_buf : (seq_done = true, js_prefix(seq, seq_buf), seq_buf))
    if (!prova_json_is_object(ev)) {
        r = event_failure(c, i, "schema", "oe_schema", "event %zu is not a JSON object", i);
        if (r == 0) r = prova__oe_sdk_error(c, "Event at index %zu: not an object", i);
    }
    if (r == 0 && !is_seq(seq, i + 1)) {
        r = event_failure(c, i, "seq", "seq_mismatch", "expected seq %zu, found %s", i + 1, seq ? SEQ_S : "none");
        if (r == 0) r = prova__oe_sdk_error(c, "Event at index %zu: expected seq=%zu, got seq=%s", i, i + 1, SEQ_S);
    }
    /* prev_hash: must equal the previous stored event_hash (genesis for the first event). */
    bool prev_ok = prova_json_is_string(prev) && prev->len == c->prev.len &&
                   (prev->len == 0 || memcmp(prev->u.str, c->prev.data, prev->len) == 0);
    if (r == 0 && !prev_ok) {
        char exp[80], got[80];
        raw_prefix(c->prev.data ? (const char *)c->prev.data : "", c->prev.len, exp);
        js_prefix_or_empty(prev, got);
        r = i == 0 ? event_failure(c, i, "prev_hash", "genesis_mismatch",
                                   "the first event's prev_hash is not the genesis hash (%zu zeros)", c->hexlen)
                   : event_failure(c, i, "prev_hash", "link_broken",
                                   "prev_hash is not the event_hash of event %zu (expected %s..., found %s...)", i, exp,
                                   got);
        if (r == 0)
            r = prova__oe_sdk_error(c, "Event seq=%s: prev_hash mismatch (expected %s..., got %s...)", SEQ_S, exp, got);
    }
    /* The event hash, recomputed. */
    char hex[PROVA_OE_HEX_MAX + 1] = "";
    bool computed = false;
    if (r == 0 && prova_json_is_object(ev)) {
        prova_error err;
        c->input.len = 0;
        int h = prova_oe_event_input(ev, &c->input, &err);
        if (h == PROVA_ENOMEM) return h;
        if (h == 0) {
            uint8_t d[PROVA_HASH_MAX_BYTES];
            h = prova_hash_once(c->event, c->input.data, c->input.len, d);
            if (h < 0) return h;
            prova_hex_encode(d, c->hexlen / 2, hex, sizeof hex);
            computed = true;
        } else if (err.reason && strcmp(err.reason, "oe_timestamp_invalid") == 0) {
            r = event_failure(c, i, "created_at", "timestamp_invalid",
                              "created_at is missing or not an RFC 3339 timestamp with an offset");
            if (r == 0) r = prova__oe_sdk_error(c, "Event seq=%s: RangeError: Invalid time value", SEQ_S);
        } else {
            r = event_failure(c, i, "payload", err.reason ? err.reason : "oe_schema", "%s",
                              err.message ? err.message : "the event cannot be canonicalized");
            if (r == 0) r = prova__oe_sdk_error(c, "Event seq=%s: %s", SEQ_S, err.message ? err.message : "invalid");
        }
    }
    if (r == 0 && computed) {
        bool same =
            prova_json_is_string(stored) && stored->len == c->hexlen && memcmp(stored->u.str, hex, c->hexlen) == 0;
        if (!same) {
            char got[80], cut[17];
            memcpy(cut, hex, 16);
            cut[16] = '\0';
            js_prefix_or_empty(stored, got);
            r = event_failure(c, i, "event_hash", "event_hash_mismatch",
                              "the recomputed %s event hash %s... differs from the stored %s...",
                              prova_hash_name(c->alg), cut, got);
            if (r == 0)
                r = prova__oe_sdk_error(c, "Event seq=%s: event_hash mismatch (computed %s..., got %s...)", SEQ_S, cut,
                                        got);
        }
    }
    for (size_t k = 0; r == 0 && prova_json_is_object(ev) && k < ev->len; k++) {
        const prova_json *key = &ev->u.members[k].key;
        if (!event_member_hashed(key->u.str, key->len)) r = extra_add(c, key->u.str, key->len);
    }
    if (r < 0) return r;
    /* Both chain hashes, and expectedPrev = the stored event_hash (even when wrong, as the SDKs do). */
    const char *sh = prova_json_is_string(stored) ? stored->u.str : "";
    size_t shl = prova_json_is_string(stored) ? stored->len : 0;
    r = feed(c->stored, &c->stored_pending, sh, shl);
    if (r == 0 && computed) r = feed(c->recomputed, &c->recomputed_pending, hex, c->hexlen);
    if (!computed) c->recomputed_ok = false;
    if (r == 0) {
        c->prev.len = 0;
        r = prova_buf_append(&c->prev, sh, shl);
    }
    return r;
#undef SEQ_S
}

/* ---- the fast path: one JSON Lines event through its JCS text ---- */

/* Allocations of the canonicalizer, recycled from line to line (its scratch has the same sizes every time). Each
 * block carries its capacity in a header. */
#define POOL_HDR 16
static void *pool_malloc(void *ctx, size_t n) {
    oe_pool *pl = ctx;
    for (size_t k = 0; k < pl->n; k++) {
        if (pl->cap[k] >= n) {
            void *b = pl->block[k];
            pl->n--;
            pl->block[k] = pl->block[pl->n];
            pl->cap[k] = pl->cap[pl->n];
            return b;
        }
    }
    if (n > SIZE_MAX - POOL_HDR) return NULL;
    uint8_t *raw = malloc(POOL_HDR + (n ? n : 1));
    if (!raw) return NULL;
    memcpy(raw, &n, sizeof n);
    return raw + POOL_HDR;
}

static size_t pool_cap(void *p) {
    size_t n;
    memcpy(&n, (uint8_t *)p - POOL_HDR, sizeof n);
    return n;
}

static void pool_free(void *ctx, void *p, size_t n) {
    (void)n;
    oe_pool *pl = ctx;
    if (!p) return;
    if (pl->n < OE_POOL_BLOCKS) {
        pl->block[pl->n] = p;
        pl->cap[pl->n++] = pool_cap(p);
        return;
    }
    free((uint8_t *)p - POOL_HDR);
}

static void *pool_realloc(void *ctx, void *p, size_t old, size_t n) {
    if (!p) return pool_malloc(ctx, n);
    if (pool_cap(p) >= n) return p;
    void *q = pool_malloc(ctx, n);
    if (!q) return NULL;
    memcpy(q, p, old < n ? old : n);
    pool_free(ctx, p, old);
    return q;
}

static void pool_drain(oe_pool *pl) {
    for (size_t k = 0; k < pl->n; k++) free((uint8_t *)pl->block[k] - POOL_HDR);
    pl->n = 0;
}

typedef struct span {
    const char *p;
    size_t n; /* 0: absent */
} span;

/* A string literal span without escapes: its content. */
static bool plain_string(span v, const char **ret, size_t *ret_n) {
    if (v.n < 2 || v.p[0] != '"' || memchr(v.p, '\\', v.n)) return false;
    *ret = v.p + 1;
    *ret_n = v.n - 2;
    return true;
}

static bool span_is(span v, const char *lit) {
    return v.n == strlen(lit) && memcmp(v.p, lit, v.n) == 0;
}

int prova__oe_chain_step_text(oe_chain *c, const char *line, size_t n, bool *handled) {
    *handled = false;
    c->canon.len = 0;
    c->pool_alloc = (prova_allocator){pool_malloc, pool_realloc, pool_free, &c->pool};
    prova_parse_options po = {.alloc = &c->pool_alloc};
    /* The canonicalizer says where each member's canonical value landed: no second scan of the text. */
    static const char *const want[] = {"actor_id", "event_type", "payload",   "prev_hash",
                                       "seq",      "created_at", "event_hash"};
    prova__span at[7], others[8];
    size_t nothers = 0;
    int r =
        prova__canon_top_members(line, n, PROVA_PROFILE_JCS, &po, &c->canon, want, 7, at, others, 8, &nothers, NULL);
    if (r == PROVA_ENOMEM) return r;
    if (r < 0 || c->canon.len < 2 || c->canon.data[0] != '{') return 0; /* malformed or not an object: full path */
    const char *s = (const char *)c->canon.data;
    span v[7];
    for (size_t w = 0; w < 7; w++) v[w] = (span){s + at[w].off, at[w].len};
    span actor = v[0], type = v[1], payload = v[2], prev = v[3], seq = v[4], created = v[5], stored = v[6];
    /* The members outside the hash, by name: more than fit, or a name with an escape, take the full path. */
    if (nothers > sizeof others / sizeof others[0]) return 0;
    for (size_t k = 0; k < nothers; k++)
        if (memchr(s + others[k].off, '\\', others[k].len)) return 0;
    /* seq must be count + 1: canonical numbers are unique, so its text is the decimal integer. */
    char expect[24];
    size_t wn = prova__oe_decimal(c->count + 1, expect);
    if (!seq.n || seq.n != wn || memcmp(seq.p, expect, seq.n) != 0) return 0;
    /* prev_hash is the previous stored event_hash: compared as decoded strings = as canonical literals. */
    const char *ph, *eh, *ts_text;
    size_t phn, ehn, tsn;
    if (!plain_string(prev, &ph, &phn) || phn != c->prev.len || memcmp(ph, c->prev.data, phn) != 0) return 0;
    if (!plain_string(stored, &eh, &ehn) || ehn != c->hexlen) return 0;
    char ts[PROVA_OE_TIME_LEN + 1];
    if (!plain_string(created, &ts_text, &tsn) || prova_oe_timestamp(ts_text, tsn, ts) < 0) return 0;
    /* The hash input, from the canonical spans: actor_id || "system" (JS falsy: null, false, "", 0). */
    bool falsy =
        !actor.n || span_is(actor, "null") || span_is(actor, "false") || span_is(actor, "\"\"") || span_is(actor, "0");
    prova_buf *in = &c->input;
    in->len = 0;
    r = prova_buf_reserve(in, 96 + actor.n + type.n + payload.n + prev.n + seq.n + PROVA_OE_TIME_LEN);
    if (r < 0) return r;
#define PUT(lit) (memcpy(in->data + in->len, lit, sizeof lit - 1), in->len += sizeof lit - 1)
#define PUTS(sp) (memcpy(in->data + in->len, (sp).p, (sp).n), in->len += (sp).n)
    PUT("{\"actor_id\":");
    if (falsy)
        PUT("\"system\"");
    else
        PUTS(actor);
    if (type.n) {
        PUT(",\"event_type\":");
        PUTS(type);
    }
    if (payload.n) {
        PUT(",\"payload\":");
        PUTS(payload);
    }
    PUT(",\"prev_hash\":");
    PUTS(prev);
    PUT(",\"seq\":");
    PUTS(seq);
    PUT(",\"timestamp\":\"");
    memcpy(in->data + in->len, ts, PROVA_OE_TIME_LEN);
    in->len += PROVA_OE_TIME_LEN;
    PUT("\"}");
#undef PUT
#undef PUTS
    uint8_t d[PROVA_HASH_MAX_BYTES];
    char hex[PROVA_OE_HEX_MAX + 1];
    r = prova_hash_once(c->event, in->data, in->len, d);
    if (r < 0) return r;
    prova_hex_encode(d, c->hexlen / 2, hex, sizeof hex);
    if (memcmp(hex, eh, c->hexlen) != 0) return 0;
    /* Passed: move the state on as the full step does. */
    oe_span names[8];
    for (size_t k = 0; k < nothers; k++) names[k] = (oe_span){s + others[k].off, others[k].len};
    r = prova__oe_chain_pass(c, eh, ehn, names, nothers);
    if (r == 0) *handled = true;
    return r;
}

int prova__oe_chain_pass(oe_chain *c, const char *hash, size_t n, const oe_span *others, size_t nothers) {
    int r = feed(c->stored, &c->stored_pending, hash, n);
    if (r == 0) r = feed(c->recomputed, &c->recomputed_pending, hash, n);
    if (r == 0) {
        c->prev.len = 0;
        r = prova_buf_append(&c->prev, hash, n);
    }
    for (size_t k = 0; r == 0 && k < nothers; k++) r = extra_add(c, others[k].p, others[k].n);
    if (r == 0) c->count++;
    return r;
}

static int final_hex(prova_hash_ctx **ctx, prova_buf *pending, size_t size, char out[PROVA_OE_HEX_MAX + 1]) {
    uint8_t d[PROVA_HASH_MAX_BYTES];
    int r = prova_hash_update(*ctx, pending->data, pending->len);
    pending->len = 0;
    if (r == 0)
        r = prova_hash_final(*ctx, d); /* frees the context */
    else
        *ctx = prova_hash_free(*ctx);
    *ctx = NULL;
    if (r == 0 && prova_hex_encode(d, size, out, PROVA_OE_HEX_MAX + 1) != 2 * size) r = PROVA_ECRYPTO;
    return r;
}

int prova__oe_chain_finish(oe_chain *c, char stored[PROVA_OE_HEX_MAX + 1], char recomputed[PROVA_OE_HEX_MAX + 1]) {
    size_t size = prova_hash_size(c->alg);
    int r = final_hex(&c->stored, &c->stored_pending, size, stored);
    if (r == 0) r = final_hex(&c->recomputed, &c->recomputed_pending, size, recomputed);
    if (r == 0 && !c->recomputed_ok) recomputed[0] = '\0';
    if (r == 0 && c->failures > OE_MAX_FAILURES && c->r)
        r = prova__report_check(c->r, "events", false, "too_many_failures", c->at,
                                "%zu more failed event checks are not listed (%zu in all)",
                                c->failures - OE_MAX_FAILURES, c->failures);
    return r;
}
