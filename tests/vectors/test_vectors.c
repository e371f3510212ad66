/* Published and computed test vectors, byte for byte:
 *  - RFC 8785 reference data (cyberphone/json-canonicalization) under jcs;
 *  - JSONTestSuite (nst/JSONTestSuite): y_ accepted, n_ rejected, i_ as documented in docs/canonical-json.md;
 *  - ophamin_canonical_*: the five cross-language fixtures and the extra vectors of reference/ophamin.md §4;
 *  - odin_*: CIDs, kid and signatures of reference/odin.md §1 and §7;
 *  - oe_spec_*: event hashes, chain hashes and the certificate of reference/openexecution.md §6 (hash level).
 * Usage: test_vectors DATA_DIR (the tests/data directory). */
#include <dirent.h>
#include <stdlib.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"

static const char *data_dir;

static char *read_file(const char *path, size_t *ret_len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - 1 - len, f)) > 0) {
        len += n;
        if (len == cap - 1) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0'; /* for sscanf; the length is what counts */
    *ret_len = len;
    return buf;
}

static int canon(const char *in, size_t len, prova_profile p, prova_buf *out, prova_error *err) {
    out->len = 0;
    return prova_canon_bytes(in, len, p, NULL, out, err);
}

static bool canon_eq(const char *in, prova_profile p, const char *want) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error e;
    int r = canon(in, strlen(in), p, &out, &e);
    bool ok = r == 0 && out.len == strlen(want) && memcmp(out.data, want, out.len) == 0;
    if (!ok)
        fprintf(stderr, "  %s: %s\n  got  %.*s\n  want %s\n", prova_profile_name(p), in, r == 0 ? (int)out.len : 0,
                r == 0 ? (const char *)out.data : e.reason, want);
    prova_buf_free(&out);
    return ok;
}

static void hash_hex_of(prova_hash_alg alg, const char *in, prova_profile p, char hex[2 * PROVA_HASH_MAX_BYTES + 1]) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error e;
    hex[0] = '\0';
    if (canon(in, strlen(in), p, &out, &e) == 0) CHECK(prova_hash_compute_hex(alg, out.data, out.len, hex) == 0);
    prova_buf_free(&out);
}

static void hmac_hex(const char *key, const void *data, size_t len, char hex[65]) {
    uint8_t mac[PROVA_HMAC_SHA256_BYTES];
    CHECK(prova_hmac_sha256_compute(key, strlen(key), data, len, mac) == 0);
    prova_hex_encode(mac, sizeof mac, hex, 65);
}

/* ---- RFC 8785 ---------------------------------------------------------------------------------------------- */

static void rfc8785_reference_data(void) {
    static const char *const names[] = {"arrays", "french", "structures", "unicode", "values", "weird"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[1024];
        size_t ilen = 0, olen = 0, hlen = 0;
        snprintf(path, sizeof path, "%s/rfc8785/input/%s.json", data_dir, names[i]);
        char *in = read_file(path, &ilen);
        snprintf(path, sizeof path, "%s/rfc8785/output/%s.json", data_dir, names[i]);
        char *want = read_file(path, &olen);
        snprintf(path, sizeof path, "%s/rfc8785/outhex/%s.txt", data_dir, names[i]);
        char *hex = read_file(path, &hlen);
        CHECK_MSG(in && want && hex, "missing rfc8785 file for %s", names[i]);
        if (!in || !want || !hex) continue;
        prova_buf out = PROVA_BUF_INIT;
        prova_error e;
        int r = canon(in, ilen, PROVA_PROFILE_JCS, &out, &e);
        CHECK_MSG(r == 0 && out.len == olen && memcmp(out.data, want, olen) == 0, "rfc8785 %s: %s", names[i],
                  r ? e.reason : "bytes differ");
        /* The outhex form: space-separated hex bytes. */
        size_t k = 0;
        bool hex_ok = r == 0;
        for (size_t j = 0; j + 1 < hlen && hex_ok; j++) {
            if (hex[j] == ' ' || hex[j] == '\n' || hex[j] == '\r') continue;
            unsigned v;
            if (sscanf(hex + j, "%2x", &v) != 1 || k >= out.len || out.data[k] != v) hex_ok = false;
            k++;
            j++;
        }
        CHECK_MSG(hex_ok && k == out.len, "rfc8785 %s: outhex differs", names[i]);
        prova_buf_free(&out);
        free(in);
        free(want);
        free(hex);
    }
}

/* ---- JSONTestSuite ----------------------------------------------------------------------------------------- */

