/* Unit tests: the strict parser, the document accessors, the canonical writers, errors and limits. */
#include <stdlib.h>

#include "harness.h"
#include "prova/json.h"

/* Canonical form via both drivers (document walk and streaming); they must agree. Returns NULL on error and
 * fills reason. The result is a static buffer valid until the next call. */
static const char *canon2(const char *in, prova_profile p, uint32_t flags, const char **reason) {
    static char out[4096];
    prova_parse_options o = {.flags = flags};
    prova_buf a = PROVA_BUF_INIT, b = PROVA_BUF_INIT;
    prova_error e1, e2;
    int r1 = prova_canon_bytes(in, strlen(in), p, &o, &a, &e1);
    prova_doc *doc = NULL;
    int r2 = prova_json_parse(in, strlen(in), &o, &doc, &e2);
    if (r2 == 0) r2 = prova_canon_write(prova_doc_root(doc), p, &b, &e2);
    prova_doc_free(doc);
    const char *ret = NULL;
    CHECK_MSG(r1 == r2, "drivers disagree on '%s': %d vs %d", in, r1, r2);
    if (r1 == 0 && r2 == 0) {
        CHECK_MSG(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "drivers produce different bytes for '%s'", in);
        memcpy(out, a.data, a.len);
        out[a.len] = '\0';
        ret = out;
    } else if (r1 < 0 && r2 < 0) {
        CHECK_MSG(strcmp(e1.reason, e2.reason) == 0, "reasons differ for '%s': %s vs %s", in, e1.reason, e2.reason);
        *reason = e1.reason;
    }
    prova_buf_free(&a);
    prova_buf_free(&b);
    return ret;
}

static void expect_canon(const char *in, prova_profile p, const char *want) {
    const char *reason = "";
    const char *got = canon2(in, p, 0, &reason);
    CHECK_MSG(got && strcmp(got, want) == 0, "%s: canon(%s) = %s (%s), want %s", prova_profile_name(p), in,
              got ? got : "<error>", reason, want);
}

static void expect_reject(const char *in, size_t len, const char *reason, size_t line, size_t col,
                          const char *pointer) {
    prova_doc *doc = NULL;
    prova_error e;
    int r = prova_json_parse(in, len, NULL, &doc, &e);
    CHECK_MSG(r < 0 && doc == NULL, "accepted: %.*s", (int)len, in);
    if (r < 0) {
        CHECK_MSG(strcmp(e.reason, reason) == 0, "%.*s: reason %s, want %s", (int)len, in, e.reason, reason);
        if (line)
            CHECK_MSG(e.line == line && e.column == col, "%.*s: at %zu:%zu, want %zu:%zu", (int)len, in, e.line,
                      e.column, line, col);
        if (pointer)
            CHECK_MSG(strcmp(e.pointer, pointer) == 0, "%.*s: pointer '%s', want '%s'", (int)len, in, e.pointer,
                      pointer);
    }
    prova_doc_free(doc);
}

#define REJECT(lit, reason, line, col, ptr) expect_reject(lit, sizeof(lit) - 1, reason, line, col, ptr)

