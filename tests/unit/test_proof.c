/* Unit tests for Ophamin proof records (src/lib/proof/): every proof-record vector of reference/ophamin.md §4.1-§4.3,
 * the reference's verify_proof_impl answer byte for byte, sign_key_b64 as CPython 3.11 decodes it, and the unified
 * report: one reason code per record.validate() item, schema, proof_id, signature and attestation.
 *
 * §4.1/§4.2 the five canonical-form fixtures (exact bytes, HMAC under the test key, SHA-256 as proof_id) and the
 * simple fixture under the default key; §4.3 {"x":30,"y":30.0}, {}, and the minimal full proof (1062-byte body,
 * proof_id 80e22386..., signature 2e31eabe...). Expected verify_impl answers, signed records and the Ed25519
 * attestation (RFC 8032 test-1 seed, deterministic) were computed with an independent Python implementation of the
 * reference (tests/diff/proof_cross.py holds the same code).
 * Prints one line per failure and "N passed, M failed" last. */
#define _GNU_SOURCE /* strstr etc. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "prova/ope.h"
#include "prova/proof.h"
#include "prova/report.h"
#include "prova/verify.h"
#include "report_query.h"

#define TEST_KEY        "ophamin-canonical-test-key-v1"
#define DEFAULT_KEY_B64 "b3BoYW1pbi1zY2VuYXJpby1wcm9vZi1rZXk="

#include "proof_fixture.h"

