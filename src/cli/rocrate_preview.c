/* ro-crate-preview.html: the human-readable page of a crate (RO-Crate "RO-Crate Website"), written from the bytes of
 * ro-crate-metadata.json that the crate carries, so that page and metadata cannot disagree. docs/rocrate.md.
 *
 * The page is self-contained: inline CSS, no script, nothing loaded from elsewhere; every text from the metadata is
 * HTML-escaped (and invalid UTF-8, e.g. a proof record's lone surrogate, becomes U+FFFD); links into the crate are
 * relative and percent-encoded; only http(s) URLs are ever links out. The same metadata gives the same bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "prova/crypto.h"
#include "prova/json.h"
#include "prova/rocrate.h"

#define DEPTH_MAX 8 /* nested values deeper than this are shown as canonical JSON text */

typedef struct page {
    prova_buf *out;
    int rc;
    const prova_json *graph;
    const prova_json *root, *desc; /* the root dataset and the metadata descriptor (either may be NULL) */
} page;

static void put(page *p, const void *s, size_t n) {
    if (!p->rc) p->rc = prova_buf_append(p->out, s, n);
}
static void lit(page *p, const char *s) {
    put(p, s, strlen(s));
}
static void putf(page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(page *p, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) put(p, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is not one (surrogates, overlongs and
 * code points above U+10FFFF are not). */
static size_t utf8_len(const uint8_t *s, size_t n) {
    uint8_t c = s[0];
    if (c < 0x80) return 1;
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!len || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && s[1] < 0xa0) return 0;
    if (c == 0xed && s[1] >= 0xa0) return 0;
    if (c == 0xf0 && s[1] < 0x90) return 0;
    if (c == 0xf4 && s[1] >= 0x90) return 0;
    return len;
}

/* Text: & < > " ' escaped, controls other than tab and newline and invalid UTF-8 as U+FFFD. */
static void text(page *p, const char *s, size_t n) {
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        const char *rep = NULL;
        size_t adv = 1;
        uint8_t c = u[i];
        if (c == '&')
            rep = "&amp;";
        else if (c == '<')
            rep = "&lt;";
        else if (c == '>')
            rep = "&gt;";
        else if (c == '"')
            rep = "&quot;";
        else if (c == '\'')
            rep = "&#39;";
        else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            rep = "\xef\xbf\xbd";
        else if (c >= 0x80) {
            adv = utf8_len(u + i, n - i);
            if (!adv) {
                rep = "\xef\xbf\xbd";
                adv = 1;
            }
        }
        if (rep) {
            put(p, u + run, i - run);
            lit(p, rep);
            run = i + adv;
        }
        i += adv;
    }
    put(p, u + run, n - run);
}
static void textz(page *p, const char *s) {
    text(p, s, strlen(s));
}
static void jtext(page *p, const prova_json *v) {
    text(p, prova_json_str(v), prova_json_len(v));
}

/* A relative link into the crate: every byte but unreserved ones and '/' percent-encoded (so a name can never be
 * read as a scheme or leave the attribute). */
static void href_path(page *p, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || c == '/') {
            put(p, &c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(p, e, 3);
        }
    }
}

static bool starts(const prova_json *v, const char *prefix) {
    size_t n = strlen(prefix);
    return prova_json_is_string(v) && prova_json_len(v) >= n && memcmp(prova_json_str(v), prefix, n) == 0;
}
static bool is_web(const prova_json *v) {
    return starts(v, "https://") || starts(v, "http://");
}
/* An @id that names a file or directory inside the crate: not a fragment, not absolute, no scheme. */
static bool is_local(const prova_json *v) {
    if (!prova_json_is_string(v) || prova_json_len(v) == 0) return false;
    const char *s = prova_json_str(v);
    if (s[0] == '#' || s[0] == '/' || strcmp(s, "./") == 0) return false;
    for (size_t i = 0; i < prova_json_len(v) && s[i] != '/'; i++)
        if (s[i] == ':') return false;
    return true;
}

/* The graph's entity with @id id, and its index; NULL when none. */
static const prova_json *entity(const page *p, const prova_json *id, size_t *ret_index) {
    if (!prova_json_is_string(id)) return NULL;
    for (size_t i = 0; i < prova_json_len(p->graph); i++) {
        const prova_json *e = prova_json_at(p->graph, i);
        const prova_json *eid = prova_json_get(e, "@id");
        if (prova_json_len(eid) == prova_json_len(id) &&
            memcmp(prova_json_str(eid), prova_json_str(id), prova_json_len(id)) == 0) {
            if (ret_index) *ret_index = i;
            return e;
        }
    }
    return NULL;
}

/* The id a {"@id": X} reference names, or NULL. */
static const prova_json *ref_id(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_len(v) == 1 ? prova_json_get(v, "@id") : NULL;
}

