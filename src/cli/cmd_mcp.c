/* prova mcp: prova's abilities as MCP tools, on stdio (default) or streamable HTTP (--http ADDR). docs/mcp.md.
 *
 *   prova mcp [--http ADDR] [--data DIR] [--trusted-senders JWKS] [--allow-inline-sender-keys] [--key K]
 *             [--jwks F]... [--allow-origin O]... [--tokens FILE] [--max-message BYTES] [--quiet]
 *             [--tls-cert F --tls-key F [--tls-priority S]] [--max-connections N] [--timeout S]
 *             [--access-log text|json|off]
 *
 * --data DIR opens the gateway's store (the service layer, without the gateway's routes): the store tools act on it.
 * A stdio session acts for the local user with every scope (whoever can run prova can open the store); an HTTP
 * session acts with the bearer token it presented. --http runs the gateway's HTTP daemon with only /mcp and
 * /health, so MCP over HTTP has the same TLS, limits and metrics as prova serve. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "http.h"
#include "mcp.h"
#include "prova/crypto.h"
#include "prova/ope.h"

enum { MAX_ORIGINS = 64 };

static void log_line(void *ctx, const char *line) {
    (void)ctx;
    fprintf(stderr, "prova mcp: %s\n", line);
}

/* Serves HTTP until SIGINT or SIGTERM. */
static int serve_http(http_config *hc, app *a, mcp_server *s, bool quiet) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_storage ss;
    socklen_t sl;
    bool loopback = false;
    if (http_parse_listen(hc->listen, true, &ss, &sl, &loopback) < 0)
        return cli_fail(EXIT_USAGE, "mcp: --http %s: expected PORT (loopback), HOST:PORT, [V6]:PORT or :PORT",
                        hc->listen);
    if (!loopback && app_token_count(a) == 0)
        return cli_fail(EXIT_USAGE,
                        "mcp: --http %s is not a loopback address: give bearer tokens (--tokens FILE, or "
                        "--data DIR for the gateway's)",
                        hc->listen);
    httpd *d = NULL;
    int rc = http_start(hc, a, s, &d);
    if (rc) return rc;
    if (!quiet)
        fprintf(stderr, "prova mcp: streamable HTTP on %s://%s/mcp%s\n", hc->tls_cert ? "https" : "http", hc->listen,
                loopback ? "" : " (bearer token required)");
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    http_stop(d);
    return EXIT_OK;
}

