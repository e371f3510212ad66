/* bench_ope: OPE v1 verification speed -- envelopes against raw libsodium, and receipt chains.
 *
 *     bench_ope envelope [--n N] [--runs R] [--cpu] [--dump DIR | --load DIR] [--no-parts] [--tsv FILE]
 *         Generates an Ed25519 key (prova_key_generate), packs one prova-dialect envelope around a payload whose
 *         ope canonical form is exactly 1024 bytes (prova_ope_envelope_pack), and times R paired rounds (default 31)
 *         of N calls each (default 3000), the two loops of a round back to back, in alternating order (wall time;
 *         --cpu: the thread's CPU time, which on this VM turned out no steadier):
 *           prova  prova_ope_verify(envelope bytes) with a keyset holding the public key (loaded from the JWKS)
 *                  and now_us fixed: parse, kind detection, schema, canonical payload, CID, signature, timestamp,
 *                  the report; every report is checked to be valid and freed inside the loop;
 *           raw    crypto_sign_ed25519_verify_detached() of the same 64-byte signature over the same
 *                  "cid|trace_id|ts" bytes with the same 32-byte public key (libsodium, nothing else).
 *         Then, outside that comparison, the parts of prova's path (N calls each, best of R): prova_json_parse of
 *         the envelope, prova_canon_hash of the payload (CID digest), prova_report_to_json of one report.
 *         Prints:
 *           envelope payload_bytes=1024 envelope_bytes=B n=N runs=R prova_s=S prova_eps=E raw_s=S raw_vps=V
 *                    overhead_pct=P overhead_min_pct=P overhead_max_pct=P overhead_best_pct=P valid=1
 *           envelope_parts parse_us=U canon_cid_us=U report_json_us=U report_json_bytes=B
 *         prova_eps and raw_vps come from each side's best round. overhead_pct is the median over the rounds of
 *         (t_prova / t_raw - 1) * 100, with its min and max; overhead_best_pct = (raw_vps / prova_eps - 1) * 100.
 *         --dump DIR writes DIR/envelope.json (the envelope), DIR/envelope.jwks (its public key) and
 *         DIR/envelope.now (the verifier's clock, RFC 3339) so that bench/ope_peer.py checks the same bytes.
 *         --load DIR reads those three files instead of making a new envelope and key (bench/bindings.sh runs
 *         bench_ope several times, between its Python rounds, on the bytes that the Python side verifies); the
 *         raw peer's key is the JWKS's key of the envelope's kid, and the parts time the envelope's payload.
 *         --no-parts skips the parts.
 *         --tsv FILE also writes the figures as TSV (bench/out/results-ope.tsv; columns section, name, prova_value,
 *         peer_name, peer_value, unit): the envelopes/s of both sides' best rounds, the median ratio prova/raw
 *         (the target's figure: >= 0.90), and the parts in microseconds. With --dump DIR and no --tsv, the TSV goes
 *         to DIR/results-ope.tsv (bench/run.sh dumps into bench/out).
 *
 *     bench_ope chain N OUT.jsonl JWKS_OUT
 *         Writes a chain of N receipts of one trace as JSON Lines, built with prova_ope_receipt_build (hop i links to
 *         hop i-1, ts 1 ms apart, a distinct request_cid per hop), signed by a new gateway key, and the gateway's
 *         public JWKS (prova_key_to_jwks). Prints "chain receipts=N bytes=B build_s=S".
 *
 *     bench_ope verify-chain [--threads T] FILE.jsonl JWKS
 *         Maps FILE (mmap, MAP_POPULATE: the whole file is resident, as the `prova` CLI maps its input), then times
 *         one prova_ope_verify() call on the whole buffer (JSON Lines input), with prova_verify_options.threads = T
 *         when T > 1. Prints
 *           verify_chain threads=T receipts=N bytes=B verify_s=S rps=R valid=1 kind=K checks=C report_free_s=S
 *                        vm_hwm_kib=K rss_file_kib=K rss_anon_kib=K
 *         receipts = the number of non-empty lines; vm_hwm_kib is the peak RSS so far (/proc/self/status VmHWM),
 *         rss_file_kib / rss_anon_kib the file-backed / anonymous RSS right after the call, report still alive.
 *         Exit status 0 when the report is valid, 1 when not, 2 on usage or I/O errors.
 */
