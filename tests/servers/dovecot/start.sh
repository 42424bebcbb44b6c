#!/usr/bin/env bash
# Starts a private Dovecot IMAP server on a free loopback port (no system service, no /etc/dovecot config used).
# Usage: start.sh DIR. Prints on stdout:
#   SENDERAUTH_TEST_IMAP=127.0.0.1:PORT
#   SENDERAUTH_TEST_IMAP_USERS=user1,user2,...   (each with the password in SENDERAUTH_TEST_IMAP_PASSWORD)
#   SENDERAUTH_TEST_IMAP_PASSWORD=<random>
# everything else goes to stderr. Plain IMAP without TLS on 127.0.0.1 only, cleartext login allowed there;
# passwd-file users; maildirs in the server's folder. Tests take one user each, so their mailboxes never meet.
#
# Dovecot's mail processes run as the mail user: as root that is the `dovecot` user, in its own folder
# /tmp/sa-imap.XXXXXX (DIR usually sits under a mode-0700 mktemp folder that user cannot enter); as anyone else
# it is that user, in DIR/imap. DIR/imap.base records which, for stop.sh, which removes it.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
dir="$(readlink -f "${1:?usage: start.sh DIR}")"
. "$here/../../../scripts/deps.sh"
exec 3>&1 1>&2

command -v dovecot >/dev/null || { echo "dovecot: not installed (apt-get install dovecot-imapd)" >&2; exit 1; }
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  getent passwd dovecot >/dev/null && getent passwd dovenull >/dev/null \
    || { echo "dovecot: running as root but the dovecot/dovenull users are missing" >&2; exit 1; }
  base="$(mktemp -d /tmp/sa-imap.XXXXXX)"
  mail_user=dovecot login_user=dovenull internal_user=dovecot internal_group=dovecot
else
  base="$dir/imap"
  # Unix socket paths (base_dir) are limited to ~100 characters.
  [ ${#base} -lt 60 ] || base="$(mktemp -d /tmp/sa-imap.XXXXXX)"
  mkdir -p "$base"
  mail_user="$(id -un)" login_user="$(id -un)" internal_user="$(id -un)" internal_group="$(id -gn)"
fi
echo "$base" >"$dir/imap.base"
mail_uid="$(id -u "$mail_user")"
mail_gid="$(id -g "$mail_user")"
mkdir -p "$base/run" "$base/state" "$base/mail"
log="$base/dovecot.log"

fail() {
  echo "dovecot: $*; log:" >&2
  cat "$log" >&2 2>/dev/null || true
  "$here/stop.sh" "$dir" 3>&- || true
  exit 1
}

password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
users=()
: >"$base/users"
for i in $(seq 1 12); do
  users+=("rua$i")
  echo "rua$i:{PLAIN}$password::::::" >>"$base/users"
done
chmod 600 "$base/users"

port=""
for attempt in 1 2 3; do
  port="$(free_port)"
  [ -n "$port" ] || fail "no free port"
  cat >"$base/dovecot.conf" <<CONF
# Private test instance: nothing from /etc/dovecot.
base_dir = $base/run
state_dir = $base/state
instance_name = sa-imap-$port
log_path = $log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $login_user
default_internal_user = $internal_user
default_internal_group = $internal_group
first_valid_uid = $mail_uid
last_valid_uid = $mail_uid
first_valid_gid = $mail_gid
mail_location = maildir:~/Maildir
mail_uid = $mail_uid
mail_gid = $mail_gid
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $base/users
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$base/mail/%u
}
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
protocol imap {
  mail_max_userip_connections = 100
}
CONF
  if [ "$(id -u)" -eq 0 ]; then
    # The auth process (default_internal_user) reads the users file; the mail processes write the maildirs.
    chown -R "$mail_user:" "$base"
  fi
  rm -f "$log"
  # fd 3 is the caller's stdout pipe: the daemon must not hold it open.
  dovecot -c "$base/dovecot.conf" 3>&- || fail "dovecot did not start"
  ok=""
  for _ in $(seq 1 50); do
    if /usr/bin/python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port),1); sys.exit(0 if s.recv(200).startswith(b'* OK') else 1)" 2>/dev/null; then ok=1; break; fi
    sleep 0.1
  done
  [ -n "$ok" ] && break
  grep -q 'Address already in use' "$log" 2>/dev/null && [ $attempt -lt 3 ] || fail "no IMAP greeting on port $port"
  "$here/stop.sh" "$dir" keep || true
  echo "$base" >"$dir/imap.base"
  echo "dovecot: port $port was taken, retrying" >&2
done

echo "SENDERAUTH_TEST_IMAP=127.0.0.1:$port" >&3
echo "SENDERAUTH_TEST_IMAP_USERS=$(IFS=,; echo "${users[*]}")" >&3
echo "SENDERAUTH_TEST_IMAP_PASSWORD=$password" >&3
