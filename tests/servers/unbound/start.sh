#!/usr/bin/env bash
# Starts the DNSSEC fixtures: a private Knot server that signs the zones in zones/ (fresh keys every start) and
# a validating unbound in front of it, with dnssec.test. as its only trust anchor.
# Usage: start.sh DIR. Prints SENDERAUTH_TEST_VALIDATOR=127.0.0.1:PORT (unbound),
# SENDERAUTH_TEST_DNSSEC_AUTH=127.0.0.1:PORT (the signing Knot, no validation) and
# SENDERAUTH_TEST_TRUST_ANCHOR=FILE (the DS of dnssec.test. in unbound's trust-anchor-file format, the file unbound
# uses) on stdout; everything else on stderr.
#
#   dnssec.test.                signed by Knot; its DS is the trust anchor
#   secure.dnssec.test.         signed by Knot, DS in the parent          -> secure
#   dkim.dnssec.test.           signed by Knot, DS in the parent          -> secure (the provider's DKIM zone)
#   island.dnssec.test.         signed by Knot, no DS in the parent       -> insecure (signed, chain not set up)
#   unsigned.dnssec.test.       unsigned, no DS                           -> insecure
#   dkim-unsigned.dnssec.test.  unsigned, no DS                           -> insecure (an unsigned provider zone)
#   bogus.dnssec.test.          DS in the parent, served pre-signed by ldns-signzone (NSEC3) with signatures
#                               that expired in 2020                      -> bogus
#   future.dnssec.test.         DS in the parent, pre-signed by ldns-signzone with signatures valid from 2037
#                                                                         -> bogus (not yet valid)
#   wrongds.dnssec.test.        signed by Knot; the parent's DS is of another key (made by ldns-keygen)
#                                                                         -> bogus (DS mismatch)
#   nsec3.dnssec.test.          signed by Knot with NSEC3, DS in the parent -> secure (NSEC3 denials)
#   alg8/alg10/alg14/alg15.dnssec.test.  signed by Knot with RSASHA256 (2048), RSASHA512 (2048),
#                               ECDSAP384SHA384, ED25519, DS in the parent -> secure (one zone per algorithm)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
dir="$(readlink -f "${1:?usage: start.sh DIR}")"
. "$here/../../../scripts/deps.sh"
exec 3>&1 1>&2

# zone:policy for the zones Knot signs; the policy names the algorithm (and NSEC3).
signed=(dnssec.test:fast secure.dnssec.test:fast dkim.dnssec.test:fast island.dnssec.test:fast wrongds.dnssec.test:fast
  nsec3.dnssec.test:nsec3 alg8.dnssec.test:rsasha256 alg10.dnssec.test:rsasha512 alg14.dnssec.test:ecdsap384sha384
  alg15.dnssec.test:ed25519)
plain=(unsigned.dnssec.test dkim-unsigned.dnssec.test bogus.dnssec.test future.dnssec.test)
with_ds=(secure.dnssec.test dkim.dnssec.test nsec3.dnssec.test alg8.dnssec.test alg10.dnssec.test alg14.dnssec.test
  alg15.dnssec.test)

