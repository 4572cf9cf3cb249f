#!/usr/bin/env bash
# Sets up, builds and runs every test of the project:
#   1. Rust: math property tests, pallet tests on mock runtimes, runtime
#      integration tests (release profile, shared target dir), and the
#      pallets' benchmarks run as tests (`runtime-benchmarks` feature);
#   2. end-to-end: the real node driven by @polkadot/api under `node --test`
#      (chain basics, chain specs, CLI errors, the whole market flow), then the
#      attack suite of issue 15 against the dev node (tests/attacks), the
#      Rust clients (tests/clients) and the market explorer in headless
#      chromium (tests/web);
#   3. multi-node: a zombienet network (3 validators + 1 full node), unless
#      ZOMBIENET=0.
set -euo pipefail
source "$(dirname "$0")/env.sh"
start=$(date +%s)
"$ROOT/scripts/build.sh"
cd "$ROOT"

echo "== cargo test (math, pallets, runtime)" >&2
cargo test --locked --release --workspace

echo "== benchmark tests (frame-benchmarking v2, on the pallets' mock runtimes)" >&2
SKIP_WASM_BUILD=1 cargo test --locked --release --features runtime-benchmarks \
  -p pallet-provers -p pallet-base-fee -p pallet-market -p pallet-verifier benchmark

echo "== end-to-end tests (node --test, @polkadot/api)" >&2
cd "$ROOT/tests"
npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=1 e2e/
echo "== attack tests (tests/attacks, real node)" >&2
node --test --test-concurrency=1 attacks/
echo "== client tests (tests/clients: prover agents and the zkmarket CLI, real node)" >&2
node --test --test-concurrency=1 clients/
echo "== market explorer (web/, built by scripts/explorer.sh) in headless chromium (tests/web, real node)" >&2
node --test --test-concurrency=1 web/

if [ "${ZOMBIENET:-1}" != 0 ]; then
  echo "== zombienet (3 validators + 1 full node)" >&2
  "$ROOT/scripts/zombienet.sh" test
fi
echo "== all tests passed in $(( $(date +%s) - start )) s" >&2
