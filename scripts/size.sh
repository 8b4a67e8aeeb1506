#!/usr/bin/env bash
# The first-load size figures (README Figures, issue #7's goal ≤ 250 KB): what a browser
# downloads to show the page, gzip -9 of each file of the release build (the layout JSON
# is embedded in the wasm). The page has two modules (www/loader.js): the first load is
# the Statechart tab's (cephscope-lite); the whole app (cephscope) is downloaded when
# another tab, a file or a link to another view is asked for, and is the first load of
# such a link. Builds dist/ first unless --no-build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then
  trunk build --release >/dev/null
fi
gz() { gzip -9 -c "$1" | wc -c; }
row() {
  printf '%-24s %9d B  %8d B gzip\n' "$(basename "$1" | sed 's/-[0-9a-f]\{16\}//')" "$(stat -c %s "$1")" "$(gz "$1")"
}
page=0
for f in dist/*.css dist/index.html; do
  row "$f"
  page=$((page + $(gz "$f")))
done
lite=$((page + $(gz dist/cephscope-lite_bg.wasm) + $(gz dist/cephscope-lite.js)))
full=$(($(gz dist/cephscope_bg.wasm) + $(gz dist/cephscope.js)))
row dist/cephscope-lite_bg.wasm
row dist/cephscope-lite.js
row dist/cephscope_bg.wasm
row dist/cephscope.js
printf 'first load (Statechart tab: cephscope-lite, CSS, HTML)   %8d B gzip (goal 250000)\n' "$lite"
printf 'whole app, loaded on demand (cephscope wasm + JS)       %8d B gzip\n' "$full"
printf 'first load of a link to another view (cephscope, CSS, HTML) %5d B gzip\n' "$((full + page))"
