/* The lineage graph over many records (prova/lineage.h, docs/lineage.md): a model of nodes and typed edges, merged
 * across records, and its four writers. Every string is copied into the graph; every value is escaped for the
 * language it is written in (JSON, DOT, XML, mermaid), so no id can end a string, open a tag or add a statement. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/lineage.h"
#include "prova/proof.h"

#define MAX_ATTRS 8

typedef struct attr {
    const char *key; /* static */
    char *val;
} attr;

typedef struct lnode {
    char *id;
    const char *type; /* static */
    char *label;
    attr attrs[MAX_ATTRS];
    size_t nattrs;
    bool placeholder; /* made by a reference (a superseding certificate, a chain a certificate names) only */
} lnode;

typedef struct ledge {
    size_t from, to;
    const char *type; /* static */
} ledge;

/* A pending prev link: node `from` waits for the node of a hash; the links waiting for one hash are a list (next:
 * the next entry's index, or NONE), its head in prova_lineage.waiting under the hash's key. */
typedef struct lpending {
    size_t from, next;
} lpending;

#define NONE ((size_t)-1)

/* A string → index map (open addressing; keys owned). */
typedef struct smap {
    char **keys;
    size_t *vals;
    size_t cap, n;
} smap;

struct prova_lineage {
    lnode *nodes;
    size_t nnodes, capn;
    ledge *edges;
    size_t nedges, cape;
    lpending *pend;
    size_t npend, capp;
    smap ids;     /* node id → node */
    smap hashes;  /* receipt_hash / event_hash → node */
    smap eset;    /* "from to type" → edge */
    smap waiting; /* hash key → the first pending link waiting for it (NONE once the hash has come) */
};

/* ---- the map ---------------------------------------------------------------------------------------------------- */

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t smap_slot(const smap *m, const char *key) {
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->keys[j] && strcmp(m->keys[j], key) != 0) j = (j + 1) & (m->cap - 1);
    return j;
}

static bool smap_get(const smap *m, const char *key, size_t *ret) {
    if (!m->cap) return false;
    size_t j = smap_slot(m, key);
    if (!m->keys[j]) return false;
    *ret = m->vals[j];
    return true;
}

/* Puts key (copied) → val; an existing key keeps its value. 0 or PROVA_ENOMEM. */
static int smap_put(smap *m, const char *key, size_t val) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        char **nk = calloc(cap, sizeof *nk);
        size_t *nv = calloc(cap, sizeof *nv);
        if (!nk || !nv) {
            free(nk);
            free(nv);
            return PROVA_ENOMEM;
        }
        smap old = *m;
        m->keys = nk;
        m->vals = nv;
        m->cap = cap;
        for (size_t i = 0; i < old.cap; i++) {
            if (!old.keys[i]) continue;
            size_t j = smap_slot(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
        }
        free(old.keys);
        free(old.vals);
    }
    size_t j = smap_slot(m, key);
    if (m->keys[j]) return 0;
    if (!(m->keys[j] = strdup(key))) return PROVA_ENOMEM;
    m->vals[j] = val;
    m->n++;
    return 0;
}

/* Sets the value of a key that is in the map. */
static void smap_set(smap *m, const char *key, size_t val) {
    size_t j = smap_slot(m, key);
    if (m->keys[j]) m->vals[j] = val;
}

