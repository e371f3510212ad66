/* Normalization of an accepted envelope's payload: payload_type -> target_type (reference/odin.md §5.6). */
#include <string.h>

#include "app_internal.h"
#include "prova/encoding.h"

int app_sft_run(app_call *c, const prova_json *env, app_sft_out *out) {
    const prova_json *payload = prova_json_get(env, "payload");
    const prova_json *pt = prova_json_get(env, "payload_type"), *tt = prova_json_get(env, "target_type");
    bool same = !pt || !tt ||
                (pt->len == tt->len && prova_json_is_string(pt) && prova_json_is_string(tt) &&
                 memcmp(pt->u.str, tt->u.str, pt->len) == 0);
    int rc = prova_canon_write(payload, PROVA_PROFILE_OPE, &out->payload, NULL);
    if (rc == 0) rc = app_sha256_hex(out->payload.data, out->payload.len, out->cid + 7);
    if (rc == 0) {
        memcpy(out->cid, "sha256:", 7);
        const char *n = same ? "{\"notes\":\"already_normalized\"}" : "{\"notes\":\"not_transformed\"}";
        rc = prova_buf_append(&out->notes, n, strlen(n));
    }
    if (rc < 0) return app_fail_status(c, rc);
    return 0;
}

void app_sft_out_free(app_sft_out *o) {
    if (!o) return;
    prova_buf_free(&o->payload);
    prova_buf_free(&o->notes);
}
