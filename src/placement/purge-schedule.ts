import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type pg from 'pg';

/**
 * A purge run in the background of a gateway process (expired idempotency keys, old audit
 * events): once at start, then on an interval.
 */
export interface PurgeSchedule {
  /** Runs a purge now (after any that is running); resolves to how many rows it deleted. */
  runNow(): Promise<number>;
  /** Stops the timer and waits for a running purge. */
  stop(): Promise<void>;
}

export interface PurgeOptions {
  /** Time between purges; default 10 minutes. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Runs `purge` once now, then every `intervalMs`, never two at once. The timer is unref'd
 * (it never keeps the process alive); `stop` before closing the pool.
 */
export function schedulePurge(purge: () => Promise<number>, options: PurgeOptions): PurgeSchedule {
  let running: Promise<number> = Promise.resolve(0);
  let stopped = false;
  const runNow = () => {
    running = running.catch(() => 0).then(() => (stopped ? 0 : purge()));
    return running;
  };
  const run = () => {
    runNow().catch((error: unknown) => options.onError?.(error));
  };
  // Once at start (a gateway restarted more often than the interval still purges), then on the interval.
  run();
  const timer = setInterval(run, options.intervalMs ?? 600_000);
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}

/**
 * Runs one batch statement (`$1` the age, `$2` the batch size, deleting at most that many
 * rows) until a batch deletes fewer: short transactions, with requests let in between.
 * Returns how many rows were deleted in all.
 */
export async function deleteInBatches(pool: pg.Pool, batchSql: string, age: number, batch: number): Promise<number> {
  let purged = 0;
  for (;;) {
    const { rowCount } = await pool.query(batchSql, [age, batch]);
    purged += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) return purged;
    await yieldToEventLoop();
  }
}
