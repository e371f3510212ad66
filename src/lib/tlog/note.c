/* C2SP signed notes and their keys (c2sp.org/signed-note, c2sp.org/tlog-cosignature): parse, verify, sign; vkeys
 * and the PRIVATE+KEY form. Ed25519 through the crypto layer's prova_key (strict RFC 8032 verification). */
#include <stdlib.h>
#include <string.h>

#include "note_internal.h"

size_t prova_note_max_bytes(void) {
    return PROVA_NOTE_MAX_BYTES;
}
size_t prova_note_max_signatures(void) {
    return PROVA_NOTE_MAX_SIGNATURES;
}
size_t prova_note_key_id_bytes(void) {
    return PROVA_NOTE_KEY_ID_BYTES;
}

/* ---- shared helpers ------------------------------------------------------------------------------------------ */

int prova__tlog_fail(prova_error *reterr, int status, const char *reason, const char *message, const void *data,
                     size_t len, size_t off) {
    prova__fail(reterr, status, reason, message);
    if (reterr && data) {
        const uint8_t *p = data;
        if (off > len) off = len;
        size_t line = 1, col = 1;
        for (size_t i = 0; i < off; i++) {
            if (p[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        reterr->offset = off;
        reterr->line = line;
        reterr->column = col;
    }
    return status;
}

int prova__note_check_chars(const uint8_t *s, size_t n, const uint8_t *base, size_t base_len, prova_error *reterr) {
    /* SPEC: c2sp.org/signed-note: "Signed notes MUST be valid UTF-8 and MUST NOT contain any ASCII control
     * characters (those below U+0020) other than newline." */
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\n')
                return prova__tlog_fail(reterr, PROVA_ESYNTAX, "note_control_character",
                                        "a control character other than newline", base, base_len,
                                        (size_t)(s + i - base));
            i++;
            continue;
        }
        size_t k = prova_utf8_seq(s + i, n - i);
        if (k == 0)
            return prova__tlog_fail(reterr, PROVA_ESYNTAX, "note_invalid_utf8", "invalid UTF-8", base, base_len,
                                    (size_t)(s + i - base));
        i += k;
    }
    return 0;
}

/* Go's unicode.IsSpace: ASCII \t \n \v \f \r and space, U+0085, U+00A0, and the Z category spaces. */
static bool is_unicode_space(uint32_t cp) {
    switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

bool prova__note_name_valid(const char *name, size_t n) {
    /* SPEC: c2sp.org/signed-note: "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus
     * (U+002B) characters." */
    if (!name || n == 0 || n > PROVA__NOTE_NAME_MAX) return false;
    const uint8_t *s = (const uint8_t *)name;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        if (s[i] < 0x80) {
            cp = s[i];
            if (cp < 0x20 || cp == 0x7F || cp == '+' || cp == ' ') return false;
            i++;
            continue;
        }
        size_t k = prova_utf8_seq(s + i, n - i);
        if (k == 0) return false;
        if (k == 2)
            cp = (uint32_t)(s[i] & 0x1F) << 6 | (uint32_t)(s[i + 1] & 0x3F);
        else if (k == 3)
            cp = (uint32_t)(s[i] & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (uint32_t)(s[i + 2] & 0x3F);
        else
            cp = 0x10000; /* no space above the BMP */
        if (is_unicode_space(cp)) return false;
        i += k;
    }
    return true;
}

int prova__note_key_id(const char *name, size_t n, uint8_t type, const uint8_t pub[PROVA_ED25519_PUBLICKEYBYTES],
                       uint32_t *ret_id) {
    /* SPEC: c2sp.org/signed-note: "key ID = SHA-256(key name || 0x0A || signature type || public key)[:4]" */
    prova_hash_ctx *h = NULL;
    uint8_t d[PROVA_HASH_MAX_BYTES];
    uint8_t sep[2] = {'\n', type};
    int r = prova_hash_new(PROVA_HASH_SHA256, &h);
    if (r < 0) return r;
    if ((r = prova_hash_update(h, name, n)) < 0 || (r = prova_hash_update(h, sep, 2)) < 0 ||
        (r = prova_hash_update(h, pub, PROVA_ED25519_PUBLICKEYBYTES)) < 0) {
        prova_hash_free(h);
        return r;
    }
    if ((r = prova_hash_final(h, d)) < 0) return r;
    *ret_id = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    return 0;
}

bool prova__tlog_parse_u64(const char *s, size_t n, uint64_t *ret) {
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0')) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *ret = v;
    return true;
}

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- keys ---------------------------------------------------------------------------------------------------- */

static bool type_supported(unsigned type) {
    return type == PROVA_NOTE_ED25519 || type == PROVA_NOTE_COSIGNATURE_V1;
}

/* Builds a key from its parts; seed NULL for a public key (pub then required). */
static int key_build(const char *name, size_t name_len, unsigned type, const uint8_t *pub, const uint8_t *seed,
                     prova_note_key **ret_key) {
    prova_note_key *k = calloc(1, sizeof *k);
    if (!k) return PROVA_ENOMEM;
    k->name = malloc(name_len + 1);
    if (!k->name) {
        free(k);
        return PROVA_ENOMEM;
    }
    memcpy(k->name, name, name_len);
    k->name[name_len] = '\0';
    k->name_len = name_len;
    k->type = (prova_note_type)type;
    int r;
    if (seed) {
        r = prova_key_from_ed25519_seed(seed, &k->key);
        if (r == 0) {
            memcpy(k->seed, seed, PROVA_ED25519_SEEDBYTES);
            k->is_private = true;
            if (prova_key_public_raw(k->key, k->pub, sizeof k->pub) != PROVA_ED25519_PUBLICKEYBYTES) r = PROVA_EKEY;
        }
    } else {
        r = prova_key_from_ed25519_public(pub, &k->key);
        if (r == 0) memcpy(k->pub, pub, PROVA_ED25519_PUBLICKEYBYTES);
    }
    if (r == 0) r = prova__note_key_id(k->name, name_len, (uint8_t)type, k->pub, &k->id);
    if (r < 0) {
        prova_note_key_free(k);
        return r == PROVA_ENOMEM ? r : PROVA_EKEY;
    }
    *ret_key = k;
    return 0;
}

/* "name+hex8+base64(type||key)" (private: the prefix "PRIVATE+KEY+" already removed). */
static int key_parse(const char *text, size_t len, bool priv, prova_note_key **ret_key, prova_error *reterr) {
    static const char *const reasons[2][6] = {
        {"vkey_malformed", "vkey_name_invalid", "vkey_bad_base64", "vkey_unsupported_type", "vkey_id_mismatch",
         "vkey_key_invalid"},
        {"skey_malformed", "skey_name_invalid", "skey_bad_base64", "skey_unsupported_type", "skey_id_mismatch",
         "skey_key_invalid"},
    };
    const char *const *why = reasons[priv];
    if (!text || !ret_key) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "text or ret_key is NULL");
    const char *p1 = memchr(text, '+', len);
    if (!p1) return prova__fail(reterr, PROVA_ESYNTAX, why[0], "a key is name+hex8+base64");
    size_t name_len = (size_t)(p1 - text);
    if (!prova__note_name_valid(text, name_len))
        return prova__fail(reterr, PROVA_ESYNTAX, why[1], "the key name is empty or holds a space, '+' or bad UTF-8");
    const char *h = p1 + 1;
    size_t rest = len - name_len - 1;
    if (rest < 9 || h[8] != '+' || !prova__is_hex(h, 8, true))
        return prova__fail(reterr, PROVA_ESYNTAX, why[0], "the key ID is not 8 lowercase hex digits then '+'");
    uint32_t id = 0;
    for (size_t i = 0; i < 8; i++) id = id << 4 | (uint32_t)prova__hex_value(h[i]);
    const char *b = h + 9;
    size_t blen = rest - 9;
    uint8_t raw[1 + PROVA_ED25519_PUBLICKEYBYTES + 1];
    size_t rawlen = 0;
    if (blen > 48) return prova__fail(reterr, PROVA_ESYNTAX, why[2], "the key material is too long");
    int r = prova_base64_decode(b, blen, raw, sizeof raw, &rawlen, NULL);
    if (r < 0 || rawlen == 0) {
        prova_mem_wipe(raw, sizeof raw);
        return prova__fail(reterr, PROVA_ESYNTAX, why[2], "the key material is not base64");
    }
    if (!type_supported(raw[0])) {
        prova_mem_wipe(raw, sizeof raw);
        return prova__fail(reterr, PROVA_EUNSUPPORTED, why[3], "the signature type is not 0x01 or 0x04");
    }
    if (rawlen != 1 + PROVA_ED25519_PUBLICKEYBYTES) {
        prova_mem_wipe(raw, sizeof raw);
        return prova__fail(reterr, PROVA_ESYNTAX, why[0], "an Ed25519 key is 32 bytes");
    }
    prova_note_key *k = NULL;
    r = key_build(text, name_len, raw[0], priv ? NULL : raw + 1, priv ? raw + 1 : NULL, &k);
    prova_mem_wipe(raw, sizeof raw);
    if (r == PROVA_ENOMEM) return prova__fail(reterr, r, "out_of_memory", "out of memory");
    if (r < 0) return prova__fail(reterr, PROVA_EKEY, why[5], "not a usable Ed25519 key");
    if (k->id != id) {
        prova_note_key_free(k);
        return prova__fail(reterr, PROVA_ESYNTAX, why[4], "the key ID is not SHA-256(name, 0x0A, type, key)[:4]");
    }
    *ret_key = k;
    return 0;
}

int prova_note_key_parse_vkey(const char *text, size_t len, prova_note_key **ret_key, prova_error *reterr) {
    return key_parse(text, len, false, ret_key, reterr);
}

int prova_note_key_parse_private(const char *text, size_t len, prova_note_key **ret_key, prova_error *reterr) {
    static const char prefix[] = "PRIVATE+KEY+";
    if (!text || !ret_key) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "text or ret_key is NULL");
    if (len < sizeof prefix - 1 || memcmp(text, prefix, sizeof prefix - 1) != 0)
        return prova__fail(reterr, PROVA_ESYNTAX, "skey_malformed", "a private key starts with PRIVATE+KEY+");
    return key_parse(text + sizeof prefix - 1, len - (sizeof prefix - 1), true, ret_key, reterr);
}

