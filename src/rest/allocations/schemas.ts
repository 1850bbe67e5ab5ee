import type { JsonSchema } from '../json-schema.js';
import { UUID_PATTERN } from '../schemas.js';

/** Placement's allocation schemas (placement/schemas/allocation.py), key order as in the Python source. */

const RC_PATTERN = '^[A-Z0-9_]+$';
const CONSUMER_TYPE_PATTERN = '^[A-Z0-9_]+$';
const GROUP_PAT_1_33 = '[a-zA-Z0-9_-]{1,64}';
const ID: JsonSchema = { type: 'string', minLength: 1, maxLength: 255 };
const RESOURCES: JsonSchema = {
  type: 'object',
  minProperties: 1,
  patternProperties: { [RC_PATTERN]: { type: 'integer', minimum: 1 } },
  additionalProperties: false,
};

export const ALLOCATION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    allocations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          resource_provider: {
            type: 'object',
            properties: { uuid: { type: 'string', format: 'uuid' } },
            additionalProperties: false,
            required: ['uuid'],
          },
          resources: RESOURCES,
        },
        required: ['resource_provider', 'resources'],
        additionalProperties: false,
      },
    },
  },
  required: ['allocations'],
  additionalProperties: false,
};

export const ALLOCATION_SCHEMA_V1_8: JsonSchema = {
  ...ALLOCATION_SCHEMA,
  properties: { ...ALLOCATION_SCHEMA.properties, project_id: ID, user_id: ID },
  required: ['allocations', 'project_id', 'user_id'],
};

const v112 = (minProperties: number): JsonSchema => ({
  type: 'object',
  properties: {
    allocations: {
      type: 'object',
      minProperties,
      patternProperties: {
        [UUID_PATTERN]: {
          type: 'object',
          properties: { generation: { type: 'integer' }, resources: RESOURCES },
          required: ['resources'],
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    project_id: ID,
    user_id: ID,
  },
  additionalProperties: false,
  required: ['allocations', 'project_id', 'user_id'],
});

export const ALLOCATION_SCHEMA_V1_12 = v112(1);
const DELETABLE_ALLOCATIONS = v112(0);

const withGeneration = (base: JsonSchema): JsonSchema => ({
  ...base,
  properties: { ...base.properties, consumer_generation: { type: ['integer', 'null'], additionalProperties: false } },
  required: [...(base.required ?? []), 'consumer_generation'],
});
const MAPPINGS: JsonSchema = {
  type: 'object',
  minProperties: 1,
  patternProperties: { [GROUP_PAT_1_33]: { type: 'array', minItems: 1, items: { type: 'string', format: 'uuid' } } },
};
const withMappings = (base: JsonSchema): JsonSchema => ({
  ...base,
  properties: { ...base.properties, mappings: MAPPINGS },
});
const withType = (base: JsonSchema): JsonSchema => ({
  ...base,
  properties: {
    ...base.properties,
    consumer_type: { type: 'string', pattern: CONSUMER_TYPE_PATTERN, minLength: 1, maxLength: 255 },
  },
  required: [...(base.required ?? []), 'consumer_type'],
});

export const ALLOCATION_SCHEMA_V1_28 = withGeneration(DELETABLE_ALLOCATIONS);
export const ALLOCATION_SCHEMA_V1_34 = withMappings(ALLOCATION_SCHEMA_V1_28);
export const ALLOCATION_SCHEMA_V1_38 = withType(ALLOCATION_SCHEMA_V1_34);

const post = (consumer: JsonSchema, minProperties = 1): JsonSchema => ({
  type: 'object',
  minProperties,
  additionalProperties: false,
  patternProperties: { [UUID_PATTERN]: consumer },
});
export const POST_ALLOCATIONS_V1_13 = post(DELETABLE_ALLOCATIONS);
export const POST_ALLOCATIONS_V1_28 = post(ALLOCATION_SCHEMA_V1_28);
export const POST_ALLOCATIONS_V1_34 = post(ALLOCATION_SCHEMA_V1_34);
export const POST_ALLOCATIONS_V1_38 = post(ALLOCATION_SCHEMA_V1_38);

/** The reshaper's allocations: POST /allocations' schema that may be empty. */
export const RESHAPER_ALLOCATIONS = {
  v1_30: post(ALLOCATION_SCHEMA_V1_28, 0),
  v1_34: post(ALLOCATION_SCHEMA_V1_34, 0),
  v1_38: post(ALLOCATION_SCHEMA_V1_38, 0),
};
