/* OpenExecution verification: offline bundles, chain records, event arrays and JSON Lines, into one report.
 *
 * SPEC (openexecution.md §5.1 protocol steps, §5.2 integrity loop, §5.3 verifyBundle, seed 002 §4-5):
 *   VALID only if the signature is OK, the chain hash is OK, integrity is OK and the status is active.
 * prova checks everything the SDKs check, with their error strings in "sdk_result", and what they skip: the chain
 * hash recomputed from recomputed event hashes (a payload edit fails it too, with its own code), the chain record's
 * chain_hash, chain_id / event_count / event summaries / chain_type / chain times of the certificate against the
 * chain, the status block, the canonicalization, and a public key that holds a private key.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oe_internal.h"

/* ---- small helpers ---------------------------------------------------------------------------------------------- */

static bool str_is(const prova_json *v, const char *s, size_t n) {
    return prova_json_is_string(v) && v->len == n && memcmp(v->u.str, s, n) == 0;
}

/* The hash algorithm of a chain: a truthy name is looked up (an unsupported one adds a failed check and returns
 * false); else o->hash_alg; else, with infer, the first event's hash length decides (64/96/128 hex: sha256/384/512,
 * with a warning); else sha256 (the SDKs' default). */
static bool chain_alg(const prova_json *name, bool infer, const prova_json *events0, const prova_verify_options *o,
                      const char *at, prova_report *r, prova_hash_alg *alg, int *rc) {
    *alg = PROVA_HASH_SHA256;
    const char *n = NULL;
    if (prova__oe_truthy(name))
        n = prova_json_is_string(name) ? name->u.str : "";
    else if (infer && o && o->hash_alg)
        n = o->hash_alg;
    if (n) {
        if (prova_oe_hash_lookup(n, alg) == 0) return true;
        *rc = prova__report_check(r, "hash_algorithm", false, "unsupported_hash_algorithm", at,
                                  "hash algorithm '%.64s' is not one of sha256, sha384, sha512, sha3-256, sha3-384, "
                                  "sha3-512",
                                  n);
        return false;
    }
    if (!infer) return true;
    const prova_json *h = prova_json_get(events0, "event_hash");
    size_t len = prova_json_is_string(h) ? h->len : 64;
    if (len == 96)
        *alg = PROVA_HASH_SHA384;
    else if (len == 128)
        *alg = PROVA_HASH_SHA512;
    if (len == 64 || len == 96 || len == 128)
        *rc = prova__report_warn(
            r, "hash_algorithm_assumed", at,
            "no hash algorithm given: %s assumed from the hash length (sha3-%zu hashes have the same "
            "length; pass --hash-alg)",
            prova_hash_name(*alg), len * 4);
    return true;
}

/* The event members that no hash or signature covers, as unauthenticated_fields: the events array's pointer, then
 * the token "*" for any index, then the name (RFC 6901 escaping), e.g. "/chain/events/{*}/id" without the braces.
 * They are what the chain checker collected, less sentiment when a signed certificate's event summaries cover it
 * (bundles). *ret_n receives how many were listed or counted. */
static int report_event_extras(const oe_chain *c, bool sentiment_signed, prova_report *r, size_t *ret_n) {
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->nextra; i++) {
        const char *name = c->extra[i];
        if (sentiment_signed && strcmp(name, "sentiment") == 0) continue;
        char f[PROVA_POINTER_MAX];
        int n = snprintf(f, sizeof f, "%s/*/", c->at);
        for (size_t k = 0; n > 0 && (size_t)n + 3 < sizeof f && name[k]; k++) {
            if (name[k] == '~' || name[k] == '/') {
                f[n++] = '~';
                f[n++] = name[k] == '~' ? '0' : '1';
            } else {
                f[n++] = name[k];
            }
        }
        if (n <= 0) continue;
        f[n] = '\0';
        rc = prova_report_add_unauthenticated(r, f);
        (*ret_n)++;
    }
    *ret_n += c->extra_more;
    return rc;
}

/* The warning that goes with unauthenticated_fields, when there are any. */
static int unauthenticated_warning(prova_report *r, const char *at, size_t n, size_t more, const char *what) {
    if (!n) return 0;
    return prova__report_warn(r, "unauthenticated_fields", at, "%zu member(s) %s; see unauthenticated_fields%s", n,
                              what, more ? " (some event member names too long or too many to list)" : "");
}

/* Runs the chain checker over an events array; fills the two chain hashes. c is initialised here. */
static int check_events(oe_chain *c, const prova_json *events, prova_hash_alg alg, const char *at, prova_report *r,
                        bool sdk, char stored[PROVA_OE_HEX_MAX + 1], char recomputed[PROVA_OE_HEX_MAX + 1]) {
    int rc = prova__oe_chain_init(c, alg, at, r, sdk);
    for (size_t i = 0; rc == 0 && i < events->len; i++) rc = prova__oe_chain_step(c, &events->u.items[i]);
    if (rc == 0) rc = prova__oe_chain_finish(c, stored, recomputed);
    return rc;
}

/* The passing summary of a chain's integrity, or nothing when per-event checks failed. */
static int integrity_summary(const oe_chain *c, const char *at, prova_report *r) {
    if (!c->integrity_ok) return 0;
    return prova__report_check(r, "events", true, "ok", at,
                               "%zu events: seq 1..%zu, the genesis hash, every link and every %s event hash checked",
                               c->count, c->count, prova_hash_name(c->alg));
}

/* Compares a chain hash value with the stored-hash and recomputed-hash chain hashes. */
static int chain_hash_checks(prova_report *r, const char *check, const char *at, const prova_json *expected,
                             const char *stored, const char *recomputed, const char *what) {
    size_t n = strlen(stored);
    bool s_ok = str_is(expected, stored, n);
    int rc = prova__report_check(r, check, s_ok, s_ok ? "ok" : "chain_hash_mismatch", at,
                                 s_ok ? "%s equals the hash of the stored event hashes"
                                      : "%s is not the hash of the stored event hashes (computed %.16s...)",
                                 what, stored);
    if (rc == 0 && recomputed[0]) {
        bool r_ok = str_is(expected, recomputed, strlen(recomputed));
        char rcheck[64];
        snprintf(rcheck, sizeof rcheck, "%s.recomputed", check);
        rc = prova__report_check(r, rcheck, r_ok, r_ok ? "ok" : "chain_hash_recomputed_mismatch", at,
                                 r_ok ? "%s equals the hash of the recomputed event hashes"
                                      : "%s is not the hash of the recomputed event hashes (computed %.16s...): an "
                                        "event's content differs from what was hashed",
                                 what, recomputed);
    }
    return rc;
}

/* ---- bundles ---------------------------------------------------------------------------------------------------- */

typedef struct sdk_list {
    prova_buf b; /* JSON string literals joined by ',' */
    size_t n;
} sdk_list;

