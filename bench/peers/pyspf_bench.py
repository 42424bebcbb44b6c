#!/usr/bin/python3
"""pyspf peer for bench/run: check_host on the shared policy JSON, DNS answered from memory.

Usage: /usr/bin/python3 pyspf_bench.py --policy FILE [--seconds S]
Prints {"what": "spf", "evals_per_s": {case: rate}} like `SenderAuth.Bench --throughput spf`.
Run with Debian's /usr/bin/python3: a pyenv python3 first on PATH cannot import python3-spf.
"""
import argparse
import json
import socket
import sys
import time

import spf

ZONE = {}  # (name, qtype) -> [value], in the shapes pyspf's own DNS back ends yield


def load_zone(records):
    for r in records:
        name, qtype = r["name"].lower(), r["type"]
        if qtype == "TXT":
            # One record = a tuple of character-strings as bytes (pydns shape; pyspf joins them).
            values = [tuple(s.encode("utf-8") for s in r["values"])]
        elif qtype == "MX":
            values = [(r["preference"], v) for v in r["values"]]
        elif qtype == "AAAA":
            values = [socket.inet_pton(socket.AF_INET6, v) for v in r["values"]]
        else:
            values = list(r["values"])
        ZONE.setdefault((name, qtype), []).extend(values)


def memory_lookup(name, qtype, strict=True, timeout=None, level=0):
    """spf.DNSLookup replacement: ((name, type), value) pairs; absent names simply yield nothing."""
    key = (name.rstrip(".").lower(), qtype)
    return [(key, v) for v in ZONE.get(key, ())]


def check(policy, ip):
    q = spf.query(i=ip, s=policy["sender"], h=policy["helo"])
    result, _code, _exp = q.check()
    return result, q.lookups


def run(policy, ip, seconds, batch=64):
    evals = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(batch):
            check(policy, ip)
        evals += batch
    return evals / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", required=True)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    with open(args.policy, encoding="utf-8") as f:
        policy = json.load(f)
    load_zone(policy["records"])
    spf.DNSLookup = memory_lookup
    rates, lookups = {}, {}
    for case in policy["cases"]:
        # Same refusal as the C# side: a peer that disagrees with us is not timed.
        result, n = check(policy, case["ip"])
        if result != case["result"]:
            sys.exit(f"pyspf: case {case['name']}: expected {case['result']}, got {result}")
        lookups[case["name"]] = n
        run(policy, case["ip"], min(1.0, args.seconds / 5))
        rates[case["name"]] = run(policy, case["ip"], args.seconds)
    print(json.dumps({"what": "spf", "peer": "pyspf " + spf.__version__, "seconds_per_case": args.seconds,
                      "evals_per_s": rates, "lookups": lookups}))


if __name__ == "__main__":
    main()
