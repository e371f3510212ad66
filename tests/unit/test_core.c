/* src/lib/core: the JSON writer, the UTF-8 validator, prova_buf_printf. Every document the writer produces is also
 * parsed back by prova's strict parser (and, in tests/diff, nothing else needs to: the parser is cross-checked
 * against JSONTestSuite and Python there). */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"
#include "jsonw.h"
#include "prova/json.h"
#include "prova/jsonl.h"
#include "prova/report.h"
#include "prova/time.h"
#include "utf8.h"

static char *text(prova_buf *b) {
    static char s[4096];
    size_t n = b->len < sizeof s - 1 ? b->len : sizeof s - 1;
    memcpy(s, b->data ? (const char *)b->data : "", n);
    s[n] = '\0';
    return s;
}

static bool parses(const prova_buf *b) {
    prova_doc *d = NULL;
    int rc = prova_json_parse(b->data, b->len, NULL, &d, NULL);
    prova_doc_free(d);
    return rc == 0;
}

static void test_writer(void) {
    prova_buf b = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &b);
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "a", "x\"y\\z\n\t\x01\x1f");
    prova_jw_key(&w, "list");
    prova_jw_arr(&w);
    prova_jw_i64(&w, -9223372036854775807LL - 1);
    prova_jw_u64(&w, 18446744073709551615ULL);
    prova_jw_bool(&w, true);
    prova_jw_null(&w);
    prova_jw_obj(&w);
    prova_jw_end(&w);
    prova_jw_arr(&w);
    prova_jw_end(&w);
    prova_jw_raw(&w, "{\"k\":1}", 7);
    prova_jw_end(&w);
    prova_jw_kstr(&w, "utf8", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    prova_jw_kstr_or_null(&w, "none", NULL);
    prova_jw_end(&w);
    CHECK(prova_jw_finish(&w) == 0);
    CHECK_STR(text(&b),
              "{\"a\":\"x\\\"y\\\\z\\n\\t\\u0001\\u001f\",\"list\":[-9223372036854775808,"
              "18446744073709551615,true,null,{},[],{\"k\":1}],\"utf8\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
              "\"none\":null}");
    CHECK(parses(&b));

    /* A failure anywhere leaves the buffer as it was before the writer started. */
    b.len = 0;
    prova_buf_append(&b, "keep", 4) == 0 ? (void)0 : abort();
    prova_jw_init(&w, &b);
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "ok", "fine");
    prova_jw_kstr(&w, "bad", "\xc3\x28"); /* invalid continuation */
    prova_jw_kstr(&w, "after", "ignored");
    prova_jw_end(&w);
    CHECK(prova_jw_finish(&w) == PROVA_EINVAL);
    CHECK(b.len == 4 && memcmp(b.data, "keep", 4) == 0);

    /* Unbalanced nesting is an error, not a truncated document. */
    b.len = 0;
    prova_jw_init(&w, &b);
    prova_jw_obj(&w);
    CHECK(prova_jw_finish(&w) == PROVA_EINVAL);
    CHECK(b.len == 0);

    /* Overlong, surrogate and out-of-range sequences are refused; lossy writing replaces each bad byte. */
    static const char *const bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        b.len = 0;
        CHECK(prova_json_put_string(&b, bad[i], strlen(bad[i])) == PROVA_EINVAL && b.len == 0);
        prova_jw_init(&w, &b);
        prova_jw_str_lossy(&w, bad[i], strlen(bad[i]));
        CHECK(prova_jw_finish(&w) == 0 && parses(&b));
    }
    b.len = 0;
    prova_jw_init(&w, &b);
    prova_jw_str_lossy(&w,
                       "a\xff"
                       "b",
                       3);
    CHECK(prova_jw_finish(&w) == 0);
    CHECK_STR(text(&b), "\"a\xef\xbf\xbd"
                        "b\"");

    /* A formatted string longer than any stack buffer is written whole. */
    char *big = malloc(10001);
    memset(big, 'q', 10000);
    big[10000] = '\0';
    b.len = 0;
    prova_jw_init(&w, &b);
    prova_jw_strf(&w, "<%s>", big);
    CHECK(prova_jw_finish(&w) == 0 && b.len == 10004 && b.data[1] == '<' && b.data[10002] == '>');
    free(big);

    /* Nesting deeper than the writer's limit fails instead of writing a broken document. */
    b.len = 0;
    prova_jw_init(&w, &b);
    for (int i = 0; i < PROVA_JW_MAX_DEPTH + 1; i++) prova_jw_arr(&w);
    for (int i = 0; i < PROVA_JW_MAX_DEPTH + 1; i++) prova_jw_end(&w);
    CHECK(prova_jw_finish(&w) == PROVA_EINVAL && b.len == 0);
    prova_buf_free(&b);
}