static const uint8_t RFC8032_SEED[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                         0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                         0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

static const char MIN_DISK[] =
    "{\n  \"proof_id\": \"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac\",\n  \"sc"
    "hema_version\": \"1.0\",\n  \"identity\": {\n    \"ophamin_version\": \"0.1.0\",\n    \"ophamin_"
    "git_commit\": \"\",\n    \"created_at\": \"2026-01-01T00:00:01+00:00\"\n  },\n  \"claim\": {\n  "
    "  \"statement\": \"S\",\n    \"operationalization\": \"O\",\n    \"threshold\": {\n      \"metri"
    "c\": \"max_abs_diff\",\n      \"comparator\": \"<=\",\n      \"value\": 1e-09,\n      \"units\":"
    " \"correlation\"\n    },\n    \"h0\": \"H0\",\n    \"h1\": \"H1\"\n  },\n  \"preregistration\": "
    "{\n    \"config_hash\": \"c\",\n    \"data_hash\": \"d\",\n    \"analysis_plan\": \"\",\n    \"s"
    "weep_grid\": {},\n    \"preregistered_at\": \"2026-01-01T00:00:00+00:00\"\n  },\n  \"data\": {\n"
    "    \"substrate_name\": \"mock\",\n    \"substrate_git_commit\": \"abc\",\n    \"datasets\": [\n"
    "      {\n        \"name\": \"ds\",\n        \"content_hash\": \"h\",\n        \"n_records\": 30,"
    "\n        \"source\": \"\",\n        \"kind\": \"corpus\"\n      }\n    ]\n  },\n  \"evidence\":"
    " [\n    {\n      \"pillar\": \"p\",\n      \"statistic_name\": \"max_abs_diff\",\n      \"statis"
    "tic_value\": 0.0,\n      \"library\": \"scipy\",\n      \"library_version\": \"1.0\",\n      \"e"
    "ffect_size\": null,\n      \"ci_low\": null,\n      \"ci_high\": null,\n      \"p_value\": null,"
    "\n      \"cross_check\": \"n/a\",\n      \"detail\": {}\n    }\n  ],\n  \"verdict\": {\n    \"ou"
    "tcome\": \"VALIDATED\",\n    \"observed_value\": 0.0,\n    \"threshold\": {\n      \"metric\": "
    "\"max_abs_diff\",\n      \"comparator\": \"<=\",\n      \"value\": 1e-09,\n      \"units\": \"co"
    "rrelation\"\n    },\n    \"reasoning\": \"r\"\n  },\n  \"reproduction\": {\n    \"command\": \"c"
    "md\",\n    \"environment\": {\n      \"python\": \"3.12.0\"\n    },\n    \"lineage_chain\": []\n"
    "  },\n  \"provenance\": {},\n  \"signature\": \"2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe"
    "4d56f2d84ba6b470\"\n}";

static const char MIN_SIGNED[] =
    "{\"proof_id\":\"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac\",\"schema_vers"
    "ion\":\"1.0\",\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\",\"ophamin_git_commit\":"
    "\"\",\"ophamin_version\":\"0.1.0\"},\"claim\":{\"h0\":\"H0\",\"h1\":\"H1\",\"operationalization"
    "\":\"O\",\"statement\":\"S\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\""
    "units\":\"correlation\",\"value\":1e-09}},\"preregistration\":{\"analysis_plan\":\"\",\"config_h"
    "ash\":\"c\",\"data_hash\":\"d\",\"preregistered_at\":\"2026-01-01T00:00:00+00:00\",\"sweep_grid"
    "\":{}},\"data\":{\"datasets\":[{\"content_hash\":\"h\",\"kind\":\"corpus\",\"n_records\":30,\"na"
    "me\":\"ds\",\"source\":\"\"}],\"substrate_git_commit\":\"abc\",\"substrate_name\":\"mock\"},\"ev"
    "idence\":[{\"ci_high\":null,\"ci_low\":null,\"cross_check\":\"n/a\",\"detail\":{},\"effect_size"
    "\":null,\"library\":\"scipy\",\"library_version\":\"1.0\",\"p_value\":null,\"pillar\":\"p\",\"st"
    "atistic_name\":\"max_abs_diff\",\"statistic_value\":0.0}],\"verdict\":{\"observed_value\":0.0,\""
    "outcome\":\"VALIDATED\",\"reasoning\":\"r\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"ma"
    "x_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}},\"reproduction\":{\"command\":\"cmd\","
    "\"environment\":{\"python\":\"3.12.0\"},\"lineage_chain\":[]},\"provenance\":{},\"signature\":\""
    "2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470\"}";

static const char MIN_ATTESTED[] =
    "{\"proof_id\":\"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac\",\"schema_vers"
    "ion\":\"1.0\",\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\",\"ophamin_git_commit\":"
    "\"\",\"ophamin_version\":\"0.1.0\"},\"claim\":{\"h0\":\"H0\",\"h1\":\"H1\",\"operationalization"
    "\":\"O\",\"statement\":\"S\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\""
    "units\":\"correlation\",\"value\":1e-09}},\"preregistration\":{\"analysis_plan\":\"\",\"config_h"
    "ash\":\"c\",\"data_hash\":\"d\",\"preregistered_at\":\"2026-01-01T00:00:00+00:00\",\"sweep_grid"
    "\":{}},\"data\":{\"datasets\":[{\"content_hash\":\"h\",\"kind\":\"corpus\",\"n_records\":30,\"na"
    "me\":\"ds\",\"source\":\"\"}],\"substrate_git_commit\":\"abc\",\"substrate_name\":\"mock\"},\"ev"
    "idence\":[{\"ci_high\":null,\"ci_low\":null,\"cross_check\":\"n/a\",\"detail\":{},\"effect_size"
    "\":null,\"library\":\"scipy\",\"library_version\":\"1.0\",\"p_value\":null,\"pillar\":\"p\",\"st"
    "atistic_name\":\"max_abs_diff\",\"statistic_value\":0.0}],\"verdict\":{\"observed_value\":0.0,\""
    "outcome\":\"VALIDATED\",\"reasoning\":\"r\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"ma"
    "x_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}},\"reproduction\":{\"command\":\"cmd\","
    "\"environment\":{\"python\":\"3.12.0\"},\"lineage_chain\":[]},\"provenance\":{},\"signature\":\""
    "2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470\",\"attestation\":{\"author\":"
    "\"idir\",\"algorithm\":\"ed25519\",\"public_key\":\"d75a980182b10ab7d54bfed3c964073a0ee172f3daa6"
    "2325af021a68f707511a\",\"signature\":\"bbe258e37df065445ea107f10f71494360c8b18eeba1720113021aa50"
    "1bb96eb263c71c7d027af552adb94f5adaa95bbfbd5fdc46915fd8a010582a127b2980d\"}}";

static const char IMPL_VALID[] =
    "{\"verified\":true,\"proof_id\":\"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189"
    "ac\",\"schema_version\":\"1.0\",\"attested\":false,\"attestation_author\":\"\",\"attestation_ver"
    "ified\":false,\"verdict\":{\"outcome\":\"VALIDATED\",\"observed_value\":0.0,\"reasoning\":\"r\","
    "\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"val"
    "ue\":1e-09}},\"claim_statement\":\"S\",\"framework_versions\":{\"ophamin_version_in_record\":\"0"
    ".1.0\",\"ophamin_version_in_server\":\"0.63.0\"}}";

static const char IMPL_TAMPERED[] =
    "{\"verified\":false,\"proof_id\":\"87f97a43022ebe64b03b812b4febfa9e8dff97462e3013738a857a504e486"
    "ac7\",\"schema_version\":\"1.0\",\"attested\":false,\"attestation_author\":\"\",\"attestation_ve"
    "rified\":false,\"verdict\":{\"outcome\":\"VALIDATED\",\"observed_value\":0.0,\"reasoning\":\"tam"
    "pered\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation"
    "\",\"value\":1e-09}},\"claim_statement\":\"S\",\"framework_versions\":{\"ophamin_version_in_reco"
    "rd\":\"0.1.0\",\"ophamin_version_in_server\":\"0.63.0\"}}";

static const char IMPL_WRONG_KEY[] =
    "{\"verified\":false,\"proof_id\":\"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e18"
    "9ac\",\"schema_version\":\"1.0\",\"attested\":false,\"attestation_author\":\"\",\"attestation_ve"
    "rified\":false,\"verdict\":{\"outcome\":\"VALIDATED\",\"observed_value\":0.0,\"reasoning\":\"r\""
    ",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"va"
    "lue\":1e-09}},\"claim_statement\":\"S\",\"framework_versions\":{\"ophamin_version_in_record\":\""
    "0.1.0\",\"ophamin_version_in_server\":\"0.63.0\"}}";

static const char IMPL_ATTESTED[] =
    "{\"verified\":true,\"proof_id\":\"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189"
    "ac\",\"schema_version\":\"1.0\",\"attested\":true,\"attestation_author\":\"idir\",\"attestation_"
    "verified\":true,\"verdict\":{\"outcome\":\"VALIDATED\",\"observed_value\":0.0,\"reasoning\":\"r"
    "\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\""
    "value\":1e-09}},\"claim_statement\":\"S\",\"framework_versions\":{\"ophamin_version_in_record\":"
    "\"0.1.0\",\"ophamin_version_in_server\":\"0.63.0\"}}";

static const char IMPL_ATTESTED_TAMPERED[] =
    "{\"verified\":false,\"proof_id\":\"87f97a43022ebe64b03b812b4febfa9e8dff97462e3013738a857a504e486"
    "ac7\",\"schema_version\":\"1.0\",\"attested\":true,\"attestation_author\":\"idir\",\"attestation"
    "_verified\":false,\"verdict\":{\"outcome\":\"VALIDATED\",\"observed_value\":0.0,\"reasoning\":\""
    "tampered\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlat"
    "ion\",\"value\":1e-09}},\"claim_statement\":\"S\",\"framework_versions\":{\"ophamin_version_in_r"
    "ecord\":\"0.1.0\",\"ophamin_version_in_server\":\"0.63.0\"}}";

static const char IMPL_EMPTY[] =
    "{\"verified\":false,\"proof_id\":\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaf"
    "f8a\",\"schema_version\":\"\",\"attested\":false,\"attestation_author\":\"\",\"attestation_verif"
    "ied\":false,\"verdict\":{\"outcome\":\"\",\"observed_value\":null,\"reasoning\":\"\",\"threshold"
    "\":{}},\"claim_statement\":\"\",\"framework_versions\":{\"ophamin_version_in_record\":\"\",\"oph"
    "amin_version_in_server\":\"0.63.0\"}}";

static const struct {
    const char *in, *out;
} impl_edges[] = {
    {"{\"verdict\":\"x\",\"claim\":{},\"identity\":{\"ophamin_version\":7},\"schema_version\":5,\""
     "signature\":5}",
     "{\"verified\":false,\"proof_id\":\"8b2b0e785127dbabfb675d044cde47a74aa607361621d1d7bd43fd2eb"
     "0fd250e\",\"schema_version\":5,\"attested\":false,\"attestation_author\":\"\",\"attestation_"
     "verified\":false,\"verdict\":{\"outcome\":\"\",\"observed_value\":null,\"reasoning\":\"\",\""
     "threshold\":{}},\"claim_statement\":\"\",\"framework_versions\":{\"ophamin_version_in_record"
     "\":7,\"ophamin_version_in_server\":\"0.63.0\"}}"},
    {"{\"verdict\":{\"threshold\":null,\"observed_value\":NaN,\"outcome\":[\"a\"]},\"attestation\""
     ":\"x\",\"claim\":{\"statement\":\"caf\\u00e9 \\ud83d\\ude80\"}}",
     "{\"verified\":false,\"proof_id\":\"ab09d4627e370864663cf6db5e87a8fcee2b065830714e14687049e9e"
     "cc3f249\",\"schema_version\":\"\",\"attested\":true,\"attestation_author\":\"\",\"attestatio"
     "n_verified\":false,\"verdict\":{\"outcome\":[\"a\"],\"observed_value\":NaN,\"reasoning\":\""
     "\",\"threshold\":null},\"claim_statement\":\"caf\\u00e9 \\ud83d\\ude80\",\"framework_version"
     "s\":{\"ophamin_version_in_record\":\"\",\"ophamin_version_in_server\":\"0.63.0\"}}"},
    {"{\"proof_id\":\"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac\",\"schema_"
     "version\":\"1.0\",\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\",\"ophamin_git_c"
     "ommit\":\"\",\"ophamin_version\":\"0.1.0\"},\"claim\":{\"h0\":\"H0\",\"h1\":\"H1\",\"operati"
     "onalization\":\"O\",\"statement\":\"S\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"ma"
     "x_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}},\"preregistration\":{\"analysis_pla"
     "n\":\"\",\"config_hash\":\"c\",\"data_hash\":\"d\",\"preregistered_at\":\"2026-01-01T00:00:0"
     "0+00:00\",\"sweep_grid\":{}},\"data\":{\"datasets\":[{\"content_hash\":\"h\",\"kind\":\"corp"
     "us\",\"n_records\":30,\"name\":\"ds\",\"source\":\"\"}],\"substrate_git_commit\":\"abc\",\"s"
     "ubstrate_name\":\"mock\"},\"evidence\":[{\"ci_high\":null,\"ci_low\":null,\"cross_check\":\""
     "n/a\",\"detail\":{},\"effect_size\":null,\"library\":\"scipy\",\"library_version\":\"1.0\","
     "\"p_value\":null,\"pillar\":\"p\",\"statistic_name\":\"max_abs_diff\",\"statistic_value\":0."
     "0}],\"verdict\":{\"observed_value\":0.0,\"outcome\":\"VALIDATED\",\"reasoning\":\"r\",\"thre"
     "shold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"value"
     "\":1e-09}},\"reproduction\":{\"command\":\"cmd\",\"environment\":{\"python\":\"3.12.0\"},\"l"
     "ineage_chain\":[]},\"provenance\":{},\"signature\":\"2e31eabe3e9c321f55226178da9cf7a4a11740f"
     "98911bcfe4d56f2d84ba6b470\",\"attestation\":{\"algorithm\":\"ed25519\",\"author\":\"idir\","
     "\"public_key\":\"\\nD7 5A 98 01 82 B1 0A B7 D5 4B FE D3 C9 64 07 3A 0E E1 72 F3 DA A6 23 25 "
     "AF 02 1A 68 F7 07 51 1A \",\"signature\":\"bbe258e37df065445ea107f10f71494360c8b18eeba172011"
     "3021aa501bb96eb263c71c7d027af552adb94f5adaa95bbfbd5fdc46915fd8a010582a127b2980d\"}}",
     "{\"verified\":true,\"proof_id\":\"80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0"
     "e189ac\",\"schema_version\":\"1.0\",\"attested\":true,\"attestation_author\":\"idir\",\"atte"
     "station_verified\":true,\"verdict\":{\"outcome\":\"VALIDATED\",\"observed_value\":0.0,\"reas"
     "oning\":\"r\",\"threshold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"c"
     "orrelation\",\"value\":1e-09}},\"claim_statement\":\"S\",\"framework_versions\":{\"ophamin_v"
     "ersion_in_record\":\"0.1.0\",\"ophamin_version_in_server\":\"0.63.0\"}}"},
    {"{\"attestation\":{},\"verdict\":[]}",
     "{\"verified\":false,\"proof_id\":\"7cc9f5e0141e613ae1bf927d213c4839b24b59f873f9bcf069767e470"
     "b0e6248\",\"schema_version\":\"\",\"attested\":false,\"attestation_author\":\"\",\"attestati"
     "on_verified\":false,\"verdict\":{\"outcome\":\"\",\"observed_value\":null,\"reasoning\":\"\""
     ",\"threshold\":{}},\"claim_statement\":\"\",\"framework_versions\":{\"ophamin_version_in_rec"
     "ord\":\"\",\"ophamin_version_in_server\":\"0.63.0\"}}"},
    {"{\"attestation\":{\"author\":null,\"algorithm\":\"ed25519\"}}",
     "{\"verified\":false,\"proof_id\":\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61"
     "caaff8a\",\"schema_version\":\"\",\"attested\":true,\"attestation_author\":null,\"attestatio"
     "n_verified\":false,\"verdict\":{\"outcome\":\"\",\"observed_value\":null,\"reasoning\":\"\","
     "\"threshold\":{}},\"claim_statement\":\"\",\"framework_versions\":{\"ophamin_version_in_reco"
     "rd\":\"\",\"ophamin_version_in_server\":\"0.63.0\"}}"},
    {"{\"verdict\":{},\"claim\":null,\"identity\":null}",
     "{\"verified\":false,\"proof_id\":\"b82a98f10d50a051cdab03fe0d4a0eb0e616085a68ec91f3dc5b1196b"
     "637e637\",\"schema_version\":\"\",\"attested\":false,\"attestation_author\":\"\",\"attestati"
     "on_verified\":false,\"verdict\":{\"outcome\":\"\",\"observed_value\":null,\"reasoning\":\"\""
     ",\"threshold\":{}},\"claim_statement\":\"\",\"framework_versions\":{\"ophamin_version_in_rec"
     "ord\":\"\",\"ophamin_version_in_server\":\"0.63.0\"}}"},
    {"{\"schema_version\":\"\\ud800\",\"verdict\":{\"observed_value\":1234567890123456789012345678"
     "90,\"outcome\":\"VALIDATED\"}}",
     "{\"verified\":false,\"proof_id\":\"c3c0faf3481c6be281b0735fd871dc2e8ca1f3358e1de40f2f82ad4b2"
     "da07246\",\"schema_version\":\"\\ud800\",\"attested\":false,\"attestation_author\":\"\",\"at"
     "testation_verified\":false,\"verdict\":{\"outcome\":\"VALIDATED\",\"observed_value\":1234567"
     "89012345678901234567890,\"reasoning\":\"\",\"threshold\":{}},\"claim_statement\":\"\",\"fram"
     "ework_versions\":{\"ophamin_version_in_record\":\"\",\"ophamin_version_in_server\":\"0.63.0"
     "\"}}"},
    {"{\"verdict\":{\"observed_value\":1E5,\"reasoning\":-0,\"threshold\":{\"b\":1.50,\"a\":[1e400"
     "]}}}",
     "{\"verified\":false,\"proof_id\":\"1450b2f6c863b46499b6bd8fff2207f6abe456119d93d98d7609b0dfb"
     "8a8e7a5\",\"schema_version\":\"\",\"attested\":false,\"attestation_author\":\"\",\"attestati"
     "on_verified\":false,\"verdict\":{\"outcome\":\"\",\"observed_value\":100000.0,\"reasoning\":"
     "0,\"threshold\":{\"a\":[Infinity],\"b\":1.5}},\"claim_statement\":\"\",\"framework_versions"
     "\":{\"ophamin_version_in_record\":\"\",\"ophamin_version_in_server\":\"0.63.0\"}}"},
    {"{\"signature\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"verdic"
     "t\":0}",
     "{\"verified\":false,\"proof_id\":\"46a25034d119043326d41133cb9259a55723869b6ec483adb429cad9d"
     "bda1ffd\",\"schema_version\":\"\",\"attested\":false,\"attestation_author\":\"\",\"attestati"
     "on_verified\":false,\"verdict\":{\"outcome\":\"\",\"observed_value\":null,\"reasoning\":\"\""
     ",\"threshold\":{}},\"claim_statement\":\"\",\"framework_versions\":{\"ophamin_version_in_rec"
     "ord\":\"\",\"ophamin_version_in_server\":\"0.63.0\"}}"},
};
/* ---- helpers -------------------------------------------------------------------------------------------------- */

static prova_doc *parse(const char *s) {
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    prova_doc *d = NULL;
    prova_error err;
    if (prova_json_parse(s, strlen(s), &po, &d, &err) < 0) {
        fprintf(stderr, "parse failed: %s at %zu: %.200s\n", err.message, err.offset, s);
        return NULL;
    }
    return d;
}

static bool buf_is(const prova_buf *b, const char *s) {
    size_t n = strlen(s);
    return b->len == n && memcmp(b->data, s, n) == 0;
}

#define CHECK_BUF(b, s)                                                                                                \
    CHECK_MSG(buf_is((b), (s)), "got %.*s\nwant %s", (int)(b)->len, (b)->data ? (const char *)(b)->data : "", (s))

/* s with the first occurrence of from replaced by to (malloc'd). */
static char *replace(const char *s, const char *from, const char *to) {
    const char *p = strstr(s, from);
    if (!p) {
        fprintf(stderr, "replace: '%s' not found\n", from);
        return NULL;
    }
    size_t a = (size_t)(p - s), fl = strlen(from), tl = strlen(to), n = strlen(s);
    char *o = malloc(n - fl + tl + 1);
    memcpy(o, s, a);
    memcpy(o + a, to, tl);
    memcpy(o + a + tl, p + fl, n - a - fl + 1);
    return o;
}

/* Signs text (a record) under key (NULL: default), optionally attested; returns the signed record (malloc'd). */
static char *sign_text(const char *text, const char *key, const prova_key *ak) {
    prova_doc *d = parse(text);
    if (!d) return NULL;
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    int rc = prova_proof_sign(prova_doc_root(d), (const uint8_t *)key, key ? strlen(key) : 0, ak, ak ? "idir" : NULL,
                              &out, &err);
    prova_doc_free(d);
    if (rc < 0) {
        fprintf(stderr, "sign failed: %s\n", err.reason);
        prova_buf_free(&out);
        return NULL;
    }
    char *s = malloc(out.len + 1);
    memcpy(s, out.data, out.len);
    s[out.len] = '\0';
    prova_buf_free(&out);
    return s;
}

static prova_report *verify_text(const char *text, const prova_verify_options *o) {
    prova_doc *d = parse(text);
    if (!d) return NULL;
    prova_report *r = prova_report_new("unknown");
    int rc = prova_proof_verify_doc(prova_doc_root(d), o, r);
    prova_doc_free(d);
    if (rc < 0) return prova_report_free(r);
    return r;
}

static size_t failures(const prova_report *r) {
    size_t n = 0;
    for (size_t i = 0; i < prova_report_check_count(r); i++) n += !prova_report_check_at(r, i)->ok;
    return n;
}

/* ---- §4.3 minimal full proof ---------------------------------------------------------------------------------- */

static void test_minimal_proof(void) {
    prova_doc *d = parse(MIN_DISK); /* the on-disk form: indent=2, to_dict() order, signature and proof_id */
    CHECK(d != NULL);
    if (!d) return;
    const prova_json *rec = prova_doc_root(d);
    prova_buf b = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_proof_body(rec, &b, &err) == 0);
    CHECK(b.len == 1062);
    CHECK_BUF(&b, MIN_BODY);
    /* appends: a second body after existing bytes */
    CHECK(prova_proof_body(rec, &b, &err) == 0);
    CHECK(b.len == 2124 && memcmp(b.data + 1062, MIN_BODY, 1062) == 0);
    prova_buf_free(&b);

    char id[PROVA_PROOF_HEX_LEN + 1];
    CHECK(prova_proof_id(rec, id, &err) == 0);
    CHECK_STR(id, MIN_ID);

    /* signed under the default key: NULL/0 and the explicit 26 bytes agree */
    prova_buf s = PROVA_BUF_INIT;
    CHECK(prova_proof_sign(rec, NULL, 0, NULL, NULL, &s, &err) == 0);
    CHECK_BUF(&s, MIN_SIGNED);
    CHECK(strstr(MIN_SIGNED, "\"signature\":\"" MIN_SIG "\"") != NULL);
    s.len = 0;
    CHECK(prova_proof_sign(rec, (const uint8_t *)PROVA_PROOF_DEFAULT_KEY, PROVA_PROOF_DEFAULT_KEY_LEN, NULL, NULL, &s,
                           &err) == 0);
    CHECK_BUF(&s, MIN_SIGNED);
    CHECK(strlen(PROVA_PROOF_DEFAULT_KEY) == 26 && PROVA_PROOF_DEFAULT_KEY_LEN == 26);

    /* attested with the RFC 8032 test-1 key (deterministic Ed25519) */
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(RFC8032_SEED, &k) == 0);
    s.len = 0;
    CHECK(prova_proof_sign(rec, NULL, 0, k, "idir", &s, &err) == 0);
    CHECK_BUF(&s, MIN_ATTESTED);
    prova_doc_free(d);

    /* signing a signed, attested record replaces proof_id, signature and attestation */
    d = parse(MIN_ATTESTED);
    s.len = 0;
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 0, NULL, NULL, &s, &err) == 0);
    CHECK_BUF(&s, MIN_SIGNED);
    s.len = 0;
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 0, k, "idir", &s, &err) == 0);
    CHECK_BUF(&s, MIN_ATTESTED);
    /* the attestation is outside the body: the id does not change */
    CHECK(prova_proof_id(prova_doc_root(d), id, &err) == 0);
    CHECK_STR(id, MIN_ID);

    /* errors leave out untouched */
    size_t before = s.len;
    prova_key *pub = NULL;
    uint8_t raw[32];
    CHECK(prova_key_public_raw(k, raw, sizeof raw) == 32);
    CHECK(prova_key_from_ed25519_public(raw, &pub) == 0);
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 0, pub, "idir", &s, &err) == PROVA_EKEY);
    CHECK_STR(err.reason, "proof_attest_key_invalid");
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 0, k, NULL, &s, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "proof_author_invalid");
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 0, k, "", &s, &err) == PROVA_EINVAL);
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 5, NULL, NULL, &s, &err) == PROVA_EINVAL);
    CHECK(s.len == before);
    prova_key_free(pub);
    prova_key_free(k);
    prova_doc_free(d);

    d = parse("[1,2]");
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 0, NULL, NULL, &s, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "proof_not_object");
    CHECK(prova_proof_body(prova_doc_root(d), &s, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "proof_not_object");
    CHECK(prova_proof_id(prova_doc_root(d), id, &err) == PROVA_EINVAL);
    CHECK(s.len == before);
    prova_doc_free(d);
    prova_buf_free(&s);
}

