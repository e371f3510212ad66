/* Ophamin proof records: the signed body, proof_id, signing, sign_key_b64, and the reference's verify_proof_impl.
 *
 * SPEC (reference/ophamin.md §3.2): "body = the whole top-level object minus signature and proof_id. The newest
 * Python _impls.py also removes attestation. Unknown extra top-level keys are therefore included."
 * SPEC (§2): "signature = hex(HMAC_SHA256(key, UTF8(canonical(body)))); proof_id = hex(SHA256(UTF8(canonical(body))))".
 * Python's own semantics are quoted where they are mirrored (truthiness, bytes.fromhex, base64 strict mode).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proof_internal.h"

bool prova__proof_key(const uint8_t *key, size_t key_len, const uint8_t **ret_key, size_t *ret_len) {
    if (!key && key_len) return false;
    if (!key) {
        *ret_key = (const uint8_t *)PROVA_PROOF_DEFAULT_KEY;
        *ret_len = PROVA_PROOF_DEFAULT_KEY_LEN;
    } else {
        *ret_key = key;
        *ret_len = key_len;
    }
    return true;
}

/* ---- the body ------------------------------------------------------------------------------------------------ */

/* The members outside the signed body (newest _impls.py: `k not in ("signature", "proof_id", "attestation")`). */
static bool outside_body(const prova_json *key) {
    return prova_json_str_eq(key, "signature") || prova_json_str_eq(key, "proof_id") ||
           prova_json_str_eq(key, "attestation");
}

int prova_proof_body(const prova_json *record, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!record || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL record or buffer");
    if (!prova_json_is_object(record))
        return prova__fail(reterr, PROVA_EINVAL, "proof_not_object", "a proof record must be a JSON object");
    /* A document keeps its members in code point order, which is Python's sort_keys order: write them, leaving
     * out the three. Keys go through the same writer as values (a key may hold a lone surrogate). */
    size_t mark = out->len;
    int r = prova_buf_append(out, "{", 1);
    bool first = true;
    for (size_t i = 0; r == 0 && i < record->len; i++) {
        const prova_json_member *m = &record->u.members[i];
        if (outside_body(&m->key)) continue;
        if (!first) r = prova_buf_append(out, ",", 1);
        first = false;
        if (r == 0) r = prova_canon_write(&m->key, PROVA_PROFILE_OPHAMIN, out, reterr);
        if (r == 0) r = prova_buf_append(out, ":", 1);
        if (r == 0) r = prova_canon_write(&m->value, PROVA_PROFILE_OPHAMIN, out, reterr);
    }
    if (r == 0) r = prova_buf_append(out, "}", 1);
    if (r < 0) {
        out->len = mark;
        if (r == PROVA_ENOMEM) prova__fail(reterr, r, "out_of_memory", "out of memory");
    }
    return r;
}

int prova__proof_digests(const prova_json *record, const uint8_t *key, size_t key_len, prova_buf *body,
                         char id_hex[PROVA_PROOF_HEX_LEN + 1], char hmac_hex[PROVA_PROOF_HEX_LEN + 1],
                         prova_error *reterr) {
    size_t mark = body->len;
    int r = prova_proof_body(record, body, reterr);
    if (r < 0) return r;
    const uint8_t *b = body->data + mark;
    size_t n = body->len - mark;
    uint8_t d[PROVA_HASH_MAX_BYTES];
    r = prova_hash_compute(PROVA_HASH_SHA256, b, n, d);
    if (r == 0 && hmac_hex) {
        uint8_t mac[PROVA_HMAC_SHA256_BYTES];
        r = prova_hmac_sha256_compute(key, key_len, b, n, mac);
        if (r == 0) prova_hex_encode(mac, sizeof mac, hmac_hex, PROVA_PROOF_HEX_LEN + 1);
        prova_mem_wipe(mac, sizeof mac);
    }
    if (r < 0) {
        body->len = mark;
        return prova__fail(reterr, r, "crypto_backend", "the crypto backend failed");
    }
    prova_hex_encode(d, PROVA_SHA256_BYTES, id_hex, PROVA_PROOF_HEX_LEN + 1);
    return 0;
}

