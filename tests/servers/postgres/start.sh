#!/usr/bin/env bash
# Starts a private PostgreSQL cluster on a free loopback port (no system service, no default cluster used).
# Usage: start.sh DIR. Prints SENDERAUTH_TEST_POSTGRES=<Npgsql connection string> on stdout; everything else
# goes to stderr. The role `senderauth` (random password, CREATEDB) is what the tests log in as.
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user in its own folder
# /tmp/sa-pg.XXXXXX (DIR usually sits under a mode-0700 mktemp folder the postgres user cannot enter); as
# anyone else it runs as that user in DIR/pg. DIR/pg.base records which, for stop.sh, which removes it.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
dir="$(readlink -f "${1:?usage: start.sh DIR}")"
. "$here/../../../scripts/deps.sh"
exec 3>&1 1>&2

initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
[ -n "$initdb" ] || { echo "postgres: no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)" >&2; exit 1; }
bin="$(dirname "$initdb")"

mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  getent passwd postgres >/dev/null || { echo "postgres: running as root but there is no postgres user" >&2; exit 1; }
  base="$(mktemp -d /tmp/sa-pg.XXXXXX)"
  chown postgres: "$base"
  as_pg() { (cd "$base" && runuser -u postgres -- "$@"); }
else
  base="$dir/pg"
  # Unix socket paths are limited to ~100 characters: a long DIR gets a short folder under /tmp instead.
  [ ${#base} -lt 80 ] || base="$(mktemp -d /tmp/sa-pg.XXXXXX)"
  mkdir -p "$base"
  as_pg() { (cd "$base" && "$@"); }
fi
echo "$base" >"$dir/pg.base"
data="$base/data"
log="$base/server.log"

fail() {
  echo "postgres: $*; server log:" >&2
  cat "$log" >&2 2>/dev/null || true
  "$here/stop.sh" "$dir" 3>&- || true
  exit 1
}

# Local (socket) connections are trusted: the socket folder is private to the cluster's owner. TCP needs the
# password. --no-sync only skips initdb's final flush of the fresh files; the server itself runs with fsync on.
as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  --encoding=UTF8 --no-locale --no-sync >"$base/initdb.log" 2>&1 \
  || { cat "$base/initdb.log" >&2; log="$base/initdb.log"; fail "initdb failed"; }
echo "include 'senderauth.conf'" >>"$data/postgresql.conf"

port=""
# free_port only says the port was free a moment ago: a concurrent start may take it first, so retry.
for attempt in 1 2 3; do
  port="$(free_port)"
  [ -n "$port" ] || fail "no free port"
  sockfile="$base/.s.PGSQL.$port"
  [ ${#sockfile} -lt 100 ] || fail "socket path too long: $sockfile"
  cat >"$data/senderauth.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$base'
# The crash-safety tests rely on real flushes.
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
logging_collector = off
CONF
  [ "$(id -u)" -ne 0 ] || chown postgres: "$data/senderauth.conf"
  rm -f "$log"
  # fd 3 is the caller's stdout pipe: the server must not hold it open, or the caller waits forever.
  if as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null 3>&-; then break; fi
  grep -q 'could not bind\|Address already in use' "$log" 2>/dev/null && [ $attempt -lt 3 ] || fail "pg_ctl start failed"
  echo "postgres: port $port was taken, retrying" >&2
done

for _ in $(seq 1 100); do
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres && break
  sleep 0.1
done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres || fail "server does not accept connections on port $port"

password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
# The password goes through stdin, not the command line.
as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$base" -p "$port" -U postgres -d postgres >/dev/null <<SQL \
  || fail "could not create the senderauth role"
CREATE ROLE senderauth LOGIN CREATEDB PASSWORD '$password';
SQL

echo "SENDERAUTH_TEST_POSTGRES=Host=127.0.0.1;Port=$port;Username=senderauth;Password=$password;Database=postgres" >&3
