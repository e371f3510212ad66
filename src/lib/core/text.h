/* Text into buffers, for every layer of prova (not part of the public ABI). */
#ifndef PROVA_CORE_TEXT_H
#define PROVA_CORE_TEXT_H

#include "prova/common.h"

/* Appends printf-style text of any length to out (no fixed-size buffer, nothing cut). 0, PROVA_EINVAL (a bad
 * format) or PROVA_ENOMEM; out is unchanged on failure. */
int prova_buf_printf(prova_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
