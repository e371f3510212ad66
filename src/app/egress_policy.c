/* The egress policy, pure: egress_policy.h, docs/egress.md. */
#include "egress_policy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "jsonw.h"

/* An allowlist entry: a lowercased host, and a port (0: any). */
typedef struct allow_entry {
    char *host;
    unsigned port;
} allow_entry;

/* An allowed range: family, the network's bytes, the prefix length. */
typedef struct allow_range {
    int family;
    uint8_t net[16];
    unsigned bits;
} allow_range;

struct egress_policy {
    egress_profile profile;
    allow_entry *allow;
    size_t nallow;
    allow_range *ranges;
    size_t nranges;
    bool allow_private;
};

/* SPEC: odin_core/hel.py PolicyManager.PROFILE_FINANCE_HOSTS, added by the medium profile. */
static const char *const finance_hosts[] = {"api.bank.com", "payments.bank.com"};

static bool host_char(int ch) {
    return isalnum(ch) || ch == '-' || ch == '.' || ch == '_';
}

/* A host as found in an entry or a URL: [v6] (brackets stripped) or a name/IPv4 of host_char. Lowercased into
 * out. false when malformed. */
static bool take_host(const char *s, size_t n, char *out, size_t cap) {
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++, n -= 2;
        if (n == 0 || n >= cap || n >= INET6_ADDRSTRLEN) return false;
        char tmp[INET6_ADDRSTRLEN];
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        struct in6_addr a6;
        if (inet_pton(AF_INET6, tmp, &a6) != 1) return false;
    } else {
        if (n == 0 || n >= cap || n > 253) return false;
        for (size_t i = 0; i < n; i++)
            if (!host_char((unsigned char)s[i])) return false;
    }
    for (size_t i = 0; i < n; i++) out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
    return true;
}

/* A port of 1-65535 in s[0..n); 0 when malformed. */
static unsigned take_port(const char *s, size_t n) {
    if (n == 0 || n > 5) return 0;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v <= 65535 ? v : 0;
}

/* One allowlist entry: HOST, HOST:PORT, [V6], [V6]:PORT, or a bare IPv6 address. */
static int add_entry(egress_policy *p, const char *s, size_t n, char *err, size_t errlen) {
    char host[256];
    unsigned port = 0;
    const char *colon = memchr(s, ':', n);
    const char *hs = s;
    size_t hn = n;
    if (s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        if (rb && (size_t)(rb - s) + 1 < n) {
            if (rb[1] != ':' || !(port = take_port(rb + 2, n - (size_t)(rb - s) - 2))) goto bad;
            hn = (size_t)(rb - s) + 1;
        }
    } else if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1)) { /* exactly one colon: HOST:PORT */
        if (!(port = take_port(colon + 1, n - (size_t)(colon - s) - 1))) goto bad;
        hn = (size_t)(colon - s);
    } else if (colon) { /* a bare IPv6 address */
        char tmp[INET6_ADDRSTRLEN + 2];
        if (n + 2 >= sizeof tmp) goto bad;
        snprintf(tmp, sizeof tmp, "[%.*s]", (int)n, s);
        if (!take_host(tmp, n + 2, host, sizeof host)) goto bad;
        goto add;
    }
    if (!take_host(hs, hn, host, sizeof host)) goto bad;
add:;
    allow_entry *na = realloc(p->allow, (p->nallow + 1) * sizeof *na);
    if (!na) return PROVA_ENOMEM;
    p->allow = na;
    if (!(na[p->nallow].host = strdup(host))) return PROVA_ENOMEM;
    na[p->nallow++].port = port;
    return 0;
bad:
    snprintf(err, errlen, "egress allowlist entry '%.*s' is not HOST, HOST:PORT, [IPV6] or [IPV6]:PORT",
             (int)(n > 200 ? 200 : n), s);
    return PROVA_EINVAL;
}

