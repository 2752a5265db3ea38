// A loopback model server in its own process, for whole-process benchmarks: answers `N` one-message turns
// (default 1000), prints `OPENAI_BASE_URL=…` on its first line, and on SIGTERM prints the requests it
// received (method and path) to stderr.
import { MockServer, sse } from 'codex-sdk/testing';

const turns = Number(process.argv[2] ?? 1000);
const server = await MockServer.start();
for (let i = 0; i < turns; i++) {
  server.enqueue({ sse: sse.textResponse(`resp_${i}`, 'Hello! This is the local model server answering.') });
}
console.log(`OPENAI_BASE_URL=${server.baseUrl}`);
const keepAlive = setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => {
  const paths = server.requests().map((r) => `${r.method} ${r.path}`);
  console.error(`mock server: ${paths.length} requests (${[...new Set(paths)].join(', ')})`);
  clearInterval(keepAlive);
  server.close();
});
