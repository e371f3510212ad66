/* The witness (c2sp.org/tlog-witness): add-checkpoint's checks, the cosignature, and the per-origin state kept in
 * memory and in the state directory. witness.h for the contract; docs/tlog.md, "Witness". */
#define _DEFAULT_SOURCE /* flock, fsync of a directory */

#include "witness.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/merkle.h"
#include "text.h"

#define MAX_KEYS_PER_LOG 16U
#define MAX_CONFIG_FILE  ((size_t)1 << 20)

/* ---- Consistency proofs -------------------------------------------------------------------------------------- */

/* SPEC: RFC 6962 §2.1: the hash of an empty tree is the hash of the empty string. */
static const uint8_t empty_root[WITNESS_HASH_BYTES] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                                                       0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                                                       0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};

bool witness_consistency_ok(uint64_t size1, uint64_t size2, const uint8_t root1[WITNESS_HASH_BYTES],
                            const uint8_t root2[WITNESS_HASH_BYTES], const uint8_t *proof, size_t n) {
    if (size1 == 0) /* a proof from the empty tree is meaningless; the empty tree has one root */
        return size2 == 0 && n == 0 && prova_ct_equal(root1, empty_root, WITNESS_HASH_BYTES) &&
               prova_ct_equal(root2, empty_root, WITNESS_HASH_BYTES);
    return prova_merkle_consistency_verify(size1, size2, root1, root2, (const uint8_t(*)[PROVA_MERKLE_HASH_BYTES])proof,
                                           n, NULL) == 0;
}

/* ---- The add-checkpoint body ------------------------------------------------------------------------------- */

int witness_parse_request(const uint8_t *body, size_t len, witness_request *ret, const char **ret_reason) {
    memset(ret, 0, sizeof *ret);
    *ret_reason = "";
    if (len > WITNESS_MAX_BODY) return *ret_reason = "witness_body_too_large", PROVA_ELIMIT;
    const uint8_t *p = body, *end = body + len;
    const uint8_t *nl = memchr(p, '\n', len);
    /* SPEC: "the string old, a single space (0x20), and the tree size ... ASCII decimal with no leading zeroes" */
    if (!nl || nl - p < 5 || memcmp(p, "old ", 4) != 0) return *ret_reason = "witness_old_size_invalid", PROVA_ESYNTAX;
    const uint8_t *d = p + 4;
    size_t nd = (size_t)(nl - d);
    if (nd > 20 || (nd > 1 && d[0] == '0')) return *ret_reason = "witness_old_size_invalid", PROVA_ESYNTAX;
    uint64_t v = 0;
    for (size_t i = 0; i < nd; i++) {
        if (d[i] < '0' || d[i] > '9') return *ret_reason = "witness_old_size_invalid", PROVA_ESYNTAX;
        unsigned digit = (unsigned)(d[i] - '0');
        if (v > (UINT64_MAX - digit) / 10) return *ret_reason = "witness_old_size_invalid", PROVA_ESYNTAX;
        v = v * 10 + digit;
    }
    ret->old_size = v;
    p = nl + 1;
    for (;;) {
        nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        if (!nl) return *ret_reason = "witness_body_truncated", PROVA_ESYNTAX;
        if (nl == p) break; /* the empty line before the checkpoint */
        if (ret->nproof == WITNESS_MAX_PROOF) return *ret_reason = "witness_proof_too_long", PROVA_ELIMIT;
        size_t got = 0;
        if ((size_t)(nl - p) != PROVA_BASE64_LEN(WITNESS_HASH_BYTES) ||
            prova_base64_decode((const char *)p, (size_t)(nl - p), ret->proof[ret->nproof], WITNESS_HASH_BYTES, &got,
                                NULL) != 0 ||
            got != WITNESS_HASH_BYTES)
            return *ret_reason = "witness_proof_hash_invalid", PROVA_ESYNTAX;
        ret->nproof++;
        p = nl + 1;
    }
    p = nl + 1;
    if (p == end) return *ret_reason = "witness_body_truncated", PROVA_ESYNTAX;
    ret->note = p;
    ret->note_len = (size_t)(end - p);
    return 0;
}

/* ---- The witness --------------------------------------------------------------------------------------------- */

