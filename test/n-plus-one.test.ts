import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../bench/seed.js';
import { type Database, openDatabase } from '../src/db.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { createLogger } from '../src/logger.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * Fields resolved outside a Prisma relation (a candidate's, alternate's or selection's host
 * and cell, the consumers of allocation writes) are batched per request: neither the Prisma
 * operations (client calls, each compiled, run and mapped on its own) nor the SQL statements
 * of one GraphQL operation grow with the number of items it lists. Both are counted on a
 * gateway of its own: operations by a client extension, statements by Prisma's query event.
 * (Prisma merges findUnique calls made in one tick into one SELECT, so the statements alone
 * stayed flat even when every item made its own call.)
 */

let env: TestEnv;
let counted: { db: Database; gateway: Gateway; statements: string[]; operations: string[] };

/** A gateway whose Prisma client reports every operation it runs and every SQL statement it sends. */
function countingGateway(url: string): typeof counted {
  const opened = openDatabase(url, 4);
  const base = new PrismaClient({ adapter: new PrismaPg(opened.pool), log: [{ emit: 'event', level: 'query' }] });
  const statements: string[] = [];
  const operations: string[] = [];
  base.$on('query', (event) => statements.push(event.query));
  const extended = base.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        operations.push(`${model}.${operation}`);
        return query(args);
      },
    },
  });
  const db: Database = {
    ...opened,
    // The extension only observes: every call the gateway makes behaves as on the base client.
    prisma: extended as unknown as PrismaClient,
    async close() {
      await base.$disconnect();
      await opened.close();
    },
  };
  return { db, gateway: createGateway(db, createLogger('silent')), statements, operations };
}

/** Runs one operation and returns its data and the Prisma statements it caused. */
async function measure(
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data: Record<string, unknown>; statements: number; operations: number }> {
  counted.statements.length = 0;
  counted.operations.length = 0;
  const response = await counted.gateway.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${env.adminToken}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return { data: body.data ?? {}, statements: counted.statements.length, operations: counted.operations.length };
}

beforeAll(async () => {
  env = await createTestEnv(4);
  await seed(env.db.pool, { providers: 1_000, cells: 4, traits: 20, hotSpot: 0 });
  counted = countingGateway(env.url);
});
afterAll(async () => {
  await counted?.db.close();
  await env?.close();
});

const PROVIDER_FIELDS = `uuid name generation traits
  inventories { resourceClass total used free }
  cell { uuid name } parent { uuid } root { uuid } aggregates { uuid }`;

const CANDIDATES = `query($limit: Int) {
  allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }, limit: $limit) {
    ... on AllocationCandidates { candidates { providerUuid resourceProvider { ${PROVIDER_FIELDS} } cell { uuid name providerCount } } }
  }
}`;

describe('allocationCandidates with each host, its traits, inventories and cell', () => {
  it('costs the same Prisma operations and SQL statements for 1 000 candidates as for 10', async () => {
    const small = await measure(CANDIDATES, { limit: 10 });
    const large = await measure(CANDIDATES, { limit: 1_000 });
    const candidates = (r: { data: Record<string, unknown> }) =>
      (r.data.allocationCandidates as { candidates: { providerUuid: string; resourceProvider: { uuid: string } }[] })
        .candidates;
    expect(candidates(small)).toHaveLength(10);
    expect(candidates(large)).toHaveLength(1_000);
    // Each candidate got its own host back, not a neighbour's.
    for (const c of candidates(large)) expect(c.resourceProvider.uuid).toBe(c.providerUuid);
    expect(small.statements).toBeGreaterThan(0);
    expect(large.statements).toBe(small.statements);
    expect(large.operations).toBe(small.operations);
  });
});

const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) { __typename
  ... on ClaimPayload { selections {
    consumer { uuid allocations { amount resourceProvider { uuid } } }
    resourceProvider { ${PROVIDER_FIELDS} }
    alternates { providerUuid resourceProvider { uuid name traits inventories { resourceClass free } } }
  } } } }`;

const claimOf = (consumers: number) => ({
  input: {
    consumers: Array.from({ length: consumers }, () => ({ consumerUuid: randomUUID(), projectId: 'n1', userId: 'u' })),
    request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
    alternates: 10,
  },
});

const MOVE = `mutation($input: MoveAllocationsInput!) { moveAllocations(input: $input) { __typename
  ... on AllocationsPayload { consumers { consumerUuid consumer { uuid projectId allocations { amount } } } } } }`;

describe('writes that list several consumers', () => {
  it('claim: the selections, their hosts and alternates cost the same operations and statements for 2 consumers as for 20', async () => {
    const small = await measure(CLAIM, claimOf(2));
    const large = await measure(CLAIM, claimOf(20));
    const selections = (r: { data: Record<string, unknown> }) =>
      (r.data.claim as { selections: { consumer: { uuid: string }; alternates: unknown[] }[] }).selections;
    expect(selections(large)).toHaveLength(20);
    expect(selections(large).every((s) => s.consumer !== null && s.alternates.length === 10)).toBe(true);
    expect(large.statements).toBe(small.statements);
    expect(large.operations).toBe(small.operations);
  });

  it('moveAllocations: the consumers written cost the same operations and statements for 2 as for 20', async () => {
    const [host] = await env.sql<{ uuid: string }>('SELECT uuid FROM resource_providers ORDER BY id LIMIT 1');
    const move = (consumers: number) => ({
      input: {
        consumers: Array.from({ length: consumers }, () => ({
          consumerUuid: randomUUID(),
          consumerGeneration: null,
          projectId: 'n1',
          userId: 'u',
          allocations: [{ providerUuid: host!.uuid, resources: [{ resourceClass: 'DISK_GB', amount: 1 }] }],
        })),
      },
    });
    const small = await measure(MOVE, move(2));
    const large = await measure(MOVE, move(20));
    const written = (
      large.data.moveAllocations as { consumers: { consumerUuid: string; consumer: { uuid: string } }[] }
    ).consumers;
    expect(written).toHaveLength(20);
    for (const w of written) expect(w.consumer.uuid).toBe(w.consumerUuid);
    expect(large.statements).toBe(small.statements);
    expect(large.operations).toBe(small.operations);
  });
});
