/* The reference's read-only proof tools (reference/ophamin.md §5): verify_proof, canonicalize_value (through the
 * service, as POST /verify and POST /canonicalize) and read_proof_index (a directory of proof records). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prova/proof.h"
#include "tools_internal.h"

#define INDEX_MAX_FILES 10000             /* read_proof_index: *.json files looked at */
#define INDEX_MAX_DEPTH 32                /* read_proof_index: directory nesting */
#define INDEX_MAX_FILE  ((off_t)16 << 20) /* read_proof_index: bytes of one file */

/* ---- verify_proof / canonicalize_value (the reference's, via proof_api.h) ---------------------------------- */

/* Both tools take the JSON text and an optional HMAC key, and answer the service's JSON body as it is. */
static int proof_tool(const mcp_ctx *ctx, const prova_json *args, mcp_result *res, const char *text_arg,
                      const char *text_what, int (*op)(app_call *, const char *, size_t, const char *)) {
    const char *const names[] = {text_arg, "sign_key_b64", NULL};
    const prova_json *text, *key;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_str(res, args, text_arg, true, text_what, &text);
    if (!rc) rc = tool_arg_str(res, args, "sign_key_b64", false, "the HMAC key as standard base64", &key);
    if (rc) return tool_done(rc);
    app_call c;
    tool_call_init(&c, ctx);
    op(&c, prova_json_str(text), prova_json_len(text), key ? prova_json_str(key) : "");
    app_call_run(&c, APP_DONE);
    if (app_call_failed(&c)) otel_span_str(c.span, "prova.error.code", c.err.code);
    if (app_call_failed(&c))
        rc = tool_err(res, "%s", c.err.message);
    else
        rc = tool_putn(&res->structured, c.res.body.data, c.res.body.len);
    app_call_free(&c);
    return tool_done(rc);
}

int mcp_tool_verify_proof(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    return proof_tool(ctx, args, res, "proof_json", "the proof record as JSON text", app_proof_verify);
}

int mcp_tool_canonicalize_value(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    return proof_tool(ctx, args, res, "value_json", "the value as JSON text", app_proof_canonicalize);
}

/* ---- read_proof_index ------------------------------------------------------------------------------------------ */

typedef struct index_walk {
    const mcp_ctx *ctx;
    char **paths;
    size_t n, cap;
    bool truncated;
} index_walk;

static int add_path(index_walk *w, const char *path) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        char **p = realloc(w->paths, cap * sizeof *p);
        if (!p) return PROVA_ENOMEM;
        w->paths = p;
        w->cap = cap;
    }
    w->paths[w->n] = strdup(path);
    if (!w->paths[w->n]) return PROVA_ENOMEM;
    w->n++;
    return 0;
}

static bool ends_with_json(const char *name) {
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Collects DIR's *.json regular files, recursively; symbolic links (to files or directories) are not followed,
 * hidden entries (".name") are skipped, at most INDEX_MAX_FILES files and INDEX_MAX_DEPTH levels. */
static int walk(index_walk *w, const char *dir, unsigned depth) {
    if (depth > INDEX_MAX_DEPTH || tool_cancelled(w->ctx)) return 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
        if (n < 0 || (size_t)n >= sizeof path) continue;
        struct stat st;
        if (lstat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk(w, path, depth + 1);
        } else if (S_ISREG(st.st_mode) && ends_with_json(de->d_name)) {
            if (w->n >= INDEX_MAX_FILES) {
                w->truncated = true;
                break;
            }
            rc = add_path(w, path);
        }
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct index_entry {
    char *path;
    char *pillar, *outcome; /* NULL for a load error */
} index_entry;

static int cmp_entry(const void *a, const void *b) {
    const index_entry *x = a, *y = b;
    int c = strcmp(x->pillar, y->pillar);
    return c ? c : strcmp(x->outcome, y->outcome);
}

/* Reads one file (regular, at most INDEX_MAX_FILE bytes, opened without following a link). */
static int read_small(const char *path, prova_buf *out, const char **ret_why) {
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        *ret_why = strerror(errno);
        return -1;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *ret_why = "not a regular file";
        rc = -1;
    } else if (st.st_size > INDEX_MAX_FILE) {
        *ret_why = "larger than 16 MiB";
        rc = -1;
    } else {
        char buf[65536];
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                *ret_why = strerror(errno);
                rc = -1;
                break;
            }
            if (n == 0) break;
            if (out->len + (size_t)n > (size_t)INDEX_MAX_FILE) {
                *ret_why = "larger than 16 MiB";
                rc = -1;
                break;
            }
            if (prova_buf_append(out, buf, (size_t)n) < 0) {
                rc = PROVA_ENOMEM;
                break;
            }
        }
    }
    close(fd);
    return rc;
}

