/* The service's lifecycle: configuration defaults, the signing key and JWKS, tokens, trusted senders (and their
 * reload), the store's connections, counters. */
#define _DEFAULT_SOURCE /* strdup */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app_internal.h"
#include "jsonw.h"
#include "prova/encoding.h"
#include "prova/ope.h" /* key sets */
#include "text.h"

void app_config_defaults(app_config *c) {
    memset(c, 0, sizeof *c);
    c->data_dir = "var";
    c->max_body = (size_t)1 << 20;
    c->max_depth = 64;
    c->max_queue = 8192;
    c->max_batch = 1024;
    c->max_skew_s = 300;
    c->log_interval_ms = 1000;
    c->egress.connect_timeout_ms = 5000;
    c->egress.timeout_ms = 10000;
    c->egress.max_response = (size_t)1 << 20;
    c->egress.max_redirects = 5;
}

int64_t app_now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int app_sha256_hex(const void *data, size_t len, char out[65]) {
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    int rc = prova_hash_compute_hex(PROVA_HASH_SHA256, data, len, hex);
    if (rc == 0) memcpy(out, hex, 65);
    return rc;
}

/* The severity of a log line, from its words: the service's lines say "warning:" for warnings, and "failed",
 * "cannot", "refusing" or "not published" for what went wrong; everything else is information. */
static int log_severity(const char *line) {
    if (strncmp(line, "warning", 7) == 0) return OTEL_SEV_WARN;
    static const char *const bad[] = {"failed", "cannot", "refusing", "not published", "did not cosign"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(line, bad[i])) return OTEL_SEV_ERROR;
    return OTEL_SEV_INFO;
}

void app_log(const app *a, const char *fmt, ...) {
    prova_buf line = PROVA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && prova_buf_reserve(&line, (size_t)n + 1) == 0) {
        va_start(ap, fmt);
        vsnprintf((char *)line.data, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    const char *text = line.data ? (const char *)line.data : fmt;
    if (a && a->cfg.log)
        a->cfg.log(a->cfg.log_ctx, text);
    else
        fprintf(stderr, "prova: %s\n", text);
    if (a && a->cfg.otel) otel_log(a->cfg.otel, NULL, log_severity(text), NULL, text, NULL, 0);
    prova_buf_free(&line);
}

const app_config *app_cfg(const app *a) {
    return &a->cfg;
}
bool app_has_store(const app *a) {
    return a && a->w;
}
const char *app_kid(const app *a) {
    return a->kid;
}
const prova_key *app_key(const app *a) {
    return a->key;
}
const prova_buf *app_jwks(const app *a) {
    return &a->jwks;
}
int64_t app_started_us(const app *a) {
    return a->started_us;
}
otel *app_otel(const app *a) {
    return a ? a->cfg.otel : NULL;
}
size_t app_token_count(const app *a) {
    return a->ntokens;
}

const prova_keyset *app_verify_keys(const app *a) {
    return a->verify_keys;
}

void app_keys_acquire(app *a, const prova_keyset **ret_senders, const prova_keyset **ret_verify) {
    pthread_rwlock_rdlock(&a->keys_lock);
    if (ret_senders) *ret_senders = a->senders;
    if (ret_verify) *ret_verify = a->verify_keys;
}

void app_keys_release(app *a) {
    pthread_rwlock_unlock(&a->keys_lock);
}

/* ---- Files ------------------------------------------------------------------------------------------------ */

int app_read_file(const char *path, size_t max, prova_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return PROVA_EIO;
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > max)
            rc = PROVA_ELIMIT;
        else
            rc = prova_buf_append(out, chunk, n);
    }
    if (rc == 0 && ferror(f)) rc = PROVA_EIO;
    fclose(f);
    return rc;
}

