#!/usr/bin/env bash
# Every test of the project, from a clean clone. Installs what it needs itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# Tests and examples record conversations: keep them out of the real CODEX_HOME.
CODEX_HOME="$(mktemp -d)"
export CODEX_HOME
trap 'rm -rf "$CODEX_HOME"' EXIT

echo "== rustfmt"
cargo fmt --all -- --check

echo "== clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --features codex-agent-sdk/testing --locked -- -D warnings

echo "== the library without optional features (telemetry hooks without OpenTelemetry)"
cargo check -p codex-agent-sdk --lib --locked

# Codex CLI (npm @openai/codex ships its Linux binary) for the rollout interoperability test.
CODEX_CLI_PREFIX="${HOME}/.cache/codex-sdk/codex-cli-0.169.0"
if [ -z "${CODEX_CLI_BIN:-}" ] && command -v npm >/dev/null; then
  if [ ! -x "$CODEX_CLI_PREFIX/node_modules/.bin/codex" ]; then
    echo "== installing Codex CLI 0.169.0 (interop test)"
    npm install --silent --no-audit --no-fund --prefix "$CODEX_CLI_PREFIX" @openai/codex@0.169.0 >/dev/null 2>&1 \
      || echo "could not install @openai/codex; the interop test will say it is skipped"
  fi
  if [ -x "$CODEX_CLI_PREFIX/node_modules/.bin/codex" ]; then
    export CODEX_CLI_BIN="$CODEX_CLI_PREFIX/node_modules/.bin/codex"
  fi
fi

# @modelcontextprotocol/server-everything (npm) for the third-party MCP server test.
MCP_EVERYTHING_PREFIX="${HOME}/.cache/codex-sdk/mcp-server-everything-2026.8.31"
if [ -z "${MCP_SERVER_EVERYTHING_BIN:-}" ] && command -v npm >/dev/null; then
  if [ ! -x "$MCP_EVERYTHING_PREFIX/node_modules/.bin/mcp-server-everything" ]; then
    echo "== installing @modelcontextprotocol/server-everything 2026.8.31 (MCP test)"
    npm install --silent --no-audit --no-fund --prefix "$MCP_EVERYTHING_PREFIX" \
      @modelcontextprotocol/server-everything@2026.8.31 >/dev/null 2>&1 \
      || echo "could not install server-everything; the MCP third-party test will say it is skipped"
  fi
  if [ -x "$MCP_EVERYTHING_PREFIX/node_modules/.bin/mcp-server-everything" ]; then
    export MCP_SERVER_EVERYTHING_BIN="$MCP_EVERYTHING_PREFIX/node_modules/.bin/mcp-server-everything"
  fi
fi

# The official Python MCP SDK (`mcp`, PyPI) in a cached venv, for the MCP server mode test.
MCP_VENV="${HOME}/.cache/codex-sdk/mcp-python-venv"
if [ -z "${MCP_PYTHON:-}" ] && command -v python3 >/dev/null; then
  if ! "$MCP_VENV/bin/python" -c 'import mcp' >/dev/null 2>&1; then
    echo "== installing the Python mcp package 2.3.0 (MCP server mode test)"
    { python3 -m venv "$MCP_VENV" && "$MCP_VENV/bin/python" -m pip install -q --disable-pip-version-check mcp==2.3.0; } \
      >/dev/null 2>&1 || echo "could not install the Python mcp package; the MCP server mode test will say it is skipped"
  fi
  if "$MCP_VENV/bin/python" -c 'import mcp' >/dev/null 2>&1; then
    export MCP_PYTHON="$MCP_VENV/bin/python"
  fi
fi

