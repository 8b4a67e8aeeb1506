#!/usr/bin/env bash
# Benchmark (not a test): the golden cluster scenario end to end, natively and as wasm32
# in Node, the same program (examples/golden_run.rs) in the release profile the site and
# the CLI ship with, warmed up the same way on both. Prints each target's figures and the
# ratio of the medians, three rounds alternating. Needs the tools scripts/test.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
out="$target_dir/golden_run_node"
cargo build --quiet --release --example golden_run
cargo build --quiet --release --example golden_run --target wasm32-unknown-unknown
wasm-bindgen --target nodejs --out-dir "$out" \
  "$target_dir/wasm32-unknown-unknown/release/examples/golden_run.wasm"
median() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'; }
for round in 1 2 3; do
  native=$("$target_dir/release/examples/golden_run")
  wasm=$(node "$out/golden_run.js")
  echo "$native"
  echo "$wasm"
  awk -v n="$(echo "$native" | median)" -v w="$(echo "$wasm" | median)" -v r="$round" \
    'BEGIN { printf "round %d: wasm / native, medians: %.2f\n", r, w / n }'
done
