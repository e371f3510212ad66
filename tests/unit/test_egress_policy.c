/* The egress policy (src/app/egress_policy.c, docs/egress.md): forward_url parsing, the starter's policy member
 * byte for byte (odin_core/hel.py: profiles, exact host match, its reason strings), allowlist and CIDR settings,
 * and the address classes the forwarder refuses. Forwarding itself is tested over HTTP by
 * tests/http/test_egress.py. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "egress_policy.h"
#include "harness.h"

static egress_policy *policy(const char *profile, const char *allow, const char *addrs, bool priv) {
    egress_policy *p = NULL;
    char err[300];
    int rc = egress_policy_new(profile, allow, NULL, addrs, priv, &p, err, sizeof err);
    CHECK_MSG(rc == 0 && p, "egress_policy_new(%s, %s, %s): %s", profile ? profile : "NULL", allow ? allow : "NULL",
              addrs ? addrs : "NULL", err);
    return p;
}

/* The policy member for url under p, and the verdict. */
static void verdict(const egress_policy *p, const char *url, const char *want_json, bool want_passed) {
    egress_url u;
    const char *why = NULL;
    int rc = egress_url_parse(url, strlen(url), &u, &why);
    CHECK_MSG(rc == 0, "%s: %s", url, why ? why : "");
    if (rc) return;
    prova_buf b = PROVA_BUF_INIT;
    bool passed = !want_passed;
    char reason[320];
    CHECK(egress_policy_eval(p, &u, &b, &passed, reason, sizeof reason) == 0);
    CHECK(prova_buf_append(&b, "", 1) == 0);
    CHECK_MSG(strcmp((const char *)b.data, want_json) == 0, "%s: got %s, want %s", url, (const char *)b.data,
              want_json);
    CHECK_MSG(passed == want_passed, "%s: passed %d", url, passed);
    prova_buf_free(&b);
}

static void test_urls(void) {
    static const struct {
        const char *url;
        bool https;
        const char *host;
        unsigned port;
    } good[] = {
        {"http://a.example", false, "a.example", 80},
        {"HTTPS://A.Example:8443/x?y=1#z", true, "a.example", 8443},
        {"https://api.bank.com/pay", true, "api.bank.com", 443},
        {"http://[::1]:8080/", false, "::1", 8080},
        {"http://[::FFFF:127.0.0.1]/", false, "::ffff:127.0.0.1", 80},
        {"http://127.0.0.1:/", false, "127.0.0.1", 80},
        {"http://h_1.example./p", false, "h_1.example.", 80},
        {"http://2130706433/", false, "2130706433", 80},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        egress_url u;
        const char *why = NULL;
        CHECK_MSG(egress_url_parse(good[i].url, strlen(good[i].url), &u, &why) == 0, "%s: %s", good[i].url,
                  why ? why : "");
        CHECK_STR(u.host, good[i].host);
        CHECK_MSG(u.port == good[i].port && u.https == good[i].https, "%s: port %u", good[i].url, u.port);
    }
    static const char *const bad[] = {
        "",
        "ftp://a.example/",
        "javascript:alert(1)",
        "http://",
        "http:///x",
        "http://a:0/",
        "http://a:65536/",
        "http://a:8x/",
        "http://u@a/",
        "http://u:p@a/",
        "http://a b/",
        "http://[::1/",
        "http://[zz::1]/",
        "http://[::1]x/",
        "http://a\\@b/",
        "http://\xc3\xa9.example/",
        "http://a%2eb/",
        "http://a\tb/",
        "//a.example/",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        egress_url u;
        const char *why = NULL;
        CHECK_MSG(egress_url_parse(bad[i], strlen(bad[i]), &u, &why) == PROVA_EINVAL && why, "accepted: %s", bad[i]);
    }
    /* Length-delimited: a URL without a NUL after it is read within its length only (fuzz_egress found a strcspn
     * past the end; the sanitizer run sees a regression). */
    {
        static const char host_only[] = "HTTP://API.BANK.COM";
        char *exact = malloc(sizeof host_only - 1);
        CHECK(exact != NULL);
        if (exact) {
            memcpy(exact, host_only, sizeof host_only - 1);
            egress_url x;
            const char *w = NULL;
            CHECK(egress_url_parse(exact, sizeof host_only - 1, &x, &w) == 0);
            CHECK_STR(x.host, "api.bank.com");
            CHECK(egress_url_parse(exact, 15, &x, &w) == 0); /* "HTTP://API.BANK" */
            CHECK_STR(x.host, "api.bank");
            free(exact);
        }
    }
    /* a NUL inside is outside the character set */
    egress_url u;
    const char *why;
    CHECK(egress_url_parse("http://a\0b/", 11, &u, &why) == PROVA_EINVAL);
}

