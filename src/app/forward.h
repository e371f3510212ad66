/* Forwarding an accepted envelope's normalized payload with libcurl, directly to forward_url or through a relay
 * (reference/odin.md §5.1), under the egress policy's address rules (egress_policy.h, docs/egress.md). */
#ifndef PROVA_APP_FORWARD_H
#define PROVA_APP_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "egress_policy.h"

typedef struct forward_opts {
    /* Direct forwarding: every redirect's host goes through the policy again, every socket through its address
     * rules. NULL (the relay, which the operator configured): neither, and redirects are not followed. */
    const egress_policy *policy;
    long connect_timeout_ms, timeout_ms; /* the timeout covers the whole forward, redirects included */
    size_t max_response;                 /* bytes of a response body */
    unsigned max_redirects;              /* 0: a 3xx is the answer */
    unsigned max_depth;                  /* JSON nesting of a response body read as JSON */
    const char *ca_file, *ca_path;       /* NULL: the system's CA store */
} forward_opts;

/* What happened, for the span. */
typedef struct forward_info {
    long status;        /* the last HTTP status, 0 without one */
    unsigned redirects; /* followed */
    const char *code;   /* NULL, or the refusal's or failure's stable reason code */
    char address[64];   /* the last address connected to (or refused) */
} forward_info;

/* POSTs body (JSON, Content-Type application/json) to url and appends the response body's "forwarded" value to out:
 * {"body":B,"status_code":N} (B the response's JSON when its Content-Type says application/json and it parses, else
 * its text, invalid UTF-8 replaced by U+FFFD) or {"error":"CODE: sentence"}. trace_id goes in X-ODIN-Trace-Id.
 * 0, or PROVA_ENOMEM (out unchanged). A failed forward is a value ({"error":...}), not a failure. */
int forward_post(const forward_opts *o, const char *url, const char *trace_id, const void *body, size_t len,
                 prova_buf *out, forward_info *ret_info);

#endif
