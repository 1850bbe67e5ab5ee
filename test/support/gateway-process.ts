import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { TEST_ADMIN_TOKEN } from './test-token.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A gateway running as its own Node process (`src/main.ts`), reached over real HTTP. */
export interface GatewayProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  child: ChildProcess;
  /** Whether the process has exited (by itself, by a signal or by stop()). */
  exited(): boolean;
  /** What the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM (graceful shutdown), SIGKILL when it is not gone within 10 s. */
  stop(): Promise<void>;
  /** Sends `signal` and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Without one the gateway starts its embedded PostgreSQL (give DATA_DIR and EMBEDDED_PG_PORT in `env`). */
  databaseUrl?: string;
  /** Extra environment, e.g. DB_POOL_MAX, MAX_INFLIGHT_REQUESTS. PLACEMENT_ADMIN_TOKEN defaults to TEST_ADMIN_TOKEN. */
  env?: Record<string, string>;
  /** How long to wait for GET /ready = 200. */
  readyTimeoutMs?: number;
}

/**
 * Spawns `node --import tsx src/main.ts` on a free port and waits until GET /ready answers
 * 200. Fails with the process's output when it exits or does not become ready in time.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const port = await freePort();
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...inherited,
      ...(options.databaseUrl === undefined ? {} : { DATABASE_URL: options.databaseUrl }),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      // Suites play many concurrent callers from one address; a test of the budget sets its own.
      PER_CALLER_MAX_IN_FLIGHT: '100000',
      PLACEMENT_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the last output for diagnostics; reading the pipes also keeps the child from blocking on a full pipe.
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exitedFlag = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const kill = async (signal: NodeJS.Signals) => {
    if (exitedFlag) return;
    child.kill(signal);
    await exitedPromise;
  };
  const gateway: GatewayProcess = {
    url,
    pid: child.pid!,
    child,
    exited: () => exitedFlag,
    output: () => output,
    kill,
    async stop() {
      if (exitedFlag) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exitedFlag) throw new Error(`gateway process exited before it was ready (code ${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return gateway;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await gateway.kill('SIGKILL');
  throw new Error(`gateway process not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${output}`);
}

/** Starts `count` gateways on one database in parallel. */
export async function startGatewayProcesses(count: number, options: GatewayProcessOptions): Promise<GatewayProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startGatewayProcess(options)));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await Promise.all(started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])));
    throw failure.reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<GatewayProcess>).value);
}

/** One GraphQL POST over HTTP: status, headers and the parsed body (or the raw text when it is not JSON). */
export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export async function postGraphQL<T = unknown>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  init: { signal?: AbortSignal; headers?: Record<string, string>; token?: string | null } = {},
): Promise<HttpResult<T>> {
  // TEST_ADMIN_TOKEN unless the caller names another token, or null for none.
  const token = init.token === undefined ? TEST_ADMIN_TOKEN : init.token;
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...init.headers,
    },
    body: JSON.stringify({ query, variables }),
    signal: init.signal,
  });
  const text = await response.text();
  let body: HttpResult<T>['body'];
  try {
    body = JSON.parse(text) as HttpResult<T>['body'];
  } catch {
    throw new Error(`non-JSON response ${response.status}: ${text.slice(0, 500)}`);
  }
  return { status: response.status, headers: response.headers, body };
}
