// The offline scripted model: turns without a server or a key.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Codex, ScriptedModel, ScriptedResponse } from 'codex-sdk';

test('a scripted turn with a tool call and reasoning', async () => {
  const codex = new Codex({
    ephemeral: true,
    builtinTools: false,
    modelClient: new ScriptedModel([
      ScriptedResponse.toolCall('double', { n: 21 }),
      ScriptedResponse.empty().reasoning('The tool said 42.').message('The answer is 42.'),
    ]),
  });
  const conversation = await codex.startConversation({
    tools: [{ name: 'double', handler: ({ n }) => n * 2 }],
  });
  const events = [];
  for await (const event of conversation.stream('double 21')) events.push(event);
  const end = events.find((e) => e.type === 'tool_call_end');
  assert.equal(end.output, '42');
  assert.ok(events.some((e) => e.type === 'agent_reasoning'));
  assert.equal(events.at(-1).last_agent_message, 'The answer is 42.');
});