#define _GNU_SOURCE /* MAP_POPULATE */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "prova/ope.h"
#include "prova/report.h"

#define PAYLOAD_BYTES 1024u
#define ENV_TS        "2026-11-22T08:00:00.000000+00:00"
#define ENV_NOW       "2026-11-22T08:00:01.000000+00:00" /* 1 s after ts: fresh, not in the future */
#define TRACE_ID      "6f1c2b1e-3d4a-4f5b-9c8d-7e6f5a4b3c2d"

static clockid_t bench_clock = CLOCK_MONOTONIC; /* envelope --cpu: CLOCK_THREAD_CPUTIME_ID */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int die(const char *what, int status) {
    fprintf(stderr, "bench_ope: %s: %s\n", what, prova_status_message(status));
    return 2;
}

static int write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "bench_ope: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t w = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || w != len) {
        fprintf(stderr, "bench_ope: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

/* ---- envelope ------------------------------------------------------------------------------------------------ */

/* An agent tool call: nested objects, an array of messages, ints, floats (one that prints as 1.5e-05), a bool,
 * null, non-ASCII text in several scripts and an emoji; members deliberately out of order. The "context" string is
 * ASCII padding, sized so that the ope canonical form is exactly PAYLOAD_BYTES. */
static const char payload_head[] =
    "{\"tool\":{\"name\":\"search_flights\",\"args\":{\"to\":\"NRT\",\"from\":\"CDG\",\"date\":\"2026-12-01\","
    "\"passengers\":2,\"cabin\":\"economy\",\"flexible\":true,\"max_price_eur\":1249.5}},"
    "\"agent\":{\"version\":\"3.4.1\",\"id\":\"planner-7\",\"model\":\"gpt-x-2026-10\"},"
    "\"intent\":\"tool.call\",\"seq\":42,\"parent\":null,"
    "\"messages\":[{\"role\":\"user\",\"content\":\"Trouve-moi un vol Paris \\u2192 Tokyo le 1er d\\u00e9cembre, "
    "2 adultes, \\u00e9conomique.\"},{\"role\":\"assistant\",\"content\":\"\\u6771\\u4eac\\u884c\\u304d\\u306e"
    "\\u4fbf\\u3092\\u691c\\u7d22\\u3057\\u307e\\u3059 \\ud83d\\udeeb\"}],"
    "\"metrics\":{\"tokens_out\":164,\"latency_ms\":311.207,\"tokens_in\":812,\"cost_usd\":1.5e-05,"
    "\"temperature\":0.2},\"tags\":[\"travel\",\"booking\",\"\\u0431\\u044b\\u0441\\u0442\\u0440\\u043e\"],"
    "\"context\":\"";
static const char payload_tail[] = "\"}";

static int make_payload(prova_doc **ret_doc, size_t *ret_canon_len) {
    size_t pad = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        size_t n = sizeof payload_head - 1 + pad + sizeof payload_tail - 1;
        char *text = malloc(n);
        if (!text) return PROVA_ENOMEM;
        memcpy(text, payload_head, sizeof payload_head - 1);
        for (size_t i = 0; i < pad; i++) text[sizeof payload_head - 1 + i] = (char)('a' + i % 26);
        memcpy(text + sizeof payload_head - 1 + pad, payload_tail, sizeof payload_tail - 1);
        prova_doc *doc = NULL;
        prova_error err;
        int r = prova_json_parse(text, n, NULL, &doc, &err);
        free(text);
        if (r < 0) return r;
        prova_buf c = PROVA_BUF_INIT;
        r = prova_canon_write(prova_doc_root(doc), PROVA_PROFILE_OPE, &c, &err);
        size_t len = c.len;
        prova_buf_free(&c);
        if (r < 0) {
            prova_doc_free(doc);
            return r;
        }
        if (len == PAYLOAD_BYTES || len > PAYLOAD_BYTES) {
            *ret_doc = doc;
            *ret_canon_len = len;
            return 0;
        }
        pad += PAYLOAD_BYTES - len;
        prova_doc_free(doc);
    }
    return PROVA_EINVAL;
}

static volatile size_t sink;

/* Reads DIR/NAME whole into out (appended). */
static int read_file(const char *dir, const char *name, prova_buf *out) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_ope: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t k;
    int r = 0;
    while (r == 0 && (k = fread(chunk, 1, sizeof chunk, f)) > 0) r = prova_buf_append(out, chunk, k) < 0 ? -1 : 0;
    if (ferror(f)) r = -1;
    fclose(f);
    if (r < 0) fprintf(stderr, "bench_ope: %s: read failed\n", path);
    return r;
}

