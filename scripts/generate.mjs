// Runs `prisma generate` without the schema-engine download that this environment cannot
// make: pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips it (generate does
// not use the engine). Used by postinstall, so a fresh clone is ready after `npm install`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL('../package.json', import.meta.url));
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
// The pothos generator is a bin of @pothos/plugin-prisma.
env.PATH = [fileURLToPath(new URL('../node_modules/.bin', import.meta.url)), env.PATH].join(path.delimiter);
const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
