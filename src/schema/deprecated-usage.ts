import {
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
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
  if (isNonNullType(type)) {
    walkValue(type.ofType, value, found);
    return;
  }
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

/** Fragments the operation spreads, directly or through other fragments. */
function reachableFragments(document: DocumentNode, operation: OperationDefinitionNode): FragmentDefinitionNode[] {
  const byName = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) byName.set(d.name.value, d);
  const reached = new Map<string, FragmentDefinitionNode>();
  const pending: ASTNode[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop() as ASTNode, {
      FragmentSpread(spread) {
        const fragment = byName.get(spread.name.value);
        if (fragment && !reached.has(fragment.name.value)) {
          reached.set(fragment.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...reached.values()];
}

/** What each operation touches as written, per schema; yoga hands back the same parsed document for the same text. */
const literalUsageCache = new WeakMap<
  GraphQLSchema,
  WeakMap<OperationDefinitionNode, Map<string, DeprecationNotice>>
>();

/** Deprecated members the operation (and the fragments it spreads) names as written: fields, arguments, literal inputs and enum values. */
function literalUsage(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Map<string, DeprecationNotice> {
  let bySchema = literalUsageCache.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    literalUsageCache.set(schema, bySchema);
  }
  const cached = bySchema.get(operation);
  if (cached) return cached;
  const found = new Map<string, DeprecationNotice>();
  const add = (n: DeprecationNotice | null) => {
    if (n) found.set(n.member, n);
  };
  for (const node of [operation, ...reachableFragments(document, operation)]) {
    const typeInfo = new TypeInfo(schema);
    visit(
      node,
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
        ObjectField(objectField) {
          const parent = getNamedType(typeInfo.getParentInputType());
          if (isInputObjectType(parent)) {
            const field = parent.getFields()[objectField.name.value];
            if (field) add(notice(`${parent.name}.${field.name}`, field));
          }
        },
        EnumValue(enumNode) {
          const value = typeInfo.getEnumValue();
          const enumType = getNamedType(typeInfo.getInputType());
          if (value && enumType) add(notice(`${enumType.name}.${enumNode.value}`, value));
        },
      }),
    );
  }
  bySchema.set(operation, found);
  return found;
}

/**
 * Every deprecated field, argument, input field and enum value the executed operation
 * touches (the one `operationName` selects, and the fragments it spreads), in the document
 * or in its variables. Other operations of the same document do not count: they did not run.
 * The document has already passed validation against `schema`. The operation's own part is
 * computed once per document; variables are walked per request.
 */
export function deprecatedUsage(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  operationName?: string | null,
): DeprecationNotice[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const found = new Map(literalUsage(schema, document, operation));
  for (const variable of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, variable.type);
    const value = variables?.[variable.variable.name.value];
    if (type && value !== undefined) walkValue(type as GraphQLInputType, value, found);
  }
  return [...found.values()].sort((a, b) => a.member.localeCompare(b.member));
}
