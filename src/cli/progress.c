/* Progress of long commands on stderr: progress.h. */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "prova/compress.h"

#define TTY_INTERVAL_NS   (100 * 1000000LL)  /* at most 10 status lines a second on a terminal */
#define PLAIN_INTERVAL_NS (1000 * 1000000LL) /* at most one plain line a second elsewhere */
#define READ_CHUNK        ((size_t)8 << 20)  /* prova verify reads its input in chunks of 8 MiB */
#define LINE_MAX_BYTES    512

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool progress_option(const char *arg, progress_mode *mode) {
    if (strcmp(arg, "--progress") == 0) {
        *mode = PROGRESS_ON;
        return true;
    }
    if (strcmp(arg, "--no-progress") == 0) {
        *mode = PROGRESS_OFF;
        return true;
    }
    return false;
}

void progress_init(progress *p, const char *cmd, progress_mode mode) {
    memset(p, 0, sizeof *p);
    p->fd = STDERR_FILENO;
    p->tty = isatty(p->fd) == 1;
    p->on = mode == PROGRESS_ON || (mode == PROGRESS_AUTO && p->tty);
    snprintf(p->cmd, sizeof p->cmd, "%s", cmd);
    p->cols = 80;
    struct winsize ws;
    if (p->tty && ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) p->cols = ws.ws_col;
    p->interval_ns = p->tty ? TTY_INTERVAL_NS : PLAIN_INTERVAL_NS;
    p->t0_ns = now_ns();
    p->last_ns = -1;
    if (p->on) {
        pthread_mutex_init(&p->mu, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&p->cv, &ca);
        pthread_condattr_destroy(&ca);
    }
}

bool progress_due(progress *p) {
    if (!p->on) return false;
    return p->last_ns < 0 || now_ns() - p->last_ns >= p->interval_ns;
}

static void write_all(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return; /* progress is best effort: a closed stderr is not the command's failure */
        s += w;
        n -= (size_t)w;
    }
}

/* With p->mu held. One write per status, so that it is never interleaved with itself. */
static void show_locked(progress *p, const char *text) {
    char line[LINE_MAX_BYTES + 64];
    size_t n;
    if (p->tty) {
        size_t max = p->cols - 1, len = strlen(text);
        if (len > max) len = max;
        while (len > 0 && len < strlen(text) && ((unsigned char)text[len] & 0xc0) == 0x80) len--; /* whole chars */
        n = (size_t)snprintf(line, sizeof line, "\r%.*s\033[K", (int)len, text);
        p->shown = true;
    } else {
        n = (size_t)snprintf(line, sizeof line, "prova %s: %s\n", p->cmd, text);
    }
    if (n >= sizeof line) n = sizeof line - 1;
    write_all(p->fd, line, n);
    p->last_ns = now_ns();
}

__attribute__((format(printf, 2, 0))) static void vshow(progress *p, const char *fmt, va_list ap) {
    char text[LINE_MAX_BYTES];
    vsnprintf(text, sizeof text, fmt, ap);
    pthread_mutex_lock(&p->mu);
    show_locked(p, text);
    pthread_mutex_unlock(&p->mu);
}

void progress_show(progress *p, const char *fmt, ...) {
    if (!p->on) return;
    va_list ap;
    va_start(ap, fmt);
    vshow(p, fmt, ap);
    va_end(ap);
}

void progress_clear(progress *p) {
    if (!p->on || !p->tty) return;
    pthread_mutex_lock(&p->mu);
    if (p->shown) write_all(p->fd, "\r\033[K", 4);
    p->shown = false;
    p->last_ns = -1; /* the next status at once */
    pthread_mutex_unlock(&p->mu);
}

/* 1.2 GiB, 512 KiB, 17 B */
static void human_bytes(double b, char *out, size_t cap) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", b, units[u]);
}

