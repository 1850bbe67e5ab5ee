import { GenerationConflictError, InUseError, InvalidInputError, NotFoundError } from '../../placement/errors.js';
import { deleteInventory, setInventories, upsertInventory } from '../../placement/inventories.js';
import { type InventoryView, providerInventories } from '../../placement/inventory-views.js';
import type { ProviderView } from '../../placement/provider-views.js';
import { readValidJson } from '../body.js';
import type { RestContext, RestHandler, RestResult } from '../context.js';
import { ErrorCode, RestError } from '../errors.js';
import { atLeast } from '../microversion.js';
import { PyFloat } from '../python.js';
import { BASE_INVENTORY_SCHEMA, POST_INVENTORY_SCHEMA, PUT_INVENTORY_SCHEMA } from '../schemas.js';
import { inUseClasses } from './in-use.js';
import { inventoryRefusal } from './inventory-refusal.js';
import { locationOf } from './links.js';
import { providerUrl } from './provider-links.js';
import { existingProvider } from './providers.js';

// handlers/inventory.py

interface InventoryFields {
  total: number;
  reserved: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
  allocation_ratio: number;
}

const DEFAULTS = { reserved: 0, min_unit: 1, max_unit: 2147483647, step_size: 1, allocation_ratio: 1.0 };

/** INVENTORY_DEFAULTS under what the client sent. */
const withDefaults = (raw: Partial<InventoryFields> & { total: number }): InventoryFields => ({ ...DEFAULTS, ...raw });

function serialize(inventory: InventoryFields, generation?: number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    total: inventory.total,
    reserved: inventory.reserved,
    min_unit: inventory.min_unit,
    max_unit: inventory.max_unit,
    step_size: inventory.step_size,
    allocation_ratio: new PyFloat(inventory.allocation_ratio),
  };
  // Placement writes `if generation:`, so a generation of 0 is left out.
  if (generation) data.resource_provider_generation = generation;
  return data;
}

const fromView = (view: InventoryView): InventoryFields => ({
  total: view.total,
  reserved: view.reserved,
  min_unit: view.minUnit,
  max_unit: view.maxUnit,
  step_size: view.stepSize,
  allocation_ratio: view.allocationRatio,
});

const toEngine = (resourceClass: string, inventory: InventoryFields) => ({
  resourceClass,
  total: inventory.total,
  reserved: inventory.reserved,
  minUnit: inventory.min_unit,
  maxUnit: inventory.max_unit,
  stepSize: inventory.step_size,
  allocationRatio: inventory.allocation_ratio,
});

/**
 * _validate_inventory_capacity: capacity int((total − reserved) × ratio) must be positive
 * before 1.26, and not negative from 1.26 (reserved may equal total).
 */
function capacityProblem(ctx: RestContext, resourceClass: string, uuid: string, inventory: InventoryFields) {
  const capacity = Math.trunc((inventory.total - inventory.reserved) * inventory.allocation_ratio);
  const since126 = atLeast(ctx.version, 1, 26);
  if (since126 ? capacity >= 0 : capacity > 0) return null;
  return `Invalid inventory for '${resourceClass}' on resource provider '${uuid}'. The reserved value is greater than ${since126 ? '' : 'or equal to '}total.`;
}

function inventoriesResponse(provider: ProviderView, views: InventoryView[], generation: number): RestResult {
  const inventories: Record<string, unknown> = {};
  for (const view of views) inventories[view.resourceClass] = serialize(fromView(view));
  return {
    status: 200,
    body: { resource_provider_generation: generation, inventories },
    lastModified: views.length ? provider.updatedAt : null,
  };
}

export const listInventories: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const provider = await existingProvider(ctx, uuid).catch((error: unknown) => {
    if (error instanceof RestError && error.status === 404)
      throw new RestError(
        404,
        `No resource provider with uuid ${uuid} found : No resource provider with uuid ${uuid} found`,
      );
    throw error;
  });
  return inventoriesResponse(provider, await providerInventories(ctx.db.pool, provider.id), provider.generation);
};

export const showInventory: RestHandler = async (ctx) => {
  const { uuid, resource_class: resourceClass } = ctx.params as { uuid: string; resource_class: string };
  const provider = await existingProvider(ctx, uuid).catch((error: unknown) => {
    if (error instanceof RestError && error.status === 404)
      throw new RestError(
        404,
        `No resource provider with uuid ${uuid} found : No resource provider with uuid ${uuid} found`,
      );
    throw error;
  });
  const view = (await providerInventories(ctx.db.pool, provider.id)).find((v) => v.resourceClass === resourceClass);
  if (!view) throw new RestError(404, `No inventory of class ${resourceClass} for ${uuid}`);
  return { status: 200, body: serialize(fromView(view), provider.generation), lastModified: provider.updatedAt };
};

