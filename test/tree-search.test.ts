/**
 * The tree search has no topology cliff: with a nested provider and a sharing provider in
 * the data, a flat request still walks the bound-ordered index and the tree statement only
 * visits the trees that could serve it (EXPLAIN ANALYZE row counts, never time). And the
 * per-tree class sets it reads stay right under concurrent writers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlacementRequest, resolveRequest, type SearchOptions } from '../src/placement/candidates.js';
import { InvalidInputError } from '../src/placement/errors.js';
import { shareBoundsSet } from '../src/placement/fit.js';
import { setInventories } from '../src/placement/inventories.js';
import { setProviderAggregates, setProviderTraits } from '../src/placement/names.js';
import { createProvider, updateProvider } from '../src/placement/providers.js';
import { walkStatement } from '../src/placement/search/flat.js';
import { treeStatement } from '../src/placement/search/trees.js';
import { withClient } from '../src/placement/transactions.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { STALE_TREE_CLASSES } from './support/invariants.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

const FLAT_HOSTS = 2000;

/** `count` flat hosts named prefix-000001…, each with the given classes (16 of each, unused), bounds set. */
async function bulkFlatHosts(prefix: string, count: number, classes: string[]): Promise<void> {
  await env.sql(
    `WITH ids AS (SELECT nextval('resource_providers_id_seq')::int AS id, g FROM generate_series(1, $1::int) g),
          made AS (INSERT INTO resource_providers (id, uuid, name, root_provider_id)
                   SELECT id, gen_random_uuid(), $2 || '-' || lpad(g::text, 6, '0'), id FROM ids RETURNING id)
     INSERT INTO inventories (provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)
     SELECT made.id, rc.id, 16, 0, 1, 16, 1, 1 FROM made CROSS JOIN resource_classes rc WHERE rc.name = ANY($3::text[])`,
    [count, prefix, classes],
  );
  await env.sql(`UPDATE resource_providers p SET ${shareBoundsSet()} WHERE p.name LIKE $1 || '-%'`, [prefix]);
}

