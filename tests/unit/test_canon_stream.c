/* prova_canon_stream against prova_canon_bytes: the same bytes, or the same error (status, reason, message, offset,
 * pointer), for every profile and for tiny internal sizes that send small documents down the paths of big ones
 * (objects sorted from their members' spans, arrays element by element, flushes after every value). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/json.h"

int prova__canon_stream_tuned(const void *data, size_t len, prova_profile p, const prova_parse_options *opts,
                              size_t small, size_t flush, prova_canon_write_fn write, void *ctx, prova_error *reterr);

typedef struct sink {
    prova_buf b;
    size_t calls;
    size_t fail_after; /* fail the call after this many (0: never) */
} sink;

static int collect(void *ctx, const void *data, size_t len) {
    sink *s = ctx;
    if (s->fail_after && s->calls >= s->fail_after) return 1;
    s->calls++;
    return prova_buf_append(&s->b, data, len) < 0;
}

static const size_t smalls_all[] = {0, 1, 3, 8, 40, 1000, (size_t)64 << 10};
static const size_t flushes_all[] = {1, 7, (size_t)1 << 20};
static const size_t smalls_big[] = {0, 40, (size_t)64 << 10};
static const size_t flushes_big[] = {7};
static const size_t *smalls = smalls_all, *flushes = flushes_all;
static size_t nsmalls = 7, nflushes = 3;

/* Compares the two drivers on doc under every profile and size; returns the number of mismatches. */
static int same(const char *doc, size_t n, const prova_parse_options *o) {
    int bad = 0;
    for (int p = PROVA_PROFILE_OPE; p <= PROVA_PROFILE_JCS; p++) {
        prova_buf want = PROVA_BUF_INIT;
        prova_error we, ge;
        int wr = prova_canon_bytes(doc, n, (prova_profile)p, o, &want, &we);
        for (size_t si = 0; si < nsmalls; si++) {
            for (size_t fi = 0; fi < nflushes; fi++) {
                sink s = {PROVA_BUF_INIT, 0, 0};
                int gr =
                    prova__canon_stream_tuned(doc, n, (prova_profile)p, o, smalls[si], flushes[fi], collect, &s, &ge);
                bool ok = gr == wr;
                if (ok && wr == 0) ok = s.b.len == want.len && memcmp(s.b.data, want.data, want.len) == 0;
                if (ok && wr < 0)
                    ok = ge.status == we.status && strcmp(ge.reason, we.reason) == 0 &&
                         strcmp(ge.message, we.message) == 0 && ge.offset == we.offset && ge.line == we.line &&
                         ge.column == we.column && strcmp(ge.pointer, we.pointer) == 0;
                if (!ok && bad++ < 3)
                    fprintf(stderr,
                            "MISMATCH profile %d small %zu flush %zu on %.60s%s: bytes %d (%zu B) err %s@%zu '%s' vs "
                            "stream %d (%zu B) err %s@%zu '%s'\n",
                            p, smalls[si], flushes[fi], doc, n > 60 ? "..." : "", wr, want.len, wr ? we.reason : "-",
                            wr ? we.offset : 0, wr ? we.pointer : "", gr, s.b.len, gr ? ge.reason : "-",
                            gr ? ge.offset : 0, gr ? ge.pointer : "");
                prova_buf_free(&s.b);
            }
        }
        prova_buf_free(&want);
    }
    return bad;
}

static void check_doc(const char *doc, const prova_parse_options *o) {
    CHECK_MSG(same(doc, strlen(doc), o) == 0, "drivers differ on %.80s", doc);
}