/* ---- §4.3 small vectors, §4.1/§4.2 fixtures --------------------------------------------------------------------- */

/* signature and proof_id of text under key, and the body bytes. */
static void check_vector(const char *text, const char *key, size_t key_len, const char *body, size_t body_len,
                         const char *mac, const char *sha) {
    prova_doc *d = parse(text);
    CHECK(d != NULL);
    if (!d) return;
    prova_buf b = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_proof_body(prova_doc_root(d), &b, &err) == 0);
    CHECK_MSG(b.len == body_len, "%zu bytes, want %zu", b.len, body_len);
    if (body) CHECK_BUF(&b, body);
    char id[PROVA_PROOF_HEX_LEN + 1];
    CHECK(prova_proof_id(prova_doc_root(d), id, &err) == 0);
    CHECK_STR(id, sha);
    prova_buf s = PROVA_BUF_INIT;
    CHECK(prova_proof_sign(prova_doc_root(d), (const uint8_t *)key, key_len, NULL, NULL, &s, &err) == 0);
    char want[100];
    snprintf(want, sizeof want, "\"signature\":\"%s\"", mac);
    CHECK_MSG(s.len && memmem(s.data, s.len, want, strlen(want)) != NULL, "%.*s lacks %s", (int)s.len, s.data, want);
    snprintf(want, sizeof want, "{\"proof_id\":\"%s\"", sha);
    CHECK(s.len > strlen(want) && memcmp(s.data, want, strlen(want)) == 0);
    prova_buf_free(&s);
    prova_buf_free(&b);
    prova_doc_free(d);
}

