#!/usr/bin/python3
"""Deterministic benchmark corpora for `make bench` (stdlib only; run with Debian's /usr/bin/python3).

    gen_corpus.py OUT_DIR

writes
  OUT_DIR/traces.json   (a) ~100 MB, one compact JSON document {"traces":[...]} of agent traces: uuids, event
                        types, tool names, ms timestamps, counts, latencies and scores (floats), nested tool args,
                        messages and user names in several scripts with an emoji now and then, a few escapes;
                        keys in a shuffled (unsorted) order in every object so canonicalization has to sort.
  OUT_DIR/numbers.json  (b) ~20 MB, compact {"series":[...]}: arrays of floats with 15-17 significant digits (over a
                        wide exponent range) and arrays of integers (mostly |n| < 2**53, a few up to 2**63).

Both files are compact (no whitespace; separators "," and ":"), written with ensure_ascii=False (raw UTF-8), so
MB/s is measured on the densest form of the same data. The same seed always gives the same bytes.
"""
import json
import os
import random
import sys

TRACES_BYTES = 100_000_000
NUMBERS_BYTES = 20_000_000

EVENT_TYPES = ["llm_call", "tool_call", "tool_result", "message", "retrieval", "handoff", "error", "guardrail"]
TOOLS = ["web_search", "read_file", "write_file", "run_python", "sql_query", "http_get", "send_email",
         "calendar.create", "vector_search", "shell", "browser.click", "translate"]
MODELS = ["gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022", "llama-3.1-70b-instruct", "mistral-large-2411"]
AGENTS = ["support-bot", "research-agent", "code-assistant", "billing-copilot", "travel-planner"]
STATUSES = ["ok", "ok", "ok", "ok", "error", "timeout", "cancelled"]
LOCALES = ["en-US", "fr-FR", "de-DE", "ru-RU", "ja-JP", "zh-CN", "ar-EG", "hi-IN", "ko-KR", "el-GR", "es-MX"]

NAMES = ["Alice Martin", "Bob Chen", "Zoë Dupont", "Jürgen Groß", "Søren Kierkegård", "Łukasz Żółć",
         "Анна Иванова", "Дмитрий Смирнов", "Γιώργος Παπαδόπουλος", "山田 太郎", "佐藤 花子", "王小明", "李娜",
         "محمد علي", "فاطمة الزهراء", "राहुल शर्मा", "प्रिया पटेल", "김민준", "이서연", "José Ñúñez",
         "François Lefèvre", "Çağrı Yılmaz", "Nguyễn Văn An", "שרה כהן"]

MESSAGES = [
    "Looking up the order status for the customer.",
    "The user asked to reschedule the meeting to next Tuesday at 10:00.",
    "Found 3 matching documents; summarizing the most relevant one.",
    "Retrying after a 429 from the upstream API.",
    "Je vérifie la disponibilité des vols pour Genève.",
    "Die Rechnung wurde erfolgreich erstellt und per E-Mail verschickt.",
    "Пользователь просит вернуть деньги за заказ №48213.",
    "Η παραγγελία σας έχει αποσταλεί.",
    "会議を来週の火曜日に変更しました。",
    "正在查询订单状态，请稍候。",
    "تم تحديث عنوان الشحن بنجاح.",
    "आपका टिकट बुक हो गया है।",
    "요청하신 파일을 찾을 수 없습니다.",
    "¿Puedo ayudarte con algo más?",
    "Tool returned an empty result set\nfalling back to web search.",
    "Parsed the CSV: columns=\"id\",\"name\",\"amount\"; 1,204 rows.",
    "Path C:\\Users\\agent\\reports\\q3.xlsx is not readable.",
    "Summary:\n\t- 2 invoices overdue\n\t- 1 dispute open",
]
EMOJI = ["🚀", "✅", "⚠️", "🙂", "🔍", "📎", "🎉", "❌"]
TAGS = ["prod", "staging", "eval", "vip", "beta", "eu-west-1", "us-east-2", "pii-redacted", "long-context"]
QUERIES = ["weather in Paris tomorrow", "refund policy for damaged items", "SELECT * FROM orders WHERE id = ?",
           "東京 ホテル 安い", "курс евро к рублю", "best pizza near 94107", "python json canonical form",
           "وصفة الكشري", "RFC 8785 number serialization"]
