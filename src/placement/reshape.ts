import type pg from 'pg';
import { type ConsumerAllocationsInput, parseConsumerWrites, replaceAllocations } from './allocations.js';
import { type InventoryInput, mergeInventoriesOf, parseInventoryList, replaceInventoriesOf } from './inventories.js';
import { checkAndBumpGeneration } from './lookups.js';
import { defaultRetryPolicy } from './transactions.js';
import type { WriteCaller } from './write-caller.js';
import { writeTransaction } from './write-transaction.js';

export interface ReshapeInput {
  /** Providers whose inventories are replaced, each with the generation the caller read. */
  inventories: { providerUuid: string; generation: number; inventories: InventoryInput[] }[];
  /** Consumers whose allocations are replaced (none, one or many). */
  consumers: ConsumerAllocationsInput[];
}

/**
 * Placement's reshaper (POST /reshaper): inventories and allocations replaced in one
 * transaction, so allocations can move to classes and providers that do not exist yet and
 * off those about to go. As Placement does it: every named provider's generation checked;
 * the new inventories merged in beside the old ones (a generation each); the allocations
 * replaced (the one fit rule, no over-commit; generations as Placement's replace_all); then
 * each provider's inventories made exactly the new ones (a generation each; a class still
 * allocated cannot go).
 */
export async function reshape(pool: pg.Pool, raw: ReshapeInput, caller?: WriteCaller): Promise<void> {
  const inventories = raw.inventories.map((entry, i) => ({
    ...entry,
    inventories: parseInventoryList(entry.inventories, `inventories[${i}].inventories`),
  }));
  const consumers = parseConsumerWrites(raw.consumers);
  await writeTransaction(
    pool,
    async (db) => {
      const providers = [];
      for (const entry of inventories) {
        const provider = await checkAndBumpGeneration(db, entry.providerUuid, entry.generation);
        providers.push(provider);
        if (entry.inventories.length > 0) {
          await mergeInventoriesOf(db, provider, entry.inventories);
          await db.query('UPDATE resource_providers SET generation = generation + 1 WHERE id = $1', [provider.id]);
        }
      }
      await replaceAllocations(db, consumers, undefined, caller, { generations: 'written' });
      for (const [i, entry] of inventories.entries()) await replaceInventoriesOf(db, providers[i]!, entry.inventories);
    },
    defaultRetryPolicy,
    caller,
  );
}
