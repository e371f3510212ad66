/* prova/cloudevents.h — CloudEvents 1.0 events of prova records (structured, binary HTTP and batch content modes)
 * and the way back (unwrap). docs/cloudevents.md.
 *
 * Proof records are wrapped exactly as the reference's ophamin.cloudevents.wrap() (reference/ophamin.md §7): type
 * "dev.ophamin.proof.emitted.v1", id = proof_id, the extensions ophaminversion, ophaminschema, ophaminverdict.
 * Records of the other families get prova's types ("prova.ope.envelope.accepted.v1", ...), id
 * "<kind>:<digest_alg>:<digest>" (the record's content address), subject = the record's own id and the extension
 * provakind. `data` is the record, written under its family's canonical profile so that it still verifies.
 *
 * Example:
 *     prova_record_info info;
 *     prova_ce_options o = {.source = "urn:example:prova"};
 *     prova_buf ev = PROVA_BUF_INIT;
 *     if (prova_record_describe(rec, &info, &err) == 0 && prova_ce_wrap(rec, &info, &o, &ev, &err) == 0) send(ev);
 *     prova_buf_free(&ev);
 */
#ifndef PROVA_CLOUDEVENTS_H
#define PROVA_CLOUDEVENTS_H

#include "common.h"
#include "interop.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_CE_SPECVERSION        "1.0"
#define PROVA_CE_CONTENT_TYPE       "application/cloudevents+json"
#define PROVA_CE_BATCH_CONTENT_TYPE "application/cloudevents-batch+json"
#define PROVA_CE_PROOF_TYPE         "dev.ophamin.proof.emitted.v1"
#define PROVA_CE_PROOF_DATASCHEMA                                                                                      \
    "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empiricalproofrecord--10"
#define PROVA_CE_MAX_EXTENSIONS 64  /* caller extensions per event */
#define PROVA_CE_MAX_HEADERS    256 /* headers prova_ce_unwrap_binary() looks at */
PROVA_EXPORT size_t prova_ce_max_extensions(void);
PROVA_EXPORT size_t prova_ce_max_headers(void);

/* A caller extension: name ^[a-z0-9]{1,20}$, a UTF-8 string value (NUL-terminated). */
typedef struct prova_ce_extension {
    const char *name;
    const char *value;
} prova_ce_extension;
/* sizeof(prova_ce_extension) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_ce_extension_sizeof(void);

typedef struct prova_ce_options {
    const char *source;                   /* required, non-empty (a URI-reference, e.g. "urn:prova:cli") */
    const char *type;                     /* NULL: the kind's type (prova_ce_type_for) */
    const prova_ce_extension *extensions; /* caller extensions, written after prova's own, in order */
    size_t nextensions;
} prova_ce_options;
/* sizeof(prova_ce_options) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_ce_options_sizeof(void);

/* The default event type of a record (static string): proof records "dev.ophamin.proof.emitted.v1", an OPE
 * envelope "prova.ope.envelope.accepted.v1", ... an OpenExecution bundle by its status.status (active "issued",
 * revoked, superseded; another status "prova.oe.certificate.exported.v1"). record may be NULL for kinds other than
 * oe_bundle. NULL for an unknown kind. */
PROVA_EXPORT const char *prova_ce_type_for(const prova_json *record, const prova_record_info *info);

/* Appends one structured-mode event (JSON, compact, attributes in the order of docs/cloudevents.md, not sorted)
 * for record (described by info, from prova_record_describe) to out. On failure out->len is restored.
 * Errors: PROVA_EINVAL "invalid_argument" (NULL argument), "ce_source" (empty source), "ce_uri_invalid" /
 * "ce_uri_not_absolute" (source, dataschema or a dataref extension that is not the URI-reference or URI its type
 * requires: prova_ce_uri_check; reterr->offset is the byte within the value), "ce_type" (empty type),
 * "ce_unknown_kind"; "ce_extension_name" (not ^[a-z0-9]{1,20}$), "ce_extension_collision" (a context attribute,
 * an attribute already set, "data" or the same name twice), "ce_extension_value" (NULL or not UTF-8),
 * PROVA_ELIMIT "ce_extension_limit" (more than PROVA_CE_MAX_EXTENSIONS); PROVA_ESYNTAX from the canonical writer
 * (e.g. "canon_nonfinite": NaN in an OPE record); PROVA_ENOMEM. reterr->pointer names the attribute ("/id"). */
PROVA_EXPORT PROVA_NODISCARD int prova_ce_wrap(const prova_json *record, const prova_record_info *info,
                                               const prova_ce_options *opts, prova_buf *out, prova_error *reterr);

/* Appends a batch (application/cloudevents-batch+json): a JSON array of the structured events of n records
 * (n >= 1), all with opts. Errors as prova_ce_wrap; reterr->pointer is prefixed by the event's index ("/2/id"). */
