#!/usr/bin/env bash
# Builds cephscope's web app (release) and serves it on http://127.0.0.1:8080, installing
# what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
export PATH="$PWD/tools/node_modules/.bin:$PATH"
echo "[serve] http://127.0.0.1:8080 (Ctrl-C stops)"
exec trunk serve --release --address 127.0.0.1 --port 8080
