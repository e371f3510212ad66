/* prova serve: the gateway. Options come from (lowest first) the defaults, a config file, PROVA_* environment
 * variables and the command line. docs/operations.md. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "http.h"
#include "mcp.h"
#include "prova/crypto.h"
#include "prova/encoding.h" /* prova_mem_wipe */
#include "prova/json.h"

/* What prova serve is configured with: the service's settings, the daemon's, and /mcp's. */
typedef struct serve_config {
    app_config app;
    http_config http;
    const char *mcp_allow_origins; /* comma-separated Origin values /mcp accepts besides loopback ones */
    cli_otel_opts otel;            /* flags for OTEL_* variables (their own names are their environment) */
    bool no_compress;              /* --no-compress: responses are never compressed (docs/compression.md) */
} serve_config;

typedef struct opt_def {
    const char *name; /* long option without "--"; also the config-file key */
    const char *env;
    enum {
        O_STR,
        O_BOOL,
        O_UINT,
        O_UINT0,
        O_SIZE,
        O_I64,
        O_ACCESS,
        O_LIST
    } type; /* O_UINT0: 0 allowed (off);
         O_LIST: repeatable, comma-joined */
    size_t off;
} opt_def;

#define OFF(f) offsetof(serve_config, f)
static const opt_def opt_defs[] = {
    {"listen", "PROVA_LISTEN", O_STR, OFF(http.listen)},
    {"data", "PROVA_DATA", O_STR, OFF(app.data_dir)},
    {"store", "PROVA_STORE", O_STR, OFF(app.store)},
    {"key", "PROVA_KEY", O_STR, OFF(app.key_path)},
    {"legacy-keys", "PROVA_LEGACY_KEYS", O_STR, OFF(app.legacy_keys_path)},
    {"trusted-senders", "PROVA_TRUSTED_SENDERS", O_STR, OFF(app.trusted_senders)},
    {"allow-inline-sender-keys", "PROVA_ALLOW_INLINE_SENDER_KEYS", O_BOOL, OFF(app.allow_inline_sender_keys)},
    {"tokens", "PROVA_TOKENS", O_STR, OFF(app.tokens_path)},
    {"tls-cert", "PROVA_TLS_CERT", O_STR, OFF(http.tls_cert)},
    {"tls-key", "PROVA_TLS_KEY", O_STR, OFF(http.tls_key)},
    {"tls-priority", "PROVA_TLS_PRIORITY", O_STR, OFF(http.tls_priority)},
    {"threads", "PROVA_THREADS", O_UINT, OFF(http.threads)},
    {"max-connections", "PROVA_MAX_CONNECTIONS", O_UINT, OFF(http.max_connections)},
    {"max-connections-per-ip", "PROVA_MAX_CONNECTIONS_PER_IP", O_UINT0, OFF(http.max_per_ip)},
    {"timeout", "PROVA_TIMEOUT", O_UINT, OFF(http.timeout_s)},
    {"header-timeout", "PROVA_HEADER_TIMEOUT", O_UINT0, OFF(http.header_timeout_s)},
    {"min-body-rate", "PROVA_MIN_BODY_RATE", O_UINT0, OFF(http.min_body_rate)},
    {"max-body", "PROVA_MAX_BODY", O_SIZE, OFF(app.max_body)},
    {"max-depth", "PROVA_MAX_DEPTH", O_UINT, OFF(app.max_depth)},
    {"max-ratio", "PROVA_MAX_RATIO", O_UINT0, OFF(http.max_ratio)},
    {"compress-min", "PROVA_COMPRESS_MIN", O_SIZE, OFF(http.compress_min)},
    {"no-compress", "PROVA_NO_COMPRESS", O_BOOL, OFF(no_compress)},
    {"max-header", "PROVA_MAX_HEADER", O_SIZE, OFF(http.max_header)},
    {"max-queue", "PROVA_MAX_QUEUE", O_UINT, OFF(app.max_queue)},
    {"max-batch", "PROVA_MAX_BATCH", O_UINT, OFF(app.max_batch)},
    {"commit-delay", "PROVA_COMMIT_DELAY", O_UINT0, OFF(app.commit_delay_us)},
    {"max-skew", "PROVA_MAX_SKEW", O_I64, OFF(app.max_skew_s)},
    {"log-key", "PROVA_LOG_KEY", O_STR, OFF(app.log_key_path)},
    {"log-origin", "PROVA_LOG_ORIGIN", O_STR, OFF(app.log_origin)},
    {"log-interval", "PROVA_LOG_INTERVAL", O_UINT, OFF(app.log_interval_ms)},
    {"log-dir", "PROVA_LOG_DIR", O_STR, OFF(app.log_dir)},
    {"witness-policy", "PROVA_WITNESS_POLICY", O_STR, OFF(app.witness_policy)},
    {"transforms", "PROVA_TRANSFORMS", O_STR, OFF(app.transforms_dir)},
    {"sft-passthrough", "PROVA_SFT_PASSTHROUGH", O_BOOL, OFF(app.sft_passthrough)},
    {"quiet", "PROVA_QUIET", O_BOOL, OFF(http.quiet)},
    {"access-log", "PROVA_ACCESS_LOG", O_ACCESS, OFF(http.access_log)},
    {"no-mcp", "PROVA_NO_MCP", O_BOOL, OFF(http.no_mcp)},
    {"mcp-allow-origins", "PROVA_MCP_ALLOW_ORIGINS", O_STR, OFF(mcp_allow_origins)},
    {"otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", O_STR, OFF(otel.endpoint)},
    {"otlp-protocol", "OTEL_EXPORTER_OTLP_PROTOCOL", O_STR, OFF(otel.protocol)},
    {"otlp-headers", "OTEL_EXPORTER_OTLP_HEADERS", O_STR, OFF(otel.headers)},
    {"otlp-compression", "OTEL_EXPORTER_OTLP_COMPRESSION", O_STR, OFF(otel.compression)},
    {"service-name", "OTEL_SERVICE_NAME", O_STR, OFF(otel.service_name)},
    {"trace-sampler", "OTEL_TRACES_SAMPLER", O_STR, OFF(otel.sampler)},
    {"trace-sampler-arg", "OTEL_TRACES_SAMPLER_ARG", O_STR, OFF(otel.sampler_arg)},
    {"metric-interval", "OTEL_METRIC_EXPORT_INTERVAL", O_STR, OFF(otel.metric_interval)},
    {"no-telemetry", "PROVA_NO_TELEMETRY", O_BOOL, OFF(otel.disabled)},
    {"egress-profile", "PROVA_EGRESS_PROFILE", O_STR, OFF(app.egress.profile)},
    {"egress-allow", "PROVA_EGRESS_ALLOW", O_LIST, OFF(app.egress.allow)},
    {"egress-allow-file", "PROVA_EGRESS_ALLOW_FILE", O_STR, OFF(app.egress.allow_file)},
    {"egress-allow-address", "PROVA_EGRESS_ALLOW_ADDRESS", O_LIST, OFF(app.egress.allow_address)},
    {"egress-allow-private", "PROVA_EGRESS_ALLOW_PRIVATE", O_BOOL, OFF(app.egress.allow_private)},
    {"relay", "PROVA_RELAY", O_STR, OFF(app.egress.relay_url)},
    {"forward-timeout-ms", "PROVA_FORWARD_TIMEOUT_MS", O_UINT, OFF(app.egress.timeout_ms)},
    {"forward-connect-timeout-ms", "PROVA_FORWARD_CONNECT_TIMEOUT_MS", O_UINT, OFF(app.egress.connect_timeout_ms)},
    {"forward-max-response", "PROVA_FORWARD_MAX_RESPONSE", O_SIZE, OFF(app.egress.max_response)},
    {"forward-max-redirects", "PROVA_FORWARD_MAX_REDIRECTS", O_UINT0, OFF(app.egress.max_redirects)},
    {"forward-ca-file", "PROVA_FORWARD_CA_FILE", O_STR, OFF(app.egress.ca_file)},
    {"forward-ca-path", "PROVA_FORWARD_CA_PATH", O_STR, OFF(app.egress.ca_path)},
};
#define NOPTS (sizeof opt_defs / sizeof opt_defs[0])

