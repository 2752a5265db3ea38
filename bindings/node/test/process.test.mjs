// The process lifecycle: a script holding a conversation with JS tools and an approval callback exits on
// its own once its work is done (the threadsafe functions are weak).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const script = `
import { Codex, ScriptedModel, ScriptedResponse } from 'codex-sdk';
const codex = new Codex({
  ephemeral: true,
  builtinTools: false,
  onApproval: () => true,
  tools: [{ name: 'ping', handler: async () => 'pong' }],
  modelClient: new ScriptedModel([ScriptedResponse.toolCall('ping', {}), ScriptedResponse.text('done')]),
});
const conversation = await codex.startConversation();
const result = await conversation.run('ping it');
console.log(result.final_message);
`;

test('a script with tools and an approval callback exits by itself after its turn', () => {
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'done');
  assert.ok(Date.now() - started < 10_000);
});
