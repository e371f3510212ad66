/* OpenExecution extension attestations (the SDKs' ContentIntegrity, Timestamp and Blockchain).
 *
 * SPEC (openexecution.md §5.4; SDK-only, no spec text):
 *  - ContentIntegrity {root_hash|merkle_root, leaves|leaf_hashes, hash_algorithm?}: RFC 6962 Merkle root, leaf =
 *    H(0x00 || hex-decoded leaf), node = H(0x01 || L || R), an odd last node promoted (not duplicated); no leaves:
 *    the root must be '0' x hex length; the root is compared as given (no case folding). Result {valid, computed_root,
 * expected_root, domain_separation:"rfc6962"}.
 *  - Timestamp {timestamp, hash, signed_timestamp?}: hash = hex H(UTF-8 timestamp), signed_timestamp = hex
 *    signature over the timestamp with the bundle key; backend form {anchored_at, anchor_hash}: structure only
 *    (hash_valid true).
 *    Result {valid, hash_valid, signature_valid (null when not checked)}.
 *  - Blockchain {tx_hash, chain_hash|head_hash, network?}: valid when no hash is given, else the hash must be the
 *    chain hash. Result {valid, hash_match (null when not compared), tx_hash, network ("unknown")}.
 * Result objects are written canonically (JCS member order), with "type" first in the SDK and sorted here.
 *
 * Creating them (no SDK code creates them; the shapes are what the verifiers above read, docs/openexecution.md
 * "Creating attestations"): ContentIntegrity over the chain's event hashes in seq order with hash_algorithm
 * written; Timestamp in the SDK form, the .sssZ time, signed with the issuer key (the key the SDKs verify with);
 * Blockchain records certificate.chain_hash (what the SDKs compare) with the caller's tx_hash: prova talks to no
 * chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oe_internal.h"

/* One level up the tree: pairs hashed with the 0x01 prefix, an odd last node promoted. */
static int merkle_level(prova_hash_alg alg, uint8_t *nodes, size_t n, size_t hs) {
    size_t out = 0;
    for (size_t i = 0; i < n; i += 2, out++) {
        if (i + 1 == n) {
            memmove(nodes + out * hs, nodes + i * hs, hs);
            continue;
        }
        uint8_t buf[1 + 2 * PROVA_HASH_MAX_BYTES];
        buf[0] = 0x01;
        memcpy(buf + 1, nodes + i * hs, 2 * hs);
        int r = prova_hash_compute(alg, buf, 1 + 2 * hs, nodes + out * hs);
        if (r < 0) return r;
    }
    return (int)out;
}

int prova_oe_merkle_root(prova_hash_alg alg, const char *const *leaves, size_t n, char out[PROVA_OE_HEX_MAX + 1]) {
    size_t hs = prova_hash_size(alg);
    if (!hs || !out || (!leaves && n)) return PROVA_EINVAL;
    if (n == 0) {
        prova_oe_genesis(alg, out);
        return 0;
    }
    if (n > SIZE_MAX / PROVA_HASH_MAX_BYTES) return PROVA_ENOMEM;
    /* Nodes are PROVA_HASH_MAX_BYTES apart when leaves are hashed: the digest writes that many. */
    uint8_t *nodes = malloc(n * PROVA_HASH_MAX_BYTES);
    if (!nodes) return PROVA_ENOMEM;
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        size_t ln = strlen(leaves[i]), dl = 0;
        uint8_t *buf = malloc(ln / 2 + 1);
        if (!buf) {
            r = PROVA_ENOMEM;
            break;
        }
        buf[0] = 0x00;
        if (prova_hex_decode(leaves[i], ln, buf + 1, ln / 2, &dl, NULL) < 0) r = PROVA_ESYNTAX;
        uint8_t d[PROVA_HASH_MAX_BYTES];
        if (r == 0) r = prova_hash_compute(alg, buf, 1 + dl, d);
        if (r == 0) memcpy(nodes + i * hs, d, hs);
        free(buf);
    }
    size_t m = n;
    while (r == 0 && m > 1) {
        int k = merkle_level(alg, nodes, m, hs);
        if (k < 0)
            r = k;
        else
            m = (size_t)k;
    }
    if (r == 0 && prova_hex_encode(nodes, hs, out, PROVA_OE_HEX_MAX + 1) != 2 * hs) r = PROVA_ECRYPTO;
    free(nodes);
    return r;
}

