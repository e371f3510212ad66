/* The gateway's transparency log (docs/tlog.md "The gateway's log"): the log key, integration of the sequenced
 * entries into the tiled Merkle tree and a signed checkpoint, and the reads behind /log/.
 *
 * Integration runs on the writer thread with the write connection, in a transaction of its own: it reads the
 * entries committed past the integrated size, appends them to the tile writer, stores every tile that changed and
 * the signed checkpoint together, and commits. The tile writer is only ever restored from the stored tiles of the
 * last checkpoint and checked against its root, so the log extends exactly the tree it signed last: it never
 * signs a checkpoint inconsistent with an earlier one. A failed integration restores the writer from the store. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app_internal.h"
#include "prova/encoding.h"
#include "prova/verify.h"
#include "witness.h"

#define LOG_BATCH_MAX 65536 /* entries integrated per transaction: a long backlog is integrated in steps */

/* ---- The key ----------------------------------------------------------------------------------------------- */

static int default_origin(char *out, size_t cap) {
    char host[256];
    if (gethostname(host, sizeof host) != 0 || !host[0]) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '+' || (unsigned char)*p >= 0x7f) *p = '-';
    int n = snprintf(out, cap, "%s/prova", host);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int load_log_key(app *a) {
    char path[4096], origin[512];
    const char *kp = a->cfg.log_key_path;
    if (!kp) {
        if (app_join(path, sizeof path, a->cfg.data_dir, "log.key") < 0) return 2;
        kp = path;
        if (access(kp, F_OK) != 0) {
            const char *name = a->cfg.log_origin;
            if (!name) {
                if (default_origin(origin, sizeof origin) < 0) return 2;
                name = origin;
            }
            prova_note_key *k = NULL;
            prova_buf text = PROVA_BUF_INIT;
            prova_error e;
            int rc = prova_note_key_generate(name, strlen(name), PROVA_NOTE_ED25519, &k, &e);
            if (rc < 0) {
                app_log(a, "cannot create the log key for origin \"%s\": %s", name, e.message);
                return 2;
            }
            rc = prova_note_key_write_private(k, &text);
            if (rc == 0) rc = prova_buf_append(&text, "\n", 1);
            if (rc == 0) rc = app_write_new_secret(kp, text.data, text.len);
            if (text.data) prova_mem_wipe(text.data, text.len);
            prova_buf_free(&text);
            prova_note_key_free(k);
            if (rc < 0) {
                app_log(a, "%s: cannot create the log key: %s", kp, strerror(errno));
                return 3;
            }
            app_log(a, "generated the transparency log's key %s (origin \"%s\", mode 0600)", kp, name);
        }
    }
    prova_buf text = PROVA_BUF_INIT;
    int rc = app_read_file(kp, 4096, &text);
    if (rc < 0) {
        app_log(a, "%s: cannot read the log key: %s", kp, rc == PROVA_ELIMIT ? "too large" : strerror(errno));
        prova_buf_free(&text);
        return 2;
    }
    size_t len = text.len;
    while (len && (text.data[len - 1] == '\n' || text.data[len - 1] == '\r')) len--;
    prova_error e;
    rc = prova_note_key_parse_private((const char *)text.data, len, &a->log_key, &e);
    if (text.data) prova_mem_wipe(text.data, text.len);
    prova_buf_free(&text);
    if (rc < 0) {
        app_log(a, "%s: not a log key (PRIVATE+KEY+<origin>+...): %s", kp, e.message);
        return 2;
    }
    if (prova_note_key_type(a->log_key) != PROVA_NOTE_ED25519) {
        app_log(a, "%s: the log key must be an Ed25519 signed-note key (type 0x01)", kp);
        return 2;
    }
    const char *name = prova_note_key_name(a->log_key, NULL);
    if (a->cfg.log_origin && strcmp(a->cfg.log_origin, name) != 0) {
        app_log(a, "%s: the log key's origin is \"%s\", not --log-origin \"%s\": a log's origin never changes", kp,
                name, a->cfg.log_origin);
        return 2;
    }
    return prova_note_key_write_vkey(a->log_key, &a->log_vkey) < 0 ? 3 : 0;
}

/* ---- Reading tiles from a store ---------------------------------------------------------------------------- */

typedef struct tile_src {
    prova_store *s;
    uint64_t size; /* the tree the reads are about (hash reader) */
} tile_src;

/* A tile at its width: the first 32 * width bytes of the stored row (hash tiles), or the entries of a bundle. */
static int read_tile(prova_store *s, const prova_tile *t, prova_buf *out) {
    if (t->level == PROVA_TILE_LEVEL_ENTRIES) {
        size_t n = 0, mark = out->len;
        int64_t from = (int64_t)(t->index * PROVA_TILE_WIDTH);
        int rc = prova_store_log_entries(s, from, from + t->width, out, &n);
        if (rc == 0 && n != t->width) {
            out->len = mark;
            rc = PROVA_ENOTFOUND;
        }
        return rc;
    }
    size_t mark = out->len;
    int rc = prova_store_log_tile_get(s, t->level, (int64_t)t->index, out);
    if (rc < 0) return rc;
    size_t want = (size_t)t->width * PROVA_MERKLE_HASH_BYTES;
    if (out->len - mark < want) {
        out->len = mark;
        return PROVA_ENOTFOUND;
    }
    out->len = mark + want;
    return 0;
}

