import type pg from 'pg';
import type { Queryable } from '../transactions.js';
import { parseInput } from '../validation.js';
import type { WriteCaller } from '../write-caller.js';
import { lockProviderTrees, writeTransaction } from '../write-transaction.js';
import { addCatalogueEntries, pruneCatalogueEntries } from './catalogue.js';
import { syncConsumers } from './consumers.js';
import { type ImportBatch, type ImportChange, type ImportInput, importInput } from './input.js';
import { syncProviders } from './providers.js';
import { prune } from './prune.js';

export type { ImportChange, ImportInput } from './input.js';

export interface ImportResult {
  dryRun: boolean;
  /** Every difference, in the order the batches made them. */
  changes: ImportChange[];
  /** Batches applied (each one committed on its own; none in a dry run). */
  batches: number;
}

/**
 * Writes a copy of an OpenStack Placement's state (docs/CLIENT.md, "placement import"). Each
 * batch is atomic: its own write transaction, applied in a fixed order whatever the order of
 * its fields (catalogue additions, providers, consumers, removals, catalogue removals), so a
 * failed batch leaves the batches before it in place and a re-run continues from there. A dry
 * run applies every batch in one transaction and rolls it back: it reports exactly what a run
 * would change, later batches seeing the earlier ones, and leaves nothing (no audit event either).
 */
export async function importPlacementState(
  pool: pg.Pool,
  raw: ImportInput,
  caller?: WriteCaller,
): Promise<ImportResult> {
  const input = parseInput(importInput, raw);
  if (input.dryRun) {
    const changes: ImportChange[] = [];
    try {
      await writeTransaction(pool, async (db) => {
        for (const [index, batch] of input.batches.entries()) changes.push(...(await applyBatch(db, batch, index)));
        throw new DryRunRollback();
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
    return { dryRun: true, changes, batches: 0 };
  }
  const changes: ImportChange[] = [];
  for (const [index, batch] of input.batches.entries()) {
    changes.push(...(await writeTransaction(pool, (db) => applyBatch(db, batch, index), undefined, caller)));
  }
  return { dryRun: false, changes, batches: input.batches.length };
}

/** Thrown at the end of a dry run's transaction so that it rolls back. */
class DryRunRollback extends Error {}

async function applyBatch(db: Queryable, batch: ImportBatch, index: number): Promise<ImportChange[]> {
  const changes: ImportChange[] = [];
  changes.push(...(await addCatalogueEntries(db, 'resource_classes', batch.resourceClasses ?? [])));
  changes.push(...(await addCatalogueEntries(db, 'traits', batch.traits ?? [])));
  // Providers are created and re-parented, and prune removes whole subtrees: tree shapes change.
  if (batch.providers?.length || batch.prune) await lockProviderTrees(db);
  if (batch.providers) changes.push(...(await syncProviders(db, batch.providers, `batches[${index}].providers`)));
  if (batch.consumers) changes.push(...(await syncConsumers(db, batch.consumers, `batches[${index}].consumers`)));
  if (batch.prune) changes.push(...(await prune(db, batch.prune)));
  if (batch.pruneCatalogue) {
    changes.push(...(await pruneCatalogueEntries(db, 'resource_classes', batch.pruneCatalogue.keepResourceClasses)));
    changes.push(...(await pruneCatalogueEntries(db, 'traits', batch.pruneCatalogue.keepTraits)));
  }
  return changes;
}
