/* The service layer: prova's operations as typed calls, with no HTTP, JSON-RPC or terminal around them. The HTTP
 * daemon (src/http), the MCP server (src/mcp) and the command line (src/cli) all call these, so a rule lives in one
 * place: an OPE envelope is accepted, an OpenExecution chain grows, a certificate is revoked the same way whoever
 * asked. docs/architecture.md.
 *
 * The service (app) owns the gateway's configuration, signing key and JWKS, trusted senders, tokens, the store's
 * connections and the writer thread that group-commits every write (writer.c). One operation in flight is an
 * app_call: the front end initializes it with the caller's token, calls an operation, and reads the result (a JSON
 * document and the protocol's named values, e.g. X-ODIN-Receipt-Hash) or the error (an HTTP-like status class, a
 * stable reason code and a sentence). A write returns APP_PENDING: its work is queued for the writer, and the
 * front end is told through the call's wake callback once it is committed (or failed); app_call_complete() then
 * builds the result. app_call_run() does all of that for a caller that can simply wait (MCP tools, the CLI).
 *
 * Threads: operations run on the caller's thread (parsing and verification are the CPU work) and may be called
 * from any number of threads at once; only the writer thread writes to the store. */
#ifndef PROVA_APP_H
#define PROVA_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "otel.h"
#include "prova/common.h"
#include "prova/crypto.h"
#include "prova/json.h"
#include "prova/merkle.h"
#include "prova/report.h"
#include "prova/sft.h"
#include "prova/store.h"
#include "prova/verify.h"

/* ---- Configuration ------------------------------------------------------------------------------------------- */

#define APP_SCOPE_OPE_WRITE   0x1u
#define APP_SCOPE_OE_WRITE    0x2u
#define APP_SCOPE_PROOF_WRITE 0x4u /* POST /v1/proofs */
#define APP_SCOPE_ALL         (APP_SCOPE_OPE_WRITE | APP_SCOPE_OE_WRITE | APP_SCOPE_PROOF_WRITE)

/* Ids that travel in URLs, headers and tool arguments: trace ids, chain ids, certificate ids. */
#define APP_ID_MAX 128

typedef struct app_token {
    char name[64];
    uint8_t sha256[32]; /* of the token string: the file may hold the hash instead of the secret */
    unsigned scopes;
} app_token;

typedef struct app_api_key { /* the reference's X-ODIN-API-Key + X-ODIN-API-MAC */
    char *key;
    uint8_t *secret;
    size_t secret_len;
    unsigned scopes;
} app_api_key;

/* Egress (docs/egress.md): the policy on an envelope's forward_url and the forwarding to it. */
typedef struct app_egress_config {
    const char *profile;       /* NULL or "strict": the allowlist only; "medium": + api.bank.com, payments.bank.com;
                                  "open": any host */
    const char *allow;         /* HOST, HOST:PORT, [IPV6]:PORT entries, comma-separated, or NULL */
    const char *allow_file;    /* a file of such entries, one a line ('#' comments), or NULL */
    const char *allow_address; /* addresses or CIDR ranges forwarding may connect to though not public, or NULL */
    bool allow_private;        /* RFC 1918, 100.64.0.0/10 and fc00::/7 addresses may be connected to */
    const char *relay_url;     /* NULL: forward directly; else POST {relay_url}/v1/relay as the starter does */
    unsigned connect_timeout_ms, timeout_ms; /* defaults 5000 and 10000 (the whole forward, redirects included) */
    size_t max_response;                     /* bytes of the target's response body (default 1 MiB) */
    unsigned max_redirects;                  /* followed, each re-checked (default 5; 0: a 3xx is the answer) */
    const char *ca_file, *ca_path;           /* TLS trust for https targets; NULL: the system's */
} app_egress_config;