static void test_accessors(void) {
    const char *in =
        "{\"b\":[1,2.5,\"x\"],\"a\":{\"n\":-42,\"big\":123456789012345678901234567890},\"t\":true,\"z\":null}";
    prova_doc *doc;
    prova_error e;
    CHECK(prova_json_parse(in, strlen(in), NULL, &doc, &e) == 0);
    const prova_json *root = prova_doc_root(doc);
    CHECK(prova_json_is_object(root) && prova_json_len(root) == 4);
    /* Members are in code point order. */
    CHECK_STR(root->u.members[0].key.u.str, "a");
    CHECK_STR(root->u.members[3].key.u.str, "z");
    const prova_json *b = prova_json_get(root, "b");
    CHECK(prova_json_is_array(b) && prova_json_len(b) == 3);
    CHECK(prova_json_is_int(prova_json_at(b, 0)));
    CHECK(!prova_json_is_int(prova_json_at(b, 1)) && prova_json_is_number(prova_json_at(b, 1)));
    CHECK(prova_json_str_eq(prova_json_at(b, 2), "x"));
    CHECK(prova_json_at(b, 3) == NULL);
    int64_t n = 0;
    CHECK(prova_json_get_int64(prova_json_get(prova_json_get(root, "a"), "n"), &n) == 0 && n == -42);
    CHECK(prova_json_get_int64(prova_json_get(prova_json_get(root, "a"), "big"), &n) == PROVA_ERANGE);
    CHECK(prova_json_get_int64(prova_json_at(b, 1), &n) == PROVA_EINVAL);
    double d = 0;
    CHECK(prova_json_get_double(prova_json_at(b, 1), &d) == 0 && d == 2.5);
    CHECK(prova_json_get(root, "missing") == NULL);
    CHECK(prova_json_get(NULL, "a") == NULL);
    CHECK(prova_json_typeof(prova_json_get(root, "t")) == PROVA_JSON_TRUE);
    CHECK(prova_json_is_null(prova_json_get(root, "z")));
    /* Every accessor is a function now (bindings call them): NULL and the wrong type give NULL/0/false. */
    const prova_json *t = prova_json_get(root, "t");
    CHECK(prova_json_typeof(NULL) == PROVA_JSON_NULL && !prova_json_is_null(NULL));
    CHECK(!prova_json_is_string(NULL) && !prova_json_is_object(NULL) && !prova_json_is_array(NULL));
    CHECK(!prova_json_is_number(NULL) && !prova_json_is_int(NULL) && !prova_json_is_bool(NULL));
    CHECK(prova_json_len(NULL) == 0 && prova_json_str(NULL) == NULL && prova_json_at(NULL, 0) == NULL);
    CHECK(prova_json_is_bool(t) && !prova_json_is_bool(prova_json_get(root, "z")) && prova_json_str(t) == NULL);
    CHECK(prova_json_at(root, 0) == NULL && prova_json_len(t) == 0);
    CHECK_STR(prova_json_str(prova_json_at(b, 2)), "x");
    CHECK(prova_json_str(prova_json_at(b, 0)) == NULL); /* a number's token is not a string */
    prova_doc_free(doc);
    CHECK(prova_doc_free(NULL) == NULL);

    /* int64 limits, exactly. */
    const char *lims = "[9223372036854775807,-9223372036854775808,9223372036854775808]";
    CHECK(prova_json_parse(lims, strlen(lims), NULL, &doc, &e) == 0);
    CHECK(prova_json_get_int64(prova_json_at(prova_doc_root(doc), 0), &n) == 0 && n == INT64_MAX);
    CHECK(prova_json_get_int64(prova_json_at(prova_doc_root(doc), 1), &n) == 0 && n == INT64_MIN);
    CHECK(prova_json_get_int64(prova_json_at(prova_doc_root(doc), 2), &n) == PROVA_ERANGE);
    prova_doc_free(doc);

    /* Keys with NUL bytes. */
    const char *nul = "{\"a\\u0000b\":1,\"a\":2}";
    CHECK(prova_json_parse(nul, strlen(nul), NULL, &doc, &e) == 0);
    CHECK(prova_json_getn(prova_doc_root(doc), "a\0b", 3) != NULL);
    CHECK(prova_json_len(&prova_doc_root(doc)->u.members[1].key) == 3);
    prova_doc_free(doc);
}

