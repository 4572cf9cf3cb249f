#!/usr/bin/env bash
# Sets up, builds and runs every test of the project:
#   0. static checks that need no build: formatting (`cargo fmt --check`) and
#      the Cargo feature propagation (zepter, scripts/zepter.sh);
#   1. build: the toolchain, then the node, the clients and every test target
#      (one release build, scripts/build.sh); then clippy on every target,
#      warnings as errors (the pallets and runtime with the benchmark and
#      try-runtime features too);
#   2. Rust: math property tests, pallet tests on mock runtimes, runtime
#      integration tests (`cargo test --release --workspace`);
#   3. side by side (each step logs to a file, printed whole when it ends):
#      - the pallets' benchmarks run as tests and the try-runtime checks of the
#        runtime's migrations against a dev-chain snapshot (one extra feature
#        set, `runtime-benchmarks,try-runtime`, compiled at low CPU priority);
#      - every `node --test` file against the real node, several at a time
#        (tests/run-suites.mjs): chain basics, specs, CLI errors, the market
#        flow (tests/e2e), the attacks (tests/attacks), the Rust clients
#        (tests/clients), the market explorer in headless chromium (tests/web);
#      - the multi-node test, unless ZOMBIENET=0: a zombienet network started
#        on the v101 release (with 2 s blocks), upgraded to the built runtime,
#        the market, a burst, prover agents, then a 4th validator added and
#        one removed.
# At the end (or at the first failure) it prints a table of every step's wall
# time and every test file's, and writes it to $CARGO_TARGET_DIR/test-timings/
# (scripts/record-timings.sh copies it into docs/build-and-test.md).
#
#   ZOMBIENET=0 ./scripts/test.sh     quick local loop without the multi-node test
#   TEST_JOBS=N ./scripts/test.sh     node --test files run at a time (default 4)
set -euo pipefail
source "$(dirname "$0")/env.sh"
T0=$(date +%s)
TIMINGS="$CARGO_TARGET_DIR/test-timings"
mkdir -p "$TIMINGS"
STEPS="$TIMINGS/steps.tsv"
: >"$STEPS"
touch "$TIMINGS/started"
# A run is cold when the target dir has no node yet: the build is the long part.
KIND=warm
[ -x "$NODE_BIN" ] || KIND=cold
# For the warm run's estimate of a cold one, on this machine (docs/build-and-test.md):
# a cold build (1,259-1,418 s from a fresh clone), and the static checks on a
# cold target dir (zepter's install 49 s + clippy's check-mode pass 408 s).
COLD_BUILD_ESTIMATE=${COLD_BUILD_ESTIMATE:-1400}
COLD_CHECKS_ESTIMATE=${COLD_CHECKS_ESTIMATE:-460}
LIMIT=3600

elapsed() { echo $(($(date +%s) - T0)); }

# step NAME CMD...: runs CMD, records when it started and ended (seconds into
# the run) and its status in $STEPS.
step() {
  local name="$1" start rc=0
  shift
  start=$(elapsed)
  "$@" || rc=$?
  printf '%s\t%s\t%s\t%s\n' "$name" "$start" "$(elapsed)" "$rc" >>"$STEPS"
  return "$rc"
}

# The rows under a step: each test file of the node suites, longest first;
# each of zombienet's own steps ("✅ alice: js-script ./upgrade.js ... (44693ms)").
substeps() {
  case "$1" in
    node-suites)
      [ -f "$TIMINGS/suites.json" ] && [ "$TIMINGS/suites.json" -nt "$TIMINGS/started" ] || return 0
      node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        for (const [f, t] of Object.entries(r.files).sort((a, b) => b[1].seconds - a[1].seconds))
          console.log(`| &nbsp;&nbsp;${f} | | | ${t.seconds} | ${t.ok ? "ok" : "FAILED"} |`);
      ' "$TIMINGS/suites.json"
      ;;
    zombienet)
      [ -f "$TIMINGS/zombienet.log" ] && [ "$TIMINGS/zombienet.log" -nt "$TIMINGS/started" ] || return 0
      sed -e 's/\x1b\[[0-9;]*m//g' "$TIMINGS/zombienet.log" |
        sed -nE 's/.* : (✅|❌) (.*) \(([0-9]+)ms\)$/\1\t\2\t\3/p' |
        awk -F'\t' '{ sub(/ return is .*/, "", $2); sub(/ within [0-9]+ seconds$/, "", $2);
          printf "| &nbsp;&nbsp;%s | | | %d | %s |\n", $2, ($3 + 500) / 1000, ($1 == "✅" ? "ok" : "FAILED") }'
      ;;
  esac
}

