import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import type { Database } from '../src/db.js';
import { shareBoundsSet } from '../src/placement/fit.js';
import { CANDIDATES_QUERY } from './operations.js';
import { seed } from './seed.js';
import { claimOverHttp, gql, runClaims, startGateway, summary } from './support.js';
import { benchDatabase } from './trees.js';

/** Physnet traits of the PFs; each PF carries one. */
export const PHYSNET_TRAITS = ['CUSTOM_PHYSNET_A', 'CUSTOM_PHYSNET_B'] as const;
/** The same VF need modelled as a class on flat hosts (the README's other SR-IOV model). */
export const VF_CLASS_ON_HOST = 'CUSTOM_VF_PHYSNET_A';
/** The wide tree's class: 8 children with 1 unit each. */
export const WIDE_CLASS = 'CUSTOM_WIDE';
export const WIDE_HOST = 'wide-host';
export const WIDE_CHILDREN = 8;

/**
 * The NUMA/SR-IOV world (issue 11). `providers` flat bench hosts (bench/seed.ts), then, by
 * hash (so in every cell):
 * - one in 5 is a NUMA host: it keeps no inventory of its own (its seeded load goes too);
 *   two NUMA children (HW_NUMA_ROOT) with VCPU and MEMORY_MB, each with a PF grandchild
 *   holding SRIOV_NET_VF and one of CUSTOM_PHYSNET_A / CUSTOM_PHYSNET_B; its disk comes from
 *   one of 5 sharing DISK_GB pools (MISC_SHARES_VIA_AGGREGATE), each in an aggregate with a
 *   fifth of the NUMA hosts. 3 in 4 NUMA hosts carry a consumer on NUMA 0 (VCPU, memory, VFs
 *   of its PF, pool disk), half of those on NUMA 1 too, so their weights differ;
 * - another one in 5 stays flat and also holds CUSTOM_VF_PHYSNET_A (the VF need as a class on
 *   the host), its seeded consumer using some of it;
 * - one extra host, `wide-host` (cell of host 1), has 8 children with 1 CUSTOM_WIDE each.
 * Counters are set from the allocations and the search copies (bounds; trait_ids here,
 * class_ids and tree_class_ids by the triggers) follow, so the placement invariants hold.
 */
