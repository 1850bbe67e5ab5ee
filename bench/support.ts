import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../test/support/free-port.js';
import { BENCH_TOKEN, postJson } from './http-client.js';
import { CLAIM_MUTATION } from './operations.js';

/** Shared by the bench worlds: percentiles, the gateway process, GraphQL over HTTP, claim loops. */

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** The gateway as a separate process (so its memory is its own), on the bench database. */
export async function startGateway(
  databaseUrl: string,
  gateways = 1,
): Promise<{ url: string; process: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const entry = gateways > 1 ? ['bench/cluster-gateway.ts', String(gateways)] : ['src/main.ts'];
  // BENCH_GATEWAY_CPU_PROF=<dir>: the gateway writes a V8 CPU profile there on exit (NODE_OPTIONS refuses --cpu-prof).
  const profileDir = process.env.BENCH_GATEWAY_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...entry], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
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
  // A bench that fails half-way must not leave its gateway serving: 'exit' runs on any end.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** What the bench reads back from its operations (allocationCandidates, claim). */
export interface BenchData {
  allocationCandidates?: { candidates?: unknown[] };
  claim?: { __typename?: string };
}

export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<BenchData> {
  const body = (await postJson(`${url}/graphql`, { query, variables }, headers)) as {
    data: BenchData;
    errors?: unknown[];
  };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export type ClaimOutcome = 'ok' | 'nvh' | 'retry' | 'error';

/** One claim through the gateway, as the outcome runClaims counts (a failed request is 'error'). */
export async function claimOverHttp(
  url: string,
  input: Record<string, unknown>,
  options: { headers?: Record<string, string>; mutation?: string } = {},
): Promise<ClaimOutcome> {
  const data = await gql(url, options.mutation ?? CLAIM_MUTATION, { input }, options.headers).catch(() => null);
  const type = data?.claim?.__typename;
  if (type === 'ClaimPayload') return 'ok';
  if (type === 'NoValidHost') return 'nvh';
  if (type === 'RetryLimitExceeded') return 'retry';
  return 'error';
}

export interface ClaimRun {
  claims: number;
  noValidHost: number;
  retryLimit: number;
  otherErrors: number;
  spuriousNoValidHost: number;
  seconds: number;
  claimsPerSecond: number;
  latencyMs: ReturnType<typeof summary>;
}

/** `workers` loops for `durationMs` (or until every worker saw NoValidHost when `untilFull`). */
export async function runClaims(
  workers: number,
  durationMs: number,
  attempt: () => Promise<ClaimOutcome>,
  options: { untilFull?: boolean; roomLeft?: () => Promise<boolean> } = {},
): Promise<ClaimRun> {
  const latencies: number[] = [];
  const counts = { ok: 0, nvh: 0, retry: 0, error: 0, spurious: 0 };
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const outcome = await attempt();
        latencies.push(performance.now() - t);
        counts[outcome]++;
        if (outcome === 'nvh' && options.untilFull) {
          // A NoValidHost while some host could still take the request is spurious.
          if (options.roomLeft && (await options.roomLeft())) {
            counts.spurious++;
            continue;
          }
          return;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    claims: counts.ok,
    noValidHost: counts.nvh,
    retryLimit: counts.retry,
    otherErrors: counts.error,
    spuriousNoValidHost: counts.spurious,
    seconds: Math.round(elapsed * 100) / 100,
    claimsPerSecond: Math.round(counts.ok / elapsed),
    latencyMs: summary(latencies),
  };
}
