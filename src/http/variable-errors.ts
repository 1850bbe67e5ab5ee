import { GraphQLError, getOperationAST, getVariableValues } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The code the same mistake gets when written inline (a literal argument fails validation). */
export const INVALID_VARIABLES_CODE = 'GRAPHQL_VALIDATION_FAILED';

/**
 * Variables that do not fit their declared types (a wrong type, a missing required input
 * field, an Int out of range…) are refused like the same value written inline: with
 * `extensions.code` GRAPHQL_VALIDATION_FAILED and the same HTTP status, before execution. graphql-js
 * would report them without a code.
 */
export function useVariableErrorCodes(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation?.variableDefinitions?.length) return;
      const coerced = getVariableValues(
        args.schema,
        operation.variableDefinitions,
        (args.variableValues ?? {}) as Record<string, unknown>,
      );
      if (!coerced.errors) return;
      setResultAndStopExecution({
        errors: coerced.errors.map(
          (error) =>
            new GraphQLError(error.message, {
              nodes: error.nodes,
              originalError: error.originalError,
              // `spec`: 400 for graphql-response+json, 200 for legacy application/json, as yoga answers validation errors.
              extensions: { ...error.extensions, code: INVALID_VARIABLES_CODE, http: { spec: true, status: 400 } },
            }),
        ),
      });
    },
  };
}
