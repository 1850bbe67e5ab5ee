import type { SourceState } from './source.js';

/**
 * The source's state as importPlacementState batches (schema.graphql, ImportBatchInput): the
 * catalogue first, then providers (parents first) and consumers in chunks small enough for
 * one request each, then the removals, which need every provider and consumer in place.
 */

export interface ImportBatch {
  resourceClasses?: string[];
  traits?: string[];
  providers?: SourceState['providers'];
  consumers?: SourceState['consumers'];
  prune?: { keepProviders: string[]; keepConsumers: string[]; fromUuid: string | null; toUuid: string | null };
  pruneCatalogue?: { keepResourceClasses: string[]; keepTraits: string[] };
}

const isCustom = (name: string) => name.startsWith('CUSTOM_');

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Uuids listed per removal batch: about 200 kB of request. */
const PRUNE_RANGE_SIZE = 5000;

/**
 * The removals as consecutive uuid ranges covering every uuid, each listing the source's
 * providers and consumers inside it: a large source's lists in requests of bounded size.
 */
export function pruneBatches(state: SourceState, rangeSize: number): ImportBatch[] {
  const providers = state.providers.map((p) => p.uuid.toLowerCase()).sort();
  const consumers = state.consumers.map((c) => c.uuid.toLowerCase()).sort();
  const all = [...new Set([...providers, ...consumers])].sort();
  // Range i starts at the (i·rangeSize)-th uuid; the first is open below, the last open above.
  const starts: Array<string | null> = [null];
  for (let i = rangeSize; i < all.length; i += rangeSize) starts.push(all[i]!);
  return starts.map((fromUuid, i) => {
    const toUuid = starts[i + 1] ?? null;
    const inside = (uuid: string) => (fromUuid === null || uuid >= fromUuid) && (toUuid === null || uuid < toUuid);
    return {
      prune: { keepProviders: providers.filter(inside), keepConsumers: consumers.filter(inside), fromUuid, toUuid },
    };
  });
}

export function importBatches(state: SourceState, batchSize: number): ImportBatch[] {
  const customClasses = state.resourceClasses.filter(isCustom);
  const customTraits = state.traits.filter(isCustom);
  // Standard entries matter only where used: ours is a smaller catalogue than os-traits.
  const usedClasses = state.providers.flatMap((p) => p.inventories.map((i) => i.resourceClass));
  const usedTraits = state.providers.flatMap((p) => p.traits);
  const batches: ImportBatch[] = [
    {
      // In the source's order: new classes are created in it, and Placement lists classes in creation order.
      resourceClasses: [...new Set([...customClasses, ...usedClasses])],
      traits: [...new Set([...customTraits, ...usedTraits])].sort(),
    },
  ];
  for (const providers of chunks(state.providers, batchSize)) batches.push({ providers });
  for (const consumers of chunks(state.consumers, batchSize)) batches.push({ consumers });
  batches.push(...pruneBatches(state, PRUNE_RANGE_SIZE));
  batches.push({ pruneCatalogue: { keepResourceClasses: customClasses, keepTraits: customTraits } });
  return batches;
}