static void test_vectors(void) {
    const char *dk = PROVA_PROOF_DEFAULT_KEY;
    check_vector("{\"x\": 30, \"y\": 30.0}", dk, 26, "{\"x\":30,\"y\":30.0}", 17,
                 "59395d69d5c887892d5f42b39765c00df39783a8dcd08b81c33f2813f758da84",
                 "07e921d07ddb9d5c4d9dabfd90b07b3e58ae2cda075c62e92664013a9dd6d689");
    check_vector("{}", NULL, 0, "{}", 2, "786f4a5a9cb54a4ff6695d0a088f986f7620d170ed8f7918048ab60e55103548",
                 "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    /* signature, proof_id and attestation are outside the body: {} again */
    check_vector("{\"signature\":\"x\",\"proof_id\":7,\"attestation\":{\"a\":1}}", NULL, 0, "{}", 2,
                 "786f4a5a9cb54a4ff6695d0a088f986f7620d170ed8f7918048ab60e55103548",
                 "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

    /* §4.2: the five fixtures, input.json as the generator wrote it (indent=2, sort_keys, ensure_ascii=False). */
    const char *tk = TEST_KEY;
    check_vector(
        "{\n  \"a_integer\": 42,\n  \"list\": [\n    1,\n    2,\n    3\n  ],\n  \"m_float\": 3.14159,\n"
        "  \"nested\": {\n    \"inner_a\": 1,\n    \"inner_b\": 2\n  },\n  \"w_null\": null,\n  \"x_false\": false,\n"
        "  \"y_true\": true,\n  \"z_string\": \"ophamin\"\n}\n",
        tk, 29,
        "{\"a_integer\":42,\"list\":[1,2,3],\"m_float\":3.14159,\"nested\":{\"inner_a\":1,\"inner_b\":2},"
        "\"w_null\":null,\"x_false\":false,\"y_true\":true,\"z_string\":\"ophamin\"}",
        149, "0dbc86d5e4b913051857c4529b0bf2a77c1eb8ebc65bb84158d52c4db40938ce",
        "7fb1f1c95a9503347ef5f3bb6a025d4b172649f5ceb918e3363b8f26959ff46c");
    check_vector("{\"z_string\":\"ophamin\",\"a_integer\":42,\"m_float\":3.14159,\"y_true\":true,\"x_false\":false,"
                 "\"w_null\":null,\"list\":[1,2,3],\"nested\":{\"inner_b\":2,\"inner_a\":1}}",
                 dk, 26, NULL, 149, "23af49aeb0cc86285268a2fd000cbc84e6c668dda8fac387e38348948c8bf125",
                 "7fb1f1c95a9503347ef5f3bb6a025d4b172649f5ceb918e3363b8f26959ff46c");
    check_vector(
        "{\n  \"ascii_only\": \"hello world\",\n  \"cjk\": \"\xe5\xad\x97\xe5\xb9\x95\",\n"
        "  \"cyrillic\": \"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\",\n  \"emoji\": \"\xf0\x9f\x9a\x80\",\n"
        "  \"latin_supp\": \"caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9\",\n  \"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\": "
        "\"value\"\n}\n",
        tk, 29,
        "{\"ascii_only\":\"hello world\",\"cjk\":\"\\u5b57\\u5e55\",\"cyrillic\":\"\\u043f\\u0440\\u0438\\u0432"
        "\\u0435\\u0442\",\"emoji\":\"\\ud83d\\ude80\",\"latin_supp\":\"caf\\u00e9 r\\u00e9sum\\u00e9\","
        "\"\\u043a\\u043b\\u044e\\u0447\":\"value\"}",
        199, "6fb5233eef1d7569d248451075d6e9a379e6f4e12b56a4bfce526af40e85b1e9",
        "06471785461e5a50b28a7183a66fcf24bcf1ec6e91716457b32a950426e20b31");
    check_vector(
        "{\n  \"large_pos\": 1e+20,\n  \"neg_value\": -2.5,\n  \"neg_zero_float\": -0.0,\n  \"pi\": 3.14159,\n"
        "  \"small_neg_exp\": 1e-07,\n  \"zero_float\": 0.0,\n  \"zero_int\": 0\n}\n",
        tk, 29,
        "{\"large_pos\":1e+20,\"neg_value\":-2.5,\"neg_zero_float\":-0.0,\"pi\":3.14159,\"small_neg_exp\":1e-07,"
        "\"zero_float\":0.0,\"zero_int\":0}",
        123, "9cdd55061cf0d86f4195bb6b2996df2361d19cc6546dff28f24c5266e4ce3b82",
        "94768203132adcb54575c78debc32ba987b03d45456f5fdc5ebd7e9b08e599b5");
    check_vector(
        "{\"level1\":{\"level2\":{\"level3\":{\"level4\":{\"list\":[1,2,[3,4,[5,6]]],\"value\":42}}}},"
        "\"siblings\":[{\"a\":1,\"b\":{\"c\":2,\"d\":{\"e\":3}}},{\"a\":4,\"b\":{\"c\":5,\"d\":{\"e\":6}}}],"
        "\"mixed_array_levels\":[[],[[]],[[[]]],[[[[]]]]]}",
        tk, 29,
        "{\"level1\":{\"level2\":{\"level3\":{\"level4\":{\"list\":[1,2,[3,4,[5,6]]],\"value\":42}}}},"
        "\"mixed_array_levels\":[[],[[]],[[[]]],[[[[]]]]],\"siblings\":[{\"a\":1,\"b\":{\"c\":2,\"d\":{\"e\":3}}},"
        "{\"a\":4,\"b\":{\"c\":5,\"d\":{\"e\":6}}}]}",
        205, "1441c2e18b25ae3a62dfcda128269dce663958d888bdb7cd717015102180a1dc",
        "4026029c07bb407e091f6f20f4cb84c354f01864119e88e19715ebacaeb2d6fe");
    char boundary_in[600], boundary_out[600];
    char a200[201];
    memset(a200, 'a', 200);
    a200[200] = '\0';
    snprintf(boundary_in, sizeof boundary_in,
             "{\n  \" \": \"key-with-single-space\",\n  \"control_chars\": \"\\u0000\\u0001\\u0002\\u0005\\u001f\",\n"
             "  \"empty_array\": [],\n  \"empty_object\": {},\n  \"empty_string_value\": \"\",\n"
             "  \"json_special_escapes\": \"\\\"\\\\/\\b\\f\\n\\r\\t\",\n  \"long_ascii\": \"%s\",\n"
             "  \"nested_empty\": {\n    \"empty_inner_array\": []\n  }\n}\n",
             a200);
    snprintf(
        boundary_out, sizeof boundary_out,
        "{\" \":\"key-with-single-space\",\"control_chars\":\"\\u0000\\u0001\\u0002\\u0005\\u001f\",\"empty_array\":[],"
        "\"empty_object\":{},\"empty_string_value\":\"\",\"json_special_escapes\":\"\\\"\\\\/\\b\\f\\n\\r\\t\","
        "\"long_ascii\":\"%s\",\"nested_empty\":{\"empty_inner_array\":[]}}",
        a200);
    check_vector(boundary_in, tk, 29, boundary_out, 434,
                 "6b45f08c1439c1a933965df719d5e766c73c292b5154ccb4a165fd240729881c",
                 "541ba18a3d27849bc6919342bdf6cb4b13833775a18cf97611126c1c43fd28dc");

    /* member order of a signed record: proof_id, the nine sections in to_dict() order, the other body members in
     * code point order, signature (computed by the Python reference, tests/diff/proof_cross.py) */
    prova_doc *d = parse("{\"zeta\":1,\"schema_version\":\"1.0\",\"alpha\":[2],\"claim\":{},\"signature\":\"x\","
                         "\"attestation\":5,\"\xc3\xa9\":\"\xf0\x9f\x9a\x80\"}");
    prova_buf s = PROVA_BUF_INIT;
    CHECK(prova_proof_sign(prova_doc_root(d), NULL, 0, NULL, NULL, &s, NULL) == 0);
    CHECK_BUF(&s,
              "{\"proof_id\":\"7590ab1c58dec33ffa0bdeb43478ef5612a4205778dfa438e03c143a35a5fa57\",\"schema_version\":"
              "\"1.0\",\"claim\":{},\"alpha\":[2],\"zeta\":1,\"\\u00e9\":\"\\ud83d\\ude80\",\"signature\":"
              "\"c8df06d8a27d7eb9c094852055bfa9bdbd61b1310cca846cd59283da715fa5e1\"}");
    prova_buf_free(&s);
    prova_doc_free(d);
}

/* ---- verify_impl --------------------------------------------------------------------------------------------- */

static void impl_is(const char *in, const uint8_t *key, size_t klen, const char *want) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    int rc = prova_proof_verify_impl(in, strlen(in), key, klen, "0.63.0", &out, &err);
    CHECK_MSG(rc == 0, "rc %d %s", rc, err.reason ? err.reason : "");
    CHECK_BUF(&out, want);
    prova_buf_free(&out);
}

static void test_verify_impl(void) {
    impl_is(MIN_SIGNED, NULL, 0, IMPL_VALID);
    impl_is(MIN_DISK, NULL, 0, IMPL_VALID); /* the on-disk form gives the same answer */
    impl_is(MIN_SIGNED, (const uint8_t *)"wrong", 5, IMPL_WRONG_KEY);
    char *t = replace(MIN_SIGNED, "\"reasoning\":\"r\"", "\"reasoning\":\"tampered\"");
    impl_is(t, NULL, 0, IMPL_TAMPERED);
    free(t);
    impl_is(MIN_ATTESTED, NULL, 0, IMPL_ATTESTED);
    t = replace(MIN_ATTESTED, "\"reasoning\":\"r\"", "\"reasoning\":\"tampered\"");
    impl_is(t, NULL, 0, IMPL_ATTESTED_TAMPERED);
    free(t);
    impl_is("{}", NULL, 0, IMPL_EMPTY);
    /* the key from sign_key_b64 */
    uint8_t *key = NULL;
    size_t klen = 0;
    CHECK(prova_proof_key_decode(DEFAULT_KEY_B64, &key, &klen, NULL) == 0);
    impl_is(MIN_SIGNED, key, klen, IMPL_VALID);
    prova_proof_key_free(key, klen);
    CHECK(prova_proof_key_decode("", &key, &klen, NULL) == PROVA_PROOF_KEY_IS_DEFAULT);
    impl_is(MIN_SIGNED, key, klen, IMPL_VALID);
    prova_proof_key_free(key, klen);
    /* Python values of every type, where Python's .get() passes them through */
    for (size_t i = 0; i < sizeof impl_edges / sizeof impl_edges[0]; i++)
        impl_is(impl_edges[i].in, NULL, 0, impl_edges[i].out);

    /* errors, exactly as the reference raises them; out untouched */
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_buf_append(&out, "x", 1) == 0);
    CHECK(prova_proof_verify_impl("[1]", 3, NULL, 0, "v", &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "proof_not_object");
    CHECK_STR(err.message, "proof_json must decode to a JSON object");
    CHECK(prova_proof_verify_impl("\"s\"", 3, NULL, 0, "v", &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "proof_not_object");
    CHECK(prova_proof_verify_impl("{\"a\":", 5, NULL, 0, "v", &out, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "proof_json_invalid");
    CHECK(strncmp(err.message, "proof_json is not valid JSON: ", 30) == 0);
    CHECK(err.offset == 5 && err.line == 1 && err.column == 6);
    CHECK(prova_proof_verify_impl("", 0, NULL, 0, "v", &out, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "proof_json_invalid");
    CHECK(prova_proof_verify_impl("not json", 8, NULL, 0, "v", &out, &err) == PROVA_ESYNTAX);
    /* duplicate keys: Python keeps the last one; prova refuses to guess which one was signed */
    CHECK(prova_proof_verify_impl("{\"a\":1,\"a\":2}", 13, NULL, 0, "v", &out, &err) == PROVA_ESYNTAX);
    CHECK(strstr(err.message, "duplicate") != NULL);
    CHECK(prova_proof_verify_impl("{}", 2, NULL, 3, "v", &out, &err) == PROVA_EINVAL);
    CHECK(prova_proof_verify_impl(NULL, 2, NULL, 0, "v", &out, &err) == PROVA_EINVAL);
    CHECK(out.len == 1);
    /* server_version NULL is prova's version */
    out.len = 0;
    CHECK(prova_proof_verify_impl("{}", 2, NULL, 0, NULL, &out, &err) == 0);
    CHECK(out.len > 0 && memmem(out.data, out.len, "\"ophamin_version_in_server\":\"" PROVA_VERSION_STRING "\"}}",
                                strlen(PROVA_VERSION_STRING) + 32) != NULL);
    /* a non-ASCII signature is a mismatch (Python's compare_digest raises TypeError: HTTP 500) */
    out.len = 0;
    const char *nonascii = "{\"signature\":\"\xc3\xa9\"}";
    CHECK(prova_proof_verify_impl(nonascii, strlen(nonascii), NULL, 0, "v", &out, &err) == 0);
    CHECK(out.len > 18 && memcmp(out.data, "{\"verified\":false,", 18) == 0);
    prova_buf_free(&out);
}

/* ---- sign_key_b64 -------------------------------------------------------------------------------------------- */

static void test_b64_key(void) {
    /* Outcomes of CPython 3.11's base64.b64decode(s, validate=True). */
    static const struct {
        const char *in;
        int rc;
        const char *bytes; /* decoded, when rc >= 0 */
        size_t n;
    } cases[] = {
        {"", PROVA_PROOF_KEY_IS_DEFAULT, PROVA_PROOF_DEFAULT_KEY, 26},
        {DEFAULT_KEY_B64, 0, PROVA_PROOF_DEFAULT_KEY, 26},
        {"QQ==", 0, "A", 1},
        {"QR==", 0, "A", 1}, /* non-zero trailing bits are not checked */
        {"QUJD", 0, "ABC", 3},
        {"QUJD=", 0, "ABC", 3}, /* a '=' after a complete group is skipped */
        {"QUJD==", 0, "ABC", 3},
        {"QUI=", 0, "AB", 2},
        {"QUJDQQ==", 0, "ABCA", 4},
        {"==", PROVA_ESYNTAX, NULL, 0}, /* Leading padding not allowed */
        {"=", PROVA_ESYNTAX, NULL, 0},
        {"QUI==", PROVA_ESYNTAX, NULL, 0}, /* Excess data after padding */
        {"QQ==QQ==", PROVA_ESYNTAX, NULL, 0},
        {"QQ==\n", PROVA_ESYNTAX, NULL, 0},
        {"QQ", PROVA_ESYNTAX, NULL, 0}, /* Incorrect padding */
        {"QQ=", PROVA_ESYNTAX, NULL, 0},
        {"Q", PROVA_ESYNTAX, NULL, 0},     /* 1 more than a multiple of 4 */
        {" QQ==", PROVA_ESYNTAX, NULL, 0}, /* Only base64 data is allowed */
        {"QQ=a", PROVA_ESYNTAX, NULL, 0},  /* Discontinuous padding */
        {"QUJD=QQ==", PROVA_ESYNTAX, NULL, 0},
        {"Q-_A", PROVA_ESYNTAX, NULL, 0}, /* base64url is not base64 */
        {"\xc3\xa9", PROVA_ESYNTAX, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *k = (uint8_t *)"untouched";
        size_t n = 99;
        prova_error err;
        int rc = prova_proof_key_decode(cases[i].in, &k, &n, &err);
        CHECK_MSG(rc == cases[i].rc, "'%s': rc %d, want %d", cases[i].in, rc, cases[i].rc);
        if (rc >= 0) {
            CHECK_MSG(n == cases[i].n && memcmp(k, cases[i].bytes, n) == 0, "'%s' decoded wrong", cases[i].in);
            CHECK(prova_proof_key_free(k, n) == NULL);
        } else {
            CHECK(n == 99 && strcmp((const char *)k, "untouched") == 0);
            CHECK_STR(err.reason, "proof_key_b64_invalid");
            CHECK(strncmp(err.message, "sign_key_b64 must be valid standard base64", 42) == 0);
        }
    }
    uint8_t *k;
    size_t n;
    CHECK(prova_proof_key_decode(NULL, &k, &n, NULL) == PROVA_EINVAL);
    CHECK(prova_proof_key_free(NULL, 0) == NULL);
}

/* ---- the unified report ----------------------------------------------------------------------------------------- */

/* Re-signs `mutated` (under the default key) and checks that the report fails exactly with `code` (NULL: valid). */
static void expect_code(const char *mutated, const char *code, const char *what) {
    char *s = sign_text(mutated, NULL, NULL);
    CHECK_MSG(s != NULL, "%s: sign failed", what);
    if (!s) return;
    prova_verify_options o = {.allow_default_hmac_key = true};
    prova_report *r = verify_text(s, &o);
    CHECK(r != NULL);
    if (r) {
        bool ok = code ? has_failure(r, code) && failures(r) == 1 : prova_report_valid(r);
        CHECK_MSG(ok, "%s: want %s", what, code ? code : "valid");
        if (!ok) dump(r);
        CHECK_STR(prova_report_kind(r), "proof_record");
    }
    prova_report_free(r);
    free(s);
}

/* mutate MIN_SIGNED: replace from with to, then expect_code. */
static void mutation(const char *from, const char *to, const char *code) {
    char *m = replace(MIN_SIGNED, from, to);
    CHECK_MSG(m != NULL, "mutation %s", from);
    if (!m) return;
    char what[200];
    snprintf(what, sizeof what, "%s -> %s", from, to);
    expect_code(m, code, what);
    free(m);
}

static void test_validate_checklist(void) {
    expect_code(MIN_SIGNED, NULL, "the minimal proof");
    /* record.validate(), one code per item */
    mutation("\"statement\":\"S\"", "\"statement\":\" \\u00a0\\u3000\\t\"", "proof_claim_statement_empty");
    mutation("\"statement\":\"S\"", "\"statement\":\"\\u200b\"", NULL); /* U+200B is not whitespace to Python */
    mutation("\"h1\":\"H1\"", "\"h1\":\"\"", "proof_claim_hypotheses_empty");
    mutation("\"h0\":\"H0\"", "\"h0\":\"\\n\"", "proof_claim_hypotheses_empty");
    mutation("\"config_hash\":\"c\"", "\"config_hash\":\"\"", "proof_config_hash_empty");
    mutation("\"data_hash\":\"d\"", "\"data_hash\":\"\"", "proof_data_hash_empty");
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"2026-01-01T00:00:02+00:00\"",
             "proof_preregistered_after_created");
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"",
             "\"preregistered_at\":\"2026-01-01T00:00:01.000001+00:00\"", "proof_preregistered_after_created");
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"2026-01-01T00:00:01+00:00\"",
             NULL); /* equal is fine */
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"2026-01-01T01:00:00+02:00\"",
             NULL); /* 2025-12-31T23:00Z: offsets count */
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"20260101T000000Z\"", NULL);
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"2026-01-01 00:00:00.5Z\"",
             NULL);
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"2026-01-01T00:00:00\"",
             "proof_timestamp_invalid"); /* naive vs aware: Python raises */
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"yesterday\"",
             "proof_timestamp_invalid");
    mutation("\"preregistered_at\":\"2026-01-01T00:00:00+00:00\"", "\"preregistered_at\":\"2026-02-30T00:00:00+00:00\"",
             "proof_timestamp_invalid");
    mutation(
        "\"datasets\":[{\"content_hash\":\"h\",\"kind\":\"corpus\",\"n_records\":30,\"name\":\"ds\",\"source\":\"\"}]",
        "\"datasets\":[]", "proof_no_datasets");
    mutation("\"content_hash\":\"h\"", "\"content_hash\":\"\"", "proof_dataset_content_hash_empty");
    mutation("\"n_records\":30", "\"n_records\":0", "proof_dataset_n_records");
    mutation("\"n_records\":30", "\"n_records\":-3", "proof_dataset_n_records");
    mutation("\"substrate_git_commit\":\"abc\"", "\"substrate_git_commit\":\"\"", "proof_substrate_commit_empty");
    char *m = replace(
        MIN_SIGNED,
        "\"evidence\":[{\"ci_high\":null,\"ci_low\":null,\"cross_check\":\"n/a\",\"detail\":{},\"effect_size\":null,"
        "\"library\":\"scipy\",\"library_version\":\"1.0\",\"p_value\":null,\"pillar\":\"p\",\"statistic_name\":"
        "\"max_abs_diff\",\"statistic_value\":0.0}]",
        "\"evidence\":[]");
    if (m) expect_code(m, "proof_no_evidence", "evidence []");
    free(m);
    mutation("\"library\":\"scipy\"", "\"library\":\"\"", "proof_evidence_attribution_missing");
    mutation("\"library_version\":\"1.0\"", "\"library_version\":\"\"", "proof_evidence_attribution_missing");
    mutation("\"outcome\":\"VALIDATED\"", "\"outcome\":\"MAYBE\"", "proof_verdict_outcome_invalid");
    mutation("\"outcome\":\"VALIDATED\"", "\"outcome\":\"REFUTED\"", "proof_verdict_threshold_disagrees");
    mutation("\"outcome\":\"VALIDATED\"", "\"outcome\":\"INCONCLUSIVE\"", NULL);
    mutation("\"observed_value\":0.0", "\"observed_value\":1.0", "proof_verdict_threshold_disagrees");
    mutation("\"observed_value\":0.0", "\"observed_value\":1e-09", NULL); /* <= holds at the boundary */
    mutation("\"observed_value\":0.0", "\"observed_value\":NaN", "proof_verdict_threshold_disagrees");
    mutation("\"command\":\"cmd\"", "\"command\":\"  \"", "proof_reproduction_command_empty");
    mutation("\"environment\":{\"python\":\"3.12.0\"}", "\"environment\":{}", "proof_reproduction_environment_empty");
    mutation("\"ophamin_version\":\"0.1.0\"", "\"ophamin_version\":\"\"", "proof_ophamin_version_empty");
    /* comparators: observed 0.0 against 1e-09 in the verdict's threshold (the claim's too, to keep them equal) */
    static const struct {
        const char *cmp, *outcome;
    } decide[] = {{">=", "REFUTED"}, {">", "REFUTED"}, {"<", "VALIDATED"}, {"==", "REFUTED"}, {"<=", "VALIDATED"}};
    for (size_t i = 0; i < sizeof decide / sizeof decide[0]; i++) {
        char to[64], out_to[64];
        snprintf(to, sizeof to, "\"comparator\":\"%s\"", decide[i].cmp);
        snprintf(out_to, sizeof out_to, "\"outcome\":\"%s\"", decide[i].outcome);
        char *a = replace(MIN_SIGNED, "\"comparator\":\"<=\"", to);
        char *b = a ? replace(a, "\"comparator\":\"<=\"", to) : NULL;
        char *c = b ? replace(b, "\"outcome\":\"VALIDATED\"", out_to) : NULL;
        if (c) expect_code(c, NULL, decide[i].cmp);
        char *wrong =
            c ? replace(c, out_to,
                        strcmp(decide[i].outcome, "REFUTED") ? "\"outcome\":\"REFUTED\"" : "\"outcome\":\"VALIDATED\"")
              : NULL;
        if (wrong) expect_code(wrong, "proof_verdict_threshold_disagrees", decide[i].cmp);
        free(a);
        free(b);
        free(c);
        free(wrong);
    }
}

