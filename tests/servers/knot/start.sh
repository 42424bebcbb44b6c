#!/usr/bin/env bash
# Starts a private Knot DNS server on a free loopback port, serving the fixture zones in zones/.
# The zone dkim.provider.test is the exception: it accepts RFC 2136 UPDATE and AXFR signed with a TSIG key made afresh for
# each run, and keeps its changes in a journal.
# Usage: start.sh DIR [ZONEDIR]. ZONEDIR (bench/run's rows) holds more zones (*.zone) to serve; a file named like a
# fixture replaces it (row_monitor's generated example.zone). SENDERAUTH_KNOT_STATS=on counts queries
# (mod-stats: `knotc -s DIR/k.sock stats mod-stats`), off by default so the tests and the other rows run the
# configuration they were measured with. Prints on stdout (everything else goes to stderr):
#   SENDERAUTH_TEST_DNS=127.0.0.1:PORT
#   SENDERAUTH_TEST_TSIG=hmac-sha256:KEYNAME:BASE64SECRET
#   SENDERAUTH_TEST_DYNZONE=dkim.provider.test
#   SENDERAUTH_TEST_KNOT_CONTROL=DIR/k.sock (knotc -s: what Knot read, `knotc zone-read escapes.test`)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
dir="$(readlink -f "${1:?usage: start.sh DIR [ZONEDIR]}")"
extra="${2:+$(readlink -f "$2")}"
. "$here/../../../scripts/deps.sh"
exec 3>&1 1>&2
dynzone="dkim.provider.test"
# An institution's zone the server onboarding tests publish the records SenderAuth asks for into, by UPDATE.
instzone="onboard.test"
# The provider zone of a server under test that publishes by RFC 2136 (its own zone: the publisher owns every name).
serverzone="ticketing.test"
keyname="senderauth-test"

mkdir -p "$dir/zones" "$dir/db"
cp "$here"/zones/*.zone "$dir/zones/"
[ -z "$extra" ] || cp "$extra"/*.zone "$dir/zones/"
port="$(free_port)"
[ -n "$port" ] || { echo "knot: no free port" >&2; exit 1; }
# Unix socket paths are limited to ~100 characters.
sock="$dir/k.sock"
[ ${#sock} -lt 100 ] || { echo "knot: control socket path too long: $sock" >&2; exit 1; }

zones=""
for f in "$dir"/zones/*.zone; do
  z="$(basename "$f" .zone)"
  [ "$z" = "$dynzone" ] || [ "$z" = "$instzone" ] || [ "$z" = "$serverzone" ] && continue
  zones+="  - domain: $z"$'\n'
done

# A new secret each run, so none is ever committed; the first line keymgr prints is "# ALG:NAME:SECRET".
tsig="$(keymgr -t "$keyname" hmac-sha256 | sed -n '1s/^# //p')"
secret="${tsig##*:}"
[ -n "$secret" ] || { echo "knot: keymgr made no TSIG key" >&2; exit 1; }

stats=""
statsmod=""
if [ "${SENDERAUTH_KNOT_STATS:-off}" = on ]; then
  stats=$'mod-stats:\n  - id: default\n    request-protocol: on\n    query-type: on\n'
  statsmod=$'\n    global-module: mod-stats/default'
fi

cat >"$dir/knot.conf" <<CONF
server:
  rundir: "$dir"
  pidfile: "$dir/knot.pid"
  user: root:root
  listen: 127.0.0.1@$port
  # The default, spelled out: the truncation test relies on UDP answers above 1232 bytes being cut.
  udp-max-payload: 1232
control:
  listen: "$sock"
database:
  storage: "$dir/db"
log:
  - target: "$dir/knot.log"
    any: info
${stats}key:
  - id: $keyname
    algorithm: hmac-sha256
    secret: $secret
acl:
  # No address: the key alone decides, for updates and for transfers.
  - id: senderauth_update
    key: $keyname
    action: [update, transfer]
template:
  - id: default
    storage: "$dir/zones"${statsmod}
    file: "%s.zone"
    # The fixtures are read-only inputs: never write them back.
    zonefile-sync: -1
    journal-content: none
  - id: dynamic
    storage: "$dir/zones"
    file: "%s.zone"
    # Updates land in the journal and are written back to the run folder's copy at once.
    journal-content: changes
    zonefile-sync: 0
    acl: senderauth_update
zone:
$zones  - domain: $dynzone
    template: dynamic
  - domain: $instzone
    template: dynamic
  - domain: $serverzone
    template: dynamic
CONF

# fd 3 is the caller's stdout pipe: the daemon must not hold it open, or the caller waits forever.
knotd -c "$dir/knot.conf" -d 3>&-
for _ in $(seq 1 100); do
  if kdig @127.0.0.1 -p "$port" +short +timeout=1 +retry=0 SOA resolver.test 2>/dev/null | grep -q hostmaster \
    && kdig @127.0.0.1 -p "$port" +short +timeout=1 +retry=0 SOA "$dynzone" 2>/dev/null | grep -q hostmaster \
    && kdig @127.0.0.1 -p "$port" +short +timeout=1 +retry=0 SOA "$instzone" 2>/dev/null | grep -q hostmaster \
    && kdig @127.0.0.1 -p "$port" +short +timeout=1 +retry=0 SOA "$serverzone" 2>/dev/null | grep -q hostmaster; then
    echo "SENDERAUTH_TEST_DNS=127.0.0.1:$port" >&3
    echo "SENDERAUTH_TEST_TSIG=$tsig" >&3
    echo "SENDERAUTH_TEST_DYNZONE=$dynzone" >&3
    echo "SENDERAUTH_TEST_INSTITUTION_ZONE=$instzone" >&3
    echo "SENDERAUTH_TEST_SERVER_ZONE=$serverzone" >&3
    echo "SENDERAUTH_TEST_KNOT_CONTROL=$sock" >&3
    exit 0
  fi
  sleep 0.1
done
echo "knot: server did not answer on port $port; log:" >&2
cat "$dir/knot.log" >&2 || true
"$here/stop.sh" "$dir" 3>&- || true
exit 1