static void test_utf8(void) {
    CHECK(prova_utf8_valid("", 0));
    CHECK(prova_utf8_valid("plain ascii text, longer than eight bytes", 41));
    CHECK(prova_utf8_valid("\xf0\x9f\x98\x80 after a four-byte sequence", 30));
    CHECK(!prova_utf8_valid("eight ok\x80", 9));
    CHECK(!prova_utf8_valid("\xed\xbf\xbf", 3));    /* a surrogate */
    CHECK(!prova_utf8_valid("\xe0\x80\x80", 3));    /* overlong */
    CHECK(!prova_utf8_valid("abc\xf0\x9f\x98", 6)); /* truncated at the end */
    /* Every single byte: exactly the ASCII ones are valid alone. */
    for (unsigned c = 0; c < 256; c++) {
        char s[1] = {(char)c};
        CHECK(prova_utf8_valid(s, 1) == (c < 0x80));
    }
}

static void test_utf8_scrub(void) {
    char s[] = "ok \xc3\xa9 \xc3 \xe2\x82 \xed\xa0\x80 \xf0\x9f\x98\x80";
    prova_utf8_scrub(s, strlen(s), '?');
    CHECK_STR(s, "ok \xc3\xa9 ? ?? ??? \xf0\x9f\x98\x80");
    CHECK(prova_utf8_valid(s, strlen(s)));
}

static const char *report_json(const prova_report *r) {
    static prova_buf b;
    b.len = 0;
    if (prova_report_to_json(r, &b) < 0 || prova_buf_append(&b, "", 1) < 0) return "(failed)";
    return (const char *)b.data;
}

