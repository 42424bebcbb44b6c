#!/usr/bin/env python3
"""Onboards row_monitor's domains through the server's API (bench/run row_monitor): creates the institutions,
then every domain (POST /institutions/{code}/domains), then enables signing on each (POST …/signing), with a few
keep-alive connections in parallel. Prints one JSON object: seconds per phase, and the create time of each
successive block of 1,000 domains (creating a domain republishes the whole provider zone, so a create's cost
grows with the domains already there).

    onboard.py API OPERATOR_KEY DOMAINS_TSV [--signing] [--skip-institutions] [--workers N]
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

api, key, tsv = sys.argv[1], sys.argv[2], sys.argv[3]
signing = "--signing" in sys.argv
workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 4
url = urllib.parse.urlsplit(api)
pairs = [line.rstrip("\n").split("\t") for line in open(tsv) if line.strip()]


retries = [0]
CONFLICT = b"changed by another request at the same time"


class Conflict(RuntimeError):
    pass


def call(conn, method, path, body=None):
    """The API call; retries (up to 20 times) the 409 the server answers when two writers met (the monitor's
    checks write the same rows as onboarding): the API asks for that retry, and the row counts them."""
    for attempt in range(20):
        try:
            return call_once(conn, method, path, body, attempt)
        except Conflict:
            retries[0] += 1
            time.sleep(0.05 * (attempt + 1))
    raise RuntimeError(f"{method} {path}: still 409 after 20 retries")


def call_once(conn, method, path, body, attempt):
    conn.request(method, "/api/v1" + path, body=json.dumps(body) if body is not None else None,
                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status == 409 and CONFLICT in data:
        raise Conflict()
    # The create committed before the step that met the other writer (the zone publish): it stands.
    if r.status == 409 and attempt > 0 and b"is already registered" in data:
        return None
    if r.status // 100 != 2:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None


def run(items, fn):
    """fn(conn, item) over items with `workers` connections; the first failure stops the run."""
    lock, it, errors = threading.Lock(), iter(items), []

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        while not errors:
            with lock:
                item = next(it, None)
            if item is None:
                return
            try:
                fn(conn, item)
            except Exception as e:  # reported below, and the whole row fails
                errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


out = {"domains": len(pairs), "workers": workers}
t0 = time.monotonic()
if "--skip-institutions" not in sys.argv:
    run(sorted({c for c, _ in pairs}), lambda conn, c: call(conn, "POST", "/institutions", {"code": c, "name": f"Bench {c}"}))
    out["institutions_s"] = round(time.monotonic() - t0, 2)

blocks, block_start, done = [], time.monotonic(), [0]
progress = threading.Lock()


def create(conn, pair):
    call(conn, "POST", f"/institutions/{pair[0]}/domains", {"name": pair[1]})
    with progress:
        done[0] += 1
        if done[0] % 1000 == 0:
            global block_start
            now = time.monotonic()
            blocks.append(round(now - block_start, 2))
            block_start = now
            print(f"    created {done[0]} domains ({blocks[-1]} s for the last 1,000)", file=sys.stderr, flush=True)


t1 = time.monotonic()
run(pairs, create)
out["create_s"] = round(time.monotonic() - t1, 2)
out["create_s_per_1000"] = blocks

if signing:
    def enable(conn, pair):
        r = call(conn, "POST", f"/institutions/{pair[0]}/domains/{pair[1]}/signing", {"enabled": True})
        if not r.get("signingEnabled"):
            raise RuntimeError(f"signing not enabled on {pair[1]}: {r}")
    t2 = time.monotonic()
    run(pairs, enable)
    out["signing_s"] = round(time.monotonic() - t2, 2)
out["conflict_retries"] = retries[0]
print(json.dumps(out))
