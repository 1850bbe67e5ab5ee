import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { PLACEMENT_API_VERSION, SUPPORTED_API_VERSIONS } from '@placement-gateway/client';
import { PLACEMENT_API_VERSION as PLACEMENT_API_VERSION_1_0 } from '@placement-gateway/client/1.0';
import { describe, expect, it } from 'vitest';
import config, { CLIENT_API_VERSIONS, clientSchemaFile } from '../codegen.js';
import { SERVED_VERSIONS } from '../src/versions.js';

/**
 * The checked-in client must be exactly what codegen makes from the frozen schemas and the
 * operations today: a changed operation or schema file without `npm run client:generate`
 * fails here (and so in CI).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const generatedDir = path.join(root, 'client/generated');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('generated client', () => {
  it('is current: codegen in memory equals client/generated/ byte for byte', async () => {
    // Typed by hand: generate() returns `any` because watch mode returns nothing.
    const outputs: Array<{ filename: string; content: string }> = await generate(
      { ...config, cwd: root, silent: true, verbose: false },
      false,
    );
    const expected = new Map(outputs.map((output) => [path.resolve(root, output.filename), output.content]));
    expect(expected.size).toBeGreaterThan(0);

    const onDisk = await filesUnder(generatedDir);
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

  it('speaks exactly the versions it has documents for, each a released (served) version', async () => {
    expect([...SUPPORTED_API_VERSIONS]).toEqual([...CLIENT_API_VERSIONS]);
    for (const version of CLIENT_API_VERSIONS) {
      expect(SERVED_VERSIONS).toContain(version);
      expect(clientSchemaFile(version)).toBe(`schema/versions/${version}.graphql`);
      expect((await readdir(path.join(root, 'client/operations', version))).length).toBeGreaterThan(0);
    }
    expect(await readdir(path.join(root, 'client/operations'))).toEqual([...CLIENT_API_VERSIONS]);
  });

  it('names the version of each entry point after the documents it was generated from', () => {
    expect(PLACEMENT_API_VERSION).toBe(CLIENT_API_VERSIONS[CLIENT_API_VERSIONS.length - 1]);
    expect(PLACEMENT_API_VERSION_1_0).toBe('1.0');
  });
});
