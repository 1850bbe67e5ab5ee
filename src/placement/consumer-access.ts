import type { Actor } from '../auth/actor.js';
import { ForbiddenError } from './errors.js';
import type { WriteCaller } from './write-caller.js';

/** Whose a consumer is: the project and user it is recorded under. */
export interface ConsumerOwner {
  projectId: string;
  userId: string;
}

/**
 * Whether `actor` may see consumers of `projectId`: a caller confined to a project
 * (`Actor.projectId`) sees only its own; every other caller sees all.
 */
export function maySeeProject(actor: Actor, projectId: string): boolean {
  return actor.projectId === null || actor.projectId === projectId;
}

/** The project a confined caller's reads are limited to, or null for every project. */
export function visibleProject(actor: Actor): string | null {
  return actor.projectId;
}

/** A confined caller asks about another project's consumers (usages): refused, reason PROJECT. */
export function assertMayReadProject(actor: Actor, projectId: string, field: string): void {
  if (!maySeeProject(actor, projectId))
    throw new ForbiddenError({
      reason: 'PROJECT',
      requiredRole: null,
      callerRole: actor.role,
      message: `${field}: the ${actor.kind} "${actor.name}" is confined to project ${actor.projectId}`,
      field,
    });
}

/** An existing consumer of another project than a confined caller's: refused (PROJECT), whatever the write. */
export function assertMayTouchExisting(
  caller: WriteCaller | undefined,
  consumerUuid: string,
  projectId: string,
  fieldPrefix = '',
): void {
  if (!caller || maySeeProject(caller.actor, projectId)) return;
  const { actor } = caller;
  throw new ForbiddenError({
    reason: 'PROJECT',
    requiredRole: null,
    callerRole: actor.role,
    message: `consumer ${consumerUuid} belongs to another project; the ${actor.kind} "${actor.name}" is confined to project ${actor.projectId}`,
    field: `${fieldPrefix}consumerUuid`,
  });
}

/**
 * The write policy for one consumer, checked by the engine under the consumer's row lock
 * (so a concurrent re-own cannot slip between the check and the write), before its
 * generation is compared (so a refused caller learns nothing about another project's
 * consumer):
 * - a caller confined to a project writes only consumers of that project, and a consumer it
 *   creates or rewrites must be recorded under that project (reason PROJECT);
 * - only ADMIN may change an existing consumer's projectId or userId (reason REOWN).
 * An internal write (no caller) is unrestricted.
 */
export function assertMayWriteConsumer(
  caller: WriteCaller | undefined,
  consumerUuid: string,
  existing: ConsumerOwner | null,
  requested: ConsumerOwner,
  fieldPrefix = '',
): void {
  if (!caller) return;
  const { actor } = caller;
  if (existing) assertMayTouchExisting(caller, consumerUuid, existing.projectId, fieldPrefix);
  if (!maySeeProject(actor, requested.projectId))
    throw new ForbiddenError({
      reason: 'PROJECT',
      requiredRole: null,
      callerRole: actor.role,
      message: `projectId: the ${actor.kind} "${actor.name}" may only write consumers of project ${actor.projectId}`,
      field: `${fieldPrefix}projectId`,
    });
  if (!existing || actor.role === 'ADMIN') return;
  const field =
    existing.projectId !== requested.projectId ? 'projectId' : existing.userId !== requested.userId ? 'userId' : null;
  if (field)
    throw new ForbiddenError({
      reason: 'REOWN',
      requiredRole: 'ADMIN',
      callerRole: actor.role,
      message: `${fieldPrefix}${field}: changing the ${field} of existing consumer ${consumerUuid} needs role ADMIN; the ${actor.kind} "${actor.name}" has role ${actor.role}`,
      field: `${fieldPrefix}${field}`,
    });
}