static int sdk_add(sdk_list *l, const char *s) {
    int r = l->n ? prova_buf_append(&l->b, ",", 1) : 0;
    if (r == 0) r = prova__oe_put_str(&l->b, s, strlen(s));
    if (r == 0) l->n++;
    return r;
}

static int sdk_addf(sdk_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sdk_addf(sdk_list *l, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sdk_add(l, msg);
}

/* The issuer key: the bundle's public_key, which must be trusted when o->keys is not empty. A bundle without a
 * public_key is verified with the trusted keys of its algorithm. */
static int issuer_key(const prova_json *b, const prova_verify_options *o, prova_sig_alg sig_alg, bool sig_alg_ok,
                      prova_report *r, prova_key **owned, const prova_key **ret, const char **ret_source) {
    const prova_json *pk = prova_json_get(b, "public_key");
    size_t trusted = o ? prova_keyset_count(o->keys) : 0;
    *ret = NULL;
    if (!pk) return 0;
    prova_error err;
    int rc = prova__oe_key_parse(pk, owned, &err);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0)
        return prova__report_check(r, "public_key", false, err.reason ? err.reason : "key_invalid", "/public_key",
                                   "the public key cannot be used: %s", err.message ? err.message : "malformed");
    if (sig_alg_ok && prova_key_alg(*owned) != sig_alg)
        return prova__report_check(r, "public_key", false, "key_algorithm_mismatch", "/public_key",
                                   "the public key is %s, the chain's signature_algorithm is %s",
                                   prova_sig_name(prova_key_alg(*owned)), prova_sig_name(sig_alg));
    if (trusted) {
        const prova_key *t = prova__keyset_find_public(o->keys, *owned, ret_source);
        char offered[PROVA__KEYSET_DESC_MAX];
        if (!t)
            return prova__report_check(r, "public_key", false, "key_not_trusted", "/public_key",
                                       "the bundle's public key (%s) is not one of the %zu trusted keys; %s",
                                       prova_key_kid(*owned), trusted,
                                       prova__keyset_describe(o->keys, offered, sizeof offered));
        *ret = t;
        return prova__report_check(r, "public_key", true, "ok", "/public_key", "the bundle's key %s is trusted (%s)",
                                   prova_key_kid(t), *ret_source);
    }
    *ret = *owned;
    *ret_source = "bundle:public_key";
    return prova__report_warn(r, "key_from_bundle", "/public_key",
                              "the issuer key %s came from the bundle itself: this proves the bundle is intact and "
                              "signed by that key; pin the issuer's key (--key/--jwks) to prove who signed it",
                              prova_key_kid(*owned));
}

/* What the JS SDK's verifySignature answers (openexecution.md §3): the key is a PEM (anything with "-----BEGIN")
 * or hex DER SPKI string; the signature is Buffer.from(sig, 'hex'), which stops at the first character that is not
 * a hex pair (so "oe_sig_..." decodes to nothing); crypto.verify(digest, ...) takes the digest from the NAMED
 * algorithm (null for ed25519/ed448) whatever the key is: an EdDSA key with a digest throws (false), an EC key with
 * null uses SHA-256. */
static bool sdk_signature(const prova_buf *canon, const prova_json *sig, const prova_json *pk, const prova_json *sa) {
    static const struct {
        const char *name, *digest;
    } algs[] = {{"ed25519", NULL},
                {"ed448", NULL},
                {"ecdsa-p256", "SHA256"},
                {"ecdsa-p384", "SHA384"},
                {"ecdsa-p521", "SHA512"}};
    const char *name = prova__oe_truthy(sa) ? (prova_json_is_string(sa) ? sa->u.str : "") : "ed25519";
    size_t k = 0;
    while (k < 5 && strcmp(algs[k].name, name) != 0) k++;
    if (k == 5 || !prova_json_is_string(pk) || !prova_json_is_string(sig)) return false;
    prova_key *key = NULL;
    int r = strstr(pk->u.str, "-----BEGIN") ? prova_key_from_pem(pk->u.str, pk->len, &key, NULL)
                                            : prova_key_from_spki_hex(pk->u.str, pk->len, &key, NULL);
    if (r < 0) return false;
    uint8_t raw[PROVA_SIG_MAX_BYTES];
    size_t n = 0;
    for (size_t i = 0; i + 1 < sig->len && n < sizeof raw; i += 2) {
        uint8_t pair[1];
        size_t one = 0;
        if (prova_hex_decode(sig->u.str + i, 2, pair, 1, &one, NULL) < 0) break;
        raw[n++] = pair[0];
    }
    bool eddsa = prova_key_alg(key) == PROVA_SIG_ED25519 || prova_key_alg(key) == PROVA_SIG_ED448;
    bool ok = false;
    if (eddsa)
        ok = !algs[k].digest && prova_key_verify(key, canon->data, canon->len, raw, n) == 0;
    else
        ok =
            prova__verify_digest(key, algs[k].digest ? algs[k].digest : "SHA256", canon->data, canon->len, raw, n) == 0;
    prova_key_free(key);
    return ok;
}

/* Verifies the certificate signature; *ret_ok receives the verdict. */
static int check_signature(const prova_buf *canon, const prova_json *sig, const prova_key *key, const char *src,
                           prova_report *r, bool *ret_ok) {
    *ret_ok = false;
    uint8_t raw[PROVA_SIG_MAX_BYTES];
    size_t rawlen = 0;
    if (!prova_json_is_string(sig) || prova__oe_sig_decode(sig->u.str, sig->len, raw, sizeof raw, &rawlen) < 0) {
        return prova__report_check(r, "certificate_signature", false, "signature_encoding", "/certificate_signature",
                                   "certificate_signature is not hex (an optional oe_sig_ prefix is accepted)");
    }
    *ret_ok = prova_key_verify(key, canon->data, canon->len, raw, rawlen) == 0;
    int rc = prova__report_check(
        r, "certificate_signature", *ret_ok, *ret_ok ? "ok" : "signature_invalid", "/certificate_signature",
        *ret_ok ? "%s signature over the %zu-byte JCS certificate_data verifies with %s"
                : "the %s signature over the %zu-byte JCS certificate_data does not verify with %s",
        prova_sig_name(prova_key_alg(key)), canon->len, prova_key_kid(key));
    if (rc == 0 && *ret_ok) rc = prova_report_add_key(r, prova_key_kid(key), src);
    return rc;
}

