/* Differential-test driver for src/lib/json/dtoa.c (used by tests/diff/doubles_diff.py).
 *
 *   dtoa_driver            reads one double per line as 16 hex digits (its IEEE-754 bit pattern) and prints
 *                          "<python repr>\t<ecmascript string>" per line.
 *   dtoa_driver --strtod   reads one JSON number token per line and prints the 16 hex digits of
 *                          prova__strtod's result, then "\t" and its return code.
 *
 * Build: cc -std=c11 -O2 -I src/lib/json tests/diff/dtoa_driver.c src/lib/json/dtoa.c -o dtoa_driver
 */
#include "dtoa.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int run_format(void) {
    char line[256];
    unsigned long lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        uint64_t bits = 0;
        int nd = 0;
        for (const char *p = line; *p && *p != '\n' && *p != '\r'; p++) {
            const int h = hexval((unsigned char)*p);
            if (h < 0 || nd == 16) {
                fprintf(stderr, "dtoa_driver: bad input on line %lu\n", lineno);
                return 2;
            }
            bits = (bits << 4) | (uint64_t)h;
            nd++;
        }
        if (nd != 16) {
            fprintf(stderr, "dtoa_driver: bad input on line %lu\n", lineno);
            return 2;
        }
        double v;
        memcpy(&v, &bits, sizeof v);
        char py[32], js[32];
        const size_t npy = prova__format_double_py(v, py);
        const size_t njs = prova__format_double_js(v, js);
        fwrite(py, 1, npy, stdout);
        fputc('\t', stdout);
        fwrite(js, 1, njs, stdout);
        fputc('\n', stdout);
    }
    return 0;
}

static int run_strtod(void) {
    size_t cap = 1 << 16;
    char *line = malloc(cap);
    if (!line) return 2;
    for (;;) {
        /* read one line of any length */
        size_t n = 0;
        int c;
        while ((c = getchar()) != EOF && c != '\n') {
            if (n + 1 >= cap) {
                char *bigger = realloc(line, cap * 2);
                if (!bigger) {
                    free(line);
                    return 2;
                }
                line = bigger;
                cap *= 2;
            }
            line[n++] = (char)c;
        }
        if (c == EOF && n == 0) break;
        if (n > 0 && line[n - 1] == '\r') n--;
        /* exactly n bytes, deliberately followed by digits that are not part of the token */
        line[n] = '7';
        double v;
        const int rc = prova__strtod(line, n, &v);
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        printf("%016" PRIx64 "\t%d\n", bits, rc);
    }
    free(line);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--strtod") == 0) {
        return run_strtod();
    }
    return run_format();
}