/* prova's decision for every implementation-defined case (docs/canonical-json.md). NULL reason = accepted. */
static const struct {
    const char *file;
    const char *reason;
} i_decisions[] = {
    {"i_number_double_huge_neg_exp.json", NULL}, /* underflows to 0.0, as Python and JS do */
    {"i_number_real_underflow.json", NULL},
    {"i_number_too_big_neg_int.json", NULL}, /* integers are exact at any size */
    {"i_number_too_big_pos_int.json", NULL},
    {"i_number_very_big_negative_int.json", NULL},
    {"i_number_huge_exp.json", "json_number_range"}, /* would be Infinity: not representable */
    {"i_number_neg_int_huge_exp.json", "json_number_range"},
    {"i_number_pos_double_huge_exp.json", "json_number_range"},
    {"i_number_real_neg_overflow.json", "json_number_range"},
    {"i_number_real_pos_overflow.json", "json_number_range"},
    {"i_object_key_lone_2nd_surrogate.json", "json_lone_surrogate"},
    {"i_string_1st_surrogate_but_2nd_missing.json", "json_lone_surrogate"},
    {"i_string_1st_valid_surrogate_2nd_invalid.json", "json_lone_surrogate"},
    {"i_string_incomplete_surrogate_and_escape_valid.json", "json_lone_surrogate"},
    {"i_string_incomplete_surrogate_pair.json", "json_lone_surrogate"},
    {"i_string_incomplete_surrogates_escape_valid.json", "json_lone_surrogate"},
    {"i_string_invalid_lonely_surrogate.json", "json_lone_surrogate"},
    {"i_string_invalid_surrogate.json", "json_lone_surrogate"},
    {"i_string_inverted_surrogates_U+1D11E.json", "json_lone_surrogate"},
    {"i_string_lone_second_surrogate.json", "json_lone_surrogate"},
    {"i_string_UTF-16LE_with_BOM.json", "json_invalid_utf8"},
    {"i_string_utf16BE_no_BOM.json", "json_syntax"},
    {"i_string_utf16LE_no_BOM.json", "json_syntax"},
    {"i_string_UTF-8_invalid_sequence.json", "json_invalid_utf8"},
    {"i_string_UTF8_surrogate_U+D800.json", "json_invalid_utf8"},
    {"i_string_invalid_utf-8.json", "json_invalid_utf8"},
    {"i_string_iso_latin_1.json", "json_invalid_utf8"},
    {"i_string_lone_utf8_continuation_byte.json", "json_invalid_utf8"},
    {"i_string_not_in_unicode_range.json", "json_invalid_utf8"},
    {"i_string_overlong_sequence_2_bytes.json", "json_invalid_utf8"},
    {"i_string_overlong_sequence_6_bytes.json", "json_invalid_utf8"},
    {"i_string_overlong_sequence_6_bytes_null.json", "json_invalid_utf8"},
    {"i_string_truncated-utf-8.json", "json_invalid_utf8"},
    {"i_structure_500_nested_arrays.json", "json_depth_limit"}, /* default limit 128 */
    {"i_structure_UTF-8_BOM_empty_object.json", "json_bom"},
};

static void jsontestsuite(void) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/jsontestsuite", data_dir);
    DIR *d = opendir(dir);
    CHECK_MSG(d != NULL, "cannot open %s", dir);
    if (!d) return;
    int y = 0, n = 0, i = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        if (name[0] == '.') continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t len = 0;
        char *in = read_file(path, &len);
        prova_doc *doc = NULL;
        prova_error e;
        int r = prova_json_parse(in, len, NULL, &doc, &e);
        /* The streaming canonicalizer must accept and reject exactly the same documents. */
        prova_buf out = PROVA_BUF_INIT;
        int r2 = prova_canon_bytes(in, len, PROVA_PROFILE_OPE, NULL, &out, NULL);
        bool dup = strncmp(name, "y_object_duplicated_key", 23) == 0;
        if (name[0] == 'y' && !dup) {
            CHECK_MSG(r == 0 && r2 == 0, "%s rejected: %s at %zu:%zu", name, e.reason, e.line, e.column);
            y++;
        } else if (name[0] == 'y') {
            CHECK_MSG(r == PROVA_ESYNTAX && strcmp(e.reason, "json_duplicate_key") == 0 && r2 < 0, "%s: %d %s", name, r,
                      r ? e.reason : "accepted");
            y++;
        } else if (name[0] == 'n') {
            CHECK_MSG(r < 0 && r2 < 0, "%s accepted", name);
            CHECK_MSG(r >= 0 || (e.reason && strncmp(e.reason, "json_", 5) == 0 && e.line > 0), "%s: bad error report",
                      name);
            n++;
        } else if (name[0] == 'i') {
            size_t k = 0, count = sizeof i_decisions / sizeof *i_decisions;
            while (k < count && strcmp(i_decisions[k].file, name) != 0) k++;
            CHECK_MSG(k < count, "%s: no documented decision", name);
            if (k < count && i_decisions[k].reason == NULL)
                CHECK_MSG(r == 0 && r2 == 0, "%s should be accepted, got %s", name, e.reason);
            else if (k < count)
                CHECK_MSG(r < 0 && r2 < 0 && strcmp(e.reason, i_decisions[k].reason) == 0, "%s: got %s, want %s", name,
                          r ? e.reason : "accepted", i_decisions[k].reason);
            i++;
        }
        prova_buf_free(&out);
        prova_doc_free(doc);
        free(in);
    }
    closedir(d);
    CHECK_MSG(y == 95 && n == 188 && i == 35, "suite counts y=%d n=%d i=%d", y, n, i);
}

/* ---- Ophamin ----------------------------------------------------------------------------------------------- */

static const char test_key[] = "ophamin-canonical-test-key-v1";
static const char default_key[] = "ophamin-scenario-proof-key";

