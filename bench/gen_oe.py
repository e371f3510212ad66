#!/usr/bin/python3
"""Deterministic OpenExecution v2 chain events as JSON Lines, for the `oe` benchmark section (stdlib only).

    gen_oe.py N OUT.jsonl [--hash-alg ALG]     ALG: sha256 (default), sha384, sha512, sha3-256, sha3-384, sha3-512
    gen_oe.py --selftest

writes N events of one chain, one compact JSON object per line (keys in this order, payload keys unsorted):

    {"id":uuid,"chain_id":uuid (the same on every line),"seq":1..N,"event_type":…,"actor_id":login|null,
     "sentiment":…,"payload":{…},"created_at":…,"prev_hash":…,"event_hash":…}

Event types and sentiments come from the adapter vocabularies of the spec (chain-events §3, reference §8.1): GitHub,
OpenClaw, MCP proxy and Cursor events, weighted towards agent and tool events. Payloads are small agent / tool /
webhook objects of about 150-400 bytes: tool names, nested args objects, integers, booleans, nulls, arrays, text in
several scripts with an emoji now and then and a few escapes. created_at increases by 1 ms to 2 s per event from
2026-03-20T10:00:00Z; most are "2026-03-20T10:00:00.123Z", some carry an offset ("+09:00", "-07:00", "+00:00") and
some a microsecond fraction (".123456"), which the hash input truncates to milliseconds.

Hashes (reference §2): event_hash = lowercase hex H(JCS({"actor_id": actor_id or "system", "event_type",
"payload", "prev_hash", "seq", "timestamp"})), timestamp = created_at in UTC as YYYY-MM-DDTHH:MM:SS.sssZ (truncated
to ms); prev_hash of seq 1 = '0' x hex length of H, then the previous event_hash; chain hash = hex H(event_hash[1] ||
... || event_hash[N]) over the hex text. The chain hash is printed (chain_hash=…) and written to OUT.jsonl.chainhash.

JCS here is json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False). That equals RFC 8785 / the OE
SDKs' JS canonicalize for these payloads because (1) there are no floats (Python repr and ECMAScript
Number::toString differ on some, e.g. 1e-07 vs 1e-7), every integer is below 2**53, (2) no object key mixes astral
characters with U+E000..U+FFFF ones (Python sorts keys by code point, JCS by UTF-16 code unit; the two orders agree
otherwise), and (3) there are no lone surrogates. Control characters are escaped as \\u00XX with lowercase hex by
both, everything else non-ASCII is raw UTF-8 in both.

--selftest checks event_hash and chain hash against the reference's §6.1 vectors (all six algorithms) and §6.2
(null actor, "+09:00" offset with microseconds), and that the generator's own created_at forms normalize (through
datetime.fromisoformat) to the timestamps it hashed.
"""
import hashlib
import json
import os
import random
import sys
import time
from datetime import datetime, timezone

ALGS = {"sha256": "sha256", "sha384": "sha384", "sha512": "sha512",
        "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512"}
SEED = 20260320
START_US = 1774000800 * 1_000_000  # 2026-03-20T10:00:00Z

# (event_type, sentiment, actor kind, weight); actor kind: gh = a GitHub login, agent = an agent id or null
TYPES = [
    ("tool_started", "neutral", "agent", 14), ("tool_completed", "positive", "agent", 13),
    ("tool_failed", "negative", "agent", 2), ("mcp_tool_call", "neutral", "agent", 12),
    ("mcp_tool_error", "negative", "agent", 1), ("mcp_session_start", "neutral", "agent", 1),
    ("mcp_tool_batch", "neutral", "agent", 2), ("assistant_message", "neutral", "agent", 6),
    ("agent_started", "neutral", "agent", 2), ("agent_ended", "neutral", "agent", 2),
    ("session_started", "neutral", "agent", 1), ("subagent_spawned", "neutral", "agent", 1),
    ("agent_finished", "positive", "agent", 1), ("code_pushed", "neutral", "gh", 6), ("pr_opened", "neutral", "gh", 3),
    ("pr_merged", "positive", "gh", 2), ("pr_review_submitted", "neutral", "gh", 3),
    ("issue_commented", "neutral", "gh", 3), ("workflow_run_completed", "neutral", "gh", 3),
    ("check_run_completed", "neutral", "gh", 2),
]
LOGINS = ["octocat", "maintainer-bot", "dependabot[bot]", "hubot", "mona-lisa", "zoe-dupont", "jgross",
          "yamada-taro", "renovate[bot]", "github-actions[bot]"]
