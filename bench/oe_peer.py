#!/usr/bin/python3
"""Python peer of prova's OpenExecution v2 chain verifier, timed by bench/run.sh (stdlib only: json + hashlib).

    oe_peer.py FILE.jsonl [--hash-alg ALG]     ALG: sha256 (default), sha384, sha512, sha3-256, sha3-384, sha3-512

Streams FILE line by line (one event in memory at a time), the way the OE SDKs' integrity loop works (reference
§5.2), with every check on every event (it does not stop at the first failure):
  - seq == position (from 1);
  - prev_hash == genesis ('0' x hex length of the hash) for the first event, the previous event's stored
    event_hash after that;
  - event_hash == hex H(JCS({actor_id or "system", event_type, payload, prev_hash, seq, timestamp})), timestamp =
    created_at in UTC as YYYY-MM-DDTHH:MM:SS.sssZ, truncated to milliseconds (datetime.fromisoformat);
  - chain hash = hex H(the stored event_hash strings concatenated), fed incrementally.
JCS is json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False): RFC 8785 as long as payloads have no
floats and no object keys mixing astral and U+E000..U+FFFF characters (see bench/gen_oe.py), which holds for the
benchmark's events. Times the whole loop, reading included, and prints

    oe_chain events=N s=SECONDS eps=EVENTS_PER_S valid=1|0 chain_hash=HEX vm_hwm_kib=K [first_failure=...]

vm_hwm_kib is this process's peak RSS (VmHWM from /proc/self/status). Exit status 0 when the chain verifies.
"""
import hashlib
import json
import sys
import time
from datetime import datetime, timezone

ALGS = {"sha256": "sha256", "sha384": "sha384", "sha512": "sha512",
        "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512"}


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def timestamp(created_at):
    dt = datetime.fromisoformat(created_at)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def verify(path, alg):
    """(events, chain hash hex, first failure or None)."""
    expected_prev = "0" * (2 * hashlib.new(alg).digest_size)
    chain = hashlib.new(alg)
    failure = None
    n = 0
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            n += 1
            ev = json.loads(line)
            seq, prev, stored = ev.get("seq"), ev.get("prev_hash"), ev.get("event_hash")
            here = None
            if seq != n:
                here = "seq (expected %d, got %r)" % (n, seq)
            elif prev != expected_prev:
                here = "prev_hash mismatch"
            try:
                computed = hashlib.new(alg, canonical({
                    "seq": seq,
                    "event_type": ev.get("event_type"),
                    "actor_id": ev.get("actor_id") or "system",
                    "timestamp": timestamp(ev["created_at"]),
                    "payload": ev.get("payload"),
                    "prev_hash": prev,
                })).hexdigest()
                if computed != stored:
                    here = here or "event_hash mismatch"
            except (KeyError, TypeError, ValueError):
                here = here or "created_at missing or invalid"
            if here and failure is None:
                failure = "event[%d]: %s" % (n, here)
            if isinstance(stored, str):
                chain.update(stored.encode("utf-8"))
            expected_prev = stored
    return n, chain.hexdigest(), failure


def vm_hwm_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    a = sys.argv[1:]
    alg = "sha256"
    if len(a) == 3 and a[1] == "--hash-alg":
        alg = a[2]
        a = a[:1]
    if len(a) != 1 or alg not in ALGS:
        sys.stderr.write(__doc__)
        return 2
    t0 = time.perf_counter()
    n, chain_hash, failure = verify(a[0], ALGS[alg])
    dt = time.perf_counter() - t0
    print("oe_chain events=%d s=%.6f eps=%.1f valid=%d chain_hash=%s vm_hwm_kib=%d%s" % (
        n, dt, n / dt if dt > 0 else 0.0, failure is None, chain_hash, vm_hwm_kib(),
        "" if failure is None else " first_failure=" + failure.replace(" ", "_")), flush=True)
    return 0 if failure is None else 1


if __name__ == "__main__":
    sys.exit(main())
