/* prova-conformance — the C runner of the conformance suite (conformance/README.md), against libprova's public API
 * only (<prova/prova.h>).
 *
 *   prova-conformance DIR          runs DIR/fixtures/canonical.json, signing.json and verify/<name>.json; prints one JSON
 *                                  line per case {"impl":"c","id","result","got","note"}; exits 0 when no case
 *                                  failed, 1 when one did, 2 on a usage or I/O error
 *   prova-conformance --op DIR     reads one {"op","input"} object on stdin and prints what the C library gives
 *                                  for it (the generator builds its documents with this)
 *
 * A case without "expect" fails with the library's answer in "got": conformance/tools/generate.py writes the
 * cases without expectations and freezes what this runner says.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prova/prova.h>

#define FORMAT "prova-conformance/1"

typedef struct ctx {
    const char *dir;
    size_t pass, fail, skip;
} ctx;

/* ---- small helpers ------------------------------------------------------------------------------------------ */

static char *read_file(const char *path, size_t *ret_len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *p = malloc(cap + 1);
    while (p) {
        size_t n = fread(p + len, 1, cap - len, f);
        len += n;
        if (len < cap) break;
        cap *= 2;
        char *q = realloc(p, cap + 1);
        if (!q) {
            free(p);
            p = NULL;
            break;
        }
        p = q;
    }
    int bad = ferror(f);
    fclose(f);
    if (!p || bad) {
        free(p);
        return NULL;
    }
    p[len] = 0;
    *ret_len = len;
    return p;
}

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int put(prova_buf *b, const char *s) { return prova_buf_append(b, s, strlen(s)); }

/* A JSON string literal of n bytes of UTF-8 (the ope profile's escapes). */
static int put_str(prova_buf *b, const char *s, size_t n) { return prova_canon_write_string(s, n, PROVA_PROFILE_OPE, b); }
static int put_cstr(prova_buf *b, const char *s) { return put_str(b, s, strlen(s)); }

/* "name":"value", */
static int put_member(prova_buf *b, const char *name, const char *value, size_t n, bool comma) {
    if (comma && put(b, ",") < 0) return -1;
    if (put_cstr(b, name) < 0 || put(b, ":") < 0) return -1;
    return put_str(b, value, n);
}

static const char *str_of(const prova_json *obj, const char *name) {
    const prova_json *v = prova_json_get(obj, name);
    return prova_json_is_string(v) ? prova_json_str(v) : NULL;
}

static size_t strlen_of(const prova_json *obj, const char *name) { return prova_json_len(prova_json_get(obj, name)); }

static bool bool_of(const prova_json *obj, const char *name) {
    return prova_json_typeof(prova_json_get(obj, name)) == PROVA_JSON_TRUE;
}

/* The canonical (ope) text of a value, for comparing expected and obtained answers. */
static int canon_text(const prova_json *v, prova_buf *out) {
    prova_error err;
    return prova_canon_write(v, PROVA_PROFILE_OPE, out, &err);
}

static int parse_text(const char *s, size_t n, uint32_t flags, prova_doc **ret, prova_error *err) {
    prova_parse_options o = {.flags = flags};
    return prova_json_parse(s, n, &o, ret, err);
}

static int decode_b64(const char *s, size_t n, uint8_t **ret, size_t *ret_len) {
    uint8_t *p = malloc(n + 1);
    if (!p) return PROVA_ENOMEM;
    prova_error err;
    int r = prova_base64_decode(s, n, p, n + 1, ret_len, &err);
    if (r < 0) {
        free(p);
        return r;
    }
    *ret = p;
    return 0;
}

/* Loads a key file of DIR/keys by name. */
static int load_key(const ctx *c, const char *name, prova_key **ret, const char **why) {
    if (!name) {
        *why = "missing key";
        return PROVA_EINVAL;
    }
    char *keys = join(c->dir, "keys");
    char *path = keys ? join(keys, name) : NULL;
    free(keys);
    prova_error err;
    int r = path ? prova_key_load_file(path, ret, &err) : PROVA_ENOMEM;
    if (r < 0) *why = "key file not loaded";
    free(path);
    return r;
}

/* ---- canonical.json ---------------------------------------------------------------------------------------- */