/* Entries separated by commas, blanks or newlines; '#' to the end of a line is a comment. */
static int add_entries(egress_policy *p, const char *s, char *err, size_t errlen) {
    while (*s) {
        if (*s == '#') {
            s += strcspn(s, "\n");
            continue;
        }
        size_t n = strcspn(s, ", \t\r\n#");
        if (n) {
            int rc = add_entry(p, s, n, err, errlen);
            if (rc) return rc;
            s += n;
        } else {
            s++;
        }
    }
    return 0;
}

static int add_range(egress_policy *p, const char *s, size_t n, char *err, size_t errlen) {
    char tmp[INET6_ADDRSTRLEN + 8];
    allow_range r = {0};
    if (n == 0 || n >= sizeof tmp) goto bad;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *slash = strchr(tmp, '/');
    if (slash) *slash = '\0';
    if (inet_pton(AF_INET, tmp, r.net) == 1)
        r.family = AF_INET, r.bits = 32;
    else if (inet_pton(AF_INET6, tmp, r.net) == 1)
        r.family = AF_INET6, r.bits = 128;
    else
        goto bad;
    if (slash) {
        size_t pl = strlen(slash + 1);
        unsigned v = 0;
        if (pl == 0 || pl > 3) goto bad;
        for (size_t i = 0; i < pl; i++) {
            if (slash[1 + i] < '0' || slash[1 + i] > '9') goto bad;
            v = v * 10 + (unsigned)(slash[1 + i] - '0');
        }
        if (v > r.bits) goto bad;
        r.bits = v;
    }
    allow_range *nr = realloc(p->ranges, (p->nranges + 1) * sizeof *nr);
    if (!nr) return PROVA_ENOMEM;
    p->ranges = nr;
    nr[p->nranges++] = r;
    return 0;
bad:
    snprintf(err, errlen, "egress address '%.*s' is not an IPv4 or IPv6 address or CIDR range (ADDRESS[/BITS])",
             (int)(n > 200 ? 200 : n), s);
    return PROVA_EINVAL;
}

int egress_policy_new(const char *profile, const char *allow, const char *allow_file, const char *allow_address,
                      bool allow_private, egress_policy **ret, char *err, size_t errlen) {
    *ret = NULL;
    if (errlen) err[0] = '\0';
    egress_policy *p = calloc(1, sizeof *p);
    if (!p) return PROVA_ENOMEM;
    p->allow_private = allow_private;
    int rc = 0;
    /* SPEC: hel.py: os.getenv("ODIN_POLICY_PROFILE", "").lower().strip() */
    if (!profile || !*profile || !strcasecmp(profile, "strict"))
        p->profile = EGRESS_STRICT;
    else if (!strcasecmp(profile, "medium"))
        p->profile = EGRESS_MEDIUM;
    else if (!strcasecmp(profile, "open"))
        p->profile = EGRESS_OPEN;
    else {
        snprintf(err, errlen, "egress profile must be strict, medium or open, not '%.60s'", profile);
        rc = PROVA_EINVAL;
    }
    if (!rc && allow) rc = add_entries(p, allow, err, errlen);
    if (!rc && allow_file) {
        FILE *f = fopen(allow_file, "rb");
        if (!f) {
            snprintf(err, errlen, "%s: cannot read the egress allowlist: %s", allow_file, strerror(errno));
            rc = PROVA_EIO;
        } else {
            char *text = malloc((1u << 20) + 1);
            size_t n = text ? fread(text, 1, 1u << 20, f) : 0;
            if (!text) {
                rc = PROVA_ENOMEM;
            } else if (!feof(f) || ferror(f)) {
                snprintf(err, errlen, "%s: the egress allowlist is not readable or over 1 MiB", allow_file);
                rc = PROVA_EINVAL;
            } else {
                text[n] = '\0';
                if (memchr(text, 0, n)) {
                    snprintf(err, errlen, "%s: the egress allowlist holds a NUL byte", allow_file);
                    rc = PROVA_EINVAL;
                } else {
                    char sub[256];
                    rc = add_entries(p, text, sub, sizeof sub);
                    if (rc == PROVA_EINVAL) snprintf(err, errlen, "%s: %s", allow_file, sub);
                }
            }
            free(text);
            fclose(f);
        }
    }
    if (!rc && p->profile == EGRESS_MEDIUM) /* SPEC: hel.py: allow.extend(sorted(PROFILE_FINANCE_HOSTS)) */
        for (size_t i = 0; !rc && i < sizeof finance_hosts / sizeof finance_hosts[0]; i++)
            rc = add_entry(p, finance_hosts[i], strlen(finance_hosts[i]), err, errlen);
    for (const char *s = allow_address; !rc && s && *s;) {
        size_t n = strcspn(s, ", \t\r\n");
        if (n) rc = add_range(p, s, n, err, errlen);
        s += n;
        if (*s) s++;
    }
    if (rc) {
        if (rc == PROVA_ENOMEM) snprintf(err, errlen, "out of memory");
        egress_policy_free(p);
        return rc;
    }
    *ret = p;
    return 0;
}

