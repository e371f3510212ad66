/* The MCP tools of `prova mcp` (docs/mcp-tools.md): the reference's read-only proof tools (ophamin.md §5),
 * prova's document tools (verify, canonicalize, hash, pack_envelope, export, jwks) and the store tools. Every tool
 * that touches the store, and verify_proof, canonicalize_value and verify, call the service layer (src/app) as the
 * HTTP routes do, so that MCP and HTTP cannot disagree.
 *
 * Conventions of this file: a helper that refuses the caller's arguments sets a tool error in res and returns
 * TOOL_ERR (1); 0 is success and a negative PROVA_E* an internal failure. A tool's run() maps TOOL_ERR to 0. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mcp.h"
#include "prova/cloudevents.h"
#include "prova/crypto.h"
#include "prova/interop.h"
#include "prova/intoto.h"
#include "prova/ope.h"
#include "prova/openlineage.h"
#include "prova/proof.h"
#include "prova/rocrate.h"
#include "prova/verify.h"

#define TOOL_ERR 1
#define ID_MAX APP_ID_MAX                     /* trace, chain and certificate ids */
#define INDEX_MAX_FILES 10000                 /* read_proof_index: *.json files looked at */
#define INDEX_MAX_DEPTH 32                    /* read_proof_index: directory nesting */
#define INDEX_MAX_FILE ((off_t)16 << 20)      /* read_proof_index: bytes of one file */

static const char NO_STORE[] = "no store: run `prova mcp --data DIR` (a gateway data directory) or use the /mcp "
                               "endpoint of `prova serve`";

/* ---- Results ------------------------------------------------------------------------------------------------ */

int mcp_tool_error(mcp_result *res, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    size_t len = (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    res->is_error = true;
    res->text.len = 0;
    res->structured.len = 0;
    return prova_buf_append(&res->text, msg, len) < 0 ? PROVA_ENOMEM : 0;
}

void mcp_result_free(mcp_result *res) {
    if (!res) return;
    prova_buf_free(&res->structured);
    prova_buf_free(&res->text);
    res->is_error = false;
}

static int terr(mcp_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int terr(mcp_result *res, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mcp_tool_error(res, "%s", msg) < 0 ? PROVA_ENOMEM : TOOL_ERR;
}

static int done(int rc) { return rc == TOOL_ERR ? 0 : rc; }

/* ---- Writing JSON ------------------------------------------------------------------------------------------- */

static int put(prova_buf *b, const char *s) { return prova_buf_append(b, s, strlen(s)); }
static int put_n(prova_buf *b, const void *s, size_t n) { return prova_buf_append(b, s, n); }
/* A JSON string literal of n bytes of UTF-8. */
static int put_strn(prova_buf *b, const char *s, size_t n) {
    return prova_canon_write_string(s, n, PROVA_PROFILE_OPE, b);
}
static int put_str(prova_buf *b, const char *s) { return put_strn(b, s, strlen(s)); }
static int put_u64(prova_buf *b, unsigned long long v) {
    char num[32];
    int n = snprintf(num, sizeof num, "%llu", v);
    return put_n(b, num, (size_t)n);
}
/* A value as compact JSON (members in code point order, UTF-8 kept). */
static int put_value(prova_buf *b, const prova_json *v) {
    prova_error e;
    return prova_canon_write(v, PROVA_PROFILE_OPE, b, &e);
}

/* ---- Arguments ------------------------------------------------------------------------------------------------ */

/* Refuses members of args that the tool does not take (its inputSchema says additionalProperties false). */
static int check_args(mcp_result *res, const prova_json *args, const char *const *names) {
    if (!prova_json_is_object(args)) return terr(res, "the arguments must be a JSON object");
    for (size_t i = 0; i < args->len; i++) {
        const prova_json *k = &args->u.members[i].key;
        bool ok = false;
        for (size_t j = 0; names[j] && !ok; j++) ok = prova_json_str_eq(k, names[j]);
        if (ok) continue;
        char list[512] = "";
        size_t used = 0;
        for (size_t j = 0; names[j]; j++) {
            int n = snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "", names[j]);
            if (n < 0 || (size_t)n >= sizeof list - used) break;
            used += (size_t)n;
        }
        return terr(res, "unknown argument '%.64s' (this tool takes: %s)", prova_json_str(k),
                    names[0] ? list : "no arguments");
    }
    return 0;
}

/* A string argument: *ret is NULL when absent (or null) and not required. NUL bytes are refused. */
static int arg_str(mcp_result *res, const prova_json *args, const char *name, bool required, const char *what,
                   const prova_json **ret) {
    const prova_json *v = prova_json_get(args, name);
    *ret = NULL;
    if (!v || prova_json_is_null(v)) {
        if (required) return terr(res, "argument '%s' is required (%s)", name, what);
        return 0;
    }
    if (!prova_json_is_string(v)) return terr(res, "argument '%s' must be a string (%s)", name, what);
    if (strlen(prova_json_str(v)) != prova_json_len(v))
        return terr(res, "argument '%s' must not contain NUL characters", name);
    *ret = v;
    return 0;
}

static int arg_bool(mcp_result *res, const prova_json *args, const char *name, bool *ret) {
    const prova_json *v = prova_json_get(args, name);
    if (!v || prova_json_is_null(v)) return 0;
    if (!prova_json_is_bool(v)) return terr(res, "argument '%s' must be a boolean (true or false)", name);
    *ret = prova_json_typeof(v) == PROVA_JSON_TRUE;
    return 0;
}

static int arg_object(mcp_result *res, const prova_json *args, const char *name, bool required, const char *what,
                      const prova_json **ret) {
    const prova_json *v = prova_json_get(args, name);
    *ret = NULL;
    if (!v || prova_json_is_null(v)) {
        if (required) return terr(res, "argument '%s' is required (%s)", name, what);
        return 0;
    }
    if (!prova_json_is_object(v)) return terr(res, "argument '%s' must be a JSON object (%s)", name, what);
    *ret = v;
    return 0;
}

/* An id that goes into a gateway path: 1-128 visible ASCII characters without '/', '?', '#', '%' or '\'. */
static int arg_id(mcp_result *res, const prova_json *args, const char *name, bool required, const char **ret) {
    const prova_json *v;
    int rc = arg_str(res, args, name, required, "an id: 1-128 visible ASCII characters", &v);
    *ret = NULL;
    if (rc || !v) return rc;
    const char *s = prova_json_str(v);
    size_t n = prova_json_len(v);
    bool ok = n >= 1 && n <= ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] > 0x20 && s[i] < 0x7f && !strchr("/?#%\\", s[i]);
    if (!ok)
        return terr(res, "argument '%s' must be an id: 1-%d visible ASCII characters without '/', '?', '#', '%%' or "
                         "'\\'", name, ID_MAX);
    *ret = s;
    return 0;
}

static uint32_t depth_of(const mcp_ctx *ctx) { return ctx->max_depth ? ctx->max_depth : PROVA_DEFAULT_MAX_DEPTH; }

/* Parses a string argument's JSON text; a failure is a tool error naming the argument and the position. */
static int parse_text(const mcp_ctx *ctx, mcp_result *res, const char *name, const void *text, size_t len,
                      uint32_t flags, prova_doc **ret) {
    prova_parse_options po = {0};
    po.flags = flags;
    po.max_depth = depth_of(ctx);
    prova_error e;
    int rc = prova_json_parse(text, len, &po, ret, &e);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0)
        return terr(res, "%s is not valid JSON: %s (%s) at line %zu, column %zu", name, e.message, e.reason, e.line,
                    e.column);
    return 0;
}

/* "value" (any JSON) or "value_json" (its text): exactly one. Appends the document's bytes to out (a value is
 * written compactly with its members sorted, which no canonical form depends on). */