static int run_canonical(const ctx *c, const prova_json *cs, prova_buf *got, const char **note) {
    (void)c;
    const char *in = str_of(cs, "input");
    size_t len = strlen_of(cs, "input");
    uint8_t *bytes = NULL;
    if (!in) {
        const char *b64 = str_of(cs, "input_base64");
        if (!b64 || decode_b64(b64, strlen_of(cs, "input_base64"), &bytes, &len) < 0) {
            *note = "no input";
            return -1;
        }
        in = (const char *)bytes;
    }
    static const prova_profile profiles[] = {PROVA_PROFILE_JCS, PROVA_PROFILE_OPE, PROVA_PROFILE_OPHAMIN};
    int rc = put(got, "{");
    char cid[8 + 2 * PROVA_HASH_MAX_BYTES + 1] = "";
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        prova_parse_options o = {0};
        if (profiles[i] == PROVA_PROFILE_OPHAMIN)
            o.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
        prova_buf out = PROVA_BUF_INIT;
        prova_error err;
        int r = prova_canon_bytes(in, len, profiles[i], &o, &out, &err);
        if (i > 0) rc |= put(got, ",");
        rc |= put_cstr(got, prova_profile_name(profiles[i]));
        if (r == 0) {
            rc |= put(got, ":{\"output\":");
            rc |= put_str(got, out.data ? (const char *)out.data : "", out.len);
            if (profiles[i] == PROVA_PROFILE_OPE) {
                char hex[2 * PROVA_HASH_MAX_BYTES + 1];
                if (prova_hash_compute_hex(PROVA_HASH_SHA256, out.data ? out.data : (const uint8_t *)"", out.len,
                                           hex) == 0)
                    snprintf(cid, sizeof cid, "sha256:%s", hex);
            }
        } else {
            rc |= put(got, ":{\"error\":");
            rc |= put_cstr(got, err.reason ? err.reason : prova_status_name(r));
        }
        rc |= put(got, "}");
        prova_buf_free(&out);
    }
    if (cid[0]) rc |= put_member(got, "cid", cid, strlen(cid), true);
    rc |= put(got, "}");
    free(bytes);
    return rc;
}

/* ---- signing.json ------------------------------------------------------------------------------------------ */

typedef struct op_state {
    prova_doc *docs[8];
    size_t ndocs;
    prova_key *keys[4];
    size_t nkeys;
    uint8_t *bytes[4];
    size_t nbytes;
} op_state;

static const prova_json *op_json(op_state *s, const prova_json *in, const char *name, uint32_t flags,
                                 const char **why) {
    const char *t = str_of(in, name);
    if (!t) {
        *why = name;
        return NULL;
    }
    if (s->ndocs == sizeof s->docs / sizeof s->docs[0]) return NULL;
    prova_error err;
    if (parse_text(t, strlen_of(in, name), flags, &s->docs[s->ndocs], &err) < 0) {
        *why = err.reason;
        return NULL;
    }
    return prova_doc_root(s->docs[s->ndocs++]);
}

static prova_key *op_key(const ctx *c, op_state *s, const prova_json *in, const char *name, const char **why) {
    if (s->nkeys == sizeof s->keys / sizeof s->keys[0]) return NULL;
    prova_key *k = NULL;
    if (load_key(c, str_of(in, name), &k, why) < 0) return NULL;
    return s->keys[s->nkeys++] = k;
}

static void op_free(op_state *s) {
    for (size_t i = 0; i < s->ndocs; i++) prova_doc_free(s->docs[i]);
    for (size_t i = 0; i < s->nkeys; i++) prova_key_free(s->keys[i]);
    for (size_t i = 0; i < s->nbytes; i++) free(s->bytes[i]);
}

/* {"name":"<text>"} with the output buffer's bytes as a string. */
static int put_result(prova_buf *got, const char *name, const prova_buf *out) {
    int rc = put(got, "{");
    rc |= put_member(got, name, out->data ? (const char *)out->data : "", out->len, false);
    return rc | put(got, "}");
}

static int put_error(prova_buf *got, int r, const prova_error *err) {
    int rc = put(got, "{\"error\":");
    rc |= put_cstr(got, err && err->reason && strcmp(err->reason, "ok") != 0 ? err->reason : prova_status_name(r));
    return rc | put(got, "}");
}

static int hex_of(const uint8_t *p, size_t n, prova_buf *out) {
    char *h = malloc(2 * n + 1);
    if (!h) return PROVA_ENOMEM;
    if (n) prova_hex_encode(p, n, h, 2 * n + 1);
    h[2 * n] = 0;
    int r = prova_buf_append(out, h, 2 * n);
    free(h);
    return r;
}

static int op_hash_alg(const prova_json *in, prova_hash_alg *alg) {
    const char *n = str_of(in, "hash_alg");
    if (!n) {
        *alg = PROVA_HASH_SHA256;
        return 0;
    }
    return prova_oe_hash_lookup(n, alg);
}