static void ophamin_fixture(const char *stem, const char *input, const char *want, size_t want_len, const char *hmac,
                            const char *sha) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error e;
    int r = canon(input, strlen(input), PROVA_PROFILE_OPHAMIN, &out, &e);
    CHECK_MSG(r == 0 && out.len == want_len && memcmp(out.data, want, want_len) == 0, "ophamin_canonical_%s: %.*s",
              stem, r == 0 ? (int)out.len : 0, r == 0 ? (const char *)out.data : "");
    char hex[65], shahex[2 * PROVA_HASH_MAX_BYTES + 1];
    hmac_hex(test_key, out.data, out.len, hex);
    CHECK_MSG(strcmp(hex, hmac) == 0, "ophamin_canonical_%s hmac %s", stem, hex);
    CHECK(prova_hash_compute_hex(PROVA_HASH_SHA256, out.data, out.len, shahex) == 0);
    CHECK_MSG(strcmp(shahex, sha) == 0, "ophamin_canonical_%s sha256 %s", stem, shahex);
    /* Idempotence: canonical(parse(canonical)) == canonical. */
    prova_buf again = PROVA_BUF_INIT;
    CHECK(prova_canon_bytes(out.data, out.len, PROVA_PROFILE_OPHAMIN, NULL, &again, &e) == 0 && again.len == out.len &&
          memcmp(again.data, out.data, out.len) == 0);
    prova_buf_free(&again);
    prova_buf_free(&out);
}

static void ophamin_canonical_fixtures(void) {
    /* Inputs as the fixture generator writes them (indent=2, sort_keys, ensure_ascii=False). */
    const char *simple =
        "{\n  \"a_integer\": 42,\n  \"list\": [\n    1,\n    2,\n    3\n  ],\n  \"m_float\": 3.14159,\n"
        "  \"nested\": {\"inner_b\": 2, \"inner_a\": 1},\n  \"w_null\": null,\n  \"x_false\": false,\n"
        "  \"y_true\": true,\n  \"z_string\": \"ophamin\"\n}\n";
    const char *simple_c =
        "{\"a_integer\":42,\"list\":[1,2,3],\"m_float\":3.14159,\"nested\":{\"inner_a\":1,\"inner_b\":2},"
        "\"w_null\":null,\"x_false\":false,\"y_true\":true,\"z_string\":\"ophamin\"}";
    ophamin_fixture("simple", simple, simple_c, strlen(simple_c),
                    "0dbc86d5e4b913051857c4529b0bf2a77c1eb8ebc65bb84158d52c4db40938ce",
                    "7fb1f1c95a9503347ef5f3bb6a025d4b172649f5ceb918e3363b8f26959ff46c");
    CHECK(strlen(simple_c) == 149);

    const char *unicode =
        "{\"ascii_only\":\"hello world\",\"latin_supp\":\"caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9\","
        "\"cyrillic\":\"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\",\"cjk\":\"\xe5\xad\x97\xe5\xb9\x95\","
        "\"emoji\":\"\xf0\x9f\x9a\x80\",\"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\":\"value\"}";
    const char *unicode_c =
        "{\"ascii_only\":\"hello world\",\"cjk\":\"\\u5b57\\u5e55\",\"cyrillic\":\"\\u043f\\u0440\\u0438\\u0432\\u0435"
        "\\u0442\",\"emoji\":\"\\ud83d\\ude80\",\"latin_supp\":\"caf\\u00e9 "
        "r\\u00e9sum\\u00e9\",\"\\u043a\\u043b\\u044e"
        "\\u0447\":\"value\"}";
    ophamin_fixture("unicode", unicode, unicode_c, strlen(unicode_c),
                    "6fb5233eef1d7569d248451075d6e9a379e6f4e12b56a4bfce526af40e85b1e9",
                    "06471785461e5a50b28a7183a66fcf24bcf1ec6e91716457b32a950426e20b31");
    CHECK(strlen(unicode_c) == 199);

    const char *num =
        "{\n  \"large_pos\": 1e+20,\n  \"neg_value\": -2.5,\n  \"neg_zero_float\": -0.0,\n  \"pi\": 3.14159,\n"
        "  \"small_neg_exp\": 1e-07,\n  \"zero_float\": 0.0,\n  \"zero_int\": 0\n}\n";
    const char *num_c = "{\"large_pos\":1e+20,\"neg_value\":-2.5,\"neg_zero_float\":-0.0,\"pi\":3.14159,"
                        "\"small_neg_exp\":1e-07,\"zero_float\":0.0,\"zero_int\":0}";
    ophamin_fixture("numerical_edge", num, num_c, strlen(num_c),
                    "9cdd55061cf0d86f4195bb6b2996df2361d19cc6546dff28f24c5266e4ce3b82",
                    "94768203132adcb54575c78debc32ba987b03d45456f5fdc5ebd7e9b08e599b5");
    CHECK(strlen(num_c) == 123);

    const char *deep =
        "{\"level1\":{\"level2\":{\"level3\":{\"level4\":{\"list\":[1,2,[3,4,[5,6]]],\"value\":42}}}},"
        "\"siblings\":[{\"a\":1,\"b\":{\"c\":2,\"d\":{\"e\":3}}},{\"a\":4,\"b\":{\"c\":5,\"d\":{\"e\":6}}}],"
        "\"mixed_array_levels\":[[],[[]],[[[]]],[[[[]]]]]}";
    const char *deep_c = "{\"level1\":{\"level2\":{\"level3\":{\"level4\":{\"list\":[1,2,[3,4,[5,6]]],\"value\":42}}}},"
                         "\"mixed_array_levels\":[[],[[]],[[[]]],[[[[]]]]],\"siblings\":[{\"a\":1,\"b\":{\"c\":2,\"d\":"
                         "{\"e\":3}}},{\"a\":4,\"b\":{\"c\":5,\"d\":{\"e\":6}}}]}";
    ophamin_fixture("deeply_nested", deep, deep_c, strlen(deep_c),
                    "1441c2e18b25ae3a62dfcda128269dce663958d888bdb7cd717015102180a1dc",
                    "4026029c07bb407e091f6f20f4cb84c354f01864119e88e19715ebacaeb2d6fe");
    CHECK(strlen(deep_c) == 205);

    char boundary[1024], boundary_c[1024], a200[201];
    memset(a200, 'a', 200);
    a200[200] = '\0';
    snprintf(
        boundary, sizeof boundary,
        "{\"empty_object\":{},\"empty_array\":[],\"nested_empty\":{\"empty_inner_array\":[]},\"long_ascii\":\"%s\","
        "\"json_special_escapes\":\"\\\"\\\\/\\b\\f\\n\\r\\t\",\"control_chars\":\"\\u0000\\u0001\\u0002\\u0005"
        "\\u001f\",\" \":\"key-with-single-space\",\"empty_string_value\":\"\"}",
        a200);
    snprintf(
        boundary_c, sizeof boundary_c,
        "{\" \":\"key-with-single-space\",\"control_chars\":\"\\u0000\\u0001\\u0002\\u0005\\u001f\",\"empty_array\":[],"
        "\"empty_object\":{},\"empty_string_value\":\"\",\"json_special_escapes\":\"\\\"\\\\/\\b\\f\\n\\r\\t\","
        "\"long_ascii\":\"%s\",\"nested_empty\":{\"empty_inner_array\":[]}}",
        a200);
    ophamin_fixture("boundary_cases", boundary, boundary_c, strlen(boundary_c),
                    "6b45f08c1439c1a933965df719d5e766c73c292b5154ccb4a165fd240729881c",
                    "541ba18a3d27849bc6919342bdf6cb4b13833775a18cf97611126c1c43fd28dc");
    CHECK(strlen(boundary_c) == 434);

    /* simple under the well-known default key (§4.3). */
    char hex[65];
    hmac_hex(default_key, simple_c, strlen(simple_c), hex);
    CHECK_STR(hex, "23af49aeb0cc86285268a2fd000cbc84e6c668dda8fac387e38348948c8bf125");
}