static int cmd_envelope(int argc, char **argv) {
    size_t n = 3000;
    int runs = 31;
    const char *dir = NULL, *load = NULL, *tsv = NULL;
    bool parts = true;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            n = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--load") == 0 && i + 1 < argc)
            load = argv[++i];
        else if (strcmp(argv[i], "--no-parts") == 0)
            parts = false;
        else if (strcmp(argv[i], "--tsv") == 0 && i + 1 < argc)
            tsv = argv[++i];
        else if (strcmp(argv[i], "--cpu") == 0)
            bench_clock = CLOCK_THREAD_CPUTIME_ID;
        else {
            fprintf(stderr, "usage: bench_ope envelope [--n N] [--runs R] [--cpu] [--dump DIR | --load DIR] "
                            "[--no-parts] [--tsv FILE]\n");
            return 2;
        }
    }
    if (dir && load) {
        fprintf(stderr, "bench_ope: --dump and --load exclude each other\n");
        return 2;
    }
    if (n == 0 || runs < 1) {
        fprintf(stderr, "bench_ope: --n and --runs must be positive\n");
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "bench_ope: sodium_init failed\n");
        return 2;
    }

    prova_key *key = NULL;
    prova_doc *pdoc = NULL;
    size_t payload_len = 0;
    prova_buf env = PROVA_BUF_INIT, jwks = PROVA_BUF_INIT, now_text = PROVA_BUF_INIT;
    prova_error err;
    int r;
    if (load) {
        if (read_file(load, "envelope.json", &env) < 0 || read_file(load, "envelope.jwks", &jwks) < 0 ||
            read_file(load, "envelope.now", &now_text) < 0)
            return 2;
    } else {
        if ((r = prova_key_generate(PROVA_SIG_ED25519, &key)) < 0) return die("prova_key_generate", r);
        if ((r = make_payload(&pdoc, &payload_len)) < 0) return die("payload", r);
        prova_ope_envelope_params p = {.payload_type = "openai.tooluse.invoke.v1",
                                       .target_type = "invoice.iso20022.v1",
                                       .trace_id = TRACE_ID,
                                       .ts = ENV_TS,
                                       .dialect = PROVA_OPE_DIALECT_PROVA};
        if ((r = prova_ope_envelope_pack(key, prova_doc_root(pdoc), &p, &env, &err)) < 0)
            return die("prova_ope_envelope_pack", r);
        /* The verifier's keys come from the public JWKS, as `prova verify --jwks` loads them. */
        const prova_key *keys[1] = {key};
        if ((r = prova_key_to_jwks(keys, 1, &jwks)) < 0) return die("prova_key_to_jwks", r);
        if (prova_buf_append(&now_text, ENV_NOW, strlen(ENV_NOW)) < 0) return die("now", PROVA_ENOMEM);
    }
    prova_keyset *ks = prova_keyset_new();
    if (!ks) return die("prova_keyset_new", PROVA_ENOMEM);
    if ((r = prova_keyset_add_jwks(ks, jwks.data, jwks.len, "jwks:bench", &err)) != 1)
        return die("prova_keyset_add_jwks", r < 0 ? r : PROVA_EINVAL);
    prova_verify_options o = {.keys = ks};
    size_t now_len = now_text.len;
    while (now_len && (now_text.data[now_len - 1] == '\n' || now_text.data[now_len - 1] == '\r')) now_len--;
    if ((r = prova_time_parse((const char *)now_text.data, now_len, &o.now_us)) < 0) return die("prova_time_parse", r);

    if (dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/envelope.json", dir);
        if (write_file(path, env.data, env.len) < 0) return 2;
        snprintf(path, sizeof path, "%s/envelope.jwks", dir);
        if (write_file(path, jwks.data, jwks.len) < 0) return 2;
        snprintf(path, sizeof path, "%s/envelope.now", dir);
        if (write_file(path, ENV_NOW, strlen(ENV_NOW)) < 0) return 2;
    }

    /* The raw peer's inputs, taken from the envelope itself: msg = cid|trace_id|ts, the decoded sig, the raw key. */
    prova_doc *edoc = NULL;
    if ((r = prova_json_parse(env.data, env.len, NULL, &edoc, &err)) < 0) return die("parse envelope", r);
    const prova_json *root = prova_doc_root(edoc);
    const prova_json *cid = prova_json_get(root, "cid"), *trace = prova_json_get(root, "trace_id");
    const prova_json *ts = prova_json_get(root, "ts"), *sigv = prova_json_get(root, "sig");
    if (!prova_json_is_string(cid) || !prova_json_is_string(trace) || !prova_json_is_string(ts) ||
        !prova_json_is_string(sigv))
        return die("envelope members", PROVA_EINVAL);
    prova_buf msg = PROVA_BUF_INIT;
    if (prova_buf_append(&msg, cid->u.str, cid->len) < 0 || prova_buf_append(&msg, "|", 1) < 0 ||
        prova_buf_append(&msg, trace->u.str, trace->len) < 0 || prova_buf_append(&msg, "|", 1) < 0 ||
        prova_buf_append(&msg, ts->u.str, ts->len) < 0)
        return die("message", PROVA_ENOMEM);
    uint8_t sig[PROVA_SIG_MAX_BYTES], pk[PROVA_ED25519_PUBLICKEYBYTES];
    size_t siglen = 0;
    if ((r = prova_base64url_decode(sigv->u.str, sigv->len, sig, sizeof sig, &siglen, &err)) < 0 ||
        siglen != crypto_sign_ed25519_BYTES)
        return die("signature", r < 0 ? r : PROVA_EINVAL);
    const prova_key *vkey = key;
    if (load) {
        const prova_json *kid = prova_json_get(root, "kid"), *payload = prova_json_get(root, "payload");
        if (!prova_json_is_string(kid) || !payload) return die("envelope members", PROVA_EINVAL);
        char kidz[256];
        if (kid->len >= sizeof kidz) return die("kid", PROVA_EINVAL);
        memcpy(kidz, kid->u.str, kid->len);
        kidz[kid->len] = 0;
        if (!(vkey = prova_keyset_find(ks, kidz, NULL)))
            return die("the envelope's kid is not in the JWKS", PROVA_EINVAL);
        prova_buf c = PROVA_BUF_INIT;
        if ((r = prova_canon_write(payload, PROVA_PROFILE_OPE, &c, &err)) < 0) return die("canonical payload", r);
        payload_len = c.len;
        prova_buf_free(&c);
    }
    if (prova_key_public_raw(vkey, pk, sizeof pk) != sizeof pk) return die("public key", PROVA_EINVAL);
    if (crypto_sign_ed25519_verify_detached(sig, msg.data, msg.len, pk) != 0) {
        fprintf(stderr, "bench_ope: the raw signature does not verify\n");
        return 1;
    }

    /* Paired rounds: each round times a prova loop and a raw loop back to back (in alternating order), so that both
     * see the same machine state; the overhead is the median over the rounds of t_prova / t_raw - 1, which a VM's
     * drifting speed disturbs far less than a ratio of two separate best times (also printed). */
    double best_prova = 0, best_raw = 0;
    double *ratio = malloc(sizeof(double) * (size_t)runs);
    if (!ratio) return die("rounds", PROVA_ENOMEM);
    size_t bad = 0;
    for (int k = 0; k < runs; k++) {
        double dt_prova = 0, dt_raw = 0;
        for (int half = 0; half < 2; half++) {
            double t0 = now_s();
            if ((half == 0) == (k % 2 == 0)) {
                for (size_t i = 0; i < n; i++) {
                    prova_report *rep = NULL;
                    int v = prova_ope_verify(env.data, env.len, &o, &rep, &err);
                    if (v < 0 || !prova_report_valid(rep)) bad++;
                    prova_report_free(rep);
                }
                dt_prova = now_s() - t0;
            } else {
                for (size_t i = 0; i < n; i++)
                    if (crypto_sign_ed25519_verify_detached(sig, msg.data, msg.len, pk) != 0) bad++;
                dt_raw = now_s() - t0;
            }
        }
        if (k == 0 || dt_prova < best_prova) best_prova = dt_prova;
        if (k == 0 || dt_raw < best_raw) best_raw = dt_raw;
        ratio[k] = dt_prova / dt_raw;
    }
    if (bad) {
        fprintf(stderr, "bench_ope: %zu verifications failed\n", bad);
        return 1;
    }
    for (int i = 1; i < runs; i++) /* insertion sort: a handful of rounds */
        for (int j = i; j > 0 && ratio[j - 1] > ratio[j]; j--) {
            double t = ratio[j];
            ratio[j] = ratio[j - 1];
            ratio[j - 1] = t;
        }
    double median = runs % 2 ? ratio[runs / 2] : (ratio[runs / 2 - 1] + ratio[runs / 2]) / 2;
    double eps = (double)n / best_prova, vps = (double)n / best_raw;
    printf("envelope payload_bytes=%zu envelope_bytes=%zu n=%zu runs=%d prova_s=%.6f prova_eps=%.1f raw_s=%.6f "
           "raw_vps=%.1f overhead_pct=%.2f overhead_min_pct=%.2f overhead_max_pct=%.2f overhead_best_pct=%.2f "
           "valid=1\n",
           payload_len, env.len, n, runs, best_prova, eps, best_raw, vps, (median - 1.0) * 100.0,
           (ratio[0] - 1.0) * 100.0, (ratio[runs - 1] - 1.0) * 100.0, (vps / eps - 1.0) * 100.0);
    fflush(stdout);
    FILE *tf = NULL;
    char tsv_path[4096];
    if (!tsv && dir) {
        snprintf(tsv_path, sizeof tsv_path, "%s/results-ope.tsv", dir);
        tsv = tsv_path;
    }
    if (tsv) {
        if (!(tf = fopen(tsv, "w"))) {
            fprintf(stderr, "bench_ope: %s: %s\n", tsv, strerror(errno));
            return 2;
        }
        fprintf(tf, "section\tname\tprova_value\tpeer_name\tpeer_value\tunit\n");
        fprintf(tf, "ope_verify\tenvelopes_per_s_best\t%.1f\tlibsodium_verify_per_s_best\t%.1f\tper_s\n", eps, vps);
        fprintf(tf, "ope_verify\tratio_to_raw_median\t%.4f\tlibsodium_verify\t1\tratio\n", 1.0 / median);
        fprintf(tf, "ope_verify\tratio_to_raw_min\t%.4f\tlibsodium_verify\t1\tratio\n", 1.0 / ratio[runs - 1]);
        fprintf(tf, "ope_verify\tratio_to_raw_max\t%.4f\tlibsodium_verify\t1\tratio\n", 1.0 / ratio[0]);
        fprintf(tf, "ope_verify\tus_per_envelope_best\t%.3f\tlibsodium_verify_us_best\t%.3f\tus\n", 1e6 / eps,
                1e6 / vps);
    }
    free(ratio);

    /* The parts of prova's path, each on its own (the payload: the generated one, or the loaded envelope's). */
    const prova_json *payload_root = pdoc ? prova_doc_root(pdoc) : prova_json_get(root, "payload");
    prova_buf out = PROVA_BUF_INIT;
    prova_report *rep = NULL;
    if (parts) {
        double best_parse = 0, best_cid = 0, best_json = 0;
        if ((r = prova_ope_verify(env.data, env.len, &o, &rep, &err)) < 0) return die("prova_ope_verify", r);
        size_t json_bytes = 0;
        for (int k = 0; k < runs; k++) {
            double t0 = now_s();
            for (size_t i = 0; i < n; i++) {
                prova_doc *d = NULL;
                if (prova_json_parse(env.data, env.len, NULL, &d, &err) < 0) bad++;
                prova_doc_free(d);
            }
            double dt = now_s() - t0;
            if (k == 0 || dt < best_parse) best_parse = dt;
            t0 = now_s();
            uint8_t h[PROVA_HASH_MAX_BYTES];
            for (size_t i = 0; i < n; i++) {
                if (prova_canon_hash(payload_root, PROVA_PROFILE_OPE, PROVA_HASH_SHA256, h, &err) < 0) bad++;
                sink += h[0];
            }
            dt = now_s() - t0;
            if (k == 0 || dt < best_cid) best_cid = dt;
            t0 = now_s();
            for (size_t i = 0; i < n; i++) {
                out.len = 0;
                if (prova_report_to_json(rep, &out) < 0) bad++;
            }
            dt = now_s() - t0;
            if (k == 0 || dt < best_json) best_json = dt;
            json_bytes = out.len;
        }
        if (bad) {
            fprintf(stderr, "bench_ope: %zu part calls failed\n", bad);
            return 1;
        }
        printf("envelope_parts parse_us=%.3f canon_cid_us=%.3f report_json_us=%.3f report_json_bytes=%zu\n",
               best_parse / (double)n * 1e6, best_cid / (double)n * 1e6, best_json / (double)n * 1e6, json_bytes);
        if (tf) {
            fprintf(tf, "ope_verify_parts\tparse_us\t%.3f\t\t\tus\n", best_parse / (double)n * 1e6);
            fprintf(tf, "ope_verify_parts\tcanon_cid_us\t%.3f\t\t\tus\n", best_cid / (double)n * 1e6);
            fprintf(tf, "ope_verify_parts\treport_json_us\t%.3f\t\t\tus\n", best_json / (double)n * 1e6);
        }
    }
    if (tf && fclose(tf) != 0) {
        fprintf(stderr, "bench_ope: %s: write failed\n", tsv);
        return 2;
    }
    prova_buf_free(&out);
    prova_report_free(rep);
    prova_buf_free(&msg);
    prova_doc_free(edoc);
    prova_keyset_free(ks);
    prova_buf_free(&jwks);
    prova_buf_free(&env);
    prova_buf_free(&now_text);
    prova_doc_free(pdoc);
    prova_key_free(key);
    return 0;
}