static const char *const docs[] = {
    "{}",
    "[]",
    "0",
    "-0",
    "1.50",
    "\"x\"",
    "  {\"b\":1,\"a\":2}  ",
    "{\"b\":[1,{\"d\":4,\"c\":3}],\"a\":null}",
    "[{\"z\":1,\"y\":[true,false,null]},[],{},[[[]]],\"s\",-1.5e-7,12345678901234567890]",
    "{\"a\":{\"b\":{\"c\":{\"d\":[1,2,{\"f\":1,\"e\":2}]}}}}",
    "{\"\\u00e9\":1,\"e\":2,\"\\ud83d\\ude80\":3,\"\\uff61\":4,\"a\\\"b\":5,\"a\\\\b\":6}",
    "{\"\xc3\xa9\":1,\"\xef\xbd\xa1\":2,\"\xf0\x9f\x9a\x80\":3,\"z\":\"\xe2\x9c\x85 \\n\\t\\u0001\"}",
    "[\"\\ud800\"]",
    "{\"\\udc00\":1}",
    "{\"a\":\"\\ud800x\"}",
    "[1,NaN]",
    "[Infinity,-Infinity,1e400]",
    "{\"a\":1,\"a\":2}",
    "{\"b\":{\"x\":1,\"y\":2},\"a\":3,\"b\":4}",
    "{\"a\":[{\"k\":1,\"k\":1}],\"b\":1}",
    "[1,2,3]x",
    "{\"a\":1} {",
    "[01]",
    "[1.]",
    "[.5]",
    "[1e]",
    "[-]",
    "[+1]",
    "[1,]",
    "{\"a\":1,}",
    "[,1]",
    "{\"a\" 1}",
    "{a:1}",
    "[\"a\nb\"]",
    "[tru]",
    "[nul",
    "{\"a\":[1,2,{\"b\":[3,4]}]",
    "\xef\xbb\xbf{}",
    "[\"\xff\"]",
    "{\"\xc3\":1}",
    "",
    "   ",
    "[1e999999]",
    "[-0.0,0.0e10,1E+2,1e-400]",
    "{\"a\":\"x\\\\\",\"b\":\"\\\\\\\"\",\"c\":\"\\\"]}\"}",
    "[\"]\",\"}\",\"{[\",\"\\\"\"]",
    "{\"b\":\"}\",\"a\":\"{\"}",
    "[[1,2],[3,[4,[5]]],{\"z\":[{\"y\":{}}]}]",
    "{\"x\":}",
    "{\"x\"}",
    "[}",
    "{]",
    "[1 2]",
    "{\"a\":1 \"b\":2}",
    "[\"\\x\"]",
    "[\"\\u12\"]",
    "{\"\":0,\" \":1}",
    "[1]]",
    "{\"a\":1}}",
};

static char *big_doc(size_t members, size_t depth, bool dup, const char *bad) {
    /* {"m<k>": [k, "v<k> ...", {"q":k,"p":[...]}], ...} in reverse key order, nested depth times. */
    size_t cap = members * (160 + (bad ? strlen(bad) : 0)) * (depth + 1) + 256;
    char *d = malloc(cap);
    size_t n = 0;
    for (size_t l = 0; l < depth; l++) n += (size_t)snprintf(d + n, cap - n, "{\"level%zu\":", l);
    n += (size_t)snprintf(d + n, cap - n, "{");
    for (size_t k = members; k-- > 0;) {
        n +=
            (size_t)snprintf(d + n, cap - n,
                             "%s\"m%05zu\\u00e9\":[%zu,\"v%zu \\u00e9 \xe2\x9c\x85 \\\"quoted\\\" ]}{[\",{\"q\":%zu.25,"
                             "\"p\":[null,true,-1e-3],\"o\":%s}]",
                             k + 1 < members ? "," : "", k, k, k, k, k == members / 2 && bad ? bad : "{}");
        if (dup && k == 1) n += (size_t)snprintf(d + n, cap - n, ",\"m%05zu\\u00e9\":0", members - 1);
    }
    n += (size_t)snprintf(d + n, cap - n, "}");
    for (size_t l = 0; l < depth; l++) d[n++] = '}';
    d[n] = '\0';
    return d;
}

