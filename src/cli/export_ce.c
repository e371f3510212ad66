#include "export.h"
int cli_export_cloudevents(const cli_export *x) {
    (void)x;
    return cli_fail(EXIT_INTERNAL, "--to cli_export_cloudevents is not built yet");
}