/* Values read from the config file live here until exit. */
typedef struct strings {
    char **v;
    size_t n;
} strings;

static const char *keep(strings *s, const char *v, size_t n) {
    char **nv = realloc(s->v, (s->n + 1) * sizeof *nv);
    if (!nv) return NULL;
    s->v = nv;
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, v, n);
    c[n] = '\0';
    return s->v[s->n++] = c;
}

static int set_opt(serve_config *c, const opt_def *d, const char *v, const char *where, strings *st) {
    void *p = (char *)c + d->off;
    char *end = NULL;
    errno = 0;
    switch (d->type) {
    case O_STR:
        *(const char **)p = v;
        return 0;
    case O_BOOL:
        if (!v || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
            *(bool *)p = true;
        else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
            *(bool *)p = false;
        else
            return cli_fail(EXIT_USAGE, "%s: %s must be true or false, not '%s'", where, d->name, v);
        return 0;
    case O_UINT:
    case O_UINT0: {
        unsigned long n = strtoul(v, &end, 10);
        bool zero_ok = d->type == O_UINT0;
        if (errno || !*v || *v == '-' || *end || (n == 0 && !zero_ok) || n > 1000000)
            return cli_fail(EXIT_USAGE, "%s: %s must be a %s integer, not '%s'", where, d->name,
                            zero_ok ? "non-negative (0: off)" : "positive", v);
        *(unsigned *)p = (unsigned)n;
        return 0;
    }
    case O_SIZE: {
        unsigned long long n = strtoull(v, &end, 10);
        unsigned long long mul = 1;
        if (end && (*end == 'k' || *end == 'K'))
            mul = 1024, end++;
        else if (end && (*end == 'm' || *end == 'M'))
            mul = 1024 * 1024, end++;
        if (errno || !*v || *end || n == 0 || n > (1ull << 32) / mul)
            return cli_fail(EXIT_USAGE, "%s: %s must be a size in bytes (K and M suffixes), not '%s'", where, d->name,
                            v);
        *(size_t *)p = (size_t)(n * mul);
        return 0;
    }
    case O_I64: {
        long long n = strtoll(v, &end, 10);
        if (errno || !*v || *end || n <= 0 || n > 86400 * 365)
            return cli_fail(EXIT_USAGE, "%s: %s must be a positive number of seconds, not '%s'", where, d->name, v);
        *(int64_t *)p = n;
        return 0;
    }
    case O_LIST: { /* each occurrence adds to the list (config file, environment, flags alike) */
        const char *old = *(const char **)p;
        size_t ol = old ? strlen(old) : 0, vl = strlen(v);
        char *joined = malloc(ol + vl + 2);
        if (!joined) return cli_fail(EXIT_INTERNAL, "out of memory");
        snprintf(joined, ol + vl + 2, "%s%s%s", old ? old : "", old ? "," : "", v);
        const char *k = keep(st, joined, ol + vl + (old ? 1 : 0));
        free(joined);
        if (!k) return cli_fail(EXIT_INTERNAL, "out of memory");
        *(const char **)p = k;
        return 0;
    }
    case O_ACCESS:
        if (http_access_log_parse(v, (int *)p) < 0)
            return cli_fail(EXIT_USAGE, "%s: %s must be " HTTP_ACCESS_LOG_FORMATS ", not '%s'", where, d->name, v);
        return 0;
    }
    return EXIT_USAGE;
}

static const opt_def *find_opt(const char *name, size_t n) {
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(opt_defs[i].name) == n && memcmp(opt_defs[i].name, name, n) == 0) return &opt_defs[i];
    return NULL;
}

