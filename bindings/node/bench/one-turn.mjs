// One turn with codex-sdk against the server at OPENAI_BASE_URL: the script bench/one-turn.sh times.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Codex } from 'codex-sdk';

const cwd = mkdtempSync(join(tmpdir(), 'codex-sdk-bench-'));
const codex = new Codex({ baseUrl: process.env.OPENAI_BASE_URL, apiKey: 'sk-local-bench', cwd, codexHome: cwd });
const conversation = await codex.startConversation();
const result = await conversation.run('Say hello.');
console.log(result.final_message);
