/* UTF-8 validation: ASCII eight bytes at a time, the rest by prova_utf8_seq. */
#include <string.h>

#include "utf8.h"

bool prova_utf8_valid(const void *str, size_t n) {
    const uint8_t *s = str;
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (!(x & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = prova_utf8_seq(s + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

void prova_utf8_scrub(char *s, size_t n, char repl) {
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time (report messages and pointers mostly are) */
        uint64_t w;
        while (i + 8 <= n && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ULL) == 0)) i += 8;
        if (i >= n) break;
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = prova_utf8_seq((const uint8_t *)s + i, n - i);
        if (k) {
            i += k;
        } else {
            s[i++] = repl;
        }
    }
}
