/* ODIN OPE v1 endpoints, compatible with the starter gateway (odin.md §5.1): accept an envelope and append a signed
 * receipt to its trace, read a trace's chain, export it as a signed bundle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "prova/encoding.h"


#define TRACE_MAX 200

/* Trace ids travel in URL paths and response headers: visible ASCII without '/', at most TRACE_MAX bytes. */
static const char *trace_id_problem(const char *s, size_t n) {
    if (n == 0 || n > TRACE_MAX) return "trace_id must be 1-200 bytes";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '/')
            return "trace_id must be visible ASCII without '/' (it is used in URLs and headers)";
    return NULL;
}

typedef struct envelope_job {
    prova_doc *doc;
    const prova_json *payload;
    char trace_id[TRACE_MAX + 1];
    char ts[64];
    char cid[72];
    char replay_key[65];
    int64_t replay_until;
    bool same_types;
    prova_buf receipt; /* built by the writer */
    char receipt_ts[40];
    char receipt_hash[65];
    int64_t hop;
} envelope_job;

static void envelope_job_free(void *p) {
    envelope_job *j = p;
    if (!j) return;
    prova_doc_free(j->doc);
    prova_buf_free(&j->receipt);
    free(j);
}

/* On the writer thread: replay claim, the trace's last receipt, the next receipt, signed and stored. */
static int envelope_apply(gw *g, prova_store *w, gw_job *job) {
    gw_req *req = job->ctx;
    envelope_job *j = req->state;
    int64_t now = gw_now_us();
    int rc = prova_store_replay_claim(w, j->replay_key, now, j->replay_until);
    if (rc < 0) return rc;
    prova_buf prev = PROVA_BUF_INIT;
    int64_t hop = -1;
    rc = prova_store_ope_last(w, j->trace_id, &prev, &hop);
    prova_doc *pd = NULL;
    if (rc == 0) rc = prova_json_parse(prev.data, prev.len, NULL, &pd, NULL) < 0 ? PROVA_EIO : 0;
    else if (rc == PROVA_ENOTFOUND) rc = 0;
    prova_buf_free(&prev);
    if (rc < 0) {
        prova_doc_free(pd);
        return rc;
    }
    prova_time_format(now, j->receipt_ts);
    prova_receipt_params p = {0};
    p.trace_id = j->trace_id;
    p.ts = j->receipt_ts;
    p.request_cid = j->cid;
    j->receipt.len = 0;
    prova_error e;
    rc = prova_receipt_build(g->key, pd ? prova_doc_root(pd) : NULL, &p, &j->receipt, &e);
    prova_doc_free(pd);
    if (rc < 0) return rc;
    prova_doc *rd = NULL;
    if ((rc = prova_json_parse(j->receipt.data, j->receipt.len, NULL, &rd, NULL)) < 0) return rc;
    const prova_json *h = prova_json_get(prova_doc_root(rd), "receipt_hash");
    if (prova_json_len(h) == 64) memcpy(j->receipt_hash, prova_json_str(h), 65);
    prova_doc_free(rd);
    if (!j->receipt_hash[0]) return PROVA_EINVAL;
    j->hop = hop + 1;
    return prova_store_ope_append(w, j->trace_id, j->hop, j->receipt_hash, j->receipt.data, j->receipt.len);
}

/* The response body in canonical form (sorted members, ASCII escapes: what the starter hashes for the response
 * CID), so the bytes sent are the bytes hashed. */
static int envelope_body(envelope_job *j, prova_buf *out) {
    prova_buf raw = PROVA_BUF_INIT;
    int rc = gw_put_raw(&raw, "{\"forwarded\":null,\"normalized_payload\":");
    if (!rc) rc = prova_canon_write(j->payload, PROVA_PROFILE_OPE, &raw, NULL);
    if (!rc) rc = gw_put_raw(&raw, ",\"policy_engine\":null,\"receipt\":");
    if (!rc) rc = prova_buf_append(&raw, j->receipt.data, j->receipt.len);
    if (!rc) rc = gw_put_raw(&raw, j->same_types ? ",\"sft_notes\":{\"notes\":\"already_normalized\"}"
                                                 : ",\"sft_notes\":{\"notes\":\"not_transformed\"}");
    if (!rc) rc = gw_put_raw(&raw, ",\"trace_id\":");
    if (!rc) rc = gw_put_str(&raw, j->trace_id);
    if (!rc) rc = gw_put_raw(&raw, "}");
    if (!rc) rc = prova_canon_bytes(raw.data, raw.len, PROVA_PROFILE_OPHAMIN, NULL, out, NULL);
    prova_buf_free(&raw);
    return rc;
}

