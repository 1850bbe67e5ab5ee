import { z } from 'zod';
import { externalId, int32, MAX_ALLOCATION_RATIO, providerName, referenceName, uuidString } from '../validation.js';

// What importPlacementState takes: a copy of an OpenStack Placement's state, in batches. Each
// entry is the whole truth about one thing (a provider with its inventories, traits and
// aggregates; a consumer with its allocations); the engine makes ours equal to it.

const className = referenceName('resource class');
const traitName = referenceName('trait');

const inventory = z
  .object({
    resourceClass: className,
    total: int32(1),
    reserved: int32(0),
    minUnit: int32(1),
    maxUnit: int32(1),
    stepSize: int32(1),
    // Placement's own bounds: > 0, and it stores a float.
    allocationRatio: z
      .number()
      .refine((ratio) => ratio > 0, { message: 'must be greater than 0', params: { rule: 'gt:0' } })
      .max(MAX_ALLOCATION_RATIO, { message: `must be at most ${MAX_ALLOCATION_RATIO}` }),
  })
  // Our table's rules (Placement 8.0 keeps the same ones): a typed refusal, not a CHECK violation.
  .superRefine((inv, ctx) => {
    if (inv.reserved > inv.total)
      ctx.addIssue({
        code: 'custom',
        path: ['reserved'],
        message: 'must not exceed total',
        params: { rule: 'reserved<=total' },
      });
    if (inv.minUnit > inv.maxUnit)
      ctx.addIssue({
        code: 'custom',
        path: ['minUnit'],
        message: 'must not exceed maxUnit',
        params: { rule: 'minUnit<=maxUnit' },
      });
  });

const provider = z.object({
  uuid: uuidString,
  name: providerName,
  parentProviderUuid: uuidString.nullish(),
  generation: int32(0),
  inventories: z.array(inventory).max(1000),
  traits: z.array(traitName).max(1000),
  aggregates: z.array(uuidString).max(1000),
});

const allocation = z.object({ providerUuid: uuidString, resourceClass: className, used: int32(1) });

const consumer = z.object({
  uuid: uuidString,
  projectId: externalId('projectId'),
  userId: externalId('userId'),
  consumerType: referenceName('consumer type').nullish(),
  generation: int32(0),
  allocations: z.array(allocation).min(1, { message: 'a consumer exists only while it holds allocations' }).max(1000),
});

/**
 * What the source has, by identity, within the uuid range [fromUuid, toUuid) (open ends when
 * null): providers and consumers here in that range and not listed are removed. Ranges let a
 * large source's lists go in several requests.
 */
const prune = z.object({
  keepProviders: z.array(uuidString).max(20_000),
  keepConsumers: z.array(uuidString).max(20_000),
  fromUuid: uuidString.nullish(),
  toUuid: uuidString.nullish(),
});
export type ImportPrune = z.output<typeof prune>;

/** The custom catalogue entries the source has: custom ones here and not listed (and unused) are removed. */
const pruneCatalogue = z.object({
  keepResourceClasses: z.array(className),
  keepTraits: z.array(traitName),
});

const batch = z.object({
  resourceClasses: z.array(className).max(10_000).nullish(),
  traits: z.array(traitName).max(10_000).nullish(),
  prune: prune.nullish(),
  providers: z.array(provider).max(1000).nullish(),
  consumers: z.array(consumer).max(1000).nullish(),
  pruneCatalogue: pruneCatalogue.nullish(),
});

export const importInput = z.object({
  batches: z.array(batch).max(100),
  dryRun: z.boolean().nullish(),
});

export type ImportInput = z.input<typeof importInput>;
export type ImportBatch = z.output<typeof batch>;
export type ImportProvider = z.output<typeof provider>;
export type ImportInventory = z.output<typeof inventory>;
export type ImportConsumer = z.output<typeof consumer>;

export type ImportAction = 'CREATE' | 'UPDATE' | 'REMOVE';
export type ImportKind = 'RESOURCE_CLASS' | 'TRAIT' | 'PROVIDER' | 'CONSUMER';

/** One difference the import made (or, in a dry run, would make). */
export interface ImportChange {
  action: ImportAction;
  kind: ImportKind;
  /** The uuid of a provider or consumer, the name of a class or trait. */
  id: string;
  /** What differed, e.g. `generation 3 → 5; traits +CUSTOM_A`; empty for creates and removes. */
  detail: string;
}
