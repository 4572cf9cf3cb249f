#!/usr/bin/env bash
# Multi-node networks with zombienet (native provider, the locally built binaries).
#   scripts/zombienet.sh test [file.zndsl]   run a test (default: zombienet/smoke.zndsl)
#   scripts/zombienet.sh burst               zombienet/burst.zndsl: 200 auction requests proven and settled
#   scripts/zombienet.sh agents              zombienet/agents.zndsl: prover agents on bob and charlie settle CLI requests made through dave
#   scripts/zombienet.sh spawn [net.toml]    start a network by hand (default: zombienet/local.toml)
# Never runs `zombienet setup` (it downloads binaries); needs scripts/build.sh first.
set -euo pipefail
source "$(dirname "$0")/env.sh"
export ZKMARKET_NODE="$NODE_BIN" ZKMARKET_PROVER="$PROVER_BIN"
[ -x "$NODE_BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
cd "$ROOT/tests"
[ -d node_modules/@zombienet ] || npm ci --no-audit --no-fund --loglevel=error
ZOMBIENET="$ROOT/tests/node_modules/.bin/zombienet"
case "${1:-test}" in
  test) exec "$ZOMBIENET" -p native -l text test "${2:-$ROOT/zombienet/smoke.zndsl}" ;;
  burst) exec "$ZOMBIENET" -p native -l text test "$ROOT/zombienet/burst.zndsl" ;;
  agents) exec "$ZOMBIENET" -p native -l text test "$ROOT/zombienet/agents.zndsl" ;;
  spawn) exec "$ZOMBIENET" -p native spawn "${2:-$ROOT/zombienet/local.toml}" ;;
  *) echo "usage: $0 test|burst|agents|spawn [file]" >&2; exit 2 ;;
esac
