/* OpenExecution provenance certificates: issue (certificate_data + signature + offline bundle) and status.
 *
 * SPEC (openexecution.md §1.5, §3; provenance-certificate §3): certificate_data = {version "1.0", chain_id,
 *   chain_type, origin_type, origin_id, artifact_type, artifact_ref, artifact_title, event_count, chain_hash,
 *   events [{seq, event_type, actor_id, sentiment}], chain_created_at, chain_resolved_at, issued_at}; the signature
 *   is over the UTF-8 JCS bytes, lowercase hex (DER for ECDSA), the algorithm the chain fixed at creation.
 * UNCERTAIN in the reference, prova's choices (docs/openexecution.md): the *_at fields are toISOString-style
 *   ".sssZ"; artifact_title is omitted when none is given (as JS drops undefined); actor_id in the summaries is the
 *   stored value (null stays null: the spec does not say to normalize it there).
 * The status block is prova's: the SDK bundle has no status, and seed 002 §5 makes status decide validity. It is
 *   signed by the issuer key over its JCS bytes without "signature", and names the certificate by id and by its
 *   signature, so that it cannot be moved to another certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oe_internal.h"

/* ---- signatures and keys --------------------------------------------------------------------------------------- */

int prova__oe_sig_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *ret_len) {
    if (n >= 7 && memcmp(s, "oe_sig_", 7) == 0) { /* the display form (spec §4.3) */
        s += 7;
        n -= 7;
    }
    if (n == 0) return PROVA_ESYNTAX;
    return prova_hex_decode(s, n, out, cap, ret_len, NULL) < 0 ? PROVA_ESYNTAX : 0;
}

int prova__oe_sign_hex(const prova_key *key, const void *msg, size_t n, prova_buf *out) {
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t len = 0;
    int r = prova_key_sign(key, msg, n, sig, &len);
    if (r < 0) return r;
    return prova__buf_hex(out, sig, len);
}

int prova__oe_key_parse(const prova_json *pk, prova_key **ret_key, prova_error *reterr) {
    prova_key *k = NULL;
    int r;
    if (prova_json_is_string(pk))
        r = prova_key_from_text(pk->u.str, pk->len, &k, reterr);
    else if (prova_json_is_object(pk))
        r = prova_key_from_jwk_value(pk, &k, reterr);
    else
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "key_invalid",
                              "public_key must be a PEM, hex SPKI or JWK string/object");
    if (r < 0) return r;
    if (prova_key_is_private(k)) {
        prova_key_free(k);
        return prova__oe_fail(reterr, PROVA_EKEY, "key_is_private",
                              "public_key holds a private key: the bundle discloses the issuer's secret");
    }
    *ret_key = k;
    return 0;
}

/* ---- certificate_data ------------------------------------------------------------------------------------------ */

/* "key": string member or null; the string must be valid (it came from a parsed document). */
static int put_json_kv(prova_buf *b, const char *key, const prova_json *v) {
    int r = prova__oe_put(b, ",\"");
    if (r == 0) r = prova__oe_put(b, key);
    if (r == 0) r = prova__oe_put(b, "\":");
    if (r == 0) r = v ? prova_canon_write(v, PROVA_PROFILE_JCS, b, NULL) : prova__oe_put(b, "null");
    return r;
}

/* A *_at field of the chain as the .sssZ form, or null when absent or not a timestamp. */
static int put_time_kv(prova_buf *b, const char *key, const prova_json *v) {
    char t[PROVA_OE_TIME_LEN + 1];
    if (prova_json_is_string(v) && prova_oe_timestamp(v->u.str, v->len, t) == 0) return prova__oe_put_kv(b, key, t);
    return put_json_kv(b, key, NULL);
}

