import { ROLES } from '../auth/actor.js';
import { type ApiTokenRecord, createApiToken, revokeApiToken } from '../auth/tokens.js';
import { builder, versionedPageSize } from '../builder.js';
import { since } from '../versions.js';
import { mutationErrors } from './errors.js';
import { writeCaller } from './write-caller.js';

// API tokens (docs/OPERATIONS.md, "Access control"), since 1.2. ADMIN only (src/schema/authorization.ts).
// Secrets are returned once, by createApiToken; nothing here can read a secret or its hash back.

const from12 = since('1.2');

export const ApiTokenRoleEnum = builder.enumType('ApiTokenRole', {
  subGraphs: from12,
  description: 'What a token may do: ADMIN everything, SCHEDULER reads and allocation writes, READER reads.',
  values: ROLES,
});

builder.prismaObject('ApiToken', {
  subGraphs: from12,
  description: 'A bearer token, without its secret (only its hash is stored). Since 1.2.',
  fields: (t) => ({
    id: t.id({ select: { id: true }, resolve: (token) => String(token.id) }),
    name: t.exposeString('name'),
    role: t.field({ type: ApiTokenRoleEnum, select: { role: true }, resolve: (token) => token.role }),
    projectId: t.exposeString('projectId', {
      nullable: true,
      description: 'The project a SCHEDULER or READER token is confined to; null for every project.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Last request made with it, to the minute; null if never used.',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  apiTokens: t.prismaConnection(
    {
      type: 'ApiToken',
      cursor: 'id',
      subGraphs: from12,
      description: 'API tokens in creation order; live ones only unless includeRevoked. Since 1.2.',
      args: { includeRevoked: t.arg.boolean({ defaultValue: false }) },
      ...versionedPageSize,
      totalCount: (_connection, args, ctx) =>
        ctx.db.prisma.apiToken.count({ where: args.includeRevoked ? {} : { revokedAt: null } }),
      resolve: (query, _root, args, ctx) =>
        ctx.db.prisma.apiToken.findMany({
          ...query,
          where: args.includeRevoked ? {} : { revokedAt: null },
          orderBy: { id: 'asc' },
        }),
    },
    { name: 'ApiTokenConnection', subGraphs: from12 },
    { name: 'ApiTokenEdge', subGraphs: from12 },
  ),
}));

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  subGraphs: from12,
  fields: (t) => ({
    name: t.string({
      required: true,
      description:
        '1–63 characters: lower-case letters, digits, ".", "_", "-", starting with a letter or digit; unique among live tokens.',
    }),
    role: t.field({ type: ApiTokenRoleEnum, required: true }),
    projectId: t.string({
      description: 'Confines a SCHEDULER or READER token to one project; must be null for ADMIN.',
    }),
  }),
});

const CreateApiTokenPayload = builder
  .objectRef<{ token: ApiTokenRecord; secret: string }>('CreateApiTokenPayload')
  .implement({
    subGraphs: from12,
    fields: (t) => ({
      token: t.prismaField({
        type: 'ApiToken',
        resolve: (query, payload, _args, ctx) =>
          ctx.db.prisma.apiToken.findUniqueOrThrow({ ...query, where: { id: payload.token.id } }),
      }),
      secret: t.exposeString('secret', {
        description: 'Send as `Authorization: Bearer <secret>`. Shown only here: the gateway keeps only its hash.',
      }),
    }),
  });

const RevokeApiTokenInput = builder.inputType('RevokeApiTokenInput', {
  subGraphs: from12,
  description: 'Exactly one of id and name (a live token).',
  fields: (t) => ({ id: t.id(), name: t.string() }),
});

const ApiTokenPayload = builder.objectRef<{ token: ApiTokenRecord }>('ApiTokenPayload').implement({
  subGraphs: from12,
  fields: (t) => ({
    token: t.prismaField({
      type: 'ApiToken',
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.apiToken.findUniqueOrThrow({ ...query, where: { id: payload.token.id } }),
    }),
  }),
});

const tokenErrors = { ...mutationErrors, union: { subGraphs: from12 }, result: { subGraphs: from12 } };

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    subGraphs: from12,
    errors: tokenErrors,
    description: 'A new token; its secret is in the payload, once. Since 1.2.',
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_root, { input }, ctx) => createApiToken(ctx.db.pool, input, writeCaller(ctx, 'createApiToken')),
  }),
  revokeApiToken: t.field({
    type: ApiTokenPayload,
    subGraphs: from12,
    errors: tokenErrors,
    description:
      'Revokes a live token by id or name: the next request with it gets 401. The last live ADMIN token cannot be revoked. Since 1.2.',
    args: { input: t.arg({ type: RevokeApiTokenInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      token: await revokeApiToken(
        ctx.db.pool,
        { id: input.id == null ? null : String(input.id), name: input.name },
        writeCaller(ctx, 'revokeApiToken'),
      ),
    }),
  }),
}));