static int restore_read(void *ctx, const prova_tile *t, prova_buf *out) {
    return read_tile(((tile_src *)ctx)->s, t, out);
}

static int hash_read(void *ctx, unsigned level, uint64_t index, uint8_t ret[PROVA_MERKLE_HASH_BYTES]) {
    tile_src *src = ctx;
    prova_tile t;
    int rc = prova_tile_for_hash(src->size, level, index, &t, NULL);
    if (rc < 0) return rc;
    prova_buf b = PROVA_BUF_INIT;
    rc = read_tile(src->s, &t, &b);
    if (rc == 0) rc = prova_tile_hash_read(&t, b.data, b.len, level, index, ret, NULL);
    prova_buf_free(&b);
    return rc;
}

static int write_static(const char *dir, const char *rel, const void *data, size_t len);
static uint64_t published_size(app *a);

/* ---- Restore ------------------------------------------------------------------------------------------------ */

static void publish(app *a, const prova_buf *note, uint64_t size) {
    pthread_mutex_lock(&a->log_lock);
    a->log_cp.len = 0;
    int rc = prova_buf_append(&a->log_cp, note->data, note->len);
    if (rc == 0) a->log_cp_size = size;
    pthread_mutex_unlock(&a->log_lock);
    if (rc == 0) atomic_store(&a->log_size, (int64_t)size);
    if (rc == 0 && a->policy && a->cfg.log_dir && write_static(a->cfg.log_dir, "checkpoint", note->data, note->len) < 0)
        app_log(a, "%s: cannot write the checkpoint: %s", a->cfg.log_dir, strerror(errno));
}

/* A checkpoint the log signed and stored: published at once without a witness policy, else handed to the witness
 * thread, which publishes it (with the cosignatures) once the quorum cosigned. */
static void signed_checkpoint(app *a, const prova_buf *note, uint64_t size, const otel_span *span) {
    if (!a->policy) {
        publish(a, note, size);
        return;
    }
    pthread_mutex_lock(&a->log_lock);
    a->wnote.len = 0;
    if (prova_buf_append(&a->wnote, note->data, note->len) == 0) {
        otel_span_context(span, &a->wctx);
        a->wsize = size;
        a->wpending = true;
        pthread_cond_signal(&a->wcond);
    }
    pthread_mutex_unlock(&a->log_lock);
}

/* Whether note is a checkpoint this gateway may publish as it is: signed by the log's key and, with a witness
 * policy, cosigned by its quorum. *ret_cp: its body. */
static bool publishable(app *a, const prova_buf *note, prova_checkpoint **ret_cp) {
    prova_error e;
    if (a->policy)
        return prova_tlog_policy_verify_checkpoint(a->policy, a->log_key, note->data, note->len, ret_cp, &e) == 0;
    return prova_checkpoint_verify(note->data, note->len, a->log_key, NULL, 0, ret_cp, NULL, &e) == 0;
}

/* The writer restored from the last checkpoint on the write connection; 0, or a CLI exit code with the reason
 * logged. */
static int restore(app *a, bool *ret_fresh) {
    prova_buf note = PROVA_BUF_INIT;
    int64_t size = 0;
    prova_tile_writer *tw = NULL;
    int rc = prova_tile_writer_new(&tw);
    if (rc < 0) return 3;
    rc = prova_store_log_checkpoint_latest(a->w, &note, &size);
    if (rc == PROVA_ENOTFOUND) {
        prova_buf_free(&note);
        prova_tile_writer_free(a->tw);
        a->tw = tw;
        *ret_fresh = true;
        return 0;
    }
    *ret_fresh = false;
    if (rc < 0) {
        app_log(a, "cannot read the log's last checkpoint: %s", prova_store_errmsg(a->w));
        goto fail;
    }
    prova_checkpoint *cp = NULL;
    prova_error e;
    rc = prova_checkpoint_verify(note.data, note.len, a->log_key, NULL, 0, &cp, NULL, &e);
    if (rc < 0) {
        app_log(a,
                "the log's last checkpoint (size %lld) does not verify with the log key %s: %s; refusing to start "
                "(was the key replaced? a log's key and origin never change)",
                (long long)size, (const char *)a->log_vkey.data, e.message);
        rc = 2;
        goto fail;
    }
    uint8_t want[32], got[32];
    prova_checkpoint_root(cp, want);
    uint64_t cps = prova_checkpoint_size(cp);
    prova_checkpoint_free(cp);
    int64_t entries = 0;
    if (cps != (uint64_t)size || prova_store_log_size(a->w, &entries) < 0 || (uint64_t)entries < cps) {
        app_log(a, "the log's last checkpoint covers %llu entries but the store has %lld: refusing to start",
                (unsigned long long)cps, (long long)entries);
        rc = 2;
        goto fail;
    }
    tile_src src = {a->w, cps};
    rc = prova_tile_writer_restore(tw, cps, true, restore_read, &src, &e);
    if (rc < 0) {
        app_log(a, "cannot restore the log's tiles at size %llu: %s", (unsigned long long)cps, e.message);
        rc = 2;
        goto fail;
    }
    if (prova_tile_writer_root(tw, got) < 0 || memcmp(got, want, sizeof got) != 0) {
        /* The assertion the log's append-only promise rests on: never extend a tree other than the one signed. */
        app_log(a,
                "the log's stored tiles at size %llu do not hash to the root of its last checkpoint: refusing to "
                "start rather than sign a checkpoint inconsistent with it",
                (unsigned long long)cps);
        rc = 2;
        goto fail;
    }
    prova_tile_writer_free(a->tw);
    a->tw = tw;
    prova_checkpoint *witnessed = NULL;
    if (a->policy && publishable(a, &note, &witnessed)) /* stored cosigned (by this or another gateway) */
        publish(a, &note, cps);
    else
        signed_checkpoint(a, &note, cps, NULL);
    prova_checkpoint_free(witnessed);
    prova_buf_free(&note);
    return 0;
fail:
    prova_tile_writer_free(tw);
    prova_buf_free(&note);
    return rc > 0 ? rc : 3;
}

