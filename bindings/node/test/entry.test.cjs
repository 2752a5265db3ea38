// The CommonJS entry point loads the same classes as the ES module one.
const assert = require('node:assert/strict');
const { test } = require('node:test');

test('require("codex-sdk") and import("codex-sdk") share one instance', async () => {
  const cjs = require('codex-sdk');
  const esm = await import('codex-sdk');
  assert.equal(typeof cjs.Codex, 'function');
  assert.equal(cjs.Codex, esm.Codex);
  assert.equal(cjs.UnauthorizedError, esm.UnauthorizedError);
  const testing = require('codex-sdk/testing');
  assert.equal(typeof testing.MockServer.start, 'function');
  assert.equal(typeof cjs.version(), 'string');
});
