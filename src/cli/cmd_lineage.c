/* `prova lineage [--format json|dot|graphml|mermaid] [--out FILE [--force]] FILE...`: one lineage graph over every
 * record of every FILE (JSON, or JSON Lines: each line a record), merged (prova/lineage.h, docs/lineage.md).
 * Exit codes: 0 written; 2 usage, a file that cannot be read, that is not JSON / JSON Lines, or holds a record the
 * graph does not read (the message names the file, and the line for JSON Lines); 3 internal. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "prova/interop.h"
#include "prova/jsonl.h"
#include "prova/lineage.h"

/* Adds one document's bytes: a JSON document, else JSON Lines. EXIT_OK or the error's exit code (printed). */
static int add_file(prova_lineage *g, const char *file, const uint8_t *data, size_t len) {
    prova_error err, lerr;
    prova_doc *d = NULL;
    int rc = prova_record_parse(data, len, NULL, &d, &err);
    if (rc == PROVA_ENOMEM) return cli_fail(EXIT_INTERNAL, "out of memory");
    if (rc == 0) {
        rc = prova_lineage_add(g, prova_doc_root(d), &lerr);
        prova_doc_free(d);
        if (rc == PROVA_ENOMEM) return cli_fail(EXIT_INTERNAL, "out of memory");
        if (rc < 0) {
            cli_report(file, &lerr);
            return EXIT_USAGE;
        }
        return EXIT_OK;
    }
    /* JSON Lines: every non-empty line one record. A file that is neither gets the whole-document parse error. */
    prova_jsonl it;
    prova_jsonl_line l;
    prova_jsonl_init(&it, data, len, PROVA_DEFAULT_MAX_SIZE);
    size_t n = 0;
    for (;;) {
        int more = prova_jsonl_next(&it, &l, &lerr);
        if (more == 0) break;
        if (more < 0 || (rc = prova_record_parse(l.text, l.len, NULL, &d, &lerr)) < 0) {
            if (more < 0 ? lerr.status == PROVA_ENOMEM : rc == PROVA_ENOMEM)
                return cli_fail(EXIT_INTERNAL, "out of memory");
            if (n == 0) {
                cli_report(file, &err);
            } else {
                char name[4096];
                snprintf(name, sizeof name, "%s: line %zu", file, l.number);
                cli_report(name, &lerr);
            }
            return EXIT_USAGE;
        }
        n++;
        rc = prova_lineage_add(g, prova_doc_root(d), &lerr);
        prova_doc_free(d);
        if (rc == PROVA_ENOMEM) return cli_fail(EXIT_INTERNAL, "out of memory");
        if (rc < 0) {
            char name[4096];
            snprintf(name, sizeof name, "%s: line %zu", file, l.number);
            cli_report(name, &lerr);
            return EXIT_USAGE;
        }
    }
    if (n == 0) {
        cli_report(file, &err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_lineage(int argc, char **argv) {
    const char *format = "json", *outp = NULL, *v = NULL;
    bool force = false, stdin_used = false;
    int rc = EXIT_OK;
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--format", &v))
            format = v;
        else if (cli_opt_value(argc, argv, &i, "--out", &v))
            outp = v;
        else if (strcmp(argv[i], "--force") == 0)
            force = true;
        else if (strcmp(argv[i], "--") == 0)
            nfiles += (size_t)(argc - i - 1), i = argc;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_fail(EXIT_USAGE, "lineage: unknown option '%s' (see --help)", argv[i]);
        else
            nfiles++;
    }
    prova_lineage_format f;
    if (prova_lineage_format_lookup(format, &f) < 0)
        return cli_fail_as(EXIT_USAGE, "usage", "lineage_format_unknown",
                           "lineage: --format must be json, dot, graphml or mermaid (not '%s')", format);
    if (nfiles == 0) return cli_fail(EXIT_USAGE, "lineage: give one or more FILEs (- for stdin); see --help");
    if (force && !outp) return cli_fail(EXIT_USAGE, "lineage: --force goes with --out");
    prova_lineage *g = NULL;
    if (prova_lineage_new(&g) < 0) return cli_fail(EXIT_INTERNAL, "out of memory");
    bool files_only = false;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        const char *a = argv[i];
        if (!files_only) {
            if (strcmp(a, "--") == 0) {
                files_only = true;
                continue;
            }
            if (strcmp(a, "--format") == 0 || strcmp(a, "--out") == 0) {
                i++;
                continue;
            }
            if (a[0] == '-' && a[1] != '\0') continue; /* --force, --format=F, --out=F */
        }
        if (strcmp(a, "-") == 0) {
            if (stdin_used) {
                rc = cli_fail(EXIT_USAGE, "lineage: - (stdin) given twice");
                break;
            }
            stdin_used = true;
        }
        cli_input in;
        rc = cli_input_open(a, PROVA_DEFAULT_MAX_SIZE, &in);
        if (rc != EXIT_OK) break;
        rc = add_file(g, a, in.data, in.len);
        cli_input_close(&in);
    }
    prova_buf out = PROVA_BUF_INIT;
    if (rc == EXIT_OK) {
        prova_error err;
        if (prova_lineage_write(g, f, &out, &err) < 0) rc = cli_fail(EXIT_INTERNAL, "out of memory");
    }
    g = prova_lineage_free(g);
    if (rc == EXIT_OK) {
        if (!outp) {
            rc = cli_write_stdout(out.data, out.len);
        } else {
            struct stat st;
            if (lstat(outp, &st) == 0 && !S_ISREG(st.st_mode))
                rc = cli_fail(EXIT_USAGE, "%s exists and is not a regular file", outp);
            else if (lstat(outp, &st) == 0 && !force)
                rc = cli_fail(EXIT_USAGE, "%s exists (use --force to replace it)", outp);
            else
                rc = cli_write_file_atomic(outp, out.data, out.len);
        }
    }
    prova_buf_free(&out);
    return rc;
}
