/* Unit tests for prova/note.h and prova/checkpoint.h: signed notes, vkeys and private keys, cosignature/v1,
 * checkpoints, tlog-policy and tlog-proof files.
 * Vectors: Tessera's checkpoints (tests/data/tlog/tessera, from transparency-dev/tessera's testdata log, with its
 * published key pair), the examples of c2sp.org/signed-note, and a cosignature pinned by an independent
 * implementation (python3-cryptography; tests/diff/note_cross.py re-checks it and more).
 *   usage: test_note DATA_DIR */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/checkpoint.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/note.h"

static const char *data_dir;

#define TESSERA_VKEY "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
#define TESSERA_SKEY "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg"
#define SPEC_VKEY    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define SPEC_NOTE                                                                                                      \
    "This is an example message.\n\n"                                                                                  \
    "\xE2\x80\x94 example.com/foo "                                                                                    \
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
#define QUASIMODO_NOTE                                                                                                 \
    "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \xC3\xA8 subito sera.\n\n"             \
    "\xE2\x80\x94 quasimodo.example/salvatore "                                                                        \
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
/* A cosigner with the seed 00 01 .. 1f, and its cosignature/v1 of Tessera's checkpoint.3 at time 1700000000, as
 * python3-cryptography computes it (tests/diff/note_cross.py). */
#define W1_SKEY "PRIVATE+KEY+witness.example/w1+e75f6532+BAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
#define W1_VKEY "witness.example/w1+e75f6532+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
#define W1_COSIG_CP3                                                                                                   \
    "\xE2\x80\x94 witness.example/w1 519lMgAAAABlU/EA0DcHQXq4P6NaWZBCz570GpLYoPzXnNYQ7WvOFrotCPAwg8yvkVDzoq3nrNNE8Zcy" \
    "T+L0eJHypJNvHOInS8q7Dg==\n"

/* ---- helpers ------------------------------------------------------------------------------------------------- */

static char *read_file(const char *name, size_t *ret_len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/tlog/tessera/%s", data_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    char *buf = malloc(4096);
    size_t n = fread(buf, 1, 4095, f);
    fclose(f);
    buf[n] = '\0';
    *ret_len = n;
    return buf;
}

static prova_note_key *vkey(const char *text) {
    prova_note_key *k = NULL;
    prova_error err;
    if (prova_note_key_parse_vkey(text, strlen(text), &k, &err) != 0) {
        fprintf(stderr, "vkey %s: %s\n", text, err.reason);
        exit(2);
    }
    return k;
}

static prova_note_key *skey(const char *text) {
    prova_note_key *k = NULL;
    prova_error err;
    if (prova_note_key_parse_private(text, strlen(text), &k, &err) != 0) {
        fprintf(stderr, "skey %s: %s\n", text, err.reason);
        exit(2);
    }
    return k;
}

static prova_note_key *genkey(const char *name, prova_note_type type) {
    prova_note_key *k = NULL;
    if (prova_note_key_generate(name, strlen(name), type, &k, NULL) != 0) exit(2);
    return k;
}

/* The reason a note fails to parse ("ok" when it parses). */
static const char *note_reason(const char *s, size_t n) {
    prova_note *note = NULL;
    prova_error err;
    int r = prova_note_parse(s, n, &note, &err);
    prova_note_free(note);
    return r == 0 ? "ok" : err.reason;
}
#define NOTE_REASON(lit) note_reason(lit, sizeof lit - 1)

static const char *cp_reason(const char *s) {
    prova_checkpoint *cp = NULL;
    prova_error err;
    int r = prova_checkpoint_parse(s, strlen(s), &cp, &err);
    prova_checkpoint_free(cp);
    return r == 0 ? "ok" : err.reason;
}

static const char *policy_reason(const char *s, int *ret_status) {
    prova_tlog_policy *p = NULL;
    prova_error err;
    int r = prova_tlog_policy_parse(s, strlen(s), &p, &err);
    prova_tlog_policy_free(p);
    if (ret_status) *ret_status = r;
    return r == 0 ? "ok" : err.reason;
}

static const char *proof_reason(const char *s, size_t n) {
    prova_tlog_proof *p = NULL;
    prova_error err;
    int r = prova_tlog_proof_parse(s, n, &p, &err);
    prova_tlog_proof_free(p);
    return r == 0 ? "ok" : err.reason;
}

/* RFC 6962 §2.1 in the test, independently of the library: leaf and node hashes, MTH and PATH. */
static void sha256(const void *d, size_t n, uint8_t out[32]) {
    uint8_t h[PROVA_HASH_MAX_BYTES];
    if (prova_hash_compute(PROVA_HASH_SHA256, d, n, h) != 0) exit(2);
    memcpy(out, h, 32);
}
static void node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32]) {
    uint8_t b[65];
    b[0] = 1;
    memcpy(b + 1, l, 32);
    memcpy(b + 33, r, 32);
    sha256(b, 65, out);
}
static size_t split(size_t n) {
    size_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
}
static void mth(uint8_t (*d)[32], size_t n, uint8_t out[32]) {
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    size_t k = split(n);
    uint8_t l[32], r[32];
    mth(d, k, l);
    mth(d + k, n - k, r);
    node(l, r, out);
}
static size_t path(size_t m, uint8_t (*d)[32], size_t n, uint8_t (*out)[32]) {
    if (n == 1) return 0;
    size_t k = split(n), c;
    if (m < k) {
        c = path(m, d, k, out);
        mth(d + k, n - k, out[c]);
    } else {
        c = path(m - k, d + k, n - k, out);
        mth(d, k, out[c]);
    }
    return c + 1;
}

/* ---- keys ---------------------------------------------------------------------------------------------------- */

