/* The §4.3 minimal full proof of reference/ophamin.md (VERIFIED there): its 1062-byte canonical body, proof_id and
 * signature under the default key. Shared by the unit tests of proof records and of the bridges that carry them. */
#ifndef PROVA_TEST_PROOF_FIXTURE_H
#define PROVA_TEST_PROOF_FIXTURE_H

static const char MIN_BODY[] =
    "{\"claim\":{\"h0\":\"H0\",\"h1\":\"H1\",\"operationalization\":\"O\",\"statement\":\"S\",\"thres"
    "hold\":{\"comparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"value\":1e"
    "-09}},\"data\":{\"datasets\":[{\"content_hash\":\"h\",\"kind\":\"corpus\",\"n_records\":30,\"nam"
    "e\":\"ds\",\"source\":\"\"}],\"substrate_git_commit\":\"abc\",\"substrate_name\":\"mock\"},\"evi"
    "dence\":[{\"ci_high\":null,\"ci_low\":null,\"cross_check\":\"n/a\",\"detail\":{},\"effect_size\""
    ":null,\"library\":\"scipy\",\"library_version\":\"1.0\",\"p_value\":null,\"pillar\":\"p\",\"stat"
    "istic_name\":\"max_abs_diff\",\"statistic_value\":0.0}],\"identity\":{\"created_at\":\"2026-01-0"
    "1T00:00:01+00:00\",\"ophamin_git_commit\":\"\",\"ophamin_version\":\"0.1.0\"},\"preregistration"
    "\":{\"analysis_plan\":\"\",\"config_hash\":\"c\",\"data_hash\":\"d\",\"preregistered_at\":\"2026"
    "-01-01T00:00:00+00:00\",\"sweep_grid\":{}},\"provenance\":{},\"reproduction\":{\"command\":\"cmd"
    "\",\"environment\":{\"python\":\"3.12.0\"},\"lineage_chain\":[]},\"schema_version\":\"1.0\",\"ve"
    "rdict\":{\"observed_value\":0.0,\"outcome\":\"VALIDATED\",\"reasoning\":\"r\",\"threshold\":{\"c"
    "omparator\":\"<=\",\"metric\":\"max_abs_diff\",\"units\":\"correlation\",\"value\":1e-09}}}";
#define MIN_ID  "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac"
#define MIN_SIG "2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470"

#endif