static void test_errors(void) {
    REJECT("", "json_empty", 1, 1, "");
    REJECT("  \n ", "json_empty", 2, 2, "");
    REJECT("{\"a\":1,\"a\":2}", "json_duplicate_key", 1, 8, "/a");
    REJECT("{\"x\":{\"k\":1,\n\"j\":0,\"k\":2}}", "json_duplicate_key", 2, 7, "/x/k");
    REJECT("[1,2] x", "json_trailing_data", 1, 7, "");
    REJECT("[01]", "json_leading_zero", 1, 2, "/0");
    REJECT("-012", "json_leading_zero", 1, 1, "");
    REJECT("[\"a\tb\"]", "json_control_character", 1, 4, "/0");
    REJECT("{\"a\":[\"\xff\"]}", "json_invalid_utf8", 1, 8, "/a/0");
    REJECT("\"\xc0\xaf\"", "json_invalid_utf8", 1, 2, "");         /* overlong '/' */
    REJECT("\"\xed\xa0\x80\"", "json_invalid_utf8", 1, 2, "");     /* encoded surrogate */
    REJECT("\"\xf4\x90\x80\x80\"", "json_invalid_utf8", 1, 2, ""); /* > U+10FFFF */
    REJECT("[\"\\ud800\"]", "json_lone_surrogate", 1, 3, "/0");
    REJECT("\"\\udc00\\ud800\"", "json_lone_surrogate", 1, 2, "");
    REJECT("[NaN]", "json_nonfinite", 1, 2, "/0");
    REJECT("[-Infinity]", "json_nonfinite", 1, 2, "/0");
    REJECT("[1e400]", "json_number_range", 1, 2, "/0");
    REJECT("{\"a\":[1,{\"b\":\"\\x\"}]}", "json_invalid_escape", 1, 15, "/a/1/b");
    REJECT("\"\\u12G4\"", "json_invalid_escape", 1, 2, "");
    REJECT("[1,2", "json_truncated", 1, 5, "/1");
    REJECT("{\"a\":tru", "json_truncated", 1, 9, "/a");
    REJECT("\"abc", "json_truncated", 1, 5, "");
    REJECT("[1.]", "json_syntax", 1, 4, "/0");
    REJECT("[.5]", "json_syntax", 1, 2, "/0");
    REJECT("[1e]", "json_syntax", 1, 4, "/0");
    REJECT("[+1]", "json_syntax", 1, 2, "/0");
    REJECT("{\"a\" 1}", "json_syntax", 1, 6, "/a");
    REJECT("{1:2}", "json_syntax", 1, 2, "");
    REJECT("[1,]", "json_syntax", 1, 4, "/1");
    REJECT("{\"a\":1,}", "json_syntax", 1, 8, "");
    REJECT("\xef\xbb\xbf{}", "json_bom", 1, 1, "");
    REJECT("[truth]", "json_syntax", 1, 2, "/0");
    REJECT("{\"a/b~c\":[x]}", "json_syntax", 1, 11, "/a~1b~0c/0");
    /* A NUL byte inside the input is not whitespace. */
    expect_reject("[1]\0", 4, "json_trailing_data", 1, 4, "");
}

