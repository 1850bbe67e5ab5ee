// Plain writes while claims run: 64 in-process claimers and 16 setAllocations writers on the
// same few hosts of a seeded world. Prints claims/s and p99 with and without the writers,
// and plain writes/s, p99 and the share that succeeded at the first call, alone and with
// the claimers. A benchmark, not a test: it asserts nothing.
//
// Used by bench/run.ts; on its own: npx tsx bench/mixed-writes.ts [--providers 100000 --seconds 10]
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type ClaimPools, openDatabase } from '../src/db.js';
import { ensureDatabase, startEmbeddedPostgres } from '../src/embedded-postgres.js';
import { migrate } from '../src/migrate.js';
import { writeConsumerAllocations } from '../src/placement/allocations.js';
import { claim, NoValidHostError } from '../src/placement/claims/index.js';
import { CapacityExceededError, RetryLimitExceededError } from '../src/placement/errors.js';
import { transactionStats } from '../src/placement/transactions.js';
import { freePort } from '../test/support/free-port.js';
import { seed } from './seed.js';

export interface MixedWritesOptions {
  seconds: number;
  claimers?: number;
  writers?: number;
  /** hosts everyone works on (picked at random among the roots) */
  hosts?: number;
}

type Outcome = 'ok' | 'full' | 'retryLimit';

interface Phase {
  count: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** share of calls answered without RetryLimitExceeded (a client would not have retried) */
  firstCallShare: number;
  full: number;
  retryLimit: number;
}

export interface MixedWritesFigures {
  hosts: number;
  claimers: number;
  writers: number;
  claimsAlone: Phase;
  writesAlone: Phase;
  claimsWithWriters: Phase;
  writesWithClaimers: Phase;
  /** claims/s with the writers ÷ claims/s alone */
  claimThroughputKept: number;
  serverRetries: { claimsAlone: number; writesAlone: number; mixed: number };
}

const REQUEST = [
  { resourceClass: 'VCPU', amount: 1 },
  { resourceClass: 'MEMORY_MB', amount: 512 },
];

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `workers` loops of `call` until `deadline`; every latency and outcome kept. */
async function loop(workers: number, deadline: number, call: () => Promise<Outcome>): Promise<Phase> {
  const latencies: number[] = [];
  const outcomes = { ok: 0, full: 0, retryLimit: 0 };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        outcomes[await call()]++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    count: outcomes.ok,
    perSecond: round(outcomes.ok / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    firstCallShare: round(1 - outcomes.retryLimit / Math.max(1, latencies.length)),
    full: outcomes.full,
    retryLimit: outcomes.retryLimit,
  };
}

async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (error instanceof NoValidHostError || error instanceof CapacityExceededError) return 'full';
    if (error instanceof RetryLimitExceededError) return 'retryLimit';
    throw error;
  }
}

const shuffled = <T>(list: T[]): T[] =>
  list
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map((e) => e.item);

/** Runs the three phases (claims alone, writes alone, both) on `hosts` random roots of the seeded world. */
export async function mixedWrites(db: ClaimPools, options: MixedWritesOptions): Promise<MixedWritesFigures> {
  const pool = db.pool;
  const claimers = options.claimers ?? 64;
  const writers = options.writers ?? 16;
  const hostCount = options.hosts ?? 64;
  const { rows } = await pool.query<{ uuid: string }>(
    // unused hosts, so that "full" answers do not stand in for real work
    `SELECT p.uuid FROM resource_providers p WHERE p.parent_provider_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = p.id AND i.used > 0)
      ORDER BY random() LIMIT $1`,
    [hostCount],
  );
  const hosts = rows.map((r) => r.uuid);
  const claimOnce = () =>
    outcomeOf(() =>
      claim(db, {
        consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'mixed-claims' }],
        request: { resources: REQUEST },
        alternates: 0,
        candidates: shuffled(hosts).slice(0, 8),
      }),
    );
  let next = 0;
  const writeOnce = () =>
    outcomeOf(() =>
      writeConsumerAllocations(pool, {
        consumerUuid: randomUUID(),
        consumerGeneration: null,
        projectId: 'bench',
        userId: 'mixed-writes',
        allocations: [{ providerUuid: hosts[next++ % hosts.length]!, resources: REQUEST }],
      }),
    );
  const phaseMs = options.seconds * 1000;
  let retried = transactionStats.retried;
  const retriesSince = () => {
    const n = transactionStats.retried - retried;
    retried = transactionStats.retried;
    return n;
  };
  const claimsAlone = await loop(claimers, performance.now() + phaseMs, claimOnce);
  const claimRetries = retriesSince();
  const writesAlone = await loop(writers, performance.now() + phaseMs, writeOnce);
  const writeRetries = retriesSince();
  const deadline = performance.now() + phaseMs;
  const [claimsWithWriters, writesWithClaimers] = await Promise.all([
    loop(claimers, deadline, claimOnce),
    loop(writers, deadline, writeOnce),
  ]);
  return {
    hosts: hosts.length,
    claimers,
    writers,
    claimsAlone,
    writesAlone,
    claimsWithWriters,
    writesWithClaimers,
    claimThroughputKept: Math.round((claimsWithWriters.perSecond / Math.max(0.01, claimsAlone.perSecond)) * 100) / 100,
    serverRetries: { claimsAlone: claimRetries, writesAlone: writeRetries, mixed: retriesSince() },
  };
}

/** One line per phase, for the console. */
export function mixedWritesTable(figures: MixedWritesFigures): Record<string, Record<string, string | number>> {
  const row = (phase: Phase) => ({
    'per second': phase.perSecond,
    'p50 / p99 ms': `${phase.p50Ms} / ${phase.p99Ms}`,
    'first-call share': phase.firstCallShare,
    'full, RetryLimitExceeded': `${phase.full}, ${phase.retryLimit}`,
  });
  return {
    [`claims alone (${figures.claimers})`]: row(figures.claimsAlone),
    [`plain writes alone (${figures.writers})`]: row(figures.writesAlone),
    'claims while writers run': row(figures.claimsWithWriters),
    'plain writes while claims run': row(figures.writesWithClaimers),
  };
}

async function standalone(): Promise<void> {
  const { values } = parseArgs({
    options: { providers: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '10' } },
  });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'placement-mixed-writes-'));
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  try {
    const adminUrl = server.adminUrl;
    await ensureDatabase(adminUrl, 'mixed_writes');
    const db = openDatabase(server.adminUrl.replace(/\/[^/]*$/, '/mixed_writes'), 40);
    await migrate(db.pool);
    await seed(db.pool, { providers: Number(values.providers), cells: 10, traits: 50, hotSpot: 50 });
    const figures = await mixedWrites(db, { seconds: Number(values.seconds) });
    console.log(`${values.providers} providers, ${figures.hosts} hosts shared by everyone`);
    console.table(mixedWritesTable(figures));
    console.log(JSON.stringify(figures, null, 2));
    await db.close();
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  await standalone();
}
