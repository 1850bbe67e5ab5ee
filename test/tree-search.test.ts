/**
 * The tree search has no topology cliff: with a nested provider and a sharing provider in
 * the data, a flat request still walks the bound-ordered index and the tree statement only
 * visits the trees that could serve it (EXPLAIN ANALYZE row counts, never time). And the
 * per-tree class sets it reads stay right under concurrent writers.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setProviderAggregates } from '../src/placement/aggregates.js';
import {
  parsePlacementRequest,
  resolveRequest,
  type SearchOptions,
  searchCandidates,
} from '../src/placement/candidates.js';
import { InvalidInputError, RetryLimitExceededError } from '../src/placement/errors.js';
import { shareBoundsSet } from '../src/placement/fit.js';
import { setInventories } from '../src/placement/inventories.js';
import { createProvider, updateProvider } from '../src/placement/providers.js';
import { walkStatement } from '../src/placement/search/flat.js';
import { treeStatement } from '../src/placement/search/trees.js';
import { setProviderTraits } from '../src/placement/traits.js';
import { withClient } from '../src/placement/transactions.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { STALE_CLASS_IDS, STALE_TREE_CLASSES } from './support/invariants.js';

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
  'Subplan Name'?: string;
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

/** The same, run as a prepared statement's generic plan (the plan PostgreSQL may settle on for every call). */
async function genericPlan(statement: { text: string; values: unknown[] }): Promise<PlanNode[]> {
  return withClient(env.db.pool, async (client) => {
    await client.query('SET plan_cache_mode = force_generic_plan');
    try {
      await client.query(`PREPARE generic_walk AS ${statement.text}`);
      // EXECUTE takes no bind parameters: the values go in as literals
      const literal = (v: unknown): string =>
        v === null
          ? 'NULL'
          : typeof v === 'number'
            ? String(v)
            : client.escapeLiteral(Array.isArray(v) ? `{${v.join(',')}}` : String(v));
      const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE generic_walk(${statement.values.map(literal).join(', ')})`,
      );
      return nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan);
    } finally {
      await client.query('DEALLOCATE generic_walk');
      await client.query('RESET plan_cache_mode');
    }
  });
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

    it(`${weigher}: the walk's generic plan (a prepared statement's) still walks the bound index`, async () => {
      const r = await resolved({ ...flatRequest, cell: null });
      const nodes = await genericPlan(walkStatement(r, options, { batch: 64, frontier: null, finish: false }));
      expect(nodes.some((n) => /_walk(_all)?_idx$/.test(n['Index Name'] ?? ''))).toBe(true);
      expect(rowsRead(nodes, 'resource_providers')).toBeLessThanOrEqual(64);
    });

    it(`${weigher}: a request for a class no flat host holds probes none of their inventories`, async () => {
      // DISK_GB is on the tree's host and the pool only: the ${FLAT_HOSTS} flat hosts (two classes,
      // so on the two-class walk index) are passed over on the index entry (their class_ids),
      // without reading an inventory row
      const r = await resolved({
        resources: [
          { resourceClass: 'MEMORY_MB', amount: 1 },
          { resourceClass: 'DISK_GB', amount: 1 },
        ],
      });
      for (const nodes of [
        await plan(walkStatement(r, options, { batch: 64, frontier: null, finish: false })),
        await genericPlan(walkStatement(r, options, { batch: 64, frontier: null, finish: false })),
      ]) {
        expect(nodes.some((n) => /_walk(_all)?_idx$/.test(n['Index Name'] ?? ''))).toBe(true);
        expect(rowsRead(nodes, 'inventories')).toBe(0);
      }
    });

    it(`${weigher}: the tree statement visits the one tree that can serve it, not the ${FLAT_HOSTS} flat hosts`, async () => {
      const nodes = await plan(treeStatement(await resolved(flatRequest), options));
      // the tree: its root and its child (read as root, then as members); inventories also
      // the pool's (can it serve a class?) and its aggregate member's (could it hold the rest?), per class
      expect(rowsRead(nodes, 'resource_providers')).toBeLessThanOrEqual(6);
      expect(rowsRead(nodes, 'inventories')).toBeLessThanOrEqual(12);
    });
  }

  it('a request the sharing pool serves visits the roots in its aggregate only', async () => {
    const request = { resources: [...flatRequest.resources, { resourceClass: 'DISK_GB', amount: 10 }] };
    const nodes = await plan(treeStatement(await resolved(request), { limit: 50, weigher: 'SPREAD' }));
    expect(rowsRead(nodes, 'resource_providers')).toBeLessThanOrEqual(12);
    expect(rowsRead(nodes, 'inventories')).toBeLessThanOrEqual(20);
  });

  it('and the search still finds the tree, the shared disk and the flat hosts, merged by weight', async () => {
    const result = await env.gql<{
      allocationCandidates: {
        candidates: { resourceProvider: { name: string }; allocationRequest: { providerUuid: string } }[];
      };
    }>(
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

  describe('the tree statement beside the walk', () => {
    const request = { resources: [...flatRequest.resources, { resourceClass: 'DISK_GB', amount: 10 }] };
    const search = async (extra: Partial<SearchOptions>) => {
      const r = await resolved(request);
      return withClient(env.db.pool, (client) =>
        searchCandidates(client, r, { limit: 50, weigher: 'SPREAD', ...extra }),
      );
    };

    it('runs on a second connection of the side pool, with the same answer', async () => {
      const alone = await search({});
      let checkouts = 0;
      const count = () => {
        checkouts += 1;
      };
      const r = await resolved(request);
      env.db.pool.on('acquire', count);
      try {
        const beside = await withClient(env.db.pool, (client) =>
          searchCandidates(client, r, { limit: 50, weigher: 'SPREAD', sidePool: env.db.pool }),
        );
        expect(beside).toEqual(alone);
        // the search's own connection, and the tree statement's
        expect(checkouts).toBe(2);
      } finally {
        env.db.pool.off('acquire', count);
      }
      expect(alone.map((c) => c.rootUuid).length).toBeGreaterThan(0);
    });

    it('queues behind the walk on the same connection when the side pool has none to spare, never waiting for one', async () => {
      const alone = await search({});
      const full = new pg.Pool({ connectionString: env.url, max: 1, connectionTimeoutMillis: 60_000 });
      const held = await full.connect();
      try {
        const started = performance.now();
        expect(await search({ sidePool: full })).toEqual(alone);
        // a wait for `held` would last until the 60 s acquire timeout
        expect(performance.now() - started).toBeLessThan(30_000);
        expect(full.waitingCount).toBe(0);
      } finally {
        held.release();
        await full.end();
      }
    });
  });
});

describe('roots behind a sharing pool', () => {
  const TREES = 40;
  beforeAll(async () => {
    // TREES diskless trees (the host holds nothing, its NUMA child PCPU and memory), all in
    // the aggregate of a sharing disk pool: the bench's tree world in small.
    await env.sql(
      `WITH ids AS (SELECT nextval('resource_providers_id_seq')::int AS id, g FROM generate_series(1, $1::int) g)
       INSERT INTO resource_providers (id, uuid, name, root_provider_id)
       SELECT id, gen_random_uuid(), 'pooled-' || lpad(g::text, 3, '0'), id FROM ids`,
      [TREES],
    );
    await env.sql(
      `INSERT INTO resource_providers (uuid, name, parent_provider_id, root_provider_id)
       SELECT gen_random_uuid(), r.name || '-numa0', r.id, r.id FROM resource_providers r WHERE r.name LIKE 'pooled-%'`,
    );
    await env.sql(
      `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)
       SELECT c.id, rc.id, 16, 0, 1, 16, 1, 1 FROM resource_providers c CROSS JOIN resource_classes rc
        WHERE c.name LIKE 'pooled-%-numa0' AND rc.name IN ('PCPU', 'MEMORY_MB')`,
    );
    const pool = await provider('pooled-disk', { DISK_GB: 1000 });
    const sharing = await setProviderTraits(env.db.pool, {
      providerUuid: pool,
      generation: 1,
      traits: ['MISC_SHARES_VIA_AGGREGATE'],
    });
    const aggregate = randomUUID();
    await setProviderAggregates(env.db.pool, {
      providerUuid: pool,
      generation: sharing.generation,
      aggregates: [aggregate],
    });
    await env.sql(
      `INSERT INTO provider_aggregates (provider_id, aggregate_id)
       SELECT p.id, a.id FROM resource_providers p, aggregates a
        WHERE p.name LIKE 'pooled-%' AND p.parent_provider_id IS NULL AND p.name <> 'pooled-disk' AND a.uuid = $1`,
      [aggregate],
    );
    await env.sql(`UPDATE resource_providers p SET ${shareBoundsSet()} WHERE p.name LIKE 'pooled-%'`);
    await env.sql('ANALYZE');
  });

  it(`a flat request with a shared class probes none of the ${TREES} trees that cannot hold its other classes`, async () => {
    const request = {
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'MEMORY_MB', amount: 1 },
        { resourceClass: 'DISK_GB', amount: 10 },
      ],
    };
    const nodes = await plan(treeStatement(await resolved(request), { limit: 50, weigher: 'SPREAD' }));
    // per class, the two pools' inventories (can a pool serve it?), and the pooled flat host
    // of the first block (does it hold VCPU and memory?): nothing per pooled tree (4087 rows before)
    expect(rowsRead(nodes, 'inventories')).toBeLessThanOrEqual(20);
  });

  it('a request the trees can hold still finds every one of them, served by the pool', async () => {
    const request = {
      resources: [
        { resourceClass: 'PCPU', amount: 1 },
        { resourceClass: 'DISK_GB', amount: 10 },
      ],
    };
    const found = await withClient(env.db.pool, async (client) =>
      searchCandidates(client, await resolveRequest(client, parsePlacementRequest(request)), {
        limit: 100,
        weigher: 'SPREAD',
      }),
    );
    const names = await env.sql<{ name: string }>(
      'SELECT name FROM resource_providers WHERE uuid = ANY($1::uuid[]) ORDER BY name',
      [found.map((c) => c.rootUuid)],
    );
    expect(names.map((n) => n.name)).toEqual(
      Array.from({ length: TREES }, (_, i) => `pooled-${String(i + 1).padStart(3, '0')}`),
    );
  });
});

describe('roots behind a pool whose aggregate spans the cells', () => {
  // The bench's NUMA world in small: a disk pool shared by MANY trees of one cell and FEW of
  // another. A request for the second cell finds its roots through the cell filter and
  // probes each for a partner, instead of pairing every member of the pool's aggregate.
  const MANY = 600;
  const FEW = 20;
  const cellUuid = randomUUID();
  beforeAll(async () => {
    await env.sql(`INSERT INTO cells (uuid, name) VALUES (gen_random_uuid(), 'span-many'), ($1, 'span-few')`, [
      cellUuid,
    ]);
    await env.sql(
      `WITH ids AS (SELECT nextval('resource_providers_id_seq')::int AS id, g FROM generate_series(1, $1::int) g)
       INSERT INTO resource_providers (id, uuid, name, root_provider_id, cell_id)
       SELECT id, gen_random_uuid(), 'span-' || lpad(g::text, 4, '0'), id,
              (SELECT id FROM cells WHERE name = CASE WHEN g <= $2 THEN 'span-few' ELSE 'span-many' END)
         FROM ids`,
      [MANY + FEW, FEW],
    );
    await env.sql(
      `INSERT INTO resource_providers (uuid, name, parent_provider_id, root_provider_id, cell_id)
       SELECT gen_random_uuid(), r.name || '-numa0', r.id, r.id, r.cell_id FROM resource_providers r WHERE r.name LIKE 'span-%'`,
    );
    await env.sql(
      `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)
       SELECT c.id, rc.id, 16, 0, 1, 16, 1, 1 FROM resource_providers c CROSS JOIN resource_classes rc
        WHERE c.name LIKE 'span-%-numa0' AND rc.name IN ('VCPU', 'MEMORY_MB')`,
    );
    const pool = await provider('span-disk', { DISK_GB: 100_000 });
    const sharing = await setProviderTraits(env.db.pool, {
      providerUuid: pool,
      generation: 1,
      traits: ['MISC_SHARES_VIA_AGGREGATE'],
    });
    const aggregate = randomUUID();
    await setProviderAggregates(env.db.pool, {
      providerUuid: pool,
      generation: sharing.generation,
      aggregates: [aggregate],
    });
    await env.sql(
      `INSERT INTO provider_aggregates (provider_id, aggregate_id)
       SELECT p.id, a.id FROM resource_providers p, aggregates a
        WHERE p.name LIKE 'span-%' AND p.parent_provider_id IS NULL AND p.name <> 'span-disk' AND a.uuid = $1`,
      [aggregate],
    );
    await env.sql('ANALYZE');
  });

  const request = {
    resources: [
      { resourceClass: 'VCPU', amount: 1 },
      { resourceClass: 'MEMORY_MB', amount: 1 },
      { resourceClass: 'DISK_GB', amount: 10 },
    ],
    cell: cellUuid,
  };

  it(`a request for the cell of ${FEW} trees probes them, not the ${MANY + FEW} members of the pool's aggregate`, async () => {
    const nodes = await plan(treeStatement(await resolved(request), { limit: 50, weigher: 'SPREAD' }));
    // the members are only counted (pool_members); finding the partnered roots (kept)
    // reads one aggregate row per root of the cell, where pairing read every member
    const kept = nodes.find((n) => n['Subplan Name'] === 'CTE kept');
    expect(kept).toBeDefined();
    expect(rowsRead(nodesOf(kept!), 'provider_aggregates')).toBeLessThanOrEqual(2 * FEW);
    expect(rowsRead(nodes, 'resource_providers')).toBeLessThan(20 * FEW);
  });

  it('and finds exactly the trees of that cell, their disk from the pool', async () => {
    const found = await withClient(env.db.pool, async (client) =>
      searchCandidates(client, await resolveRequest(client, parsePlacementRequest(request)), {
        limit: 100,
        weigher: 'SPREAD',
      }),
    );
    const names = await env.sql<{ name: string }>(
      'SELECT name FROM resource_providers WHERE uuid = ANY($1::uuid[]) ORDER BY name',
      [found.map((c) => c.rootUuid)],
    );
    expect(names.map((n) => n.name)).toEqual(
      Array.from({ length: FEW }, (_, i) => `span-${String(i + 1).padStart(4, '0')}`),
    );
    const [pool] = await env.sql<{ uuid: string }>(`SELECT uuid FROM resource_providers WHERE name = 'span-disk'`);
    for (const c of found) expect(c.serving.find((s) => s.resourceClass === 'DISK_GB')?.providerUuid).toBe(pool!.uuid);
  });
});

