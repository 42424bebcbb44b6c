#!/usr/bin/env bash
# Stops the unbound and the Knot server start.sh started in DIR (only those: by their pidfiles).
set -uo pipefail
dir="${1:?usage: stop.sh DIR}"
for pidfile in "$dir/unbound.pid" "$dir/knot.pid"; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
done
exit 0
