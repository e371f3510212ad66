/* The gateway's lifecycle: configuration defaults, keys, tokens and trusted senders, the store's connections,
 * start and graceful stop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway.h"
#include "prova/encoding.h"


void gw_config_defaults(gw_config *c) {
    memset(c, 0, sizeof *c);
    c->listen = "127.0.0.1:8080";
    c->data_dir = "var";
    c->max_connections = 1024;
    c->timeout_s = 30;
    c->max_body = (size_t)1 << 20;
    c->max_depth = 64;
    c->max_header = (size_t)32 << 10;
    c->max_queue = 8192;
    c->max_batch = 1024;
    c->max_skew_s = 300;
}

/* ---- Files ------------------------------------------------------------------------------------------------ */

static int read_file(const char *path, size_t max, prova_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return PROVA_EIO;
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > max) rc = PROVA_ELIMIT;
        else rc = prova_buf_append(out, chunk, n);
    }
    if (rc == 0 && ferror(f)) rc = PROVA_EIO;
    fclose(f);
    return rc;
}

static void join(char *out, size_t cap, const char *dir, const char *name) {
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Writes a new file with mode 0600 (fails when it exists: first-run files are never overwritten). */
static int write_new_secret(const char *path, const void *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return PROVA_EIO;
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            close(fd);
            return PROVA_EIO;
        }
        p += w;
        len -= (size_t)w;
    }
    int rc = fsync(fd) == 0 ? 0 : PROVA_EIO;
    return close(fd) == 0 ? rc : PROVA_EIO;
}

/* ---- Keys ------------------------------------------------------------------------------------------------ */

static int add_jwk(prova_buf *out, const prova_key *k, const char *status, bool *first) {
    int rc = *first ? 0 : gw_put_raw(out, ",");
    *first = false;
    return rc ? rc : prova_key_to_jwk_status(k, status, out);
}

/* The legacy keys: a JWKS file of public keys the gateway signed with before (published, never used to sign). */
static int add_legacy(gw *g, const char *path, bool *first, bool required) {
    prova_buf b = PROVA_BUF_INIT;
    int rc = read_file(path, (size_t)1 << 20, &b);
    if (rc < 0) {
        prova_buf_free(&b);
        if (!required && errno == ENOENT) return 0;
        gw_log(g, "%s: cannot read the legacy keys: %s", path, rc == PROVA_ELIMIT ? "too large" : strerror(errno));
        return rc;
    }
    prova_keyset *ks = prova_keyset_new();
    prova_error e;
    int n = ks ? prova_keyset_add_jwks(ks, b.data, b.len, path, &e) : PROVA_ENOMEM;
    if (n < 0) {
        gw_log(g, "%s: not a JWKS: %s", path, n == PROVA_ENOMEM ? "out of memory" : e.message);
        rc = n;
    }
    prova_doc *doc = NULL;
    if (rc == 0 && prova_json_parse(b.data, b.len, NULL, &doc, NULL) == 0) {
        const prova_json *keys = prova_json_get(prova_doc_root(doc), "keys");
        for (size_t i = 0; rc == 0 && i < prova_json_len(keys); i++) {
            prova_key *k = NULL;
            if (prova_key_from_jwk_value(prova_json_at(keys, i), &k, NULL) < 0) continue;
            if (strcmp(prova_key_kid(k), g->kid) != 0) rc = add_jwk(&g->jwks, k, "legacy", first);
            prova_key_free(k);
        }
    }
    prova_doc_free(doc);
    prova_keyset_free(ks);
    prova_buf_free(&b);
    return rc;
}

int gw_load_keys(gw *g) {
    char path[4096];
    const char *kp = g->cfg.key_path;
    if (!kp) {
        join(path, sizeof path, g->cfg.data_dir, "gateway.key");
        kp = path;
        if (access(kp, F_OK) != 0) {
            prova_key *k = NULL;
            if (prova_key_generate(PROVA_SIG_ED25519, &k) < 0 || prova_key_save_file(k, kp) < 0) {
                gw_log(g, "%s: cannot create the development key: %s", kp, strerror(errno));
                prova_key_free(k);
                return 3;
            }
            fprintf(stderr, "prova serve: generated a development signing key %s (kid %s, mode 0600)\n", kp,
                    prova_key_kid(k));
            prova_key_free(k);
        }
    }
    prova_error e;
    if (prova_key_load_file(kp, &g->key, &e) < 0) {
        gw_log(g, "%s: cannot load the signing key: %s", kp, e.message);
        return 2;
    }
    if (prova_key_alg(g->key) != PROVA_SIG_ED25519 || !prova_key_is_private(g->key)) {
        gw_log(g, "%s: the signing key must be an Ed25519 private key (OPE v1 receipts are Ed25519)", kp);
        return 2;
    }
    snprintf(g->kid, sizeof g->kid, "%s", prova_key_kid(g->key));
    bool first = true;
    int rc = gw_put_raw(&g->jwks, "{\"keys\":[");
    if (rc == 0) rc = add_jwk(&g->jwks, g->key, "active", &first);
    join(path, sizeof path, g->cfg.data_dir, "legacy.jwks");
    if (rc == 0) rc = add_legacy(g, path, &first, false);
    if (rc == 0 && g->cfg.legacy_keys_path) rc = add_legacy(g, g->cfg.legacy_keys_path, &first, true);
    if (rc == 0) rc = gw_put_raw(&g->jwks, "]}");
    return rc < 0 ? 2 : 0;
}

