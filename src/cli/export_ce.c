/* `prova export --to cloudevents`: a structured event (default), a binary-mode HTTP message (--mode binary) or a
 * batch of every FILE (--mode batch); printed, written to --out, or sent with --post. docs/cloudevents.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "prova/cloudevents.h"

/* Which option a library error is about, for the message ("prova: --ext: ..."). */
static const char *culprit(const cli_export *x, const prova_error *err) {
    if (!err->reason) return x->file;
    if (strncmp(err->reason, "ce_extension", 12) == 0) return "--ext";
    if (strcmp(err->reason, "ce_source") == 0) return "--source";
    if (strcmp(err->reason, "ce_type") == 0) return "--type";
    return x->file;
}

/* A URI-typed attribute that is not what its type requires (ce_uri_invalid, ce_uri_not_absolute): the option, the
 * value, and the byte that RFC 3986 refuses ("prova: --source: "has spaces ::": byte 3 (0x20): ..."). */
static void uri_failed(const cli_export *x, const prova_error *err) {
    const char *slash = strrchr(err->pointer, '/'), *name = slash ? slash + 1 : "";
    const char *opt = "--ext", *val = NULL;
    if (strcmp(name, "source") == 0) {
        opt = "--source";
        val = x->source ? x->source : "urn:prova:cli";
    }
    for (size_t i = 0; !val && i < x->next; i++)
        if (strcmp(x->ext_name[i], name) == 0) val = x->ext_value[i];
    if (!val || err->offset >= strlen(val)) { /* not a value the user gave (or no byte): the plain report */
        cli_report(opt, err);
        return;
    }
    unsigned char b = (unsigned char)val[err->offset];
    char what[16];
    if (b > 0x20 && b < 0x7F)
        snprintf(what, sizeof what, "0x%02X '%c'", b, (char)b);
    else
        snprintf(what, sizeof what, "0x%02X", b);
    fprintf(stderr, "prova: %s: \"%s\": byte %zu (%s): %s (%s) at %s\n", opt, val, err->offset, what, err->message,
            err->reason, err->pointer);
}

static int lib_failed(const cli_export *x, int r, const prova_error *err) {
    if (err->reason && strncmp(err->reason, "ce_uri", 6) == 0)
        uri_failed(x, err);
    else
        cli_report(culprit(x, err), err);
    return r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
}

/* Output with a final newline when printed or written (a JSON text file); posted bytes are the event alone. */
static int emit(const cli_export *x, const char *content_type, prova_buf *body) {
    if (x->post) {
        cli_sink sink;
        cli_sink_from_export(x, &sink);
        return cli_sink_post(&sink, content_type, NULL, 0, body->data, body->len);
    }
    if (prova_buf_append(body, "\n", 1) < 0) return cli_fail(EXIT_INTERNAL, "out of memory");
    return cli_export_write(x, body->data, body->len);
}

/* Binary mode with --post: the header block's lines "Name: value\r\n" (after Content-Type) as cli_header. */
static int post_binary(const cli_export *x, prova_buf *headers, const prova_buf *body) {
    cli_header hs[CLI_EXPORT_MAX_EXT + 16];
    size_t nh = 0;
    if (prova_buf_append(headers, "", 1) < 0) return cli_fail(EXIT_INTERNAL, "out of memory");
    char *p = (char *)headers->data, *end = p + headers->len - 1;
    bool first = true;
    while (p < end) {
        char *eol = strstr(p, "\r\n"), *colon = strstr(p, ": ");
        if (!eol || !colon || colon > eol || nh == sizeof hs / sizeof hs[0])
            return cli_fail(EXIT_INTERNAL, "cloudevents: malformed header block");
        *eol = '\0';
        *colon = '\0';
        if (!first) hs[nh++] = (cli_header){p, colon + 2}; /* the first line is Content-Type */
        first = false;
        p = eol + 2;
    }
    cli_sink sink;
    cli_sink_from_export(x, &sink);
    return cli_sink_post(&sink, "application/json", hs, nh, body->data, body->len);
}

int cli_export_cloudevents(const cli_export *x) {
    const char *mode = x->mode ? x->mode : "structured";
    bool batch = strcmp(mode, "batch") == 0, binary = strcmp(mode, "binary") == 0;
    if (!batch && !binary && strcmp(mode, "structured") != 0)
        return cli_fail(EXIT_USAGE, "--mode must be structured, binary or batch, not '%s'", mode);
    if (x->nrecords > 1 && !batch) return cli_fail(EXIT_USAGE, "several FILEs need --mode batch");
    if (x->next > CLI_EXPORT_MAX_EXT) return cli_fail(EXIT_USAGE, "too many --ext options");

    prova_ce_extension ext[CLI_EXPORT_MAX_EXT];
    for (size_t i = 0; i < x->next; i++) ext[i] = (prova_ce_extension){x->ext_name[i], x->ext_value[i]};
    prova_ce_options o = {
        .source = x->source ? x->source : "urn:prova:cli", .type = x->type, .extensions = ext, .nextensions = x->next};
    prova_error err;
    prova_buf out = PROVA_BUF_INIT, body = PROVA_BUF_INIT;
    int rc, r;
    if (batch) {
        const prova_json *const one[1] = {x->record};
        size_t n = x->nrecords ? x->nrecords : 1;
        r = prova_ce_wrap_batch(x->nrecords ? x->records : one, x->nrecords ? x->infos : &x->info, n, &o, &out, &err);
        rc = r < 0 ? lib_failed(x, r, &err) : emit(x, PROVA_CE_BATCH_CONTENT_TYPE, &out);
    } else if (binary) {
        r = prova_ce_wrap_binary(x->record, &x->info, &o, &out, &body, &err);
        if (r < 0) {
            rc = lib_failed(x, r, &err);
        } else if (x->post) {
            rc = post_binary(x, &out, &body);
        } else {
            /* An HTTP-message-like text: the header lines, a blank line, the body bytes exactly (no newline). */
            if (prova_buf_append(&out, "\r\n", 2) < 0 || prova_buf_append(&out, body.data, body.len) < 0)
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
            else
                rc = cli_export_write(x, out.data, out.len);
        }
    } else {
        r = prova_ce_wrap(x->record, &x->info, &o, &out, &err);
        rc = r < 0 ? lib_failed(x, r, &err) : emit(x, PROVA_CE_CONTENT_TYPE, &out);
    }
    prova_buf_free(&out);
    prova_buf_free(&body);
    return rc;
}
