// Drives the official TypeScript SDK (@openai/codex-sdk) with `codex-sdk` as its engine, against the
// loopback model server the Rust test started. Prints one JSON object with what the SDK returned.
//
// usage: node official_ts_sdk.mjs SDK_ENTRY CODEX_SDK_BIN BASE_URL CODEX_HOME WORKDIR

import { pathToFileURL } from 'node:url';

const [entry, bin, baseUrl, home, work] = process.argv.slice(2);
const { Codex } = await import(pathToFileURL(entry).href);

const codex = new Codex({
  codexPathOverride: bin,
  baseUrl,
  apiKey: 'sk-from-the-sdk',
  env: { PATH: process.env.PATH, CODEX_HOME: home },
});
const options = { workingDirectory: work, skipGitRepoCheck: true, sandboxMode: 'workspace-write' };
const report = {};

const thread = codex.startThread(options);
const first = await thread.run('Say hi');
report.first = { finalResponse: first.finalResponse, items: first.items, usage: first.usage };
report.threadId = thread.id;

const schema = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
  additionalProperties: false,
};
const structured = await thread.run('Answer in JSON', { outputSchema: schema });
report.structured = JSON.parse(structured.finalResponse);

const resumed = codex.resumeThread(report.threadId, options);
const again = await resumed.run('And again');
report.resumed = { finalResponse: again.finalResponse, threadId: resumed.id };

const pictured = await resumed.run([
  { type: 'text', text: 'What is in this picture?' },
  { type: 'local_image', path: `${work}/pixel.png` },
]);
report.pictured = pictured.finalResponse;

const { events } = await resumed.runStreamed('Run a command');
report.streamed = [];
for await (const event of events) report.streamed.push(event);

try {
  await codex.startThread(options).run('This one fails');
  report.failure = null;
} catch (error) {
  report.failure = String(error.message ?? error);
}

console.log(JSON.stringify(report));
