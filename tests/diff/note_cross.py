#!/usr/bin/env python3
"""Signed notes and cosignature/v1 against an independent implementation (python3-cryptography and hashlib, written
from c2sp.org/signed-note and c2sp.org/tlog-cosignature, sharing no code with prova).

    note_cross.py DRIVER DATA_DIR        DRIVER: tests/diff/note_driver; DATA_DIR: tests/data

  - Tessera's checkpoints verify here with its published vkey, whose key ID Python recomputes, and Tessera's private
    key derives that vkey;
  - prova's cosignatures (note_driver cosign, random keys made here) verify here, and the fixed one pinned in
    tests/unit/test_note.c is what Python computes;
  - notes signed and cosigned here verify in prova (note_driver verify), and a tampered one does not.
Prints "N passed, M failed"; exit status 0 only when nothing failed."""
import base64
import hashlib
import os
import subprocess
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DASH = "\u2014 ".encode()
TESSERA_VKEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
TESSERA_SKEY = "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg"
W1_SEED = bytes(range(32))
W1_COSIG_CP3 = ("\u2014 witness.example/w1 519lMgAAAABlU/EA0DcHQXq4P6NaWZBCz570GpLYoPzXnNYQ7WvOFrotCPAwg8yvkVDzoq3nrNNE8Zcy"
                "T+L0eJHypJNvHOInS8q7Dg==\n").encode()

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what, file=sys.stderr)


def raw_pub(priv):
    return priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name, typ, pub):
    return hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + pub).digest()[:4]


def parse_vkey(vkey):
    name, kid, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    assert len(raw) == 33 and raw[0] in (1, 4)
    assert key_id(name, raw[0], raw[1:]).hex() == kid
    return name, bytes.fromhex(kid), raw[0], Ed25519PublicKey.from_public_bytes(raw[1:])


def split_note(note):
    i = note.rindex(b"\n\n")
    text, sigs = note[:i + 1], note[i + 2:]
    lines = []
    for line in sigs.split(b"\n")[:-1]:
        assert line.startswith(DASH)
        name, b64 = line[len(DASH):].split(b" ")
        lines.append((name.decode(), base64.b64decode(b64, validate=True)))
    return text, lines


def verify_line(text, name, sig, vkey):
    """True when the signature line (name, sig) is a valid signature by vkey over text."""
    vname, kid, typ, pub = parse_vkey(vkey)
    if name != vname or sig[:4] != kid:
        return False
    if typ == 1:
        msg, s = text, sig[4:]
    else:
        t = int.from_bytes(sig[4:12], "big")
        msg, s = b"cosignature/v1\ntime %d\n" % t + text, sig[12:]
    try:
        pub.verify(s, msg)
        return True
    except InvalidSignature:
        return False


def cosign_line(text, name, priv, t):
    pub = raw_pub(priv)
    sig = priv.sign(b"cosignature/v1\ntime %d\n" % t + text)
    return DASH + name.encode() + b" " + base64.b64encode(key_id(name, 4, pub) + t.to_bytes(8, "big") + sig) + b"\n"


