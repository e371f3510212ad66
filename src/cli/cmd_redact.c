/* prova redact: withhold members of a redactable OPE envelope (prova pack --redactable), or print what it
 * discloses. Formats and reason codes: docs/redaction.md. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prova/redact.h"

#define MAX_PATHS 1024

int cmd_redact(int argc, char **argv) {
    const char *file = "-";
    const char *paths[MAX_PATHS];
    size_t npaths = 0;
    bool have_file = false, reveal = false;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_opt_value(argc, argv, &i, "--path", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--path needs a JSON Pointer (e.g. /payload/address)");
            if (npaths == MAX_PATHS) return cli_fail(EXIT_USAGE, "at most %d --path options", MAX_PATHS);
            paths[npaths++] = v;
        } else if (strcmp(argv[i], "--reveal") == 0) {
            reveal = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else {
            if (have_file) return cli_fail(EXIT_USAGE, "only one envelope file is accepted");
            file = argv[i];
            have_file = true;
        }
    }
    if (!npaths && !reveal) return cli_fail(EXIT_USAGE, "give --path POINTER (repeatable) or --reveal");
    cli_input in;
    int rc = cli_input_open(file, PROVA_DEFAULT_MAX_SIZE, &in);
    if (rc != EXIT_OK) return rc;
    prova_doc *doc = NULL, *red = NULL;
    prova_buf out = PROVA_BUF_INIT, shown = PROVA_BUF_INIT;
    prova_error err;
    const prova_json *env = NULL;
    if (prova_json_parse(in.data, in.len, NULL, &doc, &err) < 0) {
        cli_report(file, &err);
        rc = EXIT_USAGE;
    } else {
        env = prova_doc_root(doc);
        int r = npaths ? prova_redact_remove(env, paths, npaths, &out, &err) : 0;
        if (r == 0 && npaths && reveal) {
            /* Show what the redacted envelope discloses. */
            r = prova_json_parse(out.data, out.len, NULL, &red, &err);
            if (r == 0) env = prova_doc_root(red);
        }
        if (r == 0 && reveal) {
            r = prova_redact_reveal(env, &shown, &err);
        } else if (r == 0) {
            shown = out;
            out = (prova_buf)PROVA_BUF_INIT;
        }
        if (r < 0) {
            rc = r == PROVA_ENOMEM ? EXIT_INTERNAL : r == PROVA_EVERIFY ? EXIT_INVALID : EXIT_USAGE;
            cli_report(file, &err);
        } else if (prova_buf_append(&shown, "\n", 1) < 0) {
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
        } else {
            rc = cli_write_stdout(shown.data, shown.len);
        }
    }
    prova_buf_free(&out);
    prova_buf_free(&shown);
    prova_doc_free(red);
    prova_doc_free(doc);
    cli_input_close(&in);
    return rc;
}
