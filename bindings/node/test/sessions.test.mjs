// Recorded conversations: resume, fork and list (rollout files under codexHome).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { ClosedError, Codex, InvalidInputError, ScriptedModel, ScriptedResponse } from 'codex-sdk';

import { requestBody, setup } from './helpers.mjs';

/** The user texts of the `n`th request, in order. */
function userTexts(server, n) {
  return requestBody(server, n)
    .input.filter((i) => i.type === 'message' && i.role === 'user')
    .map((i) => i.content[0].text)
    .filter((t) => !t.startsWith('<'));
}

test('a resumed conversation keeps its id and its history', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueueText('first', 'r1').enqueueText('second', 'r2');
  const conversation = await codex.startConversation();
  const path = conversation.rolloutPath;
  assert.ok(path && existsSync(path), `rollout at ${path}`);
  await conversation.run('remember the number 7');
  await assert.rejects(codex.resumeConversation(path), InvalidInputError); // still live
  await conversation.shutdown();
  await assert.rejects(conversation.run('too late'), ClosedError);
  const resumed = await codex.resumeConversation(path);
  assert.equal(resumed.id, conversation.id);
  assert.equal((await resumed.run('what was the number?')).final_message, 'second');
  assert.deepEqual(userTexts(server, 1), ['remember the number 7', 'what was the number?']);
});

test('a fork starts before the nth user message, under a new id', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueueText('a1', 'r1').enqueueText('a2', 'r2').enqueueText('a3', 'r3');
  const conversation = await codex.startConversation();
  await conversation.run('one');
  await conversation.run('two');
  const fork = await codex.forkConversation(conversation.rolloutPath, 1);
  assert.notEqual(fork.id, conversation.id);
  assert.notEqual(fork.rolloutPath, conversation.rolloutPath);
  await fork.run('three');
  assert.deepEqual(userTexts(server, 2), ['one', 'three']);
});

test('listConversations pages through recorded conversations, newest first', async (t) => {
  const { server, codex } = await setup(t);
  const ids = [];
  for (const text of ['alpha', 'beta', 'gamma']) {
    server.enqueueText(`re ${text}`, `r_${text}`);
    const conversation = await codex.startConversation();
    await conversation.run(text);
    ids.push(conversation.id);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // rollout files are named by the second
  }
  const first = await codex.listConversations({ pageSize: 2 });
  assert.deepEqual(first.items.map((i) => i.preview), ['gamma', 'beta']);
  assert.equal(first.items[0].conversation_id, ids[2]);
  assert.ok(first.next_cursor);
  const second = await codex.listConversations({ pageSize: 2, cursor: first.next_cursor });
  assert.deepEqual(second.items.map((i) => i.preview), ['alpha']);
  await assert.rejects(codex.listConversations({ cursor: 'nonsense' }), InvalidInputError);
});

test('an ephemeral Codex records nothing', async () => {
  const codex = new Codex({
    ephemeral: true,
    builtinTools: false,
    modelClient: new ScriptedModel([ScriptedResponse.text('hi')]),
  });
  const conversation = await codex.startConversation();
  assert.equal(conversation.rolloutPath, null);
  await assert.rejects(codex.listConversations(), InvalidInputError);
});