/* ---- chain --------------------------------------------------------------------------------------------------- */

static int cmd_chain(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: bench_ope chain N OUT.jsonl JWKS_OUT\n");
        return 2;
    }
    size_t n = (size_t)strtoull(argv[2], NULL, 10);
    if (n == 0) {
        fprintf(stderr, "bench_ope: N must be positive\n");
        return 2;
    }
    double t0 = now_s();
    prova_key *gw = NULL;
    int r = prova_key_generate(PROVA_SIG_ED25519, &gw);
    if (r < 0) return die("prova_key_generate", r);
    int64_t base;
    if ((r = prova_time_parse(ENV_TS, strlen(ENV_TS), &base)) < 0) return die("prova_time_parse", r);
    FILE *f = fopen(argv[3], "wb");
    if (!f) {
        fprintf(stderr, "bench_ope: %s: %s\n", argv[3], strerror(errno));
        return 2;
    }
    prova_buf line = PROVA_BUF_INIT;
    prova_doc *prev = NULL;
    prova_error err;
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        char ts[40], req[8 + 2 * PROVA_HASH_MAX_BYTES + 1] = "sha256:", what[64];
        prova_time_format(base + (int64_t)i * 1000, ts);
        int wn = snprintf(what, sizeof what, "request %zu of the bench trace", i);
        if ((r = prova_hash_compute_hex(PROVA_HASH_SHA256, what, (size_t)wn, req + 7)) < 0)
            return die("prova_hash_compute_hex", r);
        prova_ope_receipt_params p = {.trace_id = TRACE_ID, .ts = ts, .request_cid = req};
        line.len = 0;
        r = prova_ope_receipt_build(gw, prev ? prova_doc_root(prev) : NULL, &p, &line, &err);
        if (r < 0) return die("prova_ope_receipt_build", r);
        prova_doc_free(prev);
        prev = NULL;
        if ((r = prova_json_parse(line.data, line.len, NULL, &prev, &err)) < 0) return die("parse receipt", r);
        if (fwrite(line.data, 1, line.len, f) != line.len || fputc('\n', f) == EOF) {
            fprintf(stderr, "bench_ope: %s: write failed\n", argv[3]);
            return 2;
        }
        bytes += line.len + 1;
    }
    prova_doc_free(prev);
    prova_buf_free(&line);
    if (fclose(f) != 0) {
        fprintf(stderr, "bench_ope: %s: write failed\n", argv[3]);
        return 2;
    }
    prova_buf jwks = PROVA_BUF_INIT;
    const prova_key *keys[1] = {gw};
    if ((r = prova_key_to_jwks(keys, 1, &jwks)) < 0) return die("prova_key_to_jwks", r);
    if (write_file(argv[4], jwks.data, jwks.len) < 0) return 2;
    prova_buf_free(&jwks);
    prova_key_free(gw);
    printf("chain receipts=%zu bytes=%zu build_s=%.3f\n", n, bytes, now_s() - t0);
    return 0;
}

