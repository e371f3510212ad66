/* zstd and gzip for transport and storage, with bounded decompression (prova/compress.h, docs/compression.md).
 *
 * The decoder writes straight into the caller's buffer, a chunk at a time: each step is given at most the room left
 * under max_size plus one byte, so going over the limit is seen after at most one chunk, and the buffer never grows
 * past the limit (plus prova_buf's doubling) whatever a frame header claims. The ratio is checked after every step
 * against the compressed bytes consumed so far. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "internal.h"
#include "prova/compress.h"

#define CHUNK ((size_t)128 << 10)
/* zlib counts in uInt: feed it at most this much at a time. */
#define ZLIB_PIECE ((size_t)1 << 30)

/* SPEC: RFC 8878 §3.1.1: "Magic_Number: 4 bytes, little-endian format. Value: 0xFD2FB528"; §3.1.2 skippable frames:
 * "Magic_Number: 4 bytes, little-endian format. Value: 0x184D2A5?". RFC 1952 §2.3.1: "ID1 (IDentification 1) ID2
 * (IDentification 2) These have the fixed values ID1 = 31 (0x1f), ID2 = 139 (0x8b)". */
static bool is_zstd_magic(const uint8_t *p) {
    return (p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD) ||
           ((p[0] & 0xF0) == 0x50 && p[1] == 0x2A && p[2] == 0x4D && p[3] == 0x18);
}

prova_compression prova_compress_detect(const void *data, size_t len) {
    const uint8_t *p = data;
    if (!p || len < 2) return PROVA_COMPRESSION_NONE;
    if (p[0] == 0x1F && p[1] == 0x8B) return PROVA_COMPRESSION_GZIP;
    if (len >= 4 && is_zstd_magic(p)) return PROVA_COMPRESSION_ZSTD;
    return PROVA_COMPRESSION_NONE;
}

const char *prova_compression_name(prova_compression c) {
    switch (c) {
    case PROVA_COMPRESSION_NONE:
        return "none";
    case PROVA_COMPRESSION_GZIP:
        return "gzip";
    case PROVA_COMPRESSION_ZSTD:
        return "zstd";
    }
    return "unknown";
}

static bool ascii_ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        if (x != *b) return false;
    }
    return *a == *b;
}

int prova_compression_lookup(const char *name, prova_compression *ret) {
    if (!name || !ret) return PROVA_EINVAL;
    if (ascii_ieq(name, "none") || ascii_ieq(name, "identity"))
        *ret = PROVA_COMPRESSION_NONE;
    else if (ascii_ieq(name, "gzip") || ascii_ieq(name, "x-gzip"))
        *ret = PROVA_COMPRESSION_GZIP;
    else if (ascii_ieq(name, "zstd"))
        *ret = PROVA_COMPRESSION_ZSTD;
    else
        return PROVA_EUNSUPPORTED;
    return 0;
}

size_t prova_decompress_default_max_size(void) {
    return PROVA_DECOMPRESS_DEFAULT_MAX_SIZE;
}
size_t prova_decompress_default_max_ratio(void) {
    return PROVA_DECOMPRESS_DEFAULT_MAX_RATIO;
}
size_t prova_decompress_default_ratio_floor(void) {
    return PROVA_DECOMPRESS_DEFAULT_RATIO_FLOOR;
}
size_t prova_compress_default_level_zstd(void) {
    return PROVA_COMPRESS_DEFAULT_LEVEL_ZSTD;
}
size_t prova_compress_default_level_gzip(void) {
    return PROVA_COMPRESS_DEFAULT_LEVEL_GZIP;
}
size_t prova_decompress_options_sizeof(void) {
    return sizeof(prova_decompress_options);
}

/* ---- compression ---------------------------------------------------------------------------------------------- */

struct prova_compressor {
    prova_compression format;
    int level;
    ZSTD_CCtx *z;
    z_stream g;
    bool g_init;
    bool fresh; /* nothing fed since new or finish (the one-shot path pledges the size then) */
};

