/* `prova export` and `prova import`: the shared state of the bridges' command-line halves (cmd_export.c parses the
 * options, reads and verifies the record; export_<format>.c turn it into their format) and the HTTP sink. */
#ifndef PROVA_CLI_EXPORT_H
#define PROVA_CLI_EXPORT_H

#include <stdbool.h>

#include "cli.h"
#include "otel.h"
#include "prova/crypto.h"
#include "prova/interop.h"
#include "prova/json.h"

#define CLI_EXPORT_MAX_KEYS 8
#define CLI_EXPORT_MAX_EXT  16

typedef struct cli_export {
    const char *to;      /* --to: intoto, dsse, cloudevents, openlineage, ro-crate */
    const char *file;    /* the record's path ("-" = stdin) */
    const uint8_t *data; /* the record's bytes as read */
    size_t len;
    const prova_json *record; /* the record, parsed with prova_record_parse() */
    prova_record_info info;   /* prova_record_describe(record) */
    /* Every FILE given, in order (records[0] == record): more than one only with --to cloudevents --mode batch. */
    size_t nrecords;
    const prova_json *const *records;
    const prova_record_info *infos;
    bool verified;   /* the record verified (prova_verify_document) before export; false with
                        --no-verify */
    const char *out; /* --out PATH, or NULL: stdout (ro-crate: required) */
    bool force;      /* --force: replace an existing --out */
    bool zip;        /* --zip (ro-crate): one zip archive at --out instead of a directory */
    cli_compress cz; /* --compress, --compress-level: what is printed or written to --out (docs/compression.md) */
    /* Signing (dsse): --sign-key K (repeatable) and/or the HMAC key options; --keyid applies to the HMAC
       signature (default "") — an Ed25519 signature's keyid is always its key's kid. */
    prova_key *sign_keys[CLI_EXPORT_MAX_KEYS];
    size_t nsign;
    const uint8_t *hmac_key; /* the HMAC key bytes, or NULL when none was given */
    size_t hmac_key_len;
    bool hmac_default; /* the HMAC key is the reference's public default key (--default-key) */
    const char *keyid; /* --keyid */
    /* cloudevents */
    const char *source;                       /* --source URI (default "urn:prova:cli") */
    const char *type;                         /* --type (default: the family's, docs/interop.md) */
    const char *mode;                         /* --mode structured (default), binary, batch */
    const char *ext_name[CLI_EXPORT_MAX_EXT]; /* --ext NAME=VALUE (repeatable) */
    const char *ext_value[CLI_EXPORT_MAX_EXT];
    size_t next;
    /* openlineage */
    const char *ns;            /* --namespace (default "ophamin" for proof records, "prova" otherwise) */
    const char *job;           /* --job NAME */
    const char *event;         /* --event start|running|complete|fail (proof records' lifecycle; NULL: all of
                                  the record's events) */
    const char *run_id;        /* --run-id UUID */
    const char *progress;      /* --progress JSON: an object for a RUNNING proof event's ophamin_progress facet */
    const char *error_message; /* --error-message M / --error-type T: a FAIL proof event's ophamin_error facet */
    const char *error_type;
    /* delivery */
    const char *post;  /* --post URL: send instead of printing (cloudevents, openlineage) */
    const char *spool; /* --spool DIR: where undeliverable events wait (default $XDG_STATE_HOME/prova/spool) */
    const char *token; /* --token T / PROVA_SINK_TOKEN: bearer token for --post */
    int64_t now_us;    /* the clock (--now) */
    /* telemetry of the deliveries (cli_sink's otel and parent), NULL: none */
    otel *otel;
    const otel_ctx *parent;
} cli_export;

/* The formats. Each writes its output (cli_export_write) or posts it (cli_sink_post) and returns an exit code. */
int cli_export_intoto(const cli_export *x);      /* --to intoto: the Statement */
int cli_export_dsse(const cli_export *x);        /* --to dsse: the Statement in a signed DSSE envelope */
int cli_export_cloudevents(const cli_export *x); /* --to cloudevents */
int cli_export_openlineage(const cli_export *x); /* --to openlineage */
int cli_export_rocrate(const cli_export *x);     /* --to ro-crate */
/* ro-crate-preview.html (rocrate_preview.c): the page of a crate appended to out, written from the bytes of its
 * ro-crate-metadata.json (meta, meta_len) alone, except that the record file (record_filename; its bytes data, len)
 * gets the size and SHA-256 of those bytes when the metadata states none (proof records). Deterministic: the same
 * arguments give the same bytes. 0, or the parser's error for metadata that is not JSON, PROVA_ESYNTAX
 * "rocrate_field_invalid" (no @graph array), PROVA_ENOMEM; out->len is then restored. */
#define CLI_ROCRATE_PREVIEW_FILENAME "ro-crate-preview.html"
int cli_rocrate_preview(const void *meta, size_t meta_len, const char *record_filename, const void *data, size_t len,
                        prova_buf *out, prova_error *reterr);

/* Writes data to x->out (atomically; an existing file is refused unless x->force: EXIT_USAGE "PATH exists (use
 * --force to replace it)") or, when x->out is NULL, to stdout. Returns an exit code. */
int cli_export_write(const cli_export *x, const void *data, size_t len);

/* ---- The HTTP sink (sink.c, libcurl) ----------------------------------------------------------------------- */

typedef struct cli_sink {
    const char *url;        /* http:// or https:// */
    const char *spool;      /* spool directory (created 0700); NULL: no spool (a failure is an error) */
    const char *token;      /* bearer token or NULL */
    unsigned retries;       /* attempts after the first (default 3), with exponential backoff from 200 ms */
    long timeout_ms;        /* per attempt (default 10000) */
    size_t spool_max_bytes; /* bound of the spool (default 64 MiB): beyond it, new events are refused */
    /* Telemetry (docs/observability.md "Spans"): each delivery (with its retries) is a CLIENT span
     * "prova.sink.deliver" of otel, child of parent, and its requests carry that span's traceparent. Without otel
     * (NULL) a valid parent is still propagated as it is; both NULL: no trace context is sent. */
    otel *otel;
    const otel_ctx *parent;
} cli_sink;

/* One header line "Name: value" (no CR/LF inside). */
typedef struct cli_header {
    const char *name;
    const char *value;
} cli_header;

/* POSTs body with Content-Type content_type and the extra headers. First delivers what the spool holds (oldest
 * first); a 2xx answer is success; a 5xx, 408, 429 or transport error is retried; when the retries are used up
 * the request is written to the spool (and the exit code is EXIT_OK with a warning on stderr: it will be sent by
 * the next `prova export --post` or `prova sink flush` to the same spool), a 4xx other than 408/429 is an error
 * (EXIT_INVALID, with the answer's status and first bytes). Returns an exit code. */
int cli_sink_post(const cli_sink *s, const char *content_type, const cli_header *headers, size_t nheaders,
                  const void *body, size_t len);
/* Sends everything in the spool; EXIT_OK when the spool is empty afterwards. */
int cli_sink_flush(const cli_sink *s);
/* Fills the sink options from x (url, spool, token) and the environment. */
void cli_sink_from_export(const cli_export *x, cli_sink *ret);

#endif
