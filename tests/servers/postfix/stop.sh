#!/usr/bin/env bash
# Stops the private Postfix and its sink started by start.sh in $1.
dir="$(readlink -f "$1")"
[ -f "$dir/etc/main.cf" ] && postfix -c "$dir/etc" stop >/dev/null 2>&1
[ -f "$dir/sink.pid" ] && kill "$(cat "$dir/sink.pid")" 2>/dev/null
exit 0
