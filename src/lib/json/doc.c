/* The document: an arena of values and strings built by the DOM sink, plus the read accessors. */
#include <math.h>
#include <sodium.h>
#include <string.h>

#include "dtoa.h"
#include "internal.h"
#include "parse_impl.h"

typedef struct chunk {
    struct chunk *next;
    size_t size; /* bytes after the header */
    size_t used;
    _Alignas(max_align_t) unsigned char data[];
} chunk;

struct prova_doc {
    const prova_allocator *alloc;
    bool secret; /* wipe on free */
    chunk *chunks;
    size_t next_chunk; /* size of the next chunk to allocate */
    prova_json root;
};

#define ARENA_MIN_CHUNK ((size_t)16 << 10)
#define ARENA_MAX_CHUNK ((size_t)16 << 20)

static void *arena_alloc(prova_doc *d, size_t n, size_t align) {
    chunk *c = d->chunks;
    if (c) {
        size_t at = (c->used + align - 1) & ~(align - 1);
        if (at <= c->size && n <= c->size - at) {
            c->used = at + n;
            return c->data + at;
        }
    }
    size_t size = d->next_chunk;
    if (size < n) size = n;
    if (size > SIZE_MAX - sizeof(chunk)) return NULL;
    c = d->alloc->malloc(d->alloc->ctx, sizeof(chunk) + size);
    if (!c) return NULL;
    c->next = d->chunks;
    c->size = size;
    c->used = n;
    d->chunks = c;
    if (d->next_chunk < ARENA_MAX_CHUNK) d->next_chunk *= 2;
    return c->data;
}

static const char *arena_strdup(prova_doc *d, const char *s, size_t n) {
    char *o = arena_alloc(d, n + 1, 1);
    if (!o) return NULL;
    if (n) memcpy(o, s, n);
    o[n] = '\0';
    return o;
}

prova_doc *prova_doc_free(prova_doc *doc) {
    if (!doc) return NULL;
    const prova_allocator *a = doc->alloc;
    for (chunk *c = doc->chunks, *next; c; c = next) {
        next = c->next;
        if (doc->secret) sodium_memzero(c->data, c->size);
        a->free(a->ctx, c, sizeof(chunk) + c->size);
    }
    a->free(a->ctx, doc, sizeof *doc);
    return NULL;
}

const prova_json *prova_doc_root(const prova_doc *doc) {
    return doc ? &doc->root : NULL;
}

/* ---- DOM sink -------------------------------------------------------------------------------------------- */

typedef struct dom_sink {
    prova_doc *doc;
    const prova_allocator *alloc;
    prova_json *vals; /* pending values; an object's pending members are key, value, key, value ... */
    uint32_t *offs;   /* byte offset of each pending value (used for duplicate-key errors) */
    size_t nvals, capvals, capoffs;
    size_t *starts; /* index in vals where each open container's children begin */
    size_t nstarts, capstarts;
    uint32_t *sortbuf; /* idx + tmp for sorting members */
    size_t capsort;
    key_ref *keys;
    size_t capkeys;
} dom_sink;

static int dom_push(dom_sink *s, const prova_json *v, size_t off) {
    if (prova__grow(s->alloc, (void **)&s->vals, &s->capvals, s->nvals + 1, sizeof *s->vals) < 0 ||
        prova__grow(s->alloc, (void **)&s->offs, &s->capoffs, s->nvals + 1, sizeof *s->offs) < 0)
        return PROVA_ENOMEM;
    s->vals[s->nvals] = *v;
    s->offs[s->nvals] = (uint32_t)off;
    s->nvals++;
    return 0;
}

static PROVA_ALWAYS_INLINE int dom_begin(json_parser *p, void *ctx, prova_json_type t, size_t off) {
    (void)p;
    (void)t;
    (void)off;
    dom_sink *s = ctx;
    if (prova__grow(s->alloc, (void **)&s->starts, &s->capstarts, s->nstarts + 1, sizeof *s->starts) < 0)
        return PROVA_ENOMEM;
    s->starts[s->nstarts++] = s->nvals;
    return 0;
}

static PROVA_ALWAYS_INLINE int dom_scalar(json_parser *p, void *ctx, prova_json_type t, const char *str, size_t n,
                                          unsigned flags, size_t off) {
    dom_sink *s = ctx;
    prova_json v = {.type = (uint8_t)t, .flags = t == PROVA_JSON_NUMBER ? (uint8_t)flags : 0, .len = 0};
    if (t == PROVA_JSON_STRING || t == PROVA_JSON_NUMBER) {
        v.len = (uint32_t)n;
        v.u.str = arena_strdup(s->doc, str, n);
        if (!v.u.str) return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
    }
    if (dom_push(s, &v, off) < 0)
        return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
    return 0;
}

