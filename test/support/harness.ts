import { randomBytes } from 'node:crypto';
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import type { ExecutionResult } from 'graphql';
import pg from 'pg';
import { inject } from 'vitest';
import type { Role } from '../../src/auth/actor.js';
import { createApiToken } from '../../src/auth/tokens.js';
import { type Database, openDatabase } from '../../src/db.js';
import { createGateway, defaultGatewayExposure, type Gateway, type GatewayAccess } from '../../src/gateway.js';
import { defaultGatewayLimits } from '../../src/http/limits.js';
import { createLogger } from '../../src/logger.js';
import { VERSION_HEADER } from '../../src/versions.js';
import { insertAdminToken, TEST_ADMIN_TOKEN } from './test-token.js';

/** A generated typed document (a String object carrying its result and variable types). */
export type TypedDocument<T, V> = DocumentTypeDecoration<T, V> & { toString(): string };

/** What a TestEnv's gql sends and can be switched with `as`. */
export interface GqlClient {
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
  /** The raw HTTP response of one POST /graphql (status, headers), with this client's token. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export interface TestEnvOptions {
  poolMax?: number;
  /** Gateway settings (e.g. `serveHead: true` to test the unreleased head version, or `metricsRequireToken`). */
  access?: GatewayAccess;
}

export interface TestEnv extends GqlClient {
  db: Database;
  gateway: Gateway;
  url: string;
  /** The ADMIN secret `gql` sends by default: TEST_ADMIN_TOKEN (test/support/test-token.ts), live in this database. */
  adminToken: string;
  /** A client sending `token` as its bearer token instead, or no Authorization header at all for null. */
  as(token: string | null): GqlClient;
  /** A new live token of `role` (created through the engine, as createApiToken does); its secret. */
  createToken(role: Role, options?: { projectId?: string; name?: string }): Promise<string>;
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
export async function createTestEnv(poolMaxOrOptions: number | TestEnvOptions = 20): Promise<TestEnv> {
  const options = typeof poolMaxOrOptions === 'number' ? { poolMax: poolMaxOrOptions } : poolMaxOrOptions;
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
  return testEnvOn(
    url,
    options.poolMax ?? 20,
    async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
    options.access,
  );
}

/** A TestEnv (in-process gateway, SQL) on any database; `afterClose` runs once its pool has ended. */
export async function testEnvOn(
  url: string,
  poolMax = 4,
  afterClose: () => Promise<void> = async () => undefined,
  access: GatewayAccess = {},
): Promise<TestEnv> {
  const db = openDatabase(url, poolMax);
  // Suites play many concurrent callers from one address: no per-caller budget (test/caller-budget.test.ts has its own).
  const gateway = createGateway(
    db,
    createLogger('silent'),
    { ...defaultGatewayLimits, perCallerMaxInflight: 100_000 },
    defaultGatewayExposure,
    access,
  );
  const createToken = async (role: Role, options: { projectId?: string; name?: string } = {}) => {
    const name = options.name ?? `test-${role.toLowerCase()}-${randomBytes(4).toString('hex')}`;
    return (await createApiToken(db.pool, { name, role, projectId: options.projectId ?? null })).secret;
  };
  const adminToken = TEST_ADMIN_TOKEN;
  // On a connection of its own: the env's pool opens no connection before the test uses it
  // (tests instrument the pool's connections as they open).
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  try {
    await insertAdminToken(setup, adminToken);
  } finally {
    await setup.end();
  }
  const client = (token: string | null): GqlClient => {
    const post = async (body: unknown, extra: Record<string, string> = {}): Promise<Response> => {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...extra,
      };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      return gateway.fetch('http://localhost/graphql', { method: 'POST', headers, body: JSON.stringify(body) });
    };
    return {
      post,
      async gql<T>(
        document: string | { toString(): string },
        variables?: unknown,
        apiVersion?: string,
      ): Promise<ExecutionResult<T>> {
        const response = await post(
          { query: document.toString(), variables },
          apiVersion === undefined ? {} : { [VERSION_HEADER]: apiVersion },
        );
        return (await response.json()) as ExecutionResult<T>;
      },
    };
  };
  return {
    ...client(adminToken),
    db,
    gateway,
    url,
    adminToken,
    as: client,
    createToken,
    async sql(text, params) {
      return (await db.pool.query(text, params)).rows;
    },
    async close() {
      await db.close();
      await afterClose();
    },
  };
}
