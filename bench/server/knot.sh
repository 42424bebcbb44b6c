#!/usr/bin/env bash
# A private Knot DNS server for the bench rows row_server and row_monitor (bench/run), serving the zones in this folder
# (*.zone) on a free loopback port. The same approach as tests/servers/knot/start.sh, with the bench's own zones.
#   knot.sh start DIR [ZONEDIR]  starts it; prints 127.0.0.1:PORT on stdout (everything else on stderr). With
#                                ZONEDIR it serves ZONEDIR/*.zone instead (row_monitor's generated zones) and
#                                counts queries (mod-stats: `knotc -s DIR/k.sock stats mod-stats`)
#   knot.sh stop DIR             stops the one started in DIR (by its pidfile)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
cmd="${1:?usage: knot.sh start|stop DIR}"
dir="$(readlink -f "${2:?usage: knot.sh start|stop DIR}")"
. "$here/../../scripts/deps.sh"

stop() {
  [ -f "$dir/knot.pid" ] || return 0
  local pid; pid="$(cat "$dir/knot.pid")"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

case "$cmd" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: knot.sh start|stop DIR" >&2; exit 2 ;;
esac

zonedir="$here"
stats=""
statsmod=""
if [ -n "${3:-}" ]; then
  zonedir="$(readlink -f "$3")"
  # Only for generated zones: the other rows keep the exact configuration they were measured with.
  stats=$'mod-stats:\n  - id: default\n    request-protocol: on\n    query-type: on\n'
  statsmod=$'\n    global-module: mod-stats/default'
fi

exec 3>&1 1>&2
mkdir -p "$dir/zones" "$dir/db"
cp "$zonedir"/*.zone "$dir/zones/"
port="$(free_port)"
[ -n "$port" ] || { echo "knot: no free port" >&2; exit 1; }
sock="$dir/k.sock"
[ ${#sock} -lt 100 ] || { echo "knot: control socket path too long: $sock" >&2; exit 1; }
zones=""
first=""
for f in "$zonedir"/*.zone; do
  z="$(basename "$f" .zone)"
  first="${first:-$z}"
  zones+="  - domain: $z"$'\n'
done

cat >"$dir/knot.conf" <<CONF
server:
  rundir: "$dir"
  pidfile: "$dir/knot.pid"
  user: $(id -un):$(id -gn)
  listen: 127.0.0.1@$port
control:
  listen: "$sock"
database:
  storage: "$dir/db"
log:
  - target: "$dir/knot.log"
    any: info
${stats}template:
  - id: default
    storage: "$dir/zones"${statsmod}
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
zone:
$zones
CONF

# fd 3 is the caller's stdout: the daemon must not hold it open, or the caller waits forever.
knotd -c "$dir/knot.conf" -d 3>&-
for _ in $(seq 1 100); do
  if kdig @127.0.0.1 -p "$port" +short +timeout=1 +retry=0 SOA "$first" 2>/dev/null | grep -q hostmaster; then
    echo "127.0.0.1:$port" >&3
    exit 0
  fi
  sleep 0.1
done
echo "knot: server did not answer on port $port; log:" >&2
cat "$dir/knot.log" >&2 || true
stop
exit 1