void egress_policy_free(egress_policy *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nallow; i++) free(p->allow[i].host);
    free(p->allow);
    free(p->ranges);
    free(p);
}

egress_profile egress_policy_profile(const egress_policy *p) {
    return p->profile;
}

/* ---- URLs ---------------------------------------------------------------------------------------------------- */

/* RFC 3986's characters (unreserved, reserved, '%'): a URL with anything else (spaces, controls, '\', non-ASCII,
 * quotes, braces) is refused rather than guessed at, so that this parser and libcurl's cannot disagree on it. */
static bool url_char(int ch) {
    return isalnum(ch) || (ch && strchr("-._~:/?#[]@!$&'()*+,;=%", ch));
}

int egress_url_parse(const char *url, size_t len, egress_url *ret, const char **ret_why) {
    memset(ret, 0, sizeof *ret);
    *ret_why = NULL;
    if (len == 0 || len > EGRESS_URL_MAX) return *ret_why = "forward_url is empty or too long", PROVA_EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!url_char((unsigned char)url[i]))
            return *ret_why = "forward_url holds a character outside RFC 3986's set", PROVA_EINVAL;
    size_t skip;
    if (len > 7 && !strncasecmp(url, "http://", 7))
        skip = 7;
    else if (len > 8 && !strncasecmp(url, "https://", 8))
        skip = 8, ret->https = true;
    else
        return *ret_why = "forward_url must be an http:// or https:// URL", PROVA_EINVAL;
    const char *a = url + skip, *end = url + len;
    size_t an = 0; /* the authority: up to '/', '?', '#' or the end (url need not be NUL-terminated) */
    while (a + an < end && a[an] != '/' && a[an] != '?' && a[an] != '#') an++;
    if (memchr(a, '@', an)) return *ret_why = "forward_url must not carry user information", PROVA_EINVAL;
    const char *hs = a;
    size_t hn = an;
    const char *port = NULL;
    size_t pn = 0;
    if (an && a[0] == '[') {
        const char *rb = memchr(a, ']', an);
        if (!rb) return *ret_why = "forward_url has an unclosed IPv6 literal", PROVA_EINVAL;
        hn = (size_t)(rb - a) + 1;
        if (hn < an) {
            if (rb[1] != ':') return *ret_why = "forward_url's host is malformed", PROVA_EINVAL;
            port = rb + 2, pn = an - hn - 1;
        }
    } else {
        const char *colon = memchr(a, ':', an);
        if (colon) hn = (size_t)(colon - a), port = colon + 1, pn = an - hn - 1;
    }
    if (!take_host(hs, hn, ret->host, sizeof ret->host))
        return *ret_why = "forward_url's host is malformed", PROVA_EINVAL;
    ret->port = ret->https ? 443 : 80;
    if (port && pn) {
        if (!(ret->port = take_port(port, pn))) return *ret_why = "forward_url's port is malformed", PROVA_EINVAL;
        ret->port_given = true;
    }
    return 0;
}

/* ---- The verdict --------------------------------------------------------------------------------------------- */

