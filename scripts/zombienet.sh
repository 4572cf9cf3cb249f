#!/usr/bin/env bash
# Multi-node networks with zombienet (native provider, the locally built binaries).
#   scripts/zombienet.sh test [file.zndsl]   run a test (default: zombienet/smoke.zndsl: a network of
#                                            release v101 upgraded to the built runtime, the market
#                                            checks on it, then a validator joins and one leaves)
#   scripts/zombienet.sh burst               zombienet/burst.zndsl: 200 auction requests proven and settled
#   scripts/zombienet.sh agents              zombienet/agents.zndsl: prover agents on bob and charlie settle CLI requests made through dave
#   scripts/zombienet.sh spawn [net.toml]    start a network by hand (default: zombienet/local.toml)
# Never runs `zombienet setup` (it downloads binaries); needs scripts/build.sh first.
set -euo pipefail
source "$(dirname "$0")/env.sh"
export ZKMARKET_NODE="$NODE_BIN" ZKMARKET_PROVER="$PROVER_BIN"
# The runtime zombienet/upgrade.js upgrades to: the node build's.
export ZKMARKET_UPGRADE_WASM="$CARGO_TARGET_DIR/release/wbuild/zkmarket-runtime/zkmarket_runtime.compact.compressed.wasm"
[ -x "$NODE_BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
# zombienet/upgrade.toml's spec: release v101's `local` chain with the genesis
# block time set to ZKMARKET_BLOCK_MS (default 2,000 ms; the release ships
# 6,000): sessions, deadlines and rounds are counted in blocks, so the test
# checks the same behaviour three times faster.
export ZKMARKET_V101_SPEC="$CARGO_TARGET_DIR/zombienet/v101-local-raw.json"
mkdir -p "$(dirname "$ZKMARKET_V101_SPEC")"
node "$ROOT/tests/fast-spec.mjs" "$ROOT/releases/v101/local-raw.json" "$ZKMARKET_V101_SPEC" "${ZKMARKET_BLOCK_MS:-2000}"

# What a test file needs besides the binaries: the upgrade WASM for
# upgrade.js, the release's raw spec for upgrade.toml.
check_test() {
  local file="$1"
  [ -f "$file" ] || { echo "no such test: $file" >&2; exit 1; }
  if grep -q 'upgrade\.js' "$file" && [ ! -f "$ZKMARKET_UPGRADE_WASM" ]; then
    echo "$file upgrades the runtime to $ZKMARKET_UPGRADE_WASM, which is missing: build first (scripts/build.sh)" >&2
    exit 1
  fi
  if grep -q 'upgrade\.toml' "$file" && [ ! -f "$ROOT/releases/v101/local-raw.json" ]; then
    echo "$file starts from release v101's spec, $ROOT/releases/v101/local-raw.json, which is missing" >&2
    exit 1
  fi
}
# A test file named on the command line is relative to the caller's directory.
[ "${1:-test}" = test ] && TEST_FILE="$(realpath "${2:-$ROOT/zombienet/smoke.zndsl}")"
cd "$ROOT/tests"
[ -d node_modules/@zombienet ] || npm ci --no-audit --no-fund --loglevel=error
ZOMBIENET="$ROOT/tests/node_modules/.bin/zombienet"
case "${1:-test}" in
  test)
    check_test "$TEST_FILE"
    exec "$ZOMBIENET" -p native -l text test "$TEST_FILE" ;;
  burst) exec "$ZOMBIENET" -p native -l text test "$ROOT/zombienet/burst.zndsl" ;;
  agents) exec "$ZOMBIENET" -p native -l text test "$ROOT/zombienet/agents.zndsl" ;;
  spawn) exec "$ZOMBIENET" -p native spawn "${2:-$ROOT/zombienet/local.toml}" ;;
  *) echo "usage: $0 test|burst|agents|spawn [file]" >&2; exit 2 ;;
esac
