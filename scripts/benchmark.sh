#!/usr/bin/env bash
# Generates pallets/*/src/weights.rs with the node's `benchmark pallet` command.
#
#   ./scripts/benchmark.sh                 # all four pallets
#   ./scripts/benchmark.sh market          # one pallet (provers|base-fee|market|verifier)
#   STEPS=50 REPEAT=20 ./scripts/benchmark.sh
#
# The benchmarking node (`--features runtime-benchmarks`, which adds
# frame-benchmarking-cli, cumulus primitives and a second test runtime) is built
# in its own target directory so the node and tests in $CARGO_TARGET_DIR stay
# warm. Raw results go to target/benchmarks/<pallet>.json (the performance
# report's scale curves are read from them).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

BENCH_TARGET_DIR="${BENCH_TARGET_DIR:-/var/tmp/zkmarket-bench-target}"
STEPS="${STEPS:-20}"
REPEAT="${REPEAT:-10}"
RESULTS="target/benchmarks"
mkdir -p "$RESULTS"

echo "== building the benchmarking node in $BENCH_TARGET_DIR" >&2
# frame-benchmarking-cli's storage-benchmark test runtime is not used by
# `benchmark pallet`, and wasm-builder cannot place it in our workspace: skip it.
SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 CARGO_TARGET_DIR="$BENCH_TARGET_DIR" cargo build --locked --release -p zkmarket-node \
	--features runtime-benchmarks
BIN="$BENCH_TARGET_DIR/release/zkmarket-node"

pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(provers base-fee market verifier)

for dir in "${pallets[@]}"; do
	pallet="pallet_${dir//-/_}"
	out="pallets/$dir/src/weights.rs"
	[ -f "$out" ] || { echo "unknown pallet: $dir" >&2; exit 2; }
	echo "== $pallet -> $out (steps $STEPS, repeat $REPEAT)" >&2
	"$BIN" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--wasm-execution compiled \
		--template scripts/weight-template.hbs \
		--json-file "$RESULTS/$pallet.json" \
		--output "$out"
	rustfmt --edition 2021 "$out"
done
echo "== done; review with: git diff pallets/*/src/weights.rs" >&2
