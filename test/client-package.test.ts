import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';
import {
  compile,
  createOutsideProject,
  installedVersion,
  mustRun,
  npmInstall,
  outsideEnv,
  packWorkspaces,
} from './support/outside-project.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * The client and the CLI as an integrator gets them: `npm pack` of the workspace packages,
 * installed from the tarballs into an unrelated project, a program that imports
 * PlacementClient compiled with that project's tsc and run with node against a served gateway.
 */

/** The integrator's program: the default (1.4) client, the 1.3, 1.2, 1.1 and 1.0 entries, typed errors, thrown errors. */
const PROGRAM = `
import { isTypedError, PlacementClient, PlacementClientError } from '@placement-gateway/client';
import { ListProvidersDocument, PlacementClient as PlacementClient10 } from '@placement-gateway/client/1.0';
import { PlacementClient as PlacementClient11 } from '@placement-gateway/client/1.1';
import { PlacementClient as PlacementClient12 } from '@placement-gateway/client/1.2';
import { PlacementClient as PlacementClient13 } from '@placement-gateway/client/1.3';

const url = process.argv[2]!;
const client = new PlacementClient({ url });
const cell = await client.createCell({ name: 'outside-cell' });
if (isTypedError(cell)) throw new Error(cell.message);
const created = await client.createProvider({ name: 'outside-host', cellUuid: cell.cell.uuid });
if (created.__typename !== 'ResourceProviderPayload') throw new Error(created.message);
// The scalars are typed: UUID is a string, SafeInt a number (neither would compile as unknown).
const uuid: string = created.resourceProvider.uuid;
const generation: number = created.resourceProvider.generation;
const duplicate = await client.createCell({ name: 'outside-cell' });

// Code written against client 1.1.x, 1.2.x and 1.3.x keeps its methods through those entries.
const client11 = new PlacementClient11({ url });
const cells11 = await client11.listCells();
const client12 = new PlacementClient12({ url });
const found12 = await client12.getProvider(uuid);
const client13 = new PlacementClient13({ url });
const found13 = await client13.getProvider(uuid);
const pinned = new PlacementClient10({ url });
const page = await pinned.request(ListProvidersDocument, { first: 10 });
let thrown = '';
try {
  await client.getProvider('not-a-uuid');
} catch (error) {
  if (error instanceof PlacementClientError) thrown = \`\${error.kind} \${error.code} \${error.field}\`;
}
console.log(JSON.stringify({
  apiVersions: [client.apiVersion, client13.apiVersion, client12.apiVersion, client11.apiVersion, pinned.apiVersion],
  cells11: cells11.edges.map((edge) => edge.node.name),
  found12: found12?.name,
  found13: found13?.name,
  uuid,
  generation,
  duplicate: isTypedError(duplicate) ? duplicate.code : 'created',
  providers: page.resourceProviders.edges.map((edge) => edge.node.name),
  thrown,
}));
`;

let env: TestEnv;
let server: Server;
let url: string;
let tarballs: string;
let project: string;
let packed: Record<string, string>;
const versionHeaders: Array<string | undefined> = [];

beforeAll(async () => {
  env = await createTestEnv();
  server = createServer((request, response) => {
    versionHeaders.push(request.headers['placement-api-version'] as string | undefined);
    return env.gateway(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  tarballs = await mkdtemp(path.join(os.tmpdir(), 'placement-tarballs-'));
  packed = await packWorkspaces(['client', 'cli'], tarballs);
  project = await createOutsideProject('placement-outside-');
  await npmInstall(project, [
    packed['@placement-gateway/client']!,
    packed['@placement-gateway/cli']!,
    `typescript@${await installedVersion('typescript')}`,
    `@types/node@${await installedVersion('@types/node')}`,
  ]);
  // npm install from the cache and npm pack: tens of seconds, minutes on a busy shared machine.
}, 420_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
  for (const dir of [tarballs, project]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('@placement-gateway/client, packed and installed into another project', () => {
  it('is a copy with compiled JavaScript, declarations and one runtime dependency', async () => {
    const installed = path.join(project, 'node_modules/@placement-gateway/client');
    expect((await lstat(installed)).isSymbolicLink()).toBe(false);
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@graphql-typed-document-node/core']);
    for (const file of ['index', 'api-1.3', 'api-1.2', 'api-1.1', 'api-1.0'].flatMap((entry) => [
      `dist/${entry}.js`,
      `dist/${entry}.d.ts`,
    ])) {
      expect((await lstat(path.join(installed, file))).isFile(), file).toBe(true);
    }
    // The documents of every version ship too, for integrators' own codegen.
    expect((await lstat(path.join(installed, 'operations/1.0/providers.graphql'))).isFile()).toBe(true);
    expect((await lstat(path.join(installed, 'operations/1.1/providers.graphql'))).isFile()).toBe(true);
    expect((await lstat(path.join(installed, 'operations/1.2/tokens.graphql'))).isFile()).toBe(true);
    expect((await lstat(path.join(installed, 'operations/1.3/placement.graphql'))).isFile()).toBe(true);
    expect((await lstat(path.join(installed, 'operations/1.4/import.graphql'))).isFile()).toBe(true);
  });

  it('compiles with tsc and runs with node: writes, typed errors, the 1.3, 1.2, 1.1 and 1.0 entries, thrown errors', async () => {
    await writeFile(path.join(project, 'src/main.ts'), PROGRAM);
    await compile(project);
    const before = versionHeaders.length;
    const { stdout, stderr } = await mustRun(
      process.execPath,
      ['dist/main.js', url],
      project,
      outsideEnv({ PLACEMENT_TOKEN: TEST_ADMIN_TOKEN }),
    );
    expect(stderr).toBe('');
    const result = JSON.parse(stdout);
    expect(result).toEqual({
      apiVersions: ['1.4', '1.3', '1.2', '1.1', '1.0'],
      cells11: ['outside-cell'],
      found12: 'outside-host',
      found13: 'outside-host',
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      generation: 0,
      duplicate: 'ALREADY_EXISTS',
      providers: ['outside-host'],
      thrown: 'graphql INVALID_INPUT uuid',
    });
    // createCell, createProvider, createCell in 1.4; listCells in 1.1; getProvider in 1.2, then 1.3; the pinned client in 1.0; getProvider in 1.4.
    expect(versionHeaders.slice(before)).toEqual(['1.4', '1.4', '1.4', '1.1', '1.2', '1.3', '1.0', '1.4']);
    expect(await env.sql('SELECT name FROM resource_providers WHERE uuid = $1', [result.uuid])).toEqual([
      { name: 'outside-host' },
    ]);
    // tsc type-checks the client's declarations and @types/node in full (no skipLibCheck): slow on a busy machine.
  }, 180_000);
});

describe('@placement-gateway/cli, packed and installed into another project', () => {
  it('links the `placement` bin, which runs the compiled CLI against the service', async () => {
    const placement = path.join(project, 'node_modules/.bin/placement');
    const version = await mustRun(placement, ['--version'], project);
    expect(version.stdout).toBe('placement CLI, API 1.4\n');
    const cells = await mustRun(
      placement,
      ['--url', url, '--json', 'cells', 'list'],
      project,
      outsideEnv({ PLACEMENT_TOKEN: TEST_ADMIN_TOKEN }),
    );
    expect(JSON.parse(cells.stdout).cells.map((c: { name: string }) => c.name)).toContain('outside-cell');
    // The CLI's client is the installed copy, not this checkout.
    const cliClient = path.join(project, 'node_modules/@placement-gateway/client');
    expect((await lstat(cliClient)).isSymbolicLink()).toBe(false);
  });
});
