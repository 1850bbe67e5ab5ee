import {
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { schemas } from '../schema/index.js';
import { type ApiVersion, SERVED_VERSIONS, VERSION_HEADER } from '../versions.js';

/** A selected field its version's schema lacks, on a type that exists there. */
interface UnknownField {
  typeName: string;
  fieldName: string;
}

const servedVersionBySchema = new Map<GraphQLSchema, ApiVersion>(SERVED_VERSIONS.map((v) => [schemas[v], v]));

/** The first served version after `version` in which `typeName` has `fieldName`, if any. */
export function fieldAvailableFrom(version: ApiVersion, typeName: string, fieldName: string): ApiVersion | undefined {
  return SERVED_VERSIONS.slice(SERVED_VERSIONS.indexOf(version) + 1).find((later) => {
    const type = schemas[later].getType(typeName);
    return (isObjectType(type) || isInterfaceType(type)) && type.getFields()[fieldName] !== undefined;
  });
}

/** Every field node whose parent type is known but has no such field (what FieldsOnCorrectTypeRule reports). */
function unknownFields(schema: GraphQLSchema, document: DocumentNode): Map<FieldNode, UnknownField> {
  const found = new Map<FieldNode, UnknownField>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && !typeInfo.getFieldDef())
          found.set(node, { typeName: getNamedType(parent).name, fieldName: node.name.value });
      },
    }),
  );
  return found;
}

function hint(version: ApiVersion, field: UnknownField, from: ApiVersion): string {
  return `Cannot query field "${field.fieldName}" on type "${field.typeName}" in API version ${version}; \`${field.fieldName}\` exists from ${from}; send \`${VERSION_HEADER}: ${from}\``;
}

/**
 * A field that a later served API version has is not a typo: the validation error for it says
 * which version has it and which header to send, and carries `extensions.availableFrom`. The error
 * stays a GRAPHQL_VALIDATION_FAILED with its locations; other validation errors are untouched.
 */
export function useVersionHints(): Plugin {
  return {
    onValidate({ params }) {
      const version = servedVersionBySchema.get(params.schema);
      if (!version) return;
      return ({ valid, result, setResult }) => {
        if (valid) return;
        const unknown = unknownFields(params.schema, params.documentAST);
        setResult(
          result.map((error) => {
            const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
            const field = node?.kind === 'Field' ? unknown.get(node) : undefined;
            const from = field && fieldAvailableFrom(version, field.typeName, field.fieldName);
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
