/* The egress policy, pure (no network): forward_url's parts, the reference's host allowlist and profiles
 * (reference/odin.md §5.5, odin_core/hel.py), the receipt's policy member, and the address rules the forwarder
 * applies to every socket it opens (docs/egress.md). Unit-tested by tests/unit/test_egress_policy.c. */
#ifndef PROVA_APP_EGRESS_POLICY_H
#define PROVA_APP_EGRESS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "prova/common.h"

typedef struct egress_policy egress_policy;

typedef enum egress_profile {
    EGRESS_STRICT, /* the allowlist only (also the starter's default, without ODIN_POLICY_PROFILE) */
    EGRESS_MEDIUM, /* the allowlist + api.bank.com, payments.bank.com */
    EGRESS_OPEN,   /* any host */
} egress_profile;

/* Builds a policy. profile: NULL or "strict", "medium", "open". allow: comma-, space- or newline-separated entries
 * HOST, HOST:PORT, [IPV6] or [IPV6]:PORT (a bare IPv6 address is a host), or NULL; allow_file: a file of such
 * entries ('#' starts a comment), or NULL. allow_address: comma-separated addresses or CIDR ranges the forwarder may
 * connect to although they are not public, or NULL; allow_private: RFC 1918, 100.64.0.0/10 and fc00::/7 allowed.
 * 0, or PROVA_EINVAL with a sentence in err (PROVA_EIO when the file cannot be read). */
int egress_policy_new(const char *profile, const char *allow, const char *allow_file, const char *allow_address,
                      bool allow_private, egress_policy **ret, char *err, size_t errlen);
void egress_policy_free(egress_policy *p);
egress_profile egress_policy_profile(const egress_policy *p);

/* forward_url's parts: http or https only, a host, an optional port, no user information, printable ASCII from
 * RFC 3986's set only. The host is lowercased, an IPv6 literal without its brackets (httpx.URL(u).host). */
typedef struct egress_url {
    bool https;
    char host[256];
    unsigned port; /* the effective port: the URL's, else 80 or 443 */
    bool port_given;
} egress_url;
#define EGRESS_URL_MAX 4096
/* 0, or PROVA_EINVAL with the reason (a static sentence) in *ret_why. */
int egress_url_parse(const char *url, size_t len, egress_url *ret, const char **ret_why);

/* The policy's verdict on u: the receipt's policy member (canonical JSON, the reference's bytes:
 * {"passed":B,"rules":[{"reasons":[...],"rule":"HEL:HTTP_EGRESS_LIMITATION"}]}) appended to ret_json, *ret_passed,
 * and the reasons joined by "; " in reason (for the 403's message). 0 or PROVA_ENOMEM. */
int egress_policy_eval(const egress_policy *p, const egress_url *u, prova_buf *ret_json, bool *ret_passed, char *reason,
                       size_t reasonlen);

/* The classes of addresses; EGRESS_ADDR_PUBLIC is the only one connected to unless allowed. */
typedef enum egress_addr_class {
    EGRESS_ADDR_PUBLIC,
    EGRESS_ADDR_LOOPBACK,     /* 127.0.0.0/8, ::1 */
    EGRESS_ADDR_PRIVATE,      /* 10/8, 172.16/12, 192.168/16, 100.64/10 */
    EGRESS_ADDR_UNIQUE_LOCAL, /* fc00::/7, fec0::/10 */
    EGRESS_ADDR_LINK_LOCAL,   /* 169.254/16 (cloud metadata), fe80::/10 */
    EGRESS_ADDR_MULTICAST,    /* 224/4, ff00::/8 */
    EGRESS_ADDR_UNSPECIFIED,  /* 0.0.0.0/8, :: */
    EGRESS_ADDR_RESERVED,     /* 240/4, documentation, benchmarking, IETF, Teredo, IPv4-compatible, ... */
} egress_addr_class;

/* The class of an address: family AF_INET (addr: 4 bytes, network order) or AF_INET6 (16 bytes). IPv4-mapped
 * (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are classed by the IPv4 address in them. */
egress_addr_class egress_addr_classify(int family, const void *addr);
/* The stable reason code of refusing a class: "forward_address_loopback", ... */
const char *egress_addr_class_code(egress_addr_class c);
/* NULL when the forwarder may connect to the address (public, or allowed by allow_private or allow_address), else
 * the refusal's reason code. */
const char *egress_policy_address(const egress_policy *p, int family, const void *addr);

#endif
