#!/usr/bin/env bash
# Starts a private Prometheus (Debian's package) on a free loopback port, scraping one target every second and
# loading the repo's alert rules (deploy/prometheus/alerts.yml). No system service, no /etc/prometheus used.
# Usage: start.sh DIR TARGET (TARGET is HOST:PORT of a SenderAuth server; it is scraped at /metrics).
# Prints SENDERAUTH_TEST_PROMETHEUS=http://127.0.0.1:PORT on stdout once Prometheus is ready; the rest goes to stderr.
# Unlike the other servers it is started by the test that needs it (the target's port is known only then), in
# $SENDERAUTH_TEST_WORK/prometheus when that is set, so run-tests' clean-up stops it whatever happens.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
dir="${1:?usage: start.sh DIR TARGET}"
target="${2:?usage: start.sh DIR TARGET}"
. "$repo/scripts/deps.sh"
exec 3>&1 1>&2

command -v prometheus >/dev/null || { echo "prometheus: not installed (apt-get install prometheus)" >&2; exit 1; }
mkdir -p "$dir/data"
dir="$(readlink -f "$dir")"
cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $repo/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: senderauth
    metrics_path: /metrics
    static_configs:
      - targets: ["$target"]
YML
promtool check config "$dir/prometheus.yml" >&2

for attempt in 1 2 3; do
  port="$(free_port)"
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn </dev/null >"$dir/prometheus.log" 2>&1 3>&- &
  echo $! >"$dir/prometheus.pid"
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
      echo "SENDERAUTH_TEST_PROMETHEUS=http://127.0.0.1:$port" >&3
      exit 0
    fi
    kill -0 "$(cat "$dir/prometheus.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "prometheus: not ready on port $port (attempt $attempt); log:" >&2
  tail -5 "$dir/prometheus.log" >&2 || true
  "$here/stop.sh" "$dir" || true
done
exit 1