/* The chain hash over event hashes, the events built so far. */
static int op_oe_chain(const prova_json *in, op_state *s, prova_buf *got, const char **why) {
    prova_hash_alg alg;
    if (op_hash_alg(in, &alg) < 0) {
        *why = "hash_alg";
        return -1;
    }
    const prova_json *events = op_json(s, in, "events", 0, why);
    if (!prova_json_is_array(events)) return -1;
    char prev[PROVA_OE_HEX_MAX + 1];
    prova_oe_genesis(alg, prev);
    prova_buf all = PROVA_BUF_INIT, hashes = PROVA_BUF_INIT;
    int rc = 0;
    prova_error err;
    int r = 0;
    for (size_t i = 0; rc == 0 && r == 0 && i < prova_json_len(events); i++) {
        prova_buf ev = PROVA_BUF_INIT;
        char quoted[PROVA_OE_HEX_MAX + 3];
        snprintf(quoted, sizeof quoted, "\"%s\"", prev);
        prova_member_text set = {.name = "prev_hash", .json = quoted, .len = strlen(quoted)};
        prova_doc *d = NULL;
        r = prova_canon_edit(prova_json_at(events, i), NULL, 0, &set, 1, PROVA_PROFILE_JCS, &ev, &err);
        if (r == 0) r = parse_text((const char *)ev.data, ev.len, 0, &d, &err);
        if (r == 0) r = prova_oe_event_hash(prova_doc_root(d), alg, prev, &err);
        if (r == 0) {
            rc |= prova_buf_append(&all, prev, strlen(prev));
            rc |= put(&hashes, i ? "," : "[");
            rc |= put_cstr(&hashes, prev);
        }
        prova_doc_free(d);
        prova_buf_free(&ev);
    }
    if (rc == 0 && r == 0) {
        char chain[2 * PROVA_HASH_MAX_BYTES + 1];
        rc |= put(&hashes, prova_json_len(events) ? "]" : "[]");
        r = prova_hash_compute_hex(alg, all.data ? all.data : (const uint8_t *)"", all.len, chain);
        if (r == 0) {
            rc |= put(got, "{\"chain_hash\":");
            rc |= put_cstr(got, chain);
            rc |= put(got, ",\"event_hashes\":");
            rc |= prova_buf_append(got, hashes.data, hashes.len);
            rc |= put(got, "}");
        }
    }
    if (r < 0) rc |= put_error(got, r, &err);
    prova_buf_free(&all);
    prova_buf_free(&hashes);
    return rc;
}

static int op_oe_build(const ctx *c, const prova_json *in, op_state *s, prova_buf *got, const char **why);