static void test_limits(void) {
    char deep[300];
    memset(deep, '[', 129);
    memset(deep + 129, ']', 129);
    prova_doc *doc = NULL;
    prova_error e;
    CHECK(prova_json_parse(deep, 258, NULL, &doc, &e) == PROVA_ELIMIT && strcmp(e.reason, "json_depth_limit") == 0);
    CHECK(e.offset == 128);
    CHECK(prova_json_parse(deep + 1, 256, NULL, &doc, &e) == 0); /* exactly 128 deep */
    prova_doc_free(doc);
    prova_parse_options o = {.max_depth = 2};
    CHECK(prova_json_parse("[[1]]", 5, &o, &doc, &e) == 0);
    prova_doc_free(doc);
    CHECK(prova_json_parse("[[[1]]]", 7, &o, &doc, &e) == PROVA_ELIMIT);

    prova_parse_options s = {.max_size = 4};
    CHECK(prova_json_parse("[1,2]", 5, &s, &doc, &e) == PROVA_ELIMIT && strcmp(e.reason, "json_size_limit") == 0);
    prova_parse_options str = {.max_string = 3};
    CHECK(prova_json_parse("[\"abc\"]", 7, &str, &doc, &e) == 0);
    prova_doc_free(doc);
    CHECK(prova_json_parse("[\"abcd\"]", 8, &str, &doc, &e) == PROVA_ELIMIT &&
          strcmp(e.reason, "json_string_limit") == 0);
    CHECK(prova_json_parse("[\"ab\\n\\n\"]", 10, &str, &doc, &e) == PROVA_ELIMIT);
    prova_parse_options mem = {.max_members = 3};
    CHECK(prova_json_parse("[1,2,3]", 7, &mem, &doc, &e) == 0);
    prova_doc_free(doc);
    CHECK(prova_json_parse("[1,2,3,4]", 9, &mem, &doc, &e) == PROVA_ELIMIT &&
          strcmp(e.reason, "json_member_limit") == 0);
    CHECK(prova_json_parse("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", 25, &mem, &doc, &e) == PROVA_ELIMIT);

    /* 100000 nested arrays with a high limit: the parser is iterative, no stack overflow. */
    size_t n = 100000;
    char *big = malloc(2 * n);
    memset(big, '[', n);
    memset(big + n, ']', n);
    prova_parse_options hi = {.max_depth = 100000};
    CHECK(prova_json_parse(big, 2 * n, &hi, &doc, &e) == 0);
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_canon_write(prova_doc_root(doc), PROVA_PROFILE_JCS, &out, &e) == 0 && out.len == 2 * n);
    prova_buf_free(&out);
    prova_doc_free(doc);
    free(big);

    CHECK(prova_json_parse(NULL, 1, NULL, &doc, &e) == PROVA_EINVAL);
    CHECK(prova_json_parse("1", 1, NULL, NULL, &e) == PROVA_EINVAL);
}

