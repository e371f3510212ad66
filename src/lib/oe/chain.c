/* OpenExecution chain records: create, append an event, resolve (open -> resolved computes the chain hash).
 *
 * SPEC (openexecution.md §1.2-1.3, schema-spec.sql): a chain's hash_algorithm, signature_algorithm and
 * canonicalization are fixed when it is created; seq is 1-indexed and unique; chain_hash is computed once, at
 * open -> resolved. prova keeps a chain as one JSON document (docs/openexecution.md) written in JCS form, so a
 * chain file has stable bytes and its events are exactly what a bundle carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oe_internal.h"

static const char *const chain_types[] = {"resource_audit", "manual", "incident_response", "compliance_report"};
static const char *const sentiments[] = {"positive", "negative", "neutral"};

static bool one_of(const char *s, const char *const *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0) return true;
    return false;
}

bool prova__oe_text_ok(const char *s, size_t max) {
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= max && prova_utf8_valid(s, n);
}

int prova__oe_jcs_text(const prova_buf *text, prova_buf *out, prova_error *reterr) {
    prova_doc *doc = NULL;
    prova_parse_options po = {.max_depth = PROVA_DEFAULT_MAX_DEPTH};
    int r = prova_json_parse(text->data ? (const void *)text->data : "", text->len, &po, &doc, reterr);
    if (r == 0) r = prova_canon_write(prova_doc_root(doc), PROVA_PROFILE_JCS, out, reterr);
    prova_doc_free(doc);
    return r;
}

int prova__oe_put_kv(prova_buf *b, const char *key, const char *value) {
    int r = prova__oe_put(b, ",\"");
    if (r == 0) r = prova__oe_put(b, key);
    if (r == 0) r = prova__oe_put(b, "\":");
    if (r == 0) r = value ? prova__oe_put_str(b, value, strlen(value)) : prova__oe_put(b, "null");
    return r;
}

/* ---- creating a chain ------------------------------------------------------------------------------------- */

int prova_oe_chain_new(const prova_oe_chain_params *p, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!p || !out) return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    const char *ct = p->chain_type ? p->chain_type : "manual";
    if (!one_of(ct, chain_types, 4))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_chain_type",
                              "chain_type must be resource_audit, manual, incident_response or compliance_report");
    if (!prova_hash_size(p->hash_alg) || !prova_sig_name(p->sig_alg))
        return prova__oe_fail(reterr, PROVA_EINVAL, "unsupported_algorithm", "unknown hash or signature algorithm");
    char id[37];
    if (p->id) {
        if (!prova__oe_text_ok(p->id, 256))
            return prova__oe_fail(reterr, PROVA_EINVAL, "oe_chain_id", "the chain id must be 1-256 bytes of UTF-8");
    } else {
        prova_uuid_v4(id);
    }
    const char *chain_id = p->id ? p->id : id;
    const char *origin_type = p->origin_type ? p->origin_type : "manual";
    const char *origin_id = p->origin_id ? p->origin_id : chain_id;
    if (!prova__oe_text_ok(origin_type, 32) || !prova__oe_text_ok(origin_id, 256))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_origin", "origin_type must be 1-32 bytes and origin_id 1-256");
    char created[PROVA_OE_TIME_LEN + 1];
    if (!p->created_at || prova_oe_timestamp(p->created_at, strlen(p->created_at), created) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid",
                              "created_at must be an RFC 3339 timestamp");

    prova_buf t = PROVA_BUF_INIT;
    int r = prova__oe_put(&t, "{\"canonicalization\":\"jcs\",\"certified_at\":null,\"chain_hash\":null");
    if (r == 0) r = prova__oe_put_kv(&t, "chain_type", ct);
    if (r == 0) r = prova__oe_put_kv(&t, "created_at", created);
    if (r == 0) r = prova__oe_put(&t, ",\"event_count\":0,\"events\":[]");
    if (r == 0) r = prova__oe_put_kv(&t, "hash_algorithm", prova_hash_name(p->hash_alg));
    if (r == 0) r = prova__oe_put_kv(&t, "id", chain_id);
    if (r == 0) r = prova__oe_put_kv(&t, "origin_id", origin_id);
    if (r == 0) r = prova__oe_put_kv(&t, "origin_type", origin_type);
    if (r == 0) r = prova__oe_put_kv(&t, "protocol_version", "oe-provenance:1.0-alpha");
    if (r == 0) r = prova__oe_put_kv(&t, "resolved_at", NULL);
    if (r == 0) r = prova__oe_put_kv(&t, "signature_algorithm", prova_sig_name(p->sig_alg));
    if (r == 0) r = prova__oe_put_kv(&t, "status", "open");
    if (r == 0) r = prova__oe_put_kv(&t, "updated_at", created);
    if (r == 0) r = prova__oe_put(&t, "}");
    if (r == 0) r = prova__oe_jcs_text(&t, out, reterr);
    prova_buf_free(&t);
    return r;
}

