/* Selectively disclosable OPE envelopes: salted digests in the payload, disclosures beside it (docs/redaction.md).
 *
 * SPEC (RFC 9901, "Disclosures" and "Hashing Disclosures"): a disclosure is base64url(JSON [salt, name, value]) for an
 * object member or base64url(JSON [salt, value]) for an array element; its digest is base64url(SHA-256(the disclosure's
 * base64url text)), listed in the object's "_sd" array or standing in the array as {"...": digest}. Its verification
 * procedure lists what a verifier rejects: a malformed disclosure, a claim name "_sd" or "...", a name that is already
 * in the object, a disclosure whose digest is nowhere, a digest met more than once. prova carries the disclosures in
 * the envelope's unsigned member "disclosures": the OPE signature covers cid|trace_id|ts and the cid the committed
 * payload, so withholding a disclosure changes nothing that is signed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ope_internal.h"
#include "prova/redact.h"

#define DIGEST_LEN   43 /* base64url of 32 bytes */
#define SALT_LEN     22 /* base64url of 16 bytes */
#define MAX_DEPTH    PROVA_DEFAULT_MAX_DEPTH
#define MAX_PROBLEMS 64

size_t prova_redact_salt_bytes(void) {
    return PROVA_REDACT_SALT_BYTES;
}
size_t prova_redact_max_disclosures(void) {
    return PROVA_REDACT_MAX_DISCLOSURES;
}
size_t prova_redact_max_decoys(void) {
    return PROVA_REDACT_MAX_DECOYS;
}

static void digest_of(const char *text, size_t n, char out[DIGEST_LEN + 1]) {
    uint8_t h[PROVA_HASH_MAX_BYTES];
    if (prova_hash_compute(PROVA_HASH_SHA256, n ? text : "", n, h) < 0) memset(h, 0, sizeof h);
    prova_base64url_encode(h, PROVA_SHA256_BYTES, out, DIGEST_LEN + 1);
}

static bool reserved(const prova_json *name) {
    return prova_json_str_eq(name, "_sd") || prova_json_str_eq(name, "_sd_alg") || prova_json_str_eq(name, "...");
}

/* Appends "/" + the RFC 6901 form of a member name (~ as ~0, / as ~1) or an index. */
static int path_push_name(prova_buf *p, const char *s, size_t n) {
    int r = prova_buf_append(p, "/", 1);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (s[i] == '~')
            r = prova_buf_append(p, "~0", 2);
        else if (s[i] == '/')
            r = prova_buf_append(p, "~1", 2);
        else
            r = prova_buf_append(p, &s[i], 1);
    }
    return r;
}
static int path_push_index(prova_buf *p, size_t i) {
    char b[32];
    int n = snprintf(b, sizeof b, "/%zu", i);
    return prova_buf_append(p, b, (size_t)n);
}
/* The path as a C string (the buffer keeps a NUL after its length). */
static const char *path_str(prova_buf *p) {
    if (prova_buf_append(p, "", 1) < 0) return "";
    p->len--;
    return (const char *)p->data;
}

/* ---- Packing --------------------------------------------------------------------------------------------------- */

typedef struct commit_ctx {
    prova_buf list; /* the disclosures as JSON array members: "d1","d2",... */
    size_t count;
    prova_buf path; /* the pointer of the value being committed */
    const prova_redact_params *rp;
    bool *matched; /* rp->clear[i] was met */
    prova_error *err;
} commit_ctx;

static int cmp_digest(const void *a, const void *b) {
    return memcmp(a, b, DIGEST_LEN + 1);
}

/* Makes one disclosure from [salt, name?, committed value] and returns its digest. */
static int disclose(commit_ctx *k, const prova_json *name, const prova_buf *value, char digest[DIGEST_LEN + 1]) {
    if (k->count >= PROVA_REDACT_MAX_DISCLOSURES)
        return prova__fail(k->err, PROVA_ELIMIT, "redaction_limit", "more members than one envelope may disclose");
    uint8_t salt_raw[PROVA_REDACT_SALT_BYTES];
    char salt[SALT_LEN + 1];
    prova_random_fill(salt_raw, sizeof salt_raw);
    prova_base64url_encode(salt_raw, sizeof salt_raw, salt, sizeof salt);
    prova_buf arr = PROVA_BUF_INIT;
    int r = prova_buf_append(&arr, "[\"", 2);
    if (r == 0) r = prova_buf_append(&arr, salt, SALT_LEN);
    if (r == 0) r = prova_buf_append(&arr, "\",", 2);
    if (r == 0 && name) r = prova_canon_write_string(name->u.str, name->len, PROVA_PROFILE_OPE, &arr);
    if (r == 0 && name) r = prova_buf_append(&arr, ",", 1);
    if (r == 0) r = prova_buf_append(&arr, value->data, value->len);
    if (r == 0) r = prova_buf_append(&arr, "]", 1);
    char *b64 = NULL;
    size_t n = 0;
    if (r == 0) {
        n = PROVA_BASE64URL_LEN(arr.len);
        b64 = malloc(n + 1);
        if (!b64) r = PROVA_ENOMEM;
    }
    if (r == 0) {
        prova_base64url_encode(arr.data, arr.len, b64, n + 1);
        digest_of(b64, n, digest);
        if (k->count) r = prova_buf_append(&k->list, ",", 1);
        if (r == 0) r = prova_buf_append(&k->list, "\"", 1);
        if (r == 0) r = prova_buf_append(&k->list, b64, n);
        if (r == 0) r = prova_buf_append(&k->list, "\"", 1);
        if (r == 0) k->count++;
    }
    free(b64);
    prova_buf_free(&arr);
    return r;
}