/* ---- the verifiers ------------------------------------------------------------------------------------------- */

/* ,"name":<value as JSON> or null. */
static int put_json(prova_buf *out, const char *name, const prova_json *v) {
    int r = prova_buf_append(out, ",\"", 2);
    if (r == 0) r = prova__oe_put(out, name);
    if (r == 0) r = prova__oe_put(out, "\":");
    if (r == 0) r = v ? prova_canon_write(v, PROVA_PROFILE_JCS, out, NULL) : prova__oe_put(out, "null");
    return r;
}

static const prova_json *either(const prova_json *att, const char *a, const char *b) {
    const prova_json *v = prova_json_get(att, a);
    return prova__oe_truthy(v) ? v : prova_json_get(att, b);
}

/* A failure with a reason: {"reason":..., "type":..., "valid":false}. */
static int fail_reason(const prova_json *type, const char *reason, prova_buf *out, bool *ret_valid,
                       const char **ret_reason) {
    *ret_valid = false;
    *ret_reason = reason;
    int r = prova__oe_put(out, "{\"reason\":");
    if (r == 0) r = prova__oe_put_str(out, reason, strlen(reason));
    if (r == 0 && type) r = put_json(out, "type", type);
    if (r == 0) r = prova__oe_put(out, ",\"valid\":false}");
    return r;
}

static int content_integrity(const prova_json *att, const prova_json *type, prova_hash_alg alg, prova_buf *out,
                             bool *ret_valid, const char **ret_reason) {
    const prova_json *root = either(att, "root_hash", "merkle_root");
    if (!prova__oe_truthy(root)) return fail_reason(type, "Missing root_hash/merkle_root", out, ret_valid, ret_reason);
    const prova_json *ha = prova_json_get(att, "hash_algorithm");
    if (prova__oe_truthy(ha) && (!prova_json_is_string(ha) || prova_oe_hash_lookup(ha->u.str, &alg) < 0))
        return fail_reason(type, "Unsupported hash algorithm", out, ret_valid, ret_reason);
    const prova_json *leaves = either(att, "leaves", "leaf_hashes");
    size_t n = prova_json_is_array(leaves) ? leaves->len : 0;
    const char **v = n ? calloc(n, sizeof *v) : NULL;
    if (n && !v) return PROVA_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const prova_json *l = &leaves->u.items[i];
        if (!prova_json_is_string(l) || strlen(l->u.str) != l->len) {
            free(v);
            return fail_reason(type, "Invalid leaf hash", out, ret_valid, ret_reason);
        }
        v[i] = l->u.str;
    }
    char computed[PROVA_OE_HEX_MAX + 1];
    int r = prova_oe_merkle_root(alg, v, n, computed);
    free(v);
    if (r == PROVA_ESYNTAX) return fail_reason(type, "Invalid leaf hash", out, ret_valid, ret_reason);
    if (r < 0) return r;
    /* The root is compared as given with the lowercase computed one (the SDK does not fold case). */
    bool valid =
        prova_json_is_string(root) && root->len == strlen(computed) && memcmp(root->u.str, computed, root->len) == 0;
    *ret_valid = valid;
    *ret_reason = NULL;
    r = prova__oe_put(out, "{\"computed_root\":");
    if (r == 0) r = prova__oe_put_str(out, computed, strlen(computed));
    if (r == 0) r = prova__oe_put(out, ",\"domain_separation\":\"rfc6962\"");
    if (r == 0) r = put_json(out, "expected_root", root);
    if (r == 0) r = put_json(out, "type", type);
    if (r == 0) r = prova__oe_put(out, valid ? ",\"valid\":true}" : ",\"valid\":false}");
    return r;
}

