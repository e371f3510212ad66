/* `prova` helpers: file input, stdout, error messages, options. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_fail(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("prova: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int cli_read_file(const char *path, size_t max_size, prova_buf *ret) {
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cli_fail(errno == ENOENT || errno == EACCES ? EXIT_USAGE : EXIT_INTERNAL, "%s: %s", name,
                                strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!is_stdin) close(fd);
        return cli_fail(EXIT_USAGE, "%s: is a directory", name);
    }
    size_t hint = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 65536;
    if (hint > max_size) hint = max_size;
    int rc = EXIT_OK;
    if (prova_buf_reserve(ret, hint + 1) < 0) {
        rc = cli_fail(EXIT_INTERNAL, "%s: out of memory", name);
        goto out;
    }
    for (;;) {
        if (ret->cap - ret->len < 2 && prova_buf_reserve(ret, ret->cap) < 0) {
            rc = cli_fail(EXIT_INTERNAL, "%s: out of memory", name);
            goto out;
        }
        ssize_t n = read(fd, ret->data + ret->len, ret->cap - ret->len - 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = cli_fail(EXIT_INTERNAL, "%s: read: %s", name, strerror(errno));
            goto out;
        }
        if (n == 0) break;
        ret->len += (size_t)n;
        if (ret->len > max_size) {
            rc = cli_fail(EXIT_USAGE, "%s: larger than the limit of %zu bytes (json_size_limit)", name, max_size);
            goto out;
        }
    }
    ret->data[ret->len] = '\0';
out:
    if (!is_stdin) close(fd);
    return rc;
}

int cli_write_stdout(const void *data, size_t len) {
    if (len && fwrite(data, 1, len, stdout) != len) return cli_fail(EXIT_INTERNAL, "write to stdout: %s", strerror(errno));
    if (fflush(stdout) != 0) return cli_fail(EXIT_INTERNAL, "write to stdout: %s", strerror(errno));
    return EXIT_OK;
}

void cli_report(const char *file, const prova_error *err) {
    const char *name = !file || strcmp(file, "-") == 0 ? "<stdin>" : file;
    if (err->line)
        fprintf(stderr, "prova: %s:%zu:%zu: %s (%s)", name, err->line, err->column, err->message, err->reason);
    else
        fprintf(stderr, "prova: %s: %s (%s)", name, err->message, err->reason);
    if (err->pointer[0]) fprintf(stderr, " at %s", err->pointer);
    fputc('\n', stderr);
}

bool cli_opt_value(int argc, char **argv, int *i, const char *name, const char **ret) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return false;
    if (a[n] == '=') {
        *ret = a + n + 1;
        return true;
    }
    if (a[n] != '\0') return false;
    if (*i + 1 >= argc) {
        *ret = NULL; /* caller reports the missing value */
        return true;
    }
    *ret = argv[++*i];
    return true;
}

bool cli_is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

void cli_print_help(const cli_cmd *cmd, FILE *f) { fprintf(f, "usage: prova %s\n\n%s", cmd->synopsis, cmd->help); }