/* ---- --log-dir ----------------------------------------------------------------------------------------------- */

typedef struct changed {
    prova_tile tile;
    uint8_t *data;
    size_t len;
} changed;

typedef struct emit_ctx {
    app *a;
    changed *v;
    size_t n, cap;
} emit_ctx;

/* The log's static files are public (served as they are): directories 0755 and files 0644 whatever the umask, never
 * writable by others. */
static int mkdirs_for(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int r = mkdir(path, 0755);
        if (r == 0) r = chmod(path, 0755);
        *p = '/';
        if (r != 0 && errno != EEXIST) return -1;
    }
    return 0;
}

/* dir/rel written atomically: a temporary file in the same directory, fsynced, renamed over rel. */
static int write_static(const char *dir, const char *rel, const void *data, size_t len) {
    char path[4096], tmp[4200];
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof path) return PROVA_EINVAL;
    if (mkdirs_for(path) < 0) return PROVA_EIO;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return PROVA_EIO;
    const uint8_t *p = data;
    int rc = fchmod(fd, 0644) == 0 ? 0 : PROVA_EIO;
    while (len && rc == 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            rc = PROVA_EIO;
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0) rc = PROVA_EIO;
    if (close(fd) != 0) rc = PROVA_EIO;
    if (rc == 0 && rename(tmp, path) != 0) rc = PROVA_EIO;
    if (rc < 0) unlink(tmp);
    return rc;
}

static void write_log_dir(app *a, const emit_ctx *ec, const prova_buf *note) {
    const char *dir = a->cfg.log_dir;
    int rc = 0;
    for (size_t i = 0; i < ec->n && rc == 0; i++) {
        char rel[PROVA_TILE_PATH_MAX];
        rc = prova_tile_path_format(&ec->v[i].tile, rel, NULL);
        if (rc == 0) rc = write_static(dir, rel, ec->v[i].data, ec->v[i].len);
    }
    /* last: it names only tiles written; with witnesses, publish() writes it once cosigned */
    if (rc == 0 && !a->policy) rc = write_static(dir, "checkpoint", note->data, note->len);
    if (rc < 0) app_log(a, "%s: cannot write the log's static files: %s", dir, strerror(errno));
}

/* ---- Integration --------------------------------------------------------------------------------------------- */

