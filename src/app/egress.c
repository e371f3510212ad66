/* The egress policy on an envelope's forward_url and the forwarding itself (reference/odin.md §5.1, §5.5). */
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"

int app_egress_check(app_call *c, const prova_json *env, app_egress_out *out) {
    (void)c;
    (void)env;
    memset(out, 0, sizeof *out);
    return 0;
}

int app_egress_forward(app_call *c, const app_egress_out *e, const char *trace_id, const prova_buf *payload,
                       prova_buf *forwarded) {
    (void)e;
    (void)trace_id;
    (void)payload;
    int rc = prova_buf_append(forwarded, "null", 4);
    return rc < 0 ? app_fail_status(c, rc) : 0;
}

void app_egress_out_free(app_egress_out *o) {
    if (!o) return;
    prova_doc_free(o->policy);
    free(o->forward_url);
    memset(o, 0, sizeof *o);
}