typedef struct app_config {
    const char *data_dir;         /* NULL: no store (document operations only) */
    const char *store;            /* NULL: DATA/prova.db (SQLite); else a SQLite path or a postgresql:// URI
                                     (prova/store.h), which any number of gateways may share (docs/postgresql.md) */
    const char *key_path;         /* NULL: DATA/gateway.key, generated on first run */
    const char *legacy_keys_path; /* NULL: none; a JWKS of earlier public keys (published as legacy) */
    const char *trusted_senders;  /* JWKS file, or NULL: DATA/senders.jwks when it exists; re-read by
                                     app_reload_senders() */
    bool allow_inline_sender_keys;
    const char *tokens_path; /* NULL: DATA/tokens.json, generated on first run (with a store) */
    size_t max_body;         /* bytes of a document given to an operation */
    unsigned max_depth;      /* JSON nesting of such a document */
    unsigned max_queue;      /* queued writes before APP_E_BUSY */
    unsigned max_batch;      /* writes per commit */
    int64_t max_skew_s;      /* envelope freshness window */
    /* 0: commit what is queued at once; else wait up to this many microseconds after the first write of a batch for
     * more (fewer commits, so less CPU and fsync per write, at that much latency; docs/operations.md "Group
     * commit") */
    unsigned commit_delay_us;
    /* Where the service's log lines go (the front end decides; NULL: stderr with the prefix "prova: "). */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    /* Told once, with the secret, when a development token is created on first run (e.g. to print it on a
     * terminal); NULL: the token is only written to tokens.json. */
    void (*dev_token)(void *ctx, const char *path, const char *token);
    /* The transparency log (docs/tlog.md "The gateway's log"), with a store only. */
    const char *log_key_path;   /* NULL: DATA/log.key, generated on first run */
    const char *log_origin;     /* NULL: the key's name, or for a new key "<hostname>/prova" */
    unsigned log_interval_ms;   /* between integrations (default 1000) */
    const char *log_dir;        /* NULL: none; else the log is also written there as static files */
    const char *witness_policy; /* NULL: none; else a tlog-policy: publish once its witnesses' quorum cosigned */
    /* OpenTelemetry (docs/observability.md): the front end's exporter, or NULL. The service makes spans for its
     * operations as children of the call's span (app_call.span), for commits, log checkpoints and witness calls. */
    otel *otel;
    app_egress_config egress;
    /* Payload normalization (docs/transforms.md): a directory of mapping files (*.json) added to the built-in
     * transforms, or NULL; and whether an unregistered (payload_type, target_type) pair is an identity with notes
     * "not_transformed" (the lite gateway's behaviour) instead of a 400. */
    const char *transforms_dir;
    bool sft_passthrough;
} app_config;

void app_config_defaults(app_config *c);

/* ---- The service --------------------------------------------------------------------------------------------- */

typedef struct app app;

/* Loads keys and tokens (generating the development ones under data_dir on first run), opens the store, starts the
 * writer. On failure logs why and returns a CLI exit code (2: configuration, 3: system); *ret is NULL then. */
int app_open(const app_config *cfg, app **ret);
/* Finishes every queued write, stops the writer, closes the store. NULL is a no-op. */
void app_close(app *a);

const app_config *app_cfg(const app *a);
bool app_has_store(const app *a);
const char *app_kid(const app *a);                 /* the signing key's kid ("" without a key) */
const prova_key *app_key(const app *a);            /* the signing key, or NULL */
const prova_buf *app_jwks(const app *a);           /* {"keys":[active, legacy...]} */
const prova_keyset *app_verify_keys(const app *a); /* the gateway's keys (active, legacy) and trusted senders */
int64_t app_started_us(const app *a);
otel *app_otel(const app *a); /* the exporter of app_config.otel, or NULL */

/* Re-reads --trusted-senders (e.g. on SIGHUP): the new set replaces the old one atomically for later calls; on
 * failure the old set stays and the reason is logged. 0, or a negative status. */
int app_reload_senders(app *a);

/* The token whose SHA-256 is that of an "Authorization: Bearer T" value (every entry compared, constant time per
 * entry), or NULL. */
const app_token *app_bearer(const app *a, const char *authorization);
size_t app_token_count(const app *a);