int prova_note_key_generate(const char *name, size_t len, prova_note_type type, prova_note_key **ret_key,
                            prova_error *reterr) {
    if (!name || !ret_key) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "name or ret_key is NULL");
    if (!type_supported((unsigned)type))
        return prova__fail(reterr, PROVA_EUNSUPPORTED, "note_type_unsupported", "the type is not 0x01 or 0x04");
    if (!prova__note_name_valid(name, len))
        return prova__fail(reterr, PROVA_ESYNTAX, "note_key_name_invalid",
                           "the key name is empty or holds a space, '+' or bad UTF-8");
    uint8_t seed[PROVA_ED25519_SEEDBYTES];
    prova_random_fill(seed, sizeof seed);
    int r = key_build(name, len, (unsigned)type, NULL, seed, ret_key);
    prova_mem_wipe(seed, sizeof seed);
    if (r < 0) return prova__fail(reterr, r, r == PROVA_ENOMEM ? "out_of_memory" : "key_invalid", "key generation");
    return 0;
}

static int key_write(const prova_note_key *key, bool priv, prova_buf *out) {
    if (!key || !out) return PROVA_EINVAL;
    if (priv && !key->is_private) return PROVA_EKEY;
    size_t start = out->len;
    uint8_t raw[1 + 32];
    char hex[9];
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) hex[i] = digits[(key->id >> (28 - 4 * i)) & 0xF];
    hex[8] = '+';
    raw[0] = (uint8_t)key->type;
    memcpy(raw + 1, priv ? key->seed : key->pub, 32);
    int r = 0;
    if (priv) r = prova_buf_append(out, "PRIVATE+KEY+", 12);
    if (r == 0) r = prova_buf_append(out, key->name, key->name_len);
    if (r == 0) r = prova_buf_append(out, "+", 1);
    if (r == 0) r = prova_buf_append(out, hex, 9);
    if (r == 0) r = prova__buf_base64(out, raw, sizeof raw, false);
    prova_mem_wipe(raw, sizeof raw);
    if (r < 0) {
        if (priv && out->data) prova_mem_wipe(out->data + start, out->len - start);
        out->len = start;
    }
    return r;
}

