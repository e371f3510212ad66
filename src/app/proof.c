/* The Ophamin reference's proof-record operations (reference/ophamin.md §3.3, §5-6): verify_proof and
 * canonicalize_value, behind POST /verify and POST /canonicalize and the MCP tools of the same names. */
#include <stdio.h>
#include <string.h>

#include "app_internal.h"
#include "jsonw.h"
#include "prova/encoding.h"
#include "prova/proof.h"

/* The HMAC key from its base64 text (NULL: ""). 0, or APP_DONE with the error set. */
static int take_key(app_call *c, const char *key_b64, uint8_t **ret_key, size_t *ret_len) {
    prova_error e;
    int rc = prova_proof_key_decode(key_b64 ? key_b64 : "", ret_key, ret_len, &e);
    if (rc >= 0) return 0;
    if (rc == PROVA_ENOMEM) return app_fail_status(c, rc), APP_REFUSED;
    return app_fail(c, APP_E_INPUT, e.reason, "sign_key_b64 is not valid base64: %s", e.message), APP_REFUSED;
}

int app_proof_verify(app_call *c, const char *proof_json, size_t len, const char *key_b64) {
    uint8_t *key = NULL;
    size_t key_len = 0;
    if (take_key(c, key_b64, &key, &key_len)) return APP_DONE;
    prova_buf out = PROVA_BUF_INIT;
    prova_error e;
    /* A verdict (verified or not) is the span's result; a document that is not a proof record its error. */
    otel_span *vs = app_span(c, "prova.verify");
    int rc = prova_proof_verify_impl(proof_json, len, key, key_len, NULL, &out, &e);
    prova_proof_key_free(key, key_len);
    if (rc == 0) {
        bool verified = out.len > 15 && memcmp(out.data, "{\"verified\":true", 16) == 0;
        app_span_verdict(vs, NULL, verified, NULL);
        app_count_verdict(c->a, verified);
        app_ok(c, 200, &out);
    } else if (rc == PROVA_ENOMEM) {
        app_fail_status(c, rc);
    } else {
        app_count_verify_error(c->a);
        app_fail(c, APP_E_INPUT, e.reason, "%s", e.message);
    }
    if (otel_span_recording(vs)) otel_span_str(vs, "prova.verify.kind", "proof_record");
    app_span_end(vs, c);
    prova_buf_free(&out);
    return APP_DONE;
}

int app_proof_canonicalize(app_call *c, const char *value_json, size_t len, const char *key_b64) {
    uint8_t *key = NULL;
    size_t key_len = 0;
    if (take_key(c, key_b64, &key, &key_len)) return APP_DONE;
    prova_doc *value = NULL;
    prova_buf canon = PROVA_BUF_INIT, res = PROVA_BUF_INIT, str = PROVA_BUF_INIT;
    prova_parse_options po = {0};
    po.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
    po.max_depth = c->a->cfg.max_depth;
    prova_error e;
    int rc = prova_json_parse(value_json, len, &po, &value, &e);
    if (rc == 0) {
        otel_span *cs = app_span_canon(c, PROVA_PROFILE_OPHAMIN);
        rc = prova_canon_write(prova_doc_root(value), PROVA_PROFILE_OPHAMIN, &canon, &e);
        otel_span_int(cs, "prova.canonical.bytes", (int64_t)canon.len);
        if (rc < 0) otel_span_error(cs, e.reason ? e.reason : prova_status_name(rc));
        otel_span_end(cs);
    }
    if (rc < 0 && rc != PROVA_ENOMEM) {
        app_fail(c, APP_E_INPUT, e.reason, "value_json is not valid JSON: %s at line %zu, column %zu", e.message,
                 e.line, e.column);
    } else if (rc == 0) {
        char sha[65], mac_hex[2 * PROVA_HMAC_SHA256_BYTES + 1];
        uint8_t mac[PROVA_HMAC_SHA256_BYTES];
        rc = app_sha256_hex(canon.data, canon.len, sha);
        if (rc == 0) rc = prova_hmac_sha256_compute(key, key_len, canon.data, canon.len, mac);
        if (rc == 0) prova_hex_encode(mac, sizeof mac, mac_hex, sizeof mac_hex);
        /* The canonical text as a JSON string under the ophamin profile (ASCII escapes), as the reference writes. */
        if (rc == 0) rc = prova_canon_write_string((const char *)canon.data, canon.len, PROVA_PROFILE_OPHAMIN, &str);
        if (rc == 0) {
            prova_jw w;
            prova_jw_init(&w, &res);
            prova_jw_obj(&w);
            prova_jw_kraw(&w, "canonical", str.data, str.len);
            prova_jw_ku64(&w, "canonical_bytes_len", canon.len);
            prova_jw_kstr(&w, "sha256_hex", sha);
            prova_jw_kstr(&w, "hmac_sha256_hex", mac_hex);
            prova_jw_kstr(&w, "content_hash", sha);
            prova_jw_end(&w);
            rc = prova_jw_finish(&w);
        }
        if (rc == 0)
            app_ok(c, 200, &res);
        else
            app_fail_status(c, rc);
    } else {
        app_fail_status(c, rc);
    }
    prova_buf_free(&canon);
    prova_buf_free(&res);
    prova_buf_free(&str);
    prova_doc_free(value);
    prova_proof_key_free(key, key_len);
    return APP_DONE;
}