async function provider(name: string, inventories: Record<string, number>, parent?: string): Promise<string> {
  const row = await createProvider(env.db.pool, { name, parentProviderUuid: parent ?? null });
  const list = Object.entries(inventories).map(([resourceClass, total]) => ({ resourceClass, total }));
  if (list.length)
    await setInventories(env.db.pool, { providerUuid: row.uuid, generation: row.generation, inventories: list });
  return row.uuid;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** EXPLAIN ANALYZE of a statement: its plan nodes. */
async function plan(statement: { text: string; values: unknown[] }): Promise<PlanNode[]> {
  const [row] = await env.sql<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`,
    statement.values,
  );
  return nodesOf(row!['QUERY PLAN'][0]!.Plan);
}

/** Rows a plan read from `table` (kept and filtered out, over every loop). */
const rowsRead = (nodes: PlanNode[], table: string) =>
  nodes
    .filter((n) => n['Relation Name'] === table)
    .reduce(
      (sum, n) =>
        sum +
        (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) *
          n['Actual Loops'],
      0,
    );

async function resolved(raw: unknown) {
  return withClient(env.db.pool, (client) => resolveRequest(client, parsePlacementRequest(raw)));
}

describe('no topology cliff', () => {
  beforeAll(async () => {
    await bulkFlatHosts('flat', FLAT_HOSTS, ['VCPU', 'MEMORY_MB']);
    // One tree (a host whose NUMA child holds the CPU and memory) and one sharing disk pool.
    const host = await provider('tree-host', { DISK_GB: 100 });
    await provider('tree-numa0', { VCPU: 8, MEMORY_MB: 4096 }, host);
    const pool = await provider('shared-disk', { DISK_GB: 1000 });
    const aggregate = randomUUID();
    const sharing = await setProviderTraits(env.db.pool, {
      providerUuid: pool,
      generation: 1,
      traits: ['MISC_SHARES_VIA_AGGREGATE'],
    });
    await setProviderAggregates(env.db.pool, {
      providerUuid: pool,
      generation: sharing.generation,
      aggregates: [aggregate],
    });
    const [member] = await env.sql<{ uuid: string; generation: number }>(
      `SELECT uuid, generation FROM resource_providers WHERE name = 'flat-000001'`,
    );
    await setProviderAggregates(env.db.pool, {
      providerUuid: member!.uuid,
      generation: member!.generation,
      aggregates: [aggregate],
    });
    await env.sql('ANALYZE');
  });

  const flatRequest = {
    resources: [
      { resourceClass: 'VCPU', amount: 1 },
      { resourceClass: 'MEMORY_MB', amount: 1 },
    ],
  };

  for (const weigher of ['SPREAD', 'PACK'] as const) {
    const options: SearchOptions = { limit: 50, weigher };

    it(`${weigher}: a flat request walks the bound index, reading about one batch of hosts`, async () => {
      const r = await resolved(flatRequest);
      expect(r.nested).toBe(true);
      const nodes = await plan(walkStatement(r, options, { batch: 64, frontier: null, finish: false }));
      expect(nodes.some((n) => /_walk(_all)?_idx$/.test(n['Index Name'] ?? ''))).toBe(true);
      expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] !== 'cells')).toEqual([]);
      expect(rowsRead(nodes, 'resource_providers')).toBeLessThanOrEqual(64);
    });

    it(`${weigher}: the tree statement visits the one tree that can serve it, not the ${FLAT_HOSTS} flat hosts`, async () => {
      const nodes = await plan(treeStatement(await resolved(flatRequest), options));
      // the tree: its root and its child (read as root, then as members)
      expect(rowsRead(nodes, 'resource_providers')).toBeLessThanOrEqual(6);
      expect(rowsRead(nodes, 'inventories')).toBeLessThanOrEqual(6);
    });
  }

  it('a request the sharing pool serves visits the roots in its aggregate only', async () => {
    const request = { resources: [...flatRequest.resources, { resourceClass: 'DISK_GB', amount: 10 }] };
    const nodes = await plan(treeStatement(await resolved(request), { limit: 50, weigher: 'SPREAD' }));
    expect(rowsRead(nodes, 'resource_providers')).toBeLessThanOrEqual(12);
    expect(rowsRead(nodes, 'inventories')).toBeLessThanOrEqual(20);
  });

  it('and the search still finds the tree, the shared disk and the flat hosts, merged by weight', async () => {
    const result = await env.gql(
      `query($request: PlacementRequest!) { allocationCandidates(request: $request, limit: 3) {
         ... on AllocationCandidates { candidates { resourceProvider { name } allocationRequest { providerUuid } } } } }`,
      { request: { resources: [...flatRequest.resources, { resourceClass: 'DISK_GB', amount: 10 }] } },
    );
    expect(result.errors).toBeUndefined();
    const names = result.data!.allocationCandidates.candidates.map(
      (c: { resourceProvider: { name: string } }) => c.resourceProvider.name,
    );
    // flat hosts hold no disk: the tree (its own disk) and the pool's aggregate member
    expect(names.sort()).toEqual(['flat-000001', 'tree-host']);
  });
});

describe('tree_class_ids under concurrent writers', () => {
  it('inventory writes, new children and moves racing on the same trees leave every set exact', async () => {
    const roots: string[] = [];
    const children: string[] = [];
    for (let t = 0; t < 4; t++) {
      const root = await provider(`race-root-${t}`, { DISK_GB: 10 });
      roots.push(root);
      for (let c = 0; c < 4; c++) children.push(await provider(`race-${t}-${c}`, { VCPU: 4 }, root));
    }
    const classes = ['MEMORY_MB', 'VGPU', 'SRIOV_NET_VF', 'PCPU'];
    const generation = async (uuid: string) =>
      (await env.sql<{ generation: number }>('SELECT generation FROM resource_providers WHERE uuid = $1', [uuid]))[0]!
        .generation;
    // Disjoint providers per operation (so no generation conflicts), shared roots (so the sets race).
    const inventoryWrites = children.slice(0, 8).map(async (uuid, i) =>
      setInventories(env.db.pool, {
        providerUuid: uuid,
        generation: await generation(uuid),
        inventories: i % 3 === 0 ? [] : [{ resourceClass: classes[i % classes.length]!, total: 8 }],
      }),
    );
    const moves = children
      .slice(8)
      .map((uuid, i) =>
        updateProvider(env.db.pool, { uuid, parentProviderUuid: i % 4 === 3 ? null : roots[(i + 1) % roots.length]! }),
      );
    const births = roots.map((root, i) =>
      provider(`race-born-${i}`, { [classes[(i + 2) % classes.length]!]: 2 }, root),
    );
    const outcomes = await Promise.allSettled([...inventoryWrites, ...moves, ...births]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(await env.sql(STALE_TREE_CLASSES)).toEqual([]);
    // and the sets are not trivially empty: every root still has a tree with classes
    const sets = await env.sql<{ tree_class_ids: number[] }>(
      'SELECT tree_class_ids FROM resource_providers WHERE uuid = ANY($1::uuid[])',
      [roots],
    );
    for (const s of sets) expect(s.tree_class_ids.length).toBeGreaterThan(1);
  });

  it('a move into its own subtree is refused and changes no set', async () => {
    const root = await provider('loop-root', { DISK_GB: 1 });
    const child = await provider('loop-child', { VCPU: 1 }, root);
    await expect(updateProvider(env.db.pool, { uuid: root, parentProviderUuid: child })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(await env.sql(STALE_TREE_CLASSES)).toEqual([]);
  });
});