static void smap_free(smap *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- the graph -------------------------------------------------------------------------------------------------- */

int prova_lineage_new(prova_lineage **ret) {
    if (!ret) return PROVA_EINVAL;
    *ret = calloc(1, sizeof **ret);
    return *ret ? 0 : PROVA_ENOMEM;
}

prova_lineage *prova_lineage_free(prova_lineage *g) {
    if (!g) return NULL;
    for (size_t i = 0; i < g->nnodes; i++) {
        free(g->nodes[i].id);
        free(g->nodes[i].label);
        for (size_t k = 0; k < g->nodes[i].nattrs; k++) free(g->nodes[i].attrs[k].val);
    }
    free(g->nodes);
    free(g->edges);
    free(g->pend);
    smap_free(&g->ids);
    smap_free(&g->hashes);
    smap_free(&g->eset);
    smap_free(&g->waiting);
    free(g);
    return NULL;
}

size_t prova_lineage_node_count(const prova_lineage *g) {
    return g ? g->nnodes : 0;
}
size_t prova_lineage_edge_count(const prova_lineage *g) {
    return g ? g->nedges : 0;
}

static void *grow(void *arr, size_t n, size_t *cap, size_t size) {
    if (n < *cap) return arr;
    size_t c = *cap ? *cap * 2 : 16;
    void *p = realloc(arr, c * size);
    if (p) *cap = c;
    return p;
}

/* A build step: the first failure sticks. */
typedef struct bld {
    prova_lineage *g;
    prova_error *err;
    int rc;
} bld;

static void oom(bld *b) {
    if (b->rc == 0) b->rc = prova__fail(b->err, PROVA_ENOMEM, "out_of_memory", "out of memory");
}

static char *join(const char *a, const char *b, const char *c, const char *d) {
    size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0, ld = d ? strlen(d) : 0;
    char *s = malloc(la + lb + lc + ld + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    if (c) memcpy(s + la + lb, c, lc);
    if (d) memcpy(s + la + lb + lc, d, ld);
    s[la + lb + lc + ld] = '\0';
    return s;
}

/* The node with id prefix+a[+"/"+b], made when new (label: caption + value; a placeholder when ref is true).
 * A placeholder met again as a real node gets that node's label. Returns its index (0 after a failure). */
static size_t node(bld *b, const char *type, const char *prefix, const char *a, const char *c, const char *caption,
                   const char *labelv, bool ref) {
    if (b->rc) return 0;
    prova_lineage *g = b->g;
    char *id = join(prefix, a, c ? "/" : NULL, c);
    if (!id) {
        oom(b);
        return 0;
    }
    size_t i;
    if (smap_get(&g->ids, id, &i)) {
        free(id);
        lnode *x = &g->nodes[i];
        if (x->placeholder && !ref) {
            char *l = join(caption, labelv, NULL, NULL);
            if (!l) {
                oom(b);
                return 0;
            }
            free(x->label);
            x->label = l;
            x->placeholder = false;
        }
        return i;
    }
    lnode *nn = grow(g->nodes, g->nnodes, &g->capn, sizeof *nn);
    char *l = join(caption, labelv, NULL, NULL);
    if (!nn || !l || smap_put(&g->ids, id, g->nnodes) < 0) {
        if (nn) g->nodes = nn;
        free(id);
        free(l);
        oom(b);
        return 0;
    }
    g->nodes = nn;
    lnode *x = &g->nodes[g->nnodes];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->type = type;
    x->label = l;
    x->placeholder = ref;
    return g->nnodes++;
}

/* Sets attribute key of node i. When records state different values, the bytewise smallest is kept: the graph
 * depends on the set of records, not on their order. NULL value: nothing. */
static void set_attr(bld *b, size_t i, const char *key, const char *val) {
    if (b->rc || !val) return;
    lnode *x = &b->g->nodes[i];
    attr *slot = NULL;
    for (size_t k = 0; k < x->nattrs; k++)
        if (strcmp(x->attrs[k].key, key) == 0) {
            if (strcmp(val, x->attrs[k].val) >= 0) return;
            slot = &x->attrs[k];
        }
    if (!slot && x->nattrs == MAX_ATTRS) return;
    char *v = strdup(val);
    if (!v) {
        oom(b);
        return;
    }
    if (slot) {
        free(slot->val);
        slot->val = v;
    } else {
        x->attrs[x->nattrs++] = (attr){key, v};
    }
}

static void edge(bld *b, size_t from, size_t to, const char *type) {
    if (b->rc) return;
    prova_lineage *g = b->g;
    char key[80];
    snprintf(key, sizeof key, "%zu %zu %s", from, to, type);
    size_t i;
    if (smap_get(&g->eset, key, &i)) return;
    ledge *ne = grow(g->edges, g->nedges, &g->cape, sizeof *ne);
    if (!ne || smap_put(&g->eset, key, g->nedges) < 0) {
        if (ne) g->edges = ne;
        oom(b);
        return;
    }
    g->edges = ne;
    g->edges[g->nedges++] = (ledge){from, to, type};
}

/* Node i has hash h (a receipt_hash or event_hash; kind keeps receipts and events apart): links the nodes that wait
 * for it, and records it for later ones. */
static void has_hash(bld *b, size_t i, const char *kind, const char *h) {
    if (b->rc || !h || !*h) return;
    prova_lineage *g = b->g;
    char *key = join(kind, h, NULL, NULL);
    if (!key) {
        oom(b);
        return;
    }
    size_t have, head;
    if (!smap_get(&g->hashes, key, &have) && smap_put(&g->hashes, key, i) < 0) oom(b);
    if (b->rc == 0 && smap_get(&g->waiting, key, &head)) {
        for (size_t k = head; k != NONE && b->rc == 0; k = g->pend[k].next)
            if (g->pend[k].from != i) edge(b, g->pend[k].from, i, "prev");
        smap_set(&g->waiting, key, NONE);
    }
    free(key);
}

/* Node i's predecessor has hash h: linked now when known, else when it comes. */
static void wants_prev(bld *b, size_t i, const char *kind, const char *h) {
    if (b->rc || !h || !*h) return;
    prova_lineage *g = b->g;
    char *key = join(kind, h, NULL, NULL);
    if (!key) {
        oom(b);
        return;
    }
    size_t to, head = NONE;
    if (smap_get(&g->hashes, key, &to)) {
        free(key);
        if (to != i) edge(b, i, to, "prev");
        return;
    }
    lpending *np = grow(g->pend, g->npend, &g->capp, sizeof *np);
    if (!np) {
        free(key);
        oom(b);
        return;
    }
    g->pend = np;
    bool known = smap_get(&g->waiting, key, &head);
    if (known ? (smap_set(&g->waiting, key, g->npend), 0) : smap_put(&g->waiting, key, g->npend) < 0) {
        free(key);
        oom(b);
        return;
    }
    g->pend[g->npend++] = (lpending){i, head};
    free(key);
}

/* ---- reading records ------------------------------------------------------------------------------------------ */

static const char *str(const prova_json *obj, const char *key) {
    const prova_json *v = prova_json_get(obj, key);
    return prova_json_is_string(v) ? prova_json_str(v) : NULL;
}

/* A member an id is made of: a non-empty string, or an integer's token when integer is true. */
static const char *need(bld *b, const prova_json *obj, const char *key, bool integer, const char *ptr_prefix) {
    if (b->rc) return NULL;
    const prova_json *v = prova_json_get(obj, key);
    if (prova_json_is_string(v) && v->len > 0 && !integer) return prova_json_str(v);
    if (integer && prova_json_is_int(v)) return v->u.str;
    b->rc = prova__fail(b->err, PROVA_EINVAL, "lineage_field_invalid",
                        integer ? "a member a node id is made of is not an integer"
                                : "a member a node id is made of is absent or not a non-empty string");
    if (b->err) snprintf(b->err->pointer, sizeof b->err->pointer, "%s/%s", ptr_prefix, key);
    return NULL;
}

static size_t trace_node(bld *b, const char *trace) {
    return node(b, "trace", "trace:", trace, NULL, "trace ", trace, false);
}

static size_t cid_node(bld *b, const char *cid) {
    return node(b, "cid", "cid:", cid, NULL, "cid ", cid, false);
}

static void add_receipt(bld *b, const prova_json *r, const char *ptr, const char *bundle_trace) {
    if (!prova_json_is_object(r)) {
        b->rc = prova__fail(b->err, PROVA_EINVAL, "lineage_field_invalid", "a receipt is not a JSON object");
        if (b->err) snprintf(b->err->pointer, sizeof b->err->pointer, "%s", ptr);
        return;
    }
    const char *trace = str(r, "trace_id");
    if (!trace || !*trace) trace = bundle_trace;
    if (!trace) trace = need(b, r, "trace_id", false, ptr);
    const char *hop = need(b, r, "hop", true, ptr);
    if (b->rc) return;
    size_t t = trace_node(b, trace);
    size_t h = node(b, "hop", "hop:", trace, hop, "hop ", hop, false);
    set_attr(b, h, "trace_id", trace);
    set_attr(b, h, "hop", hop);
    set_attr(b, h, "ts", str(r, "ts"));
    set_attr(b, h, "gateway_kid", str(r, "gateway_kid"));
    set_attr(b, h, "receipt_hash", str(r, "receipt_hash"));
    set_attr(b, h, "prev_receipt_hash", str(r, "prev_receipt_hash"));
    edge(b, h, t, "hop_of");
    const char *req = str(r, "request_cid"), *norm = str(r, "normalized_cid");
    if (req && *req) edge(b, h, cid_node(b, req), "request");
    if (norm && *norm) edge(b, h, cid_node(b, norm), "normalized");
    has_hash(b, h, "r:", str(r, "receipt_hash"));
    wants_prev(b, h, "r:", str(r, "prev_receipt_hash"));
}

static void add_receipts(bld *b, const prova_json *rs, const char *prefix, const char *bundle_trace) {
    char ptr[48];
    for (size_t i = 0; i < prova_json_len(rs) && b->rc == 0; i++) {
        snprintf(ptr, sizeof ptr, "%s/%zu", prefix, i);
        add_receipt(b, prova_json_at(rs, i), ptr, bundle_trace);
    }
}

static void add_bundle(bld *b, const prova_json *root, const prova_json *meta, const prova_json *rs,
                       const char *meta_ptr, const char *rs_ptr) {
    const char *trace = need(b, meta, "trace_id", false, meta_ptr);
    if (b->rc) return;
    size_t t = trace_node(b, trace);
    set_attr(b, t, "bundle_cid", str(root, "bundle_cid"));
    set_attr(b, t, "exported_at", str(meta, "exported_at"));
    add_receipts(b, rs, rs_ptr, trace);
}

static void add_event(bld *b, const prova_json *e, const char *ptr, const char *chain_id) {
    if (!prova_json_is_object(e)) {
        b->rc = prova__fail(b->err, PROVA_EINVAL, "lineage_field_invalid", "an event is not a JSON object");
        if (b->err) snprintf(b->err->pointer, sizeof b->err->pointer, "%s", ptr);
        return;
    }
    const char *chain = str(e, "chain_id");
    if (!chain || !*chain) chain = chain_id;
    if (!chain) chain = need(b, e, "chain_id", false, ptr);
    const char *seq = need(b, e, "seq", true, ptr);
    if (b->rc) return;
    size_t c = node(b, "chain", "chain:", chain, NULL, "chain ", chain, true);
    const char *type = str(e, "event_type");
    char lab[64];
    snprintf(lab, sizeof lab, "%s", seq);
    size_t v = node(b, "event", "event:", chain, seq, "event ", lab, false);
    set_attr(b, v, "chain_id", chain);
    set_attr(b, v, "seq", seq);
    set_attr(b, v, "event_type", type);
    set_attr(b, v, "actor_id", str(e, "actor_id"));
    set_attr(b, v, "created_at", str(e, "created_at"));
    set_attr(b, v, "event_hash", str(e, "event_hash"));
    set_attr(b, v, "prev_hash", str(e, "prev_hash"));
    edge(b, v, c, "event_of");
    has_hash(b, v, "e:", str(e, "event_hash"));
    wants_prev(b, v, "e:", str(e, "prev_hash"));
}

static void add_chain(bld *b, const prova_json *ch, const char *ptr) {
    const char *id = need(b, ch, "id", false, ptr);
    if (b->rc) return;
    size_t c = node(b, "chain", "chain:", id, NULL, "chain ", id, false);
    set_attr(b, c, "chain_type", str(ch, "chain_type"));
    set_attr(b, c, "status", str(ch, "status"));
    set_attr(b, c, "hash_algorithm", str(ch, "hash_algorithm"));
    set_attr(b, c, "chain_hash", str(ch, "chain_hash"));
    set_attr(b, c, "created_at", str(ch, "created_at"));
    const prova_json *ev = prova_json_get(ch, "events");
    char p[48];
    for (size_t i = 0; i < prova_json_len(ev) && b->rc == 0; i++) {
        snprintf(p, sizeof p, "%s/events/%zu", ptr, i);
        add_event(b, prova_json_at(ev, i), p, id);
    }
}

static void add_oe_bundle(bld *b, const prova_json *root) {
    const prova_json *ch = prova_json_get(root, "chain");
    const prova_json *cert = prova_json_get(root, "certificate");
    const prova_json *st = prova_json_get(root, "status");
    const char *cid = need(b, root, "certificate_id", false, "");
    add_chain(b, ch, "/chain");
    if (b->rc) return;
    size_t k = node(b, "cert", "cert:", cid, NULL, "certificate ", cid, false);
    set_attr(b, k, "issued_at", str(cert, "issued_at"));
    set_attr(b, k, "artifact_type", str(cert, "artifact_type"));
    set_attr(b, k, "artifact_ref", str(cert, "artifact_ref"));
    set_attr(b, k, "status", str(st, "status"));
    const char *chain = str(ch, "id");
    edge(b, k, node(b, "chain", "chain:", chain, NULL, "chain ", chain, true), "certifies");
    const char *by = str(st, "superseded_by");
    if (by && *by) {
        size_t n = node(b, "cert", "cert:", by, NULL, "certificate ", by, true);
        edge(b, n, k, "supersedes");
    }
}

static bool is_receipt(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_get(v, "receipt_hash") && prova_json_get(v, "hop");
}
static bool is_event(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_get(v, "event_hash") && prova_json_get(v, "seq");
}

static int unknown(bld *b) {
    return b->rc = prova__fail(b->err, PROVA_EINVAL, "lineage_unknown_document",
                               "not a record the lineage graph reads (an OPE envelope, receipt, receipt chain or "
                               "bundle; an OpenExecution event, chain or certificate bundle; a proof record)");
}

static void dispatch(bld *b, const prova_json *root) {
    if (prova_json_is_array(root)) {
        size_t n = prova_json_len(root);
        bool receipts = n > 0, events = n > 0;
        for (size_t i = 0; i < n; i++) {
            receipts = receipts && is_receipt(prova_json_at(root, i));
            events = events && is_event(prova_json_at(root, i));
        }
        if (receipts)
            add_receipts(b, root, "", NULL);
        else if (events)
            for (size_t i = 0; i < n && b->rc == 0; i++) {
                char p[32];
                snprintf(p, sizeof p, "/%zu", i);
                add_event(b, prova_json_at(root, i), p, NULL);
            }
        else
            unknown(b);
        return;
    }
    if (!prova_json_is_object(root)) {
        unknown(b);
        return;
    }
    const prova_json *bb = prova_json_get(root, "bundle");
    if (prova_json_is_object(bb) && prova_json_is_array(prova_json_get(bb, "receipts"))) {
        add_bundle(b, root, bb, prova_json_get(bb, "receipts"), "/bundle", "/bundle/receipts");
    } else if (prova_json_is_array(prova_json_get(root, "receipts")) && prova_json_get(root, "bundle_cid")) {
        add_bundle(b, root, root, prova_json_get(root, "receipts"), "", "/receipts");
    } else if (is_receipt(root)) {
        add_receipt(b, root, "", NULL);
    } else if (prova_json_is_object(prova_json_get(root, "chain")) &&
               prova_json_is_object(prova_json_get(root, "certificate"))) {
        add_oe_bundle(b, root);
    } else if (prova_json_is_array(prova_json_get(root, "events")) && prova_json_get(root, "hash_algorithm")) {
        add_chain(b, root, "");
    } else if (is_event(root)) {
        add_event(b, root, "", NULL);
    } else if (prova_proof_detect(root)) {
        const char *id = need(b, root, "proof_id", false, "");
        if (b->rc) return;
        size_t p = node(b, "proof", "proof:", id, NULL, "proof ", id, false);
        set_attr(b, p, "created_at", str(prova_json_get(root, "identity"), "created_at"));
        set_attr(b, p, "outcome", str(prova_json_get(root, "verdict"), "outcome"));
    } else if (prova_json_get(root, "payload") && prova_json_get(root, "trace_id")) {
        const char *trace = need(b, root, "trace_id", false, "");
        const char *cid = str(root, "cid");
        char computed[80];
        const prova_json *payload = prova_json_get(root, "payload");
        if ((!cid || !*cid) && prova_json_is_object(payload) && b->rc == 0) {
            /* The starter dialect sends no cid: its gateway computes it over the ASCII-escaped canonical payload
             * (docs/ope.md), as the OpenLineage mapping does. */
            prova_buf cb = PROVA_BUF_INIT;
            uint8_t d[PROVA_HASH_MAX_BYTES];
            int r = prova_canon_write(payload, PROVA_PROFILE_OPHAMIN, &cb, NULL);
            if (r == 0) r = prova_hash_compute(PROVA_HASH_SHA256, cb.data, cb.len, d);
            prova_buf_free(&cb);
            if (r == PROVA_ENOMEM) {
                oom(b);
                return;
            }
            if (r == 0) {
                memcpy(computed, "sha256:", 7);
                prova_hex_encode(d, PROVA_SHA256_BYTES, computed + 7, sizeof computed - 7);
                computed[7 + 2 * PROVA_SHA256_BYTES] = '\0';
                cid = computed;
            }
        }
        if (!cid || !*cid) need(b, root, "cid", false, "");
        if (b->rc) return;
        size_t t = trace_node(b, trace);
        set_attr(b, t, "payload_type", str(root, "payload_type"));
        set_attr(b, t, "target_type", str(root, "target_type"));
        edge(b, t, cid_node(b, cid), "payload");
    } else {
        unknown(b);
    }
}

int prova_lineage_add(prova_lineage *g, const prova_json *record, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!g || !record) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL graph or record");
    bld b = {g, reterr, 0};
    dispatch(&b, record);
    return b.rc;
}

/* ---- formats ------------------------------------------------------------------------------------------------- */

static const char *const format_names[] = {"json", "dot", "graphml", "mermaid"};
static const char *const content_types[] = {"application/json", "text/vnd.graphviz; charset=utf-8",
                                            "application/graphml+xml; charset=utf-8",
                                            "text/vnd.mermaid; charset=utf-8"};

int prova_lineage_format_lookup(const char *name, prova_lineage_format *ret) {
    for (size_t i = 0; name && i < sizeof format_names / sizeof *format_names; i++)
        if (strcmp(name, format_names[i]) == 0) {
            if (ret) *ret = (prova_lineage_format)i;
            return 0;
        }
    return PROVA_EUNSUPPORTED;
}

const char *prova_lineage_format_name(prova_lineage_format f) {
    return (unsigned)f < 4 ? format_names[f] : NULL;
}

const char *prova_lineage_content_type(prova_lineage_format f) {
    return (unsigned)f < 4 ? content_types[f] : NULL;
}

/* ---- writing ----------------------------------------------------------------------------------------------------- */

typedef struct out {
    prova_buf *b;
    int rc;
} out;

static void put(out *o, const char *s, size_t n) {
    if (o->rc == 0 && prova_buf_append(o->b, s, n) < 0) o->rc = PROVA_ENOMEM;
}
static void puts_(out *o, const char *s) {
    put(o, s, strlen(s));
}

typedef enum { LANG_DOT, LANG_MERMAID, LANG_XML } lang;

static size_t utf8_len(unsigned char c) {
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* A value escaped for a language. The rules for DOT and mermaid are those of `prova verify --format dot|mermaid`
 * (src/cli/verify_graph.c, which states their sources); XML's are XML 1.0 §2.2 and §2.4. */
static void put_esc(out *o, lang l, const char *s) {
    for (const char *p = s; *p;) {
        size_t n = utf8_len((unsigned char)*p);
        for (size_t k = 1; k < n; k++)
            if (!p[k]) n = k; /* never read past the end (the parser admits only valid UTF-8) */
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) {
            /* a control character is shown as U+FFFD: never a line break, a DOT escape or a character XML 1.0
               forbids */
            puts_(o, "\xef\xbf\xbd");
        } else if (n == 3 && c == 0xef && (unsigned char)p[1] == 0xbf && (unsigned char)p[2] >= 0xbe && l == LANG_XML) {
            puts_(o, "\xef\xbf\xbd"); /* U+FFFE, U+FFFF: not XML characters */
        } else if (l == LANG_DOT) {
            if (c == '"')
                puts_(o, "\\\"");
            else if (c == '\\')
                puts_(o, "\\\\");
            else if (c == '&')
                puts_(o, "&amp;");
            else
                put(o, p, n);
        } else if (l == LANG_MERMAID) {
            if (c < 0x80 && ispunct(c) && !strchr(".:/,-@=+", c)) {
                char ent[8];
                snprintf(ent, sizeof ent, "#%u;", c);
                puts_(o, ent);
            } else {
                put(o, p, n);
            }
        } else {
            if (c == '&')
                puts_(o, "&amp;");
            else if (c == '<')
                puts_(o, "&lt;");
            else if (c == '>')
                puts_(o, "&gt;");
            else if (c == '"')
                puts_(o, "&quot;");
            else if (c == '\'')
                puts_(o, "&apos;");
            else
                put(o, p, n);
        }
        p += n;
    }
}

static void put_json(out *o, const char *s) {
    if (o->rc == 0 && prova_canon_write_string(s, strlen(s), PROVA_PROFILE_OPE, o->b) < 0) o->rc = PROVA_ENOMEM;
}

/* The sorted view: node order, and each node's rank; edges sorted by (from id, to id, type). */
typedef struct view {
    const prova_lineage *g;
    size_t *order; /* order[k]: the node written k-th */
    size_t *rank;  /* rank[i]: the position of node i */
    size_t *eorder;
} view;

static int cmp_node(const void *a, const void *b, void *ctx) {
    const lnode *n = ctx;
    return strcmp(n[*(const size_t *)a].id, n[*(const size_t *)b].id);
}

static int cmp_edge(const void *a, const void *b, void *ctx) {
    const view *v = ctx;
    const ledge *x = &v->g->edges[*(const size_t *)a], *y = &v->g->edges[*(const size_t *)b];
    if (x->from != y->from) return v->rank[x->from] < v->rank[y->from] ? -1 : 1;
    if (x->to != y->to) return v->rank[x->to] < v->rank[y->to] ? -1 : 1;
    return strcmp(x->type, y->type);
}

/* An insertion-free merge sort with a context (qsort_r is not C11). */
static void msort(size_t *a, size_t *tmp, size_t n, int (*cmp)(const void *, const void *, void *), void *ctx) {
    if (n < 2) return;
    size_t h = n / 2;
    msort(a, tmp, h, cmp, ctx);
    msort(a + h, tmp, n - h, cmp, ctx);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp(&a[j], &a[i], ctx) < 0 ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int view_make(const prova_lineage *g, view *v) {
    memset(v, 0, sizeof *v);
    v->g = g;
    size_t n = g->nnodes ? g->nnodes : 1, m = g->nedges ? g->nedges : 1;
    size_t big = n > m ? n : m;
    v->order = malloc(n * sizeof *v->order);
    v->rank = malloc(n * sizeof *v->rank);
    v->eorder = malloc(m * sizeof *v->eorder);
    size_t *tmp = malloc(big * sizeof *tmp);
    if (!v->order || !v->rank || !v->eorder || !tmp) {
        free(tmp);
        return PROVA_ENOMEM;
    }
    for (size_t i = 0; i < g->nnodes; i++) v->order[i] = i;
    msort(v->order, tmp, g->nnodes, cmp_node, g->nodes);
    for (size_t k = 0; k < g->nnodes; k++) v->rank[v->order[k]] = k;
    for (size_t i = 0; i < g->nedges; i++) v->eorder[i] = i;
    msort(v->eorder, tmp, g->nedges, cmp_edge, v);
    free(tmp);
    return 0;
}

static void view_free(view *v) {
    free(v->order);
    free(v->rank);
    free(v->eorder);
}

/* A node's attributes in key order. */
static void sorted_attrs(const lnode *x, const attr *ret[MAX_ATTRS]) {
    for (size_t k = 0; k < x->nattrs; k++) ret[k] = &x->attrs[k];
    for (size_t k = 1; k < x->nattrs; k++)
        for (size_t j = k; j > 0 && strcmp(ret[j - 1]->key, ret[j]->key) > 0; j--) {
            const attr *t = ret[j];
            ret[j] = ret[j - 1];
            ret[j - 1] = t;
        }
}

static void write_json(out *o, const view *v) {
    const prova_lineage *g = v->g;
    puts_(o, "{\"nodes\":[");
    for (size_t k = 0; k < g->nnodes && o->rc == 0; k++) {
        const lnode *x = &g->nodes[v->order[k]];
        puts_(o, k ? ",\n{\"id\":" : "\n{\"id\":");
        put_json(o, x->id);
        puts_(o, ",\"type\":");
        put_json(o, x->type);
        puts_(o, ",\"label\":");
        put_json(o, x->label);
        puts_(o, ",\"attrs\":{");
        const attr *as[MAX_ATTRS];
        sorted_attrs(x, as);
        for (size_t a = 0; a < x->nattrs; a++) {
            if (a) puts_(o, ",");
            put_json(o, as[a]->key);
            puts_(o, ":");
            put_json(o, as[a]->val);
        }
        puts_(o, "}}");
    }
    puts_(o, g->nnodes ? "\n],\"edges\":[" : "],\"edges\":[");
    for (size_t k = 0; k < g->nedges && o->rc == 0; k++) {
        const ledge *e = &g->edges[v->eorder[k]];
        puts_(o, k ? ",\n{\"from\":" : "\n{\"from\":");
        put_json(o, g->nodes[e->from].id);
        puts_(o, ",\"to\":");
        put_json(o, g->nodes[e->to].id);
        puts_(o, ",\"type\":");
        put_json(o, e->type);
        puts_(o, "}");
    }
    puts_(o, g->nedges ? "\n]}\n" : "]}\n");
}

static const char *dot_shape(const char *type) {
    if (strcmp(type, "cid") == 0) return "ellipse";
    if (strcmp(type, "trace") == 0 || strcmp(type, "chain") == 0) return "folder";
    if (strcmp(type, "cert") == 0) return "note";
    if (strcmp(type, "proof") == 0) return "component";
    return "box";
}

static void write_dot(out *o, const view *v) {
    const prova_lineage *g = v->g;
    char nid[64];
    /* Node names are the writer's own (n0, n1, ... in id order): a record's ids only appear inside quoted
       attribute values, escaped */
    puts_(o, "digraph lineage {\n  graph [rankdir=LR, label=\"prova lineage\", labelloc=t];\n  node [shape=box];\n");
    for (size_t k = 0; k < g->nnodes && o->rc == 0; k++) {
        const lnode *x = &g->nodes[v->order[k]];
        snprintf(nid, sizeof nid, "  n%zu [id=\"", k);
        puts_(o, nid);
        put_esc(o, LANG_DOT, x->id);
        puts_(o, "\", shape=");
        puts_(o, dot_shape(x->type));
        puts_(o, x->placeholder ? ", style=dashed" : "");
        puts_(o, ", label=\"");
        put_esc(o, LANG_DOT, x->label);
        puts_(o, "\", tooltip=\"");
        put_esc(o, LANG_DOT, x->id);
        puts_(o, "\"];\n");
    }
    for (size_t k = 0; k < g->nedges && o->rc == 0; k++) {
        const ledge *e = &g->edges[v->eorder[k]];
        char line[96];
        snprintf(line, sizeof line, "  n%zu -> n%zu [label=\"%s\"];\n", v->rank[e->from], v->rank[e->to], e->type);
        puts_(o, line);
    }
    puts_(o, "}\n");
}

/* The attribute names every node may have, for GraphML's key declarations (fixed: a record's member names never
   become XML names). */
static const char *const attr_keys[] = {
    "actor_id",   "artifact_ref", "artifact_type", "bundle_cid",  "chain_hash",        "chain_id",       "chain_type",
    "created_at", "event_hash",   "event_type",    "exported_at", "gateway_kid",       "hash_algorithm", "hop",
    "issued_at",  "outcome",      "payload_type",  "prev_hash",   "prev_receipt_hash", "receipt_hash",   "seq",
    "status",     "target_type",  "trace_id",      "ts"};

static void write_graphml(out *o, const view *v) {
    const prova_lineage *g = v->g;
    puts_(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
             "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
             "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
             "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
             "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
             "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
             "  <key id=\"placeholder\" for=\"node\" attr.name=\"placeholder\" attr.type=\"boolean\">"
             "<default>false</default></key>\n"
             "  <key id=\"etype\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n");
    for (size_t a = 0; a < sizeof attr_keys / sizeof *attr_keys; a++) {
        puts_(o, "  <key id=\"a_");
        puts_(o, attr_keys[a]);
        puts_(o, "\" for=\"node\" attr.name=\"");
        puts_(o, attr_keys[a]);
        puts_(o, "\" attr.type=\"string\"/>\n");
    }
    puts_(o, "  <graph id=\"lineage\" edgedefault=\"directed\">\n");
    for (size_t k = 0; k < g->nnodes && o->rc == 0; k++) {
        const lnode *x = &g->nodes[v->order[k]];
        puts_(o, "    <node id=\"");
        put_esc(o, LANG_XML, x->id);
        puts_(o, "\">\n      <data key=\"type\">");
        puts_(o, x->type);
        puts_(o, "</data>\n      <data key=\"label\">");
        put_esc(o, LANG_XML, x->label);
        puts_(o, "</data>\n");
        if (x->placeholder) puts_(o, "      <data key=\"placeholder\">true</data>\n");
        const attr *as[MAX_ATTRS];
        sorted_attrs(x, as);
        for (size_t a = 0; a < x->nattrs; a++) {
            puts_(o, "      <data key=\"a_");
            puts_(o, as[a]->key);
            puts_(o, "\">");
            put_esc(o, LANG_XML, as[a]->val);
            puts_(o, "</data>\n");
        }
        puts_(o, "    </node>\n");
    }
    for (size_t k = 0; k < g->nedges && o->rc == 0; k++) {
        const ledge *e = &g->edges[v->eorder[k]];
        puts_(o, "    <edge source=\"");
        put_esc(o, LANG_XML, g->nodes[e->from].id);
        puts_(o, "\" target=\"");
        put_esc(o, LANG_XML, g->nodes[e->to].id);
        puts_(o, "\"><data key=\"etype\">");
        puts_(o, e->type);
        puts_(o, "</data></edge>\n");
    }
    puts_(o, "  </graph>\n</graphml>\n");
}

static void write_mermaid(out *o, const view *v) {
    const prova_lineage *g = v->g;
    char nid[64];
    puts_(o, "---\ntitle: \"prova lineage\"\n---\nflowchart LR\n  classDef placeholder stroke-dasharray:4 4\n");
    for (size_t k = 0; k < g->nnodes && o->rc == 0; k++) {
        const lnode *x = &g->nodes[v->order[k]];
        bool cid = strcmp(x->type, "cid") == 0, store = strcmp(x->type, "trace") == 0 || strcmp(x->type, "chain") == 0;
        snprintf(nid, sizeof nid, "  n%zu", k);
        puts_(o, nid);
        /* every label starts with a fixed caption ("trace ", "cid ", ...): a value is never at the start of a line,
           where markdown would read it */
        puts_(o, cid ? "([\"" : store ? "[(\"" : "[\"");
        put_esc(o, LANG_MERMAID, x->label);
        puts_(o, cid ? "\"])\n" : store ? "\")]\n" : "\"]\n");
    }
    for (size_t k = 0; k < g->nedges && o->rc == 0; k++) {
        const ledge *e = &g->edges[v->eorder[k]];
        char line[96];
        snprintf(line, sizeof line, "  n%zu -->|\"%s\"| n%zu\n", v->rank[e->from], e->type, v->rank[e->to]);
        puts_(o, line);
    }
    for (size_t k = 0; k < g->nnodes && o->rc == 0; k++)
        if (g->nodes[v->order[k]].placeholder) {
            snprintf(nid, sizeof nid, "  class n%zu placeholder\n", k);
            puts_(o, nid);
        }
}

int prova_lineage_write(const prova_lineage *g, prova_lineage_format f, prova_buf *b, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!g || !b || (unsigned)f > PROVA_LINEAGE_MERMAID)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL graph or buffer, or an unknown format");
    view v;
    if (view_make(g, &v) < 0) {
        view_free(&v);
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    out o = {b, 0};
    size_t start = b->len;
    if (f == PROVA_LINEAGE_JSON)
        write_json(&o, &v);
    else if (f == PROVA_LINEAGE_DOT)
        write_dot(&o, &v);
    else if (f == PROVA_LINEAGE_GRAPHML)
        write_graphml(&o, &v);
    else
        write_mermaid(&o, &v);
    view_free(&v);
    if (o.rc) {
        b->len = start;
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    return 0;
}
