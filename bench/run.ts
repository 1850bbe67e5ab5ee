// npm run bench [-- --sizes 10000,100000 --seconds 10 --claimers 16 --subset 50 --gateways 1 --worlds flat,trees,numa,rest,rest-numa --tree-hosts 100000 --numa-hosts 100000 --rest-hosts 100000]
// Seeds N providers per size, starts the gateway as its own process, and prints candidate
// latency through HTTP, claim throughput at low contention and on a 50-host hot spot, and
// the same claims done in-process by the engine and as a raw-SQL transaction (baselines run
// in this same process, so the ratios show what HTTP + GraphQL cost). Results also go to
// bench/results/<timestamp>.json. The tree world (bench/trees.ts: 10% of hosts are trees, 5 sharing
// pools) compares flat and tree requests with the all-flat world of the same size, interleaved.
// `--worlds trees` runs only that. The NUMA/SR-IOV world (bench/numa.ts: 20% NUMA hosts with PF
// grandchildren, 5 sharing pools, the wide tree) times request groups against flat requests and the
// all-flat world (API 1.3); `--worlds numa` runs only that. The REST world (bench/rest.ts) times
// Placement's REST API against the GraphQL API on one gateway (CPU per operation, same requests):
// `--worlds rest --rest-hosts 10000` runs only that. `--worlds rest-numa --numa-hosts 20000` times REST
// candidates against GraphQL on the NUMA world (bench/rest-numa.ts: rare trait, common trait, granular).
// Benchmarks are not tests: nothing here asserts a target.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Database, openDatabase } from '../src/db.js';
import { type EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from '../src/embedded-postgres.js';
import { migrate } from '../src/migrate.js';
import { claim, NoValidHostError } from '../src/placement/claims/index.js';
import { transactionStats } from '../src/placement/transactions.js';
import { freePort } from '../test/support/free-port.js';
import { mixedWrites, mixedWritesTable } from './mixed-writes.js';
import { benchNestedCandidates, printNestedCandidates } from './n-plus-one.js';
import { benchNumaWorld } from './numa.js';
import { CANDIDATES_QUERY } from './operations.js';
import { benchRestWorld } from './rest.js';
import { benchRestNumaWorld } from './rest-numa.js';
import { seed } from './seed.js';
import { claimOverHttp, gql, root, runClaims, startGateway, summary } from './support.js';
import { benchTreeWorld } from './trees.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    seconds: { type: 'string', default: '10' },
    claimers: { type: 'string', default: '16' },
    'candidate-requests': { type: 'string', default: '400' },
    // hostSubsetSize of the low-contention claims: each claimer picks among the best k
    subset: { type: 'string', default: '50' },
    // gateway processes sharing the port (node:cluster); more than 1 is an additional
    // figure, not the per-process one (server-side retry counts then come from one worker)
    gateways: { type: 'string', default: '1' },
    // flat: the per-size worlds above; trees: the tree world against the all-flat world of --tree-hosts;
    // numa: the NUMA/SR-IOV world (request groups) against the all-flat world of --numa-hosts
    // rest: Placement's REST API against GraphQL (CPU per operation) on a flat world of --rest-hosts
    // rest-numa: REST candidates against GraphQL on the NUMA/SR-IOV world of --numa-hosts (bench/rest-numa.ts)
    worlds: { type: 'string', default: 'flat,trees,numa,rest,rest-numa' },
    'tree-hosts': { type: 'string', default: '100000' },
    'numa-hosts': { type: 'string', default: '100000' },
    'rest-hosts': { type: 'string', default: '100000' },
  },
});
const worlds = new Set(args.worlds.split(','));
const treeHosts = Number(args['tree-hosts']);
const numaHosts = Number(args['numa-hosts']);
const restHosts = Number(args['rest-hosts']);
const sizes = args.sizes.split(',').map(Number);
const seconds = Number(args.seconds);
const claimers = Number(args.claimers);
const candidateRequests = Number(args['candidate-requests']);
const subset = Number(args.subset);
const gateways = Number(args.gateways);

