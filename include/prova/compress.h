/* prova/compress.h — zstd (RFC 8878) and gzip (RFC 1952) for transport and storage: bundles, exports, JSON Lines
 * chains and HTTP bodies. Never inside what is signed: a signature or hash always covers the uncompressed bytes, and
 * compression is a layer around them (docs/compression.md).
 *
 * Decompression is bounded against bombs: a maximum output size and a maximum ratio of output to input, checked as
 * the output is produced (a bomb stops as soon as it crosses a limit, and the output buffer never grows beyond the
 * limit plus one chunk; the size a zstd frame header claims is never used to allocate). The decoder takes its input
 * in pieces (an HTTP body as it arrives) or whole (prova_decompress_write).
 *
 * What a stream may hold (what `zstd -d` and `gzip -d` accept, and nothing else):
 *  - zstd: one or more frames, one after the other, and skippable frames (magic 0x184D2A50..5F) anywhere among them,
 *    which are skipped; the content checksum is checked when a frame has one;
 *  - gzip: one or more members, one after the other (RFC 1952 §2.2); each member's CRC-32 and ISIZE are checked;
 *  - one format per stream (a gzip member after a zstd frame is trailing data), and one layer: a decompressed stream
 *    that is itself compressed is returned as it is;
 *  - anything after the last complete frame or member is refused (compressed_trailing_data), where `gzip -d` only
 *    warns.
 *
 * Errors (reterr->reason; reterr->offset is how many compressed bytes had been read when the error was found):
 *   PROVA_ELIMIT  "decompressed_too_large" (more than max_size bytes), "compression_ratio_exceeded" (more than
 *                 max_ratio bytes out per byte in, once the output passes ratio_floor), "compressed_window_too_large"
 *                 (a zstd frame asks for a window larger than the decoder accepts)
 *   PROVA_ESYNTAX "compressed_corrupt" (the decoder refused the data, or a checksum did not match),
 *                 "compressed_truncated" (the input ended inside a frame or member, or was empty),
 *                 "compressed_trailing_data" (bytes after the last frame or member that start none),
 *                 "compressed_format_mismatch" (options.format asked for one format and the data is another or
 *                 not compressed)
 *   PROVA_EUNSUPPORTED "compression_unknown" (format detection found neither magic)
 *   PROVA_EINVAL, PROVA_ENOMEM
 *
 * Example:
 *     prova_decompress_options o = {.max_size = 64 << 20, .max_ratio = 1000};
 *     prova_buf plain = PROVA_BUF_INIT;
 *     if (prova_compress_detect(data, len) != PROVA_COMPRESSION_NONE &&
 *         prova_decompress_write(data, len, &o, &plain, &err) < 0)
 *         printf("%s at byte %zu\n", err.reason, err.offset);
 */
#ifndef PROVA_COMPRESS_H
#define PROVA_COMPRESS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The formats. Fixed numbers. */
typedef enum prova_compression {
    PROVA_COMPRESSION_NONE = 0, /* not compressed (in options: detect by magic) */
    PROVA_COMPRESSION_GZIP = 1, /* RFC 1952, magic 1F 8B */
    PROVA_COMPRESSION_ZSTD = 2, /* RFC 8878, magic 28 B5 2F FD, or a skippable frame 5x 2A 4D 18 */
} prova_compression;

/* "none", "gzip", "zstd"; "unknown" for another value. Static storage, never NULL. */
PROVA_EXPORT const char *prova_compression_name(prova_compression c);
/* The format named name ("none", "identity" (as HTTP names it), "gzip", "x-gzip", "zstd"; ASCII case-insensitive) into
 * *ret: 0, or PROVA_EUNSUPPORTED (*ret untouched), PROVA_EINVAL for NULL. */
PROVA_EXPORT PROVA_NODISCARD int prova_compression_lookup(const char *name, prova_compression *ret);

/* The format of data by its first bytes (the magic, never a file name): GZIP for 1F 8B, ZSTD for a zstd frame or a
 * skippable frame, else NONE (also for fewer bytes than a magic). */
PROVA_EXPORT prova_compression prova_compress_detect(const void *data, size_t len);