int prova_proof_id(const prova_json *record, char out[PROVA_PROOF_HEX_LEN + 1], prova_error *reterr) {
    if (!out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL output");
    prova_buf body = PROVA_BUF_INIT;
    char id[PROVA_PROOF_HEX_LEN + 1];
    int r = prova__proof_digests(record, NULL, 0, &body, id, NULL, reterr);
    if (r == 0) memcpy(out, id, sizeof id);
    prova_buf_free(&body);
    return r;
}

/* ---- signing ------------------------------------------------------------------------------------------------- */

/* The reference's to_dict() order: {"proof_id": ..., **_body(), "signature": ...}, _body() being these nine. */
static const char *const section_order[] = {"schema_version", "identity", "claim",        "preregistration", "data",
                                            "evidence",       "verdict",  "reproduction", "provenance"};
#define SECTION_COUNT (sizeof section_order / sizeof section_order[0])

static bool is_section(const prova_json *key) {
    for (size_t i = 0; i < SECTION_COUNT; i++)
        if (prova_json_str_eq(key, section_order[i])) return true;
    return false;
}

static int put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}

int prova_proof_sign(const prova_json *record, const uint8_t *hmac_key, size_t key_len, const prova_key *attest_key,
                     const char *author, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    const uint8_t *k;
    size_t kl;
    if (!record || !out || !prova__proof_key(hmac_key, key_len, &k, &kl))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL record, buffer or key");
    if (!prova_json_is_object(record))
        return prova__fail(reterr, PROVA_EINVAL, "proof_not_object", "a proof record must be a JSON object");
    if (attest_key && (prova_key_alg(attest_key) != PROVA_SIG_ED25519 || !prova_key_is_private(attest_key)))
        return prova__fail(reterr, PROVA_EKEY, "proof_attest_key_invalid",
                           "the attestation key must be an Ed25519 private key");
    if (attest_key && (!author || !author[0] || !prova_utf8_valid(author, strlen(author))))
        return prova__fail(reterr, PROVA_EINVAL, "proof_author_invalid",
                           "an attestation needs a non-empty UTF-8 author");

    prova_buf body = PROVA_BUF_INIT;
    char id[PROVA_PROOF_HEX_LEN + 1], mac[PROVA_PROOF_HEX_LEN + 1];
    int r = prova__proof_digests(record, k, kl, &body, id, mac, reterr);
    char pub_hex[2 * PROVA_ED25519_PUBLICKEYBYTES + 1], sig_hex[PROVA_PROOF_ATTEST_SIG_HEX_LEN + 1];
    if (r == 0 && attest_key) {
        uint8_t sig[PROVA_SIG_MAX_BYTES], pub[PROVA_ED25519_PUBLICKEYBYTES];
        size_t siglen = 0;
        r = prova_key_sign(attest_key, body.data, body.len, sig, &siglen);
        if (r == 0 && (siglen != PROVA_ED25519_SIGBYTES || prova_key_public_raw(attest_key, pub, sizeof pub) != 32))
            r = PROVA_ECRYPTO;
        if (r < 0) {
            prova__fail(reterr, r, "crypto_backend", "Ed25519 signing failed");
        } else {
            prova_hex_encode(pub, sizeof pub, pub_hex, sizeof pub_hex);
            prova_hex_encode(sig, PROVA_ED25519_SIGBYTES, sig_hex, sizeof sig_hex);
        }
    }
    prova_buf_free(&body);
    if (r < 0) return r;

    size_t mark = out->len;
    r = put(out, "{\"proof_id\":\"");
    if (r == 0) r = put(out, id);
    if (r == 0) r = put(out, "\"");
    for (size_t i = 0; r == 0 && i < SECTION_COUNT; i++) {
        const prova_json *v = prova_json_get(record, section_order[i]);
        if (!v) continue;
        r = put(out, ",\"");
        if (r == 0) r = put(out, section_order[i]);
        if (r == 0) r = put(out, "\":");
        if (r == 0) r = prova_canon_write(v, PROVA_PROFILE_OPHAMIN, out, NULL);
    }
    for (size_t i = 0; r == 0 && i < record->len; i++) { /* the other body members, in code point order */
        const prova_json_member *m = &record->u.members[i];
        if (outside_body(&m->key) || is_section(&m->key)) continue;
        r = put(out, ",");
        if (r == 0) r = prova_canon_write(&m->key, PROVA_PROFILE_OPHAMIN, out, NULL);
        if (r == 0) r = put(out, ":");
        if (r == 0) r = prova_canon_write(&m->value, PROVA_PROFILE_OPHAMIN, out, NULL);
    }
    if (r == 0) r = put(out, ",\"signature\":\"");
    if (r == 0) r = put(out, mac);
    if (r == 0) r = put(out, "\"");
    if (r == 0 && attest_key) {
        r = put(out, ",\"attestation\":{\"author\":");
        if (r == 0) r = prova_canon_write_string(author, strlen(author), PROVA_PROFILE_OPHAMIN, out);
        if (r == 0) r = put(out, ",\"algorithm\":\"ed25519\",\"public_key\":\"");
        if (r == 0) r = put(out, pub_hex);
        if (r == 0) r = put(out, "\",\"signature\":\"");
        if (r == 0) r = put(out, sig_hex);
        if (r == 0) r = put(out, "\"}");
    }
    if (r == 0) r = put(out, "}");
    if (r < 0) {
        out->len = mark;
        return prova__fail(reterr, r, r == PROVA_ENOMEM ? "out_of_memory" : "proof_write",
                           r == PROVA_ENOMEM ? "out of memory" : "the signed record could not be written");
    }
    return 0;
}