/* True when the value at k->path is to stay in the clear (marks the pointer as met). */
static bool in_clear(commit_ctx *k) {
    bool hit = false;
    for (size_t i = 0; k->rp && i < k->rp->nclear; i++) {
        size_t n = strlen(k->rp->clear[i]);
        if (n == k->path.len && memcmp(k->rp->clear[i], k->path.data, n) == 0) k->matched[i] = hit = true;
    }
    return hit;
}

/* Appends the committed form of v to out: every member and element behind a fresh disclosure, but those named in
 * the clear pointers, and decoy digests in each object. */
static int commit(commit_ctx *k, const prova_json *v, bool top, prova_buf *out) {
    int r = 0;
    size_t mark = k->path.len;
    prova_buf val = PROVA_BUF_INIT;
    if (prova_json_is_object(v)) {
        unsigned decoys = k->rp ? k->rp->decoys : 0;
        size_t n = prova_json_len(v), nd = 0;
        char(*dg)[DIGEST_LEN + 1] = n + decoys ? calloc(n + decoys, sizeof *dg) : NULL;
        if (n + decoys && !dg) return PROVA_ENOMEM;
        bool first = true;
        r = prova_buf_append(out, "{", 1);
        for (size_t i = 0; r == 0 && i < n; i++) {
            const prova_json_member *m = &v->u.members[i];
            if (reserved(&m->key)) {
                r = prova__fail(k->err, PROVA_EINVAL, "redact_reserved_name",
                                "the payload has a member named _sd, _sd_alg or ..., which the committed form uses");
                break;
            }
            val.len = 0;
            r = path_push_name(&k->path, m->key.u.str, m->key.len);
            bool clear = r == 0 && in_clear(k);
            if (r == 0) r = commit(k, &m->value, false, &val);
            k->path.len = mark;
            if (r == 0 && clear) { /* a plain member, signed as it is */
                if (!first) r = prova_buf_append(out, ",", 1);
                if (r == 0) r = prova_canon_write_string(m->key.u.str, m->key.len, PROVA_PROFILE_OPE, out);
                if (r == 0) r = prova_buf_append(out, ":", 1);
                if (r == 0) r = prova_buf_append(out, val.data, val.len);
                first = false;
            } else if (r == 0) {
                r = disclose(k, &m->key, &val, dg[nd++]);
            }
        }
        /* SPEC (RFC 9901, "Decoy Digests"): a decoy digest is the digest of a random number; it matches no disclosure.
         */
        for (unsigned i = 0; r == 0 && i < decoys; i++) {
            uint8_t noise[32];
            prova_random_fill(noise, sizeof noise);
            char b64[PROVA_BASE64URL_LEN(32) + 1];
            prova_base64url_encode(noise, sizeof noise, b64, sizeof b64);
            digest_of(b64, strlen(b64), dg[nd++]);
        }
        if (r == 0) {
            if (nd) qsort(dg, nd, sizeof *dg, cmp_digest);
            if (nd) r = prova__ope_put(out, first ? "\"_sd\":[" : ",\"_sd\":[");
            for (size_t i = 0; r == 0 && i < nd; i++) {
                if (i) r = prova_buf_append(out, ",", 1);
                if (r == 0) r = prova_buf_append(out, "\"", 1);
                if (r == 0) r = prova_buf_append(out, dg[i], DIGEST_LEN);
                if (r == 0) r = prova_buf_append(out, "\"", 1);
            }
            if (r == 0 && nd) r = prova_buf_append(out, "]", 1);
            if (r == 0 && top)
                r = prova__ope_put(out, first && !nd ? "\"_sd_alg\":\"sha-256\"" : ",\"_sd_alg\":\"sha-256\"");
            if (r == 0) r = prova_buf_append(out, "}", 1);
        }
        free(dg);
    } else if (prova_json_is_array(v)) {
        r = prova_buf_append(out, "[", 1);
        for (size_t i = 0; r == 0 && i < prova_json_len(v); i++) {
            char d[DIGEST_LEN + 1];
            val.len = 0;
            r = path_push_index(&k->path, i);
            bool clear = r == 0 && in_clear(k);
            if (r == 0) r = commit(k, &v->u.items[i], false, &val);
            k->path.len = mark;
            if (r == 0 && i) r = prova_buf_append(out, ",", 1);
            if (r == 0 && clear) {
                r = prova_buf_append(out, val.data, val.len);
            } else {
                if (r == 0) r = disclose(k, NULL, &val, d);
                if (r == 0) r = prova__ope_put(out, "{\"...\":\"");
                if (r == 0) r = prova_buf_append(out, d, DIGEST_LEN);
                if (r == 0) r = prova__ope_put(out, "\"}");
            }
        }
        if (r == 0) r = prova_buf_append(out, "]", 1);
    } else {
        r = prova_canon_write(v, PROVA_PROFILE_OPE, out, k->err);
    }
    prova_buf_free(&val);
    return r;
}

/* Parse options for text this module wrote itself or rebuilt from a parsed document: the input's own limits
 * already applied to it. */