typedef struct wlog {
    char *origin;
    size_t origin_len;
    char hash_hex[2 * WITNESS_HASH_BYTES + 1]; /* of the origin: the monitoring path and the state file's name */
    const prova_note_key *keys[MAX_KEYS_PER_LOG];
    size_t nkeys;
    pthread_mutex_t lock; /* held from the old-size check to the persisted update (the spec's race) */
    bool have;            /* a checkpoint was cosigned */
    uint64_t size;
    uint8_t root[WITNESS_HASH_BYTES];
    prova_buf note; /* the latest cosigned checkpoint: text, the log's verified signatures, our cosignature */
} wlog;

struct witness {
    witness_config cfg;
    char *state_dir;
    int lock_fd; /* flock on state_dir/lock: one process per state directory */
    prova_note_key *key;
    prova_note_key **log_keys;
    size_t nlog_keys;
    wlog *logs;
    size_t nlogs;
};

static void wlogf(const witness *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wlogf(const witness *w, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (w->cfg.log)
        w->cfg.log(w->cfg.log_ctx, line);
    else
        fprintf(stderr, "prova witness: %s\n", line);
}

const prova_note_key *witness_key(const witness *w) {
    return w->key;
}

size_t witness_log_count(const witness *w) {
    return w->nlogs;
}

/* Reads a whole small file into out (NUL-terminated, not counted). 0, or errno. */
static int read_small(const char *path, size_t max, prova_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return errno;
    char chunk[4096];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > max) {
            rc = EFBIG;
            break;
        }
        if (prova_buf_append(out, chunk, n) != 0) {
            rc = ENOMEM;
            break;
        }
    }
    if (!rc && ferror(f)) rc = EIO;
    fclose(f);
    if (!rc && prova_buf_append(out, "", 1) != 0) rc = ENOMEM;
    if (!rc) out->len--;
    return rc;
}

