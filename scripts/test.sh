#!/usr/bin/env bash
# Runs every cephscope test on this machine, installing what is missing first:
# formatting and lints, native tests, wasm tests in Node and in headless Chromium, and the
# end-to-end tests of the release build in Chromium (playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh --browser
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# The property tests run a fixed set of random schedules here, so a run is reproducible and
# CI is not a lottery; explore new ones with another seed or `cargo test` alone (random),
# e.g. `PROPTEST_RNG_SEED=7 PROPTEST_CASES=20000 cargo test --test world_props`.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261201}"

step() { printf '\n=== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check
step "cargo clippy (native and wasm32), warnings are errors"
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --bins -- -D warnings
# The page's first module (the Statechart tab alone): the same sources with --features lite.
cargo clippy --target wasm32-unknown-unknown --features lite --lib --bins --test web_lite -- -D warnings
step "native tests"
cargo test
step "wasm tests: Node and headless Chromium"
cargo test --target wasm32-unknown-unknown --test wasm_node --test web_app --test web_cluster
cargo test --target wasm32-unknown-unknown --features lite --test web_lite
step "release build (trunk build --release)"
trunk build --release
step "end-to-end tests of the built site in Chromium"
node --test tests/e2e/