/* The certificate's fields against the chain it certifies. */
static int check_certificate_vs_chain(const prova_json *cert, const prova_json *chain, const prova_json *events,
                                      prova_report *r) {
    int rc = 0;
    const prova_json *ver = prova_json_get(cert, "version");
    if (!str_is(ver, "1.0", 3))
        rc = prova__report_check(r, "certificate.version", false, "unsupported_certificate_version",
                                 "/certificate/version", "certificate_data version must be \"1.0\"");
    const prova_json *cid = prova_json_get(cert, "chain_id"), *id = prova_json_get(chain, "id");
    if (rc == 0 && cid && id) {
        bool ok = prova__ope_str_same(cid, id);
        rc =
            prova__report_check(r, "certificate.chain_id", ok, ok ? "ok" : "chain_id_mismatch", "/certificate/chain_id",
                                ok ? "the certificate names this chain" : "the certificate's chain_id is not chain.id");
    }
    int64_t count;
    if (rc == 0 && events) {
        bool ok =
            prova_json_get_int64(prova_json_get(cert, "event_count"), &count) == 0 && count == (int64_t)events->len;
        rc = prova__report_check(r, "certificate.event_count", ok, ok ? "ok" : "event_count_mismatch",
                                 "/certificate/event_count",
                                 ok ? "event_count is the number of events (%u)"
                                    : "event_count is not the number of events in the chain (%u)",
                                 events->len);
    }
    /* The per-event summaries {seq, event_type, actor_id, sentiment} against the events. */
    const prova_json *sums = prova_json_get(cert, "events");
    if (rc == 0 && events && sums) {
        size_t bad = 0, first = 0;
        bool shape = prova_json_is_array(sums) && sums->len == events->len;
        for (size_t i = 0; shape && i < sums->len; i++) {
            const prova_json *s = &sums->u.items[i], *e = &events->u.items[i];
            static const char *const keys[] = {"seq", "event_type", "actor_id", "sentiment"};
            bool same = true;
            for (size_t k = 0; k < 4; k++) {
                const prova_json *a = prova_json_get(s, keys[k]), *b = prova_json_get(e, keys[k]);
                if (k == 3 && !b) continue; /* an event without sentiment: the column default */
                prova_buf x = PROVA_BUF_INIT, y = PROVA_BUF_INIT;
                int w1 = a ? prova_canon_write(a, PROVA_PROFILE_JCS, &x, NULL) : 0;
                int w2 = b ? prova_canon_write(b, PROVA_PROFILE_JCS, &y, NULL) : 0;
                if (w1 == PROVA_ENOMEM || w2 == PROVA_ENOMEM) rc = PROVA_ENOMEM;
                if (x.len != y.len || (x.len && memcmp(x.data, y.data, x.len) != 0)) same = false;
                prova_buf_free(&x);
                prova_buf_free(&y);
            }
            if (!same && bad++ == 0) first = i;
        }
        if (rc == 0) {
            bool ok = shape && bad == 0;
            char at[64];
            snprintf(at, sizeof at, "/certificate/events/%zu", first);
            rc = prova__report_check(r, "certificate.events", ok, ok ? "ok" : "certificate_events_mismatch",
                                     ok ? "/certificate/events" : at,
                                     ok       ? "the certificate's event summaries match the events"
                                     : !shape ? "the certificate lists a different number of events than the chain"
                                              : "%zu event summaries differ from the events (first: event %zu)",
                                     bad, first);
        }
    }
    /* chain_type and the chain's times, when the chain record carries them. */
    static const struct {
        const char *cert, *chain;
        bool time;
    } pairs[] = {{"chain_type", "chain_type", false},
                 {"chain_created_at", "created_at", true},
                 {"chain_resolved_at", "resolved_at", true}};
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        const prova_json *a = prova_json_get(cert, pairs[i].cert), *b = prova_json_get(chain, pairs[i].chain);
        if (!a || !b) continue;
        bool ok;
        if (pairs[i].time) {
            char ta[PROVA_OE_TIME_LEN + 1], tb[PROVA_OE_TIME_LEN + 1];
            ok = prova_json_is_string(a) && prova_json_is_string(b) && prova_oe_timestamp(a->u.str, a->len, ta) == 0 &&
                 prova_oe_timestamp(b->u.str, b->len, tb) == 0 && strcmp(ta, tb) == 0;
        } else {
            ok = prova__ope_str_same(a, b);
        }
        if (!ok) {
            char at[80];
            snprintf(at, sizeof at, "/certificate/%s", pairs[i].cert);
            rc = prova__report_check(r, "certificate.chain", false, "certificate_chain_mismatch", at,
                                     "the certificate's %s differs from the chain's %s", pairs[i].cert, pairs[i].chain);
        }
    }
    return rc;
}

/* Two certificate signatures with the same bytes (the oe_sig_ display form and hex case do not matter). */
static bool same_signature(const prova_json *a, const prova_json *b) {
    uint8_t x[PROVA_SIG_MAX_BYTES], y[PROVA_SIG_MAX_BYTES];
    size_t xn = 0, yn = 0;
    return prova_json_is_string(a) && prova_json_is_string(b) &&
           prova__oe_sig_decode(a->u.str, a->len, x, sizeof x, &xn) == 0 &&
           prova__oe_sig_decode(b->u.str, b->len, y, sizeof y, &yn) == 0 && xn == yn && memcmp(x, y, xn) == 0;
}