/* "name = value" lines; '#' starts a comment; names are the long options. */
static int load_config_file(serve_config *c, const char *path, strings *st) {
    prova_buf b = PROVA_BUF_INIT;
    int rc = cli_read_file(path, 1 << 20, &b);
    if (rc) return rc;
    const char *p = (const char *)b.data, *end = p + b.len;
    int lineno = 0;
    rc = 0;
    while (p < end && !rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *s = p, *e = le;
        p = nl ? nl + 1 : end;
        const char *hash = memchr(s, '#', (size_t)(e - s));
        if (hash) e = hash;
        while (s < e && (*s == ' ' || *s == '\t')) s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
        if (s == e) continue;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq) {
            rc = cli_fail(EXIT_USAGE, "%s:%d: expected name = value", path, lineno);
            break;
        }
        const char *ke = eq, *vs = eq + 1;
        while (ke > s && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
        while (vs < e && (*vs == ' ' || *vs == '\t')) vs++;
        const opt_def *d = find_opt(s, (size_t)(ke - s));
        if (!d) {
            rc = cli_fail(EXIT_USAGE, "%s:%d: unknown setting '%.*s'", path, lineno, (int)(ke - s), s);
            break;
        }
        const char *v = keep(st, vs, (size_t)(e - vs));
        char where[600];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        rc = v ? set_opt(c, d, v, where, st) : cli_fail(EXIT_INTERNAL, "out of memory");
    }
    prova_buf_free(&b);
    return rc;
}

