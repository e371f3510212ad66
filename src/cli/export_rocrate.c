/* prova export --to ro-crate: a crate directory (ro-crate-metadata.json, the record file and ro-crate-preview.html)
 * or, with --zip, one zip archive holding the same three files. docs/rocrate.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "export.h"
#include "prova/rocrate.h"

/* A receipt chain read as JSON Lines keeps its bytes, under a .jsonl name. */
static bool is_jsonl(const cli_export *x) {
    if (strcmp(x->info.kind, "ope_receipt_chain") != 0) return false;
    for (size_t i = 0; i < x->len; i++) {
        uint8_t c = x->data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        return c != '[';
    }
    return false;
}

/* DIR/NAME, or NULL (message printed) when out of memory. */
static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p) {
        cli_fail(EXIT_INTERNAL, "out of memory");
        return NULL;
    }
    size_t dl = strlen(dir);
    snprintf(p, n, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
    return p;
}

/* Writes DIR/NAME atomically; with --force an existing regular file is replaced, anything else is refused. */
static int write_member(const char *dir, const char *name, const void *data, size_t len) {
    char *path = join(dir, name);
    if (!path) return EXIT_INTERNAL;
    struct stat st;
    int rc;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        rc = cli_fail(EXIT_USAGE, "%s exists and is not a regular file", path);
    else
        rc = cli_write_file_atomic(path, data, len);
    free(path);
    return rc;
}

static int write_dir(const cli_export *x, const char *fname, const prova_buf *meta, const prova_buf *html) {
    struct stat st;
    if (stat(x->out, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return cli_fail(EXIT_USAGE,
                            "%s exists and is not a directory (a crate is a directory; --zip writes a "
                            "file)",
                            x->out);
        if (!x->force) return cli_fail(EXIT_USAGE, "%s exists (use --force to replace it)", x->out);
    } else if (errno != ENOENT) {
        return cli_fail(EXIT_USAGE, "%s: %s", x->out, strerror(errno));
    } else if (mkdir(x->out, 0777) != 0) {
        return cli_fail(EXIT_USAGE, "%s: cannot create the crate directory: %s", x->out, strerror(errno));
    }
    /* As the reference: the record file first, then the metadata that describes it. */
    int rc = write_member(x->out, fname, x->data, x->len);
    if (rc == EXIT_OK) rc = write_member(x->out, PROVA_ROCRATE_METADATA_FILENAME, meta->data, meta->len);
    /* The page last: it shows what the metadata says. */
    if (rc == EXIT_OK) rc = write_member(x->out, CLI_ROCRATE_PREVIEW_FILENAME, html->data, html->len);
    return rc;
}

static int write_zip(const cli_export *x, const char *fname, const prova_buf *meta, const prova_buf *html) {
    prova_zip_entry e[3] = {{PROVA_ROCRATE_METADATA_FILENAME, meta->data, meta->len},
                            {fname, x->data, x->len},
                            {CLI_ROCRATE_PREVIEW_FILENAME, html->data, html->len}};
    int64_t secs = x->now_us / 1000000 - (x->now_us % 1000000 < 0);
    prova_buf zip = PROVA_BUF_INIT;
    prova_error err;
    int rc;
    if (prova_zip_write(e, 3, secs, &zip, &err) < 0) {
        cli_report(x->file, &err);
        rc = err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    } else {
        rc = cli_export_write(x, zip.data, zip.len);
    }
    prova_buf_free(&zip);
    return rc;
}

int cli_export_rocrate(const cli_export *x) {
    if (!x->out || strcmp(x->out, "-") == 0)
        return cli_fail(EXIT_USAGE, "--to ro-crate needs --out DIR (or --out FILE with --zip)");
    const char *fname = prova_rocrate_filename(x->info.kind, is_jsonl(x));
    if (!fname) return cli_fail(EXIT_INTERNAL, "ro-crate: no file name for a record of kind %s", x->info.kind);
    prova_buf meta = PROVA_BUF_INIT, html = PROVA_BUF_INIT;
    prova_error err;
    int rc;
    if (prova_rocrate_metadata(x->record, x->data, x->len, fname, &meta, &err) < 0 ||
        cli_rocrate_preview(meta.data, meta.len, fname, x->data, x->len, &html, &err) < 0) {
        cli_report(x->file, &err);
        rc = err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    } else {
        rc = x->zip ? write_zip(x, fname, &meta, &html) : write_dir(x, fname, &meta, &html);
    }
    prova_buf_free(&meta);
    prova_buf_free(&html);
    return rc;
}
