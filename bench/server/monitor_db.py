#!/usr/bin/env python3
"""Bench-only writes to row_monitor's SQLite database (bench/run), next to the running server (WAL mode):

    monitor_db.py DB insert DOMAINS_TSV SKIP_FILE   adds the domains of DOMAINS_TSV not named in SKIP_FILE as
                                                    Pending rows, not yet due (NextCheckAt NULL)
    monitor_db.py DB due                            makes every domain due now; prints the time written (UTC, the
                                                    server's format), the start of the sweep
    monitor_db.py DB count                          prints: domains, Verified domains
    monitor_db.py DB sweep SINCE                    prints JSON: domains checked since SINCE, check runs, passed,
                                                    first and last check time (seconds after SINCE)

Why: creating a domain through the API republishes the whole provider zone, so 10,000 creates cost minutes
(docs/benchmarks.md); the row creates one domain per institution through the API (keys, zone, a create's cost at
full size) and inserts the rest here. Audit entries of inserted domains are left out; nothing reads them here.
"""
import datetime
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1], timeout=30)
cmd = sys.argv[2]


def fmt(t):
    # EF Core's SQLite text form of DateTime: 7 fractional digits; the server compares these strings.
    return t.strftime("%Y-%m-%d %H:%M:%S.%f") + "0"


def parse(s):
    return datetime.datetime.strptime(s[:26], "%Y-%m-%d %H:%M:%S.%f")


if cmd == "insert":
    skip = {line.strip() for line in open(sys.argv[4]) if line.strip()}
    ids = dict(db.execute("SELECT Code, Id FROM Institutions"))
    now = fmt(datetime.datetime.now(datetime.UTC).replace(tzinfo=None))
    rows = [(ids[code], name, now) for code, name in (l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if l.strip())
            if name not in skip]
    with db:
        db.executemany("INSERT INTO Domains (InstitutionId, Name, State, SigningEnabled, CustomMailFrom, CreatedAt, Version, "
                       "IncompleteChecks, SigningSuspended) VALUES (?, ?, 'Pending', 0, 0, ?, 1, 0, 0)", rows)
    print(len(rows))
elif cmd == "due":
    now = fmt(datetime.datetime.now(datetime.UTC).replace(tzinfo=None))
    with db:
        db.execute("UPDATE Domains SET NextCheckAt = ?", (now,))
    print(now)
elif cmd == "count":
    print(*db.execute("SELECT count(*), sum(State = 'Verified') FROM Domains").fetchone())
elif cmd == "sweep":
    since = sys.argv[3]
    n, runs, passed, first, last = db.execute(
        "SELECT count(DISTINCT DomainId), count(*), sum(Passed), min(At), max(At) FROM CheckRuns WHERE At >= ?", (since,)).fetchone()
    t0 = parse(since)
    print(json.dumps({"domains": n, "runs": runs, "passed": passed or 0,
                      "first_s": (parse(first) - t0).total_seconds() if first else None,
                      "last_s": (parse(last) - t0).total_seconds() if last else None}))