/* ---- Key rotation -------------------------------------------------------------------------------------------- */

/* Moves the current signing key's public half into DATA/legacy.jwks and makes a new signing key. */
static int rotate_key(const app_config *c) {
    char kp[4096], lp[4096];
    snprintf(kp, sizeof kp, "%s", c->key_path ? c->key_path : "");
    if (!c->key_path) snprintf(kp, sizeof kp, "%s/gateway.key", c->data_dir);
    snprintf(lp, sizeof lp, "%s/legacy.jwks", c->data_dir);
    prova_key *old = NULL, *fresh = NULL;
    int rc = cli_load_key(kp, &old);
    if (rc) return rc;
    prova_buf jwks = PROVA_BUF_INIT, cur = PROVA_BUF_INIT, pub = PROVA_BUF_INIT;
    rc = EXIT_INTERNAL;
    /* Keep the keys already there, add the old one. */
    if (access(lp, F_OK) == 0) {
        if (cli_read_file(lp, 1 << 20, &cur)) goto out;
    }
    prova_doc *doc = NULL;
    if (cur.len && prova_json_parse(cur.data, cur.len, NULL, &doc, NULL) < 0) {
        cli_fail(EXIT_USAGE, "%s: not JSON; fix or remove it first", lp);
        rc = EXIT_USAGE;
        goto out;
    }
    const prova_json *keys = prova_json_get(prova_doc_root(doc), "keys");
    int st = prova_buf_append(&jwks, "{\"keys\":[", 9);
    for (size_t i = 0; st == 0 && i < prova_json_len(keys); i++) {
        if (i) st = prova_buf_append(&jwks, ",", 1);
        if (!st) st = prova_canon_write(prova_json_at(keys, i), PROVA_PROFILE_JCS, &jwks, NULL);
    }
    prova_doc_free(doc);
    if (!st && prova_json_len(keys)) st = prova_buf_append(&jwks, ",", 1);
    if (!st) st = prova_key_to_jwk(old, false, &pub);
    if (!st) st = prova_buf_append(&jwks, pub.data, pub.len);
    if (!st) st = prova_buf_append(&jwks, "]}\n", 3);
    if (st) goto out;
    if (prova_key_generate(PROVA_SIG_ED25519, &fresh) < 0) goto out;
    /* 0600 as every file of the data directory (docs/operations.md "Files and permissions") */
    if (cli_write_file_atomic_mode(lp, jwks.data, jwks.len, 0600)) goto out;
    if (prova_key_save_file(fresh, kp) < 0) {
        cli_fail(EXIT_INTERNAL, "%s: cannot write the new key: %s", kp, strerror(errno));
        goto out;
    }
    printf("rotated: %s is now legacy (published in %s); the new signing key is %s\n", prova_key_kid(old), lp,
           prova_key_kid(fresh));
    rc = cli_write_stdout(NULL, 0);
out:
    prova_buf_free(&jwks);
    prova_buf_free(&cur);
    prova_buf_free(&pub);
    prova_key_free(old);
    prova_key_free(fresh);
    return rc;
}

/* ---- The command --------------------------------------------------------------------------------------------- */

