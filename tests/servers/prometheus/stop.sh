#!/usr/bin/env bash
# Stops the Prometheus that start.sh started in DIR (only that one: by its pid file) and leaves DIR to its owner.
set -uo pipefail
dir="${1:?usage: stop.sh DIR}"
pidfile="$dir/prometheus.pid"
[ -f "$pidfile" ] || exit 0
pid="$(cat "$pidfile")"
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
exit 0
