/* Log proofs in exports (docs/tlog.md, "Proofs in exports"): a document carries, per record, the
 * c2sp.org/tlog-proof@v1 of the record's log entry in an unsigned top-level member "tlog_proofs"; the verifier
 * recomputes each entry from the record (prova_log_entry_of_*), never reads it from the document, and checks the
 * proof against the log's key and an optional tlog-policy. Attaching (prova_log_proofs_attach) matches each proof to
 * its record by the inclusion path alone and inserts the member without touching the bytes before it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "interop_internal.h"
#include "jsonw.h"
#include "ope_internal.h"
#include "prova/checkpoint.h"
#include "prova/logentry.h"
#include "prova/merkle.h"
#include "prova/oe.h"
#include "prova/proof.h"
#include "prova/verify.h"
#include "verify_internal.h"

#define MEMBER "tlog_proofs"

/* One record of a document that the log has an entry for. */
typedef struct rec {
    char ptr[48]; /* JSON Pointer of the record ("" for the document itself) */
    prova_log_kind kind;
    const prova_json *v; /* the value prova_log_entry_of_* reads */
    prova_hash_alg alg;  /* events: the chain's hash algorithm */
    bool proved;
} rec;

typedef struct recs {
    rec *a;
    size_t n, cap;
    bool embeddable; /* the format leaves an added top-level member out of every hash and signature */
} recs;

static int recs_add(recs *rs, const char *prefix, size_t i, prova_log_kind kind, const prova_json *v,
                    prova_hash_alg alg) {
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 8;
        rec *a = realloc(rs->a, cap * sizeof *a);
        if (!a) return PROVA_ENOMEM;
        rs->a = a;
        rs->cap = cap;
    }
    rec *r = &rs->a[rs->n++];
    memset(r, 0, sizeof *r);
    if (prefix) snprintf(r->ptr, sizeof r->ptr, "%s/%zu", prefix, i); /* else "": the document itself */
    r->kind = kind;
    r->v = v;
    r->alg = alg;
    return 0;
}

/* The logged records of a document: an OPE bundle's receipts, an OpenExecution offline bundle's certificate, its
 * status change (revoked, superseded) and its events, a proof record itself. */
static int records_of(const prova_json *root, recs *rs) {
    memset(rs, 0, sizeof *rs);
    int rc = 0;
    if (prova__ope_is_bundle(root) || prova__ope_is_flat_bundle(root)) {
        bool nested = prova__ope_is_bundle(root);
        const prova_json *arr = prova_json_get(nested ? prova_json_get(root, "bundle") : root, "receipts");
        size_t n = prova_json_is_array(arr) ? prova_json_len(arr) : 0;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = recs_add(rs, nested ? "/bundle/receipts" : "/receipts", i, PROVA_LOG_OPE_RECEIPT,
                          prova_json_at(arr, i), PROVA_HASH_SHA256);
        rs->embeddable = nested;
    } else if (prova_oe_detect(root) && prova_json_is_object(prova_json_get(root, "certificate"))) {
        rc = recs_add(rs, NULL, 0, PROVA_LOG_OE_CERTIFICATE, root, PROVA_HASH_SHA256);
        const prova_json *st = prova_json_get(prova_json_get(root, "status"), "status");
        if (rc == 0 && (prova_json_str_eq(st, "revoked") || prova_json_str_eq(st, "superseded")))
            rc = recs_add(rs, NULL, 0, PROVA_LOG_OE_STATUS, root, PROVA_HASH_SHA256);
        const prova_json *chain = prova_json_get(root, "chain");
        prova_hash_alg alg = PROVA_HASH_SHA256;
        const prova_json *an = prova_json_get(chain, "hash_algorithm");
        if (prova_json_is_string(an) && prova_hash_lookup(prova_json_str(an), &alg) != 0) alg = PROVA_HASH_SHA256;
        const prova_json *ev = prova_json_get(chain, "events");
        size_t n = prova_json_is_array(ev) ? prova_json_len(ev) : 0;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = recs_add(rs, "/chain/events", i, PROVA_LOG_OE_EVENT, prova_json_at(ev, i), alg);
        rs->embeddable = true;
    } else if (prova_proof_detect(root)) {
        rc = recs_add(rs, NULL, 0, PROVA_LOG_PROOF_RECORD, root, PROVA_HASH_SHA256);
    }
    return rc;
}