static int emit(void *ctx, const prova_tile *t, const uint8_t *data, size_t len) {
    emit_ctx *ec = ctx;
    if (t->level != PROVA_TILE_LEVEL_ENTRIES) {
        int rc = prova_store_log_tile_put(ec->a->w, t->level, (int64_t)t->index, data, len);
        if (rc < 0) return rc;
    }
    if (!ec->a->cfg.log_dir) return 0;
    if (ec->n == ec->cap) {
        size_t cap = ec->cap ? 2 * ec->cap : 16;
        changed *v = realloc(ec->v, cap * sizeof *v);
        if (!v) return PROVA_ENOMEM;
        ec->v = v;
        ec->cap = cap;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return PROVA_ENOMEM;
    memcpy(copy, data, len);
    ec->v[ec->n++] = (changed){*t, copy, len};
    return 0;
}

static void emit_free(emit_ctx *ec) {
    for (size_t i = 0; i < ec->n; i++) free(ec->v[i].data);
    free(ec->v);
}

/* One step: entries [size, min(stored, size + LOG_BATCH_MAX)) into the tree, tiles and checkpoint in one
 * transaction. force: sign a checkpoint even when nothing is new (the empty log's first). 1 when more entries wait,
 * 0 when done, < 0 on failure (the writer is restored from the store). */
static int integrate_step(app *a, bool force) {
    prova_store *w = a->w;
    uint64_t from = prova_tile_writer_size(a->tw);
    int64_t stored = 0;
    uint64_t to = from;
    emit_ctx ec = {a, NULL, 0, 0};
    prova_buf bundle = PROVA_BUF_INIT, body = PROVA_BUF_INIT, note = PROVA_BUF_INIT;
    prova_tile_entry *ents = NULL;
    bool appended = false;
    prova_error e = {0};
    otel_span *span = NULL; /* one per checkpoint signed (a root span: it serves every write it integrates) */
    int rc = prova_store_begin(w);
    if (rc == 0) rc = prova_store_log_size(w, &stored);
    if (rc < 0) goto out;
    /* Several gateways on one store: another may have integrated since this one's tile writer last did (it held
     * the integrator lock, or this connection lost it and took it back). The write lock is held now, so the stored
     * checkpoint is the latest: extend exactly that tree. */
    int64_t cp_size = 0;
    rc = prova_store_log_checkpoint_latest(w, &note, &cp_size);
    note.len = 0;
    if (rc == 0 && (uint64_t)cp_size != from) {
        bool fresh = false;
        app_log(a, "the log's last checkpoint is at size %lld, this gateway's tree at %llu: restoring from the store",
                (long long)cp_size, (unsigned long long)from);
        if (restore(a, &fresh) != 0) {
            rc = PROVA_EIO;
            goto out;
        }
        from = prova_tile_writer_size(a->tw);
    } else if (rc == PROVA_ENOTFOUND) {
        rc = 0;
    }
    if (rc < 0) goto out;
    if ((uint64_t)stored < from) {
        app_log(a, "the store holds %lld log entries, fewer than the %llu integrated", (long long)stored,
                (unsigned long long)from);
        rc = PROVA_EIO;
        goto out;
    }
    to = (uint64_t)stored;
    if (to - from > LOG_BATCH_MAX) to = from + LOG_BATCH_MAX;
    if (to == from && !force) {
        prova_store_rollback(w);
        prova_buf_free(&note); /* the stored checkpoint read above */
        return 0;
    }
    int64_t t0 = app_now_us();
    span = otel_span_start(a->cfg.otel, NULL, "prova.log.checkpoint", OTEL_KIND_INTERNAL);
    if (otel_span_recording(span)) {
        otel_span_str(span, "prova.log.origin", prova_note_key_name(a->log_key, NULL));
        otel_span_int(span, "prova.log.size", (int64_t)to);
        otel_span_int(span, "prova.log.entries", (int64_t)(to - from));
    }
    size_t n = 0;
    rc = prova_store_log_entries(w, (int64_t)from, (int64_t)to, &bundle, &n);
    if (rc == 0 && n != to - from) rc = PROVA_EIO;
    if (rc == 0 && n) {
        ents = calloc(n, sizeof *ents);
        if (!ents) rc = PROVA_ENOMEM;
        size_t off = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            size_t len = (size_t)bundle.data[off] << 8 | bundle.data[off + 1];
            ents[i] = (prova_tile_entry){bundle.data + off + 2, len};
            off += 2 + len;
        }
        if (rc == 0) rc = prova_tile_writer_append_entries(a->tw, ents, n, emit, &ec, &e);
        appended = rc == 0;
    }
    uint8_t root[PROVA_MERKLE_HASH_BYTES];
    const char *origin = prova_note_key_name(a->log_key, NULL);
    if (rc == 0) rc = prova_tile_writer_root(a->tw, root);
    if (rc == 0) rc = prova_checkpoint_write(origin, strlen(origin), to, root, NULL, 0, &body, &e);
    if (rc == 0) rc = prova_note_sign(body.data, body.len, a->log_key, 0, &note, &e);
    if (rc == 0) rc = prova_store_log_checkpoint_put(w, (int64_t)to, note.data, note.len, app_now_us());
    if (rc == 0) {
        rc = prova_store_commit(w);
        app_store_outcome(a, rc);
    }
    if (rc == 0) {
        if (a->cfg.log_dir) write_log_dir(a, &ec, &note);
        signed_checkpoint(a, &note, to, span);
        atomic_fetch_add(&a->log_checkpoints, 1);
        atomic_fetch_add(&a->log_integrations, 1);
        atomic_fetch_add(&a->log_integration_us, (unsigned long long)(app_now_us() - t0));
    }
out:
    if (rc < 0) {
        app_log(a, "log integration at size %llu failed (%s): %s%s%s", (unsigned long long)from, prova_status_name(rc),
                prova_store_errmsg(w), e.message ? "; " : "", e.message ? e.message : "");
        if (otel_span_recording(span)) {
            char msg[200];
            snprintf(msg, sizeof msg, "%s: %s", prova_status_name(rc), e.message ? e.message : prova_store_errmsg(w));
            otel_span_str(span, "error.type", prova_status_name(rc));
            otel_span_error(span, msg);
        }
        prova_store_rollback(w);
        atomic_fetch_add(&a->log_failures, 1);
        if (appended) { /* the writer ran ahead of what is durable: back to the last checkpoint */
            bool fresh;
            if (restore(a, &fresh) != 0) app_log(a, "cannot restore the log's tile writer; integration stops");
        }
    }
    otel_span_end(span);
    emit_free(&ec);
    free(ents);
    prova_buf_free(&bundle);
    prova_buf_free(&body);
    prova_buf_free(&note);
    if (rc < 0) return rc;
    return (uint64_t)stored > to ? 1 : 0;
}

bool app_tlog_due(app *a, int64_t now_us, int64_t *ret_next_us) {
    if (!a->tw) return false;
    if (ret_next_us) *ret_next_us = a->log_next_us;
    return atomic_load(&a->log_want) || now_us >= a->log_next_us;
}

/* A gateway that does not integrate publishes the checkpoints the integrating one stores: each once it verifies with
 * the log's key and, with a witness policy, once the integrating gateway stored it cosigned by the quorum
 * (store_cosigned); until then it keeps what it published. */