static int index_one(const mcp_ctx *ctx, const char *path, prova_buf *proofs, index_entry *ent) {
    prova_buf data = PROVA_BUF_INIT;
    const char *why = NULL;
    char msg[512];
    int rc = read_small(path, &data, &why);
    prova_doc *doc = NULL;
    if (rc == PROVA_ENOMEM) goto out;
    if (rc == 0) {
        prova_parse_options po = {0};
        po.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
        po.max_depth = tool_depth(ctx);
        prova_error e;
        rc = prova_json_parse(data.data, data.len, &po, &doc, &e);
        if (rc == PROVA_ENOMEM) goto out;
        if (rc < 0) {
            snprintf(msg, sizeof msg, "not valid JSON: %s at line %zu, column %zu", e.message, e.line, e.column);
            why = msg;
        }
    }
    const prova_json *root = doc ? prova_doc_root(doc) : NULL;
    char id[PROVA_PROOF_HEX_LEN + 1] = "";
    if (!why && !prova_proof_detect(root)) why = "not a proof record (schema_version, identity, claim, verdict)";
    if (!why) {
        prova_error e;
        rc = prova_proof_id(root, id, &e);
        if (rc == PROVA_ENOMEM) goto out;
        if (rc < 0) {
            snprintf(msg, sizeof msg, "the proof_id cannot be computed: %s", e.message);
            why = msg;
        }
    }
    rc = tool_put(proofs, proofs->len > 1 ? ",{\"path\":" : "{\"path\":");
    if (!rc) rc = tool_put_str(proofs, path);
    if (why) {
        if (!rc) rc = tool_put(proofs, ",\"error\":");
        if (!rc) rc = tool_put_str(proofs, why);
        if (!rc) rc = tool_put(proofs, "}");
        goto out;
    }
    const prova_json *ev = prova_json_at(prova_json_get(root, "evidence"), 0);
    const prova_json *pillar = prova_json_get(ev, "pillar");
    const prova_json *outcome = prova_json_get(prova_json_get(root, "verdict"), "outcome");
    const char *p = prova_json_is_string(pillar) ? prova_json_str(pillar) : "";
    const char *o = prova_json_is_string(outcome) ? prova_json_str(outcome) : "";
    ent->pillar = strdup(p);
    ent->outcome = strdup(o);
    if (!ent->pillar || !ent->outcome) {
        free(ent->pillar);
        free(ent->outcome);
        ent->pillar = ent->outcome = NULL;
        rc = PROVA_ENOMEM;
        goto out;
    }
    id[16] = '\0';
    if (!rc) rc = tool_put(proofs, ",\"scenario_pillar\":");
    if (!rc) rc = tool_put_str(proofs, p);
    if (!rc) rc = tool_put(proofs, ",\"verdict\":");
    if (!rc) rc = tool_put_str(proofs, o);
    if (!rc) rc = tool_put(proofs, ",\"proof_id_prefix\":\"");
    if (!rc) rc = tool_put(proofs, id);
    if (!rc) rc = tool_put(proofs, "\",\"schema_version\":");
    if (!rc) rc = tool_put_value(proofs, prova_json_get(root, "schema_version"));
    if (!rc) rc = tool_put(proofs, "}");
out:
    prova_doc_free(doc);
    prova_buf_free(&data);
    return rc < 0 ? rc : 0;
}