/* The status block: bound to this certificate, signed by the issuer; revoked/superseded make the bundle invalid. */
static int check_status(const prova_json *b, const prova_key *key, prova_report *r, const char **ret_status) {
    const prova_json *st = prova_json_get(b, "status");
    *ret_status = NULL;
    if (!st)
        return prova__report_warn(r, "status_unknown", "",
                                  "the bundle carries no status block: whether the certificate was revoked or "
                                  "superseded cannot be seen offline; ask the issuer's live API");
    const prova_json *s = prova_json_get(st, "status");
    int rc = 0;
    if (!prova_json_is_object(st) ||
        !(prova_json_str_eq(s, "active") || prova_json_str_eq(s, "revoked") || prova_json_str_eq(s, "superseded")))
        return prova__report_check(r, "status", false, "status_invalid", "/status",
                                   "status must be an object whose status is active, revoked or superseded");
    bool bound =
        same_signature(prova_json_get(st, "certificate_signature"), prova_json_get(b, "certificate_signature"));
    const prova_json *sid = prova_json_get(st, "certificate_id"), *bid = prova_json_get(b, "certificate_id");
    if (sid && bid && !prova__ope_str_same(sid, bid)) bound = false;
    rc = prova__report_check(r, "status.binding", bound, bound ? "ok" : "status_mismatch", "/status",
                             bound ? "the status block names this certificate"
                                   : "the status block belongs to another certificate");
    /* Its signature, by the issuer key. */
    if (rc == 0 && key) {
        static const char *const skip[] = {"signature"};
        prova_buf t = PROVA_BUF_INIT, canon = PROVA_BUF_INIT;
        const prova_json *sig = prova_json_get(st, "signature");
        rc = prova__oe_put(&t, "{");
        bool first = true;
        for (size_t i = 0; rc == 0 && i < st->len; i++) {
            const prova_json_member *m = &st->u.members[i];
            if (prova_json_str_eq(&m->key, skip[0])) continue;
            if (!first) rc = prova__oe_put(&t, ",");
            first = false;
            if (rc == 0) rc = prova__oe_put_str(&t, m->key.u.str, m->key.len);
            if (rc == 0) rc = prova__oe_put(&t, ":");
            if (rc == 0) rc = prova_canon_write(&m->value, PROVA_PROFILE_JCS, &t, NULL);
        }
        if (rc == 0) rc = prova__oe_put(&t, "}");
        if (rc == 0) rc = prova__oe_jcs_text(&t, &canon, NULL);
        uint8_t raw[PROVA_SIG_MAX_BYTES];
        size_t rawlen = 0;
        bool ok = rc == 0 && prova_json_is_string(sig) &&
                  prova__oe_sig_decode(sig->u.str, sig->len, raw, sizeof raw, &rawlen) == 0 &&
                  prova_key_verify(key, canon.data, canon.len, raw, rawlen) == 0;
        prova_buf_free(&t);
        prova_buf_free(&canon);
        if (rc == PROVA_ENOMEM) return rc;
        rc = prova__report_check(r, "status.signature", ok, ok ? "ok" : "status_signature_invalid", "/status/signature",
                                 ok ? "the status block is signed by the issuer key"
                                    : "the status block's signature does not verify with the issuer key");
    }
    if (rc < 0) return rc;
    *ret_status = s->u.str;
    const prova_json *upd = prova_json_get(st, "updated_at");
    const char *when = prova_json_is_string(upd) ? upd->u.str : "?";
    if (prova_json_str_eq(s, "revoked")) {
        const prova_json *why = prova_json_get(st, "revocation_reason");
        rc = prova__report_check(r, "status", false, "certificate_revoked", "/status/status",
                                 "the certificate was revoked at %.40s%s%.200s", when,
                                 prova_json_is_string(why) ? ": " : "", prova_json_is_string(why) ? why->u.str : "");
    } else if (prova_json_str_eq(s, "superseded")) {
        const prova_json *by = prova_json_get(st, "superseded_by");
        rc = prova__report_check(r, "status", false, "certificate_superseded", "/status/status",
                                 "the certificate was superseded at %.40s by %.100s", when,
                                 prova_json_is_string(by) ? by->u.str : "?");
    } else {
        rc = prova__report_check(r, "status", true, "ok", "/status/status", "active as of %.40s", when);
        if (rc == 0)
            rc = prova__report_warn(r, "status_offline", "/status",
                                    "the status block is the status when the bundle was written; the issuer's live "
                                    "status is authoritative");
    }
    return rc;
}

