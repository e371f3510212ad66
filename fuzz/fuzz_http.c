/* libFuzzer target: the gateway's request handling, end to end. LLVMFuzzerInitialize starts the real daemon once
 * (src/http over the service, src/app, with a store in a new temporary directory, the token FUZZ_TOKEN with every
 * scope, /mcp, on a free loopback port). Each input is sent as is over a new loopback TCP connection — one raw
 * HTTP/1.1 request or a pipeline of them — the sending side is shut down, and the answer read until the server
 * closes, READ_TIMEOUT_MS pass without a byte (HEALTH_TIMEOUT_MS for /health), or what came is whole responses and no
 * byte follows for BOUNDARY_WAIT_MS. The half-close waits HALF_CLOSE_WAIT_MS for a first answer: libmicrohttpd 0.9.75
 * (epoll) often misses a FIN that arrives together with the request's last bytes and keeps such a connection until its
 * idle timeout, while a FIN on its own ends it at once (ten times the executions per second). The reader does not wait
 * for idle timeouts. Invariants: no crash, leak or UB in the server; whatever the server sends starts with "HTTP/1.1 ";
 * the server still answers GET /health with 200 afterwards. The corpus (fuzz/corpus/http) holds real requests with
 * "Authorization: Bearer fuzz-token-0123456789" and envelopes whose freshness does not matter (the window is made 100
 * years wide here). */
#define _GNU_SOURCE /* nftw's FTW_DEPTH, mkdtemp */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "fuzz.h"
#include "http.h"
#include "mcp.h"

#define FUZZ_TOKEN         "fuzz-token-0123456789"
#define READ_TIMEOUT_MS    200  /* for an answer to the input */
#define HEALTH_TIMEOUT_MS  5000 /* for the answer to GET /health: the server is alive */
#define BOUNDARY_WAIT_MS   10
#define HALF_CLOSE_WAIT_MS 2

static char data_dir[] = "/tmp/prova-fuzz-http-XXXXXX";
static app *service;
static mcp_server *mcp;
static httpd *server;
static uint16_t port;

