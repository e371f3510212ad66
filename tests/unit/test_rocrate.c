/* RO-Crate metadata and the store-only zip writer (include/prova/rocrate.h). Expected values: the CRC-32 check
 * value of the zip/gzip CRC ("123456789" -> 0xCBF43926), APPNOTE's header layout and DOS time fields, the
 * reference's strings (ophamin.md §10) and Python's json.dumps escapes for what the reference writes (NaN, a lone
 * surrogate as \ud800, U+2014 as \u2014). The byte-for-byte comparison with a Python reimplementation of the
 * reference is in tests/cli/test_rocrate_cli.sh. */
#include <stdlib.h>

#include "harness.h"
#include "prova/interop.h"
#include "prova/rocrate.h"

static uint32_t rd16(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t rd32(const uint8_t *p) {
    return rd16(p) | rd16(p + 2) << 16;
}

static bool contains(const prova_buf *b, const char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; n <= b->len && i <= b->len - n; i++)
        if (memcmp(b->data + i, s, n) == 0) return true;
    return false;
}

static void test_crc32(void) {
    CHECK(prova_zip_crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(prova_zip_crc32(0, "", 0) == 0);
    CHECK(prova_zip_crc32(prova_zip_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u);
    CHECK(prova_zip_crc32(0, "a", 1) == 0xE8B7BE43u); /* zlib.crc32(b"a") */
}

static void test_zip(void) {
    prova_zip_entry e[2] = {{"ro-crate-metadata.json", "{}", 2}, {"dir/caf\xc3\xa9.json", "123456789", 9}};
    prova_buf z = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_buf_append(&z, "pre", 3) == 0); /* offsets are relative to the archive */
    CHECK(prova_zip_write(e, 2, 1772600768 /* 2026-03-04T05:06:08Z */, &z, &err) == 0);
    const uint8_t *a = z.data + 3;
    size_t n = z.len - 3;
    CHECK(n == 30 + 22 + 2 + 30 + 14 + 9 + 46 + 22 + 46 + 14 + 22);
    /* First local header. */
    CHECK(rd32(a) == 0x04034b50u && rd16(a + 4) == 10 && rd16(a + 6) == 0 && rd16(a + 8) == 0);
    CHECK(rd16(a + 10) == (5u << 11 | 6u << 5 | 4u) && rd16(a + 12) == (46u << 9 | 3u << 5 | 4u));
    CHECK(rd32(a + 14) == prova_zip_crc32(0, "{}", 2) && rd32(a + 18) == 2 && rd32(a + 22) == 2 && rd16(a + 26) == 22);
    /* Second: the UTF-8 flag, the CRC check value. */
    const uint8_t *b = a + 30 + 22 + 2;
    CHECK(rd32(b) == 0x04034b50u && rd16(b + 6) == 0x0800 && rd32(b + 14) == 0xCBF43926u);
    CHECK(memcmp(b + 30, "dir/caf\xc3\xa9.json", 14) == 0 && memcmp(b + 44, "123456789", 9) == 0);
    /* End record: two entries, the central directory where it says. */
    const uint8_t *eocd = a + n - 22;
    CHECK(rd32(eocd) == 0x06054b50u && rd16(eocd + 8) == 2 && rd16(eocd + 10) == 2);
    uint32_t cdoff = rd32(eocd + 16), cdsize = rd32(eocd + 12);
    CHECK(cdoff == 30 + 22 + 2 + 30 + 14 + 9 && cdsize == 46 + 22 + 46 + 14);
    const uint8_t *c = a + cdoff;
    CHECK(rd32(c) == 0x02014b50u && rd32(c + 42) == 0 && rd32(c + 38) == 0100644u << 16);
    const uint8_t *c2 = c + 46 + 22;
    CHECK(rd32(c2) == 0x02014b50u && rd32(c2 + 42) == 30 + 22 + 2 && rd16(c2 + 8) == 0x0800);
    /* Deterministic. */
    prova_buf z2 = PROVA_BUF_INIT;
    CHECK(prova_zip_write(e, 2, 1772600768, &z2, NULL) == 0);
    CHECK(z2.len == n && memcmp(z2.data, a, n) == 0);
    prova_buf_free(&z2);
    /* Times before 1980 are clamped to 1980-01-01 00:00:00; after 2107 to 2107-12-31 23:59:58. */
    prova_buf z3 = PROVA_BUF_INIT;
    CHECK(prova_zip_write(e, 1, 0, &z3, NULL) == 0);
    CHECK(rd16(z3.data + 10) == 0 && rd16(z3.data + 12) == (0u << 9 | 1u << 5 | 1u));
    z3.len = 0;
    CHECK(prova_zip_write(e, 1, INT64_MAX, &z3, NULL) == 0);
    CHECK(rd16(z3.data + 10) == (23u << 11 | 59u << 5 | 29u) && rd16(z3.data + 12) == (127u << 9 | 12u << 5 | 31u));
    prova_buf_free(&z3);

    /* Refused names; the buffer is left as it was. */
    static const char *const badnames[] = {"",   "/abs", "a/../b", "..",      "a//b",         "./a",
                                           "a/", "a\\b", "C:x",    "bad\xff", "\xed\xa0\x80", "a/./b"};
    size_t before = z.len;
    for (size_t i = 0; i < sizeof badnames / sizeof badnames[0]; i++) {
        prova_zip_entry bad[2] = {{"ok.json", "x", 1}, {badnames[i], "x", 1}};
        int rc = prova_zip_write(bad, 2, 0, &z, &err);
        CHECK_MSG(rc == PROVA_EINVAL && strcmp(err.reason, "zip_name_invalid") == 0 && strcmp(err.pointer, "/1") == 0,
                  "name %zu", i);
        CHECK(z.len == before);
    }
    prova_zip_entry dup[2] = {{"a.json", "x", 1}, {"a.json", "y", 1}};
    CHECK(prova_zip_write(dup, 2, 0, &z, &err) == PROVA_EINVAL && strcmp(err.reason, "zip_name_duplicate") == 0);
    CHECK(prova_zip_write(dup, 0, 0, &z, &err) == PROVA_EINVAL && strcmp(err.reason, "zip_no_entries") == 0);
    CHECK(prova_zip_write(NULL, 1, 0, &z, &err) == PROVA_EINVAL);
    CHECK(z.len == before);
    prova_buf_free(&z);
}

static const char MIN[] =
    "{\"claim\":{\"h0\":\"H0\",\"h1\":\"H1\",\"operationalization\":\"O\",\"statement\":\"%s\",\"threshold\":"
    "{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}},\"data\":"
    "{\"datasets\":[{\"content_hash\":\"h\",\"kind\":\"corpus\",\"n_records\":30,\"name\":\"ds\",\"source\":\"\"}],"
    "\"substrate_git_commit\":\"abc\",\"substrate_name\":\"mock\"},\"evidence\":[],\"identity\":{\"created_at\":"
    "\"2026-01-01T00:00:01+00:00\",\"ophamin_git_commit\":\"\",\"ophamin_version\":\"%s\"},\"preregistration\":{},"
    "\"provenance\":{},\"reproduction\":{\"command\":\"cmd\",\"environment\":{},\"lineage_chain\":[]},"
    "\"schema_version\":\"1.0\",\"verdict\":{\"observed_value\":%s,\"outcome\":\"VALIDATED\",\"reasoning\":\"r\","
    "\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}}}";

static int meta_of(const char *statement, const char *version, const char *observed, const char *fname, prova_buf *out,
                   prova_error *err) {
    char text[2048];
    snprintf(text, sizeof text, MIN, statement, version, observed);
    prova_doc *doc = NULL;
    int rc = prova_record_parse(text, strlen(text), NULL, &doc, err);
    if (rc < 0) return rc;
    rc = prova_rocrate_metadata(prova_doc_root(doc), NULL, 0, fname, out, err);
    prova_doc_free(doc);
    return rc;
}

static void test_metadata(void) {
    prova_buf m = PROVA_BUF_INIT;
    prova_error err;
    CHECK(meta_of(" S ", "0.9.9", "0.0", NULL, &m, &err) == 0);
    CHECK(m.len > 2 && m.data[0] == '{' && m.data[m.len - 1] == '}'); /* no trailing newline */
    CHECK(contains(&m, "{\n  \"@context\": \"https://w3id.org/ro/crate/1.2/context\",\n  \"@graph\": [\n    {\n"));
    CHECK(contains(&m, "\"description\": \"Self-contained empirical observation of: S \\u2014 Verdict: VALIDATED.\""));
    CHECK(contains(&m, "\"softwareVersion\": \"0.9.9\""));
    CHECK(contains(&m, "\"mainEntity\": {\n        \"@id\": \"proof.json\"\n      }"));
    CHECK(contains(&m, "sections 1\\u20138"));
    CHECK(contains(&m, "\"value\": 0.0\n"));
    /* The empty ophamin_version falls back to prova's version; an integer observed_value becomes a float (the
       reference's dataclass coerces it); NaN and a lone surrogate are written as Python writes them. */
    m.len = 0;
    CHECK(meta_of("\\ud800x", "", "3", "sub/p.json", &m, &err) == 0);
    CHECK(contains(&m, "\"softwareVersion\": \"" PROVA_VERSION_STRING "\""));
    CHECK(contains(&m, "\"value\": 3.0\n"));
    CHECK(contains(&m, "observation of: \\ud800x \\u2014"));
    CHECK(contains(&m, "\"@id\": \"sub/p.json\""));
    m.len = 0;
    CHECK(meta_of("S", "1", "NaN", NULL, &m, &err) == 0);
    CHECK(contains(&m, "\"value\": NaN\n"));

    /* Bad file names and records leave the buffer alone. */
    CHECK(prova_buf_append(&m, "x", 1) == 0);
    size_t before = m.len;
    static const char *const bad[] = {"", "/abs.json", "../up.json", "a/../b.json", "a/.."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_MSG(meta_of("S", "1", "0.0", bad[i], &m, &err) == PROVA_EINVAL &&
                      strcmp(err.reason, "rocrate_filename_invalid") == 0,
                  "%s", bad[i]);
        CHECK(m.len == before);
    }
    CHECK(meta_of("S", "1", "0.0", "bad\xff.json", &m, &err) == PROVA_ESYNTAX);
    CHECK(meta_of("S", "1", "\"zero\"", NULL, &m, &err) == PROVA_ESYNTAX &&
          strcmp(err.reason, "rocrate_field_invalid") == 0 && strcmp(err.pointer, "/verdict/observed_value") == 0);
    CHECK(m.len == before);
    prova_doc *doc = NULL;
    CHECK(prova_json_parse("{\"a\":1}", 7, NULL, &doc, NULL) == 0);
    CHECK(prova_rocrate_metadata(prova_doc_root(doc), NULL, 0, NULL, &m, &err) == PROVA_EINVAL &&
          strcmp(err.reason, "record_unknown_kind") == 0);
    CHECK(prova_rocrate_metadata(prova_doc_root(doc), NULL, 5, NULL, &m, &err) == PROVA_EINVAL);
    CHECK(prova_rocrate_metadata(NULL, NULL, 0, NULL, &m, &err) == PROVA_EINVAL);
    CHECK(m.len == before);
    prova_doc_free(doc);
    prova_buf_free(&m);

    CHECK_STR(prova_rocrate_filename("proof_record", true), "proof.json");
    CHECK_STR(prova_rocrate_filename("ope_envelope", false), "ope_envelope.json");
    CHECK_STR(prova_rocrate_filename("ope_receipt_chain", true), "ope_receipt_chain.jsonl");
    CHECK_STR(prova_rocrate_filename("oe_bundle", false), "oe_bundle.json");
    CHECK(prova_rocrate_filename("nope", false) == NULL && prova_rocrate_filename(NULL, false) == NULL);
}

int main(void) {
    test_crc32();
    test_zip();
    test_metadata();
    TEST_SUMMARY();
}
