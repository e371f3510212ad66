/* Forwarding with libcurl: forward.h, docs/egress.md "Forwarding". */
#include "forward.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "jsonw.h"
#include "prova/json.h"
#include "prova/version.h"

typedef struct fwd {
    const forward_opts *o;
    prova_buf body;
    bool too_large;
    const char *refused; /* the first address refusal's code */
    char refused_addr[64];
    char addr[64];
} fwd;

static size_t keep(char *ptr, size_t size, size_t nmemb, void *ud) {
    fwd *f = ud;
    size_t len = size * nmemb;
    if (f->body.len + len > f->o->max_response) {
        f->too_large = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    return prova_buf_append(&f->body, ptr, len) == 0 ? len : 0;
}

static void addr_text(const struct sockaddr *sa, char *out, size_t cap) {
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof ip);
    snprintf(out, cap, "%s", ip);
}

/* Every socket libcurl opens passes here with the address it is about to connect to (after DNS, for each address
 * tried): the address checked is the address connected to, whatever the name resolved to before (DNS rebinding). */
static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a) {
    fwd *f = ud;
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    const struct sockaddr *sa = &a->addr;
    char text[64];
    addr_text(sa, text, sizeof text);
    if (f->o->policy) {
        const void *raw = NULL;
        if (sa->sa_family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in))
            raw = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        else if (sa->sa_family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6))
            raw = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        const char *why = raw ? egress_policy_address(f->o->policy, sa->sa_family, raw) : "forward_address_reserved";
        if (why) {
            if (!f->refused) {
                f->refused = why;
                snprintf(f->refused_addr, sizeof f->refused_addr, "%s", text);
            }
            return CURL_SOCKET_BAD;
        }
    }
    snprintf(f->addr, sizeof f->addr, "%s", text);
    return socket(a->family, a->socktype, a->protocol);
}

static int64_t mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* {"error":"CODE: sentence"} into out. */
static int put_error(prova_buf *out, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int put_error(prova_buf *out, const char *code, const char *fmt, ...) {
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_obj(&w);
    prova_jw_key(&w, "error");
    prova_jw_strf(&w, "%s: %s", code, msg);
    prova_jw_end(&w);
    return prova_jw_finish(&w);
}

/* The libcurl failure's reason code. */
static const char *curl_code(CURLcode cr, const fwd *f) {
    switch (cr) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return "forward_dns_failed";
    case CURLE_COULDNT_CONNECT:
        return f->refused ? f->refused : "forward_connect_failed";
    case CURLE_OPERATION_TIMEDOUT:
        return "forward_timeout";
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        return f->too_large || cr == CURLE_FILESIZE_EXCEEDED ? "forward_response_too_large" : "forward_failed";
    case CURLE_UNSUPPORTED_PROTOCOL:
        return "forward_scheme_refused";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
        return "forward_tls_failed";
    default:
        return "forward_failed";
    }
}

/* libcurl's view of url's host must be the one the policy judged (no parser differential). */
static bool curl_host_is(const char *url, const char *host) {
    CURLU *h = curl_url();
    char *got = NULL;
    bool same = h && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
                curl_url_get(h, CURLUPART_HOST, &got, 0) == CURLUE_OK && got;
    if (same) {
        size_t n = strlen(got);
        const char *g = got;
        if (n >= 2 && g[0] == '[' && g[n - 1] == ']') g++, n -= 2; /* libcurl keeps an IPv6 literal's brackets */
        same = strlen(host) == n && strncasecmp(g, host, n) == 0;
    }
    curl_free(got);
    curl_url_cleanup(h);
    return same;
}

/* The response: {"body":B,"status_code":N}. B is the JSON (canonical) when the Content-Type says JSON and the body
 * parses (as the starter reads its relay's answer), else the text. */
static int put_response(prova_buf *out, const forward_opts *o, long status, const char *ctype, const prova_buf *b) {
    prova_buf canon = PROVA_BUF_INIT;
    bool json = false;
    if (ctype && strstr(ctype, "application/json") && b->len) {
        prova_parse_options po = {0};
        po.max_depth = o->max_depth ? o->max_depth : 64;
        po.max_size = o->max_response;
        json = prova_canon_bytes(b->data, b->len, PROVA_PROFILE_OPHAMIN, &po, &canon, NULL) == 0;
    }
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_obj(&w);
    prova_jw_key(&w, "body");
    if (json)
        prova_jw_raw(&w, canon.data, canon.len);
    else
        prova_jw_str_lossy(&w, b->len ? (const char *)b->data : "", b->len);
    prova_jw_ki64(&w, "status_code", status);
    prova_jw_end(&w);
    prova_buf_free(&canon);
    return prova_jw_finish(&w);
}