static int timestamp_att(const prova_json *att, const prova_json *type, prova_hash_alg alg, const prova_key *key,
                         prova_buf *out, bool *ret_valid, const char **ret_reason) {
    const prova_json *ts = either(att, "timestamp", "anchored_at");
    const prova_json *h = either(att, "hash", "anchor_hash");
    if (!prova__oe_truthy(ts) || !prova__oe_truthy(h))
        return fail_reason(type, "Missing timestamp/anchored_at or hash/anchor_hash", out, ret_valid, ret_reason);
    /* The backend form is checked for structure only: hash_valid is true when anchor_hash is there (the SDK). */
    const char *hash_valid = "true", *sig_valid = "null";
    bool valid = true;
    if (prova__oe_truthy(prova_json_get(att, "timestamp")) && prova__oe_truthy(prova_json_get(att, "hash"))) {
        /* The SDK form: the hash (and an optional signature) over the timestamp's text. */
        prova_buf text = PROVA_BUF_INIT;
        int r = prova__oe_js_string(prova_json_get(att, "timestamp"), 0, &text);
        char hex[PROVA_OE_HEX_MAX + 1] = "";
        if (r == 0) r = prova_hash_compute_hex(alg, text.data ? (const void *)text.data : "", text.len, hex);
        const prova_json *given = prova_json_get(att, "hash");
        bool hv = r == 0 && prova_json_is_string(given) && given->len == strlen(hex) &&
                  memcmp(given->u.str, hex, given->len) == 0;
        hash_valid = hv ? "true" : "false";
        valid = hv;
        const prova_json *st = prova_json_get(att, "signed_timestamp");
        if (r == 0 && prova__oe_truthy(st) && key) {
            uint8_t sig[PROVA_SIG_MAX_BYTES];
            size_t sl = 0;
            bool sv = prova_json_is_string(st) && prova__oe_sig_decode(st->u.str, st->len, sig, sizeof sig, &sl) == 0 &&
                      prova_key_verify(key, text.data ? (const void *)text.data : "", text.len, sig, sl) == 0;
            sig_valid = sv ? "true" : "false";
            valid = valid && sv;
        }
        prova_buf_free(&text);
        if (r < 0) return r;
    }
    *ret_valid = valid;
    *ret_reason = NULL;
    int r = prova__oe_put(out, "{\"hash_valid\":");
    if (r == 0) r = prova__oe_put(out, hash_valid);
    if (r == 0) r = prova__oe_put(out, ",\"signature_valid\":");
    if (r == 0) r = prova__oe_put(out, sig_valid);
    if (r == 0) r = put_json(out, "type", type);
    if (r == 0) r = prova__oe_put(out, valid ? ",\"valid\":true}" : ",\"valid\":false}");
    return r;
}

static int blockchain_att(const prova_json *att, const prova_json *type, const char *expected, prova_buf *out,
                          bool *ret_valid, const char **ret_reason) {
    const prova_json *tx = prova_json_get(att, "tx_hash");
    if (!prova__oe_truthy(tx)) return fail_reason(type, "Missing tx_hash", out, ret_valid, ret_reason);
    const prova_json *h = either(att, "chain_hash", "head_hash");
    const char *match = "null";
    bool valid = true;
    if (prova__oe_truthy(h) && expected && expected[0]) {
        valid = prova_json_is_string(h) && h->len == strlen(expected) && memcmp(h->u.str, expected, h->len) == 0;
        match = valid ? "true" : "false";
    }
    *ret_valid = valid;
    *ret_reason = NULL;
    const prova_json *net = prova_json_get(att, "network");
    int r = prova__oe_put(out, "{\"hash_match\":");
    if (r == 0) r = prova__oe_put(out, match);
    if (r == 0)
        r = prova__oe_truthy(net) ? put_json(out, "network", net) : prova__oe_put(out, ",\"network\":\"unknown\"");
    if (r == 0) r = put_json(out, "tx_hash", tx);
    if (r == 0) r = put_json(out, "type", type);
    if (r == 0) r = prova__oe_put(out, valid ? ",\"valid\":true}" : ",\"valid\":false}");
    return r;
}