static void ophamin_canonical_extra(void) {
    char hex[2 * PROVA_HASH_MAX_BYTES + 1], mac[65];
    CHECK(canon_eq("{\"x\": 30, \"y\": 30.0}", PROVA_PROFILE_OPHAMIN, "{\"x\":30,\"y\":30.0}"));
    hash_hex_of(PROVA_HASH_SHA256, "{\"x\": 30, \"y\": 30.0}", PROVA_PROFILE_OPHAMIN, hex);
    CHECK_STR(hex, "07e921d07ddb9d5c4d9dabfd90b07b3e58ae2cda075c62e92664013a9dd6d689");
    hmac_hex(default_key, "{\"x\":30,\"y\":30.0}", 17, mac);
    CHECK_STR(mac, "59395d69d5c887892d5f42b39765c00df39783a8dcd08b81c33f2813f758da84");
    hmac_hex(default_key, "{}", 2, mac);
    CHECK_STR(mac, "786f4a5a9cb54a4ff6695d0a088f986f7620d170ed8f7918048ab60e55103548");
    hash_hex_of(PROVA_HASH_SHA256, " { } ", PROVA_PROFILE_OPHAMIN, hex);
    CHECK_STR(hex, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

    CHECK(canon_eq("[1e16,1e15,9999999999999998.0,0.0001,0.00001,2.5e-05,1e22,1.5e300,5e-324,-1e-7,1e-100,123456.789]",
                   PROVA_PROFILE_OPHAMIN,
                   "[1e+16,1000000000000000.0,9999999999999998.0,0.0001,1e-05,2.5e-05,1e+22,1.5e+300,5e-324,-1e-07,"
                   "1e-100,123456.789]"));
    CHECK(canon_eq("[\"\\u007f\",\"\\uffff\",\"\\udbff\\udfff\",\"\\u2028\"]", PROVA_PROFILE_OPHAMIN,
                   "[\"\\u007f\",\"\\uffff\",\"\\udbff\\udfff\",\"\\u2028\"]"));
    CHECK(canon_eq("{\"\\uffff\":1,\"\\ud800\\udc00\":2,\"a\":3,\"B\":4,\"\":5}", PROVA_PROFILE_OPHAMIN,
                   "{\"\":5,\"B\":4,\"a\":3,\"\\uffff\":1,\"\\ud800\\udc00\":2}"));
    /* [nan, inf, -inf] and a lone surrogate: accepted only when asked (verifying Python-made records). */
    prova_parse_options o = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_canon_bytes("[NaN, Infinity, -Infinity, \"\\ud800\"]", 36, PROVA_PROFILE_OPHAMIN, &o, &out, NULL) == 0);
    CHECK(out.len == 33 && memcmp(out.data, "[NaN,Infinity,-Infinity,\"\\ud800\"]", 33) == 0);
    prova_buf_free(&out);

    /* The minimal full proof body (1062 bytes): proof_id and signature under the default key. */
    const char *body =
        "{\"claim\":{\"h0\":\"H0\",\"h1\":\"H1\",\"operationalization\":\"O\",\"statement\":\"S\",\"threshold\":{"
        "\"comparator\":"
        "\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}},\"data\":{\"datasets\":[{"
        "\"content_"
        "hash\":\"h\",\"kind\":\"corpus\",\"n_records\":30,\"name\":\"ds\",\"source\":\"\"}],\"substrate_git_commit\":"
        "\"abc\","
        "\"substrate_name\":\"mock\"},\"evidence\":[{\"ci_high\":null,\"ci_low\":null,\"cross_check\":\"n/"
        "a\",\"detail\":{},"
        "\"effect_size\":null,\"library\":\"scipy\",\"library_version\":\"1.0\",\"p_value\":null,\"pillar\":\"p\","
        "\"statistic_"
        "name\":\"max_abs_diff\",\"statistic_value\":0.0}],\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\","
        "\"ophamin_"
        "git_commit\":\"\",\"ophamin_version\":\"0.1.0\"},\"preregistration\":{\"analysis_plan\":\"\",\"config_hash\":"
        "\"c\","
        "\"data_hash\":\"d\",\"preregistered_at\":\"2026-01-01T00:00:00+00:00\",\"sweep_grid\":{}},\"provenance\":{},"
        "\"reproduction\":{\"command\":\"cmd\",\"environment\":{\"python\":\"3.12.0\"},\"lineage_chain\":[]},\"schema_"
        "version\":"
        "\"1.0\",\"verdict\":{\"observed_value\":0.0,\"outcome\":\"VALIDATED\",\"reasoning\":\"r\",\"threshold\":{"
        "\"comparator\":"
        "\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}}}";
    CHECK(strlen(body) == 1062);
    CHECK(canon_eq(body, PROVA_PROFILE_OPHAMIN, body));
    hash_hex_of(PROVA_HASH_SHA256, body, PROVA_PROFILE_OPHAMIN, hex);
    CHECK_STR(hex, "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac");
    hmac_hex(default_key, body, strlen(body), mac);
    CHECK_STR(mac, "2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470");
}

