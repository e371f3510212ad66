/* prova_canon_edit: an object with members dropped and set, in canonical form. The members are written as one
 * compact object (obj's own, then set's) and canonicalized in one pass, which sorts them and checks the set values
 * are JSON. */
#include <string.h>

#include "internal.h"
#include "jsonw.h"
#include "prova/json.h"

static bool named(const prova_json *key, const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (prova_json_str_eq(key, names[i])) return true;
    return false;
}

int prova_canon_edit(const prova_json *obj, const char *const *drop, size_t ndrop, const prova_member_text *set,
                     size_t nset, prova_profile p, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!obj || !out || (ndrop && !drop) || (nset && !set) || !prova_json_is_object(obj))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "prova_canon_edit takes a JSON object");
    prova_buf t = PROVA_BUF_INIT, v = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &t);
    prova_jw_obj(&w);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < prova_json_len(obj); i++) {
        const prova_json_member *m = &obj->u.members[i];
        if (named(&m->key, drop, ndrop)) continue;
        bool replaced = false;
        for (size_t k = 0; k < nset && !replaced; k++) replaced = prova_json_str_eq(&m->key, set[k].name);
        if (replaced) continue;
        v.len = 0;
        rc = prova_canon_write(&m->value, p, &v, reterr);
        prova_jw_keyn(&w, m->key.u.str, m->key.len);
        prova_jw_raw(&w, v.data, v.len);
    }
    for (size_t k = 0; k < nset; k++) {
        prova_jw_key(&w, set[k].name);
        prova_jw_raw(&w, set[k].json, set[k].len);
    }
    prova_jw_end(&w);
    if (rc == 0 && (rc = prova_jw_finish(&w)) < 0 && rc != PROVA_ENOMEM)
        rc = prova__fail(reterr, rc, "invalid_argument", "a member name is not UTF-8");
    /* Stored records grow beyond any request's limits; the input was a parsed document already. */
    prova_parse_options po = {0};
    po.max_depth = PROVA_DEFAULT_MAX_DEPTH + 64;
    po.max_size = SIZE_MAX >> 1;
    po.max_string = SIZE_MAX >> 1;
    po.max_members = SIZE_MAX >> 1;
    if (rc == 0) rc = prova_canon_bytes(t.data, t.len, p, &po, out, reterr);
    prova_buf_free(&t);
    prova_buf_free(&v);
    return rc;
}