/** Resident memory of the gateway: its process and, with several gateways, its workers. */
async function rssMiB(pid: number | undefined): Promise<number> {
  if (!pid) return NaN;
  const pids = [pid];
  if (gateways > 1) {
    for (const entry of await readdir('/proc').catch(() => [] as string[])) {
      const stat = /^\d+$/.test(entry) ? await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '') : '';
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    }
  }
  let kb = 0;
  for (const p of pids) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return Math.round(kb / 1024);
}

const claimResources = [
  { resourceClass: 'VCPU', amount: 2 },
  { resourceClass: 'MEMORY_MB', amount: 4096 },
  { resourceClass: 'DISK_GB', amount: 40 },
];

async function randomCell(db: Database): Promise<() => string> {
  const cells = (await db.pool.query<{ uuid: string }>('SELECT uuid FROM cells ORDER BY name')).rows.map((r) => r.uuid);
  return () => cells[Math.floor(Math.random() * cells.length)]!;
}

/** Minimal hand-written claim on a given host: the floor under any claim path. */
async function rawSqlClaim(db: Database, hostId: number, classIds: number[], amounts: number[]): Promise<boolean> {
  const client = await db.pool.connect();
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const updated = await client.query(
          `UPDATE inventories i SET used = i.used + r.amount
             FROM unnest($2::int[], $3::int[]) AS r(class_id, amount)
            WHERE i.provider_id = $1 AND i.resource_class_id = r.class_id AND i.used + r.amount <= i.capacity`,
          [hostId, classIds, amounts],
        );
        if (updated.rowCount !== classIds.length) {
          await client.query('ROLLBACK');
          return false;
        }
        const consumer = await client.query<{ id: number }>(
          `INSERT INTO consumers (uuid, project_id, user_id, generation) VALUES ($1, 'bench-raw', 'bench', 1) RETURNING id`,
          [randomUUID()],
        );
        await client.query(
          `INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used) SELECT $1, $2, unnest($3::int[]), unnest($4::int[])`,
          [consumer.rows[0]!.id, hostId, classIds, amounts],
        );
        await client.query('UPDATE resource_providers SET generation = generation + 1 WHERE id = $1', [hostId]);
        await client.query('COMMIT');
        return true;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: string }).code !== '40001' && (error as { code?: string }).code !== '40P01') throw error;
      }
    }
    return false;
  } finally {
    client.release();
  }
}

async function invariants(db: Database) {
  const { rows } = await db.pool.query<{ overcommitted: number; drift: number }>(
    `SELECT (SELECT count(*)::int FROM inventories WHERE used > capacity) AS overcommitted,
            (SELECT count(*)::int FROM inventories i LEFT JOIN (
               SELECT provider_id, resource_class_id, sum(used) AS s FROM allocations GROUP BY 1, 2) a
               ON a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id
              WHERE i.used <> coalesce(a.s, 0)) AS drift`,
  );
  return rows[0]!;
}

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : NaN;
}

