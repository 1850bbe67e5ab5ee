import type pg from 'pg';

/**
 * A connection of `pool` that no one else is waiting for (an idle one, or a new one while
 * the pool has room and no waiters), or null: the caller already holds a connection, so it
 * must never queue for a second (callers all queueing would hold the whole pool). The pool
 * hands idle connections to its waiters in order, so with more idle than waiting this one is
 * served at once.
 */
export function idleConnection(pool: pg.Pool | undefined): Promise<pg.PoolClient> | null {
  if (pool === undefined) return null;
  const room = pool.totalCount < (pool.options.max ?? 10) && pool.waitingCount === 0;
  if (pool.idleCount <= pool.waitingCount && !room) return null;
  return pool.connect();
}
