/* `prova verify --format dot|mermaid`: the document's lineage graph. One graph of nodes and edges is built from
 * the model (verify_view.h), then written in either language. Node ids are the writer's own (hop0, cid3, ev2,
 * chain, cert, status, next): a document's ids only ever appear in labels, escaped for the language, so no value
 * can end a string, open a port or a subgraph, or inject a statement. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "verify_view.h"

#define LABEL_MAX_CHARS 48 /* a value longer than this many characters is cut, with an ellipsis */
#define LABEL_LINES     5

typedef enum { N_HOP, N_CID, N_EVENT, N_CHAIN, N_CERT, N_STATUS, N_REF } node_kind;

typedef struct node {
    char id[24];
    node_kind kind;
    bool failed;
    const char *lines[LABEL_LINES][2]; /* a line is a fixed caption (lines[i][0]) and an optional value */
    size_t nlines;
    const char *cid; /* N_CID: the CID, for sharing one node between hops */
} node;

typedef struct edge {
    size_t from, to;
    const char *label;  /* fixed text, or NULL */
    const char *broken; /* a broken link: the reason code (drawn dashed, red, labelled) */
} edge;

typedef struct graph {
    node *nodes;
    size_t nnodes, capn;
    edge *edges;
    size_t nedges, cape;
    /* CID nodes by value: open addressing over node indexes + 1 */
    size_t *cids;
    size_t capc, ncid;
    int rc;
} graph;

static size_t add_node(graph *g, node_kind kind, const char *prefix, size_t n) {
    if (g->rc) return 0;
    if (g->nnodes == g->capn) {
        size_t cap = g->capn ? g->capn * 2 : 16;
        node *nn = realloc(g->nodes, cap * sizeof *nn);
        if (!nn) {
            g->rc = PROVA_ENOMEM;
            return 0;
        }
        g->nodes = nn;
        g->capn = cap;
    }
    node *x = &g->nodes[g->nnodes];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    if (n == (size_t)-1)
        snprintf(x->id, sizeof x->id, "%s", prefix);
    else
        snprintf(x->id, sizeof x->id, "%s%zu", prefix, n);
    return g->nnodes++;
}

static void line(graph *g, size_t i, const char *caption, const char *value) {
    if (g->rc) return;
    node *x = &g->nodes[i];
    if (x->nlines == LABEL_LINES) return;
    x->lines[x->nlines][0] = caption;
    x->lines[x->nlines][1] = value;
    x->nlines++;
}

static void add_edge(graph *g, size_t from, size_t to, const char *label, const char *broken) {
    if (g->rc) return;
    if (g->nedges == g->cape) {
        size_t cap = g->cape ? g->cape * 2 : 16;
        edge *ne = realloc(g->edges, cap * sizeof *ne);
        if (!ne) {
            g->rc = PROVA_ENOMEM;
            return;
        }
        g->edges = ne;
        g->cape = cap;
    }
    g->edges[g->nedges++] = (edge){from, to, label, broken};
}

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The node of a CID, made on first use: a CID that several hops name is one node. */
static size_t cid_node(graph *g, const char *cid) {
    if (g->rc) return 0;
    if (g->capc == 0 || (g->nnodes + 1) * 2 > g->capc) {
        size_t cap = g->capc ? g->capc * 2 : 64;
        while ((g->nnodes + 1) * 2 > cap) cap *= 2;
        size_t *nc = calloc(cap, sizeof *nc);
        if (!nc) {
            g->rc = PROVA_ENOMEM;
            return 0;
        }
        for (size_t i = 0; i < g->capc; i++) {
            if (!g->cids[i]) continue;
            size_t j = hash_str(g->nodes[g->cids[i] - 1].cid) & (cap - 1);
            while (nc[j]) j = (j + 1) & (cap - 1);
            nc[j] = g->cids[i];
        }
        free(g->cids);
        g->cids = nc;
        g->capc = cap;
    }
    size_t j = hash_str(cid) & (g->capc - 1);
    for (; g->cids[j]; j = (j + 1) & (g->capc - 1))
        if (strcmp(g->nodes[g->cids[j] - 1].cid, cid) == 0) return g->cids[j] - 1;
    size_t i = add_node(g, N_CID, "cid", g->ncid++);
    if (g->rc) return 0;
    g->nodes[i].cid = cid;
    line(g, i, "cid ", cid);
    g->cids[j] = i + 1;
    return i;
}