static int certificate_data(const prova_json *chain, const prova_oe_cert_params *p, const char *issued,
                            const char *chain_hash, prova_buf *out, prova_error *reterr) {
    const prova_json *events = prova_json_get(chain, "events");
    prova_buf t = PROVA_BUF_INIT;
    int r = prova__oe_put(&t, "{\"version\":\"1.0\"");
    if (r == 0) r = prova__oe_put_kv(&t, "artifact_ref", p->artifact_ref);
    if (r == 0 && p->artifact_title) r = prova__oe_put_kv(&t, "artifact_title", p->artifact_title);
    if (r == 0) r = prova__oe_put_kv(&t, "artifact_type", p->artifact_type);
    if (r == 0) r = put_time_kv(&t, "chain_created_at", prova_json_get(chain, "created_at"));
    if (r == 0) r = prova__oe_put_kv(&t, "chain_hash", chain_hash);
    if (r == 0) r = put_json_kv(&t, "chain_id", prova_json_get(chain, "id"));
    if (r == 0) r = put_time_kv(&t, "chain_resolved_at", prova_json_get(chain, "resolved_at"));
    if (r == 0) r = put_json_kv(&t, "chain_type", prova_json_get(chain, "chain_type"));
    if (r == 0) {
        char num[32];
        snprintf(num, sizeof num, ",\"event_count\":%u,\"events\":[", events->len);
        r = prova__oe_put(&t, num);
    }
    for (size_t i = 0; r == 0 && i < events->len; i++) {
        const prova_json *e = &events->u.items[i];
        const prova_json *actor = prova_json_get(e, "actor_id");
        const prova_json *sentiment = prova_json_get(e, "sentiment");
        r = prova__oe_put(&t, i ? ",{\"actor_id\":" : "{\"actor_id\":");
        if (r == 0) r = actor ? prova_canon_write(actor, PROVA_PROFILE_JCS, &t, NULL) : prova__oe_put(&t, "null");
        if (r == 0) r = put_json_kv(&t, "event_type", prova_json_get(e, "event_type"));
        if (r == 0)
            r = sentiment ? put_json_kv(&t, "sentiment", sentiment) : prova__oe_put_kv(&t, "sentiment", "neutral");
        if (r == 0) r = put_json_kv(&t, "seq", prova_json_get(e, "seq"));
        if (r == 0) r = prova__oe_put(&t, "}");
    }
    if (r == 0) r = prova__oe_put(&t, "]");
    if (r == 0) r = prova__oe_put_kv(&t, "issued_at", issued);
    if (r == 0)
        r = p->origin_id ? prova__oe_put_kv(&t, "origin_id", p->origin_id)
                         : put_json_kv(&t, "origin_id", prova_json_get(chain, "origin_id"));
    if (r == 0)
        r = p->origin_type ? prova__oe_put_kv(&t, "origin_type", p->origin_type)
                           : put_json_kv(&t, "origin_type", prova_json_get(chain, "origin_type"));
    if (r == 0) r = prova__oe_put(&t, "}");
    if (r == 0) r = prova__oe_jcs_text(&t, out, reterr);
    prova_buf_free(&t);
    return r;
}

/* ---- the status block ------------------------------------------------------------------------------------------- */

/* Writes the signed status block {certificate_id?, certificate_signature, status, <fields>, updated_at,
 * signature_algorithm, signature} (JCS) to out. extra holds ",\"k\":v" members (already JSON). */
static int status_block(const prova_key *key, const prova_json *cert_id, const char *cert_sig, size_t cert_sig_len,
                        const char *status, const char *at, const prova_buf *extra, prova_buf *out,
                        prova_error *reterr) {
    prova_buf t = PROVA_BUF_INIT, canon = PROVA_BUF_INIT, sig = PROVA_BUF_INIT;
    int r = prova__oe_put(&t, "{\"certificate_signature\":");
    if (r == 0) r = prova__oe_put_str(&t, cert_sig, cert_sig_len);
    if (r == 0 && cert_id) r = put_json_kv(&t, "certificate_id", cert_id);
    if (r == 0) r = prova__oe_put_kv(&t, "status", status);
    if (r == 0) r = prova__oe_put_kv(&t, "updated_at", at);
    if (r == 0) r = prova__oe_put_kv(&t, "signature_algorithm", prova_sig_name(prova_key_alg(key)));
    if (r == 0 && extra && extra->len) r = prova_buf_append(&t, extra->data, extra->len);
    if (r == 0) r = prova__oe_put(&t, "}");
    if (r == 0) r = prova__oe_jcs_text(&t, &canon, reterr);
    if (r == 0) r = prova__oe_sign_hex(key, canon.data, canon.len, &sig);
    if (r == 0) {
        t.len = t.len - 1; /* reopen the object: add the signature */
        r = prova__oe_put(&t, ",\"signature\":");
        if (r == 0) r = prova__oe_put_str(&t, (const char *)sig.data, sig.len);
        if (r == 0) r = prova__oe_put(&t, "}");
        if (r == 0) r = prova__oe_jcs_text(&t, out, reterr);
    }
    prova_buf_free(&t);
    prova_buf_free(&canon);
    prova_buf_free(&sig);
    return r;
}

/* ---- issuing ---------------------------------------------------------------------------------------------------- */