/* ---- events ---------------------------------------------------------------------------------------------- */

int prova_oe_event_build(const char *chain_id, prova_hash_alg alg, const prova_json *prev,
                         const prova_oe_event_params *p, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!p || !out || !prova_hash_size(alg))
        return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or unknown hash algorithm");
    if (!prova__oe_text_ok(p->event_type, 64))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_event_type", "event_type must be 1-64 bytes of UTF-8");
    if (p->actor_id && !prova__oe_text_ok(p->actor_id, 512))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_actor_id", "actor_id must be 1-512 bytes of UTF-8");
    if (p->actor_type && !prova__oe_text_ok(p->actor_type, 64))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_actor_type", "actor_type must be 1-64 bytes of UTF-8");
    const char *sentiment = p->sentiment ? p->sentiment : "neutral";
    if (!one_of(sentiment, sentiments, 3))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_sentiment", "sentiment must be positive, negative or neutral");
    if (chain_id && !prova__oe_text_ok(chain_id, 256))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_chain_id", "the chain id must be 1-256 bytes of UTF-8");
    char created[PROVA_OE_TIME_LEN + 1];
    if (!p->created_at || prova_oe_timestamp(p->created_at, strlen(p->created_at), created) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid",
                              "created_at must be an RFC 3339 timestamp with an offset");
    char id[37];
    if (p->id && !prova__oe_text_ok(p->id, 256))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_event_id", "the event id must be 1-256 bytes of UTF-8");
    if (!p->id) prova_uuid_v4(id);

    /* seq and prev_hash follow the previous event, which must itself be well formed. */
    int64_t seq = 1;
    char prev_hash[PROVA_OE_HEX_MAX + 1];
    size_t hexlen = 2 * prova_hash_size(alg);
    prova_oe_genesis(alg, prev_hash);
    if (prev) {
        const prova_json *ph = prova_json_get(prev, "event_hash");
        if (prova_json_get_int64(prova_json_get(prev, "seq"), &seq) < 0 || seq < 1 || seq >= INT32_MAX ||
            !prova_json_is_string(ph) || ph->len != hexlen)
            return prova__oe_fail(reterr, PROVA_EINVAL, "oe_chain_invalid",
                                  "the chain's last event has no valid seq or event_hash for its hash algorithm");
        memcpy(prev_hash, ph->u.str, hexlen);
        seq++;
    }

    /* Members in JCS order (all keys ASCII); written twice: without event_hash to hash it, then with it. */
    prova_buf t = PROVA_BUF_INIT;
    int r = 0;
    char hex[PROVA_OE_HEX_MAX + 1] = "";
    for (int pass = 0; r == 0 && pass < 2; pass++) {
        t.len = 0;
        r = prova__oe_put(&t, "{\"actor_id\":");
        if (r == 0)
            r = p->actor_id ? prova__oe_put_str(&t, p->actor_id, strlen(p->actor_id)) : prova__oe_put(&t, "null");
        if (r == 0 && p->actor_type) r = prova__oe_put_kv(&t, "actor_type", p->actor_type);
        if (r == 0 && chain_id) r = prova__oe_put_kv(&t, "chain_id", chain_id);
        if (r == 0) r = prova__oe_put_kv(&t, "created_at", created);
        if (r == 0 && pass == 1) r = prova__oe_put_kv(&t, "event_hash", hex);
        if (r == 0) r = prova__oe_put_kv(&t, "event_type", p->event_type);
        if (r == 0) r = prova__oe_put_kv(&t, "id", p->id ? p->id : id);
        if (r == 0) r = prova__oe_put(&t, ",\"payload\":");
        if (r == 0)
            r = p->payload ? prova_canon_write(p->payload, PROVA_PROFILE_JCS, &t, reterr) : prova__oe_put(&t, "{}");
        if (r == 0) r = prova__oe_put_kv(&t, "prev_hash", prev_hash);
        if (r == 0) {
            char num[32];
            snprintf(num, sizeof num, ",\"seq\":%lld", (long long)seq);
            r = prova__oe_put(&t, num);
        }
        if (r == 0) r = prova__oe_put_kv(&t, "sentiment", sentiment);
        if (r == 0) r = prova__oe_put(&t, "}");
        if (r == 0 && pass == 0) {
            prova_doc *doc = NULL;
            r = prova_json_parse(t.data, t.len, NULL, &doc, reterr);
            if (r == 0) r = prova_oe_event_hash(prova_doc_root(doc), alg, hex, reterr);
            prova_doc_free(doc);
        }
    }
    if (r == 0) r = prova_buf_append(out, t.data, t.len);
    prova_buf_free(&t);
    return r;
}

