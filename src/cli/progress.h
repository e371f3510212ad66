/* Progress of long commands on stderr (docs/cli.md "Progress"): prova verify (bytes read of the total, records,
 * rate, ETA, then the verification's elapsed time), prova store copy (rows per table), prova log audit (entries
 * and tiles checked).
 *
 * Shown when stderr is a terminal (isatty(2)), else silent; --progress forces it on, --no-progress off. On a
 * terminal: one status line rewritten in place ("\r" ... "\033[K"), at most 10 times a second by CLOCK_MONOTONIC,
 * cut to the terminal's width and erased at the end. Forced on a non-terminal (a file, a pipe, a CI log): plain
 * lines "prova CMD: ...", at most one a second, and a last line "prova CMD: done: ...". stdout is never touched:
 * the output is the same with and without progress.
 *
 * No global state: a command owns its `progress` (on its stack) from progress_init() to progress_end().
 *
 *     progress pg;
 *     progress_init(&pg, "log audit", mode);
 *     while (...) { ...; progress_count(&pg, "entries", done, size, extra); }
 *     progress_end(&pg, "%llu entries", n);
 */
#ifndef PROVA_CLI_PROGRESS_H
#define PROVA_CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

typedef enum progress_mode {
    PROGRESS_AUTO = 0, /* on when stderr is a terminal */
    PROGRESS_ON,       /* --progress */
    PROGRESS_OFF,      /* --no-progress */
} progress_mode;

typedef struct progress {
    bool on;  /* anything is shown */
    bool tty; /* stderr is a terminal: a status line; else plain lines */
    int fd;   /* 2 */
    char cmd[32];
    unsigned cols;                       /* the terminal's width (tty), the status line is cut to cols - 1 */
    int64_t t0_ns, last_ns, interval_ns; /* CLOCK_MONOTONIC; last_ns < 0: nothing shown yet */
    bool shown;                          /* a status line is on the terminal (tty) */
    /* A phase with no hook to report from (prova verify's verification): a thread shows its elapsed time. */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool ticking, stop;
    int64_t phase_t0_ns;
    char phase[160];
} progress;

/* True when arg is --progress or --no-progress; sets *mode. */
bool progress_option(const char *arg, progress_mode *mode);
/* Decides whether to show anything (mode, isatty(2)); cmd names the command in plain lines ("verify"). */
void progress_init(progress *p, const char *cmd, progress_mode mode);
/* True when a new status is due: on, and the first one or the interval has passed. Cheap (a clock read). */
bool progress_due(progress *p);
/* Shows a status now: the status line on a terminal, a plain line otherwise (callers check progress_due). */
void progress_show(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Erases the status line (a terminal) before a message on stderr; nothing elsewhere. */
void progress_clear(progress *p);
/* When due: "read 1.2 GiB of 3.4 GiB (35%), 123456 records, 210 MiB/s, ETA 11 s" (total 0: unknown). */
void progress_bytes(progress *p, const char *verb, uint64_t done, uint64_t total, uint64_t records);
/* When due: "123456 of 1000000 entries (12%), 4521 entries/s, ETA 3 s[, extra]". */
void progress_count(progress *p, const char *unit, uint64_t done, uint64_t total, const char *extra);
/* A phase that cannot report how far it is: its text and the time elapsed, refreshed by a thread until the next
 * progress_phase_begin() or progress_end(). */
void progress_phase_begin(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The end: the status line erased (terminal), or a last line "prova CMD: done: <fmt> in S s" (forced on a
 * non-terminal; fmt NULL, for a command that failed: no line). Safe to call when off, and more than once. */
void progress_end(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* prova verify's input: as cli_input_open_stream(), and with progress on, a regular file is mapped and read in
 * chunks (records counted for JSON Lines), showing bytes read of the total. */
int progress_input_open(progress *p, const char *path, size_t pipe_max, cli_input *ret, uint64_t *ret_records);

#endif