static int arg_document(const mcp_ctx *ctx, mcp_result *res, const prova_json *args, const char *vname,
                        const char *tname, prova_buf *out) {
    (void)ctx;
    const prova_json *v = prova_json_get(args, vname);
    const prova_json *t = tname ? prova_json_get(args, tname) : NULL;
    if (v && t) return terr(res, "give either '%s' or '%s', not both", vname, tname);
    if (t) {
        if (!prova_json_is_string(t)) return terr(res, "argument '%s' must be a string of JSON text", tname);
        return put_n(out, prova_json_str(t), prova_json_len(t));
    }
    if (!v) {
        if (tname) return terr(res, "argument '%s' (any JSON value) or '%s' (JSON text) is required", vname, tname);
        return terr(res, "argument '%s' is required", vname);
    }
    if (!tname && prova_json_is_string(v)) return put_n(out, prova_json_str(v), prova_json_len(v));
    int rc = put_value(out, v);
    if (rc < 0 && rc != PROVA_ENOMEM) return terr(res, "argument '%s' cannot be written as JSON", vname);
    return rc;
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool cancelled(const mcp_ctx *ctx) { return ctx->cancelled && atomic_load(ctx->cancelled); }

/* ---- The gateway ---------------------------------------------------------------------------------------------- */

static int need_store(const mcp_ctx *ctx, mcp_result *res) {
    return app_has_store(ctx->a) ? 0 : terr(res, "%s", NO_STORE);
}

static int parse_big(const void *data, size_t len, prova_doc **ret) {
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    po.max_depth = 1000;
    return prova_json_parse(data, len, &po, ret, NULL);
}

/* Runs an operation of the service to its end (a write waits for its commit). A refusal becomes the tool error
 * "WHAT: refused (STATUS CODE): MESSAGE". 0 with the result in c->res, TOOL_ERR, or a negative status. */
static int finish_call(mcp_result *res, app_call *c, int rc, const char *what) {
    app_call_run(c, rc);
    if (!app_call_failed(c)) return 0;
    return terr(res, "%s: refused (%u %s): %.600s", what, c->err.status, c->err.code, c->err.message);
}

/* ---- verify_proof / canonicalize_value (the reference's, via proof_api.h) ---------------------------------- */

static int run_verify_proof(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"proof_json", "sign_key_b64", NULL};
    const prova_json *text, *key;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_str(res, args, "proof_json", true, "the proof record as JSON text", &text);
    if (!rc) rc = arg_str(res, args, "sign_key_b64", false, "the HMAC key as standard base64", &key);
    if (rc) return done(rc);
    app_call c;
    app_call_init(&c, ctx->a, ctx->token);
    app_proof_verify(&c, prova_json_str(text), prova_json_len(text), key ? prova_json_str(key) : "");
    app_call_run(&c, APP_DONE);
    if (app_call_failed(&c)) rc = terr(res, "%s", c.err.message);
    else rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
    app_call_free(&c);
    return done(rc);
}

static int run_canonicalize_value(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"value_json", "sign_key_b64", NULL};
    const prova_json *text, *key;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_str(res, args, "value_json", true, "the value as JSON text", &text);
    if (!rc) rc = arg_str(res, args, "sign_key_b64", false, "the HMAC key as standard base64", &key);
    if (rc) return done(rc);
    app_call c;
    app_call_init(&c, ctx->a, ctx->token);
    app_proof_canonicalize(&c, prova_json_str(text), prova_json_len(text), key ? prova_json_str(key) : "");
    app_call_run(&c, APP_DONE);
    if (app_call_failed(&c)) rc = terr(res, "%s", c.err.message);
    else rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
    app_call_free(&c);
    return done(rc);
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
    if (depth > INDEX_MAX_DEPTH || cancelled(w->ctx)) return 0;
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

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

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
        po.max_depth = depth_of(ctx);
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
    rc = put(proofs, proofs->len > 1 ? ",{\"path\":" : "{\"path\":");
    if (!rc) rc = put_str(proofs, path);
    if (why) {
        if (!rc) rc = put(proofs, ",\"error\":");
        if (!rc) rc = put_str(proofs, why);
        if (!rc) rc = put(proofs, "}");
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
    if (!rc) rc = put(proofs, ",\"scenario_pillar\":");
    if (!rc) rc = put_str(proofs, p);
    if (!rc) rc = put(proofs, ",\"verdict\":");
    if (!rc) rc = put_str(proofs, o);
    if (!rc) rc = put(proofs, ",\"proof_id_prefix\":\"");
    if (!rc) rc = put(proofs, id);
    if (!rc) rc = put(proofs, "\",\"schema_version\":");
    if (!rc) rc = put_value(proofs, prova_json_get(root, "schema_version"));
    if (!rc) rc = put(proofs, "}");
out:
    prova_doc_free(doc);
    prova_buf_free(&data);
    return rc < 0 ? rc : 0;
}

static int run_read_proof_index(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"directory", NULL};
    const prova_json *dirv;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_str(res, args, "directory", true, "a directory path on the server", &dirv);
    if (rc) return done(rc);
    const char *arg = prova_json_str(dirv);
    if (!arg) return PROVA_EINVAL;
    char dir[4096];
    if (arg[0] == '~' && (arg[1] == '/' || arg[1] == '\0')) {
        const char *home = getenv("HOME");
        if (!home || !*home) return done(terr(res, "directory: cannot expand '~' (HOME is not set)"));
        snprintf(dir, sizeof dir, "%s%s", home, arg + 1);
    } else {
        snprintf(dir, sizeof dir, "%s", arg);
    }
    if (!dir[0]) return done(terr(res, "directory must not be empty"));
    if (strlen(arg) >= sizeof dir - 256) return done(terr(res, "directory is too long"));
    struct stat st;
    if (stat(dir, &st) != 0) return done(terr(res, "directory does not exist: %s (%s)", dir, strerror(errno)));
    if (!S_ISDIR(st.st_mode)) return done(terr(res, "directory is not a directory: %s", dir));

    index_walk w = {.ctx = ctx};
    rc = walk(&w, dir, 0);
    index_entry *ents = rc == 0 && w.n ? calloc(w.n, sizeof *ents) : NULL;
    if (rc == 0 && w.n && !ents) rc = PROVA_ENOMEM;
    if (rc == 0) qsort(w.paths, w.n, sizeof *w.paths, cmp_str);
    prova_buf proofs = PROVA_BUF_INIT;
    size_t total = 0, errors = 0;
    if (rc == 0) rc = put(&proofs, "[");
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        if (cancelled(ctx)) {
            rc = terr(res, "cancelled");
            break;
        }
        ents[i].path = w.paths[i];
        rc = index_one(ctx, w.paths[i], &proofs, &ents[i]);
        if (ents[i].pillar) total++;
        else errors++;
    }
    if (rc == 0) rc = put(&proofs, "]");
    /* by_scenario: the loaded proofs grouped by pillar, then by outcome, in code point order. */
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < w.n; i++)
        if (ents[i].pillar) ents[k++] = ents[i];
    if (rc == 0 && k) qsort(ents, k, sizeof *ents, cmp_entry);
    prova_buf *o = &res->structured;
    if (rc == 0) rc = put(o, "{\"directory\":");
    if (rc == 0) rc = put_str(o, dir);
    if (rc == 0) rc = put(o, ",\"total_proofs\":");
    if (rc == 0) rc = put_u64(o, total);
    if (rc == 0) rc = put(o, ",\"load_errors\":");
    if (rc == 0) rc = put_u64(o, errors);
    if (rc == 0) rc = put(o, ",\"truncated\":");
    if (rc == 0) rc = put(o, w.truncated ? "true" : "false");
    if (rc == 0) rc = put(o, ",\"by_scenario\":{");
    for (size_t i = 0; rc == 0 && i < k;) {
        size_t j = i;
        while (j < k && strcmp(ents[j].pillar, ents[i].pillar) == 0) j++;
        if (i) rc = put(o, ",");
        if (!rc) rc = put_str(o, ents[i].pillar);
        if (!rc) rc = put(o, ":{\"count\":");
        if (!rc) rc = put_u64(o, j - i);
        if (!rc) rc = put(o, ",\"by_verdict\":{");
        for (size_t a = i; rc == 0 && a < j;) {
            size_t b = a;
            while (b < j && strcmp(ents[b].outcome, ents[a].outcome) == 0) b++;
            if (a > i) rc = put(o, ",");
            if (!rc) rc = put_str(o, ents[a].outcome);
            if (!rc) rc = put(o, ":");
            if (!rc) rc = put_u64(o, b - a);
            a = b;
        }
        if (!rc) rc = put(o, "}}");
        i = j;
    }
    if (rc == 0) rc = put(o, "},\"proofs\":");
    if (rc == 0) rc = put_n(o, proofs.data, proofs.len);
    if (rc == 0) rc = put(o, "}");
    for (size_t i = 0; i < w.n; i++) free(w.paths[i]);
    for (size_t i = 0; ents && i < k; i++) {
        free(ents[i].pillar);
        free(ents[i].outcome);
    }
    /* entries past k (load errors) own no strings; entries moved down were freed above */
    free(ents);
    free(w.paths);
    prova_buf_free(&proofs);
    return done(rc);
}

/* ---- verify ------------------------------------------------------------------------------------------------------ */

