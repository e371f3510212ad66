/* `prova verify --format html|dot|mermaid`: a small model of what was verified (the document's structure, read
 * from the parsed document, and which part of it each failed check is about, read from the report's pointers),
 * and its three writers. The model borrows every string from the parsed document(s) and the report; the writers
 * append to a buffer and never print. docs/cli.md ("prova verify --format"). */
#ifndef PROVA_CLI_VERIFY_VIEW_H
#define PROVA_CLI_VERIFY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prova/common.h"
#include "prova/json.h"
#include "prova/report.h"

/* What the document is, for drawing it. */
typedef enum vv_shape {
    VV_NONE = 0,     /* nothing to draw: not a document prova knows, or a shape the view does not draw */
    VV_OPE_ENVELOPE, /* one envelope: one node */
    VV_OPE_RECEIPTS, /* one receipt, a receipt chain (array or JSON Lines) or a bundle's receipts: one node a hop */
    VV_OE,           /* an OpenExecution bundle, chain record or events */
    VV_PROOF,        /* an Ophamin proof record */
} vv_shape;

/* One OPE hop (a receipt, or the envelope), or one OpenExecution event. Strings are NULL when absent. */
typedef struct vv_item {
    char ptr[48];          /* the item's JSON Pointer in the verified document: "/bundle/receipts/3", "/2", "" */
    const char *num;       /* hop (OPE) or seq (OE) as its JSON token */
    const char *ts;        /* ts (OPE) or created_at (OE) */
    const char *kid;       /* gateway_kid (OPE receipt) or kid (envelope); actor_id (OE) */
    const char *type;      /* OE event_type; OPE envelope payload_type */
    const char *cid_a;     /* OPE request_cid, or the envelope's cid */
    const char *cid_b;     /* OPE normalized_cid */
    const char *hash;      /* receipt_hash / event_hash */
    const char *prev;      /* prev_receipt_hash / prev_hash; NULL also for JSON null */
    const char *trace_id;  /* OPE trace_id */
    bool failed;           /* a failed check points at this item or inside it */
    const char *fail_code; /* the first such check's reason code */
    bool link_broken;      /* its link to the item before it does not hold (a failed check on prev, or the hashes) */
    const char *link_code; /* the reason code of that failed check, or NULL */
} vv_item;

/* A part of an OpenExecution document other than its events, or the document as a whole. */
typedef struct vv_part {
    bool present;
    bool failed;
    const char *fail_code;
    char ptr[24]; /* "/certificate", "/status", "/chain", "" */
} vv_part;

typedef struct vv_model {
    const prova_report *rep;
    const char *file; /* the input's name as given ("-" for stdin) */
    const char *now;  /* --now as given, or NULL: the view never reads the clock */
    vv_shape shape;
    const char *wrapper; /* "cloudevent", "dsse_envelope": the document drawn is the one inside; else NULL */
    /* OPE */
    const char *form;        /* "bundle (starter)", "bundle (ope-lib)", "bundle (flat)", "receipt chain", ... */
    const char *trace_id;    /* the bundle's or the first item's */
    const char *bundle_cid;  /* bundles */
    const char *exported_at; /* bundles */
    const char *bundle_kid;  /* bundles: the exporting gateway's kid */
    /* OpenExecution */
    const char *chain_id, *chain_type, *chain_status, *hash_alg, *chain_hash;
    const char *cert_id, *issued_at, *artifact_type, *artifact_ref;
    const char *status, *status_at, *superseded_by, *status_reason;
    vv_part chain, cert, stat;
    vv_part bundle; /* an OPE bundle: its own members (bundle_cid, signature, count, ...) */
    /* proof record */
    const char *proof_id, *created_at, *verdict_outcome;
    /* hops or events, in document order */
    vv_item *items;
    size_t nitems, capitems;
    size_t nfailed;   /* failed checks */
    size_t nunplaced; /* failed checks whose pointer names no node of the graph */
    /* owned */
    prova_doc **docs;
    size_t ndocs, capdocs;
    prova_buf inner;       /* a wrapper's inner document */
    prova_doc *report_doc; /* the report's JSON (keys, unauthenticated_fields) */
} vv_model;

/* Builds the model of data (the bytes that were verified) and rep. Never fails on a document it cannot read (the
 * shape is then VV_NONE and only the report is shown). 0 or PROVA_ENOMEM. Free with vv_model_free. */
int vv_model_build(const uint8_t *data, size_t len, const prova_report *rep, const char *file, const char *now,
                   vv_model *ret);
void vv_model_free(vv_model *m);

/* The report's keys ([{kid, source}]) and unauthenticated fields, from its JSON form; NULL when none. */
const prova_json *vv_report_member(const vv_model *m, const char *name);

/* The writers: one self-contained HTML5 page; a Graphviz digraph; a mermaid flowchart. 0 or PROVA_ENOMEM. */
int vv_write_html(const vv_model *m, prova_buf *out);
int vv_write_dot(const vv_model *m, prova_buf *out);
int vv_write_mermaid(const vv_model *m, prova_buf *out);

/* True for the values of `prova verify --format`: text, json, html, dot, mermaid. */
bool vv_format_known(const char *format);

/* Prints the view of a verification (format "html", "dot" or "mermaid") of data, as cli_print_report prints the
 * report (cli.h), and returns the same exit code: 0 valid, 1 invalid, 2 not JSON / not a known kind. */
int vv_print(const char *file, const char *now, const char *format, int status, const prova_report *rep,
             const prova_error *err, const uint8_t *data, size_t len);

/* The verdict in one word: "VALID" or "INVALID". */
const char *vv_verdict(const vv_model *m);

#endif
