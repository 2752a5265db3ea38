// Host tools: JS functions (sync, async, throwing, zod-typed) called by the model over real HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { tool } from 'codex-sdk';
import { z } from 'zod';

import { requestBody, setup } from './helpers.mjs';

/** The output the second request sent back for `call_1`. */
function toolOutput(server) {
  const item = requestBody(server, 1).input.find((i) => i.type === 'function_call_output');
  assert.ok(item, 'no function_call_output in the follow-up request');
  assert.equal(item.call_id, 'call_1');
  return item.output;
}

const addSchema = {
  type: 'object',
  properties: { a: { type: 'integer' }, b: { type: 'integer' } },
  required: ['a', 'b'],
};

test('a sync tool: the model calls it and sees its output', async (t) => {
  const { server, codex } = await setup(t, { builtinTools: false });
  server.enqueueToolCall('add', { a: 2, b: 3 }).enqueueText('It is 5.', 'r2');
  const conversation = await codex.startConversation();
  const calls = [];
  conversation.tools.register({
    name: 'add',
    description: 'Adds two integers.',
    parameters: addSchema,
    handler: (args) => {
      calls.push(args);
      return args.a + args.b;
    },
  });
  assert.deepEqual(conversation.tools.names(), ['add']);
  const result = await conversation.run('What is 2 + 3?');
  assert.equal(result.final_message, 'It is 5.');
  assert.deepEqual(calls, [{ a: 2, b: 3 }]);
  assert.equal(toolOutput(server), '5');
  const declared = requestBody(server, 0).tools.find((t) => t.name === 'add');
  assert.deepEqual(declared.parameters, addSchema);
  assert.equal(declared.description, 'Adds two integers.');
});

test('an async tool is awaited', async (t) => {
  const { server, codex } = await setup(t, { builtinTools: false });
  server.enqueueToolCall('lookup', { key: 'color' }).enqueueText('done', 'r2');
  const conversation = await codex.startConversation({
    tools: [
      {
        name: 'lookup',
        parameters: { type: 'object', properties: { key: { type: 'string' } } },
        handler: async ({ key }) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { key, value: 'blue' };
        },
      },
    ],
  });
  await conversation.run('look it up');
  assert.deepEqual(JSON.parse(toolOutput(server)), { key: 'color', value: 'blue' });
});

test('a throwing tool becomes a failed output the model sees, and the turn goes on', async (t) => {
  const { server, codex } = await setup(t, { builtinTools: false });
  server.enqueueToolCall('explode', {}).enqueueText('recovered', 'r2');
  const conversation = await codex.startConversation();
  conversation.tools.register({ name: 'explode', handler: () => { throw new Error('boom'); } });
  const events = [];
  for await (const event of conversation.stream('try it')) events.push(event);
  assert.equal(events.at(-1).type, 'task_complete');
  assert.equal(events.at(-1).last_agent_message, 'recovered');
  assert.match(toolOutput(server), /boom/);
  const end = events.find((e) => e.type === 'tool_call_end');
  assert.equal(end.success, false);
});

test('a rejecting async tool is a failed output too', async (t) => {
  const { server, codex } = await setup(t, { builtinTools: false });
  server.enqueueToolCall('reject', {}).enqueueText('ok', 'r2');
  const conversation = await codex.startConversation();
  conversation.tools.register({ name: 'reject', handler: async () => Promise.reject(new TypeError('nope')) });
  assert.equal((await conversation.run('go')).final_message, 'ok');
  assert.match(toolOutput(server), /nope/);
});

test('a zod schema is converted to JSON schema and parses the arguments', async (t) => {
  const { server, codex } = await setup(t, { builtinTools: false });
  server.enqueueToolCall('greet', { name: 'Ada', times: 2 }).enqueueText('greeted', 'r2');
  const conversation = await codex.startConversation();
  conversation.tools.register(
    tool({
      name: 'greet',
      description: 'Greets someone.',
      parameters: z.object({ name: z.string(), times: z.number().int() }),
      handler: ({ name, times }) => `hello ${name} `.repeat(times).trim(),
    }),
  );
  await conversation.run('greet Ada twice');
  assert.equal(toolOutput(server), 'hello Ada hello Ada');
  const declared = requestBody(server, 0).tools.find((t) => t.name === 'greet').parameters;
  assert.equal(declared.type, 'object');
  assert.deepEqual(declared.required, ['name', 'times']);
  assert.equal(declared.$schema, undefined);
});

test('arguments that fail the zod schema are reported to the model', async (t) => {
  const { server, codex } = await setup(t, { builtinTools: false });
  server.enqueueToolCall('greet', { name: 42 }).enqueueText('fixed', 'r2');
  const conversation = await codex.startConversation();
  let called = false;
  conversation.tools.register({
    name: 'greet',
    parameters: z.object({ name: z.string() }),
    handler: () => { called = true; },
  });
  await conversation.run('greet');
  assert.equal(called, false);
  assert.match(toolOutput(server), /name/);
});

test('tools registered on Codex reach every conversation; unregister removes one', async (t) => {
  const { server, codex } = await setup(t, {
    builtinTools: false,
    tools: [{ name: 'ping', handler: () => 'pong' }],
  });
  const conversation = await codex.startConversation();
  assert.deepEqual(conversation.tools.names(), ['ping']);
  assert.equal(conversation.tools.unregister('ping'), true);
  assert.equal(conversation.tools.unregister('ping'), false);
  server.enqueueText('no tools');
  await conversation.run('hi');
  assert.equal(requestBody(server, 0).tools?.length ?? 0, 0);
  const other = await codex.startConversation();
  assert.deepEqual(other.tools.names(), ['ping']);
});

test('the built-in tools are there by default', async (t) => {
  const { codex } = await setup(t);
  const conversation = await codex.startConversation();
  assert.ok(conversation.tools.names().includes('shell'));
});

test('codex.shutdown() ends a turn blocked in a host tool with its terminal event', async (t) => {
  const { server, codex } = await setup(t, { builtinTools: false });
  server.enqueueToolCall('wait_forever', {}).enqueueText('never', 'r2');
  const conversation = await codex.startConversation();
  conversation.tools.register({
    name: 'wait_forever',
    description: 'Never returns.',
    parameters: { type: 'object', properties: {} },
    handler: () => new Promise(() => {}),
  });
  const events = [];
  for await (const event of conversation.stream('go')) {
    events.push(event);
    if (event.type === 'tool_call_begin') await codex.shutdown();
  }
  const types = events.map((e) => e.type);
  assert.equal(types.at(-1), 'turn_aborted', types.join(' '));
  const ends = events.filter((e) => e.type === 'tool_call_end');
  assert.equal(ends.length, 1, types.join(' '));
  assert.equal(ends[0].success, false);
});
