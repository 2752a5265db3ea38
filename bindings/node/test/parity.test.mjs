// The README's parity rows that the other test files do not already cover: settings as the core's
// CodexOptions, config.toml and auth.json, account helpers, the default model, unified exec, token
// formatting, review and compaction, archive, the tool context (call id, AbortSignal, approvals) and a
// shutdown that waits.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  Codex,
  InterruptedError,
  InvalidInputError,
  ScriptedModel,
  ScriptedResponse,
  authStatus,
  formatTokensCompact,
  formatTokensExact,
  loginApiKey,
  logout,
  setDefaultModel,
  userEmail,
} from 'codex-sdk';

function home(t) {
  const dir = mkdtempSync(join(tmpdir(), 'codex-sdk-parity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function scripted(responses, options = {}) {
  return new Codex({
    modelClient: new ScriptedModel(responses),
    cwd: '/tmp',
    ephemeral: true,
    builtinTools: false,
    ...options,
  });
}

test('policies take Codex CLI strings and typed values; bad settings name themselves', () => {
  assert.equal(scripted([], { approvalPolicy: 'never', sandboxPolicy: 'workspace-write', model: 'm1' }).model, 'm1');
  const typed = scripted([], { sandboxPolicy: { mode: 'workspace-write', network_access: true, exclude_slash_tmp: true } });
  assert.ok(typed.model);
  assert.throws(() => scripted([], { sandboxPolicy: 'workspace_write' }), (err) => err instanceof InvalidInputError && /sandbox_policy/.test(err.message));
  assert.throws(() => scripted([], { modle: 'x' }), (err) => err instanceof InvalidInputError && /modle/.test(err.message));
});

test('config.toml and auth.json load, with -c overrides on top', (t) => {
  const dir = home(t);
  writeFileSync(join(dir, 'config.toml'), 'model = "from-file"\n');
  assert.equal(new Codex({ codexHome: dir, loadConfig: true }).model, 'from-file');
  assert.equal(new Codex({ codexHome: dir, loadConfig: true, configOverrides: ['model="from-override"'] }).model, 'from-override');
  assert.notEqual(new Codex({ codexHome: dir }).model, 'from-file');
});

test('login, status, email and logout', (t) => {
  const dir = home(t);
  assert.equal(authStatus(dir).has_api_key, false);
  loginApiKey('sk-test', dir);
  assert.deepEqual([authStatus(dir).has_api_key, authStatus(dir).auth_mode], [true, 'apikey']);
  assert.equal(userEmail(dir), null);
  assert.equal(statSync(join(dir, 'auth.json')).mode & 0o777, 0o600);
  assert.equal(logout(dir), true);
  assert.equal(logout(dir), false);
});

test('setDefaultModel is what loadConfig reads', (t) => {
  const dir = home(t);
  setDefaultModel('gpt-5', 'high', dir);
  assert.equal(new Codex({ codexHome: dir, loadConfig: true }).model, 'gpt-5');
  assert.match(readFileSync(join(dir, 'config.toml'), 'utf8'), /model_reasoning_effort = "high"/);
});

test('unified exec is a setting', async () => {
  const on = await scripted([], { builtinTools: true, useExperimentalUnifiedExecTool: true }).startConversation();
  assert.ok(on.tools.names().includes('unified_exec'));
  const off = await scripted([], { builtinTools: true }).startConversation();
  assert.ok(!off.tools.names().includes('unified_exec'));
});

test('token formatting', () => {
  assert.equal(formatTokensExact(1234567), '1,234,567');
  assert.equal(formatTokensCompact(999), '999');
  assert.match(formatTokensCompact(12345), /K$/);
  assert.throws(() => formatTokensExact(-1), InvalidInputError);
});

async function untilComplete(conversation) {
  const seen = [];
  for await (const event of conversation.events()) {
    seen.push(event.msg.type);
    if (event.msg.type === 'task_complete') break;
  }
  return seen;
}

test('compaction and review are ops', async () => {
  const review = '{"findings": [], "overall_correctness": "ok", "overall_explanation": "fine", "overall_confidence_score": 0.9}';
  const conversation = await scripted([
    ScriptedResponse.text('hello'),
    ScriptedResponse.text('a summary'),
    ScriptedResponse.text(review),
  ]).startConversation();
  await conversation.run('hi');
  await conversation.submit({ type: 'compact' });
  assert.ok((await untilComplete(conversation)).includes('context_compaction_end'));
  await conversation.submit({ type: 'review', review_request: { prompt: 'review it', user_facing_hint: 'it' } });
  const kinds = await untilComplete(conversation);
  assert.ok(kinds.includes('entered_review_mode') && kinds.includes('exited_review_mode'), kinds.join());
});

test('sessions: find, archive and unarchive', async (t) => {
  const dir = home(t);
  const codex = new Codex({ modelClient: new ScriptedModel([ScriptedResponse.text('ok')]), codexHome: dir, cwd: '/tmp' });
  const conversation = await codex.startConversation();
  await conversation.run('hi');
  await conversation.shutdown();
  const path = await codex.findConversationPath(conversation.id);
  assert.equal(path, conversation.rolloutPath);
  const archived = await codex.archiveConversation(conversation.id, path);
  assert.ok(archived.includes('archived_sessions') && !existsSync(path));
  assert.equal(await codex.findConversationPath(conversation.id), null);
  assert.ok(existsSync(await codex.unarchiveConversation(conversation.id, archived)));
});

test('a tool gets its call id, approvals are keyed by it and remembered for the session', async () => {
  const asked = [];
  const callIds = [];
  const codex = scripted(
    [ScriptedResponse.toolCall('deploy', {}), ScriptedResponse.toolCall('deploy', {}), ScriptedResponse.text('ok')],
    { onApproval: (request) => (asked.push(request.call_id), 'approved_for_session') },
  );
  const conversation = await codex.startConversation({
    tools: [
      {
        name: 'deploy',
        handler: async (_args, ctx) => {
          callIds.push(ctx.callId);
          assert.equal(ctx.cwd, '/tmp');
          assert.equal(ctx.conversationId, conversation.id);
          return ctx.requestApproval(['deploy', 'prod']);
        },
      },
    ],
  });
  await conversation.run('deploy twice');
  assert.equal(callIds.length, 2);
  assert.notEqual(callIds[0], callIds[1]);
  assert.deepEqual(asked, [callIds[0]]);
});

test('an aborted approval ends the turn', async () => {
  const codex = scripted([ScriptedResponse.toolCall('deploy', {}), ScriptedResponse.text('never')], { onApproval: () => 'abort' });
  const conversation = await codex.startConversation({
    tools: [{ name: 'deploy', handler: (_args, ctx) => ctx.requestApproval(['deploy']) }],
  });
  await assert.rejects(conversation.run('deploy'), InterruptedError);
});

test("a tool's AbortSignal fires when the turn is interrupted", { timeout: 20000 }, async () => {
  let fired;
  const aborted = new Promise((resolve) => (fired = resolve));
  const codex = scripted([ScriptedResponse.toolCall('wait', {}), ScriptedResponse.text('after')]);
  const conversation = await codex.startConversation({
    tools: [
      {
        name: 'wait',
        handler: (_args, ctx) => {
          ctx.signal.addEventListener('abort', () => fired(true));
          void conversation.interrupt();
          return aborted.then(() => 'stopped');
        },
      },
    ],
  });
  await assert.rejects(conversation.run('wait'), InterruptedError);
  assert.equal(await aborted, true);
});

test('shutdown waits until the rollout is written out', async (t) => {
  const dir = home(t);
  const codex = new Codex({ modelClient: new ScriptedModel([ScriptedResponse.text('recorded answer')]), codexHome: dir, cwd: '/tmp' });
  const conversation = await codex.startConversation();
  await conversation.run('hi');
  await conversation.shutdown();
  const lines = readFileSync(conversation.rolloutPath, 'utf8').trim().split('\n');
  assert.ok(lines.some((line) => line.includes('recorded answer')));
  for (const line of lines) JSON.parse(line);
});
