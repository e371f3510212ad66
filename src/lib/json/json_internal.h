/* Internal to src/lib/json and the layers above it: what they need of the JSON layer beyond prova/json.h. (The
 * parser's own internals are parser.h and parse_impl.h.) Not installed. */
#ifndef PROVA_JSON_INTERNAL_H
#define PROVA_JSON_INTERNAL_H

#include "prova/json.h"

/* prova_canon_bytes that also says where the values of some top-level members of an object landed in out:
 * found[w] = {offset in out, length} of the canonical value of member want[w] (length 0 when absent). Keys are
 * compared decoded, so "\u0073eq" finds "seq". For a caller that needs parts of a document and its canonical
 * form at once (OpenExecution events) without a second scan. others (optional, room for maxothers) receives the
 * spans in out of the keys, without their quotes, of the other top-level members in canonical order, and
 * *ret_nothers their number (which may exceed maxothers: the spans past it are not written). */
typedef struct prova__span {
    size_t off, len;
} prova__span;
int prova__canon_top_members(const void *data, size_t len, prova_profile profile, const prova_parse_options *opts,
                             prova_buf *out, const char *const *want, size_t nwant, prova__span *found,
                             prova__span *others, size_t maxothers, size_t *ret_nothers, prova_error *reterr);

#endif
