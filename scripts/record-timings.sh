#!/usr/bin/env bash
# Copies the timing table of the last `scripts/test.sh` run of a kind (cold:
# the target dir had no node yet; warm: it had) into docs/build-and-test.md,
# between its `<!-- timings:KIND -->` markers, so the recorded figures are the
# script's own output, not a transcription.
#   scripts/record-timings.sh cold|warm
set -euo pipefail
source "$(dirname "$0")/env.sh"
kind="${1:-}"
case "$kind" in cold | warm) ;; *) echo "usage: $0 cold|warm" >&2; exit 2 ;; esac
table="$CARGO_TARGET_DIR/test-timings/$kind.md"
[ -f "$table" ] || { echo "no $kind run recorded in $table: run ./scripts/test.sh first" >&2; exit 1; }
doc="$ROOT/docs/build-and-test.md"
begin="<!-- timings:$kind:begin -->"
end="<!-- timings:$kind:end -->"
grep -qF "$begin" "$doc" && grep -qF "$end" "$doc" || { echo "$doc has no $begin ... $end markers" >&2; exit 1; }
awk -v begin="$begin" -v end="$end" -v table="$table" '
  $0 == begin { print; while ((getline line < table) > 0) print line; skip = 1; next }
  $0 == end { skip = 0 }
  !skip { print }
' "$doc" >"$doc.tmp"
mv "$doc.tmp" "$doc"
echo "recorded $table in $doc" >&2
