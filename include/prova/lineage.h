/* prova/lineage.h — one lineage graph over many records: OPE traces → hops → payload CIDs, OpenExecution chains →
 * events → certificates, and the links between them (a CID named by several traces is one node; a certificate that
 * supersedes another is linked to it). Written as JSON, Graphviz DOT, GraphML or a mermaid flowchart.
 * The graph's schema, every node and edge type and each format: docs/lineage.md.
 *
 * Node ids (stable: the same records give the same ids in every format and every run):
 *   trace:<trace_id>   hop:<trace_id>/<hop>   cid:<cid>   chain:<chain id>   event:<chain id>/<seq>
 *   cert:<certificate_id>   proof:<proof_id>
 * Edge types (read "FROM type TO"): hop_of (hop → trace), prev (hop → the hop whose receipt_hash is its
 * prev_receipt_hash; event → the event whose event_hash is its prev_hash), request and normalized (hop → cid),
 * payload (trace → the cid of an envelope of the trace), event_of (event → chain), certifies (cert → chain),
 * supersedes (cert → the cert whose status names it in superseded_by).
 *
 * Records are added one by one (prova_lineage_add) and merged: a node met twice is one node (its attributes are the
 * union; of two different values of one attribute the bytewise smallest is kept), an edge met twice is one edge, a
 * prev link waits for the record it names. The writers sort nodes by id and edges by (from, to, type) (bytewise):
 * the output depends on the set of records, never on their order.
 *
 * Example:
 *     prova_lineage *g;
 *     if (prova_lineage_new(&g) < 0) return;
 *     for (each parsed record) if (prova_lineage_add(g, prova_doc_root(doc), &err) < 0) report(err.reason);
 *     prova_buf out = PROVA_BUF_INIT;
 *     if (prova_lineage_write(g, PROVA_LINEAGE_DOT, &out, &err) == 0) fwrite(out.data, 1, out.len, stdout);
 *     prova_lineage_free(g);
 */
#ifndef PROVA_LINEAGE_H
#define PROVA_LINEAGE_H

#include "common.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum prova_lineage_format {
    PROVA_LINEAGE_JSON = 0, /* {"nodes":[{id,type,label,attrs}],"edges":[{from,to,type}]} */
    PROVA_LINEAGE_DOT,      /* a Graphviz digraph */
    PROVA_LINEAGE_GRAPHML,  /* GraphML 1.0 (keys: type, label, one per attribute name; edge type) */
    PROVA_LINEAGE_MERMAID,  /* a mermaid flowchart */
} prova_lineage_format;

/* "json", "dot", "graphml", "mermaid" <-> enum. Lookup: 0 or PROVA_EUNSUPPORTED (ret untouched). Name and content
 * type: NULL for a value outside the enum. Content types: application/json, text/vnd.graphviz,
 * application/graphml+xml, text/vnd.mermaid (each "; charset=utf-8" but JSON's). */
PROVA_EXPORT PROVA_NODISCARD int prova_lineage_format_lookup(const char *name, prova_lineage_format *ret);
PROVA_EXPORT const char *prova_lineage_format_name(prova_lineage_format f);
PROVA_EXPORT const char *prova_lineage_content_type(prova_lineage_format f);

typedef struct prova_lineage prova_lineage;

/* A new, empty graph. 0, PROVA_EINVAL (NULL ret), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_lineage_new(prova_lineage **ret);
/* Frees the graph (NULL is fine); returns NULL. */
PROVA_EXPORT prova_lineage *prova_lineage_free(prova_lineage *g);

/* Adds one record (the root of a parsed document; the graph copies what it keeps, the document may be freed
 * after): an OPE envelope, receipt, receipt chain (JSON array), bundle (starter, ope-lib, flat); an OpenExecution
 * event, events (JSON array), chain record, certificate bundle; an Ophamin proof record (a lone node). A JSON Lines
 * file is added line by line. On failure the graph may hold part of the record: free it.
 * Errors (reterr->reason, reterr->pointer into the record where it applies): PROVA_EINVAL "invalid_argument",
 * "lineage_unknown_document" (none of those), "lineage_field_invalid" (a member an id is made of is absent or not
 * a non-empty string / integer: a trace_id, a hop, a chain id, a seq, a certificate_id, ...); PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_lineage_add(prova_lineage *g, const prova_json *record, prova_error *reterr);

/* The number of nodes and edges so far (after merging). */
PROVA_EXPORT size_t prova_lineage_node_count(const prova_lineage *g);
PROVA_EXPORT size_t prova_lineage_edge_count(const prova_lineage *g);

/* Appends the graph in format f to out (UTF-8; every value escaped for the language: docs/lineage.md). On failure
 * out->len is restored. 0, PROVA_EINVAL "invalid_argument" (NULL, a format outside the enum), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_lineage_write(const prova_lineage *g, prova_lineage_format f, prova_buf *out,
                                                     prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_LINEAGE_H */