PROVA_EXPORT PROVA_NODISCARD int prova_ce_wrap_batch(const prova_json *const *records, const prova_record_info *infos,
                                                     size_t n, const prova_ce_options *opts, prova_buf *out,
                                                     prova_error *reterr);

/* Binary content mode (HTTP binding 1.0.2 §3.1): appends the header block to ret_headers — one "Name: value\r\n"
 * line per header: "Content-Type: application/json" first, then "ce-<attribute>: <value>" in the structured
 * order, values percent-encoded (§3.1.3.2: space, '"', '%' and every byte outside U+0021..U+007E as %XX) — and
 * the data (the record's canonical bytes) to ret_body. Errors as prova_ce_wrap; both buffers are restored. */
PROVA_EXPORT PROVA_NODISCARD int prova_ce_wrap_binary(const prova_json *record, const prova_record_info *info,
                                                      const prova_ce_options *opts, prova_buf *ret_headers,
                                                      prova_buf *ret_body, prova_error *reterr);

/* One HTTP header of a binary-mode message (not NUL-terminated). */
typedef struct prova_ce_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} prova_ce_header;
/* sizeof(prova_ce_header) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_ce_header_sizeof(void);

/* A structured event (parsed) -> ret_data: the bytes of its data, appended (data written as JSON text under the
 * ophamin profile — except a string data with a datacontenttype that is not JSON, returned as its UTF-8 bytes;
 * data_base64 decoded). Validates: an object; specversion "1.0"; id, source, type non-empty strings; time RFC
 * 3339; datacontenttype, dataschema, subject non-empty strings; source and a dataref extension URI-references and
 * dataschema a URI (prova_ce_uri_check); every other member an extension with a valid name and a string, boolean
 * or integer (CloudEvents Integer, 32-bit) value; exactly one of data / data_base64. A null member counts as
 * absent. It does not verify the record.
 * Errors (reterr->reason; reterr->pointer names the member): PROVA_EINVAL "invalid_argument"; PROVA_ESYNTAX
 * "ce_not_object", "ce_specversion", "ce_missing_attribute", "ce_attribute_type", "ce_attribute_empty", "ce_time",
 * "ce_uri_invalid", "ce_uri_not_absolute" (reterr->offset: the byte within the attribute's value),
 * "ce_extension_name", "ce_extension_value", "ce_data_missing", "ce_data_conflict", "ce_data_base64",
 * "canon_nonfinite"...; PROVA_ENOMEM. ret_data is restored on failure. */
PROVA_EXPORT PROVA_NODISCARD int prova_ce_unwrap(const prova_json *event, prova_buf *ret_data, prova_error *reterr);

/* Binary mode: the HTTP headers (names case-insensitive; ce-<name> are attributes, their values percent-decoded
 * and then required to be UTF-8; Content-Type is datacontenttype; other headers are ignored) and the body, which is
 * appended to ret_data as is. The same validation as prova_ce_unwrap (an extension's value is a string), plus
 * "ce_header_encoding" (a bad %XX or not UTF-8 after decoding), "ce_header_duplicate" (the same attribute twice),
 * "ce_header_invalid" (ce-datacontenttype, which binary mode carries as Content-Type), "ce_data_missing" (empty
 * body); PROVA_ELIMIT "ce_header_limit" (more than PROVA_CE_MAX_HEADERS headers). reterr->pointer is "/<attribute>".
 */
PROVA_EXPORT PROVA_NODISCARD int prova_ce_unwrap_binary(const prova_ce_header *h, size_t n, const void *body,
                                                        size_t len, prova_buf *ret_data, prova_error *reterr);

/* Checks s[0..n) against RFC 3986: a URI-reference (§4.1), or with absolute a URI with a scheme (§4.3's
 * absolute-URI, the CloudEvents URI type; a fragment is accepted, as real peers write one). The empty string is a
 * URI-reference (CloudEvents attributes are also required to be non-empty; the callers check that). 0, or
 * PROVA_ESYNTAX with reterr->reason "ce_uri_invalid" (a byte RFC 3986 does not allow, a '%' without two hex
 * digits, a bad host, IP literal or port, a ':' in a relative reference's first segment, '[' ']' '#' out of place)
 * or "ce_uri_not_absolute" (no scheme), reterr->offset the offending byte and reterr->message a sentence.
 * prova_ce_wrap* and prova_ce_unwrap* apply it to source (URI-reference), dataschema (URI) and the documented
 * extension dataref (URI-reference), with reterr->pointer naming the attribute and reterr->offset the byte within
 * its value. PROVA_EINVAL for a NULL s with n > 0. */
PROVA_EXPORT PROVA_NODISCARD int prova_ce_uri_check(const char *s, size_t n, bool absolute, prova_error *reterr);

/* True when s[0..n) is an RFC 3339 date-time (§5.6: full-date "T" full-time, 'T'/'Z' in either case, optional
 * fraction, "Z" or a ±HH:MM offset; fields in range, leap days checked, second 60 allowed). */
PROVA_EXPORT bool prova_ce_time_valid(const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_CLOUDEVENTS_H */
