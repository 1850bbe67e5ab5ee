import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimits } from '../src/builder.js';
import { defaultGatewayLimits } from '../src/http/limits.js';
import { freePort } from './support/free-port.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { README, section, tableRows } from './support/readme.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * The README's table of request-level errors states an HTTP status per code for two Accept
 * headers (GraphQL over HTTP's own media type, and curl's default). Each row is reproduced
 * here over real HTTP against gateway processes, under both headers, and must answer the
 * status and code the README states. A row without a reproduction fails the test.
 */

const STRICT = 'application/graphql-response+json';
const LENIENT = '*/*';

interface Row {
  codes: string[];
  status: Record<typeof STRICT | typeof LENIENT, number>;
  retryable: boolean;
  when: string;
}

const rows: Row[] = tableRows(section(README, 'Errors'), 'HTTP, `Accept: application/graphql-response+json`').map(
  ([code, strict, lenient, retryable, when]) => ({
    codes: code === 'none' ? [] : [...code!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!),
    status: { [STRICT]: Number(strict), [LENIENT]: Number(lenient) },
    retryable: retryable === 'yes',
    when: when!,
  }),
);

let env: TestEnv;
/** One pooled connection, 300 ms to get it, 1.5 s per statement: database faults on demand. */
let tight: GatewayProcess;
/** One request in flight at a time, no statement timeout: a request blocked on a lock holds the place. */
let bounded: GatewayProcess;
/** One request in flight per caller, no statement timeout: a caller's blocked request holds its place. */
let perCaller: GatewayProcess;

/** JWT_* settings of `tight`: an issuer whose key set nobody serves (nothing listens on that port). */
const JWT_ISSUER = 'https://issuer.example.com/realms/placement';
const JWT_AUDIENCE = 'placement-gateway';

beforeAll(async () => {
  env = await createTestEnv(2);
  [tight, bounded, perCaller] = await Promise.all([
    startGatewayProcess({
      databaseUrl: env.url,
      env: {
        DB_POOL_MAX: '1',
        DB_ACQUIRE_TIMEOUT_MS: '300',
        DB_STATEMENT_TIMEOUT_MS: '1500',
        // Identity providers for the IDENTITY_PROVIDER_UNAVAILABLE and 403 FORBIDDEN rows.
        JWT_ISSUER,
        JWT_AUDIENCE,
        JWT_JWKS_URL: `http://127.0.0.1:${await freePort()}/certs`,
        TRUSTED_PROXIES: '127.0.0.1',
      },
    }),
    startGatewayProcess({ databaseUrl: env.url, env: { MAX_INFLIGHT_REQUESTS: '1', DB_STATEMENT_TIMEOUT_MS: '0' } }),
    startGatewayProcess({ databaseUrl: env.url, env: { PER_CALLER_MAX_IN_FLIGHT: '1', DB_STATEMENT_TIMEOUT_MS: '0' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([tight?.stop(), bounded?.stop(), perCaller?.stop()]);
  await env?.close();
});

interface Answer {
  status: number;
  codes: unknown[];
  retryAfter: string | null;
}

async function answer(response: Response): Promise<Answer> {
  const body = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
  return {
    status: response.status,
    codes: (body.errors ?? []).map((e) => e.extensions?.code),
    retryAfter: response.headers.get('retry-after'),
  };
}

function post(
  gateway: GatewayProcess,
  accept: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept,
      'Placement-API-Version': '1.1',
      ...bearer(TEST_ADMIN_TOKEN),
      ...headers,
    },
    body,
  });
}

const query = (text: string, variables?: Record<string, unknown>) => JSON.stringify({ query: text, variables });

// One statement, on `consumers`, which a test can lock (a query of several statements at once would
// find the one-connection pool taken by its own first statement).
const CONSUMER = query('{ consumer(uuid: "00000000-0000-4000-8000-000000000000") { generation } }');

/** Holds ACCESS EXCLUSIVE on `consumers` while `during` runs, so every statement touching it waits. */
async function withConsumersLocked<T>(during: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: env.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE consumers IN ACCESS EXCLUSIVE MODE');
    return await during();
  } finally {
    await client.query('ROLLBACK');
    await client.end();
  }
}

/** The pid of the one gateway session waiting for the lock, once there is one. */
async function sessionWaitingForLock(): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await env.sql<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (row) return row.pid;
    if (Date.now() > deadline) throw new Error('no gateway session is waiting for the lock');
    await sleep(20);
  }
}

