// Events per second through `for await`: one scripted turn streaming N word-sized message deltas (no
// network), read with the public `conversation.stream()`; then the two ways a batch can cross the FFI,
// drained without the iterator: JSON text + JSON.parse (what the package uses) vs. JS objects built by
// napi from serde_json::Value.   node bench/events.mjs [N] [rounds]
import { Codex, ScriptedModel, ScriptedResponse } from 'codex-sdk';
import native from '../native/index.js';

const N = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const text = Array.from({ length: N }, (_, i) => `w${i % 1000} `).join('');

function codex() {
  return new Codex({ ephemeral: true, builtinTools: false, modelClient: new ScriptedModel([ScriptedResponse.text(text)]) });
}

async function forAwait() {
  const conversation = await codex().startConversation();
  const started = performance.now();
  let events = 0;
  let deltas = 0;
  for await (const event of conversation.stream('go')) {
    events++;
    if (event.type === 'agent_message_delta') deltas++;
  }
  const seconds = (performance.now() - started) / 1000;
  if (deltas !== N) throw new Error(`expected ${N} deltas, got ${deltas}`);
  return events / seconds;
}

async function rawDrain(method) {
  const options = JSON.stringify({ ephemeral: true, builtin_tools: false });
  const script = JSON.stringify({ responses: [[{ type: 'message', text }]] });
  const conversation = await new native.NativeCodex(options, script, [], null).startConversation();
  const stream = conversation.stream(JSON.stringify([{ type: 'text', text: 'go' }]));
  const started = performance.now();
  let events = 0;
  for (;;) {
    const batch = await stream[method](1024);
    if (batch === null) break;
    const list = method === 'next' ? JSON.parse(batch) : batch;
    for (const event of list) if (event.type) events++;
  }
  return events / ((performance.now() - started) / 1000);
}

const fmt = (rate) => `${Math.round(rate / 1000)}k events/s`;
for (let round = 1; round <= rounds; round++) {
  const a = await forAwait();
  const b = await rawDrain('next');
  const c = await rawDrain('nextValues');
  console.log(`round ${round}: for await ${fmt(a)} | raw drain: JSON text ${fmt(b)}, napi objects ${fmt(c)}`);
}
