/* POST /mcp (and GET, DELETE for the transport's rules): the MCP endpoint inside the gateway. The transport
 * (sessions, Origin, Accept, protocol version) is src/mcp/http.c's, shared with `prova mcp --http`; tools act on
 * this gateway's store through gw_dispatch with the bearer token presented, so MCP and HTTP apply the same rules. */
#define _DEFAULT_SOURCE /* strdup, strsep */

#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "mcp/mcp.h"

int gw_mcp_start(gw *g) {
    struct sockaddr_storage ss;
    socklen_t sl;
    if (gw_parse_listen(g->cfg.listen, false, &ss, &sl, &g->mcp_loopback) < 0) g->mcp_loopback = false;
    const char *list = g->cfg.mcp_allow_origins;
    if (list && *list) {
        size_t n = 1;
        for (const char *p = list; *p; p++) n += *p == ',';
        g->mcp_origins = calloc(n, sizeof *g->mcp_origins);
        char *copy = strdup(list);
        if (!g->mcp_origins || !copy) {
            free(copy);
            return PROVA_ENOMEM;
        }
        char *rest = copy, *tok;
        while ((tok = strsep(&rest, ",")) != NULL) {
            while (*tok == ' ') tok++;
            size_t l = strlen(tok);
            while (l && tok[l - 1] == ' ') tok[--l] = '\0';
            if (l && !(g->mcp_origins[g->nmcp_origins] = strdup(tok))) {
                free(copy);
                return PROVA_ENOMEM;
            }
            if (l) g->nmcp_origins++;
        }
        free(copy);
    }
    mcp_config c = {.g = g,
                    .max_message = g->cfg.max_body,
                    .max_depth = g->cfg.max_depth,
                    .allowed_origins = (const char *const *)g->mcp_origins,
                    .norigins = g->nmcp_origins,
                    .quiet = g->cfg.quiet};
    g->mcp = mcp_server_new(&c);
    if (!g->mcp) {
        gw_log(g, "cannot start the MCP endpoint (out of memory)");
        return PROVA_ENOMEM;
    }
    return 0;
}

void gw_mcp_stop(gw *g) {
    mcp_server_free(g->mcp);
    g->mcp = NULL;
    for (size_t i = 0; i < g->nmcp_origins; i++) free(g->mcp_origins[i]);
    free(g->mcp_origins);
    g->mcp_origins = NULL;
    g->nmcp_origins = 0;
}

int gw_h_mcp(gw_req *req) {
    gw *g = req->g;
    if (!g->mcp) return gw_error(req, 404, "not_found", "the MCP endpoint is disabled (--no-mcp)");
    mcp_http_in in = {
        .method = req->method,
        .session_id = gw_header_in(req, "Mcp-Session-Id"),
        .protocol = gw_header_in(req, "MCP-Protocol-Version"),
        .origin = gw_header_in(req, "Origin"),
        .accept = gw_header_in(req, "Accept"),
        .content_type = gw_header_in(req, "Content-Type"),
        .token = req->token,
        .token_required = !g->mcp_loopback,
        .body = req->body,
        .body_len = req->body_len,
    };
    mcp_http_out out;
    memset(&out, 0, sizeof out);
    int rc = mcp_http_handle(g->mcp, &in, &out);
    if (rc < 0) {
        mcp_http_out_free(&out);
        return rc;
    }
    if (out.session_id[0]) gw_header(req, "Mcp-Session-Id", out.session_id);
    if (out.allow) gw_header(req, "Allow", out.allow);
    if (out.www_authenticate) gw_header(req, "WWW-Authenticate", "Bearer realm=\"prova\"");
    prova_buf_free(&req->resp.body);
    req->resp.body = out.body;
    out.body = (prova_buf)PROVA_BUF_INIT;
    req->resp.status = out.status;
    /* An empty 202/204 has no media type. */
    req->resp.content_type = !req->resp.body.len ? NULL : out.content_type ? out.content_type : "application/json";
    mcp_http_out_free(&out);
    return 0;
}
