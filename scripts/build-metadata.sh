#!/usr/bin/env bash
# Regenerates the runtime metadata the Rust clients are typed from
# (clients/zkmarket-client/metadata/zkmarket.scale, SCALE V16) with the node's
# `export-metadata` (it runs the node's embedded runtime WASM; no chain needed).
# The e2e test `cli.test.mjs` fails when the committed file drifts from it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
out="${1:-$ROOT/clients/zkmarket-client/metadata/zkmarket.scale}"
mkdir -p "$(dirname "$out")"
"$NODE_BIN" export-metadata --version 16 --output "$out"
echo "metadata written to $out ($(wc -c <"$out") bytes)" >&2
