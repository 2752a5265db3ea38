// The environment commands see: the core's shell environment policy, set through the options. By default
// a variable that looks like a secret (*KEY*, *SECRET*, *TOKEN*) never reaches a tool.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { setup } from './helpers.mjs';

async function envOutput(t, options = {}) {
  const { server, codex } = await setup(t, {
    approvalPolicy: 'never',
    sandboxPolicy: 'danger-full-access',
    ...options,
  });
  server.enqueueToolCall('shell', { command: ['env'] }).enqueueText('done', 'r2');
  const conversation = await codex.startConversation();
  const events = [];
  for await (const event of conversation.stream('show the environment')) events.push(event);
  const end = events.find((e) => e.type === 'exec_command_end');
  assert.equal(end.exit_code, 0);
  return end.aggregated_output;
}

test('secrets never reach a command by default', async (t) => {
  process.env.CODEX_SDK_NODE_TEST_API_KEY = 'sk-must-not-leak';
  process.env.CODEX_SDK_NODE_TEST_PLAIN = 'visible';
  t.after(() => {
    delete process.env.CODEX_SDK_NODE_TEST_API_KEY;
    delete process.env.CODEX_SDK_NODE_TEST_PLAIN;
  });
  const output = await envOutput(t);
  assert.ok(!output.includes('sk-must-not-leak'), output);
  assert.ok(output.includes('CODEX_SDK_NODE_TEST_PLAIN=visible'), output);
});

test('the policy is taken whole from the options', async (t) => {
  const output = await envOutput(t, {
    shellEnvironmentPolicy: { inherit: 'none', set: { ONLY_THIS: '1', PATH: '/usr/bin:/bin' } },
  });
  const names = output.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=')[0]);
  assert.ok(names.includes('ONLY_THIS'), output);
  for (const name of names) assert.ok(['ONLY_THIS', 'PATH', 'CODEX_SDK_EXEC_ID'].includes(name), name);
});