static prova_parse_options loose(void) {
    prova_parse_options po = {0};
    po.max_depth = PROVA_DEFAULT_MAX_DEPTH + 64;
    po.max_size = SIZE_MAX >> 1;
    po.max_string = SIZE_MAX >> 1;
    po.max_members = SIZE_MAX >> 1;
    return po;
}

size_t prova_redact_params_sizeof(void) {
    return sizeof(prova_redact_params);
}

int prova_redact_pack(const prova_key *key, const prova_json *payload, const prova_ope_envelope_params *p,
                      const prova_redact_params *rp, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!key || !payload || !p || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!prova_json_is_object(payload))
        return prova__fail(reterr, PROVA_EINVAL, "payload_not_object", "the payload must be a JSON object");
    if (p->bind)
        return prova__fail(reterr, PROVA_EINVAL, "redact_bind_unsupported",
                           "a bound signature would cover the disclosures, so none could be withheld");
    if (rp && (rp->decoys > PROVA_REDACT_MAX_DECOYS || (rp->nclear && !rp->clear)))
        return prova__fail(reterr, PROVA_EINVAL, "redact_params_invalid",
                           "decoys must be at most PROVA_REDACT_MAX_DECOYS; clear needs its pointers");
    for (size_t i = 0; rp && i < rp->nclear; i++)
        if (!rp->clear[i] || strncmp(rp->clear[i], "/payload/", 9) != 0)
            return prova__fail(reterr, PROVA_EINVAL, "redact_path_invalid",
                               "a clear path must be a JSON Pointer below /payload (e.g. /payload/order_id)");
    commit_ctx k = {.list = PROVA_BUF_INIT, .path = PROVA_BUF_INIT, .rp = rp, .err = reterr};
    if (rp && rp->nclear && !(k.matched = calloc(rp->nclear, sizeof *k.matched))) return PROVA_ENOMEM;
    if (prova_buf_append(&k.path, "/payload", 8) < 0) {
        free(k.matched);
        return PROVA_ENOMEM;
    }
    prova_buf committed = PROVA_BUF_INIT, env = PROVA_BUF_INIT, list = PROVA_BUF_INIT;
    prova_doc *cdoc = NULL, *edoc = NULL;
    prova_parse_options po = loose();
    int r = commit(&k, payload, true, &committed);
    for (size_t i = 0; r == 0 && rp && i < rp->nclear; i++)
        if (!k.matched[i]) {
            r = prova__fail(reterr, PROVA_EINVAL, "redact_path_not_found",
                            "a clear path names no member of the payload");
            if (reterr) snprintf(reterr->pointer, sizeof reterr->pointer, "%s", rp->clear[i]);
        }
    if (r == 0) r = prova_json_parse(committed.data, committed.len, &po, &cdoc, reterr);
    if (r == 0) r = prova_ope_envelope_pack(key, prova_doc_root(cdoc), p, &env, reterr);
    if (r == 0) r = prova_json_parse(env.data, env.len, &po, &edoc, reterr);
    if (r == 0) r = prova_buf_append(&list, "[", 1);
    if (r == 0 && k.list.len) r = prova_buf_append(&list, k.list.data, k.list.len);
    if (r == 0) r = prova_buf_append(&list, "]", 1);
    if (r == 0) {
        prova_member_text set = {"disclosures", (const char *)list.data, list.len};
        r = prova_canon_edit(prova_doc_root(edoc), NULL, 0, &set, 1, PROVA_PROFILE_OPE, out, reterr);
    }
    if (r < 0 && reterr && reterr->status == 0) prova__fail(reterr, r, prova_status_name(r), prova_status_message(r));
    prova_doc_free(cdoc);
    prova_doc_free(edoc);
    prova_buf_free(&committed);
    prova_buf_free(&env);
    prova_buf_free(&list);
    prova_buf_free(&k.list);
    prova_buf_free(&k.path);
    free(k.matched);
    return r;
}

/* ---- Reading disclosures and walking the committed payload ------------------------------------------------- */

typedef struct disc {
    size_t index; /* position in "disclosures" */
    char digest[DIGEST_LEN + 1];
    prova_doc *doc;
    const prova_json *name; /* NULL: an array element's disclosure */
    const prova_json *value;
    bool bad;  /* malformed or a duplicate: reported, never matched */
    bool used; /* reached from the payload */
    bool drop; /* to be withheld (prova_redact_remove) */
} disc;

typedef struct seen_digest {
    const char *s;
    size_t n;
} seen_digest;

typedef struct walk_ctx {
    disc *d; /* sorted by digest */
    size_t n;
    seen_digest *seen;
    size_t nseen, seen_cap;
    prova_buf path;
    const char *at; /* the envelope's pointer */
    prova_report *r;
    size_t problems;
    int status; /* the first problem's status */
    prova_error *err;
    bool oom;
    size_t withheld; /* digests with no disclosure */
    size_t depth;
} walk_ctx;

/* Records a problem: the first one goes to err, every one (up to MAX_PROBLEMS) to the report. */
static void problem(walk_ctx *c, int status, const char *code, const char *at, const char *msg) {
    if (!c->status) {
        c->status = status;
        if (c->err) {
            prova__fail(c->err, status, code, msg);
            snprintf(c->err->pointer, sizeof c->err->pointer, "%s", at);
        }
    }
    if (c->r && c->problems < MAX_PROBLEMS &&
        prova__report_check(c->r, "redaction", false, code, at, "%s", msg) == PROVA_ENOMEM)
        c->oom = true;
    c->problems++;
}