/* Runs one op; got receives its answer (or {"error": reason}). Returns -1 when the case itself is malformed. */
static int run_op(const ctx *c, const char *op, const prova_json *in, prova_buf *got, const char **why) {
    op_state s = {0};
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    prova_error_clear(&err);
    int r = 0, rc = 0;
    *why = NULL;
    if (!op || !prova_json_is_object(in)) {
        *why = "op and input required";
        rc = -1;
    } else if (strcmp(op, "ed25519_sign") == 0) {
        const char *seed_hex = str_of(in, "seed_hex"), *msg = str_of(in, "message");
        uint8_t seed[32];
        size_t n = 0;
        prova_key *k = NULL;
        if (!seed_hex || !msg || prova_hex_decode(seed_hex, strlen(seed_hex), seed, sizeof seed, &n, &err) < 0 ||
            n != 32 || prova_key_from_ed25519_seed(seed, &k) < 0) {
            *why = "seed_hex (64 hex) and message required";
            rc = -1;
        } else {
            uint8_t sig[PROVA_SIG_MAX_BYTES], pk[32];
            size_t sl = 0;
            r = prova_key_sign(k, msg, strlen_of(in, "message"), sig, &sl);
            prova_key_public_raw(k, pk, sizeof pk);
            if (r == 0) {
                rc |= put(got, "{\"public_key_hex\":\"");
                rc |= hex_of(pk, 32, got);
                rc |= put(got, "\",\"signature_hex\":\"");
                rc |= hex_of(sig, sl, got);
                rc |= put(got, "\"}");
            }
        }
        prova_key_free(k);
        prova_mem_wipe(seed, sizeof seed);
    } else if (strcmp(op, "cid") == 0) {
        const char *t = str_of(in, "json");
        uint8_t h[PROVA_HASH_MAX_BYTES];
        if (!t) {
            *why = "json";
            rc = -1;
        } else if ((r = prova_canon_bytes_hash(t, strlen_of(in, "json"), PROVA_PROFILE_OPE, NULL, PROVA_HASH_SHA256, h,
                                               &err)) == 0) {
            rc |= put(got, "{\"cid\":\"sha256:");
            rc |= hex_of(h, 32, got);
            rc |= put(got, "\"}");
        }
    } else if (strcmp(op, "ope_envelope_pack") == 0) {
        prova_key *k = op_key(c, &s, in, "key", why);
        const prova_json *payload = op_json(&s, in, "payload", 0, why);
        prova_ope_envelope_params p = {.payload_type = str_of(in, "payload_type"),
                                       .target_type = str_of(in, "target_type"),
                                       .trace_id = str_of(in, "trace_id"),
                                       .ts = str_of(in, "ts"),
                                       .not_before = str_of(in, "not_before"),
                                       .expires_at = str_of(in, "expires_at"),
                                       .bind = bool_of(in, "bind")};
        const char *d = str_of(in, "dialect");
        if (!k || !payload || !p.trace_id || !d || prova_ope_dialect_lookup(d, &p.dialect) < 0) {
            rc = -1;
            if (!*why) *why = "key, payload, trace_id and dialect required";
        } else if ((r = prova_ope_envelope_pack(k, payload, &p, &out, &err)) == 0)
            rc |= put_result(got, "envelope", &out);
    } else if (strcmp(op, "ope_receipt_build") == 0) {
        prova_key *k = op_key(c, &s, in, "key", why);
        const prova_json *prev = NULL, *policy = NULL;
        if (str_of(in, "prev")) prev = op_json(&s, in, "prev", 0, why);
        if (str_of(in, "policy")) policy = op_json(&s, in, "policy", 0, why);
        prova_ope_receipt_params p = {.trace_id = str_of(in, "trace_id"),
                                      .ts = str_of(in, "ts"),
                                      .created_at = str_of(in, "created_at"),
                                      .request_cid = str_of(in, "request_cid"),
                                      .normalized_cid = str_of(in, "normalized_cid"),
                                      .policy = policy};
        if (!k || (str_of(in, "prev") && !prev) || (str_of(in, "policy") && !policy)) {
            rc = -1;
            if (!*why) *why = "key";
        } else if ((r = prova_ope_receipt_build(k, prev, &p, &out, &err)) == 0)
            rc |= put_result(got, "receipt", &out);
    } else if (strcmp(op, "ope_bundle_build") == 0) {
        prova_key *k = op_key(c, &s, in, "key", why);
        const prova_json *receipts = op_json(&s, in, "receipts", 0, why);
        const char *form = str_of(in, "form");
        prova_ope_bundle_form f = PROVA_OPE_BUNDLE_STARTER;
        if (form && strcmp(form, "ope-lib") == 0) f = PROVA_OPE_BUNDLE_OPE_LIB;
        else if (form && strcmp(form, "flat") == 0) f = PROVA_OPE_BUNDLE_FLAT;
        else if (!form || strcmp(form, "starter") != 0) form = NULL;
        if (!k || !receipts || !form) {
            rc = -1;
            if (!*why) *why = "key, receipts and form (starter, ope-lib, flat) required";
        } else if ((r = prova_ope_bundle_build(k, str_of(in, "trace_id"), str_of(in, "exported_at"), receipts, f, &out,
                                               &err)) == 0)
            rc |= put_result(got, "bundle", &out);
    } else if (strcmp(op, "oe_event_hash") == 0) {
        prova_hash_alg alg;
        const prova_json *ev = op_json(&s, in, "event", 0, why);
        char hex[PROVA_OE_HEX_MAX + 1];
        if (!ev || op_hash_alg(in, &alg) < 0) {
            rc = -1;
            if (!*why) *why = "hash_alg";
        } else if ((r = prova_oe_event_input(ev, &out, &err)) == 0 &&
                   (r = prova_oe_event_hash(ev, alg, hex, &err)) == 0) {
            rc |= put(got, "{\"event_hash\":");
            rc |= put_cstr(got, hex);
            rc |= put(got, ",\"hash_input\":");
            rc |= put_str(got, out.data ? (const char *)out.data : "", out.len);
            rc |= put(got, "}");
        }
    } else if (strcmp(op, "oe_chain") == 0) {
        rc = op_oe_chain(in, &s, got, why);
    } else if (strcmp(op, "proof_id") == 0 || strcmp(op, "proof_sign") == 0) {
        const prova_json *rec =
            op_json(&s, in, "record", PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES, why);
        if (!rec) rc = -1;
        else if (op[6] == 'i') {
            char id[PROVA_PROOF_HEX_LEN + 1];
            if ((r = prova_proof_id(rec, id, &err)) == 0) {
                rc |= put(got, "{\"proof_id\":");
                rc |= put_cstr(got, id);
                rc |= put(got, "}");
            }
        } else {
            const char *b64 = str_of(in, "hmac_key_b64");
            uint8_t *key = NULL;
            size_t klen = 0;
            prova_key *ak = NULL;
            if (str_of(in, "attest_key")) ak = op_key(c, &s, in, "attest_key", why);
            if (!b64 || (str_of(in, "attest_key") && !ak)) {
                rc = -1;
                if (!*why) *why = "hmac_key_b64 required";
            } else if ((r = prova_proof_key_decode(b64, &key, &klen, &err)) >= 0) {
                r = prova_proof_sign(rec, r == PROVA_PROOF_KEY_IS_DEFAULT ? NULL : key,
                                     r == PROVA_PROOF_KEY_IS_DEFAULT ? 0 : klen, ak, str_of(in, "author"), &out, &err);
                if (r == 0) rc |= put_result(got, "record", &out);
            }
            prova_proof_key_free(key, klen);
        }
    } else if (strcmp(op, "dsse_pae") == 0 || strcmp(op, "dsse_sign") == 0) {
        const char *type = str_of(in, "payload_type"), *payload = str_of(in, "payload");
        if (!type || !payload) {
            *why = "payload_type and payload required";
            rc = -1;
        } else if (op[5] == 'p') {
            if ((r = prova_dsse_pae(type, strlen_of(in, "payload_type"), payload, strlen_of(in, "payload"), &out)) ==
                0) {
                rc |= put(got, "{\"pae_hex\":\"");
                rc |= hex_of(out.data, out.len, got);
                rc |= put(got, "\"}");
            }
        } else {
            prova_dsse_signer sg = {.keyid = str_of(in, "keyid")};
            uint8_t *hk = NULL;
            size_t hl = 0;
            if (str_of(in, "key")) sg.key = op_key(c, &s, in, "key", why);
            else if (str_of(in, "hmac_key_b64") &&
                     decode_b64(str_of(in, "hmac_key_b64"), strlen_of(in, "hmac_key_b64"), &hk, &hl) == 0) {
                sg.hmac_key = hk;
                sg.hmac_key_len = hl;
            }
            if (!sg.key && !sg.hmac_key) {
                rc = -1;
                if (!*why) *why = "key or hmac_key_b64 required";
            } else if ((r = prova_dsse_sign(type, payload, strlen_of(in, "payload"), &sg, 1, &out, &err)) == 0)
                rc |= put_result(got, "envelope", &out);
            free(hk);
        }
    } else if (strcmp(op, "intoto_statement") == 0) {
        const prova_json *rec =
            op_json(&s, in, "record", PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES, why);
        if (!rec) rc = -1;
        else if ((r = prova_intoto_statement(rec, str_of(in, "subject_name"), &out, &err)) == 0)
            rc |= put_result(got, "statement", &out);
    } else if (strcmp(op, "sign_raw") == 0) {
        /* Generator only: any key, a UTF-8 message; ECDSA signatures are random. */
        prova_key *k = op_key(c, &s, in, "key", why);
        const char *msg = str_of(in, "message");
        uint8_t sig[PROVA_SIG_MAX_BYTES];
        size_t sl = 0;
        if (!k || !msg) {
            rc = -1;
            if (!*why) *why = "key and message required";
        } else if ((r = prova_key_sign(k, msg, strlen_of(in, "message"), sig, &sl)) == 0) {
            rc |= put(got, "{\"signature_hex\":\"");
            rc |= hex_of(sig, sl, got);
            rc |= put(got, "\"}");
        }
    } else if (strcmp(op, "key_jwk") == 0) {
        /* Generator only: a private JWK (kty, crv, x, y, d) to the library's private JWK and public JWKS. */
        const char *t = str_of(in, "jwk");
        prova_key *k = NULL;
        if (!t) {
            *why = "jwk";
            rc = -1;
        } else if ((r = prova_key_from_jwk(t, strlen_of(in, "jwk"), &k, &err)) == 0) {
            prova_buf pub = PROVA_BUF_INIT;
            const prova_key *ks[1] = {k};
            r = prova_key_to_jwk(k, true, &out);
            if (r == 0) r = prova_key_to_jwks(ks, 1, &pub);
            if (r == 0) {
                rc |= put(got, "{\"private_jwk\":");
                rc |= put_str(got, (const char *)out.data, out.len);
                rc |= put(got, ",\"public_jwks\":");
                rc |= put_str(got, (const char *)pub.data, pub.len);
                rc |= put(got, ",\"kid\":");
                rc |= put_cstr(got, prova_key_kid(k));
                rc |= put(got, "}");
            }
            prova_buf_free(&pub);
            prova_key_free(k);
        }
    } else if (strcmp(op, "oe_build") == 0) {
        rc = op_oe_build(c, in, &s, got, why);
    } else {
        *why = "unknown op";
        rc = -1;
    }
    if (rc == 0 && r < 0) rc = put_error(got, r, &err);
    prova_buf_free(&out);
    op_free(&s);
    return rc;
}

