import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimits } from '../src/builder.js';
import { DEFAULT_QUERY } from '../src/gateway.js';
import { measureOperation } from '../src/http/query-limits.js';
import { schemas } from '../src/schema/index.js';
import { type ApiVersion, LATEST_VERSION, VERSION_BEHAVIOUR, VERSION_HEADER } from '../src/versions.js';
import { hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { fencedBlocks, README } from './support/readme.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * The cost model (src/schema/cost.ts): list sizes and explain count, so documents that would
 * hold the pool are refused before execution, while every document the project itself ships
 * (GraphiQL's first document, the README's, the typed client's operations) stays under the
 * limit with the largest variables a caller would pass.
 */

/** The newest released version: the one the client's default entry, GraphiQL and the README speak. */
const LATEST_RELEASE: ApiVersion = LATEST_VERSION;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A value of `type` a real caller could send: required fields filled, lists of one, Booleans true (every @include on). */
function sampleValue(type: GraphQLInputType): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [sampleValue(nullable.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((f) => isNonNullType(f.type));
    return Object.fromEntries(fields.map((f) => [f.name, sampleValue(f.type)]));
  }
  switch (named.name) {
    case 'Int':
    case 'SafeInt':
      return 1;
    case 'Boolean':
      return true;
    case 'UUID':
      return randomUUID();
    default:
      return 'x';
  }
}

function sampleVariables(operation: OperationDefinitionNode, schema: GraphQLSchema): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType;
    if (isNonNullType(type) || getNamedType(type).name === 'Boolean') {
      variables[definition.variable.name.value] = sampleValue(type);
    }
  }
  return variables;
}

/** Complexity of every operation in `source` for `version`, named `<label> <operation>`. */
function costs(label: string, source: string, version: ApiVersion): { name: string; complexity: number }[] {
  const document = parse(source);
  const schema = schemas[version];
  const ctx = { behaviour: VERSION_BEHAVIOUR[version] };
  return document.definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return [];
    const measured = measureOperation(
      document,
      definition.name?.value,
      schema,
      ctx,
      sampleVariables(definition, schema),
    );
    return [{ name: `${label} ${definition.name?.value ?? '(anonymous)'}`, complexity: measured!.complexity }];
  });
}

describe('what the project ships stays under the complexity limit', () => {
  it('GraphiQL default document', () => {
    for (const { name, complexity } of costs('GraphiQL', DEFAULT_QUERY, LATEST_VERSION)) {
      expect(complexity, name).toBeLessThanOrEqual(queryLimits.complexity);
    }
  });

  it('every ```graphql block of the README', () => {
    const blocks = fencedBlocks(README).filter((b) => b.lang === 'graphql');
    expect(blocks.length).toBeGreaterThan(5);
    for (const [i, block] of blocks.entries()) {
      // `"<compute-1 uuid>"` placeholders stand for uuids an earlier step returned, bare ones for numbers.
      const body = block.body.replace(/"<[^>]+>"/g, `"${randomUUID()}"`).replace(/<[^>]+>/g, '1');
      for (const { name, complexity } of costs(`README block ${i}`, body, LATEST_RELEASE)) {
        expect(complexity, name).toBeLessThanOrEqual(queryLimits.complexity);
      }
    }
  });

  it('every operation of the typed client (client/operations/<version>/), with every @include on', () => {
    let measured = 0;
    for (const version of readdirSync(path.join(root, 'client/operations')) as ApiVersion[]) {
      // One document per version: operations use fragments of other files (errors.graphql).
      const folder = path.join(root, 'client/operations', version);
      const source = readdirSync(folder)
        .map((file) => readFileSync(path.join(folder, file), 'utf8'))
        .join('\n');
      for (const { name, complexity } of costs(version, source, version)) {
        expect(complexity, name).toBeLessThanOrEqual(queryLimits.complexity);
        measured++;
      }
    }
    expect(measured).toBeGreaterThan(20);
  });

  it("the typed client's Claim and AllocationCandidates at their largest inputs (100 consumers × 100 alternates with the explanation; limit 1000)", () => {
    const source = ['placement.graphql', 'errors.graphql']
      .map((file) => readFileSync(path.join(root, 'client/operations', LATEST_RELEASE, file), 'utf8'))
      .join('\n');
    const measure = (operation: string, variables: Record<string, unknown>) =>
      measureOperation(
        parse(source),
        operation,
        schemas[LATEST_RELEASE],
        { behaviour: VERSION_BEHAVIOUR[LATEST_RELEASE] },
        variables,
      )!.complexity;
    const consumers = Array.from({ length: 100 }, () => ({ consumerUuid: randomUUID(), projectId: 'p', userId: 'u' }));
    const resources = ['VCPU', 'MEMORY_MB', 'DISK_GB'].map((resourceClass) => ({ resourceClass, amount: 1 }));
    const request = { resources, requiredTraits: Array.from({ length: 10 }, (_, i) => `CUSTOM_T${i}`) };
    expect(measure('Claim', { input: { consumers, request, alternates: 100 }, explain: true })).toBeLessThanOrEqual(
      queryLimits.complexity,
    );
    expect(measure('AllocationCandidates', { request, limit: 1000 })).toBeLessThanOrEqual(queryLimits.complexity);
  });
});

