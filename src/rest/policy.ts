import { type Actor, type Role, roleAtLeast } from '../auth/actor.js';
import { RestError } from './errors.js';

/**
 * Placement's default policy (placement/policies/*.py) on our roles: its SYSTEM_READER rules
 * need READER, its SYSTEM_ADMIN rules ADMIN, except the allocation writes and candidate
 * searches a scheduler makes (SCHEDULER, as in the GraphQL API). `placement:usages` is
 * PROJECT_READER_OR_SYSTEM_READER: a project-confined caller reads only its own project
 * (the handler checks the project). docs/OPERATIONS.md has the table.
 */
export const POLICY_RULES = {
  'placement:resource_classes:list': 'READER',
  'placement:resource_classes:show': 'READER',
  'placement:resource_classes:create': 'ADMIN',
  'placement:resource_classes:update': 'ADMIN',
  'placement:resource_classes:delete': 'ADMIN',
  'placement:traits:list': 'READER',
  'placement:traits:show': 'READER',
  'placement:traits:update': 'ADMIN',
  'placement:traits:delete': 'ADMIN',
  'placement:resource_providers:list': 'READER',
  'placement:resource_providers:show': 'READER',
  'placement:resource_providers:create': 'ADMIN',
  'placement:resource_providers:update': 'ADMIN',
  'placement:resource_providers:delete': 'ADMIN',
  'placement:resource_providers:inventories:list': 'READER',
  'placement:resource_providers:inventories:show': 'READER',
  'placement:resource_providers:inventories:create': 'ADMIN',
  'placement:resource_providers:inventories:update': 'ADMIN',
  'placement:resource_providers:inventories:delete': 'ADMIN',
  'placement:resource_providers:traits:list': 'READER',
  'placement:resource_providers:traits:update': 'ADMIN',
  'placement:resource_providers:traits:delete': 'ADMIN',
  'placement:resource_providers:aggregates:list': 'READER',
  'placement:resource_providers:aggregates:update': 'ADMIN',
  'placement:resource_providers:usages': 'READER',
  'placement:resource_providers:allocations:list': 'READER',
  'placement:usages': 'READER',
  'placement:allocations:list': 'READER',
  'placement:allocations:manage': 'SCHEDULER',
  'placement:allocations:update': 'SCHEDULER',
  'placement:allocations:delete': 'SCHEDULER',
  'placement:allocation_candidates:list': 'SCHEDULER',
  'placement:reshaper:reshape': 'ADMIN',
} as const satisfies Record<string, Role>;

export type PolicyName = keyof typeof POLICY_RULES;

/** PolicyNotAuthorized's text, as Placement's handler turns it into a 403 (without vary). */
export function policyRefusal(name: string): RestError {
  return new RestError(403, `Policy does not allow ${name} to be performed.`, { vary: false });
}

/** Placement's `context.can(name)`: throws its 403 unless the caller's role may. */
export function authorize(actor: Actor, name: PolicyName): void {
  if (!roleAtLeast(actor.role, POLICY_RULES[name])) throw policyRefusal(name);
}