/* DIR/NAME into out; -1 when it does not fit. */
int app_join(char *out, size_t cap, const char *dir, const char *name) {
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void app_url_for_log(const char *url, char *out, size_t cap) {
    if (!cap) return;
    const char *sep = strstr(url, "://");
    const char *host = sep ? sep + 3 : url;
    size_t hl = strcspn(host, "/?#");
    const char *at = NULL;
    for (const char *p = host; p < host + hl; p++)
        if (*p == '@') at = p;
    const char *rest = host + hl;
    size_t pl = strcspn(rest, "?#");
    bool query = rest[pl] == '?';
    if (at)
        snprintf(out, cap, "%.*s***%.*s%.*s%s", (int)(host - url), url, (int)(host + hl - at), at, (int)pl, rest,
                 query ? "?***" : "");
    else
        snprintf(out, cap, "%.*s%.*s%s", (int)(rest - url), url, (int)pl, rest, query ? "?***" : "");
}

void app_url_host(const char *url, char *out, size_t cap, int *ret_port) {
    if (ret_port) *ret_port = 0;
    if (!cap) return;
    out[0] = '\0';
    const char *sep = strstr(url, "://");
    const char *host = sep ? sep + 3 : url;
    size_t hl = strcspn(host, "/?#");
    for (size_t i = hl; i > 0; i--) /* after the userinfo, if any */
        if (host[i - 1] == '@') {
            host += i;
            hl -= i;
            break;
        }
    const char *port = NULL, *name = host;
    size_t nl = hl;
    if (hl && host[0] == '[') { /* an IPv6 literal: [addr]:port */
        const char *close = memchr(host, ']', hl);
        if (!close) return;
        name = host + 1;
        nl = (size_t)(close - name);
        if (close + 1 < host + hl && close[1] == ':') port = close + 2;
    } else {
        const char *colon = memchr(host, ':', hl);
        if (colon) {
            nl = (size_t)(colon - host);
            port = colon + 1;
        }
    }
    snprintf(out, cap, "%.*s", (int)nl, name);
    if (!ret_port) return;
    if (port) {
        int v = 0;
        for (const char *p = port; p < host + hl && *p >= '0' && *p <= '9' && v < 65536; p++) v = v * 10 + (*p - '0');
        *ret_port = v < 65536 ? v : 0;
    } else if (sep && (size_t)(sep - url) == 5 && strncasecmp(url, "https", 5) == 0) {
        *ret_port = 443;
    } else if (sep && (size_t)(sep - url) == 4 && strncasecmp(url, "http", 4) == 0) {
        *ret_port = 80;
    }
}

/* Writes a new file with mode 0600 (fails when it exists: first-run files are never overwritten). */
int app_write_new_secret(const char *path, const void *data, size_t len) {
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

/* The legacy keys: a JWKS file of public keys the gateway signed with before (published, never used to sign). */
static int add_legacy(app *a, prova_jw *w, const char *path, bool required) {
    prova_buf b = PROVA_BUF_INIT;
    int rc = app_read_file(path, (size_t)1 << 20, &b);
    if (rc < 0) {
        prova_buf_free(&b);
        if (!required && errno == ENOENT) return 0;
        app_log(a, "%s: cannot read the legacy keys: %s", path, rc == PROVA_ELIMIT ? "too large" : strerror(errno));
        return rc;
    }
    prova_doc *doc = NULL;
    prova_error e;
    rc = prova_json_parse(b.data, b.len, NULL, &doc, &e);
    const prova_json *keys = rc == 0 ? prova_json_get(prova_doc_root(doc), "keys") : NULL;
    if (rc == 0 && !prova_json_is_array(keys)) rc = PROVA_ESYNTAX, e.message = "no \"keys\" array";
    for (size_t i = 0; rc == 0 && i < prova_json_len(keys); i++) {
        prova_key *k = NULL;
        if ((rc = prova_key_from_jwk_value(prova_json_at(keys, i), &k, &e)) < 0) break;
        if (strcmp(prova_key_kid(k), a->kid) != 0) {
            prova_buf jwk = PROVA_BUF_INIT;
            rc = prova_key_to_jwk_status(k, "legacy", &jwk);
            if (rc == 0) prova_jw_raw(w, jwk.data, jwk.len);
            prova_buf_free(&jwk);
        }
        prova_key_free(k);
    }
    if (rc < 0 && rc != PROVA_ENOMEM) app_log(a, "%s: not a JWKS of public keys: %s", path, e.message);
    prova_doc_free(doc);
    prova_buf_free(&b);
    return rc;
}

static int load_keys(app *a) {
    char path[4096];
    const char *kp = a->cfg.key_path;
    if (!kp && !a->cfg.data_dir) return 0; /* no store, no --key: document operations only */
    if (!kp) {
        if (app_join(path, sizeof path, a->cfg.data_dir, "gateway.key") < 0) return 2;
        kp = path;
        if (access(kp, F_OK) != 0) {
            prova_key *k = NULL;
            if (prova_key_generate(PROVA_SIG_ED25519, &k) < 0 || prova_key_save_file(k, kp) < 0) {
                app_log(a, "%s: cannot create the development key: %s", kp, strerror(errno));
                prova_key_free(k);
                return 3;
            }
            app_log(a, "generated a development signing key %s (kid %s, mode 0600)", kp, prova_key_kid(k));
            prova_key_free(k);
        }
    }
    prova_error e;
    if (prova_key_load_file(kp, &a->key, &e) < 0) {
        app_log(a, "%s: cannot load the signing key: %s", kp, e.message);
        return 2;
    }
    if (prova_key_alg(a->key) != PROVA_SIG_ED25519 || !prova_key_is_private(a->key)) {
        app_log(a, "%s: the signing key must be an Ed25519 private key (OPE v1 receipts are Ed25519)", kp);
        return 2;
    }
    snprintf(a->kid, sizeof a->kid, "%s", prova_key_kid(a->key));
    prova_jw w;
    prova_jw_init(&w, &a->jwks);
    prova_jw_obj(&w);
    prova_jw_key(&w, "keys");
    prova_jw_arr(&w);
    prova_buf jwk = PROVA_BUF_INIT;
    int rc = prova_key_to_jwk_status(a->key, "active", &jwk);
    if (rc == 0) prova_jw_raw(&w, jwk.data, jwk.len);
    prova_buf_free(&jwk);
    if (rc == 0 && a->cfg.data_dir && app_join(path, sizeof path, a->cfg.data_dir, "legacy.jwks") == 0)
        rc = add_legacy(a, &w, path, false);
    if (rc == 0 && a->cfg.legacy_keys_path) rc = add_legacy(a, &w, a->cfg.legacy_keys_path, true);
    prova_jw_end(&w);
    prova_jw_end(&w);
    int wr = prova_jw_finish(&w);
    return rc < 0 || wr < 0 ? 2 : 0;
}

/* ---- Tokens ----------------------------------------------------------------------------------------------- */

static unsigned parse_scopes(const prova_json *arr, bool *ok) {
    unsigned s = 0;
    *ok = prova_json_is_array(arr);
    for (size_t i = 0; *ok && i < prova_json_len(arr); i++) {
        const prova_json *v = prova_json_at(arr, i);
        if (prova_json_str_eq(v, "ope:write"))
            s |= APP_SCOPE_OPE_WRITE;
        else if (prova_json_str_eq(v, "oe:write"))
            s |= APP_SCOPE_OE_WRITE;
        else if (prova_json_str_eq(v, "proof:write"))
            s |= APP_SCOPE_PROOF_WRITE;
        else if (prova_json_str_eq(v, "*"))
            s |= APP_SCOPE_ALL;
        else
            *ok = false;
    }
    return s;
}

static int create_dev_tokens(app *a, const char *path) {
    uint8_t raw[32];
    char tok[64];
    prova_random_fill(raw, sizeof raw);
    prova_base64url_encode(raw, sizeof raw, tok, sizeof tok);
    prova_buf b = PROVA_BUF_INIT;
    int rc = prova_buf_printf(&b,
                              "{\"tokens\":[{\"name\":\"dev\",\"token\":\"%s\",\"scopes\":[\"ope:write\","
                              "\"oe:write\",\"proof:write\"]}],\"odin_api_keys\":[]}\n",
                              tok);
    if (!rc) rc = app_write_new_secret(path, b.data, b.len);
    prova_mem_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (rc < 0) {
        app_log(a, "%s: cannot create the development token file: %s", path, strerror(errno));
        prova_mem_wipe(tok, sizeof tok);
        return 3;
    }
    app_log(a, "created %s with a development token (scopes ope:write oe:write proof:write)", path);
    if (a->cfg.dev_token) a->cfg.dev_token(a->cfg.log_ctx, path, tok);
    prova_mem_wipe(tok, sizeof tok);
    return 0;
}

static int load_tokens(app *a) {
    char path[4096];
    const char *tp = a->cfg.tokens_path;
    if (!tp && !a->cfg.data_dir) return 0;
    if (!tp) {
        if (app_join(path, sizeof path, a->cfg.data_dir, "tokens.json") < 0) return 2;
        tp = path;
        if (access(tp, F_OK) != 0) {
            int rc = create_dev_tokens(a, tp);
            if (rc) return rc;
        }
    }
    struct stat sb;
    if (stat(tp, &sb) == 0 && (sb.st_mode & 077))
        app_log(a, "warning: %s is readable by others (mode %03o); chmod 600 it", tp, (unsigned)(sb.st_mode & 0777));
    prova_buf b = PROVA_BUF_INIT;
    int rc = app_read_file(tp, (size_t)4 << 20, &b);
    if (rc < 0) {
        app_log(a, "%s: cannot read the tokens: %s", tp, rc == PROVA_ELIMIT ? "over 4 MiB" : strerror(errno));
        prova_buf_free(&b);
        return 2;
    }
    prova_doc *doc = NULL;
    prova_error e;
    prova_parse_options po = {.flags = PROVA_PARSE_SECRET};
    rc = prova_json_parse(b.data, b.len, &po, &doc, &e);
    prova_mem_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (rc < 0) {
        app_log(a, "%s:%zu:%zu: %s", tp, e.line, e.column, e.message);
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
        a->tokens = calloc(nt ? nt : 1, sizeof *a->tokens);
        a->api_keys = calloc(nk ? nk : 1, sizeof *a->api_keys);
        if (!a->tokens || !a->api_keys) bad = "out of memory";
    }
    for (size_t i = 0; !bad && i < nt; i++) {
        const prova_json *t = prova_json_at(toks, i);
        app_token *dst = &a->tokens[a->ntokens];
        const prova_json *name = prova_json_get(t, "name"), *tok = prova_json_get(t, "token"),
                         *hash = prova_json_get(t, "sha256");
        bool ok;
        dst->scopes = parse_scopes(prova_json_get(t, "scopes"), &ok);
        size_t hl = 0;
        if (!prova_json_is_string(name) || name->len == 0 || name->len >= sizeof dst->name)
            bad = "each token needs a \"name\" (1-63 bytes)";
        else if (!ok)
            bad = "\"scopes\" must be an array of \"ope:write\", \"oe:write\", \"proof:write\" or \"*\"";
        else if (prova_json_is_string(tok) && tok->len >= 16) {
            uint8_t h[PROVA_HASH_MAX_BYTES];
            ok = prova_hash_compute(PROVA_HASH_SHA256, tok->u.str, tok->len, h) == 0;
            memcpy(dst->sha256, h, sizeof dst->sha256);
        } else if (prova_json_is_string(hash))
            ok = prova_hex_decode(hash->u.str, hash->len, dst->sha256, 32, &hl, NULL) == 0 && hl == 32;
        else
            ok = false;
        if (!bad && !ok) bad = "each token needs \"token\" (at least 16 characters) or \"sha256\" (64 hex digits)";
        if (!bad) {
            memcpy(dst->name, name->u.str, name->len + 1);
            a->ntokens++;
        }
    }
    for (size_t i = 0; !bad && i < nk; i++) {
        const prova_json *k = prova_json_at(keys, i);
        const prova_json *key = prova_json_get(k, "key"), *secret = prova_json_get(k, "secret");
        bool ok;
        unsigned scopes = prova_json_get(k, "scopes") ? parse_scopes(prova_json_get(k, "scopes"), &ok)
                                                      : (ok = true, APP_SCOPE_OPE_WRITE);
        if (!prova_json_is_string(key) || !key->len || !prova_json_is_string(secret) || !secret->len || !ok) {
            bad = "each ODIN API key needs \"key\" and \"secret\" strings";
            break;
        }
        app_api_key *dst = &a->api_keys[a->napi_keys];
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
        a->napi_keys++;
    }
    prova_doc_free(doc);
    if (bad) {
        app_log(a, "%s: %s", tp, bad);
        return 2;
    }
    return 0;
}

const app_token *app_bearer(const app *a, const char *auth) {
    if (!a || !auth || strncasecmp(auth, "Bearer ", 7) != 0) return NULL;
    const char *t = auth + 7;
    while (*t == ' ') t++;
    uint8_t h[PROVA_HASH_MAX_BYTES];
    if (!*t || prova_hash_compute(PROVA_HASH_SHA256, t, strlen(t), h) < 0) return NULL;
    const app_token *found = NULL;
    for (size_t i = 0; i < a->ntokens; i++) /* every entry compared: the time does not depend on which one */
        if (prova_ct_equal(h, a->tokens[i].sha256, 32)) found = &a->tokens[i];
    return found;
}

/* ---- Trusted senders -------------------------------------------------------------------------------------- */

/* New key sets: the gateway's own keys, and the senders of --trusted-senders. 0 or a CLI exit code (logged). */
static int build_senders(app *a, prova_keyset **ret_senders, prova_keyset **ret_verify) {
    prova_keyset *senders = prova_keyset_new(), *verify = prova_keyset_new();
    int rc = senders && verify ? 0 : 3;
    prova_error e;
    if (rc == 0 && a->jwks.len && prova_keyset_add_jwks(verify, a->jwks.data, a->jwks.len, "gateway", &e) < 0) {
        app_log(a, "the gateway's JWKS: %s", e.message);
        rc = 3;
    }
    /* --trusted-senders, or DATA/senders.jwks when it exists (a file to add senders to, then SIGHUP). */
    const char *path = a->cfg.trusted_senders;
    char dflt[4096];
    if (!path && a->cfg.data_dir && app_join(dflt, sizeof dflt, a->cfg.data_dir, "senders.jwks") == 0 &&
        access(dflt, F_OK) == 0)
        path = dflt;
    if (rc == 0 && path) {
        prova_buf b = PROVA_BUF_INIT, src = PROVA_BUF_INIT;
        int r = app_read_file(path, (size_t)4 << 20, &b);
        if (r < 0) {
            app_log(a, "%s: cannot read the trusted senders: %s", path,
                    r == PROVA_ELIMIT ? "over 4 MiB" : strerror(errno));
            rc = 2;
        } else if (prova_buf_printf(&src, "jwks:%s", path) < 0 || prova_buf_append(&src, "", 1) < 0) {
            rc = 3;
        } else if (prova_keyset_add_jwks(senders, b.data, b.len, (const char *)src.data, &e) < 0 ||
                   prova_keyset_add_jwks(verify, b.data, b.len, (const char *)src.data, &e) < 0) {
            app_log(a, "%s: not a JWKS: %s", path, e.message);
            rc = 2;
        }
        prova_buf_free(&b);
        prova_buf_free(&src);
    }
    if (rc) {
        prova_keyset_free(senders);
        prova_keyset_free(verify);
        return rc;
    }
    *ret_senders = senders;
    *ret_verify = verify;
    return 0;
}

int app_reload_senders(app *a) {
    prova_keyset *senders = NULL, *verify = NULL;
    if (build_senders(a, &senders, &verify) != 0) {
        app_log(a, "the trusted senders were not reloaded; the previous ones stay in use");
        return PROVA_EINVAL;
    }
    pthread_rwlock_wrlock(&a->keys_lock);
    prova_keyset *old_s = a->senders, *old_v = a->verify_keys;
    a->senders = senders;
    a->verify_keys = verify;
    pthread_rwlock_unlock(&a->keys_lock);
    prova_keyset_free(old_s);
    prova_keyset_free(old_v);
    app_log(a, "reloaded the trusted senders (%zu keys%s%s)", prova_keyset_count(senders),
            a->cfg.trusted_senders ? " from " : "", a->cfg.trusted_senders ? a->cfg.trusted_senders : "");
    return 0;
}

/* ---- Store connections ---------------------------------------------------------------------------------- */

prova_store *app_reader_get(app *a) {
    prova_store *s = NULL;
    pthread_mutex_lock(&a->rlock);
    if (a->nreaders) s = a->readers[--a->nreaders];
    pthread_mutex_unlock(&a->rlock);
    if (s) return s;
    prova_error e;
    if (prova_store_open(a->db_path, PROVA_STORE_READONLY, &s, &e) < 0) {
        app_log(a, "cannot open a read connection: %s", e.message);
        return NULL;
    }
    return s;
}

void app_reader_put(app *a, prova_store *s) {
    if (!s) return;
    pthread_mutex_lock(&a->rlock);
    if (a->nreaders < a->readers_cap) {
        a->readers[a->nreaders++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&a->rlock);
    prova_store_close(s);
}

/* ---- Counters --------------------------------------------------------------------------------------------- */

void app_count_verdict(app *a, bool valid) {
    atomic_fetch_add(valid ? &a->verify_valid : &a->verify_invalid, 1);
}
void app_count_verify_error(app *a) {
    atomic_fetch_add(&a->verify_error, 1);
}

void app_stats_get(app *a, app_stats *r) {
    memset(r, 0, sizeof *r);
    r->verify_valid = atomic_load(&a->verify_valid);
    r->verify_invalid = atomic_load(&a->verify_invalid);
    r->verify_error = atomic_load(&a->verify_error);
    r->commits = atomic_load(&a->commits);
    r->committed_writes = atomic_load(&a->committed_jobs);
    r->failed_commits = atomic_load(&a->failed_commits);
    r->egress_allowed = atomic_load(&a->egress_allowed);
    r->egress_blocked = atomic_load(&a->egress_blocked);
    r->forwards_ok = atomic_load(&a->forwards_ok);
    r->forwards_failed = atomic_load(&a->forwards_failed);
    pthread_mutex_lock(&a->qlock);
    r->queue_length = a->qlen;
    r->store_writable = !atomic_load(&a->store_failing);
    if (!r->store_writable) {
        r->store_fault_since_us = a->store_fault_since_us;
        snprintf(r->store_fault, sizeof r->store_fault, "%s", a->store_fault_msg);
    }
    pthread_mutex_unlock(&a->qlock);
    r->receipts = atomic_load(&a->receipts);
    r->traces = atomic_load(&a->traces);
    r->chains = atomic_load(&a->chains);
    r->events = atomic_load(&a->events);
    r->certificates = atomic_load(&a->certificates);
    r->store_bytes = a->w ? prova_store_bytes(a->w) : 0;
    r->store_backend = a->w ? prova_store_backend(a->w) : "";
    r->log_enabled = a->tw != NULL;
    r->log_integrating = atomic_load(&a->log_leading);
    r->log_size = atomic_load(&a->log_size);
    r->log_checkpoints = atomic_load(&a->log_checkpoints);
    r->log_integrations = atomic_load(&a->log_integrations);
    r->log_integration_us = atomic_load(&a->log_integration_us);
    r->log_failures = atomic_load(&a->log_failures);
}

/* ---- Open / close ----------------------------------------------------------------------------------------- */

/* The directories of dir that do not exist yet, made 0700 whatever the umask (they hold private data). */
static int mkdir_p(const char *dir) {
    char tmp[4096];
    if (!dir[0] || snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp) return -1;
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p) continue;
        char c = *p;
        *p = '\0';
        if (mkdir(tmp, 0700) == 0)
            (void)chmod(tmp, 0700);
        else if (errno != EEXIST)
            return -1;
        if (!c) return 0;
        *p = c;
    }
}

/* A data directory others can read or write exposes the keys, the tokens and the store: the operator is told how
 * to close it (it is not changed here: a group may have been given access on purpose). */
static void check_data_dir(app *a, const char *dir) {
    struct stat sb;
    if (stat(dir, &sb) != 0 || !(sb.st_mode & 077)) return;
    bool r = sb.st_mode & 044, w = sb.st_mode & 022;
    const char *how = r && w ? "readable and writable" : w ? "writable" : "readable";
    app_log(a,
            "warning: the data directory %s is %s by others (mode %03o): it holds the keys, the tokens and the store; "
            "chmod 700 %s",
            dir, how, (unsigned)(sb.st_mode & 0777), dir);
}

/* The files of the data directory are private, 0600: the keys, the tokens, the store and SQLite's -wal and -shm
 * (which SQLite creates with the mode of the database file). One left wider (an older version, a copy, a umask) is
 * narrowed, and the operator told. */
static const char *const private_files[] = {"prova.db",    "prova.db-wal", "prova.db-shm", "prova.db-journal",
                                            "tokens.json", "gateway.key",  "log.key",      "legacy.jwks"};

static void narrow_private_files(app *a, const char *dir) {
    char path[4096];
    for (size_t i = 0; i < sizeof private_files / sizeof private_files[0]; i++) {
        struct stat sb;
        if (app_join(path, sizeof path, dir, private_files[i]) < 0 || lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
            !(sb.st_mode & 077))
            continue;
        if (chmod(path, 0600) == 0)
            app_log(a, "%s was mode %03o: made 0600 (the data directory's files are private)", path,
                    (unsigned)(sb.st_mode & 0777));
        else
            app_log(a, "warning: %s is mode %03o and cannot be made 0600: %s", path, (unsigned)(sb.st_mode & 0777),
                    strerror(errno));
    }
}

/* The database file exists, mode 0600, before SQLite opens it: SQLite gives its -wal and -shm the same mode. */
static int create_private(const char *path) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    return close(fd);
}