/* The RFC 6962 leaf hash of a record's entry. */
static int leaf_of(const rec *rc, uint8_t leaf[PROVA_MERKLE_HASH_BYTES], prova_error *err) {
    prova_buf e = PROVA_BUF_INIT;
    int r;
    switch (rc->kind) {
    case PROVA_LOG_OPE_RECEIPT:
        r = prova_log_entry_of_receipt(rc->v, &e, err);
        break;
    case PROVA_LOG_OE_EVENT:
        r = prova_log_entry_of_oe_event(rc->v, rc->alg, &e, err);
        break;
    case PROVA_LOG_OE_CERTIFICATE:
        r = prova_log_entry_of_oe_certificate(rc->v, &e, err);
        break;
    case PROVA_LOG_OE_STATUS:
        r = prova_log_entry_of_oe_status(rc->v, &e, err);
        break;
    case PROVA_LOG_PROOF_RECORD:
        r = prova_log_entry_of_proof_record(rc->v, &e, err);
        break;
    default:
        r = PROVA_EINVAL;
        break;
    }
    if (r == 0) r = prova_merkle_hash_leaf(e.data, e.len, leaf);
    prova_buf_free(&e);
    return r;
}

/* Whether the proof's inclusion path leads from leaf to its checkpoint's root (no signature checked). */
static bool path_reaches_root(const prova_tlog_proof *p, const uint8_t leaf[PROVA_MERKLE_HASH_BYTES]) {
    uint8_t hashes[PROVA_TLOG_PROOF_MAX_HASHES][PROVA_MERKLE_HASH_BYTES];
    size_t n = prova_tlog_proof_hash_count(p);
    if (n > PROVA_TLOG_PROOF_MAX_HASHES) return false;
    for (size_t i = 0; i < n; i++) memcpy(hashes[i], prova_tlog_proof_hash(p, i), PROVA_MERKLE_HASH_BYTES);
    const prova_checkpoint *cp = prova_tlog_proof_checkpoint_body(p);
    uint8_t root[PROVA_CHECKPOINT_HASH_BYTES];
    prova_checkpoint_root(cp, root);
    uint64_t size = prova_checkpoint_size(cp), index = prova_tlog_proof_index(p);
    return index < size &&
           prova_merkle_inclusion_verify(index, size, leaf, (const uint8_t(*)[PROVA_MERKLE_HASH_BYTES])hashes, n, root,
                                         NULL) == 0;
}

size_t prova_log_proof_in_sizeof(void) {
    return sizeof(prova_log_proof_in);
}

/* ---- Attaching ------------------------------------------------------------------------------------------------ */