int prova_note_key_write_vkey(const prova_note_key *key, prova_buf *out) {
    return key_write(key, false, out);
}
int prova_note_key_write_private(const prova_note_key *key, prova_buf *out) {
    return key_write(key, true, out);
}

const char *prova_note_key_name(const prova_note_key *key, size_t *ret_len) {
    if (ret_len) *ret_len = key ? key->name_len : 0;
    return key ? key->name : NULL;
}
uint32_t prova_note_key_id(const prova_note_key *key) {
    return key ? key->id : 0;
}
prova_note_type prova_note_key_type(const prova_note_key *key) {
    return key ? key->type : PROVA_NOTE_ED25519;
}
bool prova_note_key_is_private(const prova_note_key *key) {
    return key && key->is_private;
}
void prova_note_key_public(const prova_note_key *key, uint8_t out[32]) {
    if (key && out) memcpy(out, key->pub, 32);
}

prova_note_key *prova_note_key_free(prova_note_key *key) {
    if (!key) return NULL;
    prova_key_free(key->key);
    free(key->name);
    prova_mem_wipe(key, sizeof *key);
    free(key);
    return NULL;
}

/* ---- notes --------------------------------------------------------------------------------------------------- */

typedef struct note_sig {
    size_t line_off; /* offset of the line in the note */
    size_t name_off, name_len;
    uint32_t id;
    size_t sig_off, sig_len; /* in sigbytes, after the key ID */
} note_sig;

