import { builder } from '../builder.js';
import { ForbiddenError } from '../placement/errors.js';
import { since } from '../versions.js';
import { ErrorInterface } from './errors.js';
import { ApiTokenRoleEnum } from './tokens.js';
import { typeIn } from './versioning.js';

// The typed refusal, since 1.2 (docs/OPERATIONS.md, "Access control"). In 1.0 and 1.1 a refusal is a
// GraphQL error with extensions.code FORBIDDEN (their schemas are frozen); src/schema/authorization-plugin.ts
// decides which one a caller gets.

const from12 = since('1.2');

const ForbiddenReasonEnum = builder.enumType('ForbiddenReason', {
  subGraphs: from12,
  description:
    'ROLE: the caller’s role is too low. PROJECT: it belongs to another project than the caller’s. REOWN: it would change an existing consumer’s projectId or userId, which only ADMIN may.',
  values: ['ROLE', 'PROJECT', 'REOWN'] as const,
});

// In every sub-graph, because the shared mutation unions list it (the sub-graph plugin keeps union
// members as written); applyVersionMetadata removes it, and it from the unions, before 1.2.
builder.objectType(ForbiddenError, {
  name: 'Forbidden',
  description: 'The caller may not do this; nothing was changed. Since 1.2 (before, a FORBIDDEN GraphQL error).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ForbiddenError,
  extensions: typeIn({ since: '1.2' }).extensions,
  fields: (t) => ({
    // Not `reason`/`field`: InUse.reason and InvalidInput.field have other types, and a client selecting
    // every member of a union in one operation could not ask for both (schema-contract test).
    forbiddenReason: t.field({ type: ForbiddenReasonEnum, subGraphs: from12, resolve: (error) => error.reason }),
    requiredRole: t.field({
      type: ApiTokenRoleEnum,
      nullable: true,
      subGraphs: from12,
      description: 'The least role that may do it; null when the refusal is about a project, not a role.',
      resolve: (error) => error.requiredRole,
    }),
    role: t.field({
      type: ApiTokenRoleEnum,
      subGraphs: from12,
      description: "The caller's own role.",
      resolve: (error) => error.callerRole,
    }),
    inputField: t.exposeString('field', {
      subGraphs: from12,
      nullable: true,
      description: 'The input field that named what was refused, e.g. `projectId`; null for a role refusal.',
    }),
  }),
});