int main(void) {
    prova_parse_options deflt = {0};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) check_doc(docs[i], &deflt);
    /* ophamin's lenient flags: NaN/Infinity and lone surrogates written back. */
    prova_parse_options lenient = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) check_doc(docs[i], &lenient);

    /* Every prefix of a document: each truncation is rejected with the same error. */
    const char *full = "{\"b\":[1,{\"d\":\"\\u00e9x\",\"c\":[true,null,-2.5e3]}],\"a\":{\"\\u0041\":\"\xe2\x9c\x85\"}}";
    int bad = 0;
    for (size_t n = 0; n <= strlen(full); n++) bad += same(full, n, &deflt);
    CHECK_MSG(bad == 0, "%d mismatches over the prefixes", bad);

    /* Depth at the limits: max_depth containers pass, one more fails, at the same place. */
    for (uint32_t lim = 1; lim <= 6; lim++) {
        prova_parse_options o = {.max_depth = lim};
        char d[64];
        for (size_t k = lim - 1; k <= lim + 1; k++) {
            size_t n = 0;
            for (size_t i = 0; i < k; i++)
                d[n++] = i % 2 ? '[' : '{', n += i % 2 ? 0 : (size_t)sprintf(d + n, "\"k\":");
            d[n++] = '1';
            for (size_t i = k; i-- > 0;) d[n++] = i % 2 ? ']' : '}';
            d[n] = '\0';
            check_doc(d, &o);
        }
    }
    /* The member limit, in objects and arrays. */
    prova_parse_options few = {.max_members = 3};
    check_doc("[1,2,3]", &few);
    check_doc("[1,2,3,4]", &few);
    check_doc("{\"c\":1,\"b\":2,\"a\":3}", &few);
    check_doc("{\"d\":1,\"c\":1,\"b\":2,\"a\":3}", &few);
    prova_parse_options shortstr = {.max_string = 4};
    check_doc("{\"abcde\":1,\"a\":2}", &shortstr);
    check_doc("{\"b\":\"abcde\",\"a\":2}", &shortstr);
    prova_parse_options tiny = {.max_size = 10};
    check_doc("[1,2,3,4,5,6]", &tiny);

    smalls = smalls_big, nsmalls = 3, flushes = flushes_big, nflushes = 1;
    /* Without backslashes (the structural skip's 64-byte blocks): brackets and quotes at every offset of a block,
     * strings holding brackets, a big object whose members are big arrays. */
    {
        size_t cap = 600000, n = 0;
        char *d = malloc(cap + 400);
        n += (size_t)sprintf(d + n, "{\"z\":[");
        for (size_t k = 0; n < cap / 2; k++)
            n += (size_t)sprintf(d + n, "%s{\"b\":[[%zu],{},\"%.*s\"],\"a\":\"%.*s\"}", k ? "," : "", k, (int)(k % 67),
                                 "{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x{[}]x",
                                 (int)(k % 13), "]]]]}}}}]]]]}}}}");
        n += (size_t)sprintf(d + n, "],\"y\":{\"q\":[");
        for (size_t k = 0; n < cap; k++)
            n += (size_t)sprintf(d + n, "%s[[\"%.*s\"]]", k ? "," : "", (int)(k % 71),
                                 "]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}]}");
        n += (size_t)sprintf(d + n, "],\"p\":1},\"x\":[]}");
        check_doc(d, &deflt);
        free(d);
    }
    /* Documents larger than the real threshold (64 KiB): a big object, nested, with a duplicate or an error
     * in its middle; and a big array of scalars. */
    struct {
        size_t members, depth;
        bool dup;
        const char *bad;
    } bigs[] = {{1000, 0, false, NULL},
                {1000, 3, false, NULL},
                {1000, 1, true, NULL},
                {1000, 2, false, "[1,]"},
                {1000, 0, false, "{\"x\":1,\"x\":2}"},
                {1000, 1, false, "\"\\ud800\""},
                {1000, 0, false, "1e400"}};
    for (size_t i = 0; i < sizeof bigs / sizeof *bigs; i++) {
        char *d = big_doc(bigs[i].members, bigs[i].depth, bigs[i].dup, bigs[i].bad);
        CHECK(strlen(d) > (size_t)64 << 10);
        check_doc(d, &deflt);
        check_doc(d, &lenient);
        free(d);
    }
    {
        size_t cap = 400000, n = 0;
        char *d = malloc(cap + 32);
        d[n++] = '[';
        for (size_t k = 0; n < cap; k++)
            n += (size_t)sprintf(d + n, "%s%zu.%zu", k ? "," : "", k * 7919 % 100003, k % 10);
        d[n++] = ']';
        d[n] = '\0';
        check_doc(d, &deflt);
        d[n - 1] = ','; /* truncated */
        check_doc(d, &deflt);
        free(d);
    }

    /* A failing write function: PROVA_EIO, reason canon_write_failed. */
    {
        char *d = big_doc(1000, 1, false, NULL);
        sink s = {PROVA_BUF_INIT, 0, 2};
        prova_error e;
        int r = prova__canon_stream_tuned(d, strlen(d), PROVA_PROFILE_OPE, NULL, 100, 64, collect, &s, &e);
        CHECK(r == PROVA_EIO);
        CHECK_STR(e.reason, "canon_write_failed");
        prova_buf_free(&s.b);
        /* and the public entry point on the same document equals prova_canon_bytes */
        sink t = {PROVA_BUF_INIT, 0, 0};
        prova_buf want = PROVA_BUF_INIT;
        CHECK(prova_canon_stream(d, strlen(d), PROVA_PROFILE_JCS, NULL, collect, &t, &e) == 0);
        CHECK(prova_canon_bytes(d, strlen(d), PROVA_PROFILE_JCS, NULL, &want, &e) == 0);
        CHECK(t.b.len == want.len && memcmp(t.b.data, want.data, want.len) == 0);
        CHECK(t.calls >= 1);
        CHECK(prova_canon_stream(d, strlen(d), PROVA_PROFILE_JCS, NULL, NULL, NULL, &e) == PROVA_EINVAL);
        prova_buf_free(&t.b);
        prova_buf_free(&want);
        free(d);
    }
    TEST_SUMMARY();
}