struct prova_note {
    uint8_t *data; /* a copy of the whole note, NUL-terminated */
    size_t len, text_len;
    size_t nsig;
    note_sig *sigs;
    uint8_t *sigbytes;
};

prova_note *prova_note_free(prova_note *note) {
    if (!note) return NULL;
    free(note->data);
    free(note->sigs);
    free(note->sigbytes);
    free(note);
    return NULL;
}

#define NOTE_FAIL(status, reason, msg, off) prova__tlog_fail(reterr, status, reason, msg, data, len, off)

int prova_note_parse(const void *vdata, size_t len, prova_note **ret_note, prova_error *reterr) {
    const uint8_t *data = vdata;
    if ((!data && len) || !ret_note)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "data or ret_note is NULL");
    if (len > PROVA_NOTE_MAX_BYTES)
        return prova__fail(reterr, PROVA_ELIMIT, "note_too_large", "the note is larger than PROVA_NOTE_MAX_BYTES");
    int r = prova__note_check_chars(data, len, data, len, reterr);
    if (r < 0) return r;
    if (len == 0 || data[len - 1] != '\n')
        return NOTE_FAIL(PROVA_ESYNTAX, "note_trailing_data", "the note does not end in a newline", len);
    /* SPEC: c2sp.org/signed-note: "the text is separated from the signatures by the last empty line in the note" */
    size_t blank = SIZE_MAX; /* offset of the blank line's newline */
    for (size_t i = len - 1; i > 0; i--) {
        if (data[i] == '\n' && data[i - 1] == '\n') {
            blank = i;
            break;
        }
    }
    if (blank == SIZE_MAX) {
        if (data[0] == '\n') return NOTE_FAIL(PROVA_ESYNTAX, "note_text_empty", "the note text is empty", 0);
        return NOTE_FAIL(PROVA_ESYNTAX, "note_no_blank_line", "no blank line separates the text from signatures", len);
    }
    size_t text_len = blank; /* the text includes its final newline, data[blank - 1] */
    size_t sigs_start = blank + 1;
    if (sigs_start == len)
        return NOTE_FAIL(PROVA_ESYNTAX, "note_no_signatures", "no signature line after the blank line", len);

    size_t nlines = 0;
    for (size_t i = sigs_start; i < len; i++) nlines += data[i] == '\n';
    if (nlines > PROVA_NOTE_MAX_SIGNATURES)
        return NOTE_FAIL(PROVA_ELIMIT, "note_too_many_signatures", "more signature lines than the maximum", sigs_start);

    prova_note *n = calloc(1, sizeof *n);
    if (!n) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    n->data = malloc(len + 1);
    n->sigs = calloc(nlines, sizeof *n->sigs);
    n->sigbytes = malloc(len - sigs_start);
    if (!n->data || !n->sigs || !n->sigbytes) {
        prova_note_free(n);
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    memcpy(n->data, data, len);
    n->data[len] = '\0';
    n->len = len;
    n->text_len = text_len;
    size_t used = 0;
    size_t pos = sigs_start;
    while (pos < len) {
        const uint8_t *eol = memchr(data + pos, '\n', len - pos);
        size_t end = (size_t)(eol - data);
        note_sig *s = &n->sigs[n->nsig];
        s->line_off = pos;
        if (end - pos < PROVA__NOTE_DASH_LEN || memcmp(data + pos, PROVA__NOTE_DASH, PROVA__NOTE_DASH_LEN) != 0) {
            prova_note_free(n);
            return NOTE_FAIL(PROVA_ESYNTAX, "note_signature_line_malformed",
                             "a signature line does not start with an em dash and a space", pos);
        }
        size_t name_off = pos + PROVA__NOTE_DASH_LEN;
        const uint8_t *sp = memchr(data + name_off, ' ', end - name_off);
        if (!sp) {
            prova_note_free(n);
            return NOTE_FAIL(PROVA_ESYNTAX, "note_signature_line_malformed",
                             "a signature line has no space between the key name and the signature", name_off);
        }
        size_t name_len = (size_t)(sp - (data + name_off));
        if (!prova__note_name_valid((const char *)data + name_off, name_len)) {
            prova_note_free(n);
            return NOTE_FAIL(PROVA_ESYNTAX, "note_key_name_invalid",
                             "the key name is empty or holds a space, '+' or a control character", name_off);
        }
        size_t b64_off = name_off + name_len + 1;
        size_t got = 0;
        prova_error berr;
        r = prova__base64_decode_public((const char *)data + b64_off, end - b64_off, n->sigbytes + used,
                                        len - sigs_start - used, &got, &berr);
        if (r < 0) {
            prova_note_free(n);
            return NOTE_FAIL(PROVA_ESYNTAX, "note_bad_base64", "the signature is not base64",
                             b64_off + (berr.offset < end - b64_off ? berr.offset : 0));
        }
        /* SPEC: "Signatures are the base64 encoding of 4+n bytes." An empty signature is no signature. */
        if (got <= PROVA_NOTE_KEY_ID_BYTES) {
            prova_note_free(n);
            return NOTE_FAIL(PROVA_ESYNTAX, "note_signature_short", "a signature shorter than a key ID and a byte",
                             b64_off);
        }
        s->name_off = name_off;
        s->name_len = name_len;
        s->id = get_u32(n->sigbytes + used);
        s->sig_off = used + PROVA_NOTE_KEY_ID_BYTES;
        s->sig_len = got - PROVA_NOTE_KEY_ID_BYTES;
        used += got;
        n->nsig++;
        pos = end + 1;
    }
    *ret_note = n;
    return 0;
}

