import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import {
  buildSchema,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  printSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySchemaChanges, schemaText } from '../scripts/schema-diff.js';
import { deprecatedUsage } from '../src/schema/deprecated-usage.js';
import { printSortedSchema } from '../src/schema/index.js';
import { applyVersionMetadata, deprecatedFrom, enumValueIn } from '../src/schema/versioning.js';
import {
  type ApiVersion,
  HEAD_VERSION,
  LATEST_VERSION,
  RELEASED_VERSIONS,
  selectVersion,
  VERSION_BEHAVIOUR,
} from '../src/versions.js';
import { hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

const versionsDir = new URL('../schema/versions/', import.meta.url);

let env: TestEnv;
let server: Server;
let base: string;

beforeAll(async () => {
  env = await createTestEnv();
  server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  await hostWith(env, 'versioned-host', { VCPU: 8, MEMORY_MB: 4096 });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await env.close();
});

/** One HTTP reply; `T` is the data shape the caller reads. */
interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: { deprecations?: { member: string }[] };
  };
}

/** A provider listing as these tests read it (each query selects part of it). */
interface ProviderList {
  resourceProviders: { totalCount: number; edges: { node: { inventories: unknown; usages: unknown[] } }[] };
}

async function post<T = unknown>(
  query: string,
  version?: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): Promise<Reply<T>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json',
    ...bearer(TEST_ADMIN_TOKEN),
  };
  if (version !== undefined) headers['Placement-API-Version'] = version;
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables, operationName }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Reply<T>['body'] };
}

const PROVIDERS_QUERY = `{ resourceProviders(first: 5) { totalCount edges { node { name generation inventories { resourceClass total used free } } } } }`;

describe('frozen versions', () => {
  it.each(RELEASED_VERSIONS.map((v) => v.version))(
    'the live %s schema printed sorted equals its frozen file byte for byte',
    (version) => {
      expect(readFileSync(new URL(`${version}.graphql`, versionsDir), 'utf8')).toBe(printSortedSchema(version));
    },
  );

  it('every frozen file is a released version, and every released version has one', () => {
    const files = readdirSync(versionsDir)
      .filter((f) => f.endsWith('.graphql'))
      .sort();
    expect(files).toEqual(RELEASED_VERSIONS.map((v) => `${v.version}.graphql`).sort());
  });

  it('the unreleased head is newer than every released version and is not served', () => {
    expect(RELEASED_VERSIONS.map((v) => v.version)).not.toContain(HEAD_VERSION);
    expect(selectVersion(HEAD_VERSION)).toMatchObject({ ok: false, reason: 'unsupported' });
  });

  it('the behaviour of released versions never changes (page sizes, candidate limits)', () => {
    // A released version's numbers are part of its contract: change them only in a new version.
    const released: Partial<Record<ApiVersion, unknown>> = Object.fromEntries(
      RELEASED_VERSIONS.map((v) => [v.version, VERSION_BEHAVIOUR[v.version]]),
    );
    const frozen = {
      catalogueDefaultPageSize: 100,
      catalogueMaxPageSize: 500,
      defaultPageSize: 20,
      maxPageSize: 100,
      candidateDefaultLimit: 50,
      candidateMaxLimit: 1000,
      maxNodeIds: 500,
    };
    expect(released).toEqual({ '1.0': frozen, '1.1': frozen, '1.2': frozen, '1.3': frozen, '1.4': frozen });
  });
});

describe('breaking-change check (graphql-inspector)', () => {
  it(`the unreleased head has no breaking change against ${LATEST_VERSION}`, async () => {
    const changes = await classifySchemaChanges(schemaText(LATEST_VERSION), schemaText('head'));
    expect(changes.breaking.map((c) => c.message)).toEqual([]);
    expect(changes.intended.map((c) => c.path)).toEqual([]);
  });

  it('each released version is a compatible successor of the one before', async () => {
    const versions = RELEASED_VERSIONS.map((v) => v.version);
    for (let i = 1; i < versions.length; i++) {
      const changes = await classifySchemaChanges(schemaText(versions[i - 1]!), schemaText(versions[i]!));
      expect(
        changes.breaking.map((c) => c.message),
        `${versions[i - 1]} → ${versions[i]}`,
      ).toEqual([]);
      // The only breaking changes ever released, each approved with a reason in scripts/schema-diff.ts
      // (INTENDED_BREAKING_CHANGES): 1.2 requires the provider generation on update and delete.
      expect(changes.intended.map((c) => c.path).sort(), `${versions[i - 1]} → ${versions[i]}`).toEqual(
        versions[i] === '1.2'
          ? ['DeleteResourceProviderInput.generation', 'UpdateResourceProviderInput.generation']
          : [],
      );
    }
  });

  it('flags a removed field and a changed argument type as breaking', async () => {
    const latest = schemaText(LATEST_VERSION);
    const withoutFree = latest.replace(/\n\s*"""\n\s*capacity − used[^\n]*\n\s*"""\n\s*free: SafeInt!/, '');
    expect(withoutFree).not.toBe(latest);
    const changes = await classifySchemaChanges(latest, withoutFree.replace('limit: Int\n', 'limit: String\n'));
    expect(changes.breaking.map((c) => c.path).sort()).toEqual(['Inventory.free', 'Query.allocationCandidates.limit']);
  });
});

