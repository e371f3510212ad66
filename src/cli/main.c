/* prova — the command line. Commands live in a table that drives dispatch and --help. */
#include <string.h>

#include "cli.h"

/* The options of each command (cli.h, cli_opt): checked before the command runs. V takes a value; R repeatable. */
#define V CLI_OPT_VALUE
#define R CLI_OPT_REPEAT
#define CANON_OPTS                                                                                                     \
    {"--profile", V}, {"--max-depth", V}, {"--max-size", V}, {                                                         \
        "--allow-nonfinite", 0                                                                                         \
    }
static const cli_opt canon_opts[] = {CANON_OPTS, {NULL, 0}};
static const cli_opt hash_opts[] = {CANON_OPTS, {"--alg", V}, {NULL, 0}};
static const cli_opt keygen_opts[] = {{"--alg", V}, {"--kid", V}, {"--out", V}, {"--force", 0}, {NULL, 0}};
static const cli_opt jwks_opts[] = {{"--legacy", R}, {NULL, 0}};
static const cli_opt pack_opts[] = {{"--key", V},  {"--payload-type", V}, {"--target-type", V}, {"--trace-id", V},
                                    {"--ts", V},   {"--not-before", V},   {"--expires-at", V},  {"--dialect", V},
                                    {"--bind", 0}, {"--redactable", 0},   {"--clear", V | R},   {"--decoys", V},
                                    {NULL, 0}};
static const cli_opt lineage_opts[] = {{"--format", V}, {"--out", V}, {"--force", 0}, {NULL, 0}};
static const cli_opt verify_opts[] = {CLI_VERIFY_OPTS,
                                      {"--json", 0},
                                      {"--log-key", V | R},
                                      {"--witness-policy", V},
                                      {"--require-log-proof", 0},
                                      {"--log-proof", V | R},
                                      {"--progress", 0},
                                      {"--no-progress", 0},
                                      {"--format", V},
                                      {NULL, 0}};
static const cli_opt receipt_opts[] = {
    {"--key", V},     {"--chain", V},           {"--policy", V},         {"--ts", V},
    {"--now", V},     {"--sender-jwks", V | R}, {"--sender-key", V | R}, {"--trust-embedded-key", 0},
    {"--no-skew", 0}, {"--compress", V},        {"--compress-level", V}, {NULL, 0}};
static const cli_opt redact_opts[] = {{"--path", V | R}, {"--reveal", 0}, {NULL, 0}};
static const cli_opt bundle_opts[] = {{"--key", V},         {"--chain", V},    {"--trace-id", V},       {"--form", V},
                                      {"--exported-at", V}, {"--compress", V}, {"--compress-level", V}, {NULL, 0}};
static const cli_opt oe_opts[] = {{"--chain", V},          {"--key", V},
                                  {"--chain-type", V},     {"--origin-type", V},
                                  {"--origin-id", V},      {"--id", V},
                                  {"--created-at", V},     {"--hash-alg", V},
                                  {"--sig-alg", V},        {"--type", V},
                                  {"--actor", V},          {"--actor-type", V},
                                  {"--sentiment", V},      {"--at", V},
                                  {"--issued-at", V},      {"--artifact-type", V},
                                  {"--artifact-ref", V},   {"--artifact-title", V},
                                  {"--certificate-id", V}, {"--out", V},
                                  {"--reason", V},         {"--by", V},
                                  {"--in-place", 0},       {"--input", 0},
                                  {"--force", 0},          {"--tx-hash", V},
                                  {"--network", V},        {"--block", V},
                                  {"--leaves", V},         {"--compress", V},
                                  {"--compress-level", V}, {NULL, 0}};
static const cli_opt proof_opts[] = {CLI_HMAC_OPTS, {"--attest-key", V}, {"--author", V}, {NULL, 0}};
static const cli_opt export_opts[] = {
    CLI_VERIFY_OPTS,     {"--to", V},        {"--out", V},      {"--sign-key", V | R},   {"--keyid", V},
    {"--source", V},     {"--type", V},      {"--mode", V},     {"--ext", V | R},        {"--namespace", V},
    {"--job", V},        {"--event", V},     {"--run-id", V},   {"--progress", V},       {"--error-message", V},
    {"--error-type", V}, {"--post", V},      {"--spool", V},    {"--token", V},          {"--force", 0},
    {"--zip", 0},        {"--no-verify", 0}, {"--compress", V}, {"--compress-level", V}, {NULL, 0}};
static const cli_opt import_opts[] = {CLI_VERIFY_OPTS, {"--headers", V}, {"--json", 0}, {"--extract", 0}, {NULL, 0}};
static const cli_opt sink_opts[] = {{"--spool", V}, {"--token", V}, {NULL, 0}};
static const cli_opt log_opts[] = {
    {"--name", V},        {"--out", V},     {"--force", 0},          {"--dir", V},       {"--key", V},
    {"--lines", V},       {"--log-key", V}, {"--json", 0},           {"--index", V},     {"--extra", V},
    {"--from", V},        {"--to", V},      {"--witness-policy", V}, {"--entry", V},     {"--leaf-hash", V},
    {"--entry-index", V}, {"--url", V},     {"--store", V},          {"--proof", V | R}, {"--progress", 0},
    {"--no-progress", 0}, {NULL, 0}};
static const cli_opt db_opts[] = {{"--store", V},   {"--data", V}, {"--jwks", V | R},
                                  {"--log-key", V}, {"--json", 0}, {NULL, 0}};
static const cli_opt store_opts[] = {{"--data", V}, {"--jwks", V | R}, {"--log-key", V},     {"--batch", V},
                                     {"--json", 0}, {"--progress", 0}, {"--no-progress", 0}, {NULL, 0}};
static const cli_opt no_opts[] = {{NULL, 0}};
static const cli_opt transform_opts[] = {
    {"--from", V}, {"--to", V}, {"--transforms", V}, {"--sft-passthrough", 0}, {"--json", 0}, {"--list", 0}, {NULL, 0}};
#undef V
#undef R

/* The verbs of the noun-verb commands. */
static const char *const oe_subs[] = {"new",       "append",     "resolve", "certify", "revoke",
                                      "supersede", "hash-event", "attest",  NULL};
