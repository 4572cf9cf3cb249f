#!/usr/bin/env python3
"""Scale curve of the auction clearing from the runtime benchmark.

Runs the node's `benchmark pallet` for `pallet_market::clear_auction` at every
combination of 10, 100, 1,000 and 2,048 queued bids and 10, 100, 1,000 and
10,000 registered provers (WASM, compiled execution, real storage overlay) and prints the median
time of one block's clearing as a markdown table.

    ./scripts/clearing-grid.py            # after ./scripts/benchmark.sh built the node
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

TARGET = os.environ.get("BENCH_TARGET_DIR", "/var/tmp/zkmarket-bench-target")
NODE = os.path.join(TARGET, "release", "zkmarket-node")
BIDS = [10, 100, 1000, 2048]
PROVERS = [10, 100, 1000, 10000]
REPEAT = os.environ.get("REPEAT", "20")


def median_ms(bids: int, provers: int) -> float:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [NODE, "benchmark", "pallet", "--chain", "dev", "--pallet", "pallet_market",
             "--extrinsic", "clear_auction", "--low", f"{bids},{provers}",
             "--high", f"{bids},{provers}", "--steps", "2", "--repeat", REPEAT,
             "--wasm-execution", "compiled", "--json-file", out.name],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = json.load(open(out.name))
    times = [r["extrinsic_time"] for r in results[0]["time_results"]]
    return statistics.median(times) / 1e6  # ns -> ms


def main() -> int:
    if not os.path.exists(NODE):
        print(f"{NODE} missing: run ./scripts/benchmark.sh first", file=sys.stderr)
        return 1
    grid = {(b, p): median_ms(b, p) for b in BIDS for p in PROVERS}
    print("| queued bids \\ provers | " + " | ".join(f"{p:,}" for p in PROVERS) + " |")
    print("| --- |" + " --- |" * len(PROVERS))
    for b in BIDS:
        print(f"| {b:,} | " + " | ".join(f"{grid[(b, p)]:.2f} ms" for p in PROVERS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
