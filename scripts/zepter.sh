#!/usr/bin/env bash
# The Cargo feature-propagation check polkadot-sdk projects use (zepter,
# https://crates.io/crates/zepter; its workflows are in .config/zepter.yaml):
# a crate's `std`, `runtime-benchmarks` and `try-runtime` features must enable
# the same feature of every workspace dependency that has it.
#   scripts/zepter.sh          check (what scripts/test.sh runs)
#   scripts/zepter.sh --fix    fix what it finds (review the Cargo.toml diff)
# Installs the pinned zepter into $CARGO_TARGET_DIR/tools on first use.
set -euo pipefail
source "$(dirname "$0")/env.sh"
ZEPTER_VERSION=1.88.2
TOOLS="$CARGO_TARGET_DIR/tools"
ZEPTER="$TOOLS/bin/zepter"
if ! [ -x "$ZEPTER" ] || ! "$ZEPTER" --version 2>/dev/null | grep -q "$ZEPTER_VERSION"; then
  echo "   installing zepter $ZEPTER_VERSION into $TOOLS" >&2
  CARGO_TARGET_DIR="$TOOLS/build" cargo install --quiet --locked --root "$TOOLS" \
    zepter --version "$ZEPTER_VERSION"
fi
cd "$ROOT"
if [ "${1:-}" = --fix ]; then
  exec "$ZEPTER"
fi
exec "$ZEPTER" run check
