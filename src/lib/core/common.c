/* Status strings, the default allocator and the growable buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "prova/common.h"

static const struct {
    int status;
    const char *name;
    const char *message;
} status_table[] = {
    {PROVA_OK, "ok", "success"},
    {PROVA_ENOMEM, "out_of_memory", "out of memory"},
    {PROVA_EINVAL, "invalid_argument", "invalid argument"},
    {PROVA_ESYNTAX, "syntax", "malformed input"},
    {PROVA_ELIMIT, "limit", "input exceeds a configured limit"},
    {PROVA_EUNSUPPORTED, "unsupported", "unsupported algorithm, profile or key type"},
    {PROVA_EVERIFY, "verify_failed", "verification failed"},
    {PROVA_EKEY, "bad_key", "unusable key"},
    {PROVA_EIO, "io", "input/output error"},
    {PROVA_ECRYPTO, "crypto", "cryptographic backend failure"},
    {PROVA_ERANGE, "range", "value out of range"},
    {PROVA_ENOSPACE, "no_space", "output buffer too small"},
    {PROVA_ENOTFOUND, "not_found", "no such record"},
    {PROVA_ECONFLICT, "conflict", "conflicts with the stored state"},
};

#define STATUS_COUNT (sizeof status_table / sizeof status_table[0])

const char *prova_status_message(int status) {
    for (size_t i = 0; i < STATUS_COUNT; i++)
        if (status_table[i].status == status) return status_table[i].message;
    return "unknown error";
}

const char *prova_status_name(int status) {
    for (size_t i = 0; i < STATUS_COUNT; i++)
        if (status_table[i].status == status) return status_table[i].name;
    return "unknown";
}

void prova_error_clear(prova_error *err) {
    if (!err) return;
    /* Field by field: the pointer buffer is only ever read up to its NUL, and this runs on every call. */
    err->status = 0;
    err->offset = err->line = err->column = 0;
    err->pointer[0] = '\0';
    err->reason = "ok";
    err->message = "success";
}

int prova__fail(prova_error *err, int status, const char *reason, const char *message) {
    if (err) {
        prova_error_clear(err);
        err->status = status;
        err->reason = reason;
        err->message = message;
    }
    return status;
}

static void *default_malloc(void *ctx, size_t size) {
    (void)ctx;
    return malloc(size ? size : 1);
}

static void *default_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size) {
    (void)ctx;
    (void)old_size;
    return realloc(ptr, new_size ? new_size : 1);
}

static void default_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    (void)size;
    free(ptr);
}

static const prova_allocator default_allocator = {default_malloc, default_realloc, default_free, NULL};

const prova_allocator *prova_allocator_default(void) {
    return &default_allocator;
}

void prova_buf_free(prova_buf *buf) {
    if (!buf) return;
    const prova_allocator *a = buf->alloc ? buf->alloc : &default_allocator;
    if (buf->data) a->free(a->ctx, buf->data, buf->cap);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

int prova_buf_reserve(prova_buf *buf, size_t extra) {
    if (!buf) return PROVA_EINVAL;
    if (buf->cap - buf->len >= extra) return 0;
    if (extra > SIZE_MAX - buf->len) return PROVA_ENOMEM;
    size_t need = buf->len + extra;
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    const prova_allocator *a = buf->alloc ? buf->alloc : &default_allocator;
    uint8_t *p = a->realloc(a->ctx, buf->data, buf->cap, cap);
    if (!p) return PROVA_ENOMEM;
    buf->data = p;
    buf->cap = cap;
    return 0;
}

int prova_buf_append(prova_buf *buf, const void *data, size_t n) {
    int r = prova_buf_reserve(buf, n);
    if (r < 0) return r;
    if (n) memcpy(buf->data + buf->len, data, n);
    buf->len += n;
    return 0;
}

int prova__grow_slow(const prova_allocator *a, void **p, size_t *cap, size_t need, size_t elem) {
    size_t n = *cap ? *cap : 32;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem) return PROVA_ENOMEM;
        n *= 2;
    }
    void *q = a->realloc(a->ctx, *p, *cap * elem, n * elem);
    if (!q) return PROVA_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

int prova_buf_printf(prova_buf *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return PROVA_EINVAL;
    int rc = prova_buf_reserve(out, (size_t)n + 1); /* vsnprintf writes the NUL too */
    if (rc < 0) return rc;
    va_start(ap, fmt);
    vsnprintf((char *)out->data + out->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out->len += (size_t)n;
    return 0;
}