static void envelope_finish(gw_req *req) {
    gw *g = req->g;
    envelope_job *j = req->state;
    int st = req->job.status;
    if (st == PROVA_ECONFLICT) {
        gw_error(req, 409, "replay_detected", "Replay detected (duplicate signed envelope)");
        return;
    }
    if (st < 0) {
        gw_error_store(req, st, NULL);
        return;
    }
    atomic_fetch_add(&g->receipts, 1);
    if (j->hop == 0) atomic_fetch_add(&g->traces, 1);
    prova_buf body = PROVA_BUF_INIT;
    char cid[72] = "sha256:", sig[200];
    uint8_t raw[PROVA_SIG_MAX_BYTES];
    size_t siglen = 0;
    prova_buf msg = PROVA_BUF_INIT;
    int rc = envelope_body(j, &body);
    if (!rc) rc = gw_sha256_hex(body.data, body.len, cid + 7);
    if (!rc) rc = gw_put_raw(&msg, cid);
    if (!rc) rc = gw_put_raw(&msg, "|");
    if (!rc) rc = gw_put_raw(&msg, j->trace_id);
    if (!rc) rc = gw_put_raw(&msg, "|");
    if (!rc) rc = gw_put_raw(&msg, j->receipt_ts);
    if (!rc) rc = prova_sign(g->key, msg.data, msg.len, raw, &siglen);
    prova_buf_free(&msg);
    if (rc < 0) {
        prova_buf_free(&body);
        gw_error(req, 500, "internal", "the response could not be signed (%s); the receipt is stored",
                 prova_status_name(rc));
        return;
    }
    prova_base64url_encode(raw, siglen, sig, sizeof sig);
    gw_json_buf(req, 200, &body);
    gw_header(req, "X-ODIN-Trace-Id", j->trace_id);
    gw_header(req, "X-ODIN-Receipt-Hash", j->receipt_hash);
    gw_header(req, "X-ODIN-Response-CID", cid);
    gw_header(req, "X-ODIN-Signature", sig);
    gw_header(req, "X-ODIN-KID", g->kid);
}

/* The reference's X-ODIN-API-Key + X-ODIN-API-MAC: b64url(HMAC-SHA256(secret, "{cid}|{trace_id}|{ts}")). */
static int api_key_auth(gw_req *req, envelope_job *j) {
    gw *g = req->g;
    const char *key = gw_header_in(req, "X-ODIN-API-Key");
    const char *mac = gw_header_in(req, "X-ODIN-API-MAC");
    if (!key) key = gw_header_in(req, "X-API-Key");
    if (!key || !mac) return gw_error(req, 401, "api_key_missing", "Missing API key or MAC"), 1;
    const gw_api_key *k = NULL;
    for (size_t i = 0; i < g->napi_keys; i++)
        if (strcmp(g->api_keys[i].key, key) == 0) k = &g->api_keys[i];
    if (!k) return gw_error(req, 401, "api_key_unknown", "Unknown API key"), 1;
    if (!(k->scopes & GW_SCOPE_OPE_WRITE))
        return gw_error(req, 403, "scope_missing", "API key %s lacks scope ope:write", k->key), 1;
    char msg[TRACE_MAX + 200];
    int n = snprintf(msg, sizeof msg, "%s|%s|%s", j->cid, j->trace_id, j->ts);
    uint8_t h[PROVA_HMAC_SHA256_BYTES];
    char want[48];
    if (n < 0 || (size_t)n >= sizeof msg || prova_hmac_sha256(k->secret, k->secret_len, msg, (size_t)n, h) < 0)
        return gw_error(req, 401, "api_mac_invalid", "Invalid MAC"), 1;
    size_t wl = prova_base64url_encode(h, sizeof h, want, sizeof want);
    size_t ml = strlen(mac);
    while (ml && mac[ml - 1] == '=') ml--; /* accept padded base64url too */
    if (ml != wl || !prova_ct_equal(want, mac, wl)) return gw_error(req, 401, "api_mac_invalid", "Invalid MAC"), 1;
    return 0;
}

