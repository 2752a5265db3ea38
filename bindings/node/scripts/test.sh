#!/usr/bin/env bash
# The Node binding's tests, from a clean clone with Rust, Node ≥ 20 and npm: installs the npm dev
# dependencies, builds the addon (debug) and the TypeScript layer, fails when a generated file drifts
# (native/index.{js,d.ts} from napi, lib/generated/* from the protocol schema), type-checks the typed-event
# examples, and runs `node --test`. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== npm install"
# `npm ci` rejects this lock file on Node 20 (@napi-rs/cli wants Node 22 but works on 20); install works.
npm install --no-audit --no-fund --loglevel=error

echo "== generated protocol types (lib/generated) are up to date"
node scripts/gen-types.mjs --check

echo "== build the addon (napi build, debug) and the TypeScript layer"
npm run --silent build:native
npm run --silent build:ts

echo "== napi's generated loader and types (native/index.js, native/index.d.ts) are up to date"
if ! git diff --exit-code -- native/index.js native/index.d.ts; then
  echo "native/index.js or native/index.d.ts changed when rebuilt: commit the regenerated files"
  exit 1
fi

echo "== typed events narrow (tsc on test/types)"
npm run --silent typecheck

echo "== node --test"
npm test