static int check_level(prova_compression format, int *level, prova_error *reterr) {
    if (format != PROVA_COMPRESSION_GZIP && format != PROVA_COMPRESSION_ZSTD)
        return prova__fail(reterr, PROVA_EINVAL, "compression_unknown", "the compression format is not gzip or zstd");
    int max = format == PROVA_COMPRESSION_GZIP ? 9 : ZSTD_maxCLevel();
    if (*level == 0)
        *level =
            format == PROVA_COMPRESSION_GZIP ? PROVA_COMPRESS_DEFAULT_LEVEL_GZIP : PROVA_COMPRESS_DEFAULT_LEVEL_ZSTD;
    if (*level < 1 || *level > max)
        return prova__fail(reterr, PROVA_EINVAL, "compression_level_invalid",
                           format == PROVA_COMPRESSION_GZIP ? "the gzip level is not 1 to 9"
                                                            : "the zstd level is not 1 to 22");
    return 0;
}

int prova_compress_new(prova_compression format, int level, prova_compressor **ret, prova_error *reterr) {
    if (!ret) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "ret is NULL");
    int r = check_level(format, &level, reterr);
    if (r < 0) return r;
    prova_compressor *c = calloc(1, sizeof *c);
    if (!c) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    c->format = format;
    c->level = level;
    c->fresh = true;
    if (format == PROVA_COMPRESSION_ZSTD) {
        c->z = ZSTD_createCCtx();
        if (!c->z || ZSTD_isError(ZSTD_CCtx_setParameter(c->z, ZSTD_c_compressionLevel, level)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(c->z, ZSTD_c_checksumFlag, 1))) {
            prova_compress_free(c);
            return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        }
    } else {
        /* windowBits 15 + 16: a gzip wrapper with zlib's default header (no name, mtime 0, OS 3). */
        if (deflateInit2(&c->g, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(c);
            return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        }
        c->g_init = true;
    }
    *ret = c;
    return 0;
}

prova_compressor *prova_compress_free(prova_compressor *c) {
    if (!c) return NULL;
    ZSTD_freeCCtx(c->z);
    if (c->g_init) deflateEnd(&c->g);
    free(c);
    return NULL;
}

/* Runs the compressor over data with mode end (zstd: ZSTD_e_continue / ZSTD_e_end; gzip: Z_NO_FLUSH / Z_FINISH). */
static int compress_step(prova_compressor *c, const uint8_t *data, size_t len, bool end, prova_buf *out,
                         prova_error *reterr) {
    c->fresh = end;
    if (c->format == PROVA_COMPRESSION_ZSTD) {
        ZSTD_inBuffer in = {data, len, 0};
        for (;;) {
            if (prova_buf_reserve(out, CHUNK) < 0)
                return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
            ZSTD_outBuffer ob = {out->data + out->len, out->cap - out->len, 0};
            size_t r = ZSTD_compressStream2(c->z, &ob, &in, end ? ZSTD_e_end : ZSTD_e_continue);
            out->len += ob.pos;
            if (ZSTD_isError(r)) return prova__fail(reterr, PROVA_ENOMEM, "compress_failed", ZSTD_getErrorName(r));
            if (end ? r == 0 : in.pos == in.size) return 0;
        }
    }
    size_t done = 0;
    for (;;) {
        size_t piece = len - done < ZLIB_PIECE ? len - done : ZLIB_PIECE;
        c->g.next_in = (Bytef *)(uintptr_t)(data ? data + done : NULL);
        c->g.avail_in = (uInt)piece;
        bool last = done + piece == len;
        int flush = end && last ? Z_FINISH : Z_NO_FLUSH;
        for (;;) {
            if (prova_buf_reserve(out, CHUNK) < 0)
                return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
            size_t room = out->cap - out->len < ZLIB_PIECE ? out->cap - out->len : ZLIB_PIECE;
            c->g.next_out = out->data + out->len;
            c->g.avail_out = (uInt)room;
            int r = deflate(&c->g, flush);
            out->len += room - c->g.avail_out;
            if (r == Z_STREAM_END) {
                deflateReset(&c->g);
                return 0;
            }
            if (r != Z_OK && r != Z_BUF_ERROR)
                return prova__fail(reterr, PROVA_ENOMEM, "compress_failed", "zlib's deflate failed");
            if (flush == Z_NO_FLUSH && c->g.avail_in == 0 && c->g.avail_out > 0) break;
        }
        done += piece;
        if (last) return 0;
    }
}