int gw_h_ope_envelope(gw_req *req) {
    gw *g = req->g;
    envelope_job *j = calloc(1, sizeof *j);
    if (!j) return PROVA_ENOMEM;
    req->state = j;
    req->state_free = envelope_job_free;
    if (gw_parse_body(req, &j->doc) < 0) return 0;
    const prova_json *env = prova_doc_root(j->doc);
    if (!prova_json_is_object(env))
        return gw_error(req, 422, "schema_error", "the body must be a JSON object (an OPE envelope)");

    int64_t now = gw_now_us();
    prova_verify_options o = {0};
    o.keys = g->senders;
    o.trust_embedded_key = g->cfg.allow_inline_sender_keys;
    o.now_us = now;
    o.max_skew_s = g->cfg.max_skew_s;
    prova_report *r = prova_report_new("ope_envelope");
    prova_envelope_info info;
    int rc = r ? prova_envelope_verify(env, "", &o, r, &info) : PROVA_ENOMEM;
    if (rc < 0) {
        prova_report_free(r);
        return rc;
    }
    const prova_check *f = prova_report_first_failure(r);
    if (f) {
        gw_count_verdict(g, false);
        bool schema = strcmp(f->code, "schema_error") == 0 || strcmp(f->code, "missing_sig_or_kid") == 0;
        rc = gw_error(req, schema ? 422 : 400, f->code, "%s%s%s", f->message, f->at[0] ? " at " : "", f->at);
        prova_report_free(r);
        return rc;
    }
    prova_report_free(r);
    /* The offline verifier accepts old envelopes (with a warning); a gateway takes only fresh ones. */
    if (info.ts_parsed && now - info.ts_us > g->cfg.max_skew_s * 1000000) {
        gw_count_verdict(g, false);
        return gw_error(req, 400, "timestamp_skew", "Timestamp too far in past: ts is %lld s old (window %lld s)",
                        (long long)((now - info.ts_us) / 1000000), (long long)g->cfg.max_skew_s);
    }
    gw_count_verdict(g, true);
    const char *bad = trace_id_problem(info.trace_id, info.trace_len);
    if (bad) return gw_error(req, 422, "trace_id_invalid", "%s", bad);
    if (info.ts_len >= sizeof j->ts) return gw_error(req, 422, "schema_error", "ts is too long");
    memcpy(j->trace_id, info.trace_id, info.trace_len);
    memcpy(j->ts, info.ts, info.ts_len);
    memcpy(j->cid, info.cid, sizeof j->cid);
    j->payload = prova_json_get(env, "payload");
    const prova_json *pt = prova_json_get(env, "payload_type"), *tt = prova_json_get(env, "target_type");
    j->same_types = !pt || !tt || (pt->len == tt->len && prova_json_is_string(pt) && prova_json_is_string(tt) &&
                                   memcmp(pt->u.str, tt->u.str, pt->len) == 0);
    if (!req->token && api_key_auth(req, j)) return 0;

    /* Replay: what the signature covers, claimed until a replay would fail the freshness check anyway. */
    char what[TRACE_MAX + 200];
    int n = snprintf(what, sizeof what, "%s|%s|%s", j->cid, j->trace_id, j->ts);
    if (n < 0 || (size_t)n >= sizeof what ||
        gw_sha256_hex(what, (size_t)n, j->replay_key) < 0)
        return PROVA_EINVAL;
    int64_t base = info.ts_parsed && info.ts_us > now ? info.ts_us : now;
    j->replay_until = base + g->cfg.max_skew_s * 1000000;
    req->job.apply = envelope_apply;
    return gw_req_submit(req, envelope_finish);
}

/* ---- Reads ------------------------------------------------------------------------------------------------ */

static int load_chain(gw_req *req, prova_buf *out, size_t *count) {
    prova_store *s = gw_reader_get(req->g);
    if (!s) return gw_error_store(req, PROVA_EIO, NULL), PROVA_EIO;
    int rc = prova_store_ope_chain(s, req->param[0], out, count);
    if (rc < 0) gw_error_store(req, rc, s);
    gw_reader_put(req->g, s);
    return rc;
}

int gw_h_ope_chain(gw_req *req) {
    prova_buf b = PROVA_BUF_INIT;
    size_t count = 0;
    int rc = gw_put_raw(&b, "{\"trace_id\":");
    if (!rc) rc = gw_put_str(&b, req->param[0]);
    if (!rc) rc = gw_put_raw(&b, ",\"hops\":");
    if (!rc && load_chain(req, &b, &count) < 0) {
        prova_buf_free(&b);
        return 0;
    }
    if (!rc) rc = gw_put_raw(&b, "}");
    if (rc < 0) {
        prova_buf_free(&b);
        return rc;
    }
    return gw_json_buf(req, 200, &b);
}

int gw_h_ope_export(gw_req *req) {
    gw *g = req->g;
    prova_buf chain = PROVA_BUF_INIT;
    size_t count = 0;
    if (load_chain(req, &chain, &count) < 0) {
        prova_buf_free(&chain);
        return 0;
    }
    if (count == 0) {
        prova_buf_free(&chain);
        return gw_error(req, 404, "trace_not_found", "no receipts for trace %s", req->param[0]);
    }
    prova_doc *doc = NULL;
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    int rc = prova_json_parse(chain.data, chain.len, &po, &doc, NULL);
    prova_buf_free(&chain);
    if (rc < 0) return rc;
    char at[40];
    prova_time_format(gw_now_us(), at);
    prova_buf out = PROVA_BUF_INIT;
    prova_error e;
    rc = prova_bundle_build(g->key, req->param[0], at, prova_doc_root(doc), PROVA_BUNDLE_STARTER, &out, &e);
    prova_doc_free(doc);
    prova_doc *bd = NULL;
    if (rc == 0) rc = prova_json_parse(out.data, out.len, &po, &bd, NULL);
    if (rc < 0) {
        prova_buf_free(&out);
        return rc;
    }
    const prova_json *root = prova_doc_root(bd);
    gw_header(req, "X-ODIN-Bundle-CID", prova_json_str(prova_json_get(root, "bundle_cid")));
    gw_header(req, "X-ODIN-Bundle-Signature", prova_json_str(prova_json_get(root, "bundle_signature")));
    gw_header(req, "X-ODIN-KID", g->kid);
    prova_doc_free(bd);
    return gw_json_buf(req, 200, &out);
}