static void test_report_outcome(void) {
    prova_report *r = prova_report_new("ope_envelope");
    CHECK(prova_report_outcome(r) == PROVA_OUTCOME_INVALID); /* no check: never valid */
    CHECK(prova__report_check(r, "cid", true, NULL, "/cid", "fine") == 0);
    CHECK(prova_report_outcome(r) == PROVA_OUTCOME_VALID);
    CHECK_STR(report_json(r), "{\"checks\":[{\"at\":\"/cid\",\"check\":\"cid\",\"code\":\"ok\",\"message\":\"fine\","
                              "\"ok\":true}],\"kind\":\"ope_envelope\",\"outcome\":\"valid\",\"valid\":true,"
                              "\"warnings\":[]}");
    CHECK(prova__report_check(r, "signature", false, "bad_signature", "/sig", "quoted \"%.1s\"", "\xc3\xa9") == 0);
    CHECK(prova_report_outcome(r) == PROVA_OUTCOME_INVALID);
    CHECK_STR(prova_report_first_failure(r)->message, "quoted \"?\""); /* a cut sequence is scrubbed */
    CHECK(strstr(report_json(r), "\"outcome\":\"invalid\",\"valid\":false") != NULL);
    /* unknown_kind: the answer when no other check failed first (prova__report_append) */
    prova_report *k = prova_report_new("unknown");
    prova_report_set_outcome(k, PROVA_OUTCOME_UNKNOWN_KIND);
    CHECK(prova__report_check(k, "kind", false, "schema_error", "", "not a document prova knows") == 0);
    CHECK(prova_report_outcome(k) == PROVA_OUTCOME_UNKNOWN_KIND && !prova_report_valid(k));
    CHECK(prova__report_append(r, k) == 0 && prova_report_outcome(r) == PROVA_OUTCOME_INVALID);
    prova_report *w = prova_report_new("cloudevent");
    k = prova_report_free(k);
    k = prova_report_new("unknown");
    prova_report_set_outcome(k, PROVA_OUTCOME_UNKNOWN_KIND);
    CHECK(prova__report_check(k, "kind", false, "schema_error", "", "no") == 0);
    CHECK(prova__report_check(w, "cloudevent", true, NULL, "", "a CloudEvent") == 0);
    CHECK(prova__report_append(w, k) == 0 && prova_report_outcome(w) == PROVA_OUTCOME_UNKNOWN_KIND);
    /* bad input stays, also when later checks pass; an inner document's bad input is not carried over */
    prova_report *b = prova_report_new("unknown");
    prova_report_set_outcome(b, PROVA_OUTCOME_BAD_INPUT);
    CHECK(prova__report_check(b, "parse", true, NULL, "", "later") == 0);
    prova_report_set_outcome(b, PROVA_OUTCOME_UNKNOWN_KIND);
    CHECK(prova_report_outcome(b) == PROVA_OUTCOME_BAD_INPUT && !prova_report_valid(b));
    CHECK(strstr(report_json(b), "\"outcome\":\"bad_input\"") != NULL);
    prova_report *c = prova_report_new("cloudevent");
    CHECK(prova__report_check(c, "cloudevent", true, NULL, "", "fine") == 0);
    CHECK(prova__report_check(b, "parse", false, "json_syntax", "", "not JSON") == 0);
    CHECK(prova__report_append(c, b) == 0 && prova_report_outcome(c) == PROVA_OUTCOME_INVALID);
    CHECK(prova_report_outcome(NULL) == PROVA_OUTCOME_BAD_INPUT);
    CHECK(prova_report_set_outcome(c, (prova_outcome)7) == PROVA_EINVAL);
    CHECK_STR(prova_outcome_name(PROVA_OUTCOME_UNKNOWN_KIND), "unknown_kind");
    CHECK(prova_outcome_name((prova_outcome)4) == NULL);
    prova_report_free(r);
    prova_report_free(k);
    prova_report_free(w);
    prova_report_free(b);
    prova_report_free(c);
}

/* The exported, non-variadic way to add checks and warnings (what a binding calls): the message is taken as it is
 * (a '%' is not a format), long messages are whole, bytes that are not UTF-8 are scrubbed as for the library's own. */
