import {
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { ApiDeprecation } from './versioning.js';

/** One deprecated member an operation touched, as reported in `extensions.deprecations`. */
export interface DeprecationNotice {
  /** `Type.field`, `Type.field(argument)`, `Input.field` or `Enum.VALUE`. */
  member: string;
  reason: string;
  since?: string;
  removedIn?: string;
  removalDate?: string;
}

interface DeprecatableMember {
  deprecationReason?: string | null;
  extensions?: { apiDeprecation?: ApiDeprecation } | Readonly<Record<string, unknown>> | null;
}

function notice(member: string, def: DeprecatableMember): DeprecationNotice | null {
  if (!def.deprecationReason) return null;
  const structured = (def.extensions as { apiDeprecation?: ApiDeprecation } | null | undefined)?.apiDeprecation;
  return {
    member,
    reason: def.deprecationReason,
    ...(structured && {
      since: structured.since,
      removedIn: structured.removedIn,
      removalDate: structured.removalDate,
    }),
  };
}

/** Deprecated input fields and enum values inside a variable's value. */
function walkValue(type: GraphQLInputType, value: unknown, found: Map<string, DeprecationNotice>): void {
  if (value == null) return;
  if (isNonNullType(type)) return walkValue(type.ofType, value, found);
  if (isListType(type)) {
    if (Array.isArray(value)) for (const item of value) walkValue(type.ofType, item, found);
    else walkValue(type.ofType, value, found);
    return;
  }
  if (isEnumType(type) && typeof value === 'string') {
    const enumValue = type.getValue(value);
    const n = enumValue && notice(`${type.name}.${value}`, enumValue);
    if (n) found.set(n.member, n);
    return;
  }
  if (isInputObjectType(type) && typeof value === 'object') {
    const fields = type.getFields();
    for (const [name, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[name];
      if (!field) continue;
      const n = notice(`${type.name}.${name}`, field);
      if (n) found.set(n.member, n);
      walkValue(field.type, fieldValue, found);
    }
  }
}

/** What each document touches as written, per schema; yoga hands back the same parsed document for the same text. */
const literalUsageCache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, DeprecationNotice>>>();

/** Deprecated members the document names as written (fields, arguments, literal inputs and enum values). */
function literalUsage(schema: GraphQLSchema, document: DocumentNode): Map<string, DeprecationNotice> {
  let bySchema = literalUsageCache.get(schema);
  if (!bySchema) literalUsageCache.set(schema, (bySchema = new WeakMap()));
  const cached = bySchema.get(document);
  if (cached) return cached;
  const found = new Map<string, DeprecationNotice>();
  const add = (n: DeprecationNotice | null) => {
    if (n) found.set(n.member, n);
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (field && parent) add(notice(`${parent.name}.${field.name}`, field));
      },
      Argument() {
        const argument = typeInfo.getArgument();
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (argument && field && parent) add(notice(`${parent.name}.${field.name}(${argument.name})`, argument));
      },
      ObjectField(node) {
        const parent = getNamedType(typeInfo.getParentInputType());
        if (isInputObjectType(parent)) {
          const field = parent.getFields()[node.name.value];
          if (field) add(notice(`${parent.name}.${field.name}`, field));
        }
      },
      EnumValue(node) {
        const value = typeInfo.getEnumValue();
        const enumType = getNamedType(typeInfo.getInputType());
        if (value && enumType) add(notice(`${enumType.name}.${node.value}`, value));
      },
    }),
  );
  bySchema.set(document, found);
  return found;
}

/**
 * Every deprecated field, argument, input field and enum value the operation touches, in the
 * document or in its variables. The document has already passed validation against `schema`.
 * The document's own part is computed once per document; variables are walked per request.
 */
export function deprecatedUsage(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): DeprecationNotice[] {
  const found = new Map(literalUsage(schema, document));
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type);
      const value = variables?.[variable.variable.name.value];
      if (type && value !== undefined) walkValue(type as GraphQLInputType, value, found);
    }
  }
  return [...found.values()].sort((a, b) => a.member.localeCompare(b.member));
}
