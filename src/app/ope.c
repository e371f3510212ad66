/* ODIN OPE v1 operations, compatible with the starter gateway (reference/odin.md §5.1): accept an envelope and
 * append a signed receipt to its trace, read a trace's receipts, export them as a signed bundle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "jsonw.h"
#include "prova/encoding.h"
#include "prova/logentry.h"
#include "prova/ope.h"

typedef struct envelope_job {
    prova_doc *doc;
    app_sft_out sft;       /* the normalized payload, its cid and notes */
    app_egress_out egress; /* the policy's verdict on forward_url */
    prova_buf forwarded;   /* the response's "forwarded" value */
    char trace_id[APP_ID_MAX + 1];
    char ts[64];
    char cid[72];
    char replay_key[65];
    int64_t replay_until;
    prova_buf receipt; /* built by the writer */
    char receipt_ts[40];
    char receipt_hash[65];
    int64_t hop;
    int64_t log_index; /* the receipt's log entry */
    /* What the listing of traces filters on (schema 5): the kid whose key verified the envelope and its
     * payload_type ("" when absent, or too long to be worth a column). */
    char sender_kid[APP_ID_MAX + 1];
    char payload_type[APP_ID_MAX + 1];
    int64_t receipt_us;
} envelope_job;

static void envelope_job_free(void *p) {
    envelope_job *j = p;
    if (!j) return;
    prova_doc_free(j->doc);
    app_sft_out_free(&j->sft);
    app_egress_out_free(&j->egress);
    prova_buf_free(&j->forwarded);
    prova_buf_free(&j->receipt);
    free(j);
}

/* On the writer thread: replay claim, the trace's last receipt, the next receipt, signed and stored. */
static int envelope_apply(app *a, prova_store *w, app_call *c) {
    envelope_job *j = c->state;
    int64_t now = app_now_us();
    int rc = prova_store_replay_claim(w, j->replay_key, now, j->replay_until);
    if (rc < 0) return rc;
    prova_buf prev = PROVA_BUF_INIT;
    int64_t hop = -1;
    rc = prova_store_ope_last(w, j->trace_id, &prev, &hop);
    prova_doc *pd = NULL;
    if (rc == 0)
        rc = prova_json_parse(prev.data, prev.len, NULL, &pd, NULL) < 0 ? PROVA_EIO : 0;
    else if (rc == PROVA_ENOTFOUND)
        rc = 0;
    prova_buf_free(&prev);
    if (rc < 0) {
        prova_doc_free(pd);
        return rc;
    }
    prova_time_format(now, j->receipt_ts);
    j->receipt_us = now; /* the receipt's ts, to the microsecond it prints */
    prova_ope_receipt_params p = {0};
    p.trace_id = j->trace_id;
    p.ts = j->receipt_ts;
    p.request_cid = j->cid;
    p.normalized_cid = j->sft.cid;
    p.sft_id = j->sft.id; /* the transform, when one other than the identity ran */
    p.sft_version = j->sft.version;
    p.policy = j->egress.policy ? prova_doc_root(j->egress.policy) : NULL;
    j->receipt.len = 0;
    prova_error e;
    /* On the writer thread, but a child of the call's span: the call waits for this job, its span outlives it. */
    otel_span *ss = app_span_sign(c, "ope_receipt");
    rc = prova_ope_receipt_build(a->key, pd ? prova_doc_root(pd) : NULL, &p, &j->receipt, &e);
    if (rc < 0) otel_span_error(ss, prova_status_name(rc));
    otel_span_end(ss);
    prova_doc_free(pd);
    if (rc < 0) return rc;
    prova_doc *rd = NULL;
    if ((rc = prova_json_parse(j->receipt.data, j->receipt.len, NULL, &rd, NULL)) < 0) return rc;
    const prova_json *h = prova_json_get(prova_doc_root(rd), "receipt_hash");
    if (prova_json_len(h) == 64) memcpy(j->receipt_hash, prova_json_str(h), 65);
    j->hop = hop + 1;
    rc = j->receipt_hash[0] ? 0 : PROVA_EINVAL;
    /* The receipt's log entry, in the same savepoint: both are durable, or neither. The entry is sequenced first,
     * so that the receipt's row holds its index (what an export with log proofs reads). */
    prova_buf entry = PROVA_BUF_INIT;
    if (rc == 0) rc = prova_log_entry_of_receipt(prova_doc_root(rd), &entry, NULL);
    if (rc == 0) rc = app_log_append(w, &entry, &j->log_index);
    prova_buf_free(&entry);
    if (rc == 0)
        rc = prova_store_ope_append_meta(w, j->trace_id, j->hop, j->receipt_hash, j->receipt.data, j->receipt.len,
                                         j->log_index, j->receipt_us, a->kid, j->sender_kid, j->payload_type);
    prova_doc_free(rd);
    return rc;
}

