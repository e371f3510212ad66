/* Questions the unit tests ask of a verification report: is there a failed check with this reason code, a check of
 * this name, a warning with this code; and a dump of the report for a failing test. */
#ifndef PROVA_TEST_REPORT_QUERY_H
#define PROVA_TEST_REPORT_QUERY_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "prova/report.h"

static inline bool has_failure(const prova_report *r, const char *code) {
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (!c->ok && strcmp(c->code, code) == 0) return true;
    }
    return false;
}

static inline bool has_check(const prova_report *r, const char *name) {
    for (size_t i = 0; i < prova_report_check_count(r); i++)
        if (strcmp(prova_report_check_at(r, i)->check, name) == 0) return true;
    return false;
}

static inline bool has_warning(const prova_report *r, const char *code) {
    for (size_t i = 0; i < prova_report_warning_count(r); i++)
        if (strcmp(prova_report_warning_at(r, i)->code, code) == 0) return true;
    return false;
}

static inline void dump(const prova_report *r) {
    prova_buf b = PROVA_BUF_INIT;
    if (prova_report_to_text(r, &b) == 0) fprintf(stderr, "%.*s\n", (int)b.len, (const char *)b.data);
    prova_buf_free(&b);
}

#endif