const concurrentUpdate = (detail: string) => new RestError(409, detail, { code: ErrorCode.CONCURRENT_UPDATE });

/** How one inventory write words its refusals: POST and PUT of one class differ only here. */
interface WriteWording {
  /** `Update conflict` (POST) or `update conflict` (PUT), before Placement's concurrent-update text. */
  conflict: string;
  /** The class vanished before the write (a concurrent DELETE): `No such resource class X.` wrapped as each verb does. */
  unknownClass: (reason: string) => RestError;
}

/** Writes one class's inventory at the provider's generation; returns the new generation. */
async function writeInventory(
  ctx: RestContext,
  provider: ProviderView,
  uuid: string,
  resourceClass: string,
  inventory: InventoryFields,
  wording: WriteWording,
): Promise<number> {
  try {
    const { provider: written } = await upsertInventory(
      ctx.db.pool,
      { providerUuid: uuid, generation: provider.generation, inventory: toEngine(resourceClass, inventory) },
      ctx.caller(ctx.operation),
    );
    return written.generation;
  } catch (error) {
    if (error instanceof NotFoundError && error.resourceType === 'ResourceClass')
      throw wording.unknownClass(`No such resource class ${resourceClass}.`);
    if (error instanceof GenerationConflictError)
      throw concurrentUpdate(
        `${wording.conflict}: Another thread concurrently updated the data. Please retry your update`,
      );
    if (error instanceof InvalidInputError) throw inventoryRefusal(uuid, resourceClass, error);
    throw error;
  }
}

export const createInventory: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const provider = await existingProvider(ctx, uuid);
  const { resource_class: resourceClass, ...raw } = await readValidJson<
    Partial<InventoryFields> & { total: number; resource_class: string; resource_provider_generation?: number }
  >(ctx, POST_INVENTORY_SCHEMA);
  const { resource_provider_generation: _ignored, ...fields } = raw;
  const inventory = withDefaults(fields);
  const cannotCreate = (reason: string) =>
    new RestError(400, `Unable to create inventory for resource provider ${uuid}: ${reason}`);
  const problem = capacityProblem(ctx, resourceClass, uuid, inventory);
  if (problem) throw cannotCreate(problem);
  const existing = await providerInventories(ctx.db.pool, provider.id);
  if (existing.some((view) => view.resourceClass === resourceClass))
    throw concurrentUpdate(
      `Update conflict: the inventory of ${resourceClass} on resource provider ${uuid} already exists`,
    );
  const generation = await writeInventory(ctx, provider, uuid, resourceClass, inventory, {
    conflict: 'Update conflict',
    unknownClass: cannotCreate,
  });
  return {
    status: 201,
    body: serialize(inventory, generation),
    headers: { location: locationOf(ctx, `${providerUrl(ctx, uuid)}/inventories/${resourceClass}`) },
    lastModified: new Date(),
  };
};

export const setInventoriesHandler: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const provider = await existingProvider(ctx, uuid);
  const data = await readValidJson<{
    resource_provider_generation: number;
    inventories: Record<string, Partial<InventoryFields> & { total: number }>;
  }>(ctx, PUT_INVENTORY_SCHEMA);
  if (data.resource_provider_generation !== provider.generation)
    throw concurrentUpdate('resource provider generation conflict');
  const inventories = Object.entries(data.inventories).map(([resourceClass, raw]) => {
    const { resource_provider_generation: _ignored, ...fields } = raw as typeof raw & {
      resource_provider_generation?: number;
    };
    return [resourceClass, withDefaults(fields)] as const;
  });
  for (const [resourceClass, inventory] of inventories) {
    const problem = capacityProblem(ctx, resourceClass, uuid, inventory);
    if (problem) throw new RestError(400, `Unable to update inventory for resource provider ${uuid}: ${problem}`);
  }
  // Placement's schema lets any key through; an unknown class is refused by name.
  const names = inventories.map(([resourceClass]) => resourceClass);
  const { rows: known } = await ctx.db.pool.query<{ name: string }>(
    'SELECT name FROM resource_classes WHERE name = ANY($1::text[])',
    [names],
  );
  const unknown = names.find((name) => !known.some((row) => row.name === name));
  if (unknown !== undefined)
    throw new RestError(
      400,
      `Unknown resource class in inventory for resource provider ${uuid}: No such resource class ${unknown}.`,
    );
  let generation: number;
  try {
    ({
      provider: { generation },
    } = await setInventories(
      ctx.db.pool,
      {
        providerUuid: uuid,
        generation: provider.generation,
        inventories: inventories.map(([resourceClass, inventory]) => toEngine(resourceClass, inventory)),
      },
      ctx.caller(ctx.operation),
    ));
  } catch (error) {
    if (error instanceof NotFoundError && error.resourceType === 'ResourceClass')
      throw new RestError(
        400,
        `Unknown resource class in inventory for resource provider ${uuid}: No such resource class ${error.identifier}.`,
      );
    if (error instanceof GenerationConflictError)
      throw concurrentUpdate('update conflict: Another thread concurrently updated the data. Please retry your update');
    if (error instanceof InUseError)
      throw new RestError(409, `update conflict: ${inUse(error, uuid)}`, { code: ErrorCode.INVENTORY_INUSE });
    if (error instanceof InvalidInputError) {
      const at = /^inventories\[(\d+)\]/.exec(error.field);
      throw inventoryRefusal(uuid, inventories[Number(at?.[1])]?.[0] ?? error.field, error);
    }
    throw error;
  }
  const updated = await existingProvider(ctx, uuid);
  return inventoriesResponse(updated, await providerInventories(ctx.db.pool, provider.id), generation);
};