int prova_log_proofs_attach(const void *data, size_t len, const prova_log_proof_in *proofs, size_t nproofs,
                            prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!data || !out || (!proofs && nproofs))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_doc *doc = NULL;
    int rc = prova_json_parse(data, len, NULL, &doc, reterr);
    if (rc < 0) return rc;
    const prova_json *root = prova_doc_root(doc);
    recs rs;
    rc = records_of(root, &rs);
    if (rc == 0 && (!prova_json_is_object(root) || !rs.embeddable))
        rc = prova__fail(reterr, PROVA_EUNSUPPORTED, "log_proofs_not_embeddable",
                         "this document's hashes or signatures cover every top-level member (or it is of no known "
                         "kind): a log proof cannot be carried in it");
    if (rc == 0 && prova_json_get(root, MEMBER))
        rc = prova__fail(reterr, PROVA_EINVAL, "log_proofs_present", "the document already carries tlog_proofs");
    struct pick {
        size_t rec;
        uint64_t index;
    } *which = rc == 0 ? calloc(nproofs ? nproofs : 1, sizeof *which) : NULL;
    if (rc == 0 && !which) rc = PROVA_ENOMEM;
    for (size_t i = 0; i < nproofs && rc == 0; i++) {
        prova_tlog_proof *p = NULL;
        rc = prova_tlog_proof_parse(proofs[i].proof, proofs[i].len, &p, reterr);
        if (rc < 0) break;
        size_t found = rs.n;
        for (size_t j = 0; j < rs.n && found == rs.n && rc == 0; j++) {
            uint8_t leaf[PROVA_MERKLE_HASH_BYTES];
            prova_error e;
            int lr = leaf_of(&rs.a[j], leaf, &e);
            if (lr == PROVA_ENOMEM) rc = lr;
            if (lr == 0 && path_reaches_root(p, leaf)) found = j;
        }
        uint64_t index = prova_tlog_proof_index(p);
        prova_tlog_proof_free(p);
        if (rc < 0) break;
        if (found == rs.n) {
            rc = prova__fail(reterr, PROVA_EINVAL, "log_proof_no_record",
                             "no record of the document is the entry this proof includes");
        } else if (rs.a[found].proved) {
            rc = prova__fail(reterr, PROVA_EINVAL, "log_proof_duplicate", "two proofs of the same record");
        } else {
            rs.a[found].proved = true;
            which[i].rec = found;
            which[i].index = index;
        }
    }
    if (rc == 0) {
        size_t start = out->len;
        prova_buf arr = PROVA_BUF_INIT;
        prova_jw w;
        prova_jw_init(&w, &arr);
        prova_jw_arr(&w);
        for (size_t i = 0; i < nproofs; i++) {
            const rec *r = &rs.a[which[i].rec];
            prova_jw_obj(&w);
            prova_jw_kstr(&w, "kind", prova_log_kind_name(r->kind));
            prova_jw_ku64(&w, "log_index", which[i].index);
            prova_jw_key(&w, "proof");
            prova_jw_strn(&w, proofs[i].proof, proofs[i].len);
            prova_jw_kstr(&w, "record", r->ptr);
            prova_jw_end(&w);
        }
        prova_jw_end(&w);
        rc = prova_jw_finish(&w);
        /* Inserted before the root object's closing brace: every byte before it stays as it was. */
        const char *s = data;
        size_t end = len;
        while (end > 0 && s[end - 1] != '}') end--;
        bool comma = prova_json_len(root) > 0;
        if (rc == 0) rc = prova_buf_append(out, s, end - 1);
        if (rc == 0) rc = prova_buf_append(out, comma ? ",\"" MEMBER "\":" : "\"" MEMBER "\":", comma ? 15 : 14);
        if (rc == 0) rc = prova_buf_append(out, arr.data, arr.len);
        if (rc == 0) rc = prova_buf_append(out, s + end - 1, len - (end - 1));
        prova_buf_free(&arr);
        if (rc < 0) {
            out->len = start;
            rc = PROVA_ENOMEM;
        }
    }
    free(which);
    free(rs.a);
    prova_doc_free(doc);
    return rc;
}

/* ---- Verifying ------------------------------------------------------------------------------------------------ */

/* The report's reason for a failed prova_tlog_proof_verify. */
static const char *reason_of(const prova_error *e) {
    const char *x = e->reason ? e->reason : "";
    if (!strcmp(x, "policy_unknown_log") || !strcmp(x, "checkpoint_origin_mismatch"))
        return "checkpoint_origin_unknown";
    if (!strcmp(x, "policy_quorum_not_met")) return "witness_quorum_not_met";
    if (!strcmp(x, "tlog_proof_inclusion_invalid") || !strcmp(x, "tlog_proof_index_out_of_range"))
        return "log_inclusion_invalid";
    if (e->status == PROVA_EVERIFY) return "checkpoint_signature_invalid";
    return "log_proof_malformed";
}

