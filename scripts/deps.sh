# Shared by run-tests and bench/run: installs what is missing, never what is there.
# Debian packages through apt-get (root or sudo); nothing installed here survives a new machine, so every
# entry point calls these functions.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1; fi
}

# ensure_apt PKG... : install the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/senderauth-apt.log 2>&1; then
    as_root apt-get update -q >/tmp/senderauth-apt-update.log 2>&1 || true
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/senderauth-apt.log 2>&1 || {
      tail -20 /tmp/senderauth-apt.log >&2; return 1; }
  fi
}

# free_port : prints a TCP/UDP port on 127.0.0.1 that nothing listens on, chosen below the kernel's ephemeral
# range: a port the kernel never hands out for a bind to port 0 or an outgoing connection stays free between this
# choice and the moment a server binds it (the milter port of the Postfix tests is bound only now and then).
free_port() {
  /usr/bin/python3 - <<'PY'
import random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except OSError:
    low = 32768
candidates = range(10000, low) if low > 11000 else None
for _ in range(200):
    t = socket.socket(); u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        t.bind(("127.0.0.1", random.choice(candidates) if candidates else 0)); port = t.getsockname()[1]
        u.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}

# ensure_peers : the DKIM interop peers that are not Debian packages, into the git-ignored .tools/ (run from
# the repo root, after ensure_apt has installed gcc and libopendkim-dev; node and npm come with the machine).
#   .tools/node          mailauth 7.1.0, from tests/peers/node/package.json (its undici override: see there)
#   .tools/opendkim_tool the libopendkim harness, rebuilt when its source is newer
#   .tools/axe           axe-core, which the dashboard's browser tests inject into every page
# ensure_peers PART... installs only those parts (mailauth, opendkim, axe): run-tests installs what the selected
# tests declare (scripts/test-plan.py); without arguments, all three (bench/run).
ensure_peers() {
  local parts=" ${*:-mailauth opendkim axe} "
  # Plain calls in `if` bodies, not `&&` lists: set -e must still stop at a failed npm install or gcc.
  if [[ "$parts" == *" mailauth "* ]]; then ensure_mailauth; fi
  if [[ "$parts" == *" axe "* ]]; then ensure_axe; fi
  if [[ "$parts" == *" opendkim "* ]]; then ensure_opendkim_tool; fi
}

ensure_mailauth() {
  local want=7.1.0 have=""
  have="$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' .tools/node/node_modules/mailauth/package.json 2>/dev/null || true)"
  if ! command -v npm >/dev/null; then
    echo "warning: npm not found; the mailauth interop tests will be skipped" >&2
  elif [ "$have" != "$want" ] || [ tests/peers/node/package.json -nt .tools/node/.installed ]; then
    echo "==> npm install mailauth@$want into .tools/node" >&2
    mkdir -p .tools/node
    cp tests/peers/node/package.json .tools/node/package.json
    npm install --prefix .tools/node --save-exact --no-audit --no-fund --loglevel=error "mailauth@$want" >&2
    touch .tools/node/.installed
  fi
}

ensure_axe() {
  local axe_want=4.14.1 axe_have=""
  axe_have="$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' .tools/axe/node_modules/axe-core/package.json 2>/dev/null || true)"
  if ! command -v npm >/dev/null; then
    echo "warning: npm not found; the dashboard's browser tests will be skipped" >&2
  elif [ "$axe_have" != "$axe_want" ]; then
    echo "==> npm install axe-core@$axe_want into .tools/axe" >&2
    mkdir -p .tools/axe
    npm install --prefix .tools/axe --save-exact --no-audit --no-fund --loglevel=error "axe-core@$axe_want" >&2
  fi
}

ensure_opendkim_tool() {
  if [ tests/peers/opendkim_tool.c -nt .tools/opendkim_tool ]; then
    echo "==> gcc tests/peers/opendkim_tool.c" >&2
    gcc -O2 -Wall -Werror -o .tools/opendkim_tool tests/peers/opendkim_tool.c -lopendkim
  fi
}
