import { PothosValidationError } from '@pothos/core';
import { GraphQLError, Kind } from 'graphql';

const PAGING_ARGUMENTS = new Set(['first', 'last', 'after', 'before']);

/**
 * Pothos refuses bad connection arguments (a cursor it did not issue, a negative `first`,
 * `before` with `first`…) with a PothosValidationError that carries no code and echoes the
 * input. As a client error it becomes INVALID_INPUT naming the paging arguments given and a
 * fixed rule, with the same location and path; null for any other error.
 */
export function pagingInputError(error: unknown): GraphQLError | null {
  if (!(error instanceof GraphQLError) || !(error.originalError instanceof PothosValidationError)) return null;
  const node = error.nodes?.[0];
  const given =
    node?.kind === Kind.FIELD
      ? (node.arguments ?? []).map((a) => a.name.value).filter((name) => PAGING_ARGUMENTS.has(name))
      : [];
  const field = given.length > 0 ? given.join(', ') : 'connection arguments';
  return new GraphQLError(
    `${field}: first and last must be non-negative, after and before must be cursors this connection returned, and before goes with last, after with first`,
    {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { code: 'INVALID_INPUT', field, rule: 'connection-arguments' },
    },
  );
}
