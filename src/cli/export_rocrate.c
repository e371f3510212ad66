#include "export.h"
int cli_export_rocrate(const cli_export *x) {
    (void)x;
    return cli_fail(EXIT_INTERNAL, "--to cli_export_rocrate is not built yet");
}