static void follow(app *a) {
    prova_buf note = PROVA_BUF_INIT;
    int64_t size = 0;
    int rc = prova_store_log_checkpoint_latest(a->w, &note, &size);
    if (rc == 0 && (uint64_t)size > published_size(a)) {
        prova_checkpoint *cp = NULL;
        if (publishable(a, &note, &cp) && prova_checkpoint_size(cp) == (uint64_t)size)
            publish(a, &note, (uint64_t)size);
        else if (!a->policy) /* with a policy: not cosigned yet */
            app_log(a, "the log's stored checkpoint at size %lld does not verify with this gateway's log key %s",
                    (long long)size, (const char *)a->log_vkey.data);
        prova_checkpoint_free(cp);
    }
    prova_buf_free(&note);
}

/* The integrating gateway stores the checkpoint its witnesses cosigned (a row after the log's own of the same size),
 * so that the other gateways publish it too; not when a newer checkpoint was stored meanwhile (the latest row is
 * what the next integration extends and what the others read). */
static void store_cosigned(app *a) {
    prova_buf note = PROVA_BUF_INIT, latest = PROVA_BUF_INIT;
    pthread_mutex_lock(&a->log_lock);
    uint64_t size = a->wstore_size;
    int rc = a->wstore.len ? prova_buf_append(&note, a->wstore.data, a->wstore.len) : PROVA_ENOTFOUND;
    a->wstore.len = 0;
    pthread_mutex_unlock(&a->log_lock);
    if (rc < 0) return;
    int64_t stored = -1;
    prova_store *w = a->w;
    rc = prova_store_begin(w);
    if (rc == 0) rc = prova_store_log_checkpoint_latest(w, &latest, &stored);
    if (rc == 0 && (uint64_t)stored == size && !(latest.len == note.len && !memcmp(latest.data, note.data, note.len)))
        rc = prova_store_log_checkpoint_put(w, stored, note.data, note.len, app_now_us());
    if (rc == 0) {
        rc = prova_store_commit(w);
        app_store_outcome(a, rc);
    }
    if (rc < 0) {
        app_log(a, "cannot store the cosigned checkpoint at size %llu: %s", (unsigned long long)size,
                prova_store_errmsg(w));
        prova_store_rollback(w);
    }
    prova_buf_free(&note);
    prova_buf_free(&latest);
}

void app_tlog_integrate(app *a) {
    if (!a->tw) return;
    atomic_store(&a->log_want, false);
    bool lead = false;
    int lr = prova_store_log_lead(a->w, &lead);
    if (lr < 0) { /* the store is unreachable (PostgreSQL down): /health says so, the writer probes it */
        app_store_outcome(a, lr);
        lead = false;
    }
    if (lead != atomic_load(&a->log_leading)) {
        atomic_store(&a->log_leading, lead);
        app_log(a, lead ? "this gateway integrates the transparency log"
                        : "another gateway integrates the transparency log; this one publishes its checkpoints");
    }
    if (!lead) {
        follow(a);
        a->log_next_us = app_now_us() + (int64_t)a->cfg.log_interval_ms * 1000;
        return;
    }
    if (a->policy) store_cosigned(a);
    int rc;
    unsigned steps = 0;
    while ((rc = integrate_step(a, false)) == 1 && ++steps < 16) {
    }
    a->log_next_us = app_now_us() + (int64_t)a->cfg.log_interval_ms * 1000;
    if (rc == 1) a->log_next_us = 0; /* a backlog: again after the next batch */
}

/* ---- Witnessing ------------------------------------------------------------------------------------------- */

/* One add-checkpoint as a CLIENT span, child of parent (the checkpoint's span), whose context the request carries
 * (traceparent). Returns witness_submit's status. */
static int submit_traced(app *a, const char *url, const char *name, uint64_t old, const uint8_t *proof, size_t n,
                         const prova_buf *note, const otel_ctx *parent, prova_buf *reply, uint64_t *wsize, char *err,
                         size_t errlen) {
    otel_span *s = otel_span_start(a->cfg.otel, parent, "prova.witness.add_checkpoint", OTEL_KIND_CLIENT);
    if (otel_span_recording(s)) {
        char full[2048], shown[2048], host[256];
        size_t ul = strlen(url);
        int port = 0;
        snprintf(full, sizeof full, "%s%sadd-checkpoint", url, ul && url[ul - 1] == '/' ? "" : "/");
        app_url_for_log(full, shown, sizeof shown);
        app_url_host(url, host, sizeof host, &port);
        otel_span_str(s, "http.request.method", "POST");
        otel_span_str(s, "url.full", shown);
        if (host[0]) otel_span_str(s, "server.address", host);
        if (port) otel_span_int(s, "server.port", port);
        otel_span_str(s, "prova.witness.name", name);
        otel_span_int(s, "prova.witness.old_size", (int64_t)old);
    }
    otel_ctx ctx;
    otel_span_context(s, &ctx);
    long status = 0;
    int rc = witness_submit(url, old, proof, n, note->data, note->len, 5000, &ctx, reply, wsize, &status, err, errlen);
    if (otel_span_recording(s)) {
        if (status) otel_span_int(s, "http.response.status_code", status);
        if (rc != 0) { /* a 409 too: semantic conventions make a CLIENT span's 4xx an error */
            char type[24];
            snprintf(type, sizeof type, "%ld", status);
            otel_span_str(s, "error.type", status >= 400 ? type : prova_status_name(rc));
            otel_span_error(s, rc == WITNESS_SUBMIT_CONFLICT ? "the witness cosigned another size" : err);
        }
    }
    otel_span_end(s);
    return rc;
}