/* ---- sign_key_b64 -------------------------------------------------------------------------------------------- */

static int key_error(prova_error *err, size_t offset, const char *message) {
    prova__fail(err, PROVA_ESYNTAX, "proof_key_b64_invalid", message);
    if (err) {
        err->offset = offset;
        err->line = 1;
        err->column = offset + 1;
    }
    return PROVA_ESYNTAX;
}

/* SPEC: decode_sign_key(): `if not sign_key_b64: return DEFAULT_SIGN_KEY`, else
 * `base64.b64decode(sign_key_b64, validate=True)`, which in CPython 3.11 is binascii.a2b_base64(s, strict_mode=True):
 * a leading '=' is an error; a character outside the alphabet is an error; a data character after a '=' is an
 * error; a '=' completing a group at positions 3/4 ends the input (anything after it is an error); a '=' after a
 * complete group is skipped; a last group of 1 character is an error, of 2 or 3 characters without its padding
 * "Incorrect padding". The unused low bits of the last character are not checked. */
int prova_proof_key_decode(const char *b64, uint8_t **ret, size_t *ret_len, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!b64 || !ret || !ret_len) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    size_t n = strlen(b64);
    if (n == 0) {
        uint8_t *d = malloc(PROVA_PROOF_DEFAULT_KEY_LEN);
        if (!d) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        memcpy(d, PROVA_PROOF_DEFAULT_KEY, PROVA_PROOF_DEFAULT_KEY_LEN);
        *ret = d;
        *ret_len = PROVA_PROOF_DEFAULT_KEY_LEN;
        return PROVA_PROOF_KEY_IS_DEFAULT;
    }
    if (b64[0] == '=')
        return key_error(reterr, 0, "sign_key_b64 must be valid standard base64: Leading padding not allowed");
    uint8_t *d = malloc(n / 4 * 3 + 3);
    if (!d) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    size_t o = 0, pads = 0;
    int quad = 0;
    unsigned left = 0;
    bool padding = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b64[i];
        if (c == '=') {
            padding = true;
            if (quad >= 2 && (size_t)quad + ++pads >= 4) {
                if (i + 1 < n) {
                    prova_proof_key_free(d, n / 4 * 3 + 3);
                    return key_error(reterr, i + 1,
                                     "sign_key_b64 must be valid standard base64: Excess data after padding");
                }
                quad = 0; /* done */
                break;
            }
            continue;
        }
        int v = prova__base64_value(c, false);
        if (v < 0) {
            prova_proof_key_free(d, n / 4 * 3 + 3);
            return key_error(reterr, i, "sign_key_b64 must be valid standard base64: Only base64 data is allowed");
        }
        if (padding) {
            prova_proof_key_free(d, n / 4 * 3 + 3);
            return key_error(reterr, i,
                             "sign_key_b64 must be valid standard base64: Discontinuous padding not allowed");
        }
        pads = 0;
        switch (quad) {
        case 0:
            left = (unsigned)v;
            quad = 1;
            break;
        case 1:
            d[o++] = (uint8_t)(left << 2 | (unsigned)v >> 4);
            left = (unsigned)v & 0x0f;
            quad = 2;
            break;
        case 2:
            d[o++] = (uint8_t)(left << 4 | (unsigned)v >> 2);
            left = (unsigned)v & 0x03;
            quad = 3;
            break;
        default:
            d[o++] = (uint8_t)(left << 6 | (unsigned)v);
            left = 0;
            quad = 0;
            break;
        }
    }
    if (quad != 0) {
        prova_proof_key_free(d, n / 4 * 3 + 3);
        return key_error(reterr, n,
                         quad == 1 ? "sign_key_b64 must be valid standard base64: the number of data characters "
                                     "cannot be 1 more than a multiple of 4"
                                   : "sign_key_b64 must be valid standard base64: Incorrect padding");
    }
    *ret = d;
    *ret_len = o;
    return 0;
}