const char *prova_note_text(const prova_note *note, size_t *ret_len) {
    if (ret_len) *ret_len = note ? note->text_len : 0;
    return note ? (const char *)note->data : NULL;
}
size_t prova_note_signature_count(const prova_note *note) {
    return note ? note->nsig : 0;
}
const char *prova_note_signature_name(const prova_note *note, size_t i, size_t *ret_len) {
    if (!note || i >= note->nsig) {
        if (ret_len) *ret_len = 0;
        return NULL;
    }
    if (ret_len) *ret_len = note->sigs[i].name_len;
    return (const char *)note->data + note->sigs[i].name_off;
}
uint32_t prova_note_signature_id(const prova_note *note, size_t i) {
    return note && i < note->nsig ? note->sigs[i].id : 0;
}

/* "cosignature/v1\ntime <T>\n": the prefix of the cosigned message (c2sp.org/tlog-cosignature). */
static size_t cosig_prefix(uint64_t t, char out[48]) {
    char digits[21];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + t % 10);
        t /= 10;
    } while (t);
    memcpy(out, "cosignature/v1\ntime ", 20);
    for (size_t i = 0; i < nd; i++) out[20 + i] = digits[nd - 1 - i];
    out[20 + nd] = '\n';
    return 21 + nd;
}

