import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import {
  AlreadyExistsError,
  CapacityExceededError,
  ConsumerGenerationConflictError,
  ForbiddenError,
  GenerationConflictError,
  InUseError,
  InvalidInputError,
  NotFoundError,
  PlacementError,
  RetryLimitExceededError,
} from '../placement/errors.js';

export const ErrorInterface = builder.interfaceRef<PlacementError>('Error').implement({
  description: 'Every typed failure a mutation can return. `code` is stable and part of the API contract.',
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFound',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    resourceType: t.exposeString('resourceType'),
    identifier: t.exposeString('identifier'),
    field: t.exposeString('field', { description: 'Input field that named the missing thing.' }),
  }),
});

builder.objectType(AlreadyExistsError, {
  name: 'AlreadyExists',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof AlreadyExistsError,
  fields: (t) => ({
    resourceType: t.exposeString('resourceType'),
    field: t.exposeString('field'),
    value: t.exposeString('value'),
  }),
});

builder.objectType(InvalidInputError, {
  name: 'InvalidInput',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidInputError,
  fields: (t) => ({
    field: t.exposeString('field', {
      description: 'Path of the offending field inside `input`, e.g. `inventories[1].total`.',
    }),
    rule: t.exposeString('rule', { description: 'The rule broken, e.g. `min:1`, `uuid`, `reserved<=total`.' }),
  }),
});

builder.objectType(GenerationConflictError, {
  name: 'GenerationConflict',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof GenerationConflictError,
  fields: (t) => ({
    providerUuid: t.expose('providerUuid', { type: 'UUID' }),
    expected: t.exposeInt('expected'),
    actual: t.exposeInt('actual'),
  }),
});

builder.objectType(ConsumerGenerationConflictError, {
  name: 'ConsumerGenerationConflict',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConsumerGenerationConflictError,
  fields: (t) => ({
    consumerUuid: t.expose('consumerUuid', { type: 'UUID' }),
    expectedConsumerGeneration: t.exposeInt('expected', {
      nullable: true,
      description: 'null: the request said the consumer must not exist yet.',
    }),
    actualConsumerGeneration: t.exposeInt('actual', {
      nullable: true,
      description: 'null: the consumer does not exist.',
    }),
  }),
});

builder.objectType(InUseError, {
  name: 'InUse',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InUseError,
  fields: (t) => ({
    resourceType: t.exposeString('resourceType'),
    identifier: t.exposeString('identifier'),
    reason: t.exposeString('reason'),
  }),
});

builder.objectType(CapacityExceededError, {
  name: 'CapacityExceeded',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof CapacityExceededError,
  fields: (t) => ({
    providerUuid: t.expose('providerUuid', { type: 'UUID' }),
    resourceClass: t.exposeString('resourceClass'),
    requested: t.expose('requested', { type: 'SafeInt' }),
    used: t.expose('used', { type: 'SafeInt' }),
    capacity: t.expose('capacity', { type: 'SafeInt' }),
  }),
});

builder.objectType(RetryLimitExceededError, {
  name: 'RetryLimitExceeded',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RetryLimitExceededError,
  fields: (t) => ({
    attempts: t.exposeInt('attempts'),
    retryable: t.exposeBoolean('retryable'),
  }),
});

/** The shared error set every mutation can return. */
export const mutationErrors = {
  types: [
    NotFoundError,
    AlreadyExistsError,
    InvalidInputError,
    GenerationConflictError,
    ConsumerGenerationConflictError,
    InUseError,
    CapacityExceededError,
    RetryLimitExceededError,
    // A union member since 1.2 only (src/schema/forbidden.ts); before, src/schema/authorization-plugin.ts
    // turns it into a FORBIDDEN GraphQL error.
    ForbiddenError,
  ],
};

/**
 * Queries have no error unions; an engine error in a query argument becomes a GraphQL error
 * carrying the same code, field and rule in `extensions` (unmasked, unlike unexpected errors).
 */
export async function asQueryError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PlacementError) {
      const { code, message, stack: _stack, ...details } = error as PlacementError & Record<string, unknown>;
      throw new GraphQLError(message, { extensions: { code, ...details } });
    }
    throw error;
  }
}