static void human_secs(double s, char *out, size_t cap) {
    if (s < 60)
        snprintf(out, cap, "%.0f s", s);
    else if (s < 3600)
        snprintf(out, cap, "%d min %02d s", (int)(s / 60), (int)s % 60);
    else
        snprintf(out, cap, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
}

static double elapsed_s(int64_t since) {
    double s = (double)(now_ns() - since) / 1e9;
    return s > 0 ? s : 1e-9;
}

void progress_bytes(progress *p, const char *verb, uint64_t done, uint64_t total, uint64_t records) {
    if (!progress_due(p)) return;
    double secs = elapsed_s(p->t0_ns), rate = (double)done / secs;
    char d[32], t[32], r[32], eta[48] = "", recs[48] = "", pct[16] = "";
    human_bytes((double)done, d, sizeof d);
    human_bytes(rate, r, sizeof r);
    if (total) {
        human_bytes((double)total, t, sizeof t);
        snprintf(pct, sizeof pct, " (%d%%)", (int)(100.0 * (double)done / (double)total));
        if (rate > 0 && done < total) {
            char e[32];
            human_secs((double)(total - done) / rate, e, sizeof e);
            snprintf(eta, sizeof eta, ", ETA %s", e);
        }
    }
    if (records) snprintf(recs, sizeof recs, ", %" PRIu64 " record%s", records, records == 1 ? "" : "s");
    progress_show(p, "%s %s%s%s%s%s, %s/s%s", verb, d, total ? " of " : "", total ? t : "", pct, recs, r, eta);
}

void progress_count(progress *p, const char *unit, uint64_t done, uint64_t total, const char *extra) {
    if (!progress_due(p)) return;
    double secs = elapsed_s(p->t0_ns), rate = (double)done / secs;
    char eta[48] = "";
    if (total && rate > 0 && done < total) {
        char e[32];
        human_secs((double)(total - done) / rate, e, sizeof e);
        snprintf(eta, sizeof eta, ", ETA %s", e);
    }
    if (total)
        progress_show(p, "%" PRIu64 " of %" PRIu64 " %s (%d%%), %.0f %s/s%s%s%s", done, total, unit,
                      (int)(100.0 * (double)done / (double)total), rate, unit, eta, extra ? ", " : "",
                      extra ? extra : "");
    else
        progress_show(p, "%" PRIu64 " %s, %.0f %s/s%s%s", done, unit, rate, unit, extra ? ", " : "",
                      extra ? extra : "");
}

/* The phase thread: the phase's text and its elapsed time, at most once an interval (counting from the last status
 * shown), until stopped. */
static void *tick(void *arg) {
    progress *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->last_ns >= 0) {
            int64_t next = p->last_ns + p->interval_ns;
            struct timespec ts = {.tv_sec = (time_t)(next / 1000000000LL), .tv_nsec = (long)(next % 1000000000LL)};
            while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &ts) != ETIMEDOUT) {
            }
        }
        if (p->stop) break;
        char text[LINE_MAX_BYTES], e[32];
        human_secs((double)(now_ns() - p->phase_t0_ns) / 1e9, e, sizeof e);
        snprintf(text, sizeof text, "%s, %s", p->phase, e);
        show_locked(p, text);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void phase_stop(progress *p) {
    if (!p->ticking) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    p->ticking = false;
    p->stop = false;
}

void progress_phase_begin(progress *p, const char *fmt, ...) {
    if (!p->on) return;
    phase_stop(p);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->phase, sizeof p->phase, fmt, ap);
    va_end(ap);
    p->phase_t0_ns = now_ns();
    if (pthread_create(&p->thread, NULL, tick, p) == 0) {
        p->ticking = true;
    } else {
        progress_show(p, "%s", p->phase); /* no thread: the phase once */
    }
}

void progress_end(progress *p, const char *fmt, ...) {
    if (!p->on) return;
    phase_stop(p);
    char what[LINE_MAX_BYTES] = "", secs[32];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
    }
    snprintf(secs, sizeof secs, "%.3f s", (double)(now_ns() - p->t0_ns) / 1e9);
    if (p->tty) {
        if (p->shown) write_all(p->fd, "\r\033[K", 4);
        p->shown = false;
    } else if (fmt) {
        char line[LINE_MAX_BYTES + 96];
        int n = snprintf(line, sizeof line, "prova %s: done%s%s in %s\n", p->cmd, fmt ? ": " : "", what, secs);
        if (n > 0) write_all(p->fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    }
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    p->on = false;
}

/* Records of JSON Lines: the lines of a document whose first line is one JSON object ({...}); 0 otherwise (one
 * document, whatever its lines). */
static bool first_line_is_object(const uint8_t *d, size_t n) {
    size_t i = 0;
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r')) i++;
    if (i >= n || d[i] != '{') return false;
    while (n > i && (d[n - 1] == ' ' || d[n - 1] == '\t' || d[n - 1] == '\r')) n--;
    return n > i && d[n - 1] == '}';
}

int progress_input_open(progress *p, const char *path, size_t pipe_max, cli_input *ret, uint64_t *ret_records) {
    *ret_records = 0;
    if (!p->on || strcmp(path, "-") == 0) return cli_input_open_stream(path, pipe_max, ret);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        if (fd >= 0) close(fd);
        return cli_input_open_stream(path, pipe_max, ret); /* its errors, as without progress */
    }
    size_t size = (size_t)st.st_size;
    void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return cli_input_open_stream(path, pipe_max, ret);
    if (prova_compress_detect(m, size) != PROVA_COMPRESSION_NONE) {
        /* zstd or gzip: its lines are counted after decompression, not here */
        munmap(m, size);
        return cli_input_open_stream(path, pipe_max, ret);
    }
    (void)posix_madvise(m, size, POSIX_MADV_SEQUENTIAL);
    /* Read the mapping in chunks (what MAP_POPULATE does in one call), counting lines. */
    const uint8_t *d = m;
    uint64_t lines = 0;
    int jsonl = -1; /* unknown until the first newline */
    for (size_t at = 0; at < size;) {
        size_t n = size - at < READ_CHUNK ? size - at : READ_CHUNK;
        const uint8_t *s = d + at, *end = s + n;
        while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
            if (jsonl < 0) jsonl = first_line_is_object(d, (size_t)(s - d));
            lines++;
            s++;
        }
        at += n;
        progress_bytes(p, "read", at, size, jsonl == 1 ? lines : 0);
    }
    if (jsonl == 1 && d[size - 1] != '\n') lines++;
    if (jsonl == 1) *ret_records = lines;
    (void)posix_madvise(m, size, POSIX_MADV_NORMAL);
    memset(ret, 0, sizeof *ret);
    ret->map = m;
    ret->maplen = size;
    ret->data = m;
    ret->len = size;
    return EXIT_OK;
}