static void test_schema(void) {
    mutation(",\"provenance\":{}", "", "proof_section_missing");
    mutation("\"n_records\":30", "\"n_records\":\"30\"", "proof_schema_type");
    mutation("\"n_records\":30", "\"n_records\":30.0", NULL); /* jsonschema: an integral float is an integer */
    mutation("\"n_records\":30", "\"n_records\":30.5", "proof_schema_type");
    mutation("\"statistic_value\":0.0", "\"statistic_value\":true", "proof_schema_type");
    mutation("\"p_value\":null", "\"p_value\":0.01", NULL);
    mutation("\"cross_check\":\"n/a\"", "\"cross_check\":\"maybe\"", "proof_schema_enum");
    mutation(",\"units\":\"correlation\"", "", "proof_schema_missing_field");
    mutation("\"environment\":{\"python\":\"3.12.0\"}", "\"environment\":{\"python\":3}", "proof_schema_type");
    mutation("\"lineage_chain\":[]", "\"lineage_chain\":[1]", "proof_schema_type");
    mutation("\"reasoning\":\"r\"", "\"reasoning\":\"\"", "proof_schema_empty_string");
    mutation("\"provenance\":{}", "\"provenance\":[]", "proof_schema_type");
    mutation("\"schema_version\":\"1.0\"", "\"schema_version\":\"2.0\"", "proof_schema_version_unsupported");
    /* the comparator is checked by the schema; the verdict cannot be decided then (no second failure) */
    char *a = replace(MIN_SIGNED, "\"comparator\":\"<=\"", "\"comparator\":\"=>\"");
    char *b = a ? replace(a, "\"comparator\":\"<=\"", "\"comparator\":\"=>\"") : NULL;
    if (b) {
        char *s = sign_text(b, NULL, NULL);
        prova_verify_options o = {.allow_default_hmac_key = true};
        prova_report *r = s ? verify_text(s, &o) : NULL;
        CHECK(r && has_failure(r, "proof_schema_enum") && failures(r) == 2); /* schema.claim and schema.verdict */
        prova_report_free(r);
        free(s);
    }
    free(a);
    free(b);

    /* a newer minor version and unknown members: valid, with warnings */
    char *m = replace(MIN_SIGNED, "\"schema_version\":\"1.0\"", "\"schema_version\":\"1.3\",\"extension\":{\"k\":1}");
    char *s = m ? sign_text(m, NULL, NULL) : NULL;
    prova_verify_options o = {.allow_default_hmac_key = true};
    prova_report *r = s ? verify_text(s, &o) : NULL;
    CHECK(r && prova_report_valid(r));
    CHECK(r && has_warning(r, "proof_schema_minor_newer") && has_warning(r, "proof_unknown_member"));
    prova_report_free(r);
    /* the unknown member is signed: changing it breaks the signature */
    char *t = s ? replace(s, "{\"k\":1}", "{\"k\":2}") : NULL;
    r = t ? verify_text(t, &o) : NULL;
    CHECK(r && has_failure(r, "proof_signature_mismatch") && has_failure(r, "proof_id_mismatch") && failures(r) == 2);
    prova_report_free(r);
    free(t);
    free(s);
    free(m);
    /* an unknown member inside a section is a warning */
    mutation("\"reasoning\":\"r\"", "\"reasoning\":\"r\",\"confidence\":0.9", NULL);
    m = replace(MIN_SIGNED, "\"reasoning\":\"r\"", "\"reasoning\":\"r\",\"confidence\":0.9");
    s = m ? sign_text(m, NULL, NULL) : NULL;
    r = s ? verify_text(s, &o) : NULL;
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_unknown_member"));
    prova_report_free(r);
    free(s);
    free(m);
    /* claim and verdict thresholds differ: a warning (validate() decides against the verdict's) */
    m = replace(MIN_SIGNED, "\"value\":1e-09", "\"value\":0.5");
    s = m ? sign_text(m, NULL, NULL) : NULL;
    r = s ? verify_text(s, &o) : NULL;
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_threshold_differs"));
    prova_report_free(r);
    free(s);
    free(m);
}