typedef struct trust {
    prova_note_key **keys;
    size_t nkeys;
    prova_tlog_policy *policy;
} trust;

static void trust_free(trust *t) {
    for (size_t i = 0; i < t->nkeys; i++) prova_note_key_free(t->keys[i]);
    free(t->keys);
    prova_tlog_policy_free(t->policy);
}

/* The keys and the policy of the options; a failed check (bad_input) when the caller's keys do not parse. */
static int trust_init(trust *t, const prova_verify_options *o, prova_report *r, bool *ok) {
    memset(t, 0, sizeof *t);
    *ok = false;
    prova_error e;
    if (o->nlog_keys) {
        t->keys = calloc(o->nlog_keys, sizeof *t->keys);
        if (!t->keys) return PROVA_ENOMEM;
    }
    prova_buf pol = PROVA_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < o->nlog_keys; i++) {
        const char *k = o->log_keys[i] ? o->log_keys[i] : "";
        rc = prova_note_key_parse_vkey(k, strlen(k), &t->keys[i], &e);
        if (rc == PROVA_ENOMEM) goto out;
        if (rc < 0) {
            prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
            rc = prova__report_check(r, "log_key", false, "log_key_invalid", "", "log key %zu: %s (%s)", i + 1,
                                     e.message, e.reason);
            goto out;
        }
        t->nkeys++;
        if (!o->log_policy) {
            rc = prova_buf_append(&pol, "log ", 4);
            if (rc == 0) rc = prova_note_key_write_vkey(t->keys[i], &pol);
            if (rc == 0) rc = prova_buf_append(&pol, "\n", 1);
            if (rc < 0) goto out;
        }
    }
    if (o->log_policy)
        rc = prova_tlog_policy_parse(o->log_policy, o->log_policy_len, &t->policy, &e);
    else if ((rc = prova_buf_append(&pol, "quorum none\n", 12)) == 0)
        rc = prova_tlog_policy_parse(pol.data, pol.len, &t->policy, &e);
    if (rc == PROVA_ENOMEM) goto out;
    if (rc < 0) {
        prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
        rc = prova__report_check(r, "log_policy", false, "log_policy_invalid", "", "the log policy: %s (%s, line %zu)",
                                 e.message, e.reason, e.line);
        goto out;
    }
    *ok = true;
out:
    prova_buf_free(&pol);
    return rc < 0 && rc != PROVA_ENOMEM ? 0 : rc;
}

/* The log_inclusion check of one parsed proof of the record rc, whose item says log_index index. */
static int check_proof(const rec *rc, const prova_tlog_proof *p, int64_t index, const trust *t, prova_report *r) {
    const char *rp = rc->ptr;
    prova_error e;
    int x;
    int out = 0;
    uint8_t leaf[PROVA_MERKLE_HASH_BYTES];
    if ((uint64_t)index != prova_tlog_proof_index(p)) {
        out = prova__report_check(r, "log_inclusion", false, "log_index_mismatch", rp,
                                  "the item says log_index %lld, its proof is of entry %llu", (long long)index,
                                  (unsigned long long)prova_tlog_proof_index(p));
    } else if ((x = leaf_of(rc, leaf, &e)) < 0) {
        out = x == PROVA_ENOMEM
                  ? x
                  : prova__report_check(r, "log_inclusion", false, "log_inclusion_invalid", rp,
                                        "the record's log entry cannot be computed: %s (%s)", e.message, e.reason);
    } else {
        const prova_note_key *key = NULL;
        size_t olen = 0;
        const char *origin = prova_checkpoint_origin(prova_tlog_proof_checkpoint_body(p), &olen);
        for (size_t k = 0; k < t->nkeys && !key; k++) {
            size_t nlen = 0;
            const char *name = prova_note_key_name(t->keys[k], &nlen);
            if (nlen == olen && !memcmp(name, origin, olen)) key = t->keys[k];
        }
        if (t->nkeys && !key) {
            out = prova__report_check(r, "log_inclusion", false, "checkpoint_origin_unknown", rp,
                                      "the proof's checkpoint is of log \"%.*s\", whose key was not given", (int)olen,
                                      origin);
        } else {
            x = prova_tlog_proof_verify(p, t->policy, key, leaf, NULL, &e);
            if (x == PROVA_ENOMEM)
                out = x;
            else if (x < 0)
                out = prova__report_check(r, "log_inclusion", false, reason_of(&e), rp, "%s %s: %s (%s)",
                                          prova_log_kind_name(rc->kind), rp[0] ? rp : "(the document)", e.message,
                                          e.reason);
            else
                out = prova__report_check(
                    r, "log_inclusion", true, NULL, rp, "%s %s is entry %lld of log \"%.*s\" (checkpoint of size %llu)",
                    prova_log_kind_name(rc->kind), rp[0] ? rp : "(the document)", (long long)index, (int)olen, origin,
                    (unsigned long long)prova_checkpoint_size(prova_tlog_proof_checkpoint_body(p)));
        }
    }
    return out;
}

