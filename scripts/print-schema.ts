// Writes schema.graphql: the unreleased head, sorted SDL printed from the code.
//   --check           exits 1 when schema.graphql or any frozen version file differs from the code
//   --freeze <ver>    writes schema/versions/<ver>.graphql for a newly released version; refuses
//                     to touch a file that exists (a released version never changes)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { printSortedSchema } from '../src/schema/index.js';
import { API_VERSIONS, type ApiVersion, RELEASED_VERSIONS } from '../src/versions.js';

const { values } = parseArgs({ options: { check: { type: 'boolean' }, freeze: { type: 'string' } } });
const headFile = new URL('../schema.graphql', import.meta.url);
const versionFile = (version: string) => new URL(`../schema/versions/${version}.graphql`, import.meta.url);

if (values.freeze) {
  const version = values.freeze as ApiVersion;
  if (!API_VERSIONS.includes(version)) throw new Error(`unknown version ${version}; known: ${API_VERSIONS.join(', ')}`);
  if (existsSync(versionFile(version))) {
    process.stderr.write(`schema/versions/${version}.graphql exists: a released version never changes\n`);
    process.exit(1);
  }
  writeFileSync(versionFile(version), printSortedSchema(version));
} else if (values.check) {
  const stale: string[] = [];
  if (readFileSync(headFile, 'utf8') !== printSortedSchema()) stale.push('schema.graphql (run `npm run schema:print`)');
  for (const { version } of RELEASED_VERSIONS) {
    const file = versionFile(version);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== printSortedSchema(version)) {
      stale.push(`schema/versions/${version}.graphql (released: the code must change back, not the file)`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`out of date with the code:\n  ${stale.join('\n  ')}\n`);
    process.exit(1);
  }
} else {
  writeFileSync(headFile, printSortedSchema());
}
