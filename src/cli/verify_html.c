/* `prova verify --format html`: one self-contained HTML5 page (inline CSS, no script, nothing fetched) with the
 * verdict, every check and warning of the report and the document's structure. Every value from the document or
 * the report is HTML-escaped; the output depends only on the input and the options (no clock unless --now). */
#include <string.h>

#include "text.h"
#include "verify_view.h"

typedef struct hw {
    prova_buf *out;
    int rc;
} hw;

static void raw(hw *w, const char *s) {
    if (w->rc == 0 && prova_buf_append(w->out, s, strlen(s)) < 0) w->rc = PROVA_ENOMEM;
}

/* s, HTML-escaped for text and for a double- or single-quoted attribute. NULL is written as an em dash. */
static void esc(hw *w, const char *s) {
    if (!s) {
        raw(w, "\xe2\x80\x94");
        return;
    }
    for (const char *p = s; *p && w->rc == 0; p++) {
        const char *e = NULL;
        switch (*p) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        default:
            break;
        }
        if (e) {
            raw(w, e);
        } else if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') {
            /* a control character cannot be written as text or as a character reference (HTML 13.1.4): shown as
               U+FFFD */
            raw(w, "\xef\xbf\xbd");
        } else if (prova_buf_append(w->out, p, 1) < 0) {
            w->rc = PROVA_ENOMEM;
        }
    }
}

/* <tag class="code">value</tag> */
static void code(hw *w, const char *s) {
    raw(w, "<code>");
    esc(w, s);
    raw(w, "</code>");
}

/* One row of a description list. */
static void dl_row(hw *w, const char *name, const char *value, bool as_code) {
    if (!value) return;
    raw(w, "<dt>");
    raw(w, name);
    raw(w, "</dt><dd>");
    if (as_code)
        code(w, value);
    else
        esc(w, value);
    raw(w, "</dd>\n");
}

static void result_cell(hw *w, bool ok) {
    raw(w, ok ? "<td class=\"ok\"><span aria-hidden=\"true\">\xe2\x9c\x93</span> ok</td>"
              : "<td class=\"fail\"><span aria-hidden=\"true\">\xe2\x9c\x97</span> <strong>FAIL</strong></td>");
}

static const char CSS[] =
    ":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--mut:#595959;--ok:#0a6b2d;--bad:#a4001d;"
    "--okbg:#e6f4ea;--badbg:#fde7ea;--line:#c8c8c8}"
    "@media (prefers-color-scheme:dark){:root{--fg:#ececec;--bg:#161616;--mut:#b0b0b0;--ok:#7ee2a0;--bad:#ff9aa9;"
    "--okbg:#143321;--badbg:#3d1219;--line:#4a4a4a}}"
    "*{box-sizing:border-box}"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:var(--fg);"
    "background:var(--bg)}"
    "main{max-width:72rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}h3{font-size:1.1rem}"
    "code{font:.875rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}"
    ".verdict{font-size:1.25rem;padding:.75rem 1rem;border:2px solid;border-radius:.5rem}"
    ".verdict.valid{color:var(--ok);background:var(--okbg)}"
    ".verdict.invalid{color:var(--bad);background:var(--badbg)}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}"
    "dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}"
    "@media (max-width:40rem){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;min-width:36rem}table.wide{min-width:64rem}"
    "caption{text-align:left;color:var(--mut);padding:.25rem 0}"
    "th,td{border:1px solid var(--line);padding:.375rem .5rem;text-align:left;vertical-align:top;"
    "overflow-wrap:break-word}thead th{white-space:nowrap}"
    "thead th{background:var(--okbg);background:color-mix(in srgb,var(--fg) 8%,var(--bg))}"
    "td.ok{color:var(--ok);white-space:nowrap}td.fail{color:var(--bad);white-space:nowrap}"
    "tr.failed th,tr.failed td{background:var(--badbg)}"
    "footer{color:var(--mut);font-size:.875rem;margin-top:2rem}";

static void head(hw *w, const vv_model *m) {
    const char *kind = prova_report_kind(m->rep);
    raw(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"generator\" content=\"prova verify --format html\">\n<title>");
    raw(w, vv_verdict(m));
    raw(w, ": ");
    esc(w, kind);
    raw(w, " \xe2\x80\x94 prova verify</title>\n<style>");
    raw(w, CSS);
    raw(w, "</style>\n</head>\n<body>\n<main>\n");
}