export async function seedNumaWorld(pool: pg.Pool, providers: number): Promise<void> {
  await seed(pool, { providers, cells: 10, traits: 50, hotSpot: 50 });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO traits (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [
      PHYSNET_TRAITS,
    ]);
    await client.query('INSERT INTO resource_classes (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [
      [VF_CLASS_ON_HOST, WIDE_CLASS],
    ]);
    await client.query(`CREATE TEMP TABLE numa ON COMMIT DROP AS
      SELECT id, name, cell_id, 1 + abs(hashint4(id + 11)) % 5 AS pool FROM resource_providers
       WHERE parent_provider_id IS NULL AND abs(hashint4(id + 101)) % 5 = 0`);
    await client.query('ALTER TABLE numa ADD PRIMARY KEY (id); ANALYZE numa');
    // A NUMA host keeps nothing of its own: no inventories, no load.
    await client.query(
      `DELETE FROM allocations a USING numa n WHERE a.provider_id = n.id;
       DELETE FROM consumers c WHERE c.project_id = 'bench-seed' AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.consumer_id = c.id);
       DELETE FROM inventories i USING numa n WHERE i.provider_id = n.id`,
    );
    await client.query(
      `INSERT INTO resource_providers (uuid, name, cell_id, parent_provider_id, root_provider_id)
       SELECT gen_random_uuid(), n.name || '-numa' || k, n.cell_id, n.id, n.id FROM numa n CROSS JOIN generate_series(0, 1) k;
       INSERT INTO resource_providers (uuid, name, cell_id, parent_provider_id, root_provider_id)
       SELECT gen_random_uuid(), c.name || '-pf', c.cell_id, c.id, c.root_provider_id
         FROM resource_providers c JOIN numa n ON c.parent_provider_id = n.id`,
    );
    // NUMA node: 32 cores at 4.0, 128 GiB (2 GiB reserved); PF: 8 VFs.
    await client.query(
      `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, allocation_ratio)
       SELECT m.id, rc.id, CASE rc.name WHEN 'VCPU' THEN 32 WHEN 'MEMORY_MB' THEN 131072 ELSE 8 END,
              CASE rc.name WHEN 'MEMORY_MB' THEN 2048 ELSE 0 END, CASE rc.name WHEN 'VCPU' THEN 4.0 ELSE 1.0 END
         FROM resource_providers m JOIN numa n ON n.id = m.root_provider_id AND m.id <> n.id
         JOIN resource_classes rc ON (m.name NOT LIKE '%-pf' AND rc.name IN ('VCPU', 'MEMORY_MB'))
                                  OR (m.name LIKE '%-pf' AND rc.name = 'SRIOV_NET_VF')`,
    );
    await client.query(
      `INSERT INTO provider_traits (provider_id, trait_id)
       SELECT m.id, t.id
         FROM resource_providers m JOIN numa n ON n.id = m.root_provider_id AND m.id <> n.id
         JOIN traits t ON CASE WHEN m.name NOT LIKE '%-pf' THEN 'HW_NUMA_ROOT'
                               WHEN abs(hashint4(m.id + 17)) % 2 = 0 THEN 'CUSTOM_PHYSNET_A'
                               ELSE 'CUSTOM_PHYSNET_B' END = t.name`,
    );
    // Five sharing disk pools (4 TB for each host they serve), each in an aggregate with a fifth of the NUMA hosts.
    await client.query(
      `INSERT INTO aggregates (uuid, name) SELECT gen_random_uuid(), 'numa-disk-pool-' || g FROM generate_series(1, 5) g;
       WITH next AS (SELECT nextval(pg_get_serial_sequence('resource_providers', 'id'))::int AS id, g FROM generate_series(1, 5) g)
       INSERT INTO resource_providers (id, uuid, name, root_provider_id)
       SELECT next.id, gen_random_uuid(), 'numa-disk-pool-' || g, next.id FROM next;
       INSERT INTO inventories (provider_id, resource_class_id, total, reserved, allocation_ratio)
       SELECT p.id, rc.id, 4000 * (SELECT count(*) FROM numa n WHERE 'numa-disk-pool-' || n.pool = p.name), 0, 1.0
         FROM resource_providers p, resource_classes rc
        WHERE p.name LIKE 'numa-disk-pool-%' AND rc.name = 'DISK_GB';
       INSERT INTO provider_traits (provider_id, trait_id)
       SELECT p.id, t.id FROM resource_providers p, traits t
        WHERE p.name LIKE 'numa-disk-pool-%' AND t.name = 'MISC_SHARES_VIA_AGGREGATE';
       INSERT INTO provider_aggregates (provider_id, aggregate_id)
       SELECT p.id, a.id FROM resource_providers p JOIN aggregates a ON a.name = p.name WHERE p.name LIKE 'numa-disk-pool-%'
       UNION ALL
       SELECT n.id, a.id FROM numa n JOIN aggregates a ON a.name = 'numa-disk-pool-' || n.pool`,
    );
    // Existing load on 3 of 4 NUMA hosts: NUMA 0 (cores, memory, VFs of its PF) and pool disk; half of them NUMA 1 too.
    await client.query(
      `WITH made AS (
         INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation)
         SELECT gen_random_uuid(), 'bench-numa-' || n.id, 'seed', 'INSTANCE', 1 FROM numa n WHERE abs(hashint4(n.id + 3)) % 4 <> 0
         RETURNING id, project_id),
       owners AS (SELECT made.id AS consumer_id, n.* FROM made JOIN numa n ON made.project_id = 'bench-numa-' || n.id)
       INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
       SELECT o.consumer_id, i.provider_id, i.resource_class_id,
              CASE WHEN rc.name = 'SRIOV_NET_VF' THEN 1 + abs(hashint4(o.id + 4)) % 6
                   WHEN rc.name = 'VCPU' AND m.name LIKE '%-numa0' THEN 1 + abs(hashint4(o.id)) % 100
                   WHEN rc.name = 'VCPU' THEN 1 + abs(hashint4(o.id + 5)) % 60
                   WHEN m.name LIKE '%-numa0' THEN 1024 * (1 + abs(hashint4(o.id + 1)) % 100)
                   ELSE 1024 * (1 + abs(hashint4(o.id + 6)) % 60) END
         FROM owners o
         JOIN resource_providers m ON m.root_provider_id = o.id
              AND (m.name LIKE '%-numa0' OR m.name LIKE '%-numa0-pf' OR (m.name LIKE '%-numa1' AND abs(hashint4(o.id + 7)) % 2 = 0))
         JOIN inventories i ON i.provider_id = m.id
         JOIN resource_classes rc ON rc.id = i.resource_class_id
       UNION ALL
       SELECT o.consumer_id, p.id, rc.id, 10 * (1 + abs(hashint4(o.id + 2)) % 50)
         FROM owners o JOIN resource_providers p ON p.name = 'numa-disk-pool-' || o.pool
         JOIN resource_classes rc ON rc.name = 'DISK_GB'`,
    );
    // Another fifth of the hosts stays flat and holds the VF need as a class of its own (16 VFs).
    await client.query(`CREATE TEMP TABLE vf_hosts ON COMMIT DROP AS
      SELECT id FROM resource_providers WHERE parent_provider_id IS NULL AND name LIKE 'host-%' AND abs(hashint4(id + 101)) % 5 = 1`);
    await client.query('ALTER TABLE vf_hosts ADD PRIMARY KEY (id); ANALYZE vf_hosts');
    await client.query(
      `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, allocation_ratio)
       SELECT v.id, rc.id, 16, 0, 1.0 FROM vf_hosts v, resource_classes rc WHERE rc.name = '${VF_CLASS_ON_HOST}';
       INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
       SELECT DISTINCT a.consumer_id, a.provider_id, rc.id, 1 + abs(hashint4(a.provider_id + 4)) % 8
         FROM allocations a JOIN vf_hosts v ON v.id = a.provider_id, resource_classes rc WHERE rc.name = '${VF_CLASS_ON_HOST}'`,
    );
    // The wide tree: a host with 8 children of one CUSTOM_WIDE unit each (Placement's worst case).
    await client.query(
      `WITH next AS (SELECT nextval(pg_get_serial_sequence('resource_providers', 'id'))::int AS id)
       INSERT INTO resource_providers (id, uuid, name, cell_id, root_provider_id)
       SELECT next.id, gen_random_uuid(), '${WIDE_HOST}', (SELECT cell_id FROM resource_providers WHERE id = 1), next.id FROM next;
       INSERT INTO resource_providers (uuid, name, cell_id, parent_provider_id, root_provider_id)
       SELECT gen_random_uuid(), w.name || '-c' || k, w.cell_id, w.id, w.id
         FROM resource_providers w CROSS JOIN generate_series(1, ${WIDE_CHILDREN}) k WHERE w.name = '${WIDE_HOST}';
       INSERT INTO inventories (provider_id, resource_class_id, total, reserved, allocation_ratio)
       SELECT c.id, rc.id, 1, 0, 1.0 FROM resource_providers c JOIN resource_providers w ON w.id = c.parent_provider_id,
              resource_classes rc WHERE w.name = '${WIDE_HOST}' AND rc.name = '${WIDE_CLASS}'`,
    );
    // Counters from the allocations (inventories added above start at 0), then the copies the
    // search reads, for every provider changed above.
    await client.query(`CREATE TEMP TABLE changed ON COMMIT DROP AS
      SELECT m.id FROM resource_providers m JOIN numa n ON n.id = m.root_provider_id
      UNION SELECT id FROM vf_hosts
      UNION SELECT id FROM resource_providers WHERE name LIKE 'numa-disk-pool-%' OR root_provider_id = (SELECT id FROM resource_providers WHERE name = '${WIDE_HOST}')`);
    await client.query('ALTER TABLE changed ADD PRIMARY KEY (id); ANALYZE changed');
    await client.query(
      `UPDATE inventories i SET used = a.s
         FROM (SELECT a.provider_id, a.resource_class_id, sum(a.used) AS s
                 FROM allocations a JOIN changed c ON c.id = a.provider_id GROUP BY 1, 2) a
        WHERE i.provider_id = a.provider_id AND i.resource_class_id = a.resource_class_id AND i.used <> a.s;
       UPDATE resource_providers p SET ${shareBoundsSet()} WHERE p.id IN (SELECT id FROM changed);
       UPDATE resource_providers p SET trait_ids = coalesce((SELECT array_agg(trait_id ORDER BY trait_id) FROM provider_traits t WHERE t.provider_id = p.id), '{}')
        WHERE p.id IN (SELECT id FROM changed)`,
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

/** Over-commit and counter drift, as bench/run.ts checks them, plus the copies the search reads. */
export async function numaInvariants(pool: pg.Pool) {
  const { rows } = await pool.query<{
    overcommitted: number;
    drift: number;
    staleTreeClassIds: number;
    staleClassIds: number;
    staleTraitIds: number;
  }>(
    `SELECT (SELECT count(*)::int FROM inventories WHERE used > capacity) AS overcommitted,
            (SELECT count(*)::int FROM inventories i LEFT JOIN (
               SELECT provider_id, resource_class_id, sum(used) AS s FROM allocations GROUP BY 1, 2) a
               ON a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id
              WHERE i.used <> coalesce(a.s, 0)) AS drift,
            (SELECT count(*)::int FROM resource_providers p
              WHERE p.tree_class_ids <> CASE WHEN p.parent_provider_id IS NULL
                      AND EXISTS (SELECT 1 FROM resource_providers d WHERE d.root_provider_id = p.id AND d.id <> p.id)
                    THEN coalesce((SELECT array_agg(DISTINCT i.resource_class_id ORDER BY i.resource_class_id)
                                     FROM resource_providers m JOIN inventories i ON i.provider_id = m.id
                                    WHERE m.root_provider_id = p.id), '{}') ELSE '{}' END) AS "staleTreeClassIds",
            (SELECT count(*)::int FROM resource_providers p
              WHERE p.class_ids <> coalesce((SELECT array_agg(i.resource_class_id ORDER BY i.resource_class_id)
                                               FROM inventories i WHERE i.provider_id = p.id), '{}')) AS "staleClassIds",
            (SELECT count(*)::int FROM resource_providers p
              WHERE p.trait_ids <> coalesce((SELECT array_agg(trait_id ORDER BY trait_id)
                                               FROM provider_traits WHERE provider_id = p.id), '{}')) AS "staleTraitIds"`,
  );
  return rows[0]!;
}

/** The first API version with request groups and mappings. */
export const GROUPS_VERSION = { 'Placement-API-Version': '1.3' };

/** What the grouped rows read back: bench/operations.ts's candidate fields and the mappings. */
export const GROUPS_CANDIDATES_QUERY = `query($request: PlacementRequest!) {
  allocationCandidates(request: $request, limit: 50) {
    ... on AllocationCandidates { candidates { providerUuid weight allocationRequest { providerUuid resources { resourceClass amount } } mappings { group providerUuids } } }
    ... on Error { code message }
  }
}`;

const NUMA_CLAIM_MUTATION = `mutation($input: ClaimInput!) {
  claim(input: $input) {
    __typename
    ... on ClaimPayload { selections { providerUuid hostsTried mappings { group providerUuids } alternates { providerUuid } } }
    ... on Error { code message }
  }
}`;

const FLAT_RESOURCES = [
  { resourceClass: 'VCPU', amount: 2 },
  { resourceClass: 'MEMORY_MB', amount: 4096 },
  { resourceClass: 'DISK_GB', amount: 40 },
];

const numaNode = (name: string) => ({
  name,
  resources: [
    { resourceClass: 'VCPU', amount: 2 },
    { resourceClass: 'MEMORY_MB', amount: 2048 },
  ],
  requiredTraits: ['HW_NUMA_ROOT'],
});

/** Row 1: two isolated NUMA nodes, a VF on physnet A under the first, disk from the sharing pool. */
export const NUMA_GROUPS_REQUEST = {
  resources: [{ resourceClass: 'DISK_GB', amount: 20 }],
  groups: [
    numaNode('N0'),
    numaNode('N1'),
    { name: 'VF', resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }], requiredTraits: ['CUSTOM_PHYSNET_A'] },
  ],
  groupPolicy: 'ISOLATE',
  sameSubtree: [['N0', 'VF']],
};