/* ---- ODIN OPE ---------------------------------------------------------------------------------------------- */

static void check_cid(const char *in, prova_profile p, const char *want) {
    char hex[2 * PROVA_HASH_MAX_BYTES + 1], cid[8 + sizeof hex];
    hash_hex_of(PROVA_HASH_SHA256, in, p, hex);
    snprintf(cid, sizeof cid, "sha256:%s", hex);
    CHECK_MSG(strcmp(cid, want) == 0, "odin cid of %s: %s", in, cid);
    /* The one-call forms give the same digest, from bytes and from a parsed document. */
    uint8_t d1[PROVA_HASH_MAX_BYTES], d2[PROVA_HASH_MAX_BYTES], want_bin[32];
    size_t n = 0;
    CHECK(prova_hex_decode(want + 7, 64, want_bin, sizeof want_bin, &n, NULL) == 0 && n == 32);
    CHECK(prova_canon_bytes_hash(in, strlen(in), p, NULL, PROVA_HASH_SHA256, d1, NULL) == 0 &&
          memcmp(d1, want_bin, 32) == 0);
    prova_doc *doc = NULL;
    CHECK(prova_json_parse(in, strlen(in), NULL, &doc, NULL) == 0);
    CHECK(prova_canon_hash(prova_doc_root(doc), p, PROVA_HASH_SHA256, d2, NULL) == 0 && memcmp(d2, want_bin, 32) == 0);
    prova_doc_free(doc);
}