static int path_join(char *out, size_t cap, const char *dir, const char *name) {
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void hex_sha256(const void *data, size_t len, char out[2 * WITNESS_HASH_BYTES + 1]) {
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    if (prova_hash_compute_hex(PROVA_HASH_SHA256, data, len, hex) != 0) hex[0] = '\0';
    size_t n = strnlen(hex, 2 * WITNESS_HASH_BYTES); /* SHA-256: 64 hex digits (0 if hashing failed) */
    memcpy(out, hex, n);
    out[n] = '\0';
}

static int load_key(witness *w) {
    prova_buf b = PROVA_BUF_INIT;
    int e = read_small(w->cfg.key_path, (size_t)64 << 10, &b);
    if (e) {
        prova_mem_wipe(b.data, b.len);
        prova_buf_free(&b);
        wlogf(w, "%s: %s", w->cfg.key_path, strerror(e));
        return e == ENOMEM || e == EIO ? 3 : 2;
    }
    size_t n = b.len;
    while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r' || b.data[n - 1] == ' ')) n--;
    prova_error err;
    prova_error_clear(&err);
    int rc = prova_note_key_parse_private((const char *)b.data, n, &w->key, &err);
    prova_mem_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (rc != 0) {
        wlogf(w, "%s: not a PRIVATE+KEY+... note key (%s)", w->cfg.key_path, err.reason);
        return rc == PROVA_ENOMEM ? 3 : 2;
    }
    if (prova_note_key_type(w->key) != PROVA_NOTE_COSIGNATURE_V1) {
        wlogf(w, "%s: a witness key must be a cosignature/v1 key (type 0x04); make one with prova witness keygen",
              w->cfg.key_path);
        return 2;
    }
    return 0;
}

static wlog *find_origin(witness *w, const char *origin, size_t len) {
    for (size_t i = 0; i < w->nlogs; i++)
        if (w->logs[i].origin_len == len && memcmp(w->logs[i].origin, origin, len) == 0) return &w->logs[i];
    return NULL;
}

/* Adds one log vkey (its origin is its name). 0 or an exit code. */
static int add_log_key(witness *w, const char *vkey, size_t len, unsigned line) {
    prova_note_key *k = NULL;
    prova_error err;
    prova_error_clear(&err);
    if (prova_note_key_parse_vkey(vkey, len, &k, &err) != 0) {
        wlogf(w, "%s:%u: not a log vkey (%s)", w->cfg.logs_path, line, err.reason);
        return 2;
    }
    if (prova_note_key_type(k) != PROVA_NOTE_ED25519) {
        prova_note_key_free(k);
        wlogf(w, "%s:%u: a log key must be Ed25519 (type 0x01)", w->cfg.logs_path, line);
        return 2;
    }
    if (w->nlog_keys == WITNESS_MAX_LOGS) {
        prova_note_key_free(k);
        wlogf(w, "%s: more than %u log keys", w->cfg.logs_path, WITNESS_MAX_LOGS);
        return 2;
    }
    w->log_keys[w->nlog_keys++] = k;
    size_t olen;
    const char *origin = prova_note_key_name(k, &olen);
    wlog *l = find_origin(w, origin, olen);
    if (!l) {
        l = &w->logs[w->nlogs++];
        memset(l, 0, sizeof *l);
        if (!(l->origin = strndup(origin, olen))) return 3;
        l->origin_len = olen;
        hex_sha256(origin, olen, l->hash_hex);
        pthread_mutex_init(&l->lock, NULL);
    }
    if (l->nkeys == MAX_KEYS_PER_LOG) {
        wlogf(w, "%s:%u: more than %u keys for %s", w->cfg.logs_path, line, MAX_KEYS_PER_LOG, l->origin);
        return 2;
    }
    l->keys[l->nkeys++] = k;
    return 0;
}

/* The logs file: a vkey a line, or tlog-policy lines of which "log <vkey> [url]" count (witness, group and quorum
 * lines are skipped, so the log's own policy file can be given). '#' comments and blank lines. */
static int load_logs(witness *w) {
    prova_buf b = PROVA_BUF_INIT;
    int e = read_small(w->cfg.logs_path, MAX_CONFIG_FILE, &b);
    if (e) {
        prova_buf_free(&b);
        wlogf(w, "%s: %s", w->cfg.logs_path, strerror(e));
        return e == ENOMEM || e == EIO ? 3 : 2;
    }
    w->log_keys = calloc(WITNESS_MAX_LOGS, sizeof *w->log_keys);
    w->logs = calloc(WITNESS_MAX_LOGS, sizeof *w->logs);
    int rc = w->log_keys && w->logs ? 0 : 3;
    const char *p = (const char *)b.data, *end = p + b.len;
    for (unsigned line = 1; rc == 0 && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *s = p;
        p = nl ? nl + 1 : end;
        while (s < le && (*s == ' ' || *s == '\t')) s++;
        for (const char *q = s; q < le; q++)
            if (*q == '#') { /* a comment to the end of the line */
                le = q;
                break;
            }
        while (le > s && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r')) le--;
        if (s == le) continue;
        size_t f1 = strcspn(s, " \t");
        if (f1 > (size_t)(le - s)) f1 = (size_t)(le - s);
        if (f1 == (size_t)(le - s)) { /* one field: a vkey */
            rc = add_log_key(w, s, f1, line);
        } else if (f1 == 3 && memcmp(s, "log", 3) == 0) {
            const char *v = s + 3;
            while (v < le && (*v == ' ' || *v == '\t')) v++;
            size_t vl = strcspn(v, " \t");
            if (vl > (size_t)(le - v)) vl = (size_t)(le - v);
            rc = add_log_key(w, v, vl, line);
        } else if (!((f1 == 7 && memcmp(s, "witness", 7) == 0) || (f1 == 5 && memcmp(s, "group", 5) == 0) ||
                     (f1 == 6 && memcmp(s, "quorum", 6) == 0))) {
            wlogf(w, "%s:%u: expected a vkey or a tlog-policy line", w->cfg.logs_path, line);
            rc = 2;
        }
    }
    prova_buf_free(&b);
    if (rc == 0 && w->nlogs == 0) {
        wlogf(w, "%s: no log keys", w->cfg.logs_path);
        rc = 2;
    }
    return rc;
}

/* Reads the saved checkpoint of each log. A file that does not parse stops the witness (starting afresh would let
 * a log roll back what was cosigned). */
static int load_state(witness *w) {
    for (size_t i = 0; i < w->nlogs; i++) {
        wlog *l = &w->logs[i];
        char path[4096];
        if (path_join(path, sizeof path, w->state_dir, l->hash_hex) < 0) return 2;
        prova_buf b = PROVA_BUF_INIT;
        int e = read_small(path, PROVA_NOTE_MAX_BYTES, &b);
        if (e == ENOENT) continue;
        if (e) {
            prova_buf_free(&b);
            wlogf(w, "%s: %s", path, strerror(e));
            return 3;
        }
        prova_note *note = NULL;
        prova_checkpoint *cp = NULL;
        prova_error err;
        prova_error_clear(&err);
        size_t tl = 0, ol = 0;
        const char *text = NULL, *origin = NULL;
        int rc = prova_note_parse(b.data, b.len, &note, &err);
        if (rc == 0) text = prova_note_text(note, &tl);
        if (rc == 0) rc = prova_checkpoint_parse(text, tl, &cp, &err);
        if (rc == 0) origin = prova_checkpoint_origin(cp, &ol);
        if (rc == 0 && (ol != l->origin_len || memcmp(origin, l->origin, ol) != 0)) rc = PROVA_ESYNTAX;
        if (rc == 0) {
            l->have = true;
            l->size = prova_checkpoint_size(cp);
            prova_checkpoint_root(cp, l->root);
            l->note = b;
            b = (prova_buf)PROVA_BUF_INIT;
        } else {
            wlogf(w, "%s: the saved checkpoint of %s is damaged (%s); move it away only if you know why", path,
                  l->origin, err.reason[0] ? err.reason : "origin_mismatch");
        }
        prova_checkpoint_free(cp);
        prova_note_free(note);
        prova_buf_free(&b);
        if (rc) return 3;
    }
    return 0;
}

int witness_open(const witness_config *cfg, witness **ret) {
    *ret = NULL;
    witness *w = calloc(1, sizeof *w);
    if (!w) return 3;
    w->cfg = *cfg;
    w->lock_fd = -1;
    int rc = 0;
    if (!cfg->key_path || !cfg->logs_path || !cfg->state_dir) {
        wlogf(w, "a witness needs its key, its logs and a state directory");
        rc = 2;
    }
    if (rc == 0 && !(w->state_dir = strdup(cfg->state_dir))) rc = 3;
    if (rc == 0) rc = load_key(w);
    if (rc == 0) rc = load_logs(w);
    if (rc == 0 && mkdir(w->state_dir, 0700) != 0 && errno != EEXIST) {
        wlogf(w, "%s: cannot create the state directory: %s", w->state_dir, strerror(errno));
        rc = 3;
    }
    char path[4096];
    if (rc == 0 && path_join(path, sizeof path, w->state_dir, "lock") < 0) rc = 2;
    if (rc == 0 && (w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        wlogf(w, "%s: %s", path, strerror(errno));
        rc = 3;
    }
    if (rc == 0 && flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        wlogf(w, "%s: another witness uses this state directory", w->state_dir);
        rc = 2;
    }
    if (rc == 0) rc = load_state(w);
    if (rc) {
        witness_free(w);
        return rc;
    }
    *ret = w;
    return 0;
}

witness *witness_free(witness *w) {
    if (!w) return NULL;
    for (size_t i = 0; i < w->nlogs; i++) {
        free(w->logs[i].origin);
        prova_buf_free(&w->logs[i].note);
        pthread_mutex_destroy(&w->logs[i].lock);
    }
    for (size_t i = 0; i < w->nlog_keys; i++) prova_note_key_free(w->log_keys[i]);
    free(w->logs);
    free(w->log_keys);
    prova_note_key_free(w->key);
    if (w->lock_fd >= 0) close(w->lock_fd);
    free(w->state_dir);
    free(w);
    return NULL;
}

/* ---- Answers ----------------------------------------------------------------------------------------------- */

void witness_answer_free(witness_answer *a) {
    prova_buf_free(&a->body);
}

/* status, "reason: sentence\n" as text/plain. 0 or PROVA_ENOMEM. */
static int refuse(witness_answer *a, unsigned status, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(witness_answer *a, unsigned status, const char *reason, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    a->status = status;
    a->reason = reason;
    a->content_type = "text/plain; charset=utf-8";
    a->body.len = 0;
    return prova_buf_printf(&a->body, "%s: %s\n", reason, msg);
}

/* ---- State files ------------------------------------------------------------------------------------------- */

/* Replaces dir/name with data: a temporary file, fsync, rename, fsync of the directory. 0 or errno. */
static int write_atomic(const char *dir, const char *name, const void *data, size_t len) {
    char path[4096], tmp[4096];
    if (path_join(path, sizeof path, dir, name) < 0) return ENAMETOOLONG;
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp) return ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return errno;
    const uint8_t *p = data;
    size_t left = len;
    int e = 0;
    while (left && !e) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            e = k < 0 ? errno : EIO;
            break;
        }
        p += k;
        left -= (size_t)k;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return e;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return errno;
    if (fsync(dfd) != 0) e = errno;
    close(dfd);
    return e;
}

/* ---- add-checkpoint -------------------------------------------------------------------------------------------- */

/* Appends to out the signature lines of note (raw bytes data[0..len)) made by the keys that verified. */
static int keep_log_signatures(const uint8_t *data, size_t len, const prova_note *note, const wlog *l,
                               const bool *verified, prova_buf *out) {
    size_t tl;
    prova_note_text(note, &tl);
    const uint8_t *p = data + tl + 1, *end = data + len; /* after the text and the blank line */
    for (size_t i = 0; p < end; i++) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        size_t nlen;
        const char *name = prova_note_signature_name(note, i, &nlen);
        uint32_t id = prova_note_signature_id(note, i);
        for (size_t k = 0; name && k < l->nkeys; k++) {
            size_t kl;
            const char *kn = prova_note_key_name(l->keys[k], &kl);
            if (verified[k] && prova_note_key_id(l->keys[k]) == id && kl == nlen && memcmp(kn, name, kl) == 0) {
                if (prova_buf_append(out, p, (size_t)(nl - p + 1)) != 0) return PROVA_ENOMEM;
                break;
            }
        }
        p = nl + 1;
    }
    return 0;
}

/* The checks that need the origin's state, the cosignature and the update; called with l->lock held. */
static int add_locked(witness *w, wlog *l, const witness_request *rq, const prova_note *note, uint64_t size,
                      const uint8_t root[WITNESS_HASH_BYTES], const bool *verified, uint64_t now_s, witness_answer *a) {
    uint64_t cur = l->have ? l->size : 0;
    if (rq->old_size != cur) {
        /* SPEC: "The response body MUST consist of the tree size of the latest cosigned checkpoint in decimal,
         * followed by a newline" with Content-Type text/x.tlog.size. */
        a->status = 409;
        a->reason = "witness_old_size_mismatch";
        a->content_type = WITNESS_SIZE_TYPE;
        a->body.len = 0;
        return prova_buf_printf(&a->body, "%" PRIu64 "\n", cur);
    }
    if (size == 0 && !prova_ct_equal(root, empty_root, WITNESS_HASH_BYTES))
        return refuse(a, 422, "witness_empty_tree_root", "a checkpoint of size 0 must have the empty tree's root");
    if (rq->old_size == 0 && rq->nproof != 0)
        return refuse(a, 422, "witness_proof_not_empty", "from size 0 the consistency proof must be empty");
    if (rq->old_size == size && l->have && !prova_ct_equal(root, l->root, WITNESS_HASH_BYTES)) {
        wlogf(w, "%s: a checkpoint of size %" PRIu64 " with another root than the one cosigned (a fork?)", l->origin,
              size);
        return refuse(a, 422, "witness_root_mismatch",
                      "size %" PRIu64 " was cosigned with another root hash: the log forked", size);
    }
    if (rq->old_size != 0 && !witness_consistency_ok(rq->old_size, size, l->root, root, rq->proof[0], rq->nproof)) {
        wlogf(w, "%s: the consistency proof from %" PRIu64 " to %" PRIu64 " does not verify", l->origin, rq->old_size,
              size);
        return refuse(a, 422, "witness_consistency_invalid",
                      "the consistency proof from size %" PRIu64 " to %" PRIu64 " does not verify", rq->old_size, size);
    }
    /* Cosign, then persist, then answer. SPEC: "The cosignature MUST NOT omit the timestamp". */
    size_t tl;
    const char *text = prova_note_text(note, &tl);
    uint64_t ts = now_s ? now_s : (uint64_t)time(NULL);
    if (ts == 0) ts = 1;
    prova_buf cosig = PROVA_BUF_INIT, saved = PROVA_BUF_INIT;
    prova_error err;
    prova_error_clear(&err);
    int rc = prova_note_signature_write(text, tl, w->key, ts, &cosig, &err);
    if (rc == 0) rc = prova_buf_append(&saved, text, tl);
    if (rc == 0) rc = prova_buf_append(&saved, "\n", 1);
    if (rc == 0) rc = keep_log_signatures(rq->note, rq->note_len, note, l, verified, &saved);
    if (rc == 0) rc = prova_buf_append(&saved, cosig.data, cosig.len);
    if (rc != 0) {
        prova_buf_free(&cosig);
        prova_buf_free(&saved);
        return rc == PROVA_ENOMEM ? rc : refuse(a, 500, "witness_cosign_failed", "cannot cosign (%s)", err.reason);
    }
    int e = write_atomic(w->state_dir, l->hash_hex, saved.data, saved.len);
    if (e) {
        wlogf(w, "%s: cannot save the checkpoint of %s: %s", w->state_dir, l->origin, strerror(e));
        prova_buf_free(&cosig);
        prova_buf_free(&saved);
        return refuse(a, 500, "witness_state_write_failed", "the witness cannot save its state");
    }
    prova_buf_free(&l->note);
    l->note = saved;
    l->have = true;
    l->size = size;
    memcpy(l->root, root, WITNESS_HASH_BYTES);
    a->status = 200;
    a->reason = "";
    a->content_type = "text/plain; charset=utf-8";
    prova_buf_free(&a->body);
    a->body = cosig;
    return 0;
}

int witness_add_checkpoint(witness *w, const uint8_t *body, size_t len, uint64_t now_s, witness_answer *a) {
    memset(a, 0, sizeof *a);
    witness_request rq;
    const char *reason;
    if (witness_parse_request(body, len, &rq, &reason) != 0)
        return refuse(a, 400, reason, "the body is not \"old N\", proof lines, an empty line and a checkpoint");
    prova_note *note = NULL;
    prova_checkpoint *cp = NULL;
    prova_error err;
    prova_error_clear(&err);
    int rc = prova_note_parse(rq.note, rq.note_len, &note, &err);
    size_t tl = 0;
    const char *text = rc == 0 ? prova_note_text(note, &tl) : NULL;
    if (rc == 0) rc = prova_checkpoint_parse(text, tl, &cp, &err);
    if (rc == PROVA_ENOMEM) goto out;
    if (rc != 0) {
        rc = refuse(a, 400, err.reason[0] ? err.reason : "witness_checkpoint_invalid",
                    "the checkpoint is malformed (line %zu)", err.line);
        goto out;
    }
    size_t olen;
    const char *origin = prova_checkpoint_origin(cp, &olen);
    wlog *l = find_origin(w, origin, olen);
    if (!l) {
        /* SPEC: "If the checkpoint origin is unknown, the witness MUST respond with a 404 Not Found" */
        rc = refuse(a, 404, "witness_unknown_origin", "this witness does not witness the log %.*s",
                    (int)(olen > 200 ? 200 : olen), origin);
        goto out;
    }
    bool verified[MAX_KEYS_PER_LOG] = {false};
    rc = prova_note_verify(note, l->keys, l->nkeys, verified, NULL, &err);
    if (rc == PROVA_ENOMEM) goto out;
    if (rc != 0) {
        /* SPEC: 403 when no trusted signature is present, or a trusted key's signature fails to verify. */
        rc = refuse(a, rc == PROVA_EVERIFY ? 403 : 400, err.reason[0] ? err.reason : "note_signature_invalid",
                    "the checkpoint is not validly signed by the log's key");
        goto out;
    }
    uint64_t size = prova_checkpoint_size(cp);
    if (rq.old_size > size) {
        rc = refuse(a, 400, "witness_old_size_too_large",
                    "old size %" PRIu64 " is above the checkpoint's size %" PRIu64, rq.old_size, size);
        goto out;
    }
    uint8_t root[WITNESS_HASH_BYTES];
    prova_checkpoint_root(cp, root);
    pthread_mutex_lock(&l->lock);
    rc = add_locked(w, l, &rq, note, size, root, verified, now_s, a);
    pthread_mutex_unlock(&l->lock);
out:
    prova_checkpoint_free(cp);
    prova_note_free(note);
    return rc;
}

int witness_get_checkpoint(witness *w, const char *origin_hash_hex, witness_answer *a) {
    memset(a, 0, sizeof *a);
    for (size_t i = 0; i < w->nlogs; i++) {
        wlog *l = &w->logs[i];
        if (strcmp(l->hash_hex, origin_hash_hex) != 0) continue;
        pthread_mutex_lock(&l->lock);
        int rc = l->have ? prova_buf_append(&a->body, l->note.data, l->note.len) : 0;
        bool have = l->have;
        pthread_mutex_unlock(&l->lock);
        if (rc) return rc;
        if (!have) break;
        a->status = 200;
        a->reason = "";
        a->content_type = "text/plain; charset=utf-8";
        return 0;
    }
    return refuse(a, 404, "witness_no_checkpoint", "this witness has cosigned no checkpoint of that log");
}
