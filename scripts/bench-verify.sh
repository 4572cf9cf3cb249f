#!/usr/bin/env bash
# Groth16 verification side by side: native, and in the runtime (arkworks in
# WASM, the host function of design A, the curve hooks of design B), on the dev
# chain's runtime through the node's executor and host functions.
#
#   ./scripts/bench-verify.sh            # 200 proofs, best of 3 runs
#   ./scripts/bench-verify.sh 500 5      # 500 proofs, best of 5 runs
#
# The benchmark runtime APIs exist only in the benchmarking runtime (a public
# node's `state_call` cannot reach them: docs/security.md), so this uses the
# benchmarking node (`--features runtime-benchmarks`, built in its own target
# directory as scripts/benchmark.sh does; built here if missing) and the
# prover in $CARGO_TARGET_DIR (./scripts/build.sh). The proofs are real proofs
# of the demo program, one per request id and prover (`zkmarket-prover
# prove`), written to a temporary file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

N="${1:-200}"
RUNS="${2:-3}"
BENCH_TARGET_DIR="${BENCH_TARGET_DIR:-/var/tmp/zkmarket-bench-target}"
BENCH_NODE="$BENCH_TARGET_DIR/release/zkmarket-node"
if [ ! -x "$BENCH_NODE" ] || [ "${REBUILD:-0}" = 1 ]; then
	echo "== building the benchmarking node in $BENCH_TARGET_DIR" >&2
	(cd "$ROOT" && SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 CARGO_TARGET_DIR="$BENCH_TARGET_DIR" \
		cargo build --locked --release -p zkmarket-node --features runtime-benchmarks)
fi
[ -x "$PROVER_BIN" ] || { echo "missing $PROVER_BIN: run ./scripts/build.sh" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
proofs="$work/proofs.jsonl"

echo "== $N proofs of the demo program (zkmarket-prover)" >&2
"$PROVER_BIN" program >"$proofs"
for i in $(seq 1 "$N"); do
	# Request i, prover 0x<i as 32 bytes>: a different binding for each proof.
	prover="0x$(printf '%064x' "$i")"
	"$PROVER_BIN" prove $(( i % 1000 + 2 )) "$i" "$prover" --seed "$i" >>"$proofs"
done

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" >&2
"$BENCH_NODE" verify-bench --dev --base-path "$work/db" --log error \
	--proofs-file "$proofs" --proofs "$N" --repeat "$RUNS"