/* ---- Tokens ----------------------------------------------------------------------------------------------- */

static unsigned parse_scopes(const prova_json *arr, bool *ok) {
    unsigned s = 0;
    *ok = prova_json_is_array(arr);
    for (size_t i = 0; *ok && i < prova_json_len(arr); i++) {
        const prova_json *v = prova_json_at(arr, i);
        if (prova_json_str_eq(v, "ope:write")) s |= GW_SCOPE_OPE_WRITE;
        else if (prova_json_str_eq(v, "oe:write")) s |= GW_SCOPE_OE_WRITE;
        else if (prova_json_str_eq(v, "*")) s |= GW_SCOPE_ALL;
        else *ok = false;
    }
    return s;
}

static int create_dev_tokens(gw *g, const char *path) {
    uint8_t raw[32];
    char tok[64];
    prova_random(raw, sizeof raw);
    prova_base64url_encode(raw, sizeof raw, tok, sizeof tok);
    prova_buf b = PROVA_BUF_INIT;
    int rc = gw_put_raw(&b, "{\"tokens\":[{\"name\":\"dev\",\"token\":\"");
    if (!rc) rc = gw_put_raw(&b, tok);
    if (!rc) rc = gw_put_raw(&b, "\",\"scopes\":[\"ope:write\",\"oe:write\"]}],\"odin_api_keys\":[]}\n");
    if (!rc) rc = write_new_secret(path, b.data, b.len);
    prova_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (rc < 0) {
        gw_log(g, "%s: cannot create the development token file: %s", path, strerror(errno));
        return 3;
    }
    fprintf(stderr, "prova serve: created %s with a development token (scopes ope:write oe:write): %s\n", path, tok);
    prova_wipe(tok, sizeof tok);
    return 0;
}

