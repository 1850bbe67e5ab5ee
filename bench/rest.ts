import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { BENCH_TOKEN, benchAuthorization, sendJson } from './http-client.js';
import { CANDIDATES_QUERY } from './operations.js';
import { seed } from './seed.js';
import { startGateway, summary } from './support.js';
import { benchDatabase } from './trees.js';

/**
 * Placement's REST API against the GraphQL API on the same gateway and world (issue 13: REST
 * within 1.2× of GraphQL's CPU per operation): `GET /placement/allocation_candidates` against
 * the allocationCandidates query, `PUT /placement/allocations/{consumer}` against the
 * setAllocations mutation, the same request each way. CPU is the gateway process's own
 * (user + system from /proc, so the bench client and PostgreSQL do not count), measured over
 * alternating batches so both paths see the same machine load.
 */

const RESOURCES = { VCPU: 2, MEMORY_MB: 4096, DISK_GB: 40 } as const;
const ALLOCATION = { VCPU: 1, MEMORY_MB: 512 } as const;
const REST_VERSION = 'placement 1.39';
const TICKS_PER_SECOND = 100;

const SET_ALLOCATIONS = `mutation($input: SetAllocationsInput!) {
  setAllocations(input: $input) { __typename ... on Error { code message } }
}`;

/** The gateway process's CPU time so far (user + system), in ms. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function traitPair(): string[] {
  const a = 1 + Math.floor(Math.random() * 50);
  const b = 1 + ((a + Math.floor(Math.random() * 49)) % 50);
  return [`CUSTOM_BENCH_T${a}`, `CUSTOM_BENCH_T${b}`];
}

/** One operation each way: it throws on an answer that is not a success, so no row times errors. */
export interface Paths {
  rest(): Promise<void>;
  graphql(): Promise<void>;
}

function candidatePaths(url: string): Paths {
  return {
    async rest() {
      const [a, b] = traitPair();
      const resources = Object.entries(RESOURCES)
        .map(([rc, n]) => `${rc}:${n}`)
        .join(',');
      const answer = await sendJson(
        'GET',
        `${url}/placement/allocation_candidates?resources=${resources}&required=${a},${b}&limit=50`,
        undefined,
        { 'x-auth-token': BENCH_TOKEN, 'openstack-api-version': REST_VERSION },
      );
      if (answer.status !== 200) throw new Error(`REST candidates: ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    async graphql() {
      const request = {
        resources: Object.entries(RESOURCES).map(([resourceClass, amount]) => ({ resourceClass, amount })),
        requiredTraits: traitPair(),
      };
      const answer = await sendJson(
        `POST`,
        `${url}/graphql`,
        { query: CANDIDATES_QUERY, variables: { request } },
        {
          ...benchAuthorization,
        },
      );
      const data = (answer.body as { data?: { allocationCandidates?: { candidates?: unknown[] } } }).data;
      if (!data?.allocationCandidates?.candidates)
        throw new Error(`GraphQL candidates: ${JSON.stringify(answer.body)}`);
    },
  };
}

function allocationPaths(url: string, hosts: readonly string[]): Paths {
  const host = () => hosts[Math.floor(Math.random() * hosts.length)]!;
  return {
    async rest() {
      const body = {
        allocations: { [host()]: { resources: ALLOCATION } },
        project_id: 'bench-project',
        user_id: 'bench-user',
        consumer_generation: null,
        consumer_type: 'INSTANCE',
      };
      const answer = await sendJson('PUT', `${url}/placement/allocations/${randomUUID()}`, body, {
        'x-auth-token': BENCH_TOKEN,
        'openstack-api-version': REST_VERSION,
      });
      if (answer.status !== 204)
        throw new Error(`REST PUT allocations: ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    async graphql() {
      const input = {
        consumerUuid: randomUUID(),
        consumerGeneration: null,
        consumerType: 'INSTANCE',
        projectId: 'bench-project',
        userId: 'bench-user',
        allocations: [
          {
            providerUuid: host(),
            resources: Object.entries(ALLOCATION).map(([resourceClass, amount]) => ({ resourceClass, amount })),
          },
        ],
      };
      const answer = await sendJson(
        'POST',
        `${url}/graphql`,
        { query: SET_ALLOCATIONS, variables: { input } },
        {
          ...benchAuthorization,
        },
      );
      const typename = (answer.body as { data?: { setAllocations?: { __typename?: string } } }).data?.setAllocations
        ?.__typename;
      if (typename !== 'AllocationsPayload') throw new Error(`GraphQL setAllocations: ${JSON.stringify(answer.body)}`);
    },
  };
}

interface PathFigures {
  cpuMsPerOp: number;
  latencyMs: ReturnType<typeof summary>;
}

/** `rounds` alternating batches of `batch` sequential operations each way; the gateway's CPU per operation. */
export async function compare(
  pid: number,
  paths: Paths,
  rounds: number,
  batch: number,
): Promise<{ rest: PathFigures; graphql: PathFigures; restOverGraphqlCpu: number }> {
  const cpu = { rest: 0, graphql: 0 };
  const latencies = { rest: [] as number[], graphql: [] as number[] };
  for (let i = 0; i < 10; i++) {
    await paths.rest();
    await paths.graphql();
  }
  for (let round = 0; round < rounds; round++) {
    // Which path goes first alternates too: neither always follows the other's garbage.
    const order: ('rest' | 'graphql')[] = round % 2 === 0 ? ['rest', 'graphql'] : ['graphql', 'rest'];
    for (const path of order) {
      const before = await cpuMs(pid);
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        await paths[path]();
        latencies[path].push(performance.now() - t);
      }
      cpu[path] += (await cpuMs(pid)) - before;
    }
  }
  const ops = rounds * batch;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    rest: { cpuMsPerOp: round(cpu.rest / ops), latencyMs: summary(latencies.rest) },
    graphql: { cpuMsPerOp: round(cpu.graphql / ops), latencyMs: summary(latencies.graphql) },
    restOverGraphqlCpu: Math.round((cpu.rest / cpu.graphql) * 100) / 100,
  };
}

