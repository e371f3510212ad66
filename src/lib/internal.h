/* Internal helpers shared by the library's modules. Not installed. */
#ifndef PROVA_INTERNAL_H
#define PROVA_INTERNAL_H

#include "prova/common.h"

/* Grows the array *p (capacity *cap elements of elem bytes) to hold at least need elements, doubling from 32.
 * 0 or PROVA_ENOMEM (the array is then unchanged). */
int prova__grow(const prova_allocator *a, void **p, size_t *cap, size_t need, size_t elem);

#endif
