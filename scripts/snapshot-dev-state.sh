#!/usr/bin/env bash
# A state snapshot of a dev chain running the previous runtime release, for the
# try-runtime test of the next release's migrations (runtime/tests/try_runtime.rs).
#
#   scripts/snapshot-dev-state.sh [out.json]     (default runtime/tests/snapshots/dev-v101.json)
#
# Starts $NODE_BIN on the release's raw dev spec (SNAPSHOT_CHAIN_SPEC, default
# releases/v101/dev-raw.json: Alice authors alone, sudo Alice) as Alice
# (`--alice`: her aura, gran and zkvf session keys in the keystore, so she
# authors, finalizes and verifies proofs in her off-chain worker) on a
# temporary base path and free loopback ports, runs
# tests/upgrade/make-snapshot.mjs (market traffic, then the whole state but
# `:code` at one finalized block) and stops the node. Needs the node and prover
# binaries (scripts/build.sh) and tests/node_modules (npm ci in tests/).
set -euo pipefail
source "$(dirname "$0")/env.sh"

OUT="$(realpath -m "${1:-$ROOT/runtime/tests/snapshots/dev-v101.json}")"
SPEC="$(realpath -m "${SNAPSHOT_CHAIN_SPEC:-$ROOT/releases/v101/dev-raw.json}")"

for f in "$NODE_BIN" "$PROVER_BIN"; do
	[[ -x "$f" ]] || { echo "error: $f not found; run scripts/build.sh" >&2; exit 1; }
done
[[ -f "$SPEC" ]] || { echo "error: chain spec $SPEC not found" >&2; exit 1; }
[[ -d "$ROOT/tests/node_modules/@polkadot/api" ]] || { echo "error: run npm ci in $ROOT/tests" >&2; exit 1; }
# The spec of release vN runs spec_version N.
if [[ "$SPEC" =~ /releases/v([0-9]+)/ ]]; then
	export EXPECT_SPEC_VERSION="${BASH_REMATCH[1]}"
fi

BASE="$(mktemp -d "${TMPDIR:-/tmp}/zkmarket-snapshot.XXXXXX")"
NODE_PID=""
stop_node() {
	if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
		kill -INT "$NODE_PID" 2>/dev/null || true
		for _ in $(seq 60); do
			kill -0 "$NODE_PID" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$NODE_PID" 2>/dev/null || true
		wait "$NODE_PID" 2>/dev/null || true
	fi
	NODE_PID=""
}
cleanup() {
	stop_node
	rm -rf "$BASE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two distinct free loopback ports (RPC, p2p), as the e2e tests pick them.
read -r RPC_PORT P2P_PORT < <(cd "$ROOT/tests" && node --input-type=module -e "
const { freePort } = await import('./e2e/lib.mjs');
const a = await freePort(); let b = await freePort();
while (b === a) b = await freePort();
console.log(a, b);")
[[ -n "${P2P_PORT:-}" ]] || { echo "error: no free ports" >&2; exit 1; }

# The flags of the e2e tests' `--dev --tmp` node, with the spec file instead of
# `--dev`: --alice (name, --validator, Alice's session keys through the
# runtime's SessionKeys API), --force-authoring, a fixed node key (a validator
# of a non-`--dev` chain needs one) and a temporary base path.
"$NODE_BIN" \
	--chain "$SPEC" \
	--alice \
	--validator \
	--force-authoring \
	--base-path "$BASE" \
	--node-key 0000000000000000000000000000000000000000000000000000000000000001 \
	--rpc-port "$RPC_PORT" \
	--port "$P2P_PORT" \
	--rpc-methods unsafe \
	--rpc-cors all \
	--no-prometheus \
	--no-telemetry \
	--no-mdns \
	>"$BASE/node.log" 2>&1 &
NODE_PID=$!
echo "node $NODE_PID on $SPEC, ws://127.0.0.1:$RPC_PORT, base path $BASE" >&2

status=0
(cd "$ROOT/tests" && node upgrade/make-snapshot.mjs "ws://127.0.0.1:$RPC_PORT" "$OUT") || status=$?
if [[ $status -ne 0 ]]; then
	echo "make-snapshot failed ($status); last node log lines:" >&2
	tail -n 40 "$BASE/node.log" >&2 || true
fi
stop_node
exit $status