static void odin_vectors(void) {
    check_cid("{\"user\": \"alice\", \"amount\": 42}", PROVA_PROFILE_OPE,
              "sha256:56530bcc3b30c0ecab93638d3ba23f069e632ca4530bdd453fb8c31951562279");
    check_cid("{\"message\":\"hello\",\"value\":42}", PROVA_PROFILE_OPE,
              "sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e");
    /* ensure_ascii=False (ope) vs the starter's ensure_ascii=True variant (= the ophamin string rules). */
    check_cid("{\"msg\":\"caf\xc3\xa9\"}", PROVA_PROFILE_OPE,
              "sha256:2f04918ce185d545be576aa2d308e911b86acd73cc5e094995b26eb689e0ae70");
    check_cid("{\"msg\":\"caf\xc3\xa9\"}", PROVA_PROFILE_OPHAMIN,
              "sha256:d472c974be304add7ed846179a43f041f94af92e4d049f760bfc9bd5e83a06c7");
    check_cid(
        "{\"trace_id\":\"trace-test-1\",\"exported_at\":\"2025-01-01T00:00:05+00:00\",\"receipts\":[{\"hop\":0,"
        "\"prev_receipt_hash\":null,\"receipt_hash\":\"h0\"},{\"hop\":1,\"prev_receipt_hash\":\"h0\",\"receipt_hash\":"
        "\"h1\"}]}",
        PROVA_PROFILE_OPE, "sha256:3b08bfd21932c602e2e2d1362106e95305d33d545a322c55a9ed053b5de46c2c");
    check_cid("{\"hello\":\"world\"}", PROVA_PROFILE_OPE,
              "sha256:93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588");

    /* Zero seed: public key, kid, and the ope-lib sender_sig / bundle_sig (Ed25519 is deterministic). */
    uint8_t seed[32] = {0};
    prova_key *key = NULL;
    CHECK(prova_key_from_ed25519_seed(seed, &key) == 0);
    if (!key) return;
    CHECK_STR(prova_key_kid(key), "ed25519-139e3940e64b5491");
    uint8_t pub[64];
    char b64[128];
    CHECK(prova_key_public_raw(key, pub, sizeof pub) == 32);
    prova_base64url_encode(pub, 32, b64, sizeof b64);
    CHECK_STR(b64, "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik");
    const struct {
        const char *msg, *sig;
    } sigs[] = {
        {"sha256:56530bcc3b30c0ecab93638d3ba23f069e632ca4530bdd453fb8c31951562279|trace-test-1|2025-01-01T00:00:00+00:"
         "00",
         "ZkYWcstwR_Rejjl5TT_SNcMXHKKV-Irb0WtXSiPQKyf9fx_S82pCRjZDdiL3nYHaT1QGjEabPUXZWE2o7lZIBA"},
        {"sha256:3b08bfd21932c602e2e2d1362106e95305d33d545a322c55a9ed053b5de46c2c|trace-test-1|2025-01-01T00:00:05+00:"
         "00",
         "is9ew2U4C2r6lN-kd39VwBuj-EQriY2hmjQybx6IpsovKl_z6zyZoX4FPaEK1XzqH2oZP4DU6cnUn4Oyn8noBA"},
        {"sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e|11111111-1111-1111-1111-111111111111|"
         "2025-08-22T00:00:00+00:00",
         "xh2DijCeXmnjgFBS_9j8Jy83lCDPuJ7YN7ZR4ACfge3_0kbx9G-18feK8Sc99VlMMEoGLC_W-zIzl_JU_FhcAA"},
    };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        uint8_t sig[PROVA_SIG_MAX_BYTES];
        size_t siglen = 0;
        CHECK(prova_key_sign(key, sigs[i].msg, strlen(sigs[i].msg), sig, &siglen) == 0 && siglen == 64);
        prova_base64url_encode(sig, siglen, b64, sizeof b64);
        CHECK_STR(b64, sigs[i].sig);
        CHECK(prova_key_verify(key, sigs[i].msg, strlen(sigs[i].msg), sig, siglen) == 0);
        sig[10] ^= 1;
        CHECK(prova_key_verify(key, sigs[i].msg, strlen(sigs[i].msg), sig, siglen) == PROVA_EVERIFY);
    }

    /* The starter receipt core (§7.2): canonical bytes, receipt_hash (bare hex) and receipt_signature. */
    const char *core =
        "{\"created_at\":\"2025-08-22T00:00:00+00:00\",\"gateway_kid\":\"ed25519-139e3940e64b5491\",\"hop\":0,"
        "\"normalized_cid\":\"sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e\","
        "\"policy\":{\"passed\":true,\"rules\":[]},\"policy_engine\":null,\"prev_receipt_hash\":null,"
        "\"request_cid\":\"sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e\","
        "\"trace_id\":\"11111111-1111-1111-1111-111111111111\",\"ts\":\"2025-08-22T00:00:00+00:00\"}";
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    hash_hex_of(PROVA_HASH_SHA256, core, PROVA_PROFILE_OPE, hex);
    CHECK_STR(hex, "0704edfcddcdec0da5731d8bdb2d5af641ac04feb7420165660306cdca5d128f");
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t siglen = 0;
    CHECK(prova_key_sign(key, core, strlen(core), sig, &siglen) == 0);
    prova_base64url_encode(sig, siglen, b64, sizeof b64);
    CHECK_STR(b64, "pL6_F2lb5BaO5NSbSYUAmordLjpKe0IUSQqv0xcAze3uTXPO-HOX26Z5rPJE_jmWub9N7ZNg0NawZCXTbf0hAA");
    prova_key_free(key);
}

/* ---- OpenExecution (hash level) ---------------------------------------------------------------------------- */