static int verify_bundle(const prova_json *b, const prova_verify_options *o, prova_report *r) {
    const prova_json *cert = prova_json_get(b, "certificate");
    const prova_json *sig = prova_json_get(b, "certificate_signature");
    const prova_json *pk = prova_json_get(b, "public_key");
    const prova_json *chain = prova_json_get(b, "chain");
    const prova_json *atts = prova_json_get(b, "attestations");
    sdk_list errors = {PROVA_BUF_INIT, 0};
    prova_key *owned = NULL;
    oe_chain c;
    bool chain_inited = false;
    int rc = 0;

    /* Algorithms, from the chain (the SDKs' defaults: sha256, ed25519). */
    prova_hash_alg alg;
    const prova_json *ha = prova_json_get(chain, "hash_algorithm");
    bool alg_ok = chain_alg(ha, false, NULL, o, "/chain/hash_algorithm", r, &alg, &rc);
    prova_sig_alg sig_alg = PROVA_SIG_ED25519;
    const prova_json *sa = prova_json_get(chain, "signature_algorithm");
    bool sig_alg_ok = true;
    if (rc == 0 && prova__oe_truthy(sa) && (!prova_json_is_string(sa) || prova_sig_lookup(sa->u.str, &sig_alg) < 0)) {
        sig_alg_ok = false;
        rc = prova__report_check(r, "signature_algorithm", false, "unsupported_signature_algorithm",
                                 "/chain/signature_algorithm",
                                 "signature_algorithm must be ed25519, ed448, ecdsa-p256, ecdsa-p384 or ecdsa-p521");
    }
    const prova_json *canon = prova_json_get(chain, "canonicalization");
    if (rc == 0 && canon && !prova_json_str_eq(canon, "jcs"))
        rc = prova__report_check(r, "canonicalization", false, "unsupported_canonicalization",
                                 "/chain/canonicalization", "canonicalization must be \"jcs\" (the only one defined)");

    /* 1. The signature. */
    bool sig_ok = false;
    const prova_key *key = NULL;
    const char *key_src = NULL;
    if (rc == 0 && (!prova__oe_truthy(cert) || !prova__oe_truthy(sig) || !prova__oe_truthy(pk))) {
        rc = sdk_add(&errors, "Missing certificate, certificate_signature, or public_key");
        if (rc == 0)
            rc = prova__report_check(r, "schema", false, "schema_error", "",
                                     "a bundle needs certificate, certificate_signature and public_key");
    }
    bool sdk_sig_ok = false;
    if (rc == 0 && prova__oe_truthy(cert) && prova__oe_truthy(sig) && prova__oe_truthy(pk)) {
        /* The signed bytes, once for prova's check and the SDK's (a parsed document always has a JCS form). */
        prova_buf canon_cert = PROVA_BUF_INIT;
        rc = prova_canon_write(cert, PROVA_PROFILE_JCS, &canon_cert, NULL);
        if (rc == 0) rc = issuer_key(b, o, sig_alg, sig_alg_ok, r, &owned, &key, &key_src);
        if (rc == 0 && key && sig_alg_ok) rc = check_signature(&canon_cert, sig, key, key_src, r, &sig_ok);
        if (rc == 0) sdk_sig_ok = sdk_signature(&canon_cert, sig, pk, sa);
        prova_buf_free(&canon_cert);
    }

    /* 2-3. Integrity and the chain hash. */
    const prova_json *events = prova_json_get(chain, "events");
    char stored[PROVA_OE_HEX_MAX + 1] = "", recomputed[PROVA_OE_HEX_MAX + 1] = "";
    bool integrity_ok = false, chain_hash_ok = false, have_events = prova__oe_truthy(events);
    if (rc == 0 && have_events && !prova_json_is_array(events)) {
        rc = prova__report_check(r, "schema", false, "schema_error", "/chain/events", "chain.events must be an array");
        have_events = false;
    }
    if (rc == 0 && have_events && alg_ok) {
        chain_inited = true;
        rc = check_events(&c, events, alg, "/chain/events", r, true, stored, recomputed);
        integrity_ok = rc == 0 && c.integrity_ok;
        if (rc == 0) rc = integrity_summary(&c, "/chain/events", r);
        if (rc == 0 && c.sdk_errors.len) {
            rc = prova_buf_append(&errors.b, errors.n ? "," : "", errors.n ? 1 : 0);
            if (rc == 0) rc = prova_buf_append(&errors.b, c.sdk_errors.data, c.sdk_errors.len);
            errors.n += c.sdk_count;
        }
        const prova_json *expected = prova_json_get(cert, "chain_hash");
        chain_hash_ok = str_is(expected, stored, strlen(stored));
        /* The SDK compares only when the certificate has a chain_hash (else: invalid, and no error string). */
        if (rc == 0 && !chain_hash_ok && prova__oe_truthy(expected)) {
            char got[80] = "";
            prova_buf g = PROVA_BUF_INIT;
            if (prova__oe_truthy(expected) && prova__oe_js_string(expected, 16, &g) == 0 && g.len < sizeof got) {
                memcpy(got, g.data, g.len);
                got[g.len] = '\0';
            }
            prova_buf_free(&g);
            rc = sdk_addf(&errors, "Chain hash mismatch: computed %.16s..., expected %s...", stored, got);
        }
        if (rc == 0)
            rc = chain_hash_checks(r, "chain_hash", "/certificate/chain_hash", expected, stored, recomputed,
                                   "the certificate's chain_hash");
        const prova_json *rec = prova_json_get(chain, "chain_hash");
        if (rc == 0 && rec && !prova_json_is_null(rec)) {
            bool ok = prova__ope_str_same(rec, expected);
            rc = prova__report_check(r, "chain.chain_hash", ok, ok ? "ok" : "chain_record_hash_mismatch",
                                     "/chain/chain_hash",
                                     ok ? "the chain record's chain_hash equals the certificate's"
                                        : "the chain record's chain_hash differs from the certificate's");
        }
    } else if (rc == 0 && !have_events) {
        rc = sdk_add(&errors, "Missing chain or chain.events");
        if (rc == 0)
            rc = prova__report_check(r, "schema", false, "schema_error", "/chain",
                                     "the bundle has no chain events: the certificate cannot be checked against them");
    } else if (rc == 0 && !alg_ok) {
        char msg[120];
        snprintf(msg, sizeof msg, "Unsupported hash algorithm: %.64s", prova_json_is_string(ha) ? ha->u.str : "?");
        rc = sdk_add(&errors, msg);
    }
    if (rc == 0 && prova_json_is_object(cert))
        rc = check_certificate_vs_chain(cert, prova_json_is_object(chain) ? chain : cert,
                                        prova_json_is_array(events) ? events : NULL, r);

    /* 4. Status (prova's: the SDKs have none). */
    const char *status = NULL;
    if (rc == 0) rc = check_status(b, sig_ok ? key : NULL, r, &status);

    /* 5. Attestations. */
    prova_buf att_results = PROVA_BUF_INIT;
    bool atts_ok = true;
    size_t natts = prova_json_is_array(atts) ? atts->len : 0;
    for (size_t i = 0; rc == 0 && i < natts; i++) {
        const prova_json *a = &atts->u.items[i];
        bool ok = false;
        const char *reason = NULL;
        if (i) rc = prova_buf_append(&att_results, ",", 1);
        if (rc == 0) rc = prova__oe_attestation(a, alg, key, stored, &att_results, &ok, &reason);
        if (rc < 0) break;
        atts_ok = atts_ok && ok;
        const prova_json *t = prova_json_get(a, "type");
        prova_buf msg = PROVA_BUF_INIT;
        rc = prova__oe_put(&msg, "Attestation ");
        if (rc == 0) rc = prova__oe_truthy(t) ? prova__oe_js_string(t, 0, &msg) : prova__oe_put(&msg, "unknown");
        if (rc == 0) rc = prova__oe_put(&msg, ": ");
        if (rc == 0 && reason && strcmp(reason, "Unknown attestation type") == 0) {
            rc = prova__oe_put(&msg, "Unknown attestation type: ");
            if (rc == 0) rc = prova__oe_js_string(t, 0, &msg);
        } else if (rc == 0) {
            rc = prova__oe_put(&msg, reason ? reason : "invalid");
        }
        if (rc == 0 && !ok)
            rc = prova_buf_append(&msg, "", 1) == 0 ? sdk_add(&errors, (const char *)msg.data) : PROVA_ENOMEM;
        char check[48], at[48];
        snprintf(check, sizeof check, "attestations[%zu]", i);
        snprintf(at, sizeof at, "/attestations/%zu", i);
        if (rc == 0)
            rc = prova__report_check(r, check, ok, ok ? "ok" : "attestation_invalid", at, "%s %s",
                                     prova_json_is_string(t) ? t->u.str : "attestation",
                                     ok ? "verifies" : "does not verify");
        prova_buf_free(&msg);
    }

    /* Fields no signature covers: event members outside the event hash (sentiment is covered by the certificate's
     * event summaries), chain record fields the certificate does not carry. */
    size_t unauth = 0;
    if (rc == 0 && chain_inited) rc = report_event_extras(&c, true, r, &unauth);
    static const char *const chain_fields[] = {"status",           "certified_at", "updated_at",
                                               "protocol_version", "origin_type",  "origin_id"};
    for (size_t i = 0; rc == 0 && prova_json_is_object(chain) && i < sizeof chain_fields / sizeof chain_fields[0];
         i++) {
        if (!prova_json_get(chain, chain_fields[i])) continue;
        char f[64];
        snprintf(f, sizeof f, "/chain/%s", chain_fields[i]);
        rc = prova_report_add_unauthenticated(r, f);
        unauth++;
    }
    if (rc == 0 && prova_json_get(b, "certificate_id") && !prova_json_get(b, "status")) {
        rc = prova_report_add_unauthenticated(r, "/certificate_id");
        unauth++;
    }
    if (rc == 0)
        rc = unauthenticated_warning(r, "", unauth, chain_inited ? c.extra_more : 0,
                                     "of the bundle are covered neither by the certificate signature nor by an event "
                                     "hash");

    /* The SDK's result shape, members in JCS order. */
    if (rc == 0) {
        bool valid = sdk_sig_ok && integrity_ok && chain_hash_ok && atts_ok;
        prova_buf s = PROVA_BUF_INIT;
        rc = prova__oe_put(&s, "{");
        if (rc == 0 && natts) {
            rc = prova__oe_put(&s, "\"attestation_results\":[");
            if (rc == 0) rc = prova_buf_append(&s, att_results.data, att_results.len);
            if (rc == 0) rc = prova__oe_put(&s, "],");
        }
        if (rc == 0)
            rc = prova__oe_put(&s, sdk_sig_ok ? "\"certificate_signature_valid\":true"
                                              : "\"certificate_signature_valid\":false");
        if (rc == 0)
            rc = prova__oe_put(&s, chain_hash_ok ? ",\"chain_hash_valid\":true" : ",\"chain_hash_valid\":false");
        if (rc == 0) rc = prova__oe_put(&s, ",\"chain_integrity\":{\"errors\":[");
        if (rc == 0 && chain_inited && have_events && alg_ok)
            rc = prova_buf_append(&s, c.sdk_errors.data, c.sdk_errors.len);
        else if (rc == 0 && !alg_ok && have_events) {
            char msg[120];
            snprintf(msg, sizeof msg, "Unsupported hash algorithm: %.64s", prova_json_is_string(ha) ? ha->u.str : "?");
            rc = prova__oe_put_str(&s, msg, strlen(msg));
        } else if (rc == 0) {
            rc = prova__oe_put(&s, "\"No chain events provided\"");
        }
        if (rc == 0) {
            char num[80];
            snprintf(num, sizeof num, "],\"event_count\":%u,\"is_valid\":%s}", have_events ? events->len : 0,
                     integrity_ok ? "true" : "false");
            rc = prova__oe_put(&s, num);
        }
        if (rc == 0) rc = prova__oe_put(&s, ",\"errors\":[");
        if (rc == 0) rc = prova_buf_append(&s, errors.b.data, errors.b.len);
        if (rc == 0) rc = prova__oe_put(&s, valid ? "],\"valid\":true}" : "],\"valid\":false}");
        if (rc == 0) rc = prova_report_set_sdk_result(r, (const char *)s.data, s.len);
        prova_buf_free(&s);
    }
    if (chain_inited) prova__oe_chain_free(&c);
    prova_buf_free(&att_results);
    prova_buf_free(&errors.b);
    prova_key_free(owned);
    return rc;
}

