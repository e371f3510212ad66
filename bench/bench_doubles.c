/* bench_doubles: how many doubles per second prova_canon_format_double() formats, in both styles.
 *
 *     bench_doubles [--n COUNT] [--runs R] [--dump DIR]
 *
 * Two sets of COUNT doubles (default 10,000,000), generated deterministically with splitmix64:
 *   random  random 64-bit patterns that are finite (every exponent, subnormals included; 16-17 digit output)
 *   short   "short" values k / 10^d with k < 10^7 and d in 1..3, either sign (what round(x, 3) gives: 1234.567)
 * Each set is formatted in the Python repr() style (PROVA_PROFILE_OPE) and the ECMAScript String(x) style
 * (PROVA_PROFILE_JCS); the best of R runs (default 3) of the formatting loop is reported, one line per case:
 *     doubles set=random style=py n=10000000 best_s=0.512345 mdps=19.52 chars=231234567
 * chars is the total length of all the outputs (run.sh checks it against Python's and Node's).
 * --dump DIR also writes the sets as raw little-endian doubles to DIR/doubles_random.f64 and DIR/doubles_short.f64,
 * so the Python and Node peers format exactly the same values. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prova/json.h"

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void gen_random(double *xs, size_t n) {
    uint64_t st = 0x70726f7661u; /* "prova" */
    for (size_t i = 0; i < n;) {
        uint64_t u = splitmix64(&st);
        if (((u >> 52) & 0x7ffu) == 0x7ffu) continue; /* NaN or infinity */
        xs[i++] = from_bits(u);
    }
}

static void gen_short(double *xs, size_t n) {
    static const double pow10[] = {1.0, 10.0, 100.0, 1000.0};
    uint64_t st = 0x73686f7274u; /* "short" */
    for (size_t i = 0; i < n; i++) {
        uint64_t u = splitmix64(&st);
        double k = (double)(u % 10000000u);
        double x = k / pow10[1 + (u >> 32) % 3u]; /* correctly rounded: its shortest form is k / 10^d */
        xs[i] = (u >> 63) ? -x : x;
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile size_t sink;

/* Formats every double once; returns the total length of the outputs. */
static size_t format_all(const double *xs, size_t n, prova_profile p) {
    char buf[32];
    size_t total = 0;
    unsigned acc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = prova_canon_format_double(xs[i], p, buf);
        total += len;
        acc += (unsigned char)buf[len - 1];
    }
    sink = acc;
    return total;
}

static int dump(const char *dir, const char *name, const double *xs, size_t n) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return -1;
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "bench_doubles: %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* The peers read little-endian doubles; every platform this runs on is little-endian. */
    size_t w = fwrite(xs, sizeof *xs, n, f);
    if (fclose(f) != 0 || w != n) {
        fprintf(stderr, "bench_doubles: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    size_t n = 10000000;
    int runs = 3;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
            n = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_doubles [--n COUNT] [--runs R] [--dump DIR]\n");
            return 2;
        }
    }
    if (n == 0 || runs < 1) {
        fprintf(stderr, "bench_doubles: --n and --runs must be positive\n");
        return 2;
    }
    double *sets[2];
    const char *names[2] = {"random", "short"};
    for (int s = 0; s < 2; s++) {
        sets[s] = malloc(n * sizeof(double));
        if (!sets[s]) {
            fprintf(stderr, "bench_doubles: out of memory\n");
            return 3;
        }
    }
    gen_random(sets[0], n);
    gen_short(sets[1], n);
    if (dir && (dump(dir, "doubles_random.f64", sets[0], n) < 0 || dump(dir, "doubles_short.f64", sets[1], n) < 0))
        return 3;

    const prova_profile styles[2] = {PROVA_PROFILE_OPE, PROVA_PROFILE_JCS};
    const char *style_names[2] = {"py", "js"};
    for (int s = 0; s < 2; s++) {
        for (int k = 0; k < 2; k++) {
            double best = 0;
            size_t chars = 0;
            for (int r = 0; r < runs; r++) {
                double t0 = now_s();
                chars = format_all(sets[s], n, styles[k]);
                double dt = now_s() - t0;
                if (r == 0 || dt < best) best = dt;
            }
            printf("doubles set=%s style=%s n=%zu best_s=%.6f mdps=%.2f chars=%zu\n", names[s], style_names[k], n, best,
                   (double)n / best / 1e6, chars);
            fflush(stdout);
        }
    }
    free(sets[0]);
    free(sets[1]);
    return 0;
}