static void summary(hw *w, const vv_model *m) {
    bool valid = prova_report_valid(m->rep);
    raw(w, "<h1>Verification report</h1>\n");
    raw(w, valid ? "<p class=\"verdict valid\" role=\"status\"><span aria-hidden=\"true\">\xe2\x9c\x93</span> "
                   "<strong>VALID</strong>: every check passed.</p>\n"
                 : "<p class=\"verdict invalid\" role=\"status\"><span aria-hidden=\"true\">\xe2\x9c\x97</span> "
                   "<strong>INVALID</strong>: ");
    if (!valid && w->rc == 0) {
        if (prova_buf_printf(w->out, "%zu check%s failed.</p>\n", m->nfailed, m->nfailed == 1 ? "" : "s") < 0)
            w->rc = PROVA_ENOMEM;
    }
    raw(w, "<dl>\n");
    dl_row(w, "Document kind", prova_report_kind(m->rep), true);
    if (m->form) {
        raw(w, "<dt>Form</dt><dd>");
        esc(w, m->form);
        if (m->wrapper) {
            raw(w, ", inside a ");
            esc(w, m->wrapper);
        }
        raw(w, "</dd>\n");
    }
    dl_row(w, "Outcome", prova_outcome_name(prova_report_outcome(m->rep)), true);
    dl_row(w, "Input", m->file, true);
    dl_row(w, "Verifier clock (--now)", m->now, true);
    raw(w, "</dl>\n");
}

static void checks(hw *w, const vv_model *m) {
    size_t n = prova_report_check_count(m->rep);
    raw(w, "<h2 id=\"checks\">Checks</h2>\n<div class=\"scroll\" role=\"region\" aria-labelledby=\"checks\" "
           "tabindex=\"0\"><table>\n<caption>");
    if (w->rc == 0 && prova_buf_printf(w->out, "%zu check%s, %zu failed", n, n == 1 ? "" : "s", m->nfailed) < 0)
        w->rc = PROVA_ENOMEM;
    raw(w, "</caption>\n<thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Result</th>"
           "<th scope=\"col\">Reason code</th><th scope=\"col\">Message</th><th scope=\"col\">Pointer</th>"
           "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const prova_check *c = prova_report_check_at(m->rep, i);
        raw(w, c->ok ? "<tr><th scope=\"row\">" : "<tr class=\"failed\"><th scope=\"row\">");
        code(w, c->check);
        raw(w, "</th>");
        result_cell(w, c->ok);
        raw(w, "<td>");
        code(w, c->code);
        raw(w, "</td><td>");
        esc(w, c->message);
        raw(w, "</td><td>");
        code(w, c->at && c->at[0] ? c->at : "(document)");
        raw(w, "</td></tr>\n");
    }
    raw(w, "</tbody>\n</table></div>\n");
}

static void warnings(hw *w, const vv_model *m) {
    size_t n = prova_report_warning_count(m->rep);
    raw(w, "<h2 id=\"warnings\">Warnings</h2>\n");
    if (n == 0) {
        raw(w, "<p>None.</p>\n");
    } else {
        raw(w, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"warnings\" tabindex=\"0\"><table>\n"
               "<thead><tr><th scope=\"col\">Reason code</th>"
               "<th scope=\"col\">Message</th><th scope=\"col\">Pointer</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < n; i++) {
            const prova_check *c = prova_report_warning_at(m->rep, i);
            raw(w, "<tr><th scope=\"row\">");
            code(w, c->code);
            raw(w, "</th><td>");
            esc(w, c->message);
            raw(w, "</td><td>");
            code(w, c->at && c->at[0] ? c->at : "(document)");
            raw(w, "</td></tr>\n");
        }
        raw(w, "</tbody>\n</table></div>\n");
    }
    const prova_json *keys = vv_report_member(m, "keys");
    if (prova_json_len(keys) > 0) {
        raw(w, "<h2 id=\"keys\">Keys</h2>\n<ul>\n");
        for (size_t i = 0; i < prova_json_len(keys); i++) {
            const prova_json *k = prova_json_at(keys, i);
            raw(w, "<li>");
            code(w, prova_json_str(prova_json_get(k, "kid")));
            raw(w, " from ");
            code(w, prova_json_str(prova_json_get(k, "source")));
            raw(w, "</li>\n");
        }
        raw(w, "</ul>\n");
    }
    const prova_json *un = vv_report_member(m, "unauthenticated_fields");
    if (prova_json_len(un) > 0) {
        raw(w, "<h2 id=\"unauthenticated\">Not covered by any signature</h2>\n<ul>\n");
        for (size_t i = 0; i < prova_json_len(un); i++) {
            raw(w, "<li>");
            code(w, prova_json_str(prova_json_at(un, i)));
            raw(w, "</li>\n");
        }
        raw(w, "</ul>\n");
    }
}