static int run_verify(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"document", "jwks", "hmac_key_b64", "trust_embedded_key", "now",
                                        "max_skew_s", "no_skew", NULL};
    app_verify_args o = {0};
    o.keys = ctx->keys;
    prova_buf doc = PROVA_BUF_INIT, jwks = PROVA_BUF_INIT;
    prova_keyset *ks = NULL;
    const prova_json *hk, *now, *jv = prova_json_get(args, "jwks"), *skew = prova_json_get(args, "max_skew_s");
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_document(ctx, res, args, "document", NULL, &doc);
    if (!rc) rc = arg_str(res, args, "hmac_key_b64", false, "a proof record's HMAC key as standard base64", &hk);
    if (!rc) rc = arg_str(res, args, "now", false, "the verifier's clock, RFC 3339", &now);
    if (!rc) rc = arg_bool(res, args, "trust_embedded_key", &o.trust_embedded_key);
    if (!rc) rc = arg_bool(res, args, "no_skew", &o.no_skew);
    if (!rc && hk) o.hmac_key_b64 = prova_json_str(hk);
    if (!rc && now && prova_time_parse(prova_json_str(now), prova_json_len(now), &o.now_us) < 0)
        rc = terr(res, "argument 'now' must be an RFC 3339 time such as 2026-01-01T00:00:00Z");
    if (!rc && skew && !prova_json_is_null(skew)) {
        int64_t s = 0;
        if (!prova_json_is_int(skew) || prova_json_get_int64(skew, &s) < 0 || s < 1 || s > 315360000)
            rc = terr(res, "argument 'max_skew_s' must be an integer number of seconds from 1 to 315360000");
        o.max_skew_s = s;
    }
    if (!rc && jv && !prova_json_is_null(jv)) {
        if (prova_json_is_string(jv)) rc = put_n(&jwks, prova_json_str(jv), prova_json_len(jv));
        else if (prova_json_is_object(jv)) rc = put_value(&jwks, jv);
        else rc = terr(res, "argument 'jwks' must be a JWKS object {\"keys\":[...]} or its JSON text");
        ks = rc ? NULL : prova_keyset_new();
        if (!rc && !ks) rc = PROVA_ENOMEM;
        prova_error e;
        int n = rc ? 0 : prova_keyset_add_jwks(ks, jwks.data, jwks.len, "jwks:argument", &e);
        if (n == PROVA_ENOMEM) rc = n;
        else if (n < 0) rc = terr(res, "argument 'jwks' is not a usable JWKS: %s", e.message);
        else if (!rc && n == 0) rc = terr(res, "argument 'jwks' holds no supported public key");
        o.keys = ks;
    }
    if (!rc) {
        app_call c;
        app_call_init(&c, ctx->a, ctx->token);
        app_verify(&c, doc.data, doc.len, &o, NULL);
        if (!app_call_failed(&c)) rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
        else if (c.err.status == APP_E_INPUT && strcmp(c.err.code, "invalid_argument") != 0)
            rc = terr(res, "document is not valid JSON: %s (%s)", c.err.message, c.err.code);
        else if (c.err.status < 500)
            rc = terr(res, "document cannot be verified: %s", c.err.message);
        else
            rc = terr(res, "document cannot be verified now: %s (%s)", c.err.message, c.err.code);
        app_call_free(&c);
    }
    prova_keyset_free(ks);
    prova_buf_free(&doc);
    prova_buf_free(&jwks);
    return done(rc);
}

/* ---- canonicalize / hash ---------------------------------------------------------------------------------- */

/* The profile argument (default ope) and the canonical bytes of value / value_json under it. */
static int canon_args(const mcp_ctx *ctx, const prova_json *args, mcp_result *res, prova_profile *ret_p,
                      prova_buf *canon) {
    const prova_json *pv;
    int rc = arg_str(res, args, "profile", false, "ope, ophamin or jcs", &pv);
    if (rc) return rc;
    *ret_p = PROVA_PROFILE_OPE;
    if (pv && prova_profile_lookup(prova_json_str(pv), ret_p) < 0)
        return terr(res, "argument 'profile' must be ope, ophamin or jcs (not '%.64s')", prova_json_str(pv));
    prova_error e;
    const prova_json *value = prova_json_get(args, "value"), *text = prova_json_get(args, "value_json");
    if (value && text) return terr(res, "give either 'value' or 'value_json', not both");
    if (!value && !text) return terr(res, "argument 'value' (any JSON value) or 'value_json' (JSON text) is required");
    if (value) {
        rc = prova_canon_write(value, *ret_p, canon, &e);
        if (rc < 0 && rc != PROVA_ENOMEM)
            return terr(res, "value has no %s canonical form: %s", prova_profile_name(*ret_p), e.message);
        return rc;
    }
    if (!prova_json_is_string(text)) return terr(res, "argument 'value_json' must be a string of JSON text");
    prova_doc *doc = NULL;
    uint32_t flags = *ret_p == PROVA_PROFILE_OPHAMIN ? PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES
                                                     : 0;
    rc = parse_text(ctx, res, "value_json", prova_json_str(text), prova_json_len(text), flags, &doc);
    if (rc) return rc;
    rc = prova_canon_write(prova_doc_root(doc), *ret_p, canon, &e);
    prova_doc_free(doc);
    if (rc < 0 && rc != PROVA_ENOMEM)
        return terr(res, "value_json has no %s canonical form: %s", prova_profile_name(*ret_p), e.message);
    return rc;
}

static int run_canonicalize(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"value", "value_json", "profile", NULL};
    prova_buf canon = PROVA_BUF_INIT;
    prova_profile p = PROVA_PROFILE_OPE;
    int rc = check_args(res, args, names);
    if (!rc) rc = canon_args(ctx, args, res, &p, &canon);
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    if (!rc) rc = prova_hash_hex(PROVA_HASH_SHA256, canon.data, canon.len, hex);
    prova_buf *o = &res->structured;
    if (!rc) rc = put(o, "{\"profile\":");
    if (!rc) rc = put_str(o, prova_profile_name(p));
    if (!rc) rc = put(o, ",\"canonical\":");
    if (!rc) rc = put_strn(o, (const char *)canon.data, canon.len);
    if (!rc) rc = put(o, ",\"bytes_len\":");
    if (!rc) rc = put_u64(o, canon.len);
    if (!rc) rc = put(o, ",\"sha256_hex\":\"");
    if (!rc) rc = put(o, hex);
    if (!rc) rc = put(o, "\",\"cid\":\"sha256:");
    if (!rc) rc = put(o, hex);
    if (!rc) rc = put(o, "\"}");
    prova_buf_free(&canon);
    return done(rc);
}

static int run_hash(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"value", "value_json", "profile", "alg", NULL};
    prova_buf canon = PROVA_BUF_INIT;
    prova_profile p = PROVA_PROFILE_OPE;
    prova_hash_alg alg = PROVA_HASH_SHA256;
    const prova_json *av;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_str(res, args, "alg", false, "sha256, sha384, sha512, sha3-256, sha3-384 or sha3-512", &av);
    if (!rc && av && prova_hash_lookup(prova_json_str(av), &alg) < 0)
        rc = terr(res, "argument 'alg' must be sha256, sha384, sha512, sha3-256, sha3-384 or sha3-512 (not '%.64s')",
                  prova_json_str(av));
    if (!rc) rc = canon_args(ctx, args, res, &p, &canon);
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    if (!rc) rc = prova_hash_hex(alg, canon.data, canon.len, hex);
    prova_buf *o = &res->structured;
    if (!rc) rc = put(o, "{\"alg\":");
    if (!rc) rc = put_str(o, prova_hash_name(alg));
    if (!rc) rc = put(o, ",\"profile\":");
    if (!rc) rc = put_str(o, prova_profile_name(p));
    if (!rc) rc = put(o, ",\"hex\":\"");
    if (!rc) rc = put(o, hex);
    if (!rc) rc = put(o, "\"}");
    prova_buf_free(&canon);
    return done(rc);
}

/* ---- pack_envelope ------------------------------------------------------------------------------------------ */

