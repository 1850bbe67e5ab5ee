import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { claimStatement } from '../src/placement/claims/index.js';
import { RetryLimitExceededError } from '../src/placement/errors.js';
import { prepared, singleStatementSerializable } from '../src/placement/transactions.js';
import { hostWith, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * The claim's transaction machinery on a real database: a claim attempt is one statement
 * sent alone on a connection whose default isolation is SERIALIZABLE (one round trip, no
 * BEGIN/COMMIT), and consumer ids are spread over the key space.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  // Attempts are counted and the failing connection remembered with sequences: nextval and
  // setval survive the rollback of the failed statement.
  await env.sql(`CREATE SEQUENCE test_attempts`);
  await env.sql(`CREATE SEQUENCE test_failed_pid`);
  await env.sql(`CREATE FUNCTION test_fail_first(failures int) RETURNS text LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('test_attempts') <= failures THEN
        PERFORM setval('test_failed_pid', pg_backend_pid());
        RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = '40001';
      END IF;
      RETURN current_setting('transaction_isolation');
    END $$`);
});
afterAll(async () => env?.close());

const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('singleStatementSerializable', () => {
  it('runs the statement as its own SERIALIZABLE transaction, and leaves the shared pool at its default', async () => {
    const [row] = await singleStatementSerializable<{ isolation: string }>(env.db.claimPool, {
      text: `SELECT current_setting('transaction_isolation') AS isolation`,
    });
    expect(row).toEqual({ isolation: 'serializable' });
    const [shared] = await env.sql<{ isolation: string }>(
      `SELECT current_setting('transaction_isolation') AS isolation`,
    );
    expect(shared!.isolation).toBe('read committed');
  });

  it('refuses a result that says it ran at another isolation level', async () => {
    await expect(
      singleStatementSerializable(env.db.claimPool, { text: `SELECT 'read committed' AS isolation` }),
    ).rejects.toThrow(/not serializable/);
  });

  it('retries serialization failures on the same connection and returns the first success', async () => {
    await env.sql(`SELECT setval('test_attempts', 1, false)`);
    const [row] = await singleStatementSerializable<{ isolation: string; pid: number }>(
      env.db.claimPool,
      { text: 'SELECT test_fail_first(2) AS isolation, pg_backend_pid() AS pid' },
      policy,
    );
    expect(row!.isolation).toBe('serializable');
    const [counters] = await env.sql<{ attempts: number; failed_pid: number }>(
      `SELECT (SELECT last_value FROM test_attempts)::int AS attempts, (SELECT last_value FROM test_failed_pid)::int AS failed_pid`,
    );
    expect(counters!.attempts).toBe(3);
    // A serialization failure ends only the statement's transaction: the connection is kept.
    expect(row!.pid).toBe(counters!.failed_pid);
  });

  it("gives up with RetryLimitExceeded after the policy's attempts", async () => {
    await env.sql(`SELECT setval('test_attempts', 1, false)`);
    const attempt = singleStatementSerializable(
      env.db.claimPool,
      { text: 'SELECT test_fail_first(100) AS isolation' },
      policy,
    );
    await expect(attempt).rejects.toBeInstanceOf(RetryLimitExceededError);
    const [counters] = await env.sql<{ attempts: number }>(`SELECT last_value::int AS attempts FROM test_attempts`);
    expect(counters!.attempts).toBe(policy.maxAttempts);
  });

  it('does not retry other errors', async () => {
    await expect(
      singleStatementSerializable(env.db.claimPool, { text: 'SELECT 1 / 0 AS isolation' }, policy),
    ).rejects.toMatchObject({ code: '22012' });
  });

  it('closes its connections when the database is closed', async () => {
    const connections = async () =>
      (
        await env.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'claim-transactions-test'`,
        )
      )[0]!.n;
    const url = new URL(env.url);
    url.searchParams.set('application_name', 'claim-transactions-test');
    const db = openDatabase(url.toString(), 2);
    await Promise.all(
      [1, 2].map(() =>
        singleStatementSerializable(db.claimPool, {
          text: `SELECT current_setting('transaction_isolation') AS isolation, pg_sleep(0.05)`,
        }),
      ),
    );
    expect(await connections()).toBeGreaterThanOrEqual(2);
    await db.close();
    for (let i = 0; i < 50 && (await connections()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await connections()).toBe(0);
  });
});

describe('the claim statement', () => {
  it('writes nothing when it does not run at SERIALIZABLE, and says at which level it ran', async () => {
    const host = await hostWith(env, 'claim-statement-host', { VCPU: 8 });
    const [vcpu] = await env.sql<{ id: number }>(`SELECT id FROM resource_classes WHERE name = 'VCPU'`);
    const values = [[host.uuid], [vcpu!.id], [2], [host.uuid], 1, randomUUID(), 'claim-statement', 'u', null];
    const before = await snapshot(env);
    // The shared pool's connections are at READ COMMITTED.
    const [readCommitted] = await env.sql<{ locked: number; fitting: number; isolation: string }>(
      claimStatement('skip', false),
      values,
    );
    expect(readCommitted).toEqual({ locked: 1, fitting: 1, isolation: 'read committed' });
    expect(await snapshot(env)).toBe(before);
    // The same statement and values at SERIALIZABLE claim.
    const [serializable] = await singleStatementSerializable<{ locked: number; fitting: number; isolation: string }>(
      env.db.claimPool,
      { text: claimStatement('skip', false), values },
    );
    expect(serializable).toEqual({ locked: 1, fitting: 1, isolation: 'serializable' });
    const [usage] = await env.sql<{ used: number }>(
      `SELECT i.used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id WHERE p.uuid = $1`,
      [host.uuid],
    );
    expect(usage!.used).toBe(2);
  });
});

describe('prepared', () => {
  it('names a statement by its text: the same text, the same name; another text, another name', () => {
    const a = prepared('SELECT $1::int AS a', [1]);
    const again = prepared('SELECT $1::int AS a', [2]);
    const b = prepared('SELECT $1::int AS b', [1]);
    expect(a.name).toBeTruthy();
    expect(again.name).toBe(a.name);
    expect(again.values).toEqual([2]);
    expect(b.name).not.toBe(a.name);
  });

  it('a prepared statement runs again on the same connection with new values', async () => {
    const client = await env.db.pool.connect();
    try {
      const first = await client.query(prepared('SELECT $1::int + 1 AS n', [1]));
      const second = await client.query(prepared('SELECT $1::int + 1 AS n', [41]));
      expect([first.rows[0].n, second.rows[0].n]).toEqual([2, 42]);
    } finally {
      client.release();
    }
  });
});

describe('consumer ids', () => {
  it('are spread over the key space without blocks, so consecutive claims insert into different index pages', async () => {
    const clients = [new pg.Client({ connectionString: env.url }), new pg.Client({ connectionString: env.url })];
    await Promise.all(clients.map((c) => c.connect()));
    const sequence = async () =>
      Number((await env.sql<{ v: string }>(`SELECT last_value::text AS v FROM consumers_id_seq`))[0]!.v);
    try {
      const before = await sequence();
      const insert = async (client: pg.Client) =>
        (
          await client.query<{ id: number }>(
            `INSERT INTO consumers (uuid, project_id, user_id, generation) VALUES ($1, 'p', 'u', 1) RETURNING id`,
            [randomUUID()],
          )
        ).rows[0]!.id;
      const ids = [await insert(clients[0]!), await insert(clients[1]!), await insert(clients[0]!)];
      // Each insert draws exactly one value (no per-connection block is lost), and neighbours
      // in creation order land far apart in consumers_pkey.
      expect(await sequence()).toBe(before + 3);
      for (const [i, id] of ids.entries()) {
        expect(id).toBeGreaterThanOrEqual(2 ** 52);
        const next = ids[i + 1];
        if (next !== undefined) expect(Math.abs(next - id)).toBeGreaterThan(2 ** 40);
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await env.sql(`DELETE FROM consumers WHERE project_id = 'p'`);
    }
  });
});