/* ---- chain records and event arrays ------------------------------------------------------------------------------ */

static int unsigned_warning(prova_report *r) {
    return prova__report_warn(r, "unsigned", "",
                              "no signature covers these events: the checks prove they are linked and unaltered "
                              "relative to each other, not who recorded them (a certificate does)");
}

/* Chain records and events carry no certificate: members outside the event hash, sentiment too, are covered by
 * nothing at all. */
static int events_unauthenticated(const oe_chain *c, prova_report *r) {
    size_t n = 0;
    int rc = report_event_extras(c, false, r, &n);
    if (rc == 0)
        rc = unauthenticated_warning(r, c->at, n, c->extra_more,
                                     "of the events are outside the event hash, which is all that links them");
    return rc;
}

static int verify_chain_record(const prova_json *chain, const prova_verify_options *o, prova_report *r) {
    const prova_json *events = prova_json_get(chain, "events");
    int rc = 0;
    prova_hash_alg alg;
    if (!chain_alg(prova_json_get(chain, "hash_algorithm"), false, NULL, o, "/hash_algorithm", r, &alg, &rc)) return rc;
    const prova_json *canon = prova_json_get(chain, "canonicalization");
    if (rc == 0 && canon && !prova_json_str_eq(canon, "jcs"))
        rc = prova__report_check(r, "canonicalization", false, "unsupported_canonicalization", "/canonicalization",
                                 "canonicalization must be \"jcs\"");
    const prova_json *status = prova_json_get(chain, "status");
    static const char *const statuses[] = {"open", "resolved", "certified", "revoked"};
    bool status_ok = !status;
    for (size_t i = 0; i < 4; i++) status_ok = status_ok || prova_json_str_eq(status, statuses[i]);
    if (rc == 0 && !status_ok)
        rc = prova__report_check(r, "status", false, "status_invalid", "/status",
                                 "status must be open, resolved, certified or revoked");
    oe_chain c;
    char stored[PROVA_OE_HEX_MAX + 1], recomputed[PROVA_OE_HEX_MAX + 1];
    if (rc < 0) return rc;
    rc = check_events(&c, events, alg, "/events", r, false, stored, recomputed);
    if (rc == 0) rc = integrity_summary(&c, "/events", r);
    const prova_json *ch = prova_json_get(chain, "chain_hash");
    if (rc == 0 && ch && !prova_json_is_null(ch)) {
        rc = chain_hash_checks(r, "chain_hash", "/chain_hash", ch, stored, recomputed, "chain_hash");
    } else if (rc == 0 && status && !prova_json_str_eq(status, "open")) {
        rc = prova__report_check(r, "chain_hash", false, "chain_hash_missing", "/chain_hash",
                                 "a chain that is no longer open must carry its chain_hash");
    } else if (rc == 0) {
        rc = prova__report_check(r, "chain_hash", true, "ok", "/chain_hash",
                                 "open chain: its current %s chain hash is %s", prova_hash_name(alg), stored);
    }
    const prova_json *cnt = prova_json_get(chain, "event_count");
    int64_t n;
    if (rc == 0 && cnt) {
        bool ok = prova_json_get_int64(cnt, &n) == 0 && n == (int64_t)events->len;
        rc = prova__report_check(
            r, "event_count", ok, ok ? "ok" : "event_count_mismatch", "/event_count",
            ok ? "event_count is the number of events" : "event_count is not the number of events (%u)", events->len);
    }
    if (rc == 0) rc = unsigned_warning(r);
    if (rc == 0) rc = events_unauthenticated(&c, r);
    prova__oe_chain_free(&c);
    return rc;
}

static int verify_events(const prova_json *events, const prova_verify_options *o, prova_report *r) {
    int rc = 0;
    prova_hash_alg alg;
    if (!chain_alg(NULL, true, prova_json_at(events, 0), o, "", r, &alg, &rc)) return rc;
    if (rc < 0) return rc;
    oe_chain c;
    char stored[PROVA_OE_HEX_MAX + 1], recomputed[PROVA_OE_HEX_MAX + 1];
    rc = check_events(&c, events, alg, "", r, false, stored, recomputed);
    if (rc == 0) rc = integrity_summary(&c, "", r);
    if (rc == 0 && c.integrity_ok)
        rc = prova__report_check(r, "chain_hash", true, "ok", "", "the %s chain hash of these events is %s",
                                 prova_hash_name(alg), stored);
    if (rc == 0) rc = unsigned_warning(r);
    if (rc == 0) rc = events_unauthenticated(&c, r);
    prova__oe_chain_free(&c);
    return rc;
}

/* ---- entry points ------------------------------------------------------------------------------------------------ */

static bool is_event(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_get(v, "event_hash") && prova_json_get(v, "seq") &&
           prova_json_get(v, "prev_hash");
}

static bool is_bundle(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_get(v, "certificate") &&
           (prova_json_get(v, "certificate_signature") || prova_json_get(v, "chain") ||
            prova_json_get(v, "public_key"));
}

static bool is_chain_record(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_is_array(prova_json_get(v, "events")) &&
           !prova_json_get(v, "certificate") &&
           (prova_json_get(v, "hash_algorithm") || prova_json_get(v, "chain_hash") || prova_json_get(v, "chain_type") ||
            prova_json_get(v, "status"));
}

static bool is_events(const prova_json *v) {
    if (!prova_json_is_array(v) || v->len == 0) return false;
    for (size_t i = 0; i < v->len; i++)
        if (!is_event(&v->u.items[i])) return false;
    return true;
}

bool prova_oe_detect(const prova_json *doc) {
    return is_bundle(doc) || is_chain_record(doc) || is_events(doc);
}