uint8_t *prova_proof_key_free(uint8_t *key, size_t len) {
    if (key) {
        prova_mem_wipe(key, len);
        free(key);
    }
    return NULL;
}

/* ---- Python semantics ------------------------------------------------------------------------------------------ */

bool prova__py_truthy(const prova_json *v) {
    if (!v) return false;
    switch (v->type) {
    case PROVA_JSON_TRUE:
        return true;
    case PROVA_JSON_STRING:
    case PROVA_JSON_ARRAY:
    case PROVA_JSON_OBJECT:
        return v->len > 0;
    case PROVA_JSON_NUMBER: {
        if (v->flags & PROVA_NUM_NONFINITE) return true; /* nan and inf are true */
        if (!(v->flags & PROVA_NUM_FLOAT)) {
            for (size_t i = 0; i < v->len; i++)
                if (v->u.str[i] >= '1' && v->u.str[i] <= '9') return true;
            return false;
        }
        double d = 0;
        return prova_json_get_double(v, &d) < 0 || d != 0; /* an overflow is an infinity: true */
    }
    default:
        return false;
    }
}

/* Py_ISSPACE for ASCII: space, \t, \n, \v, \f, \r. */
static bool py_ascii_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

bool prova__py_fromhex(const prova_json *v, uint8_t *out, size_t cap, size_t *ret_len) {
    if (!prova_json_is_string(v)) return false; /* TypeError */
    const unsigned char *s = (const unsigned char *)v->u.str;
    size_t n = v->len, i = 0, o = 0;
    while (i < n) {
        if (py_ascii_space(s[i])) {
            while (i < n && py_ascii_space(s[i])) i++;
            if (i >= n) break;
        }
        int hi = prova__hex_value(s[i]);
        int lo = i + 1 < n ? prova__hex_value(s[i + 1]) : -1;
        if (hi < 0 || lo < 0) return false; /* ValueError: non-hexadecimal number found */
        if (o < cap) out[o] = (uint8_t)(hi << 4 | lo);
        o++;
        i += 2;
    }
    *ret_len = o;
    return true;
}

bool prova__lower_hex(const prova_json *v, size_t n) {
    return prova_json_is_string(v) && v->len == n && prova__is_hex(v->u.str, n, true);
}

/* str.isspace(): Unicode White_Space plus the bidi B/S/WS separators 0x1C-0x1F. */
static bool py_space(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

bool prova__py_blank(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        unsigned char c = u[i];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + len > n) return false;
        if (len == 1)
            cp = c;
        else if (len == 2)
            cp = (uint32_t)(c & 0x1F) << 6 | (u[i + 1] & 0x3Fu);
        else if (len == 3)
            cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3Fu);
        else
            cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(u[i + 1] & 0x3F) << 12 | (uint32_t)(u[i + 2] & 0x3F) << 6 |
                 (u[i + 3] & 0x3Fu);
        if (!py_space(cp)) return false;
        i += len;
    }
    return true;
}

