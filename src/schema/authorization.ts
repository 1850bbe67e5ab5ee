import { GraphQLError } from 'graphql';
import { type Actor, type Role, roleAtLeast } from '../auth/actor.js';
import { ForbiddenError } from '../placement/errors.js';
import { type ApiVersion, isAtLeast } from '../versions.js';

/**
 * Who may call each root field: the least role that may (ADMIN ⊇ SCHEDULER ⊇ READER,
 * src/auth/actor.ts). This table is the whole policy; docs/OPERATIONS.md ("Roles") shows it
 * and test/authorization-matrix.test.ts walks it against every served schema.
 *
 * Every root field of every version must have a row: building the schema fails otherwise
 * (src/schema/authorization-plugin.ts), so a new field cannot ship without a decision.
 */
export const ROOT_FIELD_RULES = {
  Query: {
    // Reads: every role.
    aggregates: 'READER',
    cells: 'READER',
    consumer: 'READER',
    node: 'READER',
    nodes: 'READER',
    resourceClasses: 'READER',
    resourceProvider: 'READER',
    resourceProviders: 'READER',
    traits: 'READER',
    usages: 'READER',
    // Scheduling questions: the scheduler's tools (explain is also the costliest query there is).
    allocationCandidates: 'SCHEDULER',
    explainPlacement: 'SCHEDULER',
    // Tokens (1.2).
    apiTokens: 'ADMIN',
    // The audit trail (1.2).
    auditEvents: 'ADMIN',
  },
  Mutation: {
    // Allocation writes: what a scheduler does.
    claim: 'SCHEDULER',
    reschedule: 'SCHEDULER',
    setAllocations: 'SCHEDULER',
    moveAllocations: 'SCHEDULER',
    deleteAllocations: 'SCHEDULER',
    // The resource model: providers, inventories, traits, aggregates, cells, the catalogue.
    createResourceProvider: 'ADMIN',
    updateResourceProvider: 'ADMIN',
    deleteResourceProvider: 'ADMIN',
    setInventories: 'ADMIN',
    upsertInventory: 'ADMIN',
    deleteInventory: 'ADMIN',
    setProviderTraits: 'ADMIN',
    setProviderAggregates: 'ADMIN',
    createCell: 'ADMIN',
    deleteCell: 'ADMIN',
    createAggregate: 'ADMIN',
    deleteAggregate: 'ADMIN',
    createResourceClass: 'ADMIN',
    deleteResourceClass: 'ADMIN',
    createTrait: 'ADMIN',
    deleteTrait: 'ADMIN',
    // Tokens (1.2).
    createApiToken: 'ADMIN',
    revokeApiToken: 'ADMIN',
    // The Placement importer (1.4): sets generations, which no other write may.
    importPlacementState: 'ADMIN',
  },
} as const satisfies Record<'Query' | 'Mutation', Record<string, Role>>;

export type RootTypeName = keyof typeof ROOT_FIELD_RULES;

/** The least role that may call `typeName.fieldName`, or undefined when the table has no row. */
export function requiredRole(typeName: string, fieldName: string): Role | undefined {
  const rules: Record<string, Record<string, Role>> = ROOT_FIELD_RULES;
  return rules[typeName]?.[fieldName];
}

export function mayCall(role: Role, typeName: string, fieldName: string): boolean {
  const required = requiredRole(typeName, fieldName);
  return required !== undefined && roleAtLeast(role, required);
}

/** The refusal of a root field for lack of role, naming the operation and the role it needs (README, "Errors"). */
export function roleRefusal(actor: Actor, typeName: string, fieldName: string): ForbiddenError {
  const required = requiredRole(typeName, fieldName) ?? 'ADMIN';
  return new ForbiddenError({
    reason: 'ROLE',
    requiredRole: required,
    callerRole: actor.role,
    message: `${fieldName} needs role ${required} or higher; the ${actor.kind} "${actor.name}" has role ${actor.role}`,
  });
}

/** From 1.2 on a refused mutation answers its union's `Forbidden` member; before, a FORBIDDEN GraphQL error. */
export function answersTypedForbidden(apiVersion: ApiVersion): boolean {
  return isAtLeast(apiVersion, '1.2');
}

/**
 * A refusal as a GraphQL error (queries, and mutations in 1.0/1.1): `extensions.code` FORBIDDEN
 * with the operation, the role it needs and the caller's role; a refusal about a project or a
 * re-own also names its reason and the input field.
 */
export function forbiddenGraphQLError(error: ForbiddenError, actor: Actor, operation: string): GraphQLError {
  const extensions: Record<string, unknown> = { code: 'FORBIDDEN', operation, requiredRole: error.requiredRole };
  extensions.role = actor.role;
  if (error.reason !== 'ROLE') {
    extensions.reason = error.reason;
    extensions.field = error.field;
  }
  return new GraphQLError(error.message, { extensions });
}