/** Row 5: the same need with the VF as a class on a flat host (no topology: one NUMA node's worth on the host). */
export const VF_CLASS_REQUEST = {
  resources: [
    { resourceClass: 'VCPU', amount: 4 },
    { resourceClass: 'MEMORY_MB', amount: 4096 },
    { resourceClass: VF_CLASS_ON_HOST, amount: 1 },
    { resourceClass: 'DISK_GB', amount: 20 },
  ],
};

/** Row 2: `n` groups of one CUSTOM_WIDE unit each, isolated, in the wide tree. */
export function wideRequest(n: number, tree: string) {
  return {
    resources: [],
    groups: Array.from({ length: n }, (_, i) => ({
      name: `W${i + 1}`,
      resources: [{ resourceClass: WIDE_CLASS, amount: 1 }],
    })),
    groupPolicy: 'ISOLATE',
    inTree: tree,
  };
}

async function cellsOf(db: Database): Promise<() => string> {
  const cells = (await db.pool.query<{ uuid: string }>('SELECT uuid FROM cells ORDER BY name')).rows.map((r) => r.uuid);
  return () => cells[Math.floor(Math.random() * cells.length)]!;
}

const traitPair = () => {
  const a = 1 + Math.floor(Math.random() * 50);
  const b = 1 + ((a + Math.floor(Math.random() * 49)) % 50);
  return [`CUSTOM_BENCH_T${a}`, `CUSTOM_BENCH_T${b}`];
};

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/**
 * The issue-11 rows: grouped NUMA requests, the wide tree, flat requests here and in the
 * all-flat world of the same size, and the VF-as-a-class request, interleaved one by one
 * through HTTP (so load drifts alike over all of them); then grouped claims on NUMA hosts,
 * claims of the VF-class request on flat hosts, and the SQL invariants.
 */