/* Prints a bearer token from the tokens file (the one named "dev", created on first run, or else the first one
 * stored in clear) for a shell: export TOKEN=$(prova serve --print-token). */
static int print_token(const app_config *c) {
    char path[4096];
    const char *tp = c->tokens_path;
    if (!tp) {
        snprintf(path, sizeof path, "%s/tokens.json", c->data_dir ? c->data_dir : "var");
        tp = path;
    }
    if (access(tp, F_OK) != 0)
        return cli_fail(EXIT_USAGE, "serve: %s does not exist yet: start the gateway once (make start) to create it",
                        tp);
    prova_buf b = PROVA_BUF_INIT;
    int rc = cli_read_file(tp, (size_t)4 << 20, &b);
    if (rc) return rc;
    prova_doc *doc = NULL;
    prova_error e;
    prova_parse_options po = {.flags = PROVA_PARSE_SECRET};
    int pr = prova_json_parse(b.data, b.len, &po, &doc, &e);
    prova_mem_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (pr < 0) {
        cli_report(tp, &e);
        return EXIT_USAGE;
    }
    const prova_json *toks = prova_json_get(prova_doc_root(doc), "tokens"), *pick = NULL;
    for (size_t i = 0; i < prova_json_len(toks) && prova_json_is_array(toks); i++) {
        const prova_json *t = prova_json_at(toks, i), *tok = prova_json_get(t, "token");
        if (!prova_json_is_string(tok)) continue;
        if (!pick || prova_json_str_eq(prova_json_get(t, "name"), "dev")) pick = tok;
    }
    if (pick) rc = cli_write_stdout(prova_json_str(pick), prova_json_len(pick));
    if (pick && rc == EXIT_OK) rc = cli_write_stdout("\n", 1);
    prova_doc_free(doc);
    if (!pick) return cli_fail(EXIT_USAGE, "serve: %s holds no token in clear (only sha256 hashes)", tp);
    return rc;
}

/* The service's log lines on stderr. */
static void log_line(void *ctx, const char *line) {
    (void)ctx;
    fprintf(stderr, "prova serve: %s\n", line);
}

/* The development token is a secret: shown only to a person at a terminal (as a line to paste), never written to a
 * log or a journal; it is always in tokens.json (mode 0600). */
static void dev_token(void *ctx, const char *path, const char *token) {
    (void)ctx;
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "prova serve: the development token (also in %s):\n  export TOKEN=%s\n", path, token);
    else
        fprintf(stderr, "prova serve: the development token is in %s (not printed: stderr is not a terminal)\n", path);
}