static void test_keys(void) {
    prova_note_key *sk = skey(TESSERA_SKEY), *vk = vkey(TESSERA_VKEY);
    prova_buf b = PROVA_BUF_INIT;
    /* The vkey derived from Tessera's private key is its published verifier key. */
    CHECK(prova_note_key_write_vkey(sk, &b) == 0);
    CHECK(b.len == strlen(TESSERA_VKEY) && memcmp(b.data, TESSERA_VKEY, b.len) == 0);
    b.len = 0;
    CHECK(prova_note_key_write_private(sk, &b) == 0);
    CHECK(b.len == strlen(TESSERA_SKEY) && memcmp(b.data, TESSERA_SKEY, b.len) == 0);
    prova_mem_wipe(b.data, b.len);
    b.len = 0;
    CHECK(prova_note_key_write_private(vk, &b) == PROVA_EKEY);
    CHECK(prova_note_key_id(vk) == 0x33d7b496u);
    CHECK(prova_note_key_type(vk) == PROVA_NOTE_ED25519);
    CHECK(prova_note_key_is_private(sk) && !prova_note_key_is_private(vk));
    size_t nl = 0;
    CHECK_STR(prova_note_key_name(vk, &nl), "example.com/log/testdata");
    CHECK(nl == 24);
    prova_note_key_free(sk);
    prova_note_key_free(vk);

    prova_note_key *spec = vkey(SPEC_VKEY);
    CHECK(prova_note_key_write_vkey(spec, &b) == 0);
    CHECK(b.len == strlen(SPEC_VKEY) && memcmp(b.data, SPEC_VKEY, b.len) == 0);
    prova_note_key_free(spec);

    /* Generated keys round-trip through both text forms. */
    prova_note_key *g = genkey("witness.example/gen", PROVA_NOTE_COSIGNATURE_V1), *g2 = NULL, *g3 = NULL;
    b.len = 0;
    CHECK(prova_note_key_write_private(g, &b) == 0);
    CHECK(prova_note_key_parse_private((const char *)b.data, b.len, &g2, NULL) == 0);
    prova_mem_wipe(b.data, b.len);
    b.len = 0;
    CHECK(prova_note_key_write_vkey(g, &b) == 0);
    CHECK(prova_note_key_parse_vkey((const char *)b.data, b.len, &g3, NULL) == 0);
    CHECK(prova_note_key_id(g) == prova_note_key_id(g2) && prova_note_key_id(g) == prova_note_key_id(g3));
    CHECK(prova_note_key_type(g3) == PROVA_NOTE_COSIGNATURE_V1);
    prova_note_key_free(g);
    prova_note_key_free(g2);
    prova_note_key_free(g3);
    prova_buf_free(&b);

    /* Malformed keys, each with its reason. */
    static const struct {
        const char *text, *reason;
        int status;
    } bad[] = {
        {"example.com/foo", "vkey_malformed", PROVA_ESYNTAX},
        {"example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey_malformed", PROVA_ESYNTAX},
        {"example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey_malformed", PROVA_ESYNTAX},
        {"+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey_name_invalid", PROVA_ESYNTAX},
        {"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2", "vkey_bad_base64", PROVA_ESYNTAX},
        {"example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey_id_mismatch", PROVA_ESYNTAX},
        {"example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "vkey_id_mismatch", PROVA_ESYNTAX},
        {"example.com/foo+530d903a+AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "vkey_unsupported_type",
         PROVA_EUNSUPPORTED},
        {"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2kAA==", "vkey_malformed", PROVA_ESYNTAX},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prova_note_key *k = NULL;
        prova_error err;
        int r = prova_note_key_parse_vkey(bad[i].text, strlen(bad[i].text), &k, &err);
        CHECK_MSG(r == bad[i].status && strcmp(err.reason, bad[i].reason) == 0, "%s: %d %s, want %s", bad[i].text, r,
                  r ? err.reason : "ok", bad[i].reason);
        CHECK(k == NULL);
    }
    prova_note_key *k = NULL;
    prova_error err;
    CHECK(prova_note_key_parse_private(TESSERA_VKEY, strlen(TESSERA_VKEY), &k, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "skey_malformed");
    CHECK(prova_note_key_generate("a b", 3, PROVA_NOTE_ED25519, &k, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "note_key_name_invalid");
    CHECK(prova_note_key_generate("a+b", 3, PROVA_NOTE_ED25519, &k, &err) == PROVA_ESYNTAX);
    CHECK(prova_note_key_generate("a\xC2\xA0"
                                  "b",
                                  4, PROVA_NOTE_ED25519, &k, &err) == PROVA_ESYNTAX);
    CHECK(prova_note_key_generate("a\xE3\x80\x80"
                                  "b",
                                  5, PROVA_NOTE_ED25519, &k, &err) == PROVA_ESYNTAX);
    CHECK(prova_note_key_generate("ab", 2, (prova_note_type)2, &k, &err) == PROVA_EUNSUPPORTED);
    CHECK(k == NULL);
}

/* ---- Tessera's checkpoints ----------------------------------------------------------------------------------- */

static void test_tessera(void) {
    prova_note_key *vk = vkey(TESSERA_VKEY), *sk = skey(TESSERA_SKEY);
    for (int i = -1; i < 16; i++) {
        char name[32];
        if (i < 0)
            snprintf(name, sizeof name, "checkpoint");
        else
            snprintf(name, sizeof name, "checkpoint.%d", i);
        size_t len = 0;
        char *data = read_file(name, &len);
        prova_checkpoint *cp = NULL;
        prova_error err;
        int r = prova_checkpoint_verify(data, len, vk, NULL, 0, &cp, NULL, &err);
        CHECK_MSG(r == 0, "%s: %s", name, r ? err.reason : "ok");
        if (r == 0) {
            CHECK(prova_checkpoint_size(cp) == (uint64_t)(i < 0 ? 15 : i));
            CHECK_STR(prova_checkpoint_origin(cp, NULL), "example.com/log/testdata");
            /* The body written again from its parts is the note's text. */
            uint8_t root[32];
            prova_checkpoint_root(cp, root);
            prova_buf body = PROVA_BUF_INIT, again = PROVA_BUF_INIT;
            CHECK(prova_checkpoint_write("example.com/log/testdata", 24, prova_checkpoint_size(cp), root, NULL, 0,
                                         &body, NULL) == 0);
            CHECK(body.len < len && memcmp(body.data, data, body.len) == 0 && data[body.len] == '\n');
            /* Ed25519 is deterministic: re-signing the body with Tessera's private key reproduces the file. */
            CHECK(prova_note_sign(body.data, body.len, sk, 0, &again, NULL) == 0);
            CHECK_MSG(again.len == len && memcmp(again.data, data, len) == 0, "%s re-signed differs", name);
            prova_buf_free(&body);
            prova_buf_free(&again);
        }
        prova_checkpoint_free(cp);
        /* Signed by another key of the same name: its signature is ignored, so nothing trusted signed. */
        prova_note_key *other = genkey("example.com/log/testdata", PROVA_NOTE_ED25519);
        CHECK(prova_checkpoint_verify(data, len, other, NULL, 0, NULL, NULL, &err) == PROVA_EVERIFY);
        CHECK_STR(err.reason, "note_no_trusted_signature");
        prova_note_key_free(other);
        free(data);
    }
    prova_note_key_free(vk);
    prova_note_key_free(sk);
}

/* ---- the spec's examples ------------------------------------------------------------------------------------- */

static void test_spec_examples(void) {
    prova_note_key *k = vkey(SPEC_VKEY);
    prova_note *n = NULL;
    bool ok[1] = {false};
    prova_error err;
    CHECK(prova_note_open(SPEC_NOTE, sizeof SPEC_NOTE - 1, (const prova_note_key *const *)&k, 1, ok, &n, &err) == 0);
    CHECK(ok[0]);
    size_t tl = 0;
    const char *text = prova_note_text(n, &tl);
    CHECK(tl == 28 && memcmp(text, "This is an example message.\n", 28) == 0);
    CHECK(prova_note_signature_count(n) == 1 && prova_note_signature_id(n, 0) == 0x530d903au);
    prova_note_free(n);
    /* The poem: blank lines in the text, a signer we do not know. */
    CHECK(prova_note_parse(QUASIMODO_NOTE, sizeof QUASIMODO_NOTE - 1, &n, &err) == 0);
    text = prova_note_text(n, &tl);
    CHECK(tl == 88 && memcmp(text + 75, "subito sera.\n", 13) == 0);
    size_t nl = 0;
    const char *sname = prova_note_signature_name(n, 0, &nl);
    CHECK(nl == 27 && memcmp(sname, "quasimodo.example/salvatore", 27) == 0);
    CHECK(prova_note_verify(n, (const prova_note_key *const *)&k, 1, NULL, NULL, &err) == PROVA_EVERIFY);
    CHECK_STR(err.reason, "note_no_trusted_signature");
    prova_note_free(n);
    prova_note_key_free(k);
}

/* ---- cosignatures -------------------------------------------------------------------------------------------- */

static void test_cosignature(void) {
    size_t len = 0;
    char *cp3 = read_file("checkpoint.3", &len);
    size_t body_len = (size_t)(strstr(cp3, "\n\n") - cp3) + 1;
    prova_note_key *w1 = skey(W1_SKEY), *w1v = vkey(W1_VKEY), *log = vkey(TESSERA_VKEY);
    /* The fixed vector: byte for byte what python3-cryptography computes. */
    prova_buf line = PROVA_BUF_INIT;
    CHECK(prova_note_signature_write(cp3, body_len, w1, 1700000000u, &line, NULL) == 0);
    CHECK_MSG(line.len == sizeof W1_COSIG_CP3 - 1 && memcmp(line.data, W1_COSIG_CP3, line.len) == 0, "%.*s",
              (int)line.len, (const char *)line.data);
    /* Appended to the checkpoint, it verifies as a witness of the log. */
    prova_buf note = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&note, cp3, len) == 0 && prova_buf_append(&note, line.data, line.len) == 0);
    const prova_note_key *keys[2] = {log, w1v};
    bool ok[2] = {false, false};
    uint64_t times[2] = {1, 1};
    prova_note *n = NULL;
    CHECK(prova_note_parse(note.data, note.len, &n, NULL) == 0);
    CHECK(prova_note_verify(n, keys, 2, ok, times, NULL) == 0);
    CHECK(ok[0] && ok[1] && times[0] == 0 && times[1] == 1700000000u);
    prova_note_free(n);
    bool wit[1] = {false};
    CHECK(prova_checkpoint_verify(note.data, note.len, log, (const prova_note_key *const *)&w1v, 1, NULL, wit, NULL) ==
          0);
    CHECK(wit[0]);
    /* Only the witness known, not the log: checkpoint_not_signed_by_log through a wrong-name check first. */
    prova_error err;
    CHECK(prova_checkpoint_verify(note.data, note.len, w1v, NULL, 0, NULL, NULL, &err) == PROVA_EVERIFY);
    CHECK_STR(err.reason, "checkpoint_origin_mismatch");
    /* A tampered cosignature from a known witness rejects the note. */
    char *bad = malloc(note.len);
    memcpy(bad, note.data, note.len);
    bad[note.len - 10] = bad[note.len - 10] == 'A' ? 'B' : 'A';
    CHECK(prova_checkpoint_verify(bad, note.len, log, (const prova_note_key *const *)&w1v, 1, NULL, NULL, &err) ==
          PROVA_EVERIFY);
    CHECK_STR(err.reason, "note_signature_invalid");
    CHECK(err.line == 6 && err.column == 1);
    free(bad);
    /* A cosigner key's signature checked as a plain Ed25519 one would not verify: the type is in the key ID. */
    CHECK(prova_note_signature_write(cp3, body_len, w1, (uint64_t)INT64_MAX + 1, &line, &err) == PROVA_ERANGE);
    prova_buf_free(&line);
    prova_buf_free(&note);

    /* A round trip with generated keys: a log signs, two witnesses cosign. */
    prova_note_key *lk = genkey("example.com/mylog", PROVA_NOTE_ED25519);
    prova_note_key *wa = genkey("wa.example", PROVA_NOTE_COSIGNATURE_V1), *wb = genkey("wb.example", 4);
    uint8_t root[32] = {1, 2, 3};
    prova_buf body = PROVA_BUF_INIT, signed_cp = PROVA_BUF_INIT;
    CHECK(prova_checkpoint_write("example.com/mylog", 17, 42, root, "ext one\n", 8, &body, NULL) == 0);
    CHECK(prova_note_sign(body.data, body.len, lk, 0, &signed_cp, NULL) == 0);
    CHECK(prova_note_signature_write(body.data, body.len, wa, 1, &signed_cp, NULL) == 0);
    CHECK(prova_note_signature_write(body.data, body.len, wb, (uint64_t)INT64_MAX, &signed_cp, NULL) == 0);
    const prova_note_key *ws[2] = {wa, wb};
    bool got[2] = {false, false};
    prova_checkpoint *cp = NULL;
    CHECK(prova_checkpoint_verify(signed_cp.data, signed_cp.len, lk, ws, 2, &cp, got, NULL) == 0);
    CHECK(got[0] && got[1]);
    size_t el = 0;
    CHECK_STR(prova_checkpoint_extensions(cp, &el), "ext one\n");
    CHECK(prova_checkpoint_size(cp) == 42);
    prova_checkpoint_free(cp);
    prova_buf_free(&body);
    prova_buf_free(&signed_cp);
    prova_note_key_free(lk);
    prova_note_key_free(wa);
    prova_note_key_free(wb);
    prova_note_key_free(w1);
    prova_note_key_free(w1v);
    prova_note_key_free(log);
    free(cp3);
}

/* ---- malformed notes and limits ------------------------------------------------------------------------------ */

static void test_malformed_notes(void) {
    CHECK_STR(NOTE_REASON(SPEC_NOTE), "ok");
    CHECK_STR(NOTE_REASON("text\n\xE2\x80\x94 k AAAAAAA=\n"), "note_no_blank_line");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 k AAAA!AAA\n"), "note_bad_base64");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 k AAAAAAA\n"), "note_bad_base64");
    CHECK_STR(NOTE_REASON("text\n\n- k AAAAAAA=\n"), "note_signature_line_malformed");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94k AAAAAAA=\n"), "note_signature_line_malformed");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 kAAAAAAA=\n"), "note_signature_line_malformed");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 k AAAAAAA=\njunk\n"), "note_signature_line_malformed");
    CHECK_STR(NOTE_REASON("te\rxt\n\n\xE2\x80\x94 k AAAAAAA=\n"), "note_control_character");
    CHECK_STR(NOTE_REASON("te\txt\n\n\xE2\x80\x94 k AAAAAAA=\n"), "note_control_character");
    CHECK_STR(NOTE_REASON("te\0xt\n\n\xE2\x80\x94 k AAAAAAA=\n"), "note_control_character");
    CHECK_STR(NOTE_REASON("te\xC3xt\n\n\xE2\x80\x94 k AAAAAAA=\n"), "note_invalid_utf8");
    CHECK_STR(NOTE_REASON("te\xED\xA0\x80xt\n\n\xE2\x80\x94 k AAAAAAA=\n"), "note_invalid_utf8");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 k AAAAAAA="), "note_trailing_data");
    CHECK_STR(NOTE_REASON("text\n\n"), "note_no_signatures");
    CHECK_STR(NOTE_REASON("\n\xE2\x80\x94 k AAAAAAA=\n"), "note_text_empty");
    CHECK_STR(NOTE_REASON(""), "note_trailing_data");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 a+b AAAAAAA=\n"), "note_key_name_invalid");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 a\xC2\xA0"
                          "b AAAAAAA=\n"),
              "note_key_name_invalid");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94  AAAAAAA=\n"), "note_key_name_invalid");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 k AAAAAA==\n"), "note_signature_short");
    CHECK_STR(NOTE_REASON("text\n\n\xE2\x80\x94 k \n"), "note_signature_short");
    /* The last blank line separates: a blank line inside the text is text. */
    CHECK_STR(NOTE_REASON("a\n\nb\n\n\xE2\x80\x94 k AAAAAAA=\n"), "ok");
    CHECK_STR(NOTE_REASON("a\n\nb\n\n\xE2\x80\x94 k AAAAAAA=\n\n\xE2\x80\x94 k AAAAAAA=\n"), "ok");
    /* The error points at the line. */
    prova_note *n = NULL;
    prova_error err;
    static const char two[] = "text\n\n\xE2\x80\x94 k AAAAAAA=\nbad\n";
    CHECK(prova_note_parse(two, sizeof two - 1, &n, &err) == PROVA_ESYNTAX);
    CHECK(err.line == 4 && err.column == 1 && err.offset == 21);

    /* 17 signatures, all by known keys, verify (the spec: at least 16); 100 are the maximum, 101 are refused. */
    static const char body[] = "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    prova_note_key *keys[17];
    prova_buf note = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&note, body, sizeof body - 1) == 0 && prova_buf_append(&note, "\n", 1) == 0);
    for (int i = 0; i < 17; i++) {
        char name[32];
        snprintf(name, sizeof name, "k%d.example", i);
        keys[i] = genkey(name, i % 2 ? PROVA_NOTE_COSIGNATURE_V1 : PROVA_NOTE_ED25519);
        CHECK(prova_note_signature_write(body, sizeof body - 1, keys[i], (uint64_t)i, &note, NULL) == 0);
    }
    bool ok[17];
    memset(ok, 0, sizeof ok);
    CHECK(prova_note_open(note.data, note.len, (const prova_note_key *const *)keys, 17, ok, NULL, &err) == 0);
    size_t nok = 0;
    for (int i = 0; i < 17; i++) nok += ok[i];
    CHECK(nok == 17);
    /* Only the last key known: the other 16 are ignored. */
    memset(ok, 0, sizeof ok);
    CHECK(prova_note_open(note.data, note.len, (const prova_note_key *const *)keys + 16, 1, ok, NULL, &err) == 0);
    CHECK(ok[0]);
    size_t one_line = 0;
    {
        const uint8_t *p = note.data + note.len - 1;
        while (*(p - 1) != '\n') p--;
        one_line = (size_t)(note.data + note.len - p);
    }
    prova_buf big = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&big, note.data, note.len) == 0);
    for (int i = 17; i < 100; i++) CHECK(prova_buf_append(&big, note.data + note.len - one_line, one_line) == 0);
    CHECK(prova_note_parse(big.data, big.len, &n, &err) == 0);
    CHECK(prova_note_signature_count(n) == 100);
    prova_note_free(n);
    CHECK(prova_buf_append(&big, note.data + note.len - one_line, one_line) == 0);
    CHECK(prova_note_parse(big.data, big.len, &n, &err) == PROVA_ELIMIT);
    CHECK_STR(err.reason, "note_too_many_signatures");
    /* Larger than 1 MiB. */
    char *huge = malloc(PROVA_NOTE_MAX_BYTES + 1);
    memset(huge, 'a', PROVA_NOTE_MAX_BYTES + 1);
    CHECK(prova_note_parse(huge, PROVA_NOTE_MAX_BYTES + 1, &n, &err) == PROVA_ELIMIT);
    CHECK_STR(err.reason, "note_too_large");
    free(huge);
    for (int i = 0; i < 17; i++) prova_note_key_free(keys[i]);
    prova_buf_free(&note);
    prova_buf_free(&big);

    /* Signing refuses what is not note text. */
    prova_note_key *k = genkey("k.example", PROVA_NOTE_ED25519);
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_note_sign("no newline", 10, k, 0, &out, &err) == PROVA_ESYNTAX && out.len == 0);
    CHECK_STR(err.reason, "note_text_invalid");
    CHECK(prova_note_sign("a\rb\n", 4, k, 0, &out, &err) == PROVA_ESYNTAX && out.len == 0);
    CHECK_STR(err.reason, "note_control_character");
    prova_note_key *pub = NULL;
    CHECK(prova_note_key_write_vkey(k, &out) == 0);
    CHECK(prova_note_key_parse_vkey((const char *)out.data, out.len, &pub, NULL) == 0);
    out.len = 0;
    CHECK(prova_note_sign("a\n", 2, pub, 0, &out, &err) == PROVA_EKEY);
    prova_note_key_free(pub);
    prova_note_key_free(k);
    prova_buf_free(&out);
}

