/* The client side of c2sp.org/tlog-witness, for a log: submit a checkpoint with its consistency proof to a witness
 * and collect the cosignature, then check a tlog-policy quorum over the cosignatures collected. witness.h. */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h" /* app_url_for_log */
#include "prova/encoding.h"
#include "prova/version.h"
#include "text.h"
#include "witness.h"

#define MAX_ANSWER ((size_t)64 << 10)

typedef struct answer {
    prova_buf body;
    bool too_large;
} answer;

static size_t keep(char *ptr, size_t size, size_t nmemb, void *ud) {
    answer *a = ud;
    size_t len = size * nmemb;
    if (a->too_large || a->body.len + len > MAX_ANSWER) {
        a->too_large = true;
        return len;
    }
    return prova_buf_append(&a->body, ptr, len) == 0 ? len : 0;
}

/* True when data[0..len) is one or more lines, each starting with the em dash and a space. */
static bool signature_lines(const uint8_t *data, size_t len) {
    static const char dash[] = "\xe2\x80\x94 "; /* U+2014 and a space */
    if (len == 0 || data[len - 1] != '\n') return false;
    for (const uint8_t *p = data, *end = data + len; p < end;) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(nl - p) < sizeof dash || memcmp(p, dash, sizeof dash - 1) != 0) return false;
        p = nl + 1;
    }
    return true;
}

/* The trace context's headers appended to hl; false when out of memory (hl is kept either way). */
static bool trace_headers(struct curl_slist **hl, const otel_ctx *ctx) {
    if (!ctx || !ctx->valid) return true;
    char tp[OTEL_TRACEPARENT_LEN + 1], line[OTEL_TRACESTATE_MAX + 16];
    otel_ctx_traceparent(ctx, tp);
    snprintf(line, sizeof line, "traceparent: %s", tp);
    struct curl_slist *t = curl_slist_append(*hl, line);
    if (!t) return false;
    *hl = t;
    if (!ctx->tracestate[0]) return true;
    snprintf(line, sizeof line, "tracestate: %s", ctx->tracestate);
    t = curl_slist_append(*hl, line);
    if (!t) return false;
    *hl = t;
    return true;
}

int witness_submit(const char *url, uint64_t old_size, const uint8_t *proof, size_t nproof, const void *note,
                   size_t note_len, long timeout_ms, const otel_ctx *ctx, prova_buf *ret_cosigs, uint64_t *ret_size,
                   long *ret_status, char *errbuf, size_t errlen) {
    if (errlen) errbuf[0] = '\0';
    if (ret_status) *ret_status = 0;
    if (!url || !note || !ret_cosigs || !ret_size || nproof > WITNESS_MAX_PROOF || (nproof && !proof))
        return PROVA_EINVAL;
    prova_buf body = PROVA_BUF_INIT;
    char full[2048];
    size_t ul = strlen(url);
    int n = snprintf(full, sizeof full, "%s%sadd-checkpoint", url, ul && url[ul - 1] == '/' ? "" : "/");
    if (n < 0 || (size_t)n >= sizeof full) return PROVA_EINVAL;
    char shown[2048]; /* the URL in messages, without its credentials */
    app_url_for_log(full, shown, sizeof shown);
    int rc = prova_buf_printf(&body, "old %" PRIu64 "\n", old_size);
    for (size_t i = 0; rc == 0 && i < nproof; i++) {
        char b64[PROVA_BASE64_LEN(WITNESS_HASH_BYTES) + 2];
        size_t k = prova_base64_encode(proof + i * WITNESS_HASH_BYTES, WITNESS_HASH_BYTES, b64, sizeof b64);
        b64[k] = '\n';
        rc = prova_buf_append(&body, b64, k + 1);
    }
    if (rc == 0) rc = prova_buf_append(&body, "\n", 1);
    if (rc == 0) rc = prova_buf_append(&body, note, note_len);
    if (rc) {
        prova_buf_free(&body);
        return rc;
    }
    CURL *c = curl_easy_init();
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    struct curl_slist *h2 = hl ? curl_slist_append(hl, "Expect:") : NULL;
    if (h2 && !trace_headers(&h2, ctx)) {
        curl_slist_free_all(h2);
        h2 = hl = NULL;
    }
    if (!c || !h2) {
        curl_slist_free_all(hl);
        curl_easy_cleanup(c);
        prova_buf_free(&body);
        return PROVA_ENOMEM;
    }
    hl = h2;
    answer a = {PROVA_BUF_INIT, false};
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, full);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "prova/" PROVA_VERSION_STRING);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    CURLcode cr = curl_easy_perform(c);
    long status = 0;
    char *ctype = NULL;
    if (cr == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
        if (ret_status) *ret_status = status;
    }
    if (cr != CURLE_OK) {
        snprintf(errbuf, errlen, "%s: %s", shown, cerr[0] ? cerr : curl_easy_strerror(cr));
        rc = PROVA_EIO;
    } else if (a.too_large) {
        snprintf(errbuf, errlen, "%s: the answer is over %zu bytes", shown, MAX_ANSWER);
        rc = PROVA_EIO;
    } else if (status == 200) {
        if (signature_lines(a.body.data, a.body.len))
            rc = prova_buf_append(ret_cosigs, a.body.data, a.body.len);
        else {
            snprintf(errbuf, errlen, "%s: 200 without signature lines", shown);
            rc = PROVA_EIO;
        }
    } else if (status == 409) {
        /* SPEC: the body is the latest cosigned size in decimal and a newline, Content-Type text/x.tlog.size. */
        uint64_t v = 0;
        size_t i = 0;
        bool ok = ctype && strncmp(ctype, WITNESS_SIZE_TYPE, sizeof WITNESS_SIZE_TYPE - 1) == 0 && a.body.len >= 2 &&
                  a.body.len <= 21 && a.body.data[a.body.len - 1] == '\n' && (a.body.len == 2 || a.body.data[0] != '0');
        for (; ok && i + 1 < a.body.len; i++) {
            uint8_t d = a.body.data[i];
            unsigned digit = (unsigned)(d - '0');
            if (d < '0' || d > '9' || v > (UINT64_MAX - digit) / 10)
                ok = false;
            else
                v = v * 10 + digit;
        }
        if (ok) {
            *ret_size = v;
            rc = WITNESS_SUBMIT_CONFLICT;
        } else {
            snprintf(errbuf, errlen, "%s: 409 without a text/x.tlog.size body", shown);
            rc = PROVA_EIO;
        }
    } else {
        size_t show = a.body.len < 300 ? a.body.len : 300;
        while (show && (a.body.data[show - 1] == '\n')) show--;
        snprintf(errbuf, errlen, "%s: %ld %.*s", shown, status, (int)show, a.body.len ? (const char *)a.body.data : "");
        rc = PROVA_EVERIFY;
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    prova_buf_free(&a.body);
    prova_buf_free(&body);
    return rc;
}