static void verdict_line(graph *g, size_t i, bool failed, const char *code) {
    g->nodes[i].failed = failed;
    line(g, i, failed ? "FAIL: " : "ok", failed ? code : NULL);
}

static void build_ope(graph *g, const vv_model *m) {
    size_t prev = 0, bundle = 0;
    if (m->bundle.present) {
        bundle = add_node(g, N_CHAIN, "bundle", (size_t)-1);
        if (g->rc) return;
        line(g, bundle, "bundle, trace ", m->trace_id);
        line(g, bundle, "kid ", m->bundle_kid);
        line(g, bundle, "cid ", m->bundle_cid);
        verdict_line(g, bundle, m->bundle.failed, m->bundle.fail_code);
    }
    for (size_t k = 0; k < m->nitems && !g->rc; k++) {
        const vv_item *it = &m->items[k];
        size_t h = add_node(g, N_HOP, m->shape == VV_OPE_ENVELOPE ? "envelope" : "hop", k);
        if (g->rc) return;
        if (m->shape == VV_OPE_ENVELOPE) {
            line(g, h, "envelope, trace ", it->trace_id);
            line(g, h, "kid ", it->kid);
        } else {
            line(g, h, "hop ", it->num ? it->num : "?");
            line(g, h, "kid ", it->kid);
        }
        verdict_line(g, h, it->failed, it->fail_code);
        if (k == 0 && m->bundle.present) add_edge(g, bundle, h, "first hop", NULL);
        if (k > 0) add_edge(g, prev, h, NULL, it->link_broken ? (it->link_code ? it->link_code : "broken") : NULL);
        if (it->cid_a && it->cid_b && strcmp(it->cid_a, it->cid_b) == 0) {
            add_edge(g, h, cid_node(g, it->cid_a), "request = normalized", NULL);
        } else {
            if (it->cid_a) {
                size_t c = cid_node(g, it->cid_a);
                add_edge(g, h, c, m->shape == VV_OPE_ENVELOPE ? "cid" : "request", NULL);
            }
            if (it->cid_b) {
                size_t c = cid_node(g, it->cid_b);
                add_edge(g, h, c, "normalized", NULL);
            }
        }
        prev = h;
    }
}

static void build_oe(graph *g, const vv_model *m) {
    size_t chain = 0, cert = 0;
    if (m->chain.present || m->chain_id) {
        chain = add_node(g, N_CHAIN, "chain", (size_t)-1);
        if (g->rc) return;
        line(g, chain, "chain ", m->chain_id ? m->chain_id : "(events)");
        line(g, chain, "status ", m->chain_status);
        line(g, chain, "hash ", m->hash_alg);
        verdict_line(g, chain, m->chain.failed, m->chain.fail_code);
    }
    size_t prev = 0;
    for (size_t k = 0; k < m->nitems && !g->rc; k++) {
        const vv_item *it = &m->items[k];
        size_t e = add_node(g, N_EVENT, "ev", k);
        if (g->rc) return;
        line(g, e, "seq ", it->num ? it->num : "?");
        line(g, e, "type ", it->type);
        line(g, e, "actor ", it->kid);
        verdict_line(g, e, it->failed, it->fail_code);
        if (k == 0 && (m->chain.present || m->chain_id)) add_edge(g, chain, e, "first event", NULL);
        if (k > 0) add_edge(g, prev, e, NULL, it->link_broken ? (it->link_code ? it->link_code : "broken") : NULL);
        prev = e;
    }
    if (m->cert.present) {
        cert = add_node(g, N_CERT, "cert", (size_t)-1);
        line(g, cert, "certificate ", m->cert_id);
        line(g, cert, "issued ", m->issued_at);
        line(g, cert, "artifact ", m->artifact_ref);
        verdict_line(g, cert, m->cert.failed, m->cert.fail_code);
        add_edge(g, chain, cert, "certified by", NULL);
    }
    if (m->stat.present) {
        size_t st = add_node(g, N_STATUS, "status", (size_t)-1);
        line(g, st, "status ", m->status);
        line(g, st, "since ", m->status_at);
        verdict_line(g, st, m->stat.failed, m->stat.fail_code);
        add_edge(g, m->cert.present ? cert : chain, st, "status", NULL);
        if (m->superseded_by) {
            size_t nx = add_node(g, N_REF, "next", (size_t)-1);
            line(g, nx, "certificate ", m->superseded_by);
            line(g, nx, "(not in this document)", NULL);
            add_edge(g, st, nx, "superseded by", NULL);
        }
    }
}

