#!/usr/bin/env bash
# Sets up, builds and runs every test of the project:
#   1. Rust: math property tests, pallet tests on mock runtimes, runtime
#      integration tests (release profile, shared target dir), the pallets'
#      benchmarks run as tests and the try-runtime checks of the runtime's
#      migrations against a dev-chain snapshot (`runtime-benchmarks,try-runtime`);
#   2. end-to-end: the real node driven by @polkadot/api under `node --test`
#      (chain basics, chain specs, CLI errors, the whole market flow), then the
#      attack suite of issue 15 against the dev node (tests/attacks), the
#      Rust clients (tests/clients) and the market explorer in headless
#      chromium (tests/web);
#   3. multi-node: a zombienet network started on the v101 release, upgraded to
#      the built runtime, then a 4th validator added and one removed, unless
#      ZOMBIENET=0.
set -euo pipefail
source "$(dirname "$0")/env.sh"
start=$(date +%s)
"$ROOT/scripts/build.sh"
cd "$ROOT"

echo "== cargo test (math, pallets, runtime)" >&2
cargo test --locked --release --workspace

echo "== benchmark and try-runtime tests (frame-benchmarking v2 on the pallets' mock runtimes;" >&2
echo "   the migrations' pre/post-upgrade checks, and the runtime's upgrade of a v101 dev-chain snapshot)" >&2
# One extra feature set for both (built once): the pallets' benchmarks, their
# migration tests with the try-runtime checks, and runtime/tests/try_runtime.rs.
SKIP_WASM_BUILD=1 cargo test --locked --release --features runtime-benchmarks,try-runtime \
  -p pallet-provers -p pallet-base-fee -p pallet-market -p pallet-verifier \
  -p pallet-validator-set -p zkmarket-runtime -- benchmark migrat try_runtime

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
  echo "== zombienet (v101 network upgraded to the built runtime; validator set changes)" >&2
  "$ROOT/scripts/zombienet.sh" test
fi
echo "== all tests passed in $(( $(date +%s) - start )) s" >&2
