#!/usr/bin/env python3
"""The egress address classes (src/app/egress_policy.c) against Python's ipaddress, an independent implementation:
every IPv4 range boundary of either side, 200,000 random IPv4 addresses and the IPv4-mapped form of each, and
IPv6 samples. prova refuses an address exactly when ipaddress says it is not global, or multicast, except where
docs/egress.md decides otherwise (listed below with why). Usage: egress_cross.py TEST_EGRESS_POLICY"""
import ipaddress
import random
import subprocess
import sys

V4 = ipaddress.IPv4Network
# prova refuses, ipaddress calls global: the whole IETF protocol block (ipaddress: only 192.0.0.0/29 and
# 192.0.0.170/31 of it) and the deprecated 6to4 relay anycast.
V4_MORE = [V4("192.0.0.0/24"), V4("192.88.99.0/24")]


def want4(a):
    if any(a in n for n in V4_MORE):
        return False
    return a.is_global and not a.is_multicast


def want6(a):
    m = a.ipv4_mapped
    if m is not None:
        return want4(m)  # prova judges a mapped address by its IPv4 address; ipaddress calls ::ffff:0:0/96 private
    if a in ipaddress.IPv6Network("2002::/16"):  # 6to4: by the embedded IPv4 address
        return want4(ipaddress.IPv4Address(int(a) >> 80 & 0xFFFFFFFF))
    if a in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64: by the embedded IPv4 address
        return want4(ipaddress.IPv4Address(int(a) & 0xFFFFFFFF))
    if a.is_site_local:  # fec0::/10, deprecated: prova refuses it as unique-local
        return False
    # ranges prova refuses as reserved that ipaddress (3.11) calls global
    for n in ("::/96", "64:ff9b:1::/48", "2001::/32", "3fff::/20", "5f00::/16"):
        if a in ipaddress.IPv6Network(n):
            return False
    return a.is_global and not a.is_multicast


def main():
    exe = sys.argv[1]
    rnd = random.Random(18)
    addrs = []
    nets = [V4(n) for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                            "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
                            "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4")]
    for n in nets:
        for x in (int(n.network_address), int(n.broadcast_address)):
            for d in (-1, 0, 1):
                if 0 <= x + d < 2 ** 32:
                    addrs.append(ipaddress.IPv4Address(x + d))
    addrs += [ipaddress.IPv4Address(rnd.getrandbits(32)) for _ in range(200000)]
    v4 = list(addrs)
    addrs += [ipaddress.IPv6Address("::ffff:" + str(a)) for a in v4[:50000]]
    for p in ("::", "::1", "fe80::", "fc00::", "fec0::", "ff00::", "2001:db8::", "2001::", "2002::", "64:ff9b::",
              "100::", "2001:2::", "2001:10::", "2606:4700::", "2a00:1450::", "3fff::", "5f00::"):
        base = int(ipaddress.IPv6Address(p))
        for _ in range(200):
            addrs.append(ipaddress.IPv6Address(base | rnd.getrandbits(64)))
    addrs += [ipaddress.IPv6Address(rnd.getrandbits(128)) for _ in range(20000)]
    r = subprocess.run([exe, "--classify"], input="\n".join(map(str, addrs)).encode() + b"\n",
                       stdout=subprocess.PIPE, check=True)
    got = r.stdout.decode().split("\n")[:-1]
    bad = 0
    for a, g in zip(addrs, got):
        public = g == "forward_address_public"
        w = want4(a) if a.version == 4 else want6(a)
        if public != w:
            bad += 1
            if bad <= 20:
                print("MISMATCH %s: prova %s, ipaddress %s" % (a, g, "global" if w else "not global"))
    ok = len(got) == len(addrs) and bad == 0
    print("%d addresses, %d mismatches" % (len(addrs), bad))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
