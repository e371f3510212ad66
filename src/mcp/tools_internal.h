/* The MCP tools' shared helpers (tools_util.c) and run functions (tools_*.c), for src/mcp only.
 *
 * Conventions: a helper that refuses the caller's arguments sets a tool error in res and returns TOOL_ERR (1); 0 is
 * success and a negative PROVA_E* an internal failure. A tool's run function maps TOOL_ERR to 0 (tool_done). */
#ifndef PROVA_MCP_TOOLS_INTERNAL_H
#define PROVA_MCP_TOOLS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mcp.h"

#define TOOL_ERR 1
#define ID_MAX   APP_ID_MAX /* trace, chain and certificate ids */

extern const char tool_no_store[];

/* Results. */
int tool_err(mcp_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tool_done(int rc);

/* Writing JSON into a result. */
int tool_put(prova_buf *b, const char *s);
int tool_putn(prova_buf *b, const void *s, size_t n);
int tool_put_strn(prova_buf *b, const char *s, size_t n); /* a JSON string literal of n bytes of UTF-8 */
int tool_put_str(prova_buf *b, const char *s);
int tool_put_u64(prova_buf *b, unsigned long long v);
int tool_put_value(prova_buf *b, const prova_json *v); /* compact JSON, members in code point order */

/* Arguments: each refuses what the tool's input schema does not allow. */
int tool_check_args(mcp_result *res, const prova_json *args, const char *const *names);
int tool_arg_str(mcp_result *res, const prova_json *args, const char *name, bool required, const char *what,
                 const prova_json **ret);
int tool_arg_bool(mcp_result *res, const prova_json *args, const char *name, bool *ret);
int tool_arg_object(mcp_result *res, const prova_json *args, const char *name, bool required, const char *what,
                    const prova_json **ret);
int tool_arg_id(mcp_result *res, const prova_json *args, const char *name, bool required, const char **ret);
uint32_t tool_depth(const mcp_ctx *ctx);
int tool_parse_text(const mcp_ctx *ctx, mcp_result *res, const char *name, const void *text, size_t len, uint32_t flags,
                    prova_doc **ret);
int tool_arg_document(const mcp_ctx *ctx, mcp_result *res, const prova_json *args, const char *vname, const char *tname,
                      prova_buf *out);
int64_t tool_now_us(void);
bool tool_cancelled(const mcp_ctx *ctx);

/* The service. tool_call_init: app_call_init with the caller's token and the request's span (the service's spans
 * nest under the MCP request's). */
void tool_call_init(app_call *c, const mcp_ctx *ctx);
int tool_need_store(const mcp_ctx *ctx, mcp_result *res);
int tool_parse_big(const void *data, size_t len, prova_doc **ret);
int tool_finish_call(mcp_result *res, app_call *c, int rc, const char *what);

/* The tools: the reference's (tools_proof.c), prova's document tools (tools_docs.c), the store tools
 * (tools_store.c). */
int mcp_tool_verify_proof(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_canonicalize_value(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_read_proof_index(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_verify(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_canonicalize(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_hash(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_pack_envelope(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_append_receipt(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_get_chain(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_export_bundle(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_oe_append_event(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_oe_issue_certificate(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_oe_verify_certificate(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_export(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);
int mcp_tool_jwks(const mcp_ctx *ctx, const prova_json *args, mcp_result *res);

#endif