static int run_pack_envelope(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"payload", "payload_type", "target_type", "trace_id", "dialect", NULL};
    const prova_json *payload, *pt, *tt, *tr, *dv;
    prova_envelope_params p = {0};
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_object(res, args, "payload", true, "the payload object", &payload);
    if (!rc) rc = arg_str(res, args, "payload_type", true, "e.g. openai.tooluse.invoice.v1", &pt);
    if (!rc) rc = arg_str(res, args, "target_type", true, "e.g. invoice.iso20022.v1", &tt);
    if (!rc) rc = arg_str(res, args, "trace_id", false, "the trace to join; absent: a new UUIDv4", &tr);
    if (!rc) rc = arg_str(res, args, "dialect", false, "prova, ope-lib or starter", &dv);
    if (!rc && (prova_json_len(pt) == 0 || prova_json_len(pt) > 256))
        rc = terr(res, "argument 'payload_type' must be 1-256 bytes");
    if (!rc && (prova_json_len(tt) == 0 || prova_json_len(tt) > 256))
        rc = terr(res, "argument 'target_type' must be 1-256 bytes");
    if (!rc && tr && (prova_json_len(tr) == 0 || prova_json_len(tr) > ID_MAX))
        rc = terr(res, "argument 'trace_id' must be 1-%d bytes", ID_MAX);
    if (!rc && dv && prova_ope_dialect_lookup(prova_json_str(dv), &p.dialect) < 0)
        rc = terr(res, "argument 'dialect' must be prova, ope-lib or starter (not '%.64s')", prova_json_str(dv));
    if (!rc && !ctx->key) rc = terr(res, "no signing key: --key or --data");
    if (rc) return done(rc);
    char ts[40];
    prova_time_format(now_us(), ts);
    p.payload_type = prova_json_str(pt);
    p.target_type = prova_json_str(tt);
    p.trace_id = tr ? prova_json_str(tr) : NULL;
    p.ts = ts;
    prova_buf env = PROVA_BUF_INIT;
    prova_error e;
    prova_doc *doc = NULL;
    rc = prova_envelope_pack(ctx->key, payload, &p, &env, &e);
    if (rc < 0 && rc != PROVA_ENOMEM) {
        rc = rc == PROVA_EKEY ? terr(res, "the server's signing key cannot sign envelopes: %s", e.message)
                              : terr(res, "the envelope cannot be made: %s (%s)", e.message, e.reason);
    }
    if (!rc) rc = parse_big(env.data, env.len, &doc);
    const prova_json *root = doc ? prova_doc_root(doc) : NULL;
    prova_buf *o = &res->structured;
    const char *kid = prova_key_kid(ctx->key);
    if (!rc) rc = put(o, "{\"envelope\":");
    if (!rc) rc = put_n(o, env.data, env.len);
    if (!rc) rc = put(o, ",\"cid\":");
    if (!rc) rc = put_value(o, prova_json_get(root, "cid"));
    if (!rc) rc = put(o, ",\"trace_id\":");
    if (!rc) rc = put_value(o, prova_json_get(root, "trace_id"));
    if (!rc) rc = put(o, ",\"kid\":");
    if (!rc) rc = put_str(o, kid ? kid : "");
    if (!rc) rc = put(o, "}");
    prova_doc_free(doc);
    prova_buf_free(&env);
    return done(rc);
}

/* ---- OPE store tools ----------------------------------------------------------------------------------------- */

static int run_append_receipt(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"envelope", NULL};
    const prova_json *env;
    prova_buf body = PROVA_BUF_INIT;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_object(res, args, "envelope", true, "a signed OPE envelope, e.g. from pack_envelope", &env);
    if (!rc) rc = need_store(ctx, res);
    if (!rc) rc = put_value(&body, env);
    if (!rc) {
        app_call c;
        app_call_init(&c, ctx->a, ctx->token);
        rc = finish_call(res, &c, app_ope_append(&c, body.data, body.len, NULL, NULL), "append_receipt");
        if (!rc) rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
        app_call_free(&c);
    }
    prova_buf_free(&body);
    return done(rc);
}

/* The receipts of a trace as {trace_id, receipts:[...]}; *ret_count receives their number. */
int mcp_tools_trace_chain(const mcp_ctx *ctx, mcp_result *res, const char *trace_id, size_t *ret_count) {
    app_call c;
    app_call_init(&c, ctx->a, ctx->token);
    int rc = finish_call(res, &c, app_ope_chain(&c, trace_id), "get_chain");
    prova_doc *doc = NULL;
    if (!rc) rc = parse_big(c.res.body.data, c.res.body.len, &doc);
    if (!rc) {
        const prova_json *hops = prova_doc_root(doc);
        prova_buf *o = &res->structured;
        rc = put(o, "{\"trace_id\":");
        if (!rc) rc = put_str(o, trace_id);
        if (!rc) rc = put(o, ",\"receipts\":");
        if (!rc) rc = put_n(o, c.res.body.data, c.res.body.len);
        if (!rc) rc = put(o, "}");
        *ret_count = prova_json_len(hops);
    }
    prova_doc_free(doc);
    app_call_free(&c);
    return rc;
}

static int run_get_chain(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"trace_id", NULL};
    const char *id;
    size_t n = 0;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_id(res, args, "trace_id", true, &id);
    if (!rc) rc = need_store(ctx, res);
    if (!rc) rc = mcp_tools_trace_chain(ctx, res, id, &n);
    return done(rc);
}

static int run_export_bundle(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"trace_id", NULL};
    const char *id;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_id(res, args, "trace_id", true, &id);
    if (!rc) rc = need_store(ctx, res);
    if (rc) return done(rc);
    app_call c;
    app_call_init(&c, ctx->a, ctx->token);
    rc = finish_call(res, &c, app_ope_export(&c, id), "export_bundle");
    if (!rc) rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
    app_call_free(&c);
    return done(rc);
}

/* ---- OpenExecution store tools ------------------------------------------------------------------------------ */

static int run_oe_append_event(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"chain_id", "chain", "event", NULL};
    static const char *const event_names[] = {"event_type", "type", "actor_id", "actor", "actor_type", "sentiment",
                                              "payload", NULL};
    const char *chain_id;
    const prova_json *chain, *event;
    prova_buf body = PROVA_BUF_INIT, cbody = PROVA_BUF_INIT;
    char created[ID_MAX + 1] = "";
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_id(res, args, "chain_id", false, &chain_id);
    if (!rc) rc = arg_object(res, args, "chain", false, "chain_type, origin_type, origin_id, hash_algorithm", &chain);
    if (!rc) rc = arg_object(res, args, "event", true, "{event_type, payload, actor_id, actor_type, sentiment}", &event);
    if (!rc && chain && chain_id) rc = terr(res, "argument 'chain' applies only when 'chain_id' is absent");
    /* The event: the operation's members, with the aliases type (event_type) and actor (actor_id). */
    for (size_t i = 0; !rc && i < event->len; i++) {
        const prova_json *k = &event->u.members[i].key;
        bool ok = false;
        for (size_t j = 0; event_names[j] && !ok; j++) ok = prova_json_str_eq(k, event_names[j]);
        if (!ok)
            rc = terr(res, "event.%.64s is not an event member (event_type or type, payload, actor_id or actor, "
                           "actor_type, sentiment)", prova_json_str(k));
    }
    const prova_json *et = NULL, *actor = NULL;
    if (!rc) {
        et = prova_json_get(event, "event_type");
        const prova_json *t = prova_json_get(event, "type");
        actor = prova_json_get(event, "actor_id");
        const prova_json *a = prova_json_get(event, "actor");
        if (et && t) rc = terr(res, "event: give event_type or type, not both");
        else if (actor && a) rc = terr(res, "event: give actor_id or actor, not both");
        if (!et) et = t;
        if (!actor) actor = a;
        if (!rc && !prova_json_is_string(et))
            rc = terr(res, "event.event_type is required (a string of 1-64 bytes)");
    }
    if (!rc) rc = need_store(ctx, res);
    if (!rc) rc = put(&body, "{\"event_type\":");
    if (!rc) rc = put_value(&body, et);
    if (!rc && actor) rc = put(&body, ",\"actor_id\":");
    if (!rc && actor) rc = put_value(&body, actor);
    static const char *const copy[] = {"actor_type", "sentiment", "payload"};
    for (size_t i = 0; !rc && i < sizeof copy / sizeof *copy; i++) {
        const prova_json *v = prova_json_get(event, copy[i]);
        if (!v) continue;
        rc = put(&body, ",\"");
        if (!rc) rc = put(&body, copy[i]);
        if (!rc) rc = put(&body, "\":");
        if (!rc) rc = put_value(&body, v);
    }
    if (!rc) rc = put(&body, "}");
    if (!rc && !chain_id) {
        if (chain) rc = put_value(&cbody, chain);
        app_call c;
        app_call_init(&c, ctx->a, ctx->token);
        if (!rc)
            rc = finish_call(res, &c, app_oe_chain_create(&c, chain ? cbody.data : (const uint8_t *)"{}",
                                                          chain ? cbody.len : 2),
                             "oe_append_event (creating the chain)");
        if (!rc) {
            memcpy(created, c.res.id, sizeof created);
            chain_id = created;
        }
        app_call_free(&c);
    }
    app_call c;
    app_call_init(&c, ctx->a, ctx->token);
    if (!rc) {
        rc = finish_call(res, &c, app_oe_event_append(&c, chain_id, body.data, body.len), "oe_append_event");
        if (rc == TOOL_ERR && created[0]) {
            /* Say which chain was made: the caller may append to it once the event is corrected. */
            char msg[1100];
            snprintf(msg, sizeof msg, "%.*s (the chain %s was created and is empty)", (int)res->text.len,
                     (const char *)res->text.data, created);
            rc = terr(res, "%s", msg);
        }
    }
    if (!rc) {
        prova_buf *o = &res->structured;
        rc = put(o, "{\"chain_id\":");
        if (!rc) rc = put_str(o, chain_id);
        if (!rc) rc = put(o, created[0] ? ",\"chain_created\":true,\"event\":" : ",\"chain_created\":false,\"event\":");
        if (!rc) rc = put_n(o, c.res.body.data, c.res.body.len);
        if (!rc) rc = put(o, "}");
    }
    app_call_free(&c);
    prova_buf_free(&body);
    prova_buf_free(&cbody);
    return done(rc);
}

