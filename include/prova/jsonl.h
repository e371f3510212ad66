/* prova/jsonl.h — JSON Lines: one splitter for every reader of one-value-per-line input (receipt chains,
 * OpenExecution events, the CLI's chain files).
 *
 * Lines end at '\n'; a '\r' before it (CRLF) and any ' ' or '\t' at either end are not part of the line; a line
 * that is empty once trimmed is skipped (but counted, so line numbers are those of an editor). The splitter does
 * not parse: each line's text goes to prova_json_parse or any other reader.
 *
 * Example:
 *     prova_jsonl it;
 *     prova_jsonl_line l;
 *     int rc;
 *     prova_jsonl_init(&it, data, len, PROVA_DEFAULT_MAX_SIZE);
 *     while ((rc = prova_jsonl_next(&it, &l, &err)) > 0)
 *         if (prova_json_parse(l.text, l.len, NULL, &doc, &err) < 0) printf("line %zu: %s\n", l.number, err.message);
 *     if (rc < 0) ... // a line over the limit: err names it
 */
#ifndef PROVA_JSONL_H
#define PROVA_JSONL_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One line that is not blank. */
typedef struct prova_jsonl_line {
    const char *text; /* the line without the blanks at its ends (not NUL-terminated; points into the input) */
    size_t len;
    size_t offset; /* byte offset of text in the input */
    size_t number; /* 1-based line number */
    size_t column; /* 1-based column of text in its line (1 + the blanks trimmed in front) */
} prova_jsonl_line;
/* sizeof(prova_jsonl_line) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_jsonl_line_sizeof(void);

/* The iterator: fill it with prova_jsonl_init. A reader that starts in the middle of an input may then set pos
 * (the offset of a line start) and line (the number of lines before it). */
typedef struct prova_jsonl {
    const char *data;
    size_t len;
    size_t pos;      /* where the next line starts */
    size_t line;     /* lines consumed so far */
    size_t max_line; /* longest line accepted, in bytes without its '\n' (0: no limit) */
} prova_jsonl;
/* sizeof(prova_jsonl) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_jsonl_sizeof(void);

PROVA_EXPORT void prova_jsonl_init(prova_jsonl *it, const void *data, size_t len, size_t max_line);

/* The next line that is not blank: 1 with *ret filled, 0 at the end of the input, PROVA_ELIMIT when the line is
 * longer than max_line (reterr: reason "jsonl_line_limit", offset of the line, its number, column 1; the iterator
 * has moved past it), PROVA_EINVAL for a NULL argument. */
PROVA_EXPORT PROVA_NODISCARD int prova_jsonl_next(prova_jsonl *it, prova_jsonl_line *ret, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_JSONL_H */
