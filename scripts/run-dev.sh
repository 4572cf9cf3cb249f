#!/usr/bin/env bash
# Sets up, builds and starts a development chain: Alice authors 2-second blocks,
# GRANDPA finalizes, JSON-RPC/WebSocket at ws://127.0.0.1:9944. State is
# temporary (--tmp); pass extra node flags as arguments.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/build.sh"
exec "$NODE_BIN" --dev --tmp --rpc-port 9944 "$@"