static int run_oe_issue_certificate(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"chain_id", "artifact_type", "artifact_ref", "artifact_title", NULL};
    const char *chain_id;
    const prova_json *at, *ar, *ti;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_id(res, args, "chain_id", true, &chain_id);
    if (!rc) rc = arg_str(res, args, "artifact_type", true, "1-64 bytes, e.g. report", &at);
    if (!rc) rc = arg_str(res, args, "artifact_ref", true, "1-512 bytes: what the certificate is about", &ar);
    if (!rc) rc = arg_str(res, args, "artifact_title", false, "1-500 bytes", &ti);
    if (!rc) rc = need_store(ctx, res);
    if (rc) return done(rc);
    /* Resolve first when the chain is still open. */
    char status[16] = "";
    app_call c;
    app_call_init(&c, ctx->a, ctx->token);
    rc = finish_call(res, &c, app_oe_chain_status(&c, chain_id, status), "oe_issue_certificate (reading the chain)");
    app_call_free(&c);
    if (!rc && strcmp(status, "open") == 0) {
        app_call_init(&c, ctx->a, ctx->token);
        rc = finish_call(res, &c, app_oe_resolve(&c, chain_id, "{}", 2), "oe_issue_certificate (resolving the chain)");
        app_call_free(&c);
    }
    prova_buf body = PROVA_BUF_INIT;
    if (!rc) rc = put(&body, "{\"artifact_type\":");
    if (!rc) rc = put_value(&body, at);
    if (!rc) rc = put(&body, ",\"artifact_ref\":");
    if (!rc) rc = put_value(&body, ar);
    if (!rc && ti) rc = put(&body, ",\"artifact_title\":");
    if (!rc && ti) rc = put_value(&body, ti);
    if (!rc) rc = put(&body, "}");
    if (!rc) {
        app_call_init(&c, ctx->a, ctx->token);
        rc = finish_call(res, &c, app_oe_certify(&c, chain_id, body.data, body.len), "oe_issue_certificate");
        if (!rc) rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
        app_call_free(&c);
    }
    prova_buf_free(&body);
    return done(rc);
}

static int run_oe_verify_certificate(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"certificate_id", "bundle", NULL};
    const char *id;
    const prova_json *bundle;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_id(res, args, "certificate_id", false, &id);
    if (!rc) rc = arg_object(res, args, "bundle", false, "an offline certificate bundle", &bundle);
    if (!rc && id && bundle) rc = terr(res, "give either 'certificate_id' or 'bundle', not both");
    if (!rc && !id && !bundle)
        rc = terr(res, "argument 'certificate_id' (a certificate in the store) or 'bundle' (an offline certificate "
                       "bundle object) is required");
    if (rc) return done(rc);
    app_call c;
    app_call_init(&c, ctx->a, ctx->token);
    if (id) {
        rc = need_store(ctx, res);
        if (!rc) rc = finish_call(res, &c, app_oe_verify(&c, id), "oe_verify_certificate");
        if (!rc) rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
        app_call_free(&c);
        return done(rc);
    }
    prova_buf doc = PROVA_BUF_INIT;
    app_verify_args o = {0};
    o.keys = ctx->keys;
    prova_report *r = NULL;
    rc = put_value(&doc, bundle);
    if (!rc) {
        app_verify(&c, doc.data, doc.len, &o, &r);
        if (app_call_failed(&c)) rc = terr(res, "bundle cannot be verified: %s", c.err.message);
    }
    if (!rc && strcmp(prova_report_kind(r), "oe_bundle") != 0)
        rc = terr(res, "bundle is not an OpenExecution certificate bundle (it reads as %s)", prova_report_kind(r));
    if (!rc) rc = put_n(&res->structured, c.res.body.data, c.res.body.len);
    prova_report_free(r);
    app_call_free(&c);
    prova_buf_free(&doc);
    return done(rc);
}

/* ---- export ---------------------------------------------------------------------------------------------------- */

static int lib_err(mcp_result *res, int rc, const char *to, const prova_error *e) {
    if (rc == PROVA_ENOMEM) return rc;
    return terr(res, "export to %s failed: %s (%s%s%s)", to, e->message, e->reason, e->pointer[0] ? " at " : "",
                e->pointer);
}