static void test_signature_and_id(void) {
    prova_report *r;
    /* no key and no trusted attestation: not valid */
    prova_verify_options none = {0};
    r = verify_text(MIN_SIGNED, &none);
    CHECK(r && !prova_report_valid(r) && has_failure(r, "proof_hmac_key_missing") && failures(r) == 1);
    prova_report_free(r);
    r = verify_text(MIN_SIGNED, NULL);
    CHECK(r && !prova_report_valid(r) && has_failure(r, "proof_hmac_key_missing"));
    prova_report_free(r);
    /* the default key allowed: valid, with a warning */
    prova_verify_options dflt = {.allow_default_hmac_key = true};
    r = verify_text(MIN_SIGNED, &dflt);
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_default_key"));
    prova_report_free(r);
    /* the default key given as base64, or as "" */
    prova_verify_options given = {.hmac_key_b64 = DEFAULT_KEY_B64};
    r = verify_text(MIN_SIGNED, &given);
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_default_key"));
    prova_report_free(r);
    given.hmac_key_b64 = "";
    r = verify_text(MIN_SIGNED, &given);
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_default_key"));
    prova_report_free(r);
    /* another key */
    char *s = sign_text(MIN_SIGNED, TEST_KEY, NULL);
    char b64[64];
    prova_base64_encode(TEST_KEY, 29, b64, sizeof b64);
    prova_verify_options tk = {.hmac_key_b64 = b64, .allow_default_hmac_key = true};
    r = s ? verify_text(s, &tk) : NULL;
    CHECK(r && prova_report_valid(r) && !has_warning(r, "proof_default_key"));
    prova_report_free(r);
    r = s ? verify_text(s, &dflt) : NULL; /* the default key does not verify it */
    CHECK(r && has_failure(r, "proof_signature_mismatch") && failures(r) == 1);
    prova_report_free(r);
    free(s);
    prova_verify_options bad = {.hmac_key_b64 = "QQ"};
    r = verify_text(MIN_SIGNED, &bad);
    CHECK(r && has_failure(r, "proof_hmac_key_invalid") && failures(r) == 1);
    prova_report_free(r);
    /* tampering: signature and proof_id both fail */
    char *t = replace(MIN_SIGNED, "\"reasoning\":\"r\"", "\"reasoning\":\"R\"");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_signature_mismatch") && has_failure(r, "proof_id_mismatch") && failures(r) == 2);
    prova_report_free(r);
    free(t);
    /* the wire proof_id alone */
    t = replace(MIN_SIGNED, MIN_ID, "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ad");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_id_mismatch") && failures(r) == 1);
    prova_report_free(r);
    free(t);
    t = replace(MIN_SIGNED, MIN_ID, "80E223866476E88839C59927FB2AB9F95554101E0FE846014FC32E66D0E189AC");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_id_malformed") && failures(r) == 1);
    prova_report_free(r);
    free(t);
    t = replace(MIN_SIGNED, "\"proof_id\":\"" MIN_ID "\",", "");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && prova_report_valid(r)); /* no proof_id: nothing to compare */
    prova_report_free(r);
    free(t);
    /* unsigned and malformed signatures */
    t = replace(MIN_SIGNED, "\"signature\":\"" MIN_SIG "\"", "\"signature\":\"\"");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_unsigned") && failures(r) == 1);
    prova_report_free(r);
    free(t);
    t = replace(MIN_SIGNED, ",\"signature\":\"" MIN_SIG "\"", "");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_unsigned") && failures(r) == 1);
    prova_report_free(r);
    free(t);
    t = replace(MIN_SIGNED, "\"signature\":\"" MIN_SIG "\"",
                "\"signature\":\"2E31EABE3E9C321F55226178DA9CF7A4A11740F98911BCFE4D56F2D84BA6B470\"");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_signature_malformed") && failures(r) == 1);
    prova_report_free(r);
    free(t);
    t = replace(MIN_SIGNED, "\"signature\":\"" MIN_SIG "\"", "\"signature\":7");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_signature_malformed") && failures(r) == 1);
    prova_report_free(r);
    free(t);
}

