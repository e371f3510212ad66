/* Transparency log checkpoints (c2sp.org/tlog-checkpoint): the note text of a log's tree head, parsed, written
 * and verified against the log's key and witnesses' cosignatures. */
#include <stdlib.h>
#include <string.h>

#include "note_internal.h"

size_t prova_checkpoint_hash_bytes(void) {
    return PROVA_CHECKPOINT_HASH_BYTES;
}

struct prova_checkpoint {
    char *origin; /* NUL-terminated */
    size_t origin_len;
    uint64_t size;
    uint8_t root[PROVA_CHECKPOINT_HASH_BYTES];
    char *ext; /* NUL-terminated; "" when none */
    size_t ext_len;
};

prova_checkpoint *prova_checkpoint_free(prova_checkpoint *cp) {
    if (!cp) return NULL;
    free(cp->origin);
    free(cp->ext);
    free(cp);
    return NULL;
}

#define CP_FAIL(reason, msg, off) prova__tlog_fail(reterr, PROVA_ESYNTAX, reason, msg, text, len, off)

int prova_checkpoint_parse(const void *vtext, size_t len, prova_checkpoint **ret_cp, prova_error *reterr) {
    const uint8_t *text = vtext;
    if ((!text && len) || !ret_cp) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (len > PROVA_NOTE_MAX_BYTES)
        return prova__fail(reterr, PROVA_ELIMIT, "note_too_large", "the text is larger than PROVA_NOTE_MAX_BYTES");
    int r = prova__note_check_chars(text, len, text, len, reterr);
    if (r < 0) return r;
    /* SPEC: c2sp.org/tlog-checkpoint: "a sequence of at least three non-empty lines, separated by newlines" (the
     * note text, which ends in a newline). */
    size_t lines[3][2]; /* offset, length */
    size_t pos = 0;
    for (int i = 0; i < 3; i++) {
        const uint8_t *eol = pos < len ? memchr(text + pos, '\n', len - pos) : NULL;
        if (!eol) return CP_FAIL("checkpoint_truncated", "a checkpoint has an origin, a size and a root line", len);
        lines[i][0] = pos;
        lines[i][1] = (size_t)(eol - text) - pos;
        pos = (size_t)(eol - text) + 1;
    }
    if (lines[0][1] == 0) return CP_FAIL("checkpoint_origin_empty", "the origin line is empty", 0);
    uint64_t size = 0;
    if (!prova__tlog_parse_u64((const char *)text + lines[1][0], lines[1][1], &size))
        return CP_FAIL("checkpoint_size_invalid", "the tree size is not a decimal without leading zeros", lines[1][0]);
    uint8_t root[PROVA_CHECKPOINT_HASH_BYTES + 3];
    size_t got = 0;
    if (lines[2][1] != 44 ||
        prova__base64_decode_public((const char *)text + lines[2][0], lines[2][1], root, sizeof root, &got, NULL) < 0 ||
        got != PROVA_CHECKPOINT_HASH_BYTES)
        return CP_FAIL("checkpoint_root_invalid", "the root hash is not the base64 of 32 bytes", lines[2][0]);
    /* SPEC: "Extension lines, if any, MUST be non-empty." */
    size_t ext_off = pos;
    for (size_t i = pos; i < len; i++) {
        if (text[i] == '\n' && (i == pos || text[i - 1] == '\n'))
            return CP_FAIL("checkpoint_extension_empty", "an empty extension line", i);
    }
    if (len > ext_off && text[len - 1] != '\n')
        return CP_FAIL("checkpoint_truncated", "the last extension line does not end in a newline", len);
    prova_checkpoint *cp = calloc(1, sizeof *cp);
    if (cp) {
        cp->origin = malloc(lines[0][1] + 1);
        cp->ext = malloc(len - ext_off + 1);
    }
    if (!cp || !cp->origin || !cp->ext) {
        prova_checkpoint_free(cp);
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    memcpy(cp->origin, text, lines[0][1]);
    cp->origin[lines[0][1]] = '\0';
    cp->origin_len = lines[0][1];
    cp->size = size;
    memcpy(cp->root, root, PROVA_CHECKPOINT_HASH_BYTES);
    if (len > ext_off) memcpy(cp->ext, text + ext_off, len - ext_off);
    cp->ext[len - ext_off] = '\0';
    cp->ext_len = len - ext_off;
    *ret_cp = cp;
    return 0;
}

const char *prova_checkpoint_origin(const prova_checkpoint *cp, size_t *ret_len) {
    if (ret_len) *ret_len = cp ? cp->origin_len : 0;
    return cp ? cp->origin : NULL;
}
uint64_t prova_checkpoint_size(const prova_checkpoint *cp) {
    return cp ? cp->size : 0;
}
void prova_checkpoint_root(const prova_checkpoint *cp, uint8_t out[PROVA_CHECKPOINT_HASH_BYTES]) {
    if (cp && out) memcpy(out, cp->root, PROVA_CHECKPOINT_HASH_BYTES);
}
const char *prova_checkpoint_extensions(const prova_checkpoint *cp, size_t *ret_len) {
    if (ret_len) *ret_len = cp ? cp->ext_len : 0;
    return cp ? cp->ext : NULL;
}

int prova_checkpoint_write(const char *origin, size_t origin_len, uint64_t size,
                           const uint8_t root[PROVA_CHECKPOINT_HASH_BYTES], const char *ext, size_t ext_len,
                           prova_buf *out, prova_error *reterr) {
    if (!origin || !root || (!ext && ext_len) || !out)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (origin_len == 0 || memchr(origin, '\n', origin_len))
        return prova__fail(reterr, PROVA_ESYNTAX, "checkpoint_origin_empty", "the origin is empty or has a newline");
    size_t start = out->len;
    char num[21];
    size_t nd = 0;
    uint64_t v = size;
    do {
        num[sizeof num - 1 - nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    int r = prova_buf_append(out, origin, origin_len);
    if (r == 0) r = prova_buf_append(out, "\n", 1);
    if (r == 0) r = prova_buf_append(out, num + sizeof num - nd, nd);
    if (r == 0) r = prova_buf_append(out, "\n", 1);
    if (r == 0) r = prova__buf_base64(out, root, PROVA_CHECKPOINT_HASH_BYTES, false);
    if (r == 0) r = prova_buf_append(out, "\n", 1);
    if (r == 0 && ext_len) r = prova_buf_append(out, ext, ext_len);
    if (r < 0) {
        out->len = start;
        return prova__fail(reterr, r, "out_of_memory", "out of memory");
    }
    /* What was written must read back: the same checks as the parser (UTF-8, control characters, extensions). */
    prova_checkpoint *cp = NULL;
    r = prova_checkpoint_parse(out->data + start, out->len - start, &cp, reterr);
    prova_checkpoint_free(cp);
    if (r < 0) out->len = start;
    return r;
}

int prova_checkpoint_verify(const void *note, size_t len, const prova_note_key *log_key,
                            const prova_note_key *const *witnesses, size_t nwitnesses, prova_checkpoint **ret_cp,
                            bool *ret_witnessed, prova_error *reterr) {
    if (!log_key || (!witnesses && nwitnesses))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_note *n = NULL;
    prova_checkpoint *cp = NULL;
    const prova_note_key **keys = NULL;
    bool *ok = NULL;
    int r = prova_note_parse(note, len, &n, reterr);
    if (r < 0) return r;
    size_t text_len = 0;
    const char *text = prova_note_text(n, &text_len);
    r = prova_checkpoint_parse(text, text_len, &cp, reterr);
    if (r < 0) goto done;
    /* SPEC: c2sp.org/tlog-checkpoint: "The log's key name in its signature line SHOULD match the origin line."
     * prova requires it (DESIGN.md: key name = origin), so a key cannot vouch for another log's checkpoints. */
    size_t kn = 0;
    const char *kname = prova_note_key_name(log_key, &kn);
    if (kn != cp->origin_len || memcmp(kname, cp->origin, kn) != 0) {
        r = prova__fail(reterr, PROVA_EVERIFY, "checkpoint_origin_mismatch", "the origin is not the log key's name");
        goto done;
    }
    keys = malloc((nwitnesses + 1) * sizeof *keys);
    ok = calloc(nwitnesses + 1, sizeof *ok);
    if (!keys || !ok) {
        r = prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        goto done;
    }
    keys[0] = log_key;
    for (size_t i = 0; i < nwitnesses; i++) keys[i + 1] = witnesses[i];
    r = prova_note_verify(n, keys, nwitnesses + 1, ok, NULL, reterr);
    if (r < 0) goto done;
    if (!ok[0]) {
        r = prova__fail(reterr, PROVA_EVERIFY, "checkpoint_not_signed_by_log", "the log's signature is missing");
        goto done;
    }
    if (ret_witnessed) memcpy(ret_witnessed, ok + 1, nwitnesses * sizeof *ok);
    if (ret_cp) {
        *ret_cp = cp;
        cp = NULL;
    }
done:
    free(keys);
    free(ok);
    prova_checkpoint_free(cp);
    prova_note_free(n);
    return r;
}
