import {
  type ASTNode,
  type DocumentNode,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  TypeInfo,
  typeFromAST,
  type VariableDefinitionNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { schemas } from '../schema/index.js';
import { type ApiVersion, SERVED_VERSIONS, VERSION_HEADER } from '../versions.js';
import { INVALID_VARIABLES_CODE } from './variable-errors.js';

/** A selected field, or an input field written inline, that its version's schema lacks, on a type that exists there. */
interface UnknownField {
  kind: 'field' | 'input';
  typeName: string;
  fieldName: string;
}

/**
 * The first version of `served` after `version` in which `typeName` (an object, interface or
 * input object type) has `fieldName`, if any.
 */
export function fieldAvailableFrom(
  version: ApiVersion,
  typeName: string,
  fieldName: string,
  served: readonly ApiVersion[] = SERVED_VERSIONS,
): ApiVersion | undefined {
  return served.slice(served.indexOf(version) + 1).find((later) => {
    const type = schemas[later].getType(typeName);
    return (
      (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) &&
      type.getFields()[fieldName] !== undefined
    );
  });
}

/**
 * Every field node whose parent type is known but has no such field (what FieldsOnCorrectTypeRule
 * reports), and every inline input field its input object type lacks (ValuesOfCorrectTypeRule).
 */
function unknownFields(schema: GraphQLSchema, document: DocumentNode): Map<ASTNode, UnknownField> {
  const found = new Map<ASTNode, UnknownField>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && !typeInfo.getFieldDef())
          found.set(node, { kind: 'field', typeName: getNamedType(parent).name, fieldName: node.name.value });
      },
      ObjectField(node) {
        const parent = getNamedType(typeInfo.getParentInputType());
        if (isInputObjectType(parent) && !parent.getFields()[node.name.value])
          found.set(node, { kind: 'input', typeName: parent.name, fieldName: node.name.value });
      },
    }),
  );
  return found;
}

function hint(version: ApiVersion, field: UnknownField, from: ApiVersion): string {
  const what =
    field.kind === 'field'
      ? `Cannot query field "${field.fieldName}" on type "${field.typeName}"`
      : `Field "${field.fieldName}" is not defined by type "${field.typeName}"`;
  return `${what} in API version ${version}; \`${field.fieldName}\` exists from ${from}; send \`${VERSION_HEADER}: ${from}\``;
}

/** Input fields of a variable's value that its version lacks (the keys an input object type does not define). */
function unknownInputFields(type: GraphQLInputType, value: unknown, found: UnknownField[] = []): UnknownField[] {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return found;
  if (isListType(nullable)) {
    for (const item of Array.isArray(value) ? value : [value]) unknownInputFields(nullable.ofType, item, found);
    return found;
  }
  if (!isInputObjectType(nullable) || typeof value !== 'object') return found;
  const fields = nullable.getFields();
  for (const [key, item] of Object.entries(value)) {
    const field = fields[key];
    if (field) unknownInputFields(field.type, item, found);
    else found.push({ kind: 'input', typeName: nullable.name, fieldName: key });
  }
  return found;
}

/**
 * A field that a later served API version has is not a typo: the validation error for it says
 * which version has it and which header to send, and carries `extensions.availableFrom`. The error
 * stays a GRAPHQL_VALIDATION_FAILED with its locations; other validation errors are untouched.
 * Input fields count too: written inline (a validation error) or in the variables (the refusal
 * of useVariableErrorCodes, which this plugin must precede: for a variable that holds such a
 * field, the hint replaces graphql-js's coercion errors, which would only say "not defined").
 */
export function useVersionHints(served: readonly ApiVersion[] = SERVED_VERSIONS): Plugin {
  const servedVersionBySchema = new Map<GraphQLSchema, ApiVersion>(served.map((v) => [schemas[v], v]));
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const version = servedVersionBySchema.get(args.schema);
      const operation = getOperationAST(args.document, args.operationName);
      if (!version || !operation?.variableDefinitions?.length) return;
      const values = (args.variableValues ?? {}) as Record<string, unknown>;
      const hints = operation.variableDefinitions.flatMap((definition) =>
        variableHints(args.schema, version, served, definition, values[definition.variable.name.value]),
      );
      if (hints.length > 0) setResultAndStopExecution({ errors: hints });
    },
    onValidate({ params }) {
      const version = servedVersionBySchema.get(params.schema);
      if (!version) return;
      return ({ valid, result, setResult }) => {
        if (valid) return;
        const unknown = unknownFields(params.schema, params.documentAST);
        setResult(
          result.map((error) => {
            const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
            const field = node ? unknown.get(node) : undefined;
            const from = field && fieldAvailableFrom(version, field.typeName, field.fieldName, served);
            if (!field || !from) return error;
            return new GraphQLError(hint(version, field, from), {
              nodes: error.nodes,
              source: error.source,
              positions: error.positions,
              path: error.path,
              originalError: error.originalError,
              extensions: { ...error.extensions, availableFrom: from },
            });
          }),
        );
      };
    },
  };
}

/** One error per input field of the variable's value that a later served version defines. */
function variableHints(
  schema: GraphQLSchema,
  version: ApiVersion,
  served: readonly ApiVersion[],
  definition: VariableDefinitionNode,
  value: unknown,
): GraphQLError[] {
  const type = typeFromAST(schema, definition.type);
  if (!type || value === undefined) return [];
  return unknownInputFields(type as GraphQLInputType, value).flatMap((field) => {
    const from = fieldAvailableFrom(version, field.typeName, field.fieldName, served);
    if (!from) return [];
    return [
      new GraphQLError(`Variable "$${definition.variable.name.value}": ${hint(version, field, from)}`, {
        nodes: [definition],
        // As useVariableErrorCodes answers: 400 for graphql-response+json, 200 for legacy application/json.
        extensions: { code: INVALID_VARIABLES_CODE, availableFrom: from, http: { spec: true, status: 400 } },
      }),
    ];
  });
}