static void test_attestation(void) {
    prova_key *k = NULL, *other = NULL, *pub = NULL;
    static const uint8_t seed2[32] = {1};
    CHECK(prova_key_from_ed25519_seed(RFC8032_SEED, &k) == 0);
    CHECK(prova_key_from_ed25519_seed(seed2, &other) == 0);
    uint8_t raw[32];
    CHECK(prova_key_public_raw(k, raw, sizeof raw) == 32);
    CHECK(prova_key_from_ed25519_public(raw, &pub) == 0);
    prova_keyset *mine = prova_keyset_new(), *theirs = prova_keyset_new();
    CHECK(prova_keyset_add(mine, pub, "authors.json") == 0);
    CHECK(prova_keyset_add(theirs, other, "jwks:other") == 0);
    prova_report *r;

    /* not pinned: verifies, says that it is not trusted, still valid through the HMAC */
    prova_verify_options dflt = {.allow_default_hmac_key = true};
    r = verify_text(MIN_ATTESTED, &dflt);
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_attestation_key_untrusted") &&
          has_warning(r, "proof_attestation_author_unsigned"));
    prova_report_free(r);
    /* without an HMAC key, an untrusted attestation authenticates nothing */
    prova_verify_options none = {0};
    r = verify_text(MIN_ATTESTED, &none);
    CHECK(r && has_failure(r, "proof_hmac_key_missing") && failures(r) == 1);
    prova_report_free(r);
    /* pinned: valid even without an HMAC key; the report names the key */
    prova_verify_options pinned = {.keys = mine};
    r = verify_text(MIN_ATTESTED, &pinned);
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_signature_not_checked"));
    if (r) {
        prova_buf js = PROVA_BUF_INIT;
        CHECK(prova_report_to_json(r, &js) == 0);
        CHECK(memmem(js.data, js.len, "\"source\":\"authors.json\"", 23) != NULL);
        CHECK(memmem(js.data, js.len, "\"unauthenticated_fields\":[\"/attestation/author\"]", 48) != NULL);
        CHECK(memmem(js.data, js.len, "\"kind\":\"proof_record\"", 21) != NULL);
        prova_buf_free(&js);
    }
    prova_report_free(r);
    /* pinned keys that do not include it */
    prova_verify_options wrong = {.keys = theirs, .allow_default_hmac_key = true};
    r = verify_text(MIN_ATTESTED, &wrong);
    CHECK(r && has_failure(r, "proof_attestation_key_not_trusted") && failures(r) == 1);
    prova_report_free(r);
    /* trust the embedded key on request */
    prova_verify_options emb = {.trust_embedded_key = true, .allow_default_hmac_key = true};
    r = verify_text(MIN_ATTESTED, &emb);
    CHECK(r && prova_report_valid(r) && has_warning(r, "proof_attestation_key_embedded"));
    prova_report_free(r);
    /* a bad signature, a wrong algorithm, malformed members */
    const char *sigpos = strstr(MIN_ATTESTED, "\"attestation\":");
    CHECK(sigpos != NULL);
    char *t = strdup(MIN_ATTESTED);
    char *last = strrchr(t, '"') - 1; /* the last hex digit of the attestation signature */
    *last = *last == '0' ? '1' : '0';
    r = verify_text(t, &emb);
    CHECK(r && has_failure(r, "proof_attestation_invalid") && failures(r) == 1);
    prova_report_free(r);
    r = verify_text(t, &pinned); /* and then nothing authenticates the record */
    CHECK(r && has_failure(r, "proof_attestation_invalid") && has_failure(r, "proof_hmac_key_missing"));
    prova_report_free(r);
    free(t);
    t = replace(MIN_ATTESTED, "\"algorithm\":\"ed25519\"", "\"algorithm\":\"ed448\"");
    r = t ? verify_text(t, &emb) : NULL;
    CHECK(r && has_failure(r, "proof_attestation_algorithm"));
    prova_report_free(r);
    free(t);
    t = replace(MIN_ATTESTED, "\"author\":\"idir\"", "\"author\":\"\"");
    r = t ? verify_text(t, &emb) : NULL;
    CHECK(r && has_failure(r, "proof_attestation_malformed"));
    prova_report_free(r);
    free(t);
    t = replace(MIN_ATTESTED, "\"public_key\":\"d7", "\"public_key\":\"D7");
    r = t ? verify_text(t, &emb) : NULL;
    CHECK(r && has_failure(r, "proof_attestation_malformed"));
    prova_report_free(r);
    free(t);
    /* the author is not signed: changing it keeps the signature valid (hence the unauthenticated field), and no
     * message names the edited author as what the signature vouches for */
    t = replace(MIN_ATTESTED, "\"author\":\"idir\"", "\"author\":\"mallory\"");
    r = t ? verify_text(t, &pinned) : NULL;
    CHECK(r && prova_report_valid(r));
    CHECK(r && has_warning(r, "unauthenticated_fields") && has_warning(r, "proof_attestation_author_unsigned"));
    if (r) {
        prova_buf js = PROVA_BUF_INIT;
        CHECK(prova_report_to_json(r, &js) == 0);
        CHECK(memmem(js.data, js.len, "\"unauthenticated_fields\":[\"/attestation/author\"]", 48) != NULL);
        CHECK(memmem(js.data, js.len, "attestation by", 14) == NULL);
        prova_buf_free(&js);
        const char *msg = NULL;
        for (size_t i = 0; i < prova_report_check_count(r); i++)
            if (strcmp(prova_report_check_at(r, i)->check, "attestation") == 0)
                msg = prova_report_check_at(r, i)->message;
        CHECK(msg && strstr(msg, "attestation signature verifies") != NULL);
        CHECK(msg && strstr(msg, "(author, unsigned: \"mallory\")") != NULL);
    }
    prova_report_free(r);
    free(t);
    /* every other member beside what the signature covers (the body) or the checks fix (algorithm, public_key,
     * signature) is listed too; the record stays valid */
    t = replace(MIN_ATTESTED, "\"author\":\"idir\"", "\"author\":\"idir\",\"role\":\"auditor\",\"a/b~c\":1");
    r = t ? verify_text(t, &pinned) : NULL;
    CHECK(r && prova_report_valid(r) && has_warning(r, "unauthenticated_fields"));
    if (r) {
        prova_buf js = PROVA_BUF_INIT;
        CHECK(prova_report_to_json(r, &js) == 0);
        static const char want[] =
            "\"unauthenticated_fields\":[\"/attestation/author\",\"/attestation/a~1b~0c\",\"/attestation/role\"]";
        CHECK_MSG(memmem(js.data, js.len, want, sizeof want - 1) != NULL, "%.*s", (int)js.len, (const char *)js.data);
        prova_buf_free(&js);
    }
    prova_report_free(r);
    free(t);
    /* attestation that is not an object */
    t = replace(MIN_SIGNED, "\"signature\":\"" MIN_SIG "\"", "\"signature\":\"" MIN_SIG "\",\"attestation\":\"x\"");
    r = t ? verify_text(t, &dflt) : NULL;
    CHECK(r && has_failure(r, "proof_attestation_malformed") && failures(r) == 1);
    prova_report_free(r);
    free(t);
    prova_keyset_free(mine);
    prova_keyset_free(theirs);
    prova_key_free(k);
}

