// One JS tool call's round trip: Rust calls the tool the way a turn does (the core's tool handler →
// threadsafe function → the JS handler on the event loop → the result back in Rust), one call after
// another.   node bench/tool.mjs [calls]
import { measureToolCalls } from '../native/index.js';
import { toNativeTool } from '../dist/tools.js';

const calls = Number(process.argv[2] ?? 20_000);
const args = JSON.stringify({ path: '/tmp/x', n: 3 });

async function perCall(handler) {
  const tool = toNativeTool({ name: 'bench', handler });
  await measureToolCalls(tool, 1000, args); // warm up
  const ms = await measureToolCalls(tool, calls, args);
  return (ms * 1000) / calls;
}

for (let round = 1; round <= 3; round++) {
  const sync = await perCall(({ n }) => `ok ${n}`);
  const asyncHandler = await perCall(async ({ n }) => `ok ${n}`);
  console.log(`round ${round}: sync handler ${sync.toFixed(1)} µs/call, async handler ${asyncHandler.toFixed(1)} µs/call`);
}