int gw_load_tokens(gw *g) {
    char path[4096];
    const char *tp = g->cfg.tokens_path;
    if (!tp) {
        join(path, sizeof path, g->cfg.data_dir, "tokens.json");
        tp = path;
        if (access(tp, F_OK) != 0) {
            int rc = create_dev_tokens(g, tp);
            if (rc) return rc;
        }
    }
    struct stat sb;
    if (stat(tp, &sb) == 0 && (sb.st_mode & 077))
        gw_log(g, "warning: %s is readable by others (mode %03o); chmod 600 it", tp, (unsigned)(sb.st_mode & 0777));
    prova_buf b = PROVA_BUF_INIT;
    int rc = read_file(tp, (size_t)4 << 20, &b);
    if (rc < 0) {
        gw_log(g, "%s: cannot read the tokens: %s", tp, strerror(errno));
        prova_buf_free(&b);
        return 2;
    }
    prova_doc *doc = NULL;
    prova_error e;
    prova_parse_options po = {.flags = PROVA_PARSE_SECRET};
    rc = prova_json_parse(b.data, b.len, &po, &doc, &e);
    prova_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (rc < 0) {
        gw_log(g, "%s:%zu:%zu: %s", tp, e.line, e.column, e.message);
        return 2;
    }
    const prova_json *root = prova_doc_root(doc);
    const prova_json *toks = prova_json_get(root, "tokens");
    const prova_json *keys = prova_json_get(root, "odin_api_keys");
    const char *bad = NULL;
    if (!prova_json_is_object(root) || (toks && !prova_json_is_array(toks)) || (keys && !prova_json_is_array(keys)))
        bad = "expected {\"tokens\":[...], \"odin_api_keys\":[...]}";
    size_t nt = prova_json_len(toks), nk = prova_json_len(keys);
    if (!bad) {
        g->tokens = calloc(nt ? nt : 1, sizeof *g->tokens);
        g->api_keys = calloc(nk ? nk : 1, sizeof *g->api_keys);
        if (!g->tokens || !g->api_keys) bad = "out of memory";
    }
    for (size_t i = 0; !bad && i < nt; i++) {
        const prova_json *t = prova_json_at(toks, i);
        gw_token *dst = &g->tokens[g->ntokens];
        const prova_json *name = prova_json_get(t, "name"), *tok = prova_json_get(t, "token"),
                         *hash = prova_json_get(t, "sha256");
        bool ok;
        dst->scopes = parse_scopes(prova_json_get(t, "scopes"), &ok);
        size_t hl = 0;
        if (!prova_json_is_string(name) || name->len == 0 || name->len >= sizeof dst->name)
            bad = "each token needs a \"name\" (1-63 bytes)";
        else if (!ok) bad = "\"scopes\" must be an array of \"ope:write\", \"oe:write\" or \"*\"";
        else if (prova_json_is_string(tok) && tok->len >= 16) {
            uint8_t h[PROVA_HASH_MAX_BYTES];
            ok = prova_hash(PROVA_HASH_SHA256, tok->u.str, tok->len, h) == 0;
            memcpy(dst->sha256, h, sizeof dst->sha256);
        }
        else if (prova_json_is_string(hash))
            ok = prova_hex_decode(hash->u.str, hash->len, dst->sha256, 32, &hl, NULL) == 0 && hl == 32;
        else ok = false;
        if (!bad && !ok) bad = "each token needs \"token\" (at least 16 characters) or \"sha256\" (64 hex digits)";
        if (!bad) {
            memcpy(dst->name, name->u.str, name->len + 1);
            g->ntokens++;
        }
    }
    for (size_t i = 0; !bad && i < nk; i++) {
        const prova_json *k = prova_json_at(keys, i);
        const prova_json *key = prova_json_get(k, "key"), *secret = prova_json_get(k, "secret");
        bool ok;
        unsigned scopes = prova_json_get(k, "scopes") ? parse_scopes(prova_json_get(k, "scopes"), &ok)
                                                      : (ok = true, GW_SCOPE_OPE_WRITE);
        if (!prova_json_is_string(key) || !key->len || !prova_json_is_string(secret) || !secret->len || !ok) {
            bad = "each ODIN API key needs \"key\" and \"secret\" strings";
            break;
        }
        gw_api_key *dst = &g->api_keys[g->napi_keys];
        dst->key = strdup(key->u.str);
        dst->secret = malloc(secret->len);
        if (!dst->key || !dst->secret) {
            free(dst->key);
            free(dst->secret);
            bad = "out of memory";
            break;
        }
        memcpy(dst->secret, secret->u.str, secret->len);
        dst->secret_len = secret->len;
        dst->scopes = scopes;
        g->napi_keys++;
    }
    prova_doc_free(doc);
    if (bad) {
        gw_log(g, "%s: %s", tp, bad);
        return 2;
    }
    return 0;
}

int gw_load_senders(gw *g) {
    g->senders = prova_keyset_new();
    g->verify_keys = prova_keyset_new();
    if (!g->senders || !g->verify_keys) return 3;
    prova_error e;
    if (prova_keyset_add_jwks(g->verify_keys, g->jwks.data, g->jwks.len, "gateway", &e) < 0) {
        gw_log(g, "the gateway's JWKS: %s", e.message);
        return 3;
    }
    if (!g->cfg.trusted_senders) return 0;
    prova_buf b = PROVA_BUF_INIT;
    int rc = read_file(g->cfg.trusted_senders, (size_t)4 << 20, &b);
    if (rc < 0) {
        gw_log(g, "%s: cannot read the trusted senders: %s", g->cfg.trusted_senders, strerror(errno));
        prova_buf_free(&b);
        return 2;
    }
    char src[4200];
    snprintf(src, sizeof src, "jwks:%s", g->cfg.trusted_senders);
    int n = prova_keyset_add_jwks(g->senders, b.data, b.len, src, &e);
    if (n >= 0) n = prova_keyset_add_jwks(g->verify_keys, b.data, b.len, src, &e);
    prova_buf_free(&b);
    if (n < 0) {
        gw_log(g, "%s: not a JWKS: %s", g->cfg.trusted_senders, e.message);
        return 2;
    }
    return 0;
}

