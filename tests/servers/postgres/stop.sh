#!/usr/bin/env bash
# Stops the PostgreSQL cluster start.sh started in DIR (only that one: by the folder DIR/pg.base names) and
# removes its folder.
set -uo pipefail
dir="${1:?usage: stop.sh DIR}"
[ -f "$dir/pg.base" ] || exit 0
base="$(cat "$dir/pg.base")"
case "$base" in
  /tmp/sa-pg.*|"$dir/pg") ;;
  *) echo "postgres: refusing to remove unexpected folder: $base" >&2; exit 1 ;;
esac
data="$base/data"

if [ -f "$data/postmaster.pid" ]; then
  pid="$(head -n 1 "$data/postmaster.pid")"
  pg_ctl="$(ls -d /usr/lib/postgresql/"$(cat "$data/PG_VERSION" 2>/dev/null)"/bin/pg_ctl 2>/dev/null || true)"
  if [ -n "$pg_ctl" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      (cd "$base" && runuser -u "$(stat -c %U "$data")" -- "$pg_ctl" -D "$data" -m fast -w -t 30 stop) >&2
    else
      (cd "$base" && "$pg_ctl" -D "$data" -m fast -w -t 30 stop) >&2
    fi
  fi
  # Whatever pg_ctl could not do: immediate shutdown, then kill.
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -QUIT "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
rm -rf "$base" "$dir/pg.base"
exit 0
