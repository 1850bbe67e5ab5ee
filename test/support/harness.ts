import { randomBytes } from 'node:crypto';
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import type { ExecutionResult } from 'graphql';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { defaultGatewayLimits } from '../../src/http/limits.js';
import { createLogger } from '../../src/logger.js';
import { VERSION_HEADER } from '../../src/versions.js';

/** A generated typed document (a String object carrying its result and variable types). */
export type TypedDocument<T, V> = DocumentTypeDecoration<T, V> & { toString(): string };

export interface TestEnv {
  db: Database;
  gateway: Gateway;
  url: string;
  /**
   * Runs an operation through the real yoga request pipeline (HTTP semantics, no socket).
   * A generated typed document (client/generated/<version>/) types its result and variables;
   * a string query's caller names the result shape it reads (`unknown` until it does).
   * Without `apiVersion` the gateway serves 1.0 (src/versions.ts): a document generated for a
   * later version passes its PLACEMENT_API_VERSION.
   */
  gql<T = unknown>(
    query: string,
    variables?: Record<string, unknown>,
    apiVersion?: string,
  ): Promise<ExecutionResult<T>>;
  gql<T, V>(document: TypedDocument<T, V>, variables?: V, apiVersion?: string): Promise<ExecutionResult<T>>;
  /** One SQL statement against the test database; the caller names the row shape it reads. */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh database cloned from the migrated template, and a gateway on it. */
export async function createTestEnv(poolMax = 20): Promise<TestEnv> {
  const adminUrl = inject('adminUrl');
  const name = `placement_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // Owned by the template's owner role, whose objects the clone copies: the env connects as that role.
  const owner = decodeURIComponent(new URL(inject('ownerUrl')).username);
  // CREATE DATABASE … TEMPLATE needs the template idle; retry briefly when another file is cloning.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')} OWNER ${owner}`);
      break;
    } catch (error) {
      if (attempt > 50 || !String((error as Error).message).includes('being accessed')) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.end();
  const url = withDatabase(inject('ownerUrl'), name);
  return testEnvOn(url, poolMax, async () => {
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  });
}

/** A TestEnv (in-process gateway, SQL) on any database; `afterClose` runs once its pool has ended. */
export function testEnvOn(url: string, poolMax = 4, afterClose: () => Promise<void> = async () => undefined): TestEnv {
  const db = openDatabase(url, poolMax);
  // Suites play many concurrent callers from one address: no per-caller budget (test/caller-budget.test.ts has its own).
  const gateway = createGateway(db, createLogger('silent'), { ...defaultGatewayLimits, perCallerMaxInflight: 100_000 });
  return {
    db,
    gateway,
    url,
    async gql<T>(
      document: string | { toString(): string },
      variables?: unknown,
      apiVersion?: string,
    ): Promise<ExecutionResult<T>> {
      const query = document.toString();
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
      };
      if (apiVersion !== undefined) headers[VERSION_HEADER] = apiVersion;
      const response = await gateway.fetch('http://localhost/graphql', {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as ExecutionResult<T>;
    },
    async sql(text, params) {
      return (await db.pool.query(text, params)).rows;
    },
    async close() {
      await db.close();
      await afterClose();
    },
  };
}
