#!/usr/bin/env bash
# Regenerates the checked-in chain specs (dev and local, plain and raw) from the
# node, and the clients' runtime metadata (scripts/build-metadata.sh). The e2e
# test `cli.test.mjs` fails when either drifts from what the node generates.
set -euo pipefail
source "$(dirname "$0")/env.sh"
out="${1:-$ROOT/chain-specs}"
mkdir -p "$out"
for chain in dev local; do
  "$NODE_BIN" build-spec --chain "$chain" --disable-default-bootnode 2>/dev/null >"$out/$chain.json"
  "$NODE_BIN" build-spec --chain "$chain" --disable-default-bootnode --raw 2>/dev/null >"$out/$chain-raw.json"
done
echo "chain specs written to $out" >&2
if [ -z "${1:-}" ]; then "$ROOT/scripts/build-metadata.sh"; fi
