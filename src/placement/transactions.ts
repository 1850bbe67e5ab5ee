import type pg from 'pg';
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
  return typeof error === 'object' && error !== null && RETRYABLE_SQLSTATES.has((error as { code?: string }).code ?? '');
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
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const result = await work(client);
      await client.query('COMMIT');
      transactionStats.committed++;
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (!isRetryable(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        transactionStats.exhausted++;
        throw new RetryLimitExceededError(attempt);
      }
      transactionStats.retried++;
    } finally {
      client.release(broken);
    }
    await sleep(backoffMs(policy, attempt));
  }
}