static void graph_free(graph *g) {
    free(g->nodes);
    free(g->edges);
    free(g->cids);
}

static int build(graph *g, const vv_model *m) {
    memset(g, 0, sizeof *g);
    if (m->shape == VV_OPE_ENVELOPE || m->shape == VV_OPE_RECEIPTS) build_ope(g, m);
    if (m->shape == VV_OE) build_oe(g, m);
    if (m->shape == VV_PROOF) {
        size_t p = add_node(g, N_HOP, "proof", (size_t)-1);
        if (!g->rc) {
            line(g, p, "proof record ", m->proof_id);
            line(g, p, "stated outcome ", m->verdict_outcome);
            verdict_line(g, p, m->nfailed > 0, m->nfailed ? prova_report_first_failure(m->rep)->code : NULL);
        }
    }
    return g->rc;
}

/* The graph's own label: the verdict, the kind, and how many failed checks no node shows. */
static int title(const vv_model *m, prova_buf *t) {
    const char *kind = prova_report_kind(m->rep);
    int rc = prova_buf_printf(t, "prova verify: %s, %s", vv_verdict(m), kind ? kind : "unknown");
    if (rc == 0 && m->wrapper && m->form) rc = prova_buf_printf(t, ", a %s inside", m->form);
    if (rc == 0 && m->nfailed) rc = prova_buf_printf(t, ", %zu failed check%s", m->nfailed, m->nfailed == 1 ? "" : "s");
    if (rc == 0 && m->nunplaced && m->shape != VV_PROOF)
        rc = prova_buf_printf(t, " (%zu about the whole document)", m->nunplaced);
    if (rc == 0) rc = prova_buf_append(t, "", 1); /* NUL-terminated */
    return rc < 0 ? PROVA_ENOMEM : 0;
}

/* ---- escaping ----------------------------------------------------------------------------------------------- */

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

typedef enum { LANG_DOT, LANG_MERMAID, LANG_YAML } lang;

/* One character (c, its UTF-8 bytes s[0..n)) of a value, escaped for the language. */
static void put_char(out *o, lang l, const char *s, size_t n) {
    unsigned char c = (unsigned char)s[0];
    if (c < 0x20 || c == 0x7f) {
        /* a control character (a newline inside an id) is shown as U+FFFD: never a line break or a DOT escape */
        puts_(o, "\xef\xbf\xbd");
        return;
    }
    if (l == LANG_DOT) {
        /* SPEC (graphviz.org/doc/info/lang.html): in a quoted string "the only escaped character is double-quote";
           in a label, backslash starts an escape sequence (\n, \l, \N, ...) and '&' an entity: both escaped so that
           what is drawn is the value. '<' and '>' are plain text in a quoted (not HTML) label. */
        if (c == '"')
            puts_(o, "\\\"");
        else if (c == '\\')
            puts_(o, "\\\\");
        else if (c == '&')
            puts_(o, "&amp;");
        else
            put(o, s, n);
    } else if (l == LANG_MERMAID) {
        /* SPEC (mermaid.js.org/syntax/flowchart.html, "Entity codes to escape characters"): "#" + a number + ";"
           is the character with that code. Inside "..." '"' would end the text and '#' start an entity; the
           renderer reads '<' '>' '&' as HTML, and a label as markdown ("*a*" loses its stars, "\\#" its backslash,
           "$$" starts math), which entity codes escape. So every ASCII punctuation character but . : / , - @ = +
           is written as its code; those few are markdown only at the start of a line, where a label line never
           has a value (every line starts with a fixed caption). */
        if (c < 0x80 && ispunct(c) && !strchr(".:/,-@=+", c)) {
            char ent[8];
            snprintf(ent, sizeof ent, "#%u;", c);
            puts_(o, ent);
        } else {
            put(o, s, n);
        }
    } else {
        /* a YAML double-quoted scalar */
        if (c == '"' || c == '\\') put(o, "\\", 1);
        put(o, s, n);
    }
}