/* The response body in canonical form (sorted members, ASCII escapes: what the starter hashes for the response
 * CID), so the bytes sent are the bytes hashed. */
static int envelope_body(envelope_job *j, prova_buf *out) {
    prova_buf raw = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &raw);
    prova_jw_obj(&w);
    prova_jw_kraw(&w, "forwarded", j->forwarded.data, j->forwarded.len);
    prova_jw_ki64(&w, "log_index", j->log_index); /* prova's: not in the starter's body */
    prova_jw_kraw(&w, "normalized_payload", j->sft.payload.data, j->sft.payload.len);
    prova_jw_key(&w, "policy_engine");
    prova_jw_null(&w);
    prova_jw_kraw(&w, "receipt", j->receipt.data, j->receipt.len);
    prova_jw_kraw(&w, "sft_notes", j->sft.notes.data, j->sft.notes.len);
    prova_jw_kstr(&w, "trace_id", j->trace_id);
    prova_jw_end(&w);
    int rc = prova_jw_finish(&w);
    if (rc == 0) rc = prova_canon_bytes(raw.data, raw.len, PROVA_PROFILE_OPHAMIN, NULL, out, NULL);
    prova_buf_free(&raw);
    return rc;
}

static void envelope_finish(app_call *c) {
    app *a = c->a;
    envelope_job *j = c->state;
    int st = c->job.status;
    if (st == PROVA_ECONFLICT) {
        app_fail(c, APP_E_CONFLICT, "replay_detected", "Replay detected (duplicate signed envelope)");
        return;
    }
    if (st < 0) {
        app_fail_store(c, st, NULL);
        return;
    }
    atomic_fetch_add(&a->receipts, 1);
    if (j->hop == 0) atomic_fetch_add(&a->traces, 1);
    /* As the reference: the receipt (with the policy's verdict) is written, then the forward is refused. */
    if (j->egress.blocked) {
        app_fail(c, APP_E_FORBIDDEN, "forward_blocked", "Forward blocked by HEL: %s", j->egress.reason);
        return;
    }
    if (app_egress_forward(c, &j->egress, j->trace_id, &j->sft.payload, &j->forwarded) || app_call_failed(c)) return;
    prova_buf body = PROVA_BUF_INIT, msg = PROVA_BUF_INIT;
    char cid[72] = "sha256:", sig[200];
    uint8_t raw[PROVA_SIG_MAX_BYTES];
    size_t siglen = 0;
    if (otel_span_recording(c->span)) {
        const otel_attr ev[] = {
            OTEL_STR("prova.receipt.hash", j->receipt_hash),
            OTEL_INT("prova.ope.hop", j->hop),
            OTEL_INT("prova.log.index", j->log_index),
        };
        otel_span_event(c->span, "prova.receipt", ev, sizeof ev / sizeof ev[0]);
    }
    otel_span *cs = app_span_canon(c, PROVA_PROFILE_OPHAMIN);
    int rc = envelope_body(j, &body);
    otel_span_int(cs, "prova.canonical.bytes", (int64_t)body.len);
    if (rc < 0) otel_span_error(cs, prova_status_name(rc));
    otel_span_end(cs);
    if (!rc) rc = app_sha256_hex(body.data, body.len, cid + 7);
    if (!rc)
        rc = prova_ope_signing_string(cid, strlen(cid), j->trace_id, strlen(j->trace_id), j->receipt_ts,
                                      strlen(j->receipt_ts), &msg);
    if (!rc) {
        otel_span *ss = app_span_sign(c, "ope_response");
        rc = prova_key_sign(a->key, msg.data, msg.len, raw, &siglen);
        if (rc < 0) otel_span_error(ss, prova_status_name(rc));
        otel_span_end(ss);
    }
    prova_buf_free(&msg);
    if (rc < 0) {
        prova_buf_free(&body);
        app_fail(c, APP_E_INTERNAL, "internal", "the response could not be signed (%s); the receipt is stored",
                 prova_status_name(rc));
        return;
    }
    prova_base64url_encode(raw, siglen, sig, sizeof sig);
    app_ok(c, 200, &body);
    c->res.logged = true;
    c->res.log_index = j->log_index;
    app_meta(c, "X-ODIN-Trace-Id", j->trace_id);
    app_meta(c, "X-ODIN-Receipt-Hash", j->receipt_hash);
    app_meta(c, "X-ODIN-Response-CID", cid);
    app_meta(c, "X-ODIN-Signature", sig);
    app_meta(c, "X-ODIN-KID", a->kid);
}