static const char *disc_ptr(walk_ctx *c, char buf[PROVA_POINTER_MAX], size_t i) {
    snprintf(buf, PROVA_POINTER_MAX, "%s/disclosures/%zu", c->at, i);
    return buf;
}

static int cmp_disc(const void *a, const void *b) {
    const disc *x = a, *y = b;
    int k = memcmp(x->digest, y->digest, DIGEST_LEN);
    return k ? k : (x->index > y->index) - (x->index < y->index);
}
static int cmp_index(const void *a, const void *b) {
    const disc *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static disc *find(walk_ctx *c, const prova_json *digest) {
    if (!prova_json_is_string(digest) || digest->len != DIGEST_LEN) return NULL;
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = memcmp(c->d[mid].digest, digest->u.str, DIGEST_LEN);
        if (k == 0) {
            while (mid > 0 && memcmp(c->d[mid - 1].digest, digest->u.str, DIGEST_LEN) == 0) mid--;
            return &c->d[mid];
        }
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void see(walk_ctx *c, const prova_json *digest) {
    if (c->nseen == c->seen_cap) {
        size_t cap = c->seen_cap ? c->seen_cap * 2 : 64;
        seen_digest *q = realloc(c->seen, cap * sizeof *q);
        if (!q) {
            c->oom = true;
            return;
        }
        c->seen = q;
        c->seen_cap = cap;
    }
    c->seen[c->nseen++] = (seen_digest){digest->u.str, digest->len};
}

/* Decodes and parses one disclosure (its problems reported). */
static void read_disclosure(walk_ctx *c, const prova_json *v, disc *d) {
    char pb[PROVA_POINTER_MAX];
    d->bad = true;
    if (!prova_json_is_string(v)) {
        problem(c, PROVA_ESYNTAX, "disclosure_malformed", disc_ptr(c, pb, d->index), "a disclosure must be a string");
        return;
    }
    digest_of(v->u.str, v->len, d->digest);
    size_t cap = v->len / 4 * 3 + 3, n = 0;
    uint8_t *raw = malloc(cap ? cap : 1);
    if (!raw) {
        c->oom = true;
        return;
    }
    prova_error e;
    if (prova_base64url_decode(v->u.str, v->len, raw, cap, &n, &e) < 0) {
        problem(c, PROVA_ESYNTAX, "disclosure_malformed", disc_ptr(c, pb, d->index), "a disclosure is not base64url");
    } else if (prova_json_parse(raw, n, NULL, &d->doc, &e) < 0) {
        if (e.status == PROVA_ENOMEM) c->oom = true;
        problem(c, PROVA_ESYNTAX, "disclosure_malformed", disc_ptr(c, pb, d->index),
                "a disclosure does not decode to JSON");
    } else {
        const prova_json *a = prova_doc_root(d->doc);
        size_t len = prova_json_len(a);
        if (!prova_json_is_array(a) || (len != 2 && len != 3)) {
            problem(c, PROVA_ESYNTAX, "disclosure_malformed", disc_ptr(c, pb, d->index),
                    "a disclosure must be a JSON array [salt, name, value] or [salt, value]");
        } else if (!prova_json_is_string(&a->u.items[0])) {
            problem(c, PROVA_ESYNTAX, "disclosure_malformed", disc_ptr(c, pb, d->index),
                    "a disclosure's salt must be a string");
        } else if (len == 3 && !prova_json_is_string(&a->u.items[1])) {
            problem(c, PROVA_ESYNTAX, "disclosure_malformed", disc_ptr(c, pb, d->index),
                    "a disclosure's member name must be a string");
        } else if (len == 3 && reserved(&a->u.items[1])) {
            problem(c, PROVA_ESYNTAX, "disclosure_malformed", disc_ptr(c, pb, d->index),
                    "a disclosure may not name a member _sd, _sd_alg or ...");
        } else {
            d->name = len == 3 ? &a->u.items[1] : NULL;
            d->value = &a->u.items[len - 1];
            d->bad = false;
        }
    }
    free(raw);
}

static int walk(walk_ctx *c, const prova_json *v, bool top, prova_buf *out);

static void path_add(walk_ctx *c, const char *s) {
    if (prova_buf_append(&c->path, s, strlen(s)) < 0) c->oom = true;
}

static int put_value(walk_ctx *c, const prova_json *v, prova_buf *out) {
    if (prova_json_is_object(v) || prova_json_is_array(v)) return walk(c, v, false, out);
    return out ? prova_canon_write(v, PROVA_PROFILE_OPE, out, NULL) : 0;
}

static int cmp_name(const void *a, const void *b) {
    const prova_json *x = *(const prova_json *const *)a, *y = *(const prova_json *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int k = memcmp(x->u.str, y->u.str, n);
    return k ? k : (x->len > y->len) - (x->len < y->len);
}

static int walk_object(walk_ctx *c, const prova_json *o, bool top, prova_buf *out) {
    size_t mark = c->path.len;
    const prova_json *sd = prova_json_get(o, "_sd");
    const prova_json *alg = prova_json_get(o, "_sd_alg");
    if (alg && !top) {
        path_add(c, "/_sd_alg");
        problem(c, PROVA_ESYNTAX, "sd_malformed", path_str(&c->path), "_sd_alg is allowed only at the payload's top");
        c->path.len = mark;
    }
    if (prova_json_get(o, "...")) {
        path_add(c, "/...");
        problem(c, PROVA_ESYNTAX, "sd_malformed", path_str(&c->path),
                "a member named ... stands only alone, for an array element");
        c->path.len = mark;
    }
    if (sd && !prova_json_is_array(sd)) {
        path_add(c, "/_sd");
        problem(c, PROVA_ESYNTAX, "sd_malformed", path_str(&c->path), "_sd must be an array of digests");
        c->path.len = mark;
        sd = NULL;
    }
    size_t nsd = prova_json_len(sd);
    disc **hit = nsd ? calloc(nsd, sizeof *hit) : NULL;
    const prova_json **names = nsd ? calloc(nsd, sizeof *names) : NULL;
    if (nsd && (!hit || !names)) {
        free(hit);
        free(names);
        return PROVA_ENOMEM;
    }
    /* Which digests are disclosed here, and whether a disclosed name clashes. */
    size_t withheld = 0, nnames = 0;
    char pb[PROVA_POINTER_MAX];
    for (size_t i = 0; i < nsd; i++) {
        const prova_json *dv = &sd->u.items[i];
        if (!prova_json_is_string(dv)) {
            path_add(c, "/_sd");
            if (path_push_index(&c->path, i) < 0) c->oom = true;
            problem(c, PROVA_ESYNTAX, "sd_malformed", path_str(&c->path), "a digest in _sd must be a string");
            c->path.len = mark;
            continue;
        }
        see(c, dv);
        disc *x = find(c, dv);
        if (!x || x->bad || x->drop) {
            withheld++;
            continue;
        }
        if (!x->name) {
            x->used = true;
            problem(c, PROVA_EVERIFY, "disclosure_wrong_place", disc_ptr(c, pb, x->index),
                    "an array element's disclosure is committed in an object's _sd");
            continue;
        }
        if (x->used) continue; /* the digest is met twice: digest_duplicate, below */
        x->used = true;
        if (prova_json_getn(o, x->name->u.str, x->name->len)) {
            problem(c, PROVA_EVERIFY, "disclosure_name_conflict", disc_ptr(c, pb, x->index),
                    "a disclosure names a member the object already has");
            continue;
        }
        hit[i] = x;
        names[nnames++] = x->name;
    }
    if (nnames > 1) {
        if (nnames) qsort(names, nnames, sizeof *names, cmp_name);
        for (size_t i = 1; i < nnames; i++)
            if (cmp_name(&names[i - 1], &names[i]) == 0) {
                /* Two disclosures with one name: both are dropped from the output, the object is ambiguous. */
                for (size_t k = 0; k < nsd; k++)
                    if (hit[k] && hit[k]->name == names[i]) {
                        problem(c, PROVA_EVERIFY, "disclosure_name_conflict", disc_ptr(c, pb, hit[k]->index),
                                "two disclosures name the same member");
                        hit[k] = NULL;
                    }
            }
    }
    int r = 0;
    bool first = true;
    if (out) r = prova_buf_append(out, "{", 1);
    for (size_t i = 0; r == 0 && i < prova_json_len(o); i++) {
        const prova_json_member *m = &o->u.members[i];
        if (prova_json_str_eq(&m->key, "_sd") || prova_json_str_eq(&m->key, "_sd_alg")) continue;
        r = path_push_name(&c->path, m->key.u.str, m->key.len);
        if (r == 0 && out && !first) r = prova_buf_append(out, ",", 1);
        if (r == 0 && out) r = prova_canon_write_string(m->key.u.str, m->key.len, PROVA_PROFILE_OPE, out);
        if (r == 0 && out) r = prova_buf_append(out, ":", 1);
        if (r == 0) r = put_value(c, &m->value, out);
        first = false;
        c->path.len = mark;
    }
    for (size_t i = 0; r == 0 && i < nsd; i++) {
        if (!hit[i]) continue;
        const prova_json *name = hit[i]->name;
        r = path_push_name(&c->path, name->u.str, name->len);
        if (r == 0 && out && !first) r = prova_buf_append(out, ",", 1);
        if (r == 0 && out) r = prova_canon_write_string(name->u.str, name->len, PROVA_PROFILE_OPE, out);
        if (r == 0 && out) r = prova_buf_append(out, ":", 1);
        if (r == 0) r = put_value(c, hit[i]->value, out);
        first = false;
        c->path.len = mark;
    }
    if (r == 0 && out) r = prova_buf_append(out, "}", 1);
    if (r == 0 && withheld) {
        c->withheld += withheld;
        if (c->r &&
            prova__report_warn(c->r, "redacted", path_str(&c->path),
                               "%zu undisclosed digest(s) in %s: withheld members or decoys (names are not disclosed)",
                               withheld, path_str(&c->path)) == PROVA_ENOMEM)
            c->oom = true;
    }
    free(hit);
    free(names);
    return r;
}

static int walk_array(walk_ctx *c, const prova_json *a, prova_buf *out) {
    size_t mark = c->path.len;
    char pb[PROVA_POINTER_MAX];
    int r = out ? prova_buf_append(out, "[", 1) : 0;
    bool first = true;
    for (size_t i = 0; r == 0 && i < prova_json_len(a); i++) {
        const prova_json *e = &a->u.items[i];
        r = path_push_index(&c->path, i);
        if (r) break;
        const prova_json *dv = NULL;
        if (prova_json_is_object(e) && prova_json_len(e) == 1 && prova_json_str_eq(&e->u.members[0].key, "..."))
            dv = &e->u.members[0].value;
        if (!dv) {
            if (out && !first) r = prova_buf_append(out, ",", 1);
            if (r == 0) r = put_value(c, e, out);
            first = false;
        } else if (!prova_json_is_string(dv)) {
            problem(c, PROVA_ESYNTAX, "sd_malformed", path_str(&c->path),
                    "an array element's digest {\"...\": digest} must be a string");
        } else {
            see(c, dv);
            disc *x = find(c, dv);
            if (!x || x->bad || x->drop) {
                c->withheld++;
                if (c->r && prova__report_warn(c->r, "redacted", path_str(&c->path), "array element %s withheld",
                                               path_str(&c->path)) == PROVA_ENOMEM)
                    c->oom = true;
            } else if (x->name) {
                x->used = true;
                problem(c, PROVA_EVERIFY, "disclosure_wrong_place", disc_ptr(c, pb, x->index),
                        "an object member's disclosure stands for an array element");
            } else if (!x->used) {
                x->used = true;
                if (out && !first) r = prova_buf_append(out, ",", 1);
                if (r == 0) r = put_value(c, x->value, out);
                first = false;
            }
        }
        c->path.len = mark;
    }
    if (r == 0 && out) r = prova_buf_append(out, "]", 1);
    return r;
}

static int walk(walk_ctx *c, const prova_json *v, bool top, prova_buf *out) {
    if (c->depth >= MAX_DEPTH) {
        problem(c, PROVA_ELIMIT, "redaction_depth_limit", path_str(&c->path),
                "the disclosed payload nests deeper than the limit");
        return 0;
    }
    c->depth++;
    int r = prova_json_is_object(v) ? walk_object(c, v, top, out) : walk_array(c, v, out);
    c->depth--;
    return r;
}

static int cmp_seen(const void *a, const void *b) {
    const seen_digest *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int k = memcmp(x->s, y->s, n);
    return k ? k : (x->n > y->n) - (x->n < y->n);
}

/* Reads env's disclosures into c (sorted by digest) and checks the payload's top. 0 or PROVA_ENOMEM; problems are
 * recorded in c. */
static int load(walk_ctx *c, const prova_json *env, const char *at, prova_report *r, prova_error *err) {
    memset(c, 0, sizeof *c);
    c->path = (prova_buf)PROVA_BUF_INIT;
    c->at = at ? at : "";
    c->r = r;
    c->err = err;
    char pb[PROVA_POINTER_MAX];
    const prova_json *payload = prova_json_get(env, "payload");
    const prova_json *list = prova_json_get(env, "disclosures");
    if (!prova_json_is_object(env) || !prova_json_is_object(payload)) {
        snprintf(pb, sizeof pb, "%s/payload", c->at);
        problem(c, PROVA_EINVAL, "not_redactable", pb, "not an envelope with a payload object");
        return 0;
    }
    const prova_json *alg = prova_json_get(payload, "_sd_alg");
    if (alg && !prova_json_str_eq(alg, "sha-256")) {
        snprintf(pb, sizeof pb, "%s/payload/_sd_alg", c->at);
        problem(c, PROVA_EVERIFY, "sd_alg_unsupported", pb, "_sd_alg must be \"sha-256\"");
    }
    if (list && !prova_json_is_array(list)) {
        snprintf(pb, sizeof pb, "%s/disclosures", c->at);
        problem(c, PROVA_ESYNTAX, "disclosure_malformed", pb, "disclosures must be an array of strings");
        list = NULL;
    }
    size_t n = prova_json_len(list);
    if (n > PROVA_REDACT_MAX_DISCLOSURES) {
        snprintf(pb, sizeof pb, "%s/disclosures", c->at);
        problem(c, PROVA_ELIMIT, "redaction_limit", pb, "more disclosures than one envelope may carry");
        n = 0;
    }
    c->d = n ? calloc(n, sizeof *c->d) : NULL;
    if (n && !c->d) return PROVA_ENOMEM;
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        c->d[i].index = i;
        read_disclosure(c, &list->u.items[i], &c->d[i]);
    }
    if (n) qsort(c->d, n, sizeof *c->d, cmp_disc);
    /* Equal disclosures sort together, the first given first: it is kept, the others are duplicates. */
    const disc *kept = NULL;
    for (size_t i = 0; i < n; i++) {
        if (c->d[i].bad) continue;
        if (!kept || memcmp(c->d[i].digest, kept->digest, DIGEST_LEN) != 0) {
            kept = &c->d[i];
        } else {
            c->d[i].bad = true;
            problem(c, PROVA_EVERIFY, "disclosure_duplicate", disc_ptr(c, pb, c->d[i].index),
                    "the same disclosure is given twice");
        }
    }
    if (prova_buf_append(&c->path, c->at, strlen(c->at)) < 0 || prova_buf_append(&c->path, "/payload", 8) < 0)
        return PROVA_ENOMEM;
    return c->oom ? PROVA_ENOMEM : 0;
}

/* After a walk: disclosures never reached, digests met twice. */
static void finish(walk_ctx *c) {
    char pb[PROVA_POINTER_MAX];
    if (c->n) qsort(c->d, c->n, sizeof *c->d, cmp_index);
    for (size_t i = 0; i < c->n; i++)
        if (!c->d[i].bad && !c->d[i].used && !c->d[i].drop)
            problem(c, PROVA_EVERIFY, "disclosure_not_committed", disc_ptr(c, pb, c->d[i].index),
                    "no digest in the signed payload matches this disclosure (changed, or from another envelope)");
    if (c->nseen > 1) {
        if (c->nseen) qsort(c->seen, c->nseen, sizeof *c->seen, cmp_seen);
        for (size_t i = 1; i < c->nseen; i++)
            if (cmp_seen(&c->seen[i - 1], &c->seen[i]) == 0) {
                snprintf(pb, sizeof pb, "%s/payload", c->at);
                problem(c, PROVA_EVERIFY, "digest_duplicate", pb, "a digest is committed more than once");
                break;
            }
    }
}

static void unload(walk_ctx *c) {
    for (size_t i = 0; i < c->n; i++) prova_doc_free(c->d[i].doc);
    free(c->d);
    free(c->seen);
    prova_buf_free(&c->path);
}

static void reset(walk_ctx *c) {
    for (size_t i = 0; i < c->n; i++) c->d[i].used = false;
    c->nseen = 0;
    c->withheld = 0;
    c->path.len = strlen(c->at) + 8;
}

bool prova_redact_detect(const prova_json *env) {
    return prova_json_is_object(env) &&
           (prova_json_get(env, "disclosures") || prova_json_get(prova_json_get(env, "payload"), "_sd_alg"));
}

int prova_redact_verify(const prova_json *env, const char *at, prova_report *r) {
    if (!env || !r) return PROVA_EINVAL;
    walk_ctx c;
    int rc = load(&c, env, at, r, NULL);
    if (rc == 0 && prova_json_is_object(prova_json_get(env, "payload")))
        rc = walk(&c, prova_json_get(env, "payload"), true, NULL);
    if (rc == 0 && !c.oom) finish(&c);
    if (rc == 0 && !c.oom && !c.problems) {
        size_t disclosed = 0;
        for (size_t i = 0; i < c.n; i++) disclosed += c.d[i].used;
        char pb[PROVA_POINTER_MAX];
        snprintf(pb, sizeof pb, "%s/disclosures", c.at);
        rc = prova__report_check(r, "redaction", true, NULL, pb,
                                 "%zu disclosure(s) match digests in the signed payload; %zu digest(s) withheld",
                                 disclosed, c.withheld);
    }
    if (c.oom) rc = PROVA_ENOMEM;
    unload(&c);
    return rc;
}

/* The disclosed payload of a loaded context, canonical, into out. */
static int reveal(walk_ctx *c, const prova_json *env, prova_buf *out, prova_error *reterr) {
    prova_buf text = PROVA_BUF_INIT;
    int rc = walk(c, prova_json_get(env, "payload"), true, &text);
    if (rc == 0 && !c->oom) finish(c);
    if (c->oom) rc = PROVA_ENOMEM;
    if (rc == 0 && c->status) rc = c->status;
    if (rc == 0) {
        prova_parse_options po = loose();
        rc = prova_canon_bytes(text.data, text.len, PROVA_PROFILE_OPE, &po, out, reterr);
    }
    prova_buf_free(&text);
    return rc;
}

int prova_redact_reveal(const prova_json *env, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!env || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    walk_ctx c;
    int rc = load(&c, env, "", NULL, reterr);
    if (rc == 0 && c.status) rc = c.status;
    if (rc == 0) rc = reveal(&c, env, out, reterr);
    if (rc < 0 && reterr && reterr->status == 0)
        prova__fail(reterr, rc, prova_status_name(rc), prova_status_message(rc));
    unload(&c);
    return rc;
}

/* ---- Withholding ------------------------------------------------------------------------------------------- */

/* Reads the next RFC 6901 reference token of path at *pos into tok (unescaped). false at the end. */
static bool next_token(const char *path, size_t *pos, prova_buf *tok, bool *bad) {
    if (path[*pos] != '/') return false;
    (*pos)++;
    tok->len = 0;
    while (path[*pos] && path[*pos] != '/') {
        char ch = path[*pos];
        if (ch == '~') {
            char e = path[*pos + 1];
            if (e != '0' && e != '1') {
                *bad = true;
                return false;
            }
            ch = e == '0' ? '~' : '/';
            (*pos)++;
        }
        if (prova_buf_append(tok, &ch, 1) < 0) {
            *bad = true;
            return false;
        }
        (*pos)++;
    }
    return true;
}

static bool token_index(const prova_buf *tok, size_t *ret) {
    if (tok->len == 0 || tok->len > 18 || (tok->len > 1 && tok->data[0] == '0')) return false;
    size_t v = 0;
    for (size_t i = 0; i < tok->len; i++) {
        if (tok->data[i] < '0' || tok->data[i] > '9') return false;
        v = v * 10 + (size_t)(tok->data[i] - '0');
    }
    *ret = v;
    return true;
}

/* Finds the disclosure at path (which starts with /payload/) and marks it to drop. */
static int mark_path(walk_ctx *c, const prova_json *env, const char *path, prova_error *reterr) {
    size_t pos = 0;
    bool bad = false;
    prova_buf tok = PROVA_BUF_INIT;
    int rc = 0;
    if (!next_token(path, &pos, &tok, &bad) || tok.len != 7 || memcmp(tok.data, "payload", 7) != 0 || !path[pos]) {
        rc = prova__fail(reterr, PROVA_EINVAL, "redact_path_invalid",
                         "a path must be a JSON Pointer below /payload (e.g. /payload/address/street)");
        goto done;
    }
    const prova_json *v = prova_json_get(env, "payload");
    while (next_token(path, &pos, &tok, &bad)) {
        bool last = path[pos] == '\0';
        disc *x = NULL;
        const prova_json *plain = NULL;
        if (prova_json_is_object(v)) {
            if (!(tok.len == 3 && memcmp(tok.data, "_sd", 3) == 0) &&
                !(tok.len == 7 && memcmp(tok.data, "_sd_alg", 7) == 0))
                plain = prova_json_getn(v, (const char *)tok.data, tok.len);
            const prova_json *sd = prova_json_get(v, "_sd");
            for (size_t i = 0; !plain && i < prova_json_len(sd) && !x; i++) {
                disc *y = find(c, &sd->u.items[i]);
                if (y && !y->bad && y->name && y->name->len == tok.len &&
                    memcmp(y->name->u.str, tok.data, tok.len) == 0)
                    x = y;
            }
        } else if (prova_json_is_array(v)) {
            size_t i;
            if (token_index(&tok, &i) && i < prova_json_len(v)) {
                const prova_json *e = &v->u.items[i];
                if (prova_json_is_object(e) && prova_json_len(e) == 1 &&
                    prova_json_str_eq(&e->u.members[0].key, "...")) {
                    disc *y = find(c, &e->u.members[0].value);
                    if (y && !y->bad && !y->name) x = y;
                } else {
                    plain = e;
                }
            }
        }
        /* A disclosure an earlier path of this call drops is still walked through: paths are independent of their
         * order, and naming a member and one inside it, or one twice, is no error. */
        if (!x && !plain) {
            rc = prova__fail(reterr, PROVA_EINVAL, "redact_path_not_found",
                             "no disclosed member or element at this path (or it is withheld already)");
            goto done;
        }
        if (last) {
            if (!x) {
                rc = prova__fail(reterr, PROVA_EINVAL, "redact_not_redactable",
                                 "this member is signed in the clear: the issuer did not make it redactable");
                goto done;
            }
            x->drop = true;
            goto done;
        }
        v = x ? x->value : plain;
    }
    rc = prova__fail(reterr, PROVA_EINVAL, bad ? "redact_path_invalid" : "redact_path_not_found",
                     bad ? "a path is not a JSON Pointer (~ must be ~0 or ~1)" : "no member at this path");
done:
    if (rc < 0 && reterr) snprintf(reterr->pointer, sizeof reterr->pointer, "%s", path);
    prova_buf_free(&tok);
    return rc;
}

int prova_redact_remove(const prova_json *env, const char *const *paths, size_t npaths, prova_buf *out,
                        prova_error *reterr) {
    prova_error_clear(reterr);
    if (!env || !out || (npaths && !paths))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!prova_json_is_array(prova_json_get(env, "disclosures")))
        return prova__fail(reterr, PROVA_EINVAL, "not_redactable", "the envelope has no disclosures array");
    if (prova_json_str_eq(prova_json_get(env, "sig_scope"), "envelope"))
        return prova__fail(reterr, PROVA_EINVAL, "redact_bind_unsupported",
                           "the signature covers the disclosures (sig_scope envelope): withholding one would break it");
    walk_ctx c;
    prova_buf scratch = PROVA_BUF_INIT, list = PROVA_BUF_INIT;
    int rc = load(&c, env, "", NULL, reterr);
    /* The input must be sound: a disclosure that matches nothing would otherwise vanish silently. */
    if (rc == 0 && c.status) rc = c.status;
    if (rc == 0) rc = reveal(&c, env, &scratch, reterr);
    if (rc == 0 && c.n) qsort(c.d, c.n, sizeof *c.d, cmp_disc);
    for (size_t i = 0; rc == 0 && i < npaths; i++) {
        if (!paths[i]) rc = prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL path");
        if (rc == 0) rc = mark_path(&c, env, paths[i], reterr);
    }
    /* Walk again without the dropped ones: what is reached is what stays (a withheld member's nested
     * disclosures go with it). */
    if (rc == 0) {
        reset(&c);
        rc = walk(&c, prova_json_get(env, "payload"), true, NULL);
        if (c.oom) rc = PROVA_ENOMEM;
    }
    if (rc == 0) {
        if (c.n) qsort(c.d, c.n, sizeof *c.d, cmp_index);
        const prova_json *all = prova_json_get(env, "disclosures");
        bool first = true;
        rc = prova_buf_append(&list, "[", 1);
        for (size_t i = 0; rc == 0 && i < c.n; i++) {
            if (!c.d[i].used || c.d[i].drop) continue;
            const prova_json *s = &all->u.items[c.d[i].index];
            if (!first) rc = prova_buf_append(&list, ",", 1);
            if (rc == 0) rc = prova_canon_write(s, PROVA_PROFILE_OPE, &list, NULL);
            first = false;
        }
        if (rc == 0) rc = prova_buf_append(&list, "]", 1);
    }
    if (rc == 0) {
        prova_member_text set = {"disclosures", (const char *)list.data, list.len};
        rc = prova_canon_edit(env, NULL, 0, &set, 1, PROVA_PROFILE_OPE, out, reterr);
    }
    if (rc < 0 && reterr && reterr->status == 0)
        prova__fail(reterr, rc, prova_status_name(rc), prova_status_message(rc));
    prova_buf_free(&scratch);
    prova_buf_free(&list);
    unload(&c);
    return rc;
}
