import { randomUUID } from 'node:crypto';
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role, roleAtLeast } from '../src/auth/actor.js';
import { answersTypedForbidden, ROOT_FIELD_RULES, requiredRole } from '../src/schema/authorization.js';
import RootFieldRulesPlugin from '../src/schema/authorization-plugin.js';
import { schemas } from '../src/schema/index.js';
import { type ApiVersion, HEAD_VERSION, SERVED_VERSIONS } from '../src/versions.js';
import { hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * The role matrix, as Placement's RBAC tests walk theirs: every root field of every version
 * (the released ones and the head) × ADMIN, SCHEDULER, READER and no token. Built from the
 * schemas, so a new root field gets its row here without anyone writing it. A refused field
 * answers FORBIDDEN naming the field and the role it needs (401 without a token), and a
 * refused mutation writes nothing: every table is compared before and after, and the
 * mutations that matter most are sent with inputs that would succeed. From 1.2 on a refused
 * mutation answers its union's typed `Forbidden` member instead of the error. Callers confined
 * to another project are walked over the consumer, allocation and usage fields too.
 */

const VERSIONS: readonly ApiVersion[] = [...SERVED_VERSIONS, HEAD_VERSION];
type Caller = Role | 'anonymous';
const CALLERS: readonly Caller[] = [...ROLES, 'anonymous'];

let env: TestEnv;
const tokens = {} as Record<Role, string>;
let host: { uuid: string; generation: number };
let emptyHost: { uuid: string; generation: number };
const consumer = { uuid: randomUUID(), generation: 0 };

beforeAll(async () => {
  env = await createTestEnv({ poolMax: 4, access: { serveHead: true } });
  tokens.ADMIN = env.adminToken;
  tokens.SCHEDULER = await env.createToken('SCHEDULER', { name: 'matrix-scheduler' });
  tokens.READER = await env.createToken('READER', { name: 'matrix-reader' });
  await env.createToken('ADMIN', { name: 'matrix-second-admin' });
  host = await hostWith(env, 'matrix-host', { VCPU: 64, MEMORY_MB: 65536 });
  emptyHost = await hostWith(env, 'matrix-empty-host', { VCPU: 1 });
  const written = await env.gql<{ setAllocations: { __typename: string } }>(
    `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { __typename } }`,
    {
      input: {
        consumerUuid: consumer.uuid,
        consumerGeneration: null,
        projectId: 'matrix',
        userId: 'matrix',
        allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
      },
    },
  );
  expect(written.data?.setAllocations.__typename).toBe('AllocationsPayload');
  consumer.generation = 1;
});
afterAll(async () => env?.close());

/** A value of `type` that passes GraphQL validation (required fields only, empty lists). */
function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields()))
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = placeholder(field.type);
    return value;
  }
  if (isScalarType(type)) {
    const byScalar: Record<string, unknown> = {
      String: 'matrix-placeholder',
      ID: '1',
      Int: 1,
      Float: 1,
      Boolean: false,
      UUID: '00000000-0000-4000-8000-000000000000',
      SafeInt: 1,
      DateTime: '2026-01-01T00:00:00Z',
    };
    if (!(type.name in byScalar)) throw new Error(`the matrix has no placeholder for scalar ${type.name}`);
    return byScalar[type.name];
  }
  throw new Error(`no placeholder for ${String(type)}`);
}

/**
 * Inputs that succeed for an allowed caller, for the writes whose refusal matters most: a
 * refused call with them proves the refusal came before any work. (The end of this file
 * checks that ADMIN indeed succeeds with a few of them.)
 */