static const char *const proof_subs[] = {"sign", "id", NULL};
static const char *const receipt_subs[] = {"append", NULL};
static const char *const sink_subs[] = {"flush", NULL};
static const char *const db_subs[] = {"status", "migrate", "check", NULL};
static const char *const store_subs[] = {"copy", NULL};
static const char *const log_subs[] = {"keygen",       "append", "checkpoint", "prove", "consistency",
                                       "verify-proof", "audit",  "attach",     NULL};

const cli_cmd cli_commands[] = {
    {"canon",
     "canon [--profile ope|ophamin|jcs] [--max-depth N] [--max-size BYTES] [--allow-nonfinite] [FILE|-]",
     "Writes the canonical bytes of one JSON document to stdout, with no trailing newline.\n"
     "  --profile P        ope (default; OPE v1), ophamin (proof records, ASCII-only), jcs (RFC 8785)\n"
     "  --max-depth N      nesting limit (default 128)\n"
     "  --max-size BYTES   input size limit (default 268435456)\n"
     "  --allow-nonfinite  ophamin only: accept NaN/Infinity and lone surrogates, as Python writes them\n"
     "The output is streamed (bounded memory); on an error a regular file on stdout is truncated back, a pipe\n"
     "may have received a prefix: only exit 0 means the whole canonical form was written.\n"
     "Exit: 0 written, 2 malformed input or usage (message names file:line:col and a reason code), 3 I/O.\n",
     cmd_canon,
     canon_opts,
     NULL,
     {NULL}},
    {"hash",
     "hash [--profile P] [--alg A] [FILE|-]",
     "Prints \"<alg>:<hex>\" of the canonical bytes. The default (ope + sha256) is the OPE CID.\n"
     "  --alg A   sha256 (default), sha384, sha512, sha3-256, sha3-384, sha3-512\n"
     "  Other options as for canon.\n",
     cmd_hash,
     hash_opts,
     NULL,
     {NULL}},
    {"keygen",
     "keygen [--alg ALG] [--kid KID] [--force] --out FILE",
     "Generates a private key and writes it as a JWK to FILE with mode 0600; prints the kid.\n"
     "  --alg ALG  ed25519 (default), ed448, ecdsa-p256, ecdsa-p384, ecdsa-p521\n"
     "  --kid KID  key id (default for ed25519: ed25519- + 16 hex of SHA-256(public key))\n"
     "  --force    replace FILE if it exists\n",
     cmd_keygen,
     keygen_opts,
     NULL,
     {NULL}},
    {"jwks",
     "jwks KEYFILE... [--legacy KEYFILE...]",
     "Prints the public JWKS {\"keys\":[...]} of the given key files (JWK, PEM, hex DER SPKI), each with\n"
     "\"status\":\"active\", or \"legacy\" for the keys after --legacy (rotated-out keys that still verify what\n"
     "they signed). Private parts are never written.\n",
     cmd_jwks,
     jwks_opts,
     NULL,
     {NULL}},
    {"pack",
     "pack --key KEY --payload-type T --target-type U [--trace-id ID] [--ts TS] [--not-before TS] [--expires-at TS]\n"
     "           [--bind | --redactable [--clear POINTER]... [--decoys N]] [--dialect prova|ope-lib|starter]\n"
     "           [PAYLOAD|-]",
     "Wraps a JSON object in a signed OPE v1 envelope (Ed25519 over \"cid|trace_id|ts\") and prints it.\n"
     "  --key KEY        the sender's Ed25519 private key (JWK or PEM)\n"
     "  --trace-id ID    default: a new UUIDv4;  --ts TS: default now, RFC 3339 UTC with microseconds\n"
     "  --dialect D      prova (default; sig + kid + version + sig_alg), ope-lib (sender_sig + kid),\n"
     "                   starter (signature + sender{kid,jwk}; cid over the ASCII-escaped payload as the gateway "
     "does)\n"
     "  --bind           prova dialect: the signature covers every member but sig (\"sig_scope\":\"envelope\")\n"
     "  --redactable     every payload member and array element behind a salted digest, the disclosures beside\n"
     "                   the payload (unsigned): `prova redact` withholds some (docs/redaction.md)\n"
     "  --clear POINTER  with --redactable: keep this member (/payload/...) in the clear (repeatable)\n"
     "  --decoys N       with --redactable: N decoy digests in each object (0..16), hiding how many members it has\n",
     cmd_pack,
     pack_opts,
     NULL,
     {NULL}},
    {"verify",
     "verify [--jwks F | --key F]... [--trust-embedded-key] [--max-skew S | --no-skew] [--now TS] [--hash-alg A]\n"
     "           [--threads N] [--hmac-key F | --hmac-key-b64 S | --default-key]\n"
     "           [--log-key VKEY|F]... [--witness-policy F] [--require-log-proof] [--log-proof F]...\n"
     "           [--format text|json|html|dot|mermaid | --json] [--progress | --no-progress] [FILE|-]",
     "Verifies any document prova knows and prints the report: each check with its reason code, warnings, which key\n"
     "verified what. Detected: OPE envelopes (any dialect), receipts, receipt chains (JSON array or JSON Lines) and\n"
     "bundles; OpenExecution offline bundles, chain records, event arrays and events as JSON Lines; Ophamin proof\n"
     "records; and a DSSE envelope or a CloudEvent carrying any of them (both layers, one report).\n"
     "  --jwks F / --key F     trusted keys (repeatable). OPE: keys inside the document are used only with\n"
     "                         --trust-embedded-key. OpenExecution: the bundle's public_key must be one of them;\n"
     "                         without trusted keys it is used with a warning (key_from_bundle)\n"
     "  --max-skew S           freshness window for ts (default 300 s): a future ts beyond it fails, a past one\n"
     "                         is a warning (stale_timestamp);  --no-skew: no freshness check\n"
     "  --now TS               the verifier's clock (reproducible runs)\n"
     "  --hash-alg A           OpenExecution events without a chain record: their hash algorithm (default: from the\n"
     "                         hash length, 64/96/128 hex = sha256/sha384/sha512, with a warning)\n"
     "  --threads N            threads for long OPE JSON Lines chains (default: the online CPUs; same report)\n"
     "  --hmac-key F | --hmac-key-b64 S | --default-key\n"
     "                         proof records: the HMAC key (a file's bytes, one trailing newline dropped; standard\n"
     "                         base64; or the public default key, which proves integrity against accidents only);\n"
     "                         also PROVA_HMAC_KEY_B64. Without one, the signature is not checked (not valid).\n"
     "                         DSSE envelopes: their HMAC signatures are checked under the same key\n"
     "  --log-key VKEY|F       the transparency log's verifier key (a vkey, or a file of them; repeatable): check\n"
     "                         the log proofs the document carries (tlog_proofs), one log_inclusion check each;\n"
     "                         without it they are reported unchecked (log_proof_unchecked, a warning)\n"
     "  --witness-policy F     a c2sp.org/tlog-policy file: its witnesses and quorum (and its logs) apply\n"
     "  --require-log-proof    a logged record without a proof fails (log_proof_missing), instead of a warning\n"
     "  --log-proof F          a tlog-proof file beside the document (repeatable): proof records and flat bundles\n"
     "                         cannot carry theirs; each is matched to the record whose entry it includes\n"
     "  --json                 the report as JSON: {valid, kind, checks[{check,ok,code,message,at}], warnings, ...};\n"
     "                         for an OpenExecution bundle also sdk_result, the JS SDK's verifyBundle result shape;\n"
     "                         on any failure (a missing file, a bad key or option) the same shape with one failed\n"
     "                         check and its reason code (docs/cli.md)\n"
     "  --format F             text (default), json (= --json), html (one self-contained page: verdict, checks,\n"
     "                         warnings, the document's hops or events), dot (Graphviz) or mermaid (flowchart):\n"
     "                         the document's lineage graph, failed checks marked on the hop or event they name\n"
     "Exit: 0 valid, 1 verified invalid, 2 bad input (not JSON, not a known document), 3 internal.\n",
     cmd_verify,
     verify_opts,
     NULL,
     {"  --progress / --no-progress  progress on stderr (bytes read of the total, records, rate, ETA, then the time\n"
      "                         the verification takes): shown by default only when stderr is a terminal\n"}},
    {"receipt",
     "receipt append --key GWKEY --chain CHAIN.jsonl [--sender-jwks F | --sender-key F]... [--trust-embedded-key]\n"
     "           [--policy JSON] [--ts TS] [--now TS] [--no-skew] ENVELOPE|-",
     "A gateway's step, offline: verifies the envelope with the trusted sender keys, then appends the next signed\n"
     "receipt of its trace (the starter gateway's form: hop, prev_receipt_hash, receipt_signature, receipt_hash)\n"
     "to CHAIN.jsonl (fsynced) and prints it.\n"
     "  --compress zstd|gzip   a new chain's compression; a compressed chain (by its magic) grows by one zstd frame\n"
     "                         or gzip member per receipt, in its own format (docs/compression.md)\n"
     "  --compress-level N     zstd 1-22 (default 3), gzip 1-9 (default 6)\n",
     cmd_receipt,
     receipt_opts,
     receipt_subs,
     {NULL}},
    {"redact",
     "redact --path /payload/POINTER... [--reveal] [ENVELOPE|-]",
     "Withholds members of a redactable envelope (prova pack --redactable): drops the disclosures of each --path\n"
     "(a JSON Pointer below /payload; repeatable) and of everything nested in them, and prints the envelope. The\n"
     "signature still verifies; prova verify lists what is withheld (warnings \"redacted\"). No key is needed.\n"
     "  --reveal         print the disclosed payload instead (after withholding the --path members, if any)\n"
     "Reason codes: redact_path_invalid, redact_path_not_found, redact_not_redactable, not_redactable, and the\n"
     "disclosure checks' (docs/redaction.md). Exit: 0 done, 1 a disclosure does not match, 2 bad input or path.\n",
     cmd_redact,
     redact_opts,
     NULL,
     {NULL}},
    {"bundle",
     "bundle --key GWKEY --chain CHAIN.jsonl --trace-id ID [--form starter|ope-lib|flat] [--exported-at TS]",
     "Exports the receipts of one trace from CHAIN.jsonl as a signed bundle (bundle_cid over the canonical\n"
     "bundle; Ed25519 over \"{bundle_cid}|{trace_id}|{exported_at}\") and prints it. --form flat writes seed 003\n"
     "section 4's {trace_id, exported_at, kid, receipts, bundle_cid, bundle_signature}.\n"
     "  --compress zstd|gzip, --compress-level N   print the bundle compressed (the signature covers the bundle's\n"
     "                         JSON, never the compressed bytes; docs/compression.md)\n",
     cmd_bundle,
     bundle_opts,
     NULL,
     {NULL}},
    {"oe",
     "oe new|append|resolve|certify|revoke|supersede|attest|hash-event [options]",
     "OpenExecution v2 execution chains and provenance certificates (docs/openexecution.md).\n"
     "  oe append --chain CHAIN.json --type T [--actor A] [--actor-type X] [--sentiment positive|negative|neutral]\n"
     "            [--created-at TS] [PAYLOAD|-]\n"
     "      appends an event (seq, prev_hash, event_hash) and prints it; the first append creates CHAIN.json with\n"
     "      [--hash-alg sha256|sha384|sha512|sha3-256|sha3-384|sha3-512] [--sig-alg ed25519|ed448|ecdsa-p256|\n"
     "      ecdsa-p384|ecdsa-p521] [--chain-type resource_audit|manual|incident_response|compliance_report]\n"
     "      [--origin-type O] [--origin-id I] [--id ID]   (oe new --chain F [same options] [--force] creates it "
     "alone)\n"
     "  oe resolve --chain CHAIN.json [--at TS]\n"
     "      checks every event, computes the chain hash (printed), and closes the chain (open -> resolved)\n"
     "  oe certify --key KEY --chain CHAIN.json --artifact-type T --artifact-ref R [--artifact-title S]\n"
     "             [--origin-type O --origin-id I] [--issued-at TS] [--certificate-id ID] [--out BUNDLE]\n"
     "      signs the certificate over a resolved chain, prints the offline bundle (or writes --out), and marks the\n"
     "      chain certified. The key's algorithm must be the chain's signature_algorithm.\n"
     "  oe revoke --key KEY [--reason R] [--at TS] [--out F | --in-place] BUNDLE\n"
     "  oe supersede --key KEY --by CERTIFICATE_ID [--reason R] [--at TS] [--out F | --in-place] BUNDLE\n"
     "      rewrites the bundle's status block, signed by the issuer key (active -> revoked | superseded, final)\n"
     "  oe attest --type content-integrity [--leaves FILE] | --type timestamp --key KEY [--at TS] |\n"
     "            --type blockchain --tx-hash H [--network N] [--block N]   [--out F | --in-place] BUNDLE\n"
     "      adds an SDK extension attestation to the bundle (outside what the certificate signs): the RFC 6962\n"
     "      Merkle root of the event hashes (or of the hex leaves in FILE, one a line), a timestamp signed by the\n"
     "      issuer key, or the record of an anchor made elsewhere (prova talks to no blockchain)\n"
     "  oe hash-event [--hash-alg A] [--input] [EVENT|-]\n"
     "      prints the event hash (or, with --input, the JCS bytes that are hashed)\n"
     "Times default to now; every TS is RFC 3339 with an offset and is stored as YYYY-MM-DDTHH:MM:SS.sssZ.\n"
     "Files are replaced atomically (temporary file, fsync, rename). Verify bundles and chains with prova verify.\n",
     cmd_oe,
     oe_opts,
     oe_subs,
     {"  --compress zstd|gzip|none, --compress-level N   compress what is printed and the files written; a chain or\n"
      "                         bundle read compressed (zstd or gzip, by its magic) is rewritten in its own format\n"
      "                         unless --compress says otherwise (docs/compression.md)\n"}},
    {"proof",
     "proof sign (--hmac-key F | --hmac-key-b64 S | --default-key) [--attest-key K --author A] [FILE|-] | proof id "
     "[FILE|-]",
     "Ophamin proof records (EmpiricalProofRecord 1.0, docs/proof.md).\n"
     "  proof sign   prints the signed record: proof_id = SHA-256 and signature = HMAC-SHA256 (lowercase hex) of the\n"
     "               ophamin canonical body (the record without signature, proof_id, attestation); with\n"
     "               --attest-key (Ed25519) and --author, an attestation over the same bytes. The key: a file's\n"
     "               bytes (one trailing newline dropped), standard base64, PROVA_HMAC_KEY_B64, or --default-key\n"
     "               (the public \"ophamin-scenario-proof-key\": anyone can forge it; integrity against accidents "
     "only)\n"
     "  proof id     prints the record's content address (proof_id), recomputed\n"
     "Verify with prova verify [--hmac-key ...] PROOF.json (detected automatically).\n",
     cmd_proof,
     proof_opts,
     proof_subs,
     {NULL}},
    {"export",
     "export --to intoto|dsse|cloudevents|openlineage|ro-crate [options] FILE|-",
     "Carries a record of any family (OPE envelope, receipt, chain or bundle; OpenExecution bundle or resolved\n"
     "chain; proof record) into another format (docs/interop.md). The record is verified first (freshness not\n"
     "checked): give its keys as for prova verify (--jwks F | --key F, --trust-embedded-key, --hmac-key F |\n"
     "--hmac-key-b64 S | --default-key), or --no-verify.\n"
     "  --to intoto                the in-toto Statement v1 (subject = the record's content address)\n"
     "  --to dsse                  the Statement in a DSSE envelope: --sign-key K (Ed25519 or any prova key; keyid =\n"
     "                             its kid; repeatable) and/or an HMAC key option (the reference's form; --keyid ID)\n"
     "  --to cloudevents           a CloudEvents 1.0 event: --source URI (default urn:prova:cli), --type T,\n"
     "                             --mode structured|binary|batch (batch: several FILEs), --ext NAME=VALUE...\n"
     "  --to openlineage           OpenLineage 2.0 RunEvents, one per line: --namespace NS, --job NAME; proof\n"
     "                             records: --event start|running|complete|fail, --run-id UUID, --progress JSON\n"
     "                             (RUNNING), --error-message M --error-type T (FAIL)\n"
     "  --to ro-crate              an RO-Crate 1.2 directory at --out DIR (or --zip: one archive at --out)\n"
     "  --out PATH                 write there instead of stdout (an existing PATH needs --force)\n"
     "  --post URL                 cloudevents, openlineage: POST the events (retries; undeliverable events wait\n"
     "                             in --spool DIR, default $XDG_STATE_HOME/prova/spool; --token T or\n"
     "                             PROVA_SINK_TOKEN: a bearer token)\n",
     cmd_export,
     export_opts,
     NULL,
     {"  --compress zstd|gzip       compress what is printed or written to --out (not --post, not ro-crate);\n"
      "  --compress-level N         zstd 1-22 (default 3), gzip 1-9 (default 6) (docs/compression.md)\n"}},
    {"import",
     "import [--headers F] [--json] [--extract] [verify options] FILE|-",
     "Unwraps a DSSE envelope (in-toto Statement) or a CloudEvent (structured, batch, or binary mode with the HTTP\n"
     "headers in --headers F) and verifies both layers: the wrapper (DSSE signatures by keyid against --jwks/--key\n"
     "or the HMAC key options; CloudEvents attributes) and the record inside with its own signatures, in one\n"
     "report. Exit codes as prova verify. --extract prints the record inside (a CloudEvent's data, a DSSE\n"
     "Statement's record) instead of verifying it.\n",
     cmd_import,
     import_opts,
     NULL,
     {NULL}},
    {"lineage",
     "lineage [--format json|dot|graphml|mermaid] [--out FILE [--force]] FILE...",
     "One lineage graph over every record of the FILEs (JSON or JSON Lines; - is stdin), merged (docs/lineage.md):\n"
     "OPE traces -> hops -> payload CIDs (request, normalized), OpenExecution chains -> events -> certificates, a\n"
     "CID named by several traces drawn once, a superseding certificate linked to the one it supersedes. Records\n"
     "are not verified (run prova verify for that). Node ids: trace:ID hop:TRACE/N cid:CID chain:ID event:CHAIN/SEQ\n"
     "cert:ID proof:ID.\n"
     "  --format F   json (default: {nodes:[{id,type,label,attrs}], edges:[{from,to,type}]}), dot (Graphviz),\n"
     "               graphml, mermaid (flowchart)\n"
     "  --out FILE   write there instead of stdout (an existing FILE needs --force)\n"
     "Exit codes: 0 written, 2 usage / unreadable file / not a record the graph reads, 3 internal.\n",
     cmd_lineage,
     lineage_opts,
     NULL,
     {NULL}},
    {"mcp",
     "mcp [--http ADDR] [--data DIR [--trusted-senders JWKS]] [--key K] [--jwks F]... [--tokens F] [--allow-origin "
     "O]...",
     "Serves prova's abilities as MCP tools for AI agents (docs/mcp.md, docs/mcp-tools.md): newline-delimited\n"
     "JSON-RPC on stdin/stdout (the default; logs on stderr only), or streamable HTTP at ADDR/mcp.\n"
     "  --http ADDR                  HOST:PORT, or PORT alone for 127.0.0.1:PORT; off loopback a token is required\n"
     "  --data DIR                   a gateway data directory: the store tools (append_receipt, get_chain,\n"
     "                               export_bundle, oe_*) act on its store with the gateway's rules (its key, tokens)\n"
     "  --store LOCATION             with --data: the store, when not DIR/prova.db (a SQLite file or postgresql://)\n"
     "  --trusted-senders JWKS       with --data: the senders whose envelopes append_receipt accepts\n"
     "  --allow-inline-sender-keys   with --data: also accept a starter envelope's own sender.jwk\n"
     "  --transforms DIR             with --data: append_receipt's payload transforms, as prova serve's\n"
     "  --sft-passthrough            with --data: an unregistered payload_type -> target_type pair is the identity\n"
     "  --key K                      without --data: the key pack_envelope and export --to dsse sign with\n"
     "  --jwks F                     trusted public keys for the verify tools (repeatable)\n"
     "  --tokens F                   --http: bearer tokens (the gateway's tokens.json format; default "
     "DIR/tokens.json)\n"
     "  --allow-origin O             --http: a browser Origin accepted besides loopback ones (repeatable)\n"
     "  --max-message BYTES          the largest JSON-RPC message (default 4 MiB)\n"
     "  --tls-cert F --tls-key F     --http: serve HTTPS (PEM), as prova serve does\n"
     "  --tls-priority STRING        --http: the TLS policy (a GnuTLS priority string), as prova serve's\n"
     "  --max-connections N          --http: concurrent connections (default 1024)\n"
     "  --timeout S                  --http: idle connection timeout (default 30)\n"
     "  --access-log FORMAT          --http: a line per request, text or json (JSON Lines) on stderr, or otlp;\n"
     "                               default off\n"
     "  --quiet                      no log lines\n"
     "--http runs the gateway's HTTP daemon with only /mcp, /health, /version and /metrics. prova serve also serves\n"
     "POST /mcp (--no-mcp turns it off).\n",
     cmd_mcp,
     NULL,
     NULL,
     {NULL}},
    {"witness",
     "witness --key FILE --logs FILE --state DIR [--listen ADDR:PORT] [--tls-cert F --tls-key F] | witness keygen "
     "--name NAME --out FILE",
     "A transparency log witness (c2sp.org/tlog-witness, docs/tlog.md \"Witness\"): cosigns the checkpoints of the\n"
     "logs it knows once each is consistent with the last one it cosigned, and remembers that one per log.\n"
     "  --key FILE                 its cosigner key, PRIVATE+KEY+name+id+base64(0x04 || seed) (witness keygen)\n"
     "  --logs FILE                the logs: a vkey per line, or a tlog-policy file (its \"log\" lines count)\n"
     "  --state DIR                the latest cosigned checkpoint of each log, one file each (created 0700)\n"
     "  --listen HOST:PORT         address (default 127.0.0.1:8090); --tls-cert F --tls-key F: HTTPS (PEM)\n"
     "  --threads N, --max-connections N, --timeout S, --access-log FORMAT, --quiet   as for prova serve\n"
     "Serves POST /add-checkpoint (64 KiB bodies), GET /<hex SHA-256(origin)>/checkpoint, /health, /version,\n"
     "/metrics. SIGTERM or SIGINT stops it.\n"
     "  witness keygen --name NAME --out FILE [--force]\n"
     "      writes a new cosignature/v1 key (mode 0600) and prints its vkey, for the logs' policies\n",
     cmd_witness,
     NULL,
     NULL,
     {NULL}},
    {"log",
     "log keygen|append|checkpoint|prove|consistency|verify-proof|audit|attach [options]",
     "A transparency log directory in the C2SP tlog-tiles layout (docs/tlog.md \"The command line\"): checkpoint,\n"
     "tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>], byte for byte what Tessera writes.\n"
     "  log keygen --name ORIGIN --out FILE [--force]\n"
     "      writes a new log key PRIVATE+KEY+ORIGIN+id+base64(0x01 || seed) (mode 0600) and prints its vkey\n"
     "  log append --dir DIR --key KEYFILE [--lines FILE] [FILE...]\n"
     "      appends each FILE's bytes (and each line of --lines, without its newline) as one entry of at most\n"
     "      65535 bytes; writes the changed tiles and bundles, then one new checkpoint signed with the key (whose\n"
     "      name is the origin), and prints it. A lock on DIR/.lock serializes appends\n"
     "  log checkpoint --dir DIR [--log-key VKEY] [--json]\n"
     "      prints the checkpoint; with --log-key, verifies its signature (exit 1 when it does not verify)\n"
     "  log prove --dir DIR --index N [--extra B64] [--out FILE]\n"
     "      writes the c2sp.org/tlog-proof@v1 of entry N against the current checkpoint\n"
     "  log consistency --dir DIR --from SIZE [--to SIZE]\n"
     "      prints the RFC 9162 consistency proof from SIZE to --to (default: the checkpoint's size), base64 lines\n"
     "  log verify-proof --log-key VKEY [--witness-policy F] (--entry FILE | --leaf-hash B64) [--entry-index N]\n"
     "                   [--json] PROOF\n"
     "      verifies a tlog-proof: the checkpoint's signature (and the policy's witness quorum), the index (with\n"
     "      --entry-index) and the inclusion of the entry (its leaf hash SHA-256(0x00 || bytes) or --leaf-hash)\n"
     "  log audit (--dir DIR | --url URL) [--log-key VKEY] [--store PATH] [--json] [--progress | --no-progress]\n"
     "      reads every entry bundle and tile the checkpoint implies, recomputes every leaf hash, every tile and\n"
     "      the root, and names the first tile that differs; --store: the gateway's store (DIR/prova.db) must hold\n"
     "      at each index the entry logged there; progress (entries, tiles) on stderr when it is a terminal\n"
     "  log attach --proof FILE... [--out FILE] DOC|-\n"
     "      puts tlog-proof files (GET /log/proof/{index}, log prove) into an export (an OPE bundle, starter or\n"
     "      ope-lib form, or an OpenExecution offline bundle) as its unsigned member tlog_proofs, each matched to its\n"
     "      record; nothing a signature or hash covers moves. prova verify --log-key checks them\n"
     "VKEY is the verifier key's text or a file holding it. Reason codes: checkpoint_signature_invalid,\n"
     "checkpoint_origin_mismatch, witness_quorum_not_met, log_index_mismatch, log_index_out_of_range,\n"
     "log_inclusion_invalid, log_tile_mismatch, log_tile_missing, log_bundle_invalid, log_root_mismatch.\n"
     "Exit: 0 valid, 1 invalid, 2 bad input or usage, 3 internal or I/O.\n",
     cmd_log,
     log_opts,
     log_subs,
     {NULL}},
    {"db",
     "db status|migrate|check [--store LOC] [--data DIR] [options]",
     "The gateway's store (docs/operations.md \"Schema and migrations\"). LOC is a SQLite file or a postgresql://\n"
     "URI; default $PROVA_STORE, else DIR/prova.db, DIR being --data (default $PROVA_DATA, else ./var).\n"
     "  db status [--json]\n"
     "      the backend, the schema version, the latest this prova knows, and each migration: applied (when, on\n"
     "      PostgreSQL) or pending. Opens the store without migrating it. Exit 0 up to date, 1 migrations pending\n"
     "  db migrate\n"
     "      applies the pending migrations and says how many (none: already up to date); a gateway does the same\n"
     "      when it starts\n"
     "  db check [--jwks F]... [--log-key VKEY] [--json]\n"
     "      verifies everything stored, read-only, from one snapshot: each trace's receipt chain (hops 0, 1, ...,\n"
     "      hash links, each signature with the gateway's keys), each OpenExecution chain (seq, hash chain) and\n"
     "      certificate, each record's log entry, the log (entries contiguous; each checkpoint signed by the log\n"
     "      key, its root the Merkle root of the entries it covers; each hash tile of the latest checkpoint's tree\n"
     "      as stored). Keys: --jwks F (the gateway's JWKS; repeatable) or DIR/gateway.key and DIR/legacy.jwks;\n"
     "      --log-key VKEY (text or file) or DIR/log.key. Prints a line per problem, \"WHERE: CODE: message\"\n"
     "      (trace T hop N, chain C seq N, certificate X, log index N, checkpoint N, tile PATH), then the counts\n"
     "Reason codes: the verifiers' (receipt_signature_invalid, receipt_hash_mismatch, chain_broken, hop_mismatch,\n"
     "seq_mismatch, link_broken, event_hash_mismatch, ...) and trace_id_mismatch, chain_id_mismatch,\n"
     "event_chain_mismatch, certificate_id_mismatch, certificate_chain_mismatch, store_events_differ,\n"
     "chain_record_hash_mismatch, record_log_entry_mismatch, record_log_index_missing, log_entry_missing,\n"
     "log_entry_invalid, log_tile_mismatch, log_tile_missing, log_root_mismatch, checkpoint_signature_invalid,\n"
     "checkpoint_origin_mismatch, checkpoint_size_decreased, checkpoint_beyond_log, store_unreadable.\n"
     "Exit: 0 up to date / no problems, 1 pending migrations / problems found, 2 usage or keys missing, 3 the\n"
     "store cannot be opened or read.\n",
     cmd_db,
     db_opts,
     db_subs,
     {NULL}},
    {"store",
     "store copy FROM TO [--data DIR] [--jwks F]... [--log-key VKEY] [--batch ROWS] [--json]\n"
     "           [--progress | --no-progress]",
     "Copies a store into an empty one, between any two backends (SQLite file or postgresql:// URI; docs/\n"
     "operations.md \"Moving a store\"). Meant for a stopped gateway: FROM is read from one snapshot.\n"
     "Every record is checked as prova db check checks it before it is written (keys as there); the first problem\n"
     "stops the copy. Copies the receipts and events with their log indexes, the unexpired replay claims, the\n"
     "chains, the certificates with their indexes, every log entry and every checkpoint in order, and rebuilds the\n"
     "hash tiles from the entries (each checkpoint's root checked before it is written). Commits every --batch rows\n"
     "(default 4096), so that neither side holds one long transaction.\n"
     "A destination that holds anything is refused, naming what. When the copy fails, a SQLite file it created is\n"
     "removed; batches already committed to an existing destination stay (empty it before another try).\n"
     "Prints the counts and the time taken (--json: a report). Progress (rows per table) on stderr when it is a\n"
     "terminal; --progress shows it anyway (a line a second), --no-progress never.\n"
     "Exit: 0 copied, 1 a record does not verify, 2 usage or a destination that is not empty, 3 I/O.\n",
     cmd_store,
     store_opts,
     store_subs,
     {NULL}},
    {"sink",
     "sink flush [--spool DIR] [--token T]",
     "Sends the events that prova export --post spooled while their endpoint was down, oldest first; exits 0 when\n"
     "the spool is empty afterwards.\n",
     cmd_sink,
     sink_opts,
     sink_subs,
     {NULL}},
    {"transform",
     "transform --from TYPE --to TYPE [--transforms DIR] [--sft-passthrough] [--json] [FILE|-]",
     "Normalizes one JSON payload from payload_type TYPE to target_type TYPE as the gateway does (docs/transforms.md)\n"
     "and prints the normalized payload's canonical (ope) bytes, with no trailing newline.\n"
     "  --transforms DIR   also the mapping files DIR/*.json (validated; one may replace a built-in pair)\n"
     "  --sft-passthrough  an unregistered pair is the identity (notes \"not_transformed\") instead of an error\n"
     "  --json             print {normalized_payload, normalized_cid, sft_notes, transform} instead\n"
     "  --list             list the transforms (from -> to, id, version) and exit\n"
     "Equal types are the identity (notes \"already_normalized\"). Exit: 0 normalized; 2 an unregistered pair\n"
     "(sft_unregistered), a payload the transform refuses (sft_payload_rejected), a bad mapping file or usage.\n",
     cmd_transform,
     transform_opts,
     NULL,
     {NULL}},
    {"serve",
     "serve [--listen 127.0.0.1:8080] [--data DIR] [--key GWKEY] [--trusted-senders JWKS] [--tokens FILE] ...",
     "The gateway: accepts OPE envelopes (a signed receipt per envelope, chained per trace), OpenExecution chains\n"
     "and certificates, and verifies any document; SQLite store (WAL, every acknowledged write is on disk), or\n"
     "PostgreSQL shared by any number of gateways (docs/postgresql.md).\n"
     "API: GET /docs and GET /openapi.json on the running gateway; operations: docs/operations.md.\n"
     "  --listen HOST:PORT          address (default 127.0.0.1:8080; [::1]:PORT for IPv6, :PORT for all)\n"
     "  --data DIR                  store, generated key and tokens (default ./var); its files are made 0600,\n"
     "                              its directories 0700 whatever the umask; a DIR open to others is warned of\n"
     "  --store LOCATION            the store (default DIR/prova.db): a SQLite file, or a PostgreSQL URI\n"
     "                              postgresql://USER@HOST:PORT/DB that several gateways may share (each with\n"
     "                              the same gateway.key and log.key); also PROVA_STORE\n"
     "  --key GWKEY                 the signing key, Ed25519 (default DIR/gateway.key, generated 0600 on first run)\n"
     "  --legacy-keys JWKS          earlier public keys, published in the JWKS as legacy (also DIR/legacy.jwks)\n"
     "  --rotate-key                make a new signing key; the current one moves to DIR/legacy.jwks; then exit\n"
     "  --print-token               print the development token of DIR/tokens.json (for export TOKEN=...); exit\n"
     "  --trusted-senders JWKS      public keys of the senders whose envelopes are accepted (default\n"
     "                              DIR/senders.jwks when it exists); re-read on SIGHUP\n"
     "  --allow-inline-sender-keys  also accept a starter envelope's own sender.jwk (unpinned: any key)\n"
     "  --tokens FILE               bearer tokens and ODIN API keys (default DIR/tokens.json, generated with a\n"
     "                              development token on first run): {\"tokens\":[{\"name\",\"token\"|\"sha256\",\n"
     "                              "
     "\"scopes\":[\"ope:write\",\"oe:write\",\"proof:write\"]}],\"odin_api_keys\":[{\"key\",\"secret\"}]}\n"
     "  --tls-cert F --tls-key F    serve HTTPS (PEM): TLS 1.3 and 1.2 only, ECDHE with AEAD ciphers\n"
     "  --tls-priority STRING       the TLS policy as a GnuTLS priority string instead (docs/operations.md\n"
     "                              \"TLS\"); one GnuTLS does not accept stops the start (exit 2)\n"
     "  --config FILE               \"name = value\" lines with these option names (also PROVA_CONFIG)\n"
     "  --threads N                 HTTP threads (default 2 x CPUs)\n"
     "  --max-connections N         concurrent connections (default 4096, capped by the open-files limit, whose\n"
     "                              soft value is raised to the hard one); more are closed at once; when fewer\n"
     "                              than an eighth are free, the oldest connections still waiting for a request\n"
     "                              head are closed to make room\n"
     "  --max-connections-per-ip N  connections from one client address (default 64; 0: no limit)\n"
     "  --timeout S                 idle connection timeout (default 30)\n"
     "  --header-timeout S          a request head must arrive within S seconds in all (default 10; 0: off)\n"
     "  --min-body-rate B           a body must average B bytes/s after a grace of --header-timeout seconds\n"
     "                              (default 1024; 0: off); a slower one is cut\n"
     "  --transforms DIR            payload transforms: the mapping files DIR/*.json besides the built-in pairs,\n"
     "                              validated at start (docs/transforms.md)\n"
     "  --sft-passthrough           an unregistered payload_type -> target_type pair is accepted as the identity\n"
     "                              (sft_notes \"not_transformed\"), as the lite gateway does; default: 400\n",
     cmd_serve,
     NULL,
     NULL,
     /* help_more: */
     {"  --max-body SIZE             request body limit (default 1M; K and M suffixes), also once decoded\n"
      "  --max-ratio N               a gzip or zstd request body (Content-Encoding) decodes to at most N bytes per\n"
      "                              byte sent, past 64K (default 1000; 0: no limit); over a limit: 413\n"
      "  --compress-min SIZE         compress responses of SIZE bytes or more (default 1K) when Accept-Encoding\n"
      "                              allows zstd or gzip; --no-compress: never (docs/compression.md)\n"
      "  --max-depth N               JSON nesting limit (default 64)\n"
      "  --max-header SIZE           request line + headers limit (default 32K)\n"
      "  --max-queue N               writes waiting for the disk before 429 (default 8192)\n"
      "  --max-batch N               writes per group commit (default 1024)\n"
      "  --commit-delay US           wait up to US microseconds for more writes before a commit (default 0;\n"
      "                              at most 1000000; docs/operations.md \"Group commit\")\n"
      "  --max-skew S                envelope freshness window, seconds (default 300)\n"
      "  --log-key FILE              the transparency log's key, PRIVATE+KEY+<origin>+... (default DIR/log.key,\n"
      "                              generated on first run with origin --log-origin)\n"
      "  --log-origin NAME           the log's origin (default <hostname>/prova); never changes: a key of\n"
      "                              another name is refused\n"
      "  --log-interval MS           integrate and sign a checkpoint every MS milliseconds (default 1000)\n"
      "  --log-dir DIR               also write checkpoint, tiles and entry bundles there (tlog-tiles layout;\n"
      "                              public: files 0644, directories 0755)\n"
      "  --witness-policy FILE       tlog-policy with witness URLs: publish a checkpoint once its quorum cosigned\n"
      "  --access-log FORMAT         a line per request on stderr: text (the default: METHOD path status NNNus\n"
      "                              NNNB), json (a JSON object per line: time, request_id, trace_id, method,\n"
      "                              route, path, status, duration_ms, bytes...; docs/observability.md), otlp\n"
      "                              (an OTLP log record in the request's trace, to the OpenTelemetry endpoint) or\n"
      "                              off\n"
      "  --quiet                     no access log on stderr (as --access-log off)\n",
      "Egress (docs/egress.md): forward_url is judged before the receipt and forwarded after it:\n"
      "  --egress-profile P          strict (default: the allowlist), medium (+ api.bank.com, payments.bank.com),\n"
      "                              open (any host)\n"
      "  --egress-allow HOST[:PORT]  allowed host, exact match (repeatable); --egress-allow-file F: one a line\n"
      "  --egress-allow-private      connect to 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 too\n"
      "  --egress-allow-address CIDR connect to these addresses too (repeatable; loopback, link-local, ...)\n"
      "  --relay URL                 forward through POST URL/v1/relay (the starter's relay protocol)\n"
      "  --forward-timeout-ms MS, --forward-connect-timeout-ms MS (10000, 5000), --forward-max-response SIZE\n"
      "  (1M), --forward-max-redirects N (5), --forward-ca-file F, --forward-ca-path DIR\n"
      "OpenTelemetry (docs/observability.md): traces, metrics and logs over OTLP/HTTP when an endpoint is set;\n"
      "every OTEL_* variable applies, and these flags stand in for the variables they name:\n"
      "  --otlp-endpoint URL         OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://collector:4318)\n"
      "  --otlp-protocol P           OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf (default) or http/json\n"
      "  --otlp-headers K=V,...      OTEL_EXPORTER_OTLP_HEADERS\n"
      "  --otlp-compression C        OTEL_EXPORTER_OTLP_COMPRESSION: gzip or none (default)\n"
      "  --service-name NAME         OTEL_SERVICE_NAME (default prova)\n"
      "  --trace-sampler S           OTEL_TRACES_SAMPLER (default parentbased_always_on); --trace-sampler-arg R\n"
      "  --metric-interval MS        OTEL_METRIC_EXPORT_INTERVAL (default 60000)\n"
      "  --no-telemetry              OTEL_SDK_DISABLED=true\n"
      "Every option is also an environment variable: PROVA_LISTEN, PROVA_DATA, PROVA_KEY, PROVA_TOKENS, ...\n"
      "(upper case, '-' as '_'). Precedence: flags, then environment, then the config file, then defaults.\n"
      "The development token is printed only when stderr is a terminal; else stderr names the file it is in.\n"
      "SIGTERM or SIGINT: stop accepting, finish in-flight requests and queued writes, close the store.\n"
      "SIGHUP: re-read the trusted senders (a key added to the JWKS file is trusted without a restart).\n"}},
    {"demo",
     "demo",
     "Canonicalizes a sample agent record, signs it with a fresh Ed25519 key, verifies it, and shows that\n"
     "an edit to the record is detected.\n",
     cmd_demo,
     no_opts,
     NULL,
     {NULL}},
    {NULL, NULL, NULL, NULL, NULL, NULL, {NULL}},
};

