import { createHash } from 'node:crypto';
import pg from 'pg';
import { RetryLimitExceededError } from './errors.js';

export type Queryable = pg.ClientBase;

// SQLSTATEs that mean "run the whole transaction again": serialization failure, deadlock.
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 2, maxDelayMs: 100 };

/** Counters the metrics endpoint and the benchmark read. */
export const transactionStats = { committed: 0, retried: 0, exhausted: 0 };

/** Runs `work` on a pooled connection outside any explicit transaction (read committed). */
export async function withClient<T>(pool: pg.Pool, work: (db: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

export function isRetryable(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && RETRYABLE_SQLSTATES.has((error as { code?: string }).code ?? '')
  );
}

/**
 * Gives a statement whose text repeats a name, so each connection parses and plans it once
 * and then only binds values (planning cost more than executing for the claim statement).
 * Process-wide at most MAX_NAMED_STATEMENTS texts are named, which bounds what each
 * connection keeps prepared; other texts run unnamed. Only statements whose best plan does
 * not depend on the values should come here (a prepared statement may settle on a generic plan).
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `placement_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}
const MAX_NAMED_STATEMENTS = 256;
const statementNames = new Map<string, string>();

/**
 * A second pool on the same database whose connections default to SERIALIZABLE, so one
 * statement sent alone is a whole SERIALIZABLE transaction: no BEGIN and COMMIT round trips.
 * Created on first use for each pool and ended with it.
 */
function serializablePoolFor(pool: pg.Pool): pg.Pool {
  const serializablePool = serializablePools.get(pool);
  if (serializablePool) return serializablePool;
  // `password` is kept off the enumerable options by pg-pool, so it is copied by hand.
  // Idle connections are kept for minutes, not pg's 10 s: each new connection takes a fresh
  // block of 500 consumer ids (see the consumer_id_blocks migration) and leaves the rest of
  // its block unused when it closes, so churning connections would burn ids.
  const options = {
    ...pool.options,
    password: (pool.options as pg.PoolConfig).password,
    idleTimeoutMillis: 300_000,
  } as pg.PoolConfig;
  const created = new pg.Pool(options);
  created.on('connect', (client) => {
    // Queued before anything else the new connection runs. If it fails the connection is
    // unusable anyway; the statement's own isolation check (see singleStatementSerializable)
    // refuses to count on it. Claim statements touch a handful of rows by key whatever the
    // values, so one generic plan serves them all; left to choose, PostgreSQL kept planning
    // each one afresh (its generic cost estimate assumes 10-element arrays).
    client
      .query('SET default_transaction_isolation TO serializable; SET plan_cache_mode TO force_generic_plan')
      .catch(() => client.end().catch(() => undefined));
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  created.on('error', () => undefined);
  const end = pool.end.bind(pool);
  pool.end = (async () => {
    await created.end();
    return end();
  }) as typeof pool.end;
  serializablePools.set(pool, created);
  return created;
}
const serializablePools = new WeakMap<pg.Pool, pg.Pool>();

/** The claim pool beside `pool`, once a claim has created it (for the pool gauges). */
export function claimPoolOf(pool: pg.Pool): pg.Pool | undefined {
  return serializablePools.get(pool);
}

/**
 * Runs one statement as its own SERIALIZABLE transaction (a single round trip), retrying
 * serialization failures and deadlocks like `serializable`. The statement must write
 * nothing unless `current_setting('transaction_isolation')` is 'serializable', and report
 * that setting as a column `isolation`: a result from any other level is refused (an
 * error), never trusted.
 */
export async function singleStatementSerializable<Row extends { isolation: string }>(
  pool: pg.Pool,
  statement: pg.QueryConfig,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<Row[]> {
  const serializablePool = serializablePoolFor(pool);
  return retryingSerializationFailures(policy, async () => {
    // Not Pool#query: it throws a connection away after any error, and a serialization
    // failure leaves the connection as good as before (the implicit transaction is over).
    const client = await serializablePool.connect();
    let broken = false;
    try {
      const { rows } = await client.query<Row>(statement);
      for (const row of rows) {
        if (row.isolation !== 'serializable') throw new Error(`statement ran at ${row.isolation}, not serializable`);
      }
      return rows;
    } catch (error) {
      broken = !isServerError(error);
      throw error;
    } finally {
      client.release(broken);
    }
  });
}

/**
 * Runs `attempt` until it succeeds, retrying serialization failures and deadlocks with
 * jittered backoff up to the policy's cap; any other error propagates unchanged. Each
 * attempt releases its connection before the backoff.
 */
async function retryingSerializationFailures<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      const result = await attempt();
      transactionStats.committed++;
      return result;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempts >= policy.maxAttempts) {
        transactionStats.exhausted++;
        throw new RetryLimitExceededError(attempts);
      }
      transactionStats.retried++;
    }
    await sleep(backoffMs(policy, attempts));
  }
}

/** An error PostgreSQL answered with (it has a severity): the connection itself is fine. */
function isServerError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { severity?: unknown }).severity === 'string';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: uniform in [0, min(cap, base·2^attempt)], so racing retries spread apart. */
function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

/**
 * Runs `work` in a SERIALIZABLE transaction on its own pooled connection, retrying
 * serialization failures and deadlocks with jittered backoff. Any other error rolls back
 * and propagates unchanged, so typed engine errors leave nothing written.
 */
export async function serializable<T>(
  pool: pg.Pool,
  work: (client: Queryable) => Promise<T>,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<T> {
  return retryingSerializationFailures(policy, async () => {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  });
}
