// Errors: each ErrorCode is a CodexError subclass, with the Rust error in `cause`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  Codex,
  CodexError,
  InvalidInputError,
  RustError,
  ScriptedModel,
  ScriptedResponse,
  UnauthorizedError,
  UsageLimitReachedError,
} from 'codex-sdk';
import { sse } from 'codex-sdk/testing';

import { setup } from './helpers.mjs';

test('HTTP 401 rejects run with an UnauthorizedError carrying the Rust cause', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueue({ status: 401, jsonBody: { error: { message: 'bad key' } } });
  const conversation = await codex.startConversation();
  await assert.rejects(conversation.run('hi'), (err) => {
    assert.ok(err instanceof UnauthorizedError);
    assert.ok(err instanceof CodexError);
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'unauthorized');
    assert.equal(err.name, 'UnauthorizedError');
    assert.match(err.message, /bad key|401/);
    assert.ok(err.cause instanceof RustError);
    assert.equal(err.cause.chain[0], err.message);
    return true;
  });
});

test('a failed turn is an error event on the stream', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueue({ status: 401, body: 'no' });
  const conversation = await codex.startConversation();
  const events = [];
  for await (const event of conversation.stream('hi')) events.push(event);
  assert.equal(events.at(-1).type, 'error');
  assert.equal(events.at(-1).code, 'unauthorized');
});

test('a response.failed with a quota code is a UsageLimitReachedError', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueue({ sse: [sse.created('r'), sse.failed('insufficient_quota', 'out of credits')] });
  const conversation = await codex.startConversation();
  await assert.rejects(conversation.run('hi'), UsageLimitReachedError);
});

test('bad options and bad input are InvalidInputErrors', async () => {
  assert.throws(() => new Codex({ approvalPolicy: 'sometimes' }), InvalidInputError);
  assert.throws(() => new Codex({ noSuchOption: 1 }), InvalidInputError);
  const codex = new Codex({ modelClient: new ScriptedModel([]), builtinTools: false, ephemeral: true });
  const conversation = await codex.startConversation();
  await assert.rejects(conversation.run([{ type: 'video', url: 'x' }]), InvalidInputError);
  await assert.rejects(conversation.submit({ type: 'no_such_op' }), InvalidInputError);
  assert.throws(() => conversation.tools.register({ name: 'bad name!', handler: () => '' }), InvalidInputError);
});

test('a scripted model failure carries its code', async () => {
  const codex = new Codex({
    ephemeral: true,
    modelClient: new ScriptedModel([ScriptedResponse.fail('unauthorized', 'scripted 401')]),
    builtinTools: false,
  });
  const conversation = await codex.startConversation();
  await assert.rejects(conversation.run('hi'), UnauthorizedError);
});
