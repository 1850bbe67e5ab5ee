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
  prune?: { keepProviders: string[]; keepConsumers: string[] };
  pruneCatalogue?: { keepResourceClasses: string[]; keepTraits: string[] };
}

const isCustom = (name: string) => name.startsWith('CUSTOM_');

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function importBatches(state: SourceState, batchSize: number): ImportBatch[] {
  const customClasses = state.resourceClasses.filter(isCustom);
  const customTraits = state.traits.filter(isCustom);
  // Standard entries matter only where used: ours is a smaller catalogue than os-traits.
  const usedClasses = state.providers.flatMap((p) => p.inventories.map((i) => i.resourceClass));
  const usedTraits = state.providers.flatMap((p) => p.traits);
  const batches: ImportBatch[] = [
    {
      resourceClasses: [...new Set([...customClasses, ...usedClasses])].sort(),
      traits: [...new Set([...customTraits, ...usedTraits])].sort(),
    },
  ];
  for (const providers of chunks(state.providers, batchSize)) batches.push({ providers });
  for (const consumers of chunks(state.consumers, batchSize)) batches.push({ consumers });
  batches.push({
    prune: { keepProviders: state.providers.map((p) => p.uuid), keepConsumers: state.consumers.map((c) => c.uuid) },
  });
  batches.push({ pruneCatalogue: { keepResourceClasses: customClasses, keepTraits: customTraits } });
  return batches;
}