FIELDS = ["amount", "currency", "customer_id", "sku", "priority", "region", "quantity", "due_date"]


def uuid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 + (int(h[16], 16) & 3), h[17:20], h[20:32])


def shuffled(rng, items):
    """A dict whose keys are in a random (almost never sorted) insertion order."""
    rng.shuffle(items)
    return dict(items)


def message(rng):
    m = rng.choice(MESSAGES)
    if rng.random() < 0.05:
        m += " " + rng.choice(EMOJI)
    if rng.random() < 0.002:
        m += " \x07bell\x1f"  # a rare control character, escaped as \u00XX by every profile
    return m


def tool_args(rng, tool, ts):
    r = rng.random()
    if tool in ("web_search", "vector_search"):
        items = [("query", rng.choice(QUERIES)), ("top_k", rng.randint(3, 50)),
                 ("filters", shuffled(rng, [("lang", rng.choice(LOCALES)), ("since_ms", ts - rng.randint(0, 10**9)),
                                            ("min_score", round(rng.random(), 2))]))]
    elif tool in ("read_file", "write_file"):
        items = [("path", "/srv/data/%s/%d.json" % (rng.choice(TAGS), rng.randint(1, 99999))),
                 ("encoding", "utf-8"), ("max_bytes", rng.randint(1, 1 << 20))]
        if tool == "write_file":
            items.append(("content", message(rng)))
    elif tool == "sql_query":
        items = [("sql", "SELECT id, amount FROM invoices WHERE customer_id = $1 AND created_at > $2"),
                 ("params", [rng.randint(1, 10**7), ts - 86400000]), ("timeout_s", round(rng.uniform(1, 30), 1))]
    elif tool == "run_python":
        items = [("code", "import json\nprint(json.dumps({\"x\": %d}))\n" % rng.randint(0, 999)),
                 ("timeout_s", 30), ("env", shuffled(rng, [("PYTHONHASHSEED", "0"), ("LANG", "C.UTF-8")]))]
    elif tool == "send_email":
        items = [("to", ["%s@example.com" % uuid(rng)[:8]]), ("subject", rng.choice(MESSAGES)[:40]),
                 ("body", message(rng)), ("cc", [])]
    else:
        items = [(rng.choice(FIELDS), rng.randint(-1000, 100000)), ("url", "https://api.example.com/v2/items/%d" %
                                                                   rng.randint(1, 10**6)),
                 ("retry", rng.random() < 0.3), ("options", shuffled(rng, [("verbose", False), ("page", rng.randint(1, 9)),
                                                                            ("sort", rng.choice(FIELDS))]))]
    if r < 0.01:
        # Non-ASCII keys: a fullwidth (BMP, above the surrogates) and an astral one sort differently under
        # code point order (ope, ophamin) and UTF-16 order (jcs).
        items += [("ｎａｍｅ", rng.choice(NAMES)), ("🔑", uuid(rng)[:13]), ("名前", rng.choice(NAMES))]
    return shuffled(rng, items)


def event(rng, seq, ts, parent):
    etype = rng.choice(EVENT_TYPES)
    items = [("event_id", uuid(rng)), ("type", etype), ("ts", ts), ("seq", seq), ("parent_id", parent),
             ("latency_ms", round(rng.uniform(0.05, 4000.0), 3)), ("ok", rng.random() > 0.05)]
    if etype in ("tool_call", "tool_result"):
        tool = rng.choice(TOOLS)
        items.append(("tool", tool))
        items.append(("args", tool_args(rng, tool, ts)))
    if etype == "llm_call":
        items += [("model", rng.choice(MODELS)), ("tokens_in", rng.randint(50, 120000)),
                  ("tokens_out", rng.randint(1, 4000)), ("temperature", rng.choice([0.0, 0.2, 0.7, 1.0])),
                  ("score", rng.random())]
        if rng.random() < 0.2:
            items.append(("logprobs", [round(-rng.expovariate(3.0), 4) for _ in range(rng.randint(2, 6))]))
    if etype in ("message", "handoff", "error", "guardrail") or rng.random() < 0.3:
        items.append(("message", message(rng)))
    if etype == "retrieval":
        items.append(("hits", [shuffled(rng, [("doc_id", uuid(rng)), ("score", rng.random()),
                                              ("chunk", rng.randint(0, 400))]) for _ in range(rng.randint(1, 4))]))
    if etype == "error":
        items.append(("error", shuffled(rng, [("code", rng.choice([400, 404, 429, 500, 503])),
                                              ("retryable", rng.random() < 0.5),
                                              ("detail", rng.choice(MESSAGES))])))
    if rng.random() < 0.1:
        items.append(("cost_usd", round(rng.uniform(0.000001, 0.0009), 7)))  # 1e-05-style under Python repr
    return shuffled(rng, items)