static void test_profiles(void) {
    /* Key order: code point for ope/ophamin, UTF-16 for jcs. */
    const char *keys = "{\"\xef\xbf\xbf\":1,\"\xf0\x90\x80\x80\":2,\"a\":3,\"B\":4,\"\":5}";
    expect_canon(keys, PROVA_PROFILE_OPHAMIN, "{\"\":5,\"B\":4,\"a\":3,\"\\uffff\":1,\"\\ud800\\udc00\":2}");
    expect_canon(keys, PROVA_PROFILE_OPE, "{\"\":5,\"B\":4,\"a\":3,\"\xef\xbf\xbf\":1,\"\xf0\x90\x80\x80\":2}");
    expect_canon(keys, PROVA_PROFILE_JCS, "{\"\":5,\"B\":4,\"a\":3,\"\xf0\x90\x80\x80\":2,\"\xef\xbf\xbf\":1}");
    /* Astral vs a BMP character below U+D800: both orders agree. */
    expect_canon("{\"\xf0\x9f\x98\x80\":1,\"\xe4\xb8\x80\":2}", PROVA_PROFILE_JCS,
                 "{\"\xe4\xb8\x80\":2,\"\xf0\x9f\x98\x80\":1}");

    /* Strings. */
    expect_canon("[\"\\u007f\\u2028/\\u00e9\\ud83d\\ude80\"]", PROVA_PROFILE_OPHAMIN,
                 "[\"\\u007f\\u2028/\\u00e9\\ud83d\\ude80\"]");
    expect_canon("[\"\\u007f\\u2028/\\u00e9\\ud83d\\ude80\"]", PROVA_PROFILE_OPE,
                 "[\"\x7f\xe2\x80\xa8/\xc3\xa9\xf0\x9f\x9a\x80\"]");
    expect_canon("[\"\\u007f\\u2028/\\u00e9\\ud83d\\ude80\"]", PROVA_PROFILE_JCS,
                 "[\"\x7f\xe2\x80\xa8/\xc3\xa9\xf0\x9f\x9a\x80\"]");
    expect_canon("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001F\"", PROVA_PROFILE_OPE,
                 "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\"");

    /* Numbers. */
    expect_canon("[-0,0,-0.0,1E5,1.50,1.0e1,100000000000000000000000,1e16,1e15,0.00001,12345678901234567.0]",
                 PROVA_PROFILE_OPE,
                 "[0,0,-0.0,100000.0,1.5,10.0,100000000000000000000000,1e+16,1000000000000000.0,1e-05,"
                 "1.2345678901234568e+16]");
    expect_canon("[-0,0,-0.0,1E5,1.50,1.0e1,100000000000000000000000,1e21,1e20,0.000001,1e-7,9007199254740993]",
                 PROVA_PROFILE_JCS,
                 "[0,0,0,100000,1.5,10,1e+23,1e+21,100000000000000000000,0.000001,1e-7,9007199254740992]");
    expect_canon("[1e-400,-1e-400]", PROVA_PROFILE_OPE, "[0.0,-0.0]");
    expect_canon("[1e-400,-1e-400]", PROVA_PROFILE_JCS, "[0,0]");

    /* Nonfinite and lone surrogates: only ophamin, only when allowed. */
    const char *reason = "";
    const char *got = canon2("[NaN,Infinity,-Infinity,1e400,-1e999,\"\\udc00x\"]", PROVA_PROFILE_OPHAMIN,
                             PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES, &reason);
    CHECK(got && strcmp(got, "[NaN,Infinity,-Infinity,Infinity,-Infinity,\"\\udc00x\"]") == 0);
    {
        /* The streaming canonicalizer ignores the ophamin-only flags for ope; a document parsed with them cannot
         * be written as ope either. */
        prova_parse_options ls = {.flags = PROVA_PARSE_ALLOW_LONE_SURROGATES};
        prova_buf o1 = PROVA_BUF_INIT;
        prova_error e1;
        CHECK(prova_canon_bytes("[\"\\ud800\"]", 10, PROVA_PROFILE_OPE, &ls, &o1, &e1) == PROVA_ESYNTAX &&
              strcmp(e1.reason, "json_lone_surrogate") == 0);
        prova_doc *d1;
        CHECK(prova_json_parse("[\"\\ud800\"]", 10, &ls, &d1, &e1) == 0);
        CHECK(prova_canon_write(prova_doc_root(d1), PROVA_PROFILE_OPE, &o1, &e1) == PROVA_ESYNTAX &&
              strcmp(e1.reason, "canon_lone_surrogate") == 0 && strcmp(e1.pointer, "/0") == 0);
        prova_doc_free(d1);
        prova_buf_free(&o1);
    }
    /* Integers beyond a double under jcs. */
    char huge[400] = "[1";
    memset(huge + 2, '0', 350);
    strcpy(huge + 352, "]");
    got = canon2(huge, PROVA_PROFILE_JCS, 0, &reason);
    CHECK(got == NULL && strcmp(reason, "canon_number_range") == 0);
    got = canon2(huge, PROVA_PROFILE_OPE, 0, &reason);
    CHECK(got && strlen(got) == 353);

    /* A document with NaN parsed leniently cannot be written as ope: the error names the value. */
    prova_doc *doc;
    prova_error e;
    prova_parse_options nf = {.flags = PROVA_PARSE_ALLOW_NONFINITE};
    CHECK(prova_json_parse("{\"a\":[1,NaN]}", 13, &nf, &doc, &e) == 0);
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&out, "keep", 4) == 0);
    CHECK(prova_canon_write(prova_doc_root(doc), PROVA_PROFILE_OPE, &out, &e) == PROVA_ESYNTAX);
    CHECK(strcmp(e.reason, "canon_nonfinite") == 0 && strcmp(e.pointer, "/a/1") == 0);
    CHECK(out.len == 4); /* nothing partial appended */
    size_t need = 0;
    char small[4];
    CHECK(prova_canon_write_to(prova_doc_root(doc), PROVA_PROFILE_OPHAMIN, small, sizeof small, &need, &e) ==
              PROVA_ENOSPACE &&
          need == strlen("{\"a\":[1,NaN]}"));
    prova_buf_free(&out);
    prova_doc_free(doc);

    /* Unsorted input with many members exercises the merge sort, and a late duplicate is found. */
    char many[8192];
    size_t o = 0;
    many[o++] = '{';
    for (int i = 199; i >= 0; i--) o += (size_t)snprintf(many + o, sizeof many - o, "\"k%03d\":%d,", i, i);
    many[o - 1] = '}';
    many[o] = '\0';
    got = canon2(many, PROVA_PROFILE_OPE, 0, &reason);
    CHECK(got && strncmp(got, "{\"k000\":0,\"k001\":1,", 19) == 0);
    memcpy(many + o - 9, "\"k150\"", 6); /* the last key becomes a duplicate of k150 */
    got = canon2(many, PROVA_PROFILE_JCS, 0, &reason);
    CHECK(got == NULL && strcmp(reason, "json_duplicate_key") == 0);

    prova_profile p;
    CHECK(prova_profile_lookup("jcs", &p) == 0 && p == PROVA_PROFILE_JCS);
    CHECK(prova_profile_lookup("JCS", &p) == PROVA_EUNSUPPORTED);
    char buf[32];
    CHECK(prova_canon_format_double(0.1, PROVA_PROFILE_OPE, buf) == 3);
    CHECK(prova_canon_format_double(1.0 / 0.0, PROVA_PROFILE_OPE, buf) == 0);
}