export async function benchNumaWorld(
  adminUrl: string,
  providers: number,
  options: { requests: number; seconds: number; claimers: number; subset: number; gateways: number },
) {
  const flat = await benchDatabase(adminUrl, `placement_bench_${providers}`, providers, (pool) =>
    seed(pool, { providers, cells: 10, traits: 50, hotSpot: 50 }),
  );
  const numa = await benchDatabase(adminUrl, `placement_bench_numa_${providers}`, providers, (pool) =>
    seedNumaWorld(pool, providers),
  );
  console.log(
    `\n== NUMA/SR-IOV world: ${providers} hosts, 20% NUMA hosts with PFs, 5 sharing pools (seeded in ${numa.seedSeconds || 'reused'} s; all-flat world ${flat.seedSeconds || 'reused'} s) ==`,
  );
  // The machine is shared: its 1-minute load before and after the rows goes with the figures.
  const loadBefore = os.loadavg()[0]!;
  const seeded = await numaInvariants(numa.db.pool);
  console.log('NUMA world invariants after seeding', seeded);
  const flatGateway = await startGateway(flat.url, options.gateways);
  const numaGateway = await startGateway(numa.url, options.gateways);
  const flatCell = await cellsOf(flat.db);
  const numaCell = await cellsOf(numa.db);
  const wideTree = (
    await numa.db.pool.query<{ uuid: string }>('SELECT uuid FROM resource_providers WHERE name = $1', [WIDE_HOST])
  ).rows[0]!.uuid;
  try {
    const kinds = {
      flatInFlatWorld: {
        url: flatGateway.url,
        query: CANDIDATES_QUERY,
        request: () => ({ resources: FLAT_RESOURCES, requiredTraits: traitPair(), cell: flatCell() }),
      },
      flatInNumaWorld: {
        url: numaGateway.url,
        query: CANDIDATES_QUERY,
        request: () => ({ resources: FLAT_RESOURCES, requiredTraits: traitPair(), cell: numaCell() }),
      },
      numaGroups: {
        url: numaGateway.url,
        query: GROUPS_CANDIDATES_QUERY,
        request: () => ({ ...NUMA_GROUPS_REQUEST, cell: numaCell() }),
      },
      vfClassOnHost: {
        url: numaGateway.url,
        query: CANDIDATES_QUERY,
        request: () => ({ ...VF_CLASS_REQUEST, cell: numaCell() }),
      },
      wide6: { url: numaGateway.url, query: GROUPS_CANDIDATES_QUERY, request: () => wideRequest(6, wideTree) },
      wide8: { url: numaGateway.url, query: GROUPS_CANDIDATES_QUERY, request: () => wideRequest(8, wideTree) },
    };
    type Kind = keyof typeof kinds;
    const latencies = Object.fromEntries(Object.keys(kinds).map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
    const returned = Object.fromEntries(Object.keys(kinds).map((k) => [k, 0])) as Record<Kind, number>;
    for (let i = 0; i < options.requests + 30; i++) {
      for (const [kind, { url, query, request }] of Object.entries(kinds) as [Kind, (typeof kinds)[Kind]][]) {
        const t = performance.now();
        const data = await gql(url, query, { request: request() }, GROUPS_VERSION);
        if (i < 30) continue; // warm-up
        latencies[kind].push(performance.now() - t);
        returned[kind] += data.allocationCandidates?.candidates?.length ?? 0;
      }
    }
    const figures = Object.fromEntries(
      Object.entries(latencies).map(([k, l]) => [
        k,
        { ...summary(l), meanCandidates: Math.round(returned[k as Kind] / options.requests) },
      ]),
    ) as Record<Kind, ReturnType<typeof summary> & { meanCandidates: number }>;
    const ratios = {
      numaGroupsP99OverFlatP99: ratio(figures.numaGroups.p99, figures.flatInFlatWorld.p99),
      numaGroupsP99OverFlatInNumaWorldP99: ratio(figures.numaGroups.p99, figures.flatInNumaWorld.p99),
      flatP99NumaWorldOverFlatWorld: ratio(figures.flatInNumaWorld.p99, figures.flatInFlatWorld.p99),
      flatP50NumaWorldOverFlatWorld: ratio(figures.flatInNumaWorld.p50, figures.flatInFlatWorld.p50),
      numaGroupsP99OverVfClassP99: ratio(figures.numaGroups.p99, figures.vfClassOnHost.p99),
    };
    for (const [k, v] of Object.entries(figures)) console.log(`candidates ${k} ms`, v);
    console.log('ratios (same run, interleaved)', ratios);

    const claimsOn = (request: () => Record<string, unknown>, userId: string, claimers = options.claimers) =>
      runClaims(claimers, options.seconds * 1000, () =>
        claimOverHttp(
          numaGateway.url,
          {
            consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId }],
            request: request(),
            alternates: 3,
            hostSubsetSize: options.subset,
          },
          { headers: GROUPS_VERSION, mutation: NUMA_CLAIM_MUTATION },
        ),
      );
    const groupClaims = await claimsOn(() => ({ ...NUMA_GROUPS_REQUEST, cell: numaCell() }), 'bench-numa');
    console.log('grouped claims via HTTP on NUMA hosts (2 NUMA nodes isolated, VF under N0, pool disk)', groupClaims);
    const classClaims = await claimsOn(() => ({ ...VF_CLASS_REQUEST, cell: numaCell() }), 'bench-vf-class');
    console.log('claims via HTTP of the VF as a class on flat hosts', classClaims);
    // One claimer: what one claim costs on its own, both ways (16 may all outlast the request deadline).
    const groupClaimsAlone = await claimsOn(() => ({ ...NUMA_GROUPS_REQUEST, cell: numaCell() }), 'bench-numa', 1);
    console.log('grouped claims via HTTP, one claimer', groupClaimsAlone);
    const classClaimsAlone = await claimsOn(() => ({ ...VF_CLASS_REQUEST, cell: numaCell() }), 'bench-vf-class', 1);
    console.log('VF-class claims via HTTP, one claimer', classClaimsAlone);
    const invariants = await numaInvariants(numa.db.pool);
    console.log('NUMA world invariants after the claims', invariants);
    const load = { before: loadBefore, after: os.loadavg()[0]! };
    console.log('1-minute load average before and after the NUMA rows', load);
    return {
      providers,
      seedSeconds: numa.seedSeconds,
      candidatesMs: figures,
      ratios,
      claimsGroupsOnNumaHosts: groupClaims,
      claimsVfClassOnFlatHosts: classClaims,
      claimsGroupsOneClaimer: groupClaimsAlone,
      claimsVfClassOneClaimer: classClaimsAlone,
      invariantsAfterSeeding: seeded,
      invariants,
      loadAverage: load,
    };
  } finally {
    await flatGateway.stop();
    await numaGateway.stop();
    await flat.db.close();
    await numa.db.close();
  }
}
