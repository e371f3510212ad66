#include "export.h"
int cli_export_intoto(const cli_export *x) {
    (void)x;
    return cli_fail(EXIT_INTERNAL, "--to cli_export_intoto is not built yet");
}
int cli_export_dsse(const cli_export *x) {
    (void)x;
    return cli_fail(EXIT_INTERNAL, "--to cli_export_dsse is not built yet");
}