static void test_policies(void) {
    /* SPEC: starter main.py _egress_policy + hel.py: {"passed", "rules": [{"rule", "reasons"}]}, canonical order */
    egress_policy *p = policy(NULL, "127.0.0.2, Example.COM:8443\n[::1]:8080 # comment: not.an.entry\n", NULL, false);
    verdict(p, "http://127.0.0.2:9/x",
            "{\"passed\":true,\"rules\":[{\"reasons\":[\"host 127.0.0.2 allowed\"],\"rule\":\"HEL:HTTP_EGRESS_"
            "LIMITATION\"}]}",
            true);
    verdict(p, "https://example.com:8443/",
            "{\"passed\":true,\"rules\":[{\"reasons\":[\"host example.com allowed\"],\"rule\":\"HEL:HTTP_EGRESS_"
            "LIMITATION\"}]}",
            true);
    verdict(p, "https://example.com/",
            "{\"passed\":false,\"rules\":[{\"reasons\":[\"host example.com port 443 not in allowlist\"],\"rule\":"
            "\"HEL:HTTP_EGRESS_LIMITATION\"}]}",
            false);
    verdict(p, "http://sub.example.com:8443/",
            "{\"passed\":false,\"rules\":[{\"reasons\":[\"host sub.example.com not in allowlist\"],\"rule\":"
            "\"HEL:HTTP_EGRESS_LIMITATION\"}]}",
            false);
    verdict(p, "http://[::1]:8080/",
            "{\"passed\":true,\"rules\":[{\"reasons\":[\"host ::1 allowed\"],\"rule\":\"HEL:HTTP_EGRESS_LIMITATION\"}]"
            "}",
            true);
    verdict(p, "http://not.an.entry/",
            "{\"passed\":false,\"rules\":[{\"reasons\":[\"host not.an.entry not in allowlist\"],\"rule\":"
            "\"HEL:HTTP_EGRESS_LIMITATION\"}]}",
            false);
    CHECK(egress_policy_profile(p) == EGRESS_STRICT);
    egress_policy_free(p);

    /* SPEC: tests/test_policy_profiles.py: strict without an allowlist blocks; medium allows the finance hosts and
     * blocks a random one; open allows anything. */
    p = policy("strict", NULL, NULL, false);
    verdict(p, "http://example.com/",
            "{\"passed\":false,\"rules\":[{\"reasons\":[\"host example.com not in allowlist\"],\"rule\":"
            "\"HEL:HTTP_EGRESS_LIMITATION\"}]}",
            false);
    egress_policy_free(p);
    p = policy("medium", NULL, NULL, false);
    verdict(p, "https://api.bank.com/x",
            "{\"passed\":true,\"rules\":[{\"reasons\":[\"host api.bank.com allowed\"],\"rule\":\"HEL:HTTP_EGRESS_"
            "LIMITATION\"}]}",
            true);
    verdict(p, "https://payments.bank.com:444/x",
            "{\"passed\":true,\"rules\":[{\"reasons\":[\"host payments.bank.com allowed\"],\"rule\":\"HEL:HTTP_"
            "EGRESS_LIMITATION\"}]}",
            true);
    verdict(p, "http://random.example/",
            "{\"passed\":false,\"rules\":[{\"reasons\":[\"host random.example not in allowlist\"],\"rule\":"
            "\"HEL:HTTP_EGRESS_LIMITATION\"}]}",
            false);
    verdict(p, "http://bank.com/",
            "{\"passed\":false,\"rules\":[{\"reasons\":[\"host bank.com not in allowlist\"],\"rule\":"
            "\"HEL:HTTP_EGRESS_LIMITATION\"}]}",
            false);
    egress_policy_free(p);
    p = policy("open", NULL, NULL, false);
    verdict(p, "http://anything.really/",
            "{\"passed\":true,\"rules\":[{\"reasons\":[\"open profile allow\"],\"rule\":\"OPEN:HTTP_EGRESS\"}]}", true);
    egress_policy_free(p);

    /* Settings refused with a sentence. */
    static const struct {
        const char *profile, *allow, *addrs;
    } bad[] = {
        {"lax", NULL, NULL},       {"", "h:x:", NULL},        {NULL, "h:", NULL},          {NULL, "h:0", NULL},
        {NULL, "h:x", NULL},       {NULL, "[::1", NULL},      {NULL, "a/b", NULL},         {NULL, "[::1]8080", NULL},
        {NULL, "h:1:2", NULL},     {NULL, NULL, "300.1.1.1"}, {NULL, NULL, "10.0.0.0/33"}, {NULL, NULL, "::1/129"},
        {NULL, NULL, "10.0.0.0/"}, {NULL, NULL, "host"},      {NULL, "\xc3\xa9", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        egress_policy *q = NULL;
        char err[300] = "";
        int rc = egress_policy_new(bad[i].profile, bad[i].allow, NULL, bad[i].addrs, false, &q, err, sizeof err);
        CHECK_MSG(rc == PROVA_EINVAL && !q && err[0], "accepted: %s %s %s", bad[i].profile ? bad[i].profile : "",
                  bad[i].allow ? bad[i].allow : "", bad[i].addrs ? bad[i].addrs : "");
    }
    egress_policy *q = NULL;
    char err[300] = "";
    CHECK(egress_policy_new(NULL, NULL, "/nonexistent/allow.txt", NULL, false, &q, err, sizeof err) == PROVA_EIO);
    CHECK(strstr(err, "/nonexistent/allow.txt") != NULL);
}

typedef struct addr_vec {
    const char *addr;
    egress_addr_class c;
} addr_vec;

static void check_addr(const egress_policy *p, const char *text, const char *want) {
    uint8_t a[16];
    int fam = strchr(text, ':') ? AF_INET6 : AF_INET;
    CHECK_MSG(inet_pton(fam, text, a) == 1, "%s", text);
    const char *got = egress_policy_address(p, fam, a);
    CHECK_MSG((!got && !want) || (got && want && !strcmp(got, want)), "%s: got %s, want %s", text,
              got ? got : "allowed", want ? want : "allowed");
}

static void test_addresses(void) {
    static const addr_vec v[] = {
        {"8.8.8.8", EGRESS_ADDR_PUBLIC},
        {"1.1.1.1", EGRESS_ADDR_PUBLIC},
        {"100.63.255.255", EGRESS_ADDR_PUBLIC},
        {"100.64.0.1", EGRESS_ADDR_PRIVATE},
        {"100.127.255.255", EGRESS_ADDR_PRIVATE},
        {"100.128.0.0", EGRESS_ADDR_PUBLIC},
        {"127.0.0.1", EGRESS_ADDR_LOOPBACK},
        {"127.255.255.254", EGRESS_ADDR_LOOPBACK},
        {"0.0.0.0", EGRESS_ADDR_UNSPECIFIED},
        {"0.1.2.3", EGRESS_ADDR_UNSPECIFIED},
        {"10.0.0.1", EGRESS_ADDR_PRIVATE},
        {"172.15.255.255", EGRESS_ADDR_PUBLIC},
        {"172.16.0.1", EGRESS_ADDR_PRIVATE},
        {"172.31.255.255", EGRESS_ADDR_PRIVATE},
        {"172.32.0.0", EGRESS_ADDR_PUBLIC},
        {"192.168.1.1", EGRESS_ADDR_PRIVATE},
        {"169.254.169.254", EGRESS_ADDR_LINK_LOCAL},
        {"224.0.0.1", EGRESS_ADDR_MULTICAST},
        {"239.255.255.255", EGRESS_ADDR_MULTICAST},
        {"240.0.0.1", EGRESS_ADDR_RESERVED},
        {"255.255.255.255", EGRESS_ADDR_RESERVED},
        {"192.0.2.1", EGRESS_ADDR_RESERVED},
        {"198.18.0.1", EGRESS_ADDR_RESERVED},
        {"198.19.255.255", EGRESS_ADDR_RESERVED},
        {"198.20.0.0", EGRESS_ADDR_PUBLIC},
        {"203.0.113.9", EGRESS_ADDR_RESERVED},
        {"::", EGRESS_ADDR_UNSPECIFIED},
        {"::1", EGRESS_ADDR_LOOPBACK},
        {"::2", EGRESS_ADDR_RESERVED},
        {"::127.0.0.1", EGRESS_ADDR_RESERVED},
        {"::ffff:127.0.0.1", EGRESS_ADDR_LOOPBACK},
        {"::ffff:7f00:2", EGRESS_ADDR_LOOPBACK},
        {"::ffff:169.254.169.254", EGRESS_ADDR_LINK_LOCAL},
        {"::ffff:10.0.0.1", EGRESS_ADDR_PRIVATE},
        {"::ffff:8.8.8.8", EGRESS_ADDR_PUBLIC},
        {"64:ff9b::7f00:1", EGRESS_ADDR_LOOPBACK},
        {"64:ff9b::808:808", EGRESS_ADDR_PUBLIC},
        {"64:ff9b:1::1", EGRESS_ADDR_RESERVED},
        {"2002:7f00:1::1", EGRESS_ADDR_LOOPBACK},
        {"2002:a9fe:a9fe::", EGRESS_ADDR_LINK_LOCAL},
        {"2002:808:808::1", EGRESS_ADDR_PUBLIC},
        {"fe80::1", EGRESS_ADDR_LINK_LOCAL},
        {"febf::1", EGRESS_ADDR_LINK_LOCAL},
        {"fec0::1", EGRESS_ADDR_UNIQUE_LOCAL},
        {"fc00::1", EGRESS_ADDR_UNIQUE_LOCAL},
        {"fd12:3456::1", EGRESS_ADDR_UNIQUE_LOCAL},
        {"ff02::1", EGRESS_ADDR_MULTICAST},
        {"2001:db8::1", EGRESS_ADDR_RESERVED},
        {"2001::1", EGRESS_ADDR_RESERVED},
        {"100::1", EGRESS_ADDR_RESERVED},
        {"2606:4700:4700::1111", EGRESS_ADDR_PUBLIC},
        {"2001:4860:4860::8888", EGRESS_ADDR_PUBLIC},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t a[16];
        int fam = strchr(v[i].addr, ':') ? AF_INET6 : AF_INET;
        CHECK_MSG(inet_pton(fam, v[i].addr, a) == 1, "%s", v[i].addr);
        egress_addr_class c = egress_addr_classify(fam, a);
        CHECK_MSG(c == v[i].c, "%s: class %d, want %d (%s)", v[i].addr, (int)c, (int)v[i].c,
                  egress_addr_class_code(v[i].c));
    }
    egress_policy *p = policy(NULL, NULL, NULL, false);
    check_addr(p, "8.8.8.8", NULL);
    check_addr(p, "127.0.0.1", "forward_address_loopback");
    check_addr(p, "::ffff:127.0.0.1", "forward_address_loopback");
    check_addr(p, "169.254.169.254", "forward_address_link_local");
    check_addr(p, "10.0.0.1", "forward_address_private");
    check_addr(p, "fd00::1", "forward_address_unique_local");
    check_addr(p, "::", "forward_address_unspecified");
    check_addr(p, "ff02::1", "forward_address_multicast");
    check_addr(p, "240.0.0.1", "forward_address_reserved");
    egress_policy_free(p);
    p = policy(NULL, NULL, NULL, true); /* --egress-allow-private: private and unique-local only */
    check_addr(p, "10.0.0.1", NULL);
    check_addr(p, "192.168.0.1", NULL);
    check_addr(p, "fd00::1", NULL);
    check_addr(p, "::ffff:10.0.0.1", NULL);
    check_addr(p, "127.0.0.1", "forward_address_loopback");
    check_addr(p, "169.254.169.254", "forward_address_link_local");
    check_addr(p, "::1", "forward_address_loopback");
    egress_policy_free(p);
    p = policy(NULL, NULL, "127.0.0.2/32, fd00::/8,169.254.0.0/16", false); /* --egress-allow-address */
    check_addr(p, "127.0.0.2", NULL);
    check_addr(p, "::ffff:127.0.0.2", NULL);
    check_addr(p, "127.0.0.1", "forward_address_loopback");
    check_addr(p, "127.0.0.3", "forward_address_loopback");
    check_addr(p, "fd12::1", NULL);
    check_addr(p, "fc00::1", "forward_address_unique_local");
    check_addr(p, "169.254.169.254", NULL);
    check_addr(p, "10.0.0.1", "forward_address_private");
    egress_policy_free(p);
    p = policy(NULL, NULL, "127.0.0.0/31", false);
    check_addr(p, "127.0.0.1", NULL);
    check_addr(p, "127.0.0.2", "forward_address_loopback");
    egress_policy_free(p);
}

/* --classify: one address a line on stdin, its class code (or "forward_address_public") a line on stdout, for
 * tests/unit/egress_cross.py (Python's ipaddress as the independent side). */
static int classify_lines(void) {
    char line[128];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        uint8_t a[16];
        int fam = strchr(line, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(fam, line, a) != 1) {
            printf("unparsable\n");
            continue;
        }
        printf("%s\n", egress_addr_class_code(egress_addr_classify(fam, a)));
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--classify")) return classify_lines();
    test_urls();
    test_policies();
    test_addresses();
    TEST_SUMMARY();
}