static void test_detect_and_dispatch(void) {
    prova_doc *d = parse(MIN_SIGNED);
    CHECK(prova_proof_detect(prova_doc_root(d)));
    prova_doc_free(d);
    static const char *const not_proofs[] = {
        "{}", "[]", "{\"schema_version\":1,\"identity\":{},\"claim\":{},\"verdict\":{}}",
        "{\"schema_version\":\"1.0\",\"identity\":{},\"claim\":{}}",
        "{\"schema_version\":\"1.0\",\"identity\":[],\"claim\":{},\"verdict\":{}}"};
    for (size_t i = 0; i < sizeof not_proofs / sizeof not_proofs[0]; i++) {
        d = parse(not_proofs[i]);
        CHECK(!prova_proof_detect(prova_doc_root(d)));
        prova_doc_free(d);
    }
    CHECK(!prova_proof_detect(NULL));

    /* prova_verify_document detects proof records */
    prova_verify_options o = {.allow_default_hmac_key = true};
    prova_report *r = NULL;
    prova_error err;
    CHECK(prova_verify_document(MIN_SIGNED, strlen(MIN_SIGNED), &o, &r, &err) == 0);
    CHECK(r && prova_report_valid(r));
    CHECK(r && strcmp(prova_report_kind(r), "proof_record") == 0);
    prova_report_free(r);
    /* NaN is a Python float: a proof record holding one is read leniently */
    char *m = replace(MIN_SIGNED, "\"observed_value\":0.0", "\"observed_value\":NaN");
    char *n = m ? replace(m, "\"outcome\":\"VALIDATED\"", "\"outcome\":\"INCONCLUSIVE\"") : NULL;
    char *s = n ? sign_text(n, NULL, NULL) : NULL;
    r = NULL;
    CHECK(s && prova_verify_document(s, strlen(s), &o, &r, &err) == 0);
    CHECK(r && strcmp(prova_report_kind(r), "proof_record") == 0 && prova_report_valid(r));
    if (r && !prova_report_valid(r)) dump(r);
    prova_report_free(r);
    free(m);
    free(n);
    free(s);
    /* ... but NaN in anything else is still a parse error */
    r = NULL;
    CHECK(prova_verify_document("{\"a\":NaN}", 9, &o, &r, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "json_nonfinite");
    prova_report_free(r);
    /* an unknown document names proof records among the kinds */
    r = NULL;
    CHECK(prova_verify_document("{\"a\":1}", 7, &o, &r, &err) == 0);
    const prova_check *f = r ? prova_report_first_failure(r) : NULL;
    CHECK(f && strstr(f->message, "proof record") != NULL);
    prova_report_free(r);
    /* the OPE entry point does not take proof records */
    r = NULL;
    CHECK(prova_ope_verify(MIN_SIGNED, strlen(MIN_SIGNED), &o, &r, &err) == 0);
    CHECK(r && strcmp(prova_report_kind(r), "proof_record") != 0 && !prova_report_valid(r));
    prova_report_free(r);
}

/* Strings from the record reach report messages and pointers clipped to valid UTF-8: the report's JSON writer
 * refuses anything else, and lone surrogates are legal in a proof record. */
static void test_hostile_strings(void) {
    char *a = replace(MIN_SIGNED, "\"name\":\"ds\"", "\"name\":\"\\ud800\\u00e9\\u0000x\"");
    char *b = a ? replace(a, "\"content_hash\":\"h\"", "\"content_hash\":\"\"") : NULL;
    char *c = b ? replace(b, "\"schema_version\":\"1.0\"",
                          "\"schema_version\":\"1.0\",\"!\\udfff/~k\":1,\"outcome\":\"\\ud800\"")
                : NULL;
    char *d = c ? replace(c, "\"outcome\":\"VALIDATED\"", "\"outcome\":\"\\udbff\\ud83d\\ude80\"") : NULL;
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(RFC8032_SEED, &k) == 0);
    char *signed_text = d ? sign_text(d, NULL, k) : NULL;
    char *e = signed_text ? replace(signed_text, "\"author\":\"idir\"", "\"author\":\"\\ud800\"") : NULL;
    char *f = e ? replace(e, "\"algorithm\":\"ed25519\"", "\"algorithm\":\"\\udc00x\"") : NULL;
    prova_verify_options o = {.allow_default_hmac_key = true};
    for (int i = 0; i < 2; i++) {
        prova_report *r = (i ? f : e) ? verify_text(i ? f : e, &o) : NULL;
        CHECK(r != NULL);
        if (!r) continue;
        CHECK(has_failure(r, "proof_dataset_content_hash_empty") && has_failure(r, "proof_verdict_outcome_invalid"));
        CHECK(has_warning(r, "proof_unknown_member"));
        CHECK(i == 0 || has_failure(r, "proof_attestation_algorithm"));
        prova_buf js = PROVA_BUF_INIT, txt = PROVA_BUF_INIT;
        CHECK(prova_report_to_json(r, &js) == 0);
        CHECK(prova_report_to_text(r, &txt) == 0);
        CHECK(js.len && memmem(js.data, js.len, "\"at\":\"/!?~1~0k\"", 15) != NULL);
        CHECK(js.len && memmem(js.data, js.len, "dataset '?\\u00e9?x' has no content hash", 39) == NULL);
        CHECK(js.len && memmem(js.data, js.len, "dataset '?\xc3\xa9?x' has no content hash", 35) != NULL);
        prova_doc *doc = NULL;
        CHECK(js.len && prova_json_parse(js.data, js.len, NULL, &doc, NULL) == 0);
        prova_doc_free(doc);
        prova_buf_free(&js);
        prova_buf_free(&txt);
        prova_report_free(r);
    }
    prova_key_free(k);
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    free(f);
    free(signed_text);
}

int main(void) {
    test_minimal_proof();
    test_vectors();
    test_verify_impl();
    test_b64_key();
    test_validate_checklist();
    test_schema();
    test_signature_and_id();
    test_attestation();
    test_detect_and_dispatch();
    test_hostile_strings();
    TEST_SUMMARY();
}