AGENTS = ["agent:research-01", "agent:code-assistant", "agent:billing-copilot", "openclaw:gw-eu-1", None, None]
TOOLS = ["web_search", "read_file", "write_file", "run_python", "sql_query", "http_get", "send_email",
         "calendar.create", "vector_search", "shell", "browser.click", "translate"]
MCP_SERVERS = ["github", "filesystem", "postgres", "slack", "linear", "brave-search"]
MODELS = ["gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022", "llama-3.1-70b-instruct", "mistral-large-2411"]
TEXTS = [
    "Looking up the order status for the customer.",
    "Found 3 matching documents; summarizing the most relevant one.",
    "Retrying after a 429 from the upstream API.",
    "Je vérifie la disponibilité des vols pour Genève.",
    "Die Rechnung wurde erfolgreich erstellt.",
    "Пользователь просит вернуть деньги за заказ №48213.",
    "会議を来週の火曜日に変更しました。",
    "正在查询订单状态，请稍候。",
    "تم تحديث عنوان الشحن بنجاح.",
    "요청하신 파일을 찾을 수 없습니다.",
    "Tool returned an empty result set\nfalling back to web search.",
    "Parsed the CSV: columns=\"id\",\"amount\"; 1,204 rows.",
    "Path C:\\Users\\agent\\q3.xlsx is not readable.",
]
EMOJI = ["🚀", "✅", "⚠️", "🔍", "🎉"]
QUERIES = ["weather in Paris tomorrow", "refund policy for damaged items", "東京 ホテル 安い", "курс евро к рублю",
           "RFC 8785 number serialization", "best pizza near 94107"]
COMMITS = ["Fix off-by-one in the retry loop", "Bump serde from 1.0.196 to 1.0.197", "Add Grüße to the i18n table",
           "docs: 更新 README", "refactor: split the parser", "ci: cache the toolchain"]
REPOS = ["acme/prova", "acme/gateway", "octo-org/hello-world", "zoë/café-menu", "acme/infra"]
CONCLUSIONS = ["success", "success", "success", "failure", "cancelled", "skipped"]


def uuid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 + (int(h[16], 16) & 3), h[17:20], h[20:32])


def text(rng):
    t = rng.choice(TEXTS)
    return t + " " + rng.choice(EMOJI) if rng.random() < 0.1 else t


def tool_args(rng, tool):
    if tool in ("web_search", "vector_search"):
        return {"query": rng.choice(QUERIES), "top_k": rng.randint(3, 50),
                "filters": {"lang": rng.choice(["en", "fr", "ja", "ru"]), "since": "2026-03-0%d" % rng.randint(1, 9)}}
    if tool in ("read_file", "write_file"):
        return {"path": "/srv/data/%s/%d.json" % (rng.choice(["prod", "eval", "tmp"]), rng.randint(1, 99999)),
                "encoding": "utf-8", "max_bytes": rng.randint(1, 1 << 20)}
    if tool == "sql_query":
        return {"sql": "SELECT id, amount FROM invoices WHERE customer_id = $1", "params": [rng.randint(1, 10**7)],
                "timeout_ms": rng.randint(1000, 30000)}
    if tool == "run_python":
        return {"code": "import json\nprint(json.dumps({\"x\": %d}))" % rng.randint(0, 999), "timeout_s": 30}
    if tool == "send_email":
        return {"to": ["%s@example.com" % uuid(rng)[:8]], "subject": rng.choice(TEXTS)[:32], "cc": []}
    return {"url": "https://api.example.com/v2/items/%d" % rng.randint(1, 10**6), "retry": rng.random() < 0.3,
            "options": {"page": rng.randint(1, 9), "verbose": False}}


