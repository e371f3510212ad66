/* placeholder */
#include "export.h"
int cli_sink_post(const cli_sink *s, const char *content_type, const cli_header *headers, size_t nheaders,
                  const void *body, size_t len) {
    (void)s; (void)content_type; (void)headers; (void)nheaders; (void)body; (void)len;
    return cli_fail(EXIT_INTERNAL, "--post is not built yet");
}
int cli_sink_flush(const cli_sink *s) { (void)s; return EXIT_INTERNAL; }
void cli_sink_from_export(const cli_export *x, cli_sink *ret) { (void)x; (void)ret; }
