import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyUsages } from '../cli/commands/import/run.js';
import { PlacementSource } from '../cli/commands/import/source.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';
import {
  type PlacementWriter,
  placementWriter,
  populateSourceWorld,
  type SourceWorld,
} from './support/placement-source.js';
import { type RealPlacement, startRealPlacement } from './support/real-placement.js';
import { type ProcessResult, runProcess } from './support/run-process.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * `placement import` end to end: a real OpenStack Placement 8.0, populated through its REST
 * API (a provider tree three deep, a sharing provider in an aggregate with two hosts, custom
 * classes and traits, a standard trait our catalogue lacks, consumers of several types with
 * allocations across providers), imported into a gateway on a fresh database by the compiled
 * CLI run as a child process. The copy is compared with the source field by field, both read
 * independently here: the source through REST, ours through GraphQL.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(
  root,
  'cli',
  (JSON.parse(readFileSync(path.join(root, 'cli/package.json'), 'utf8')) as { bin: { placement: string } }).bin
    .placement,
);

let source: RealPlacement;
let env: TestEnv;
let server: Server;
let gatewayUrl: string;
let writer: PlacementWriter;

beforeAll(async () => {
  [source, env] = await Promise.all([startRealPlacement(), createTestEnv({ poolMax: 4, access: { serveHead: true } })]);
  server = createServer((request, response) => env.gateway(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  writer = placementWriter(source.url);
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
  await source?.stop();
});

function placementImport(...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, [bin, 'import', ...args], {
    cwd: root,
    env: { ...process.env, PLACEMENT_URL: gatewayUrl, PLACEMENT_TOKEN: TEST_ADMIN_TOKEN },
  });
}

/** The import from the test's Placement, which must succeed. */
async function importOk(...extra: string[]): Promise<string> {
  const result = await placementImport('--from', source.url, '--token', 'admin', ...extra);
  expect(
    result.stderr.split('\n').filter((line) => line.startsWith('error')),
    result.stderr,
  ).toEqual([]);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

// ---- the source, through its REST API --------------------------------------------------

interface Snapshot {
  customClasses: string[];
  customTraits: string[];
  providers: Array<{
    uuid: string;
    name: string;
    parent: string | null;
    generation: number;
    inventories: Record<string, Record<string, number>>;
    traits: string[];
    aggregates: string[];
    usages: Record<string, number>;
  }>;
  consumers: Array<{
    uuid: string;
    project: string;
    user: string;
    type: string | null;
    generation: number;
    allocations: Record<string, Record<string, number>>;
  }>;
}

const byUuid = <T extends { uuid: string }>(a: T, b: T) => a.uuid.localeCompare(b.uuid);

/** The source's state as its REST API shows it. */
async function sourceSnapshot(): Promise<Snapshot> {
  const classes = (await writer.rest('GET', '/resource_classes')) as { resource_classes: { name: string }[] };
  const traits = (await writer.rest('GET', '/traits')) as { traits: string[] };
  const list = (await writer.rest('GET', '/resource_providers')) as {
    resource_providers: { uuid: string; name: string; generation: number; parent_provider_uuid: string | null }[];
  };
  const providers: Snapshot['providers'] = [];
  const consumerUuids = new Set<string>();
  for (const rp of list.resource_providers) {
    const base = `/resource_providers/${rp.uuid}`;
    const inventories = (await writer.rest('GET', `${base}/inventories`)) as {
      inventories: Record<string, Record<string, number>>;
    };
    const allocations = (await writer.rest('GET', `${base}/allocations`)) as { allocations: Record<string, unknown> };
    for (const consumer of Object.keys(allocations.allocations)) consumerUuids.add(consumer);
    providers.push({
      uuid: rp.uuid,
      name: rp.name,
      parent: rp.parent_provider_uuid,
      generation: rp.generation,
      inventories: inventories.inventories,
      traits: ((await writer.rest('GET', `${base}/traits`)) as { traits: string[] }).traits.sort(),
      aggregates: ((await writer.rest('GET', `${base}/aggregates`)) as { aggregates: string[] }).aggregates.sort(),
      usages: ((await writer.rest('GET', `${base}/usages`)) as { usages: Record<string, number> }).usages,
    });
  }
  const consumers: Snapshot['consumers'] = [];
  for (const uuid of consumerUuids) {
    const body = (await writer.rest('GET', `/allocations/${uuid}`)) as {
      allocations: Record<string, { resources: Record<string, number> }>;
      project_id: string;
      user_id: string;
      consumer_generation: number;
      consumer_type: string;
    };
    consumers.push({
      uuid,
      project: body.project_id,
      user: body.user_id,
      type: body.consumer_type === 'unknown' ? null : body.consumer_type,
      generation: body.consumer_generation,
      allocations: Object.fromEntries(Object.entries(body.allocations).map(([rp, a]) => [rp, a.resources])),
    });
  }
  return {
    customClasses: classes.resource_classes
      .map((c) => c.name)
      .filter((n) => n.startsWith('CUSTOM_'))
      .sort(),
    customTraits: traits.traits.filter((n) => n.startsWith('CUSTOM_')).sort(),
    providers: providers.sort(byUuid),
    consumers: consumers.sort(byUuid),
  };
}

// ---- ours, through GraphQL ---------------------------------------------------------------

interface OurProvider {
  uuid: string;
  name: string;
  generation: number;
  parent: { uuid: string } | null;
  traits: string[];
  aggregates: { uuid: string }[];
  inventories: Array<{
    resourceClass: string;
    total: number;
    reserved: number;
    minUnit: number;
    maxUnit: number;
    stepSize: number;
    allocationRatio: number;
    used: number;
  }>;
  allocations: { edges: Array<{ node: { consumer: { uuid: string } } }> };
}

interface OurConsumer {
  uuid: string;
  projectId: string;
  userId: string;
  consumerType: string | null;
  generation: number;
  allocations: Array<{ amount: number; resourceClass: string; resourceProvider: { uuid: string } }>;
}

async function ourSnapshot(): Promise<Snapshot> {
  const result = await env.gql<{
    resourceProviders: { edges: { node: OurProvider }[] };
    resourceClasses: { edges: { node: { name: string; standard: boolean } }[] };
    traits: { edges: { node: { name: string } }[] };
  }>(
    `{
      resourceProviders(first: 20) { edges { node {
        uuid name generation parent { uuid } traits aggregates { uuid }
        inventories { resourceClass total reserved minUnit maxUnit stepSize allocationRatio used }
        allocations(first: 20) { edges { node { consumer { uuid } } } }
      } } }
      resourceClasses(first: 500) { edges { node { name standard } } }
      traits(first: 500, filter: { namePrefix: "CUSTOM_" }) { edges { node { name } } }
    }`,
    {},
    '1.3',
  );
  expect(result.errors).toBeUndefined();
  const consumerUuids = new Set<string>();
  const providers = result.data!.resourceProviders.edges.map(({ node }) => {
    for (const { node: allocation } of node.allocations.edges) consumerUuids.add(allocation.consumer.uuid);
    return {
      uuid: node.uuid,
      name: node.name,
      parent: node.parent?.uuid ?? null,
      generation: node.generation,
      inventories: Object.fromEntries(
        node.inventories.map((i) => [
          i.resourceClass,
          {
            total: i.total,
            reserved: i.reserved,
            min_unit: i.minUnit,
            max_unit: i.maxUnit,
            step_size: i.stepSize,
            allocation_ratio: i.allocationRatio,
          },
        ]),
      ),
      traits: [...node.traits].sort(),
      aggregates: node.aggregates.map((a) => a.uuid).sort(),
      usages: Object.fromEntries(node.inventories.map((i) => [i.resourceClass, i.used])),
    };
  });
  return {
    customClasses: result
      .data!.resourceClasses.edges.map((e) => e.node)
      .filter((c) => !c.standard)
      .map((c) => c.name)
      .sort(),
    customTraits: result.data!.traits.edges.map((e) => e.node.name).sort(),
    providers: providers.sort(byUuid),
    consumers: (await Promise.all([...consumerUuids].map(ourConsumer))).sort(byUuid),
  };
}

async function ourConsumer(uuid: string): Promise<Snapshot['consumers'][number]> {
  const result = await env.gql<{ consumer: OurConsumer }>(
    `query($uuid: String!) { consumer(uuid: $uuid) {
      uuid projectId userId consumerType generation allocations { amount resourceClass resourceProvider { uuid } }
    } }`,
    { uuid },
    '1.3',
  );
  expect(result.errors).toBeUndefined();
  const c = result.data!.consumer;
  const allocations: Record<string, Record<string, number>> = {};
  for (const a of c.allocations) {
    allocations[a.resourceProvider.uuid] = { ...allocations[a.resourceProvider.uuid], [a.resourceClass]: a.amount };
  }
  return {
    uuid: c.uuid,
    project: c.projectId,
    user: c.userId,
    type: c.consumerType,
    generation: c.generation,
    allocations,
  };
}

/** Every table that holds the resource model, as text: proof that a run wrote nothing. */
async function tables(): Promise<string> {
  const parts: string[] = [];
  for (const table of [
    'resource_providers',
    'inventories',
    'provider_traits',
    'provider_aggregates',
    'aggregates',
    'consumers',
    'allocations',
    'resource_classes',
    'traits',
  ]) {
    const [row] = await env.sql<{ d: string }>(
      `SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') AS d FROM "${table}" t`,
    );
    parts.push(`${table}: ${row!.d}`);
  }
  return parts.join('\n');
}

// ---- the world ---------------------------------------------------------------------------

let world: SourceWorld;

describe('placement import', () => {
  it('copies a populated Placement: trees, sharing, custom catalogue, consumers with types and generations', async () => {
    world = await populateSourceWorld(writer);
    const expected = await sourceSnapshot();
    expect(expected.providers).toHaveLength(6);
    expect(expected.consumers.map((c) => c.generation).sort()).toEqual([1, 1, 2]);
    const out = await importOk();
    expect(out).toContain(`create provider ${world.pf0}: compute1-numa0-pf0`);
    expect(out).toContain(`create consumer ${world.instance}`);
    expect(out).toContain('create resource class CUSTOM_UNUSED_CLASS');
    expect(out).toContain('create trait COMPUTE_ARCH_S390X');
    expect(out).toMatch(/^changed 1[0-9] created, 0 updated, 0 removed$/m);
    expect(await ourSnapshot()).toEqual(expected);
    // A standard trait of the source stays standard here; custom ones are custom.
    const [multiAttach] = await env.sql<{ standard: boolean }>(
      "SELECT standard FROM traits WHERE name = 'COMPUTE_ARCH_S390X'",
    );
    expect(multiAttach?.standard).toBe(true);
    await assertPlacementInvariants(env);
  });

  it('a second run changes nothing', async () => {
    const before = await tables();
    const out = await importOk();
    expect(out).toBe('no differences\n');
    expect(await tables()).toBe(before);
  });

  it('re-run after changes on the source syncs them: creates, updates and removes', async () => {
    // Removed at the source: a consumer, a leaf provider, a custom trait and class.
    await writer.rest('DELETE', `/allocations/${world.migration}`);
    await writer.rest('DELETE', `/resource_providers/${world.spare}`);
    await writer.setTraits(world.compute2, ['COMPUTE_ARCH_S390X']);
    await writer.rest('DELETE', '/traits/CUSTOM_GOLD');
    await writer.rest('DELETE', '/resource_classes/CUSTOM_UNUSED_CLASS');
    // Changed: a rename, an inventory, a re-parent, a consumer's allocations and owner.
    await writer.rest('PUT', `/resource_providers/${world.compute2}`, { name: 'compute2-renamed' });
    await writer.setInventories(world.compute2, { VCPU: { total: 12 }, MEMORY_MB: { total: 8192 } });
    await writer.rest('PUT', `/resource_providers/${world.pf0}`, {
      name: 'compute1-numa0-pf0',
      parent_provider_uuid: world.compute1,
    });
    await writer.allocate(
      world.untyped,
      { [world.compute2]: { VCPU: 3 } },
      { project: 'p2', user: 'u4', type: 'BACKUP' },
    );
    // Created: a provider that takes the removed one's name.
    const newcomer = await writer.createProvider('spare');
    await writer.setInventories(newcomer, { VCPU: { total: 2 } });

    const expected = await sourceSnapshot();
    const out = await importOk();
    expect(out).toContain(`remove consumer ${world.migration}`);
    expect(out).toContain(`remove provider ${world.spare}`);
    expect(out).toContain('remove trait CUSTOM_GOLD');
    expect(out).toContain('remove resource class CUSTOM_UNUSED_CLASS');
    expect(out).toContain(`create provider ${newcomer}: spare`);
    expect(out).toMatch(
      new RegExp(
        `^update provider ${world.compute2}: name compute2 → compute2-renamed; .*inventory VCPU total 8 → 12`,
        'm',
      ),
    );
    expect(out).toMatch(new RegExp(`^update provider ${world.pf0}: parent ${world.numa0} → ${world.compute1}`, 'm'));
    expect(out).toMatch(
      new RegExp(`^update consumer ${world.untyped}: user u3 → u4; type none → BACKUP; generation 1 → 2; `, 'm'),
    );
    expect(await ourSnapshot()).toEqual(expected);
    await assertPlacementInvariants(env);
  });

  it('--dry-run prints the differences and writes nothing; the run then makes them', async () => {
    await writer.setTraits(world.compute1, ['HW_CPU_X86_AVX2']);
    const extra = randomUUID();
    await writer.allocate(extra, { [world.compute1]: { VCPU: 1 } }, { project: 'p3', user: 'u5' });
    const before = await tables();
    const out = await importOk('--dry-run');
    expect(out).toMatch(
      new RegExp(`^update provider ${world.compute1}: -trait CUSTOM_RACK_A; generation \\d+ → \\d+$`, 'm'),
    );
    expect(out).toMatch(new RegExp(`^create consumer ${extra}: \\+allocation ${world.compute1}/VCPU 1$`, 'm'));
    expect(out).toMatch(/^would change 1 created, 1 updated, 0 removed \(dry run: nothing written\)$/m);
    expect(await tables()).toBe(before);
    const json = JSON.parse(await importOk('--dry-run', '--json')) as { dryRun: boolean; changes: unknown[] };
    expect(json).toMatchObject({ dryRun: true });
    expect(json.changes).toHaveLength(2);
    expect(await tables()).toBe(before);

    await importOk();
    expect(await ourSnapshot()).toEqual(await sourceSnapshot());
  });

  it('a provider whose usage differs from the source is named by the check', async () => {
    // Our side moves on: an allocation the source does not have.
    const written = await env.gql<{ setAllocations: { __typename: string } }>(
      `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { __typename } }`,
      {
        input: {
          consumerUuid: randomUUID(),
          consumerGeneration: null,
          projectId: 'here',
          userId: 'here',
          allocations: [{ providerUuid: world.compute2, resources: [{ resourceClass: 'VCPU', amount: 2 }] }],
        },
      },
      '1.3',
    );
    expect(written.data?.setAllocations.__typename).toBe('AllocationsPayload');
    const reader = new PlacementSource(source.url, 'admin', 10_000);
    const state = await reader.read();
    const mismatches = await verifyUsages(reader, state, {
      url: gatewayUrl,
      token: TEST_ADMIN_TOKEN,
      timeoutMs: 10_000,
    });
    expect(mismatches).toEqual([{ providerUuid: world.compute2, difference: 'VCPU source 3, here 5' }]);
    // The import repairs it (the extra consumer is not the source's) and then checks clean.
    const out = await importOk();
    expect(out).toMatch(/^remove consumer /m);
    expect(await verifyUsages(reader, state, { url: gatewayUrl, token: TEST_ADMIN_TOKEN, timeoutMs: 10_000 })).toEqual(
      [],
    );
  });

  it('a bad source URL or token: a clear error, an exit code, nothing written', async () => {
    const before = await tables();
    const unreachable = await placementImport('--from', 'http://127.0.0.1:1', '--token', 'admin');
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^error: cannot reach the Placement at http:\/\/127\.0\.0\.1:1: /m);
    const notPlacement = await placementImport(
      '--from',
      gatewayUrl.replace('/graphql', '/nowhere'),
      '--token',
      'admin',
    );
    expect(notPlacement.code).toBe(3);
    expect(notPlacement.stderr).toMatch(/^error: the Placement at .* answered GET \/ with HTTP 404/m);
    const userToken = await placementImport('--from', source.url, '--token', 'someone:project');
    expect(userToken.code).toBe(1);
    expect(userToken.stderr).toMatch(/answered GET \/resource_classes with HTTP 403.*check --token/);
    const noToken = await placementImport('--from', source.url);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("required option '--token <token>' not specified");
    const badGatewayToken = await runProcess(
      process.execPath,
      [bin, 'import', '--from', source.url, '--token', 'admin', '--gateway-token', 'not-a-token'],
      { cwd: root, env: { ...process.env, PLACEMENT_URL: gatewayUrl } },
    );
    expect(badGatewayToken.code).toBe(1);
    expect(badGatewayToken.stderr).toMatch(/UNAUTHENTICATED/);
    // A gateway as `npm start` serves it (released versions only): told why, before the source is read.
    const released = await createTestEnv({ poolMax: 2 });
    const releasedServer = createServer((request, response) => released.gateway(request, response));
    await new Promise<void>((resolve) => releasedServer.listen(0, '127.0.0.1', resolve));
    try {
      const headless = await runProcess(
        process.execPath,
        [bin, 'import', '--from', 'http://127.0.0.1:1', '--token', 'admin', '--gateway-token', TEST_ADMIN_TOKEN],
        {
          cwd: root,
          env: {
            ...process.env,
            PLACEMENT_URL: `http://127.0.0.1:${(releasedServer.address() as AddressInfo).port}/graphql`,
          },
        },
      );
      expect(headless.code).toBe(1);
      expect(headless.stderr).toMatch(
        /^error: the gateway at .* does not serve API 1\.4, which has importPlacementState$/m,
      );
    } finally {
      await new Promise<void>((resolve) => releasedServer.close(() => resolve()));
      await released.close();
    }
    expect(await tables()).toBe(before);
  });
});