void app_log(const app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The built-in transforms and the mapping files of dir (NULL: none): every file of dir named *.json, in name order,
 * validated (docs/transforms.md). 0, or -1 with msg set to "FILE: POINTER: REASON: MESSAGE" (sft.c); overrides (may be
 * NULL) is told of each file that replaces a built-in. */
int app_sft_load(const char *dir, prova_sft_registry **ret, char *msg, size_t cap,
                 void (*overrides)(void *ctx, const char *file), void *ctx);

int64_t app_now_us(void);

/* ---- The transparency log (log.c) ------------------------------------------------------------------------- */

/* The log's verifier key (text, no newline), or NULL when the service has no log. */
const prova_buf *app_log_vkey(const app *a);
/* Appends the published checkpoint (a signed note) to out; *ret_size its size. PROVA_ENOTFOUND without a log. */
int app_log_checkpoint(app *a, prova_buf *out, uint64_t *ret_size);
/* Appends tile (a hash tile or entry bundle) as the published tree has it: PROVA_ENOTFOUND when that tile at that
 * width is not (yet) in the tree of the published checkpoint. */
int app_log_tile(app *a, const prova_tile *tile, prova_buf *out);
/* Appends a c2sp.org/tlog-proof@v1 for entry index against the published checkpoint. PROVA_ENOTFOUND when the
 * entry is not integrated yet (the writer is asked to integrate now). */
int app_log_proof(app *a, uint64_t index, prova_buf *out);
/* Appends doc (an export) with the tlog-proofs of its records attached (prova_log_proofs_attach): index_json holds
 * the log index of each record (JSON arrays of integers or null, as the store answers them, concatenated). A record not
 * yet in the published checkpoint is integrated first (the writer is asked at once and this waits up to
 * APP_LOG_EXPORT_WAIT_MS for the checkpoint to cover it); one still not covered, or without an index (stored before the
 * log), has no proof. Without a log, or with no proof to attach, out receives doc as is. */
#define APP_LOG_EXPORT_WAIT_MS 5000
int app_log_attach(app *a, const prova_buf *doc, const prova_buf *index_json, prova_buf *out);

/* ---- Counters (for /metrics and /health) ------------------------------------------------------------------- */

typedef struct app_stats {
    uint64_t verify_valid, verify_invalid, verify_error;
    uint64_t commits, committed_writes, failed_commits;
    unsigned queue_length;
    int64_t receipts, traces, chains, events, certificates;
    int64_t store_bytes;
    const char *store_backend; /* "sqlite", "postgresql"; "" without a store */
    bool log_enabled;
    bool log_integrating; /* this gateway integrates the log (several on one store: one at a time) */
    int64_t log_size;     /* the size of the published checkpoint */
    uint64_t log_checkpoints, log_integrations, log_integration_us, log_failures;
    /* false from a failed commit until one succeeds (a write, a log integration, the writer's probe each second) */
    bool store_writable;
    int64_t store_fault_since_us; /* the first failed commit of the fault, when not writable */
    char store_fault[160];        /* the last failure: status and the store's message */
    /* Egress (docs/egress.md): forward_urls judged by the policy, forwards made (ok: an HTTP answer) */
    uint64_t egress_allowed, egress_blocked, forwards_ok, forwards_failed;
} app_stats;

void app_stats_get(app *a, app_stats *ret);
/* Counts a verification verdict. */
void app_count_verdict(app *a, bool valid);
void app_count_verify_error(app *a);

/* ---- Calls ---------------------------------------------------------------------------------------------------- */

/* The class of a refusal: its HTTP status, which MCP and the CLI map to their own forms. */
enum {
    APP_E_INPUT = 400,     /* malformed input */
    APP_E_AUTH = 401,      /* no or an unknown credential */
    APP_E_SCOPE = 403,     /* a credential without the scope */
    APP_E_FORBIDDEN = 403, /* a policy refused it (an envelope's forward_url) */
    APP_E_NOT_FOUND = 404, /* no such trace, chain, certificate */
    APP_E_CONFLICT = 409,  /* the stored state forbids it (replay, a chain not open, ...) */
    APP_E_TOO_LARGE = 413, /* over a size limit */
    APP_E_SCHEMA = 422,    /* well-formed but not what the operation takes */
    APP_E_BUSY = 429,      /* too many queued writes: retry after retry_after_s */
    APP_E_INTERNAL = 500,
    APP_E_UNAVAILABLE = 503, /* the store cannot be used now, or the service is stopping */
};

#define APP_MESSAGE_MAX 1024

typedef struct app_error {
    unsigned status;               /* 0: no error; else an APP_E_* class */
    char code[64];                 /* stable snake_case reason code */
    char message[APP_MESSAGE_MAX]; /* one sentence; a longer one ends in "..." */
    unsigned retry_after_s;        /* 0: none */
} app_error;

enum { APP_MAX_META = 8 };

typedef struct app_result {
    unsigned status;                     /* 200, 201, ... */
    prova_buf body;                      /* the result document (JSON unless content_type says otherwise) */
    const char *content_type;            /* NULL: application/json */
    const char *meta_name[APP_MAX_META]; /* values the protocol defines as response headers (static names) */
    char *meta_value[APP_MAX_META];
    unsigned nmeta;
    char id[APP_ID_MAX + 1]; /* the id of what the call created ("" when none) */
    /* A write that stored a record: the index of its transparency-log entry, appended in the same savepoint (so
     * it is durable exactly when the record is). Front ends answer it as "log_index". */
    bool logged;
    int64_t log_index;
} app_result;

/* A value of the result's meta list, or NULL. */
const char *app_result_meta(const app_result *r, const char *name);

typedef struct app_call app_call;

/* The writer's side of a call: apply runs on the writer thread inside a savepoint (0 keeps its writes, a negative
 * status undoes them); then the call's wake is invoked with job_status set. */
typedef struct app_job {
    int (*apply)(app *a, prova_store *w, app_call *c);
    int status;
    struct app_job *next;
} app_job;

struct app_call {
    app *a;
    const app_token *token; /* the caller's credential (its scopes), or NULL */
    /* The front end's span of this call (an HTTP server span, an MCP tool call), or NULL: the service's spans are
     * its children, and the records it touches (an OPE trace id, a chain id, a receipt hash) are put on it. Owned
     * by the front end, which ends it after app_call_free. */
    otel_span *span;
    app_result res;
    app_error err;
    /* Set by a front end that does not block: called (on the writer thread) once the write is durable or failed.
     * NULL: app_call_run blocks on the call's own condition variable instead. */
    void (*wake)(app_call *c);
    void *wake_ctx;
    /* Called just before a write is queued (an event-driven front end parks the connection here, so that the
     * wake cannot come first); when queueing then fails, the operation returns APP_DONE and the front end
     * unparks it itself. NULL: nothing to do. */
    void (*park)(app_call *c);
    pthread_mutex_t wait_lock;
    pthread_cond_t wait_cond;
    /* Internal: the operation's state and the step that builds the result after the commit. */
    app_job job;
    void (*finish)(app_call *c);
    void *state;
    void (*state_free)(void *state);
    atomic_int job_done;
};

#define APP_DONE    0 /* the result or the error is set */
#define APP_PENDING 1 /* queued for the writer: wait for wake, then call app_call_complete */

void app_call_init(app_call *c, app *a, const app_token *token);
/* Releases the result, the error and the operation's state. */
void app_call_free(app_call *c);
/* After wake: builds the result (or the error) of a write. */
void app_call_complete(app_call *c);
/* For callers that can block: waits for a pending write and completes it. rc is what the operation returned;
 * returns APP_DONE. */
int app_call_run(app_call *c, int rc);
bool app_call_failed(const app_call *c);

/* Sets the call's error (printf-style message); returns APP_DONE. A write in progress keeps the first error. */
int app_fail(app_call *c, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The error of a failed library call: its reason code and message (and position when it has one). */
int app_fail_lib(app_call *c, unsigned status, const prova_error *e);
/* 503 (store), 503 out of memory, or 500 for another negative status. */
int app_fail_status(app_call *c, int status);
/* Sets the result: takes body (left empty). Returns APP_DONE. */
int app_ok(app_call *c, unsigned status, prova_buf *body);
/* Adds a named value to the result (copied). */
int app_meta(app_call *c, const char *name, const char *value);

/* ---- Operations: OPE (ope.c) ------------------------------------------------------------------------------- */

/* Verifies an OPE envelope (JSON text, under max_body/max_depth) from a trusted sender and appends a signed receipt
 * to its trace. Credentials: the call's token with ope:write, or the reference's API key + MAC (api_key/api_mac,
 * NULL when absent). Result (200): the starter gateway's response body (canonical) and meta X-ODIN-Trace-Id,
 * X-ODIN-Receipt-Hash, X-ODIN-Response-CID, X-ODIN-Signature, X-ODIN-KID. Errors: 400/422 (the envelope does not
 * verify, with the verifier's reason code), 401/403, 409 replay_detected, 429, 503. */
int app_ope_append(app_call *c, const void *envelope, size_t len, const char *api_key, const char *api_mac);
/* The receipts of a trace as a JSON array (result 200; [] for an unknown trace). */
int app_ope_chain(app_call *c, const char *trace_id);
/* The trace as a signed export bundle (result 200, meta X-ODIN-Bundle-CID, X-ODIN-Bundle-Signature, X-ODIN-KID);
 * 404 trace_not_found. */
int app_ope_export(app_call *c, const char *trace_id, bool log_proofs);

/* The one rule for ids (trace, chain, certificate ids, whoever gives them): 1-APP_ID_MAX bytes of visible ASCII
 * without '/', '?', '#', '%' or '\' (they travel in URL paths, response headers and prova:// URIs unencoded). NULL
 * when s is one, else why not (a sentence). */
const char *app_id_problem(const char *s, size_t n);
/* The reason code of an id that breaks the rule, wherever it was given (path, body, MCP argument). */
#define APP_ID_INVALID "invalid_id"
/* Checks an id given as what ("trace_id", "the chain id"): 0 when it follows the rule, else -1 with the error set
 * (status, code APP_ID_INVALID, the rule in the message). */
int app_check_id(app_call *c, unsigned status, const char *what, const char *s, size_t n);

/* ---- Operations: OpenExecution (oe.c) --------------------------------------------------------------------- */

/* Bodies are JSON objects (text; empty = {}) with exactly the members each operation documents (docs/http-oe.md);
 * results are the "data" of seed 002's answers (the HTTP layer wraps them as {"data": ...}). */
int app_oe_chain_create(app_call *c, const void *body, size_t len); /* 201, res.id = the chain id */
int app_oe_chain_get(app_call *c, const char *chain_id);            /* 200 */
int app_oe_event_append(app_call *c, const char *chain_id, const void *body, size_t len); /* 201 */
int app_oe_resolve(app_call *c, const char *chain_id, const void *body, size_t len);      /* 200 */
int app_oe_certify(app_call *c, const char *chain_id, const void *body, size_t len);      /* 201, res.id */
int app_oe_revoke(app_call *c, const char *cert_id, const void *body, size_t len);        /* 200 */
int app_oe_supersede(app_call *c, const char *cert_id, const void *body, size_t len);     /* 200 */
/* seed 002 §7's answer for a stored certificate (200; meta X-Prova-Verify-Reason when not valid). */
int app_oe_verify(app_call *c, const char *cert_id);
int app_oe_public_key(app_call *c); /* 200 {algorithm, public_key, format, public_key_pem, fingerprint} */
/* 200: the certificate's offline bundle as stored; with log_proofs, with the tlog-proofs of its records attached
 * (app_log_attach). */
int app_oe_bundle(app_call *c, const char *cert_id, bool log_proofs);
/* app_oe_bundle with attestations added first (attest: NULL or "", or a comma-separated list of
 * "content-integrity" and "timestamp"; the timestamp is now, signed with the gateway's key, which must be the one
 * that issued the certificate). 400 attest_invalid for another name; 409 oe_key_mismatch / oe_bundle_invalid when
 * the stored bundle cannot be attested (docs/openexecution.md "Creating attestations"). */
int app_oe_bundle_attest(app_call *c, const char *cert_id, bool log_proofs, const char *attest);
/* A chain's status ("open", "resolved", "certified", "revoked") into status[16]; 404 chain_not_found. */
int app_oe_chain_status(app_call *c, const char *chain_id, char status[16]);

/* ---- Operations: documents (verify.c, proof.c) ------------------------------------------------------------ */

typedef struct app_verify_args {
    bool trust_embedded_key;
    bool no_skew;
    int64_t now_us;           /* the verifier's clock (0: now) */
    int64_t max_skew_s;       /* the freshness window (0: the service's) */
    const char *hash_alg;     /* NULL: from the hash length */
    const char *hmac_key_b64; /* proof records' HMAC key, NULL: none */
    const prova_keyset *keys; /* NULL: the service's verify keys */
} app_verify_args;

/* Any document prova knows → the unified report (result 200, even when it does not verify); 400 with the
 * parser's reason for input that is not JSON or over a limit. *ret_report (optional) receives the report too
 * (owned by the caller). The verdict is counted. */
int app_verify(app_call *c, const void *data, size_t len, const app_verify_args *args, prova_report **ret_report);

/* The Ophamin reference's operations (reference/ophamin.md §3.3, §5-6): verify_proof(proof_json, sign_key_b64)
 * → the §3.3 dict; canonicalize_value(value_json, sign_key_b64) → {canonical, canonical_bytes_len, sha256_hex,
 * hmac_sha256_hex, content_hash}. key_b64 NULL means "" (the default key). 400 for a bad key or a document that is
 * not JSON. */
int app_proof_verify(app_call *c, const char *proof_json, size_t len, const char *key_b64);
int app_proof_canonicalize(app_call *c, const char *value_json, size_t len, const char *key_b64);

/* ---- Operations: browsing what the store holds (browse.c, docs/browse.md) ------------------------------------ */

#define APP_BROWSE_LIMIT_DEFAULT 50
#define APP_BROWSE_LIMIT_MAX     500

/* A listing's query as the front end got it (each NULL when absent; the front end refuses parameters that are not
 * the listing's). Results (200): {"items":[...],"next_cursor":string|null} in docs/browse.md's shapes ("size" too
 * for the log's entries). Errors: 400 invalid_limit, invalid_cursor, invalid_time, invalid_status, invalid_filter,
 * invalid_id, invalid_from; 503 without a store. */
typedef struct app_browse_query {
    const char *limit, *cursor, *since, *until;
    const char *kid, *payload_type; /* traces */
    const char *status;             /* chains, certificates */
    const char *chain_id;           /* certificates */
    const char *from;               /* the log's entries: the first index */
} app_browse_query;

int app_browse_traces(app_call *c, const app_browse_query *q);
int app_browse_chains(app_call *c, const app_browse_query *q);
int app_browse_certificates(app_call *c, const app_browse_query *q);
int app_browse_proofs(app_call *c, const app_browse_query *q);
int app_browse_log_entries(app_call *c, const app_browse_query *q);
int app_browse_log_checkpoints(app_call *c, const app_browse_query *q);

/* ---- Operations: the lineage graph (lineage.c, docs/lineage.md "Over HTTP") ---------------------------------- */

/* 200: the lineage graph (prova/lineage.h) of trace_id's receipts and/or chain_id's chain, events and certificates,
 * in format ("json" when NULL; "dot", "graphml", "mermaid"), res.content_type the format's. Errors: 400
 * invalid_format, missing_parameter (neither id), invalid_id; 404 trace_not_found, chain_not_found; 503 without a
 * store. */
int app_lineage(app_call *c, const char *trace_id, const char *chain_id, const char *format);
/* POST /v1/proofs: stores a proof record that verifies (prova_proof_verify_doc; hmac_key_b64 NULL: the default
 * key) under its id (the content hash) and appends its log entry in the same savepoint. Result {"data": record,
 * "log_index": N}, 201 when new, 200 with the stored one when it was there; res.id the proof id. Errors: 401/403
 * (scope proof:write), 400 (not JSON), 422 proof_not_record or the verifier's reason code, 429, 503. */
int app_proof_store(app_call *c, const void *body, size_t len, const char *hmac_key_b64);
/* The stored record (200, as it was sent); 400 invalid_id, 404 proof_not_found. */
int app_proof_get(app_call *c, const char *id);

/* A URL as it may be logged: its userinfo and its query, where credentials are put (https://user:pw@host/,
 * ?token=...), each replaced by "***"; the fragment dropped. out is always NUL-terminated (cut to cap). */
void app_url_for_log(const char *url, char *out, size_t cap);
/* The host of a URL as telemetry's server.address has it (no userinfo, no port, an IPv6 literal without its
 * brackets) into out (always NUL-terminated, "" when there is none), and *ret_port (may be NULL) its port: the one
 * given, else 443 for https and 80 for http, else 0. */
void app_url_host(const char *url, char *out, size_t cap, int *ret_port);

#endif /* PROVA_APP_H */