bool prova__py_float(const prova_json *v, double *ret) {
    if (!prova_json_is_number(v)) return false;
    double d = 0;
    if (prova_json_get_double(v, &d) < 0 && !(v->flags & PROVA_NUM_NONFINITE))
        d = v->u.str[0] == '-' ? -INFINITY : INFINITY; /* an integer beyond the double range */
    *ret = d;
    return true;
}

bool prova__proof_decide(const char *c, size_t n, double obs, double thr, bool *ret_known) {
    *ret_known = true;
    if (n == 2 && c[0] == '>' && c[1] == '=') return obs >= thr;
    if (n == 2 && c[0] == '<' && c[1] == '=') return obs <= thr;
    if (n == 1 && c[0] == '>') return obs > thr;
    if (n == 1 && c[0] == '<') return obs < thr;
    if (n == 2 && c[0] == '=' && c[1] == '=') return obs == thr;
    *ret_known = false;
    return false;
}

/* ---- datetime.fromisoformat ------------------------------------------------------------------------------------- */

/* SPEC: CPython 3.11 Modules/_datetimemodule.c, datetime_fromisoformat() and its helpers, followed step by step
 * (including what they accept by accident, e.g. "10:00:00.+00:00"), because validate() compares the parsed values. */

/* The byte at i, or 0 past the end: the C code reads the string's NUL terminator. */
static unsigned char at(const char *s, size_t n, size_t i) {
    return i < n ? (unsigned char)s[i] : 0;
}

static bool is_digit_c(unsigned char c) {
    return c >= '0' && c <= '9';
}

/* parse_digits(): exactly k digits at *p. */
static bool parse_digits(const char *s, size_t n, size_t *p, size_t k, int *out) {
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = at(s, n, *p + i);
        if (!is_digit_c(c)) return false;
        v = v * 10 + (c - '0');
    }
    *p += k;
    *out = v;
    return true;
}

/* parse_hh_mm_ss_ff() over [p, end): -3 / -4 on error, else 0 or 1 ("not at the end of the string"). */
static int parse_hh_mm_ss_ff(const char *s, size_t n, size_t p, size_t end, int *h, int *mi, int *se, int *us) {
    static const int correction[] = {100000, 10000, 1000, 100, 10};
    *h = *mi = *se = *us = 0;
    int *vals[3] = {h, mi, se};
    bool has_separator = true;
    for (size_t i = 0; i < 3; i++) {
        if (!parse_digits(s, n, &p, 2, vals[i])) return -3;
        unsigned char c = at(s, n, p++);
        if (i == 0) has_separator = c == ':';
        if (p >= end) return c != 0;
        if (has_separator && c == ':') continue;
        if (c == '.' || c == ',') break;
        if (!has_separator)
            p--;
        else
            return -4;
    }
    size_t to_parse = end - p >= 6 ? 6 : end - p; /* >= 1 here: every way out of the loop left p < end */
    if (!parse_digits(s, n, &p, to_parse, us)) return -3;
    if (to_parse < 6) *us *= correction[to_parse - 1];
    while (is_digit_c(at(s, n, p))) p++; /* digits beyond the microseconds are dropped */
    return at(s, n, p) != 0;
}

/* parse_isoformat_time() from p: <0 error, 0 naive, 1 with *tz_us (the offset in microseconds). */
static int parse_isoformat_time(const char *s, size_t n, size_t p, int *h, int *mi, int *se, int *us, int64_t *tz_us) {
    size_t tz = p;
    do {
        unsigned char c = at(s, n, tz);
        if (c == 'Z' || c == '+' || c == '-') break;
    } while (++tz < n);
    int rv = parse_hh_mm_ss_ff(s, n, p, tz, h, mi, se, us);
    if (rv < 0) return rv;
    if (tz == n) return rv == 1 ? -5 : 0;
    *tz_us = 0;
    if (at(s, n, tz) == 'Z') return at(s, n, tz + 1) != 0 ? -5 : 1;
    int64_t sign = at(s, n, tz) == '-' ? -1 : 1;
    int th, tm, ts, tus;
    rv = parse_hh_mm_ss_ff(s, n, tz + 1, n, &th, &tm, &ts, &tus);
    *tz_us = sign * (((int64_t)th * 3600 + tm * 60 + ts) * 1000000 + tus);
    return rv ? -5 : 1;
}