/* The reference's X-ODIN-API-Key + X-ODIN-API-MAC: b64url(HMAC-SHA256(secret, "{cid}|{trace_id}|{ts}")). 0 to go
 * on, else APP_DONE with the error set. */
static int api_key_auth(app_call *c, envelope_job *j, const char *key, const char *mac) {
    app *a = c->a;
    if (!key || !mac) return app_fail(c, APP_E_AUTH, "api_key_missing", "Missing API key or MAC"), APP_REFUSED;
    const app_api_key *k = NULL;
    for (size_t i = 0; i < a->napi_keys; i++)
        if (strcmp(a->api_keys[i].key, key) == 0) k = &a->api_keys[i];
    if (!k) return app_fail(c, APP_E_AUTH, "api_key_unknown", "Unknown API key"), APP_REFUSED;
    if (!(k->scopes & APP_SCOPE_OPE_WRITE))
        return app_fail(c, APP_E_SCOPE, "scope_missing", "API key %s lacks scope ope:write", k->key), APP_REFUSED;
    prova_buf msg = PROVA_BUF_INIT;
    uint8_t h[PROVA_HMAC_SHA256_BYTES];
    char want[48];
    int rc =
        prova_ope_signing_string(j->cid, strlen(j->cid), j->trace_id, strlen(j->trace_id), j->ts, strlen(j->ts), &msg);
    if (rc == 0) rc = prova_hmac_sha256_compute(k->secret, k->secret_len, msg.data, msg.len, h);
    prova_buf_free(&msg);
    if (rc < 0) return app_fail(c, APP_E_AUTH, "api_mac_invalid", "Invalid MAC"), APP_REFUSED;
    size_t wl = prova_base64url_encode(h, sizeof h, want, sizeof want);
    size_t ml = strlen(mac);
    while (ml && mac[ml - 1] == '=') ml--; /* accept padded base64url too */
    if (ml != wl || !prova_ct_equal(want, mac, wl))
        return app_fail(c, APP_E_AUTH, "api_mac_invalid", "Invalid MAC"), APP_REFUSED;
    return 0;
}

/* The starter gateway's statuses for a refused envelope: 422 for an envelope of the wrong shape (what FastAPI's
 * model validation answers), 400 for one that does not verify. Both are "verified invalid" to the report's outcome
 * (the CLI exits 1 for either): the distinction is HTTP's, so it is made here, from the first failure's reason. */
static unsigned envelope_status(const char *reason) {
    static const char *const shape[] = {"schema_error", "missing_sig_or_kid"};
    for (size_t i = 0; i < sizeof shape / sizeof shape[0]; i++)
        if (strcmp(reason, shape[i]) == 0) return APP_E_SCHEMA;
    return APP_E_INPUT;
}