/* Submits (note, size) to witness i from the size it last cosigned, following one 409 to its size. 0 with the
 * cosignature lines appended to reply, or a negative status (logged). parent: the checkpoint's trace context. */
static int submit_one(app *a, size_t i, const prova_buf *note, uint64_t size, const otel_ctx *parent,
                      prova_buf *reply) {
    const char *url = a->witness_url[i];
    const char *name = prova_tlog_policy_witness_name(a->policy, i);
    for (int attempt = 0; attempt < 2; attempt++) {
        uint64_t old = a->witness_size[i];
        if (old > size) {
            app_log(a, "witness %s has cosigned size %llu, beyond the log's %llu", name, (unsigned long long)old,
                    (unsigned long long)size);
            return PROVA_EVERIFY;
        }
        uint8_t proof[PROVA_MERKLE_PROOF_MAX][PROVA_MERKLE_HASH_BYTES];
        size_t n = 0;
        int rc = 0;
        if (old > 0 && old < size) {
            prova_store *s = app_reader_get(a);
            if (!s) return PROVA_EIO;
            tile_src src = {s, size};
            rc = prova_merkle_consistency_prove(old, size, hash_read, &src, proof, PROVA_MERKLE_PROOF_MAX, &n, NULL);
            app_reader_put(a, s);
            if (rc < 0) {
                app_log(a, "cannot build the consistency proof %llu -> %llu for witness %s", (unsigned long long)old,
                        (unsigned long long)size, name);
                return rc;
            }
        }
        char err[256] = "";
        uint64_t wsize = 0;
        rc = submit_traced(a, url, name, old, &proof[0][0], n, note, parent, reply, &wsize, err, sizeof err);
        if (rc == 0) {
            a->witness_size[i] = size;
            return 0;
        }
        if (rc != WITNESS_SUBMIT_CONFLICT) {
            char shown[512];
            app_url_for_log(url, shown, sizeof shown);
            app_log(a, "witness %s (%s) did not cosign size %llu: %s", name, shown, (unsigned long long)size, err);
            return rc;
        }
        a->witness_size[i] = wsize; /* its size: resend with a proof from there */
    }
    return PROVA_EVERIFY;
}

static void *witness_main(void *arg) {
    app *a = arg;
    size_t nw = prova_tlog_policy_witness_count(a->policy);
    prova_buf note = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    otel_ctx ctx;
    prova_buf *replies = calloc(nw ? nw : 1, sizeof *replies);
    pthread_mutex_lock(&a->log_lock);
    while (replies && !a->wstop) {
        if (!a->wpending) {
            pthread_cond_wait(&a->wcond, &a->log_lock);
            continue;
        }
        note.len = 0;
        int rc = prova_buf_append(&note, a->wnote.data, a->wnote.len);
        uint64_t size = a->wsize;
        ctx = a->wctx;
        a->wpending = false;
        pthread_mutex_unlock(&a->log_lock);
        size_t nr = 0;
        for (size_t i = 0; rc == 0 && i < nw; i++) {
            if (!a->witness_url[i]) continue;
            replies[nr].len = 0;
            if (submit_one(a, i, &note, size, &ctx, &replies[nr]) == 0) nr++;
        }
        prova_error e;
        out.len = 0;
        if (rc == 0 &&
            witness_cosigned_quorum(a->policy, a->log_key, note.data, note.len, replies, nr, &out, &e) == 0) {
            publish(a, &out, size);
            pthread_mutex_lock(&a->log_lock); /* for the other gateways on the store: the writer stores it */
            a->wstore.len = 0;
            if (prova_buf_append(&a->wstore, out.data, out.len) == 0) a->wstore_size = size;
            pthread_mutex_unlock(&a->log_lock);
            atomic_store(&a->log_want, true);
            pthread_mutex_lock(&a->qlock);
            pthread_cond_signal(&a->qcond);
            pthread_mutex_unlock(&a->qlock);
        } else {
            app_log(a, "checkpoint %llu not published: the witness quorum was not met; retrying",
                    (unsigned long long)size);
            pthread_mutex_lock(&a->log_lock);
            if (!a->wpending && !a->wstop) { /* again in a second, unless a newer checkpoint comes first */
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += 1;
                pthread_cond_timedwait(&a->wcond, &a->log_lock, &until);
                if (!a->wpending) {
                    a->wnote.len = 0;
                    if (prova_buf_append(&a->wnote, note.data, note.len) == 0) {
                        a->wsize = size;
                        a->wpending = true;
                    }
                }
            }
            continue;
        }
        pthread_mutex_lock(&a->log_lock);
    }
    pthread_mutex_unlock(&a->log_lock);
    for (size_t i = 0; replies && i < nw; i++) prova_buf_free(&replies[i]);
    free(replies);
    prova_buf_free(&note);
    prova_buf_free(&out);
    return NULL;
}

