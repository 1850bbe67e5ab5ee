import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { differingGets, getNormalised, providerPaths, runImport, serveImportTarget } from './support/import-compare.js';
import { placementWriter, populateSourceWorld } from './support/placement-source.js';
import { type PairedServers, startPairedServers } from './support/rest-pair.js';
import { SequenceGenerator } from './support/rest-sequences.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * `placement import` from a Placement populated by the differential test's random sequences
 * (test/support/rest-sequences.ts: valid and invalid calls over every endpoint, generation
 * conflicts included; few of their consumers survive), then by the importer's hand-made world
 * (test/support/placement-source.ts: a three-deep tree, a sharing provider, typed consumers),
 * into an empty gateway: afterwards every GET of every provider, consumer, class, trait and
 * project answers on our /placement as on the source. IMPORT_SEQUENCES_SEED replays another world.
 */

const SEED = Number(process.env.IMPORT_SEQUENCES_SEED ?? 2026);
const SEQUENCES = 4;
const LENGTH = 60;
let servers: PairedServers;
let env: TestEnv;
let target: Awaited<ReturnType<typeof serveImportTarget>>;

/** Plays the sequences on the pair (the generator follows Placement's answers; differences are rest-diff's concern). */
async function populate(): Promise<void> {
  for (let sequence = 0; sequence < SEQUENCES; sequence++) {
    const generator = new SequenceGenerator(SEED + sequence, `i${sequence}`);
    for (let step = 0; step < LENGTH; step++) {
      const call = generator.next();
      generator.observe(call, (await servers.pair.send(call)).placement);
    }
  }
  await populateSourceWorld(placementWriter(servers.placement.url));
}

beforeAll(async () => {
  [servers, env] = await Promise.all([startPairedServers(), createTestEnv({ poolMax: 4 })]);
  console.log(`import from random sequences: IMPORT_SEQUENCES_SEED=${SEED}`);
  await populate();
  target = await serveImportTarget(env);
  await runImport(servers.placement.url, target.origin);
}, 300_000);

afterAll(async () => {
  await target?.close();
  await env?.close();
  await servers?.close();
});

interface SourceState {
  providers: string[];
  consumers: string[];
}

/** The source's providers, and the consumers holding allocations on them, read through its REST API. */
async function sourceState(): Promise<SourceState> {
  const source = servers.placement.url;
  const listed = await getNormalised(source, 'admin', '/resource_providers', '1.39');
  const providers = (listed.body as { resource_providers: { uuid: string }[] }).resource_providers.map((p) => p.uuid);
  const consumers = new Set<string>();
  for (const uuid of providers) {
    const held = await getNormalised(source, 'admin', `/resource_providers/${uuid}/allocations`, '1.39');
    for (const consumer of Object.keys((held.body as { allocations: object }).allocations)) consumers.add(consumer);
  }
  return { providers, consumers: [...consumers] };
}

function paths(state: SourceState): string[] {
  return [
    '/resource_providers',
    '/resource_classes',
    '/traits',
    '/traits?associated=true',
    ...state.providers.flatMap((uuid) => [...providerPaths(uuid), `/resource_providers?in_tree=${uuid}`]),
    ...state.consumers.map((consumer) => `/allocations/${consumer}`),
    // The sequences' projects and users, and the hand-made world's.
    ...['proj-a', 'proj-b', 'p1', 'p2'].flatMap((project) => [
      `/usages?project_id=${project}`,
      ...['user-a', 'user-b', 'u1', 'u2', 'u3'].map((user) => `/usages?project_id=${project}&user_id=${user}`),
    ]),
  ];
}

describe('placement import from a Placement the random sequences populated', () => {
  it('copies a world with providers, trees, consumers and allocations (the sequences built one)', async () => {
    const state = await sourceState();
    console.log(`source: ${state.providers.length} providers, ${state.consumers.length} consumers`);
    expect(state.providers.length).toBeGreaterThan(10);
    expect(state.consumers.length).toBeGreaterThan(4);
  });

  for (const version of ['1.39', '1.28', '1.14']) {
    it(`answers every GET as the source does at ${version}`, async () => {
      const sides = {
        source: { url: servers.placement.url, token: 'admin' },
        ours: { url: `${target.origin}/placement`, token: TEST_ADMIN_TOKEN },
      };
      expect(await differingGets(sides, paths(await sourceState()), version)).toEqual([]);
    });
  }
});
