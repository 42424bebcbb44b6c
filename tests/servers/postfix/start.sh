#!/usr/bin/env bash
# Starts a private Postfix (Debian's) in $1, on loopback ports, for the milter tests and bench: its own
# config_directory, queue_directory and data_directory, no system service, delivery into smtp-sink's dump folder.
#   submission port (SENDERAUTH_TEST_POSTFIX_SMTP): smtpd with the milter; a rejection or tempfail is the client's
#   queue port (SENDERAUTH_TEST_POSTFIX_QUEUE): smtpd without milter that queues and relays to the submission port,
#       so a milter that is down (milter_default_action = tempfail) only delays mail: the queue retries every second
#   the milter it calls: $2 when given (inet:ADDR:PORT, or none), else a free loopback port (SENDERAUTH_TEST_MILTER)
#   delivered mail: one file per message in SENDERAUTH_TEST_POSTFIX_SINK (smtp-sink -d)
# Needs root (Postfix's master and smtp-sink switch to the postfix user). Prints KEY=VALUE lines.
set -euo pipefail
dir="$(readlink -f "$1")"
root="$(cd "$(dirname "$(readlink -f "$0")")/../../.." && pwd)"
. "$root/scripts/deps.sh"
prefix="${SENDERAUTH_POSTFIX_PREFIX:-SENDERAUTH_TEST}"
if ! command -v postfix >/dev/null || ! command -v smtp-sink >/dev/null || [ "$(id -u)" -ne 0 ]; then
  echo "postfix not started: needs the postfix package and root" >&2
  exit 0
fi
mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/sink"
# Postfix's daemons run as the postfix user: they must get through the (0700) temp folders above.
p="$dir"; while [ "$p" != "/" ] && [ "$p" != "/tmp" ]; do chmod o+x "$p"; p="$(dirname "$p")"; done
chown postfix "$dir/data" "$dir/sink"
queue_port="$(free_port)"; smtp_port="$(free_port)"; sink_port="$(free_port)"
while [ "$smtp_port" = "$queue_port" ]; do smtp_port="$(free_port)"; done
while [ "$sink_port" = "$queue_port" ] || [ "$sink_port" = "$smtp_port" ]; do sink_port="$(free_port)"; done
milter="${2:-inet:127.0.0.1:$(free_port)}"
# "none": no milter at all (the bench's ceiling: what Postfix alone delivers).
[ "$milter" = none ] && milter=""

cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
config_directory = $dir/etc
queue_directory = $dir/queue
data_directory = $dir/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mta.senderauth.test
mydomain = senderauth.test
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$sink_port
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, reject
smtputf8_enable = no
biff = no
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 5s
milter_content_timeout = 30s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 5s
default_process_limit = 100
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
in_flow_delay = 0
smtp_destination_concurrency_limit = 50
CF
cat >"$dir/etc/master.cf" <<CF
127.0.0.1:$queue_port inet n - n - - smtpd -o smtpd_milters= -o content_filter=smtp:[127.0.0.1]:$smtp_port
127.0.0.1:$smtp_port  inet n - n - - smtpd -o smtpd_milters=$milter -o content_filter=
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CF
# The sink: every message delivered becomes one file in sink/ (smtp-sink -d), read by the tests.
smtp-sink -u postfix -R "$dir/sink" -d "%Y%m%d%H%M%S." "127.0.0.1:$sink_port" 200 >"$dir/sink.log" 2>&1 &
echo $! >"$dir/sink.pid"
script -qc "postfix -c $dir/etc check" /dev/null >"$dir/check.log" 2>&1 || { cat "$dir/check.log" >&2; exit 1; }
postfix -c "$dir/etc" start >"$dir/start.log" 2>&1 || { cat "$dir/start.log" "$dir/maillog" >&2 2>/dev/null; exit 1; }
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break
  sleep 0.1
done
echo "${prefix}_POSTFIX_SMTP=127.0.0.1:$smtp_port"
echo "${prefix}_POSTFIX_QUEUE=127.0.0.1:$queue_port"
echo "${prefix}_POSTFIX_SINK=$dir/sink"
echo "${prefix}_POSTFIX_CONFIG=$dir/etc"
echo "${prefix}_MILTER=$milter"
