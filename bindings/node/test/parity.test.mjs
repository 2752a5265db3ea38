// The README's parity rows that the other test files do not already cover: settings as the core's
// CodexOptions, config.toml and auth.json, account helpers, the default model, unified exec, token
// formatting, review and compaction, archive, the tool context (call id, AbortSignal, approvals) and a
// shutdown that waits.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { MockServer } from 'codex-sdk/testing';

import { mcpTestServer } from './helpers.mjs';

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

/** A CODEX_HOME pointing at `server` with a `fast` profile, a global AGENTS.md, and a repository with its own. */
function homeWithProfile(t, server) {
  const dir = home(t);
  const codexHome = join(dir, 'home');
  const repo = join(dir, 'repo');
  mkdirSync(codexHome);
  mkdirSync(join(repo, '.git'), { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    `model = "gpt-4.1"\nmodel_provider = "mock"\n\n[model_providers.mock]\nname = "mock"\nbase_url = "${server.baseUrl}"\n` +
      'wire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n',
  );
  writeFileSync(
    join(codexHome, 'fast.config.toml'),
    'model = "gpt-5"\nmodel_reasoning_effort = "minimal"\nmodel_verbosity = "low"\n\n[tools]\nweb_search = true\n',
  );
  writeFileSync(join(codexHome, 'AGENTS.md'), 'Always answer in French.\n');
  writeFileSync(join(repo, 'AGENTS.md'), 'Run the tests first.\n');
  return { codexHome, repo };
}

test('config.toml, a profile and AGENTS.md reach the request', async (t) => {
  const server = await MockServer.start();
  t.after(() => server.close());
  server.enqueueText('ok', 'r1').enqueueText('ok', 'r2');
  const { codexHome, repo } = homeWithProfile(t, server);
  const base = { codexHome, loadConfig: true, cwd: repo, apiKey: 'test-key', builtinTools: false };
  const codex = new Codex({ ...base, profile: 'fast', modelMaxOutputTokens: 99, userInstructions: 'Be brief.' });
  await (await codex.startConversation()).run('hi');
  let body = JSON.parse(server.requests()[0].body);
  assert.deepEqual([body.model, body.reasoning.effort, body.text], ['gpt-5', 'minimal', { verbosity: 'low' }]);
  assert.equal(body.max_output_tokens, 99);
  assert.ok(body.tools.some((tool) => tool.type === 'web_search'));
  const instructions = body.input[0].content[0].text;
  for (const text of ['Always answer in French.', 'Be brief.', 'Run the tests first.']) assert.ok(instructions.includes(text), instructions);

  const quiet = new Codex({ ...base, noProjectDocs: true, webSearch: false });
  await (await quiet.startConversation()).run('hi');
  body = JSON.parse(server.requests()[1].body);
  assert.equal(body.model, 'gpt-4.1');
  assert.ok(!body.tools?.length);
  assert.ok(!JSON.stringify(body.input).includes('French'));

  assert.throws(() => new Codex({ ...base, profile: 'nope' }), (err) => err instanceof InvalidInputError && /fast/.test(err.message));
});

test("an MCP server's tools run through a turn, with the approval callback and an elicitation op", { timeout: 120000 }, async () => {
  const asked = [];
  const codex = scripted(
    [ScriptedResponse.toolCall('test__echo', { text: 'hello from mcp' }), ScriptedResponse.toolCall('test__ask', {}), ScriptedResponse.text('done')],
    {
      approvalPolicy: 'on-request',
      mcpServers: { test: { command: mcpTestServer(), args: ['stdio'] } },
      onApproval: (request) => (asked.push(request), 'approved'),
    },
  );
  const conversation = await codex.startConversation();
  const ends = [];
  for await (const event of conversation.stream('go')) {
    if (event.type === 'mcp_elicitation_request') {
      assert.deepEqual([event.server, event.message], ['test', 'What is your name?']);
      await conversation.submit({
        type: 'resolve_mcp_elicitation',
        server: event.server,
        request_id: event.request_id,
        action: 'accept',
        content: { name: 'Ada' },
      });
    } else if (event.type === 'mcp_tool_call_end') {
      ends.push(event);
    }
  }
  assert.ok(asked.every((request) => request.type === 'mcp_tool_call_approval_request'));
  assert.deepEqual(asked.map((r) => [r.invocation.server, r.invocation.tool]), [['test', 'echo'], ['test', 'ask']]);
  assert.deepEqual(ends.map((e) => [e.invocation.tool, e.result.type]), [['echo', 'response'], ['ask', 'response']]);
  assert.deepEqual(ends[0].result.content, [{ type: 'text', text: 'hello from mcp' }]);
  assert.deepEqual(JSON.parse(ends[1].result.content[0].text).content, { name: 'Ada' });
});

test('telemetry events reach onTelemetry, redacted, and shutdown flushes them', async (t) => {
  const key = 'sk-telemetry-secret-1234';
  const server = await MockServer.start();
  t.after(() => server.close());
  server.enqueueToolCall('whoami', { key }, 'call_1', 'r1').enqueueText('done', 'r2');
  const seen = [];
  const codex = new Codex({
    provider: { name: 'mock', base_url: server.baseUrl, wire_api: 'responses', request_max_retries: 0 },
    apiKey: key,
    cwd: '/tmp',
    ephemeral: true,
    builtinTools: false,
    onApproval: () => 'approved',
    onTelemetry: (event) => seen.push(event),
  });
  const conversation = await codex.startConversation({
    tools: [{ name: 'whoami', handler: async (args, ctx) => `${await ctx.requestApproval(['whoami'])}: ${args.key}` }],
  });
  await conversation.run(`my key is ${key}`);
  await codex.shutdown();
  const names = new Set(seen.map((event) => event.kind.name));
  assert.deepEqual([...names].sort(), ['codex.api_request', 'codex.sse_event', 'codex.tool_decision', 'codex.tool_result', 'codex.user_prompt']);
  assert.ok(seen.every((event) => event.metadata.conversation_id === conversation.id));
  assert.ok(!JSON.stringify(seen).includes(key));
  assert.deepEqual(codex.telemetryStats(), { exported: 0, dropped: 0, failed: 0, host_dropped: 0 });
});