describe('tree_class_ids under concurrent writers', () => {
  const classes = ['MEMORY_MB', 'VGPU', 'SRIOV_NET_VF', 'PCPU'];
  const generation = async (uuid: string) =>
    (await env.sql<{ generation: number }>('SELECT generation FROM resource_providers WHERE uuid = $1', [uuid]))[0]!
      .generation;

  /** `count` trees, each a root with DISK_GB and `children` children with VCPU. */
  async function trees(prefix: string, count: number, children: number) {
    const made: { root: string; children: string[] }[] = [];
    for (let t = 0; t < count; t++) {
      const root = await provider(`${prefix}-root-${t}`, { DISK_GB: 10 });
      const kids: string[] = [];
      for (let c = 0; c < children; c++) kids.push(await provider(`${prefix}-${t}-${c}`, { VCPU: 4 }, root));
      made.push({ root, children: kids });
    }
    return made;
  }

  /** One write per tree: an inventory change, a new child, a child moved out to be a root. */
  const writesOn = (tree: { root: string; children: string[] }, t: number, prefix: string) => [
    async () =>
      setInventories(env.db.pool, {
        providerUuid: tree.children[0]!,
        generation: await generation(tree.children[0]!),
        inventories: [{ resourceClass: classes[t % classes.length]!, total: 8 }],
      }),
    async () => provider(`${prefix}-born-${t}`, { [classes[(t + 1) % classes.length]!]: 2 }, tree.root),
    async () => updateProvider(env.db.pool, { uuid: tree.children[1]!, parentProviderUuid: null }),
    async () =>
      setInventories(env.db.pool, {
        providerUuid: tree.children[2]!,
        generation: await generation(tree.children[2]!),
        inventories: [],
      }),
  ];

  it('writers on different trees share nothing: none fails, every set is exact', async () => {
    const made = await trees('apart', 12, 3);
    // each tree gets exactly one of the four kinds of write, all at once
    const outcomes = await Promise.allSettled(made.map((tree, t) => writesOn(tree, t, 'apart')[t % 4]!()));
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(await env.sql(STALE_TREE_CLASSES)).toEqual([]);
    expect(await env.sql(STALE_CLASS_IDS)).toEqual([]);
  });

  it('writers racing on the same trees: each write commits whole or is refused as retryable; the sets stay exact', async () => {
    const made = await trees('race', 3, 3);
    // A client retries a retryable refusal, as the API tells it to.
    const retried = async (write: () => Promise<unknown>): Promise<number> => {
      for (let refusals = 0; ; refusals++) {
        try {
          await write();
          return refusals;
        } catch (error) {
          if (!(error instanceof RetryLimitExceededError) || refusals >= 20) throw error;
        }
      }
    };
    const outcomes = await Promise.allSettled(made.flatMap((tree, t) => writesOn(tree, t, 'race').map(retried)));
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(await env.sql(STALE_TREE_CLASSES)).toEqual([]);
    expect(await env.sql(STALE_CLASS_IDS)).toEqual([]);
    // every write landed: child 0 swapped VCPU for a class, the newborn brought another, child 1
    // left (with its VCPU) to be a root, child 2 emptied: the set is the disk and the two new classes
    for (const [t, tree] of made.entries()) {
      const [row] = await env.sql<{ classes: string[] }>(
        `SELECT array_agg(rc.name ORDER BY rc.name) AS classes FROM resource_providers p
           JOIN resource_classes rc ON rc.id = ANY(p.tree_class_ids) WHERE p.uuid = $1`,
        [tree.root],
      );
      expect(row!.classes).toEqual(
        ['DISK_GB', classes[t % classes.length]!, classes[(t + 1) % classes.length]!].sort(),
      );
      const [moved] = await env.sql('SELECT parent_provider_id FROM resource_providers WHERE uuid = $1', [
        tree.children[1],
      ]);
      expect(moved!.parent_provider_id).toBeNull();
    }
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