/* Generator only: a whole OpenExecution chain built, resolved and certified with the library:
 *   input {key, hash_alg, sig_alg, chain_id, created_at, events: [{id, event_type, actor_id, created_at,
 *          payload}], resolved_at, cert: {certificate_id, artifact_type, artifact_ref, issued_at},
 *          status: {status: "revoked"|"superseded", reason, superseded_by, at} (optional)}
 *   -> {"chain": resolved chain record, "bundle": offline bundle, "certified": certified chain record} */
static int op_oe_build(const ctx *c, const prova_json *in, op_state *s, prova_buf *got, const char **why) {
    prova_key *k = op_key(c, s, in, "key", why);
    const prova_json *events = prova_json_get(in, "events"), *cert = prova_json_get(in, "cert");
    prova_oe_chain_params cp = {.id = str_of(in, "chain_id"), .created_at = str_of(in, "created_at")};
    if (!k || !prova_json_is_array(events) || !prova_json_is_object(cert) || op_hash_alg(in, &cp.hash_alg) < 0 ||
        !str_of(in, "sig_alg") || prova_sig_lookup(str_of(in, "sig_alg"), &cp.sig_alg) < 0) {
        if (!*why) *why = "key, events, cert, hash_alg, sig_alg required";
        return -1;
    }
    prova_error err;
    prova_buf cur = PROVA_BUF_INIT, bundle = PROVA_BUF_INIT, certified = PROVA_BUF_INIT, resolved = PROVA_BUF_INIT;
    int r = prova_oe_chain_new(&cp, &cur, &err);
    for (size_t i = 0; r == 0 && i < prova_json_len(events); i++) {
        const prova_json *e = prova_json_at(events, i);
        prova_doc *d = NULL;
        r = parse_text((const char *)cur.data, cur.len, 0, &d, &err);
        prova_oe_event_params ep = {.event_type = str_of(e, "event_type"),
                                    .actor_id = str_of(e, "actor_id"),
                                    .created_at = str_of(e, "created_at"),
                                    .payload = prova_json_get(e, "payload"),
                                    .id = str_of(e, "id")};
        prova_buf next = PROVA_BUF_INIT;
        if (r == 0) r = prova_oe_chain_append(prova_doc_root(d), &ep, ep.created_at, &next, &err);
        prova_doc_free(d);
        prova_buf_free(&cur);
        cur = next;
    }
    if (r == 0) {
        prova_doc *d = NULL;
        r = parse_text((const char *)cur.data, cur.len, 0, &d, &err);
        if (r == 0) r = prova_oe_chain_resolve(prova_doc_root(d), str_of(in, "resolved_at"), &resolved, &err);
        prova_doc_free(d);
    }
    if (r == 0) {
        prova_doc *d = NULL;
        prova_oe_cert_params p = {.artifact_type = str_of(cert, "artifact_type"),
                                  .artifact_ref = str_of(cert, "artifact_ref"),
                                  .issued_at = str_of(cert, "issued_at"),
                                  .certificate_id = str_of(cert, "certificate_id")};
        r = parse_text((const char *)resolved.data, resolved.len, 0, &d, &err);
        if (r == 0) r = prova_oe_certify(k, prova_doc_root(d), &p, &bundle, &certified, &err);
        prova_doc_free(d);
    }
    const prova_json *st = prova_json_get(in, "status");
    if (r == 0 && prova_json_is_object(st)) {
        prova_doc *d = NULL;
        prova_oe_status_params p = {.status = str_of(st, "status") && strcmp(str_of(st, "status"), "revoked") == 0
                                                  ? PROVA_OE_REVOKED
                                                  : PROVA_OE_SUPERSEDED,
                                    .reason = str_of(st, "reason"),
                                    .superseded_by = str_of(st, "superseded_by"),
                                    .at = str_of(st, "at")};
        prova_buf nb = PROVA_BUF_INIT;
        r = parse_text((const char *)bundle.data, bundle.len, 0, &d, &err);
        if (r == 0) r = prova_oe_set_status(k, prova_doc_root(d), &p, &nb, &err);
        prova_doc_free(d);
        prova_buf_free(&bundle);
        bundle = nb;
    }
    int rc = 0;
    if (r == 0) {
        rc |= put(got, "{\"bundle\":");
        rc |= put_str(got, (const char *)bundle.data, bundle.len);
        rc |= put(got, ",\"certified\":");
        rc |= put_str(got, (const char *)certified.data, certified.len);
        rc |= put(got, ",\"chain\":");
        rc |= put_str(got, (const char *)resolved.data, resolved.len);
        rc |= put(got, "}");
    } else
        rc = put_error(got, r, &err);
    prova_buf_free(&cur);
    prova_buf_free(&bundle);
    prova_buf_free(&certified);
    prova_buf_free(&resolved);
    return rc;
}