/* ---- verify-chain -------------------------------------------------------------------------------------------- */

/* A "Name:   123 kB" line of /proc/self/status, in KiB; -1 when absent. */
static long status_kib(const char *name) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char buf[256];
    size_t nl = strlen(name);
    long v = -1;
    while (fgets(buf, sizeof buf, f))
        if (strncmp(buf, name, nl) == 0 && buf[nl] == ':') {
            v = strtol(buf + nl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static int cmd_verify_chain(int argc, char **argv) {
    unsigned threads = 1;
    if (argc == 6 && strcmp(argv[2], "--threads") == 0) {
        threads = (unsigned)strtoul(argv[3], NULL, 10);
        argv += 2;
        argc -= 2;
    }
    if (argc != 4 || threads == 0) {
        fprintf(stderr, "usage: bench_ope verify-chain [--threads T] FILE.jsonl JWKS\n");
        return 2;
    }
    /* The JWKS (small): read whole. */
    FILE *jf = fopen(argv[3], "rb");
    if (!jf) {
        fprintf(stderr, "bench_ope: %s: %s\n", argv[3], strerror(errno));
        return 2;
    }
    char jbuf[65536];
    size_t jn = fread(jbuf, 1, sizeof jbuf, jf);
    fclose(jf);
    prova_keyset *ks = prova_keyset_new();
    prova_error err;
    int r;
    if (!ks) return die("prova_keyset_new", PROVA_ENOMEM);
    if ((r = prova_keyset_add_jwks(ks, jbuf, jn, "jwks:bench", &err)) < 1)
        return die("prova_keyset_add_jwks", r < 0 ? r : PROVA_EINVAL);

    int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
        fprintf(stderr, "bench_ope: %s: %s\n", argv[2], fd < 0 ? strerror(errno) : "empty or unreadable");
        return 2;
    }
    size_t len = (size_t)st.st_size;
    const char *data = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (data == MAP_FAILED) {
        fprintf(stderr, "bench_ope: %s: mmap: %s\n", argv[2], strerror(errno));
        return 2;
    }
    size_t receipts = 0;
    for (size_t i = 0, start = 0; i <= len; i++)
        if (i == len || data[i] == '\n') {
            if (i > start) receipts++;
            start = i + 1;
        }

    struct timespec clk;
    clock_gettime(CLOCK_REALTIME, &clk);
    prova_verify_options o = {.keys = ks, .now_us = (int64_t)clk.tv_sec * 1000000 + clk.tv_nsec / 1000};
    o.threads = threads;
    prova_report *rep = NULL;
    double t0 = now_s();
    r = prova_ope_verify(data, len, &o, &rep, &err);
    double dt = now_s() - t0;
    long hwm = status_kib("VmHWM"), rfile = status_kib("RssFile"), ranon = status_kib("RssAnon");
    if (r < 0 && !rep) return die("prova_ope_verify", r);
    bool valid = r == 0 && prova_report_valid(rep);
    size_t checks = prova_report_check_count(rep);
    char kind[64]; /* copied: the report owns its kind and is freed before the line is printed */
    snprintf(kind, sizeof kind, "%s", prova_report_kind(rep) ? prova_report_kind(rep) : "?");
    if (!valid) {
        const prova_check *c = prova_report_first_failure(rep);
        if (c) fprintf(stderr, "bench_ope: first failure: %s (%s) at %s: %s\n", c->check, c->code, c->at, c->message);
    }
    double t1 = now_s();
    prova_report_free(rep);
    double dfree = now_s() - t1;
    printf("verify_chain threads=%u receipts=%zu bytes=%zu verify_s=%.6f rps=%.1f valid=%d kind=%s checks=%zu "
           "report_free_s=%.6f vm_hwm_kib=%ld rss_file_kib=%ld rss_anon_kib=%ld\n",
           threads, receipts, len, dt, (double)receipts / dt, valid ? 1 : 0, kind, checks, dfree, hwm, rfile, ranon);
    munmap((void *)data, len);
    prova_keyset_free(ks);
    return valid ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "envelope") == 0) return cmd_envelope(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "chain") == 0) return cmd_chain(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "verify-chain") == 0) return cmd_verify_chain(argc, argv);
    fprintf(stderr, "usage: bench_ope envelope [--n N] [--runs R] [--dump DIR]\n"
                    "       bench_ope chain N OUT.jsonl JWKS_OUT\n"
                    "       bench_ope verify-chain [--threads T] FILE.jsonl JWKS\n");
    return 2;
}
