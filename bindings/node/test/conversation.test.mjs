import assert from 'node:assert/strict';
import { test } from 'node:test';

import { setup } from './helpers.mjs';

test('a turn over HTTP returns the final message, items and usage', async (t) => {
  const { server, codex } = await setup(t);
  server.enqueueText('Hello from the mock!');
  const conversation = await codex.startConversation();
  const result = await conversation.run('Say hello');
  assert.equal(result.finalMessage, 'Hello from the mock!');
  assert.ok(result.items.some((item) => item.type === 'message' && item.role === 'assistant'));
  assert.equal(typeof result.usage.total_tokens, 'number');
  const requests = server.requests();
  assert.equal(requests.length, 1);
  assert.equal(requests[0].path, '/v1/responses');
  assert.match(requests[0].body, /Say hello/);
});