int prova_compress_update(prova_compressor *c, const void *data, size_t len, prova_buf *out, prova_error *reterr) {
    if (!c || !out || (!data && len)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!len) return 0;
    size_t before = out->len;
    int r = compress_step(c, data, len, false, out, reterr);
    if (r < 0) out->len = before;
    return r;
}

int prova_compress_finish(prova_compressor *c, prova_buf *out, prova_error *reterr) {
    if (!c || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    size_t before = out->len;
    int r = compress_step(c, NULL, 0, true, out, reterr);
    if (r < 0) out->len = before;
    return r;
}

int prova_compress_write(const void *data, size_t len, prova_compression format, int level, prova_buf *out,
                         prova_error *reterr) {
    if (!out || (!data && len)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_compressor *c;
    int r = prova_compress_new(format, level, &c, reterr);
    if (r < 0) return r;
    /* The whole input is known: the frame header says its size (as `zstd FILE` writes it). */
    if (c->z && ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(c->z, len))) {
        prova_compress_free(c);
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    size_t before = out->len;
    r = compress_step(c, data, len, true, out, reterr);
    if (r < 0) out->len = before;
    prova_compress_free(c);
    return r;
}

/* ---- decompression -------------------------------------------------------------------------------------------- */

struct prova_decompressor {
    prova_decompress_options o;
    prova_compression format; /* detected; NONE until 4 bytes are in */
    uint8_t head[4];
    size_t nhead;
    uint8_t pend[4]; /* the first bytes after a frame or member, held until its magic can be checked */
    size_t npend;
    /* The zstd frame being decoded: its header as it passes, the content size it declares, where it started. The
     * size is checked here too: libzstd 1.5.4's streaming decoder lets a frame that ends early through when its
     * input comes in small pieces, and the pieces must not change the outcome. */
    uint8_t fh[18];
    size_t nfh, frame_in, frame_out;
    unsigned long long fcs; /* ZSTD_CONTENTSIZE_UNKNOWN until the header is in */
    size_t in_total, out_total;
    size_t units; /* frames or members completed */
    bool in_unit; /* inside a frame or member */
    ZSTD_DStream *z;
    z_stream g;
    bool g_init;
    /* the first error, returned again by every later call */
    int err_status;
    const char *err_reason, *err_message;
    size_t err_offset;
};

static int dfail(prova_decompressor *d, int status, const char *reason, const char *message, prova_error *reterr) {
    if (!d->err_status) {
        d->err_status = status;
        d->err_reason = reason;
        d->err_message = message;
        d->err_offset = d->in_total;
    }
    if (reterr) {
        prova__fail(reterr, d->err_status, d->err_reason, d->err_message);
        reterr->offset = d->err_offset;
    }
    return d->err_status;
}

int prova_decompress_new(const prova_decompress_options *o, prova_decompressor **ret, prova_error *reterr) {
    if (!ret) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "ret is NULL");
    prova_decompress_options opt = o ? *o : (prova_decompress_options){0};
    if (opt.format != PROVA_COMPRESSION_NONE && opt.format != PROVA_COMPRESSION_GZIP &&
        opt.format != PROVA_COMPRESSION_ZSTD)
        return prova__fail(reterr, PROVA_EINVAL, "compression_unknown", "the compression format is not gzip or zstd");
    if (!opt.max_size) opt.max_size = PROVA_DECOMPRESS_DEFAULT_MAX_SIZE;
    if (!opt.max_ratio) opt.max_ratio = PROVA_DECOMPRESS_DEFAULT_MAX_RATIO;
    if (!opt.ratio_floor) opt.ratio_floor = PROVA_DECOMPRESS_DEFAULT_RATIO_FLOOR;
    prova_decompressor *d = calloc(1, sizeof *d);
    if (!d) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    d->o = opt;
    *ret = d;
    return 0;
}

prova_decompressor *prova_decompress_free(prova_decompressor *d) {
    if (!d) return NULL;
    ZSTD_freeDStream(d->z);
    if (d->g_init) inflateEnd(&d->g);
    free(d);
    return NULL;
}

prova_compression prova_decompress_format(const prova_decompressor *d) {
    return d ? d->format : PROVA_COMPRESSION_NONE;
}

/* The largest zstd window accepted: what max_size needs, at least 8 MiB (what `zstd -19` uses on a stream of unknown
 * size) and at most 128 MiB (zstd's own default limit). A frame asking for more is refused before its window is
 * allocated. */
static int window_log(size_t max_size) {
    int wl = 23;
    while (wl < 27 && ((size_t)1 << wl) < max_size) wl++;
    return wl;
}

static int start(prova_decompressor *d, prova_error *reterr) {
    if (d->format == PROVA_COMPRESSION_ZSTD) {
        d->z = ZSTD_createDStream();
        if (!d->z || ZSTD_isError(ZSTD_DCtx_setParameter(d->z, ZSTD_d_windowLogMax, window_log(d->o.max_size))))
            return dfail(d, PROVA_ENOMEM, "out_of_memory", "out of memory", reterr);
    } else {
        if (inflateInit2(&d->g, 15 + 16) != Z_OK)
            return dfail(d, PROVA_ENOMEM, "out_of_memory", "out of memory", reterr);
        d->g_init = true;
    }
    return 0;
}

static bool over_ratio(const prova_decompressor *d) {
    if (d->out_total <= d->o.ratio_floor || d->o.max_ratio == SIZE_MAX) return false;
    if (d->in_total > SIZE_MAX / d->o.max_ratio) return false;
    return d->out_total > d->in_total * d->o.max_ratio;
}

static int check_limits(prova_decompressor *d, prova_error *reterr) {
    if (d->out_total > d->o.max_size)
        return dfail(d, PROVA_ELIMIT, "decompressed_too_large", "the decompressed data is larger than the limit",
                     reterr);
    if (over_ratio(d))
        return dfail(d, PROVA_ELIMIT, "compression_ratio_exceeded",
                     "the data decompresses to more than the allowed ratio of its compressed size", reterr);
    return 0;
}

/* Room for the next step: at most a chunk, and at most one byte beyond the limit. */
static int room(prova_decompressor *d, prova_buf *out, size_t *ret, prova_error *reterr) {
    size_t left = d->o.max_size - d->out_total + 1;
    size_t n = left < CHUNK ? left : CHUNK;
    if (prova_buf_reserve(out, n) < 0) return dfail(d, PROVA_ENOMEM, "out_of_memory", "out of memory", reterr);
    *ret = n;
    return 0;
}

/* Collects the current frame's header from p (the next avail input bytes, at frame offset in_total - frame_in) and,
 * once it is whole, the content size it declares (RFC 8878 §3.1.1.1). Skippable frames declare none. */
static void frame_header(prova_decompressor *d, const uint8_t *p, size_t avail) {
    if (d->fcs != ZSTD_CONTENTSIZE_UNKNOWN || d->nfh == sizeof d->fh) return;
    size_t off = d->in_total - d->frame_in; /* the frame offset of p[0]; never past what was collected */
    if (PROVA_NEVER(off > d->nfh)) return;
    size_t skip = d->nfh - off, k = avail > skip ? avail - skip : 0;
    if (k > sizeof d->fh - d->nfh) k = sizeof d->fh - d->nfh;
    memcpy(d->fh + d->nfh, p + skip, k);
    d->nfh += k;
    if (d->nfh < 5 || d->fh[0] != 0x28) { /* a skippable frame (5x 2A 4D 18), or too short yet */
        if (d->nfh >= 4 && d->fh[0] != 0x28) d->nfh = sizeof d->fh;
        return;
    }
    /* SPEC: RFC 8878 §3.1.1.1.1: Frame_Content_Size_Flag (bits 7-6), Single_Segment_Flag (bit 5),
     * Dictionary_ID_Flag (bits 1-0); "FCS_Field_Size ... 0: 0 or 1 (1 if Single_Segment_Flag is set), 1: 2, 2: 4,
     * 3: 8"; a 2-byte size is "offset by 256". */
    uint8_t fhd = d->fh[4];
    unsigned fcs_flag = fhd >> 6, single = (fhd >> 5) & 1, did = fhd & 3;
    static const size_t did_size[4] = {0, 1, 2, 4}, fcs_size[4] = {0, 2, 4, 8};
    size_t fsize = fcs_flag ? fcs_size[fcs_flag] : single;
    size_t at = (single ? 5u : 6u) + did_size[did], need = at + fsize;
    if (d->nfh < need) return;
    if (!fsize) {
        d->nfh = sizeof d->fh; /* no size declared: nothing to check */
        return;
    }
    unsigned long long v = 0;
    for (size_t i = 0; i < fsize; i++) v |= (unsigned long long)d->fh[at + i] << (8 * i);
    d->fcs = fsize == 2 ? v + 256 : v;
}

static int feed_zstd(prova_decompressor *d, const uint8_t *data, size_t len, prova_buf *out, prova_error *reterr) {
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        bool fresh = false; /* a frame starts at in.pos */
        if (!d->in_unit && in.pos < in.size) {
            /* A frame starts here: after the first one, anything but a frame is trailing data. */
            const uint8_t *p = data + in.pos;
            size_t avail = in.size - in.pos;
            if (d->units && avail < 4) { /* too few to tell: held until the next piece (feed) or the end */
                memcpy(d->pend, p, avail);
                d->npend = avail;
                return 0;
            }
            if (d->units && !is_zstd_magic(p))
                return dfail(d, PROVA_ESYNTAX, "compressed_trailing_data",
                             "bytes after the last zstd frame are not a zstd frame", reterr);
            /* A frame whose header says it is larger than what is left under the limit is refused now. */
            unsigned long long fcs = ZSTD_getFrameContentSize(p, avail);
            if (fcs != ZSTD_CONTENTSIZE_UNKNOWN && fcs != ZSTD_CONTENTSIZE_ERROR &&
                fcs > (unsigned long long)(d->o.max_size - d->out_total))
                return dfail(d, PROVA_ELIMIT, "decompressed_too_large",
                             "a zstd frame header declares more bytes than the limit", reterr);
            d->in_unit = true;
            d->nfh = 0;
            d->frame_in = d->in_total;
            d->frame_out = d->out_total;
            d->fcs = ZSTD_CONTENTSIZE_UNKNOWN;
            fresh = true;
        }
        frame_header(d, data + in.pos, in.size - in.pos);
        size_t n = 0;
        int rr = room(d, out, &n, reterr);
        if (rr < 0) return rr;
        ZSTD_outBuffer ob = {out->data + out->len, n, 0};
        size_t before = in.pos, end = in.size;
        /* A new frame's magic goes alone. libzstd takes a single-pass shortcut when a whole frame (header and all)
         * is in one call's input, and that shortcut judges some malformed frames otherwise than its streaming path
         * (libzstd 1.5.4: a frame it calls corrupt when streamed is accepted, then its next bytes are trailing
         * data). With the header split across two calls the shortcut never applies, so how the input is cut never
         * changes the outcome (fuzz_compress checks it). */
        if (fresh && in.size - in.pos > 4) in.size = in.pos + 4;
        size_t r = ZSTD_decompressStream(d->z, &ob, &in);
        in.size = end;
        d->in_total += in.pos - before;
        out->len += ob.pos;
        d->out_total += ob.pos;
        if (ZSTD_isError(r)) {
            ZSTD_ErrorCode e = ZSTD_getErrorCode(r);
            if (e == ZSTD_error_frameParameter_windowTooLarge)
                return dfail(d, PROVA_ELIMIT, "compressed_window_too_large",
                             "a zstd frame asks for a larger window than the limit allows", reterr);
            if (e == ZSTD_error_memory_allocation)
                return dfail(d, PROVA_ENOMEM, "out_of_memory", "out of memory", reterr);
            if (e == ZSTD_error_checksum_wrong)
                return dfail(d, PROVA_ESYNTAX, "compressed_corrupt", "a zstd frame's checksum does not match", reterr);
            return dfail(d, PROVA_ESYNTAX, "compressed_corrupt", "the zstd data is corrupt", reterr);
        }
        int lr = check_limits(d, reterr);
        if (lr < 0) return lr;
        if (r == 0) {
            if (d->fcs != ZSTD_CONTENTSIZE_UNKNOWN && d->out_total - d->frame_out != d->fcs)
                return dfail(d, PROVA_ESYNTAX, "compressed_corrupt",
                             "a zstd frame's content is not the size its header declares", reterr);
            d->in_unit = false;
            d->units++;
        }
        if (in.pos == in.size && ob.pos < ob.size) return 0;
    }
}

