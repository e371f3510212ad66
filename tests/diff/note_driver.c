/* A tiny command-line face of prova/note.h for tests/diff/note_cross.py (an independent implementation in Python
 * checks what prova signs, and prova checks what Python signs). The note or text is read from stdin.
 *   note_driver sign SKEY TIME       stdin: note text   stdout: the signed note
 *   note_driver cosign SKEY TIME     stdin: signed note stdout: the note with SKEY's signature line appended
 *   note_driver verify VKEY...       stdin: signed note stdout: one line per key, 1 when it verified, 0 otherwise
 * Exit status: 0 done, 1 does not verify (the reason on stderr), 2 usage or input error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prova/note.h"

static char *slurp(size_t *ret_len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    *ret_len = n;
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: note_driver sign|cosign SKEY TIME | verify VKEY...\n");
        return 2;
    }
    size_t len = 0;
    char *in = slurp(&len);
    if (!in) return 2;
    prova_error err;
    int rc = 0;
    if (strcmp(argv[1], "sign") == 0 || strcmp(argv[1], "cosign") == 0) {
        prova_note_key *k = NULL;
        if (argc != 4 || prova_note_key_parse_private(argv[2], strlen(argv[2]), &k, &err) != 0) {
            fprintf(stderr, "bad key or usage\n");
            return 2;
        }
        uint64_t t = strtoull(argv[3], NULL, 10);
        prova_buf out = PROVA_BUF_INIT;
        int r;
        if (argv[1][0] == 's') {
            r = prova_note_sign(in, len, k, t, &out, &err);
        } else {
            prova_note *n = NULL;
            r = prova_note_parse(in, len, &n, &err);
            size_t tl = 0;
            const char *text = prova_note_text(n, &tl);
            if (r == 0) r = prova_buf_append(&out, in, len);
            if (r == 0) r = prova_note_signature_write(text, tl, k, t, &out, &err);
            prova_note_free(n);
        }
        if (r == 0)
            fwrite(out.data, 1, out.len, stdout);
        else
            fprintf(stderr, "%s\n", err.reason);
        rc = r == 0 ? 0 : 2;
        prova_buf_free(&out);
        prova_note_key_free(k);
    } else if (strcmp(argv[1], "verify") == 0) {
        size_t nk = (size_t)argc - 2;
        prova_note_key **keys = calloc(nk, sizeof *keys);
        bool *ok = calloc(nk, sizeof *ok);
        for (size_t i = 0; i < nk; i++) {
            if (prova_note_key_parse_vkey(argv[2 + i], strlen(argv[2 + i]), &keys[i], &err) != 0) {
                fprintf(stderr, "bad vkey %s: %s\n", argv[2 + i], err.reason);
                return 2;
            }
        }
        int r = prova_note_open(in, len, (const prova_note_key *const *)keys, nk, ok, NULL, &err);
        if (r == 0) {
            for (size_t i = 0; i < nk; i++) printf("%d\n", ok[i] ? 1 : 0);
        } else {
            fprintf(stderr, "%s\n", err.reason);
            rc = r == PROVA_EVERIFY ? 1 : 2;
        }
        for (size_t i = 0; i < nk; i++) prova_note_key_free(keys[i]);
        free(keys);
        free(ok);
    } else {
        rc = 2;
    }
    free(in);
    return rc;
}