int forward_post(const forward_opts *o, const char *url, const char *trace_id, const void *body, size_t len,
                 prova_buf *out, forward_info *info) {
    memset(info, 0, sizeof *info);
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL, *t;
    char tid[200];
    snprintf(tid, sizeof tid, "X-ODIN-Trace-Id: %s", trace_id);
    const char *hdrs[] = {"Content-Type: application/json", "Accept: application/json, */*", "Expect:", tid};
    bool ok = c != NULL;
    for (size_t i = 0; ok && i < sizeof hdrs / sizeof hdrs[0]; i++) {
        if ((t = curl_slist_append(hl, hdrs[i])))
            hl = t;
        else
            ok = false;
    }
    char *cur = ok ? strdup(url) : NULL;
    if (!ok || !cur) {
        curl_slist_free_all(hl);
        curl_easy_cleanup(c);
        free(cur);
        return PROVA_ENOMEM;
    }
    fwd f = {.o = o, .body = PROVA_BUF_INIT};
    char cerr[CURL_ERROR_SIZE];
    int64_t deadline = mono_ms() + o->timeout_ms;
    bool post = true;
    int rc = 0;
    for (;;) {
        egress_url u;
        const char *why = NULL;
        if (o->policy) {
            /* Every hop's URL goes through the policy: the first was judged before the receipt, a redirect's here. */
            if (egress_url_parse(cur, strlen(cur), &u, &why) < 0) {
                info->code = "forward_redirect_invalid";
                rc = put_error(out, info->code, "redirect to an unusable URL (%s)", why);
                break;
            }
            if (info->redirects) {
                prova_buf pj = PROVA_BUF_INIT;
                bool passed = false;
                char reason[320];
                rc = egress_policy_eval(o->policy, &u, &pj, &passed, reason, sizeof reason);
                prova_buf_free(&pj);
                if (rc) break;
                if (!passed) {
                    info->code = "forward_redirect_blocked";
                    rc = put_error(out, info->code, "redirect to %s refused by the egress policy: %s", u.host, reason);
                    break;
                }
            }
            if (!curl_host_is(cur, u.host)) {
                info->code = "forward_url_ambiguous";
                rc = put_error(out, info->code, "libcurl reads another host than %s in the URL", u.host);
                break;
            }
        }
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            info->code = "forward_timeout";
            rc = put_error(out, info->code, "no time left after %u redirects (timeout %ld ms)", info->redirects,
                           o->timeout_ms);
            break;
        }
        curl_easy_reset(c);
        f.body.len = 0;
        f.too_large = false;
        f.refused = NULL;
        f.addr[0] = '\0';
        cerr[0] = '\0';
        curl_easy_setopt(c, CURLOPT_URL, cur);
        if (post) {
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        } else {
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        }
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "prova/" PROVA_VERSION_STRING " (forward)");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* followed here, each hop checked */
        curl_easy_setopt(c, CURLOPT_PROXY, "");          /* no proxy from the environment: the address is ours */
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        if (o->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
        if (o->ca_path) curl_easy_setopt(c, CURLOPT_CAPATH, o->ca_path);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)(o->connect_timeout_ms < left ? o->connect_timeout_ms : left));
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_response);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &f);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
        CURLcode cr = curl_easy_perform(c);
        snprintf(info->address, sizeof info->address, "%s", f.refused ? f.refused_addr : f.addr);
        if (cr != CURLE_OK) {
            info->code = curl_code(cr, &f);
            if (f.refused && cr == CURLE_COULDNT_CONNECT)
                rc = put_error(out, info->code, "refused to connect to %s (not a public address; docs/egress.md)",
                               f.refused_addr);
            else if (!strcmp(info->code, "forward_response_too_large"))
                rc = put_error(out, info->code, "the response is over %zu bytes", o->max_response);
            else
                rc = put_error(out, info->code, "%s", cerr[0] ? cerr : curl_easy_strerror(cr));
            break;
        }
        long status = 0;
        char *ctype = NULL, *loc = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
        info->status = status;
        bool redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
        if (redirect && o->policy && o->max_redirects) curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
        if (!loc) {
            rc = put_response(out, o, status, ctype, &f.body);
            break;
        }
        if (info->redirects >= o->max_redirects) {
            info->code = "forward_redirect_limit";
            rc = put_error(out, info->code, "more than %u redirects", o->max_redirects);
            break;
        }
        char *next = strdup(loc);
        if (!next) {
            rc = PROVA_ENOMEM;
            break;
        }
        free(cur);
        cur = next;
        info->redirects++;
        /* As browsers and httpx: 303 (and 301/302 after a POST) continue with GET, 307/308 repeat the POST. */
        if (status == 301 || status == 302 || status == 303) post = false;
    }
    prova_buf_free(&f.body);
    free(cur);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return rc;
}