static int run_signing(const ctx *c, const prova_json *cs, prova_buf *got, const char **note) {
    return run_op(c, str_of(cs, "op"), prova_json_get(cs, "input"), got, note);
}

/* ---- verify/<name>.json --------------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* A sorted array of unique codes. */
static int put_codes(prova_buf *got, const char **codes, size_t n) {
    qsort(codes, n, sizeof *codes, cmp_str);
    int rc = put(got, "[");
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(codes[i], codes[i - 1]) == 0) continue;
        if (w++) rc |= put(got, ",");
        rc |= put_cstr(got, codes[i]);
    }
    return rc | put(got, "]");
}

static bool has_feature(const char *f) {
    if (strcmp(f, "ed448") == 0) return true; /* OpenSSL 3 always has Ed448 */
    return false;
}

static int run_verify(const ctx *c, const prova_json *cs, prova_buf *got, const char **note) {
    const prova_json *o = prova_json_get(cs, "options");
    const char *doc = str_of(cs, "document");
    size_t len = strlen_of(cs, "document");
    uint8_t *bytes = NULL;
    if (!doc) {
        const char *b64 = str_of(cs, "document_base64");
        if (!b64 || decode_b64(b64, strlen_of(cs, "document_base64"), &bytes, &len) < 0) {
            *note = "no document";
            return -1;
        }
        doc = (const char *)bytes;
    }
    prova_verify_options vo = {0};
    prova_keyset *ks = prova_keyset_new();
    int rc = ks ? 0 : -1;
    const prova_json *jwks = prova_json_get(o, "jwks");
    for (size_t i = 0; rc == 0 && i < prova_json_len(jwks); i++) {
        const prova_json *p = prova_json_at(jwks, i);
        size_t n = 0;
        char *path = prova_json_is_string(p) ? join(c->dir, prova_json_str(p)) : NULL;
        char *text = path ? read_file(path, &n) : NULL;
        prova_error err;
        if (!text || prova_keyset_add_jwks(ks, text, n, "jwks", &err) < 0) {
            *note = "a jwks file could not be read";
            rc = -1;
        }
        free(text);
        free(path);
    }
    vo.keys = ks;
    vo.trust_embedded_key = bool_of(o, "trust_embedded_key");
    vo.no_skew = bool_of(o, "no_skew");
    vo.allow_default_hmac_key = bool_of(o, "allow_default_hmac_key");
    vo.hmac_key_b64 = str_of(o, "hmac_key_b64");
    vo.hash_alg = str_of(o, "hash_alg");
    const char *now = str_of(o, "now");
    if (rc == 0 && (!now || prova_time_parse(now, strlen(now), &vo.now_us) < 0)) {
        *note = "options.now missing or not RFC 3339";
        rc = -1;
    }
    const prova_json *skew = prova_json_get(o, "max_skew_s");
    if (skew && prova_json_get_int64(skew, &vo.max_skew_s) < 0) {
        *note = "options.max_skew_s";
        rc = -1;
    }
    prova_report *rep = NULL;
    if (rc == 0) {
        prova_error err;
        int vr = prova_verify_document(doc, len, &vo, &rep, &err);
        (void)vr; /* a report comes with PROVA_ESYNTAX too */
        if (!rep) {
            *note = "no report";
            rc = -1;
        }
    }
    if (rc == 0) {
        size_t nc = prova_report_check_count(rep), nw = prova_report_warning_count(rep), nf = 0;
        const char **codes = malloc((nc + nw + 1) * sizeof *codes);
        if (!codes) rc = -1;
        for (size_t i = 0; codes && i < nc; i++) {
            const prova_check *ch = prova_report_check_at(rep, i);
            if (!ch->ok) codes[nf++] = ch->code;
        }
        if (codes) {
            rc |= put(got, "{\"failed\":");
            rc |= put_codes(got, codes, nf);
            rc |= put(got, ",\"kind\":");
            rc |= put_cstr(got, prova_report_kind(rep) ? prova_report_kind(rep) : "");
            rc |= put(got, ",\"outcome\":");
            rc |= put_cstr(got, prova_outcome_name(prova_report_outcome(rep)));
            rc |= put(got, prova_report_valid(rep) ? ",\"valid\":true" : ",\"valid\":false");
            for (size_t i = 0; i < nw; i++) codes[i] = prova_report_warning_at(rep, i)->code;
            rc |= put(got, ",\"warnings\":");
            rc |= put_codes(got, codes, nw);
            rc |= put(got, "}");
        }
        free(codes);
    }
    prova_report_free(rep);
    prova_keyset_free(ks);
    free(bytes);
    return rc;
}

