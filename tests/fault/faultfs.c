/* faultfs: a test-only LD_PRELOAD shim that makes writes and syncs of files under one directory fail on demand.
 * Never linked into prova: tests/http/test_faults.py runs `prova serve` with LD_PRELOAD set to it.
 *
 *   FAULTFS_DIR   the directory whose files are affected (a prefix of the path behind the descriptor)
 *   FAULTFS_CTL   a control file read on every call: "off" (or absent), "enospc" (writes fail with ENOSPC),
 *                 "eio-write" (writes fail with EIO), "eio-fsync" (fsync/fdatasync fail with EIO, writes pass)
 *
 * Wrapped: write, pwrite, pwrite64, writev, pwritev, fsync, fdatasync, fallocate (what SQLite's unix VFS calls to
 * commit in WAL mode: pwrite64 of the frames, fdatasync/fsync of the WAL, and of the database at a checkpoint).
 * Each failure is counted in FAULTFS_CTL.count (one line per refused call), so a test can see the shim acted. */
#undef _FILE_OFFSET_BITS /* the wrappers define pwrite and pwrite64 both, under their own names */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef int (*fallocate_fn)(int, int, off_t, off_t);
typedef int (*sync_fn)(int);

/* The next definition of name (libc's), as a function pointer of the caller's type (memcpy: ISO C has no cast from
 * an object pointer to a function pointer). */
static void next(const char *name, void *fn, size_t size) {
    void *p = dlsym(RTLD_NEXT, name);
    memcpy(fn, &p, size);
}

enum { F_OFF, F_ENOSPC, F_EIO_WRITE, F_EIO_FSYNC };

static int mode(void) {
    const char *ctl = getenv("FAULTFS_CTL");
    if (!ctl) return F_OFF;
    int fd = open(ctl, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return F_OFF;
    char b[32];
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0) return F_OFF;
    b[n] = '\0';
    if (strncmp(b, "enospc", 6) == 0) return F_ENOSPC;
    if (strncmp(b, "eio-write", 9) == 0) return F_EIO_WRITE;
    if (strncmp(b, "eio-fsync", 9) == 0) return F_EIO_FSYNC;
    return F_OFF;
}

/* Whether fd is a file under FAULTFS_DIR. */
static int affected(int fd) {
    const char *dir = getenv("FAULTFS_DIR");
    if (!dir || !*dir) return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    size_t dl = strlen(dir);
    return strncmp(path, dir, dl) == 0 && (path[dl] == '/' || path[dl] == '\0');
}

static void count(const char *call, int fd) {
    const char *ctl = getenv("FAULTFS_CTL");
    if (!ctl) return;
    char path[PATH_MAX], line[96];
    snprintf(path, sizeof path, "%s.count", ctl);
    int cfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (cfd < 0) return;
    int n = snprintf(line, sizeof line, "%s %d\n", call, fd);
    write_fn real_write = NULL;
    next("write", &real_write, sizeof real_write);
    if (real_write && n > 0) (void)real_write(cfd, line, (size_t)n);
    close(cfd);
}

/* -1 with errno set when a write to fd must fail now, else 0. */
static int write_fault(int fd, const char *call) {
    int m = mode();
    if ((m != F_ENOSPC && m != F_EIO_WRITE) || !affected(fd)) return 0;
    count(call, fd);
    errno = m == F_ENOSPC ? ENOSPC : EIO;
    return -1;
}

static int sync_fault(int fd, const char *call) {
    if (mode() != F_EIO_FSYNC || !affected(fd)) return 0;
    count(call, fd);
    errno = EIO;
    return -1;
}

#define REAL(name, type)                                                                                               \
    static type real_##name;                                                                                           \
    if (!real_##name) next(#name, &real_##name, sizeof real_##name)

ssize_t write(int fd, const void *buf, size_t n) {
    REAL(write, write_fn);
    if (write_fault(fd, "write")) return -1;
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite, pwrite_fn);
    if (write_fault(fd, "pwrite")) return -1;
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off) {
    REAL(pwrite64, pwrite64_fn);
    if (write_fault(fd, "pwrite64")) return -1;
    return real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
    REAL(writev, writev_fn);
    if (write_fault(fd, "writev")) return -1;
    return real_writev(fd, iov, cnt);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
    REAL(pwritev, pwritev_fn);
    if (write_fault(fd, "pwritev")) return -1;
    return real_pwritev(fd, iov, cnt, off);
}

int fallocate(int fd, int m, off_t off, off_t len) {
    REAL(fallocate, fallocate_fn);
    if (write_fault(fd, "fallocate")) return -1;
    return real_fallocate(fd, m, off, len);
}

int fsync(int fd) {
    REAL(fsync, sync_fn);
    if (sync_fault(fd, "fsync")) return -1;
    return real_fsync(fd);
}

int fdatasync(int fd) {
    REAL(fdatasync, sync_fn);
    if (sync_fault(fd, "fdatasync")) return -1;
    return real_fdatasync(fd);
}
