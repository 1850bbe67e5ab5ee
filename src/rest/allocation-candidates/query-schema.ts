import { type JsonSchema, schemaError } from '../json-schema.js';

/**
 * Placement's JSON schemas for the GET /allocation_candidates query string
 * (placement/schemas/allocation_candidate.py), version by version, key order as in the
 * Python dicts (jsonschema reports keywords in that order).
 */
const LIMIT: JsonSchema = { type: ['integer', 'string'], pattern: '^[1-9][0-9]*$', minimum: 1, minLength: 1 };
const GROUP_PAT = '[1-9][0-9]*';
const GROUP_PAT_1_33 = '[a-zA-Z0-9_-]{1,64}';

function schemaFor(minor: number): JsonSchema {
  if (minor < 25) {
    const properties: Record<string, JsonSchema> = { resources: { type: 'string' } };
    if (minor >= 16) properties.limit = LIMIT;
    if (minor >= 17) properties.required = { type: ['string'] };
    if (minor >= 21) properties.member_of = { type: ['string'] };
    return { type: 'object', properties, required: ['resources'], additionalProperties: false };
  }
  const properties: Record<string, JsonSchema> = {
    limit: LIMIT,
    group_policy: { type: 'string', enum: ['none', 'isolate'] },
  };
  if (minor >= 35) properties.root_required = { type: ['string'] };
  if (minor >= 36) properties.same_subtree = { type: ['string'] };
  const pat = minor >= 33 ? GROUP_PAT_1_33 : GROUP_PAT;
  const prefixes =
    minor >= 31 ? ['resources', 'required', 'member_of', 'in_tree'] : ['resources', 'required', 'member_of'];
  const patternProperties: Record<string, JsonSchema> = {};
  for (const p of prefixes) patternProperties[`^${p}(${pat})?$`] = { type: 'string' };
  return { type: 'object', properties, additionalProperties: false, patternProperties };
}

/**
 * util.validate_query_params on `dict(req.GET)` (each key once, at its first position, with
 * its last value): jsonschema's text for the reported error, or null.
 */
export function queryValidationError(query: Map<string, string>, minor: number): string | null {
  let schema = schemas.get(minor);
  if (schema === undefined) {
    schema = schemaFor(minor);
    schemas.set(minor, schema);
  }
  return schemaError(Object.fromEntries(query), schema);
}
// Built once per microversion (a few dozen at most).
const schemas = new Map<number, JsonSchema>();