static size_t utf8_len(unsigned char c) {
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* A value, escaped, cut at LABEL_MAX_CHARS characters with an ellipsis when cut is true. */
static void put_value(out *o, lang l, const char *s, bool cut) {
    size_t chars = 0;
    for (const char *p = s; *p;) {
        size_t n = utf8_len((unsigned char)*p);
        for (size_t k = 1; k < n; k++)
            if (!p[k]) n = k; /* never read past the end (the parser admits only valid UTF-8) */
        if (cut && ++chars > LABEL_MAX_CHARS) {
            puts_(o, "\xe2\x80\xa6");
            return;
        }
        put_char(o, l, p, n);
        p += n;
    }
}

/* A node's label: its lines, each "caption value", separated by the language's line break. */
static void put_label(out *o, lang l, const node *x) {
    for (size_t i = 0; i < x->nlines; i++) {
        /* DOT: the escape \n (a centred line); mermaid: a newline inside the quoted text. Not mermaid's <br>: a
           label that holds one is read as markdown after its entity codes are decoded, so "*a*" would lose its
           stars and "\#" its backslash */
        if (i) puts_(o, l == LANG_DOT ? "\\n" : "\n");
        if (x->lines[i][0]) put_value(o, l, x->lines[i][0], false);
        if (x->lines[i][1])
            put_value(o, l, x->lines[i][1], true);
        else if (!x->lines[i][0])
            puts_(o, "?");
    }
}

/* ---- DOT --------------------------------------------------------------------------------------------------- */

static const char *dot_shape(node_kind k) {
    switch (k) {
    case N_CID:
        return "ellipse";
    case N_CHAIN:
        return "folder";
    case N_CERT:
        return "note";
    case N_STATUS:
        return "octagon";
    case N_REF:
        return "box\", style=\"dashed";
    default:
        return "box";
    }
}

int vv_write_dot(const vv_model *m, prova_buf *b) {
    graph g;
    prova_buf t = PROVA_BUF_INIT;
    out o = {b, 0};
    size_t start = b->len;
    o.rc = build(&g, m);
    if (o.rc == 0) o.rc = title(m, &t);
    puts_(&o, "digraph prova {\n  graph [rankdir=LR, labelloc=t, label=\"");
    if (o.rc == 0) put_value(&o, LANG_DOT, (const char *)t.data, false);
    puts_(&o, "\"];\n  node [shape=box];\n");
    for (size_t i = 0; i < g.nnodes && o.rc == 0; i++) {
        const node *x = &g.nodes[i];
        puts_(&o, "  \"");
        puts_(&o, x->id);
        puts_(&o, "\" [shape=\"");
        puts_(&o, dot_shape(x->kind));
        puts_(&o, "\", label=\"");
        put_label(&o, LANG_DOT, x);
        puts_(&o, x->failed ? "\", color=\"#a4001d\", penwidth=3, style=\"filled,bold\", fillcolor=\"#fde7ea\"];\n"
                            : "\"];\n");
    }
    for (size_t i = 0; i < g.nedges && o.rc == 0; i++) {
        const edge *e = &g.edges[i];
        puts_(&o, "  \"");
        puts_(&o, g.nodes[e->from].id);
        puts_(&o, "\" -> \"");
        puts_(&o, g.nodes[e->to].id);
        puts_(&o, "\"");
        if (e->broken) {
            puts_(&o, " [style=dashed, color=\"#a4001d\", fontcolor=\"#a4001d\", penwidth=2, label=\"broken link: ");
            put_value(&o, LANG_DOT, e->broken, true);
            puts_(&o, "\"]");
        } else if (e->label) {
            puts_(&o, " [label=\"");
            put_value(&o, LANG_DOT, e->label, false);
            puts_(&o, "\"]");
        }
        puts_(&o, ";\n");
    }
    puts_(&o, "}\n");
    prova_buf_free(&t);
    graph_free(&g);
    if (o.rc) b->len = start;
    return o.rc;
}

/* ---- mermaid ----------------------------------------------------------------------------------------------- */

static void mermaid_node(out *o, const node *x) {
    static const char *const open[] = {"[\"", "([\"", "[\"", "[/\"", "[\"", "{{\"", "[\""};
    static const char *const close[] = {"\"]", "\"])", "\"]", "\"/]", "\"]", "\"}}", "\"]"};
    puts_(o, "  ");
    puts_(o, x->id);
    puts_(o, open[x->kind]);
    put_label(o, LANG_MERMAID, x);
    puts_(o, close[x->kind]);
    puts_(o, "\n");
}

int vv_write_mermaid(const vv_model *m, prova_buf *b) {
    graph g;
    prova_buf t = PROVA_BUF_INIT;
    out o = {b, 0};
    size_t start = b->len;
    o.rc = build(&g, m);
    if (o.rc == 0) o.rc = title(m, &t);
    /* SPEC (mermaid.js.org/config/configuration.html, "Frontmatter config"): a YAML block before the diagram; its
       title is drawn above the flowchart */
    puts_(&o, "---\ntitle: \"");
    if (o.rc == 0) put_value(&o, LANG_YAML, (const char *)t.data, false);
    puts_(&o, "\"\n---\nflowchart LR\n");
    puts_(&o, "  classDef fail fill:#fde7ea,stroke:#a4001d,stroke-width:3px,color:#5c0010\n");
    puts_(&o, "  classDef ref stroke-dasharray:4 4\n");
    for (size_t i = 0; i < g.nnodes && o.rc == 0; i++) mermaid_node(&o, &g.nodes[i]);
    for (size_t i = 0; i < g.nedges && o.rc == 0; i++) {
        const edge *e = &g.edges[i];
        puts_(&o, "  ");
        puts_(&o, g.nodes[e->from].id);
        if (e->broken) {
            puts_(&o, " -.->|\"broken link: ");
            put_value(&o, LANG_MERMAID, e->broken, true);
            puts_(&o, "\"| ");
        } else if (e->label) {
            puts_(&o, " -->|\"");
            put_value(&o, LANG_MERMAID, e->label, false);
            puts_(&o, "\"| ");
        } else {
            puts_(&o, " --> ");
        }
        puts_(&o, g.nodes[e->to].id);
        puts_(&o, "\n");
    }
    for (size_t i = 0; i < g.nnodes && o.rc == 0; i++) {
        if (g.nodes[i].failed) {
            puts_(&o, "  class ");
            puts_(&o, g.nodes[i].id);
            puts_(&o, " fail\n");
        } else if (g.nodes[i].kind == N_REF) {
            puts_(&o, "  class ");
            puts_(&o, g.nodes[i].id);
            puts_(&o, " ref\n");
        }
    }
    for (size_t i = 0; i < g.nedges && o.rc == 0; i++) {
        if (!g.edges[i].broken) continue;
        if (prova_buf_printf(b, "  linkStyle %zu stroke:#a4001d,stroke-width:2px\n", i) < 0) o.rc = PROVA_ENOMEM;
    }
    prova_buf_free(&t);
    graph_free(&g);
    if (o.rc) b->len = start;
    return o.rc;
}
