/* The lineage graph of what the store holds (GET /v1/lineage, docs/lineage.md "Over HTTP"): a trace's receipts, a
 * chain with its events and every certificate of the chain (their status blocks link superseding ones), merged by
 * the library's model (prova/lineage.h) and written in the format asked for. Reads through the operations that
 * already exist (app_ope_chain, app_oe_chain_get, app_browse_certificates, app_oe_bundle), each result taken from
 * the call before the next runs. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "prova/lineage.h"

/* Takes the call's result body (when the operation succeeded) and adds it to g. True when the call has not failed. */
static bool take_and_add(app_call *c, prova_lineage *g, prova_buf *keep) {
    if (app_call_failed(c)) return false;
    prova_buf_free(keep);
    *keep = c->res.body;
    c->res.body = (prova_buf)PROVA_BUF_INIT;
    c->res.status = 0;
    prova_doc *d = NULL;
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    prova_error e;
    int rc = prova_json_parse(keep->data, keep->len, &po, &d, &e);
    if (rc == 0) rc = prova_lineage_add(g, prova_doc_root(d), &e);
    prova_doc_free(d);
    if (rc == PROVA_ENOMEM)
        app_fail_status(c, rc);
    else if (rc < 0)
        app_fail(c, APP_E_INTERNAL, "store_corrupt", "a stored record cannot be drawn: %s", e.reason);
    return !app_call_failed(c);
}

int app_lineage(app_call *c, const char *trace_id, const char *chain_id, const char *format) {
    prova_lineage_format f = PROVA_LINEAGE_JSON;
    if (format && prova_lineage_format_lookup(format, &f) < 0)
        return app_fail(c, APP_E_INPUT, "invalid_format", "format must be json, dot, graphml or mermaid");
    if ((!trace_id || !*trace_id) && (!chain_id || !*chain_id))
        return app_fail(c, APP_E_INPUT, "missing_parameter", "give trace_id, chain_id or both");
    prova_lineage *g = NULL;
    if (prova_lineage_new(&g) < 0) return app_fail_status(c, PROVA_ENOMEM);
    prova_buf body = PROVA_BUF_INIT, certs = PROVA_BUF_INIT;
    prova_doc *list = NULL;
    bool ok = true;
    if (trace_id && *trace_id) {
        app_ope_chain(c, trace_id);
        if (!app_call_failed(c) && c->res.body.len <= 2) /* "[]": no receipts */
            app_fail(c, APP_E_NOT_FOUND, "trace_not_found", "no receipts for trace %.128s", trace_id);
        ok = take_and_add(c, g, &body);
    }
    if (ok && chain_id && *chain_id) {
        app_oe_chain_get(c, chain_id);
        ok = take_and_add(c, g, &body);
        /* every certificate of the chain, newest first, up to the listing's page limit */
        app_browse_query q = {0};
        char limit[16];
        snprintf(limit, sizeof limit, "%d", APP_BROWSE_LIMIT_MAX);
        q.limit = limit;
        q.chain_id = chain_id;
        if (ok) app_browse_certificates(c, &q);
        if (ok && !app_call_failed(c)) {
            certs = c->res.body;
            c->res.body = (prova_buf)PROVA_BUF_INIT;
            c->res.status = 0;
            if (prova_json_parse(certs.data, certs.len, NULL, &list, NULL) < 0) app_fail_status(c, PROVA_ENOMEM);
        }
        ok = !app_call_failed(c);
        const prova_json *items = prova_json_get(prova_doc_root(list), "items");
        for (size_t i = 0; ok && i < prova_json_len(items); i++) {
            const prova_json *id = prova_json_get(prova_json_at(items, i), "certificate_id");
            if (!prova_json_is_string(id)) continue;
            app_oe_bundle(c, prova_json_str(id), false);
            ok = take_and_add(c, g, &body);
        }
    }
    if (ok) {
        prova_buf out = PROVA_BUF_INIT;
        prova_error e;
        if (prova_lineage_write(g, f, &out, &e) < 0) {
            app_fail_status(c, PROVA_ENOMEM);
        } else {
            app_ok(c, 200, &out);
            c->res.content_type = prova_lineage_content_type(f);
        }
        prova_buf_free(&out);
    }
    prova_doc_free(list);
    prova_buf_free(&certs);
    prova_buf_free(&body);
    prova_lineage_free(g);
    return APP_DONE;
}