static void test_report_add(void) {
    prova_report *r = prova_report_new("custom");
    CHECK(prova_report_add_check(r, "digest", true, NULL, "/digest", "100% of the bytes") == 0);
    CHECK(prova_report_valid(r));
    CHECK_STR(prova_report_check_at(r, 0)->message, "100% of the bytes");
    CHECK_STR(prova_report_check_at(r, 0)->code, "ok");
    CHECK(prova_report_add_warning(r, "unusual", NULL, "a warning at the root %s") == 0);
    CHECK(prova_report_warning_count(r) == 1 && prova_report_valid(r));
    CHECK_STR(prova_report_warning_at(r, 0)->code, "unusual");
    CHECK_STR(prova_report_warning_at(r, 0)->at, "");
    CHECK_STR(prova_report_warning_at(r, 0)->message, "a warning at the root %s");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[10] = '\xc3'; /* a cut UTF-8 sequence */
    CHECK(prova_report_add_check(r, "signature", false, "bad_signature", "/sig", big) == 0);
    const prova_check *f = prova_report_first_failure(r);
    CHECK(f && strlen(f->message) == sizeof big - 1 && f->message[10] == '?' && !prova_report_valid(r));
    CHECK(prova_report_outcome(r) == PROVA_OUTCOME_INVALID);
    /* the same as the library's own printf-style path */
    prova_report *q = prova_report_new("custom");
    CHECK(prova__report_check(q, "digest", true, NULL, "/digest", "%d%% of the bytes", 100) == 0);
    CHECK(prova__report_warn(q, "unusual", NULL, "%s", "a warning at the root %s") == 0);
    CHECK(prova__report_check(q, "signature", false, "bad_signature", "/sig", "%s", big) == 0);
    prova_buf a = PROVA_BUF_INIT, b = PROVA_BUF_INIT;
    CHECK(prova_report_to_json(r, &a) == 0 && prova_report_to_json(q, &b) == 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    prova_buf_free(&a);
    prova_buf_free(&b);
    /* arguments */
    CHECK(prova_report_add_check(NULL, "x", true, NULL, "", "m") == PROVA_EINVAL);
    CHECK(prova_report_add_check(r, NULL, true, NULL, "", "m") == PROVA_EINVAL);
    CHECK(prova_report_add_check(r, "x", false, NULL, "", "m") == PROVA_EINVAL);
    CHECK(prova_report_add_check(r, "x", true, NULL, "", NULL) == PROVA_EINVAL);
    CHECK(prova_report_add_warning(r, NULL, "", "m") == PROVA_EINVAL);
    CHECK(prova_report_add_warning(r, "c", "", NULL) == PROVA_EINVAL);
    CHECK(prova_report_check_count(r) == 2 && prova_report_warning_count(r) == 1);
    prova_report_free(r);
    prova_report_free(q);
}

static void test_time(void) {
    int64_t us = 0;
    char ts[40], oe[PROVA_OE_TIME_LEN + 1];
    CHECK(prova_time_parse("2025-08-22T06:18:05.5+02:00", 27, &us) == 0);
    CHECK(prova_time_format(us, ts) == 32);
    CHECK_STR(ts, "2025-08-22T04:18:05.500000+00:00");
    CHECK(prova_oe_time_format(us, oe) == PROVA_OE_TIME_LEN);
    CHECK_STR(oe, "2025-08-22T04:18:05.500Z");
    CHECK(prova_oe_timestamp("2025-08-22 06:18:05.5999+02", 27, oe) == 0);
    CHECK_STR(oe, "2025-08-22T04:18:05.599Z");
    CHECK(prova_time_parse("2025-08-22T04:18:05", 19, &us) == PROVA_ESYNTAX); /* no offset */
    /* prova_time_valid is RFC 3339 §5.6 as written: no ' ', no "+HH", but a leap second */
    CHECK(prova_time_valid("2024-02-29t23:59:60z", 20));
    CHECK(prova_time_valid("2025-08-22T04:18:05.123-07:30", 29));
    CHECK(!prova_time_valid("2025-08-22 04:18:05Z", 20));
    CHECK(!prova_time_valid("2025-08-22T04:18:05+02", 22));
    CHECK(!prova_time_valid("2023-02-29T00:00:00Z", 20));
    CHECK(!prova_time_valid("2025-08-22T04:18:05.Z", 21));
    CHECK(prova__time_isoformat("2025-08-22 04:18:05.120000Z", 27, ts) == 0);
    CHECK_STR(ts, "2025-08-22T04:18:05.120000+00:00");
    CHECK(prova__days_from_civil(1970, 1, 1) == 0 && prova__days_in_month(2000, 2) == 29);
}

static void test_jsonl(void) {
    static const char in[] = "{\"a\":1}\r\n\n  \t\r\n  [2] \n{\"toolong\":333}\n3";
    prova_jsonl it;
    prova_jsonl_line l;
    prova_error e;
    prova_jsonl_init(&it, in, sizeof in - 1, 14);
    CHECK(prova_jsonl_next(&it, &l, &e) == 1 && l.len == 7 && memcmp(l.text, "{\"a\":1}", 7) == 0);
    CHECK(l.number == 1 && l.offset == 0 && l.column == 1);
    CHECK(prova_jsonl_next(&it, &l, &e) == 1 && l.len == 3 && memcmp(l.text, "[2]", 3) == 0); /* blank lines */
    CHECK(l.number == 4 && l.column == 3 && l.offset == 17);
    CHECK(prova_jsonl_next(&it, &l, &e) == PROVA_ELIMIT && strcmp(e.reason, "jsonl_line_limit") == 0);
    CHECK(e.line == 5 && e.offset == 22 && e.column == 1);
    CHECK(prova_jsonl_next(&it, &l, &e) == 1 && l.len == 1 && l.text[0] == '3' && l.number == 6);
    CHECK(prova_jsonl_next(&it, &l, &e) == 0 && prova_jsonl_next(&it, &l, &e) == 0);
    /* resuming in the middle: pos at a line start, line = the lines before it */
    prova_jsonl_init(&it, in, sizeof in - 1, 0);
    it.pos = 17;
    it.line = 3;
    CHECK(prova_jsonl_next(&it, &l, &e) == 1 && l.number == 4 && l.column == 1);
    CHECK(prova_jsonl_next(&it, &l, &e) == 1 && l.len == 15); /* no limit */
    prova_jsonl_init(&it, NULL, 5, 0);
    CHECK(prova_jsonl_next(&it, &l, NULL) == 0);
    CHECK(prova_jsonl_next(NULL, &l, &e) == PROVA_EINVAL);
}

static void test_printf(void) {
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_buf_printf(&b, "%s=%d", "n", 42) == 0);
    char *big = malloc(5001);
    memset(big, 'x', 5000);
    big[5000] = '\0';
    CHECK(prova_buf_printf(&b, " %s.", big) == 0);
    CHECK(b.len == 4 + 1 + 5000 + 1 && memcmp(b.data, "n=42 x", 6) == 0 && b.data[b.len - 1] == '.');
    free(big);
    prova_buf_free(&b);
}

