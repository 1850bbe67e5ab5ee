import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

// BIGINT columns (capacity, used, allocation ids) stay below 2^53 by the inventory rules
// (total ≤ 2^31−1, allocation ratio ≤ 10 000), so they are parsed as JS numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * pg emits 'error' on a client whose server goes away between two of its queries
 * (PostgreSQL restarted: 57P01), and pg-pool listens only while a client is idle; on a
 * checked-out client that event is unhandled and kills the process. This client always has
 * a listener. It is then marked not queryable: its next query fails (answered as
 * DATABASE_UNAVAILABLE) and the pool drops it on release. Being a pool option, it also
 * reaches any pool built from this pool's options.
 */
class ResilientClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

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
export function openDatabase(
  connectionString: string,
  poolMax = 20,
  acquireTimeoutMs = 10_000,
  statementTimeoutMs = 0,
): Database {
  const pool = new pg.Pool({
    connectionString,
    max: poolMax,
    connectionTimeoutMillis: acquireTimeoutMs,
    Client: ResilientClient,
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