/* One item of tlog_proofs, checked into one log_inclusion check. */
static int verify_item(const prova_json *it, size_t i, recs *rs, const trust *t, prova_report *r) {
    char at[48];
    snprintf(at, sizeof at, "/" MEMBER "/%zu", i);
    const prova_json *kind = prova_json_get(it, "kind"), *idx = prova_json_get(it, "log_index"),
                     *text = prova_json_get(it, "proof"), *ptr = prova_json_get(it, "record");
    int64_t index = -1;
    if (!prova_json_is_object(it) || prova_json_len(it) != 4 || !prova_json_is_string(kind) ||
        !prova_json_is_string(text) || !prova_json_is_string(ptr) || prova_json_get_int64(idx, &index) != 0 ||
        index < 0)
        return prova__report_check(r, "log_inclusion", false, "log_proof_malformed", at,
                                   "not an object of exactly kind, log_index (an integer >= 0), proof and record");
    rec *rc = NULL;
    for (size_t j = 0; j < rs->n && !rc; j++)
        if (!strcmp(rs->a[j].ptr, prova_json_str(ptr)) && prova_json_str_eq(kind, prova_log_kind_name(rs->a[j].kind)))
            rc = &rs->a[j];
    if (!rc)
        return prova__report_check(r, "log_inclusion", false, "log_proof_malformed", at,
                                   "names no logged record of this document (record \"%s\", kind \"%s\")",
                                   prova_json_str(ptr), prova_json_str(kind));
    const char *rp = rc->ptr;
    if (rc->proved)
        return prova__report_check(r, "log_inclusion", false, "log_proof_malformed", at,
                                   "a second proof of the record at \"%s\"", rp);
    rc->proved = true;
    prova_error e;
    prova_tlog_proof *p = NULL;
    int x = prova_tlog_proof_parse(prova_json_str(text), prova_json_len(text), &p, &e);
    if (x == PROVA_ENOMEM) return x;
    if (x < 0)
        return prova__report_check(r, "log_inclusion", false, "log_proof_malformed", at,
                                   "the proof of the record at \"%s\" is not a tlog-proof@v1: %s (%s, line %zu)", rp,
                                   e.message, e.reason, e.line);
    int out = check_proof(rc, p, index, t, r);
    prova_tlog_proof_free(p);
    return out;
}

