import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

// BIGINT columns (capacity, used, allocation ids) stay below 2^53 by the inventory rules
// (total ≤ 2^31−1, allocation ratio ≤ 10 000), so they are parsed as JS numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** One pg pool per database; Prisma runs on the same pool through the pg adapter. */
export interface Database {
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/**
 * @param acquireTimeoutMs   how long a request waits for a pooled connection (or for a new
 *   one to connect), then fails with an error instead of queueing without bound behind a
 *   slow or exhausted database
 * @param statementTimeoutMs PostgreSQL cancels any statement running longer (SQLSTATE 57014,
 *   the transaction rolls back); 0 = no limit
 */
export function openDatabase(connectionString: string, poolMax = 20, acquireTimeoutMs = 10_000, statementTimeoutMs = 0): Database {
  const pool = new pg.Pool({
    connectionString,
    max: poolMax,
    connectionTimeoutMillis: acquireTimeoutMs,
    // Sent as a session setting when each connection opens, so it covers Prisma's queries too.
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
