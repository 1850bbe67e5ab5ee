import { readFileSync } from 'node:fs';
import {
  assertValidSchema,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isUnionType,
  parse,
  validate,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSortedSchema, schema } from '../src/schema/index.js';

const schemaFile = new URL('../schema.graphql', import.meta.url);

function implementsError(type: GraphQLObjectType, errorInterface: GraphQLInterfaceType): boolean {
  return type.getInterfaces().includes(errorInterface);
}

describe('schema contract', () => {
  it('schema.graphql is exactly the sorted SDL printed from the Pothos schema', () => {
    const checkedIn = readFileSync(schemaFile, 'utf8');
    const printed = printSortedSchema();
    if (checkedIn !== printed) {
      // Show the first differing line so the failure is readable without a full diff.
      const a = checkedIn.split('\n');
      const b = printed.split('\n');
      const line = a.findIndex((text, i) => text !== b[i]);
      const at = line === -1 ? Math.min(a.length, b.length) : line;
      expect.fail(
        `schema.graphql is stale: run \`npm run schema:print\` and commit the result.\n` +
          `first difference at line ${at + 1}:\n  schema.graphql: ${JSON.stringify(a[at])}\n  printed:        ${JSON.stringify(b[at])}`,
      );
    }
    expect(checkedIn).toBe(printed);
  });

  it('is a valid GraphQL schema with Query and Mutation roots', () => {
    expect(() => assertValidSchema(schema)).not.toThrow();
    expect(schema.getQueryType()?.name).toBe('Query');
    expect(schema.getMutationType()?.name).toBe('Mutation');
  });

  it('declares an Error interface with non-null code and message', () => {
    const error = schema.getType('Error');
    expect(isInterfaceType(error)).toBe(true);
    const fields = (error as GraphQLInterfaceType).getFields();
    expect(String(fields.code?.type)).toBe('String!');
    expect(String(fields.message?.type)).toBe('String!');
  });

  it('every mutation takes exactly one non-null `input` object and returns a union including Error types', () => {
    const errorInterface = schema.getType('Error') as GraphQLInterfaceType;
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const field of mutations) {
      if (field.args.length !== 1 || field.args[0]!.name !== 'input') {
        problems.push(`${field.name}: arguments are (${field.args.map((a) => a.name).join(', ')}), expected (input)`);
      } else {
        const argType = field.args[0]!.type;
        if (!isNonNullType(argType) || !isInputObjectType(argType.ofType)) {
          problems.push(`${field.name}: input has type ${String(argType)}, expected a non-null input object type`);
        }
      }
      const result = getNullableType(field.type);
      if (!isUnionType(result)) {
        problems.push(`${field.name}: returns ${String(field.type)}, expected a union`);
        continue;
      }
      const members = result.getTypes();
      const errors = members.filter((member) => implementsError(member, errorInterface));
      const successes = members.filter((member) => !implementsError(member, errorInterface));
      if (errors.length === 0) problems.push(`${field.name}: union ${result.name} has no member implementing Error`);
      if (successes.length === 0) problems.push(`${field.name}: union ${result.name} has no success payload`);
    }
    expect(problems).toEqual([]);
  });

  it('every type implementing Error exposes a non-null code and message', () => {
    const errorInterface = schema.getType('Error') as GraphQLInterfaceType;
    const implementations = schema.getImplementations(errorInterface).objects;
    expect(implementations.length).toBeGreaterThan(0);
    for (const type of implementations) {
      const fields = type.getFields();
      expect(fields.code, `${type.name}.code`).toBeDefined();
      expect(String(fields.code!.type), `${type.name}.code`).toBe('String!');
      expect(String(fields.message?.type), `${type.name}.message`).toBe('String!');
    }
  });

  it('every error type reachable from a mutation result implements Error', () => {
    // Nothing named *Error / known error shape may sneak into a union without the interface.
    const errorInterface = schema.getType('Error') as GraphQLInterfaceType;
    const names = new Set(schema.getImplementations(errorInterface).objects.map((t) => t.name));
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const union = getNamedType(field.type);
      if (!isUnionType(union)) continue;
      for (const member of union.getTypes()) {
        if ('code' in member.getFields())
          expect(names.has(member.name), `${union.name} member ${member.name}`).toBe(true);
      }
    }
  });

  it('a client can select every scalar of every member of each result union in one operation', () => {
    // Same response name with different types across members would force clients to alias.
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const union = getNamedType(field.type);
      if (!isUnionType(union)) continue;
      const spreads = union
        .getTypes()
        .map((member) => {
          const fields = Object.values(member.getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)));
          const selection = fields.map((f) => (isLeafType(getNamedType(f.type)) ? f.name : `${f.name} { __typename }`));
          return `... on ${member.name} { ${selection.join(' ') || '__typename'} }`;
        })
        .join(' ');
      const errors = validate(
        schema,
        parse(`mutation($input: ${field.args[0]!.type.toString()}) { ${field.name}(input: $input) { ${spreads} } }`),
      );
      expect(
        errors.map((e) => e.message),
        field.name,
      ).toEqual([]);
    }
  });
});