/* The calendar is core's (prova__days_from_civil: days since 1970-01-01; only differences matter here). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    return prova__days_from_civil(y, m, d);
}
static bool is_leap(int y) {
    return prova__days_in_month(y, 2) == 29;
}

/* _find_isoformat_datetime_separator() */
static size_t find_separator(const char *s, size_t n) {
    if (n == 7) return 7;
    if (s[4] == '-') {
        if (s[5] != 'W') return 10; /* YYYY-MM-DD */
        if (n < 8) return SIZE_MAX;
        if (n > 8 && s[8] == '-') { /* YYYY-Www-D or YYYY-Www-HH */
            if (n == 9) return SIZE_MAX;
            if (n > 10 && is_digit_c((unsigned char)s[10])) return 8;
            return 10;
        }
        return 8; /* YYYY-Www */
    }
    if (s[4] != 'W') return 8; /* YYYYMMDD */
    size_t idx = 7;            /* YYYYWww or YYYYWwwd */
    while (idx < n && is_digit_c((unsigned char)s[idx])) idx++;
    if (idx < 9) return idx;
    return idx % 2 == 0 ? 7 : 8;
}

/* parse_isoformat_date() + the date's range checks: the day number (days_from_civil) or false. */
static bool parse_isoformat_date(const char *s, size_t n, size_t len, int64_t *ret_day) {
    size_t p = 0;
    int y, m, d;
    if (!parse_digits(s, n, &p, 4, &y)) return false;
    bool sep = at(s, n, p) == '-';
    if (sep) p++;
    if (at(s, n, p) == 'W') { /* iso_to_ymd() */
        p++;
        int week, wd = 1;
        if (!parse_digits(s, n, &p, 2, &week)) return false;
        if (p < len) {
            if (sep && at(s, n, p++) != '-') return false;
            if (!parse_digits(s, n, &p, 1, &wd)) return false;
        }
        int64_t first = days_from_civil(y, 1, 1), origin = days_from_civil(1, 1, 1); /* 0001-01-01 is a Monday */
        int first_weekday = (int)(((first - origin) % 7 + 7) % 7);
        if (week <= 0 || week >= 53) {
            if (!(week == 53 && (first_weekday == 3 || (first_weekday == 2 && is_leap(y))))) return false;
        }
        if (wd <= 0 || wd >= 8) return false;
        int64_t monday = first - first_weekday + (first_weekday > 3 ? 7 : 0);
        int64_t day = monday + (int64_t)(week - 1) * 7 + wd - 1;
        if (day < origin || day > days_from_civil(9999, 12, 31)) return false; /* year 0 or 10000 */
        *ret_day = day;
        return true;
    }
    if (!parse_digits(s, n, &p, 2, &m)) return false;
    if (sep && at(s, n, p++) != '-') return false;
    if (!parse_digits(s, n, &p, 2, &d)) return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > prova__days_in_month(y, m)) return false;
    *ret_day = days_from_civil(y, m, d);
    return true;
}

bool prova__py_isoformat(const char *s, size_t n, int64_t *ret_us, bool *ret_aware) {
    if (n < 7) return false;
    size_t sep = find_separator(s, n);
    if (sep == SIZE_MAX) return false;
    int64_t day;
    if (!parse_isoformat_date(s, n, sep, &day)) return false;
    int64_t t = day * 86400LL * 1000000LL, tz_us = 0;
    bool aware = false;
    if (n > sep) {
        /* "The T separator may be replaced by any single unicode character": skip one code point. */
        unsigned char c = (unsigned char)s[sep];
        size_t p = sep + (c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4);
        int h, mi, se, us;
        int rv = parse_isoformat_time(s, n, p, &h, &mi, &se, &us, &tz_us);
        if (rv < 0 || h >= 24 || mi >= 60 || se >= 60) return false;
        if (rv == 1) {
            if (tz_us <= -86400000000LL || tz_us >= 86400000000LL) return false;
            aware = true;
        }
        t += ((int64_t)h * 3600 + mi * 60 + se) * 1000000LL + us - tz_us;
    }
    *ret_us = t;
    *ret_aware = aware;
    return true;
}

/* ---- verify_proof_impl ------------------------------------------------------------------------------------------ */