# The timing table: every step (start and end in seconds into the run: the
# steps of the last phase overlap), with the rows under it.
report() {
  local rc=$? total
  total=$(elapsed)
  {
    echo "\`./scripts/test.sh\` with a $KIND target dir, $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), TEST_JOBS=${TEST_JOBS:-4}, ZOMBIENET=${ZOMBIENET:-1}, $(nproc) cores:"
    echo
    echo "| step | from (s) | to (s) | seconds | result |"
    echo "| --- | ---: | ---: | ---: | --- |"
    sort -t$'\t' -k2,2n "$STEPS" | while IFS=$'\t' read -r name from to status; do
      echo "| $name | $from | $to | $((to - from)) | $([ "$status" = 0 ] && echo ok || echo "FAILED ($status)") |"
      substeps "$name"
    done
    echo "| **total ($KIND target dir)** | 0 | $total | **$total** | $([ "$rc" = 0 ] && echo "all passed" || echo "FAILED") |"
  } >"$TIMINGS/$KIND.md"
  {
    echo
    echo "== timings"
    cat "$TIMINGS/$KIND.md"
    echo "== $([ "$rc" = 0 ] && echo "all tests passed" || echo "FAILED") in $total s ($((total / 60)) min $((total % 60)) s)"
    if [ "$KIND" = cold ]; then
      if [ "$total" -gt "$LIMIT" ]; then
        echo "WARNING: this cold run took more than $((LIMIT / 60)) minutes (CI stops at 90): make the tests faster before adding more"
      fi
    else
      local build estimate
      local checks
      build=$(awk -F'\t' '$1 == "build" { print $3 - $2 }' "$STEPS")
      checks=$(awk -F'\t' '$1 == "zepter" || $1 ~ /^clippy/ { s += $3 - $2 } END { print s + 0 }' "$STEPS")
      estimate=$((total - ${build:-0} - checks + COLD_BUILD_ESTIMATE + COLD_CHECKS_ESTIMATE))
      echo "   a cold run (fresh clone, empty target dir) would take about $((estimate / 60)) min (the build ~$((COLD_BUILD_ESTIMATE / 60)) min instead of ${build:-0} s, zepter and clippy ~$((COLD_CHECKS_ESTIMATE / 60)) min instead of $checks s)"
      if [ "$estimate" -gt "$LIMIT" ]; then
        echo "WARNING: a cold run would pass $((LIMIT / 60)) minutes (CI stops at 90): make the tests faster before adding more"
      fi
    fi
  } >&2
  return "$rc"
}
trap report EXIT

cd "$ROOT"
echo "== static checks: cargo fmt --check, zepter (feature propagation)" >&2
step fmt cargo fmt --all --check
step zepter "$ROOT/scripts/zepter.sh"

echo "== build (toolchain, node, clients, every test target; $KIND target dir)" >&2
step build "$ROOT/scripts/build.sh"
if [ "$KIND" = cold ] && [ "$(elapsed)" -gt $((LIMIT - 1200)) ]; then
  echo "WARNING: the cold build alone took $(($(elapsed) / 60)) min: this run will probably pass $((LIMIT / 60)) minutes" >&2
fi
cd "$ROOT"

# Clippy, warnings as errors, on every target: the pallets and the runtime
# with the benchmark and try-runtime features (the feature set of the
# bench-try-runtime step below, so they share its build-script runs), then the
# whole workspace with the node's features. Not the node with both features:
# frame-benchmarking-cli then pulls in polkadot's pallet-staking, which does
# not compile with pallet-session's try-runtime alone. Check mode shares only
# build scripts and proc macros with the release build (docs/build-and-test.md).
PALLETS=(-p pallet-provers -p pallet-base-fee -p pallet-market -p pallet-verifier -p pallet-validator-set)
echo "== clippy (-D warnings): pallets and runtime with runtime-benchmarks,try-runtime; then the workspace" >&2
step clippy-features env SKIP_WASM_BUILD=1 cargo clippy --locked --release --all-targets \
  --features runtime-benchmarks,try-runtime "${PALLETS[@]}" -p zkmarket-runtime -- -D warnings
step clippy env SKIP_WASM_BUILD=1 cargo clippy --locked --release --workspace --all-targets -- -D warnings

echo "== cargo test (math, pallets, runtime)" >&2
step rust-tests cargo test --locked --release --workspace

echo "== npm ci (tests/)" >&2
cd "$ROOT/tests"
step npm-ci npm ci --no-audit --no-fund --loglevel=error

# The steps below run side by side. Each writes its own log, printed when it
# ends; the script fails when any of them failed.
# Each runs in its own process group (set -m), so an interrupted run stops
# them with everything they started (dev nodes, zombienet's network).
declare -A LOGS=() PIDS=()
bg() {
  local name="$1"
  shift
  LOGS[$name]="$TIMINGS/$name.log"
  set -m
  step "$name" "$@" >"${LOGS[$name]}" 2>&1 &
  PIDS[$!]="$name"
  set +m
  echo "   started $name (log: ${LOGS[$name]})" >&2
}
stop_all() {
  local pid
  for pid in "${!PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  exit 130
}
trap stop_all INT TERM

echo "== side by side: benchmark + try-runtime tests, node --test suites$([ "${ZOMBIENET:-1}" != 0 ] && echo ", zombienet")" >&2
# The pallets' benchmarks (frame-benchmarking v2 on the mock runtimes), their
# migration tests with the try-runtime checks, and runtime/tests/try_runtime.rs:
# one extra feature set, built at low priority so the dev nodes keep their slots.
bg bench-try-runtime env SKIP_WASM_BUILD=1 nice -n 15 cargo test --locked --release \
  --features runtime-benchmarks,try-runtime "${PALLETS[@]}" -p zkmarket-runtime \
  -- benchmark migrat try_runtime
bg node-suites node run-suites.mjs --jobs "${TEST_JOBS:-4}" --timings "$TIMINGS/suites.json" \
  e2e/ attacks/ clients/ web/
if [ "${ZOMBIENET:-1}" != 0 ]; then
  bg zombienet "$ROOT/scripts/zombienet.sh" test
fi

failed=()
while [ "${#PIDS[@]}" -gt 0 ]; do
  rc=0
  wait -n -p done_pid "${!PIDS[@]}" || rc=$?
  name="${PIDS[$done_pid]}"
  unset "PIDS[$done_pid]"
  echo >&2
  echo "== $name: $([ "$rc" = 0 ] && echo passed || echo "FAILED ($rc)") at $(elapsed) s; its log:" >&2
  cat "${LOGS[$name]}" >&2
  [ "$rc" = 0 ] || failed+=("$name")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "== failed: ${failed[*]}" >&2
  exit 1
fi