int prova__oe_attestation(const prova_json *att, prova_hash_alg alg, const prova_key *key,
                          const char *expected_chain_hash, prova_buf *out, bool *ret_valid, const char **ret_reason) {
    const prova_json *type = prova_json_get(att, "type");
    if (!prova__oe_truthy(type)) return fail_reason(type, "Missing attestation type", out, ret_valid, ret_reason);
    if (prova_json_str_eq(type, "ContentIntegrity"))
        return content_integrity(att, type, alg, out, ret_valid, ret_reason);
    if (prova_json_str_eq(type, "Timestamp")) return timestamp_att(att, type, alg, key, out, ret_valid, ret_reason);
    if (prova_json_str_eq(type, "Blockchain"))
        return blockchain_att(att, type, expected_chain_hash, out, ret_valid, ret_reason);
    *ret_valid = false;
    *ret_reason = "Unknown attestation type";
    int r = prova__oe_put(out, "{\"reason\":");
    prova_buf msg = PROVA_BUF_INIT;
    if (r == 0) r = prova__oe_put(&msg, "Unknown attestation type: ");
    if (r == 0) r = prova__oe_js_string(type, 0, &msg);
    if (r == 0) r = prova__oe_put_str(out, (const char *)msg.data, msg.len);
    prova_buf_free(&msg);
    if (r == 0) r = put_json(out, "type", type);
    if (r == 0) r = prova__oe_put(out, ",\"valid\":false}");
    return r;
}

/* ---- creating attestations ------------------------------------------------------------------------------------ */

/* A leaf: non-empty, even-length hex (either case). */
static bool leaf_ok(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n % 2) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
}

int prova_oe_attest_content_integrity(prova_hash_alg alg, const char *const *leaves, size_t n, prova_buf *out,
                                      prova_error *reterr) {
    prova_error_clear(reterr);
    if (!out || (!leaves && n) || !prova_hash_name(alg))
        return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or unknown hash algorithm");
    for (size_t i = 0; i < n; i++)
        if (!leaf_ok(leaves[i]))
            return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_leaf_invalid",
                                  "a leaf must be a non-empty, even-length hex string");
    /* The leaves as written: lowercase (the bytes, and so the root, are the same). */
    char **low = n ? calloc(n, sizeof *low) : NULL;
    if (n && !low) return PROVA_ENOMEM;
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        size_t len = strlen(leaves[i]);
        low[i] = malloc(len + 1);
        if (!low[i]) {
            r = PROVA_ENOMEM;
            break;
        }
        for (size_t k = 0; k <= len; k++) {
            char c = leaves[i][k];
            low[i][k] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
        }
    }
    char root[PROVA_OE_HEX_MAX + 1];
    if (r == 0) r = prova_oe_merkle_root(alg, (const char *const *)low, n, root);
    prova_buf t = PROVA_BUF_INIT;
    if (r == 0) r = prova__oe_put(&t, "{\"hash_algorithm\":");
    if (r == 0) r = prova__oe_put_str(&t, prova_hash_name(alg), strlen(prova_hash_name(alg)));
    if (r == 0) r = prova__oe_put(&t, ",\"leaves\":[");
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i) r = prova__oe_put(&t, ",");
        if (r == 0) r = prova__oe_put_str(&t, low[i], strlen(low[i]));
    }
    if (r == 0) r = prova__oe_put(&t, "]");
    if (r == 0) r = prova__oe_put_kv(&t, "root_hash", root);
    if (r == 0) r = prova__oe_put(&t, ",\"type\":\"ContentIntegrity\"}");
    if (r == 0) r = prova_buf_append(out, t.data, t.len); /* already in JCS order */
    prova_buf_free(&t);
    for (size_t i = 0; low && i < n; i++) free(low[i]);
    free(low);
    if (r == PROVA_ESYNTAX) return prova__oe_fail(reterr, r, "oe_leaf_invalid", "a leaf is not hex");
    return r;
}