int mcp_tool_read_proof_index(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"directory", NULL};
    const prova_json *dirv;
    int rc = tool_check_args(res, args, names);
    if (!rc) rc = tool_arg_str(res, args, "directory", true, "a directory path on the server", &dirv);
    if (rc) return tool_done(rc);
    const char *arg = prova_json_str(dirv);
    if (!arg) return PROVA_EINVAL;
    char dir[4096];
    if (arg[0] == '~' && (arg[1] == '/' || arg[1] == '\0')) {
        const char *home = getenv("HOME");
        if (!home || !*home) return tool_done(tool_err(res, "directory: cannot expand '~' (HOME is not set)"));
        snprintf(dir, sizeof dir, "%s%s", home, arg + 1);
    } else {
        snprintf(dir, sizeof dir, "%s", arg);
    }
    if (!dir[0]) return tool_done(tool_err(res, "directory must not be empty"));
    if (strlen(arg) >= sizeof dir - 256) return tool_done(tool_err(res, "directory is too long"));
    struct stat st;
    if (stat(dir, &st) != 0) return tool_done(tool_err(res, "directory does not exist: %s (%s)", dir, strerror(errno)));
    if (!S_ISDIR(st.st_mode)) return tool_done(tool_err(res, "directory is not a directory: %s", dir));

    index_walk w = {.ctx = ctx};
    rc = walk(&w, dir, 0);
    index_entry *ents = rc == 0 && w.n ? calloc(w.n, sizeof *ents) : NULL;
    if (rc == 0 && w.n && !ents) rc = PROVA_ENOMEM;
    if (rc == 0) qsort(w.paths, w.n, sizeof *w.paths, cmp_str);
    prova_buf proofs = PROVA_BUF_INIT;
    size_t total = 0, errors = 0;
    if (rc == 0) rc = tool_put(&proofs, "[");
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        if (tool_cancelled(ctx)) {
            rc = tool_err(res, "cancelled");
            break;
        }
        ents[i].path = w.paths[i];
        rc = index_one(ctx, w.paths[i], &proofs, &ents[i]);
        if (ents[i].pillar)
            total++;
        else
            errors++;
    }
    if (rc == 0) rc = tool_put(&proofs, "]");
    /* by_scenario: the loaded proofs grouped by pillar, then by outcome, in code point order. */
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < w.n; i++)
        if (ents[i].pillar) ents[k++] = ents[i];
    if (rc == 0 && k) qsort(ents, k, sizeof *ents, cmp_entry);
    prova_buf *o = &res->structured;
    if (rc == 0) rc = tool_put(o, "{\"directory\":");
    if (rc == 0) rc = tool_put_str(o, dir);
    if (rc == 0) rc = tool_put(o, ",\"total_proofs\":");
    if (rc == 0) rc = tool_put_u64(o, total);
    if (rc == 0) rc = tool_put(o, ",\"load_errors\":");
    if (rc == 0) rc = tool_put_u64(o, errors);
    if (rc == 0) rc = tool_put(o, ",\"truncated\":");
    if (rc == 0) rc = tool_put(o, w.truncated ? "true" : "false");
    if (rc == 0) rc = tool_put(o, ",\"by_scenario\":{");
    for (size_t i = 0; rc == 0 && i < k;) {
        size_t j = i;
        while (j < k && strcmp(ents[j].pillar, ents[i].pillar) == 0) j++;
        if (i) rc = tool_put(o, ",");
        if (!rc) rc = tool_put_str(o, ents[i].pillar);
        if (!rc) rc = tool_put(o, ":{\"count\":");
        if (!rc) rc = tool_put_u64(o, j - i);
        if (!rc) rc = tool_put(o, ",\"by_verdict\":{");
        for (size_t a = i; rc == 0 && a < j;) {
            size_t b = a;
            while (b < j && strcmp(ents[b].outcome, ents[a].outcome) == 0) b++;
            if (a > i) rc = tool_put(o, ",");
            if (!rc) rc = tool_put_str(o, ents[a].outcome);
            if (!rc) rc = tool_put(o, ":");
            if (!rc) rc = tool_put_u64(o, b - a);
            a = b;
        }
        if (!rc) rc = tool_put(o, "}}");
        i = j;
    }
    if (rc == 0) rc = tool_put(o, "},\"proofs\":");
    if (rc == 0) rc = tool_putn(o, proofs.data, proofs.len);
    if (rc == 0) rc = tool_put(o, "}");
    for (size_t i = 0; i < w.n; i++) free(w.paths[i]);
    for (size_t i = 0; ents && i < k; i++) {
        free(ents[i].pillar);
        free(ents[i].outcome);
    }
    /* entries past k (load errors) own no strings; entries moved down were freed above */
    free(ents);
    free(w.paths);
    prova_buf_free(&proofs);
    return tool_done(rc);
}
