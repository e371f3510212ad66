/* prova/zip.h — a small zip writer (store method, no compression) and the CRC-32 it needs: what packs an RO-Crate
 * (prova/rocrate.h, which includes this header) into one archive. docs/rocrate.md.
 *
 * Example:
 *     prova_zip_entry e[2] = {{"ro-crate-metadata.json", meta, meta_len}, {"proof.json", bytes, n}};
 *     prova_buf zip = PROVA_BUF_INIT;
 *     if (prova_zip_write(e, 2, time(NULL), &zip, &err) < 0) { report(err.reason); }
 */
#ifndef PROVA_ZIP_H
#define PROVA_ZIP_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The CRC-32 of ISO 3309 / zip / gzip (reflected polynomial 0xEDB88320), continuing crc (start with 0):
 * prova_zip_crc32(0, "123456789", 9) == 0xCBF43926. */
PROVA_EXPORT uint32_t prova_zip_crc32(uint32_t crc, const void *data, size_t len);

/* One file of an archive: name (NUL-terminated UTF-8, '/'-separated, relative) and len bytes of data. */
typedef struct prova_zip_entry {
    const char *name;
    const void *data;
    size_t len;
} prova_zip_entry;
/* sizeof(prova_zip_entry) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_zip_entry_sizeof(void);

#define PROVA_ZIP_MAX_ENTRIES 65534u
PROVA_EXPORT size_t prova_zip_max_entries(void);

/* Appends a zip archive (APPNOTE 6.3.x, no zip64) of the n entries, in order, stored without compression: local
 * headers, the central directory and the end record; every entry's modification time is mtime (seconds since the
 * Unix epoch, written as the DOS date and time in UTC, clamped to 1980-01-01..2107-12-31); general-purpose flag
 * bit 11 (UTF-8) is set for a name that is not ASCII; Unix mode 0644. The same input gives the same bytes.
 * Names must be non-empty valid UTF-8, relative (no leading '/', no drive letter "C:"), without '\\', NUL, an
 * empty, "." or ".." segment or a trailing '/', at most 65535 bytes, and pairwise distinct. On failure out->len is
 * restored. Errors: PROVA_EINVAL "zip_name_invalid" (reterr->pointer "/<index>"), "zip_name_duplicate",
 * "zip_no_entries" (NULL entries or n 0); PROVA_ELIMIT "zip_too_large" (more than PROVA_ZIP_MAX_ENTRIES entries, or
 * an entry or the archive reaching 4 GiB: zip64 is not written); PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_zip_write(const prova_zip_entry *entries, size_t n, int64_t mtime,
                                                 prova_buf *out, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_ZIP_H */
