/* Shared by the fuzz targets: an assertion that survives NDEBUG and makes libFuzzer record the input. */
#ifndef PROVA_FUZZ_H
#define PROVA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ASSERT(c)                                                                                                      \
    do {                                                                                                               \
        if (!(c)) abort();                                                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