int app_ope_append(app_call *c, const void *envelope, size_t len, const char *api_key, const char *api_mac) {
    app *a = c->a;
    if (app_need_store(c)) return APP_DONE;
    /* A bearer token must carry the scope; without one, the reference's API key + MAC may stand in. */
    if (c->token || !api_key) {
        if (app_need_scope(c, APP_SCOPE_OPE_WRITE)) return APP_DONE;
    }
    envelope_job *j = calloc(1, sizeof *j);
    if (!j) return app_fail_status(c, PROVA_ENOMEM);
    c->state = j;
    c->state_free = envelope_job_free;
    /* The verification as a span: input that is no envelope is its error; an envelope that does not verify (or is
     * too old) a verdict. */
    otel_span *vs = app_span(c, "prova.verify");
    if (otel_span_recording(vs)) otel_span_str(vs, "prova.verify.kind", "ope_envelope");
    if (app_parse_doc(c, envelope, len, &j->doc) < 0) return app_span_end(vs, c), APP_DONE;
    const prova_json *env = prova_doc_root(j->doc);
    if (!prova_json_is_object(env)) {
        app_fail(c, APP_E_SCHEMA, "schema_error", "the body must be a JSON object (an OPE envelope)");
        return app_span_end(vs, c), APP_DONE;
    }

    int64_t now = app_now_us();
    prova_verify_options o = {0};
    o.trust_embedded_key = a->cfg.allow_inline_sender_keys;
    o.now_us = now;
    o.max_skew_s = a->cfg.max_skew_s;
    prova_report *r = prova_report_new("ope_envelope");
    prova_ope_envelope_info info;
    app_keys_acquire(a, &o.keys, NULL);
    int rc = r ? prova_ope_envelope_verify(env, "", &o, r, &info) : PROVA_ENOMEM;
    /* the kid may point into the key set: copied before it is released */
    if (rc == 0 && info.cid[0] && info.kid && strlen(info.kid) < sizeof j->sender_kid)
        memcpy(j->sender_kid, info.kid, strlen(info.kid) + 1);
    app_keys_release(a);
    if (rc < 0) {
        prova_report_free(r);
        app_fail_status(c, rc);
        return app_span_end(vs, c), APP_DONE;
    }
    const prova_check *f = prova_report_first_failure(r);
    if (f) {
        app_count_verdict(a, false);
        app_span_verdict(vs, NULL, false, f->code);
        app_span_end(vs, NULL);
        app_fail(c, envelope_status(f->code), f->code, "%s%s%s", f->message, f->at[0] ? " at " : "", f->at);
        prova_report_free(r);
        return APP_DONE;
    }
    prova_report_free(r);
    /* The offline verifier accepts old envelopes (with a warning); a gateway takes only fresh ones. */
    if (info.ts_parsed && now - info.ts_us > a->cfg.max_skew_s * 1000000) {
        app_count_verdict(a, false);
        app_span_verdict(vs, NULL, false, "timestamp_skew");
        app_span_end(vs, NULL);
        return app_fail(c, APP_E_INPUT, "timestamp_skew", "Timestamp too far in past: ts is %lld s old (window %lld s)",
                        (long long)((now - info.ts_us) / 1000000), (long long)a->cfg.max_skew_s);
    }
    app_count_verdict(a, true);
    app_span_verdict(vs, NULL, true, NULL);
    app_span_end(vs, NULL);
    if (info.trace_len) otel_span_strn(c->span, "prova.ope.trace_id", info.trace_id, info.trace_len);
    if (app_check_id(c, APP_E_SCHEMA, "trace_id", info.trace_id, info.trace_len)) return APP_DONE;
    if (info.ts_len >= sizeof j->ts) return app_fail(c, APP_E_SCHEMA, "schema_error", "ts is too long");
    memcpy(j->trace_id, info.trace_id, info.trace_len);
    memcpy(j->ts, info.ts, info.ts_len);
    memcpy(j->cid, info.cid, sizeof j->cid);
    const prova_json *pt = prova_json_get(env, "payload_type");
    if (prova_json_is_string(pt) && pt->len < sizeof j->payload_type && !memchr(pt->u.str, 0, pt->len))
        memcpy(j->payload_type, pt->u.str, pt->len + 1);
    if (!c->token && api_key_auth(c, j, api_key, api_mac)) return APP_DONE;
    /* Each step answers APP_REFUSED with the error set; the error is also checked, so that a step returning APP_DONE
     * (0) after app_fail cannot let a refused envelope through to the writer. */
    if (app_sft_run(c, env, &j->sft) || app_call_failed(c)) return APP_DONE;
    if (app_egress_check(c, env, &j->egress) || app_call_failed(c)) return APP_DONE;

    /* Replay: what the signature covers, claimed until a replay would fail the freshness check anyway. */
    prova_buf what = PROVA_BUF_INIT;
    rc =
        prova_ope_signing_string(j->cid, strlen(j->cid), j->trace_id, strlen(j->trace_id), j->ts, strlen(j->ts), &what);
    if (rc == 0) rc = app_sha256_hex(what.data, what.len, j->replay_key);
    prova_buf_free(&what);
    if (rc < 0) return app_fail_status(c, rc);
    int64_t base = info.ts_parsed && info.ts_us > now ? info.ts_us : now;
    j->replay_until = base + a->cfg.max_skew_s * 1000000;
    return app_submit(c, envelope_apply, envelope_finish);
}