void gw_free_config_state(gw *g) {
    g->key = prova_key_free(g->key);
    prova_buf_free(&g->jwks);
    g->senders = prova_keyset_free(g->senders);
    g->verify_keys = prova_keyset_free(g->verify_keys);
    if (g->tokens) prova_wipe(g->tokens, g->ntokens * sizeof *g->tokens);
    free(g->tokens);
    g->tokens = NULL;
    for (size_t i = 0; i < g->napi_keys; i++) {
        free(g->api_keys[i].key);
        prova_wipe(g->api_keys[i].secret, g->api_keys[i].secret_len);
        free(g->api_keys[i].secret);
    }
    free(g->api_keys);
    g->api_keys = NULL;
}

/* ---- Store connections ---------------------------------------------------------------------------------- */

prova_store *gw_reader_get(gw *g) {
    prova_store *s = NULL;
    pthread_mutex_lock(&g->rlock);
    if (g->nreaders) s = g->readers[--g->nreaders];
    pthread_mutex_unlock(&g->rlock);
    if (s) return s;
    prova_error e;
    if (prova_store_open(g->db_path, PROVA_STORE_READONLY, &s, &e) < 0) {
        gw_log(g, "cannot open a read connection: %s", e.message);
        return NULL;
    }
    return s;
}

void gw_reader_put(gw *g, prova_store *s) {
    if (!s) return;
    pthread_mutex_lock(&g->rlock);
    if (g->nreaders < g->readers_cap) {
        g->readers[g->nreaders++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&g->rlock);
    prova_store_close(s);
}

/* ---- Start / stop ----------------------------------------------------------------------------------------- */

static int mkdir_p(const char *dir) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int gw_start(gw *g, const gw_config *cfg) {
    g->cfg = *cfg;
    g->started_us = gw_now_us();
    pthread_mutex_init(&g->qlock, NULL);
    pthread_cond_init(&g->qcond, NULL);
    pthread_mutex_init(&g->rlock, NULL);
    if (mkdir_p(cfg->data_dir) < 0) {
        gw_log(g, "%s: cannot create the data directory: %s", cfg->data_dir, strerror(errno));
        return 3;
    }
    int rc = gw_load_keys(g);
    if (!rc) rc = gw_load_tokens(g);
    if (!rc) rc = gw_load_senders(g);
    if (rc) return rc;
    g->route_metrics = calloc(gw_nroutes + 1, sizeof *g->route_metrics);
    g->readers_cap = 64;
    g->readers = calloc(g->readers_cap, sizeof *g->readers);
    if (!g->route_metrics || !g->readers) return 3;

    snprintf(g->db_path, sizeof g->db_path, "%s/prova.db", cfg->data_dir);
    prova_error e;
    if (prova_store_open(g->db_path, 0, &g->w, &e) < 0) {
        gw_log(g, "%s: %s", g->db_path, e.message);
        return 3;
    }
    prova_store_counts c;
    if (prova_store_counts_get(g->w, &c) < 0) {
        gw_log(g, "%s: %s", g->db_path, prova_store_errmsg(g->w));
        return 3;
    }
    atomic_store(&g->receipts, c.receipts);
    atomic_store(&g->traces, c.traces);
    atomic_store(&g->chains, c.chains);
    atomic_store(&g->events, c.events);
    atomic_store(&g->certificates, c.certificates);
    if (gw_writer_start(g) < 0) return 3;
    if (!cfg->listen) return 0; /* headless: the store, keys and writer for in-process callers (prova mcp --data) */
    if (!cfg->no_mcp && gw_mcp_start(g) < 0) return 3;
    rc = gw_http_start(g);
    if (rc) return rc;
    fprintf(stderr,
            "prova serve: listening on %s%s (store %s: %lld receipts in %lld traces, %lld chains, %lld "
            "certificates; kid %s)\n",
            cfg->tls_cert ? "https://" : "http://", cfg->listen, g->db_path, (long long)c.receipts,
            (long long)c.traces, (long long)c.chains, (long long)c.certificates, g->kid);
    return 0;
}

void gw_stop(gw *g) {
    gw_http_quiesce(g);
    /* In-flight requests finish (their writes included); then the daemon stops. */
    for (int i = 0; i < 3000 && atomic_load(&g->inflight) > 0; i++) gw_sleep_ms(10);
    gw_writer_stop(g);
    gw_http_stop(g);
    gw_mcp_stop(g);
    for (size_t i = 0; i < g->nreaders; i++) prova_store_close(g->readers[i]);
    free(g->readers);
    g->readers = NULL;
    g->nreaders = 0;
    g->w = prova_store_close(g->w);
    free(g->route_metrics);
    g->route_metrics = NULL;
    gw_free_config_state(g);
    pthread_mutex_destroy(&g->qlock);
    pthread_cond_destroy(&g->qcond);
    pthread_mutex_destroy(&g->rlock);
}