static void quiet_log(void *ctx, const char *line) {
    (void)ctx;
    (void)line;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void stop_server(void) {
    http_stop(server);
    mcp_server_free(mcp);
    app_close(service);
    nftw(data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    ASSERT(mkdtemp(data_dir));
    char path[sizeof data_dir + 32];
    snprintf(path, sizeof path, "%s/tokens.json", data_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT(fd >= 0);
    static const char tokens[] =
        "{\"tokens\":[{\"name\":\"fuzz\",\"token\":\"" FUZZ_TOKEN "\",\"scopes\":[\"*\"]}],\"odin_api_keys\":[]}\n";
    ASSERT(write(fd, tokens, sizeof tokens - 1) == (ssize_t)(sizeof tokens - 1));
    close(fd);

    app_config ac;
    app_config_defaults(&ac);
    ac.data_dir = data_dir;
    ac.log = quiet_log;
    ac.allow_inline_sender_keys = true;
    ac.max_skew_s = (int64_t)100 * 365 * 24 * 3600;
    ac.log_interval_ms = 50; /* exports with ?log_proofs=1 wait for the next checkpoint */
    ac.max_body = (size_t)1 << 16;
    ASSERT(app_open(&ac, &service) == 0);
    mcp_config mc = {.a = service, .max_message = ac.max_body, .max_depth = ac.max_depth, .quiet = true};
    ASSERT((mcp = mcp_server_new(&mc)) != NULL);
    http_config hc;
    http_config_defaults(&hc);
    hc.listen = "127.0.0.1:0";
    hc.threads = 2;
    hc.timeout_s = 1;
    hc.max_body = ac.max_body;
    hc.quiet = true;
    hc.log_prefix = "fuzz_http";
    ASSERT(http_start(&hc, service, mcp, &server) == 0);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    ASSERT(info && info->port);
    port = info->port;
    atexit(stop_server);
    return 0;
}

/* Whether b is one or more whole responses: status line and headers, then Content-Length bytes of body. A response
 * without Content-Length (chunked, or not HTTP) is never whole: the reader waits for the close. */
static bool whole_responses(const uint8_t *p, size_t n) {
    while (n) {
        const uint8_t *end = memmem(p, n, "\r\n\r\n", 4);
        if (!end) return false;
        size_t head = (size_t)(end - p) + 4, body = 0;
        bool has_length = false;
        for (const uint8_t *l = p; l < end;) {
            const uint8_t *nl = memmem(l, (size_t)(end - l) + 2, "\r\n", 2);
            static const char cl[] = "content-length:";
            if ((size_t)(nl - l) > sizeof cl - 1 && strncasecmp((const char *)l, cl, sizeof cl - 1) == 0) {
                has_length = true;
                for (const uint8_t *d = l + sizeof cl - 1; d < nl; d++)
                    if (*d >= '0' && *d <= '9') body = body * 10 + (size_t)(*d - '0');
            }
            l = nl + 2;
        }
        if (!has_length && (n < 13 || memcmp(p + 9, "204", 3) != 0)) return false;
        if (head + body > n) return false;
        p += head + body;
        n -= head + body;
    }
    return true;
}

/* A new connection to the server, from a new source address in 127.1.0.0/16 each time: the connections that still
 * end in TIME_WAIT (the server's side, when it closes first) then never stand in the way of a new one. A connect
 * that fails is retried before the harness gives up naming errno (a fuzz-long run once aborted on a failed connect
 * that its input did not reproduce: the harness's trouble, not a finding about prova). */
static int connect_server(void) {
    static unsigned next_source;
    int err = 0;
    for (int attempt = 0; attempt < 20; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT(fd >= 0);
        struct sockaddr_in src = {.sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(0x7f010000u | (next_source++ & 0xffffu))};
        struct sockaddr_in sa = {
            .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (bind(fd, (struct sockaddr *)&src, sizeof src) == 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            return fd;
        err = errno;
        close(fd);
        poll(NULL, 0, 10);
    }
    fprintf(stderr, "fuzz_http: cannot connect to the server: %s\n", strerror(err));
    abort();
}

/* Sends data on a new connection, shuts the sending side, and appends what comes back to out until the server
 * closes, timeout_ms pass without a byte, or out is whole responses and BOUNDARY_WAIT_MS pass without more. */
static void exchange(const void *data, size_t size, int timeout_ms, prova_buf *out) {
    int fd = connect_server();
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* close() resets the connection: no TIME_WAIT on either side, which at hundreds of connections a second would
     * use up the ephemeral ports within a minute (connect: EADDRNOTAVAIL). */
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    struct timeval tv = {.tv_sec = HEALTH_TIMEOUT_MS / 1000, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const char *p = data;
    while (size) { /* the server may answer and close before reading everything: stop there */
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n <= 0) break;
        p += n;
        size -= (size_t)n;
    }
    /* Half-close only once the server had a moment to read the request (or answered it): a FIN that arrives with the
     * request's last bytes is often missed (above), one that arrives on its own is seen and ends the connection. */
    struct pollfd first = {.fd = fd, .events = POLLIN};
    poll(&first, 1, HALF_CLOSE_WAIT_MS);
    shutdown(fd, SHUT_WR);
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int wait = out->len && whole_responses(out->data, out->len) ? BOUNDARY_WAIT_MS : timeout_ms;
        if (poll(&pfd, 1, wait) <= 0) break;
        ASSERT(prova_buf_reserve(out, 4096) == 0);
        ssize_t n = recv(fd, out->data + out->len, 4096, 0);
        if (n <= 0) break;
        out->len += (size_t)n;
    }
    close(fd);
}

/* Whether b starts with s, or (cut short by the timeout) with a part of it. */
static bool starts_with(const prova_buf *b, const char *s) {
    size_t n = strlen(s);
    return memcmp(b->data, s, b->len < n ? b->len : n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    prova_buf out = PROVA_BUF_INIT;
    exchange(data, size, READ_TIMEOUT_MS, &out);
    ASSERT(out.len == 0 || starts_with(&out, "HTTP/1.1 "));
    out.len = 0;
    static const char health[] = "GET /health HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
    /* Three tries: on a machine loaded by other work one answer can take longer than HEALTH_TIMEOUT_MS; a server
     * that an input broke does not answer any of them. */
    for (int attempt = 0; attempt < 3; attempt++) {
        out.len = 0;
        exchange(health, sizeof health - 1, HEALTH_TIMEOUT_MS, &out);
        if (out.len >= 13 && starts_with(&out, "HTTP/1.1 200 ")) break;
    }
    if (out.len < 13 || !starts_with(&out, "HTTP/1.1 200 ")) {
        fprintf(stderr, "fuzz_http: GET /health after this input: %.*s\n", (int)(out.len < 300 ? out.len : 300),
                out.len ? (const char *)out.data : "(no answer)");
        abort();
    }
    prova_buf_free(&out);
    return 0;
}
