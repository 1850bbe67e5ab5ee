import type { Role } from '../auth/actor.js';
/**
 * The engine's typed failures. The GraphQL layer exposes each class as an object type
 * implementing the `Error` interface; `code` is stable and part of the API contract.
 */
export abstract class PlacementError extends Error {
  abstract readonly code: string;
}

export class NotFoundError extends PlacementError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly resourceType: string,
    readonly identifier: string,
    readonly field: string,
  ) {
    super(`${resourceType} ${JSON.stringify(identifier)} does not exist`);
  }
}

export class AlreadyExistsError extends PlacementError {
  readonly code = 'ALREADY_EXISTS';
  constructor(
    readonly resourceType: string,
    readonly field: string,
    readonly value: string,
  ) {
    super(`a ${resourceType} with ${field} ${JSON.stringify(value)} already exists`);
  }
}

export class InvalidInputError extends PlacementError {
  readonly code = 'INVALID_INPUT';
  /**
   * @param field path of the offending input field, e.g. `inventories[1].total`
   * @param rule  short stable name of the rule broken, e.g. `min:1`, `uuid`, `pattern:^CUSTOM_[A-Z0-9_]+$`
   */
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

export class GenerationConflictError extends PlacementError {
  readonly code = 'GENERATION_CONFLICT';
  constructor(
    readonly providerUuid: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`resource provider ${providerUuid} is at generation ${actual}, not ${expected}; re-read it and retry`);
  }
}

export class ConsumerGenerationConflictError extends PlacementError {
  readonly code = 'CONSUMER_GENERATION_CONFLICT';
  constructor(
    readonly consumerUuid: string,
    readonly expected: number | null,
    readonly actual: number | null,
  ) {
    super(
      actual === null
        ? `consumer ${consumerUuid} does not exist; pass consumerGeneration null to create it`
        : expected === null
          ? `consumer ${consumerUuid} already exists at generation ${actual}; pass its generation`
          : `consumer ${consumerUuid} is at generation ${actual}, not ${expected}; re-read it and retry`,
    );
  }
}

export class InUseError extends PlacementError {
  readonly code = 'IN_USE';
  constructor(
    readonly resourceType: string,
    readonly identifier: string,
    readonly reason: string,
    /** Inventory refusals only: every allocated class the write would remove, in class id order (Placement's list). */
    readonly resourceClasses: readonly string[] = [],
  ) {
    super(`${resourceType} ${JSON.stringify(identifier)} is in use: ${reason}`);
  }
}

/** A provider that still has children cannot be deleted (Placement's own 409 code tells it from "has allocations"). */
export class ProviderHasChildrenError extends InUseError {
  constructor(providerUuid: string) {
    super('ResourceProvider', providerUuid, 'it has child providers; delete them first');
  }
}

export class CapacityExceededError extends PlacementError {
  readonly code = 'CAPACITY_EXCEEDED';
  constructor(
    readonly providerUuid: string,
    readonly resourceClass: string,
    readonly requested: number,
    readonly used: number,
    readonly capacity: number,
  ) {
    super(
      `resource provider ${providerUuid} cannot take ${requested} more ${resourceClass}: ` +
        `${used} of ${capacity} used`,
    );
  }
}

/** Raised when serialization failures persist past the retry cap; the caller may retry. */
export class RetryLimitExceededError extends PlacementError {
  readonly code = 'RETRY_LIMIT_EXCEEDED';
  readonly retryable = true;
  constructor(readonly attempts: number) {
    super(`the write kept conflicting with concurrent writes after ${attempts} attempts; retry it`);
  }
}

/** Why a caller was refused: its role is too low, the thing belongs to another project, or it would re-own a consumer. */
export type ForbiddenReason = 'ROLE' | 'PROJECT' | 'REOWN';

/**
 * The caller may not do this (docs/OPERATIONS.md, "Access control"). Raised by the role rules
 * (src/schema/authorization.ts) and by the engine's consumer checks (src/placement/consumer-access.ts),
 * always before anything is written.
 */
export class ForbiddenError extends PlacementError {
  readonly code = 'FORBIDDEN';
  readonly reason: ForbiddenReason;
  /** The least role that may do it; null when the refusal is about a project, not a role. */
  readonly requiredRole: Role | null;
  /** The caller's own role, so the refusal says what it has against what is needed. */
  readonly callerRole: Role;
  /** The input field that named what was refused, when one did. */
  readonly field: string | null;
  constructor(refusal: {
    reason: ForbiddenReason;
    requiredRole: Role | null;
    callerRole: Role;
    message: string;
    field?: string | null;
  }) {
    super(refusal.message);
    this.reason = refusal.reason;
    this.requiredRole = refusal.requiredRole;
    this.callerRole = refusal.callerRole;
    this.field = refusal.field ?? null;
  }
}