int cmd_mcp(int argc, char **argv) {
    const char *http = NULL, *v = NULL;
    const char *origins[MAX_ORIGINS];
    size_t norigins = 0;
    const char *key_path = NULL;
    bool quiet = false;
    size_t max_message = MCP_DEFAULT_MAX_MESSAGE;
    prova_keyset *ks = NULL;
    prova_key *key = NULL;
    app *a = NULL;
    mcp_server *s = NULL;
    otel *tel = NULL;
    int rc = EXIT_OK;
    app_config ac;
    app_config_defaults(&ac);
    ac.data_dir = NULL;
    ac.log = log_line;
    http_config hc;
    http_config_defaults(&hc);
    hc.bare_port = true;
    hc.mcp_only = true;
    hc.log_prefix = "prova mcp";
    hc.access_log = HTTP_ACCESS_OFF; /* by default: stderr carries the session's diagnostics */
    bool access_log = false;         /* --access-log was given */

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        unsigned long long n;
        if (cli_is_help(arg)) {
            cli_print_help(cli_find("mcp"), stdout);
            goto out;
        } else if (cli_opt_value(argc, argv, &i, "--http", &http) ||
                   cli_opt_value(argc, argv, &i, "--data", &ac.data_dir) ||
                   cli_opt_value(argc, argv, &i, "--store", &ac.store) ||
                   cli_opt_value(argc, argv, &i, "--trusted-senders", &ac.trusted_senders) ||
                   cli_opt_value(argc, argv, &i, "--key", &key_path) ||
                   cli_opt_value(argc, argv, &i, "--tokens", &ac.tokens_path) ||
                   cli_opt_value(argc, argv, &i, "--transforms", &ac.transforms_dir) ||
                   cli_opt_value(argc, argv, &i, "--tls-cert", &hc.tls_cert) ||
                   cli_opt_value(argc, argv, &i, "--tls-key", &hc.tls_key) ||
                   cli_opt_value(argc, argv, &i, "--tls-priority", &hc.tls_priority)) {
        } else if (cli_opt_value(argc, argv, &i, "--access-log", &v)) {
            if (http_access_log_parse(v, &hc.access_log) < 0) {
                rc =
                    cli_fail(EXIT_USAGE, "mcp: --access-log must be " HTTP_ACCESS_LOG_FORMATS ", not '%s'", v ? v : "");
                goto out;
            }
            access_log = true;
        } else if (strcmp(arg, "--allow-inline-sender-keys") == 0) {
            ac.allow_inline_sender_keys = true;
        } else if (strcmp(arg, "--sft-passthrough") == 0) {
            ac.sft_passthrough = true;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            quiet = true;
        } else if (cli_opt_value(argc, argv, &i, "--allow-origin", &v)) {
            if (norigins == MAX_ORIGINS) {
                rc = cli_fail(EXIT_USAGE, "mcp: at most %d --allow-origin values", MAX_ORIGINS);
                goto out;
            }
            origins[norigins++] = v;
        } else if (cli_opt_value(argc, argv, &i, "--max-message", &v)) {
            if ((rc = cli_number_opt("mcp", "--max-message", v, 1024, (unsigned long long)256 << 20, &n))) goto out;
            max_message = (size_t)n;
        } else if (cli_opt_value(argc, argv, &i, "--max-connections", &v)) {
            if ((rc = cli_number_opt("mcp", "--max-connections", v, 1, 1000000, &n))) goto out;
            hc.max_connections = (unsigned)n;
        } else if (cli_opt_value(argc, argv, &i, "--timeout", &v)) {
            if ((rc = cli_number_opt("mcp", "--timeout", v, 1, 86400, &n))) goto out;
            hc.timeout_s = (unsigned)n;
        } else if (cli_opt_value(argc, argv, &i, "--jwks", &v)) {
            cli_input in;
            rc = cli_input_open(v, (size_t)4 << 20, &in);
            if (rc) goto out;
            if (!ks && !(ks = prova_keyset_new())) {
                cli_input_close(&in);
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
                goto out;
            }
            prova_error err;
            int k = prova_keyset_add_jwks(ks, in.data, in.len, v, &err);
            cli_input_close(&in);
            if (k < 0) {
                cli_report(v, &err);
                rc = EXIT_USAGE;
                goto out;
            }
        } else {
            rc = cli_fail(EXIT_USAGE, "mcp: unknown option '%s' (prova mcp --help)", arg);
            goto out;
        }
    }
    if (key_path && (rc = cli_load_key(key_path, &key)) != EXIT_OK) goto out;
    if (!ac.data_dir && (ac.trusted_senders || ac.allow_inline_sender_keys)) {
        rc = cli_fail(EXIT_USAGE, "mcp: --trusted-senders and --allow-inline-sender-keys need --data DIR");
        goto out;
    }
    if (!http && (hc.tls_cert || hc.tls_key || hc.tls_priority || access_log)) {
        rc = cli_fail(EXIT_USAGE, "mcp: --tls-cert, --tls-key, --tls-priority and --access-log apply to --http");
        goto out;
    }
    ac.max_body = max_message;
    ac.max_depth = PROVA_DEFAULT_MAX_DEPTH;
    if (http && (rc = http_check_tls(&hc)) != 0) goto out;            /* before the store is created */
    if ((rc = cli_otel_open(NULL, "prova-mcp", &tel)) != 0) goto out; /* the OTEL_* variables */
    ac.otel = tel;
    if ((rc = app_open(&ac, &a)) != 0) goto out;
    /* Keys given with --jwks are the verify tools' trusted keys; the store's own keys are trusted too. */
    if (ks && ac.data_dir && prova_keyset_add_jwks(ks, app_jwks(a)->data, app_jwks(a)->len, "gateway", NULL) < 0) {
        rc = cli_fail(EXIT_INTERNAL, "mcp: the gateway's keys cannot be added to the trusted keys");
        goto out;
    }
    mcp_config mc = {.a = a,
                     .key = key,
                     .keys = ks,
                     .max_message = max_message,
                     .max_depth = PROVA_DEFAULT_MAX_DEPTH,
                     .allowed_origins = origins,
                     .norigins = norigins,
                     .quiet = quiet};
    if (!(s = mcp_server_new(&mc))) {
        rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    if (http) {
        hc.listen = http;
        hc.max_body = max_message;
        hc.quiet = quiet;
        hc.mcp_origins = origins;
        hc.nmcp_origins = norigins;
        rc = serve_http(&hc, a, s, quiet);
        if (!quiet && rc == EXIT_OK) fprintf(stderr, "prova mcp: stopped\n");
    } else {
        if (!quiet)
            fprintf(stderr, "prova mcp: serving MCP on stdio%s%s\n",
                    ac.data_dir ? " with the store in " : " (no store)", ac.data_dir ? ac.data_dir : "");
        rc = mcp_serve_stdio(s, STDIN_FILENO, STDOUT_FILENO);
    }

out:
    mcp_server_free(s);
    app_close(a);
    otel_close(tel);
    prova_key_free(key);
    prova_keyset_free(ks);
    return rc;
}
