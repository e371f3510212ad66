/* `prova export --to openlineage`: the record's OpenLineage RunEvents as JSON Lines (stdout / --out), or POSTed one
 * by one with --post URL. Mappings: docs/openlineage.md; the events: prova_openlineage_events(). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "prova/jsonl.h"
#include "prova/openlineage.h"

/* The reference's default event_time: now as "%Y-%m-%dT%H:%M:%SZ" (to_openlineage_*_event). */
static int format_now(int64_t us, char out[40]) {
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return -1;
    return 0;
}

int cli_export_openlineage(const cli_export *x) {
    prova_openlineage_options o = {0};
    o.ns = x->ns;
    o.job = x->job;
    o.run_id = x->run_id;
    o.kind = x->info.kind;
    if (x->event && (prova_openlineage_event_lookup(x->event, &o.event) < 0 || o.event == PROVA_OPENLINEAGE_RECORD))
        return cli_fail(EXIT_USAGE, "--event must be start, running, complete or fail (not '%s')", x->event);
    char now[40];
    if (format_now(x->now_us ? x->now_us : cli_now_us(), now) < 0)
        return cli_fail(EXIT_USAGE, "the clock (--now) cannot be written as an OpenLineage eventTime");
    o.event_time = now;

    o.error_message = x->error_message;
    o.error_type = x->error_type;
    prova_doc *progress = NULL;
    prova_error err;
    if (x->progress) {
        if (prova_json_parse(x->progress, strlen(x->progress), NULL, &progress, &err) < 0) {
            cli_report("--progress", &err);
            return EXIT_USAGE;
        }
        o.progress = prova_doc_root(progress);
    }

    prova_buf out = PROVA_BUF_INIT;
    size_t n = 0;
    int r = prova_openlineage_events(x->record, &o, &out, &n, &err);
    progress = prova_doc_free(progress);
    if (r < 0) {
        cli_report(strcmp(err.reason, "openlineage_progress_invalid") == 0 ? "--progress" : x->file, &err);
        prova_buf_free(&out);
        return r == PROVA_ENOMEM || r == PROVA_ECRYPTO ? EXIT_INTERNAL : EXIT_USAGE;
    }
    int code = EXIT_OK;
    if (x->post) {
        /* One POST per event, in order (application/json, the OpenLineage HTTP transport's body); the first
         * failure stops the rest so that a consumer never sees a later event before an earlier one. */
        cli_sink sink;
        cli_sink_from_export(x, &sink);
        prova_jsonl it;
        prova_jsonl_line l;
        prova_jsonl_init(&it, out.data, out.len, 0);
        while (code == EXIT_OK && prova_jsonl_next(&it, &l, NULL) > 0)
            code = cli_sink_post(&sink, "application/json", NULL, 0, l.text, l.len);
    } else {
        code = cli_export_write(x, out.data, out.len);
    }
    prova_buf_free(&out);
    return code;
}