async function benchSize(adminUrl: string, providers: number) {
  const name = `placement_bench_${providers}`;
  const admin = new URL(adminUrl);
  await ensureDatabase(admin.toString(), name);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const db = openDatabase(dbUrl.toString(), 40);
  await migrate(db.pool);
  const existing = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM resource_providers')).rows[0]!.n;
  let seedSeconds = 0;
  if (existing !== providers) {
    await db.pool.query(
      'TRUNCATE resource_providers, consumers, allocations, inventories, provider_traits, provider_aggregates, aggregates, cells, idempotency_keys RESTART IDENTITY CASCADE',
    );
    await db.pool.query(`DELETE FROM traits WHERE name LIKE 'CUSTOM_BENCH_%'`);
    const t = performance.now();
    await seed(db.pool, { providers, cells: 10, traits: 50, hotSpot: 50 });
    seedSeconds = Math.round((performance.now() - t) / 100) / 10;
  }
  const pickCell = await randomCell(db);
  const gateway = await startGateway(dbUrl.toString(), gateways);
  const memory = { startMiB: await rssMiB(gateway.process.pid), peakMiB: 0 };
  const sampler = setInterval(async () => {
    memory.peakMiB = Math.max(memory.peakMiB, await rssMiB(gateway.process.pid));
  }, 200);
  console.log(`\n== ${providers} providers (seeded in ${seedSeconds || 'reused'} s) ==`);

  // 1. candidate search: 3 classes, 2 required traits, one cell, limit 50, through HTTP
  const traitPair = () => {
    const a = 1 + Math.floor(Math.random() * 50);
    const b = 1 + ((a + Math.floor(Math.random() * 49)) % 50);
    return [`CUSTOM_BENCH_T${a}`, `CUSTOM_BENCH_T${b}`];
  };
  const candidateRequest = () => ({ resources: claimResources, requiredTraits: traitPair(), cell: pickCell() });
  for (let i = 0; i < 30; i++) await gql(gateway.url, CANDIDATES_QUERY, { request: candidateRequest() });
  const candidateLatencies: number[] = [];
  let candidatesReturned = 0;
  for (let i = 0; i < candidateRequests; i++) {
    const t = performance.now();
    const data = await gql(gateway.url, CANDIDATES_QUERY, { request: candidateRequest() });
    candidateLatencies.push(performance.now() - t);
    candidatesReturned += data.allocationCandidates?.candidates?.length ?? 0;
  }
  const candidates = {
    ...summary(candidateLatencies),
    meanCandidates: Math.round(candidatesReturned / candidateRequests),
  };
  const unfiltered: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await gql(gateway.url, CANDIDATES_QUERY, { request: { resources: claimResources, cell: pickCell() } });
    unfiltered.push(performance.now() - t);
  }
  console.log('candidates (HTTP, 3 classes + 2 traits + cell, limit 50) ms', candidates);
  console.log('candidates (HTTP, 3 classes + cell only, limit 50) ms', summary(unfiltered));

  // 2. claims at low contention: random cell, pick among the best 50, 3 alternates
  const retriedBefore = await metricValue(gateway.url, 'placement_transactions{outcome="retried"}');
  const lowContention = await runClaims(claimers, seconds * 1000, () =>
    claimOverHttp(gateway.url, {
      consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'bench' }],
      request: { resources: claimResources, cell: pickCell() },
      alternates: 3,
      hostSubsetSize: subset,
    }),
  );
  const retriedLow = (await metricValue(gateway.url, 'placement_transactions{outcome="retried"}')) - retriedBefore;
  console.log('claims via HTTP, low contention', { ...lowContention, serializationRetries: retriedLow });

  // 3. the same claims in this process: engine only (no HTTP, no GraphQL)
  const engineRetriedBefore = transactionStats.retried;
  const engineLow = await runClaims(claimers, seconds * 1000, async () => {
    try {
      await claim(db, {
        consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'bench' }],
        request: { resources: claimResources, cell: pickCell() },
        alternates: 3,
        hostSubsetSize: subset,
      });
      return 'ok';
    } catch (error) {
      return error instanceof NoValidHostError
        ? 'nvh'
        : (error as { code?: string }).code === 'RETRY_LIMIT_EXCEEDED'
          ? 'retry'
          : 'error';
    }
  });
  console.log('claims in-process engine, low contention', {
    ...engineLow,
    serializationRetries: transactionStats.retried - engineRetriedBefore,
  });

  // 4. raw-SQL baseline: the minimal claim transaction on a random host (no search)
  const classIds = (
    await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM resource_classes WHERE name = ANY($1)`, [
      claimResources.map((r) => r.resourceClass),
    ])
  ).rows;
  const classIdList = claimResources.map((r) => classIds.find((c) => c.name === r.resourceClass)!.id);
  const amountList = claimResources.map((r) => r.amount);
  const raw = await runClaims(claimers, seconds * 1000, async () => {
    const hostId = 1 + Math.floor(Math.random() * providers);
    return (await rawSqlClaim(db, hostId, classIdList, amountList)) ? 'ok' : 'nvh';
  });
  console.log('claims raw SQL baseline (random host, no search)', raw);

  // 5. hot spot: 50 hosts carry CUSTOM_BENCH_HOT; everyone claims there until it is full
  const hotRequest = {
    resources: [
      { resourceClass: 'VCPU', amount: 8 },
      { resourceClass: 'MEMORY_MB', amount: 8192 },
    ],
    requiredTraits: ['CUSTOM_BENCH_HOT'],
  };
  const hotRoomLeft = async () => {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM resource_providers p
        WHERE p.trait_ids @> ARRAY[(SELECT id FROM traits WHERE name = 'CUSTOM_BENCH_HOT')]
          AND (SELECT count(*) FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
                WHERE i.provider_id = p.id AND ((rc.name = 'VCPU' AND i.used + 8 <= i.capacity) OR (rc.name = 'MEMORY_MB' AND i.used + 8192 <= i.capacity))) = 2`,
    );
    return rows[0]!.n > 0;
  };
  const retriedHotBefore = await metricValue(gateway.url, 'placement_transactions{outcome="retried"}');
  const hot = await runClaims(
    claimers,
    Math.max(60, seconds * 6) * 1000,
    async () => {
      return claimOverHttp(gateway.url, {
        consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'hot' }],
        request: hotRequest,
        alternates: 2,
      });
    },
    { untilFull: true, roomLeft: hotRoomLeft },
  );
  const retriedHot = (await metricValue(gateway.url, 'placement_transactions{outcome="retried"}')) - retriedHotBefore;
  const hotFull = !(await hotRoomLeft());
  console.log('claims via HTTP, 50-host hot spot until full', {
    ...hot,
    serializationRetries: retriedHot,
    hotSpotFull: hotFull,
  });

  // 6. plain writes (setAllocations) while 64 claimers run on the same 64 hosts, in this process
  const mixed = await mixedWrites(db, { seconds });
  console.log('plain writes while claims run (engine, same hosts)');
  console.table(mixedWritesTable(mixed));

  // 7. 1 000 candidates with each host's traits, inventories and cell (batched per request)
  const nested = await benchNestedCandidates(`${gateway.url}/graphql`, 10, 1000);
  printNestedCandidates(nested);

  clearInterval(sampler);
  memory.peakMiB = Math.max(memory.peakMiB, await rssMiB(gateway.process.pid));
  const check = await invariants(db);
  console.log('gateway memory MiB', memory, 'invariants', check);
  await gateway.stop();
  await db.close();
  return {
    providers,
    seedSeconds,
    candidatesMs: candidates,
    candidatesCellOnlyMs: summary(unfiltered),
    claimsLowContentionHttp: { ...lowContention, serializationRetries: retriedLow },
    claimsLowContentionEngine: engineLow,
    claimsRawSqlBaseline: raw,
    ratioRawToHttp: Math.round((raw.claimsPerSecond / Math.max(1, lowContention.claimsPerSecond)) * 100) / 100,
    ratioEngineToHttp: Math.round((engineLow.claimsPerSecond / Math.max(1, lowContention.claimsPerSecond)) * 100) / 100,
    hotSpot: { ...hot, serializationRetries: retriedHot, full: hotFull },
    mixedWrites: mixed,
    nestedCandidates: nested,
    gatewayMemoryMiB: memory,
    invariants: check,
  };
}