int egress_policy_eval(const egress_policy *p, const egress_url *u, prova_buf *ret_json, bool *ret_passed, char *reason,
                       size_t reasonlen) {
    bool passed = false, host_listed = false;
    char r1[320];
    const char *rule = "HEL:HTTP_EGRESS_LIMITATION";
    if (p->profile == EGRESS_OPEN) {
        /* SPEC: hel.py _AlwaysAllowEngine: HELResult(True, "OPEN:HTTP_EGRESS", ["open profile allow"]) */
        passed = true;
        rule = "OPEN:HTTP_EGRESS";
        snprintf(r1, sizeof r1, "open profile allow");
    } else {
        for (size_t i = 0; i < p->nallow && !passed; i++) {
            if (strcmp(p->allow[i].host, u->host) != 0) continue;
            host_listed = true;
            passed = p->allow[i].port == 0 || p->allow[i].port == u->port;
        }
        /* SPEC: hel.py PolicyEngine.check_http_egress: f"host {host} allowed" / f"host {host} not in allowlist".
         * A host listed with other ports only (prova's HOST:PORT entries) says which port was refused. */
        if (passed)
            snprintf(r1, sizeof r1, "host %s allowed", u->host);
        else if (host_listed)
            snprintf(r1, sizeof r1, "host %s port %u not in allowlist", u->host, u->port);
        else
            snprintf(r1, sizeof r1, "host %s not in allowlist", u->host);
    }
    prova_jw w;
    prova_jw_init(&w, ret_json);
    prova_jw_obj(&w); /* the ope profile's order: passed, rules; reasons, rule */
    prova_jw_kbool(&w, "passed", passed);
    prova_jw_key(&w, "rules");
    prova_jw_arr(&w);
    prova_jw_obj(&w);
    prova_jw_key(&w, "reasons");
    prova_jw_arr(&w);
    prova_jw_str(&w, r1);
    prova_jw_end(&w);
    prova_jw_kstr(&w, "rule", rule);
    prova_jw_end(&w);
    prova_jw_end(&w);
    prova_jw_end(&w);
    int rc = prova_jw_finish(&w);
    if (rc) return rc;
    *ret_passed = passed;
    if (reasonlen) snprintf(reason, reasonlen, "%s", r1);
    return 0;
}

/* ---- Addresses ----------------------------------------------------------------------------------------------- */

static egress_addr_class classify4(const uint8_t a[4]) {
    uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    static const struct {
        uint32_t net;
        unsigned bits;
        egress_addr_class c;
    } t[] = {
        {0x00000000u, 8, EGRESS_ADDR_UNSPECIFIED}, /* 0.0.0.0/8 "this network" */
        {0x7f000000u, 8, EGRESS_ADDR_LOOPBACK},    {0x0a000000u, 8, EGRESS_ADDR_PRIVATE},
        {0xac100000u, 12, EGRESS_ADDR_PRIVATE},    {0xc0a80000u, 16, EGRESS_ADDR_PRIVATE},
        {0x64400000u, 10, EGRESS_ADDR_PRIVATE}, /* shared address space (carrier-grade NAT) */
        {0xa9fe0000u, 16, EGRESS_ADDR_LINK_LOCAL}, {0xe0000000u, 4, EGRESS_ADDR_MULTICAST},
        {0xf0000000u, 4, EGRESS_ADDR_RESERVED},  /* and 255.255.255.255 */
        {0xc0000000u, 24, EGRESS_ADDR_RESERVED}, /* IETF protocol assignments */
        {0xc0000200u, 24, EGRESS_ADDR_RESERVED}, /* TEST-NET-1 */
        {0xc6336400u, 24, EGRESS_ADDR_RESERVED}, /* TEST-NET-2 */
        {0xcb007100u, 24, EGRESS_ADDR_RESERVED}, /* TEST-NET-3 */
        {0xc6120000u, 15, EGRESS_ADDR_RESERVED}, /* benchmarking */
        {0xc0586300u, 24, EGRESS_ADDR_RESERVED}, /* 6to4 relay anycast (deprecated) */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if ((v >> (32 - t[i].bits)) == (t[i].net >> (32 - t[i].bits))) return t[i].c;
    return EGRESS_ADDR_PUBLIC;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *net, unsigned bits) {
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(a, net, whole) != 0) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (net[whole] & mask);
}

