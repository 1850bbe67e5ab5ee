import type pg from 'pg';
import { deleteInBatches, type PurgeOptions, type PurgeSchedule, schedulePurge } from '../purge-schedule.js';

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
const PURGE_BATCH = 1000;

/**
 * One purge batch: up to `batch` events older than the retention, oldest first (the "at"
 * index). Events are only ever inserted, never updated, and a new event is never old
 * enough to be chosen, so a batch shares no row with any write: it never blocks one, and
 * SKIP LOCKED keeps two gateways' batches apart. Exported for the test.
 */
export const AUDIT_PURGE_BATCH_SQL = `DELETE FROM audit_events WHERE id IN (
    SELECT id FROM audit_events WHERE at < now() - make_interval(days => $1)
     ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Deletes every audit event older than `retentionDays`, in short batches; returns how many. */
export async function purgeExpiredAuditEvents(
  pool: pg.Pool,
  retentionDays: number,
  batch = PURGE_BATCH,
): Promise<number> {
  return deleteInBatches(pool, AUDIT_PURGE_BATCH_SQL, retentionDays, batch);
}

/** Purges old audit events in this process: once now, then every `intervalMs` (default 10 minutes). */
export function scheduleAuditPurge(pool: pg.Pool, options: PurgeOptions & { retentionDays: number }): PurgeSchedule {
  return schedulePurge(() => purgeExpiredAuditEvents(pool, options.retentionDays), options);
}
