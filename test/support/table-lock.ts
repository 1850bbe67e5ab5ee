import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { TestEnv } from './harness.js';

/** Holds ACCESS EXCLUSIVE on `table` in an open transaction until released: every statement touching it waits. */
export async function lockTable(url: string, table: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** Sessions of the test database waiting for a lock now. */
export async function sessionsWaitingForLock(env: Pick<TestEnv, 'sql'>): Promise<number> {
  const [row] = await env.sql<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return row!.waiting;
}

/** Waits until exactly `count` sessions wait for a lock (fails after 20 s). */
export async function untilSessionsWaitingForLock(env: Pick<TestEnv, 'sql'>, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const waiting = await sessionsWaitingForLock(env);
    if (waiting === count) return;
    if (Date.now() > deadline) throw new Error(`${waiting} sessions waiting for a lock, expected ${count}`);
    await sleep(20);
  }
}
