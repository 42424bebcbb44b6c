#!/usr/bin/env bash
# Stops the Dovecot that start.sh started in DIR (only that one: by the pid file in the folder DIR/imap.base
# names) and removes its folder (unless a second argument `keep` is given: start.sh retrying on another port).
set -uo pipefail
dir="${1:?usage: stop.sh DIR}"
[ -f "$dir/imap.base" ] || exit 0
base="$(cat "$dir/imap.base")"
case "$base" in
  /tmp/sa-imap.*|"$dir/imap") ;;
  *) echo "dovecot: refusing to touch unexpected folder: $base" >&2; exit 1 ;;
esac
pidfile="$base/run/master.pid"
if [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
[ "${2:-}" = keep ] && exit 0
rm -rf "$base" "$dir/imap.base"
exit 0
