/* prova export (a record into in-toto/DSSE, CloudEvents, OpenLineage, RO-Crate), prova import (a DSSE envelope or
 * CloudEvent back to its record, verified), prova sink (the spool of --post). docs/interop.md. */
#define _DEFAULT_SOURCE /* strdup */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "export.h"
#include "prova/cloudevents.h"
#include "prova/intoto.h"
#include "prova/jsonl.h"
#include "prova/proof.h"
#include "prova/report.h"
#include "prova/verify.h"

#define MAX_FILES       256
#define MAX_RECORD_SIZE ((size_t)256 << 20)

int cli_export_write(const cli_export *x, const void *data, size_t len) {
    if (!x->out) return cli_write_stdout(data, len);
    struct stat st;
    if (lstat(x->out, &st) == 0) {
        if (!S_ISREG(st.st_mode)) return cli_fail(EXIT_USAGE, "%s exists and is not a regular file", x->out);
        if (!x->force) return cli_fail(EXIT_USAGE, "%s exists (use --force to replace it)", x->out);
    }
    return cli_write_output_file(x->out, data, len, x->cz.format, x->cz.level); /* --compress */
}

/* The HMAC key bytes of the resolved key options (standard base64) for signing, or none. */
static int hmac_bytes(const cli_hmac *h, uint8_t **key, size_t *len, bool *is_default) {
    *key = NULL;
    *len = 0;
    *is_default = h->use_default;
    if (!h->resolved) return EXIT_OK;
    prova_error e;
    int r = prova_proof_key_decode(h->resolved, key, len, &e);
    if (r < 0) return cli_fail(EXIT_USAGE, "the HMAC key is not standard base64: %s", e.message);
    return EXIT_OK;
}

typedef struct loaded {
    cli_input in;
    prova_doc *doc;
    prova_buf lines; /* a JSON Lines chain rewritten as one JSON array */
    bool open;
} loaded;

/* JSON Lines (one receipt per line, as prova receipt append writes a chain) as the text of one JSON array. */
static int lines_to_array(const uint8_t *data, size_t len, prova_buf *out) {
    int w = prova_buf_append(out, "[", 1);
    bool first = true;
    prova_jsonl it;
    prova_jsonl_line l;
    prova_jsonl_init(&it, data, len, 0); /* the input's size is bounded already (MAX_RECORD_SIZE) */
    while (w == 0 && prova_jsonl_next(&it, &l, NULL) > 0) {
        if (!first) w = prova_buf_append(out, ",", 1);
        if (w == 0) w = prova_buf_append(out, l.text, l.len);
        first = false;
    }
    if (w == 0) w = prova_buf_append(out, "]", 1);
    return w;
}

/* Reads, parses, describes and (unless no_verify) verifies one record. */
static int load_record(const char *file, cli_verify_args *va, bool no_verify, loaded *l, prova_record_info *info) {
    int rc = cli_input_open(file, MAX_RECORD_SIZE, &l->in);
    if (rc != EXIT_OK) return rc;
    l->open = true;
    prova_error err;
    prova_parse_options po = {.max_depth = va->o.max_depth};
    int pr = prova_record_parse(l->in.data, l->in.len, &po, &l->doc, &err);
    if (pr == PROVA_ESYNTAX && strcmp(err.reason, "json_trailing_data") == 0) {
        /* More than one value: a receipt chain as JSON Lines. Each line must be JSON; the array is the record. */
        prova_error aerr;
        if (lines_to_array(l->in.data, l->in.len, &l->lines) < 0) return cli_fail(EXIT_INTERNAL, "out of memory");
        if (prova_json_parse(l->lines.data, l->lines.len, &po, &l->doc, &aerr) == 0) pr = 0;
    }
    if (pr < 0) {
        cli_report(file, &err);
        return err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    }
    if (prova_record_describe(prova_doc_root(l->doc), info, &err) < 0) {
        cli_report(file, &err);
        return err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    }
    if (no_verify) return EXIT_OK;
    prova_report *rep = NULL;
    int r = prova_verify_document(l->in.data, l->in.len, &va->o, &rep, &err);
    if (r == PROVA_ENOMEM || !rep)
        rc = cli_fail(EXIT_INTERNAL, "out of memory");
    else if (r < 0)
        rc = cli_fail(EXIT_USAGE, "%s: %s", file, err.message ? err.message : prova_status_message(r));
    else if (!prova_report_valid(rep)) {
        const prova_check *f = prova_report_first_failure(rep);
        rc = cli_fail(EXIT_INVALID, "%s does not verify: %s: %s (%s); export refused (--no-verify exports it anyway)",
                      file, f ? f->check : "?", f ? f->message : "no check ran", f ? f->code : "?");
    }
    prova_report_free(rep);
    return rc;
}

