/* The one UTF-8 validator (RFC 3629: no overlongs, no UTF-16 surrogates, nothing above U+10FFFF). Internal. */
#ifndef PROVA_CORE_UTF8_H
#define PROVA_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..n) is well-formed UTF-8. */
bool prova_utf8_valid(const void *s, size_t n);

/* Makes s[0..n) well-formed UTF-8 in place: every byte that does not start a well-formed sequence becomes repl
 * (an ASCII byte), so the length never changes. For text that quotes input cut to a width. */
void prova_utf8_scrub(char *s, size_t n, char repl);

/* Length of the well-formed UTF-8 sequence that starts at s (s[0] >= 0x80), or 0 when it is not one (overlong,
 * surrogate, > U+10FFFF, truncated, bad continuation); at most avail bytes are read. RFC 3629 §4's table. Inline:
 * the parser's string scan calls it for every non-ASCII byte. */
static inline size_t prova_utf8_seq(const uint8_t *s, size_t avail) {
    uint8_t c = s[0];
    if (c >= 0xC2 && c <= 0xDF) return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F; /* no UTF-16 surrogates */
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

#endif
