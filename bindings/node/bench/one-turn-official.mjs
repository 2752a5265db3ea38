// The same turn with the official @openai/codex-sdk (bench/compare), which spawns the codex CLI.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Codex } from './compare/node_modules/@openai/codex-sdk/dist/index.js';

const cwd = mkdtempSync(join(tmpdir(), 'codex-official-bench-'));
const codex = new Codex({
  apiKey: 'sk-local-bench',
  env: { PATH: process.env.PATH, HOME: cwd, CODEX_HOME: cwd, LOCAL_BENCH_KEY: 'sk-local-bench' },
  // The local server as a provider that speaks plain HTTP + SSE, as codex-sdk does: by default the CLI first
  // tries a websocket on the same URL (the mock server answers it with a queued stream, and the CLI retries).
  config: {
    model_provider: 'local',
    model_providers: {
      local: {
        name: 'local',
        base_url: process.env.OPENAI_BASE_URL,
        env_key: 'LOCAL_BENCH_KEY',
        wire_api: 'responses',
        supports_websockets: false,
      },
    },
  },
});
const thread = codex.startThread({ workingDirectory: cwd, skipGitRepoCheck: true });
const result = await thread.run('Say hello.');
console.log(result.finalResponse);