function liveInput(field: string): Record<string, unknown> | undefined {
  const n = randomUUID().slice(0, 8);
  const inputs: Record<string, Record<string, unknown>> = {
    createCell: { name: `matrix-cell-${n}` },
    createAggregate: { name: `matrix-aggregate-${n}` },
    createTrait: { name: `CUSTOM_MATRIX_${n.toUpperCase()}` },
    createResourceClass: { name: `CUSTOM_MATRIX_${n.toUpperCase()}` },
    createResourceProvider: { name: `matrix-provider-${n}` },
    deleteResourceProvider: { uuid: emptyHost.uuid, generation: emptyHost.generation },
    updateResourceProvider: { uuid: host.uuid, generation: host.generation, name: `renamed-${n}` },
    setInventories: {
      providerUuid: host.uuid,
      generation: host.generation,
      inventories: [{ resourceClass: 'VCPU', total: 128 }],
    },
    setProviderTraits: { providerUuid: host.uuid, generation: host.generation, traits: ['HW_CPU_X86_AVX'] },
    setAllocations: {
      consumerUuid: consumer.uuid,
      consumerGeneration: consumer.generation,
      projectId: 'thief',
      userId: 'mallory',
      allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 2 }] }],
    },
    deleteAllocations: { consumerUuid: consumer.uuid, consumerGeneration: consumer.generation },
    moveAllocations: {
      consumers: [
        {
          consumerUuid: consumer.uuid,
          consumerGeneration: consumer.generation,
          projectId: 'matrix',
          userId: 'matrix',
          allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 3 }] }],
        },
      ],
    },
    reschedule: {
      consumerUuid: consumer.uuid,
      consumerGeneration: consumer.generation,
      alternates: [
        {
          providerUuid: host.uuid,
          allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 4 }] }],
        },
      ],
    },
    claim: {
      consumers: [{ consumerUuid: randomUUID(), projectId: 'matrix', userId: 'matrix' }],
      request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
      alternates: 0,
    },
    createApiToken: { name: `matrix-created-${n}`, role: 'ADMIN' },
    // The importer (1.4): a batch that adds a custom trait.
    importPlacementState: { batches: [{ traits: [`CUSTOM_MATRIX_IMPORT_${n.toUpperCase()}`] }] },
    revokeApiToken: { name: 'matrix-second-admin' },
  };
  return inputs[field];
}

function operation(
  kind: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  live: boolean,
): { query: string; variables: Record<string, unknown> } {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const variables: Record<string, unknown> = {};
  for (const arg of required) {
    const input = live && arg.name === 'input' ? liveInput(field.name) : undefined;
    variables[arg.name] = input ?? placeholder(arg.type);
  }
  const declared = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(field.type);
  const typedForbidden = isUnionType(named) && named.getTypes().some((t) => t.name === 'Forbidden');
  const selection = isLeafType(named)
    ? ''
    : typedForbidden
      ? ' { __typename ... on Forbidden { code message forbiddenReason requiredRole role inputField } }'
      : ' { __typename }';
  const query = `${kind}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`;
  return { query, variables };
}

/** Every table's content (api_tokens without last_used_at, which reading refreshes), by table. */
async function tableDigests(): Promise<Record<string, string>> {
  const tables = await env.sql<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
  );
  const digests: Record<string, string> = {};
  for (const { name } of tables) {
    const row = name === 'api_tokens' ? '(t.id, t.name, t.role, t.project_id, t.secret_hash, t.revoked_at)' : 't';
    const [digest] = await env.sql<{ d: string | null; n: number }>(
      `SELECT md5(string_agg(${row}::text, '|' ORDER BY ${row}::text)) AS d, count(*)::int AS n FROM "${name}" t`,
    );
    digests[name] = `${digest?.n}:${digest?.d}`;
  }
  return digests;
}

