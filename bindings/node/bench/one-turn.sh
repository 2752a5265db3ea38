#!/usr/bin/env bash
# Whole-process wall time and peak memory of a one-turn script against a local model server (a separate
# process): codex-sdk (in process) vs. @openai/codex-sdk (spawns the codex CLI), same server, same turn.
# Usage: bench/one-turn.sh [N]   (build the addon first: npm run build:release)
set -euo pipefail
cd "$(dirname "$0")"
N="${1:-10}"
fifo="$(mktemp -u)"; mkfifo "$fifo"
node server.mjs $((N * 4 + 8)) > "$fifo" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$fifo"; rm -rf "${TMPDIR:-/tmp}"/codex-sdk-bench-* "${TMPDIR:-/tmp}"/codex-official-bench-*' EXIT
read -r line < "$fifo"
export OPENAI_BASE_URL="${line#OPENAI_BASE_URL=}"
echo "== node -e 0 (Node's own start-up, for scale)"
node measure.mjs "$N" -- node -e 0
echo "== codex-sdk (this package)"
node measure.mjs "$N" -- node one-turn.mjs
# The official SDK: the copy scripts/test.sh caches (same version), else an npm install into compare/.
cached="${HOME}/.cache/codex-sdk/codex-ts-sdk-0.163.0/node_modules"
if [ ! -e compare/node_modules ] && [ -d "$cached/@openai/codex-sdk" ]; then
  ln -s "$cached" compare/node_modules
fi
if [ -d compare/node_modules/@openai/codex-sdk ] || (cd compare && npm install --no-audit --no-fund --loglevel=error); then
  echo "== @openai/codex-sdk $(node -p "require('./compare/node_modules/@openai/codex-sdk/package.json').version")"
  node measure.mjs "$N" -- node one-turn-official.mjs || echo "(the official SDK failed against the local server)"
fi