int cmd_export(int argc, char **argv) {
    cli_export x;
    memset(&x, 0, sizeof x);
    x.otel = cli_telemetry();
    x.parent = cli_telemetry_ctx();
    cli_verify_args va;
    int rc = cli_verify_args_init(&va);
    if (rc != EXIT_OK) return rc;
    va.o.no_skew = true; /* an exported record is usually older than any freshness window */
    const char *files[MAX_FILES];
    size_t nfiles = 0;
    bool no_verify = false;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        const char *v = NULL;
        if (cli_verify_option(argc, argv, &i, &va, &rc)) {
            continue;
        } else if (cli_opt_value(argc, argv, &i, "--to", &v)) {
            x.to = v;
        } else if (cli_opt_value(argc, argv, &i, "--out", &v)) {
            x.out = v;
        } else if (cli_opt_value(argc, argv, &i, "--sign-key", &v)) {
            if (!v)
                rc = cli_fail(EXIT_USAGE, "--sign-key needs a key file");
            else if (x.nsign == CLI_EXPORT_MAX_KEYS)
                rc = cli_fail(EXIT_USAGE, "at most %d --sign-key", CLI_EXPORT_MAX_KEYS);
            else if ((rc = cli_load_private_key(v, &x.sign_keys[x.nsign])) == EXIT_OK)
                x.nsign++;
        } else if (cli_opt_value(argc, argv, &i, "--keyid", &v)) {
            x.keyid = v;
        } else if (cli_opt_value(argc, argv, &i, "--source", &v)) {
            x.source = v;
        } else if (cli_opt_value(argc, argv, &i, "--type", &v)) {
            x.type = v;
        } else if (cli_opt_value(argc, argv, &i, "--mode", &v)) {
            x.mode = v;
        } else if (cli_opt_value(argc, argv, &i, "--ext", &v)) {
            const char *eq = v ? strchr(v, '=') : NULL;
            if (!eq || eq == v) {
                rc = cli_fail(EXIT_USAGE, "--ext needs NAME=VALUE");
            } else if (x.next == CLI_EXPORT_MAX_EXT) {
                rc = cli_fail(EXIT_USAGE, "at most %d --ext", CLI_EXPORT_MAX_EXT);
            } else {
                /* argv is ours to split: NAME ends at the '='. */
                ((char *)eq)[0] = '\0';
                x.ext_name[x.next] = v;
                x.ext_value[x.next++] = eq + 1;
            }
        } else if (cli_opt_value(argc, argv, &i, "--namespace", &v)) {
            x.ns = v;
        } else if (cli_opt_value(argc, argv, &i, "--job", &v)) {
            x.job = v;
        } else if (cli_opt_value(argc, argv, &i, "--event", &v)) {
            x.event = v;
        } else if (cli_opt_value(argc, argv, &i, "--run-id", &v)) {
            x.run_id = v;
        } else if (cli_opt_value(argc, argv, &i, "--progress", &v)) {
            x.progress = v;
        } else if (cli_opt_value(argc, argv, &i, "--error-message", &v)) {
            x.error_message = v;
        } else if (cli_opt_value(argc, argv, &i, "--error-type", &v)) {
            x.error_type = v;
        } else if (cli_opt_value(argc, argv, &i, "--post", &v)) {
            x.post = v;
        } else if (cli_opt_value(argc, argv, &i, "--spool", &v)) {
            x.spool = v;
        } else if (cli_opt_value(argc, argv, &i, "--token", &v)) {
            x.token = v;
        } else if (strcmp(argv[i], "--force") == 0) {
            x.force = true;
        } else if (strcmp(argv[i], "--zip") == 0) {
            x.zip = true;
        } else if (strcmp(argv[i], "--no-verify") == 0) {
            no_verify = true;
        } else if (cli_compress_option(argc, argv, &i, &x.cz, &rc)) {
            continue;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else if (nfiles == MAX_FILES) {
            rc = cli_fail(EXIT_USAGE, "at most %d files", MAX_FILES);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    static const struct {
        const char *name;
        int (*fn)(const cli_export *);
    } formats[] = {{"intoto", cli_export_intoto},
                   {"dsse", cli_export_dsse},
                   {"cloudevents", cli_export_cloudevents},
                   {"openlineage", cli_export_openlineage},
                   {"ro-crate", cli_export_rocrate}};
    int (*fn)(const cli_export *) = NULL;
    if (rc == EXIT_OK) {
        if (!x.to) {
            rc = cli_fail(EXIT_USAGE, "--to is required: intoto, dsse, cloudevents, openlineage or ro-crate");
        } else {
            for (size_t k = 0; k < sizeof formats / sizeof *formats; k++)
                if (strcmp(x.to, formats[k].name) == 0) fn = formats[k].fn;
            if (!fn)
                rc = cli_fail(EXIT_USAGE, "--to %s: unknown format (intoto, dsse, cloudevents, openlineage, ro-crate)",
                              x.to);
        }
    }
    if (rc == EXIT_OK) rc = cli_compress_check(&x.cz);
    if (rc == EXIT_OK && x.cz.format && (fn == cli_export_rocrate || x.post))
        rc = cli_fail(EXIT_USAGE, "--compress applies to what export prints or writes to --out, not to %s",
                      x.post ? "--post" : "an RO-Crate (a directory, or a zip with --zip)");
    if (rc == EXIT_OK) cli_output_compress(x.cz.format, x.cz.level); /* stdout; --out: cli_export_write */
    if (rc == EXIT_OK && nfiles == 0) files[nfiles++] = "-";
    bool batch = x.mode && strcmp(x.mode, "batch") == 0;
    if (rc == EXIT_OK && nfiles > 1 && !(fn == cli_export_cloudevents && batch))
        rc = cli_fail(EXIT_USAGE, "only one record is accepted (several only with --to cloudevents --mode batch)");
    if (rc == EXIT_OK) rc = cli_verify_args_finish(&va);
    uint8_t *hkey = NULL;
    size_t hlen = 0;
    if (rc == EXIT_OK) rc = hmac_bytes(&va.hmac, &hkey, &hlen, &x.hmac_default);
    loaded *ls = rc == EXIT_OK ? calloc(nfiles, sizeof *ls) : NULL;
    prova_record_info *infos = ls ? calloc(nfiles, sizeof *infos) : NULL;
    const prova_json **records = infos ? calloc(nfiles, sizeof *records) : NULL;
    if (rc == EXIT_OK && !records) rc = cli_fail(EXIT_INTERNAL, "out of memory");
    for (size_t k = 0; k < nfiles && rc == EXIT_OK; k++) {
        rc = load_record(files[k], &va, no_verify, &ls[k], &infos[k]);
        if (rc == EXIT_OK) records[k] = prova_doc_root(ls[k].doc);
    }
    if (rc == EXIT_OK && ls && infos && records) {
        x.file = files[0];
        x.data = ls[0].in.data;
        x.len = ls[0].in.len;
        x.record = records[0];
        x.info = infos[0];
        x.nrecords = nfiles;
        x.records = records;
        x.infos = infos;
        x.verified = !no_verify;
        x.hmac_key = va.hmac.resolved ? hkey : NULL;
        x.hmac_key_len = hlen;
        x.now_us = va.o.now_us;
        rc = fn(&x);
    }
    for (size_t k = 0; ls && k < nfiles; k++) {
        prova_doc_free(ls[k].doc);
        prova_buf_free(&ls[k].lines);
        if (ls[k].open) cli_input_close(&ls[k].in);
    }
    free(ls);
    free(infos);
    free(records);
    prova_proof_key_free(hkey, hlen);
    for (size_t k = 0; k < x.nsign; k++) prova_key_free(x.sign_keys[k]);
    cli_verify_args_free(&va);
    return rc;
}

/* ---- prova import -------------------------------------------------------------------------------------------- */

/* Reads "Name: value" lines (an HTTP status line and blank lines are skipped; CR dropped) into h. */
static int read_headers(const char *path, prova_buf *store, prova_ce_header *h, size_t cap, size_t *ret_n) {
    int rc = cli_read_file(path, (size_t)1 << 20, store);
    if (rc != EXIT_OK) return rc;
    char *p = (char *)store->data, *end = p + store->len;
    size_t n = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        if (le > p && le[-1] == '\r') le--;
        char *colon = memchr(p, ':', (size_t)(le - p));
        bool status_line = le - p >= 5 && memcmp(p, "HTTP/", 5) == 0;
        if (le > p && !status_line) {
            if (!colon || colon == p)
                return cli_fail(EXIT_USAGE, "%s: not a header line: %.*s", path, (int)(le - p), p);
            if (n == cap) return cli_fail(EXIT_USAGE, "%s: more than %zu headers", path, cap);
            char *v = colon + 1;
            while (v < le && (*v == ' ' || *v == '\t')) v++;
            h[n++] = (prova_ce_header){p, (size_t)(colon - p), v, (size_t)(le - v)};
        }
        p = nl ? nl + 1 : end;
    }
    *ret_n = n;
    return EXIT_OK;
}

/* An error of a CloudEvent's attributes; a URI-typed one also names the byte of the value that RFC 3986 refuses. */
static void ce_report(const char *file, const prova_error *err) {
    if (!err->reason || strncmp(err->reason, "ce_uri", 6) != 0) {
        cli_report(file, err);
        return;
    }
    cli_fail_as(EXIT_USAGE, "input", err->reason, "%s: %s, at byte %zu of the value (%s) at %s",
                !file || strcmp(file, "-") == 0 ? "<stdin>" : file, err->message, err->offset, err->reason,
                err->pointer);
}

/* Verifies the record bytes that a CloudEvent carried; the report gets the event's layer as its first check. */
static int verify_unwrapped(const char *file, const char *what, const prova_buf *rec, cli_verify_args *va, bool json,
                            int *worst) {
    prova_report *rep = NULL;
    prova_error err;
    int r = prova_verify_document(rec->data ? (const char *)rec->data : "", rec->len, &va->o, &rep, &err);
    char msg[256];
    snprintf(msg, sizeof msg, "%s: a valid CloudEvents 1.0 event; its data verified below", what);
    if (rep) prova_report_add_warning(rep, "cloudevent", "", msg);
    int rc = cli_print_report(file, r, rep, &err, json);
    prova_report_free(rep);
    if (rc > *worst) *worst = rc;
    return rc;
}

int cmd_import(int argc, char **argv) {
    cli_verify_args va;
    int rc = cli_verify_args_init(&va);
    if (rc != EXIT_OK) return rc;
    const char *file = NULL, *headers = NULL;
    bool json = false, extract = false;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        const char *v = NULL;
        if (cli_verify_option(argc, argv, &i, &va, &rc)) {
            continue;
        } else if (cli_opt_value(argc, argv, &i, "--headers", &v)) {
            if (!v) rc = cli_fail(EXIT_USAGE, "--headers needs a file");
            headers = v;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--extract") == 0) {
            extract = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else if (file) {
            rc = cli_fail(EXIT_USAGE, "only one document is accepted");
        } else {
            file = argv[i];
        }
    }
    if (!file) file = "-";
    va.o.no_skew = va.o.no_skew || va.o.max_skew_s == 0; /* freshness only when --max-skew asks for it */
    if (rc == EXIT_OK) rc = cli_verify_args_finish(&va);
    uint8_t *hkey = NULL;
    size_t hlen = 0;
    bool hdef;
    if (rc == EXIT_OK) rc = hmac_bytes(&va.hmac, &hkey, &hlen, &hdef);
    cli_input in = {0};
    bool open = false;
    if (rc == EXIT_OK) {
        rc = cli_input_open(file, MAX_RECORD_SIZE, &in);
        open = rc == EXIT_OK;
    }
    prova_buf rec = PROVA_BUF_INIT, hstore = PROVA_BUF_INIT;
    prova_doc *doc = NULL;
    prova_error err;
    int worst = EXIT_OK;
    if (rc == EXIT_OK && headers) {
        /* CloudEvents binary mode: the attributes in the headers, the data in the body. */
        prova_ce_header h[128];
        size_t nh = 0;
        rc = read_headers(headers, &hstore, h, sizeof h / sizeof *h, &nh);
        if (rc == EXIT_OK && prova_ce_unwrap_binary(h, nh, in.data, in.len, &rec, &err) < 0) {
            ce_report(headers, &err);
            rc = err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
        }
        if (rc == EXIT_OK) {
            if (extract)
                rc = cli_write_stdout(rec.data, rec.len);
            else
                rc = verify_unwrapped(file, "binary mode", &rec, &va, json, &worst);
        }
    } else if (rc == EXIT_OK) {
        prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES,
                                  .max_depth = va.o.max_depth};
        if (prova_json_parse(in.data, in.len, &po, &doc, &err) < 0) {
            cli_report(file, &err);
            rc = err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
        }
    }
    const prova_json *root = doc ? prova_doc_root(doc) : NULL;
    if (rc == EXIT_OK && root && prova_json_get(root, "payloadType") && prova_json_get(root, "signatures")) {
        prova_dsse_verify_options d = {
            .keys = va.ks, .hmac_key = va.hmac.resolved ? hkey : NULL, .hmac_key_len = hlen, .inner = &va.o};
        if (extract) {
            /* The record inside the Statement, unverified: the envelope's payload, then the Statement's record. */
            prova_buf payload = PROVA_BUF_INIT;
            if (prova_dsse_payload(in.data, in.len, &payload, &err) < 0 ||
                prova_intoto_record(payload.data, payload.len, &rec, &err) < 0) {
                cli_report(file, &err);
                rc = err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
            } else {
                rc = cli_write_stdout(rec.data, rec.len);
            }
            prova_buf_free(&payload);
        } else {
            prova_report *rep = NULL;
            int r = prova_dsse_verify(in.data, in.len, &d, &rep, &err);
            rc = cli_print_report(file, r, rep, &err, json);
            prova_report_free(rep);
        }
    } else if (rc == EXIT_OK && root && (prova_json_is_object(root) || prova_json_is_array(root))) {
        bool batch = prova_json_is_array(root);
        size_t n = batch ? root->len : 1;
        if (batch && n == 0) rc = cli_fail(EXIT_USAGE, "%s: an empty CloudEvents batch", file);
        for (size_t k = 0; k < n && rc != EXIT_INTERNAL; k++) {
            const prova_json *ev = batch ? prova_json_at(root, k) : root;
            rec.len = 0;
            if (!batch && !prova_json_get(ev, "specversion")) {
                /* the check and code of prova verify's answer to a document it does not know */
                rc = cli_fail_as(EXIT_USAGE, "kind", "schema_error",
                                 "%s: neither a DSSE envelope (payloadType, payload, signatures) nor a CloudEvent "
                                 "(specversion ...) nor a batch of CloudEvents",
                                 file);
                break;
            }
            if (prova_ce_unwrap(ev, &rec, &err) < 0) {
                if (batch) {
                    char where[PROVA_POINTER_MAX + 24];
                    int wn = snprintf(where, sizeof where, "/%zu%s", k, err.pointer);
                    if (wn > 0 && (size_t)wn < sizeof err.pointer) memcpy(err.pointer, where, (size_t)wn + 1);
                }
                ce_report(file, &err);
                if (!extract) cli_json_flush(); /* --json: this event's line of the answer */
                rc = err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
                if (rc > worst) worst = rc;
                continue;
            }
            if (extract) {
                int w = cli_write_stdout(rec.data, rec.len);
                if (w == EXIT_OK && batch) w = cli_write_stdout("\n", 1);
                if (w > worst) worst = w;
                continue;
            }
            char what[64];
            snprintf(what, sizeof what, batch ? "event %zu of the batch" : "structured mode", k);
            if (!json && batch) printf("event %zu:\n", k);
            fflush(stdout);
            verify_unwrapped(file, what, &rec, &va, json, &worst);
        }
        if (rc == EXIT_OK || batch) rc = worst > rc ? worst : rc;
    } else if (rc == EXIT_OK && root) {
        rc = cli_fail_as(EXIT_USAGE, "kind", "schema_error", "%s: neither a DSSE envelope nor a CloudEvent", file);
    }
    if (rc == EXIT_OK) rc = worst;
    prova_doc_free(doc);
    prova_buf_free(&rec);
    prova_buf_free(&hstore);
    if (open) cli_input_close(&in);
    prova_proof_key_free(hkey, hlen);
    cli_verify_args_free(&va);
    return rc;
}

/* ---- prova sink ---------------------------------------------------------------------------------------------- */

int cmd_sink(int argc, char **argv) {
    cli_export x;
    memset(&x, 0, sizeof x);
    x.otel = cli_telemetry();
    x.parent = cli_telemetry_ctx();
    const char *verb = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_opt_value(argc, argv, &i, "--spool", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--spool needs a directory");
            x.spool = v;
        } else if (cli_opt_value(argc, argv, &i, "--token", &v)) {
            x.token = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else if (!verb) {
            verb = argv[i];
        } else {
            return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!verb || strcmp(verb, "flush") != 0)
        return cli_fail(EXIT_USAGE, "usage: prova sink flush [--spool DIR] [--token T]");
    cli_sink s;
    cli_sink_from_export(&x, &s);
    return cli_sink_flush(&s);
}