/* A proof given beside the document: its record is the one whose entry its inclusion path reaches. */
static int verify_sidecar(const prova_log_proof_in *in, size_t i, recs *rs, const trust *t, prova_report *r) {
    char at[40];
    snprintf(at, sizeof at, "(log proof %zu)", i + 1);
    prova_error e;
    prova_tlog_proof *p = NULL;
    int x = prova_tlog_proof_parse(in->proof, in->len, &p, &e);
    if (x == PROVA_ENOMEM) return x;
    if (x < 0)
        return prova__report_check(r, "log_inclusion", false, "log_proof_malformed", at,
                                   "not a tlog-proof@v1: %s (%s, line %zu)", e.message, e.reason, e.line);
    rec *rc = NULL;
    for (size_t j = 0; j < rs->n && !rc && x == 0; j++) {
        uint8_t leaf[PROVA_MERKLE_HASH_BYTES];
        x = leaf_of(&rs->a[j], leaf, &e);
        if (x == PROVA_ENOMEM) break;
        if (x == 0 && path_reaches_root(p, leaf)) rc = &rs->a[j];
        x = 0;
    }
    int out = x;
    if (out == 0 && !rc)
        out = prova__report_check(r, "log_inclusion", false, "log_inclusion_invalid", at,
                                  "the proof of entry %llu includes no record of this document as it is",
                                  (unsigned long long)prova_tlog_proof_index(p));
    else if (out == 0 && rc->proved)
        out = prova__report_check(r, "log_inclusion", false, "log_proof_malformed", at,
                                  "a second proof of the record at \"%s\"", rc->ptr);
    else if (out == 0) {
        rc->proved = true;
        out = check_proof(rc, p, (int64_t)prova_tlog_proof_index(p), t, r);
    }
    prova_tlog_proof_free(p);
    return out;
}

int prova__verify_log_proofs(const prova_json *root, const prova_verify_options *o, prova_report *r) {
    if (!o || !prova_json_is_object(root)) return 0;
    /* A DSSE envelope or a CloudEvent: the record inside is verified with the same options (wrappers.c), and its
     * own proofs and the sidecars are checked there, once. */
    if (prova__dsse_detect(root) || prova_json_is_string(prova_json_get(root, "specversion"))) return 0;
    const prova_json *items = prova_json_get(root, MEMBER);
    bool keyed = o->nlog_keys > 0 || o->log_policy;
    if (!keyed) {
        if (!items && !o->nlog_proofs) return 0;
        return prova__report_warn(r, "log_proof_unchecked", "/" MEMBER,
                                  "%zu log proof(s) present and not checked: no log key was given (--log-key); "
                                  "they are not trusted",
                                  (items ? prova_json_is_array(items) ? prova_json_len(items) : (size_t)1 : 0) +
                                      o->nlog_proofs);
    }
    trust t;
    bool ok;
    int rc = trust_init(&t, o, r, &ok);
    if (rc < 0 || !ok) {
        trust_free(&t);
        return rc;
    }
    recs rs;
    rc = records_of(root, &rs);
    if (rc == 0 && items) {
        if (!prova_json_is_array(items))
            rc = prova__report_check(r, "log_inclusion", false, "log_proof_malformed", "/" MEMBER, "not an array");
        size_t n = prova_json_is_array(items) ? prova_json_len(items) : 0;
        for (size_t i = 0; i < n && rc == 0; i++) rc = verify_item(prova_json_at(items, i), i, &rs, &t, r);
    }
    for (size_t i = 0; i < o->nlog_proofs && rc == 0; i++) rc = verify_sidecar(&o->log_proofs[i], i, &rs, &t, r);
    for (size_t j = 0; j < rs.n && rc == 0; j++) {
        if (rs.a[j].proved) continue;
        const char *rp = rs.a[j].ptr[0] ? rs.a[j].ptr : "(the document)";
        const char *what = prova_log_kind_name(rs.a[j].kind);
        rc = o->require_log_proof
                 ? prova__report_check(r, "log_inclusion", false, "log_proof_missing", rs.a[j].ptr,
                                       "%s %s has no log proof (required)", what, rp)
                 : prova__report_warn(r, "log_proof_missing", rs.a[j].ptr, "%s %s has no log proof", what, rp);
    }
    free(rs.a);
    trust_free(&t);
    return rc;
}