/* The Result cell of a node of the document: ok, or FAIL with the first failed check's code. */
static void node_result(hw *w, bool failed, const char *fail_code) {
    if (!failed) {
        result_cell(w, true);
        return;
    }
    raw(w, "<td class=\"fail\"><span aria-hidden=\"true\">\xe2\x9c\x97</span> <strong>FAIL</strong> ");
    code(w, fail_code);
    raw(w, "</td>");
}

static void hops(hw *w, const vv_model *m) {
    bool env = m->shape == VV_OPE_ENVELOPE;
    raw(w, "<h2 id=\"document\">Document</h2>\n<dl>\n");
    dl_row(w, "Trace", m->trace_id, true);
    dl_row(w, "Bundle CID", m->bundle_cid, true);
    dl_row(w, "Exported at", m->exported_at, true);
    dl_row(w, "Exporting gateway key", m->bundle_kid, true);
    raw(w, "</dl>\n");
    raw(w, env ? "<h3 id=\"hops\">Envelope</h3>\n" : "<h3 id=\"hops\">Hops</h3>\n");
    raw(w, "<div class=\"scroll\" role=\"region\" aria-labelledby=\"hops\" tabindex=\"0\"><table class=\"wide\">\n"
           "<thead><tr>");
    if (env)
        raw(w, "<th scope=\"col\">Envelope</th><th scope=\"col\">Result</th><th scope=\"col\">ts</th>"
               "<th scope=\"col\">Sender kid</th><th scope=\"col\">Payload type</th><th scope=\"col\">CID</th>");
    else
        raw(w, "<th scope=\"col\">Hop</th><th scope=\"col\">Result</th><th scope=\"col\">ts</th>"
               "<th scope=\"col\">Gateway kid</th><th scope=\"col\">Request CID</th>"
               "<th scope=\"col\">Normalized CID</th><th scope=\"col\">Receipt hash</th>"
               "<th scope=\"col\">Previous receipt hash</th><th scope=\"col\">Link</th>");
    raw(w, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < m->nitems; i++) {
        const vv_item *it = &m->items[i];
        raw(w, it->failed ? "<tr class=\"failed\"><th scope=\"row\">" : "<tr><th scope=\"row\">");
        if (env)
            code(w, it->trace_id);
        else
            code(w, it->num);
        raw(w, "</th>");
        node_result(w, it->failed, it->fail_code);
        raw(w, "<td>");
        code(w, it->ts);
        raw(w, "</td><td>");
        code(w, it->kid);
        raw(w, "</td><td>");
        if (env) {
            code(w, it->type);
            raw(w, "</td><td>");
            code(w, it->cid_a);
        } else {
            code(w, it->cid_a);
            raw(w, "</td><td>");
            code(w, it->cid_b);
            raw(w, "</td><td>");
            code(w, it->hash);
            raw(w, "</td><td>");
            code(w, it->prev ? it->prev : "null");
            raw(w, "</td>");
            if (it->link_broken) {
                raw(w, "<td class=\"fail\"><span aria-hidden=\"true\">\xe2\x9c\x97</span> <strong>broken</strong> ");
                code(w, it->link_code);
                raw(w, "</td>");
            } else {
                raw(w, i == 0 ? "<td>first</td>" : "<td class=\"ok\">linked</td>");
            }
        }
        raw(w, env ? "</td></tr>\n" : "</tr>\n");
    }
    raw(w, "</tbody>\n</table></div>\n");
}

