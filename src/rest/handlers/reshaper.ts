import {
  ConsumerGenerationConflictError,
  GenerationConflictError,
  InUseError,
  InvalidInputError,
  NotFoundError,
} from '../../placement/errors.js';
import { reshape } from '../../placement/reshape.js';
import { RESHAPER_ALLOCATIONS } from '../allocations/schemas.js';
import {
  type ConsumerBody,
  consumerEntries,
  generationConflict,
  placementError,
  prepareConsumers,
} from '../allocations/write.js';
import { readValidJson } from '../body.js';
import type { RestHandler } from '../context.js';
import { ErrorCode, RestError } from '../errors.js';
import type { JsonSchema } from '../json-schema.js';
import { PUT_INVENTORY_SCHEMA, UUID_PATTERN } from '../schemas.js';
import { inUseClasses } from './in-use.js';
import { inventoryRefusal } from './inventory-refusal.js';

// handlers/reshaper.py

const reshaperSchema = (allocations: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: {
    inventories: {
      type: 'object',
      patternProperties: { [UUID_PATTERN]: PUT_INVENTORY_SCHEMA },
      minProperties: 1,
      additionalProperties: false,
    },
    allocations,
  },
  required: ['inventories', 'allocations'],
  additionalProperties: false,
});
const POST_RESHAPER_SCHEMA = reshaperSchema(RESHAPER_ALLOCATIONS.v1_30);
const POST_RESHAPER_SCHEMA_V1_34 = reshaperSchema(RESHAPER_ALLOCATIONS.v1_34);
const POST_RESHAPER_SCHEMA_V1_38 = reshaperSchema(RESHAPER_ALLOCATIONS.v1_38);

interface InventoryRecord {
  total: number;
  reserved?: number;
  min_unit?: number;
  max_unit?: number;
  step_size?: number;
  allocation_ratio?: number;
}

interface ReshaperBody {
  inventories: Record<string, { resource_provider_generation: number; inventories: Record<string, InventoryRecord> }>;
  allocations: Record<string, ConsumerBody>;
}

const CONCURRENT = 'Another thread concurrently updated the data. Please retry your update';

/** POST /reshaper (1.30+): inventories and allocations replaced in one transaction. */
export const reshapeHandler: RestHandler = async (ctx) => {
  const minor = ctx.version.minor;
  const schema =
    minor >= 38 ? POST_RESHAPER_SCHEMA_V1_38 : minor >= 34 ? POST_RESHAPER_SCHEMA_V1_34 : POST_RESHAPER_SCHEMA;
  const body = await readValidJson<ReshaperBody>(ctx, schema);
  // Providers are looked up as written, as Placement compares the text: an upper-case key names none.
  const uuids = Object.keys(body.inventories);
  const { rows } = await ctx.db.pool.query<{ uuid: string; generation: number }>(
    'SELECT uuid, generation FROM resource_providers WHERE uuid::text = ANY($1::text[])',
    [uuids],
  );
  const generationOf = new Map(rows.map((r) => [r.uuid, r.generation]));
  for (const [uuid, entry] of Object.entries(body.inventories)) {
    const actual = generationOf.get(uuid);
    if (actual === undefined)
      throw new RestError(
        400,
        `Resource provider ${uuid} in inventories not found: No resource provider with uuid ${uuid} found`,
        { code: ErrorCode.RESOURCE_PROVIDER_NOT_FOUND },
      );
    if (actual !== entry.resource_provider_generation)
      throw new RestError(
        409,
        `resource provider generation conflict for provider ${uuid}: actual: ${actual}, given: ${entry.resource_provider_generation}`,
        { code: ErrorCode.CONCURRENT_UPDATE },
      );
  }
  const inventoryEntries = Object.entries(body.inventories).map(([providerUuid, entry]) => ({
    providerUuid,
    generation: entry.resource_provider_generation,
    inventories: Object.entries(entry.inventories).map(([resourceClass, i]) => ({
      resourceClass,
      total: i.total,
      reserved: i.reserved,
      minUnit: i.min_unit,
      maxUnit: i.max_unit,
      stepSize: i.step_size,
      allocationRatio: i.allocation_ratio,
    })),
  }));
  const consumers = await prepareConsumers(
    ctx.db.pool,
    consumerEntries(body.allocations, 'malformed reshaper data: '),
    minor,
    false,
  );
  try {
    await reshape(
      ctx.db.pool,
      {
        inventories: inventoryEntries,
        consumers,
      },
      ctx.caller('POST /placement/reshaper'),
    );
  } catch (error) {
    if (error instanceof GenerationConflictError)
      throw new RestError(409, `update conflict: ${CONCURRENT}`, { code: ErrorCode.CONCURRENT_UPDATE });
    if (error instanceof ConsumerGenerationConflictError) throw generationConflict(error);
    if (error instanceof NotFoundError && error.resourceType === 'ResourceClass')
      throw new RestError(400, `malformed reshaper data: No such resource class ${error.identifier}.`);
    if (error instanceof InvalidInputError) {
      const refusal = reshaperInventoryRefusal(error, inventoryEntries);
      if (refusal) throw refusal;
    }
    if (error instanceof InUseError) {
      // The engine names the in-use inventory `<provider uuid>/<class>`.
      const provider = error.identifier.slice(0, error.identifier.indexOf('/'));
      throw new RestError(
        409,
        `update conflict: Inventory for '${inUseClasses(error)}' on resource provider '${provider}' in use.`,
        { code: ErrorCode.INVENTORY_INUSE },
      );
    }
    throw placementError(error, consumers, 'malformed reshaper data: ');
  }
  return { status: 204 };
};

const INVENTORY_FIELD = /^inventories\[(\d+)\]\.inventories\[(\d+)\]\.(\w+)/;

/**
 * The engine's refusal of one inventory of the body. A class name the engine cannot hold
 * (`lower_case`) is a class that does not exist, which Placement reports as malformed data;
 * values the engine is stricter about than Placement are a 400 naming the inventory, as the
 * inventories handlers answer (never a 500).
 */
function reshaperInventoryRefusal(
  error: InvalidInputError,
  entries: { providerUuid: string; inventories: { resourceClass: string }[] }[],
): RestError | null {
  const at = INVENTORY_FIELD.exec(error.field);
  const entry = at ? entries[Number(at[1])] : undefined;
  const inventory = at && entry ? entry.inventories[Number(at[2])] : undefined;
  if (!at || !entry || !inventory) return null;
  if (at[3] === 'resourceClass')
    return new RestError(400, `malformed reshaper data: No such resource class ${inventory.resourceClass}.`);
  return inventoryRefusal(entry.providerUuid, inventory.resourceClass, error);
}