/** Sends one request that blocks on the lock, runs `meanwhile` (given its session's pid), then returns both answers. */
async function whileOneWaits<T>(
  gateway: GatewayProcess,
  accept: string,
  meanwhile: (pid: number) => Promise<T>,
): Promise<{ other: T; blocked: Answer }> {
  let blocked: Promise<Answer> | undefined;
  const other = await withConsumersLocked(async () => {
    blocked = post(gateway, accept, CONSUMER).then(answer);
    return meanwhile(await sessionWaitingForLock());
  });
  return { other, blocked: await blocked! };
}

const nested = (levels: number, field: string, leaf: string) =>
  `${Array.from({ length: levels }, () => `${field} {`).join(' ')} ${leaf} ${'}'.repeat(levels)}`;

type Reproduce = (accept: string) => Promise<Answer>;

/** How to provoke each row, by code; rows that share a code are reproduced in table order. */
const reproductions: Record<string, Reproduce[]> = {
  DATABASE_UNAVAILABLE: [
    async (accept) => {
      const { blocked } = await whileOneWaits(tight, accept, (pid) =>
        env.sql('SELECT pg_terminate_backend($1)', [pid]),
      );
      return blocked;
    },
  ],
  DATABASE_BUSY: [
    async (accept) => {
      const { other } = await whileOneWaits(tight, accept, async () => answer(await post(tight, accept, CONSUMER)));
      return other;
    },
  ],
  DATABASE_TIMEOUT: [async (accept) => answer(await withConsumersLocked(() => post(tight, accept, CONSUMER)))],
  SERVER_BUSY: [
    async (accept) => {
      const { other, blocked } = await whileOneWaits(bounded, accept, async () =>
        answer(await post(bounded, accept, CONSUMER)),
      );
      expect(blocked.status).toBe(200); // the request that held the place completes once the lock goes
      return other;
    },
  ],
  CALLER_BUSY: [
    async (accept) => {
      const { other, blocked } = await whileOneWaits(perCaller, accept, async () =>
        answer(await post(perCaller, accept, CONSUMER)),
      );
      expect(blocked.status).toBe(200);
      return other;
    },
  ],
  CROSS_SITE_REQUEST_REFUSED: [
    async (accept) =>
      answer(
        await post(tight, accept, `query=${encodeURIComponent('{ __typename }')}`, {
          'content-type': 'application/x-www-form-urlencoded',
        }),
      ),
  ],
  REQUEST_ENTITY_TOO_LARGE: [
    async (accept) =>
      answer(
        await post(tight, accept, query('{ __typename }', { pad: 'x'.repeat(defaultGatewayLimits.maxRequestBytes) })),
      ),
  ],
  UNAUTHENTICATED: [
    async (accept) => {
      const response = await post(tight, accept, query('{ cells(') /* not even parsed */, { authorization: '' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      return answer(response);
    },
  ],
  FORBIDDEN: [
    async (accept) => {
      const reader = await env.createToken('READER');
      const before = await env.sql('SELECT count(*)::int AS n FROM cells');
      const refused = await answer(
        await post(tight, accept, query('mutation { createCell(input: { name: "by-a-reader" }) { __typename } }'), {
          authorization: `Bearer ${reader}`,
        }),
      );
      expect(await env.sql('SELECT count(*)::int AS n FROM cells')).toEqual(before);
      return refused;
    },
    // A trusted proxy (TRUSTED_PROXIES includes the test's 127.0.0.1) names a user holding no mapped role.
    async (accept) =>
      answer(
        await post(tight, accept, query('{ __typename }'), {
          authorization: '',
          'x-user-id': 'someone',
          'x-roles': 'no-such-role',
        }),
      ),
  ],
  IDENTITY_PROVIDER_UNAVAILABLE: [
    async (accept) => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({ sub: 'someone', roles: ['placement-admin'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setExpirationTime('5m')
        .sign(privateKey);
      return answer(await post(tight, accept, query('{ __typename }'), { authorization: `Bearer ${token}` }));
    },
  ],
  UNSUPPORTED_API_VERSION: [
    async (accept) => answer(await post(tight, accept, query('{ __typename }'), { 'Placement-API-Version': '9.9' })),
  ],
  BAD_REQUEST: [
    async (accept) => answer(await post(tight, accept, '{"query": "{ __typename }"')),
    async (accept) => answer(await post(tight, accept, '{}')),
    async (accept) =>
      answer(
        await fetch(
          `${tight.url}/graphql?query=${encodeURIComponent('mutation { createTrait(input: { name: "CUSTOM_GET" }) { __typename } }')}`,
          { headers: { accept, ...bearer(TEST_ADMIN_TOKEN) } },
        ),
      ),
  ],
  TOO_MANY_ALIASES: [
    async (accept) => {
      const aliases = Array.from(
        { length: defaultGatewayLimits.maxAliases + 1 },
        (_, i) => `a${i}: cells(first: 1) { totalCount }`,
      );
      return answer(await post(tight, accept, query(`{ ${aliases.join(' ')} }`)));
    },
  ],
  DOCUMENT_TOO_LARGE: [
    async (accept) =>
      answer(await post(tight, accept, query(`{ ${'__typename '.repeat(defaultGatewayLimits.maxDocumentTokens)} }`))),
  ],
  GRAPHQL_PARSE_FAILED: [async (accept) => answer(await post(tight, accept, query('{ cells(')))],
  GRAPHQL_VALIDATION_FAILED: [
    async (accept) => answer(await post(tight, accept, query('{ noSuchField }'))),
    async (accept) =>
      answer(await post(tight, accept, query('query ($n: Int) { cells(first: $n) { totalCount } }', { n: 'many' }))),
  ],
  QUERY_TOO_DEEP: [
    async (accept) =>
      answer(
        await post(
          tight,
          accept,
          query(
            `{ resourceProviders(first: 1) { edges { node { ${nested(queryLimits.depth, 'parent', 'uuid')} } } } }`,
          ),
        ),
      ),
  ],
  QUERY_TOO_BROAD: [
    async (accept) => {
      const fields = Array.from({ length: queryLimits.breadth / 2 + 1 }, () => '... on Cell { uuid name }').join(' ');
      return answer(await post(tight, accept, query(`{ cells(first: 1) { edges { node { ${fields} } } } }`)));
    },
  ],
  QUERY_TOO_COMPLEX: [
    async (accept) =>
      answer(
        await post(
          tight,
          accept,
          query(
            `{ resourceProviders(first: 100) { edges { node { ${nested(5, 'children', 'inventories { total }')} } } } }`,
          ),
        ),
      ),
  ],
};

describe("README's request-error table against real HTTP", () => {
  it('the table is there and every row has a reproduction', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const rowsByCode = new Map<string, number>();
    for (const row of rows)
      for (const code of row.codes.length ? row.codes : ['none']) rowsByCode.set(code, (rowsByCode.get(code) ?? 0) + 1);
    expect(Object.fromEntries(rowsByCode)).toEqual(
      Object.fromEntries(Object.entries(reproductions).map(([code, cases]) => [code, cases.length])),
    );
  });

  const seen = new Map<string, number>();
  for (const row of rows) {
    for (const code of row.codes.length ? row.codes : ['none']) {
      const nth = seen.get(code) ?? 0;
      seen.set(code, nth + 1);
      for (const accept of [STRICT, LENIENT] as const) {
        it(`${code} (${row.when.slice(0, 50)}…) with Accept: ${accept} → ${row.status[accept]}`, async () => {
          const reproduce = reproductions[code]?.[nth];
          if (!reproduce) throw new Error(`no reproduction for ${code} #${nth + 1}`);
          const got = await reproduce(accept);
          expect(got.status).toBe(row.status[accept]);
          expect(got.codes).toEqual([code === 'none' ? undefined : code]);
          expect(got.retryAfter).toBe(row.retryable ? '1' : null);
        });
      }
    }
  }
});
