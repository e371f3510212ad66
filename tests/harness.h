/* A tiny test harness: CHECK records a pass or a failure with file:line; main ends with TEST_SUMMARY(), which
 * prints "N passed, M failed" and returns non-zero on any failure. */
#ifndef PROVA_TEST_HARNESS_H
#define PROVA_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            test_passed++;                                                                                             \
        } else {                                                                                                       \
            test_failed++;                                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                            \
        }                                                                                                              \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                                           \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            test_passed++;                                                                                             \
        } else {                                                                                                       \
            test_failed++;                                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                            \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

#define CHECK_STR(got, want) CHECK_MSG(strcmp((got), (want)) == 0, "got '%s', want '%s'", (got), (want))

#define TEST_SUMMARY()                                                                                                 \
    do {                                                                                                               \
        printf("%d passed, %d failed\n", test_passed, test_failed);                                                    \
        return test_failed ? 1 : 0;                                                                                    \
    } while (0)

#endif