# The official TypeScript SDK (npm @openai/codex-sdk), driven with `codex-sdk exec` as its engine.
CODEX_TS_SDK_PREFIX="${HOME}/.cache/codex-sdk/codex-ts-sdk-0.163.0"
if [ -z "${CODEX_TS_SDK:-}" ] && command -v npm >/dev/null; then
  if [ ! -f "$CODEX_TS_SDK_PREFIX/node_modules/@openai/codex-sdk/dist/index.js" ]; then
    echo "== installing @openai/codex-sdk 0.163.0 (official SDK test)"
    npm install --silent --no-audit --no-fund --prefix "$CODEX_TS_SDK_PREFIX" @openai/codex-sdk@0.163.0 >/dev/null 2>&1 \
      || echo "could not install @openai/codex-sdk; the official SDK test will say it is skipped"
  fi
  if [ -f "$CODEX_TS_SDK_PREFIX/node_modules/@openai/codex-sdk/dist/index.js" ]; then
    export CODEX_TS_SDK="$CODEX_TS_SDK_PREFIX/node_modules/@openai/codex-sdk"
  fi
fi

echo "== rust tests (unit, integration, doctests), with a throwaway PostgreSQL for the postgres store's tests"
# with-postgres.sh installs the server if needed, starts it as an unprivileged user on 127.0.0.1 and sets
# CODEX_SDK_TEST_PG_URL (with CI=true a test that finds it unset fails instead of skipping).
bash scripts/with-postgres.sh cargo test -p codex-agent-sdk --features testing --locked

echo "== API docs (rustdoc warnings are errors: broken intra-doc links)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p codex-agent-sdk --all-features --locked

# `cargo package` verifies by building the packed crate as its own workspace, which would use cargo's default
# dev profile and rebuild every dependency (~6 min on 2 cores); the workspace's dev profile lets it reuse them.
echo "== the crate as published (cargo package, verified: the packed crate builds on its own)"
cargo package -p codex-agent-sdk --locked --allow-dirty \
  --config 'profile.dev.debug="line-tables-only"' \
  --config 'profile.dev.package."*".debug=false' --config 'profile.dev.package."*".opt-level=1'

echo "== app server TypeScript types (generated from schema/app_server.schema.json; drift fails)"
node scripts/gen-app-server-ts.mjs --check

echo "== examples run"
cargo run -q --example quickstart --locked >/dev/null
env -u OPENAI_API_KEY cargo run -q --features cli --bin codex-sdk --locked -- exec "smoke test" >/dev/null 2>&1
# exec exits non-zero when the turn fails (here: nothing listens on the provider's port).
if OPENAI_API_KEY=sk-none cargo run -q --features cli --bin codex-sdk --locked -- exec \
    -c model_providers.dead.name=dead -c model_providers.dead.base_url=http://127.0.0.1:9/v1 \
    -c model_providers.dead.env_key=OPENAI_API_KEY -c model_providers.dead.request_max_retries=0 \
    -c model_provider=dead "fail please" >/dev/null 2>&1; then
  echo "exec should have failed against a dead provider"; exit 1
fi
echo "examples: ok"

# The bindings' tests of the postgres store (rollout = {"store": "postgres"} from host settings) need a server too:
# one throwaway PostgreSQL per binding script.
echo "== python binding (pyo3; venv and tools installed by the script), with a throwaway PostgreSQL"
bash scripts/with-postgres.sh bash bindings/python/scripts/test.sh

echo "== node binding (napi-rs; npm packages installed by the script), with a throwaway PostgreSQL"
bash scripts/with-postgres.sh bash bindings/node/scripts/test.sh

echo "== node package as installed from npm (npm pack; tarballs into a fresh project; ESM, CommonJS, types)"
bash bindings/node/scripts/pack-test.sh

echo "== swift release archive (pack-xcframework.sh: versioned zip + checksum in the root Package.swift)"
bash bindings/swift/scripts/pack-test.sh

echo "== swift binding (uniffi; XCTest with Swift 6.0.3 in a Debian trixie chroot, + uniffi's Python bindings), with a throwaway PostgreSQL"
bash scripts/with-postgres.sh bash bindings/swift/scripts/test.sh -q
