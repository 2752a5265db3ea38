#!/usr/bin/env node
// Writes the ES module entry points next to tsc's CommonJS output: each re-exports its CommonJS twin, so
// `import` and `require` share one instance (no dual-package hazard) and one set of types.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
for (const name of ['index', 'testing']) {
  writeFileSync(join(dist, `${name}.mjs`), `export * from './${name}.js';\n`);
  writeFileSync(join(dist, `${name}.d.mts`), `export * from './${name}.js';\n`);
}