int prova_oe_certify(const prova_key *key, const prova_json *chain, const prova_oe_cert_params *p,
                     prova_buf *bundle_out, prova_buf *chain_out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!key || !p || !bundle_out) return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!prova_key_is_private(key))
        return prova__oe_fail(reterr, PROVA_EKEY, "key_not_private", "issuing a certificate needs the private key");
    if (!prova__oe_text_ok(p->artifact_type, 64) || !prova__oe_text_ok(p->artifact_ref, 512) ||
        (p->artifact_title && !prova__oe_text_ok(p->artifact_title, 500)))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_artifact",
                              "artifact_type (1-64 bytes) and artifact_ref (1-512) are required; artifact_title is "
                              "at most 500 bytes");
    if ((p->origin_type && !prova__oe_text_ok(p->origin_type, 32)) ||
        (p->origin_id && !prova__oe_text_ok(p->origin_id, 256)))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_origin", "origin_type must be 1-32 bytes and origin_id 1-256");
    if (p->certificate_id && !prova__oe_text_ok(p->certificate_id, 256))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_certificate_id", "the certificate id must be 1-256 bytes");
    char issued[PROVA_OE_TIME_LEN + 1];
    if (!p->issued_at || prova_oe_timestamp(p->issued_at, strlen(p->issued_at), issued) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid", "issued_at must be an RFC 3339 timestamp");
    prova_hash_alg alg;
    char hash[PROVA_OE_HEX_MAX + 1];
    int r = prova__oe_chain_verify_resolved(chain, &alg, hash, reterr);
    if (r < 0) return r;
    const prova_json *sa = prova_json_get(chain, "signature_algorithm");
    prova_sig_alg chain_sig = PROVA_SIG_ED25519;
    if (sa && (!prova_json_is_string(sa) || prova_sig_lookup(sa->u.str, &chain_sig) < 0))
        return prova__oe_fail(reterr, PROVA_EUNSUPPORTED, "unsupported_signature_algorithm",
                              "the chain's signature_algorithm is not ed25519, ed448 or ecdsa-p256/p384/p521");
    if (chain_sig != prova_key_alg(key))
        return prova__oe_fail(reterr, PROVA_EKEY, "key_algorithm_mismatch",
                              "the key's algorithm is not the chain's signature_algorithm (fixed at creation)");

    char id_buf[37];
    if (!p->certificate_id) prova_uuid_v4(id_buf);
    const char *cert_id = p->certificate_id ? p->certificate_id : id_buf;
    prova_buf cert = PROVA_BUF_INIT, sig = PROVA_BUF_INIT, pem = PROVA_BUF_INIT, certified = PROVA_BUF_INIT,
              status = PROVA_BUF_INIT, t = PROVA_BUF_INIT, idq = PROVA_BUF_INIT;
    prova_doc *iddoc = NULL;
    r = certificate_data(chain, p, issued, hash, &cert, reterr);
    if (r == 0) r = prova__oe_sign_hex(key, cert.data, cert.len, &sig);
    if (r == 0) r = prova_key_to_pem(key, false, &pem);
    if (r == 0) r = prova__oe_chain_certified(chain, issued, &certified, reterr);
    if (r == 0) r = prova__oe_put_str(&idq, cert_id, strlen(cert_id));
    if (r == 0) r = prova_json_parse(idq.data, idq.len, NULL, &iddoc, reterr);
    if (r == 0)
        r = status_block(key, prova_doc_root(iddoc), (const char *)sig.data, sig.len, "active", issued, NULL, &status,
                         reterr);
    if (r == 0) r = prova__oe_put(&t, "{\"certificate\":");
    if (r == 0) r = prova_buf_append(&t, cert.data, cert.len);
    if (r == 0) r = prova__oe_put(&t, ",\"certificate_id\":");
    if (r == 0) r = prova_buf_append(&t, idq.data, idq.len);
    if (r == 0) r = prova__oe_put(&t, ",\"certificate_signature\":");
    if (r == 0) r = prova__oe_put_str(&t, (const char *)sig.data, sig.len);
    if (r == 0) r = prova__oe_put(&t, ",\"chain\":");
    if (r == 0) r = prova_buf_append(&t, certified.data, certified.len);
    if (r == 0) r = prova__oe_put(&t, ",\"public_key\":");
    if (r == 0) r = prova__oe_put_str(&t, (const char *)pem.data, pem.len);
    if (r == 0) r = prova__oe_put(&t, ",\"status\":");
    if (r == 0) r = prova_buf_append(&t, status.data, status.len);
    if (r == 0) r = prova__oe_put(&t, "}");
    size_t mark = bundle_out->len;
    if (r == 0) r = prova__oe_jcs_text(&t, bundle_out, reterr);
    if (r == 0 && chain_out) {
        r = prova_buf_append(chain_out, certified.data, certified.len);
        if (r < 0) bundle_out->len = mark;
    }
    prova_doc_free(iddoc);
    prova_buf_free(&cert);
    prova_buf_free(&sig);
    prova_buf_free(&pem);
    prova_buf_free(&certified);
    prova_buf_free(&status);
    prova_buf_free(&t);
    prova_buf_free(&idq);
    return r;
}

