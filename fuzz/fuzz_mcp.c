/* libFuzzer target: the MCP server's JSON-RPC handling on hostile input, without a store. Each input is fed to a
 * fresh, initialized session as newline-separated messages (mcp_handle, the stdio path), then whole as the body of a
 * streamable-HTTP POST in a new session (mcp_http_handle). Invariants: no crash, leak or UB; every reply mcp_handle
 * writes is JSON (an object or, for a batch, an array); mcp_http_handle always sets a status and any body it
 * writes is JSON. Inputs naming read_proof_index are skipped: that tool walks a server directory the input names. */
#define _GNU_SOURCE /* memmem */

#include <string.h>

#include "fuzz.h"
#include "mcp.h"

static const char INIT[] = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                           "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}";

static void is_json(const prova_buf *b) {
    if (!b->len) return;
    prova_doc *d = NULL;
    prova_parse_options po = {.max_depth = 100000};
    ASSERT(prova_json_parse(b->data, b->len, &po, &d, NULL) == 0);
    prova_json_type t = prova_json_typeof(prova_doc_root(d));
    ASSERT(t == PROVA_JSON_OBJECT || t == PROVA_JSON_ARRAY);
    prova_doc_free(d);
}

/* The service without a store (document tools only), opened once: it holds no per-input state. */
static app *service(void) {
    static app *a;
    if (!a) {
        app_config c;
        app_config_defaults(&c);
        c.data_dir = NULL;
        c.max_body = 1 << 16;
        ASSERT(app_open(&c, &a) == 0);
    }
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (memmem(data, size, "read_proof_index", 16)) return 0;
    app_token all = {.name = "fuzz", .scopes = APP_SCOPE_ALL};
    mcp_config cfg = {.a = service(), .quiet = true, .max_message = 1 << 16};
    mcp_server *s = mcp_server_new(&cfg);
    ASSERT(s);
    mcp_session *ss = mcp_session_new(s, &all);
    ASSERT(ss);
    prova_buf out = PROVA_BUF_INIT;
    ASSERT(mcp_handle(ss, (const uint8_t *)INIT, sizeof INIT - 1, NULL, &out) == 0);
    is_json(&out);
    size_t at = 0;
    while (at < size) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - data) : size;
        out.len = 0;
        int rc = mcp_handle(ss, data + at, end - at, NULL, &out);
        ASSERT(rc == 0 || rc == PROVA_ENOMEM);
        if (rc == 0) is_json(&out);
        at = end + 1;
    }
    mcp_session_free(ss);

    mcp_http_in in = {.method = MCP_HTTP_POST,
                      .accept = "application/json, text/event-stream",
                      .content_type = "application/json",
                      .token = &all,
                      .body = data,
                      .body_len = size};
    mcp_http_out hout;
    memset(&hout, 0, sizeof hout);
    if (mcp_http_handle(s, &in, &hout) == 0) {
        ASSERT(hout.status >= 200 && hout.status < 600);
        if (hout.content_type && strcmp(hout.content_type, "application/json") == 0) is_json(&hout.body);
    }
    mcp_http_out_free(&hout);
    prova_buf_free(&out);
    mcp_server_free(s);
    return 0;
}
