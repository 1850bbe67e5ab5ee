import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimits } from '../src/builder.js';
import { loadConfig } from '../src/config.js';
import { defaultGatewayLimits } from '../src/http/limits.js';
import { VERSION_BEHAVIOUR } from '../src/versions.js';
import { ERROR_FIELDS, hostWith, snapshot } from './support/fixtures.js';
import { postGraphQL } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * Bad input at the HTTP and GraphQL layers, against the shipped default limits over a real
 * socket: each is refused with a clear error and changes nothing.
 */

let env: TestEnv;
let server: Server;
let base: string;
let host: { uuid: string; generation: number };

beforeAll(async () => {
  env = await createTestEnv(4);
  host = await hostWith(env, 'limits-host', { VCPU: 8 });
  server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
});

function postRaw(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...bearer(TEST_ADMIN_TOKEN),
      ...headers,
    },
    body,
    // Needed by fetch for a streamed (chunked) body.
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

const CREATE_TRAIT = (name: string) => `mutation { createTrait(input: { name: "${name}" }) { __typename } }`;
const traitExists = async (name: string) =>
  (await env.sql('SELECT 1 FROM traits WHERE name = $1', [name])).length === 1;

/** Runs `attempt` and proves it left every table as it was. */
async function changesNothing(attempt: () => Promise<void>): Promise<void> {
  const before = await snapshot(env);
  await attempt();
  expect(await snapshot(env)).toBe(before);
}

describe('request body', () => {
  it('malformed JSON carrying a mutation → 400 BAD_REQUEST, nothing executed', async () => {
    await changesNothing(async () => {
      const response = await postRaw(`{"query": ${JSON.stringify(CREATE_TRAIT('CUSTOM_MALFORMED'))}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { message: string; extensions?: { code?: string } }[] };
      expect(body.errors[0]!.message).toBe('POST body sent invalid JSON.');
      expect(body.errors[0]!.extensions?.code).toBe('BAD_REQUEST');
    });
  });

  it(`a body over MAX_REQUEST_BYTES (${defaultGatewayLimits.maxRequestBytes}) with Content-Length → 413 REQUEST_ENTITY_TOO_LARGE, nothing executed`, async () => {
    await changesNothing(async () => {
      const body = JSON.stringify({
        query: CREATE_TRAIT('CUSTOM_TOO_LARGE'),
        variables: { pad: 'x'.repeat(defaultGatewayLimits.maxRequestBytes) },
      });
      const response = await postRaw(body);
      expect(response.status).toBe(413);
      // The rest of a refused body is not read: the connection is closed after the answer.
      expect(response.headers.get('connection')).toBe('close');
      expect(await response.json()).toEqual({
        errors: [{ message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }],
      });
    });
  });

  it('the same body streamed without Content-Length (chunked) → 413 once the limit is passed, nothing executed', async () => {
    await changesNothing(async () => {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      const chunks = Math.ceil(defaultGatewayLimits.maxRequestBytes / chunk.length) + 2;
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0)
            controller.enqueue(
              new TextEncoder().encode(
                `{"query": ${JSON.stringify(CREATE_TRAIT('CUSTOM_CHUNKED'))}, "extensions": {"pad": "`,
              ),
            );
          else if (sent <= chunks) controller.enqueue(chunk);
          else {
            controller.enqueue(new TextEncoder().encode('"}}'));
            controller.close();
          }
          sent++;
        },
      });
      const response = await postRaw(stream);
      expect(response.status).toBe(413);
      expect(response.headers.get('connection')).toBe('close');
      expect(
        ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ).toBe('REQUEST_ENTITY_TOO_LARGE');
    });
  });

  it('a body just under the limit is served', async () => {
    const padding = defaultGatewayLimits.maxRequestBytes - 1_000;
    const response = await postRaw(
      JSON.stringify({ query: CREATE_TRAIT('CUSTOM_JUST_UNDER'), variables: { pad: 'x'.repeat(padding) } }),
    );
    expect(response.status).toBe(200);
    expect(await traitExists('CUSTOM_JUST_UNDER')).toBe(true);
  });
});

