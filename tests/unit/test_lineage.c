/* Unit tests for the lineage graph (src/lib/interop/lineage.c, docs/lineage.md): the C API's arguments and reason
 * codes, merging, order independence, and each writer's escaping of a hostile trace id (a quote, '<', '&', a
 * backslash, a newline). The expected JSON is written out by hand from docs/lineage.md's rules (ids sorted bytewise,
 * edges by (from, to, type), attrs in key order, a newline kept in JSON as \n). The black-box test with real readers
 * (Graphviz, networkx, mermaid) is tests/cli/test_lineage_cli.py. Prints "N passed, M failed" last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/json.h"
#include "prova/lineage.h"

#define T "t\\\"<&\\\\\\n" /* the JSON text of the trace id t"<&\<newline> */
static const char CHAIN[] = "[{\"trace_id\":\"" T "\",\"hop\":0,\"receipt_hash\":\"h0\",\"request_cid\":\"c1\","
                            "\"normalized_cid\":\"c2\"},{\"trace_id\":\"" T "\",\"hop\":1,\"receipt_hash\":\"h1\","
                            "\"prev_receipt_hash\":\"h0\",\"request_cid\":\"c2\",\"normalized_cid\":\"c2\"}]";
static const char REVERSED[] =
    "[{\"trace_id\":\"" T "\",\"hop\":1,\"receipt_hash\":\"h1\",\"prev_receipt_hash\":"
    "\"h0\",\"request_cid\":\"c2\",\"normalized_cid\":\"c2\"},{\"trace_id\":\"" T
    "\",\"hop\":0,\"receipt_hash\":\"h0\",\"request_cid\":\"c1\",\"normalized_cid\":\"c2\"}]";
static const char WANT_JSON[] =
    "{\"nodes\":[\n"
    "{\"id\":\"cid:c1\",\"type\":\"cid\",\"label\":\"cid c1\",\"attrs\":{}},\n"
    "{\"id\":\"cid:c2\",\"type\":\"cid\",\"label\":\"cid c2\",\"attrs\":{}},\n"
    "{\"id\":\"hop:" T "/0\",\"type\":\"hop\",\"label\":\"hop 0\",\"attrs\":{\"hop\":\"0\",\"receipt_hash\":\"h0\","
    "\"trace_id\":\"" T "\"}},\n"
    "{\"id\":\"hop:" T "/1\",\"type\":\"hop\",\"label\":\"hop 1\",\"attrs\":{\"hop\":\"1\",\"prev_receipt_hash\":"
    "\"h0\",\"receipt_hash\":\"h1\",\"trace_id\":\"" T "\"}},\n"
    "{\"id\":\"trace:" T "\",\"type\":\"trace\",\"label\":\"trace " T "\",\"attrs\":{}}\n"
    "],\"edges\":[\n"
    "{\"from\":\"hop:" T "/0\",\"to\":\"cid:c1\",\"type\":\"request\"},\n"
    "{\"from\":\"hop:" T "/0\",\"to\":\"cid:c2\",\"type\":\"normalized\"},\n"
    "{\"from\":\"hop:" T "/0\",\"to\":\"trace:" T "\",\"type\":\"hop_of\"},\n"
    "{\"from\":\"hop:" T "/1\",\"to\":\"cid:c2\",\"type\":\"normalized\"},\n"
    "{\"from\":\"hop:" T "/1\",\"to\":\"cid:c2\",\"type\":\"request\"},\n"
    "{\"from\":\"hop:" T "/1\",\"to\":\"hop:" T "/0\",\"type\":\"prev\"},\n"
    "{\"from\":\"hop:" T "/1\",\"to\":\"trace:" T "\",\"type\":\"hop_of\"}\n"
    "]}\n";

static prova_lineage *graph_of(const char *const *docs, size_t n) {
    prova_lineage *g = NULL;
    if (prova_lineage_new(&g) < 0) return NULL;
    for (size_t i = 0; i < n; i++) {
        prova_doc *d = NULL;
        prova_error e;
        if (prova_json_parse(docs[i], strlen(docs[i]), NULL, &d, &e) < 0 ||
            prova_lineage_add(g, prova_doc_root(d), &e) < 0) {
            fprintf(stderr, "graph_of: %s at %s\n", e.reason, e.pointer);
            prova_doc_free(d);
            return prova_lineage_free(g);
        }
        prova_doc_free(d);
    }
    return g;
}