interface Reply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function call(
  caller: Caller,
  version: ApiVersion,
  request: { query: string; variables: Record<string, unknown> },
): Promise<Reply> {
  const client = env.as(caller === 'anonymous' ? null : tokens[caller]);
  const response = await client.post(request, { 'Placement-API-Version': version });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

function rootFields(
  schema: GraphQLSchema,
): { kind: 'query' | 'mutation'; type: GraphQLObjectType; field: GraphQLField<unknown, unknown> }[] {
  const roots = [
    { kind: 'query' as const, type: schema.getQueryType()! },
    { kind: 'mutation' as const, type: schema.getMutationType()! },
  ];
  return roots.flatMap(({ kind, type }) => Object.values(type.getFields()).map((field) => ({ kind, type, field })));
}

describe('the rule table', () => {
  it('has a row for every root field of every version, and no row for a field no version has', () => {
    const fields = new Set(
      VERSIONS.flatMap((v) => rootFields(schemas[v]).map(({ type, field }) => `${type.name}.${field.name}`)),
    );
    const rows = new Set(
      Object.entries(ROOT_FIELD_RULES).flatMap(([type, rules]) => Object.keys(rules).map((f) => `${type}.${f}`)),
    );
    expect([...rows].sort()).toEqual([...fields].sort());
  });

  it('says what the roles are for: READER never writes, SCHEDULER writes allocations only, tokens are ADMIN only', () => {
    const mutations: [string, Role][] = Object.entries(ROOT_FIELD_RULES.Mutation);
    expect(mutations.filter(([, role]) => role === 'READER')).toEqual([]);
    expect(
      mutations
        .filter(([, role]) => role === 'SCHEDULER')
        .map(([name]) => name)
        .sort(),
    ).toEqual(['claim', 'deleteAllocations', 'moveAllocations', 'reschedule', 'setAllocations']);
    for (const field of ['apiTokens', 'createApiToken', 'revokeApiToken'])
      expect(requiredRole(field === 'apiTokens' ? 'Query' : 'Mutation', field)).toBe('ADMIN');
    // The importer sets generations, which no other write may: ADMIN only.
    expect(requiredRole('Mutation', 'importPlacementState')).toBe('ADMIN');
    expect(requiredRole('Query', 'explainPlacement')).toBe('SCHEDULER');
    expect(requiredRole('Query', 'allocationCandidates')).toBe('SCHEDULER');
  });

  it('a schema with a root field that has no row does not build', () => {
    // The project's builder options require the prisma plugin's settings; this schema needs only the two plugins.
    const options = {
      plugins: [ScopeAuthPlugin, RootFieldRulesPlugin],
      scopeAuth: {
        authScopes: (ctx: { role: Role }) => ({ role: (required: Role) => roleAtLeast(ctx.role, required) }),
      },
    };
    const builder = new SchemaBuilder<{ Context: { role: Role }; AuthScopes: { role: Role } }>(options as never);
    builder.queryType({ fields: (t) => ({ cells: t.string({ resolve: () => 'ok' }) }) });
    expect(() => builder.toSchema()).not.toThrow();
    builder.queryField('unruledField', (t) => t.string({ resolve: () => 'leak' }));
    expect(() => builder.toSchema()).toThrow(/Query\.unruledField has no authorization rule/);
  });
});

describe.each(VERSIONS.map((version) => [version]))('API %s: every root field × every caller', (version) => {
  for (const { kind, type, field } of rootFields(schemas[version])) {
    const required = requiredRole(type.name, field.name);
    for (const caller of CALLERS) {
      const allowed = caller !== 'anonymous' && required !== undefined && roleAtLeast(caller, required);
      const verdict = caller === 'anonymous' ? '401' : allowed ? 'allowed' : 'FORBIDDEN';
      it(`${type.name}.${field.name} as ${caller}: ${verdict}`, async () => {
        // A refused call gets the inputs that would succeed; an allowed one placeholders (it may fail typed).
        const request = operation(kind, field, !allowed);
        const before = allowed ? undefined : await tableDigests();
        const reply = await call(caller, version, request);
        const codes = (reply.body.errors ?? []).map((e) => e.extensions?.code);
        if (caller === 'anonymous') {
          expect([reply.status, codes]).toEqual([401, ['UNAUTHENTICATED']]);
        } else if (allowed) {
          expect(reply.status).not.toBe(401);
          expect(codes).not.toContain('FORBIDDEN');
        } else if (kind === 'mutation' && answersTypedForbidden(version)) {
          expect(reply.status).toBe(200);
          expect(reply.body.errors, JSON.stringify(reply.body)).toBeUndefined();
          const refusal = reply.body.data?.[field.name] as Record<string, unknown>;
          expect(refusal).toMatchObject({
            __typename: 'Forbidden',
            code: 'FORBIDDEN',
            forbiddenReason: 'ROLE',
            requiredRole: required,
            role: caller,
          });
          expect(refusal.message).toContain(`${field.name} needs role ${required}`);
        } else {
          expect(codes, JSON.stringify(reply.body)).toEqual(['FORBIDDEN']);
          const error = reply.body.errors![0]!;
          expect(error.message).toContain(field.name);
          expect(error.message).toContain(`needs role ${required}`);
          expect(error.extensions).toMatchObject({ operation: field.name, requiredRole: required, role: caller });
          expect(reply.body.data?.[field.name] ?? null).toBeNull();
        }
        if (before) expect(await tableDigests()).toEqual(before);
      });
    }
  }
});

describe('the live inputs are live', () => {
  it('ADMIN succeeds with the inputs the refused callers sent', async () => {
    for (const field of ['createCell', 'createTrait', 'setAllocations', 'createApiToken', 'importPlacementState']) {
      const mutation = schemas[HEAD_VERSION].getMutationType()!.getFields()[field]!;
      const reply = await call('ADMIN', HEAD_VERSION, operation('mutation', mutation, true));
      const typename = (reply.body.data?.[field] as { __typename?: string } | undefined)?.__typename;
      expect(typename, `${field}: ${JSON.stringify(reply.body)}`).toMatch(/Payload$/);
    }
  });
});

/**
 * Callers confined to a project that is not the consumer's: the consumer, allocation and
 * usage fields as a READER and a SCHEDULER of project 'elsewhere', with inputs that would succeed
 * for an unconfined caller. Nothing is seen or written.
 */
describe.each(VERSIONS.map((version) => [version]))('API %s: callers confined to another project', (version) => {
  const confined = {} as Record<'READER' | 'SCHEDULER', string>;
  beforeAll(async () => {
    confined.READER = await env.createToken('READER', {
      name: `matrix-elsewhere-reader-${version}`,
      projectId: 'elsewhere',
    });
    confined.SCHEDULER = await env.createToken('SCHEDULER', {
      name: `matrix-elsewhere-scheduler-${version}`,
      projectId: 'elsewhere',
    });
  });

  async function send(role: 'READER' | 'SCHEDULER', request: { query: string; variables: Record<string, unknown> }) {
    const response = await env.as(confined[role]).post(request, { 'Placement-API-Version': version });
    return { status: response.status, body: (await response.json()) as Reply['body'] };
  }

  for (const role of ['READER', 'SCHEDULER'] as const) {
    it(`as a ${role} of another project: consumer(uuid) is null, usages(projectId) FORBIDDEN`, async () => {
      const seen = await send(role, {
        query: 'query($u: String!) { consumer(uuid: $u) { uuid } }',
        variables: { u: consumer.uuid },
      });
      expect(seen.body).toEqual({ data: { consumer: null } });
      const usages = await send(role, { query: '{ usages(projectId: "matrix") { consumerCount } }', variables: {} });
      expect(usages.body.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([
        ['FORBIDDEN', 'PROJECT'],
      ]);
      const own = await send(role, { query: '{ usages(projectId: "elsewhere") { consumerCount } }', variables: {} });
      expect(own.body).toEqual({ data: { usages: { consumerCount: 0 } } });
    });

    for (const field of ['setAllocations', 'moveAllocations', 'deleteAllocations', 'claim', 'reschedule']) {
      const expected = role === 'READER' ? 'ROLE' : 'PROJECT';
      it(`as a ${role} of another project: ${field} is refused (${expected}) and writes nothing`, async () => {
        const mutation = schemas[version].getMutationType()!.getFields()[field]!;
        const before = await tableDigests();
        const reply = await send(role, operation('mutation', mutation, true));
        if (answersTypedForbidden(version)) {
          expect(reply.body.errors, JSON.stringify(reply.body)).toBeUndefined();
          expect(reply.body.data?.[field]).toMatchObject({
            __typename: 'Forbidden',
            code: 'FORBIDDEN',
            forbiddenReason: expected,
          });
        } else {
          const errors = reply.body.errors ?? [];
          expect(
            errors.map((e) => e.extensions?.code),
            JSON.stringify(reply.body),
          ).toEqual(['FORBIDDEN']);
          if (expected === 'PROJECT') expect(errors[0]?.extensions?.reason).toBe('PROJECT');
        }
        expect(await tableDigests()).toEqual(before);
      });
    }
  }
});
