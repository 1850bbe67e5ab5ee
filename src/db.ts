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

export function openDatabase(connectionString: string, poolMax = 20, acquireTimeoutMs = 10_000): Database {
  // A request waits at most acquireTimeoutMs for a connection, then fails with an error
  // instead of queueing without bound behind a slow or exhausted database.
  const pool = new pg.Pool({ connectionString, max: poolMax, connectionTimeoutMillis: acquireTimeoutMs });
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