describe('version selection over HTTP', () => {
  it('no header is served by 1.0, and the response says so', async () => {
    const reply = await post<ProviderList>(PROVIDERS_QUERY);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('placement-api-version')).toBe('1.0');
    expect(reply.body.data?.resourceProviders.totalCount).toBe(1);
  });

  it.each(['1.0', '1.1', '1.2', '1.3', '1.4', ' 1.4 '])('header %j is served by that version', async (version) => {
    const reply = await post(PROVIDERS_QUERY, version);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('placement-api-version')).toBe(version.trim());
  });

  it.each([
    ['abc', 'malformed'],
    ['1', 'malformed'],
    ['1.1.0', 'malformed'],
    ['9.9', 'unsupported'],
    ['0.9', 'unsupported'],
    [HEAD_VERSION, 'unsupported'],
  ])('header %j is refused before any work, listing what is supported (%s)', async (version, reason) => {
    const before = await env.sql('SELECT count(*)::int AS n FROM resource_providers');
    const reply = await post(
      `mutation { createResourceProvider(input: { name: "should-not-exist" }) { __typename } }`,
      version,
    );
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    const error = reply.body.errors?.[0];
    expect(error?.message).toContain('supported versions are 1.0, 1.1, 1.2, 1.3, 1.4 (min 1.0, max 1.4)');
    expect(error?.extensions).toEqual({
      code: 'UNSUPPORTED_API_VERSION',
      requested: version,
      reason,
      minVersion: '1.0',
      maxVersion: '1.4',
      supportedVersions: ['1.0', '1.1', '1.2', '1.3', '1.4'],
    });
    expect(await env.sql('SELECT count(*)::int AS n FROM resource_providers')).toEqual(before);
  });

  it('a 1.1 field is unknown to a 1.0 request, with a hint naming the version that has it', async () => {
    const query = `{ resourceProviders { edges { node { inventories { resourceClass utilization } } } } }`;
    const old = await post(query, '1.0');
    expect(old.status).toBe(400);
    expect(old.body.errors?.map((e) => e.message)).toEqual([
      'Cannot query field "utilization" on type "Inventory" in API version 1.0; `utilization` exists from 1.1; send `Placement-API-Version: 1.1`',
    ]);
    const current = await post<ProviderList>(query, '1.1');
    expect(current.status).toBe(200);
    const inventories = current.body.data?.resourceProviders.edges[0]?.node.inventories;
    expect(inventories).toEqual([
      { resourceClass: 'MEMORY_MB', utilization: 0 },
      { resourceClass: 'VCPU', utilization: 0 },
    ]);
  });

  it('introspection answers with the requested version only', async () => {
    const query = `{ __type(name: "Inventory") { fields { name } } }`;
    const names = async (version: string) =>
      (
        ((await post<{ __type: { fields: { name: string }[] } }>(query, version)).body.data?.__type.fields ?? []) as {
          name: string;
        }[]
      ).map((f) => f.name);
    expect(await names('1.0')).not.toContain('utilization');
    expect(await names('1.1')).toContain('utilization');
  });

  it('the same operation returns the same result on 1.0 and 1.1', async () => {
    const queries = [
      PROVIDERS_QUERY,
      `{ allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 2 }] }) {
           __typename ... on AllocationCandidates { candidates { weight summaries { resourceClass capacity used } } } } }`,
      `{ resourceClasses(first: 3) { totalCount pageInfo { hasNextPage } edges { node { name } } } }`,
      `mutation { createTrait(input: { name: "HW_NOT_CUSTOM" }) { __typename ... on Error { code message } ... on InvalidInput { field rule } } }`,
    ];
    for (const query of queries) {
      const [old, current] = [await post(query, '1.0'), await post(query, '1.1')];
      expect(old.status).toBe(current.status);
      expect(old.body).toEqual(current.body);
    }
  });

  it('page-size defaults and caps follow the version', async () => {
    const { catalogueDefaultPageSize, catalogueMaxPageSize } = VERSION_BEHAVIOUR['1.0'];
    const count = async (query: string) =>
      (((await post<{ traits: { edges: unknown[] } }>(query, '1.0')).body.data?.traits.edges ?? []) as unknown[])
        .length;
    expect(await count('{ traits { edges { node { name } } } }')).toBe(catalogueDefaultPageSize);
    expect(
      await count(`{ traits(first: ${catalogueMaxPageSize + 50}) { edges { node { name } } } }`),
    ).toBeLessThanOrEqual(catalogueMaxPageSize);
    const tooMany = await post<{ allocationCandidates: unknown }>(
      `{ allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }, limit: 1001) {
      __typename ... on InvalidInput { field rule } } }`,
      '1.0',
    );
    expect(tooMany.body.data?.allocationCandidates).toEqual({
      __typename: 'InvalidInput',
      field: 'limit',
      rule: 'max:1000',
    });
  });
});

