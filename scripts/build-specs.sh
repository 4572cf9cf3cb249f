#!/usr/bin/env bash
# Regenerates the checked-in chain specs (dev and local, plain and raw) from the
# node. The e2e test `specs.test.mjs` fails when they drift from what it generates.
set -euo pipefail
source "$(dirname "$0")/env.sh"
out="${1:-$ROOT/chain-specs}"
mkdir -p "$out"
for chain in dev local; do
  "$NODE_BIN" build-spec --chain "$chain" --disable-default-bootnode 2>/dev/null >"$out/$chain.json"
  "$NODE_BIN" build-spec --chain "$chain" --disable-default-bootnode --raw 2>/dev/null >"$out/$chain-raw.json"
done
echo "chain specs written to $out" >&2
