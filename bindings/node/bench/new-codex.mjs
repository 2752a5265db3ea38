// What `new Codex()` costs: the median of N constructions (after one warm-up), with settings as a host
// passes them. Usage: node bench/new-codex.mjs [N]   (build the addon first: npm run build:release)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { Codex } from 'codex-sdk';

const n = Number(process.argv[2] ?? 50);
const home = mkdtempSync(join(tmpdir(), 'codex-sdk-bench-'));
const options = { baseUrl: 'https://api.example.com/v1', apiKey: 'sk-bench', cwd: home, codexHome: home };
new Codex(options);
const times = [];
for (let i = 0; i < n; i++) {
  const start = performance.now();
  new Codex(options);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(n / 2)];
console.log(`new Codex(): median ${median.toFixed(3)} ms, min ${times[0].toFixed(3)} ms over ${n}`);