static int feed_gzip(prova_decompressor *d, const uint8_t *data, size_t len, prova_buf *out, prova_error *reterr) {
    size_t pos = 0;
    for (;;) {
        if (!d->in_unit && pos < len) {
            if (d->units && len - pos < 2) { /* held until the next piece (feed) or the end */
                d->pend[0] = data[pos];
                d->npend = 1;
                return 0;
            }
            if (d->units && (data[pos] != 0x1F || data[pos + 1] != 0x8B))
                return dfail(d, PROVA_ESYNTAX, "compressed_trailing_data",
                             "bytes after the last gzip member are not a gzip member", reterr);
            d->in_unit = true;
        }
        size_t piece = len - pos < ZLIB_PIECE ? len - pos : ZLIB_PIECE;
        size_t n = 0;
        int rr = room(d, out, &n, reterr);
        if (rr < 0) return rr;
        d->g.next_in = (Bytef *)(uintptr_t)(data + pos);
        d->g.avail_in = (uInt)piece;
        d->g.next_out = out->data + out->len;
        d->g.avail_out = (uInt)n;
        int r = inflate(&d->g, Z_NO_FLUSH);
        size_t used = piece - d->g.avail_in, made = n - d->g.avail_out;
        pos += used;
        d->in_total += used;
        out->len += made;
        d->out_total += made;
        if (r == Z_MEM_ERROR) return dfail(d, PROVA_ENOMEM, "out_of_memory", "out of memory", reterr);
        if (r == Z_DATA_ERROR || r == Z_NEED_DICT || r == Z_STREAM_ERROR)
            return dfail(d, PROVA_ESYNTAX, "compressed_corrupt",
                         d->g.msg && strstr(d->g.msg, "check") ? "a gzip member's header or checksum is wrong"
                                                               : "the gzip data is corrupt",
                         reterr);
        int lr = check_limits(d, reterr);
        if (lr < 0) return lr;
        if (r == Z_STREAM_END) {
            d->in_unit = false;
            d->units++;
            inflateReset(&d->g);
            if (pos == len) return 0;
            continue;
        }
        if (pos == len && made < n) return 0;
    }
}

