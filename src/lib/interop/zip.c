/* The store-only zip writer of prova/rocrate.h (APPNOTE 6.3.x, no zip64): what an RO-Crate travels in. CRC-32 is
 * zlib's. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "internal.h"
#include "prova/zip.h"

/* zlib's CRC-32 (the one zip and gzip use), in chunks that fit its length type. */
uint32_t prova_zip_crc32(uint32_t crc, const void *data, size_t len) {
    if (!data) return crc; /* zlib answers 0 for a NULL buffer: prova keeps crc, as documented */
    uLong c = crc;
    const Bytef *p = data;
    while (len > 0) {
        uInt k = len > UINT_MAX ? UINT_MAX : (uInt)len;
        c = crc32(c, p, k);
        p += k;
        len -= k;
    }
    return (uint32_t)c;
}

/* The flag a name needs: false when it has a byte outside ASCII (general-purpose bit 11, UTF-8). */
static bool ascii_only(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return false;
    return true;
}

static bool zip_name_ok(const char *name, bool *ret_ascii) {
    if (!name || !name[0]) return false;
    size_t n = strlen(name);
    if (n > 0xFFFF || name[0] == '/' || name[n - 1] == '/' || strchr(name, '\\')) return false;
    if (((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')) && name[1] == ':') return false;
    if (!prova_utf8_valid(name, n)) return false;
    *ret_ascii = ascii_only(name, n);
    for (const char *p = name;;) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 0 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.')) return false;
        if (!e) break;
        p = e + 1;
    }
    return true;
}

/* SPEC: APPNOTE 4.4.6: MS-DOS time (bits 15-11 hour, 10-5 minute, 4-0 second/2) and date (15-9 year-1980,
 * 8-5 month, 4-0 day). */
static void dos_time(int64_t t, uint16_t *ret_time, uint16_t *ret_date) {
    const int64_t lo = 315532800;  /* 1980-01-01T00:00:00Z */
    const int64_t hi = 4354819199; /* 2107-12-31T23:59:59Z */
    if (t < lo) t = lo;
    if (t > hi) t = hi;
    int64_t days = t / 86400, secs = t % 86400, y, m, d;
    prova__civil_from_days(days, &y, &m, &d);
    *ret_date = (uint16_t)((unsigned)(y - 1980) << 9 | (unsigned)m << 5 | (unsigned)d);
    *ret_time = (uint16_t)((unsigned)(secs / 3600) << 11 | (unsigned)(secs / 60 % 60) << 5 | (unsigned)(secs % 60 / 2));
}

static uint8_t *le16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}
static uint8_t *le32(uint8_t *p, uint32_t v) {
    p = le16(p, v & 0xFFFF);
    return le16(p, v >> 16);
}

int prova_zip_write(const prova_zip_entry *entries, size_t n, int64_t mtime, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!entries || n == 0) return prova__fail(reterr, PROVA_EINVAL, "zip_no_entries", "an archive needs entries");
    if (n > PROVA_ZIP_MAX_ENTRIES)
        return prova__fail(reterr, PROVA_ELIMIT, "zip_too_large", "too many entries for a zip without zip64");
    uint64_t total = 22;
    for (size_t i = 0; i < n; i++) {
        bool ascii;
        if (!zip_name_ok(entries[i].name, &ascii) || (!entries[i].data && entries[i].len)) {
            prova__fail(reterr, PROVA_EINVAL, "zip_name_invalid",
                        "an entry name must be non-empty relative UTF-8 without '\\', NUL, '.', '..' or empty "
                        "segments");
            if (reterr) snprintf(reterr->pointer, sizeof reterr->pointer, "/%zu", i);
            return PROVA_EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(entries[i].name, entries[j].name) == 0) {
                prova__fail(reterr, PROVA_EINVAL, "zip_name_duplicate", "two entries have the same name");
                if (reterr) snprintf(reterr->pointer, sizeof reterr->pointer, "/%zu", i);
                return PROVA_EINVAL;
            }
        uint64_t nl = strlen(entries[i].name);
        if (entries[i].len >= 0xFFFFFFFFu)
            return prova__fail(reterr, PROVA_ELIMIT, "zip_too_large", "an entry reaches 4 GiB (zip64 is not written)");
        total += 30 + nl + entries[i].len + 46 + nl;
    }
    if (total >= 0xFFFFFFFFu)
        return prova__fail(reterr, PROVA_ELIMIT, "zip_too_large", "the archive reaches 4 GiB (zip64 is not written)");

    size_t mark = out->len;
    int rc = prova_buf_reserve(out, (size_t)total);
    if (rc < 0) return prova__fail(reterr, rc, "out_of_memory", "out of memory");
    uint16_t dtime, ddate;
    dos_time(mtime, &dtime, &ddate);
    /* The local headers' offsets and CRCs, recomputed for the central directory below (no allocation). */
    uint8_t h[46];
    for (size_t i = 0; i < n; i++) {
        const prova_zip_entry *e = &entries[i];
        size_t nl = strlen(e->name);
        bool ascii = ascii_only(e->name, nl);
        uint32_t crc = prova_zip_crc32(0, e->data ? e->data : (const void *)"", e->len);
        uint8_t *p = h;
        p = le32(p, 0x04034b50u);        /* local file header signature */
        p = le16(p, 10);                 /* version needed to extract: 1.0 (stored) */
        p = le16(p, ascii ? 0 : 0x0800); /* general purpose flag: bit 11 = UTF-8 name */
        p = le16(p, 0);                  /* compression method: stored */
        p = le16(p, dtime);
        p = le16(p, ddate);
        p = le32(p, crc);
        p = le32(p, (uint32_t)e->len); /* compressed size */
        p = le32(p, (uint32_t)e->len); /* uncompressed size */
        p = le16(p, (uint32_t)nl);
        p = le16(p, 0); /* extra field length */
        rc = prova_buf_append(out, h, (size_t)(p - h));
        if (rc == 0) rc = prova_buf_append(out, e->name, nl);
        if (rc == 0 && e->len) rc = prova_buf_append(out, e->data, e->len);
        if (rc < 0) break;
    }
    size_t cd_start = out->len;
    uint32_t offset = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const prova_zip_entry *e = &entries[i];
        size_t nl = strlen(e->name);
        bool ascii = ascii_only(e->name, nl);
        uint32_t crc = prova_zip_crc32(0, e->data ? e->data : (const void *)"", e->len);
        uint8_t *p = h;
        p = le32(p, 0x02014b50u);        /* central file header signature */
        p = le16(p, 3u << 8 | 20u);      /* version made by: Unix, 2.0 */
        p = le16(p, 10);                 /* version needed to extract */
        p = le16(p, ascii ? 0 : 0x0800); /* general purpose flag */
        p = le16(p, 0);                  /* stored */
        p = le16(p, dtime);
        p = le16(p, ddate);
        p = le32(p, crc);
        p = le32(p, (uint32_t)e->len);
        p = le32(p, (uint32_t)e->len);
        p = le16(p, (uint32_t)nl);
        p = le16(p, 0);              /* extra field length */
        p = le16(p, 0);              /* file comment length */
        p = le16(p, 0);              /* disk number start */
        p = le16(p, 0);              /* internal attributes */
        p = le32(p, 0100644u << 16); /* external attributes: a regular file, rw-r--r-- */
        p = le32(p, offset);         /* relative offset of the local header */
        rc = prova_buf_append(out, h, (size_t)(p - h));
        if (rc == 0) rc = prova_buf_append(out, e->name, nl);
        offset += (uint32_t)(30 + nl + e->len);
    }
    if (rc == 0) {
        uint8_t *p = h;
        p = le32(p, 0x06054b50u);                     /* end of central directory signature */
        p = le16(p, 0);                               /* number of this disk */
        p = le16(p, 0);                               /* disk with the central directory */
        p = le16(p, (uint32_t)n);                     /* entries on this disk */
        p = le16(p, (uint32_t)n);                     /* entries in total */
        p = le32(p, (uint32_t)(out->len - cd_start)); /* size of the central directory */
        p = le32(p, (uint32_t)(cd_start - mark));     /* offset of the central directory */
        p = le16(p, 0);                               /* comment length */
        rc = prova_buf_append(out, h, (size_t)(p - h));
    }
    if (rc < 0) {
        out->len = mark;
        return prova__fail(reterr, rc, "out_of_memory", "out of memory");
    }
    return 0;
}