egress_addr_class egress_addr_classify(int family, const void *addr) {
    if (family == AF_INET) return classify4(addr);
    if (family != AF_INET6) return EGRESS_ADDR_RESERVED;
    const uint8_t *a = addr;
    static const uint8_t zero[16] = {0};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0) return classify4(a + 12);
    if (memcmp(a, zero, 15) == 0)
        return a[15] == 0 ? EGRESS_ADDR_UNSPECIFIED : a[15] == 1 ? EGRESS_ADDR_LOOPBACK : EGRESS_ADDR_RESERVED;
    if (a[0] == 0x20 && a[1] == 0x02) return classify4(a + 2); /* 6to4 */
    if (a[0] == 0xff) return EGRESS_ADDR_MULTICAST;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return EGRESS_ADDR_LINK_LOCAL;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return EGRESS_ADDR_UNIQUE_LOCAL; /* site-local (deprecated) */
    if ((a[0] & 0xfe) == 0xfc) return EGRESS_ADDR_UNIQUE_LOCAL;
    static const struct {
        uint8_t net[16];
        unsigned bits;
    } reserved[] = {
        {{0}, 96},                            /* ::/96 IPv4-compatible (deprecated) */
        {{0x00, 0x64, 0xff, 0x9b, 0, 1}, 48}, /* 64:ff9b:1::/48 local-use NAT64 */
        {{0x01, 0x00}, 64},                   /* 100::/64 discard */
        {{0x20, 0x01, 0x00, 0x00}, 32},       /* 2001::/32 Teredo */
        {{0x20, 0x01, 0x00, 0x02, 0, 0}, 48}, /* 2001:2::/48 benchmarking */
        {{0x20, 0x01, 0x0d, 0xb8}, 32},       /* 2001:db8::/32 documentation */
        {{0x20, 0x01, 0x00, 0x10}, 28},       /* ORCHID */
        {{0x3f, 0xff, 0x00, 0x00}, 20},       /* 3fff::/20 documentation */
        {{0x5f, 0x00}, 16},                   /* 5f00::/16 SRv6 SIDs */
    };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (prefix_eq(a, reserved[i].net, reserved[i].bits)) return EGRESS_ADDR_RESERVED;
    return EGRESS_ADDR_PUBLIC;
}

const char *egress_addr_class_code(egress_addr_class c) {
    switch (c) {
    case EGRESS_ADDR_PUBLIC:
        return "forward_address_public";
    case EGRESS_ADDR_LOOPBACK:
        return "forward_address_loopback";
    case EGRESS_ADDR_PRIVATE:
        return "forward_address_private";
    case EGRESS_ADDR_UNIQUE_LOCAL:
        return "forward_address_unique_local";
    case EGRESS_ADDR_LINK_LOCAL:
        return "forward_address_link_local";
    case EGRESS_ADDR_MULTICAST:
        return "forward_address_multicast";
    case EGRESS_ADDR_UNSPECIFIED:
        return "forward_address_unspecified";
    case EGRESS_ADDR_RESERVED:
        break;
    }
    return "forward_address_reserved";
}

const char *egress_policy_address(const egress_policy *p, int family, const void *addr) {
    egress_addr_class c = egress_addr_classify(family, addr);
    if (c == EGRESS_ADDR_PUBLIC) return NULL;
    if (p->allow_private && (c == EGRESS_ADDR_PRIVATE || c == EGRESS_ADDR_UNIQUE_LOCAL)) return NULL;
    /* An allowed range matches the address as connected to, and an IPv4 range also its IPv4-mapped form. */
    const uint8_t *a = addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    for (size_t i = 0; i < p->nranges; i++) {
        const allow_range *r = &p->ranges[i];
        if (r->family == family && prefix_eq(a, r->net, r->bits)) return NULL;
        if (r->family == AF_INET && family == AF_INET6 && memcmp(a, mapped, 12) == 0 &&
            prefix_eq(a + 12, r->net, r->bits))
            return NULL;
    }
    return egress_addr_class_code(c);
}