mkdir -p "$dir/zones" "$dir/db" "$dir/ldns"
cp "$here"/zones/*.zone "$dir/zones/"
kport="$(free_port)"
uport="$(free_port)"
[ -n "$kport" ] && [ -n "$uport" ] && [ "$kport" != "$uport" ] || { echo "dnssec: no free ports" >&2; exit 1; }
sock="$dir/k.sock"
[ ${#sock} -lt 100 ] || { echo "dnssec: control socket path too long: $sock" >&2; exit 1; }

zones=""
for zp in "${signed[@]}"; do zones+="  - domain: ${zp%%:*}"$'\n'"    template: signed"$'\n'"    dnssec-policy: ${zp##*:}"$'\n'; done
for z in "${plain[@]}"; do zones+="  - domain: $z"$'\n'; done
cat >"$dir/knot.conf" <<CONF
server:
  rundir: "$dir"
  pidfile: "$dir/knot.pid"
  user: root:root
  listen: 127.0.0.1@$kport
control:
  listen: "$sock"
database:
  storage: "$dir/db"
log:
  - target: "$dir/knot.log"
    any: info
policy:
  # Keys come from keymgr below (manual), so the parent's DS records are known before the server starts.
  - id: fast
    algorithm: ecdsap256sha256
    single-type-signing: on
    manual: on
    nsec3: off
  - id: nsec3
    algorithm: ecdsap256sha256
    single-type-signing: on
    manual: on
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
  - id: rsasha256
    algorithm: rsasha256
    ksk-size: 2048
    zsk-size: 2048
    single-type-signing: on
    manual: on
    nsec3: off
  - id: rsasha512
    algorithm: rsasha512
    ksk-size: 2048
    zsk-size: 2048
    single-type-signing: on
    manual: on
    nsec3: off
  - id: ecdsap384sha384
    algorithm: ecdsap384sha384
    single-type-signing: on
    manual: on
    nsec3: off
  - id: ed25519
    algorithm: ed25519
    single-type-signing: on
    manual: on
    nsec3: off
template:
  - id: default
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
  - id: signed
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: changes
    dnssec-signing: on
    dnssec-policy: fast
zone:
$zones
CONF

# Keys of the zones Knot signs (one combined signing key each) and the DS records (SHA-256) the parent needs.
for zp in "${signed[@]}"; do
  z="${zp%%:*}"; alg="${zp##*:}"
  case "$alg" in fast|nsec3) alg=ecdsap256sha256 ;; esac
  size=""; case "$alg" in rsa*) size="size=2048" ;; esac
  keymgr -c "$dir/knot.conf" "$z" generate algorithm="$alg" $size ksk=yes zsk=yes >/dev/null
done
for z in "${with_ds[@]}"; do
  keymgr -c "$dir/knot.conf" "$z" ds | grep ' DS [0-9]* [0-9]* 2 ' >>"$dir/zones/dnssec.test.zone"
done
keymgr -c "$dir/knot.conf" dnssec.test ds | grep ' DS [0-9]* 13 2 ' >"$dir/anchor"

# The bogus zone: signed offline with validity 2020-01-01..2020-02-01, its DS published in the parent.
(
  cd "$dir/ldns"
  k="$(ldns-keygen -a ECDSAP256SHA256 -k bogus.dnssec.test)"
  ldns-signzone -n -o bogus.dnssec.test -i 20200101000000 -e 20200201000000 -f "$dir/zones/bogus.dnssec.test.zone.signed" \
    "$dir/zones/bogus.dnssec.test.zone" "$k"
  mv "$dir/zones/bogus.dnssec.test.zone.signed" "$dir/zones/bogus.dnssec.test.zone"
  ldns-key2ds -n -2 "$k.key" >>"$dir/zones/dnssec.test.zone"
  # Not yet valid: signatures from 2037-01-01 to 2037-02-01 (ldns prints dates past 2038 wrapped, and Knot rejects those).
  k="$(ldns-keygen -a ECDSAP256SHA256 -k future.dnssec.test)"
  ldns-signzone -o future.dnssec.test -i 20370101000000 -e 20370201000000 -f "$dir/zones/future.dnssec.test.zone.signed" \
    "$dir/zones/future.dnssec.test.zone" "$k"
  mv "$dir/zones/future.dnssec.test.zone.signed" "$dir/zones/future.dnssec.test.zone"
  ldns-key2ds -n -2 "$k.key" >>"$dir/zones/dnssec.test.zone"
  # A DS of a key wrongds.dnssec.test does not publish (Knot signs that zone with its own key).
  k="$(ldns-keygen -a ECDSAP256SHA256 -k wrongds.dnssec.test)"
  ldns-key2ds -n -2 "$k.key" >>"$dir/zones/dnssec.test.zone"
)

# fd 3 is the caller's stdout pipe: the daemons must not hold it open, or the caller waits forever.
knotd -c "$dir/knot.conf" -d 3>&-
ready=""
for _ in $(seq 1 100); do
  ready=1
  for zp in "${signed[@]}"; do
    kdig @127.0.0.1 -p "$kport" +dnssec +timeout=1 +retry=0 DNSKEY "${zp%%:*}" 2>/dev/null | grep -q RRSIG || { ready=""; break; }
  done
  # The pre-signed and unsigned zones too: a zone file Knot rejects would otherwise go unnoticed.
  for z in "${plain[@]}"; do
    [ -z "$ready" ] || kdig @127.0.0.1 -p "$kport" +short +timeout=1 +retry=0 SOA "$z" 2>/dev/null | grep -q hostmaster || { ready=""; break; }
  done
  if [ -n "$ready" ] && kdig @127.0.0.1 -p "$kport" +short +timeout=1 +retry=0 DS secure.dnssec.test 2>/dev/null | grep -q .; then
    break
  fi
  ready=""
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "dnssec: Knot did not serve the signed zones on port $kport; log:" >&2
  cat "$dir/knot.log" >&2 || true
  "$here/stop.sh" "$dir" 3>&- || true
  exit 1
fi

stubs=""
for zp in "${signed[@]}" "${plain[@]}"; do
  z="${zp%%:*}"
  stubs+="stub-zone:"$'\n'"  name: \"$z.\""$'\n'"  stub-addr: 127.0.0.1@$kport"$'\n'"  stub-prime: no"$'\n'
done
cat >"$dir/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $uport
  do-ip6: no
  num-threads: 1
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  logfile: "$dir/unbound.log"
  use-syslog: no
  verbosity: 1
  val-log-level: 2
  # Loopback test servers: unbound never asks 127.0.0.1 unless told, drops privileges and chroots by default.
  do-not-query-localhost: no
  username: ""
  chroot: ""
  # A static anchor for the test tree (the root's anchor is of no use here: nothing is reachable above .test).
  trust-anchor-file: "$dir/anchor"
  # .test is a built-in empty local zone otherwise.
  local-zone: "test." transparent
  qname-minimisation: no
  ede: yes
remote-control:
  control-enable: no
$stubs
CONF
unbound-checkconf "$dir/unbound.conf" >/dev/null
unbound -c "$dir/unbound.conf" 3>&-
for _ in $(seq 1 100); do
  if kdig @127.0.0.1 -p "$uport" +timeout=1 +retry=0 SOA secure.dnssec.test 2>/dev/null | grep -qi 'flags:.* ad;'; then
    echo "SENDERAUTH_TEST_VALIDATOR=127.0.0.1:$uport" >&3
    echo "SENDERAUTH_TEST_DNSSEC_AUTH=127.0.0.1:$kport" >&3
    echo "SENDERAUTH_TEST_TRUST_ANCHOR=$dir/anchor" >&3
    exit 0
  fi
  sleep 0.1
done
echo "dnssec: unbound on port $uport does not validate secure.dnssec.test; logs:" >&2
cat "$dir/unbound.log" "$dir/knot.log" >&2 || true
"$here/stop.sh" "$dir" 3>&- || true
exit 1
