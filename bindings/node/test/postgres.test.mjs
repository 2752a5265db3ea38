// The PostgreSQL rollout store selected from Node settings (`rollout: { store: 'postgres', ... }`), against a
// real server: CODEX_SDK_TEST_PG_URL (scripts/with-postgres.sh starts one). Skipped loudly without it; with
// CI=true a missing server fails instead.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Codex, ConversationBusyError } from 'codex-sdk';

import { requestBody, setup } from './helpers.mjs';

const url = process.env.CODEX_SDK_TEST_PG_URL;
const SKIP = 'no PostgreSQL (set CODEX_SDK_TEST_PG_URL or run scripts/with-postgres.sh CMD...)';

/** Options recording into PostgreSQL (a short lease: a stopped conversation is free again soon). */
function postgres() {
  return {
    rollout: { store: 'postgres', url, lease_ttl_ms: 5000, pool_size: 2 },
    ephemeral: false,
    builtinTools: false,
  };
}

test('a conversation in PostgreSQL is listed and resumed by another Codex, busy while its owner holds it', async (t) => {
  if (!url) {
    assert.notEqual(process.env.CI, 'true', 'CI=true but CODEX_SDK_TEST_PG_URL is unset: scripts/test.sh runs this under scripts/with-postgres.sh');
    console.warn(`SKIPPED: ${SKIP}`);
    t.skip(SKIP);
    return;
  }
  const question = `first question ${randomUUID()}`;
  const { server, codex: workerA, cwd } = await setup(t, postgres());
  server.enqueueText('first answer', 'r1').enqueueText('second answer', 'r2');
  const conversation = await workerA.startConversation();
  assert.equal((await conversation.run(question)).final_message, 'first answer');
  const path = conversation.rolloutPath;
  assert.ok(path, 'a recorded conversation has a rollout path');
  assert.deepEqual(readdirSync(cwd, { recursive: true }).filter((f) => String(f).endsWith('.jsonl')), [], 'nothing under codexHome');

  // A second Codex (another worker, same database) sees it (once the first one's recorder has written the
  // turn out: it writes in the background)...
  const workerB = new Codex({ baseUrl: server.baseUrl, apiKey: 'test-key', cwd, codexHome: join(cwd, '.codex-b'), ...postgres() });
  let listed = false;
  for (let i = 0; i < 200 && !listed; i++) {
    const page = await workerB.listConversations({ pageSize: 100 });
    listed = page.items.some((item) => item.conversation_id === conversation.id);
    if (!listed) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(listed, 'the conversation was never listed by the second Codex');
  assert.equal(await workerB.findConversationPath(conversation.id), path);

  // ...but cannot take it while the first one holds it.
  const busy = await workerB.resumeConversation(path).then(
    () => assert.fail('resuming a conversation another Codex holds must fail'),
    (e) => e,
  );
  assert.ok(busy instanceof ConversationBusyError, `${busy}`);
  assert.equal(busy.code, 'conversation_busy');

  // Once the first one ends it, the second resumes it with its history (the lease is given back
  // asynchronously after the shutdown: retry while it is still busy).
  await conversation.shutdown();
  let resumed;
  for (let i = 0; i < 200 && !resumed; i++) {
    try {
      resumed = await workerB.resumeConversation(path);
    } catch (e) {
      if (!(e instanceof ConversationBusyError)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  assert.ok(resumed, 'the conversation stayed busy after its owner shut it down');
  assert.equal(resumed.id, conversation.id);
  assert.equal((await resumed.run('second question')).final_message, 'second answer');
  await resumed.shutdown();
  await workerB.shutdown();
  await workerA.shutdown();

  const sent = JSON.stringify(requestBody(server, 1).input);
  assert.ok(sent.includes(question) && sent.includes('first answer') && sent.includes('second question'), sent);
});