static const char *const oe_algs[] = {"sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512"};
static const char *const oe_expect[6][4] = {
    {"69a5e334f88b67ff0c7caa9226349e2410efa8944ee80fc60a25e60b851a1b0b",
     "47c6bc219c9e2d44ff990288fcaf9d563cfc5fd140238767a681dd159d826407",
     "5e7e9b1e58d97f29d36599205c6b6f5742e9bea3c21cd04b19d72b36a2d1ed72",
     "d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd"},
    {"235e00261ec3cfb5a3bdf96806a740c329aa9d59b4ca6365ec814c618e3a68fa626a1b9a4293d01ee2498cfa12622304",
     "3c57f30858a680b1ed95b015c5a756bdc682d7b2186ed9c739e33b0b95cd1e7e11ba4654e08ea0480d229342f7ef8e3d",
     "f10ae274c6e4619210f2b94d8fc2e01aede2d7f24d88d2efd7ba8748088fa73e360bce9724950bfc6d4595550e63fb18",
     "df08d4087ae41a270ffc109b9a64bd2c9f0f40c370b3f1d2b9725890b8ad4cd4c38250997e0761b37e2bb6e61c16c25d"},
    {"9f36637da9c20aabaf93f97804c1cba578b62a72dd618329b1f535fbf5ee5e417867476463f3760e6a4af8eaced61a2df67d8ec2537b0727d"
     "4713c9524cccc5c",
     "7d5841ff24f0945fdb5d6a60f185474125a2b2e62e5fcf65d4a44f45631439020ca8a676836d1428844580b64beb6b18adcb8295ee072323f"
     "85b8288f0e3d5ed",
     "e6b6f6c08a7a36838c5253ae61ec083839627e84126e16e5d137105a03665b31b9f0f01ddd0d5d6a4269896ed7eba34f7b20055bbaca84bc4"
     "3d17ec3bbfbcee5",
     "8dd42312cd5eed69514ed37e3d1cff2e10b1974902a6f3317213d015dd2c1403c113369ad518d18bb0fc3b8e725e1468310b757ac5022fab1"
     "e9abbb92dbc68d5"},
    {"ad59c852067e01adf2a6b1f6af92d2eefc564e989c9f9b6efc55113eaf136481",
     "4aedd71997dd526ef4a95fc36484621dd93d8188a8c35dbce5fd30989fe862fa",
     "d2a7a723e97b9801d9ce686763226e9e9c5f1600c773eb91a2fe813283af7b79",
     "e2fb5d20b8813f8d09feacf884da16558b448706dc69c8476649670a53afaec4"},
    {"0195d11236f4a318311a37c99356db17b8e3ba4f94e7f1001059870884111c47f5f5282cbb9bcf07d4a252cce29ad03d",
     "fc3e4cba86ac639627dbff6e1f0a8219477472665503ff94fa05d696d032d850a2441ecce669cacfb4fe0bc03340005b",
     "2e71326efc37ea8657cb16f7dd3f8b3a5138688044e756f73528e6a7ee50eeb343e8fd8b34701240e3716beeda48c41a",
     "ec55bcc8c79cf35a05adcf3cf272d7b877784db993adedb298abc18adfd7a290be7214e3712f5af4888b7a86a821d4a7"},
    {"ec45c2c4b795fc6ecb8ba46b4ea71c746fd50f77acebc7c52d9923685aaa5646df481cf73b51105f06d49c0439ab0168b156ab45e87d7bc91"
     "61bd1341516b153",
     "39cfdba5b57eb2b6be0a93d29144c0da40f69a37a11605f674449f7cd40f405453bd5acc448c54a6d108531b157e853ee8a85d03d33a26341"
     "d1705861ba04be4",
     "2f806977f2d8bb0942323d42323f2ad9128ccf78155e950246abab6f6509a06ee4f4f1c3cbdcdb2c79f6a7af0b1840b22bf3d9cb90ae40056"
     "734b5754e59add1",
     "804a8e0b78f51d7cdd9440585048201413c0848dd2ad7e6084d18f4c78f7223c40e26febe9a2eb8216a5c0c778fe0a2b2b91dd3aea61a6d29"
     "cbc0613b410dca9"},
};