static PROVA_ALWAYS_INLINE int dom_key(json_parser *p, void *ctx, const char *str, size_t n, unsigned flags,
                                       size_t off) {
    (void)flags;
    return dom_scalar(p, ctx, PROVA_JSON_STRING, str, n, 0, off);
}

static int dom_end(json_parser *p, void *ctx, prova_json_type t, size_t off) {
    dom_sink *s = ctx;
    size_t start = s->starts[--s->nstarts];
    size_t n = s->nvals - start;
    prova_json v = {.type = (uint8_t)t};
    if (t == PROVA_JSON_ARRAY) {
        prova_json *items = NULL;
        if (n) {
            items = arena_alloc(s->doc, n * sizeof *items, _Alignof(prova_json));
            if (!items) return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
            memcpy(items, s->vals + start, n * sizeof *items);
        }
        v.len = (uint32_t)n;
        v.u.items = items;
    } else {
        size_t m = n / 2;
        const prova_json *pend = m ? s->vals + start : NULL; /* no arithmetic on a NULL array ({} first) */
        prova_json_member *mem = NULL;
        if (m) {
            mem = arena_alloc(s->doc, m * sizeof *mem, _Alignof(prova_json_member));
            if (!mem) return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
        }
        bool sorted = true;
        for (size_t i = 1; i < m && sorted; i++)
            sorted = prova__key_cmp_codepoint(pend[2 * i - 2].u.str, pend[2 * i - 2].len, pend[2 * i].u.str,
                                              pend[2 * i].len) < 0;
        if (sorted) {
            for (size_t i = 0; i < m; i++) {
                mem[i].key = pend[2 * i];
                mem[i].value = pend[2 * i + 1];
            }
        } else {
            if (prova__grow(s->alloc, (void **)&s->sortbuf, &s->capsort, 2 * m, sizeof *s->sortbuf) < 0)
                return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
            if (prova__grow(s->alloc, (void **)&s->keys, &s->capkeys, m, sizeof *s->keys) < 0)
                return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
            key_ref *keys = s->keys;
            uint32_t *idx = s->sortbuf, *tmp = s->sortbuf + m;
            for (size_t i = 0; i < m; i++) {
                key_ref_set(&keys[i], pend[2 * i].u.str, pend[2 * i].len);
                idx[i] = (uint32_t)i;
            }
            prova__sort_keys(idx, tmp, m, keys, false);
            for (size_t i = 1; i < m; i++) {
                if (prova__key_cmp_codepoint(keys[idx[i - 1]].s, keys[idx[i - 1]].n, keys[idx[i]].s, keys[idx[i]].n) ==
                    0) {
                    uint32_t a = s->offs[start + 2 * idx[i - 1]], b = s->offs[start + 2 * idx[i]];
                    const key_ref k = keys[idx[i]];
                    return prova__json_fail(p, PROVA_ESYNTAX, "json_duplicate_key", "duplicate member name in object",
                                            a > b ? a : b, k.s, k.n);
                }
            }
            for (size_t i = 0; i < m; i++) {
                mem[i].key = pend[2 * idx[i]];
                mem[i].value = pend[2 * idx[i] + 1];
            }
        }
        /* Adjacent equal keys in an already sorted run cannot happen: sorted means strictly increasing. */
        v.len = (uint32_t)m;
        v.u.members = mem;
    }
    s->nvals = start;
    if (dom_push(s, &v, off) < 0)
        return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
    return 0;
}

static const json_sink dom_sink_vtable = {dom_begin, dom_end, dom_key, dom_scalar};

int prova_json_parse(const void *data, size_t len, const prova_parse_options *opts, prova_doc **ret_doc,
                     prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!data && len) || !ret_doc) {
        if (reterr) {
            reterr->status = PROVA_EINVAL;
            reterr->reason = "invalid_argument";
            reterr->message = "NULL data or ret_doc";
        }
        return PROVA_EINVAL;
    }
    prova_parse_options lim;
    prova__parse_limits(opts, &lim);
    const prova_allocator *a = lim.alloc;
    prova_doc *doc = a->malloc(a->ctx, sizeof *doc);
    if (!doc) {
        prova__error_at(reterr, data, len, 0, PROVA_ENOMEM, "out_of_memory", "out of memory");
        return PROVA_ENOMEM;
    }
    memset(doc, 0, sizeof *doc);
    doc->alloc = a;
    doc->secret = (lim.flags & PROVA_PARSE_SECRET) != 0;
    doc->next_chunk = ARENA_MIN_CHUNK;
    /* Values take ~16-32 bytes per token; size the first chunk to the input to avoid many small chunks. */
    if (len / 2 > doc->next_chunk) doc->next_chunk = len / 2 < ARENA_MAX_CHUNK ? len / 2 : ARENA_MAX_CHUNK;

    dom_sink s = {.doc = doc, .alloc = a};
    int r = json_parse_with(data ? data : "", len, &lim, &dom_sink_vtable, &s, reterr);
    if (r == 0) doc->root = s.vals[0];
    if (s.vals) a->free(a->ctx, s.vals, s.capvals * sizeof *s.vals);
    if (s.offs) a->free(a->ctx, s.offs, s.capoffs * sizeof *s.offs);
    if (s.starts) a->free(a->ctx, s.starts, s.capstarts * sizeof *s.starts);
    if (s.sortbuf) a->free(a->ctx, s.sortbuf, s.capsort * sizeof *s.sortbuf);
    if (s.keys) a->free(a->ctx, s.keys, s.capkeys * sizeof *s.keys);
    if (r < 0) {
        prova_doc_free(doc);
        return r;
    }
    *ret_doc = doc;
    return 0;
}