/* The policy and its witnesses' URLs (the library keeps no URLs: "witness <name> <vkey> <url>" lines read here). */
static int load_policy(app *a) {
    const char *path = a->cfg.witness_policy;
    prova_buf b = PROVA_BUF_INIT;
    prova_error e;
    int rc = app_read_file(path, (size_t)1 << 20, &b);
    if (rc == 0)
        rc = prova_tlog_policy_parse(b.data, b.len, &a->policy, &e);
    else
        e.message = rc == PROVA_ELIMIT ? "too large" : strerror(errno);
    if (rc < 0) {
        app_log(a, "%s: not a witness policy: %s", path, e.message);
        prova_buf_free(&b);
        return 2;
    }
    size_t nw = prova_tlog_policy_witness_count(a->policy);
    a->witness_url = calloc(nw ? nw : 1, sizeof *a->witness_url);
    a->witness_size = calloc(nw ? nw : 1, sizeof *a->witness_size);
    if (!a->witness_url || !a->witness_size) rc = PROVA_ENOMEM;
    char *text = (char *)b.data;
    for (size_t off = 0; rc == 0 && off < b.len;) {
        size_t end = off;
        while (end < b.len && text[end] != '\n') end++;
        char line[4096];
        size_t len = end - off < sizeof line - 1 ? end - off : sizeof line - 1;
        memcpy(line, text + off, len);
        line[len] = '\0';
        off = end + 1;
        char *save = NULL, *kw = strtok_r(line, " \t", &save), *name = kw ? strtok_r(NULL, " \t", &save) : NULL;
        char *vkey = name ? strtok_r(NULL, " \t", &save) : NULL, *url = vkey ? strtok_r(NULL, " \t", &save) : NULL;
        if (!kw || strcmp(kw, "witness") != 0 || !url) continue;
        for (size_t i = 0; i < nw; i++)
            if (strcmp(prova_tlog_policy_witness_name(a->policy, i), name) == 0 && !a->witness_url[i])
                if (!(a->witness_url[i] = strdup(url))) rc = PROVA_ENOMEM;
    }
    prova_buf_free(&b);
    if (rc < 0) return 3;
    bool verified = false;
    for (size_t i = 0; i < prova_tlog_policy_log_count(a->policy); i++) {
        uint8_t p1[32], p2[32];
        prova_note_key_public(prova_tlog_policy_log(a->policy, i), p1);
        prova_note_key_public(a->log_key, p2);
        verified |= memcmp(p1, p2, 32) == 0;
    }
    if (!verified) {
        app_log(a, "%s: the policy does not list this log's key (%s) on a \"log\" line", path,
                (const char *)a->log_vkey.data);
        return 2;
    }
    if (pthread_create(&a->wthread, NULL, witness_main, a) != 0) return 3;
    a->wthread_started = true;
    return 0;
}

int app_tlog_open(app *a) {
    if (a->cfg.log_interval_ms == 0) a->cfg.log_interval_ms = 1000;
    int rc = load_log_key(a);
    if (rc) return rc;
    if (a->cfg.witness_policy && (rc = load_policy(a)) != 0) return rc;
    bool fresh = false;
    if ((rc = restore(a, &fresh)) != 0) return rc;
    bool lead = false;
    if (prova_store_log_lead(a->w, &lead) < 0) lead = false;
    atomic_store(&a->log_leading, lead);
    /* the first checkpoint: the empty tree (or the backlog); on a shared store, by the gateway that integrates */
    if (fresh && lead && integrate_step(a, true) < 0) return 3;
    a->log_next_us = 0; /* integrate what was sequenced since at once */
    return 0;
}

void app_tlog_close(app *a) {
    if (a->wthread_started) {
        pthread_mutex_lock(&a->log_lock);
        a->wstop = true;
        pthread_cond_broadcast(&a->wcond);
        pthread_mutex_unlock(&a->log_lock);
        pthread_join(a->wthread, NULL);
        a->wthread_started = false;
    }
    for (size_t i = 0; a->witness_url && i < prova_tlog_policy_witness_count(a->policy); i++) free(a->witness_url[i]);
    free(a->witness_url);
    free(a->witness_size);
    a->witness_url = NULL;
    a->witness_size = NULL;
    a->policy = prova_tlog_policy_free(a->policy);
    prova_buf_free(&a->wnote);
    prova_buf_free(&a->wstore);
    a->tw = prova_tile_writer_free(a->tw);
    a->log_key = prova_note_key_free(a->log_key);
    prova_buf_free(&a->log_vkey);
    prova_buf_free(&a->log_cp);
}

/* ---- Reads (any thread) ------------------------------------------------------------------------------------- */

const prova_buf *app_log_vkey(const app *a) {
    return a->log_key ? &a->log_vkey : NULL;
}

int app_log_checkpoint(app *a, prova_buf *out, uint64_t *ret_size) {
    if (!a->log_key) return PROVA_ENOTFOUND;
    pthread_mutex_lock(&a->log_lock);
    int rc = a->log_cp.len ? prova_buf_append(out, a->log_cp.data, a->log_cp.len) : PROVA_ENOTFOUND;
    if (rc == 0 && ret_size) *ret_size = a->log_cp_size;
    pthread_mutex_unlock(&a->log_lock);
    return rc;
}

static uint64_t published_size(app *a) {
    pthread_mutex_lock(&a->log_lock);
    uint64_t n = a->log_cp.len ? a->log_cp_size : 0;
    pthread_mutex_unlock(&a->log_lock);
    return n;
}