/* ---- rewriting a record -------------------------------------------------------------------------------------- */

int prova__oe_rewrite(const prova_json *obj, const oe_member *set, size_t nset, prova_buf *out, prova_error *reterr) {
    prova_buf t = PROVA_BUF_INIT;
    int r = prova__oe_put(&t, "{");
    bool first = true;
    for (size_t i = 0; r == 0 && i < obj->len; i++) {
        const prova_json_member *m = &obj->u.members[i];
        bool replaced = false;
        for (size_t k = 0; k < nset; k++)
            if (prova_json_str_eq(&m->key, set[k].name)) replaced = true;
        if (replaced) continue;
        if (!first) r = prova__oe_put(&t, ",");
        first = false;
        if (r == 0) r = prova__oe_put_str(&t, m->key.u.str, m->key.len);
        if (r == 0) r = prova__oe_put(&t, ":");
        if (r == 0) r = prova_canon_write(&m->value, PROVA_PROFILE_JCS, &t, reterr);
    }
    for (size_t k = 0; r == 0 && k < nset; k++) {
        if (!first) r = prova__oe_put(&t, ",");
        first = false;
        if (r == 0) r = prova__oe_put_str(&t, set[k].name, strlen(set[k].name));
        if (r == 0) r = prova__oe_put(&t, ":");
        if (r == 0) r = prova_buf_append(&t, set[k].json, set[k].len);
    }
    if (r == 0) r = prova__oe_put(&t, "}");
    if (r == 0) r = prova__oe_jcs_text(&t, out, reterr);
    prova_buf_free(&t);
    return r;
}

/* A JSON string literal of s in a small buffer (for oe_member values). */
static int quoted(const char *s, prova_buf *b) {
    b->len = 0;
    return prova__oe_put_str(b, s, strlen(s));
}

static int chain_alg(const prova_json *chain, prova_hash_alg *alg, prova_error *reterr) {
    const prova_json *h = prova_json_get(chain, "hash_algorithm");
    if (!h) {
        *alg = PROVA_HASH_SHA256;
        return 0;
    }
    if (!prova_json_is_string(h) || prova_oe_hash_lookup(h->u.str, alg) < 0)
        return prova__oe_fail(reterr, PROVA_EUNSUPPORTED, "unsupported_hash_algorithm",
                              "the chain's hash_algorithm is not one of sha256, sha384, sha512, sha3-256/384/512");
    return 0;
}

static int chain_status_is(const prova_json *chain, const char *status, prova_error *reterr, const char *reason,
                           const char *message) {
    if (!prova_json_is_object(chain) || !prova_json_is_array(prova_json_get(chain, "events")))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_schema",
                              "not a chain record: expected an object with an events array");
    if (!prova_json_str_eq(prova_json_get(chain, "status"), status))
        return prova__oe_fail(reterr, PROVA_EINVAL, reason, message);
    return 0;
}

int prova_oe_chain_append(const prova_json *chain, const prova_oe_event_params *p, const char *updated_at,
                          prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!p || !out || !updated_at) return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    int r = chain_status_is(chain, "open", reterr, "oe_chain_not_open", "events can only be appended to an open chain");
    prova_hash_alg alg;
    if (r == 0) r = chain_alg(chain, &alg, reterr);
    if (r < 0) return r;
    const prova_json *events = prova_json_get(chain, "events");
    const prova_json *id = prova_json_get(chain, "id");
    char upd[PROVA_OE_TIME_LEN + 1];
    if (prova_oe_timestamp(updated_at, strlen(updated_at), upd) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid",
                              "updated_at must be an RFC 3339 timestamp");

    prova_buf ev = PROVA_BUF_INIT, arr = PROVA_BUF_INIT, cnt = PROVA_BUF_INIT, ts = PROVA_BUF_INIT;
    r = prova_oe_event_build(prova_json_is_string(id) ? id->u.str : NULL, alg,
                             events->len ? &events->u.items[events->len - 1] : NULL, p, &ev, reterr);
    if (r == 0) {
        r = prova__oe_put(&arr, "[");
        for (size_t i = 0; r == 0 && i < events->len; i++) {
            r = prova_canon_write(&events->u.items[i], PROVA_PROFILE_JCS, &arr, reterr);
            if (r == 0) r = prova__oe_put(&arr, ",");
        }
        if (r == 0) r = prova_buf_append(&arr, ev.data, ev.len);
        if (r == 0) r = prova__oe_put(&arr, "]");
    }
    char num[32];
    snprintf(num, sizeof num, "%zu", (size_t)events->len + 1);
    if (r == 0) r = prova__oe_put(&cnt, num);
    if (r == 0) r = quoted(upd, &ts);
    if (r == 0) {
        oe_member set[] = {{"event_count", (const char *)cnt.data, cnt.len},
                           {"events", (const char *)arr.data, arr.len},
                           {"updated_at", (const char *)ts.data, ts.len}};
        r = prova__oe_rewrite(chain, set, 3, out, reterr);
    }
    prova_buf_free(&ev);
    prova_buf_free(&arr);
    prova_buf_free(&cnt);
    prova_buf_free(&ts);
    return r;
}