/* ---- checkpoints --------------------------------------------------------------------------------------------- */

#define ROOT "Wqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk="

static void test_checkpoints(void) {
    CHECK_STR(cp_reason("o\n0\n" ROOT "\n"), "ok");
    CHECK_STR(cp_reason("o\n18446744073709551615\n" ROOT "\n"), "ok");
    CHECK_STR(cp_reason("o\n3\n" ROOT "\next\nmore ext\n"), "ok");
    CHECK_STR(cp_reason("o\n18446744073709551616\n" ROOT "\n"), "checkpoint_size_invalid");
    CHECK_STR(cp_reason("o\n03\n" ROOT "\n"), "checkpoint_size_invalid");
    CHECK_STR(cp_reason("o\n-3\n" ROOT "\n"), "checkpoint_size_invalid");
    CHECK_STR(cp_reason("o\n3 \n" ROOT "\n"), "checkpoint_size_invalid");
    CHECK_STR(cp_reason("o\n\n" ROOT "\n"), "checkpoint_size_invalid");
    CHECK_STR(cp_reason("o\n3\nWqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavK==\n"), "checkpoint_root_invalid");
    CHECK_STR(cp_reason("o\n3\nWqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk\n"), "checkpoint_root_invalid");
    CHECK_STR(cp_reason("o\n3\nWqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKkAAAA\n"), "checkpoint_root_invalid");
    CHECK_STR(cp_reason("o\n3\nWqx3HImawpLnS_Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=\n"), "checkpoint_root_invalid");
    CHECK_STR(cp_reason("\n3\n" ROOT "\n"), "checkpoint_origin_empty");
    CHECK_STR(cp_reason("o\n3\n" ROOT "\n\n"), "checkpoint_extension_empty");
    CHECK_STR(cp_reason("o\n3\n" ROOT "\na\n\nb\n"), "checkpoint_extension_empty");
    CHECK_STR(cp_reason("o\n3\n" ROOT), "checkpoint_truncated");
    CHECK_STR(cp_reason("o\n3\n" ROOT "\next"), "checkpoint_truncated");
    CHECK_STR(cp_reason("o\n3\n"), "checkpoint_truncated");
    CHECK_STR(cp_reason("o\x01\n3\n" ROOT "\n"), "note_control_character");
    prova_buf out = PROVA_BUF_INIT;
    uint8_t root[32] = {0};
    prova_error err;
    CHECK(prova_checkpoint_write("", 0, 1, root, NULL, 0, &out, &err) == PROVA_ESYNTAX && out.len == 0);
    CHECK(prova_checkpoint_write("o", 1, 1, root, "x\n\n", 3, &out, &err) == PROVA_ESYNTAX && out.len == 0);
    CHECK_STR(err.reason, "checkpoint_extension_empty");
    CHECK(prova_checkpoint_write("o", 1, 1, root, "x", 1, &out, &err) == PROVA_ESYNTAX && out.len == 0);
    CHECK(prova_checkpoint_write("o", 1, 0, root, NULL, 0, &out, &err) == 0);
    CHECK(out.len == 49 && memcmp(out.data, "o\n0\nAAAA", 8) == 0);
    prova_buf_free(&out);
}

