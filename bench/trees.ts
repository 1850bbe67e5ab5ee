import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type Database, openDatabase } from '../src/db.js';
import { ensureDatabase } from '../src/embedded-postgres.js';
import { migrate } from '../src/migrate.js';
import { shareBoundsSet } from '../src/placement/fit.js';
import { CANDIDATES_QUERY } from './operations.js';
import { seed } from './seed.js';
import { claimOverHttp, gql, runClaims, startGateway, summary } from './support.js';

/**
 * The tree world: `providers` hosts of which one in 10 (by hash, so in every cell) is a tree (the host, two NUMA
 * children with PCPU and MEMORY_MB, a device child with VGPU), plus 5 sharing DISK_GB
 * pools, each in an aggregate with 1/5 of the trees whose host has no disk of its own. The
 * other hosts are the flat bench hosts (VCPU, MEMORY_MB, DISK_GB). Flat requests (VCPU) can
 * only land on flat hosts; tree requests (PCPU) only on trees.
 */
export async function seedTreeWorld(pool: pg.Pool, providers: number): Promise<void> {
  await seed(pool, { providers, cells: 10, traits: 50, hotSpot: 50 });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE trees ON COMMIT DROP AS
      SELECT id, name, cell_id, abs(hashint4(id + 7)) % 5 = 0 AS shares_disk FROM resource_providers
       WHERE abs(hashint4(id)) % 10 = 0`);
    // A tree host keeps only its disk (none when a sharing pool serves it) and its traits.
    await client.query(
      `DELETE FROM allocations a USING trees t WHERE a.provider_id = t.id;
       DELETE FROM consumers c WHERE NOT EXISTS (SELECT 1 FROM allocations a WHERE a.consumer_id = c.id);
       DELETE FROM inventories i USING trees t, resource_classes rc
        WHERE i.provider_id = t.id AND rc.id = i.resource_class_id AND (rc.name <> 'DISK_GB' OR t.shares_disk)`,
    );
    await client.query(
      `INSERT INTO resource_providers (uuid, name, cell_id, parent_provider_id, root_provider_id)
       SELECT gen_random_uuid(), t.name || '-' || k, t.cell_id, t.id, t.id
         FROM trees t CROSS JOIN unnest(ARRAY['numa0', 'numa1', 'gpu0']) k`,
    );
    await client.query(
      `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, allocation_ratio)
       SELECT c.id, rc.id, CASE rc.name WHEN 'PCPU' THEN 16 WHEN 'MEMORY_MB' THEN 131072 ELSE 8 END, 0, 1.0
         FROM resource_providers c JOIN trees t ON t.id = c.parent_provider_id
         JOIN resource_classes rc ON (c.name LIKE '%-numa_' AND rc.name IN ('PCPU', 'MEMORY_MB'))
                                  OR (c.name LIKE '%-gpu0' AND rc.name = 'VGPU')`,
    );
    // Five sharing disk pools, each in an aggregate with a fifth of the diskless trees.
    await client.query(
      `INSERT INTO aggregates (uuid) SELECT gen_random_uuid() FROM generate_series(1, 5);
       WITH next AS (SELECT nextval(pg_get_serial_sequence('resource_providers', 'id'))::int AS id, g FROM generate_series(1, 5) g)
       INSERT INTO resource_providers (id, uuid, name, root_provider_id)
       SELECT next.id, gen_random_uuid(), 'disk-pool-' || g, next.id FROM next;
       INSERT INTO inventories (provider_id, resource_class_id, total, reserved, allocation_ratio)
       SELECT p.id, rc.id, 200000, 0, 1.0 FROM resource_providers p, resource_classes rc
        WHERE p.name LIKE 'disk-pool-%' AND rc.name = 'DISK_GB';
       INSERT INTO provider_traits (provider_id, trait_id)
       SELECT p.id, t.id FROM resource_providers p, traits t WHERE p.name LIKE 'disk-pool-%' AND t.name = 'MISC_SHARES_VIA_AGGREGATE';
       INSERT INTO provider_aggregates (provider_id, aggregate_id)
       SELECT p.id, a.id FROM resource_providers p
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM aggregates) a ON p.name = 'disk-pool-' || a.n
       UNION ALL
       SELECT t.id, a.id FROM trees t
         JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM aggregates) a ON a.n = abs(hashint4(t.id + 11)) % 5
        WHERE t.shares_disk;
       UPDATE resource_providers p SET trait_ids = ARRAY[(SELECT id FROM traits WHERE name = 'MISC_SHARES_VIA_AGGREGATE')]
        WHERE p.name LIKE 'disk-pool-%'`,
    );
    // Existing load on 3 of 4 trees: one consumer on NUMA 0 (and the host's own disk).
    await client.query(
      `WITH made AS (
         INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation)
         SELECT gen_random_uuid(), 'bench-tree-' || t.id, 'seed', 'INSTANCE', 1 FROM trees t WHERE abs(hashint4(t.id + 3)) % 4 <> 0
         RETURNING id, project_id)
       INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
       SELECT made.id, i.provider_id, i.resource_class_id,
              CASE rc.name WHEN 'PCPU' THEN 1 + abs(hashint4(t.id)) % 12
                           WHEN 'MEMORY_MB' THEN 1024 * (1 + abs(hashint4(t.id + 1)) % 100)
                           ELSE 10 * (1 + abs(hashint4(t.id + 2)) % 150) END
         FROM made JOIN trees t ON made.project_id = 'bench-tree-' || t.id
         JOIN resource_providers m ON m.root_provider_id = t.id AND (m.id = t.id OR m.name LIKE '%-numa0')
         JOIN inventories i ON i.provider_id = m.id
         JOIN resource_classes rc ON rc.id = i.resource_class_id`,
    );
    // The trees' counters from their allocations (the hosts' own seeded ones were deleted above).
    await client.query(
      `UPDATE inventories i SET used = coalesce((SELECT sum(a.used) FROM allocations a
                WHERE a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id), 0)
        WHERE i.provider_id IN (SELECT m.id FROM resource_providers m JOIN trees t ON t.id = m.root_provider_id)`,
    );
    await client.query(
      `UPDATE resource_providers p SET ${shareBoundsSet()}
        WHERE p.root_provider_id IN (SELECT id FROM trees) OR p.name LIKE 'disk-pool-%'`,
    );
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** A bench database with `providers` hosts, seeded by `seedWorld` unless it already holds them. */
export async function benchDatabase(
  adminUrl: string,
  name: string,
  providers: number,
  seedWorld: (pool: pg.Pool) => Promise<void>,
): Promise<{ db: Database; url: string; seedSeconds: number }> {
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString(), 40);
  await migrate(db.pool);
  const { rows } = await db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM resource_providers WHERE parent_provider_id IS NULL',
  );
  let seedSeconds = 0;
  if (rows[0]!.n < providers) {
    await db.pool.query(
      'TRUNCATE resource_providers, consumers, allocations, inventories, provider_traits, provider_aggregates, aggregates, cells, idempotency_keys RESTART IDENTITY CASCADE',
    );
    await db.pool.query(`DELETE FROM traits WHERE name LIKE 'CUSTOM_BENCH_%'`);
    const t = performance.now();
    await seedWorld(db.pool);
    seedSeconds = Math.round((performance.now() - t) / 100) / 10;
  }
  return { db, url: url.toString(), seedSeconds };
}

const FLAT_RESOURCES = [
  { resourceClass: 'VCPU', amount: 2 },
  { resourceClass: 'MEMORY_MB', amount: 4096 },
  { resourceClass: 'DISK_GB', amount: 40 },
];
/** Served by a NUMA child (PCPU, memory) and the host's own disk or its sharing pool. */
const TREE_RESOURCES = [
  { resourceClass: 'PCPU', amount: 2 },
  { resourceClass: 'MEMORY_MB', amount: 4096 },
  { resourceClass: 'DISK_GB', amount: 40 },
];

async function cellsOf(db: Database): Promise<() => string> {
  const cells = (await db.pool.query<{ uuid: string }>('SELECT uuid FROM cells ORDER BY name')).rows.map((r) => r.uuid);
  return () => cells[Math.floor(Math.random() * cells.length)]!;
}

const traitPair = () => {
  const a = 1 + Math.floor(Math.random() * 50);
  const b = 1 + ((a + Math.floor(Math.random() * 49)) % 50);
  return [`CUSTOM_BENCH_T${a}`, `CUSTOM_BENCH_T${b}`];
};

/**
 * Flat requests in the all-flat world and in the tree world, and tree requests in the tree
 * world, interleaved one by one (so machine load drifts alike over all three), then claims
 * on tree hosts. `flatWorld` is the all-flat bench database of the same size.
 */
export async function benchTreeWorld(
  adminUrl: string,
  providers: number,
  options: { requests: number; seconds: number; claimers: number; subset: number; gateways: number },
) {
  const flat = await benchDatabase(adminUrl, `placement_bench_${providers}`, providers, (pool) =>
    seed(pool, { providers, cells: 10, traits: 50, hotSpot: 50 }),
  );
  const trees = await benchDatabase(adminUrl, `placement_bench_trees_${providers}`, providers, (pool) =>
    seedTreeWorld(pool, providers),
  );
  console.log(
    `\n== tree world: ${providers} hosts, 10% trees, 5 sharing pools (seeded in ${trees.seedSeconds || 'reused'} s; all-flat world ${flat.seedSeconds || 'reused'} s) ==`,
  );
  const flatGateway = await startGateway(flat.url, options.gateways);
  const treeGateway = await startGateway(trees.url, options.gateways);
  const flatCell = await cellsOf(flat.db);
  const treeCell = await cellsOf(trees.db);
  try {
    const kinds = {
      flatInFlatWorld: {
        url: flatGateway.url,
        request: () => ({ resources: FLAT_RESOURCES, requiredTraits: traitPair(), cell: flatCell() }),
      },
      flatInTreeWorld: {
        url: treeGateway.url,
        request: () => ({ resources: FLAT_RESOURCES, requiredTraits: traitPair(), cell: treeCell() }),
      },
      treeInTreeWorld: {
        url: treeGateway.url,
        request: () => ({ resources: TREE_RESOURCES, requiredTraits: traitPair(), cell: treeCell() }),
      },
      treeCellOnly: { url: treeGateway.url, request: () => ({ resources: TREE_RESOURCES, cell: treeCell() }) },
      flatCellOnlyInTreeWorld: {
        url: treeGateway.url,
        request: () => ({ resources: FLAT_RESOURCES, cell: treeCell() }),
      },
      flatCellOnlyInFlatWorld: {
        url: flatGateway.url,
        request: () => ({ resources: FLAT_RESOURCES, cell: flatCell() }),
      },
    };
    const latencies = Object.fromEntries(Object.keys(kinds).map((k) => [k, [] as number[]])) as Record<
      keyof typeof kinds,
      number[]
    >;
    const returned = Object.fromEntries(Object.keys(kinds).map((k) => [k, 0])) as Record<keyof typeof kinds, number>;
    for (let i = 0; i < options.requests + 30; i++) {
      for (const [kind, { url, request }] of Object.entries(kinds) as [
        keyof typeof kinds,
        (typeof kinds)[keyof typeof kinds],
      ][]) {
        const t = performance.now();
        const data = await gql(url, CANDIDATES_QUERY, { request: request() });
        if (i < 30) continue; // warm-up
        latencies[kind].push(performance.now() - t);
        returned[kind] += data.allocationCandidates?.candidates?.length ?? 0;
      }
    }
    const figures = Object.fromEntries(
      Object.entries(latencies).map(([k, l]) => [
        k,
        { ...summary(l), meanCandidates: Math.round(returned[k as keyof typeof kinds] / options.requests) },
      ]),
    ) as Record<keyof typeof kinds, ReturnType<typeof summary> & { meanCandidates: number }>;
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const ratios = {
      flatP99TreeWorldOverFlatWorld: ratio(figures.flatInTreeWorld.p99, figures.flatInFlatWorld.p99),
      flatP50TreeWorldOverFlatWorld: ratio(figures.flatInTreeWorld.p50, figures.flatInFlatWorld.p50),
      treeP99OverFlatP99: ratio(figures.treeInTreeWorld.p99, figures.flatInFlatWorld.p99),
      treeCellOnlyP99OverFlatCellOnlyP99: ratio(figures.treeCellOnly.p99, figures.flatCellOnlyInFlatWorld.p99),
    };
    for (const [k, v] of Object.entries(figures)) console.log(`candidates ${k} ms`, v);
    console.log('ratios (same run, interleaved)', ratios);

    const claims = await runClaims(options.claimers, options.seconds * 1000, () =>
      claimOverHttp(treeGateway.url, {
        consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'bench-tree' }],
        request: { resources: TREE_RESOURCES, cell: treeCell() },
        alternates: 3,
        hostSubsetSize: options.subset,
      }),
    );
    console.log('claims via HTTP on tree hosts (PCPU + MEMORY_MB on a NUMA node, disk own or shared)', claims);
    const { rows } = await trees.db.pool.query<{ overcommitted: number; drift: number }>(
      `SELECT (SELECT count(*)::int FROM inventories WHERE used > capacity) AS overcommitted,
              (SELECT count(*)::int FROM inventories i LEFT JOIN (
                 SELECT provider_id, resource_class_id, sum(used) AS s FROM allocations GROUP BY 1, 2) a
                 ON a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id
                WHERE i.used <> coalesce(a.s, 0)) AS drift`,
    );
    console.log('tree world invariants', rows[0]);
    return {
      providers,
      seedSeconds: trees.seedSeconds,
      candidatesMs: figures,
      ratios,
      claimsOnTrees: claims,
      invariants: rows[0]!,
    };
  } finally {
    await flatGateway.stop();
    await treeGateway.stop();
    await flat.db.close();
    await trees.db.close();
  }
}