/* An allocator that fails the n-th allocation, to check that every failure path frees what it took. */
typedef struct failing {
    long countdown;
    long live;
} failing;

static void *f_malloc(void *ctx, size_t n) {
    failing *f = ctx;
    if (f->countdown-- == 0) return NULL;
    f->live++;
    return malloc(n);
}
static void *f_realloc(void *ctx, void *p, size_t old, size_t n) {
    (void)old;
    failing *f = ctx;
    if (f->countdown-- == 0) return NULL;
    if (!p) f->live++;
    return realloc(p, n);
}
static void f_free(void *ctx, void *p, size_t n) {
    (void)n;
    failing *f = ctx;
    if (p) f->live--;
    free(p);
}

static void test_alloc_failures(void) {
    const char *in = "{\"z\":[1,2,{\"b\":\"\\u00e9\",\"a\":[true,false,null,1.5]}],\"y\":\"s\\n\",\"x\":{\"q\":{}}}";
    int ok_runs = 0, fail_runs = 0;
    for (long n = 0; n < 200; n++) {
        failing f = {n, 0};
        prova_allocator a = {f_malloc, f_realloc, f_free, &f};
        prova_parse_options o = {.alloc = &a};
        prova_doc *doc = NULL;
        prova_error e;
        int r = prova_json_parse(in, strlen(in), &o, &doc, &e);
        if (r == 0) {
            prova_buf out = {NULL, 0, 0, &a};
            int w = prova_canon_write(prova_doc_root(doc), PROVA_PROFILE_JCS, &out, &e);
            CHECK(w == 0 || w == PROVA_ENOMEM);
            prova_buf_free(&out);
            prova_doc_free(doc);
            ok_runs++;
        } else {
            CHECK_MSG(r == PROVA_ENOMEM && strcmp(e.reason, "out_of_memory") == 0, "n=%ld r=%d %s", n, r, e.reason);
            fail_runs++;
        }
        failing g = {n, 0};
        prova_allocator b = {f_malloc, f_realloc, f_free, &g};
        prova_parse_options ob = {.alloc = &b};
        prova_buf cb = {NULL, 0, 0, &b};
        r = prova_canon_bytes(in, strlen(in), PROVA_PROFILE_OPE, &ob, &cb, &e);
        CHECK(r == 0 || r == PROVA_ENOMEM);
        prova_buf_free(&cb);
        CHECK_MSG(f.live == 0 && g.live == 0, "leak after failing allocation %ld: %ld/%ld live", n, f.live, g.live);
    }
    CHECK(ok_runs > 0 && fail_runs > 0);
}

int main(void) {
    test_accessors();
    test_errors();
    test_limits();
    test_profiles();
    test_alloc_failures();
    TEST_SUMMARY();
}