int app_log_tile(app *a, const prova_tile *t, prova_buf *out) {
    if (!a->log_key) return PROVA_ENOTFOUND;
    uint64_t size = published_size(a), have;
    if (t->level == PROVA_TILE_LEVEL_ENTRIES || t->level == 0)
        have = size;
    else if ((unsigned)t->level * PROVA_TILE_HEIGHT >= 64)
        return PROVA_ENOTFOUND;
    else
        have = size >> ((unsigned)t->level * PROVA_TILE_HEIGHT); /* the hashes of level 8L in the tree */
    /* The tile exists at this width when the tree has its last hash: index * 256 + width <= have. */
    if (t->index > (have / PROVA_TILE_WIDTH) || t->index * PROVA_TILE_WIDTH + t->width > have) return PROVA_ENOTFOUND;
    prova_store *s = app_reader_get(a);
    if (!s) return PROVA_EIO;
    int rc = read_tile(s, t, out);
    app_reader_put(a, s);
    return rc;
}

int app_log_proof(app *a, uint64_t index, prova_buf *out) {
    if (!a->log_key) return PROVA_ENOTFOUND;
    prova_buf cp = PROVA_BUF_INIT;
    uint64_t size = 0;
    int rc = app_log_checkpoint(a, &cp, &size);
    if (rc == 0 && index >= size) {
        rc = PROVA_ENOTFOUND;
        atomic_store(&a->log_want, true); /* someone waits: integrate now rather than at the next interval */
        pthread_mutex_lock(&a->qlock);
        pthread_cond_signal(&a->qcond);
        pthread_mutex_unlock(&a->qlock);
    }
    if (rc < 0) {
        prova_buf_free(&cp);
        return rc;
    }
    prova_store *s = app_reader_get(a);
    if (!s) {
        prova_buf_free(&cp);
        return PROVA_EIO;
    }
    tile_src src = {s, size};
    uint8_t proof[PROVA_MERKLE_PROOF_MAX][PROVA_MERKLE_HASH_BYTES];
    size_t n = 0;
    rc = prova_merkle_inclusion_prove(index, size, hash_read, &src, proof, PROVA_MERKLE_PROOF_MAX, &n, NULL);
    app_reader_put(a, s);
    if (rc == 0) rc = prova_tlog_proof_write(NULL, 0, index, &proof[0][0], n, cp.data, cp.len, out, NULL);
    prova_buf_free(&cp);
    return rc;
}

int app_log_attach(app *a, const prova_buf *doc, const prova_buf *index_json, prova_buf *out) {
    /* The indexes: the integers of the arrays (null, a record without one, is skipped; the order is irrelevant,
     * prova_log_proofs_attach matches each proof to its record by the record's entry). */
    size_t n = 0, cap = 0;
    int64_t *indexes = NULL, max = -1;
    const char *p = (const char *)index_json->data, *end = p + index_json->len;
    while (p < end) {
        if (*p == '-') { /* a negative number is no index */
            for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            }
            continue;
        }
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        int64_t v = 0;
        while (p < end && *p >= '0' && *p <= '9' && v < INT64_MAX / 10) v = v * 10 + (*p++ - '0');
        if (n == cap) {
            int64_t *grown = realloc(indexes, (cap = cap ? 2 * cap : 16) * sizeof *indexes);
            if (!grown) {
                free(indexes);
                return PROVA_ENOMEM;
            }
            indexes = grown;
        }
        indexes[n++] = v;
        if (v > max) max = v;
    }
    if (!a->log_key || max < 0) {
        free(indexes);
        return prova_buf_append(out, doc->data, doc->len);
    }
    /* A fresh record: ask the writer to integrate now, and wait (bounded) for the published checkpoint to cover it,
     * as a client of /log/proof would retry. With a witness policy publication also waits for the cosignatures. */
    int64_t until = app_now_us() + (int64_t)APP_LOG_EXPORT_WAIT_MS * 1000;
    while (published_size(a) <= (uint64_t)max && app_now_us() < until) {
        atomic_store(&a->log_want, true);
        pthread_mutex_lock(&a->qlock);
        pthread_cond_signal(&a->qcond);
        pthread_mutex_unlock(&a->qlock);
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    prova_log_proof_in *in = calloc(n ? n : 1, sizeof *in);
    prova_buf *texts = calloc(n ? n : 1, sizeof *texts);
    int rc = in && texts ? 0 : PROVA_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (indexes[i] < 0) continue;
        int pr = app_log_proof(a, (uint64_t)indexes[i], &texts[k]);
        if (pr == PROVA_ENOTFOUND) continue; /* not integrated yet: no proof (the verifier warns log_proof_missing) */
        if (pr < 0) {
            rc = pr;
            break;
        }
        in[k].proof = (const char *)texts[k].data;
        in[k].len = texts[k].len;
        k++;
    }
    if (rc == 0 && k == 0)
        rc = prova_buf_append(out, doc->data, doc->len);
    else if (rc == 0)
        rc = prova_log_proofs_attach(doc->data, doc->len, in, k, out, NULL);
    for (size_t i = 0; texts && i < n; i++) prova_buf_free(&texts[i]);
    free(texts);
    free(in);
    free(indexes);
    return rc;
}