static int run(prova_decompressor *d, const uint8_t *data, size_t len, prova_buf *out, prova_error *reterr) {
    if (!len) return 0;
    return d->format == PROVA_COMPRESSION_ZSTD ? feed_zstd(d, data, len, out, reterr)
                                               : feed_gzip(d, data, len, out, reterr);
}

/* Feeds data, first completing the bytes held at a frame or member boundary: the next frame's magic is checked
 * whole however the input is cut, so the pieces never change the outcome (but for the limits). */
static int feed(prova_decompressor *d, const uint8_t *data, size_t len, prova_buf *out, prova_error *reterr) {
    if (d->npend) {
        size_t need = d->format == PROVA_COMPRESSION_ZSTD ? 4 : 2;
        size_t take = need - d->npend < len ? need - d->npend : len;
        memcpy(d->pend + d->npend, data, take);
        d->npend += take;
        data += take;
        len -= take;
        if (d->npend < need) return 0;
        uint8_t p[4];
        memcpy(p, d->pend, need);
        d->npend = 0;
        int r = run(d, p, need, out, reterr);
        if (r < 0) return r;
    }
    return run(d, data, len, out, reterr);
}

/* Decides the format from the first four bytes. */
static int detect(prova_decompressor *d, prova_error *reterr) {
    prova_compression f = prova_compress_detect(d->head, d->nhead);
    if (d->o.format != PROVA_COMPRESSION_NONE && f != (prova_compression)d->o.format)
        return dfail(d, PROVA_ESYNTAX, "compressed_format_mismatch",
                     d->o.format == PROVA_COMPRESSION_GZIP ? "the data is not gzip (no 1F 8B magic)"
                                                           : "the data is not zstd (no 28 B5 2F FD magic)",
                     reterr);
    if (f == PROVA_COMPRESSION_NONE)
        return dfail(d, PROVA_EUNSUPPORTED, "compression_unknown", "the data is neither gzip nor zstd", reterr);
    d->format = f;
    return start(d, reterr);
}