int prova_oe_attest_timestamp(const prova_key *key, prova_hash_alg alg, const char *at, prova_buf *out,
                              prova_error *reterr) {
    prova_error_clear(reterr);
    if (!out || !prova_hash_name(alg))
        return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or unknown hash algorithm");
    char ts[PROVA_OE_TIME_LEN + 1];
    if (!at || prova_oe_timestamp(at, strlen(at), ts) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid", "the time must be an RFC 3339 timestamp");
    if (key && !prova_key_is_private(key))
        return prova__oe_fail(reterr, PROVA_EKEY, "key_not_private", "signing a timestamp needs the private key");
    char hash[PROVA_OE_HEX_MAX + 1];
    int r = prova_hash_compute_hex(alg, ts, strlen(ts), hash);
    prova_buf t = PROVA_BUF_INIT, sig = PROVA_BUF_INIT;
    if (r == 0) r = prova__oe_put(&t, "{\"hash\":");
    if (r == 0) r = prova__oe_put_str(&t, hash, strlen(hash));
    if (r == 0 && key) {
        r = prova__oe_sign_hex(key, ts, strlen(ts), &sig);
        if (r == 0) r = prova__oe_put(&t, ",\"signed_timestamp\":");
        if (r == 0) r = prova__oe_put_str(&t, (const char *)sig.data, sig.len);
    }
    if (r == 0) r = prova__oe_put_kv(&t, "timestamp", ts);
    if (r == 0) r = prova__oe_put(&t, ",\"type\":\"Timestamp\"}");
    if (r == 0) r = prova_buf_append(out, t.data, t.len);
    prova_buf_free(&t);
    prova_buf_free(&sig);
    return r;
}

/* Printable ASCII, 1..max bytes. */
static bool printable(const char *s, size_t max) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e) return false;
    return true;
}

int prova_oe_attest_blockchain(const char *chain_hash, const char *tx_hash, const char *network, int64_t block_number,
                               prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!out) return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!leaf_ok(chain_hash) || strlen(chain_hash) > PROVA_OE_HEX_MAX)
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_attest_blockchain", "chain_hash must be a hex hash");
    if (!printable(tx_hash, 256))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_attest_blockchain",
                              "tx_hash is required: 1-256 bytes of printable ASCII");
    if (network && !printable(network, 64))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_attest_blockchain",
                              "network must be 1-64 bytes of printable ASCII");
    if (block_number > 9007199254740991LL) /* 2^53 - 1: exact in JavaScript */
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_attest_blockchain",
                              "block_number must be at most 2^53 - 1 (9007199254740991)");
    prova_buf t = PROVA_BUF_INIT;
    int r = prova__oe_put(&t, "{");
    if (r == 0 && block_number >= 0) {
        char num[48];
        snprintf(num, sizeof num, "\"block_number\":%lld,", (long long)block_number);
        r = prova__oe_put(&t, num);
    }
    if (r == 0) r = prova__oe_put(&t, "\"chain_hash\":");
    if (r == 0) r = prova__oe_put_str(&t, chain_hash, strlen(chain_hash));
    if (r == 0 && network) r = prova__oe_put_kv(&t, "network", network);
    if (r == 0) r = prova__oe_put_kv(&t, "tx_hash", tx_hash);
    if (r == 0) r = prova__oe_put(&t, ",\"type\":\"Blockchain\"}");
    if (r == 0) r = prova_buf_append(out, t.data, t.len);
    prova_buf_free(&t);
    return r;
}

/* The bundle verifies as a whole (prova's verdict, no pinned key). */
static int bundle_verifies(const prova_json *bundle, prova_error *reterr) {
    prova_report *rep = prova_report_new("oe_bundle");
    if (!rep) return PROVA_ENOMEM;
    prova_verify_options o = {0};
    o.no_skew = true;
    int r = prova_oe_verify_doc(bundle, &o, rep);
    if (r == 0 && !prova_report_valid(rep))
        r = prova__oe_fail(reterr, PROVA_EVERIFY, "oe_bundle_invalid",
                           "the bundle does not verify (run prova verify on it): attesting it would record a broken "
                           "bundle");
    prova_report_free(rep);
    return r;
}