static const char *json_message(const char *reason) {
    static const struct {
        const char *reason, *message;
    } t[] = {
        {"json_empty", "proof_json is not valid JSON: no JSON value in the input"},
        {"json_syntax", "proof_json is not valid JSON: syntax error"},
        {"json_truncated", "proof_json is not valid JSON: the input ends inside a value"},
        {"json_trailing_data", "proof_json is not valid JSON: extra data after the JSON value"},
        {"json_bom", "proof_json is not valid JSON: a byte order mark is not allowed"},
        {"json_invalid_utf8", "proof_json is not valid JSON: invalid UTF-8"},
        {"json_control_character", "proof_json is not valid JSON: unescaped control character in a string"},
        {"json_invalid_escape", "proof_json is not valid JSON: invalid escape in a string"},
        {"json_leading_zero", "proof_json is not valid JSON: a number has a leading zero"},
        {"json_number_range", "proof_json is not valid JSON: a number is out of range"},
        {"json_duplicate_key", "proof_json is not valid JSON: duplicate member name (which one was signed?)"},
        {"json_lone_surrogate", "proof_json is not valid JSON: lone surrogate"},
        {"json_nonfinite", "proof_json is not valid JSON: NaN or Infinity"},
    };
    for (size_t i = 0; reason && i < sizeof t / sizeof t[0]; i++)
        if (strcmp(reason, t[i].reason) == 0) return t[i].message;
    return "proof_json is not valid JSON: malformed";
}

/* Appends the canonical form of v, or the literal dflt when v is NULL (absent: Python's .get() default). */
static int put_value(prova_buf *out, const prova_json *v, const char *dflt) {
    return v ? prova_canon_write(v, PROVA_PROFILE_OPHAMIN, out, NULL) : put(out, dflt);
}

/* SPEC (newest _impls.py): `attestation_verified = att.get("algorithm") == "ed25519" and len(pub) == 32 and
 * len(ed_sig) == 64 and verify_bytes(pub, canonical, ed_sig)` with pub/ed_sig = bytes.fromhex(...); any exception
 * (non-string hex, bad hex) is False. */
static bool impl_attestation_verified(const prova_json *att, const prova_buf *body) {
    if (!prova_json_is_object(att) || !prova__py_truthy(att)) return false;
    uint8_t pub[PROVA_ED25519_PUBLICKEYBYTES], sig[PROVA_ED25519_SIGBYTES];
    size_t pn = 0, sn = 0;
    const prova_json *pk = prova_json_get(att, "public_key"), *sg = prova_json_get(att, "signature");
    if (!pk || !sg || !prova__py_fromhex(pk, pub, sizeof pub, &pn) || !prova__py_fromhex(sg, sig, sizeof sig, &sn))
        return false;
    if (!prova_json_str_eq(prova_json_get(att, "algorithm"), "ed25519") || pn != sizeof pub || sn != sizeof sig)
        return false;
    prova_key *key = NULL;
    if (prova_key_from_ed25519_public(pub, &key) < 0) return false; /* not a valid point: no signature verifies */
    bool ok = prova_key_verify(key, body->data, body->len, sig, sizeof sig) == 0;
    prova_key_free(key);
    return ok;
}

