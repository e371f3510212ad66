/* placeholder */
#include "export.h"
int cli_export_write(const cli_export *x, const void *data, size_t len) { (void)x; return cli_write_stdout(data, len); }
