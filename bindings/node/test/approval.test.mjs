// Approvals: the onApproval callback grants or denies; without one, requests are denied.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { setup } from './helpers.mjs';

const approvalSettings = { approvalPolicy: 'untrusted', sandboxPolicy: { mode: 'danger-full-access' } };

async function touchTurn(t, options) {
  const { server, codex, cwd } = await setup(t, { ...approvalSettings, ...options });
  server.enqueueToolCall('shell', { command: ['touch', 'approved.txt'] }).enqueueText('finished', 'r2');
  const conversation = await codex.startConversation();
  const events = [];
  for await (const event of conversation.stream('touch it')) events.push(event);
  return { events, server, file: join(cwd, 'approved.txt') };
}

test('an async onApproval that approves: the command runs', async (t) => {
  const requests = [];
  const { events, file } = await touchTurn(t, {
    onApproval: async (request) => {
      requests.push(request);
      return 'approved';
    },
  });
  assert.equal(requests.length, 1);
  assert.equal(requests[0].type, 'exec_approval_request');
  assert.deepEqual(requests[0].command, ['touch', 'approved.txt']);
  assert.ok(events.some((e) => e.type === 'exec_approval_request'));
  assert.equal(events.at(-1).type, 'task_complete');
  assert.ok(existsSync(file));
});

test('a sync onApproval answering true approves', async (t) => {
  const { file } = await touchTurn(t, { onApproval: () => true });
  assert.ok(existsSync(file));
});

test('onApproval that denies: the command does not run and the turn goes on', async (t) => {
  const { events, file } = await touchTurn(t, { onApproval: () => 'denied' });
  assert.ok(!existsSync(file));
  assert.equal(events.at(-1).type, 'task_complete');
  const end = events.find((e) => e.type === 'tool_call_end');
  assert.match(end.output, /rejected/);
});

test('an onApproval that throws denies', async (t) => {
  const { file, events } = await touchTurn(t, { onApproval: () => { throw new Error('no way'); } });
  assert.ok(!existsSync(file));
  assert.equal(events.at(-1).type, 'task_complete');
});

test('without onApproval, requests are denied', async (t) => {
  const { file, events } = await touchTurn(t, { approvalTimeoutMs: 50 });
  assert.ok(!existsSync(file));
  assert.equal(events.at(-1).type, 'task_complete');
});

test('abort ends the turn as interrupted', async (t) => {
  const { file, events } = await touchTurn(t, { onApproval: () => 'abort' });
  assert.ok(!existsSync(file));
  assert.equal(events.at(-1).type, 'turn_aborted');
});

test('an exec_approval op answers a request seen on the stream', async (t) => {
  const { server, codex, cwd } = await setup(t, { ...approvalSettings });
  server.enqueueToolCall('shell', { command: ['touch', 'by-op.txt'] }).enqueueText('finished', 'r2');
  const conversation = await codex.startConversation();
  for await (const event of conversation.stream('touch it')) {
    if (event.type === 'exec_approval_request') {
      await conversation.submit({ type: 'exec_approval', id: event.call_id, decision: 'approved' });
    }
  }
  assert.ok(existsSync(join(cwd, 'by-op.txt')));
});
