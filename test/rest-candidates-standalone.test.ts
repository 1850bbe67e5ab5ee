/**
 * REST candidates in a database without trees or sharing providers: each host is its own
 * world, so the flat walk returns the host's own record with it (SearchOptions.withOwnRecord)
 * and the answer takes no world query. The records must be what loadWorld reads for the same
 * hosts, and the answers (rendered bodies, byte for byte) what the loadWorld path gives. The
 * flat-world cases of rest-allocation-candidates.test.ts compare these answers with the real
 * Placement 8.0.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProvider } from '../src/placement/providers.js';
import { parsePlacementRequest, resolveRequest } from '../src/placement/request.js';
import { placementCandidates } from '../src/placement/rest-candidates/index.js';
import { loadWorld, standaloneWorld, type World } from '../src/placement/rest-candidates/world.js';
import { type SearchOptions, searchCandidates } from '../src/placement/search/index.js';
import { type Queryable, withClient } from '../src/placement/transactions.js';
import { parseCandidateQuery } from '../src/rest/allocation-candidates/query.js';
import { renderCandidates } from '../src/rest/allocation-candidates/render.js';
import { pyJson } from '../src/rest/python.js';
import { buildInOurs, uuidOf, type WorldSpec } from './support/candidate-world.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

const WORLD: WorldSpec = {
  // Names whose order differs between collations: the records keep the world query's order.
  customTraits: ['CUSTOM_GOLD', 'CUSTOM_A_B', 'CUSTOM_AB', 'CUSTOM_A'],
  customClasses: ['CUSTOM_FPGA'],
  providers: [
    {
      name: 'cn1',
      inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 100 } },
      traits: ['HW_CPU_X86_AVX2', 'CUSTOM_A_B', 'CUSTOM_AB', 'CUSTOM_A'],
      aggregates: ['agg1', 'agg2'],
    },
    {
      name: 'cn2',
      inventories: {
        VCPU: { total: 4, allocation_ratio: 2 },
        MEMORY_MB: { total: 2048, reserved: 512 },
        DISK_GB: { total: 50, step_size: 10 },
        CUSTOM_FPGA: { total: 2 },
      },
      traits: ['CUSTOM_GOLD'],
    },
    {
      name: 'cn3',
      inventories: { VCPU: { total: 2 }, MEMORY_MB: { total: 1024, max_unit: 256, min_unit: 64 } },
      aggregates: ['agg2'],
    },
    { name: 'cn4', inventories: { VCPU: { total: 16 }, MEMORY_MB: { total: 8192 } }, traits: ['CUSTOM_GOLD'] },
    { name: 'empty' },
  ],
  allocations: [
    { consumer: 'vm1', allocations: { cn1: { VCPU: 6, MEMORY_MB: 1024 } } },
    { consumer: 'vm2', allocations: { cn4: { VCPU: 3 }, cn2: { DISK_GB: 20 } } },
  ],
};

/** Query, microversion, and the statements it takes where hosts stand alone (null: granular, not the flat walk). */
const QUERIES: [query: string, minor: number, statements: number | null][] = [
  // the names and one walk, no world query
  ['resources=VCPU:1', 10, 2],
  ['resources=VCPU:1,MEMORY_MB:256', 12, 2],
  ['resources=VCPU:1,MEMORY_MB:256', 28, 2],
  ['resources=VCPU:1&required=CUSTOM_GOLD', 29, 2],
  ['resources=VCPU:1,DISK_GB:10&limit=1', 39, 2],
  ['resources=MEMORY_MB:128', 39, 2],
  ['resources=VCPU:1&root_required=CUSTOM_A', 39, 2],
  ['resources=VCPU:1&in_tree={cn4}', 39, 2],
  // and whether any provider is in the aggregate
  ['resources=VCPU:1&required=!CUSTOM_GOLD&member_of={agg2}', 39, 3],
  ['resources=VCPU:1&resources1=MEMORY_MB:128&group_policy=none', 39, null],
];

/** A world as plain lists in iteration order (the order the answers list things in). */
function plain(world: World) {
  return [...world.providers.values()].map((p) => ({
    ...p,
    traits: [...p.traits],
    aggregates: [...p.aggregates].sort(),
    inventories: [...p.inventories],
  }));
}

/** The rendered body and how many statements the request took. */
async function answer(db: Queryable, query: string, minor: number): Promise<{ body: string; queries: number }> {
  const request = parseCandidateQuery(
    [...new URLSearchParams(query.replace(/\{(\w+)\}/g, (_, l) => uuidOf(l)))],
    minor,
  );
  const spy = vi.spyOn(db, 'query');
  try {
    const result = await placementCandidates(db, request);
    return { body: pyJson(renderCandidates(result, request, minor)), queries: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

describe('REST candidates where every host stands alone', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(4);
    await buildInOurs(env, WORLD);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it.each<[string, Partial<SearchOptions>]>([
    ['walking', {}],
    ['scoring every host at once', { walkBudget: 0 }],
    ['with a limit', { limit: 2 }],
  ])('the walk returns the hosts as loadWorld reads them: %s', async (_, options) => {
    await withClient(env.db.pool, async (db) => {
      const r = await resolveRequest(db, parsePlacementRequest({ resources: [{ resourceClass: 'VCPU', amount: 1 }] }));
      const hosts = await searchCandidates(db, r, { limit: 50, weigher: 'SPREAD', withOwnRecord: true, ...options });
      expect(hosts.length).toBe(options.limit ?? 4);
      const records = hosts.map((h) => ({ uuid: h.rootUuid, own: h.own! }));
      const flags = { hasTrees: false, hasSharing: false };
      const loaded = await loadWorld(
        db,
        hosts.map((h) => h.rootUuid),
        flags,
      );
      expect(plain(standaloneWorld(records, flags))).toEqual(plain(loaded));
      // Without the option the engine's candidates carry no record (GraphQL's statement as it was).
      expect((await searchCandidates(db, r, { limit: 50, weigher: 'SPREAD', ...options }))[0]!.own).toBeUndefined();
    });
  });

  it('answers in two statements, as the loadWorld path answers', async () => {
    await withClient(env.db.pool, async (db) => {
      const standalone: { body: string; queries: number }[] = [];
      for (const [query, minor, statements] of QUERIES) {
        const found = await answer(db, query, minor);
        if (statements !== null) expect(found.queries, query).toBe(statements);
        standalone.push(found);
      }
      // A tree elsewhere (nothing in it answers these requests) sends every request through loadWorld.
      await createProvider(env.db.pool, { uuid: uuidOf('root'), name: 'root', parentProviderUuid: null });
      await createProvider(env.db.pool, { uuid: uuidOf('child'), name: 'child', parentProviderUuid: uuidOf('root') });
      for (const [i, [query, minor]] of QUERIES.entries()) {
        const loaded = await answer(db, query, minor);
        if (QUERIES[i]![2] !== null) expect(loaded.queries, query).toBeGreaterThan(standalone[i]!.queries);
        expect(standalone[i]!.body, query).toBe(loaded.body);
      }
    });
  });
});