def trace(rng, n):
    ts = 1_700_000_000_000 + rng.randint(0, 60 * 86400 * 1000)
    start = ts
    events = []
    parent = None
    for seq in range(rng.randint(3, 18)):
        ts += rng.randint(1, 5000)
        e = event(rng, seq, ts, parent)
        parent = e["event_id"] if rng.random() < 0.5 else parent
        events.append(e)
    user = shuffled(rng, [("id", "u_%06d" % rng.randint(0, 999999)), ("name", rng.choice(NAMES)),
                          ("locale", rng.choice(LOCALES))])
    agent = shuffled(rng, [("name", rng.choice(AGENTS)), ("version", "%d.%d.%d" % (rng.randint(0, 3),
                                                                                   rng.randint(0, 20),
                                                                                   rng.randint(0, 99))),
                           ("model", rng.choice(MODELS))])
    metrics = shuffled(rng, [("events", len(events)), ("tokens_total", rng.randint(100, 200000)),
                             ("cost_usd", round(rng.uniform(0.0001, 2.5), 6)),
                             ("duration_ms", ts - start), ("p95_latency_ms", round(rng.uniform(1, 9000), 2))])
    return shuffled(rng, [("trace_id", uuid(rng)), ("session_id", uuid(rng)), ("n", n), ("started_at", start),
                          ("ended_at", ts), ("status", rng.choice(STATUSES)), ("user", user), ("agent", agent),
                          ("tags", rng.sample(TAGS, rng.randint(0, 3))), ("metrics", metrics), ("events", events)])


def dumps(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def write_traces(path, target):
    rng = random.Random(20261122)
    tmp = path + ".tmp"
    n = 0
    with open(tmp, "wb") as f:
        size = f.write(b'{"generator":"prova bench/gen_corpus.py","version":1,"traces":[')
        while size < target:
            chunk = ",".join(dumps(trace(rng, n + i)) for i in range(256))
            if n:
                chunk = "," + chunk
            n += 256
            size += f.write(chunk.encode("utf-8"))
        f.write(b"]}")
    os.replace(tmp, path)
    return n


def random_float(rng):
    """A double whose shortest repr has 15-17 significant digits, over a wide exponent range."""
    while True:
        x = rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-30, 30)
        s = repr(x).lstrip("-")
        digits = len(s.split("e")[0].replace(".", "").lstrip("0"))
        if 15 <= digits <= 17:
            return x


def random_int(rng):
    r = rng.random()
    if r < 0.9:
        return rng.randint(-(2 ** 53), 2 ** 53)
    if r < 0.97:
        return rng.randint(0, 10**6)
    return rng.randint(-(2 ** 63), 2 ** 63 - 1)  # beyond 2**53: exact in ope/ophamin, rounded to a double in jcs


def write_numbers(path, target):
    rng = random.Random(8785)
    tmp = path + ".tmp"
    n = 0
    with open(tmp, "wb") as f:
        size = f.write(b'{"series":[')
        while size < target:
            s = {"values": [random_float(rng) for _ in range(1000)], "name": "series-%d" % n,
                 "ints": [random_int(rng) for _ in range(250)], "id": n}
            size += f.write(("," if n else "").encode() + dumps(s).encode("utf-8"))
            n += 1
        f.write(b"]}")
    os.replace(tmp, path)
    return n


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_corpus.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = write_traces(os.path.join(out, "traces.json"), TRACES_BYTES)
    print("gen_corpus: traces.json: %d traces, %d bytes" % (n, os.path.getsize(os.path.join(out, "traces.json"))))
    n = write_numbers(os.path.join(out, "numbers.json"), NUMBERS_BYTES)
    print("gen_corpus: numbers.json: %d series, %d bytes" % (n, os.path.getsize(os.path.join(out, "numbers.json"))))


if __name__ == "__main__":
    main()
