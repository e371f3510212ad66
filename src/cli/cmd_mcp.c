/* prova mcp: prova's abilities as MCP tools, on stdio (default) or streamable HTTP (--http ADDR). docs/mcp.md.
 *
 *   prova mcp [--http ADDR] [--data DIR] [--trusted-senders JWKS] [--allow-inline-sender-keys] [--key K]
 *             [--jwks F]... [--allow-origin O]... [--tokens FILE] [--max-message BYTES] [--quiet]
 *
 * --data DIR runs the gateway headless on that store (no HTTP daemon of its own): the store tools act on it through
 * gw_dispatch. A stdio session acts for the local user with every scope (whoever can run prova can open the
 * store); an HTTP session acts with the bearer token it presented. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mcp/mcp.h"
#include "prova/crypto.h"
#include "prova/ope.h"
#include "server/gateway.h"

static volatile sig_atomic_t stop_flag; /* SIGINT/SIGTERM: the HTTP server stops */

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

enum { MAX_ORIGINS = 64 };

int cmd_mcp(int argc, char **argv) {
    const char *http = NULL, *data = NULL, *senders = NULL, *key_path = NULL, *tokens_path = NULL, *v = NULL;
    const char *origins[MAX_ORIGINS];
    size_t norigins = 0;
    bool inline_keys = false, quiet = false;
    size_t max_message = 0;
    prova_keyset *ks = NULL;
    prova_key *key = NULL;
    gw *g = NULL, *tok = NULL;
    mcp_server *s = NULL;
    int rc = EXIT_OK;
    bool started = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_help(cli_find("mcp"), stdout);
            goto out;
        } else if (cli_opt_value(argc, argv, &i, "--http", &http) ||
                   cli_opt_value(argc, argv, &i, "--data", &data) ||
                   cli_opt_value(argc, argv, &i, "--trusted-senders", &senders) ||
                   cli_opt_value(argc, argv, &i, "--key", &key_path) ||
                   cli_opt_value(argc, argv, &i, "--tokens", &tokens_path)) {
        } else if (strcmp(a, "--allow-inline-sender-keys") == 0) {
            inline_keys = true;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (cli_opt_value(argc, argv, &i, "--allow-origin", &v)) {
            if (norigins == MAX_ORIGINS) {
                rc = cli_fail(EXIT_USAGE, "mcp: at most %d --allow-origin values", MAX_ORIGINS);
                goto out;
            }
            origins[norigins++] = v;
        } else if (cli_opt_value(argc, argv, &i, "--max-message", &v)) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(v, &end, 10);
            if (errno || !*v || *end || n < 1024 || n > ((unsigned long long)256 << 20)) {
                rc = cli_fail(EXIT_USAGE, "mcp: --max-message must be a number of bytes from 1024 to 268435456");
                goto out;
            }
            max_message = (size_t)n;
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
            int n = prova_keyset_add_jwks(ks, in.data, in.len, v, &err);
            cli_input_close(&in);
            if (n < 0) {
                cli_report(v, &err);
                rc = EXIT_USAGE;
                goto out;
            }
        } else {
            rc = cli_fail(EXIT_USAGE, "mcp: unknown option '%s' (prova mcp --help)", a);
            goto out;
        }
    }
    if (key_path && (rc = cli_load_key(key_path, &key)) != EXIT_OK) goto out;
    if (!data && (senders || inline_keys)) {
        rc = cli_fail(EXIT_USAGE, "mcp: --trusted-senders and --allow-inline-sender-keys need --data DIR");
        goto out;
    }

    if (data) { /* the gateway, headless */
        if (!(g = calloc(1, sizeof *g))) {
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
            goto out;
        }
        gw_config c;
        gw_config_defaults(&c);
        c.data_dir = data;
        c.listen = NULL;
        c.quiet = true;
        c.trusted_senders = senders;
        c.allow_inline_sender_keys = inline_keys;
        c.tokens_path = tokens_path;
        started = true;
        rc = gw_start(g, &c);
        if (rc) goto out;
        if (ks && prova_keyset_add_jwks(ks, g->jwks.data, g->jwks.len, "gateway", NULL) < 0) {
            rc = cli_fail(EXIT_INTERNAL, "mcp: the gateway's keys cannot be added to the trusted keys");
            goto out;
        }
    } else if (tokens_path) { /* tokens only: the gateway's tokens.json format, read by the gateway's loader */
        if (!(tok = calloc(1, sizeof *tok))) {
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
            goto out;
        }
        tok->cfg.tokens_path = tokens_path;
        if (gw_load_tokens(tok) != 0) {
            rc = cli_fail(EXIT_USAGE, "mcp: %s: cannot use these tokens", tokens_path);
            goto out;
        }
    }

    mcp_config mc = {.g = g,
                     .key = key,
                     .keys = ks,
                     .max_message = max_message,
                     .allowed_origins = origins,
                     .norigins = norigins,
                     .quiet = quiet};
    if (!(s = mcp_server_new(&mc))) {
        rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    if (http) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        const gw_token *tokens = g ? g->tokens : tok ? tok->tokens : NULL;
        size_t ntokens = g ? g->ntokens : tok ? tok->ntokens : 0;
        rc = mcp_serve_http(s, http, tokens, ntokens, &stop_flag);
    } else {
        if (!quiet)
            fprintf(stderr, "prova mcp: serving MCP on stdio%s%s\n", data ? " with the store in " : " (no store)",
                    data ? data : "");
        rc = mcp_serve_stdio(s, STDIN_FILENO, STDOUT_FILENO);
    }

out:
    mcp_server_free(s);
    if (g) {
        if (started) gw_stop(g);
        free(g);
    }
    if (tok) {
        gw_free_config_state(tok);
        free(tok);
    }
    prova_key_free(key);
    prova_keyset_free(ks);
    return rc;
}
