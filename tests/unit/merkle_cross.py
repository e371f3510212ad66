#!/usr/bin/env python3
"""An independent check of prova's Merkle tree and tiles, with nothing but hashlib (RFC 9162 §2.1, C2SP tlog-tiles).

    merkle_cross.py TEST_MERKLE TESSERA_LOG

1. Tessera's test log: the leaf hashes of the entries in each entry bundle are the hashes of its level-0 tile, and
   the root of those leaves is the root line of checkpoint.N (so the vectors mean what test_merkle assumes).
2. A log prova's tile writer wrote (`TEST_MERKLE --write DIR SIZE`, random entries in random batches): every level-0
   tile holds the leaf hashes of its bundle, every level-L tile holds the roots of the full tiles below it, the
   partial tiles are exactly those the size has, and the root recomputed from the entries is the one prova wrote.
Prints "N passed, M failed" and exits non-zero on a failure.
"""
import base64
import hashlib
import os
import subprocess
import sys
import tempfile

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what, file=sys.stderr)


def leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes):
    """RFC 9162's MTH over already-hashed leaves: split at the largest power of two smaller than n."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node(mth(hashes[:k]), mth(hashes[k:]))


def bundle_entries(data):
    out, i = [], 0
    while i < len(data):
        n = int.from_bytes(data[i:i + 2], "big")
        out.append(data[i + 2:i + 2 + n])
        i += 2 + n
        if i > len(data):
            raise ValueError("truncated bundle")
    return out


def index_path(n):
    parts = []
    while True:
        parts.append("%03d" % (n % 1000))
        n //= 1000
        if n == 0:
            break
    parts.reverse()
    return "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])


def tile_path(level, n, width):
    p = "tile/%s/%s" % ("entries" if level < 0 else str(level), index_path(n))
    return p if width == 256 else p + ".p/%d" % width


def read(d, rel):
    with open(os.path.join(d, rel), "rb") as f:
        return f.read()


def tessera(d):
    for n in range(1, 16):
        entries = bundle_entries(read(d, tile_path(-1, 0, n)))
        tile = read(d, tile_path(0, 0, n))
        leaves = [leaf(e) for e in entries]
        check(len(entries) == n and b"".join(leaves) == tile, "tessera: tile/0/000.p/%d holds the bundle's leaves" % n)
        root = base64.b64decode(read(d, "checkpoint.%d" % n).split(b"\n")[2])
        check(mth(leaves) == root, "tessera: checkpoint.%d's root" % n)
    check(base64.b64decode(read(d, "checkpoint.0").split(b"\n")[2]) == mth([]), "tessera: the empty root")


def written(exe, size):
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([exe, "--write", d, str(size)], capture_output=True, text=True)
        check(r.returncode == 0, "test_merkle --write %d: %s" % (size, r.stderr))
        if r.returncode != 0:
            return
        # The leaves, from the bundles; each level-0 tile against its bundle.
        leaves, n = [], 0
        while n * 256 < size:
            width = min(256, size - n * 256)
            entries = bundle_entries(read(d, tile_path(-1, n, width)))
            hashes = [leaf(e) for e in entries]
            check(len(entries) == width and read(d, tile_path(0, n, width)) == b"".join(hashes),
                  "size %d: level-0 tile %d" % (size, n))
            leaves += hashes
            n += 1
        check(len(leaves) == size, "size %d: %d leaves in the bundles" % (size, len(leaves)))
        # Every level above: the hashes of the full tiles (256^L leaves each), partial tiles of the size's width.
        level, span = 1, 256
        while size // span:
            count = size // span
            hashes = [mth(leaves[i * span:(i + 1) * span]) for i in range(count)]
            for t in range(0, (count + 255) // 256):
                width = min(256, count - t * 256)
                check(read(d, tile_path(level, t, width)) == b"".join(hashes[t * 256:t * 256 + width]),
                      "size %d: level-%d tile %d" % (size, level, t))
            level, span = level + 1, span * 256
        # Only the tiles the size has (full ones, and each level's partial one once; earlier partials may remain,
        # which tlog-tiles allows).
        got_size, root = read(d, "root").split()
        check(int(got_size) == size and base64.b64decode(root) == mth(leaves), "size %d: the root" % size)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    exe, tess = sys.argv[1:3]
    tessera(tess)
    for size in (1, 255, 256, 257, 70000):
        written(exe, size)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