describe('document size', () => {
  it(`a document over MAX_DOCUMENT_TOKENS (${defaultGatewayLimits.maxDocumentTokens}) → 400 DOCUMENT_TOO_LARGE, nothing executed`, async () => {
    const padding = Array.from({ length: defaultGatewayLimits.maxDocumentTokens }, () => '__typename').join(' ');
    await changesNothing(async () => {
      const result = await postGraphQL(
        base,
        `mutation { createTrait(input: { name: "CUSTOM_TOKENS" }) { __typename ${padding} } }`,
      );
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.message).toBe(
        `Syntax Error: Token limit of ${defaultGatewayLimits.maxDocumentTokens} exceeded.`,
      );
      expect(result.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_TOO_LARGE');
      expect(result.body.data).toBeUndefined();
    });
  });

  it(`more than MAX_ALIASES (${defaultGatewayLimits.maxAliases}) aliased mutations → 400 TOO_MANY_ALIASES, none executed`, async () => {
    const aliased = (n: number, prefix: string) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `t${i}: createTrait(input: { name: "CUSTOM_${prefix}_${i}" }) { __typename }`).join(' ')} }`;
    await changesNothing(async () => {
      const result = await postGraphQL(base, aliased(defaultGatewayLimits.maxAliases + 1, 'ALIAS_OVER'));
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.message).toBe(
        `Syntax Error: Aliases limit of ${defaultGatewayLimits.maxAliases} exceeded, found ${defaultGatewayLimits.maxAliases + 1}.`,
      );
      expect(result.body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
    });
    // At the limit every alias runs.
    const atLimit = await postGraphQL(base, aliased(defaultGatewayLimits.maxAliases, 'ALIAS_AT'));
    expect(atLimit.status).toBe(200);
    expect(Object.keys(atLimit.body.data ?? {})).toHaveLength(defaultGatewayLimits.maxAliases);
    expect(await traitExists(`CUSTOM_ALIAS_AT_${defaultGatewayLimits.maxAliases - 1}`)).toBe(true);
  });
});

describe(`query shape (depth ${queryLimits.depth}, breadth ${queryLimits.breadth}, complexity ${queryLimits.complexity})`, () => {
  const nested = (levels: number, leaf: string) =>
    `${Array.from({ length: levels }, () => 'parent {').join(' ')} ${leaf} ${'}'.repeat(levels)}`;

  it('too deep → refused before any resolver runs', async () => {
    const result = await postGraphQL(
      base,
      `{ resourceProviders(first: 1) { edges { node { ${nested(queryLimits.depth, 'uuid')} } } } }`,
    );
    expect(result.body.errors?.[0]?.message).toMatch(
      new RegExp(`^Query exceeds maximum depth \\(depth: \\d+, max: ${queryLimits.depth}\\)$`),
    );
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: queryLimits.depth });
    expect(result.body.data).toBeNull();
  });

  it('a mutation whose selection is too deep is not executed', async () => {
    await changesNothing(async () => {
      const result = await postGraphQL(
        base,
        `mutation { createResourceProvider(input: { name: "too-deep" }) { ... on ResourceProviderPayload { resourceProvider { ${nested(queryLimits.depth, 'uuid')} } } } }`,
      );
      expect(result.body.errors?.[0]?.message).toMatch(/^Query exceeds maximum depth/);
      expect(result.body.data).toBeNull();
    });
  });

  it('a nullable root field too deep → data: null as a whole, not a null field', async () => {
    const result = await postGraphQL(
      base,
      `{ resourceProvider(uuid: "${host.uuid}") { ${nested(queryLimits.depth, 'uuid')} } }`,
    );
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: queryLimits.depth });
    expect(result.body.errors?.[0]).not.toHaveProperty('path');
    expect(result.body.data).toBeNull();
  });

  it('a shallow mutation beside a too deep one: neither runs', async () => {
    await changesNothing(async () => {
      const result = await postGraphQL(
        base,
        `mutation { shallow: createTrait(input: { name: "CUSTOM_SHALLOW_BESIDE_DEEP" }) { __typename }
          deep: createResourceProvider(input: { name: "too-deep-2" }) { ... on ResourceProviderPayload { resourceProvider { ${nested(queryLimits.depth, 'uuid')} } } } }`,
      );
      expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_DEEP']);
      expect(result.body.data).toBeNull();
    });
  });

  it('a refused operation reports no deprecated members: it did not run', async () => {
    const result = await postGraphQL(
      base,
      `{ resourceProvider(uuid: "${host.uuid}") { usages { used } ${nested(queryLimits.depth, 'uuid')} } }`,
      undefined,
      { headers: { 'Placement-API-Version': '1.1' } },
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    expect((result.body as { extensions?: unknown }).extensions).toBeUndefined();
    expect(result.headers.get('deprecation')).toBeNull();
  });

  it('the operation measured is the one operationName selects', async () => {
    const document = `query Shallow { cells(first: 1) { totalCount } }
      query Deep { resourceProvider(uuid: "${host.uuid}") { ${nested(queryLimits.depth, 'uuid')} } }`;
    const run = async (operationName: string) =>
      (await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...bearer(TEST_ADMIN_TOKEN),
        },
        body: JSON.stringify({ query: document, operationName }),
      }).then((r) => r.json())) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    expect(await run('Shallow')).toEqual({ data: { cells: { totalCount: 0 } } });
    const deep = await run('Deep');
    expect(deep.data).toBeNull();
    expect(deep.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('too broad (more fields than the breadth limit) → refused', async () => {
    const fields = Array.from(
      { length: Math.ceil(queryLimits.breadth / 2) + 1 },
      () => '... on Cell { uuid name }',
    ).join(' ');
    const result = await postGraphQL(base, `{ cells(first: 1) { edges { node { ${fields} } } } }`);
    expect(result.body.errors?.[0]?.message).toMatch(
      new RegExp(`^Query exceeds maximum breadth \\(breadth: \\d+, max: ${queryLimits.breadth}\\)$`),
    );
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_BROAD', limit: queryLimits.breadth });
    expect(result.body.data).toBeNull();
  });

  it('too costly (nested lists multiply) → refused', async () => {
    const children = (levels: number) =>
      `${Array.from({ length: levels }, () => 'children {').join(' ')} inventories { total } ${'}'.repeat(levels)}`;
    const result = await postGraphQL(base, `{ resourceProviders(first: 100) { edges { node { ${children(5)} } } } }`);
    expect(result.body.errors?.[0]?.message).toMatch(
      new RegExp(`^Query exceeds maximum complexity \\(complexity: \\d+, max: ${queryLimits.complexity}\\)$`),
    );
    expect(result.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: queryLimits.complexity,
    });
    expect(result.body.data).toBeNull();
  });

  it(`nodes(ids:) takes at most ${VERSION_BEHAVIOUR['1.0'].maxNodeIds} ids; the cap itself is allowed`, async () => {
    const max = VERSION_BEHAVIOUR['1.0'].maxNodeIds;
    const id = Buffer.from(`ResourceProvider:${host.uuid}`).toString('base64');
    const atCap = await postGraphQL<{ nodes: unknown[] }>(base, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: Array.from({ length: max }, () => id),
    });
    expect(atCap.body.errors).toBeUndefined();
    expect(atCap.body.data?.nodes).toHaveLength(max);
    const over = await postGraphQL(base, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: Array.from({ length: max + 1 }, () => id),
    });
    expect(over.body.errors?.[0]).toMatchObject({
      message: `ids: at most ${max} per request (got ${max + 1})`,
      extensions: { code: 'INVALID_INPUT', field: 'ids', rule: `max:${max}` },
    });
  });
});

describe('input lists have documented maximums', () => {
  const uuids = (n: number) => Array.from({ length: n }, () => randomUUID());
  const vcpu = [{ resourceClass: 'VCPU', amount: 1 }];
  const consumer = () => ({ consumerUuid: randomUUID(), projectId: 'limits', userId: 'limits' });
  const alternate = (allocations: number, resources = 1) => ({
    providerUuid: host.uuid,
    allocations: Array.from({ length: allocations }, () => ({
      providerUuid: randomUUID(),
      resources: Array.from({ length: resources }, (_, i) => ({ resourceClass: `CUSTOM_R${i}`, amount: 1 })),
    })),
  });
  const distinctClasses = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ resourceClass: `CUSTOM_R${i}`, amount: 1 }));

  const cases: {
    name: string;
    mutation: string;
    inputType: string;
    input: () => Record<string, unknown>;
    field: string;
    rule: string;
  }[] = [
    {
      name: 'setInventories: 1001 inventories',
      mutation: 'setInventories',
      inputType: 'SetInventoriesInput',
      input: () => ({
        providerUuid: host.uuid,
        generation: host.generation,
        inventories: Array.from({ length: 1001 }, (_, i) => ({ resourceClass: `CUSTOM_INV_${i}`, total: 1 })),
      }),
      field: 'inventories',
      rule: 'max:1000',
    },
    {
      name: 'setProviderTraits: 1001 traits',
      mutation: 'setProviderTraits',
      inputType: 'SetProviderTraitsInput',
      input: () => ({
        providerUuid: host.uuid,
        generation: host.generation,
        traits: Array.from({ length: 1001 }, (_, i) => `CUSTOM_TRAIT_${i}`),
      }),
      field: 'traits',
      rule: 'max:1000',
    },
    {
      name: 'setProviderAggregates: 1001 aggregates',
      mutation: 'setProviderAggregates',
      inputType: 'SetProviderAggregatesInput',
      input: () => ({ providerUuid: host.uuid, generation: host.generation, aggregates: uuids(1001) }),
      field: 'aggregates',
      rule: 'max:1000',
    },
    {
      name: 'setAllocations: 1001 allocations',
      mutation: 'setAllocations',
      inputType: 'SetAllocationsInput',
      input: () => ({
        ...consumer(),
        consumerGeneration: null,
        allocations: uuids(1001).map((providerUuid) => ({ providerUuid, resources: vcpu })),
      }),
      field: 'allocations',
      rule: 'max:1000',
    },
    {
      name: 'setAllocations: 101 resources on one provider',
      mutation: 'setAllocations',
      inputType: 'SetAllocationsInput',
      input: () => ({
        ...consumer(),
        consumerGeneration: null,
        allocations: [{ providerUuid: host.uuid, resources: distinctClasses(101) }],
      }),
      field: 'allocations[0].resources',
      rule: 'max:100',
    },
    {
      name: 'moveAllocations: 1001 consumers',
      mutation: 'moveAllocations',
      inputType: 'MoveAllocationsInput',
      input: () => ({
        consumers: Array.from({ length: 1001 }, () => ({ ...consumer(), consumerGeneration: null, allocations: [] })),
      }),
      field: 'consumers',
      rule: 'max:1000',
    },
    {
      name: 'claim: 101 consumers',
      mutation: 'claim',
      inputType: 'ClaimInput',
      input: () => ({ consumers: Array.from({ length: 101 }, consumer), request: { resources: vcpu }, alternates: 0 }),
      field: 'consumers',
      rule: 'max:100',
    },
    {
      name: 'claim: 1001 candidates',
      mutation: 'claim',
      inputType: 'ClaimInput',
      input: () => ({ consumers: [consumer()], request: { resources: vcpu }, alternates: 0, candidates: uuids(1001) }),
      field: 'candidates',
      rule: 'max:1000',
    },
    {
      name: 'claim: 51 requested classes',
      mutation: 'claim',
      inputType: 'ClaimInput',
      input: () => ({ consumers: [consumer()], request: { resources: distinctClasses(51) }, alternates: 0 }),
      field: 'request.resources',
      rule: 'max:50',
    },
    {
      name: 'claim: 101 required traits',
      mutation: 'claim',
      inputType: 'ClaimInput',
      input: () => ({
        consumers: [consumer()],
        request: { resources: vcpu, requiredTraits: Array.from({ length: 101 }, (_, i) => `CUSTOM_T${i}`) },
        alternates: 0,
      }),
      field: 'request.requiredTraits',
      rule: 'max:100',
    },
    {
      name: 'reschedule: 101 alternates',
      mutation: 'reschedule',
      inputType: 'RescheduleInput',
      input: () => ({
        consumerUuid: randomUUID(),
        consumerGeneration: 1,
        alternates: Array.from({ length: 101 }, () => alternate(1)),
      }),
      field: 'alternates',
      rule: 'max:100',
    },
    {
      name: 'reschedule: an alternate with 51 allocations',
      mutation: 'reschedule',
      inputType: 'RescheduleInput',
      input: () => ({ consumerUuid: randomUUID(), consumerGeneration: 1, alternates: [alternate(51)] }),
      field: 'alternates[0].allocations',
      rule: 'max:50',
    },
    {
      name: 'reschedule: an allocation with 51 resources',
      mutation: 'reschedule',
      inputType: 'RescheduleInput',
      input: () => ({ consumerUuid: randomUUID(), consumerGeneration: 1, alternates: [alternate(1, 51)] }),
      field: 'alternates[0].allocations[0].resources',
      rule: 'max:50',
    },
  ];

  for (const c of cases) {
    it(`${c.name} → InvalidInput { field: ${c.field}, rule: ${c.rule} }, nothing changed`, async () => {
      await changesNothing(async () => {
        const result = await env.gql<Record<string, unknown>>(
          `mutation($input: ${c.inputType}!) { ${c.mutation}(input: $input) { ${ERROR_FIELDS} } }`,
          { input: c.input() },
        );
        expect(result.errors).toBeUndefined();
        expect(result.data?.[c.mutation]).toMatchObject({
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: c.field,
          rule: c.rule,
        });
      });
    });
  }

  it('allocationCandidates: 51 requested classes → InvalidInput max:50', async () => {
    const result = await env.gql<{ allocationCandidates: unknown }>(
      `{ allocationCandidates(request: { resources: ${JSON.stringify(distinctClasses(51)).replace(/"(\w+)":/g, '$1:')} }) { __typename ... on InvalidInput { field rule } } }`,
    );
    expect(result.data?.allocationCandidates).toEqual({
      __typename: 'InvalidInput',
      field: 'request.resources',
      rule: 'max:50',
    });
  });

  it('resourceProviders filter: 101 required traits → INVALID_INPUT error naming field and rule', async () => {
    const result = await env.gql(
      'query($traits: [String!]) { resourceProviders(first: 1, filter: { requiredTraits: $traits }) { totalCount } }',
      {
        traits: Array.from({ length: 101 }, (_, i) => `CUSTOM_T${i}`),
      },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', rule: 'max:100' });
    expect(String(result.errors?.[0]?.extensions?.field)).toMatch(/requiredTraits$/);
  });
});

describe('limit settings', () => {
  it('are read from the environment, with the documented defaults', () => {
    const defaults = loadConfig({});
    expect({
      DB_STATEMENT_TIMEOUT_MS: defaults.DB_STATEMENT_TIMEOUT_MS,
      MAX_INFLIGHT_REQUESTS: defaults.MAX_INFLIGHT_REQUESTS,
      MAX_REQUEST_BYTES: defaults.MAX_REQUEST_BYTES,
      MAX_DOCUMENT_TOKENS: defaults.MAX_DOCUMENT_TOKENS,
      MAX_ALIASES: defaults.MAX_ALIASES,
    }).toEqual({
      DB_STATEMENT_TIMEOUT_MS: 30_000,
      MAX_INFLIGHT_REQUESTS: 200,
      MAX_REQUEST_BYTES: 1_048_576,
      MAX_DOCUMENT_TOKENS: 2_000,
      MAX_ALIASES: 20,
    });
    const set = loadConfig({
      DB_STATEMENT_TIMEOUT_MS: '0',
      MAX_INFLIGHT_REQUESTS: '7',
      MAX_REQUEST_BYTES: '4096',
      MAX_DOCUMENT_TOKENS: '500',
      MAX_ALIASES: '3',
    });
    expect([
      set.DB_STATEMENT_TIMEOUT_MS,
      set.MAX_INFLIGHT_REQUESTS,
      set.MAX_REQUEST_BYTES,
      set.MAX_DOCUMENT_TOKENS,
      set.MAX_ALIASES,
    ]).toEqual([0, 7, 4096, 500, 3]);
  });

  it('a nonsensical value stops start-up with a message naming the setting', () => {
    expect(() => loadConfig({ MAX_INFLIGHT_REQUESTS: '0' })).toThrow(/MAX_INFLIGHT_REQUESTS/);
    expect(() => loadConfig({ MAX_REQUEST_BYTES: 'lots' })).toThrow(/MAX_REQUEST_BYTES/);
  });
});