/* prova__fmt_fast (the report's formatter) against vsnprintf: the same bytes for every conversion it takes, and
 * -1 (the caller falls back to vsnprintf) for any other, a NULL string or output that does not fit. */
__attribute__((format(printf, 3, 4))) static int fast(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = prova__fmt_fast(out, cap, fmt, ap);
    va_end(ap);
    return n;
}

#define SAME(cap, ...)                                                                                                 \
    do {                                                                                                               \
        char a_[600], b_[600];                                                                                         \
        int na_ = fast(a_, (cap), __VA_ARGS__);                                                                        \
        int nb_ = snprintf(b_, sizeof b_, __VA_ARGS__);                                                                \
        CHECK_MSG(na_ == nb_ && strcmp(a_, b_) == 0, "fmt_fast '%s' (%d) vs snprintf '%s' (%d)", na_ >= 0 ? a_ : "",   \
                  na_, b_, nb_);                                                                                       \
    } while (0)

static void test_fmt_fast(void) {
    static const char long_text[] = "caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9b\xab 0123456789012345678901234"
                                    "5678901234567890123456789012345678901234567890123456789012345678901234567890";
    SAME(512, "plain text, no conversion");
    SAME(512, "%s", "");
    SAME(512, "100%% sure");
    SAME(512, "%s envelope with the members a signature needs", "prova");
    SAME(512, "cid is the SHA-256 of the canonical payload%s", "");
    SAME(512, "cid %.80s does not match the payload, whose cid is %s", long_text, "sha256:00");
    SAME(512, "%.3s|%.0s|%.200s", "abcdef", "xyz", "short");
    SAME(512, "%.5s", long_text); /* cuts a UTF-8 sequence, as vsnprintf does: the report scrubs it after */
    SAME(512, "ts is %lld s in the future (window %lld s)", 9223372036854775807LL, -9223372036854775807LL - 1);
    SAME(512, "%lld %lld %lld", 0LL, -1LL, 1000000LL);
    SAME(512, "%zu member(s) %zu", (size_t)0, SIZE_MAX);
    SAME(512, "%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
    SAME(512, "%u %u %llu", 0u, UINT_MAX, ULLONG_MAX);
    SAME(512, "at line %zu, column %zu: %s", (size_t)12, (size_t)7, "json_syntax");
    char out[64];
    CHECK(fast(out, sizeof out, "%x", 255u) == -1);
    CHECK(fast(out, sizeof out, "%5d", 1) == -1);
    CHECK(fast(out, sizeof out, "%-5s", "a") == -1);
    CHECK(fast(out, sizeof out, "%.*s", 2, "abc") == -1);
    CHECK(fast(out, sizeof out, "%ld", 1L) == -1);
    CHECK(fast(out, sizeof out, "%g", 1.5) == -1);
    CHECK(fast(out, sizeof out, "%c", 'a') == -1);
    const char *volatile none = NULL; /* hidden from the format checker */
    CHECK(fast(out, sizeof out, "%s", none) == -1);
    CHECK(fast(out, 8, "%s", "12345678") == -1); /* does not fit with its NUL */
    CHECK(fast(out, 9, "%s", "12345678") == 8 && strcmp(out, "12345678") == 0);
    CHECK(fast(out, 3, "abc") == -1);
    CHECK(fast(out, 2, "%lld", 10LL) == -1);
    /* A report's messages through both paths: one formatted fast, one that needs vsnprintf (%c). */
    prova_report *r = prova_report_new("t");
    CHECK(prova__report_check(r, "a", true, NULL, "", "%s=%lld %.2s", "k", -5LL, "xyz") == 0);
    CHECK(prova__report_check(r, "b", true, NULL, "", "%c%c", 'o', 'k') == 0);
    const prova_check *c0 = prova_report_check_at(r, 0), *c1 = prova_report_check_at(r, 1);
    CHECK(c0 && c1 && strcmp(c0->message, "k=-5 xy") == 0 && strcmp(c1->message, "ok") == 0);
    prova_report_free(r);
}

/* The report's short strings live in an inline buffer until it is full, then in their own allocations: both kinds
 * print, survive prova__report_append into another report (which copies them) and free cleanly (ASan, valgrind). */
static void test_report_strings(void) {
    prova_report *src = prova_report_new("t"), *dst = prova_report_new("t");
    char name[40];
    prova_buf want = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&want, "\"unauthenticated_fields\":[", 26) == 0);
    for (int i = 0; i < 40; i++) { /* 40 x 20 bytes: past the inline buffer */
        snprintf(name, sizeof name, "member-%012d", i);
        CHECK(prova_report_add_unauthenticated(src, name) == 0);
        CHECK(prova_report_add_unauthenticated(src, name) == 0); /* a duplicate is ignored */
        CHECK(prova_buf_printf(&want, "%s\"%s\"", i ? "," : "", name) == 0);
    }
    CHECK(prova_buf_append(&want, "]", 1) == 0);
    CHECK(prova_report_add_key(src, "kid-1", "jwks:a") == 0 && prova_report_add_key(src, "kid-1", "jwks:a") == 0);
    CHECK(prova__report_check(src, "x", true, NULL, "", "ok") == 0);
    CHECK(prova__report_append(dst, src) == 0);
    prova_report_free(src);
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_report_to_json(dst, &out) == 0);
    CHECK(prova_buf_append(&out, "", 1) == 0 && prova_buf_append(&want, "", 1) == 0);
    CHECK(strstr((const char *)out.data, (const char *)want.data) != NULL);
    CHECK(strstr((const char *)out.data, "{\"kid\":\"kid-1\",\"source\":\"jwks:a\"}]") != NULL);
    prova_buf_free(&out);
    prova_buf_free(&want);
    prova_report_free(dst);
}

int main(void) {
    test_writer();
    test_utf8();
    test_utf8_scrub();
    test_report_outcome();
    test_report_add();
    test_time();
    test_jsonl();
    test_printf();
    test_fmt_fast();
    test_report_strings();
    TEST_SUMMARY();
}
