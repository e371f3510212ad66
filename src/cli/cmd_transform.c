/* prova transform: one payload normalization offline, as the gateway runs it (docs/transforms.md).
 *   prova transform --from T --to U [--transforms DIR] [--sft-passthrough] [--json] [FILE|-]
 *   prova transform --list [--transforms DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "jsonw.h"
#include "prova/json.h"
#include "prova/sft.h"

static void tell_override(void *ctx, const char *file) {
    (void)ctx;
    fprintf(stderr, "prova transform: %s replaces a built-in transform\n", file);
}

int cmd_transform(int argc, char **argv) {
    const char *from = NULL, *to = NULL, *dir = NULL, *file = "-";
    bool json = false, list = false, passthrough = false, have_file = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_opt_value(argc, argv, &i, "--from", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--from needs a type");
            from = v;
        } else if (cli_opt_value(argc, argv, &i, "--to", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--to needs a type");
            to = v;
        } else if (cli_opt_value(argc, argv, &i, "--transforms", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--transforms needs a directory");
            dir = v;
        } else if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!strcmp(argv[i], "--list"))
            list = true;
        else if (!strcmp(argv[i], "--sft-passthrough"))
            passthrough = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        else {
            if (have_file) return cli_fail(EXIT_USAGE, "only one input file is accepted");
            file = argv[i];
            have_file = true;
        }
    }
    if (!list && (!from || !to)) return cli_fail(EXIT_USAGE, "transform needs --from TYPE and --to TYPE (or --list)");
    prova_sft_registry *r = NULL;
    char msg[1024];
    if (app_sft_load(dir, &r, msg, sizeof msg, tell_override, NULL) < 0)
        return cli_fail_as(EXIT_USAGE, "transforms", "sft_map_invalid", "%s", msg);
    int rc = EXIT_OK;
    if (list) {
        for (size_t i = 0; i < prova_sft_registry_count(r); i++) {
            const char *f, *t, *id, *ver;
            if (prova_sft_registry_at(r, i, &f, &t, &id, &ver) == 0) printf("%s -> %s\t%s\t%s\n", f, t, id, ver);
        }
        rc = cli_write_stdout(NULL, 0);
        prova_sft_registry_free(r);
        return rc;
    }
    cli_input in = {0};
    prova_doc *doc = NULL;
    prova_sft_result res = {0};
    prova_error err;
    rc = cli_input_open(file, PROVA_DEFAULT_MAX_SIZE, &in);
    if (rc == EXIT_OK && prova_json_parse(in.data, in.len, NULL, &doc, &err) < 0) {
        cli_report(file, &err);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK) {
        int s = prova_sft_run(r, prova_doc_root(doc), from, to, passthrough ? PROVA_SFT_PASSTHROUGH : 0, &res, &err);
        if (s == PROVA_ENOTFOUND)
            rc = cli_fail_as(EXIT_USAGE, "transform", "sft_unregistered",
                             "sft_unregistered: Normalization failed: No SFT transformer registered for %s -> %s", from,
                             to);
        else if (s == PROVA_ENOMEM)
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
        else if (s < 0)
            rc = cli_fail_as(EXIT_USAGE, "transform", err.reason, "%s: Normalization failed: %s%s%s", err.reason,
                             err.message, err.pointer[0] ? " at " : "", err.pointer);
    }
    if (rc == EXIT_OK && !json) rc = cli_write_stdout(res.payload.data, res.payload.len);
    if (rc == EXIT_OK && json) {
        prova_buf raw = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
        prova_jw w;
        prova_jw_init(&w, &raw);
        prova_jw_obj(&w);
        prova_jw_kstr(&w, "normalized_cid", res.cid);
        prova_jw_kraw(&w, "normalized_payload", res.payload.data, res.payload.len);
        prova_jw_kraw(&w, "sft_notes", res.notes.data, res.notes.len);
        prova_jw_key(&w, "transform");
        if (res.id) {
            prova_jw_obj(&w);
            prova_jw_kstr(&w, "id", res.id);
            prova_jw_kstr(&w, "version", res.version);
            prova_jw_end(&w);
        } else
            prova_jw_null(&w);
        prova_jw_end(&w);
        int s = prova_jw_finish(&w);
        if (s == 0) s = prova_canon_bytes(raw.data, raw.len, PROVA_PROFILE_OPE, NULL, &out, NULL);
        if (s == 0) s = prova_buf_append(&out, "\n", 1);
        rc = s < 0 ? cli_fail(EXIT_INTERNAL, "out of memory") : cli_write_stdout(out.data, out.len);
        if (rc == EXIT_OK) cli_json_wrote();
        prova_buf_free(&raw);
        prova_buf_free(&out);
    }
    prova_sft_result_free(&res);
    prova_doc_free(doc);
    cli_input_close(&in);
    prova_sft_registry_free(r);
    return rc;
}
