import os from 'node:os';
import type pg from 'pg';
import { BENCH_TOKEN, benchAuthorization, sendJson } from './http-client.js';
import { GROUPS_CANDIDATES_QUERY, GROUPS_VERSION, NUMA_GROUPS_REQUEST, seedNumaWorld } from './numa.js';
import { CANDIDATES_QUERY } from './operations.js';
import { compare, type Paths } from './rest.js';
import { startGateway } from './support.js';
import { benchDatabase } from './trees.js';

/**
 * Placement's REST candidates against GraphQL on the NUMA/SR-IOV world (bench/numa.ts:
 * trees and sharing pools, so Placement checks the unnumbered group's traits across a
 * combination and the REST host search leans on rest-candidates/prefilter.ts): a rare
 * required trait, a common one, and Nova's granular NUMA + VF request, each way.
 */

/** On one root in 2 000 (50 of 100 000 hosts, NUMA hosts among them). */
export const RARE_TRAIT = 'CUSTOM_BENCH_RARE';
/** On about 8 in 50 providers (bench/seed.ts): past the prefilter's cap at these sizes. */
const COMMON_TRAIT = 'CUSTOM_BENCH_T7';
const RESOURCES = { VCPU: 2, MEMORY_MB: 4096, DISK_GB: 40 } as const;
const REST_VERSION = 'placement 1.39';

/** Gives the rare trait to one root in 2 000 (by hash), once; the search's trait copy follows. */
async function ensureRareTrait(pool: pg.Pool): Promise<void> {
  await pool.query('INSERT INTO traits (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [RARE_TRAIT]);
  await pool.query(
    `WITH added AS (
       INSERT INTO provider_traits (provider_id, trait_id)
       SELECT p.id, t.id FROM resource_providers p, traits t
        WHERE t.name = $1 AND p.parent_provider_id IS NULL AND p.name LIKE 'host-%' AND abs(hashint4(p.id + 999)) % 2000 = 0
       ON CONFLICT DO NOTHING RETURNING provider_id)
     UPDATE resource_providers p SET trait_ids = (SELECT array_agg(x ORDER BY x) FROM unnest(p.trait_ids || (SELECT id FROM traits WHERE name = $1)) x)
      WHERE p.id IN (SELECT provider_id FROM added)`,
    [RARE_TRAIT],
  );
}

const flatResources = Object.entries(RESOURCES)
  .map(([rc, n]) => `${rc}:${n}`)
  .join(',');

/** Nova's NUMA + VF request (NUMA_GROUPS_REQUEST) in the REST API's granular syntax. */
const GRANULAR_QUERY = [
  'resources=DISK_GB:20',
  'resources_N0=VCPU:2,MEMORY_MB:2048&required_N0=HW_NUMA_ROOT',
  'resources_N1=VCPU:2,MEMORY_MB:2048&required_N1=HW_NUMA_ROOT',
  'resources_VF=SRIOV_NET_VF:1&required_VF=CUSTOM_PHYSNET_A',
  'group_policy=isolate&same_subtree=_N0,_VF&limit=50',
].join('&');

function paths(url: string, restQuery: string, graphql: { query: string; request: unknown; headers: object }): Paths {
  return {
    async rest() {
      const answer = await sendJson('GET', `${url}/placement/allocation_candidates?${restQuery}`, undefined, {
        'x-auth-token': BENCH_TOKEN,
        'openstack-api-version': REST_VERSION,
      });
      if (answer.status !== 200) throw new Error(`REST candidates: ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    async graphql() {
      const answer = await sendJson(
        'POST',
        `${url}/graphql`,
        { query: graphql.query, variables: { request: graphql.request } },
        { ...benchAuthorization, ...graphql.headers },
      );
      const data = (answer.body as { data?: { allocationCandidates?: { candidates?: unknown[] } } }).data;
      if (!data?.allocationCandidates?.candidates)
        throw new Error(`GraphQL candidates: ${JSON.stringify(answer.body)}`);
    },
  };
}

/** The three candidate rows, REST against GraphQL on one gateway over the NUMA world of `providers` hosts. */
export async function benchRestNumaWorld(adminUrl: string, providers: number, options: { requests: number }) {
  const world = await benchDatabase(adminUrl, `placement_bench_numa_${providers}`, providers, (pool) =>
    seedNumaWorld(pool, providers),
  );
  await ensureRareTrait(world.db.pool);
  const { rows } = await world.db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE t.name = $1`,
    [RARE_TRAIT],
  );
  console.log(
    `\n== REST API vs GraphQL, NUMA/SR-IOV world: ${providers} hosts (seeded in ${world.seedSeconds || 'reused'} s; ${rows[0]!.n} hosts with ${RARE_TRAIT}) ==`,
  );
  const loadBefore = os.loadavg()[0]!;
  const gateway = await startGateway(world.url);
  const pid = gateway.process.pid;
  try {
    if (pid === undefined) throw new Error('the gateway process has no pid');
    const batch = 20;
    const rounds = Math.max(1, Math.round(options.requests / batch));
    const resources = Object.entries(RESOURCES).map(([resourceClass, amount]) => ({ resourceClass, amount }));
    const traitRow = (trait: string) =>
      paths(gateway.url, `resources=${flatResources}&required=${trait}&limit=50`, {
        query: CANDIDATES_QUERY,
        request: { resources, requiredTraits: [trait] },
        headers: {},
      });
    const rareTrait = await compare(pid, traitRow(RARE_TRAIT), rounds, batch);
    console.log(`GET /allocation_candidates (3 classes + ${RARE_TRAIT}, limit 50) vs allocationCandidates`, rareTrait);
    const commonTrait = await compare(pid, traitRow(COMMON_TRAIT), rounds, batch);
    console.log(
      `GET /allocation_candidates (3 classes + ${COMMON_TRAIT}, limit 50) vs allocationCandidates`,
      commonTrait,
    );
    const granular = await compare(
      pid,
      paths(gateway.url, GRANULAR_QUERY, {
        query: GROUPS_CANDIDATES_QUERY,
        request: NUMA_GROUPS_REQUEST,
        headers: GROUPS_VERSION,
      }),
      rounds,
      batch,
    );
    console.log(
      'GET /allocation_candidates (2 NUMA + VF, isolate, same_subtree, limit 50) vs allocationCandidates',
      granular,
    );
    return {
      providers,
      operationsPerPath: rounds * batch,
      rareTrait,
      commonTrait,
      granular,
      load1m: { before: loadBefore, after: os.loadavg()[0]! },
    };
  } finally {
    await gateway.stop();
    await world.db.close();
  }
}
