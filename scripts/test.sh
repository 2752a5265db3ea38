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
# exec exits non-zero when the turn fails (here: nothing listens on the provider's port).
if OPENAI_API_KEY=sk-none cargo run -q --example exec --locked -- \
    -c model_providers.dead.name=dead -c model_providers.dead.base_url=http://127.0.0.1:9/v1 \
    -c model_providers.dead.env_key=OPENAI_API_KEY -c model_providers.dead.request_max_retries=0 \
    -c model_provider=dead "fail please" >/dev/null 2>&1; then
  echo "exec should have failed against a dead provider"; exit 1
fi
echo "examples: ok"