static char *write_str(const prova_lineage *g, prova_lineage_format f) {
    prova_buf b = PROVA_BUF_INIT;
    if (prova_lineage_write(g, f, &b, NULL) < 0 || prova_buf_append(&b, "", 1) < 0) {
        prova_buf_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

/* An add that must fail with reason (and pointer). */
static void refused(const char *doc, const char *reason, const char *pointer) {
    prova_lineage *g = NULL;
    prova_doc *d = NULL;
    prova_error e;
    CHECK(prova_lineage_new(&g) == 0);
    CHECK(prova_json_parse(doc, strlen(doc), NULL, &d, &e) == 0);
    int rc = prova_lineage_add(g, prova_doc_root(d), &e);
    CHECK_MSG(rc == PROVA_EINVAL && strcmp(e.reason, reason) == 0 && strcmp(e.pointer, pointer) == 0,
              "%s: rc %d reason %s pointer %s", doc, rc, e.reason, e.pointer);
    prova_doc_free(d);
    prova_lineage_free(g);
}

int main(void) {
    /* formats */
    prova_lineage_format f;
    CHECK(prova_lineage_format_lookup("graphml", &f) == 0 && f == PROVA_LINEAGE_GRAPHML);
    CHECK(prova_lineage_format_lookup("svg", &f) == PROVA_EUNSUPPORTED && f == PROVA_LINEAGE_GRAPHML);
    CHECK(prova_lineage_format_lookup(NULL, &f) == PROVA_EUNSUPPORTED);
    CHECK_STR(prova_lineage_format_name(PROVA_LINEAGE_MERMAID), "mermaid");
    CHECK(prova_lineage_format_name((prova_lineage_format)9) == NULL);
    CHECK_STR(prova_lineage_content_type(PROVA_LINEAGE_JSON), "application/json");
    CHECK_STR(prova_lineage_content_type(PROVA_LINEAGE_DOT), "text/vnd.graphviz; charset=utf-8");

    /* arguments */
    prova_error e;
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_lineage_new(NULL) == PROVA_EINVAL);
    CHECK(prova_lineage_free(NULL) == NULL);
    CHECK(prova_lineage_add(NULL, NULL, &e) == PROVA_EINVAL && strcmp(e.reason, "invalid_argument") == 0);
    CHECK(prova_lineage_write(NULL, PROVA_LINEAGE_JSON, &b, &e) == PROVA_EINVAL);
    CHECK(prova_lineage_node_count(NULL) == 0 && prova_lineage_edge_count(NULL) == 0);

    /* an empty graph */
    prova_lineage *g = graph_of(NULL, 0);
    char *s = write_str(g, PROVA_LINEAGE_JSON);
    CHECK(s && strcmp(s, "{\"nodes\":[],\"edges\":[]}\n") == 0);
    free(s);
    CHECK(prova_lineage_write(g, (prova_lineage_format)7, &b, &e) == PROVA_EINVAL && b.len == 0);
    prova_lineage_free(g);

    /* the chain, in order and reversed: the same bytes */
    const char *docs[] = {CHAIN};
    const char *rdocs[] = {REVERSED};
    g = graph_of(docs, 1);
    prova_lineage *r = graph_of(rdocs, 1);
    CHECK(g && r);
    if (!g || !r) TEST_SUMMARY();
    CHECK(prova_lineage_node_count(g) == 5 && prova_lineage_edge_count(g) == 7);
    CHECK(prova_lineage_node_count(r) == 5 && prova_lineage_edge_count(r) == 7);
    for (int k = 0; k < 4; k++) {
        char *a = write_str(g, (prova_lineage_format)k), *c = write_str(r, (prova_lineage_format)k);
        CHECK_MSG(a && c && strcmp(a, c) == 0, "format %d: in order and reversed differ", k);
        if (k == PROVA_LINEAGE_JSON) CHECK_MSG(a && strcmp(a, WANT_JSON) == 0, "json:\n%s", a ? a : "(null)");
        if (k == PROVA_LINEAGE_DOT) {
            /* DOT: '"' and '\' escaped, '&' an entity, the newline U+FFFD; node names are the writer's */
            CHECK(a && strstr(a, "n4 [id=\"trace:t\\\"<&amp;\\\\\xef\xbf\xbd\", shape=folder"));
            CHECK(a && strstr(a, "n3 -> n2 [label=\"prev\"];\n"));
        }
        if (k == PROVA_LINEAGE_GRAPHML) {
            CHECK(a && strstr(a, "<node id=\"trace:t&quot;&lt;&amp;\\\xef\xbf\xbd\">"));
            CHECK(a && !strstr(a, "\\\n")); /* the id's newline is not written raw */
        }
        if (k == PROVA_LINEAGE_MERMAID) CHECK(a && strstr(a, "n4[(\"trace t#34;#60;#38;#92;\xef\xbf\xbd\")]\n"));
        free(a);
        free(c);
    }
    /* adding the same records again changes nothing */
    prova_doc *d = NULL;
    CHECK(prova_json_parse(CHAIN, strlen(CHAIN), NULL, &d, &e) == 0);
    CHECK(prova_lineage_add(g, prova_doc_root(d), &e) == 0);
    CHECK(prova_lineage_node_count(g) == 5 && prova_lineage_edge_count(g) == 7);
    prova_doc_free(d);
    prova_lineage_free(g);
    prova_lineage_free(r);

    /* a certificate superseded by one not among the records: a placeholder, which its own record fills */
    const char *ob1 = "{\"certificate_id\":\"x1\",\"certificate\":{\"issued_at\":\"i\"},\"status\":{\"status\":"
                      "\"superseded\",\"superseded_by\":\"x2\"},\"chain\":{\"id\":\"c\",\"hash_algorithm\":\"sha256\","
                      "\"events\":[]}}";
    const char *ob2 = "{\"certificate_id\":\"x2\",\"certificate\":{\"issued_at\":\"j\"},\"chain\":{\"id\":\"c\","
                      "\"hash_algorithm\":\"sha256\",\"events\":[]}}";
    const char *one[] = {ob1}, *both[] = {ob2, ob1};
    g = graph_of(one, 1);
    s = g ? write_str(g, PROVA_LINEAGE_JSON) : NULL;
    CHECK(s && strstr(s, "{\"id\":\"cert:x2\",\"type\":\"cert\",\"label\":\"certificate x2\",\"attrs\":{}}"));
    CHECK(s && strstr(s, "{\"from\":\"cert:x2\",\"to\":\"cert:x1\",\"type\":\"supersedes\"}"));
    free(s);
    char *gm = g ? write_str(g, PROVA_LINEAGE_GRAPHML) : NULL;
    CHECK(gm && strstr(gm, "<node id=\"cert:x2\">\n      <data key=\"type\">cert</data>\n      <data key=\"label\">"
                           "certificate x2</data>\n      <data key=\"placeholder\">true</data>"));
    free(gm);
    prova_lineage_free(g);
    g = graph_of(both, 2);
    s = g ? write_str(g, PROVA_LINEAGE_JSON) : NULL;
    CHECK(s && strstr(s, "{\"id\":\"cert:x2\",\"type\":\"cert\",\"label\":\"certificate x2\",\"attrs\":{\"issued_at\""
                         ":\"j\"}}"));
    CHECK(s && strstr(s, "{\"from\":\"cert:x2\",\"to\":\"chain:c\",\"type\":\"certifies\"}"));
    free(s);
    prova_lineage_free(g);

    /* refusals */
    refused("{\"hello\":1}", "lineage_unknown_document", "");
    refused("[1,2]", "lineage_unknown_document", "");
    refused("[]", "lineage_unknown_document", "");
    refused("\"x\"", "lineage_unknown_document", "");
    refused("{\"receipt_hash\":\"h\",\"hop\":\"1\",\"trace_id\":\"t\"}", "lineage_field_invalid", "/hop");
    refused("{\"receipt_hash\":\"h\",\"hop\":1,\"trace_id\":\"\"}", "lineage_field_invalid", "/trace_id");
    refused("{\"bundle_cid\":\"b\",\"receipts\":[{\"receipt_hash\":\"h\",\"hop\":1.5}],\"trace_id\":\"t\"}",
            "lineage_field_invalid", "/receipts/0/hop");
    refused("{\"events\":[{\"seq\":\"1\"}],\"hash_algorithm\":\"sha256\",\"id\":\"c\"}", "lineage_field_invalid",
            "/events/0/seq");
    refused("{\"payload\":[1],\"trace_id\":\"t\"}", "lineage_field_invalid", "/cid");
    TEST_SUMMARY();
}