describe('deprecation notices', () => {
  const USAGES_QUERY = `{ resourceProviders { edges { node { usages { resourceClass used } } } } }`;

  it('a 1.1 operation touching a deprecated field gets the notice in extensions and headers', async () => {
    const reply = await post<ProviderList>(USAGES_QUERY, '1.1');
    expect(reply.status).toBe(200);
    expect(reply.body.data?.resourceProviders.edges[0]?.node.usages).toHaveLength(2);
    expect(reply.body.extensions?.deprecations).toEqual([
      {
        member: 'ResourceProvider.usages',
        reason:
          'Use `inventories { resourceClass used }` instead. Deprecated in 1.1; removed in 2.0, not before 2027-11-24.',
        since: '1.1',
        removedIn: '2.0',
        removalDate: '2027-11-24',
      },
    ]);
    expect(reply.headers.get('deprecation')).toBe(`@${Date.parse('2026-11-24T00:00:00Z') / 1000}`);
    expect(reply.headers.get('sunset')).toBe('Wed, 24 Nov 2027 00:00:00 GMT');
  });

  it('1.0 does not deprecate retroactively: the same field is plain there', async () => {
    const reply = await post(USAGES_QUERY, '1.0');
    expect(reply.body.extensions?.deprecations).toBeUndefined();
    expect(reply.headers.get('deprecation')).toBeNull();
    expect(reply.headers.get('sunset')).toBeNull();
  });

  it('an operation without deprecated members carries no notice', async () => {
    const reply = await post(PROVIDERS_QUERY, '1.1');
    expect(reply.body.extensions).toBeUndefined();
    expect(reply.headers.get('deprecation')).toBeNull();
  });

  describe('only the operation that ran (operationName) and the fragments it spreads count', () => {
    const TWO_OPERATIONS = `query Plain { resourceProviders { edges { node { uuid } } } }
      query Old { resourceProviders { edges { node { ...Usage } } } }
      fragment Usage on ResourceProvider { usages { resourceClass used } }`;
    const usageCount = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('placement_deprecated_usage_total{version="1.1",member="ResourceProvider.usages"}'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };

    it('a plain operation beside one using a deprecated field gets no notice, header or count', async () => {
      const before = await usageCount();
      const reply = await post<ProviderList>(TWO_OPERATIONS, '1.1', undefined, 'Plain');
      expect(reply.status).toBe(200);
      expect(reply.body.data?.resourceProviders.edges.length).toBeGreaterThan(0);
      expect(reply.body.extensions).toBeUndefined();
      expect(reply.headers.get('deprecation')).toBeNull();
      expect(reply.headers.get('sunset')).toBeNull();
      expect(await usageCount()).toBe(before);
    });

    it('the operation that uses it through a fragment gets the notice', async () => {
      const before = await usageCount();
      const reply = await post(TWO_OPERATIONS, '1.1', undefined, 'Old');
      expect(reply.body.extensions?.deprecations?.map((n: { member: string }) => n.member)).toEqual([
        'ResourceProvider.usages',
      ]);
      expect(reply.headers.get('deprecation')).not.toBeNull();
      expect(await usageCount()).toBe(before + 1);
    });
  });

  it('counts each use per version and member in /metrics', async () => {
    const metric = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('placement_deprecated_usage_total{version="1.1",member="ResourceProvider.usages"}'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = await metric();
    await post(USAGES_QUERY, '1.1');
    await post(USAGES_QUERY, '1.1');
    await post(USAGES_QUERY, '1.0');
    expect(await metric()).toBe(before + 2);
  });
});

describe('version metadata on a small schema', () => {
  // Exercises the parts 1.0 → 1.1 does not: deprecated arguments, input fields and enum values,
  // enum values added and removed, and values passed in variables.
  const Size = new GraphQLEnumType({
    name: 'Size',
    values: {
      SMALL: {},
      LARGE: {},
      HUGE: enumValueIn({ since: '1.1' }),
      TINY: { ...enumValueIn({ until: '1.1' }) },
      MEDIUM: deprecatedFrom({ since: '1.1', replacement: '`LARGE`', removedIn: '2.0', removalDate: '2027-11-24' }),
    },
  });
  const Filter = new GraphQLInputObjectType({
    name: 'Filter',
    fields: {
      size: { type: Size },
      legacyName: {
        type: GraphQLString,
        ...deprecatedFrom({ since: '1.1', replacement: '`name`', removedIn: '2.0', removalDate: '2027-11-24' }),
      },
    },
  });
  const full = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        things: {
          type: new GraphQLList(GraphQLString),
          args: {
            filter: { type: Filter },
            sizes: { type: new GraphQLList(Size) },
            order: {
              type: GraphQLString,
              ...deprecatedFrom({ since: '1.0', replacement: '`sort`', removedIn: '1.2', removalDate: '2027-05-24' }),
            },
          },
        },
      },
    }),
  });

  it('drops enum values outside their versions and deprecates from the right version on', () => {
    const v10 = printSchema(applyVersionMetadata(full, '1.0'));
    const v11 = printSchema(applyVersionMetadata(full, '1.1'));
    expect(v10).toContain('TINY');
    expect(v10).not.toContain('HUGE');
    expect(v10).not.toContain('legacyName: String @deprecated');
    expect(v10).toContain(
      'order: String @deprecated(reason: "Use `sort` instead. Deprecated in 1.0; removed in 1.2, not before 2027-05-24.")',
    );
    expect(v11).toContain('HUGE');
    expect(v11).not.toContain('TINY');
    expect(v11).toContain('MEDIUM @deprecated(reason: "Use `LARGE` instead.');
    expect(v11).toContain('legacyName: String @deprecated');
    buildSchema(v11);
  });

  it('finds deprecated arguments, input fields and enum values in literals and in variables', () => {
    const v11 = applyVersionMetadata(full, '1.1');
    const literal = deprecatedUsage(
      v11,
      parse(`{ things(order: "x", filter: { legacyName: "a", size: MEDIUM }) }`),
      {},
    );
    expect(literal.map((n) => n.member)).toEqual(['Filter.legacyName', 'Query.things(order)', 'Size.MEDIUM']);
    const viaVariables = deprecatedUsage(
      v11,
      parse(`query($f: Filter, $s: [Size]) { things(filter: $f, sizes: $s) }`),
      { f: { legacyName: 'a' }, s: ['SMALL', 'MEDIUM'] },
    );
    expect(viaVariables.map((n) => n.member)).toEqual(['Filter.legacyName', 'Size.MEDIUM']);
    expect(deprecatedUsage(v11, parse(`query($s: [Size]) { things(sizes: $s) }`), { s: ['SMALL'] })).toEqual([]);
    // One parsed document (as yoga's cache hands back) with other variables: its own part is
    // reused, the variables' part is not.
    const reused = parse(`query($s: [Size]) { things(order: "x", sizes: $s) }`);
    expect(deprecatedUsage(v11, reused, { s: ['MEDIUM'] }).map((n) => n.member)).toEqual([
      'Query.things(order)',
      'Size.MEDIUM',
    ]);
    expect(deprecatedUsage(v11, reused, { s: ['SMALL'] }).map((n) => n.member)).toEqual(['Query.things(order)']);
    expect(deprecatedUsage(applyVersionMetadata(full, '1.0'), reused, { s: ['MEDIUM'] }).map((n) => n.member)).toEqual([
      'Query.things(order)',
    ]);
  });

  it("counts only the selected operation's variables and the fragments it spreads", () => {
    const v11 = applyVersionMetadata(full, '1.1');
    const document = parse(`query A($s: [Size]) { things(sizes: $s) }
      query B($f: Filter) { ...WithOrder things(filter: $f) }
      fragment WithOrder on Query { things(order: "x") }`);
    const variables = { s: ['MEDIUM'], f: { legacyName: 'a' } };
    expect(deprecatedUsage(v11, document, variables, 'A').map((n) => n.member)).toEqual(['Size.MEDIUM']);
    expect(deprecatedUsage(v11, document, variables, 'B').map((n) => n.member)).toEqual([
      'Filter.legacyName',
      'Query.things(order)',
    ]);
    expect(deprecatedUsage(v11, document, variables, 'Missing')).toEqual([]);
  });
});