/* True when id is one of the root's hasPart that names a local file (the crate's data entities with a link). */
static bool is_data_entity(const prova_json *root, const prova_json *id) {
    const prova_json *parts = prova_json_get(root, "hasPart");
    size_t n = prova_json_is_array(parts) ? prova_json_len(parts) : 1;
    for (size_t i = 0; i < n; i++) {
        const prova_json *r = ref_id(prova_json_is_array(parts) ? prova_json_at(parts, i) : parts);
        if (r && is_local(r) && prova_json_len(r) == prova_json_len(id) &&
            memcmp(prova_json_str(r), prova_json_str(id), prova_json_len(id)) == 0)
            return true;
    }
    return false;
}

static void value(page *p, const prova_json *root, const prova_json *v, int depth);

/* A reference: to the entity's section when the graph has it (a data entity: to the file), else the id. */
static void reference(page *p, const prova_json *root, const prova_json *id) {
    size_t idx = 0;
    const prova_json *e = entity(p, id, &idx);
    const prova_json *label = e && prova_json_is_string(prova_json_get(e, "name")) ? prova_json_get(e, "name") : id;
    if (e && e == p->desc) {
        lit(p, "<a href=\"" PROVA_ROCRATE_METADATA_FILENAME "\"><code>" PROVA_ROCRATE_METADATA_FILENAME "</code></a>");
    } else if (e && is_data_entity(root, id)) {
        lit(p, "<a href=\"");
        href_path(p, prova_json_str(id), prova_json_len(id));
        lit(p, "\">");
        jtext(p, id);
        lit(p, "</a>");
    } else if (e && e != p->root) {
        putf(p, "<a href=\"#entity-%zu\">", idx);
        jtext(p, label);
        lit(p, "</a>");
    } else if (is_web(id)) {
        lit(p, "<a href=\"");
        jtext(p, id);
        lit(p, "\">");
        jtext(p, id);
        lit(p, "</a>");
    } else {
        lit(p, "<code>");
        jtext(p, id);
        lit(p, "</code>");
    }
}

static void value(page *p, const prova_json *root, const prova_json *v, int depth) {
    const prova_json *r = ref_id(v);
    if (r && prova_json_is_string(r)) {
        reference(p, root, r);
        return;
    }
    switch (prova_json_typeof(v)) {
    case PROVA_JSON_STRING:
        if (is_web(v)) {
            lit(p, "<a href=\"");
            jtext(p, v);
            lit(p, "\">");
            jtext(p, v);
            lit(p, "</a>");
        } else {
            jtext(p, v);
        }
        return;
    case PROVA_JSON_NUMBER:
        put(p, v->u.str, v->len);
        return;
    case PROVA_JSON_TRUE:
        lit(p, "true");
        return;
    case PROVA_JSON_FALSE:
        lit(p, "false");
        return;
    case PROVA_JSON_NULL:
        lit(p, "null");
        return;
    default:
        break;
    }
    if (depth >= DEPTH_MAX) {
        prova_buf b = PROVA_BUF_INIT;
        if (prova_canon_write(v, PROVA_PROFILE_OPHAMIN, &b, NULL) == 0) {
            lit(p, "<code>");
            text(p, (const char *)b.data, b.len);
            lit(p, "</code>");
        } else if (!p->rc) {
            p->rc = PROVA_ENOMEM;
        }
        prova_buf_free(&b);
        return;
    }
    if (prova_json_is_array(v)) {
        lit(p, "<ul>");
        for (size_t i = 0; i < prova_json_len(v); i++) {
            lit(p, "<li>");
            value(p, root, prova_json_at(v, i), depth + 1);
            lit(p, "</li>");
        }
        lit(p, "</ul>");
        return;
    }
    /* An object that is not a reference: its members, as the metadata has them. */
    lit(p, "<table class=\"inner\"><tbody>");
    for (size_t i = 0; i < prova_json_len(v); i++) {
        const prova_json_member *m = &v->u.members[i];
        lit(p, "<tr><th scope=\"row\">");
        jtext(p, &m->key);
        lit(p, "</th><td>");
        value(p, root, &m->value, depth + 1);
        lit(p, "</td></tr>");
    }
    lit(p, "</tbody></table>");
}

/* A row "<th>label</th><td>value</td>" when e has the property. */
static void row(page *p, const prova_json *root, const prova_json *e, const char *key, const char *label) {
    const prova_json *v = prova_json_get(e, key);
    if (!v) return;
    lit(p, "<tr><th scope=\"row\">");
    textz(p, label);
    lit(p, "</th><td>");
    value(p, root, v, 1);
    lit(p, "</td></tr>\n");
}

