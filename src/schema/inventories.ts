import { builder } from '../builder.js';
import { utilization } from '../placement/fit.js';
import {
  deleteInventory,
  type InventoryWriteResult,
  setInventories,
  upsertInventory,
} from '../placement/inventories.js';
import { since } from '../versions.js';
import { mutationErrors } from './errors.js';
import { writeCaller } from './write-caller.js';

builder.prismaObject('Inventory', {
  description: "A provider's inventory of one resource class. capacity = floor((total − reserved) × allocationRatio).",
  fields: (t) => ({
    resourceClass: t.string({
      select: { resourceClass: { select: { name: true } } },
      resolve: (inventory) => inventory.resourceClass.name,
    }),
    total: t.exposeInt('total'),
    reserved: t.exposeInt('reserved'),
    minUnit: t.exposeInt('minUnit'),
    maxUnit: t.exposeInt('maxUnit'),
    stepSize: t.exposeInt('stepSize'),
    allocationRatio: t.exposeFloat('allocationRatio'),
    capacity: t.field({ type: 'SafeInt', select: { capacity: true }, resolve: (i) => Number(i.capacity) }),
    used: t.field({ type: 'SafeInt', select: { used: true }, resolve: (i) => Number(i.used) }),
    free: t.field({
      type: 'SafeInt',
      description: 'capacity − used, never below 0 (used can exceed capacity after an inventory shrank).',
      select: { capacity: true, used: true },
      resolve: (i) => Math.max(0, Number(i.capacity) - Number(i.used)),
    }),
    utilization: t.float({
      subGraphs: since('1.1'),
      description:
        'used ÷ capacity: 0 when nothing is used or capacity is 0; above 1 when used exceeds a shrunk capacity. Since 1.1.',
      select: { capacity: true, used: true },
      resolve: (i) => utilization(Number(i.used), Number(i.capacity)),
    }),
  }),
});

const InventoryInput = builder.inputType('InventoryInput', {
  description:
    'Integers are SafeInt on the wire so that out-of-range values get a typed InvalidInput; the rules are those of Placement.',
  fields: (t) => ({
    resourceClass: t.string({ required: true }),
    total: t.field({ type: 'SafeInt', required: true, description: '1 … 2147483647' }),
    reserved: t.field({ type: 'SafeInt', description: '0 … total; default 0' }),
    minUnit: t.field({ type: 'SafeInt', description: '1 … maxUnit; default 1' }),
    maxUnit: t.field({ type: 'SafeInt', description: 'minUnit … 2147483647; default 2147483647' }),
    stepSize: t.field({ type: 'SafeInt', description: '≥ 1; default 1' }),
    allocationRatio: t.float({ description: '> 0 and ≤ 10000; default 1.0' }),
  }),
});

const SetInventoriesInput = builder.inputType('SetInventoriesInput', {
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    generation: t.int({ required: true, description: "The provider's current generation." }),
    inventories: t.field({
      type: [InventoryInput],
      required: true,
      description: 'The complete new set; classes left out are removed.',
    }),
  }),
});

const UpsertInventoryInput = builder.inputType('UpsertInventoryInput', {
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    generation: t.int({ required: true }),
    inventory: t.field({ type: InventoryInput, required: true }),
  }),
});

const DeleteInventoryInput = builder.inputType('DeleteInventoryInput', {
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    generation: t.int({ required: true }),
    resourceClass: t.string({ required: true }),
  }),
});

const InventoriesPayload = builder.objectRef<InventoryWriteResult>('InventoriesPayload').implement({
  fields: (t) => ({
    resourceProvider: t.prismaField({
      type: 'ResourceProvider',
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.resourceProvider.findUniqueOrThrow({ ...query, where: { id: payload.provider.id } }),
    }),
    warnings: t.exposeStringList('warnings', {
      description: 'E.g. capacity now below current usage: allowed, but new allocations will not fit.',
    }),
  }),
});

const optional = <T>(value: T | null | undefined): T | undefined => value ?? undefined;
function inventoryArgs(inv: {
  resourceClass: string;
  total: number;
  reserved?: number | null;
  minUnit?: number | null;
  maxUnit?: number | null;
  stepSize?: number | null;
  allocationRatio?: number | null;
}) {
  return {
    resourceClass: inv.resourceClass,
    total: inv.total,
    reserved: optional(inv.reserved),
    minUnit: optional(inv.minUnit),
    maxUnit: optional(inv.maxUnit),
    stepSize: optional(inv.stepSize),
    allocationRatio: optional(inv.allocationRatio),
  };
}

builder.mutationFields((t) => ({
  setInventories: t.field({
    type: InventoriesPayload,
    errors: mutationErrors,
    description: 'Replaces all inventories of a provider (generation-checked). Removing an allocated class is refused.',
    args: { input: t.arg({ type: SetInventoriesInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      setInventories(
        ctx.db.pool,
        { ...input, inventories: input.inventories.map(inventoryArgs) },
        writeCaller(ctx, 'setInventories'),
      ),
  }),
  upsertInventory: t.field({
    type: InventoriesPayload,
    errors: mutationErrors,
    description: 'Adds or replaces the inventory of one class (generation-checked).',
    args: { input: t.arg({ type: UpsertInventoryInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      upsertInventory(
        ctx.db.pool,
        { ...input, inventory: inventoryArgs(input.inventory) },
        writeCaller(ctx, 'upsertInventory'),
      ),
  }),
  deleteInventory: t.field({
    type: InventoriesPayload,
    errors: mutationErrors,
    description: 'Removes the inventory of one class (generation-checked); refused while allocated.',
    args: { input: t.arg({ type: DeleteInventoryInput, required: true }) },
    resolve: (_root, { input }, ctx) => deleteInventory(ctx.db.pool, input, writeCaller(ctx, 'deleteInventory')),
  }),
}));