static int open_store(app *a) {
    const char *dir = a->cfg.data_dir;
    bool pg = prova_store_is_postgresql(a->cfg.store);
    if (a->cfg.store ? snprintf(a->db_path, sizeof a->db_path, "%s", a->cfg.store) >= (int)sizeof a->db_path
                     : app_join(a->db_path, sizeof a->db_path, dir, "prova.db") < 0) {
        app_log(a, "%s: the store's location is too long", a->cfg.store ? "--store" : dir);
        return 2;
    }
    char shown[4096]; /* a URI's credentials are not logged */
    if (pg)
        app_url_for_log(a->db_path, shown, sizeof shown);
    else
        snprintf(shown, sizeof shown, "%s", a->db_path);
    a->readers_cap = 64;
    a->readers = calloc(a->readers_cap, sizeof *a->readers);
    if (!a->readers) return 3;
    if (!pg && create_private(a->db_path) < 0) {
        app_log(a, "%s: cannot create the store: %s", shown, strerror(errno));
        return 3;
    }
    prova_error e;
    if (prova_store_open(a->db_path, 0, &a->w, &e) < 0) {
        app_log(a, "%s: %s", shown, e.message);
        return 3;
    }
    prova_store_counts c;
    if (prova_store_counts_get(a->w, &c) < 0) {
        app_log(a, "%s: %s", shown, prova_store_errmsg(a->w));
        return 3;
    }
    atomic_store(&a->receipts, c.receipts);
    atomic_store(&a->traces, c.traces);
    atomic_store(&a->chains, c.chains);
    atomic_store(&a->events, c.events);
    atomic_store(&a->certificates, c.certificates);
    int rc = app_tlog_open(a);
    if (rc) return rc;
    return app_writer_start(a) < 0 ? 3 : 0;
}

