import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUMA_GROUPS_REQUEST, seedNumaWorld, VF_CLASS_REQUEST, WIDE_HOST, wideRequest } from '../bench/numa.js';
import { allocationCandidates } from '../src/placement/candidates.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';

/**
 * The bench's NUMA/SR-IOV world (bench/numa.ts), seeded small: its shape is the one the
 * issue's bench rows describe, and the placement invariants hold on it (seeded in SQL, so
 * nothing else would notice a counter or a search copy left stale).
 */
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv(4);
  await seedNumaWorld(env.db.pool, 2_000);
});
afterAll(async () => {
  await env?.close();
});

describe('the NUMA bench world', () => {
  it('keeps every placement invariant and over-commits nothing', async () => {
    await assertPlacementInvariants(env);
    await assertNoOvercommit(env);
  });

  it('makes one host in 5 a NUMA host in every cell, with no inventory of its own', async () => {
    const hosts = await env.sql<{ cell: string; hosts: number; numa: number; own: number }>(
      `SELECT c.name AS cell, count(*)::int AS hosts,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM resource_providers d WHERE d.parent_provider_id = h.id))::int AS numa,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM resource_providers d WHERE d.parent_provider_id = h.id)
                                 AND EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = h.id))::int AS own
         FROM resource_providers h JOIN cells c ON c.id = h.cell_id
        WHERE h.parent_provider_id IS NULL AND h.name LIKE 'host-%' GROUP BY c.name`,
    );
    expect(hosts).toHaveLength(10);
    const numa = hosts.reduce((n, c) => n + c.numa, 0);
    expect(numa / 2_000).toBeGreaterThan(0.17);
    expect(numa / 2_000).toBeLessThan(0.23);
    for (const cell of hosts) {
      expect(cell.numa, cell.cell).toBeGreaterThan(0);
      expect(cell.own, cell.cell).toBe(0);
    }
  });

  it('gives each NUMA host 2 NUMA nodes with VCPU and memory, each with a PF on one physnet', async () => {
    const shapes = await env.sql<{ shape: string; n: number }>(
      `SELECT shape, count(*)::int AS n FROM (
         SELECT h.id, string_agg(m.depth || ':' || m.classes || ':' || m.traits, ' ' ORDER BY m.depth, m.classes, m.traits) AS shape
           FROM resource_providers h
           JOIN LATERAL (
             SELECT CASE WHEN m.parent_provider_id = h.id THEN 1 ELSE 2 END AS depth,
                    (SELECT string_agg(rc.name, ',' ORDER BY rc.name) FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id WHERE i.provider_id = m.id) AS classes,
                    (SELECT string_agg(t.name, ',' ORDER BY t.name) FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE pt.provider_id = m.id) AS traits
               FROM resource_providers m WHERE m.root_provider_id = h.id AND m.id <> h.id) m ON true
          WHERE h.parent_provider_id IS NULL AND h.name LIKE 'host-%' GROUP BY h.id) s
        GROUP BY shape ORDER BY shape`,
    );
    const node = '1:MEMORY_MB,VCPU:HW_NUMA_ROOT';
    expect(shapes.map((s) => s.shape)).toEqual([
      `${node} ${node} 2:SRIOV_NET_VF:CUSTOM_PHYSNET_A 2:SRIOV_NET_VF:CUSTOM_PHYSNET_A`,
      `${node} ${node} 2:SRIOV_NET_VF:CUSTOM_PHYSNET_A 2:SRIOV_NET_VF:CUSTOM_PHYSNET_B`,
      `${node} ${node} 2:SRIOV_NET_VF:CUSTOM_PHYSNET_B 2:SRIOV_NET_VF:CUSTOM_PHYSNET_B`,
    ]);
    // Each PF hangs under a NUMA node, not under the host.
    const misplaced = await env.sql(
      `SELECT pf.uuid FROM resource_providers pf JOIN resource_providers parent ON parent.id = pf.parent_provider_id
        WHERE pf.name LIKE '%-pf' AND parent.parent_provider_id IS NULL`,
    );
    expect(misplaced).toEqual([]);
  });

  it('serves every NUMA host disk from exactly one of 5 sharing pools', async () => {
    const pools = await env.sql<{ name: string; hosts: number; shares: boolean }>(
      `SELECT p.name, count(h.id)::int AS hosts,
              EXISTS (SELECT 1 FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id
                       WHERE pt.provider_id = p.id AND t.name = 'MISC_SHARES_VIA_AGGREGATE') AS shares
         FROM resource_providers p
         JOIN provider_aggregates pa ON pa.provider_id = p.id
         LEFT JOIN provider_aggregates ha ON ha.aggregate_id = pa.aggregate_id AND ha.provider_id <> p.id
         LEFT JOIN resource_providers h ON h.id = ha.provider_id
        WHERE p.name LIKE 'numa-disk-pool-%' GROUP BY p.id, p.name ORDER BY p.name`,
    );
    expect(pools).toHaveLength(5);
    for (const pool of pools) {
      expect(pool.shares).toBe(true);
      expect(pool.hosts).toBeGreaterThan(40);
    }
    const unserved = await env.sql(
      `SELECT h.uuid FROM resource_providers h
        WHERE h.parent_provider_id IS NULL AND EXISTS (SELECT 1 FROM resource_providers d WHERE d.parent_provider_id = h.id) AND h.name LIKE 'host-%'
          AND (SELECT count(*) FROM provider_aggregates pa WHERE pa.provider_id = h.id) <> 1`,
    );
    expect(unserved).toEqual([]);
  });

  it('seeds load on some NUMA nodes, so their free shares differ', async () => {
    const [load] = await env.sql<{ loaded: number; nodes: number; distinct_used: number }>(
      `SELECT count(*) FILTER (WHERE i.used > 0)::int AS loaded, count(*)::int AS nodes, count(DISTINCT i.used)::int AS distinct_used
         FROM inventories i JOIN resource_providers m ON m.id = i.provider_id JOIN resource_classes rc ON rc.id = i.resource_class_id
        WHERE m.name LIKE '%-numa_' AND rc.name = 'VCPU'`,
    );
    expect(load!.loaded / load!.nodes).toBeGreaterThan(0.4);
    expect(load!.loaded / load!.nodes).toBeLessThan(0.8);
    expect(load!.distinct_used).toBeGreaterThan(20);
  });

  it('has a fifth of flat hosts with the VF class and the wide tree of 8 single-unit children', async () => {
    const [vf] = await env.sql<{ n: number; nested: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE p.parent_provider_id IS NOT NULL OR EXISTS (SELECT 1 FROM resource_providers d WHERE d.parent_provider_id = p.id))::int AS nested
         FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id JOIN resource_providers p ON p.id = i.provider_id
        WHERE rc.name = 'CUSTOM_VF_PHYSNET_A'`,
    );
    expect(vf!.n / 2_000).toBeGreaterThan(0.17);
    expect(vf!.nested).toBe(0);
    const wide = await env.sql<{ total: number; capacity: number }>(
      `SELECT i.total, i.capacity::int AS capacity FROM resource_providers c JOIN resource_providers w ON w.id = c.parent_provider_id
         JOIN inventories i ON i.provider_id = c.id WHERE w.name = $1`,
      [WIDE_HOST],
    );
    expect(wide).toEqual(Array.from({ length: 8 }, () => ({ total: 1, capacity: 1 })));
  });
});

describe('the bench requests on that world (engine)', () => {
  /** name, parent name and traits of every provider, by uuid. */
  async function providers() {
    const rows = await env.sql<{ uuid: string; name: string; parent: string | null; traits: string[] }>(
      `SELECT p.uuid, p.name, parent.name AS parent,
              coalesce((SELECT array_agg(t.name) FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE pt.provider_id = p.id), '{}') AS traits
         FROM resource_providers p LEFT JOIN resource_providers parent ON parent.id = p.parent_provider_id`,
    );
    return new Map(rows.map((r) => [r.uuid, r]));
  }

  it('places the grouped NUMA request on NUMA hosts: 2 nodes, a physnet A VF under N0, pool disk', async () => {
    const byUuid = await providers();
    const candidates = await allocationCandidates(env.db.pool, { request: NUMA_GROUPS_REQUEST, limit: 50 });
    expect(candidates).toHaveLength(50);
    for (const c of candidates) {
      const mapped = Object.fromEntries(c.mappings.map((m) => [m.group, m.providerUuids.map((u) => byUuid.get(u)!)]));
      const host = byUuid.get(c.rootUuid)!.name;
      expect(mapped['']!.map((p) => p.name)).toEqual([expect.stringMatching(/^numa-disk-pool-/)]);
      const [n0, n1, vf] = [mapped.N0![0]!, mapped.N1![0]!, mapped.VF![0]!];
      expect([n0.parent, n1.parent]).toEqual([host, host]);
      expect(n0.name).not.toBe(n1.name);
      expect(vf.parent).toBe(n0.name);
      expect(vf.traits).toContain('CUSTOM_PHYSNET_A');
    }
  });

  it('places the VF-as-a-class request on flat hosts alone', async () => {
    const byUuid = await providers();
    const candidates = await allocationCandidates(env.db.pool, { request: VF_CLASS_REQUEST, limit: 50 });
    expect(candidates).toHaveLength(50);
    for (const c of candidates) expect(c.mappings).toEqual([{ group: '', providerUuids: [c.rootUuid] }]);
    expect(candidates.every((c) => byUuid.get(c.rootUuid)!.name.startsWith('host-'))).toBe(true);
  });

  it('finds the wide tree for 6 and 8 isolated groups of one unit, and not for 9', async () => {
    const [wide] = await env.sql<{ uuid: string }>('SELECT uuid FROM resource_providers WHERE name = $1', [WIDE_HOST]);
    for (const n of [6, 8]) {
      const candidates = await allocationCandidates(env.db.pool, { request: wideRequest(n, wide!.uuid), limit: 50 });
      expect(candidates.map((c) => c.rootUuid)).toEqual([wide!.uuid]);
      expect(new Set(candidates[0]!.mappings.map((m) => m.providerUuids[0])).size).toBe(n);
    }
    expect(await allocationCandidates(env.db.pool, { request: wideRequest(9, wide!.uuid), limit: 50 })).toEqual([]);
  });
});
