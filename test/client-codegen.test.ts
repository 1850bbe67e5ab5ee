import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { PLACEMENT_API_VERSION } from '../client/index.js';
import config, { CLIENT_API_VERSION, CLIENT_SCHEMA_FILE } from '../codegen.js';

/**
 * The checked-in client must be exactly what codegen makes from the frozen schema and the
 * operations today: a changed operation or schema file without `npm run client:generate`
 * fails here (and so in CI).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const generatedDir = path.join(root, 'client/generated');

describe('generated client', () => {
  it('is current: codegen in memory equals client/generated/ byte for byte', async () => {
    // Typed by hand: generate() returns `any` because watch mode returns nothing.
    const outputs: Array<{ filename: string; content: string }> = await generate(
      { ...config, cwd: root, silent: true, verbose: false },
      false,
    );
    const expected = new Map(outputs.map((output) => [path.resolve(root, output.filename), output.content]));
    expect(expected.size).toBeGreaterThan(0);

    const onDisk = (await readdir(generatedDir)).map((name) => path.join(generatedDir, name));
    const stale: string[] = [];
    for (const [file, content] of expected) {
      const current = await readFile(file, 'utf8').catch(() => undefined);
      if (current !== content) stale.push(path.relative(root, file));
    }
    const extra = onDisk.filter((file) => !expected.has(file)).map((file) => path.relative(root, file));
    expect({ stale, extra }, 'client/generated/ is stale: run `npm run client:generate` and commit the result').toEqual(
      { stale: [], extra: [] },
    );
  });

  it('speaks the version named by the frozen schema file it is generated from', () => {
    expect(CLIENT_SCHEMA_FILE).toMatch(/^schema\/versions\/\d+\.\d+\.graphql$/);
    expect(PLACEMENT_API_VERSION).toBe(CLIENT_API_VERSION);
  });
});
