import { type PyValue, pformat, pyStr } from '../python-format.js';

/**
 * Placement's JSON schemas for the GET /allocation_candidates query string
 * (placement/schemas/allocation_candidate.py), version by version, and the part of
 * python-jsonschema's validation that they exercise: the message of the error
 * jsonschema's best_match reports (the shallowest first), with its printed schema and
 * instance. Query values are always strings, so type checks never fail.
 */
type Schema = { [key: string]: PyValue };

const LIMIT: Schema = { type: ['integer', 'string'], pattern: '^[1-9][0-9]*$', minimum: 1, minLength: 1 };
const GROUP_PAT = '[1-9][0-9]*';
const GROUP_PAT_1_33 = '[a-zA-Z0-9_-]{1,64}';
const groupPattern = (prefix: string, pat: string) => `^${prefix}(${pat})?$`;

function schemaFor(minor: number): Schema {
  if (minor < 25) {
    const properties: Schema = { resources: { type: 'string' } };
    if (minor >= 16) properties.limit = LIMIT;
    if (minor >= 17) properties.required = { type: ['string'] };
    if (minor >= 21) properties.member_of = { type: ['string'] };
    return { type: 'object', properties, required: ['resources'], additionalProperties: false };
  }
  const properties: Schema = { limit: LIMIT, group_policy: { type: 'string', enum: ['none', 'isolate'] } };
  if (minor >= 35) properties.root_required = { type: ['string'] };
  if (minor >= 36) properties.same_subtree = { type: ['string'] };
  const pat = minor >= 33 ? GROUP_PAT_1_33 : GROUP_PAT;
  const prefixes =
    minor >= 31 ? ['resources', 'required', 'member_of', 'in_tree'] : ['resources', 'required', 'member_of'];
  const patternProperties: Schema = {};
  for (const p of prefixes) patternProperties[groupPattern(p, pat)] = { type: 'string' };
  return { type: 'object', properties, additionalProperties: false, patternProperties };
}

interface Failure {
  message: string;
  validator: string;
  schemaPath: string[];
  schema: PyValue;
  instancePath: string[];
  instance: PyValue;
}

const index = (root: string, path: string[]) => root + path.map((p) => `[${pyStr(p)}]`).join('');

/** str(ValidationError): the message, then the failing schema and instance as pformat prints them. */
function describe(f: Failure): string {
  const indentRest = (text: string) => text.split('\n').join('\n    ');
  return [
    f.message,
    '',
    `Failed validating ${pyStr(f.validator)} in ${index('schema', f.schemaPath)}:`,
    `    ${indentRest(pformat(f.schema))}`,
    '',
    `On ${index('instance', f.instancePath)}:`,
    `    ${indentRest(pformat(f.instance))}`,
  ].join('\n');
}

/**
 * Validates the query as Placement does (`dict(req.GET)`: each key once, at its first
 * position, with its last value); returns jsonschema's text for the reported error, or null.
 */
export function queryValidationError(query: Map<string, string>, minor: number): string | null {
  const schema = schemaFor(minor);
  const instance: { [key: string]: PyValue } = Object.fromEntries(query);
  const topLevel: Failure[] = [];
  const nested: Failure[] = [];
  const properties = schema.properties as { [key: string]: Schema };
  for (const [name, sub] of Object.entries(properties)) {
    const value = query.get(name);
    if (value === undefined) continue;
    const failure = propertyFailure(name, sub, value);
    if (failure) nested.push(failure);
  }
  const patterns = schema.patternProperties as { [key: string]: Schema } | undefined;
  const isKnown = (key: string) =>
    key in properties || Object.keys(patterns ?? {}).some((p) => new RegExp(p).test(key));
  const extras = [...query.keys()].filter((k) => !isKnown(k));
  const extrasFailure = (): Failure => {
    const sorted = [...extras]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map(pyStr)
      .join(', ');
    const message = patterns
      ? `${sorted} ${extras.length === 1 ? 'does' : 'do'} not match any of the regexes: ${Object.keys(patterns)
          .sort()
          .map(pyStr)
          .join(', ')}`
      : `Additional properties are not allowed (${sorted} ${extras.length === 1 ? 'was' : 'were'} unexpected)`;
    return { message, validator: 'additionalProperties', schemaPath: [], schema, instancePath: [], instance };
  };
  // jsonschema walks the schema's keywords in order; the shallowest error wins, then the first.
  for (const keyword of Object.keys(schema)) {
    if (keyword === 'required' && !query.has('resources'))
      topLevel.push({
        message: `${pyStr('resources')} is a required property`,
        validator: 'required',
        schemaPath: [],
        schema,
        instancePath: [],
        instance,
      });
    if (keyword === 'additionalProperties' && extras.length > 0) topLevel.push(extrasFailure());
  }
  const best = topLevel[0] ?? nested[0];
  return best ? describe(best) : null;
}

function propertyFailure(name: string, sub: Schema, value: string): Failure | null {
  const base = { schemaPath: ['properties', name], schema: sub, instancePath: [name], instance: value };
  if (typeof sub.pattern === 'string' && !new RegExp(sub.pattern).test(value))
    return { ...base, message: `${pyStr(value)} does not match ${pyStr(sub.pattern)}`, validator: 'pattern' };
  if (typeof sub.minLength === 'number' && [...value].length < sub.minLength)
    return { ...base, message: `${pyStr(value)} is too short`, validator: 'minLength' };
  if (Array.isArray(sub.enum) && !sub.enum.includes(value))
    return { ...base, message: `${pyStr(value)} is not one of ${pformat(sub.enum)}`, validator: 'enum' };
  return null;
}