/** The REST rows: candidates and PUT allocations, REST and GraphQL on one gateway over one flat world. */
export async function benchRestWorld(adminUrl: string, providers: number, options: { requests: number }) {
  const world = await benchDatabase(adminUrl, `placement_bench_rest_${providers}`, providers, (pool) =>
    seed(pool, { providers, cells: 10, traits: 50, hotSpot: 50 }),
  );
  console.log(`\n== REST API vs GraphQL: ${providers} hosts (seeded in ${world.seedSeconds || 'reused'} s) ==`);
  const loadBefore = os.loadavg()[0]!;
  const hosts = (await world.db.pool.query<{ uuid: string }>('SELECT uuid FROM resource_providers')).rows.map(
    (row) => row.uuid,
  );
  // One gateway process: its CPU is the figure (a cluster's workers would each need reading).
  const gateway = await startGateway(world.url);
  const pid = gateway.process.pid;
  try {
    if (pid === undefined) throw new Error('the gateway process has no pid');
    // Batches of 20 keep the 10 ms CPU clock tick small against each batch's CPU.
    const batch = 20;
    const rounds = Math.max(1, Math.round(options.requests / batch));
    const candidates = await compare(pid, candidatePaths(gateway.url), rounds, batch);
    console.log('GET /allocation_candidates (3 classes + 2 traits, limit 50) vs allocationCandidates', candidates);
    const allocations = await compare(pid, allocationPaths(gateway.url, hosts), rounds, batch);
    console.log('PUT /allocations/{consumer} vs setAllocations (new consumer, one host)', allocations);
    return {
      providers,
      operationsPerPath: rounds * batch,
      candidates,
      allocations,
      load1m: { before: loadBefore, after: os.loadavg()[0]! },
    };
  } finally {
    await gateway.stop();
    await world.db.close();
  }
}