describe('costly documents are refused before execution, over HTTP', () => {
  let env: TestEnv;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    env = await createTestEnv(4);
    await hostWith(env, 'cost-host', { VCPU: 8, MEMORY_MB: 8192 });
    server = createServer(env.gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await env?.close();
  });

  interface Reply {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string; limit?: number; actual?: number } }[];
  }

  async function post(query: string): Promise<{ status: number; body: Reply }> {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [VERSION_HEADER]: LATEST_RELEASE, ...bearer(TEST_ADMIN_TOKEN) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as Reply };
  }

  const REQUEST = '{ resources: [{ resourceClass: "VCPU", amount: 1 }, { resourceClass: "MEMORY_MB", amount: 512 }] }';
  const explains = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `e${i}: explainPlacement(request: ${REQUEST}) { __typename }`).join(' ')} }`;

  function expectTooComplex(reply: { body: Reply }): void {
    expect(reply.body.data, JSON.stringify(reply.body)).toBeNull();
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(reply.body.errors?.[0]?.extensions?.actual).toBeGreaterThan(queryLimits.complexity);
  }

  it("one explainPlacement runs; 20 aliased (the probe's pool-holding document) are refused with data: null", async () => {
    const one = await post(explains(1));
    expect(one.body.errors, JSON.stringify(one.body)).toBeUndefined();
    expectTooComplex(await post(explains(20)));
    // Four already cost more than the limit; three run.
    expectTooComplex(await post(explains(4)));
    const three = await post(explains(3));
    expect(three.body.errors, JSON.stringify(three.body)).toBeUndefined();
  });

  it('an explain with hundreds of conditions is refused alone (its work grows with their square)', async () => {
    const traits = Array.from({ length: 100 }, (_, i) => `"CUSTOM_T${i}"`).join(', ');
    const heavy = `{ explainPlacement(request: { resources: [{ resourceClass: "VCPU", amount: 1 }], forbiddenTraits: [${traits}], requiredTraits: [${traits.replaceAll('_T', '_R')}] }) { __typename } }`;
    expectTooComplex(await post(heavy));
  });

  it('list sizes count: limit, first and ids multiply what is selected under them', async () => {
    // The probe's document: 1 000 candidates, each with its provider's lists and 100 allocations.
    const candidates = (limit: number) =>
      `{ allocationCandidates(limit: ${limit}, request: ${REQUEST}) { ... on AllocationCandidates { candidates { providerUuid resourceProvider { name traits inventories { resourceClass capacity used } root { uuid } cell { providerCount } children { uuid } aggregates { uuid } allocations(first: 100) { edges { node { amount consumer { uuid } } } } } } } } }`;
    const small = await post(candidates(5));
    expect(small.body.errors, JSON.stringify(small.body)).toBeUndefined();
    expectTooComplex(await post(candidates(1000)));

    const nested = (aliases: number, first: number) =>
      `{ ${Array.from({ length: aliases }, (_, i) => `p${i}: resourceProviders(first: ${first}) { edges { node { name allocations(first: ${first}) { edges { node { resourceClass amount consumer { uuid projectId } } } } } } }`).join(' ')} }`;
    const modest = await post(nested(1, 100));
    expect(modest.body.errors, JSON.stringify(modest.body)).toBeUndefined();
    expectTooComplex(await post(nested(3, 100)));

    const ids = (n: number) =>
      Array.from({ length: n }, () => `"${Buffer.from(`ResourceProvider:${randomUUID()}`).toString('base64')}"`);
    const byIds = (n: number) =>
      `{ nodes(ids: [${ids(n).join(', ')}]) { ... on ResourceProvider { name allocations(first: 100) { edges { node { amount } } } } } }`;
    const few = await post(byIds(10));
    expect(few.body.errors, JSON.stringify(few.body)).toBeUndefined();
    expectTooComplex(await post(byIds(500)));
  });

  it('a list argument over its cap is answered by the typed error, not the cost limit', async () => {
    const reply = await post(
      `{ allocationCandidates(limit: 1001, request: ${REQUEST}) { ... on InvalidInput { field rule } ... on AllocationCandidates { candidates { providerUuid summary { resourceClass free } } } } }`,
    );
    expect(reply.body.data).toEqual({ allocationCandidates: { field: 'limit', rule: 'max:1000' } });
  });
});
