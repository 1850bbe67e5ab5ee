import type { JsonSchema } from './json-schema.js';

/** Placement's request schemas (placement/schemas/*.py), key order as in the Python source. */

const RC_TRAIT_CHAR = '[A-Z0-9_]';
export const CUSTOM_RC_PATTERN = `^CUSTOM_${RC_TRAIT_CHAR}+$`;
export const CUSTOM_TRAIT_PATTERN = CUSTOM_RC_PATTERN;
export const UUID_PATTERN = '^[0-9a-fA-F-]{36}$';

export const POST_RC_SCHEMA_V1_2: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string', pattern: CUSTOM_RC_PATTERN, maxLength: 255 } },
  required: ['name'],
  additionalProperties: false,
};
export const PUT_RC_SCHEMA_V1_2 = POST_RC_SCHEMA_V1_2;