static const char STYLE[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;line-height:1.45;margin:0;color:#1b1b1b;"
    "background:#fff}\n"
    "main{max-width:72rem;margin:0 auto;padding:1rem}\n"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}"
    "h3{font-size:1.05rem;margin:1.25rem 0 .4rem}\n"
    "table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{text-align:left;vertical-align:top;"
    "padding:.3rem .5rem;border:1px solid #d0d0d0;overflow-wrap:anywhere}\n"
    "thead th{background:#f0f0f0}th[scope=row]{width:14rem;background:#fafafa;font-weight:600}\n"
    "table.inner{margin:0}table.inner th[scope=row]{width:auto}ul{margin:0;padding-left:1.2rem}\n"
    "code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}\n"
    "a{color:#0645ad}a:focus{outline:2px solid #0645ad}.note{color:#555;font-size:.9rem}\n"
    "@media (prefers-color-scheme:dark){body{background:#111;color:#eee}th,td{border-color:#444}"
    "thead th,th[scope=row]{background:#222}a{color:#8ab4f8}.note{color:#aaa}}\n";

/* The data entities' table: one row per hasPart item that is a file in the crate. */
static void files_table(page *p, const prova_json *root, const char *record_filename, const void *data, size_t len) {
    lit(p, "<h2 id=\"files\">Files in this crate</h2>\n<table>\n<caption class=\"note\">The data entities of the root "
           "dataset (hasPart), as ro-crate-metadata.json describes them; each name links to the file.</caption>\n"
           "<thead><tr><th scope=\"col\">File</th><th scope=\"col\">Name</th><th scope=\"col\">Format</th>"
           "<th scope=\"col\">Size (bytes)</th><th scope=\"col\">SHA-256</th><th scope=\"col\">Content address "
           "(identifier)</th></tr></thead>\n<tbody>\n");
    const prova_json *parts = prova_json_get(root, "hasPart");
    size_t n = prova_json_is_array(parts) ? prova_json_len(parts) : parts ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        const prova_json *id = ref_id(prova_json_is_array(parts) ? prova_json_at(parts, i) : parts);
        if (!id || !is_local(id)) continue;
        const prova_json *e = entity(p, id, NULL);
        bool is_record = record_filename && prova_json_len(id) == strlen(record_filename) &&
                         memcmp(prova_json_str(id), record_filename, prova_json_len(id)) == 0;
        lit(p, "<tr><td><a href=\"");
        href_path(p, prova_json_str(id), prova_json_len(id));
        lit(p, "\"><code>");
        jtext(p, id);
        lit(p, "</code></a></td><td>");
        if (prova_json_get(e, "name")) value(p, root, prova_json_get(e, "name"), 1);
        lit(p, "</td><td>");
        if (prova_json_get(e, "encodingFormat")) value(p, root, prova_json_get(e, "encodingFormat"), 1);
        lit(p, "</td><td>");
        if (prova_json_get(e, "contentSize"))
            value(p, root, prova_json_get(e, "contentSize"), 1);
        else if (is_record && data)
            putf(p, "%zu <span class=\"note\">(of the file; the metadata states none)</span>", len);
        lit(p, "</td><td>");
        if (prova_json_get(e, "sha256")) {
            lit(p, "<code>");
            value(p, root, prova_json_get(e, "sha256"), 1);
            lit(p, "</code>");
        } else if (is_record && data) {
            char hex[2 * PROVA_HASH_MAX_BYTES + 1];
            if (prova_hash_compute_hex(PROVA_HASH_SHA256, data, len, hex) == 0) {
                lit(p, "<code>");
                lit(p, hex);
                lit(p, "</code> <span class=\"note\">(of the file; the metadata states none)</span>");
            }
        }
        lit(p, "</td><td>");
        if (prova_json_get(e, "identifier")) {
            lit(p, "<code>");
            value(p, root, prova_json_get(e, "identifier"), 1);
            lit(p, "</code>");
        }
        lit(p, "</td></tr>\n");
    }
    lit(p, "</tbody>\n</table>\n");
}

/* One section per contextual entity (actions, agents, instruments, datasets, keys: whatever the graph holds beyond
 * the descriptor, the root and the files), every property as the metadata has it. */
static void context_sections(page *p, const prova_json *root, const prova_json *desc) {
    lit(p, "<h2 id=\"provenance\">Provenance and context</h2>\n<p class=\"note\">The other entities of "
           "ro-crate-metadata.json, in its order: what was done (actions), by whom and with what (agents, "
           "instruments), and what the record refers to.</p>\n");
    for (size_t i = 0; i < prova_json_len(p->graph); i++) {
        const prova_json *e = prova_json_at(p->graph, i);
        const prova_json *id = prova_json_get(e, "@id");
        if (e == root || e == desc || !prova_json_is_string(id) || is_data_entity(root, id)) continue;
        const prova_json *name = prova_json_get(e, "name");
        putf(p, "<section id=\"entity-%zu\" aria-labelledby=\"entity-%zu-h\">\n<h3 id=\"entity-%zu-h\">", i, i, i);
        jtext(p, prova_json_is_string(name) ? name : id);
        lit(p, "</h3>\n<table>\n<tbody>\n");
        row(p, root, e, "@id", "@id");
        row(p, root, e, "@type", "@type");
        for (size_t k = 0; k < prova_json_len(e); k++) {
            const prova_json_member *m = &e->u.members[k];
            if (prova_json_str_eq(&m->key, "@id") || prova_json_str_eq(&m->key, "@type")) continue;
            lit(p, "<tr><th scope=\"row\">");
            jtext(p, &m->key);
            lit(p, "</th><td>");
            value(p, root, &m->value, 1);
            lit(p, "</td></tr>\n");
        }
        lit(p, "</tbody>\n</table>\n</section>\n");
    }
}