bool prova__oe_is_event(const prova_json *v) {
    return is_event(v);
}
bool prova__oe_is_bundle(const prova_json *v) {
    return is_bundle(v);
}
bool prova__oe_is_chain_record(const prova_json *v) {
    return is_chain_record(v);
}

int prova_oe_verify_doc(const prova_json *doc, const prova_verify_options *o, prova_report *r) {
    if (!doc || !r) return PROVA_EINVAL;
    int rc;
    if (is_bundle(doc)) {
        rc = prova_report_set_kind(r, "oe_bundle");
        if (rc == 0) rc = verify_bundle(doc, o, r);
    } else if (is_chain_record(doc)) {
        rc = prova_report_set_kind(r, "oe_chain");
        if (rc == 0) rc = verify_chain_record(doc, o, r);
    } else if (is_events(doc)) {
        rc = prova_report_set_kind(r, "oe_events");
        if (rc == 0) rc = verify_events(doc, o, r);
    } else {
        prova_report_set_outcome(r, PROVA_OUTCOME_UNKNOWN_KIND);
        rc = prova__report_check(r, "kind", false, "schema_error", "",
                                 "not an OpenExecution document: expected a bundle, a chain record or events");
    }
    return rc;
}

/* ---- JSON Lines ------------------------------------------------------------------------------------------------- */

/* Lines are scanned in batches: the chain-independent checks of a batch (the scan, the event hash) run on up to
 * o->threads threads, then every line of the batch goes through the chain checks in order on the calling thread,
 * a line that the scan did not decide through the earlier paths (the canonicalizer's fast path, then the
 * document). With several threads, a batch is a stretch of bytes cut at line ends into one range per thread; each
 * thread finds the lines of its range itself (so the file's pages are first read by the thread that scans them).
 * The report is the same whatever the number of threads. */
#define OE_BATCH_1     256        /* lines per batch, one thread */
#define OE_RANGE       (2u << 20) /* bytes per thread and batch, several threads */
#define OE_RANGE_LINES 8192       /* lines kept per range: a range of shorter lines stops early (and is resumed) */
#define OE_THREADS     16

typedef struct oe_item {
    const char *text;
    size_t len;
    size_t line, offset;
    oe_pre pre;
} oe_item;

typedef struct oe_worker {
    oe_scan scan;
    bool scan_ok;
    oe_item *items;
    size_t from, to;
    int rc;
    /* range mode: the lines of data[start, end) (end is a line start or the end of the input) */
    const char *data;
    size_t start, end;
    oe_item *own; /* OE_RANGE_LINES items */
    size_t nown;
    size_t stop;  /* where the next line starts */
    size_t lines; /* lines consumed (blank ones included) */
    int more;     /* 0, or the reader's error (a line too long) */
    prova_error err;
} oe_worker;

static void range_items(oe_worker *w) {
    prova_jsonl it;
    prova_jsonl_line l;
    prova_jsonl_init(&it, w->data, w->end, PROVA_DEFAULT_MAX_SIZE);
    it.pos = w->start;
    it.line = 0;
    w->nown = 0;
    w->more = 0;
    w->rc = 0;
    while (w->nown < OE_RANGE_LINES) {
        int more = prova_jsonl_next(&it, &l, &w->err);
        if (more == 0) break;
        if (more < 0) {
            w->more = more;
            break;
        }
        oe_item *x = &w->own[w->nown++];
        *x = (oe_item){.text = l.text, .len = l.len, .line = it.line, .offset = l.offset};
        w->rc = prova__oe_scan_event(&w->scan, l.text, l.len, &x->pre);
        if (w->rc < 0) break;
    }
    w->stop = it.pos;
    w->lines = it.line;
}

static void *range_thread(void *arg) {
    range_items(arg);
    return NULL;
}

/* A line the reader refused (too long): the same report as the document path's parse errors. */
static int reader_error(int more, prova_error *err, size_t line, prova_report *r, prova_error *reterr) {
    if (more == PROVA_ESYNTAX || more == PROVA_ELIMIT || more == PROVA_ERANGE) {
        err->line = line;
        if (reterr) *reterr = *err;
        prova__report_check(r, "parse", false, err->reason, err->pointer, "line %zu: %s", line, err->message);
        prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
        return PROVA_ESYNTAX;
    }
    return more;
}

typedef struct oe_lines oe_lines;
struct oe_lines {
    oe_chain c;
    bool inited;
    prova_hash_alg alg;
    const prova_verify_options *o;
    prova_report *r;
    prova_error *reterr;
    bool stop; /* a parse error was reported */
};
static int line_step(oe_lines *x, const char *text, size_t len, size_t lineno, size_t offset, const oe_pre *pre);

/* The lines after the first with nt > 1 threads, from it->pos on. */
static int ranges(oe_lines *x, prova_jsonl *it, const char *data, size_t len, oe_worker *w, size_t nt) {
    int rc = 0;
    for (size_t t = 0; t < nt && rc == 0; t++) {
        w[t].own = malloc(OE_RANGE_LINES * sizeof *w[t].own);
        if (!w[t].own) rc = PROVA_ENOMEM;
    }
    size_t pos = it->pos, base = it->line;
    while (rc == 0 && pos < len) {
        size_t b[OE_THREADS + 1];
        b[0] = pos;
        for (size_t k = 1; k <= nt; k++) {
            size_t target = len - pos > OE_RANGE * k ? pos + OE_RANGE * k : len;
            if (target < b[k - 1]) target = b[k - 1];
            if (target < len) {
                const char *nl = memchr(data + target, '\n', len - target);
                target = nl ? (size_t)(nl - data) + 1 : len;
            }
            b[k] = target;
        }
        pthread_t tid[OE_THREADS];
        bool started[OE_THREADS] = {false};
        for (size_t t = 0; t < nt && rc == 0; t++) {
            if (!w[t].scan_ok) {
                rc = prova__oe_scan_init(&w[t].scan, x->alg);
                w[t].scan_ok = rc == 0;
            }
            w[t].data = data;
            w[t].start = b[t];
            w[t].end = b[t + 1];
        }
        if (rc < 0) break;
        for (size_t t = 1; t < nt; t++) started[t] = pthread_create(&tid[t], NULL, range_thread, &w[t]) == 0;
        range_items(&w[0]);
        for (size_t t = 1; t < nt; t++) {
            if (started[t])
                pthread_join(tid[t], NULL);
            else
                range_items(&w[t]); /* no thread to be had: here */
        }
        /* The chain part, in line order; a range that stopped early ends the batch there. */
        for (size_t t = 0; t < nt && rc == 0; t++) {
            oe_worker *v = &w[t];
            for (size_t k = 0; k < v->nown && rc == 0 && !x->stop; k++)
                rc = line_step(x, v->own[k].text, v->own[k].len, base + v->own[k].line, v->own[k].offset,
                               v->rc < 0 ? NULL : &v->own[k].pre);
            if (rc == 0 && v->rc < 0) rc = v->rc;
            if (rc < 0 || x->stop) break;
            if (v->more < 0) {
                rc = reader_error(v->more, &v->err, base + v->lines, x->r, x->reterr);
                break;
            }
            base += v->lines;
            pos = v->stop;
            if (v->stop < v->end) break;
        }
        if (x->stop) break;
    }
    for (size_t t = 0; t < nt; t++) {
        free(w[t].own);
        w[t].own = NULL;
    }
    return rc;
}

