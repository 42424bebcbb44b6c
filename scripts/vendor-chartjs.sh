#!/usr/bin/env bash
# Vendors Chart.js (MIT) into the dashboard's embedded assets: the browser never loads it from a CDN, and a fresh
# clone builds without npm. Run it to move to another version, then commit the two files it writes.
# Usage: scripts/vendor-chartjs.sh [VERSION]   (default: the version in src/SenderAuth.Server/Dashboard/VENDORED.md)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
version="${1:-4.6.1}"
assets="$root/src/SenderAuth.Server/Dashboard/assets"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "chart.js@$version" --silent >/dev/null && tar xzf "chart.js-$version.tgz")
# Without its source-map comment: the map is not shipped, and browsers would ask for it.
grep -v '^//# sourceMappingURL=' "$tmp/package/dist/chart.umd.min.js" > "$assets/chart.umd.min.js"
cp "$tmp/package/LICENSE.md" "$assets/chart.js-LICENSE.md"
echo "Chart.js $version vendored into $assets (chart.umd.min.js, chart.js-LICENSE.md)"