/* Copies fmt to out with every '@' replaced by v. */
static void subst(const char *fmt, const char *v, char *out, size_t cap) {
    size_t n = 0, vl = strlen(v);
    for (; *fmt && n + vl + 1 < cap; fmt++) {
        if (*fmt == '@') {
            memcpy(out + n, v, vl);
            n += vl;
        } else {
            out[n++] = *fmt;
        }
    }
    out[n] = '\0';
}

/* ---- policies ------------------------------------------------------------------------------------------------ */

static void test_policies(void) {
    prova_note_key *log = genkey("example.com/log", PROVA_NOTE_ED25519);
    prova_note_key *w[6];
    char *vk[6];
    for (int i = 0; i < 6; i++) {
        char name[32];
        snprintf(name, sizeof name, "w%d.example", i);
        w[i] = genkey(name, PROVA_NOTE_COSIGNATURE_V1);
        prova_buf b = PROVA_BUF_INIT;
        CHECK(prova_note_key_write_vkey(w[i], &b) == 0 && prova_buf_append(&b, "", 1) == 0);
        vk[i] = (char *)b.data;
    }
    prova_buf lb = PROVA_BUF_INIT;
    CHECK(prova_note_key_write_vkey(log, &lb) == 0 && prova_buf_append(&lb, "", 1) == 0);
    const char *lv = (const char *)lb.data;
    char pol[8192];
    snprintf(pol, sizeof pol,
             "# the spec's example\n"
             "log %s https://log.example/\n\n"
             "witness X1 %s\n\twitness X2   %s  https://x2.example/\n"
             "witness X3 %s\ngroup X-witnesses 2 X1 X2 X3\n   # indented comment\n"
             "witness Y1 %s\nwitness Y2 %s\ngroup Y-witnesses any Y1 Y2\n"
             "group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y",
             lv, vk[0], vk[1], vk[2], vk[3], vk[4]);
    prova_tlog_policy *p = NULL;
    prova_error err;
    int r = prova_tlog_policy_parse(pol, strlen(pol), &p, &err);
    CHECK_MSG(r == 0, "%s line %zu", r ? err.reason : "", err.line);
    if (r == 0) {
        CHECK(prova_tlog_policy_log_count(p) == 1 && prova_tlog_policy_witness_count(p) == 5);
        CHECK_STR(prova_tlog_policy_witness_name(p, 1), "X2");
        static const struct {
            bool w[5];
            bool met;
        } cases[] = {
            {{1, 1, 0, 1, 0}, true},  {{1, 1, 1, 1, 1}, true}, {{1, 0, 0, 1, 0}, false},
            {{1, 1, 1, 0, 0}, false}, {{0, 1, 1, 0, 1}, true}, {{0, 0, 0, 0, 0}, false},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            bool met = !cases[i].met;
            CHECK(prova_tlog_policy_quorum(p, cases[i].w, &met) == 0);
            CHECK_MSG(met == cases[i].met, "quorum case %zu", i);
        }
        /* A checkpoint signed by the log and cosigned by X1, X2 and Y2 meets the quorum; by X1, Y1 it does not. */
        static const char body[] = "example.com/log\n7\n" ROOT "\n";
        prova_buf cp = PROVA_BUF_INIT;
        CHECK(prova_note_sign(body, sizeof body - 1, log, 0, &cp, NULL) == 0);
        size_t base = cp.len;
        CHECK(prova_note_signature_write(body, sizeof body - 1, w[0], 10, &cp, NULL) == 0);
        CHECK(prova_note_signature_write(body, sizeof body - 1, w[3], 10, &cp, NULL) == 0);
        CHECK(prova_note_signature_write(body, sizeof body - 1, w[5], 10, &cp, NULL) == 0); /* unknown: ignored */
        CHECK(prova_tlog_policy_verify_checkpoint(p, NULL, cp.data, cp.len, NULL, &err) == PROVA_EVERIFY);
        CHECK_STR(err.reason, "policy_quorum_not_met");
        CHECK(prova_note_signature_write(body, sizeof body - 1, w[1], 11, &cp, NULL) == 0);
        prova_checkpoint *c = NULL;
        CHECK(prova_tlog_policy_verify_checkpoint(p, NULL, cp.data, cp.len, &c, &err) == 0);
        CHECK(prova_checkpoint_size(c) == 7);
        prova_checkpoint_free(c);
        /* Only witnesses, no log signature. */
        prova_buf nolog = PROVA_BUF_INIT;
        CHECK(prova_buf_append(&nolog, body, sizeof body - 1) == 0 && prova_buf_append(&nolog, "\n", 1) == 0);
        CHECK(prova_buf_append(&nolog, cp.data + base, cp.len - base) == 0);
        CHECK(prova_tlog_policy_verify_checkpoint(p, NULL, nolog.data, nolog.len, NULL, &err) == PROVA_EVERIFY);
        CHECK_STR(err.reason, "checkpoint_not_signed_by_log");
        prova_buf_free(&nolog);
        /* Another origin. */
        prova_buf other = PROVA_BUF_INIT;
        prova_note_key *ol = genkey("example.com/other", PROVA_NOTE_ED25519);
        CHECK(prova_note_sign("example.com/other\n7\n" ROOT "\n", 18 + 2 + 45, ol, 0, &other, NULL) == 0);
        CHECK(prova_tlog_policy_verify_checkpoint(p, NULL, other.data, other.len, NULL, &err) == PROVA_EVERIFY);
        CHECK_STR(err.reason, "policy_unknown_log");
        prova_note_key_free(ol);
        prova_buf_free(&other);
        prova_buf_free(&cp);
    }
    prova_tlog_policy_free(p);

    /* quorum none, no logs. */
    CHECK_STR(policy_reason("quorum none\n", NULL), "ok");
    /* Malformed policies, one reason each. */
    char line[4096];
    static const struct {
        const char *fmt, *reason;
    } bad[] = {
        {"witness X @\n", "policy_no_quorum"},
        {"quorum none\nquorum none\n", "policy_duplicate_quorum"},
        {"quorum X\n", "policy_undefined_name"},
        {"quorum X\nwitness X @\n", "policy_undefined_name"},
        {"logs @\nquorum none\n", "policy_unknown_keyword"},
        {"log\nquorum none\n", "policy_line_malformed"},
        {"witness X\nquorum none\n", "policy_line_malformed"},
        {"witness X @ url extra\nquorum none\n", "policy_line_malformed"},
        {"quorum\n", "policy_line_malformed"},
        {"log not-a-vkey\nquorum none\n", "policy_vkey_invalid"},
        {"witness X @\nwitness Y @\nquorum none\n", "policy_duplicate_witness"},
        {"witness X @\ngroup X any X\nquorum none\n", "policy_duplicate_name"},
        {"witness none @\nquorum none\n", "policy_reserved_name"},
        {"witness X @\ngroup G any X none\nquorum G\n", "policy_none_member"},
        {"witness X @\ngroup G any X X\nquorum G\n", "policy_duplicate_member"},
        {"witness X @\ngroup G 2 X\nquorum G\n", "policy_threshold_invalid"},
        {"witness X @\ngroup G 0 X\nquorum G\n", "policy_threshold_invalid"},
        {"witness X @\ngroup G 01 X\nquorum G\n", "policy_threshold_invalid"},
        {"witness X @\ngroup G any\nquorum G\n", "policy_line_malformed"},
        {"witness X @\ngroup G any Y\nquorum G\n", "policy_undefined_name"},
        {"witness X @\r\nquorum none\n", "policy_control_character"},
        {"witness X @\nquorum none\x0b\n", "policy_control_character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        subst(bad[i].fmt, vk[0], line, sizeof line);
        const char *got = policy_reason(line, NULL);
        CHECK_MSG(strcmp(got, bad[i].reason) == 0, "policy %zu: %s, want %s", i, got, bad[i].reason);
    }
    snprintf(line, sizeof line, "log %s\nlog %s\nquorum none\n", lv, lv);
    CHECK_STR(policy_reason(line, NULL), "policy_duplicate_log");
    snprintf(line, sizeof line, "log %s\nquorum none\n", vk[0]);
    CHECK_STR(policy_reason(line, NULL), "policy_key_type");
    snprintf(line, sizeof line, "witness X %s\nquorum none\n", lv);
    CHECK_STR(policy_reason(line, NULL), "policy_key_type");

    /* 32 logs, 32 witnesses and 32 groups (the spec's minimum) parse; 257 witnesses are too many. */
    prova_buf big = PROVA_BUF_INIT;
    for (int i = 0; i < 257; i++) {
        char name[32];
        prova_note_key *k = genkey("wk.example", PROVA_NOTE_COSIGNATURE_V1);
        prova_note_key *l = genkey("lk.example", PROVA_NOTE_ED25519);
        snprintf(name, sizeof name, "%switness W%d ", i < 32 ? "log " : "", i);
        if (i < 32) {
            CHECK(prova_buf_append(&big, "log ", 4) == 0 && prova_note_key_write_vkey(l, &big) == 0);
            CHECK(prova_buf_append(&big, "\n", 1) == 0);
        }
        snprintf(name, sizeof name, "witness W%d ", i);
        CHECK(prova_buf_append(&big, name, strlen(name)) == 0 && prova_note_key_write_vkey(k, &big) == 0);
        CHECK(prova_buf_append(&big, "\n", 1) == 0);
        if (i < 32) {
            snprintf(name, sizeof name, "group G%d any W%d\n", i, i);
            CHECK(prova_buf_append(&big, name, strlen(name)) == 0);
        }
        if (i == 31) {
            prova_buf copy = PROVA_BUF_INIT;
            CHECK(prova_buf_append(&copy, big.data, big.len) == 0);
            CHECK(prova_buf_append(&copy, "quorum G31\n", 12) == 0);
            p = NULL;
            CHECK(prova_tlog_policy_parse(copy.data, copy.len - 1, &p, &err) == 0);
            CHECK(prova_tlog_policy_log_count(p) == 32 && prova_tlog_policy_witness_count(p) == 32);
            prova_tlog_policy_free(p);
            prova_buf_free(&copy);
        }
        prova_note_key_free(k);
        prova_note_key_free(l);
    }
    CHECK(prova_buf_append(&big, "quorum none\n", 12) == 0);
    CHECK(prova_tlog_policy_parse(big.data, big.len, &p, &err) == PROVA_ELIMIT);
    CHECK_STR(err.reason, "policy_too_many_witnesses");
    prova_buf_free(&big);

    for (int i = 0; i < 6; i++) {
        prova_note_key_free(w[i]);
        free(vk[i]);
    }
    prova_note_key_free(log);
    prova_buf_free(&lb);
}

/* ---- tlog-proof ---------------------------------------------------------------------------------------------- */

static void test_proofs(void) {
    prova_note_key *log = genkey("example.com/proofs", PROVA_NOTE_ED25519);
    prova_note_key *wit = genkey("w.example", PROVA_NOTE_COSIGNATURE_V1);
    prova_buf pb = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&pb, "log ", 4) == 0 && prova_note_key_write_vkey(log, &pb) == 0);
    CHECK(prova_buf_append(&pb, "\nwitness W ", 11) == 0 && prova_note_key_write_vkey(wit, &pb) == 0);
    CHECK(prova_buf_append(&pb, "\nquorum W\n", 10) == 0);
    prova_tlog_policy *pol = NULL;
    CHECK(prova_tlog_policy_parse(pb.data, pb.len, &pol, NULL) == 0);

    enum { N = 13 };
    uint8_t leaves[N][32];
    for (int i = 0; i < N; i++) {
        uint8_t entry[2] = {0, (uint8_t)i}; /* 0x00 || the entry byte */
        sha256(entry, 2, leaves[i]);
    }
    for (size_t size = 1; size <= N; size++) {
        uint8_t root[32];
        mth(leaves, size, root);
        char origin[] = "example.com/proofs";
        prova_buf body = PROVA_BUF_INIT, cp = PROVA_BUF_INIT;
        CHECK(prova_checkpoint_write(origin, strlen(origin), size, root, NULL, 0, &body, NULL) == 0);
        CHECK(prova_note_sign(body.data, body.len, log, 0, &cp, NULL) == 0);
        CHECK(prova_note_signature_write(body.data, body.len, wit, 99, &cp, NULL) == 0);
        for (size_t m = 0; m < size; m++) {
            uint8_t hashes[64][32];
            size_t nh = path(m, leaves, size, hashes);
            prova_buf text = PROVA_BUF_INIT;
            const uint8_t extra[3] = {1, 2, 3};
            CHECK(prova_tlog_proof_write(m % 2 ? extra : NULL, m % 2 ? 3 : 0, m, hashes[0], nh, cp.data, cp.len, &text,
                                         NULL) == 0);
            prova_tlog_proof *p = NULL;
            prova_error err;
            int r = prova_tlog_proof_parse(text.data, text.len, &p, &err);
            CHECK_MSG(r == 0, "%s", r ? err.reason : "");
            if (r != 0) continue;
            CHECK(prova_tlog_proof_index(p) == m && prova_tlog_proof_hash_count(p) == nh);
            size_t el = 9;
            const uint8_t *ex = prova_tlog_proof_extra(p, &el);
            CHECK(m % 2 ? (ex && el == 3 && ex[2] == 3) : (ex == NULL && el == 0));
            size_t cl = 0;
            CHECK(prova_tlog_proof_checkpoint(p, &cl) && cl == cp.len);
            r = prova_tlog_proof_verify(p, pol, NULL, leaves[m], NULL, &err);
            CHECK_MSG(r == 0, "size %zu index %zu: %s", size, m, r ? err.reason : "");
            /* The wrong leaf, or a proof for another index, does not verify. */
            CHECK(prova_tlog_proof_verify(p, pol, NULL, leaves[(m + 1) % N], NULL, &err) == PROVA_EVERIFY);
            CHECK_STR(err.reason, "tlog_proof_inclusion_invalid");
            prova_tlog_proof_free(p);
            prova_buf_free(&text);
        }
        /* An index at the size. */
        prova_buf text = PROVA_BUF_INIT;
        prova_tlog_proof *p = NULL;
        prova_error err;
        CHECK(prova_tlog_proof_write(NULL, 0, size, NULL, 0, cp.data, cp.len, &text, NULL) == 0);
        CHECK(prova_tlog_proof_parse(text.data, text.len, &p, NULL) == 0);
        CHECK(prova_tlog_proof_verify(p, pol, NULL, leaves[0], NULL, &err) == PROVA_EVERIFY);
        CHECK_STR(err.reason, "tlog_proof_index_out_of_range");
        prova_tlog_proof_free(p);
        prova_buf_free(&text);
        prova_buf_free(&body);
        prova_buf_free(&cp);
    }

    /* Malformed proofs. */
    static const char cp[] = "o\n1\n" ROOT "\n\n\xE2\x80\x94 k AAAAAAA=\n";
    static const char h[] = ROOT "\n";
    char buf[8192];