static void scan_items(oe_worker *w) {
    w->rc = 0;
    for (size_t k = w->from; k < w->to && w->rc == 0; k++)
        w->rc = prova__oe_scan_event(&w->scan, w->items[k].text, w->items[k].len, &w->items[k].pre);
}

static void *scan_thread(void *arg) {
    scan_items(arg);
    return NULL;
}

/* One line through the chain: the scan's result when there is one, else the earlier paths. */
static int line_step(oe_lines *x, const char *text, size_t len, size_t lineno, size_t offset, const oe_pre *pre) {
    int rc;
    if (x->inited) {
        bool handled = false;
        if (pre && (rc = prova__oe_scan_apply(&x->c, pre, &handled)) < 0) return rc;
        if (!handled && (rc = prova__oe_chain_step_text(&x->c, text, len, &handled)) < 0) return rc;
        if (handled) return 0;
    }
    prova_doc *doc = NULL;
    prova_error err;
    rc = prova_json_parse(text, len, NULL, &doc, &err);
    if (rc < 0) {
        if (rc == PROVA_ESYNTAX || rc == PROVA_ELIMIT || rc == PROVA_ERANGE) {
            err.offset += offset;
            err.line = lineno;
            if (x->reterr) *x->reterr = err;
            prova__report_check(x->r, "parse", false, err.reason, err.pointer, "line %zu: %s", lineno, err.message);
            prova_report_set_outcome(x->r, PROVA_OUTCOME_BAD_INPUT);
            rc = PROVA_ESYNTAX;
            x->stop = true;
        }
        return rc;
    }
    const prova_json *ev = prova_doc_root(doc);
    if (!x->inited) {
        if (!chain_alg(NULL, true, ev, x->o, "", x->r, &x->alg, &rc)) {
            prova_doc_free(doc);
            x->stop = true;
            return rc;
        }
        if (rc == 0) rc = prova__oe_chain_init(&x->c, x->alg, "", x->r, false);
        x->inited = rc == 0;
    }
    if (rc == 0) rc = prova__oe_chain_step(&x->c, ev);
    prova_doc_free(doc);
    return rc;
}

int prova_oe_verify_jsonl(const void *data, size_t len, const prova_verify_options *o, prova_report *r,
                          prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!data && len) || !r) return PROVA_EINVAL;
    int rc = prova_report_set_kind(r, "oe_events");
    if (rc < 0) return rc;
    size_t nthreads = o && o->threads > 1 ? (o->threads > OE_THREADS ? OE_THREADS : o->threads) : 1;
    size_t cap = OE_BATCH_1;
    oe_item *items = malloc(cap * sizeof *items);
    oe_worker w[OE_THREADS];
    memset(w, 0, sizeof w);
    if (!items) return PROVA_ENOMEM;
    oe_lines x = {.alg = PROVA_HASH_SHA256, .o = o, .r = r, .reterr = reterr};
    oe_chain *c = &x.c;
    prova_jsonl it;
    prova_jsonl_line l;
    prova_jsonl_init(&it, data, len, PROVA_DEFAULT_MAX_SIZE);
    bool eof = false;
    while (rc == 0 && !eof && !x.stop && !(x.inited && nthreads > 1)) {
        prova_error err;
        int more = 1;
        size_t nb = 0;
        /* The first line alone (it sets the algorithm), then batches. */
        while (nb < (x.inited ? cap : 1)) {
            more = prova_jsonl_next(&it, &l, &err);
            if (more <= 0) break;
            items[nb++] = (oe_item){.text = l.text, .len = l.len, .line = it.line, .offset = l.offset};
        }
        if (more == 0) eof = true;
        if (x.inited && nb) {
            size_t nt = nthreads < nb ? nthreads : nb;
            pthread_t tid[OE_THREADS];
            bool started[OE_THREADS] = {false};
            for (size_t t = 0; t < nt && rc == 0; t++) {
                if (!w[t].scan_ok) {
                    rc = prova__oe_scan_init(&w[t].scan, x.alg);
                    w[t].scan_ok = rc == 0;
                }
                w[t].items = items;
                w[t].from = nb * t / nt;
                w[t].to = nb * (t + 1) / nt;
            }
            for (size_t t = 1; t < nt && rc == 0; t++)
                started[t] = pthread_create(&tid[t], NULL, scan_thread, &w[t]) == 0;
            if (rc == 0) scan_items(&w[0]);
            for (size_t t = 1; t < nt; t++) {
                if (started[t])
                    pthread_join(tid[t], NULL);
                else if (rc == 0)
                    scan_items(&w[t]); /* no thread to be had: here */
            }
            for (size_t t = 0; t < nt && rc == 0; t++)
                if (w[t].rc < 0) rc = w[t].rc;
            for (size_t k = 0; k < nb && rc == 0 && !x.stop; k++)
                rc = line_step(&x, items[k].text, items[k].len, items[k].line, items[k].offset, &items[k].pre);
        } else {
            for (size_t k = 0; k < nb && rc == 0 && !x.stop; k++)
                rc = line_step(&x, items[k].text, items[k].len, items[k].line, items[k].offset, NULL);
        }
        if (rc == 0 && !x.stop && more < 0) /* a line the reader refused (too long) */
            rc = reader_error(more, &err, it.line, r, reterr);
    }
    if (rc == 0 && !eof && !x.stop && x.inited && nthreads > 1)
        rc = ranges(&x, &it, (const char *)data, len, w, nthreads);
    for (size_t t = 0; t < OE_THREADS; t++)
        if (w[t].scan_ok) prova__oe_scan_free(&w[t].scan);
    free(items);
    bool inited = x.inited;
    if (x.stop && rc == 0) { /* chain_alg refused the first event (its report is written) */
        if (inited) prova__oe_chain_free(c);
        return rc;
    }
    if (rc == 0 && !inited)
        return prova__report_check(r, "events", false, "schema_error", "", "no events in the input");
    char stored[PROVA_OE_HEX_MAX + 1], recomputed[PROVA_OE_HEX_MAX + 1];
    if (rc == 0) rc = prova__oe_chain_finish(c, stored, recomputed);
    if (rc == 0) rc = integrity_summary(c, "", r);
    if (rc == 0 && c->integrity_ok)
        rc = prova__report_check(r, "chain_hash", true, "ok", "", "the %s chain hash of these events is %s",
                                 prova_hash_name(x.alg), stored);
    if (rc == 0) rc = unsigned_warning(r);
    if (rc == 0) rc = events_unauthenticated(c, r);
    if (inited) prova__oe_chain_free(c);
    return rc;
}