/** InventoryInUse's text for every class the engine found allocated. */
function inUse(error: InUseError, uuid: string): string {
  return `Inventory for '${inUseClasses(error)}' on resource provider '${uuid}' in use.`;
}

export const deleteInventories: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const provider = await existingProvider(ctx, uuid);
  try {
    await setInventories(
      ctx.db.pool,
      { providerUuid: uuid, generation: provider.generation, inventories: [] },
      ctx.caller(ctx.operation),
    );
  } catch (error) {
    if (error instanceof GenerationConflictError)
      throw concurrentUpdate(
        `Unable to delete inventory for resource provider ${uuid} because the inventory was updated by another process. Please retry your request.`,
      );
    if (error instanceof InUseError) throw new RestError(409, inUse(error, uuid), { code: ErrorCode.INVENTORY_INUSE });
    throw error;
  }
  return { status: 204 };
};

export const updateInventory: RestHandler = async (ctx) => {
  const { uuid, resource_class: resourceClass } = ctx.params as { uuid: string; resource_class: string };
  const provider = await existingProvider(ctx, uuid);
  const { resource_provider_generation: expected, ...fields } = await readValidJson<
    Partial<InventoryFields> & { total: number; resource_provider_generation: number }
  >(ctx, BASE_INVENTORY_SCHEMA);
  if (expected !== provider.generation) throw concurrentUpdate('resource provider generation conflict');
  const inventory = withDefaults(fields);
  const problem = capacityProblem(ctx, resourceClass, uuid, inventory);
  if (problem) throw new RestError(400, `Unable to update inventory for resource provider ${uuid}: ${problem}`);
  const existing = await providerInventories(ctx.db.pool, provider.id);
  if (!existing.some((view) => view.resourceClass === resourceClass)) {
    const classes = await ctx.db.pool.query('SELECT 1 FROM resource_classes WHERE name = $1', [resourceClass]);
    if (!classes.rowCount) throw new RestError(404, `No such resource class ${resourceClass}.`, { vary: false });
    throw new RestError(
      400,
      `No inventory record with resource class for resource provider ${uuid}: No inventory of class ${resourceClass} found.`,
    );
  }
  const generation = await writeInventory(ctx, provider, uuid, resourceClass, inventory, {
    conflict: 'update conflict',
    unknownClass: (reason) => new RestError(404, reason, { vary: false }),
  });
  return { status: 200, body: serialize(inventory, generation), lastModified: new Date() };
};

export const deleteInventoryHandler: RestHandler = async (ctx) => {
  const { uuid, resource_class: resourceClass } = ctx.params as { uuid: string; resource_class: string };
  const provider = await existingProvider(ctx, uuid);
  try {
    await deleteInventory(
      ctx.db.pool,
      { providerUuid: uuid, generation: provider.generation, resourceClass },
      ctx.caller(ctx.operation),
    );
  } catch (error) {
    // A name no class can have (`lower_case`) is as unknown to Placement as a missing class.
    const badName = error instanceof InvalidInputError && error.field === 'resourceClass';
    if (badName || (error instanceof NotFoundError && error.resourceType === 'ResourceClass'))
      throw new RestError(
        404,
        `No inventory of class ${resourceClass} found for delete: No such resource class ${resourceClass}.`,
      );
    if (error instanceof NotFoundError)
      throw new RestError(
        404,
        `No inventory of class ${resourceClass} found for delete: No inventory of class ${resourceClass} found for delete`,
      );
    if (error instanceof GenerationConflictError)
      throw concurrentUpdate(
        `Unable to delete inventory of class ${resourceClass}: Another thread concurrently updated the data. Please retry your update`,
      );
    if (error instanceof InUseError)
      throw concurrentUpdate(`Unable to delete inventory of class ${resourceClass}: ${inUse(error, uuid)}`);
    throw error;
  }
  return { status: 204 };
};
