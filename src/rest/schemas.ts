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

export const POST_RESOURCE_PROVIDER_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 200 }, uuid: { type: 'string', format: 'uuid' } },
  required: ['name'],
  additionalProperties: false,
};
export const PUT_RESOURCE_PROVIDER_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 200 } },
  required: ['name'],
  additionalProperties: false,
};
const PARENT_PROVIDER_UUID: JsonSchema = { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] };
export const POST_RP_SCHEMA_V1_14: JsonSchema = {
  ...POST_RESOURCE_PROVIDER_SCHEMA,
  properties: { ...POST_RESOURCE_PROVIDER_SCHEMA.properties, parent_provider_uuid: PARENT_PROVIDER_UUID },
};
export const PUT_RP_SCHEMA_V1_14: JsonSchema = {
  ...PUT_RESOURCE_PROVIDER_SCHEMA,
  properties: { ...PUT_RESOURCE_PROVIDER_SCHEMA.properties, parent_provider_uuid: PARENT_PROVIDER_UUID },
};

export const GET_RPS_SCHEMA_1_0: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, uuid: { type: 'string', format: 'uuid' } },
  additionalProperties: false,
};
export const GET_RPS_SCHEMA_1_3: JsonSchema = {
  ...GET_RPS_SCHEMA_1_0,
  properties: { ...GET_RPS_SCHEMA_1_0.properties, member_of: { type: 'string' } },
};
export const GET_RPS_SCHEMA_1_4: JsonSchema = {
  ...GET_RPS_SCHEMA_1_3,
  properties: { ...GET_RPS_SCHEMA_1_3.properties, resources: { type: 'string' } },
};
export const GET_RPS_SCHEMA_1_14: JsonSchema = {
  ...GET_RPS_SCHEMA_1_4,
  properties: { ...GET_RPS_SCHEMA_1_4.properties, in_tree: { type: 'string', format: 'uuid' } },
};
export const GET_RPS_SCHEMA_1_18: JsonSchema = {
  ...GET_RPS_SCHEMA_1_14,
  properties: { ...GET_RPS_SCHEMA_1_14.properties, required: { type: 'string' } },
};

const TRAIT: JsonSchema = { type: 'string', minLength: 1, maxLength: 255 };
export const CUSTOM_TRAIT: JsonSchema = { ...TRAIT, pattern: CUSTOM_TRAIT_PATTERN };
export const SET_TRAITS_FOR_RP_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { traits: { type: 'array', items: TRAIT }, resource_provider_generation: { type: 'integer' } },
  required: ['traits', 'resource_provider_generation'],
  additionalProperties: false,
};
export const LIST_TRAIT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, associated: { type: 'string' } },
  additionalProperties: false,
};

const MAX_INT = 2147483647;
const SQL_SP_FLOAT_MAX = 3.40282e38;
const INVENTORY_PROPERTIES: Record<string, JsonSchema> = {
  resource_provider_generation: { type: 'integer' },
  total: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  reserved: { type: 'integer', maximum: MAX_INT, minimum: 0 },
  min_unit: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  max_unit: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  step_size: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  allocation_ratio: { type: 'number', maximum: SQL_SP_FLOAT_MAX },
};
export const BASE_INVENTORY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: INVENTORY_PROPERTIES,
  required: ['total', 'resource_provider_generation'],
  additionalProperties: false,
};
export const POST_INVENTORY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { ...INVENTORY_PROPERTIES, resource_class: { type: 'string', pattern: '^[A-Z0-9_]+$' } },
  required: ['total', 'resource_class'],
  additionalProperties: false,
};
const PUT_INVENTORY_RECORD_SCHEMA: JsonSchema = {
  type: 'object',
  properties: INVENTORY_PROPERTIES,
  required: ['total'],
  additionalProperties: false,
};
export const PUT_INVENTORY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    resource_provider_generation: { type: 'integer' },
    inventories: { type: 'object', patternProperties: { '^[A-Z0-9_]+$': PUT_INVENTORY_RECORD_SCHEMA } },
  },
  required: ['resource_provider_generation', 'inventories'],
  additionalProperties: false,
};

const AGGREGATES_LIST_SCHEMA: JsonSchema = {
  type: 'array',
  items: { type: 'string', format: 'uuid' },
  uniqueItems: true,
};
export const PUT_AGGREGATES_SCHEMA_V1_1 = AGGREGATES_LIST_SCHEMA;
export const PUT_AGGREGATES_SCHEMA_V1_19: JsonSchema = {
  type: 'object',
  properties: { aggregates: AGGREGATES_LIST_SCHEMA, resource_provider_generation: { type: 'integer' } },
  required: ['aggregates', 'resource_provider_generation'],
  additionalProperties: false,
};

const RC_TRAIT_PATTERN = `^${RC_TRAIT_CHAR}+$`;
export const GET_USAGES_SCHEMA_1_9: JsonSchema = {
  type: 'object',
  properties: {
    project_id: { type: 'string', minLength: 1, maxLength: 255 },
    user_id: { type: 'string', minLength: 1, maxLength: 255 },
  },
  required: ['project_id'],
  additionalProperties: false,
};
export const GET_USAGES_SCHEMA_V1_38: JsonSchema = {
  ...GET_USAGES_SCHEMA_1_9,
  properties: {
    ...GET_USAGES_SCHEMA_1_9.properties,
    consumer_type: { type: 'string', pattern: `${RC_TRAIT_PATTERN}|^all|^unknown$`, minLength: 1, maxLength: 255 },
  },
};
