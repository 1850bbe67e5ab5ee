import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemas } from '../src/schema/index.js';
import type { ApiVersion } from '../src/versions.js';
import { ERROR_FIELDS } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * Token management, released in API 1.2 (served as `npm start` serves it, no head needed):
 * create → use → list → revoke → 401, and the input rules.
 */

const V: ApiVersion = '1.2';
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv({ poolMax: 4 });
});
afterAll(async () => env?.close());

interface TokenView {
  id: string;
  name: string;
  role: string;
  projectId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
const TOKEN_FIELDS = 'id name role projectId createdAt lastUsedAt revokedAt';

type Result = { __typename: string; code?: string; field?: string; rule?: string; [key: string]: unknown };

async function create(input: Record<string, unknown>): Promise<Result & { secret?: string; token?: TokenView }> {
  const reply = await env.gql<{ createApiToken: Result & { secret?: string; token?: TokenView } }>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
       ${ERROR_FIELDS} ... on CreateApiTokenPayload { secret token { ${TOKEN_FIELDS} } } } }`,
    { input },
    V,
  );
  if (!reply.data) throw new Error(JSON.stringify(reply));
  return reply.data.createApiToken;
}

async function revoke(input: Record<string, unknown>): Promise<Result & { token?: TokenView }> {
  const reply = await env.gql<{ revokeApiToken: Result & { token?: TokenView } }>(
    `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) {
       ${ERROR_FIELDS} ... on ApiTokenPayload { token { ${TOKEN_FIELDS} } } } }`,
    { input },
    V,
  );
  if (!reply.data) throw new Error(JSON.stringify(reply));
  return reply.data.revokeApiToken;
}

async function list(args = ''): Promise<{ totalCount: number; names: string[] }> {
  const reply = await env.gql<{ apiTokens: { totalCount: number; edges: { node: TokenView }[] } }>(
    `{ apiTokens${args} { totalCount edges { node { ${TOKEN_FIELDS} } } } }`,
    {},
    V,
  );
  if (!reply.data) throw new Error(JSON.stringify(reply));
  return { totalCount: reply.data.apiTokens.totalCount, names: reply.data.apiTokens.edges.map((e) => e.node.name) };
}

describe('token lifecycle', () => {
  it('create → use → list → revoke → 401', async () => {
    const created = await create({ name: 'ci-reader', role: 'READER', projectId: 'proj-a' });
    expect(created.__typename).toBe('CreateApiTokenPayload');
    expect(created.secret).toMatch(/^pgw_[A-Za-z0-9_-]{43}$/);
    expect(created.token).toMatchObject({ name: 'ci-reader', role: 'READER', projectId: 'proj-a', revokedAt: null });

    const used = await env.as(created.secret!).gql<{ cells: { totalCount: number } }>('{ cells { totalCount } }');
    expect(used).toEqual({ data: { cells: { totalCount: 0 } } });

    const listed = await list();
    expect(listed.names).toContain('ci-reader');
    expect(listed.totalCount).toBe(listed.names.length);

    const revoked = await revoke({ name: 'ci-reader' });
    expect(revoked.__typename).toBe('ApiTokenPayload');
    expect(revoked.token?.revokedAt).not.toBeNull();

    const after = await env.as(created.secret!).post({ query: '{ cells { totalCount } }' });
    expect(after.status).toBe(401);
    expect((await list()).names).not.toContain('ci-reader');
    expect((await list('(includeRevoked: true)')).names).toContain('ci-reader');
  });

  it('revokes by id too, and a revoked name can be reused', async () => {
    const first = await create({ name: 'rotating', role: 'SCHEDULER' });
    expect((await revoke({ id: first.token!.id })).__typename).toBe('ApiTokenPayload');
    const second = await create({ name: 'rotating', role: 'SCHEDULER' });
    expect(second.__typename).toBe('CreateApiTokenPayload');
    expect(second.token!.id).not.toBe(first.token!.id);
  });

  it('pages with first/after and counts what the filter selects', async () => {
    for (const n of [1, 2, 3]) await create({ name: `paged-${n}`, role: 'READER' });
    const all = await list();
    const page = await env.gql<{
      apiTokens: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: TokenView }[];
      };
    }>('{ apiTokens(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }', {}, V);
    expect(page.data?.apiTokens.edges.map((e) => e.node.name)).toEqual(all.names.slice(0, 2));
    expect(page.data?.apiTokens.totalCount).toBe(all.totalCount);
    const next = await env.gql<{ apiTokens: { edges: { node: TokenView }[] } }>(
      '{ apiTokens(first: 2, after: $after) { edges { node { name } } } }'.replace(
        '$after',
        JSON.stringify(page.data!.apiTokens.pageInfo.endCursor),
      ),
      {},
      V,
    );
    expect(next.data?.apiTokens.edges.map((e) => e.node.name)).toEqual(all.names.slice(2, 4));
  });

  it('a secret or its hash cannot be read back: ApiToken has no such field', () => {
    const type = schemas[V].getType('ApiToken');
    expect(isObjectType(type) && Object.keys(type.getFields()).sort()).toEqual(
      ['createdAt', 'id', 'lastUsedAt', 'name', 'projectId', 'revokedAt', 'role'].sort(),
    );
  });

  it('the token fields are not in the versions before 1.2', async () => {
    const reply = await env.gql('{ apiTokens { totalCount } }', {}, '1.1');
    expect(reply.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // The hint names the release that has them.
    expect(reply.errors?.[0]?.message).toContain('`apiTokens` exists from 1.2; send `Placement-API-Version: 1.2`');
  });
});

describe('input rules: a typed error naming the field and the rule, and nothing is created', () => {
  const cases: [string, Record<string, unknown>, Partial<Result>][] = [
    ['an empty name', { name: '', role: 'READER' }, { code: 'INVALID_INPUT', field: 'name', rule: 'minLength:1' }],
    [
      'upper case and spaces',
      { name: 'My Token', role: 'READER' },
      { code: 'INVALID_INPUT', field: 'name', rule: 'pattern:^[a-z0-9][a-z0-9._-]{0,62}$' },
    ],
    [
      '64 characters',
      { name: 'a'.repeat(64), role: 'READER' },
      { code: 'INVALID_INPUT', field: 'name', rule: 'maxLength:63' },
    ],
    [
      'a project on an ADMIN token',
      { name: 'scoped-admin', role: 'ADMIN', projectId: 'p' },
      { code: 'INVALID_INPUT', field: 'projectId', rule: 'null-for-ADMIN' },
    ],
    [
      'an empty projectId',
      { name: 'empty-project', role: 'READER', projectId: '' },
      { code: 'INVALID_INPUT', field: 'projectId' },
    ],
  ];
  for (const [what, input, expected] of cases) {
    it(what, async () => {
      const before = await env.sql('SELECT count(*)::int AS n FROM api_tokens');
      expect(await create(input)).toMatchObject({ __typename: 'InvalidInput', ...expected });
      expect(await env.sql('SELECT count(*)::int AS n FROM api_tokens')).toEqual(before);
    });
  }

  it('a live name twice: AlreadyExists naming the field', async () => {
    expect((await create({ name: 'twice', role: 'READER' })).__typename).toBe('CreateApiTokenPayload');
    expect(await create({ name: 'twice', role: 'SCHEDULER' })).toMatchObject({
      __typename: 'AlreadyExists',
      field: 'name',
      value: 'twice',
    });
  });

  it('revoke needs exactly one of id and name, and a live token', async () => {
    expect(await revoke({})).toMatchObject({ __typename: 'InvalidInput', rule: 'exactly-one-of:id,name' });
    expect(await revoke({ id: '1', name: 'x' })).toMatchObject({
      __typename: 'InvalidInput',
      rule: 'exactly-one-of:id,name',
    });
    expect(await revoke({ name: 'never-was' })).toMatchObject({ __typename: 'NotFound', field: 'name' });
    expect(await revoke({ id: 'abc' })).toMatchObject({ __typename: 'InvalidInput', field: 'id' });
  });

  it('the last live ADMIN token cannot be revoked (nobody could create tokens afterwards)', async () => {
    const [only] = await env.sql<{ name: string }>(
      `SELECT name FROM api_tokens WHERE role = 'ADMIN' AND revoked_at IS NULL`,
    );
    expect(await revoke({ name: only!.name })).toMatchObject({ __typename: 'InUse', resourceType: 'api token' });
    const spare = await create({ name: 'spare-admin', role: 'ADMIN' });
    expect((await revoke({ name: 'spare-admin' })).__typename).toBe('ApiTokenPayload');
    expect(spare.__typename).toBe('CreateApiTokenPayload');
  });
});
