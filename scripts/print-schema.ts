// Writes schema.graphql (sorted SDL printed from the Pothos schema). `--check` exits 1 when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/schema/index.js';

const file = new URL('../schema.graphql', import.meta.url);
const printed = printSortedSchema();
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8');
  if (current !== printed) {
    process.stderr.write('schema.graphql is stale: run `npm run schema:print`\n');
    process.exit(1);
  }
} else {
  writeFileSync(file, printed);
}