int witness_cosigned_quorum(const prova_tlog_policy *policy, const prova_note_key *log_key, const void *note,
                            size_t note_len, const prova_buf *replies, size_t nreplies, prova_buf *out,
                            prova_error *reterr) {
    if (!policy || !note || !out || (nreplies && !replies)) return PROVA_EINVAL;
    size_t nw = prova_tlog_policy_witness_count(policy);
    const prova_note_key **keys = calloc(nw + 1, sizeof *keys);
    if (!keys) return PROVA_ENOMEM;
    for (size_t i = 0; i < nw; i++) keys[i + 1] = prova_tlog_policy_witness(policy, i);
    prova_buf one = PROVA_BUF_INIT, lines = PROVA_BUF_INIT;
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < nreplies; r++) {
        /* A reply is kept when the note with its lines verifies with the witnesses' keys: a bad line of a known
         * witness drops the reply, lines of unknown keys are ignored (and left out). */
        if (!signature_lines(replies[r].data, replies[r].len)) continue;
        one.len = 0;
        if ((rc = prova_buf_append(&one, note, note_len)) != 0) break;
        if ((rc = prova_buf_append(&one, replies[r].data, replies[r].len)) != 0) break;
        prova_note *n = NULL;
        if (prova_note_parse(one.data, one.len, &n, NULL) != 0) continue;
        bool *ok = calloc(nw + 1, sizeof *ok);
        if (!ok) {
            prova_note_free(n);
            rc = PROVA_ENOMEM;
            break;
        }
        int v = nw ? prova_note_verify(n, keys + 1, nw, ok, NULL, NULL) : PROVA_EVERIFY;
        if (v == 0) { /* keep the reply's lines whose (name, id) is a witness that verified */
            const uint8_t *p = replies[r].data, *end = p + replies[r].len;
            size_t base = prova_note_signature_count(n);
            size_t count = 0;
            for (const uint8_t *q = p; q < end; q++) count += *q == '\n';
            base -= count;
            for (size_t i = 0; rc == 0 && p < end; i++) {
                const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
                size_t nlen;
                const char *name = prova_note_signature_name(n, base + i, &nlen);
                uint32_t id = prova_note_signature_id(n, base + i);
                for (size_t k = 0; name && k < nw; k++) {
                    size_t kl;
                    const char *kn = prova_note_key_name(keys[k + 1], &kl);
                    if (ok[k] && prova_note_key_id(keys[k + 1]) == id && kl == nlen && memcmp(kn, name, kl) == 0) {
                        rc = prova_buf_append(&lines, p, (size_t)(nl - p + 1));
                        break;
                    }
                }
                p = nl + 1;
            }
        } else if (v == PROVA_ENOMEM) {
            rc = v;
        }
        free(ok);
        prova_note_free(n);
    }
    size_t start = out->len;
    if (rc == 0) rc = prova_buf_append(out, note, note_len);
    if (rc == 0) rc = prova_buf_append(out, lines.data ? lines.data : (const uint8_t *)"", lines.len);
    if (rc == 0)
        rc = prova_tlog_policy_verify_checkpoint(policy, log_key, out->data + start, out->len - start, NULL, reterr);
    else
        out->len = start;
    prova_buf_free(&one);
    prova_buf_free(&lines);
    free(keys);
    return rc;
}
