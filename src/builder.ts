import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SubGraphPlugin from '@pothos/plugin-sub-graph';
import { GraphQLError } from 'graphql';
import { type Role, roleAtLeast } from './auth/actor.js';
import type { Context } from './context.js';
import type PrismaTypes from './generated/pothos-types.js';
import { getDatamodel } from './generated/pothos-types.js';
import { typedErrors } from './metrics.js';
import { normalizeUuid } from './placement/validation.js';
import { forbiddenGraphQLError, roleRefusal } from './schema/authorization.js';
import RootFieldRulesPlugin from './schema/authorization-plugin.js';
import { fieldCost } from './schema/cost.js';
import { API_VERSIONS, type ApiVersion } from './versions.js';

// Node types keyed by uuid; ResourceClass and Trait are keyed by name.
const UUID_KEYED = new Set(['ResourceProvider', 'Cell', 'Aggregate', 'Consumer']);
const NAME_KEYED = new Set(['ResourceClass', 'Trait']);

/** Decodes a global ID; a malformed one is a clear INVALID_INPUT error, not a masked failure. */
function decodeNodeId(globalID: string): { typename: string; id: string } {
  const invalid = () =>
    new GraphQLError(`id: ${JSON.stringify(globalID)} is not a global ID of this API`, {
      extensions: { code: 'INVALID_INPUT', field: 'id', rule: 'global-id' },
    });
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalID);
  } catch {
    throw invalid();
  }
  if (UUID_KEYED.has(decoded.typename)) {
    const uuid = normalizeUuid(decoded.id);
    if (!uuid) throw invalid();
    return { typename: decoded.typename, id: uuid };
  }
  if (!NAME_KEYED.has(decoded.typename)) throw invalid();
  return decoded;
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Limits for one operation, enforced by the gateway (src/http/query-limits.ts); documented in README ("Limits"). */
// Complexity counts real list sizes (src/schema/cost.ts): the typed client's 1 000-candidate
// search costs about 125 000, 500 providers by id with 100 allocations each about 151 000.
export const queryLimits = { depth: 12, breadth: 300, complexity: 150_000 };

/** Connection page sizes are part of a version's behaviour (src/versions.ts); every connection spreads these. */
export const versionedPageSize = {
  defaultSize: (_args: unknown, ctx: Context) => ctx.behaviour.defaultPageSize,
  maxSize: (_args: unknown, ctx: Context) => ctx.behaviour.maxPageSize,
};

export const builder = new SchemaBuilder<{
  Context: Context;
  // One scope: the caller's role is at least the one named (src/schema/authorization.ts).
  AuthScopes: { role: Role };
  // Each API version is a sub-graph of one code base (docs/API-VERSIONS.md).
  SubGraphs: ApiVersion;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    UUID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    SafeInt: { Input: number; Output: number };
  };
}>({
  // Scope-auth first: its check wraps everything else, so a refused field runs no resolver and
  // its FORBIDDEN error is not turned into a union member by the errors plugin.
  plugins: [
    ScopeAuthPlugin,
    RootFieldRulesPlugin,
    ErrorsPlugin,
    ComplexityPlugin,
    PrismaPlugin,
    RelayPlugin,
    SubGraphPlugin,
  ],
  scopeAuth: {
    authScopes: (ctx) => ({ role: (required: Role) => roleAtLeast(ctx.actor.role, required) }),
    // A refused root field: a GraphQL error naming the operation and the role it needs (README, "Errors");
    // a 1.2 mutation answers the typed Forbidden instead (src/schema/authorization-plugin.ts).
    unauthorizedError: (_parent, ctx, info) =>
      forbiddenGraphQLError(roleRefusal(ctx.actor, info.parentType.name, info.fieldName), ctx.actor, info.fieldName),
  },
  // Everything is in every version unless a type or field says `subGraphs: since(…)`.
  subGraphs: { defaultForTypes: [...API_VERSIONS], fieldsInheritFromTypes: true },
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.db.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    decodeGlobalID: decodeNodeId,
    nodesQueryOptions: {
      // The cap is part of the version's behaviour (src/versions.ts); the body-size limit alone would allow ~14 000.
      resolve: (_root, args, ctx, _info, resolveNodes) => {
        const max = ctx.behaviour.maxNodeIds;
        if (args.ids.length > max) {
          throw new GraphQLError(`ids: at most ${max} per request (got ${args.ids.length})`, {
            extensions: { code: 'INVALID_INPUT', field: 'ids', rule: `max:${max}` },
          });
        }
        return resolveNodes(args.ids);
      },
    },
  },
  errors: {
    directResult: true,
    onResolvedError: (error) => typedErrors.inc({ code: (error as { code?: string }).code ?? 'UNKNOWN' }),
    defaultUnionOptions: { name: ({ fieldName }) => `${upperFirst(fieldName)}Result` },
    defaultResultOptions: { name: ({ fieldName }) => `${upperFirst(fieldName)}Success` },
  },
  complexity: {
    // List sizes from `ids`, `first`/`last` and `limit`; explain priced on its field (src/schema/cost.ts).
    fieldComplexity: fieldCost,
    // The gateway measures each operation before execution (src/http/query-limits.ts), so
    // an operation over queryLimits never reaches a resolver; no check inside resolvers.
    disabled: true,
  },
});
