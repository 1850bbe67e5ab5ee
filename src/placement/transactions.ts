import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { RetryLimitExceededError } from './errors.js';
import type { WriteCaller } from './write-caller.js';

export type Queryable = pg.ClientBase;

// SQLSTATEs that mean "run the whole transaction again": serialization failure, deadlock.
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 2, maxDelayMs: 100 };

/**
 * Counters the metrics endpoint (placement_transactions), the benchmark and tests read:
 * committed; retried after a serialization failure or deadlock; retried because a host
 * stayed busy (`RetryableContention`); given up after the retry cap.
 */
export const transactionStats = { committed: 0, retried: 0, hostBusy: 0, exhausted: 0 };

/**
 * Thrown from a transaction's work when it met contention PostgreSQL did not report as a
 * serialization failure (e.g. a host whose rows another claimer kept locked): the whole
 * transaction runs again, within the same retry cap, and is counted apart.
 */
export abstract class RetryableContention extends Error {}

/** Runs `work` on a pooled connection outside any explicit transaction (read committed). */
export async function withClient<T>(pool: pg.Pool, work: (db: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/** A serialization failure or deadlock reported by PostgreSQL. */
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
 * Runs one statement as its own SERIALIZABLE transaction (a single round trip) on the
 * database's claim pool (`Database.claimPool`, whose connections default to SERIALIZABLE),
 * retrying serialization failures and deadlocks like `serializable`. The statement must write
 * nothing unless `current_setting('transaction_isolation')` is 'serializable', and report
 * that setting as a column `isolation`: a result from any other level is refused (an
 * error), never trusted.
 */
export async function singleStatementSerializable<Row extends { isolation: string }>(
  claimPool: pg.Pool,
  statement: pg.QueryConfig,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<Row[]> {
  return retryingSerializationFailures(policy, async () => {
    // Not Pool#query: it throws a connection away after any error, and a serialization
    // failure leaves the connection as good as before (the implicit transaction is over).
    const client = await claimPool.connect();
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
 * Runs `attempt` until it succeeds, retrying `retryable` errors (by default serialization
 * failures and deadlocks) and `RetryableContention` with jittered backoff up to the policy's
 * cap; any other error propagates unchanged. Each attempt releases its connection before the
 * backoff.
 */
export async function retryingSerializationFailures<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  retryable: (error: unknown) => boolean = isRetryable,
): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      const result = await attempt();
      transactionStats.committed++;
      return result;
    } catch (error) {
      const contention = error instanceof RetryableContention;
      if (!contention && !retryable(error)) throw error;
      if (attempts >= policy.maxAttempts) {
        transactionStats.exhausted++;
        throw new RetryLimitExceededError(attempts);
      }
      if (contention) transactionStats.hostBusy++;
      else transactionStats.retried++;
    }
    await sleep(backoffMs(policy, attempts));
  }
}

/** An error PostgreSQL answered with (it has a severity): the connection itself is fine. */
function isServerError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { severity?: unknown }).severity === 'string';
}

/** Full jitter: uniform in [0, min(cap, base·2^attempt)], so racing retries spread apart. */
function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

/**
 * Runs `work` in a SERIALIZABLE transaction on its own pooled connection, retrying
 * serialization failures, deadlocks and `RetryableContention` with jittered backoff; each
 * retry calls `work` afresh, so state built inside it starts over. Any other error rolls back
 * and propagates unchanged, so typed engine errors leave nothing written. `caller` is who
 * asked (src/placement/write-caller.ts); this runner does not audit: the claim and reschedule
 * paths that run here append their events themselves (src/placement/audit/trail.ts), since
 * only they know when an attempt replayed a stored answer and changed nothing.
 */
export async function serializable<T>(
  pool: pg.Pool,
  work: (client: Queryable) => Promise<T>,
  policy: RetryPolicy = defaultRetryPolicy,
  _caller?: WriteCaller,
): Promise<T> {
  return retryingSerializationFailures(policy, () => transactionAttempt(pool, 'SERIALIZABLE', work));
}

/**
 * One attempt of `work` in a transaction at `isolation` on its own pooled connection: any
 * error rolls back and propagates (a connection that cannot even roll back is dropped).
 */
export async function transactionAttempt<T>(
  pool: pg.Pool,
  isolation: 'SERIALIZABLE' | 'READ COMMITTED',
  work: (client: Queryable) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
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
}
