/* The JSON Lines splitter (prova/jsonl.h). */
#include <string.h>

#include "internal.h"
#include "prova/jsonl.h"

static bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

void prova_jsonl_init(prova_jsonl *it, const void *data, size_t len, size_t max_line) {
    if (!it) return;
    *it = (prova_jsonl){.data = data ? data : "", .len = data ? len : 0, .max_line = max_line};
}

int prova_jsonl_next(prova_jsonl *it, prova_jsonl_line *ret, prova_error *reterr) {
    if (!it || !ret) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    const char *s = it->data;
    while (it->pos < it->len) {
        const char *nl = memchr(s + it->pos, '\n', it->len - it->pos);
        size_t start = it->pos, end = nl ? (size_t)(nl - s) : it->len, a = start, b = end;
        it->pos = end + 1;
        it->line++;
        if (it->max_line && end - start > it->max_line) {
            prova__fail(reterr, PROVA_ELIMIT, "jsonl_line_limit", "a line is longer than the configured limit");
            if (reterr) {
                reterr->offset = start;
                reterr->line = it->line;
                reterr->column = 1;
            }
            return PROVA_ELIMIT;
        }
        while (a < b && blank(s[a])) a++;
        while (b > a && blank(s[b - 1])) b--;
        if (a == b) continue;
        *ret =
            (prova_jsonl_line){.text = s + a, .len = b - a, .offset = a, .number = it->line, .column = a - start + 1};
        return 1;
    }
    return 0;
}