static int update(prova_decompressor *d, const uint8_t *p, size_t len, prova_buf *out, prova_error *reterr) {
    if (d->format == PROVA_COMPRESSION_NONE) {
        size_t take = 4 - d->nhead < len ? 4 - d->nhead : len;
        memcpy(d->head + d->nhead, p, take);
        d->nhead += take;
        p += take;
        len -= take;
        if (d->nhead < 4) return 0;
        int r = detect(d, reterr);
        /* the magic and what follows, up to a whole zstd frame header, in one piece: its size is checked */
        uint8_t first[18];
        size_t more = len < sizeof first - 4 ? len : sizeof first - 4;
        memcpy(first, d->head, 4);
        if (more) memcpy(first + 4, p, more);
        if (r == 0) r = feed(d, first, 4 + more, out, reterr);
        if (r < 0) return r;
        p += more;
        len -= more;
    }
    return feed(d, p, len, out, reterr);
}

int prova_decompress_update(prova_decompressor *d, const void *data, size_t len, prova_buf *out, prova_error *reterr) {
    if (!d || !out || (!data && len)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (d->err_status) return dfail(d, 0, NULL, NULL, reterr);
    size_t before = out->len;
    int r = update(d, data, len, out, reterr);
    if (r < 0) out->len = before;
    return r;
}

/* Whether the n (< 4) bytes at h begin the magic of format f. */
static bool magic_prefix(const uint8_t *h, size_t n, prova_compression f) {
    static const uint8_t gz[2] = {0x1F, 0x8B}, zs[4] = {0x28, 0xB5, 0x2F, 0xFD};
    if (f == PROVA_COMPRESSION_GZIP) return memcmp(h, gz, n < 2 ? n : 2) == 0;
    if (memcmp(h, zs, n) == 0) return true;
    /* a skippable frame's magic: 5x 2A 4D 18 */
    return (h[0] & 0xF0) == 0x50 && (n < 2 || h[1] == 0x2A) && (n < 3 || h[2] == 0x4D);
}

int prova_decompress_finish(prova_decompressor *d, prova_error *reterr) {
    if (!d) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (d->err_status) return dfail(d, 0, NULL, NULL, reterr);
    if (d->format == PROVA_COMPRESSION_NONE) {
        if (d->nhead == 0)
            return dfail(d, PROVA_ESYNTAX, "compressed_truncated", "the compressed data is empty", reterr);
        prova_compression want = (prova_compression)d->o.format;
        bool pre = want != PROVA_COMPRESSION_NONE ? magic_prefix(d->head, d->nhead, want)
                                                  : magic_prefix(d->head, d->nhead, PROVA_COMPRESSION_GZIP) ||
                                                        magic_prefix(d->head, d->nhead, PROVA_COMPRESSION_ZSTD);
        if (pre)
            return dfail(d, PROVA_ESYNTAX, "compressed_truncated", "the compressed data ends in its magic", reterr);
        d->nhead = 4; /* detect() on the bytes there are: not a magic of the format asked for */
        memset(d->head + 1, 0, 3);
        return detect(d, reterr);
    }
    if (d->npend)
        return dfail(d, PROVA_ESYNTAX, "compressed_trailing_data",
                     d->format == PROVA_COMPRESSION_ZSTD ? "bytes after the last zstd frame are not a zstd frame"
                                                         : "bytes after the last gzip member are not a gzip member",
                     reterr);
    if (d->in_unit || d->units == 0)
        return dfail(d, PROVA_ESYNTAX, "compressed_truncated",
                     d->format == PROVA_COMPRESSION_ZSTD ? "the zstd data ends inside a frame"
                                                         : "the gzip data ends inside a member",
                     reterr);
    return 0;
}

int prova_decompress_write(const void *data, size_t len, const prova_decompress_options *o, prova_buf *out,
                           prova_error *reterr) {
    if (!out || (!data && len)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_decompressor *d;
    int r = prova_decompress_new(o, &d, reterr);
    if (r < 0) return r;
    size_t before = out->len;
    r = prova_decompress_update(d, data, len, out, reterr);
    if (r == 0) r = prova_decompress_finish(d, reterr);
    if (r < 0) out->len = before;
    prova_decompress_free(d);
    return r;
}
