/* The stdio transport: newline-delimited JSON-RPC messages on in_fd, replies on out_fd, logs on stderr only.
 *
 * SPEC: modelcontextprotocol.io/specification/2025-11-25/basic/transports#stdio: "Messages are delimited by
 * newlines, and MUST NOT contain embedded newlines." "The server MUST NOT write anything to its stdout that is not
 * a valid MCP message."
 *
 * Replies are buffered and written when no more input is pending (or the buffer is large), so a client that
 * pipelines requests gets them answered in large writes. A reply still in the buffer when the client cancels its
 * request is taken back (no response for a cancelled request). A line longer than max_message is answered with one
 * Invalid Request error (id null) and skipped up to its newline without being buffered.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp.h"

const mcp_config *mcp_server_config(const mcp_server *s);

enum { FLUSH_AT = 64 << 10, READ_CHUNK = 64 << 10, PENDING_MAX = 64, PENDING_ID = 128 };

/* A reply in the output buffer that has not been written yet. */
typedef struct pending {
    size_t start, end;
    size_t idlen;
    char id[PENDING_ID];
} pending;

typedef struct io {
    int out_fd;
    bool quiet, gone;
    prova_buf out;
    pending p[PENDING_MAX];
    size_t np;
} io;

static int flush_out(io *o) {
    size_t off = 0;
    while (off < o->out.len && !o->gone) {
        ssize_t w = write(o->out_fd, o->out.data + off, o->out.len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (!o->quiet) fprintf(stderr, "prova mcp: the client stopped reading (%s); exiting\n", strerror(errno));
            o->gone = true;
            break;
        }
        off += (size_t)w;
    }
    o->out.len = 0;
    o->np = 0;
    return o->gone ? -1 : 0;
}

static bool input_pending(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

/* The id token of a reply this server wrote: {"jsonrpc":"2.0","id":ID,... */
static void remember(io *o, size_t start) {
    static const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":";
    size_t hl = sizeof head - 1;
    if (o->np == PENDING_MAX || o->out.len - start < hl || memcmp(o->out.data + start, head, hl) != 0) return;
    const char *s = (const char *)o->out.data + start + hl, *end = (const char *)o->out.data + o->out.len;
    const char *e = s;
    if (*e == '"') {
        for (e++; e < end && *e != '"'; e++)
            if (*e == '\\') e++;
        e++;
    } else {
        while (e < end && *e != ',') e++;
    }
    if (e > end || (size_t)(e - s) > PENDING_ID || e == s) return;
    pending *p = &o->p[o->np++];
    p->start = start;
    p->end = o->out.len;
    p->idlen = (size_t)(e - s);
    memcpy(p->id, s, p->idlen);
}

/* notifications/cancelled for a reply still buffered: the reply is taken back. */
static void take_back(io *o, const uint8_t *line, size_t len) {
    prova_doc *doc = NULL;
    if (prova_json_parse(line, len, NULL, &doc, NULL) < 0) return;
    const prova_json *root = prova_doc_root(doc);
    const prova_json *rid = prova_json_get(prova_json_get(root, "params"), "requestId");
    char buf[PENDING_ID];
    size_t n = 0;
    if (prova_json_str_eq(prova_json_get(root, "method"), "notifications/cancelled") && !prova_json_get(root, "id") &&
        (prova_json_is_string(rid) || prova_json_is_int(rid)) &&
        prova_canon_write_to(rid, PROVA_PROFILE_OPE, buf, sizeof buf, &n, NULL) == 0) {
        for (size_t i = 0; i < o->np; i++) {
            pending *p = &o->p[i];
            if (p->idlen != n || memcmp(p->id, buf, n) != 0) continue;
            size_t cut = p->end - p->start;
            memmove(o->out.data + p->start, o->out.data + p->end, o->out.len - p->end);
            o->out.len -= cut;
            for (size_t j = i + 1; j < o->np; j++) {
                o->p[j].start -= cut;
                o->p[j].end -= cut;
            }
            memmove(&o->p[i], &o->p[i + 1], (o->np - i - 1) * sizeof *p);
            o->np--;
            break;
        }
    }
    prova_doc_free(doc);
}

static int one_line(mcp_session *ss, io *o, const uint8_t *line, size_t len) {
    if (len && line[len - 1] == '\r') len--;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == len) return 0; /* blank lines between messages are tolerated */
    if (len > 20 && memmem(line, len, "notifications/cancelled", 23)) take_back(o, line, len);
    size_t start = o->out.len;
    int rc = mcp_handle(ss, line, len, NULL, &o->out);
    if (rc < 0) return rc;
    if (o->out.len > start) {
        remember(o, start);
        if (prova_buf_append(&o->out, "\n", 1) < 0) return PROVA_ENOMEM;
        if (o->np && o->p[o->np - 1].start == start) o->p[o->np - 1].end = o->out.len;
    }
    return 0;
}

