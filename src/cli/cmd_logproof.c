/* Log proofs in exports (docs/tlog.md, "Proofs in exports"): `prova log attach` and the log options of
 * `prova verify` (--log-key, --witness-policy, --require-log-proof). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "prova/verify.h"

void cli_log_verify_init(cli_log_verify *lv) {
    memset(lv, 0, sizeof *lv);
}

void cli_log_verify_free(cli_log_verify *lv) {
    for (size_t i = 0; i < lv->nkeys; i++) free(lv->keys[i]);
    free(lv->keys);
    for (size_t i = 0; i < lv->nproofs; i++) prova_buf_free(&lv->proofs[i]);
    free(lv->proofs);
    free(lv->proof_in);
    prova_buf_free(&lv->policy);
}

static int add_key(cli_log_verify *lv, const char *s, size_t n) {
    char **k = realloc(lv->keys, (lv->nkeys + 1) * sizeof *k);
    if (!k) return cli_fail(EXIT_INTERNAL, "out of memory");
    lv->keys = k;
    if (!(k[lv->nkeys] = strndup(s, n))) return cli_fail(EXIT_INTERNAL, "out of memory");
    lv->nkeys++;
    return EXIT_OK;
}

/* --log-key VKEY or FILE: a file of vkeys (one a line; blank lines and # comments skipped) when the path names a
 * regular file, else the vkey text itself. */
static int load_log_key(cli_log_verify *lv, const char *v) {
    struct stat st;
    if (stat(v, &st) != 0 || !S_ISREG(st.st_mode)) return add_key(lv, v, strlen(v));
    prova_buf b = PROVA_BUF_INIT;
    int rc = cli_read_file(v, 1u << 20, &b);
    size_t before = lv->nkeys;
    for (size_t i = 0; rc == EXIT_OK && i < b.len;) {
        size_t e = i;
        while (e < b.len && b.data[e] != '\n') e++;
        size_t s = i, t = e;
        while (s < t && (b.data[s] == ' ' || b.data[s] == '\t')) s++;
        while (t > s && (b.data[t - 1] == ' ' || b.data[t - 1] == '\t' || b.data[t - 1] == '\r')) t--;
        if (t > s && b.data[s] != '#') rc = add_key(lv, (const char *)b.data + s, t - s);
        i = e + 1;
    }
    if (rc == EXIT_OK && lv->nkeys == before)
        rc = cli_fail_as(EXIT_USAGE, "log_key", "log_key_invalid", "%s: no verifier key in the file", v);
    prova_buf_free(&b);
    return rc;
}

bool cli_log_verify_option(int argc, char **argv, int *i, cli_log_verify *lv, int *rc) {
    const char *v = NULL;
    if (cli_opt_value(argc, argv, i, "--log-key", &v)) {
        *rc = load_log_key(lv, v);
    } else if (cli_opt_value(argc, argv, i, "--witness-policy", &v)) {
        *rc = cli_read_file(v, 1u << 20, &lv->policy);
        lv->have_policy = *rc == EXIT_OK;
    } else if (cli_opt_value(argc, argv, i, "--log-proof", &v)) {
        prova_buf *p = realloc(lv->proofs, (lv->nproofs + 1) * sizeof *p);
        if (!p) {
            *rc = cli_fail(EXIT_INTERNAL, "out of memory");
            return true;
        }
        lv->proofs = p;
        p[lv->nproofs] = (prova_buf)PROVA_BUF_INIT;
        *rc = cli_read_file(v, 1u << 20, &p[lv->nproofs]);
        lv->nproofs++;
    } else if (strcmp(argv[*i], "--require-log-proof") == 0) {
        lv->require = true;
        *rc = EXIT_OK;
    } else {
        return false;
    }
    return true;
}

int cli_log_verify_finish(cli_log_verify *lv, prova_verify_options *o) {
    if (lv->require && !lv->nkeys && !lv->have_policy)
        return cli_fail(EXIT_USAGE, "--require-log-proof needs --log-key or --witness-policy");
    o->log_keys = (const char *const *)lv->keys;
    o->nlog_keys = lv->nkeys;
    o->log_policy = lv->have_policy ? (lv->policy.data ? (const char *)lv->policy.data : "") : NULL;
    o->log_policy_len = lv->have_policy ? lv->policy.len : 0;
    o->require_log_proof = lv->require;
    if (lv->nproofs) {
        lv->proof_in = calloc(lv->nproofs, sizeof *lv->proof_in);
        if (!lv->proof_in) return cli_fail(EXIT_INTERNAL, "out of memory");
        for (size_t i = 0; i < lv->nproofs; i++)
            lv->proof_in[i] = (prova_log_proof_in){(const char *)lv->proofs[i].data, lv->proofs[i].len};
        o->log_proofs = lv->proof_in;
        o->nlog_proofs = lv->nproofs;
    }
    return EXIT_OK;
}

/* prova log attach --proof FILE... [--out FILE] DOC */
int cmd_log_attach(int argc, char **argv) {
    const char *doc = NULL, *outp = NULL, *v = NULL;
    prova_buf *texts = NULL;
    size_t n = 0;
    int rc = EXIT_OK;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        if (cli_opt_value(argc, argv, &i, "--proof", &v)) {
            prova_buf *t = realloc(texts, (n + 1) * sizeof *t);
            if (!t) {
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
                break;
            }
            texts = t;
            texts[n] = (prova_buf)PROVA_BUF_INIT;
            rc = cli_read_file(v, 1u << 20, &texts[n]);
            n++;
        } else if (cli_opt_value(argc, argv, &i, "--out", &v)) {
            outp = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else if (doc) {
            rc = cli_fail(EXIT_USAGE, "only one document is accepted");
        } else {
            doc = argv[i];
        }
    }
    if (rc == EXIT_OK && (!doc || !n)) rc = cli_fail(EXIT_USAGE, "usage: prova log attach --proof FILE... DOC");
    prova_log_proof_in *in = rc == EXIT_OK ? calloc(n, sizeof *in) : NULL;
    if (rc == EXIT_OK && !in) rc = cli_fail(EXIT_INTERNAL, "out of memory");
    cli_input din;
    bool opened = false;
    if (rc == EXIT_OK) {
        rc = cli_input_open_stream(doc, PROVA_DEFAULT_MAX_SIZE, &din);
        opened = rc == EXIT_OK;
    }
    if (rc == EXIT_OK) {
        for (size_t i = 0; i < n; i++) in[i] = (prova_log_proof_in){(const char *)texts[i].data, texts[i].len};
        prova_buf out = PROVA_BUF_INIT;
        prova_error err;
        int r = prova_log_proofs_attach(din.data, din.len, in, n, &out, &err);
        if (r == PROVA_ENOMEM) {
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
        } else if (r < 0) {
            cli_report_as(doc, &err, "log_attach", err.reason);
            rc = EXIT_USAGE;
        } else {
            rc = outp ? cli_write_file_atomic(outp, out.data, out.len) : cli_write_stdout(out.data, out.len);
        }
        prova_buf_free(&out);
    }
    if (opened) cli_input_close(&din);
    free(in);
    for (size_t i = 0; i < n; i++) prova_buf_free(&texts[i]);
    free(texts);
    return rc;
}