static void oe(hw *w, const vv_model *m) {
    raw(w, "<h2 id=\"document\">Document</h2>\n<h3>Chain</h3>\n<dl>\n");
    dl_row(w, "Chain id", m->chain_id, true);
    dl_row(w, "Chain type", m->chain_type, true);
    dl_row(w, "Status", m->chain_status, true);
    dl_row(w, "Hash algorithm", m->hash_alg, true);
    dl_row(w, "Chain hash", m->chain_hash, true);
    if (m->chain.present) dl_row(w, "Result", m->chain.failed ? "FAIL" : "ok", false);
    if (m->chain.failed) dl_row(w, "First failed check", m->chain.fail_code, true);
    raw(w, "</dl>\n<h3 id=\"events\">Events</h3>\n<div class=\"scroll\" role=\"region\" aria-labelledby=\"events\" "
           "tabindex=\"0\"><table class=\"wide\">\n<thead><tr><th scope=\"col\">seq</th>"
           "<th scope=\"col\">Result</th><th scope=\"col\">Type</th><th scope=\"col\">Actor</th>"
           "<th scope=\"col\">Created at</th><th scope=\"col\">Event hash</th><th scope=\"col\">Previous hash</th>"
           "<th scope=\"col\">Link</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < m->nitems; i++) {
        const vv_item *it = &m->items[i];
        raw(w, it->failed ? "<tr class=\"failed\"><th scope=\"row\">" : "<tr><th scope=\"row\">");
        code(w, it->num);
        raw(w, "</th>");
        node_result(w, it->failed, it->fail_code);
        raw(w, "<td>");
        code(w, it->type);
        raw(w, "</td><td>");
        code(w, it->kid);
        raw(w, "</td><td>");
        code(w, it->ts);
        raw(w, "</td><td>");
        code(w, it->hash);
        raw(w, "</td><td>");
        code(w, it->prev);
        raw(w, "</td>");
        if (it->link_broken) {
            raw(w, "<td class=\"fail\"><span aria-hidden=\"true\">\xe2\x9c\x97</span> <strong>broken</strong> ");
            code(w, it->link_code);
            raw(w, "</td>");
        } else {
            raw(w, i == 0 ? "<td>first</td>" : "<td class=\"ok\">linked</td>");
        }
        raw(w, "</tr>\n");
    }
    raw(w, "</tbody>\n</table></div>\n");
    if (m->cert.present) {
        raw(w, "<h3>Certificate</h3>\n<dl>\n");
        dl_row(w, "Certificate id", m->cert_id, true);
        dl_row(w, "Issued at", m->issued_at, true);
        dl_row(w, "Artifact type", m->artifact_type, true);
        dl_row(w, "Artifact", m->artifact_ref, true);
        dl_row(w, "Result", m->cert.failed ? "FAIL" : "ok", false);
        if (m->cert.failed) dl_row(w, "First failed check", m->cert.fail_code, true);
        raw(w, "</dl>\n");
    }
    if (m->stat.present) {
        raw(w, "<h3>Certificate status</h3>\n<dl>\n");
        dl_row(w, "Status", m->status, true);
        dl_row(w, "Since", m->status_at, true);
        dl_row(w, "Superseded by", m->superseded_by, true);
        dl_row(w, "Reason", m->status_reason, false);
        dl_row(w, "Result", m->stat.failed ? "FAIL" : "ok", false);
        if (m->stat.failed) dl_row(w, "First failed check", m->stat.fail_code, true);
        raw(w, "</dl>\n");
    }
}

static void proof(hw *w, const vv_model *m) {
    raw(w, "<h2 id=\"document\">Document</h2>\n<dl>\n");
    dl_row(w, "Proof id", m->proof_id, true);
    dl_row(w, "Created at", m->created_at, true);
    dl_row(w, "Stated outcome", m->verdict_outcome, true);
    raw(w, "</dl>\n");
}

int vv_write_html(const vv_model *m, prova_buf *out) {
    hw w = {out, 0};
    size_t start = out->len;
    head(&w, m);
    summary(&w, m);
    checks(&w, m);
    warnings(&w, m);
    switch (m->shape) {
    case VV_OPE_ENVELOPE:
    case VV_OPE_RECEIPTS:
        hops(&w, m);
        break;
    case VV_OE:
        oe(&w, m);
        break;
    case VV_PROOF:
        proof(&w, m);
        break;
    case VV_NONE:
        break;
    }
    raw(&w, "<footer><p>Written by <code>prova verify --format html</code>. The verdict is the report's; this page "
            "adds nothing to it.</p></footer>\n</main>\n</body>\n</html>\n");
    if (w.rc < 0) out->len = start;
    return w.rc;
}
