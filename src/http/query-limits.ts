import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type DocumentNode, GraphQLError, type GraphQLSchema, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface QueryLimits {
  depth: number;
  breadth: number;
  complexity: number;
}

type Measure = keyof QueryLimits;

const CODES: Record<Measure, string> = {
  depth: 'QUERY_TOO_DEEP',
  breadth: 'QUERY_TOO_BROAD',
  complexity: 'QUERY_TOO_COMPLEX',
};

/** The selected operation with the fragments of its document (the measure reads only the first operation). */
function selectedOperation(document: DocumentNode, operationName: string | null | undefined): DocumentNode | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
}

function limitError(measure: Measure, actual: number, max: number): GraphQLError {
  return new GraphQLError(`Query exceeds maximum ${measure} (${measure}: ${actual}, max: ${max})`, {
    extensions: { code: CODES[measure], limit: max, actual },
  });
}

/**
 * The depth, breadth and complexity of the operation `operationName` of `document` with
 * `variables`, as the gateway measures it; null when the document has no such operation.
 * Throws a GraphQLError when the variables do not coerce.
 */
export function measureOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  schema: GraphQLSchema,
  ctx: object,
  variables: Record<string, unknown>,
): QueryLimits | null {
  const operation = selectedOperation(document, operationName);
  if (!operation) return null;
  return complexityFromQuery(operation, { schema, ctx, variables });
}

/**
 * Refuses an operation over the depth, breadth or complexity limit before execution starts,
 * so no resolver runs (no mutation writes) and the answer is `data: null`. The measure is
 * Pothos' complexity (per-field costs and list multipliers from the schema), taken once per
 * request with the request's variables; the operation that runs is the one measured.
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let measured: QueryLimits | null;
      try {
        measured = measureOperation(
          args.document,
          args.operationName,
          args.schema,
          args.contextValue as object,
          (args.variableValues ?? {}) as Record<string, unknown>,
        );
      } catch (error) {
        // Variables that do not coerce: execution answers them as usual.
        if (error instanceof GraphQLError) return;
        throw error;
      }
      if (!measured) return;
      for (const measure of ['depth', 'breadth', 'complexity'] as const) {
        if (measured[measure] > limits[measure]) {
          setResultAndStopExecution({ data: null, errors: [limitError(measure, measured[measure], limits[measure])] });
          return;
        }
      }
    },
  };
}
