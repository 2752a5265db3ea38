// Turns: run, stream (order, completeness, break, abort), ops and the conversation's event stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InterruptedError } from 'codex-sdk';
import { sse } from 'codex-sdk/testing';

import { setup } from './helpers.mjs';

/** A text answer in many small deltas, `delayMs` apart. */
function slowText(server, words, delayMs) {
  const events = [sse.created('resp_slow')];
  for (const word of words) events.push(sse.outputTextDelta(word));
  events.push(sse.assistantMessage('msg_slow', words.join('')), sse.completed('resp_slow'));
  server.enqueue({ sse: events, eventDelayMs: delayMs });
}

test('a turn over HTTP returns the final message, items and usage', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueueText('Hello from the mock!');
  const conversation = await codex.startConversation();
  assert.match(conversation.id, /^[0-9a-f-]{36}$/);
  assert.equal(conversation.sessionConfigured.session_id, conversation.id);
  const result = await conversation.run('Say hello');
  assert.equal(result.final_message, 'Hello from the mock!');
  assert.ok(result.items.some((item) => item.type === 'message' && item.role === 'assistant'));
  assert.equal(typeof result.usage.total_tokens, 'number');
  const requests = server.requests();
  assert.equal(requests.length, 1);
  assert.equal(requests[0].path, '/v1/responses');
  assert.equal(JSON.parse(requests[0].body).input.at(-1).content[0].text, 'Say hello');
});

test('two turns in a row share the history', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueueText('first answer', 'r1').enqueueText('second answer', 'r2');
  const conversation = await codex.startConversation();
  assert.equal((await conversation.run('one')).final_message, 'first answer');
  assert.equal((await conversation.run([{ type: 'text', text: 'two' }])).final_message, 'second answer');
  const input = JSON.parse(server.requests()[1].body).input;
  assert.ok(input.some((item) => item.role === 'assistant' && item.content[0].text === 'first answer'));
});

test('streamed events come in order, complete, and the deltas make the final message', async (t) => {
  const { server, codex } = await setup(t);
  const text = 'The quick brown fox jumps over the lazy dog, twice over.';
  server.enqueueText(text);
  const conversation = await codex.startConversation();
  const events = [];
  for await (const event of conversation.stream('Tell me about the fox')) events.push(event);
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'task_started');
  assert.equal(types.at(-1), 'task_complete');
  assert.equal(types.filter((t) => t === 'task_complete').length, 1);
  const deltas = events.filter((e) => e.type === 'agent_message_delta').map((e) => e.delta);
  assert.ok(deltas.length >= 2, `deltas: ${deltas}`);
  assert.equal(deltas.join(''), text);
  assert.equal(events.find((e) => e.type === 'agent_message').message, text);
  assert.equal(events.at(-1).last_agent_message, text);
  assert.ok(types.indexOf('agent_message') > types.lastIndexOf('agent_message_delta'));
});

test('a stream delivers every event of a long turn without dropping any (backpressure)', async (t) => {
  const { server, codex } = await setup(t, { eventBuffer: 4 });
  const words = Array.from({ length: 3000 }, (_, i) => `w${i} `);
  slowText(server, words, 0);
  const conversation = await codex.startConversation();
  let deltas = '';
  let n = 0;
  for await (const event of conversation.stream('long')) {
    if (event.type === 'agent_message_delta') {
      deltas += event.delta;
      // A slow consumer now and then: the agent waits instead of dropping.
      if (++n % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  assert.equal(n, words.length);
  assert.equal(deltas, words.join(''));
});

test('break out of for await stops the turn, and the next turn runs cleanly', async (t) => {
  const { server, codex } = await setup(t);
  slowText(server, Array.from({ length: 50 }, (_, i) => `${i} `), 20);
  server.enqueueText('after the break', 'r2');
  const conversation = await codex.startConversation();
  const seen = [];
  const started = Date.now();
  for await (const event of conversation.stream('count slowly')) {
    seen.push(event.type);
    if (event.type === 'agent_message_delta') break;
  }
  assert.ok(!seen.includes('task_complete'));
  const result = await conversation.run('next');
  assert.equal(result.final_message, 'after the break');
  // The broken-off turn did not run to its end (50 × 20 ms).
  assert.ok(Date.now() - started < 900, `took ${Date.now() - started} ms`);
  assert.equal(server.requests().length, 2);
});

test('an AbortSignal interrupts run with an InterruptedError', async (t) => {
  const { server, codex } = await setup(t);
  slowText(server, Array.from({ length: 100 }, (_, i) => `${i} `), 20);
  server.enqueueText('still usable', 'r2');
  const conversation = await codex.startConversation();
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('user cancelled')), 100);
  const started = Date.now();
  await assert.rejects(conversation.run('slow', { signal: controller.signal }), (err) => {
    assert.ok(err instanceof InterruptedError);
    assert.equal(err.code, 'interrupted');
    assert.equal(err.cause.message, 'user cancelled');
    return true;
  });
  assert.ok(Date.now() - started < 1000);
  assert.equal((await conversation.run('again')).final_message, 'still usable');
});

test('an AbortSignal interrupts a stream, which throws an InterruptedError', async (t) => {
  const { server, codex } = await setup(t);
  slowText(server, Array.from({ length: 100 }, (_, i) => `${i} `), 20);
  const conversation = await codex.startConversation();
  const signal = AbortSignal.timeout(100);
  const types = [];
  await assert.rejects(async () => {
    for await (const event of conversation.stream('slow', { signal })) types.push(event.type);
  }, InterruptedError);
  assert.ok(types.includes('task_started'));
  assert.ok(!types.includes('task_complete'));
});

test('an already aborted signal rejects before anything is sent', async (t) => {
  const { server, codex } = await setup(t);
  const conversation = await codex.startConversation();
  await assert.rejects(conversation.run('x', { signal: AbortSignal.abort() }), InterruptedError);
  assert.throws(() => conversation.stream('x', { signal: AbortSignal.abort() }), InterruptedError);
  assert.equal(server.requests().length, 0);
});

test('interrupt() ends the running turn with turn_aborted', async (t) => {
  const { server, codex } = await setup(t);
  slowText(server, Array.from({ length: 100 }, (_, i) => `${i} `), 20);
  const conversation = await codex.startConversation();
  const types = [];
  for await (const event of conversation.stream('slow')) {
    types.push(event.type);
    if (event.type === 'agent_message_delta' && !types.includes('interrupt_sent')) {
      types.push('interrupt_sent');
      await conversation.interrupt();
    }
  }
  assert.equal(types.at(-1), 'turn_aborted');
});

test('submit(op) with events(): a turn driven by ops', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueueText('op driven');
  const conversation = await codex.startConversation();
  const id = await conversation.submit({ type: 'user_input', items: [{ type: 'text', text: 'hi' }] });
  const seen = [];
  for await (const event of conversation.events()) {
    seen.push(event);
    if (event.msg.type === 'task_complete') break;
  }
  assert.equal(seen[0].msg.type, 'session_configured');
  const complete = seen.at(-1);
  assert.equal(complete.id, id);
  assert.equal(complete.msg.last_agent_message, 'op driven');
});
