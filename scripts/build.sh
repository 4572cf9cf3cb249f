#!/usr/bin/env bash
# Sets up the toolchain and builds the node (with its WASM runtime) and the demo prover.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/setup-toolchain.sh"
cd "$ROOT"
cargo build --locked --release -p zkmarket-node -p zkmarket-prover