int prova_proof_verify_impl(const void *proof_json, size_t len, const uint8_t *key, size_t key_len,
                            const char *server_version, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    const uint8_t *k;
    size_t kl;
    const char *sv = server_version ? server_version : PROVA_VERSION_STRING;
    if ((!proof_json && len) || !out || !prova__proof_key(key, key_len, &k, &kl) || !prova_utf8_valid(sv, strlen(sv)))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or invalid server_version");

    /* record_dict = json.loads(proof_json) */
    prova_parse_options po = {.flags = PROOF_PARSE_FLAGS};
    prova_doc *doc = NULL;
    prova_error perr;
    int r = prova_json_parse(proof_json ? proof_json : "", len, &po, &doc, &perr);
    if (r < 0) {
        if (r == PROVA_ESYNTAX || r == PROVA_ERANGE) {
            if (reterr) {
                *reterr = perr;
                reterr->status = PROVA_ESYNTAX;
                reterr->reason = "proof_json_invalid";
                reterr->message = json_message(perr.reason);
            }
            return PROVA_ESYNTAX;
        }
        if (reterr) *reterr = perr;
        return r;
    }
    const prova_json *root = prova_doc_root(doc);
    if (!prova_json_is_object(root)) {
        prova_doc_free(doc);
        return prova__fail(reterr, PROVA_EINVAL, "proof_not_object", "proof_json must decode to a JSON object");
    }

    prova_buf body = PROVA_BUF_INIT;
    char id[PROVA_PROOF_HEX_LEN + 1], mac[PROVA_PROOF_HEX_LEN + 1];
    r = prova__proof_digests(root, k, kl, &body, id, mac, reterr);
    if (r < 0) {
        prova_doc_free(doc);
        return r;
    }
    /* verified = isinstance(sig, str) and hmac.compare_digest(sig, expected_hex) */
    const prova_json *sig = prova_json_get(root, "signature");
    bool verified = prova_json_is_string(sig) && sig->len == PROVA_PROOF_HEX_LEN &&
                    prova_ct_equal(sig->u.str, mac, PROVA_PROOF_HEX_LEN);
    /* att = record_dict.get("attestation") or {}; attested = bool(att) */
    const prova_json *att = prova_json_get(root, "attestation");
    bool attested = prova__py_truthy(att);
    const prova_json *author = prova_json_is_object(att) ? prova_json_get(att, "author") : NULL;
    bool att_ok = impl_attestation_verified(att, &body);
    prova_buf_free(&body);
    /* verdict = record_dict.get("verdict") or {} */
    const prova_json *verdict = prova_json_get(root, "verdict");
    const prova_json *vd = prova__py_truthy(verdict) && prova_json_is_object(verdict) ? verdict : NULL;
    /* (record_dict.get("claim") or {}).get("statement", "") — a truthy non-object raises in Python: "" here */
    const prova_json *claim = prova_json_get(root, "claim"), *identity = prova_json_get(root, "identity");
    const prova_json *statement = prova_json_is_object(claim) ? prova_json_get(claim, "statement") : NULL;
    const prova_json *version = prova_json_is_object(identity) ? prova_json_get(identity, "ophamin_version") : NULL;

    size_t mark = out->len;
    r = put(out, verified ? "{\"verified\":true,\"proof_id\":\"" : "{\"verified\":false,\"proof_id\":\"");
    if (r == 0) r = put(out, id);
    if (r == 0) r = put(out, "\",\"schema_version\":");
    if (r == 0) r = put_value(out, prova_json_get(root, "schema_version"), "\"\"");
    if (r == 0) r = put(out, attested ? ",\"attested\":true" : ",\"attested\":false");
    if (r == 0) r = put(out, ",\"attestation_author\":");
    if (r == 0) r = put_value(out, author, "\"\"");
    if (r == 0) r = put(out, att_ok ? ",\"attestation_verified\":true" : ",\"attestation_verified\":false");
    if (r == 0) r = put(out, ",\"verdict\":{\"outcome\":");
    if (r == 0) r = put_value(out, vd ? prova_json_get(vd, "outcome") : NULL, "\"\"");
    if (r == 0) r = put(out, ",\"observed_value\":");
    if (r == 0) r = put_value(out, vd ? prova_json_get(vd, "observed_value") : NULL, "null");
    if (r == 0) r = put(out, ",\"reasoning\":");
    if (r == 0) r = put_value(out, vd ? prova_json_get(vd, "reasoning") : NULL, "\"\"");
    if (r == 0) r = put(out, ",\"threshold\":");
    if (r == 0) r = put_value(out, vd ? prova_json_get(vd, "threshold") : NULL, "{}");
    if (r == 0) r = put(out, "},\"claim_statement\":");
    if (r == 0) r = put_value(out, statement, "\"\"");
    if (r == 0) r = put(out, ",\"framework_versions\":{\"ophamin_version_in_record\":");
    if (r == 0) r = put_value(out, version, "\"\"");
    if (r == 0) r = put(out, ",\"ophamin_version_in_server\":");
    if (r == 0) r = prova_canon_write_string(sv, strlen(sv), PROVA_PROFILE_OPHAMIN, out);
    if (r == 0) r = put(out, "}}");
    prova_doc_free(doc);
    if (r < 0) {
        out->len = mark;
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    return 0;
}