static int too_long(mcp_session *ss, io *o, size_t max) {
    (void)ss;
    char msg[200];
    int n = snprintf(msg, sizeof msg,
                     "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":%d,\"message\":\"Invalid Request: the "
                     "message is longer than the limit of %zu bytes (--max-message)\"}}\n",
                     MCP_INVALID_REQUEST, max);
    if (!o->quiet) fprintf(stderr, "prova mcp: skipped a message longer than %zu bytes\n", max);
    return prova_buf_append(&o->out, msg, (size_t)n);
}

int mcp_serve_stdio(mcp_server *s, int in_fd, int out_fd) {
    signal(SIGPIPE, SIG_IGN);
    const mcp_config *c = mcp_server_config(s);
    size_t max = c->max_message;
    static const app_token local = {.name = "stdio", .scopes = APP_SCOPE_ALL};
    mcp_session *ss = mcp_session_new(s, &local);
    io o = {.out_fd = out_fd, .quiet = c->quiet};
    size_t cap = READ_CHUNK, len = 0; /* bytes of an incomplete line at the start of buf */
    uint8_t *buf = malloc(cap);
    int code = 0;
    bool skipping = false, eof = false;
    if (!ss || !buf) {
        fprintf(stderr, "prova mcp: out of memory\n");
        mcp_session_free(ss);
        free(buf);
        return 3;
    }
    while (!eof && !o.gone) {
        if (cap - len < READ_CHUNK / 2 && cap < max + 2) { /* room for a line of up to max bytes + newline */
            size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                code = 3;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(in_fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (!o.quiet) fprintf(stderr, "prova mcp: reading the input: %s\n", strerror(errno));
            break;
        }
        if (r == 0) {
            eof = true;
            if (skipping || len == 0) break;
            buf[len] = '\n'; /* a last message without its newline */
            r = 1;
        }
        size_t end = len + (size_t)r, pos = 0, scan = len;
        int rc = 0;
        for (;;) {
            uint8_t *nl = memchr(buf + scan, '\n', end - scan);
            if (!nl) break;
            size_t lend = (size_t)(nl - buf);
            if (skipping)
                skipping = false;
            else if (lend - pos > max)
                rc = too_long(ss, &o, max);
            else
                rc = one_line(ss, &o, buf + pos, lend - pos);
            if (rc < 0) break;
            pos = scan = lend + 1;
            if (o.out.len >= FLUSH_AT && flush_out(&o) < 0) break;
        }
        if (rc < 0) {
            fprintf(stderr, "prova mcp: out of memory\n");
            code = 3;
            break;
        }
        if (skipping) {
            len = 0; /* still inside an oversized line: drop what was read */
        } else {
            len = end - pos;
            if (len && pos) memmove(buf, buf + pos, len);
            if (len > max) { /* no newline within the limit: answer now, skip the rest of the line */
                if (too_long(ss, &o, max) < 0) code = 3;
                skipping = true;
                len = 0;
            }
        }
        if (o.out.len && (eof || !input_pending(in_fd))) flush_out(&o);
    }
    if (o.out.len) flush_out(&o);
    prova_buf_free(&o.out);
    free(buf);
    mcp_session_free(ss);
    return code;
}
