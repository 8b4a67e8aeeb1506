#!/usr/bin/env bash
# The first-load size figure (README Figures, issue #7's goal ≤ 250 KB): what a browser
# downloads to show the page, gzip -9 of each file of the release build (the layout JSON
# is embedded in the wasm). Builds dist/ first unless --no-build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then
  trunk build --release >/dev/null
fi
total=0
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  printf '%-12s %9d B  %8d B gzip\n' "$(basename "$f" | sed 's/-[0-9a-f]\{16\}//')" "$raw" "$gz"
done
printf 'first load   %21d B gzip (goal 250000)\n' "$total"
