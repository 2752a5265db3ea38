// Shared setup: a mock server and a Codex pointed at it, so each test is a few lines.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Codex } from 'codex-sdk';
import { MockServer } from 'codex-sdk/testing';

/** A fresh mock server (closed after the test) and a Codex talking to it. */
export async function setup(t, options = {}) {
  const server = await MockServer.start();
  t.after(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), 'codex-sdk-node-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const codex = new Codex({
    baseUrl: server.baseUrl,
    apiKey: 'test-key',
    cwd,
    codexHome: join(cwd, '.codex'),
    ...options,
  });
  return { server, codex, cwd };
}

/** The JSON body of the `n`th request the server received. */
export function requestBody(server, n) {
  return JSON.parse(server.requests()[n].body);
}

/**
 * The core's rmcp test server (`codex-sdk/examples/mcp_test_server.rs`), built with cargo if needed (into
 * CARGO_TARGET_DIR, as the core's own tests build it).
 */
export function mcpTestServer() {
  const repo = fileURLToPath(new URL('../../..', import.meta.url));
  const out = execFileSync(
    'cargo',
    ['build', '--quiet', '-p', 'codex-agent-sdk', '--features', 'testing', '--example', 'mcp_test_server', '--message-format', 'json'],
    { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  for (const line of out.split('\n')) {
    if (!line) continue;
    const message = JSON.parse(line);
    if (message.reason === 'compiler-artifact' && message.target.name === 'mcp_test_server') return message.executable;
  }
  throw new Error('cargo built no mcp_test_server executable');
}
