import { createHash } from 'node:crypto';
import type pg from 'pg';
import { InvalidInputError } from '../errors.js';
import { deleteInBatches, type PurgeOptions, type PurgeSchedule, schedulePurge } from '../purge-schedule.js';
import type { Queryable } from '../transactions.js';
import type { WriteCaller } from '../write-caller.js';

export type { PurgeSchedule } from '../purge-schedule.js';

/**
 * Idempotency keys: a keyed claim or reschedule stores its answer under the key in the
 * transaction that makes the change, and a replay of the same request answers it again.
 * Keys are kept for a retention period (IDEMPOTENCY_RETENTION_HOURS), then purged; a
 * replay of a purged key runs as a new request.
 *
 * A key belongs to the caller who used it (`callerKeyOf`): the same key from another caller
 * is another key, so no caller can read another's stored answer or squat a key it expects
 * another to use.
 */
export type Operation = 'claim' | 'reschedule';

export interface StoredResult {
  operation: string;
  request_hash: string;
  response: unknown;
}

/**
 * The scope a caller's keys live in: the authenticator, the name it vouched for and the
 * project the caller is confined to (not the token id, so a scheduler whose token is rotated
 * under the same name keeps replaying its keys). '' is the engine's own calls, without a caller.
 */
export function callerKeyOf(caller: WriteCaller | undefined): string {
  if (!caller) return '';
  const { kind, name, projectId } = caller.actor;
  return JSON.stringify([kind, name, projectId]);
}

export function requestHash(operation: Operation, input: unknown): string {
  return createHash('sha256').update(operation).update(JSON.stringify(input)).digest('hex');
}

/** The answer stored under a key, when the key was used for this same request. */
export function storedAnswer<T>(row: StoredResult, operation: Operation, hash: string): T {
  if (row.operation !== operation || row.request_hash !== hash) {
    throw new InvalidInputError(
      'idempotencyKey',
      'same-request',
      'idempotencyKey: this key was used for a different request; use a new key',
    );
  }
  return row.response as T;
}

export async function replayed<T>(
  db: Queryable | pg.Pool,
  key: string | null | undefined,
  callerKey: string,
  operation: Operation,
  hash: string,
): Promise<T | null> {
  if (!key) return null;
  const { rows } = await db.query<StoredResult>(
    'SELECT operation, request_hash, response FROM idempotency_keys WHERE caller_key = $1 AND key = $2',
    [callerKey, key],
  );
  return rows[0] ? storedAnswer<T>(rows[0], operation, hash) : null;
}

export async function remember(
  db: Queryable,
  key: string | null | undefined,
  callerKey: string,
  operation: Operation,
  hash: string,
  response: unknown,
): Promise<void> {
  if (!key) return;
  await db.query(
    'INSERT INTO idempotency_keys (caller_key, key, operation, request_hash, response) VALUES ($1, $2, $3, $4, $5)',
    [callerKey, key, operation, hash, JSON.stringify(response)],
  );
}

/** A write tripped on a key stored since this call looked (a concurrent replay, or a reuse). */
export function isKeyTaken(error: unknown): boolean {
  return (error as { constraint?: string } | null)?.constraint === 'idempotency_keys_pkey';
}

export const DEFAULT_RETENTION_HOURS = 24;
const PURGE_BATCH = 500;

/**
 * One purge batch: deletes up to `batch` keys older than the retention, oldest first (the
 * created_at index), skipping rows someone holds. Its own short statement, so it holds row
 * locks on expired keys only and only for one batch; it reads and writes no row a claim of a
 * live key touches. Exported for the test that holds a batch open beside a claim.
 */
export const PURGE_BATCH_SQL = `DELETE FROM idempotency_keys WHERE (caller_key, key) IN (
    SELECT caller_key, key FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)
     ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Deletes every key older than `retentionHours`, in batches; returns how many. */
export async function purgeExpiredKeys(pool: pg.Pool, retentionHours: number, batch = PURGE_BATCH): Promise<number> {
  return deleteInBatches(pool, PURGE_BATCH_SQL, retentionHours * 3600, batch);
}

/**
 * Purges expired keys in this process: once now, then every `intervalMs` (src/placement/purge-schedule.ts).
 * Several gateways may each run one: SKIP LOCKED keeps their batches apart.
 */
export function scheduleKeyPurge(pool: pg.Pool, options: PurgeOptions & { retentionHours: number }): PurgeSchedule {
  return schedulePurge(() => purgeExpiredKeys(pool, options.retentionHours), options);
}