int prova_oe_attest_bundle(const prova_json *bundle, const prova_oe_attest_params *p, prova_buf *out,
                           prova_error *reterr) {
    prova_error_clear(reterr);
    if (!p || !out || !prova_json_is_object(bundle))
        return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or the bundle is not an object");
    const prova_json *cert = prova_json_get(bundle, "certificate");
    const prova_json *chain = prova_json_get(bundle, "chain");
    const prova_json *events = prova_json_get(chain, "events");
    const prova_json *atts = prova_json_get(bundle, "attestations");
    if (!prova_json_is_object(cert) || !prova_json_is_string(prova_json_get(bundle, "certificate_signature")) ||
        !prova_json_get(bundle, "public_key") || !prova_json_is_array(events) || (atts && !prova_json_is_array(atts)))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_schema",
                              "not an offline bundle (certificate, certificate_signature, public_key, chain.events; "
                              "attestations an array)");
    prova_hash_alg alg = PROVA_HASH_SHA256;
    const prova_json *ha = prova_json_get(chain, "hash_algorithm");
    if (ha && (!prova_json_is_string(ha) || prova_oe_hash_lookup(ha->u.str, &alg) < 0))
        return prova__oe_fail(reterr, PROVA_EUNSUPPORTED, "unsupported_hash_algorithm",
                              "the chain's hash_algorithm is not one of sha256, sha384, sha512, sha3-256/384/512");
    int r = bundle_verifies(bundle, reterr);
    if (r < 0) return r;

    prova_buf att = PROVA_BUF_INIT;
    switch (p->type) {
    case PROVA_OE_ATTEST_CONTENT_INTEGRITY: {
        const char *const *leaves = p->leaves;
        size_t n = p->nleaves;
        const char **own = NULL;
        if (!leaves) { /* the chain's event hashes, in seq order (the bundle verified: stored = recomputed) */
            n = events->len;
            own = n ? calloc(n, sizeof *own) : NULL;
            if (n && !own) return PROVA_ENOMEM;
            for (size_t i = 0; i < n; i++) {
                const prova_json *h = prova_json_get(&events->u.items[i], "event_hash");
                own[i] = prova_json_is_string(h) ? h->u.str : "";
            }
            leaves = own;
        }
        r = prova_oe_attest_content_integrity(alg, leaves, n, &att, reterr);
        free(own);
        break;
    }
    case PROVA_OE_ATTEST_TIMESTAMP: {
        if (!p->key || !prova_key_is_private(p->key)) {
            r = prova__oe_fail(reterr, PROVA_EKEY, "key_not_private",
                               "a Timestamp attestation is signed with the issuer's private key");
            break;
        }
        prova_key *pub = NULL;
        r = prova__oe_key_parse(prova_json_get(bundle, "public_key"), &pub, reterr);
        if (r < 0) break;
        bool same = prova__key_same_public(pub, p->key);
        prova_key_free(pub);
        if (!same) {
            r = prova__oe_fail(reterr, PROVA_EKEY, "oe_key_mismatch",
                               "the key is not the issuer's (the bundle's public_key): the SDKs verify "
                               "signed_timestamp with that key");
            break;
        }
        r = prova_oe_attest_timestamp(p->key, alg, p->at, &att, reterr);
        break;
    }
    case PROVA_OE_ATTEST_BLOCKCHAIN: {
        const prova_json *ch = prova_json_get(cert, "chain_hash");
        if (!prova_json_is_string(ch)) {
            r = prova__oe_fail(reterr, PROVA_EINVAL, "oe_schema", "the certificate has no chain_hash");
            break;
        }
        r = prova_oe_attest_blockchain(ch->u.str, p->tx_hash, p->network, p->block_number, &att, reterr);
        break;
    }
    default:
        r = prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "unknown attestation type");
    }

    /* The new array: the old attestations, then this one unless an equal one is there already. */
    prova_buf arr = PROVA_BUF_INIT, one = PROVA_BUF_INIT;
    bool dup = false;
    if (r == 0) r = prova__oe_put(&arr, "[");
    for (size_t i = 0; r == 0 && atts && i < atts->len; i++) {
        one.len = 0;
        r = prova_canon_write(&atts->u.items[i], PROVA_PROFILE_JCS, &one, reterr);
        if (r == 0 && one.len == att.len && memcmp(one.data, att.data, att.len) == 0) dup = true;
        if (r == 0 && i) r = prova__oe_put(&arr, ",");
        if (r == 0) r = prova_buf_append(&arr, one.data, one.len);
    }
    if (r == 0 && !dup) {
        if (atts && atts->len) r = prova__oe_put(&arr, ",");
        if (r == 0) r = prova_buf_append(&arr, att.data, att.len);
    }
    if (r == 0) r = prova__oe_put(&arr, "]");
    if (r == 0) {
        oe_member set[] = {{"attestations", (const char *)arr.data, arr.len}};
        r = prova__oe_rewrite(bundle, set, 1, out, reterr);
    }
    prova_buf_free(&arr);
    prova_buf_free(&one);
    prova_buf_free(&att);
    return r;
}