const cli_cmd *cli_find(const char *name) {
    for (const cli_cmd *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

void cli_usage(FILE *f) {
    fprintf(f, "usage: prova <command> [options]\n\ncommands:\n");
    for (const cli_cmd *c = cli_commands; c->name; c++) fprintf(f, "  prova %s\n", c->synopsis);
    fprintf(f, "\n'prova <command> --help' describes one command. Exit codes: 0 ok, 1 verification failed,\n"
               "2 bad input or usage, 3 internal or I/O error. Version " PROVA_VERSION_STRING ".\n");
}

/* True when argv[from..] has --json before any "--", or with format (a command that has --format, whose json is
 * --json's other spelling) --format json. */
static bool asks_json(int argc, char **argv, int from, bool format) {
    for (int i = from; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0) return true;
        if (format && (strcmp(argv[i], "--format=json") == 0 ||
                       (strcmp(argv[i], "--format") == 0 && i + 1 < argc && strcmp(argv[i + 1], "json") == 0)))
            return true;
    }
    return false;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        cli_usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        if (argc > 2 && !cli_find(argv[2])) return cli_unknown_command(argv[2]);
        if (argc > 2)
            cli_print_help(cli_find(argv[2]), stdout);
        else
            cli_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("prova " PROVA_VERSION_STRING "\n");
        return EXIT_OK;
    }
    const cli_cmd *cmd = cli_find(argv[1]);
    if (!cmd) {
        /* Whoever asked for JSON gets JSON, even from a command that does not exist. */
        cli_json_begin(asks_json(argc, argv, 2, false));
        return cli_json_end(cli_unknown_command(argv[1]));
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (cli_is_help(argv[i])) {
            cli_print_help(cmd, stdout);
            return EXIT_OK;
        }
    }
    /* Known before the command parses anything, so that an error in the first option is a JSON report too. */
    cli_json_begin(cli_has_opt(cmd, "--json") && asks_json(argc, argv, 2, cli_has_opt(cmd, "--format")));
    int rc = cli_check_args(cmd, argc - 1, argv + 1);
    /* the servers open their own exporter, with their flags (cmd_serve.c) */
    bool server = !strcmp(cmd->name, "serve") || !strcmp(cmd->name, "mcp") || !strcmp(cmd->name, "witness");
    if (rc == EXIT_OK && !server) cli_telemetry_begin(cmd->name);
    if (rc == EXIT_OK) rc = cmd->run(argc - 1, argv + 1);
    rc = cli_output_end(rc); /* --compress: the end of the compressed stdout */
    cli_telemetry_end(rc);
    return cli_json_end(rc);
}
