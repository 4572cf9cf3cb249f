#!/usr/bin/env bash
# Sets up the toolchain and builds the node (with its WASM runtime) and the demo prover.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/setup-toolchain.sh"
cd "$ROOT"
# `--workspace --all-targets` builds the node, the prover and every test target
# with one feature resolution, so `cargo test` afterwards recompiles nothing.
cargo build --locked --release --workspace --all-targets
