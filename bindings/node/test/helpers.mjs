// Shared setup: a mock server and a Codex pointed at it, so each test is a few lines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
