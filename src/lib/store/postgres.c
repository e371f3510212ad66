/* The store on PostgreSQL (libpq): placeholder until the backend lands; refuses to open. */
#include "internal.h"
#include "store_internal.h"

int prova__store_pg_open(const char *uri, unsigned flags, prova_store **ret, prova_error *reterr) {
    (void)uri;
    (void)flags;
    (void)ret;
    prova__fail(reterr, PROVA_EUNSUPPORTED, "store_backend", "PostgreSQL is not available in this build");
    return PROVA_EUNSUPPORTED;
}