static int run_export(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {"document", "to", "options", NULL};
    const prova_json *tov = NULL, *opts = NULL;
    prova_buf data = PROVA_BUF_INIT, out = PROVA_BUF_INIT, meta = PROVA_BUF_INIT;
    prova_doc *doc = NULL;
    int rc = check_args(res, args, names);
    if (!rc) rc = arg_document(ctx, res, args, "document", NULL, &data);
    if (!rc) rc = arg_str(res, args, "to", true, "intoto, dsse, cloudevents, openlineage or ro-crate", &tov);
    if (!rc) rc = arg_object(res, args, "options", false, "cloudevents: source, type, mode; openlineage: namespace, "
                                                           "job", &opts);
    const char *to = rc ? "" : prova_json_str(tov);
    static const char *const tos[] = {"intoto", "dsse", "cloudevents", "openlineage", "ro-crate"};
    size_t which = 5;
    for (size_t i = 0; !rc && i < 5; i++)
        if (strcmp(to, tos[i]) == 0) which = i;
    if (!rc && which == 5)
        rc = terr(res, "argument 'to' must be intoto, dsse, cloudevents, openlineage or ro-crate (not '%.64s')", to);
    /* options: only the target's own members, each a non-empty string */
    static const char *const ce_opts[] = {"source", "type", "mode", NULL}, *const ol_opts[] = {"namespace", "job", NULL},
                             *const no_opts[] = {NULL};
    const char *const *allowed = which == 2 ? ce_opts : which == 3 ? ol_opts : no_opts;
    for (size_t i = 0; !rc && opts && i < opts->len; i++) {
        const prova_json *k = &opts->u.members[i].key, *v = &opts->u.members[i].value;
        bool ok = false;
        for (size_t j = 0; allowed[j] && !ok; j++) ok = prova_json_str_eq(k, allowed[j]);
        if (!ok)
            rc = terr(res, "options.%.64s does not apply to 'to': %s (cloudevents takes source, type, mode; "
                           "openlineage takes namespace, job)", prova_json_str(k), to);
        else if (!prova_json_is_string(v) || prova_json_len(v) == 0 || prova_json_len(v) > 1024 ||
                 strlen(prova_json_str(v)) != prova_json_len(v))
            rc = terr(res, "options.%s must be a non-empty string", prova_json_str(k));
    }
    const char *mode = opts && prova_json_get(opts, "mode") ? prova_json_str(prova_json_get(opts, "mode"))
                                                            : "structured";
    if (!rc && which == 2 && strcmp(mode, "structured") != 0 && strcmp(mode, "batch") != 0)
        rc = terr(res, "options.mode must be structured or batch (binary mode is an HTTP message, not JSON)");
    if (!rc && which == 1 && !ctx->key) rc = terr(res, "no signing key: --key or --data (export to dsse signs)");
    prova_error e;
    prova_record_info info;
    if (!rc) {
        prova_parse_options po = {0};
        po.max_depth = depth_of(ctx);
        int v = prova_record_parse(data.data, data.len, &po, &doc, &e);
        if (v == PROVA_ENOMEM) rc = v;
        else if (v < 0)
            rc = terr(res, "document is not valid JSON: %s (%s) at line %zu, column %zu", e.message, e.reason,
                      e.line, e.column);
    }
    const prova_json *record = doc ? prova_doc_root(doc) : NULL;
    if (!rc) {
        int v = prova_record_describe(record, &info, &e);
        if (v == PROVA_ENOMEM) rc = v;
        else if (v < 0) rc = terr(res, "document is not a record prova can export: %s (%s)", e.message, e.reason);
    }
    const char *ctype = "application/json";
    const char *fname = NULL;
    if (!rc) {
        int v = 0;
        switch (which) {
        case 0:
            ctype = PROVA_DSSE_INTOTO_PAYLOAD_TYPE;
            v = prova_intoto_statement(record, NULL, &out, &e);
            break;
        case 1: {
            ctype = "application/vnd.dsse.envelope.v1+json";
            prova_buf st = PROVA_BUF_INIT;
            prova_dsse_signer signer = {.key = ctx->key};
            v = prova_intoto_statement(record, NULL, &st, &e);
            if (v == 0) v = prova_dsse_sign(PROVA_DSSE_INTOTO_PAYLOAD_TYPE, st.data, st.len, &signer, 1, &out, &e);
            prova_buf_free(&st);
            break;
        }
        case 2: {
            const prova_json *src = prova_json_get(opts, "source"), *ty = prova_json_get(opts, "type");
            prova_ce_options co = {.source = src ? prova_json_str(src) : "urn:prova:mcp",
                                   .type = ty ? prova_json_str(ty) : NULL};
            if (strcmp(mode, "batch") == 0) {
                const prova_json *const one[1] = {record};
                ctype = PROVA_CE_BATCH_CONTENT_TYPE;
                v = prova_ce_wrap_batch(one, &info, 1, &co, &out, &e);
            } else {
                ctype = PROVA_CE_CONTENT_TYPE;
                v = prova_ce_wrap(record, &info, &co, &out, &e);
            }
            break;
        }
        case 3: {
            prova_openlineage_options oo = {0};
            const prova_json *ns = prova_json_get(opts, "namespace"), *job = prova_json_get(opts, "job");
            oo.ns = ns ? prova_json_str(ns) : NULL;
            oo.job = job ? prova_json_str(job) : NULL;
            oo.kind = info.kind;
            char t[40];
            time_t secs = (time_t)(now_us() / 1000000);
            struct tm tm;
            if (gmtime_r(&secs, &tm)) strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
            oo.event_time = t;
            prova_buf lines = PROVA_BUF_INIT;
            size_t n = 0;
            v = prova_openlineage_events(record, &oo, &lines, &n, &e);
            /* JSON Lines -> one JSON array */
            if (v == 0) v = put(&out, "[");
            size_t start = 0, k = 0;
            for (size_t i = 0; v == 0 && i < lines.len; i++) {
                if (lines.data[i] != '\n') continue;
                if (k++) v = put(&out, ",");
                if (v == 0) v = put_n(&out, lines.data + start, i - start);
                start = i + 1;
            }
            if (v == 0) v = put(&out, "]");
            prova_buf_free(&lines);
            break;
        }
        default:
            ctype = "application/ld+json";
            fname = prova_rocrate_filename(info.kind, false);
            if (!fname) {
                rc = terr(res, "export to ro-crate: no file name for a record of kind %s", info.kind);
                break;
            }
            v = prova_rocrate_metadata(record, data.data, data.len, fname, &meta, &e);
            /* The metadata file is pretty-printed; the output is compact (stdio frames messages by newlines). */
            if (v == 0) {
                prova_doc *md = NULL;
                v = parse_big(meta.data, meta.len, &md);
                if (v == 0) v = put_value(&out, prova_doc_root(md));
                prova_doc_free(md);
            }
            break;
        }
        if (!rc && v < 0) rc = lib_err(res, v, to, &e);
    }
    prova_buf *o = &res->structured;
    if (!rc) rc = put(o, "{\"to\":");
    if (!rc) rc = put_str(o, to);
    if (!rc) rc = put(o, ",\"content_type\":");
    if (!rc) rc = put_str(o, ctype);
    if (!rc) rc = put(o, ",\"kind\":");
    if (!rc) rc = put_str(o, info.kind);
    if (!rc) rc = put(o, ",\"output\":");
    if (!rc) rc = put_n(o, out.data, out.len);
    if (!rc && fname) {
        rc = put(o, ",\"files\":{");
        if (!rc) rc = put_str(o, PROVA_ROCRATE_METADATA_FILENAME);
        if (!rc) rc = put(o, ":");
        if (!rc) rc = put_strn(o, (const char *)meta.data, meta.len);
        if (!rc) rc = put(o, ",");
        if (!rc) rc = put_str(o, fname);
        if (!rc) rc = put(o, ":");
        if (!rc) rc = put_strn(o, (const char *)data.data, data.len);
        if (!rc) rc = put(o, "}");
    }
    if (!rc) rc = put(o, "}");
    prova_doc_free(doc);
    prova_buf_free(&data);
    prova_buf_free(&out);
    prova_buf_free(&meta);
    return done(rc);
}

/* ---- jwks ---------------------------------------------------------------------------------------------------------- */

static int run_jwks(const mcp_ctx *ctx, const prova_json *args, mcp_result *res) {
    static const char *const names[] = {NULL};
    int rc = check_args(res, args, names);
    if (rc) return done(rc);
    const prova_buf *jwks = app_jwks(ctx->a);
    if (app_has_store(ctx->a) && jwks->len) return put_n(&res->structured, jwks->data, jwks->len);
    if (ctx->key) {
        const prova_key *keys[1] = {ctx->key};
        return prova_jwks_write(keys, 1, &res->structured);
    }
    return done(terr(res, "no keys: run `prova mcp --data DIR` (the gateway's JWKS) or `prova mcp --key KEY`"));
}

/* ---- The table ------------------------------------------------------------------------------------------------- */

#define S_STR(d) "{\"type\":\"string\",\"description\":\"" d "\"}"
#define S_KEY S_STR("The HMAC key as standard base64; empty (the default) means the reference's public default key.")
#define S_DOC "{\"description\":\"Any JSON value, or a string holding JSON text.\"}"

static const char OUT_VERIFY_PROOF[] =
    "{\"type\":\"object\",\"required\":[\"verified\",\"proof_id\",\"schema_version\",\"attested\","
    "\"attestation_author\",\"attestation_verified\",\"verdict\",\"claim_statement\",\"framework_versions\"],"
    "\"properties\":{\"verified\":{\"type\":\"boolean\"},\"proof_id\":{\"type\":\"string\"},"
    "\"schema_version\":{},\"attested\":{\"type\":\"boolean\"},\"attestation_author\":{},"
    "\"attestation_verified\":{\"type\":\"boolean\"},\"verdict\":{\"type\":\"object\",\"required\":[\"outcome\","
    "\"observed_value\",\"reasoning\",\"threshold\"]},\"claim_statement\":{},\"framework_versions\":{\"type\":"
    "\"object\",\"required\":[\"ophamin_version_in_record\",\"ophamin_version_in_server\"]}}}";

static const char OUT_CANON_VALUE[] =
    "{\"type\":\"object\",\"required\":[\"canonical\",\"canonical_bytes_len\",\"sha256_hex\",\"hmac_sha256_hex\","
    "\"content_hash\"],\"additionalProperties\":false,\"properties\":{\"canonical\":{\"type\":\"string\"},"
    "\"canonical_bytes_len\":{\"type\":\"integer\",\"minimum\":0},\"sha256_hex\":{\"type\":\"string\",\"pattern\":"
    "\"^[0-9a-f]{64}$\"},\"hmac_sha256_hex\":{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64}$\"},\"content_hash\":"
    "{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64}$\"}}}";

static const char OUT_INDEX[] =
    "{\"type\":\"object\",\"required\":[\"directory\",\"total_proofs\",\"load_errors\",\"by_scenario\",\"proofs\"],"
    "\"properties\":{\"directory\":{\"type\":\"string\"},\"total_proofs\":{\"type\":\"integer\"},\"load_errors\":"
    "{\"type\":\"integer\"},\"truncated\":{\"type\":\"boolean\"},\"by_scenario\":{\"type\":\"object\","
    "\"additionalProperties\":{\"type\":\"object\",\"required\":[\"count\",\"by_verdict\"],\"properties\":{\"count\":"
    "{\"type\":\"integer\"},\"by_verdict\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}}}},"
    "\"proofs\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"path\"],\"oneOf\":[{\"required\":"
    "[\"error\"]},{\"required\":[\"scenario_pillar\",\"verdict\",\"proof_id_prefix\",\"schema_version\"]}],"
    "\"properties\":{\"path\":{\"type\":\"string\"},\"error\":{\"type\":\"string\"},\"scenario_pillar\":{\"type\":"
    "\"string\"},\"verdict\":{\"type\":\"string\"},\"proof_id_prefix\":{\"type\":\"string\",\"pattern\":"
    "\"^[0-9a-f]{16}$\"},\"schema_version\":{}}}}}}";

static const char OUT_REPORT[] =
    "{\"type\":\"object\",\"required\":[\"valid\",\"kind\",\"checks\",\"warnings\"],\"properties\":{\"valid\":"
    "{\"type\":\"boolean\"},\"kind\":{\"type\":\"string\"},\"checks\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\",\"required\":[\"check\",\"ok\",\"code\",\"message\",\"at\"],\"properties\":{\"check\":{\"type\":"
    "\"string\"},\"ok\":{\"type\":\"boolean\"},\"code\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"},"
    "\"at\":{\"type\":\"string\"}}}},\"warnings\":{\"type\":\"array\"},\"unauthenticated_fields\":{\"type\":"
    "\"array\",\"items\":{\"type\":\"string\"}},\"keys\":{\"type\":\"array\"},\"sdk_result\":{}}}";

