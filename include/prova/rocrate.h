/* prova/rocrate.h — RO-Crate 1.2 metadata for a record of any family. docs/rocrate.md. A crate is packed into one
 * archive with the store-only zip writer of prova/zip.h (included here).
 *
 * A crate is a directory (or a zip archive) holding two files: ro-crate-metadata.json (what
 * prova_rocrate_metadata() writes) and the record file itself. The library makes the bytes; the caller writes them.
 * (`prova export --to ro-crate` adds ro-crate-preview.html, a page written from the metadata: docs/rocrate.md.)
 *
 * Example:
 *     prova_buf meta = PROVA_BUF_INIT, zip = PROVA_BUF_INIT;
 *     const char *name = prova_rocrate_filename(info.kind, false);          // "proof.json"
 *     if (prova_rocrate_metadata(record, bytes, n, name, &meta, &err) < 0) { report(err.reason); }
 *     prova_zip_entry e[2] = {{PROVA_ROCRATE_METADATA_FILENAME, meta.data, meta.len}, {name, bytes, n}};
 *     if (prova_zip_write(e, 2, time(NULL), &zip, &err) < 0) { report(err.reason); }
 */
#ifndef PROVA_ROCRATE_H
#define PROVA_ROCRATE_H

#include <stdbool.h>

#include "common.h"
#include "json.h"
#include "zip.h" /* the zip writer was declared here before prova/zip.h */

#ifdef __cplusplus
extern "C" {
#endif

/* SPEC: ophamin.interop.ro_crate constants (ophamin.md §10). */
#define PROVA_ROCRATE_CONTEXT           "https://w3id.org/ro/crate/1.2/context"
#define PROVA_ROCRATE_CONFORMS_TO       "https://w3id.org/ro/crate/1.2"
#define PROVA_ROCRATE_METADATA_FILENAME "ro-crate-metadata.json"
#define PROVA_ROCRATE_PROOF_FILENAME    "proof.json"

/* The default name of the record file in a crate: "proof.json" for "proof_record", "<kind>.json" for the other
 * kinds of prova_record_info ("ope_envelope.json", ...; "ope_receipt_chain.jsonl" when jsonl is true: a chain
 * whose bytes are JSON Lines). Static storage; NULL for an unknown kind. */
PROVA_EXPORT const char *prova_rocrate_filename(const char *kind, bool jsonl);

/* Appends the bytes of ro-crate-metadata.json for record (the root of a document parsed with prova_record_parse()),
 * written as the reference writes it: Python json.dumps(metadata, indent=2, sort_keys=True) — ensure_ascii (every
 * code point outside U+0020..U+007E as a lowercase \uXXXX escape), two-space indent, ": " and "," + newline, no
 * trailing newline.
 *   - proof records: exactly the graph of the reference's to_ro_crate_metadata() (ophamin.md §10). file_data is
 *     not read (may be NULL).
 *   - OPE and OpenExecution records: the metadata descriptor, the root Dataset, the record File (with the sha256
 *     and contentSize of file_data: the record file's bytes, file_len of them) and a few contextual entities
 *     (docs/rocrate.md).
 * record_filename: the record file's path inside the crate, NUL-terminated UTF-8; NULL selects
 * prova_rocrate_filename(kind, false). As the reference: not empty, not starting with '/', no ".." segment.
 * On failure out->len is restored.
 * Errors (reterr->reason): PROVA_EINVAL "rocrate_filename_invalid" (a bad record_filename), the errors of
 * prova_record_describe() ("record_unknown_kind", "record_digest_mismatch", ...); PROVA_ESYNTAX
 * "rocrate_field_invalid" (a proof record member the graph needs is missing or of the wrong type; reterr->pointer
 * names it), "json_invalid_utf8" (record_filename is not UTF-8); PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_rocrate_metadata(const prova_json *record, const void *file_data,
                                                        size_t file_len, const char *record_filename, prova_buf *out,
                                                        prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_ROCRATE_H */