/* ---- Reads ------------------------------------------------------------------------------------------------ */

/* The receipts of trace_id as a JSON array into out. 0, or APP_DONE with the error set. */
static int load_chain(app_call *c, const char *trace_id, prova_buf *out, size_t *count, prova_buf *logidx) {
    if (app_need_store(c)) return APP_REFUSED;
    if (app_check_id(c, APP_E_INPUT, "trace_id", trace_id, strlen(trace_id))) return APP_REFUSED;
    otel_span_str(c->span, "prova.ope.trace_id", trace_id);
    prova_store *s = app_reader_get(c->a);
    if (!s) return app_fail_store(c, PROVA_EIO, NULL), APP_REFUSED;
    int rc = 0;
    if (logidx) rc = prova_store_read_begin(s); /* the receipts and their log indexes from one snapshot */
    if (rc == 0) rc = prova_store_ope_chain(s, trace_id, out, count);
    if (rc == 0 && logidx) rc = prova_store_ope_chain_log(s, trace_id, logidx, NULL);
    if (logidx) prova_store_rollback(s);
    if (rc < 0) app_fail_store(c, rc, s);
    app_reader_put(c->a, s);
    return rc < 0 ? APP_REFUSED : 0;
}

int app_ope_chain(app_call *c, const char *trace_id) {
    prova_buf b = PROVA_BUF_INIT;
    size_t count = 0;
    if (load_chain(c, trace_id, &b, &count, NULL)) {
        prova_buf_free(&b);
        return APP_DONE;
    }
    return app_ok(c, 200, &b);
}

int app_ope_export(app_call *c, const char *trace_id, bool log_proofs) {
    app *a = c->a;
    prova_buf chain = PROVA_BUF_INIT, logidx = PROVA_BUF_INIT;
    size_t count = 0;
    if (load_chain(c, trace_id, &chain, &count, log_proofs ? &logidx : NULL)) {
        prova_buf_free(&chain);
        prova_buf_free(&logidx);
        return APP_DONE;
    }
    if (count == 0) {
        prova_buf_free(&chain);
        prova_buf_free(&logidx);
        return app_fail(c, APP_E_NOT_FOUND, "trace_not_found", "no receipts for trace %s", trace_id);
    }
    prova_doc *doc = NULL;
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    int rc = prova_json_parse(chain.data, chain.len, &po, &doc, NULL);
    prova_buf_free(&chain);
    if (rc < 0) return app_fail_status(c, rc);
    char at[40];
    prova_time_format(app_now_us(), at);
    prova_buf out = PROVA_BUF_INIT;
    prova_error e;
    otel_span *ss = app_span_sign(c, "ope_bundle");
    rc = prova_ope_bundle_build(a->key, trace_id, at, prova_doc_root(doc), PROVA_OPE_BUNDLE_STARTER, &out, &e);
    if (rc < 0) otel_span_error(ss, prova_status_name(rc));
    otel_span_end(ss);
    prova_doc_free(doc);
    prova_doc *bd = NULL;
    if (rc == 0) rc = prova_json_parse(out.data, out.len, &po, &bd, NULL);
    if (rc == 0 && log_proofs) {
        /* The proofs are outside what bundle_cid and the signature cover: the headers below stay the bundle's. */
        prova_buf with = PROVA_BUF_INIT;
        rc = app_log_attach(a, &out, &logidx, &with);
        prova_buf_free(&out);
        out = with;
    }
    prova_buf_free(&logidx);
    if (rc < 0) {
        prova_buf_free(&out);
        prova_doc_free(bd);
        return app_fail_status(c, rc);
    }
    const prova_json *root = prova_doc_root(bd);
    app_ok(c, 200, &out);
    app_meta(c, "X-ODIN-Bundle-CID", prova_json_str(prova_json_get(root, "bundle_cid")));
    app_meta(c, "X-ODIN-Bundle-Signature", prova_json_str(prova_json_get(root, "bundle_signature")));
    app_meta(c, "X-ODIN-KID", a->kid);
    prova_doc_free(bd);
    return APP_DONE;
}