int app_open(const app_config *cfg, app **ret) {
    *ret = NULL;
    app *a = calloc(1, sizeof *a);
    if (!a) return 3;
    a->cfg = *cfg;
    a->started_us = app_now_us();
    pthread_mutex_init(&a->qlock, NULL);
    pthread_cond_init(&a->qcond, NULL);
    pthread_mutex_init(&a->rlock, NULL);
    pthread_rwlock_init(&a->keys_lock, NULL);
    pthread_mutex_init(&a->log_lock, NULL);
    pthread_cond_init(&a->wcond, NULL);
    int rc = 0;
    if (cfg->data_dir && mkdir_p(cfg->data_dir) < 0) {
        app_log(a, "%s: cannot create the data directory: %s", cfg->data_dir, strerror(errno));
        rc = 3;
    }
    if (!rc && cfg->data_dir) {
        check_data_dir(a, cfg->data_dir);
        narrow_private_files(a, cfg->data_dir);
    }
    if (!rc) rc = app_egress_open(a);
    if (!rc) rc = load_keys(a);
    if (!rc) rc = load_tokens(a);
    if (!rc) rc = app_sft_open(a);
    if (!rc) rc = build_senders(a, &a->senders, &a->verify_keys);
    if (!rc && cfg->data_dir) rc = open_store(a);
    if (rc) {
        app_close(a);
        return rc;
    }
    *ret = a;
    return 0;
}

void app_close(app *a) {
    if (!a) return;
    app_writer_stop(a);
    app_egress_close(a);
    for (size_t i = 0; i < a->nreaders; i++) prova_store_close(a->readers[i]);
    free(a->readers);
    app_tlog_close(a);
    app_sft_close(a);
    a->w = prova_store_close(a->w);
    a->key = prova_key_free(a->key);
    prova_buf_free(&a->jwks);
    prova_keyset_free(a->senders);
    prova_keyset_free(a->verify_keys);
    if (a->tokens) prova_mem_wipe(a->tokens, a->ntokens * sizeof *a->tokens);
    free(a->tokens);
    for (size_t i = 0; i < a->napi_keys; i++) {
        free(a->api_keys[i].key);
        prova_mem_wipe(a->api_keys[i].secret, a->api_keys[i].secret_len);
        free(a->api_keys[i].secret);
    }
    free(a->api_keys);
    pthread_mutex_destroy(&a->qlock);
    pthread_cond_destroy(&a->qcond);
    pthread_mutex_destroy(&a->rlock);
    pthread_rwlock_destroy(&a->keys_lock);
    pthread_mutex_destroy(&a->log_lock);
    pthread_cond_destroy(&a->wcond);
    free(a);
}