/* Checks every event of a chain record; on success the stored chain hash (= the recomputed one). */
static int chain_check(const prova_json *chain, prova_hash_alg alg, char hash[PROVA_OE_HEX_MAX + 1],
                       prova_error *reterr) {
    const prova_json *events = prova_json_get(chain, "events");
    prova_report *rep = prova_report_new("oe_chain");
    if (!rep) return PROVA_ENOMEM;
    oe_chain c;
    int r = prova__oe_chain_init(&c, alg, "/events", rep, false);
    for (size_t i = 0; r == 0 && i < events->len; i++) r = prova__oe_chain_step(&c, &events->u.items[i]);
    char rec[PROVA_OE_HEX_MAX + 1];
    if (r == 0) r = prova__oe_chain_finish(&c, hash, rec);
    if (r == 0 && !c.integrity_ok)
        r = prova__oe_fail(reterr, PROVA_EVERIFY, "oe_chain_invalid",
                           "the chain does not verify (run prova verify on it to see which event)");
    prova__oe_chain_free(&c);
    prova_report_free(rep);
    return r;
}

int prova_oe_chain_resolve(const prova_json *chain, const char *resolved_at, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!out || !resolved_at) return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    int r = chain_status_is(chain, "open", reterr, "oe_chain_not_open", "only an open chain can be resolved");
    prova_hash_alg alg;
    if (r == 0) r = chain_alg(chain, &alg, reterr);
    if (r < 0) return r;
    char at[PROVA_OE_TIME_LEN + 1], hash[PROVA_OE_HEX_MAX + 1];
    if (prova_oe_timestamp(resolved_at, strlen(resolved_at), at) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid",
                              "resolved_at must be an RFC 3339 timestamp");
    r = chain_check(chain, alg, hash, reterr);
    if (r < 0) return r;
    prova_buf q_at = PROVA_BUF_INIT, q_hash = PROVA_BUF_INIT, cnt = PROVA_BUF_INIT;
    char num[32];
    snprintf(num, sizeof num, "%u", prova_json_get(chain, "events")->len);
    r = quoted(at, &q_at);
    if (r == 0) r = quoted(hash, &q_hash);
    if (r == 0) r = prova__oe_put(&cnt, num);
    if (r == 0) {
        oe_member set[] = {{"chain_hash", (const char *)q_hash.data, q_hash.len},
                           {"event_count", (const char *)cnt.data, cnt.len},
                           {"resolved_at", (const char *)q_at.data, q_at.len},
                           {"status", "\"resolved\"", 10},
                           {"updated_at", (const char *)q_at.data, q_at.len}};
        r = prova__oe_rewrite(chain, set, 5, out, reterr);
    }
    prova_buf_free(&q_at);
    prova_buf_free(&q_hash);
    prova_buf_free(&cnt);
    return r;
}

int prova__oe_chain_certified(const prova_json *chain, const char *at, prova_buf *out, prova_error *reterr) {
    prova_buf q_at = PROVA_BUF_INIT;
    int r = quoted(at, &q_at);
    if (r == 0) {
        oe_member set[] = {{"certified_at", (const char *)q_at.data, q_at.len},
                           {"status", "\"certified\"", 11},
                           {"updated_at", (const char *)q_at.data, q_at.len}};
        r = prova__oe_rewrite(chain, set, 3, out, reterr);
    }
    prova_buf_free(&q_at);
    return r;
}

int prova__oe_chain_verify_resolved(const prova_json *chain, prova_hash_alg *alg, char hash[PROVA_OE_HEX_MAX + 1],
                                    prova_error *reterr) {
    int r = chain_status_is(chain, "resolved", reterr, "oe_chain_not_resolved",
                            "only a resolved chain can be certified (prova oe resolve first)");
    if (r == 0) r = chain_alg(chain, alg, reterr);
    if (r == 0) r = chain_check(chain, *alg, hash, reterr);
    if (r == 0 && !prova_json_str_eq(prova_json_get(chain, "chain_hash"), hash))
        r = prova__oe_fail(reterr, PROVA_EVERIFY, "chain_hash_mismatch",
                           "the chain record's chain_hash is not the hash of its events");
    return r;
}