/* The defaults and bounds of the limits and levels. */
#define PROVA_DECOMPRESS_DEFAULT_MAX_SIZE    ((size_t)256 << 20) /* 256 MiB, PROVA_DEFAULT_MAX_SIZE */
#define PROVA_DECOMPRESS_DEFAULT_MAX_RATIO   1000u
#define PROVA_DECOMPRESS_DEFAULT_RATIO_FLOOR ((size_t)1 << 20) /* 1 MiB */
#define PROVA_COMPRESS_DEFAULT_LEVEL_ZSTD    3
#define PROVA_COMPRESS_DEFAULT_LEVEL_GZIP    6
PROVA_EXPORT size_t prova_decompress_default_max_size(void);
PROVA_EXPORT size_t prova_decompress_default_max_ratio(void);
PROVA_EXPORT size_t prova_decompress_default_ratio_floor(void);
PROVA_EXPORT size_t prova_compress_default_level_zstd(void);
PROVA_EXPORT size_t prova_compress_default_level_gzip(void);

/* The limits of a decoder. Zero-initialize it; every 0 member takes its default. */
typedef struct prova_decompress_options {
    int format;         /* a prova_compression the data must be in; PROVA_COMPRESSION_NONE: detect by magic */
    size_t max_size;    /* most bytes of output; 0: PROVA_DECOMPRESS_DEFAULT_MAX_SIZE */
    size_t max_ratio;   /* most bytes out per byte in; 0: PROVA_DECOMPRESS_DEFAULT_MAX_RATIO; SIZE_MAX: none */
    size_t ratio_floor; /* the ratio is checked once the output is larger than this (a small document compresses
                           well and legitimately); 0: PROVA_DECOMPRESS_DEFAULT_RATIO_FLOOR */
} prova_decompress_options;
/* sizeof(prova_decompress_options) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_decompress_options_sizeof(void);

/* Compresses len bytes of data as one zstd frame (with its content size and checksum) or one gzip member (no file
 * name, mtime 0, so the same input gives the same bytes with the same library) and appends it to out. level: 0 the
 * format's default, else zstd 1..22 (ZSTD_maxCLevel) and gzip 1..9. On failure out->len is restored. Errors:
 * PROVA_EINVAL (NULL, format NONE or unknown: reason "compression_unknown"; a level out of range:
 * "compression_level_invalid"), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_compress_write(const void *data, size_t len, prova_compression format, int level,
                                                      prova_buf *out, prova_error *reterr);

/* A streaming compressor: new, then update with each piece (compressed bytes are appended to out as they come),
 * then finish (the frame's or member's end; the compressor may then be reused for a new frame), then free. The
 * concatenation of what was appended is exactly what prova_compress_write of all the pieces would append. Errors as
 * prova_compress_write. */
typedef struct prova_compressor prova_compressor;
PROVA_EXPORT PROVA_NODISCARD int prova_compress_new(prova_compression format, int level, prova_compressor **ret,
                                                    prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_compress_update(prova_compressor *c, const void *data, size_t len,
                                                       prova_buf *out, prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_compress_finish(prova_compressor *c, prova_buf *out, prova_error *reterr);
/* Frees c; NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_compressor *prova_compress_free(prova_compressor *c);

/* Decompresses all of data under the limits of o (NULL: the defaults) and appends the output to out. On failure
 * out->len is restored and reterr says why (the errors above). */
PROVA_EXPORT PROVA_NODISCARD int prova_decompress_write(const void *data, size_t len, const prova_decompress_options *o,
                                                        prova_buf *out, prova_error *reterr);

/* A streaming decoder: new, update with each piece of input (output appended to out as it is produced), finish
 * (0 when the input ended at the end of a frame or member, else compressed_truncated), free. After an error every
 * further call returns the same error. prova_decompress_format says which format was detected (NONE until the
 * first bytes are in). */
typedef struct prova_decompressor prova_decompressor;
PROVA_EXPORT PROVA_NODISCARD int prova_decompress_new(const prova_decompress_options *o, prova_decompressor **ret,
                                                      prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_decompress_update(prova_decompressor *d, const void *data, size_t len,
                                                         prova_buf *out, prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_decompress_finish(prova_decompressor *d, prova_error *reterr);
PROVA_EXPORT prova_compression prova_decompress_format(const prova_decompressor *d);
/* Frees d; NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_decompressor *prova_decompress_free(prova_decompressor *d);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_COMPRESS_H */
