/* prova witness: a c2sp.org/tlog-witness server over the gateway's HTTP daemon, and its key. docs/tlog.md, "Witness".
 *
 *   prova witness --key FILE --logs FILE --state DIR [--listen ADDR:PORT] [--tls-cert F --tls-key F]
 *                 [--threads N] [--max-connections N] [--timeout S] [--access-log text|json|off] [--quiet]
 *   prova witness keygen --name NAME --out FILE [--force]
 *
 * The daemon serves POST /add-checkpoint, GET /<hex SHA-256(origin)>/checkpoint, /health, /version and /metrics
 * (the submission and monitoring prefixes are both the root). */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "http.h"
#include "prova/encoding.h"
#include "prova/note.h"
#include "witness.h"

static void log_line(void *ctx, const char *line) {
    (void)ctx;
    fprintf(stderr, "prova witness: %s\n", line);
}

/* Serves until SIGINT or SIGTERM. */
static int serve(http_config *hc, app *a, witness *w, bool quiet) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    httpd *d = NULL;
    int rc = http_start(hc, a, NULL, &d);
    if (rc) return rc;
    if (!quiet) {
        prova_buf vk = PROVA_BUF_INIT;
        if (prova_note_key_write_vkey(witness_key(w), &vk) == 0 && prova_buf_append(&vk, "", 1) == 0)
            fprintf(stderr, "prova witness: %s witnessing %zu log(s) on %s://%s/add-checkpoint\n",
                    (const char *)vk.data, witness_log_count(w), hc->tls_cert ? "https" : "http", hc->listen);
        prova_buf_free(&vk);
    }
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    http_stop(d);
    return EXIT_OK;
}

int cmd_witness(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "keygen") == 0)
        return cli_note_keygen(argc, argv, "witness keygen", PROVA_NOTE_COSIGNATURE_V1);
    witness_config wc = {.log = log_line};
    bool quiet = false;
    const char *v = NULL;
    http_config hc;
    http_config_defaults(&hc);
    hc.listen = "127.0.0.1:8090";
    hc.no_mcp = true;
    hc.max_body = WITNESS_MAX_BODY;
    hc.log_prefix = "prova witness";
    for (int i = 1; i < argc; i++) {
        unsigned long long n;
        int rc;
        if (cli_opt_value(argc, argv, &i, "--key", &wc.key_path) ||
            cli_opt_value(argc, argv, &i, "--logs", &wc.logs_path) ||
            cli_opt_value(argc, argv, &i, "--state", &wc.state_dir) ||
            cli_opt_value(argc, argv, &i, "--listen", &hc.listen) ||
            cli_opt_value(argc, argv, &i, "--tls-cert", &hc.tls_cert) ||
            cli_opt_value(argc, argv, &i, "--tls-key", &hc.tls_key)) {
        } else if (cli_opt_value(argc, argv, &i, "--access-log", &v)) {
            if (http_access_log_parse(v, &hc.access_log) < 0)
                return cli_fail(EXIT_USAGE, "witness: --access-log must be " HTTP_ACCESS_LOG_FORMATS ", not '%s'",
                                v ? v : "");
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = true;
        } else if (cli_opt_value(argc, argv, &i, "--threads", &v)) {
            if ((rc = cli_number_opt("witness", "--threads", v, 1, 1024, &n))) return rc;
            hc.threads = (unsigned)n;
        } else if (cli_opt_value(argc, argv, &i, "--max-connections", &v)) {
            if ((rc = cli_number_opt("witness", "--max-connections", v, 1, 1000000, &n))) return rc;
            hc.max_connections = (unsigned)n;
        } else if (cli_opt_value(argc, argv, &i, "--timeout", &v)) {
            if ((rc = cli_number_opt("witness", "--timeout", v, 1, 86400, &n))) return rc;
            hc.timeout_s = (unsigned)n;
        } else {
            return cli_fail(EXIT_USAGE, "witness: unknown option '%s' (prova witness --help)", argv[i]);
        }
    }
    if (!wc.key_path || !wc.logs_path || !wc.state_dir)
        return cli_fail(EXIT_USAGE, "witness: --key FILE, --logs FILE and --state DIR are required");
    hc.quiet = quiet;
    witness *w = NULL;
    int rc = witness_open(&wc, &w);
    if (rc) return rc;
    /* The daemon runs over a service without a store (health, metrics); the witness is its only state. */
    app_config ac;
    app_config_defaults(&ac);
    ac.data_dir = NULL;
    ac.log = log_line;
    app *a = NULL;
    otel *tel = NULL;
    if ((rc = cli_otel_open(NULL, "prova-witness", &tel)) != 0) { /* the OTEL_* variables */
        witness_free(w);
        return rc;
    }
    ac.otel = tel;
    if ((rc = app_open(&ac, &a)) == 0) {
        hc.witness = w;
        rc = serve(&hc, a, w, quiet);
        if (!quiet && rc == EXIT_OK) fprintf(stderr, "prova witness: stopped\n");
    }
    app_close(a);
    otel_close(tel);
    witness_free(w);
    return rc;
}
