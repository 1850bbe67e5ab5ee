import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { boundByRequestDeadline } from './deadline.js';
import { PrismaClient } from './generated/prisma/client.js';

// BIGINT columns (capacity, used, allocation ids) stay below 2^53 by the inventory rules
// (total ≤ 2^31−1, allocation ratio ≤ 10 000), so they are parsed as JS numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * pg emits 'error' on a client whose server goes away between two of its queries
 * (PostgreSQL restarted: 57P01), and pg-pool listens only while a client is idle; on a
 * checked-out client that event is unhandled and kills the process. This client always has
 * a listener. It is then marked not queryable: its next query fails (answered as
 * DATABASE_UNAVAILABLE) and the pool drops it on release.
 */
class ResilientClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/**
 * The database handle: two pg pools on one database, and Prisma on the first.
 * - `pool`: reads, Prisma and every multi-statement transaction (READ COMMITTED by default).
 * - `claimPool`: connections whose default isolation is SERIALIZABLE, so one claim
 *   statement sent alone is a whole SERIALIZABLE transaction (no BEGIN/COMMIT round trips).
 * Each holds up to `poolMax` connections; `close` ends both.
 */
export interface Database {
  pool: pg.Pool;
  claimPool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** The two pools a claim needs (a `Database` is one). */
export type ClaimPools = Pick<Database, 'pool' | 'claimPool'>;

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
  const options: pg.PoolConfig = {
    connectionString,
    max: poolMax,
    connectionTimeoutMillis: acquireTimeoutMs,
    Client: ResilientClient,
    // Sent as a session setting when each connection opens, so it covers Prisma's queries too.
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  };
  const pool = new pg.Pool(options);
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const claimPool = openClaimPool(options);
  // Request deadlines (src/deadline.ts) cancel statements through a connection of their own:
  // the serving pools may be exhausted exactly when a cancel is needed.
  const cancelPool = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: acquireTimeoutMs });
  cancelPool.on('error', () => undefined);
  const cancelBackend = (pid: number) => {
    cancelPool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
  };
  boundByRequestDeadline(pool, cancelBackend);
  boundByRequestDeadline(claimPool, cancelBackend);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    claimPool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end(), claimPool.end(), cancelPool.end()]);
    },
  };
}

/**
 * The claim pool. pg opens no connection until the first claim. Idle connections are kept
 * for minutes, not pg's 10 s: each connection prepares the claim statement once (see
 * `prepared` in transactions.ts), and churning connections would plan it again and again.
 */
function openClaimPool(options: pg.PoolConfig): pg.Pool {
  const claimPool = new pg.Pool({ ...options, idleTimeoutMillis: 300_000 });
  claimPool.on('connect', (client) => {
    // Queued before anything else the new connection runs. If it fails the connection is
    // unusable anyway; the claim statement's own isolation check (singleStatementSerializable)
    // refuses to count on it. Claim statements touch a handful of rows by key whatever the
    // values, so one generic plan serves them all; left to choose, PostgreSQL kept planning
    // each one afresh (its generic cost estimate assumes 10-element arrays). No sequential
    // scans: on a small table the planner prefers one, and at SERIALIZABLE a sequential scan
    // predicate-locks the whole relation, so claims on unrelated hosts would conflict.
    client
      .query(
        'SET default_transaction_isolation TO serializable; SET plan_cache_mode TO force_generic_plan; SET enable_seqscan TO off',
      )
      .catch(() => client.end().catch(() => undefined));
  });
  claimPool.on('error', () => undefined);
  return claimPool;
}