static const char OUT_CANON[] =
    "{\"type\":\"object\",\"required\":[\"profile\",\"canonical\",\"bytes_len\",\"sha256_hex\",\"cid\"],"
    "\"additionalProperties\":false,\"properties\":{\"profile\":{\"enum\":[\"ope\",\"ophamin\",\"jcs\"]},"
    "\"canonical\":{\"type\":\"string\"},\"bytes_len\":{\"type\":\"integer\",\"minimum\":0},\"sha256_hex\":{\"type\":"
    "\"string\",\"pattern\":\"^[0-9a-f]{64}$\"},\"cid\":{\"type\":\"string\",\"pattern\":\"^sha256:[0-9a-f]{64}$\"}}}";

static const char OUT_HASH[] =
    "{\"type\":\"object\",\"required\":[\"alg\",\"profile\",\"hex\"],\"additionalProperties\":false,\"properties\":"
    "{\"alg\":{\"enum\":[\"sha256\",\"sha384\",\"sha512\",\"sha3-256\",\"sha3-384\",\"sha3-512\"]},\"profile\":"
    "{\"enum\":[\"ope\",\"ophamin\",\"jcs\"]},\"hex\":{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64,128}$\"}}}";

static const char OUT_PACK[] =
    "{\"type\":\"object\",\"required\":[\"envelope\",\"cid\",\"trace_id\",\"kid\"],\"properties\":{\"envelope\":"
    "{\"type\":\"object\",\"required\":[\"payload\",\"trace_id\",\"ts\"]},\"cid\":{\"type\":\"string\",\"pattern\":"
    "\"^sha256:[0-9a-f]{64}$\"},\"trace_id\":{\"type\":\"string\"},\"kid\":{\"type\":\"string\"}}}";

static const char OUT_RECEIPT[] =
    "{\"type\":\"object\",\"required\":[\"trace_id\",\"receipt\"],\"properties\":{\"trace_id\":{\"type\":"
    "\"string\"},\"receipt\":{\"type\":\"object\",\"required\":[\"hop\",\"receipt_hash\",\"receipt_signature\"],"
    "\"properties\":{\"hop\":{\"type\":\"integer\",\"minimum\":0},\"receipt_hash\":{\"type\":\"string\"}}},"
    "\"normalized_payload\":{},\"forwarded\":{},\"policy_engine\":{},\"sft_notes\":{}}}";

static const char OUT_CHAIN[] =
    "{\"type\":\"object\",\"required\":[\"trace_id\",\"receipts\"],\"additionalProperties\":false,\"properties\":"
    "{\"trace_id\":{\"type\":\"string\"},\"receipts\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"required\":[\"hop\",\"receipt_hash\"]}}}}";

static const char OUT_BUNDLE[] =
    "{\"type\":\"object\",\"required\":[\"bundle\",\"bundle_cid\",\"bundle_signature\"],\"properties\":"
    "{\"bundle\":{\"type\":\"object\",\"required\":[\"trace_id\",\"exported_at\",\"gateway_kid\",\"receipts\","
    "\"chain_valid\",\"count\"],\"properties\":{\"trace_id\":{\"type\":\"string\"},\"receipts\":{\"type\":"
    "\"array\"},\"count\":{\"type\":\"integer\"}}},\"bundle_cid\":{\"type\":\"string\",\"pattern\":"
    "\"^sha256:[0-9a-f]{64}$\"},\"bundle_signature\":{\"type\":\"string\"}}}";

static const char OUT_OE_EVENT[] =
    "{\"type\":\"object\",\"required\":[\"chain_id\",\"chain_created\",\"event\"],\"additionalProperties\":false,"
    "\"properties\":{\"chain_id\":{\"type\":\"string\"},\"chain_created\":{\"type\":\"boolean\"},\"event\":{\"type\":"
    "\"object\",\"required\":[\"id\",\"chain_id\",\"seq\",\"event_type\",\"event_hash\",\"prev_hash\","
    "\"created_at\"]}}}";

static const char OUT_OE_CERT[] =
    "{\"type\":\"object\",\"required\":[\"certificate\",\"certificate_id\",\"certificate_signature\",\"chain\","
    "\"public_key\",\"status\"],\"properties\":{\"certificate_id\":{\"type\":\"string\"},\"certificate\":{\"type\":"
    "\"object\"},\"certificate_signature\":{\"type\":\"string\"},\"chain\":{\"type\":\"object\"},\"public_key\":"
    "{\"type\":\"string\"},\"status\":{\"type\":\"object\"}}}";

static const char OUT_OE_VERIFY[] =
    "{\"type\":\"object\",\"required\":[\"valid\"],\"properties\":{\"valid\":{\"type\":\"boolean\"},"
    "\"signature_valid\":{\"type\":\"boolean\"},\"chain_hash_valid\":{\"type\":\"boolean\"},\"certificate\":{\"type\":"
    "\"object\"},\"chain\":{\"type\":\"object\"},\"integrity\":{\"type\":\"object\"},\"kind\":{\"type\":\"string\"},"
    "\"checks\":{\"type\":\"array\"},\"warnings\":{\"type\":\"array\"}},\"oneOf\":[{\"required\":[\"signature_valid\","
    "\"chain_hash_valid\",\"certificate\",\"chain\",\"integrity\"]},{\"required\":[\"kind\",\"checks\","
    "\"warnings\"]}]}";

static const char OUT_EXPORT[] =
    "{\"type\":\"object\",\"required\":[\"to\",\"content_type\",\"kind\",\"output\"],\"additionalProperties\":false,"
    "\"properties\":{\"to\":{\"enum\":[\"intoto\",\"dsse\",\"cloudevents\",\"openlineage\",\"ro-crate\"]},"
    "\"content_type\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},\"output\":{\"type\":[\"object\","
    "\"array\"]},\"files\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}}}";

static const char OUT_JWKS[] =
    "{\"type\":\"object\",\"required\":[\"keys\"],\"properties\":{\"keys\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\",\"required\":[\"kty\"]}}}}";

#define ID_ARG(name, d) "\"" name "\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":128,\"description\":\"" d "\"}"

