/* Ophamin proof-record endpoints with the reference REST API's bodies and results (ophamin.md §6):
 * POST /verify {proof_json, sign_key_b64} and POST /canonicalize {value_json, sign_key_b64}. The operations
 * themselves (proof_api.h) are shared with the MCP tools verify_proof and canonicalize_value. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gateway.h"
#include "proof_api.h"
#include "prova/proof.h"

/* ---- The shared operations -------------------------------------------------------------------------------- */

static int refuse(proof_api_error *err, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(proof_api_error *err, unsigned status, const char *code, const char *fmt, ...) {
    err->status = status;
    err->code = code ? code : "invalid_argument";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return 1;
}

/* The HMAC key from its base64 text (NULL: ""). 0, 1 with err, or PROVA_ENOMEM. */
static int take_key(const char *key_b64, uint8_t **ret_key, size_t *ret_len, proof_api_error *err) {
    prova_error e;
    int rc = prova_proof_b64_key(key_b64 ? key_b64 : "", ret_key, ret_len, &e);
    if (rc >= 0) return 0;
    if (rc == PROVA_ENOMEM) return rc;
    return refuse(err, 400, e.reason, "sign_key_b64 is not valid base64: %s", e.message);
}

int proof_api_verify(const char *proof_json, size_t len, const char *key_b64, prova_buf *out, bool *ret_verified,
                     proof_api_error *err) {
    uint8_t *key = NULL;
    size_t key_len = 0;
    int rc = take_key(key_b64, &key, &key_len, err);
    if (rc != 0) return rc;
    size_t start = out->len;
    prova_error e;
    rc = prova_proof_verify_impl(proof_json, len, key, key_len, NULL, out, &e);
    prova_proof_key_free(key, key_len);
    if (rc == 0) {
        *ret_verified = out->len - start > 15 && memcmp(out->data + start, "{\"verified\":true", 16) == 0;
        return 0;
    }
    if (rc == PROVA_ENOMEM) return rc;
    return refuse(err, 400, e.reason, "%s", e.message);
}

int proof_api_canonicalize(const char *value_json, size_t len, const char *key_b64, uint32_t max_depth,
                           prova_buf *out, proof_api_error *err) {
    uint8_t *key = NULL;
    size_t key_len = 0;
    int rc = take_key(key_b64, &key, &key_len, err);
    if (rc != 0) return rc;
    prova_doc *value = NULL;
    prova_buf canon = PROVA_BUF_INIT, res = PROVA_BUF_INIT;
    prova_parse_options po = {0};
    po.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
    po.max_depth = max_depth;
    prova_error e;
    rc = prova_json_parse(value_json, len, &po, &value, &e);
    if (rc == 0) rc = prova_canon_write(prova_doc_root(value), PROVA_PROFILE_OPHAMIN, &canon, &e);
    if (rc < 0 && rc != PROVA_ENOMEM) {
        rc = refuse(err, 400, e.reason, "value_json is not valid JSON: %s at line %zu, column %zu", e.message,
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
        if (rc == 0) rc = gw_put_raw(&res, "{\"canonical\":");
        if (rc == 0) rc = prova_canon_write_string((const char *)canon.data, canon.len, PROVA_PROFILE_OPHAMIN, &res);
        if (rc == 0) rc = gw_put_raw(&res, ",\"canonical_bytes_len\":");
        if (rc == 0) rc = gw_put_raw(&res, num);
        if (rc == 0) rc = gw_put_raw(&res, ",\"sha256_hex\":\"");
        if (rc == 0) rc = gw_put_raw(&res, sha);
        if (rc == 0) rc = gw_put_raw(&res, "\",\"hmac_sha256_hex\":\"");
        if (rc == 0) rc = gw_put_raw(&res, mac_hex);
        if (rc == 0) rc = gw_put_raw(&res, "\",\"content_hash\":\"");
        if (rc == 0) rc = gw_put_raw(&res, sha);
        if (rc == 0) rc = gw_put_raw(&res, "\"}");
        if (rc == 0) rc = prova_buf_append(out, res.data, res.len);
        if (rc < 0) rc = PROVA_ENOMEM;
    }
    prova_buf_free(&canon);
    prova_buf_free(&res);
    prova_doc_free(value);
    prova_proof_key_free(key, key_len);
    return rc;
}

/* ---- The HTTP routes --------------------------------------------------------------------------------------- */

/* The request body: {"<name>": string (required), "sign_key_b64": string (default "")}. FastAPI answers a body
 * that does not fit its model with 422; so does this. On success *ret_doc owns the strings. */
static int take_body(gw_req *req, const char *name, prova_doc **ret_doc, const prova_json **ret_text,
                     const char **ret_key) {
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
    *ret_text = text;
    *ret_key = prova_json_is_string(k) ? prova_json_str(k) : "";
    return 0;
}

int gw_h_proof_verify(gw_req *req) {
    prova_doc *doc = NULL;
    const prova_json *text = NULL;
    const char *key = NULL;
    int rc = take_body(req, "proof_json", &doc, &text, &key);
    if (rc == 0) {
        prova_buf out = PROVA_BUF_INIT;
        proof_api_error err;
        bool verified = false;
        rc = proof_api_verify(prova_json_str(text), prova_json_len(text), key, &out, &verified, &err);
        if (rc == 0) {
            gw_count_verdict(req->g, verified);
            rc = gw_json_buf(req, 200, &out);
        } else if (rc == 1) {
            if (strcmp(err.code, "proof_key_b64_invalid") != 0) atomic_fetch_add(&req->g->verify_error, 1);
            rc = gw_error(req, err.status, err.code, "%s", err.message);
        }
        prova_buf_free(&out);
    }
    prova_doc_free(doc);
    return rc < 0 && req->resp.status ? 0 : rc;
}

int gw_h_proof_canonicalize(gw_req *req) {
    prova_doc *doc = NULL;
    const prova_json *text = NULL;
    const char *key = NULL;
    int rc = take_body(req, "value_json", &doc, &text, &key);
    if (rc == 0) {
        prova_buf out = PROVA_BUF_INIT;
        proof_api_error err;
        rc = proof_api_canonicalize(prova_json_str(text), prova_json_len(text), key, req->g->cfg.max_depth, &out,
                                    &err);
        if (rc == 0) rc = gw_json_buf(req, 200, &out);
        else if (rc == 1) rc = gw_error(req, err.status, err.code, "%s", err.message);
        prova_buf_free(&out);
    }
    prova_doc_free(doc);
    return rc < 0 && req->resp.status ? 0 : rc;
}