def run(driver, args, data):
    return subprocess.run([driver] + args, input=data, capture_output=True)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: note_cross.py DRIVER DATA_DIR")
    driver, data = sys.argv[1], os.path.join(sys.argv[2], "tlog", "tessera")

    # Tessera's private key derives its published verifier key.
    _, _, name, kid, b64 = TESSERA_SKEY.split("+", 4)
    raw = base64.b64decode(b64)
    tpriv = Ed25519PrivateKey.from_private_bytes(raw[1:])
    derived = "%s+%s+%s" % (name, key_id(name, raw[0], raw_pub(tpriv)).hex(),
                            base64.b64encode(bytes([raw[0]]) + raw_pub(tpriv)).decode())
    check(derived == TESSERA_VKEY and kid == "33d7b496", "Tessera's private key derives its vkey")

    files = ["checkpoint"] + ["checkpoint.%d" % i for i in range(16)]
    for f in files:
        note = open(os.path.join(data, f), "rb").read()
        text, lines = split_note(note)
        check(len(lines) == 1 and verify_line(text, lines[0][0], lines[0][1], TESSERA_VKEY), "%s verifies" % f)

        # prova cosigns with a key made here; Python verifies the cosignature.
        wpriv = Ed25519PrivateKey.generate()
        wname = "witness.example/py"
        seed = wpriv.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())
        wkid = key_id(wname, 4, raw_pub(wpriv)).hex()
        skey = "PRIVATE+KEY+%s+%s+%s" % (wname, wkid, base64.b64encode(b"\x04" + seed).decode())
        wvkey = "%s+%s+%s" % (wname, wkid, base64.b64encode(b"\x04" + raw_pub(wpriv)).decode())
        t = 1700000000 + len(f)
        p = run(driver, ["cosign", skey, str(t)], note)
        check(p.returncode == 0, "%s: note_driver cosign (%s)" % (f, p.stderr.decode().strip()))
        text2, lines2 = split_note(p.stdout)
        check(text2 == text and len(lines2) == 2, "%s: cosigned note keeps the text and the log's line" % f)
        if len(lines2) == 2:
            check(verify_line(text, lines2[1][0], lines2[1][1], wvkey), "%s: prova's cosignature verifies" % f)
            check(int.from_bytes(lines2[1][1][4:12], "big") == t, "%s: cosignature timestamp" % f)
            check(p.stdout == note + cosign_line(text, wname, wpriv, t), "%s: prova's cosignature, byte for byte" % f)

        # Python cosigns; prova verifies (and rejects a tampered cosignature).
        own = note + cosign_line(text, wname, wpriv, t + 1)
        p = run(driver, ["verify", TESSERA_VKEY, wvkey], own)
        check(p.returncode == 0 and p.stdout == b"1\n1\n", "%s: prova verifies Python's cosignature" % f)
        bad = bytearray(own)
        bad[-10] = ord("A") if bad[-10] != ord("A") else ord("B")
        p = run(driver, ["verify", TESSERA_VKEY, wvkey], bytes(bad))
        check(p.returncode == 1 and b"note_signature_invalid" in p.stderr, "%s: tampered cosignature refused" % f)

    # The fixed cosignature pinned in test_note.c.
    note = open(os.path.join(data, "checkpoint.3"), "rb").read()
    text, _ = split_note(note)
    w1 = Ed25519PrivateKey.from_private_bytes(W1_SEED)
    check(cosign_line(text, "witness.example/w1", w1, 1700000000) == W1_COSIG_CP3, "the pinned cosignature")

    # A note signed here with Ed25519 (type 0x01) and prova's sign of the same text agree byte for byte.
    lpriv = Ed25519PrivateKey.generate()
    lname = "example.com/pylog"
    lseed = lpriv.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    lkid = key_id(lname, 1, raw_pub(lpriv))
    body = b"example.com/pylog\n5\n" + base64.b64encode(os.urandom(32)) + b"\nan extension\n"
    mine = body + b"\n" + DASH + lname.encode() + b" " + base64.b64encode(lkid + lpriv.sign(body)) + b"\n"
    p = run(driver, ["sign", "PRIVATE+KEY+%s+%s+%s" % (lname, lkid.hex(), base64.b64encode(b"\x01" + lseed).decode()),
                     "0"], body)
    check(p.returncode == 0 and p.stdout == mine, "prova's Ed25519 note is Python's")
    lvkey = "%s+%s+%s" % (lname, lkid.hex(), base64.b64encode(b"\x01" + raw_pub(lpriv)).decode())
    p = run(driver, ["verify", lvkey], mine)
    check(p.returncode == 0 and p.stdout == b"1\n", "prova verifies Python's note")

    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