int cli_rocrate_preview(const void *meta, size_t meta_len, const char *record_filename, const void *data, size_t len,
                        prova_buf *out, prova_error *reterr) {
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    prova_doc *doc = NULL;
    int rc = prova_json_parse(meta, meta_len, &po, &doc, reterr);
    if (rc < 0) return rc;
    page p = {.out = out, .graph = prova_json_get(prova_doc_root(doc), "@graph")};
    size_t start = out->len;
    if (!prova_json_is_array(p.graph)) {
        prova_doc_free(doc);
        if (reterr) {
            memset(reterr, 0, sizeof *reterr);
            reterr->status = PROVA_ESYNTAX;
            reterr->reason = "rocrate_field_invalid";
            reterr->message = "the metadata has no @graph array";
        }
        return PROVA_ESYNTAX;
    }
    /* The root: what the metadata descriptor is about (RO-Crate: "./"). */
    prova_json desc_id = {.type = PROVA_JSON_STRING,
                          .len = (uint32_t)strlen(PROVA_ROCRATE_METADATA_FILENAME),
                          .u.str = PROVA_ROCRATE_METADATA_FILENAME};
    const prova_json *desc = entity(&p, &desc_id, NULL);
    const prova_json *about = ref_id(prova_json_get(desc, "about"));
    prova_json dot = {.type = PROVA_JSON_STRING, .len = 2, .u.str = "./"};
    const prova_json *root = entity(&p, about ? about : &dot, NULL);
    p.desc = desc;
    p.root = root;
    if (!root) root = &dot; /* no root entity: an empty page with the files table empty */
    const prova_json *name = prova_json_get(root, "name");

    lit(&p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"prova\">\n<title>");
    if (prova_json_is_string(name))
        jtext(&p, name);
    else
        lit(&p, "RO-Crate");
    lit(&p, "</title>\n<style>\n");
    lit(&p, STYLE);
    lit(&p, "</style>\n</head>\n<body>\n<main>\n<h1>");
    if (prova_json_is_string(name))
        jtext(&p, name);
    else
        lit(&p, "RO-Crate");
    lit(&p, "</h1>\n");
    const prova_json *descr = prova_json_get(root, "description");
    if (prova_json_is_string(descr)) {
        lit(&p, "<p>");
        jtext(&p, descr);
        lit(&p, "</p>\n");
    }
    lit(&p, "<h2 id=\"crate\">The crate</h2>\n<table>\n<tbody>\n");
    row(&p, root, root, "identifier", "Identifier");
    row(&p, root, root, "datePublished", "Published");
    row(&p, root, root, "dateCreated", "Created");
    row(&p, root, root, "dateModified", "Modified");
    row(&p, root, root, "license", "License");
    row(&p, root, root, "author", "Author");
    row(&p, root, root, "conformsTo", "Conforms to");
    row(&p, root, root, "mainEntity", "Main entity");
    lit(&p, "<tr><th scope=\"row\">Metadata</th><td><a href=\"" PROVA_ROCRATE_METADATA_FILENAME
            "\"><code>" PROVA_ROCRATE_METADATA_FILENAME "</code></a>");
    const prova_json *conf = prova_json_get(desc, "conformsTo");
    if (conf) {
        lit(&p, " (conforms to ");
        value(&p, root, conf, 1);
        lit(&p, ")");
    }
    lit(&p, "</td></tr>\n</tbody>\n</table>\n");
    files_table(&p, root, record_filename, data, len);
    context_sections(&p, root, desc);
    lit(&p, "</main>\n<footer>\n<p class=\"note\">Written by prova from ro-crate-metadata.json, which is what "
            "machines read; this page shows the same statements for people.</p>\n</footer>\n</body>\n</html>\n");
    prova_doc_free(doc);
    if (p.rc) {
        out->len = start;
        if (reterr) {
            memset(reterr, 0, sizeof *reterr);
            reterr->status = p.rc;
            reterr->reason = "out_of_memory";
            reterr->message = "out of memory";
        }
        return p.rc;
    }
    return 0;
}