static void oe_spec_event_hashes(void) {
    static const struct {
        int seq;
        const char *type, *actor, *ts, *payload;
    } ev[3] = {
        {1, "code_pushed", "octocat", "2026-03-20T10:00:00.000Z", "{\"ref\":\"refs/heads/main\",\"commits\":1}"},
        {2, "pr_opened", "octocat", "2026-03-20T10:30:00.000Z", "{\"pr_number\":42,\"title\":\"Fix bug\"}"},
        {3, "pr_merged", "maintainer-bot", "2026-03-20T11:00:00.000Z", "{\"pr_number\":42,\"merge_sha\":\"abc123\"}"},
    };
    for (size_t a = 0; a < 6; a++) {
        prova_hash_alg alg;
        CHECK(prova_hash_lookup(oe_algs[a], &alg) == 0);
        size_t hexlen = 2 * prova_hash_size(alg);
        char prev[2 * PROVA_HASH_MAX_BYTES + 1];
        memset(prev, '0', hexlen);
        prev[hexlen] = '\0';
        char concat[3 * 128 + 1] = "";
        for (int i = 0; i < 3; i++) {
            char in[1024];
            snprintf(in, sizeof in,
                     "{\"seq\":%d,\"event_type\":\"%s\",\"actor_id\":\"%s\",\"timestamp\":\"%s\",\"payload\":%s,"
                     "\"prev_hash\":\"%s\"}",
                     ev[i].seq, ev[i].type, ev[i].actor, ev[i].ts, ev[i].payload, prev);
            if (a == 0 && i == 0)
                CHECK(canon_eq(
                    in, PROVA_PROFILE_JCS,
                    "{\"actor_id\":\"octocat\",\"event_type\":\"code_pushed\",\"payload\":{\"commits\":1,\"ref\":"
                    "\"refs/heads/"
                    "main\"},\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                    "\"seq\":1,\"timestamp\":\"2026-03-20T10:00:00.000Z\"}"));
            char hex[2 * PROVA_HASH_MAX_BYTES + 1];
            hash_hex_of(alg, in, PROVA_PROFILE_JCS, hex);
            CHECK_MSG(strcmp(hex, oe_expect[a][i]) == 0, "oe_spec %s e%d = %s", oe_algs[a], i + 1, hex);
            strcat(concat, hex);
            strcpy(prev, hex);
        }
        char chain[2 * PROVA_HASH_MAX_BYTES + 1];
        CHECK(prova_hash_compute_hex(alg, concat, strlen(concat), chain) == 0);
        CHECK_MSG(strcmp(chain, oe_expect[a][3]) == 0, "oe_spec %s chain = %s", oe_algs[a], chain);
    }

    /* §6.2: null actor → "system", timestamp normalized. */
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    hash_hex_of(PROVA_HASH_SHA256,
                "{\"seq\":1,\"event_type\":\"session_started\",\"actor_id\":\"system\",\"timestamp\":\"2026-03-20T10:"
                "00:00.123Z\","
                "\"payload\":{},\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
                PROVA_PROFILE_JCS, hex);
    CHECK_STR(hex, "f84da9d77d02554fd3272af808f9c152981feaa6f57245e82503bc35d976ac1d");
    /* Empty chain hash = H(""). */
    CHECK(prova_hash_compute_hex(PROVA_HASH_SHA256, "", 0, hex) == 0);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void oe_spec_jcs_edges(void) {
    CHECK(canon_eq("{\"k\":\"\xc3\xa9\"}", PROVA_PROFILE_JCS, "{\"k\":\"\xc3\xa9\"}"));
    CHECK(canon_eq("{\"\xf0\x9f\x98\x80\":1,\"\\uffff\":2,\"a\":3}", PROVA_PROFILE_JCS,
                   "{\"a\":3,\"\xf0\x9f\x98\x80\":1,\"\xef\xbf\xbf\":2}"));
    CHECK(canon_eq("{\"s\":\"line\\nbreak\\t\\u0001\\u007f\\\"\\\\/\"}", PROVA_PROFILE_JCS,
                   "{\"s\":\"line\\nbreak\\t\\u0001\x7f\\\"\\\\/\"}"));
    CHECK(canon_eq("[1.0,0.1,1e21,1e20,1e-7,0.000001,123456789.123,-0.0,5e-324,1.7976931348623157e308]",
                   PROVA_PROFILE_JCS,
                   "[1,0.1,1e+21,100000000000000000000,1e-7,0.000001,123456789.123,0,5e-324,1.7976931348623157e+308]"));
    CHECK(canon_eq("[9007199254740993,12345678901234567890]", PROVA_PROFILE_JCS,
                   "[9007199254740992,12345678901234567000]"));
    CHECK(canon_eq("{\"u\":\"\\u2028\\u2029\"}", PROVA_PROFILE_JCS, "{\"u\":\"\xe2\x80\xa8\xe2\x80\xa9\"}"));
}

static void oe_spec_certificate(void) {
    const char *cert =
        "{\"artifact_ref\":\"octocat/hello-world\",\"artifact_title\":\"Hello World repository "
        "audit\",\"artifact_type\":"
        "\"repository\",\"chain_created_at\":\"2026-03-20T09:59:59.000Z\",\"chain_hash\":"
        "\"d5756aae5c39c56d6489e2e2841d2268cf"
        "30a51afc2018fc65bfd6bfad23cdfd\",\"chain_id\":\"11111111-2222-4333-8444-555555555555\",\"chain_resolved_at\":"
        "\"2026-"
        "03-20T11:05:00.000Z\",\"chain_type\":\"resource_audit\",\"event_count\":3,\"events\":[{\"actor_id\":"
        "\"octocat\","
        "\"event_type\":\"code_pushed\",\"sentiment\":\"neutral\",\"seq\":1},{\"actor_id\":\"octocat\",\"event_type\":"
        "\"pr_opened\","
        "\"sentiment\":\"neutral\",\"seq\":2},{\"actor_id\":\"maintainer-bot\",\"event_type\":\"pr_merged\","
        "\"sentiment\":"
        "\"positive\",\"seq\":3}],\"issued_at\":\"2026-03-20T11:05:01.000Z\",\"origin_id\":\"octocat/hello-world\","
        "\"origin_type\":\"github\",\"version\":\"1.0\"}";
    CHECK(strlen(cert) == 751);
    CHECK(canon_eq(cert, PROVA_PROFILE_JCS, cert));
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    hash_hex_of(PROVA_HASH_SHA256, cert, PROVA_PROFILE_JCS, hex);
    CHECK_STR(hex, "fb98285ffdc1917bf8c1bfc098e4726fd920c7bccc17a984e47c0e8dae038096");
    uint8_t seed[32];
    size_t n = 0;
    CHECK(prova_hex_decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", 64, seed, 32, &n,
                           NULL) == 0);
    prova_key *key = NULL;
    CHECK(prova_key_from_ed25519_seed(seed, &key) == 0);
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t siglen = 0;
    CHECK(prova_key_sign(key, cert, strlen(cert), sig, &siglen) == 0 && siglen == 64);
    char sighex[2 * PROVA_SIG_MAX_BYTES + 1];
    prova_hex_encode(sig, siglen, sighex, sizeof sighex);
    CHECK_STR(sighex,
              "e3e6797d5a9e03b508acc8a6d56f410d31baf15c3315865afcd0e82680e350e591780c70608ccce6cfbf877ee684bfae1d48"
              "42d1752be8fe18afd0859cf39500");
    prova_key_free(key);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_vectors DATA_DIR\n");
        return 2;
    }
    data_dir = argv[1];
    rfc8785_reference_data();
    jsontestsuite();
    ophamin_canonical_fixtures();
    ophamin_canonical_extra();
    odin_vectors();
    oe_spec_event_hashes();
    oe_spec_jcs_edges();
    oe_spec_certificate();
    TEST_SUMMARY();
}
