#!/usr/bin/python3
"""pyspf peer of `senderauth spf --batch` for bench/run (row_spf_batch): the same JSON lines in, one JSON result a
line out, DNS answered from memory out of the shared policy JSON (as pyspf_bench.py does).

Usage: /usr/bin/python3 pyspf_batch.py --policy FILE < input.jsonl > output.jsonl
Per line: json.loads, spf.query(...).check(), the Received-SPF header (q.get_header, as our line carries
receivedSpf), json.dumps. The work per line is the peer's own; the harness times the whole process, start included.
Run with Debian's /usr/bin/python3: a pyenv python3 first on PATH cannot import python3-spf.
"""
import argparse
import json
import sys

import spf

from pyspf_bench import load_zone, memory_lookup


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", required=True)
    ap.add_argument("--receiver", default="mx.bench.example")
    args = ap.parse_args()
    with open(args.policy, encoding="utf-8") as f:
        load_zone(json.load(f)["records"])
    spf.DNSLookup = memory_lookup
    out = sys.stdout
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            q = spf.query(i=r["ip"], s=r.get("mailFrom") or "", h=r.get("helo") or "", receiver=args.receiver)
            result, _code, explanation = q.check()
            out.write(json.dumps({"line": number, "result": result, "explanation": explanation or None,
                                  "dnsLookups": q.lookups, "receivedSpf": q.get_header(result, args.receiver)}))
        except (ValueError, KeyError) as e:
            out.write(json.dumps({"line": number, "error": str(e)}))
        out.write("\n")


if __name__ == "__main__":
    main()