int prova_oe_set_status(const prova_key *key, const prova_json *bundle, const prova_oe_status_params *p, prova_buf *out,
                        prova_error *reterr) {
    prova_error_clear(reterr);
    if (!key || !p || !out || !prova_json_is_object(bundle))
        return prova__oe_fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or the bundle is not an object");
    if (p->status != PROVA_OE_REVOKED && p->status != PROVA_OE_SUPERSEDED)
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_status_transition",
                              "a certificate can only become revoked or superseded (no way back to active)");
    const prova_json *cur = prova_json_get(bundle, "status");
    const prova_json *cur_status = prova_json_get(cur, "status");
    if (cur && !prova_json_str_eq(cur_status, "active"))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_status_transition",
                              "the certificate is not active: revoked and superseded are final");
    const prova_json *sig = prova_json_get(bundle, "certificate_signature");
    if (!prova_json_is_string(sig) || !prova_json_is_object(prova_json_get(bundle, "certificate")))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_schema",
                              "not a certificate bundle (certificate, certificate_signature)");
    if (!prova_key_is_private(key))
        return prova__oe_fail(reterr, PROVA_EKEY, "key_not_private",
                              "changing a status needs the issuer's private key");
    prova_key *pub = NULL;
    int r = prova__oe_key_parse(prova_json_get(bundle, "public_key"), &pub, reterr);
    if (r < 0) return r;
    bool same = prova__key_same_public(pub, key);
    prova_key_free(pub);
    if (!same)
        return prova__oe_fail(reterr, PROVA_EKEY, "oe_key_mismatch",
                              "the key is not the issuer's (the bundle's public_key)");
    char at[PROVA_OE_TIME_LEN + 1];
    if (!p->at || prova_oe_timestamp(p->at, strlen(p->at), at) < 0)
        return prova__oe_fail(reterr, PROVA_ESYNTAX, "oe_timestamp_invalid", "the time must be an RFC 3339 timestamp");
    if (p->reason && !prova__oe_text_ok(p->reason, 4096))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_reason", "the reason must be 1-4096 bytes of UTF-8");
    if (p->status == PROVA_OE_SUPERSEDED && !prova__oe_text_ok(p->superseded_by, 256))
        return prova__oe_fail(reterr, PROVA_EINVAL, "oe_superseded_by",
                              "superseding needs the successor certificate id");

    prova_buf extra = PROVA_BUF_INIT, status = PROVA_BUF_INIT;
    if (p->status == PROVA_OE_REVOKED) {
        r = prova__oe_put_kv(&extra, "revoked_at", at);
        if (r == 0 && p->reason) r = prova__oe_put_kv(&extra, "revocation_reason", p->reason);
    } else {
        r = prova__oe_put_kv(&extra, "superseded_at", at);
        if (r == 0) r = prova__oe_put_kv(&extra, "superseded_by", p->superseded_by);
        if (r == 0 && p->reason) r = prova__oe_put_kv(&extra, "supersession_reason", p->reason);
    }
    if (r == 0)
        r = status_block(key, prova_json_get(bundle, "certificate_id"), sig->u.str, sig->len,
                         p->status == PROVA_OE_REVOKED ? "revoked" : "superseded", at, &extra, &status, reterr);
    /* The bundle's chain record follows a revocation (its status enum has "revoked"); it is not signed. */
    const prova_json *chain = prova_json_get(bundle, "chain");
    prova_buf chain2 = PROVA_BUF_INIT, q_at = PROVA_BUF_INIT;
    bool chain_too = r == 0 && p->status == PROVA_OE_REVOKED && prova_json_is_object(chain);
    if (chain_too) {
        r = prova__oe_put_str(&q_at, at, strlen(at));
        oe_member cset[] = {{"status", "\"revoked\"", 9}, {"updated_at", (const char *)q_at.data, q_at.len}};
        if (r == 0) r = prova__oe_rewrite(chain, cset, 2, &chain2, reterr);
    }
    if (r == 0) {
        oe_member set[] = {{"status", (const char *)status.data, status.len},
                           {"chain", (const char *)chain2.data, chain2.len}};
        r = prova__oe_rewrite(bundle, set, chain_too ? 2 : 1, out, reterr);
    }
    prova_buf_free(&chain2);
    prova_buf_free(&q_at);
    prova_buf_free(&extra);
    prova_buf_free(&status);
    return r;
}