async function main() {
  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'placement-bench-'));
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    adminUrl = embedded.adminUrl;
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  console.log(
    'machine',
    machine,
    `claimers ${claimers}, ${seconds} s per claim phase, hostSubsetSize ${subset}, gateway processes ${gateways}`,
  );
  const results = [];
  let treeWorld: Awaited<ReturnType<typeof benchTreeWorld>> | undefined;
  let numaWorld: Awaited<ReturnType<typeof benchNumaWorld>> | undefined;
  let restWorld: Awaited<ReturnType<typeof benchRestWorld>> | undefined;
  let restNumaWorld: Awaited<ReturnType<typeof benchRestNumaWorld>> | undefined;
  try {
    if (worlds.has('flat')) for (const size of sizes) results.push(await benchSize(adminUrl, size));
    if (worlds.has('trees'))
      treeWorld = await benchTreeWorld(adminUrl, treeHosts, {
        requests: candidateRequests,
        seconds,
        claimers,
        subset,
        gateways,
      });
    if (worlds.has('numa'))
      numaWorld = await benchNumaWorld(adminUrl, numaHosts, {
        requests: candidateRequests,
        seconds,
        claimers,
        subset,
        gateways,
      });
    if (worlds.has('rest')) restWorld = await benchRestWorld(adminUrl, restHosts, { requests: candidateRequests });
    if (worlds.has('rest-numa'))
      restNumaWorld = await benchRestNumaWorld(adminUrl, numaHosts, { requests: candidateRequests });
  } finally {
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  const outDir = path.join(root, 'bench', 'results');
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, claimers, seconds, hostSubsetSize: subset, gatewayProcesses: gateways, results, treeWorld, numaWorld, restWorld, restNumaWorld }, null, 2)}\n`,
  );
  // One line per size: the figures the README's Performance section quotes.
  console.log('\nsummary');
  if (results.length > 0)
    console.table(
      Object.fromEntries(
        results.map((r) => [
          `${r.providers} providers`,
          {
            'candidates p50/p95/p99 ms': `${r.candidatesMs.p50} / ${r.candidatesMs.p95} / ${r.candidatesMs.p99}`,
            'HTTP claims/s (p99 ms)': `${r.claimsLowContentionHttp.claimsPerSecond} (${r.claimsLowContentionHttp.latencyMs.p99})`,
            'engine claims/s': r.claimsLowContentionEngine.claimsPerSecond,
            'raw SQL claims/s': r.claimsRawSqlBaseline.claimsPerSecond,
            'raw ÷ HTTP': r.ratioRawToHttp,
            'engine ÷ HTTP': r.ratioEngineToHttp,
            'hot spot claims/s, spurious NoValidHost': `${r.hotSpot.claimsPerSecond}, ${r.hotSpot.spuriousNoValidHost}`,
            'plain writes/s (p99 ms, first-call share) while claims run': `${r.mixedWrites.writesWithClaimers.perSecond} (${r.mixedWrites.writesWithClaimers.p99Ms}, ${r.mixedWrites.writesWithClaimers.firstCallShare})`,
            'claims/s with ÷ without writers': r.mixedWrites.claimThroughputKept,
            'candidates(limit 1000) + host fields p50 ms (÷ uuid only)': `${r.nestedCandidates.nestedMs.p50} (${r.nestedCandidates.ratioP50}×)`,
            'gateway peak MiB': r.gatewayMemoryMiB.peakMiB,
            'over-committed, drift': `${r.invariants.overcommitted}, ${r.invariants.drift}`,
          },
        ]),
      ),
    );
  if (treeWorld) {
    const c = treeWorld.candidatesMs;
    const pair = (f: { p50: number; p99: number }) => `${f.p50} / ${f.p99}`;
    console.table({
      [`tree world, ${treeWorld.providers} hosts`]: {
        'flat p50/p99 ms, all-flat world': pair(c.flatInFlatWorld),
        'flat p50/p99 ms, tree world': pair(c.flatInTreeWorld),
        'flat p99 ratio': treeWorld.ratios.flatP99TreeWorldOverFlatWorld,
        'tree p50/p99 ms': pair(c.treeInTreeWorld),
        'tree p99 ÷ flat p99': treeWorld.ratios.treeP99OverFlatP99,
        'tree claims/s (p99 ms)': `${treeWorld.claimsOnTrees.claimsPerSecond} (${treeWorld.claimsOnTrees.latencyMs.p99})`,
        'over-committed, drift': `${treeWorld.invariants.overcommitted}, ${treeWorld.invariants.drift}`,
      },
    });
  }
  if (numaWorld) {
    const c = numaWorld.candidatesMs;
    const triple = (f: { p50: number; p95: number; p99: number }) => `${f.p50} / ${f.p95} / ${f.p99}`;
    const claims = (r: { claimsPerSecond: number; latencyMs: { p99: number } }) =>
      `${r.claimsPerSecond} (${r.latencyMs.p99})`;
    console.table({
      [`NUMA world, ${numaWorld.providers} hosts`]: {
        'groups (2 NUMA + VF, ISOLATE, sameSubtree) p50/p95/p99 ms': triple(c.numaGroups),
        'groups p99 ÷ flat p99 (all-flat world)': numaWorld.ratios.numaGroupsP99OverFlatP99,
        'wide tree 6 / 8 groups p99 ms': `${c.wide6.p99} / ${c.wide8.p99}`,
        'flat p50/p95/p99 ms, all-flat world': triple(c.flatInFlatWorld),
        'flat p50/p95/p99 ms, NUMA world': triple(c.flatInNumaWorld),
        'flat p99 ratio': numaWorld.ratios.flatP99NumaWorldOverFlatWorld,
        'VF as a class p50/p95/p99 ms': triple(c.vfClassOnHost),
        'grouped claims/s (p99 ms)': claims(numaWorld.claimsGroupsOnNumaHosts),
        'VF-class claims/s (p99 ms)': claims(numaWorld.claimsVfClassOnFlatHosts),
        'one claimer: grouped / VF-class claims/s': `${numaWorld.claimsGroupsOneClaimer.claimsPerSecond} / ${numaWorld.claimsVfClassOneClaimer.claimsPerSecond}`,
        'over-committed, drift': `${numaWorld.invariants.overcommitted}, ${numaWorld.invariants.drift}`,
      },
    });
  }
  if (restWorld) {
    const row = (r: typeof restWorld.candidates) =>
      `${r.rest.cpuMsPerOp} / ${r.graphql.cpuMsPerOp} (${r.restOverGraphqlCpu}×)`;
    const p50 = (r: typeof restWorld.candidates) => `${r.rest.latencyMs.p50} / ${r.graphql.latencyMs.p50}`;
    console.table({
      [`REST vs GraphQL, ${restWorld.providers} hosts`]: {
        'candidates CPU ms/op REST / GraphQL (ratio)': row(restWorld.candidates),
        'candidates p50 ms REST / GraphQL': p50(restWorld.candidates),
        'PUT allocations CPU ms/op REST / GraphQL (ratio)': row(restWorld.allocations),
        'PUT allocations p50 ms REST / GraphQL': p50(restWorld.allocations),
      },
    });
  }
  if (restNumaWorld) {
    const row = (r: typeof restNumaWorld.granular) => {
      const [a, b] = [r.rest.latencyMs, r.graphql.latencyMs];
      return `${a.p50}/${a.p95}/${a.p99} vs ${b.p50}/${b.p95}/${b.p99} ms; CPU ${r.rest.cpuMsPerOp} / ${r.graphql.cpuMsPerOp} ms (${r.restOverGraphqlCpu}×)`;
    };
    console.table({
      [`REST vs GraphQL candidates, NUMA world, ${restNumaWorld.providers} hosts (p50/p95/p99)`]: {
        'rare required trait': row(restNumaWorld.rareTrait),
        'common required trait': row(restNumaWorld.commonTrait),
        'granular 2 NUMA + VF (isolate, same_subtree)': row(restNumaWorld.granular),
      },
    });
  }
  console.log(`\nwritten to ${path.relative(root, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
