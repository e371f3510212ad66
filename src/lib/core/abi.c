/* What a binding in another language reads at run time instead of from the headers' macros: the library's version.
 * (Bindings cannot see #define; docs/api.md, "The ABI".) */
#include "prova/common.h"

const char *prova_version(void) { return PROVA_VERSION_STRING; }

int prova_version_number(void) { return PROVA_VERSION_NUMBER; }
