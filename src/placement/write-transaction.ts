import type pg from 'pg';
import { audited } from './audit/trail.js';
import {
  defaultRetryPolicy,
  isRetryable,
  type Queryable,
  type RetryPolicy,
  retryingSerializationFailures,
  transactionAttempt,
} from './transactions.js';
import type { WriteCaller } from './write-caller.js';

/**
 * The transaction every plain write (allocations, inventories, traits, aggregates,
 * providers, catalogue) runs in: READ COMMITTED with explicit row locks, not SERIALIZABLE.
 *
 * Why: under SERIALIZABLE, PostgreSQL's predicate locks are taken on whatever a statement
 * scanned — a whole relation after a sequential scan, an index page after an index scan —
 * so writers that share no row still conflict on a relation or a page they both read and
 * write, and give up with RetryLimitExceeded (docs/PLACEMENT-ENGINE.md, "Plain writes").
 * Here a write instead locks the rows its decision depends on with SELECT … FOR UPDATE, in
 * one fixed order (consumers by uuid, then providers by id, then inventories by id), and
 * re-reads them under the lock: at READ COMMITTED each statement sees everything committed
 * before it, and a locked row cannot change until this transaction ends. Writers that share
 * no row then never wait for, or fail because of, each other.
 *
 * Retried with jittered backoff, up to the policy's cap: deadlocks (40P01), serialization
 * failures (40001) and foreign-key violations (23503): every write looks up what it
 * references first, so a violation means the row was deleted in between, and the rerun
 * answers with the typed NotFound. Anything else rolls back and propagates unchanged.
 *
 * With a `caller`, the write is audited: the attempt that commits appends one audit event,
 * inside the transaction, naming the providers and consumers the work noted
 * (src/placement/audit/trail.ts); an attempt that fails or is retried leaves none.
 */
export async function writeTransaction<T>(
  pool: pg.Pool,
  work: (db: Queryable) => Promise<T>,
  policy: RetryPolicy = defaultRetryPolicy,
  caller?: WriteCaller,
): Promise<T> {
  const attempt = audited(caller, work);
  return retryingSerializationFailures(
    policy,
    () => transactionAttempt(pool, 'READ COMMITTED', attempt),
    retryableWrite,
  );
}

function retryableWrite(error: unknown): boolean {
  return isRetryable(error) || (error as { code?: unknown } | null)?.code === '23503';
}

/**
 * Serializes changes to the shape of provider trees (a child created, a provider
 * re-parented or moved to another cell): a loop check or a root/cell propagation reads
 * rows it does not lock, so two of them must not interleave. Rare writes; a transaction
 * advisory lock, released at commit.
 */
export async function lockProviderTrees(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('placement.provider-trees'))");
}
