/* Ophamin proof-record endpoints with the reference REST API's bodies and results (ophamin.md §6):
 * POST /verify {proof_json, sign_key_b64} and POST /canonicalize {value_json, sign_key_b64}. */
#include <stdio.h>
#include <string.h>

#include "gateway.h"
#include "prova/proof.h"


/* The request body: {"<name>": string (required), "sign_key_b64": string (default "")}. FastAPI answers a body
 * that does not fit its model with 422; so does this. On success *ret_doc owns the strings. */
static int take_body(gw_req *req, const char *name, prova_doc **ret_doc, const prova_json **ret_text,
                     uint8_t **ret_key, size_t *ret_key_len) {
    if (gw_parse_body(req, ret_doc) < 0) return -1;
    const prova_json *root = prova_doc_root(*ret_doc);
    const prova_json *text = prova_json_get(root, name), *k = prova_json_get(root, "sign_key_b64");
    if (!prova_json_is_object(root))
        return gw_error(req, 422, "schema_error", "the body must be an object {\"%s\": string, \"sign_key_b64\": "
                                                  "string}", name), -1;
    if (!prova_json_is_string(text))
        return gw_error(req, 422, text ? "schema_error" : "missing_member", "%s must be a string (the document "
                                                                             "as JSON text)", name), -1;
    if (k && !prova_json_is_string(k) && !prova_json_is_null(k))
        return gw_error(req, 422, "schema_error", "sign_key_b64 must be a string (standard base64)"), -1;
    prova_error e;
    int rc = prova_proof_b64_key(prova_json_is_string(k) ? prova_json_str(k) : "", ret_key, ret_key_len, &e);
    if (rc < 0) {
        if (rc == PROVA_ENOMEM) return rc;
        return gw_error(req, 400, e.reason, "sign_key_b64 is not valid base64: %s", e.message), -1;
    }
    *ret_text = text;
    return 0;
}

int gw_h_proof_verify(gw_req *req) {
    prova_doc *doc = NULL;
    const prova_json *text = NULL;
    uint8_t *key = NULL;
    size_t key_len = 0;
    int rc = take_body(req, "proof_json", &doc, &text, &key, &key_len);
    if (rc == 0) {
        prova_buf out = PROVA_BUF_INIT;
        prova_error e;
        rc = prova_proof_verify_impl(prova_json_str(text), prova_json_len(text), key, key_len, NULL, &out, &e);
        if (rc == 0) {
            gw_count_verdict(req->g, out.len > 15 && memcmp(out.data, "{\"verified\":true", 16) == 0);
            rc = gw_json_buf(req, 200, &out);
        } else if (rc != PROVA_ENOMEM) {
            atomic_fetch_add(&req->g->verify_error, 1);
            rc = gw_error(req, 400, e.reason, "%s", e.message);
        }
        prova_buf_free(&out);
    }
    prova_proof_key_free(key, key_len);
    prova_doc_free(doc);
    return rc < 0 && req->resp.status ? 0 : rc;
}

int gw_h_proof_canonicalize(gw_req *req) {
    prova_doc *doc = NULL, *value = NULL;
    const prova_json *text = NULL;
    uint8_t *key = NULL;
    size_t key_len = 0;
    int rc = take_body(req, "value_json", &doc, &text, &key, &key_len);
    prova_buf canon = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    if (rc == 0) {
        prova_parse_options po = {0};
        po.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
        po.max_depth = req->g->cfg.max_depth;
        prova_error e;
        rc = prova_json_parse(prova_json_str(text), prova_json_len(text), &po, &value, &e);
        if (rc == 0) rc = prova_canon_write(prova_doc_root(value), PROVA_PROFILE_OPHAMIN, &canon, &e);
        if (rc < 0 && rc != PROVA_ENOMEM) {
            rc = gw_error(req, 400, e.reason, "value_json is not valid JSON: %s at line %zu, column %zu", e.message,
                          e.line, e.column);
        } else if (rc == 0) {
            char sha[65], mac_hex[65];
            uint8_t mac[PROVA_HMAC_SHA256_BYTES];
            static const char digits[] = "0123456789abcdef";
            rc = gw_sha256_hex(canon.data, canon.len, sha);
            if (rc == 0) rc = prova_hmac_sha256(key, key_len, canon.data, canon.len, mac);
            for (size_t i = 0; rc == 0 && i < sizeof mac; i++) {
                mac_hex[2 * i] = digits[mac[i] >> 4];
                mac_hex[2 * i + 1] = digits[mac[i] & 15];
            }
            mac_hex[64] = '\0';
            char num[32];
            snprintf(num, sizeof num, "%zu", canon.len);
            if (rc == 0) rc = gw_put_raw(&out, "{\"canonical\":");
            if (rc == 0) rc = prova_canon_write_string((const char *)canon.data, canon.len, PROVA_PROFILE_OPHAMIN, &out);
            if (rc == 0) rc = gw_put_raw(&out, ",\"canonical_bytes_len\":");
            if (rc == 0) rc = gw_put_raw(&out, num);
            if (rc == 0) rc = gw_put_raw(&out, ",\"sha256_hex\":\"");
            if (rc == 0) rc = gw_put_raw(&out, sha);
            if (rc == 0) rc = gw_put_raw(&out, "\",\"hmac_sha256_hex\":\"");
            if (rc == 0) rc = gw_put_raw(&out, mac_hex);
            if (rc == 0) rc = gw_put_raw(&out, "\",\"content_hash\":\"");
            if (rc == 0) rc = gw_put_raw(&out, sha);
            if (rc == 0) rc = gw_put_raw(&out, "\"}");
            if (rc == 0) rc = gw_json_buf(req, 200, &out);
        }
    }
    prova_buf_free(&canon);
    prova_buf_free(&out);
    prova_doc_free(value);
    prova_proof_key_free(key, key_len);
    prova_doc_free(doc);
    return rc < 0 && req->resp.status ? 0 : rc;
}