int cmd_serve(int argc, char **argv) {
    serve_config cfg;
    memset(&cfg, 0, sizeof cfg);
    app_config_defaults(&cfg.app);
    http_config_defaults(&cfg.http);
    cfg.http.max_connections = 4096; /* capped by the open-files limit, raised below */
    cfg.app.log = log_line;
    cfg.app.dev_token = dev_token;
    strings st = {0};
    cli_list origins = {0};
    int rc = 0;
    bool rotate = false, show_token = false;
    app *a = NULL;
    mcp_server *mcp = NULL;
    httpd *d = NULL;
    otel *tel = NULL;
    /* The config file first (anywhere on the line), so that the environment and the flags override it. */
    const char *config = getenv("PROVA_CONFIG");
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_opt_value(argc, argv, &i, "--config", &v)) config = v;
    }
    if (config && (rc = load_config_file(&cfg, config, &st))) goto out;
    for (size_t k = 0; k < NOPTS && !rc; k++) {
        const char *v = getenv(opt_defs[k].env);
        if (v && *v) rc = set_opt(&cfg, &opt_defs[k], v, opt_defs[k].env, &st);
    }
    for (int i = 1; i < argc && !rc; i++) {
        const char *arg = argv[i], *v;
        if (cli_is_help(arg)) {
            cli_print_help(cli_find("serve"), stdout);
            goto out;
        }
        if (cli_opt_value(argc, argv, &i, "--config", &v)) continue;
        if (!strcmp(arg, "--rotate-key")) {
            rotate = true;
            continue;
        }
        if (!strcmp(arg, "--print-token")) {
            show_token = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            rc = cli_fail(EXIT_USAGE, "serve: unexpected argument '%s' (see prova serve --help)", arg);
            break;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        const opt_def *o = find_opt(name, eq ? (size_t)(eq - name) : strlen(name));
        if (!o) {
            rc = cli_fail(EXIT_USAGE, "serve: unknown option '%s' (see prova serve --help)", arg);
            break;
        }
        if (o->type == O_BOOL && !eq) {
            rc = set_opt(&cfg, o, NULL, arg, &st);
            continue;
        }
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", o->name);
        if (!cli_opt_value(argc, argv, &i, flag, &v)) {
            rc = cli_fail(EXIT_USAGE, "serve: %s needs a value", flag);
            break;
        }
        rc = set_opt(&cfg, o, v, flag, &st);
    }
    if (rc) goto out;
    if (rotate) {
        rc = rotate_key(&cfg.app);
        goto out;
    }
    if (show_token) {
        rc = print_token(&cfg.app);
        goto out;
    }
    cfg.http.max_body = cfg.app.max_body;
    if (cfg.no_compress) cfg.http.compress_min = SIZE_MAX;
    if (cfg.mcp_allow_origins && cli_split_list(cfg.mcp_allow_origins, &origins) < 0) {
        rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    cfg.http.mcp_origins = (const char *const *)origins.v;
    cfg.http.nmcp_origins = origins.n;

    /* Signals are taken by this thread only: block them before any thread starts. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* One descriptor per connection: the soft open-files limit goes up to the hard one (http_start caps
     * --max-connections under it). */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if ((rc = http_check_tls(&cfg.http)) != 0) goto out; /* a bad TLS setting changes nothing in the data directory */
    if ((rc = cli_otel_open(&cfg.otel, "prova", &tel)) != 0) goto out; /* nor does a bad telemetry setting */
    cfg.app.otel = tel;
    if ((rc = app_open(&cfg.app, &a)) != 0) goto out;
    if (!cfg.http.no_mcp) {
        mcp_config mc = {.a = a,
                         .max_message = cfg.app.max_body,
                         .max_depth = cfg.app.max_depth,
                         .allowed_origins = cfg.http.mcp_origins,
                         .norigins = cfg.http.nmcp_origins,
                         .quiet = cfg.http.quiet};
        if (!(mcp = mcp_server_new(&mc))) {
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
            goto out;
        }
    }
    if ((rc = http_start(&cfg.http, a, mcp, &d)) != 0) goto out;
    app_stats stats;
    app_stats_get(a, &stats);
    char store[4096]; /* a URI's credentials are not printed */
    if (cfg.app.store && prova_store_is_postgresql(cfg.app.store))
        app_url_for_log(cfg.app.store, store, sizeof store);
    else
        snprintf(store, sizeof store, "%s%s", cfg.app.store ? cfg.app.store : cfg.app.data_dir,
                 cfg.app.store ? "" : "/prova.db");
    fprintf(stderr,
            "prova serve: listening on %s%s (store %s: %lld receipts in %lld traces, %lld chains, %lld "
            "certificates; kid %s)\n",
            cfg.http.tls_cert ? "https://" : "http://", cfg.http.listen, store, (long long)stats.receipts,
            (long long)stats.traces, (long long)stats.chains, (long long)stats.certificates, app_kid(a));
    int sig = 0;
    /* SIGHUP reloads the trusted senders (a key added to --trusted-senders is trusted without a restart). */
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) app_reload_senders(a);
    fprintf(stderr, "prova serve: %s: finishing in-flight requests\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_stop(d);
    d = NULL;
    mcp_server_free(mcp);
    mcp = NULL;
    app_close(a);
    a = NULL;
    otel_close(tel); /* the last spans and a last metrics snapshot, within 5 s */
    tel = NULL;
    fprintf(stderr, "prova serve: stopped\n");
out:
    http_stop(d);
    mcp_server_free(mcp);
    app_close(a);
    otel_close(tel);
    cli_list_free(&origins);
    for (size_t i = 0; i < st.n; i++) free(st.v[i]);
    free(st.v);
    return rc;
}