/* The bytes a key of this type signs over text: one function for signing and verifying (STYLE 9). */
static int signed_message(prova_note_type type, uint64_t t, const uint8_t *text, size_t len, prova_buf *msg) {
    if (type == PROVA_NOTE_COSIGNATURE_V1) {
        char pre[48];
        size_t n = cosig_prefix(t, pre);
        int r = prova_buf_append(msg, pre, n);
        if (r < 0) return r;
    }
    return prova_buf_append(msg, text, len);
}

int prova_note_verify(const prova_note *note, const prova_note_key *const *keys, size_t nkeys, bool *ret_verified,
                      uint64_t *ret_times, prova_error *reterr) {
    if (!note || (!keys && nkeys)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "note or keys is NULL");
    for (size_t k = 0; k < nkeys; k++)
        if (!keys[k]) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "a key is NULL");
    bool *ok = calloc(nkeys ? nkeys : 1, sizeof *ok);
    uint64_t *times = calloc(nkeys ? nkeys : 1, sizeof *times);
    prova_buf msg = PROVA_BUF_INIT;
    int r = 0;
    bool any = false;
    if (!ok || !times) {
        r = prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < note->nsig && r == 0; i++) {
        const note_sig *s = &note->sigs[i];
        const uint8_t *name = note->data + s->name_off;
        /* SPEC: "Verifiers MUST ignore signatures from unknown keys, even if they share a name or ID (but not both)
         * with a known key. If the key name and ID match a known key, verifiers MUST verify the signature." */
        for (size_t k = 0; k < nkeys; k++) {
            const prova_note_key *key = keys[k];
            if (key->id != s->id || key->name_len != s->name_len || memcmp(key->name, name, s->name_len) != 0) continue;
            const uint8_t *sig = note->sigbytes + s->sig_off;
            size_t siglen = s->sig_len;
            uint64_t t = 0;
            if (key->type == PROVA_NOTE_COSIGNATURE_V1) {
                if (siglen != 8 + PROVA_ED25519_SIGBYTES) goto bad;
                for (int b = 0; b < 8; b++) t = t << 8 | sig[b];
                /* SPEC: c2sp.org/tlog-cosignature: the timestamp "MUST NOT exceed 2^63 - 1" */
                if (t > (uint64_t)INT64_MAX) {
                    r = prova__tlog_fail(reterr, PROVA_EVERIFY, "note_cosignature_time_invalid",
                                         "a cosignature timestamp above 2^63-1", note->data, note->len, s->line_off);
                    break;
                }
                sig += 8;
                siglen -= 8;
            }
            msg.len = 0;
            r = signed_message(key->type, t, note->data, note->text_len, &msg);
            if (r < 0) {
                r = prova__fail(reterr, r, "out_of_memory", "out of memory");
                break;
            }
            if (prova_key_verify(key->key, msg.data, msg.len, sig, siglen) != 0) goto bad;
            ok[k] = true;
            times[k] = t;
            any = true;
            continue;
        bad:
            /* SPEC: "If a signature from a known key fails to verify, clients SHOULD reject the whole note." */
            r = prova__tlog_fail(reterr, PROVA_EVERIFY, "note_signature_invalid",
                                 "a signature by a known key does not verify", note->data, note->len, s->line_off);
            break;
        }
    }
    if (r == 0 && !any)
        r = prova__fail(reterr, PROVA_EVERIFY, "note_no_trusted_signature", "no signature by a known key");
    if (r == 0) {
        if (ret_verified) memcpy(ret_verified, ok, nkeys * sizeof *ok);
        if (ret_times) memcpy(ret_times, times, nkeys * sizeof *times);
    }
