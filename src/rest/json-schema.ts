import { pformat, pyPlainRepr, pyValueRepr } from './pformat.js';
import { pyRepr } from './python.js';

/**
 * The JSON Schema subset Placement's schemas (placement/schemas/) use, validated the way
 * python-jsonschema 4.10 does for Placement (Draft 2020-12, its FormatChecker with Placement's
 * `uuid` check): the same errors, the same choice among them (best_match), and str(error) as
 * Placement quotes it after "JSON does not validate: ". Schemas are written in the same key
 * order as Placement's Python dicts: jsonschema reports keywords in that order.
 * Hand-written: JS validators (ajv) report other errors in another order and wording.
 */
export interface JsonSchema {
  type?: string | readonly string[];
  properties?: Readonly<Record<string, JsonSchema>>;
  patternProperties?: Readonly<Record<string, JsonSchema>>;
  additionalProperties?: boolean | JsonSchema;
  required?: readonly string[];
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  oneOf?: readonly JsonSchema[];
}

interface SchemaError {
  message: string;
  keyword: string;
  /** Where in the instance (relative_path). */
  path: (string | number)[];
  /** The keys leading to the keyword's schema (relative_schema_path without the keyword). */
  schemaPath: (string | number)[];
  schema: JsonSchema;
  instance: unknown;
  context: SchemaError[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

/** oslo's uuidutils.is_uuid_like, Placement's `uuid` format. */
export function isUuidLike(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const hex = value
    .replace(/urn:/g, '')
    .replace(/uuid:/g, '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replace(/-/g, '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

/**
 * Python's re.search: `$` also matches before a final newline. Compiled once per pattern:
 * the patterns are the schemas' own (a fixed set), and a RegExp without g or y keeps no state.
 */
function pythonRegex(pattern: string): RegExp {
  let regex = compiledPatterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern.replace(/(?<!\\)\$/g, '(?=\\n?$)'), 'u');
    compiledPatterns.set(pattern, regex);
  }
  return regex;
}
const compiledPatterns = new Map<string, RegExp>();

/** Python's `==` on JSON values (dict order does not count: the sorted repr compares them). */
function pythonEqual(a: unknown, b: unknown): boolean {
  return pyValueRepr(a) === pyValueRepr(b);
}

function* validate(
  instance: unknown,
  schema: JsonSchema,
  path: (string | number)[],
  schemaPath: (string | number)[],
): Generator<SchemaError> {
  const error = (keyword: string, message: string, context: SchemaError[] = []): SchemaError => ({
    message,
    keyword,
    path,
    schemaPath,
    schema,
    instance,
    context,
  });
  for (const [keyword, value] of Object.entries(schema)) {
    switch (keyword) {
      case 'type': {
        const types = typeof value === 'string' ? [value] : (value as string[]);
        if (!types.some((type) => isType(instance, type)))
          yield error(keyword, `${pyPlainRepr(instance)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}`);
        break;
      }
      case 'properties': {
        if (!isObject(instance)) break;
        for (const [name, sub] of Object.entries(value as Record<string, JsonSchema>)) {
          if (Object.hasOwn(instance, name))
            yield* validate(instance[name], sub, [...path, name], [...schemaPath, 'properties', name]);
        }
        break;
      }
      case 'patternProperties': {
        if (!isObject(instance)) break;
        for (const [pattern, sub] of Object.entries(value as Record<string, JsonSchema>)) {
          const regex = pythonRegex(pattern);
          for (const [name, item] of Object.entries(instance)) {
            if (regex.test(name))
              yield* validate(item, sub, [...path, name], [...schemaPath, 'patternProperties', pattern]);
          }
        }
        break;
      }
      case 'additionalProperties': {
        if (!isObject(instance)) break;
        const known = Object.keys(schema.properties ?? {});
        const patterns = Object.keys(schema.patternProperties ?? {}).map(pythonRegex);
        const extras = Object.keys(instance).filter(
          (name) => !known.includes(name) && !patterns.some((regex) => regex.test(name)),
        );
        if (isObject(value)) {
          for (const name of extras)
            yield* validate(instance[name], value as JsonSchema, [...path, name], [...schemaPath, keyword]);
        } else if (value === false && extras.length > 0) {
          if (schema.patternProperties) {
            const joined = [...extras]
              .sort()
              .map((e) => pyRepr(e))
              .join(', ');
            const regexes = Object.keys(schema.patternProperties)
              .sort()
              .map((p) => pyRepr(p))
              .join(', ');
            yield error(
              keyword,
              `${joined} ${extras.length === 1 ? 'does' : 'do'} not match any of the regexes: ${regexes}`,
            );
          } else {
            // jsonschema's extras_msg sorts them too (4.10: `sorted(extras)`).
            const listed = [...extras]
              .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
              .map((e) => pyRepr(e))
              .join(', ');
            yield error(
              keyword,
              `Additional properties are not allowed (${listed} ${extras.length === 1 ? 'was' : 'were'} unexpected)`,
            );
          }
        }
        break;
      }
      case 'required': {
        if (!isObject(instance)) break;
        for (const name of value as string[]) {
          if (!Object.hasOwn(instance, name)) yield error(keyword, `${pyRepr(name)} is a required property`);
        }
        break;
      }
      case 'minProperties':
        if (isObject(instance) && Object.keys(instance).length < (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} does not have enough properties`);
        break;
      case 'maxProperties':
        if (isObject(instance) && Object.keys(instance).length > (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} has too many properties`);
        break;
      case 'items': {
        if (!Array.isArray(instance)) break;
        for (const [index, item] of instance.entries())
          yield* validate(item, value as JsonSchema, [...path, index], [...schemaPath, keyword]);
        break;
      }
      case 'minItems':
        if (Array.isArray(instance) && instance.length < (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} is too short`);
        break;
      case 'maxItems':
        if (Array.isArray(instance) && instance.length > (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} is too long`);
        break;
      case 'uniqueItems':
        if (
          value === true &&
          Array.isArray(instance) &&
          instance.some((item, i) => instance.findIndex((other) => pythonEqual(other, item)) !== i)
        )
          yield error(keyword, `${pyPlainRepr(instance)} has non-unique elements`);
        break;
      case 'maxLength':
        if (typeof instance === 'string' && [...instance].length > (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} is too long`);
        break;
      case 'minLength':
        if (typeof instance === 'string' && [...instance].length < (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} is too short`);
        break;
      case 'pattern':
        if (typeof instance === 'string' && !pythonRegex(value as string).test(instance))
          yield error(keyword, `${pyPlainRepr(instance)} does not match ${pyRepr(value as string)}`);
        break;
      case 'format':
        if (value === 'uuid' && !isUuidLike(instance))
          yield error(keyword, `${pyPlainRepr(instance)} is not a ${pyRepr(value)}`);
        break;
      case 'minimum':
        if (typeof instance === 'number' && instance < (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} is less than the minimum of ${pyPlainRepr(value)}`);
        break;
      case 'maximum':
        if (typeof instance === 'number' && instance > (value as number))
          yield error(keyword, `${pyPlainRepr(instance)} is greater than the maximum of ${pyPlainRepr(value)}`);
        break;
      case 'enum':
        if (!(value as unknown[]).some((option) => pythonEqual(option, instance)))
          yield error(keyword, `${pyPlainRepr(instance)} is not one of ${pyPlainRepr(value)}`);
        break;
      case 'anyOf':
      case 'oneOf': {
        const schemas = value as JsonSchema[];
        const context: SchemaError[] = [];
        let matches = 0;
        for (const [index, sub] of schemas.entries()) {
          // Context errors are relative to the anyOf/oneOf: their paths start there.
          const errors = [...validate(instance, sub, [], [index])];
          if (errors.length === 0) matches += 1;
          context.push(...errors);
        }
        if (matches === 0)
          yield error(keyword, `${pyPlainRepr(instance)} is not valid under any of the given schemas`, context);
        else if (keyword === 'oneOf' && matches > 1)
          yield error(keyword, `${pyPlainRepr(instance)} is valid under each of ${pyPlainRepr(schemas)}`);
        break;
      }
    }
  }
}

const WEAK = new Set(['anyOf', 'oneOf']);

function relevance(error: SchemaError): number[] {
  const type = error.schema.type;
  const matchesType =
    type !== undefined && (typeof type === 'string' ? [type] : type).some((t) => isType(error.instance, t));
  return [-error.path.length, WEAK.has(error.keyword) ? 0 : 1, 0, matchesType ? 0 : 1];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** jsonschema.exceptions.best_match. */
function bestMatch(errors: SchemaError[]): SchemaError | null {
  let best: SchemaError | null = null;
  for (const error of errors) if (best === null || compare(relevance(error), relevance(best)) > 0) best = error;
  while (best?.context.length) {
    const sorted = [...best.context].sort((a, b) => compare(relevance(a), relevance(b)));
    if (sorted.length >= 2 && compare(relevance(sorted[0]!), relevance(sorted[1]!)) === 0) return best;
    best = sorted[0]!;
  }
  return best;
}

const index = (word: string, indices: (string | number)[]) =>
  indices.length === 0
    ? word
    : `${word}[${indices.map((i) => (typeof i === 'number' ? String(i) : pyRepr(i))).join('][')}]`;

const indented = (text: string) => text.split('\n').join('\n    ');

/** str(ValidationError) of jsonschema 4.10. */
function describe(error: SchemaError): string {
  return [
    error.message,
    '',
    `Failed validating ${pyRepr(error.keyword)} in ${index('schema', error.schemaPath)}:`,
    `    ${indented(pformat(error.schema))}`,
    '',
    `On ${index('instance', error.path)}:`,
    `    ${indented(pformat(error.instance))}`,
  ].join('\n');
}

/** jsonschema.validate(instance, schema): null when valid, else str() of the best-matching error. */
export function schemaError(instance: unknown, schema: JsonSchema): string | null {
  const best = bestMatch([...validate(instance, schema, [], [])]);
  return best === null ? null : describe(best);
}
