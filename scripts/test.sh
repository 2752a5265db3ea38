#!/usr/bin/env bash
# Every test of the project, from a clean clone. Installs what it needs itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

echo "== rustfmt"
cargo fmt --all -- --check

echo "== clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --features codex-sdk/testing --locked -- -D warnings

echo "== rust tests (unit, integration, doctests)"
cargo test -p codex-sdk --features testing --locked

echo "== examples run"
cargo run -q --example quickstart --locked >/dev/null
env -u OPENAI_API_KEY cargo run -q --example exec --locked -- "smoke test" >/dev/null 2>&1
