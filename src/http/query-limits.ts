import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type DocumentNode, GraphQLError, getOperationAST, Kind } from 'graphql';
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
 * Refuses an operation over the depth, breadth or complexity limit before execution starts,
 * so no resolver runs (no mutation writes) and the answer is `data: null`. The measure is
 * Pothos' complexity (per-field costs and list multipliers from the schema), taken once per
 * request with the request's variables; the operation that runs is the one measured.
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = selectedOperation(args.document, args.operationName);
      if (!operation) return;
      let measured: QueryLimits;
      try {
        measured = complexityFromQuery(operation, {
          schema: args.schema,
          ctx: args.contextValue as object,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
        });
      } catch (error) {
        // Variables that do not coerce: execution answers them as usual.
        if (error instanceof GraphQLError) return;
        throw error;
      }
      for (const measure of ['depth', 'breadth', 'complexity'] as const) {
        if (measured[measure] > limits[measure]) {
          setResultAndStopExecution({ data: null, errors: [limitError(measure, measured[measure], limits[measure])] });
          return;
        }
      }
    },
  };
}
