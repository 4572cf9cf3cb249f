#!/usr/bin/env bash
# The market explorer (web/): builds it when needed and serves it on a local port.
#
#   ./scripts/explorer.sh                 # http://127.0.0.1:8080/ (node at ws://127.0.0.1:9944)
#   ./scripts/explorer.sh --port 9000     # another port (0: a free one)
#   ./scripts/explorer.sh --build         # build web/dist only
#
# Open http://127.0.0.1:8080/?rpc=ws://127.0.0.1:9944 for another node.
# "When needed": `npm ci` when web/node_modules is missing or older than
# web/package-lock.json, `vite build` when web/dist is missing or older than
# any source. Needs Node.js >= 18 (vite 6; Debian 12's nodejs is 18.19) and
# npm (scripts/setup-toolchain.sh).
set -euo pipefail
WEB="$(cd "$(dirname "$0")/../web" && pwd)"
PORT="${PORT:-8080}"
HOST="${HOST:-127.0.0.1}"
BUILD_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --host) HOST="$2"; shift 2 ;;
    --build) BUILD_ONLY=1; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "explorer.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v node >/dev/null 2>&1 || { echo "explorer.sh: node not found: run scripts/setup-toolchain.sh" >&2; exit 1; }
# The oldest Node.js web/package.json's vite (6.x) and @polkadot/api support.
MIN_NODE=18
NODE_VERSION="$(node -p process.versions.node)"
if [ "${NODE_VERSION%%.*}" -lt "$MIN_NODE" ]; then
  echo "explorer.sh: Node.js $NODE_VERSION is too old: building web/ needs Node.js >= $MIN_NODE (vite 6)." >&2
  echo "explorer.sh: install one (Debian 12: apt-get install nodejs; or scripts/setup-toolchain.sh) and retry." >&2
  exit 1
fi
cd "$WEB"

# Nothing downloads a browser (the test uses Debian's chromium).
export PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "explorer.sh: npm ci (web/)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

SOURCES=(index.html vite.config.js package-lock.json src ../docs/rpc-definitions.json)
if [ ! -e dist/index.html ] || [ -n "$(find "${SOURCES[@]}" -newer dist/index.html -print -quit)" ]; then
  echo "explorer.sh: building web/dist" >&2
  npx --no-install vite build --logLevel warn >&2
fi
[ "$BUILD_ONLY" = 1 ] && exit 0

echo "explorer.sh: open http://$HOST:$PORT/?rpc=ws://127.0.0.1:9944 (Ctrl-C stops)" >&2
exec node serve.mjs --port "$PORT" --host "$HOST"