/* ---- Accessors ------------------------------------------------------------------------------------------ */

/* These were static inline in prova/json.h: a binding cannot call an inline function, so they are exported like
 * every other. Measured (callgrind, `prova verify`): the library's hot paths call them a few times per record, and
 * the calls cost 0.02% of the instructions of an OPE receipt chain and 0.001% of OpenExecution JSON Lines, whose
 * events are canonicalized without a document; so no inline copy is kept for the library. */
prova_json_type prova_json_typeof(const prova_json *v) {
    return v ? (prova_json_type)v->type : PROVA_JSON_NULL;
}
bool prova_json_is_string(const prova_json *v) {
    return v && v->type == PROVA_JSON_STRING;
}
bool prova_json_is_object(const prova_json *v) {
    return v && v->type == PROVA_JSON_OBJECT;
}
bool prova_json_is_array(const prova_json *v) {
    return v && v->type == PROVA_JSON_ARRAY;
}
bool prova_json_is_number(const prova_json *v) {
    return v && v->type == PROVA_JSON_NUMBER;
}
bool prova_json_is_int(const prova_json *v) {
    return v && v->type == PROVA_JSON_NUMBER && !(v->flags & PROVA_NUM_FLOAT);
}
bool prova_json_is_bool(const prova_json *v) {
    return v && (v->type == PROVA_JSON_TRUE || v->type == PROVA_JSON_FALSE);
}
bool prova_json_is_null(const prova_json *v) {
    return v && v->type == PROVA_JSON_NULL;
}
size_t prova_json_len(const prova_json *v) {
    return v ? v->len : 0;
}
const char *prova_json_str(const prova_json *v) {
    return v && v->type == PROVA_JSON_STRING ? v->u.str : NULL;
}
const prova_json *prova_json_at(const prova_json *arr, size_t i) {
    return arr && arr->type == PROVA_JSON_ARRAY && i < arr->len ? &arr->u.items[i] : NULL;
}

const prova_json *prova_json_getn(const prova_json *obj, const char *key, size_t keylen) {
    if (!obj || obj->type != PROVA_JSON_OBJECT || (!key && keylen)) return NULL;
    size_t lo = 0, hi = obj->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const prova_json *k = &obj->u.members[mid].key;
        int c = prova__key_cmp_codepoint(k->u.str, k->len, key, keylen);
        if (c == 0) return &obj->u.members[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const prova_json *prova_json_get(const prova_json *obj, const char *key) {
    return key ? prova_json_getn(obj, key, strlen(key)) : NULL;
}

bool prova_json_str_eq(const prova_json *v, const char *s) {
    if (!v || v->type != PROVA_JSON_STRING || !s) return false;
    size_t n = strlen(s);
    return n == v->len && memcmp(v->u.str, s, n) == 0;
}

int prova_json_get_int64(const prova_json *v, int64_t *ret) {
    if (!v || !ret || v->type != PROVA_JSON_NUMBER || (v->flags & PROVA_NUM_FLOAT)) return PROVA_EINVAL;
    const char *s = v->u.str;
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg) i++;
    uint64_t acc = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; i < v->len; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (acc > (limit - d) / 10) return PROVA_ERANGE;
        acc = acc * 10 + d;
    }
    *ret = neg ? (acc == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return 0;
}

int prova_json_get_double(const prova_json *v, double *ret) {
    if (!v || !ret || v->type != PROVA_JSON_NUMBER) return PROVA_EINVAL;
    if (v->flags & PROVA_NUM_NONFINITE) {
        const char *s = v->u.str;
        if (s[0] == 'N')
            *ret = NAN;
        else
            *ret = s[0] == '-' ? -INFINITY : INFINITY;
        return s[0] == 'N' || s[0] == 'I' || s[1] == 'I' ? 0 : PROVA_ERANGE;
    }
    double d;
    if (prova__strtod(v->u.str, v->len, &d) < 0) return PROVA_ERANGE;
    *ret = d;
    return 0;
}
