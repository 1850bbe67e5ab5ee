import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import {
  compile,
  createOutsideProject,
  installedVersion,
  mustRun,
  npmInstall,
  outsideEnv,
  packWorkspaces,
  repoRoot,
} from './support/outside-project.js';
import { runProcess } from './support/run-process.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * docs/CLIENT.md, "Generate your own client", verbatim: every block marked
 * `<!-- outside-project: <file> -->` is written into a fresh project, which installs
 * graphql-codegen and the packed client, generates types for its own operation against a
 * served gateway (by introspection with the version header, and from GET /schema/1.2.graphql),
 * compiles with tsc and runs with node.
 */

/** The marked code blocks of docs/CLIENT.md, by the file name they are written to. */
async function documentedFiles(): Promise<Map<string, string>> {
  const text = await readFile(path.join(repoRoot, 'docs/CLIENT.md'), 'utf8');
  const blocks = text.matchAll(/<!-- outside-project: (\S+) -->\s*```\w*\n([\s\S]*?)\n```/g);
  return new Map([...blocks].map((match) => [match[1]!, `${match[2]!}\n`]));
}

let env: TestEnv;
let server: Server;
let url: string;
let tarballs: string;
let project: string;
let host: { uuid: string };

/** `npx graphql-codegen --config <config>` in the outside project, against the served gateway. */
const codegen = (config: string) =>
  runProcess(path.join(project, 'node_modules/.bin/graphql-codegen'), ['--config', config], {
    cwd: project,
    env: outsideEnv({ PLACEMENT_URL: url, PLACEMENT_TOKEN: TEST_ADMIN_TOKEN }),
  });

beforeAll(async () => {
  env = await createTestEnv();
  server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  host = await hostWith(env, 'own-host', { VCPU: 8, MEMORY_MB: 4096 });

  tarballs = await mkdtemp(path.join(os.tmpdir(), 'placement-tarballs-'));
  const packed = await packWorkspaces(['client'], tarballs);
  project = await createOutsideProject('placement-own-codegen-');
  const versions = await Promise.all(
    ['@graphql-codegen/cli', '@graphql-codegen/client-preset', 'graphql', 'typescript', '@types/node'].map(
      async (name) => `${name}@${await installedVersion(name)}`,
    ),
  );
  await npmInstall(project, [packed['@placement-gateway/client']!, ...versions]);
  // npm install from the cache and npm pack: tens of seconds, minutes on a busy shared machine.
}, 420_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
  for (const dir of [tarballs, project]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('docs/CLIENT.md: generate your own client in another project', () => {
  it('documents a codegen config, an operation and a program', async () => {
    const files = await documentedFiles();
    expect([...files.keys()].sort()).toEqual(
      ['codegen-from-sdl.ts', 'codegen.ts', 'src/capacity.graphql', 'src/capacity.ts'].sort(),
    );
    for (const [name, content] of files) {
      await mkdir(path.dirname(path.join(project, name)), { recursive: true });
      await writeFile(path.join(project, name), content);
    }
  });

  it('fails to generate a 1.1 operation when introspection lacks the version header (the trap)', async () => {
    await writeFile(
      path.join(project, 'codegen-no-header.ts'),
      [
        "import base from './codegen.js';",
        'const url = process.env.PLACEMENT_URL!;',
        "const authorization = 'Bearer ' + process.env.PLACEMENT_TOKEN;",
        'export default { ...base, schema: [{ [url]: { headers: { authorization } } }] };',
        '',
      ].join('\n'),
    );
    const run = await codegen('codegen-no-header.ts');
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr, JSON.stringify(run)).toContain(
      'Cannot query field "utilization" on type "Inventory"',
    );
  });

  it('generates from the served SDL of 1.2, then by introspection with the header', async () => {
    for (const config of ['codegen-from-sdl.ts', 'codegen.ts']) {
      await rm(path.join(project, 'src/gql'), { recursive: true, force: true });
      const run = await codegen(config);
      expect(run.code, `${config}\n${run.stdout}\n${run.stderr}`).toBe(0);
      const types = await readFile(path.join(project, 'src/gql/graphql.ts'), 'utf8');
      // The scalars are mapped (UUID a string, SafeInt a number), not unknown.
      expect(types, config).toMatch(/export type FreeCapacityQuery = .*node: \{ uuid: string, .*free: number/);
      expect(types, config).toContain('export const FreeCapacityDocument');
    }
  });

  it('compiles the program with tsc and runs it with node through PlacementClient.request', async () => {
    await compile(project);
    const { stdout, stderr } = await mustRun(
      process.execPath,
      ['dist/capacity.js'],
      project,
      outsideEnv({ PLACEMENT_URL: url, PLACEMENT_TOKEN: TEST_ADMIN_TOKEN }),
    );
    expect(stderr).toBe('');
    expect(stdout).toBe(
      [`own-host ${host.uuid} MEMORY_MB free=4096 used=0%`, `own-host ${host.uuid} VCPU free=8 used=0%`, ''].join('\n'),
    );
  }, 180_000);
});