#define PROOF(...) (snprintf(buf, sizeof buf, __VA_ARGS__), proof_reason(buf, strlen(buf)))
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nindex 0\n\n%s", cp), "ok");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nextra \nindex 0\n%s\n%s", h, cp), "ok");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v2\nindex 0\n\n%s", cp), "tlog_proof_header_invalid");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\n%s", cp), "tlog_proof_extra_invalid");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nindex 01\n\n%s", cp), "tlog_proof_index_invalid");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nindex -1\n\n%s", cp), "tlog_proof_index_invalid");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\n%s\n%s", h, cp), "tlog_proof_index_invalid");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\n%s", cp), "tlog_proof_hash_invalid");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nindex 0\n%s", h), "tlog_proof_truncated");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nindex 0\n\no\n1\n" ROOT "\n"), "note_no_blank_line");
    CHECK_STR(PROOF("c2sp.org/tlog-proof@v1\nindex 0\n\no\nx\n" ROOT "\n\n\xE2\x80\x94 k AAAAAAA=\n"),
              "checkpoint_size_invalid");
    prova_buf many = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&many, "c2sp.org/tlog-proof@v1\nindex 0\n", 31) == 0);
    for (int i = 0; i < 65; i++) CHECK(prova_buf_append(&many, h, sizeof h - 1) == 0);
    CHECK(prova_buf_append(&many, "\n", 1) == 0 && prova_buf_append(&many, cp, sizeof cp - 1) == 0);
    CHECK_STR(proof_reason((const char *)many.data, many.len), "tlog_proof_too_many_hashes");
    prova_buf_free(&many);
    /* Errors in the checkpoint point into the proof. */
    prova_tlog_proof *p = NULL;
    prova_error err;
    snprintf(buf, sizeof buf, "c2sp.org/tlog-proof@v1\nindex 0\n\no\n01\n" ROOT "\n\n\xE2\x80\x94 k AAAAAAA=\n");
    CHECK(prova_tlog_proof_parse(buf, strlen(buf), &p, &err) == PROVA_ESYNTAX);
    CHECK(err.line == 5 && err.column == 1);
    prova_tlog_policy_free(pol);
    prova_note_key_free(log);
    prova_note_key_free(wit);
    prova_buf_free(&pb);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    data_dir = argv[1];
    test_keys();
    test_tessera();
    test_spec_examples();
    test_cosignature();
    test_malformed_notes();
    test_checkpoints();
    test_policies();
    test_proofs();
    TEST_SUMMARY();
}
