# Shared environment of the project's scripts (sourced, not run).
# One persistent target directory outside the clone, one profile (release) and
# one feature set for the node and the tests, so nothing is compiled twice.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/zkmarket-target}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export NODE_BIN="$CARGO_TARGET_DIR/release/zkmarket-node"
export PROVER_BIN="$CARGO_TARGET_DIR/release/zkmarket-prover"