def payload(rng, etype, seq):
    p = payload_body(rng, etype, seq)
    if etype.startswith(("tool_", "mcp_", "agent_", "session_", "subagent_", "assistant_")):
        p["sessionKey"] = "agent:main:%d" % (seq // 500)
        p["traceId"] = "%032x" % rng.getrandbits(128)
    else:
        p["repository"] = {"full_name": rng.choice(REPOS), "private": rng.random() < 0.4,
                           "default_branch": "main"}
    return p


def payload_body(rng, etype, seq):
    call_id = "call_%012x" % rng.getrandbits(48)
    if etype in ("tool_started", "tool_completed", "tool_failed"):
        tool = rng.choice(TOOLS)
        if etype == "tool_started":
            return {"phase": "start", "name": tool, "toolCallId": call_id, "args": tool_args(rng, tool),
                    "runId": "run-%d" % (seq // 40)}
        p = {"phase": "result", "name": tool, "toolCallId": call_id, "isError": etype == "tool_failed",
             "durationMs": rng.randint(3, 9000), "result": "[%d chars]" % rng.randint(0, 50000)}
        if etype == "tool_failed":
            p["error"] = {"code": rng.choice([400, 404, 429, 500, 503]), "message": text(rng)}
        else:
            p["argHints"] = sorted(tool_args(rng, tool))
        return p
    if etype in ("mcp_tool_call", "mcp_tool_error", "mcp_tool_batch"):
        tool = rng.choice(TOOLS)
        p = {"server": rng.choice(MCP_SERVERS), "tool": tool, "request_id": rng.randint(1, 10**9),
             "arguments": tool_args(rng, tool), "latency_ms": rng.randint(1, 4000)}
        if etype == "mcp_tool_error":
            p["error"] = {"code": -32000 - rng.randint(0, 99), "message": text(rng)}
        if etype == "mcp_tool_batch":
            p["calls"] = [rng.choice(TOOLS) for _ in range(rng.randint(2, 5))]
        return p
    if etype == "assistant_message":
        return {"text": text(rng), "model": rng.choice(MODELS),
                "usage": {"input_tokens": rng.randint(50, 120000), "output_tokens": rng.randint(1, 4000)},
                "stopReason": rng.choice(["end_turn", "tool_use", "max_tokens"])}
    if etype in ("agent_started", "agent_ended", "agent_finished", "session_started", "subagent_spawned",
                 "mcp_session_start"):
        return {"phase": etype.split("_")[-1], "agentId": rng.choice(AGENTS[:4]), "model": rng.choice(MODELS),
                "sessionId": uuid(rng), "messageCount": rng.randint(0, 400), "resumedFrom": None}
    if etype == "code_pushed":
        return {"ref": "refs/heads/" + rng.choice(["main", "dev", "feature/oe-v2"]), "commits": rng.randint(1, 12),
                "head_sha": "%040x" % rng.getrandbits(160), "message": rng.choice(COMMITS), "forced": False}
    if etype in ("pr_opened", "pr_merged", "pr_review_submitted"):
        p = {"pr_number": rng.randint(1, 9999), "title": rng.choice(COMMITS), "base": "main",
             "additions": rng.randint(0, 3000), "deletions": rng.randint(0, 900)}
        if etype == "pr_merged":
            p["merge_sha"] = "%040x" % rng.getrandbits(160)
        elif etype == "pr_review_submitted":
            p["state"] = rng.choice(["approved", "changes_requested", "commented"])
            p["body"] = text(rng)
        return p
    if etype == "issue_commented":
        return {"issue_number": rng.randint(1, 9999), "comment_id": rng.randint(10**8, 10**10), "body": text(rng),
                "labels": rng.sample(["bug", "p1", "oe", "good first issue", "デザイン"], 2)}
    return {"workflow": rng.choice(["ci.yml", "release.yml", "nightly.yml"]), "run_id": rng.randint(10**9, 10**10),
            "conclusion": rng.choice(CONCLUSIONS), "duration_ms": rng.randint(1000, 3600000),
            "head_branch": "main", "attempt": rng.randint(1, 3)}


_day_cache = {}


def ymdhms(sec):
    day, rem = divmod(sec, 86400)
    d = _day_cache.get(day)
    if d is None:
        d = _day_cache[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    h, rem = divmod(rem, 3600)
    return "%s%02d:%02d:%02d" % (d, h, rem // 60, rem % 60)


def created_at(rng, t_us):
    """(created_at as stored, the hash input timestamp). t_us: microseconds since the epoch."""
    sec, us = divmod(t_us, 1_000_000)
    norm = "%s.%03dZ" % (ymdhms(sec), us // 1000)
    r = rng.random()
    if r < 0.80:
        return norm, norm
    if r < 0.90:
        return "%s.%06dZ" % (ymdhms(sec), us), norm
    off_min = rng.choice([540, 540, 540, -420, 0])
    frac = "%06d" % us if r < 0.93 else "%03d" % (us // 1000)
    sign = "+" if off_min >= 0 else "-"
    return "%s.%s%s%02d:%02d" % (ymdhms(sec + off_min * 60), frac, sign, abs(off_min) // 60, abs(off_min) % 60), norm


def canonical(obj):
    # RFC 8785 for these inputs: see the module docstring.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(hname, seq, event_type, actor_id, timestamp, pl, prev_hash):
    return hashlib.new(hname, canonical({"seq": seq, "event_type": event_type, "actor_id": actor_id or "system",
                                         "timestamp": timestamp, "payload": pl, "prev_hash": prev_hash})).hexdigest()


def normalize(created):
    """created_at (ISO 8601 with an offset) as YYYY-MM-DDTHH:MM:SS.sssZ in UTC, truncated to ms (for --selftest)."""
    dt = datetime.fromisoformat(created).astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def events(n, hname, rng):
    """Yields (event dict, hash-input timestamp) for seq 1..n."""
    chain_id = uuid(rng)
    prev = "0" * (2 * hashlib.new(hname).digest_size)
    choices = [t for t in TYPES for _ in range(t[3])]
    t_us = START_US
    for seq in range(1, n + 1):
        etype, sentiment, kind, _ = rng.choice(choices)
        actor = rng.choice(LOGINS) if kind == "gh" else rng.choice(AGENTS)
        t_us += rng.randint(1000, 2_000_000)
        created, norm = created_at(rng, t_us)
        pl = payload(rng, etype, seq)
        h = event_hash(hname, seq, etype, actor, norm, pl, prev)
        yield {"id": uuid(rng), "chain_id": chain_id, "seq": seq, "event_type": etype, "actor_id": actor,
               "sentiment": sentiment, "payload": pl, "created_at": created, "prev_hash": prev, "event_hash": h}, norm
        prev = h


def generate(n, path, alg):
    hname = ALGS[alg]
    rng = random.Random(SEED)
    chain = hashlib.new(hname)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        batch = []
        for ev, _ in events(n, hname, rng):
            chain.update(ev["event_hash"].encode("ascii"))
            batch.append(json.dumps(ev, ensure_ascii=False, separators=(",", ":")))
            if len(batch) == 4096:
                f.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            f.write("\n".join(batch) + "\n")
    os.replace(tmp, path)
    with open(path + ".chainhash", "w") as f:
        f.write(chain.hexdigest() + "\n")
    return chain.hexdigest()


def selftest():
    spec = [(1, "code_pushed", "octocat", "2026-03-20T10:00:00.000Z", {"ref": "refs/heads/main", "commits": 1}),
            (2, "pr_opened", "octocat", "2026-03-20T10:30:00.000Z", {"pr_number": 42, "title": "Fix bug"}),
            (3, "pr_merged", "maintainer-bot", "2026-03-20T11:00:00.000Z", {"pr_number": 42, "merge_sha": "abc123"})]
    vectors = {  # reference §6.1: (e1, chain hash)
        "sha256": ("69a5e334f88b67ff0c7caa9226349e2410efa8944ee80fc60a25e60b851a1b0b",
                   "d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd"),
        "sha384": ("235e00261ec3cfb5a3bdf96806a740c329aa9d59b4ca6365ec814c618e3a68fa626a1b9a4293d01ee2498cfa12622304",
                   "df08d4087ae41a270ffc109b9a64bd2c9f0f40c370b3f1d2b9725890b8ad4cd4c38250997e0761b37e2bb6e61c16c25d"),
        "sha512": ("9f36637da9c20aabaf93f97804c1cba578b62a72dd618329b1f535fbf5ee5e417867476463f3760e6a4af8eaced61a2d"
                   "f67d8ec2537b0727d4713c9524cccc5c",
                   "8dd42312cd5eed69514ed37e3d1cff2e10b1974902a6f3317213d015dd2c1403c113369ad518d18bb0fc3b8e725e1468"
                   "310b757ac5022fab1e9abbb92dbc68d5"),
        "sha3-256": ("ad59c852067e01adf2a6b1f6af92d2eefc564e989c9f9b6efc55113eaf136481",
                     "e2fb5d20b8813f8d09feacf884da16558b448706dc69c8476649670a53afaec4"),
        "sha3-384": ("0195d11236f4a318311a37c99356db17b8e3ba4f94e7f1001059870884111c47f5f5282cbb9bcf07d4a252cce29ad03d",
                     "ec55bcc8c79cf35a05adcf3cf272d7b877784db993adedb298abc18adfd7a290be7214e3712f5af4888b7a86a821d4a7"),
        "sha3-512": ("ec45c2c4b795fc6ecb8ba46b4ea71c746fd50f77acebc7c52d9923685aaa5646df481cf73b51105f06d49c0439ab0168"
                     "b156ab45e87d7bc9161bd1341516b153",
                     "804a8e0b78f51d7cdd9440585048201413c0848dd2ad7e6084d18f4c78f7223c40e26febe9a2eb8216a5c0c778fe0a2b"
                     "2b91dd3aea61a6d29cbc0613b410dca9"),
    }
    bad = 0
    for alg, (e1, chain_hex) in vectors.items():
        hname = ALGS[alg]
        prev = "0" * (2 * hashlib.new(hname).digest_size)
        hashes = []
        for seq, etype, actor, ts, pl in spec:
            prev = event_hash(hname, seq, etype, actor, normalize(ts), pl, prev)
            hashes.append(prev)
        chain = hashlib.new(hname, "".join(hashes).encode("ascii")).hexdigest()
        ok = hashes[0] == e1 and chain == chain_hex
        bad += not ok
        print("selftest §6.1 %-8s e1 %s chain %s" % (alg, "ok" if hashes[0] == e1 else "MISMATCH",
                                                     "ok" if chain == chain_hex else "MISMATCH"))
    h = event_hash("sha256", 1, "session_started", None, normalize("2026-03-20T19:00:00.123456+09:00"), {}, "0" * 64)
    ok = h == "f84da9d77d02554fd3272af808f9c152981feaa6f57245e82503bc35d976ac1d"
    bad += not ok
    print("selftest §6.2 sha256   null actor, +09:00 with microseconds: %s" % ("ok" if ok else "MISMATCH"))
    mism = 0
    forms = set()
    for ev, norm in events(20000, "sha256", random.Random(SEED)):
        mism += normalize(ev["created_at"]) != norm
        c = ev["created_at"]
        forms.add((len(c), c[-1] == "Z"))
    bad += mism > 0
    print("selftest created_at forms (%d kinds) normalize to the hashed timestamp: %s" % (
        len(forms), "ok" if mism == 0 else "%d MISMATCHES" % mism))
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if a == ["--selftest"]:
        return selftest()
    alg = "sha256"
    if len(a) == 4 and a[2] == "--hash-alg":
        alg = a[3]
        a = a[:2]
    if len(a) != 2 or alg not in ALGS or not a[0].isdigit():
        sys.stderr.write(__doc__)
        return 2
    n = int(a[0])
    t0 = time.perf_counter()
    chain = generate(n, a[1], alg)
    print("gen_oe: %s: %d events, %d bytes, %s, chain_hash=%s (%.1f s)" % (
        a[1], n, os.path.getsize(a[1]), alg, chain, time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
