// Deterministic replay: a conversation recorded against the loopback server re-runs offline from its
// rollout with the same events; a replay that asks something else fails naming the first difference.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { Codex, ReplayDivergedError } from 'codex-sdk';
import { ReplayModel } from 'codex-sdk/testing';

import { setup } from './helpers.mjs';

const add = {
  name: 'add',
  description: 'Adds two integers.',
  parameters: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, required: ['a', 'b'] },
  handler: (args) => args.a + args.b,
};

/** Events as compared: without durations, timestamps, streaming deltas and the session's identity. */
function normalized(events) {
  const strip = (value) => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !k.includes('duration') && !k.includes('timestamp'))
          .map(([k, v]) => [k, strip(v)]),
      );
    }
    return value;
  };
  const skipped = new Set(['agent_message_delta', 'agent_reasoning_delta', 'session_configured']);
  return events.filter((e) => !skipped.has(e.type)).map(strip);
}

async function record(t) {
  const { server, codex, cwd } = await setup(t, { builtinTools: false, tools: [add] });
  server.enqueueToolCall('add', { a: 2, b: 40 }).enqueueText('42', 'r2');
  const conversation = await codex.startConversation();
  const events = [];
  for await (const event of conversation.stream('2 + 40?')) events.push(event);
  const path = conversation.rolloutPath;
  assert.ok(path);
  await conversation.shutdown();
  return { server, codex, cwd, events, path, id: conversation.id };
}

function replayer(model, cwd) {
  return new Codex({ modelClient: model, cwd, ephemeral: true, builtinTools: false, tools: [add], codexHome: join(cwd, '.replay') });
}

test('a recorded conversation replays offline with the same events', async (t) => {
  const { server, cwd, events: recorded, path } = await record(t);
  const model = ReplayModel.fromRollout(path);
  assert.equal(model.remaining, 2);
  const conversation = await replayer(model, cwd).startConversation();
  const replayed = [];
  for await (const event of conversation.stream('2 + 40?')) replayed.push(event);
  assert.equal(model.divergence, null);
  assert.equal(model.remaining, 0);
  assert.deepEqual(normalized(replayed), normalized(recorded));
  assert.equal(server.requests().length, 2, 'the replay must not reach the server');
});

test('a conversation replays by id from the Codex that recorded it', async (t) => {
  const { codex, id } = await record(t);
  const model = await codex.replayModel(id);
  assert.equal(model.remaining, 2);
});

test('a diverging replay fails with ReplayDivergedError naming the first difference', async (t) => {
  const { cwd, path } = await record(t);
  const model = ReplayModel.fromRollout(path);
  const conversation = await replayer(model, cwd).startConversation();
  await assert.rejects(conversation.run('something else'), (err) => {
    assert.ok(err instanceof ReplayDivergedError, String(err));
    assert.match(err.message, /something else/);
    return true;
  });
  assert.match(model.divergence ?? '', /2 \+ 40\?/);
});
