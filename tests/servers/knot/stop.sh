#!/usr/bin/env bash
# Stops the Knot server start.sh started in DIR (only that one: by its pidfile).
set -uo pipefail
dir="${1:?usage: stop.sh DIR}"
pidfile="$dir/knot.pid"
[ -f "$pidfile" ] || exit 0
pid="$(cat "$pidfile")"
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 50); do
  kill -0 "$pid" 2>/dev/null || exit 0
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