done:
    free(ok);
    free(times);
    prova_buf_free(&msg);
    return r;
}

int prova_note_open(const void *data, size_t len, const prova_note_key *const *keys, size_t nkeys, bool *ret_verified,
                    prova_note **ret_note, prova_error *reterr) {
    prova_note *n = NULL;
    int r = prova_note_parse(data, len, &n, reterr);
    if (r < 0) return r;
    r = prova_note_verify(n, keys, nkeys, ret_verified, NULL, reterr);
    if (r == 0 && ret_note)
        *ret_note = n;
    else
        prova_note_free(n);
    return r;
}

static int check_text(const uint8_t *text, size_t len, prova_error *reterr) {
    if (len == 0 || text[len - 1] != '\n')
        return prova__fail(reterr, PROVA_ESYNTAX, "note_text_invalid", "note text is non-empty and ends in newline");
    return prova__note_check_chars(text, len, text, len, reterr);
}

int prova_note_signature_write(const void *vtext, size_t len, const prova_note_key *key, uint64_t timestamp,
                               prova_buf *out, prova_error *reterr) {
    const uint8_t *text = vtext;
    if (!text || !key || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (!key->is_private) return prova__fail(reterr, PROVA_EKEY, "key_not_private", "signing needs a private key");
    if (len > PROVA_NOTE_MAX_BYTES)
        return prova__fail(reterr, PROVA_ELIMIT, "note_too_large", "the note is larger than PROVA_NOTE_MAX_BYTES");
    if (key->type == PROVA_NOTE_COSIGNATURE_V1 && timestamp > (uint64_t)INT64_MAX)
        return prova__fail(reterr, PROVA_ERANGE, "note_cosignature_time_invalid", "a timestamp above 2^63-1");
    int r = check_text(text, len, reterr);
    if (r < 0) return r;
    prova_buf msg = PROVA_BUF_INIT;
    uint8_t raw[4 + 8 + PROVA_SIG_MAX_BYTES];
    size_t rawlen = 4, siglen = 0;
    put_u32(raw, key->id);
    if (key->type == PROVA_NOTE_COSIGNATURE_V1) {
        for (int b = 0; b < 8; b++) raw[4 + b] = (uint8_t)(timestamp >> (56 - 8 * b));
        rawlen += 8;
    }
    r = signed_message(key->type, timestamp, text, len, &msg);
    if (r == 0) r = prova_key_sign(key->key, msg.data, msg.len, raw + rawlen, &siglen);
    prova_buf_free(&msg);
    if (r < 0) return prova__fail(reterr, r, r == PROVA_ENOMEM ? "out_of_memory" : "sign_failed", "signing failed");
    rawlen += siglen;
    size_t start = out->len;
    r = prova_buf_append(out, PROVA__NOTE_DASH, PROVA__NOTE_DASH_LEN);
    if (r == 0) r = prova_buf_append(out, key->name, key->name_len);
    if (r == 0) r = prova_buf_append(out, " ", 1);
    if (r == 0) r = prova__buf_base64(out, raw, rawlen, false);
    if (r == 0) r = prova_buf_append(out, "\n", 1);
    if (r < 0) {
        out->len = start;
        return prova__fail(reterr, r, "out_of_memory", "out of memory");
    }
    return 0;
}

int prova_note_sign(const void *text, size_t len, const prova_note_key *key, uint64_t timestamp, prova_buf *out,
                    prova_error *reterr) {
    if (!text || !out) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    size_t start = out->len;
    int r = prova_buf_append(out, text, len);
    if (r == 0) r = prova_buf_append(out, "\n", 1);
    if (r < 0) {
        out->len = start;
        return prova__fail(reterr, r, "out_of_memory", "out of memory");
    }
    r = prova_note_signature_write(text, len, key, timestamp, out, reterr);
    if (r < 0) out->len = start;
    return r;
}