/* ---- the runner -------------------------------------------------------------------------------------------- */

typedef int (*case_fn)(const ctx *c, const prova_json *cs, prova_buf *got, const char **note);

static int emit_line(const char *id, const char *result, const prova_buf *got, const char *note) {
    prova_buf line = PROVA_BUF_INIT;
    int rc = put(&line, "{\"impl\":\"c\",\"id\":");
    rc |= put_cstr(&line, id);
    rc |= put(&line, ",\"result\":");
    rc |= put_cstr(&line, result);
    if (got && got->len) {
        rc |= put(&line, ",\"got\":");
        rc |= prova_buf_append(&line, got->data, got->len);
    }
    if (note) {
        rc |= put(&line, ",\"note\":");
        rc |= put_cstr(&line, note);
    }
    rc |= put(&line, "}\n");
    if (rc == 0) fwrite(line.data, 1, line.len, stdout);
    prova_buf_free(&line);
    return rc;
}

static int run_file(ctx *c, const char *rel, case_fn fn) {
    char *path = join(c->dir, rel);
    size_t len = 0;
    char *text = path ? read_file(path, &len) : NULL;
    prova_doc *doc = NULL;
    prova_error err;
    if (!text || prova_json_parse(text, len, NULL, &doc, &err) < 0) {
        fprintf(stderr, "prova-conformance: %s: %s\n", path ? path : rel, text ? err.reason : "cannot read");
        free(text);
        free(path);
        return -1;
    }
    const prova_json *root = prova_doc_root(doc);
    if (!prova_json_str_eq(prova_json_get(root, "format"), FORMAT)) {
        fprintf(stderr, "prova-conformance: %s: format is not %s\n", path, FORMAT);
        prova_doc_free(doc);
        free(text);
        free(path);
        return -1;
    }
    const prova_json *cases = prova_json_get(root, "cases");
    for (size_t i = 0; i < prova_json_len(cases); i++) {
        const prova_json *cs = prova_json_at(cases, i);
        const char *id = str_of(cs, "id");
        if (!id) id = "(no id)";
        const prova_json *req = prova_json_get(cs, "requires");
        const char *missing = NULL;
        for (size_t j = 0; j < prova_json_len(req); j++)
            if (!prova_json_is_string(prova_json_at(req, j)) || !has_feature(prova_json_str(prova_json_at(req, j))))
                missing = prova_json_str(prova_json_at(req, j));
        if (missing) {
            char note[160];
            snprintf(note, sizeof note, "requires %s, which this runtime lacks", missing);
            emit_line(id, "skip", NULL, note);
            c->skip++;
            continue;
        }
        prova_buf got = PROVA_BUF_INIT, a = PROVA_BUF_INIT, b = PROVA_BUF_INIT;
        const char *note = NULL;
        const prova_json *expect = prova_json_get(cs, "expect");
        int r = fn(c, cs, &got, &note);
        bool ok = false;
        if (r == 0) {
            /* Compare the canonical forms of the answer and of the expectation. */
            prova_doc *gd = NULL;
            if (prova_json_parse(got.data, got.len, NULL, &gd, &err) == 0 && canon_text(prova_doc_root(gd), &a) == 0 &&
                expect && canon_text(expect, &b) == 0)
                ok = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
            if (!expect) note = "the case has no expect";
            else if (!ok) note = "differs from expect";
            prova_doc_free(gd);
        } else if (!note)
            note = "the case could not be run";
        emit_line(id, ok ? "pass" : "fail", &got, ok ? NULL : note);
        if (ok) c->pass++;
        else c->fail++;
        prova_buf_free(&got);
        prova_buf_free(&a);
        prova_buf_free(&b);
    }
    prova_doc_free(doc);
    free(text);
    free(path);
    return 0;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_all(ctx *c) {
    int bad = 0;
    bad |= run_file(c, "fixtures/canonical.json", run_canonical);
    bad |= run_file(c, "fixtures/signing.json", run_signing);
    char *vdir = join(c->dir, "fixtures/verify");
    DIR *d = vdir ? opendir(vdir) : NULL;
    if (!d) {
        fprintf(stderr, "prova-conformance: %s: cannot open\n", vdir ? vdir : "fixtures/verify");
        free(vdir);
        return -1;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) names[n++] = join("fixtures/verify", e->d_name);
    }
    closedir(d);
    free(vdir);
    qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        if (names[i]) bad |= run_file(c, names[i], run_verify);
        free(names[i]);
    }
    return bad;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--op") == 0) {
        ctx c = {.dir = argv[2]};
        size_t cap = 1 << 16, len = 0;
        char *in = malloc(cap);
        size_t n;
        while (in && (n = fread(in + len, 1, cap - len, stdin)) > 0) {
            len += n;
            if (len == cap) {
                char *q = realloc(in, cap *= 2);
                if (!q) break;
                in = q;
            }
        }
        prova_doc *doc = NULL;
        prova_error err;
        if (!in || prova_json_parse(in, len, NULL, &doc, &err) < 0) {
            fprintf(stderr, "prova-conformance --op: stdin is not JSON\n");
            free(in);
            return 2;
        }
        prova_buf got = PROVA_BUF_INIT;
        const char *why = NULL;
        const prova_json *root = prova_doc_root(doc);
        int r = run_op(&c, str_of(root, "op"), prova_json_get(root, "input"), &got, &why);
        if (r == 0) {
            fwrite(got.data, 1, got.len, stdout);
            fputc('\n', stdout);
        } else
            fprintf(stderr, "prova-conformance --op: %s\n", why ? why : "failed");
        prova_buf_free(&got);
        prova_doc_free(doc);
        free(in);
        return r == 0 ? 0 : 2;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: prova-conformance DIR   (DIR: the conformance/ directory)\n"
                        "       prova-conformance --op DIR < {\"op\":...,\"input\":{...}}\n");
        return 2;
    }
    ctx c = {.dir = argv[1]};
    int bad = run_all(&c);
    fflush(stdout);
    fprintf(stderr, "prova-conformance: %zu passed, %zu failed, %zu skipped\n", c.pass, c.fail, c.skip);
    if (bad) return 2;
    return c.fail ? 1 : 0;
}
