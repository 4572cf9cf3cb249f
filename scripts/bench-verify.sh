#!/usr/bin/env bash
# Groth16 verification side by side: native, and in the runtime (arkworks in
# WASM, the host function of design A, the curve hooks of design B), on the dev
# chain's runtime through the node's executor and host functions.
#
#   ./scripts/bench-verify.sh            # 200 proofs, best of 3 runs
#   ./scripts/bench-verify.sh 500 5      # 500 proofs, best of 5 runs
#
# Uses the node and prover in $CARGO_TARGET_DIR (build them first:
# ./scripts/build.sh). The proofs are real proofs of the demo program, one per
# request id and prover (`zkmarket-prover prove`), written to a temporary file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

N="${1:-200}"
RUNS="${2:-3}"
for bin in "$NODE_BIN" "$PROVER_BIN"; do
	[ -x "$bin" ] || { echo "missing $bin: run ./scripts/build.sh" >&2; exit 1; }
done

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
"$NODE_BIN" verify-bench --dev --base-path "$work/db" --log error \
	--proofs-file "$proofs" --proofs "$N" --repeat "$RUNS"