static const mcp_tool tools[] = {
    {"verify_proof", "Verify an Ophamin proof record",
     "Verifies an Ophamin empirical-proof record exactly as the reference's verify_proof does: recomputes the "
     "proof_id, checks the HMAC-SHA256 signature under sign_key_b64 (default: the public default key) and the "
     "optional ed25519 attestation. A signature mismatch is a result (verified false), not an error.",
     "{\"type\":\"object\",\"properties\":{\"proof_json\":" S_STR("The proof record as JSON text.") ",\"sign_key_b64\":"
     S_KEY "},\"required\":[\"proof_json\"],\"additionalProperties\":false}",
     OUT_VERIFY_PROOF, true, false, true, false, run_verify_proof},
    {"canonicalize_value", "Ophamin canonical form of a value",
     "The reference's canonicalize_value: the canonical bytes of a JSON value (Python json.dumps sort_keys, compact, "
     "ensure_ascii), their length, SHA-256 and HMAC-SHA256 under sign_key_b64 (default: the public default key).",
     "{\"type\":\"object\",\"properties\":{\"value_json\":" S_STR("The value as JSON text (NaN and Infinity "
     "accepted as Python does).") ",\"sign_key_b64\":" S_KEY "},\"required\":[\"value_json\"],"
     "\"additionalProperties\":false}",
     OUT_CANON_VALUE, true, false, true, false, run_canonicalize_value},
    {"read_proof_index", "Index the proof records of a directory",
     "The reference's read_proof_index: reads every *.json file under a directory on the server (recursively, sorted, "
     "symbolic links and hidden entries skipped, at most 10000 files of 16 MiB) and counts the proof records by "
     "scenario pillar (evidence[0].pillar) and verdict; files that are not proof records are listed with an error.",
     "{\"type\":\"object\",\"properties\":{\"directory\":" S_STR("A directory path on the server; a leading ~ is the "
     "server user's home.") "},\"required\":[\"directory\"],\"additionalProperties\":false}",
     OUT_INDEX, true, false, true, true, run_read_proof_index},
    {"verify", "Verify any prova document",
     "Verifies any document prova knows (ODIN OPE envelopes, receipts, receipt chains and bundles; OpenExecution "
     "bundles, chains and events; Ophamin proof records; JSON Lines of receipts or events) and answers the unified "
     "report: valid, kind, one entry per check with a reason code, warnings and the keys used.",
     "{\"type\":\"object\",\"properties\":{\"document\":" S_DOC ",\"jwks\":{\"description\":\"Trusted public keys: a "
     "JWKS object {keys:[...]} or its JSON text. When given, only these keys are trusted; otherwise the server's.\"},"
     "\"hmac_key_b64\":" S_STR("Proof records: the HMAC key as standard base64.") ",\"trust_embedded_key\":{\"type\":"
     "\"boolean\",\"description\":\"Accept a public key carried by the document itself (the report says so).\"},"
     "\"now\":" S_STR("The verifier's clock, RFC 3339 (default: now).") ",\"max_skew_s\":{\"type\":\"integer\","
     "\"minimum\":1,\"maximum\":315360000,\"description\":\"Freshness window of envelope timestamps in seconds "
     "(default 300).\"},\"no_skew\":{\"type\":\"boolean\",\"description\":\"Do not check timestamp freshness.\"}},"
     "\"required\":[\"document\"],\"additionalProperties\":false}",
     OUT_REPORT, true, false, true, false, run_verify},
    {"canonicalize", "Canonical bytes of a JSON value",
     "The canonical form of a JSON value under a profile: ope (Python json.dumps sort_keys, compact, UTF-8; ODIN OPE), "
     "ophamin (the same, ASCII; proof records) or jcs (RFC 8785; OpenExecution), with its SHA-256 and content id.",
     "{\"type\":\"object\",\"properties\":{\"value\":{\"description\":\"Any JSON value.\"},\"value_json\":"
     S_STR("The value as JSON text (instead of value).") ",\"profile\":{\"enum\":[\"ope\",\"ophamin\",\"jcs\"],"
     "\"default\":\"ope\",\"description\":\"The canonical form.\"}},\"additionalProperties\":false}",
     OUT_CANON, true, false, true, false, run_canonicalize},
    {"hash", "Hash of a value's canonical bytes",
     "The digest of a JSON value's canonical bytes (profile ope, ophamin or jcs) with sha256, sha384, sha512, "
     "sha3-256, sha3-384 or sha3-512, as lowercase hex.",
     "{\"type\":\"object\",\"properties\":{\"value\":{\"description\":\"Any JSON value.\"},\"value_json\":"
     S_STR("The value as JSON text (instead of value).") ",\"profile\":{\"enum\":[\"ope\",\"ophamin\",\"jcs\"],"
     "\"default\":\"ope\",\"description\":\"The canonical form.\"},\"alg\":{\"enum\":[\"sha256\",\"sha384\","
     "\"sha512\",\"sha3-256\",\"sha3-384\",\"sha3-512\"],\"default\":\"sha256\",\"description\":\"The hash "
     "algorithm.\"}},\"additionalProperties\":false}",
     OUT_HASH, true, false, true, false, run_hash},
    {"pack_envelope", "Sign an ODIN OPE envelope",
     "Builds an ODIN OPE v1 envelope around a payload object and signs it with the server's key (timestamp: now). "
     "Nothing is stored: pass the envelope to append_receipt to record it.",
     "{\"type\":\"object\",\"properties\":{\"payload\":{\"type\":\"object\",\"description\":\"The payload object.\"},"
     "\"payload_type\":" S_STR("The payload's type, e.g. openai.tooluse.invoice.v1.") ",\"target_type\":"
     S_STR("The target type, e.g. invoice.iso20022.v1.") ",\"trace_id\":" S_STR("The trace to join (default: a new "
     "UUIDv4).") ",\"dialect\":{\"enum\":[\"prova\",\"ope-lib\",\"starter\"],\"default\":\"prova\",\"description\":"
     "\"The envelope's wire dialect.\"}},\"required\":[\"payload\",\"payload_type\",\"target_type\"],"
     "\"additionalProperties\":false}",
     OUT_PACK, false, false, false, false, run_pack_envelope},
    {"append_receipt", "Record an envelope in the store",
     "Submits a signed OPE envelope to the gateway (POST /v1/odin/envelope, same rules as HTTP: trusted sender keys, "
     "freshness, replay protection) and answers the gateway's signed receipt. Needs a store.",
     "{\"type\":\"object\",\"properties\":{\"envelope\":{\"type\":\"object\",\"description\":\"A signed OPE envelope "
     "(e.g. pack_envelope's).\"}},\"required\":[\"envelope\"],\"additionalProperties\":false}",
     OUT_RECEIPT, false, false, false, true, run_append_receipt},
    {"get_chain", "Receipts of a trace",
     "The receipt chain of a trace in the store, in hop order (GET /v1/receipts/hops/chain/{trace_id}).",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("trace_id", "The trace id.") "},\"required\":[\"trace_id\"],"
     "\"additionalProperties\":false}",
     OUT_CHAIN, true, false, true, true, run_get_chain},
    {"export_bundle", "Signed export bundle of a trace",
     "The gateway-signed export bundle of a trace (GET /v1/receipts/export/{trace_id}); verify it offline with the "
     "gateway's JWKS (the jwks tool).",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("trace_id", "The trace id.") "},\"required\":[\"trace_id\"],"
     "\"additionalProperties\":false}",
     OUT_BUNDLE, true, false, false, true, run_export_bundle},
    {"oe_append_event", "Append an OpenExecution event",
     "Appends an event to an OpenExecution chain in the store; without chain_id a new chain is created first (with "
     "the optional chain fields). The gateway computes seq, prev_hash and event_hash.",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("chain_id", "The chain; absent: create one.") ",\"chain\":{\"type\":"
     "\"object\",\"description\":\"Fields of a new chain: chain_type, origin_type, origin_id, hash_algorithm.\"},"
     "\"event\":{\"type\":\"object\",\"description\":\"The event: event_type (or type), payload (object), actor_id "
     "(or actor), actor_type, sentiment (positive, negative, neutral).\"}},\"required\":[\"event\"],"
     "\"additionalProperties\":false}",
     OUT_OE_EVENT, false, false, false, true, run_oe_append_event},
    {"oe_issue_certificate", "Certify an OpenExecution chain",
     "Resolves the chain when it is still open, then issues its provenance certificate; answers the offline "
     "certificate bundle. A chain has one certificate.",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("chain_id", "The chain to certify.") ",\"artifact_type\":"
     S_STR("1-64 bytes, e.g. report.") ",\"artifact_ref\":" S_STR("1-512 bytes: what the certificate is about.")
     ",\"artifact_title\":" S_STR("1-500 bytes (optional).") "},\"required\":[\"chain_id\",\"artifact_type\","
     "\"artifact_ref\"],\"additionalProperties\":false}",
     OUT_OE_CERT, false, false, false, true, run_oe_issue_certificate},
    {"oe_verify_certificate", "Verify an OpenExecution certificate",
     "With certificate_id: the store's verification (GET /api/v1/provenance/verify/{id}: valid, signature_valid, "
     "chain_hash_valid, certificate, chain, integrity). With bundle: the offline bundle verified here (the unified "
     "report).",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("certificate_id", "A certificate in the store.") ",\"bundle\":"
     "{\"type\":\"object\",\"description\":\"An offline certificate bundle (instead of certificate_id).\"}},"
     "\"additionalProperties\":false}",
     OUT_OE_VERIFY, true, false, true, true, run_oe_verify_certificate},
    {"export", "Export a record to an interop format",
     "Turns a record (any family) into an in-toto Statement, a DSSE envelope signed with the server's key, a "
     "CloudEvent (structured or batch), OpenLineage RunEvents (an array) or an RO-Crate (metadata and file texts; "
     "nothing is written). The record is described, not verified: call verify first.",
     "{\"type\":\"object\",\"properties\":{\"document\":" S_DOC ",\"to\":{\"enum\":[\"intoto\",\"dsse\","
     "\"cloudevents\",\"openlineage\",\"ro-crate\"],\"description\":\"The format.\"},\"options\":{\"type\":\"object\","
     "\"description\":\"cloudevents: source (default urn:prova:mcp), type, mode (structured or batch); openlineage: "
     "namespace, job.\",\"properties\":{\"source\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"},\"mode\":"
     "{\"enum\":[\"structured\",\"batch\"]},\"namespace\":{\"type\":\"string\"},\"job\":{\"type\":\"string\"}},"
     "\"additionalProperties\":false}},\"required\":[\"document\",\"to\"],\"additionalProperties\":false}",
     OUT_EXPORT, true, false, false, false, run_export},
    {"jwks", "Public keys",
     "The gateway's JWKS (active and legacy keys) with a store, else the public key of the server's signing key.",
     "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
     OUT_JWKS, true, false, true, false, run_jwks},
};

const mcp_tool *mcp_tools(size_t *ret_n) {
    *ret_n = sizeof tools / sizeof *tools;
    return tools;
}

const mcp_tool *mcp_tool_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof tools / sizeof *tools; i++)
        if (strlen(tools[i].name) == len && memcmp(tools[i].name, name, len) == 0) return &tools[i];
    return NULL;
}
