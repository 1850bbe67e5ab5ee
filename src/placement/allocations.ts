import type pg from 'pg';
import { z } from 'zod';
import { noteConsumers, noteProviders } from './audit/trail.js';
import { assertMayWriteConsumer } from './consumer-access.js';
import { CapacityExceededError, ConsumerGenerationConflictError, InvalidInputError, NotFoundError } from './errors.js';
import { capacityViolation, type InventoryState, shareBoundsSet, unitViolation } from './fit.js';
import { resourceClassIds } from './lookups.js';
import { defaultRetryPolicy, type Queryable, type RetryPolicy } from './transactions.js';
import { externalId, int32, parseInput, referenceName, resourceAmount, uuidString } from './validation.js';
import type { WriteCaller } from './write-caller.js';
import { writeTransaction } from './write-transaction.js';

const providerAllocation = z.object({
  providerUuid: uuidString,
  resources: z.array(resourceAmount).min(1, { message: 'list at least one resource' }).max(100),
});

const consumerAllocations = z.object({
  consumerUuid: uuidString,
  // Required, and null means "this consumer must not exist yet".
  consumerGeneration: int32(0).nullable(),
  projectId: externalId('projectId'),
  userId: externalId('userId'),
  consumerType: referenceName('consumer type').nullish(),
  allocations: z.array(providerAllocation).max(1000),
});
export type ConsumerAllocationsInput = z.input<typeof consumerAllocations>;

const writeAllocationsInput = z.object({
  consumers: z.array(consumerAllocations).min(1, { message: 'list at least one consumer' }).max(1000),
});

const deleteAllocationsInput = z.object({ consumerUuid: uuidString, consumerGeneration: int32(0) });

export interface ConsumerWriteResult {
  consumerUuid: string;
  /** The consumer's generation after the write; null when it has no allocations left and is gone. */
  generation: number | null;
}

interface InventoryRow extends InventoryState {
  id: number;
  providerId: number;
  classId: number;
}

export type Validated = z.output<typeof writeAllocationsInput>;
const pairKey = (providerId: number, classId: number) => `${providerId}:${classId}`;

/**
 * Where consumer `index` sits in the caller's input, as a field-path prefix: `consumers[i].`
 * for a list of consumers, empty when the input is one consumer (setAllocations).
 */
export type ConsumerPath = (index: number) => string;
const listPath: ConsumerPath = (index) => `consumers[${index}].`;
const singlePath: ConsumerPath = () => '';

function assertNoDuplicates(input: Validated, path: ConsumerPath): void {
  const consumers = new Set<string>();
  input.consumers.forEach((consumer, c) => {
    if (consumers.has(consumer.consumerUuid)) {
      throw new InvalidInputError(
        `${path(c)}consumerUuid`,
        'unique',
        `${path(c)}consumerUuid: consumer ${consumer.consumerUuid} is listed twice`,
      );
    }
    consumers.add(consumer.consumerUuid);
    const pairs = new Set<string>();
    consumer.allocations.forEach((allocation, a) => {
      allocation.resources.forEach((resource, r) => {
        const key = `${allocation.providerUuid}/${resource.resourceClass}`;
        if (pairs.has(key)) {
          const field = `${path(c)}allocations[${a}].resources[${r}].resourceClass`;
          throw new InvalidInputError(field, 'unique', `${field}: ${key} is listed twice for this consumer`);
        }
        pairs.add(key);
      });
    });
  });
}

/** Consumers' allocations validated for a write inside the caller's transaction (none is allowed: the reshaper may move no allocation). */
export function parseConsumerWrites(raw: ConsumerAllocationsInput[]): Validated {
  const input: Validated = { consumers: parseInput(z.array(consumerAllocations).max(1000), raw, 'consumers') };
  assertNoDuplicates(input, listPath);
  return input;
}

/**
 * Replaces the allocations of every listed consumer in one write transaction:
 * consumer generations checked, unit rules checked per amount, capacity checked on the sum
 * per (provider, class), usage counters moved by the delta, provider generations bumped.
 * A consumer left with no allocations is removed.
 */
export async function writeAllocations(
  pool: pg.Pool,
  raw: z.input<typeof writeAllocationsInput>,
  policy: RetryPolicy = defaultRetryPolicy,
  caller?: WriteCaller,
  options: WriteOptions = defaultWriteOptions,
): Promise<ConsumerWriteResult[]> {
  const input = parseInput(writeAllocationsInput, raw);
  assertNoDuplicates(input, listPath);
  return writeTransaction(pool, (db) => replaceAllocations(db, input, listPath, caller, options), policy, caller);
}

/** The same write for one consumer given on its own; error fields are paths inside that consumer. */
export async function writeConsumerAllocations(
  pool: pg.Pool,
  raw: ConsumerAllocationsInput,
  policy: RetryPolicy = defaultRetryPolicy,
  caller?: WriteCaller,
): Promise<ConsumerWriteResult> {
  const input: Validated = { consumers: [parseInput(consumerAllocations, raw)] };
  assertNoDuplicates(input, singlePath);
  const [result] = await writeTransaction(
    pool,
    (db) => replaceAllocations(db, input, singlePath, caller),
    policy,
    caller,
  );
  return result!;
}

/**
 * The write itself, inside the caller's transaction (a writeTransaction, or reschedule's
 * SERIALIZABLE one). Every row the decision depends on is locked before it is read for the
 * decision, in the one order all writers use: consumers by uuid, providers by id,
 * inventories by id. Claims lock providers then inventories too, so nobody waits in a cycle.
 */
export interface WriteOptions {
  generations: GenerationRule;
}
const defaultWriteOptions: WriteOptions = { generations: 'touched' };

export async function replaceAllocations(
  db: Queryable,
  input: Validated,
  path: ConsumerPath = listPath,
  caller?: WriteCaller,
  options: WriteOptions = defaultWriteOptions,
): Promise<ConsumerWriteResult[]> {
  const consumerByUuid = await lockConsumers(db, input, path, caller);
  const classes = await namedClasses(db, input, path);
  // The consumers are locked, so their current allocations (being replaced) cannot change.
  const consumerIds = [...consumerByUuid.values()].map((c) => c.id);
  const { rows: oldRows } = await db.query<{ providerId: number; classId: number; used: number }>(
    `SELECT provider_id AS "providerId", resource_class_id AS "classId", sum(used)::bigint AS used
       FROM allocations WHERE consumer_id = ANY($1::bigint[]) GROUP BY provider_id, resource_class_id`,
    [consumerIds],
  );
  const oldRowsByConsumer =
    options.generations === 'written'
      ? await oldProvidersByConsumer(db, input, consumerByUuid)
      : new Map<number, number[]>();
  const providers = await lockProviders(db, input, oldRows, path);
  const newRows = requestedRows(input, providers, classes.idByName, path);

  const delta = new Map<string, { providerId: number; classId: number; change: number }>();
  for (const row of oldRows) delta.set(pairKey(row.providerId, row.classId), { ...row, change: -row.used });
  for (const row of newRows) {
    const key = pairKey(row.providerId, row.classId);
    const entry = delta.get(key) ?? { providerId: row.providerId, classId: row.classId, change: 0 };
    entry.change += row.amount;
    delta.set(key, entry);
  }
  const pairs = [...delta.values()];
  const inventoryByPair = await lockInventories(db, pairs);
  const nameOf = {
    provider: (id: number) => providers.uuidById.get(id)!,
    class: (id: number) => classes.nameById.get(id)!,
  };
  checkFit(newRows, pairs, inventoryByPair, nameOf);

  const changed = pairs.filter((p) => p.change !== 0);
  if (changed.length > 0) {
    await db.query(
      `UPDATE inventories i SET used = i.used + d.change
         FROM unnest($1::bigint[], $2::bigint[]) AS d(id, change) WHERE i.id = d.id`,
      [changed.map((p) => inventoryByPair.get(pairKey(p.providerId, p.classId))!.id), changed.map((p) => p.change)],
    );
  }
  const { results, consumerIdByIndex } = await writeConsumers(db, input, consumerByUuid);
  if (newRows.length > 0) {
    await db.query(
      `INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[])`,
      [
        newRows.map((r) => consumerIdByIndex[r.consumerIndex]!),
        newRows.map((r) => r.providerId),
        newRows.map((r) => r.classId),
        newRows.map((r) => r.amount),
      ],
    );
  }
  // Every provider the write touched (old or new rows) gets fresh walk bounds; which move to a new generation is the rule's.
  if (providers.locked.length > 0) {
    const bumped = new Set(bumpedProviders(options.generations, providers.locked, input, newRows, oldRowsByConsumer));
    await db.query(
      `UPDATE resource_providers p SET generation = generation + (CASE WHEN id = ANY($2::int[]) THEN 1 ELSE 0 END),
              ${shareBoundsSet()} WHERE id = ANY($1::int[])`,
      [providers.locked, [...bumped]],
    );
  }
  return results;
}

/**
 * Which providers an allocation write moves to a new generation:
 *  - `touched` (the GraphQL API): every provider with an old or a new row of the write;
 *  - `written` (Placement's replace_all): providers of the new rows, and the old providers of
 *    consumers written with no allocations (Placement writes their rows as used = 0);
 *  - `none` (Placement's DELETE /allocations): no provider.
 */
export type GenerationRule = 'touched' | 'written' | 'none';

function bumpedProviders(
  rule: GenerationRule,
  locked: number[],
  input: Validated,
  newRows: RequestedRow[],
  oldRowsByConsumer: Map<number, number[]>,
): number[] {
  if (rule === 'touched') return locked;
  if (rule === 'none') return [];
  const out = new Set(newRows.map((r) => r.providerId));
  input.consumers.forEach((consumer, index) => {
    if (consumer.allocations.length === 0) for (const id of oldRowsByConsumer.get(index) ?? []) out.add(id);
  });
  return [...out];
}

/** Consumer index → the providers its current (about to be replaced) allocations are on. */
async function oldProvidersByConsumer(
  db: Queryable,
  input: Validated,
  consumerByUuid: Map<string, LockedConsumer>,
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const [index, consumer] of input.consumers.entries()) {
    const locked = consumerByUuid.get(consumer.consumerUuid);
    if (!locked || consumer.allocations.length > 0) continue;
    const { rows } = await db.query<{ providerId: number }>(
      'SELECT DISTINCT provider_id AS "providerId" FROM allocations WHERE consumer_id = $1',
      [locked.id],
    );
    out.set(
      index,
      rows.map((r) => r.providerId),
    );
  }
  return out;
}

interface LockedConsumer {
  id: number;
  uuid: string;
  generation: number;
  projectId: string;
  userId: string;
}

/** Locks the listed consumers that exist, in uuid order, and checks every expected generation. */
async function lockConsumers(
  db: Queryable,
  input: Validated,
  path: ConsumerPath,
  caller: WriteCaller | undefined,
): Promise<Map<string, LockedConsumer>> {
  const { rows } = await db.query<LockedConsumer>(
    `SELECT id, uuid, generation, project_id AS "projectId", user_id AS "userId"
       FROM consumers WHERE uuid = ANY($1::uuid[]) ORDER BY uuid FOR UPDATE`,
    [input.consumers.map((c) => c.consumerUuid)],
  );
  const byUuid = new Map(rows.map((c) => [c.uuid, c]));
  // Under the row locks: who owns each consumer cannot change until this write commits.
  for (const [index, consumer] of input.consumers.entries()) {
    assertMayWriteConsumer(
      caller,
      consumer.consumerUuid,
      byUuid.get(consumer.consumerUuid) ?? null,
      consumer,
      path(index),
    );
  }
  noteConsumers(
    db,
    input.consumers.map((c) => c.consumerUuid),
  );
  for (const consumer of input.consumers) {
    const actual = byUuid.get(consumer.consumerUuid)?.generation ?? null;
    if (actual !== consumer.consumerGeneration) {
      throw new ConsumerGenerationConflictError(consumer.consumerUuid, consumer.consumerGeneration, actual);
    }
  }
  return byUuid;
}

/** The classes named in the request; the first unknown one is a NotFound on its field. */
async function namedClasses(db: Queryable, input: Validated, path: ConsumerPath) {
  // each class name with the input field that first names it
  const fieldByName = new Map<string, string>();
  for (const [c, consumer] of input.consumers.entries()) {
    for (const [a, allocation] of consumer.allocations.entries()) {
      for (const [r, resource] of allocation.resources.entries()) {
        if (!fieldByName.has(resource.resourceClass)) {
          fieldByName.set(resource.resourceClass, `${path(c)}allocations[${a}].resources[${r}].resourceClass`);
        }
      }
    }
  }
  const names = [...fieldByName.keys()];
  const idByName = await resourceClassIds(db, names, (index) => fieldByName.get(names[index]!)!);
  return { idByName, nameById: new Map([...idByName].map(([name, id]) => [id, name])) };
}

interface LockedProviders {
  /** ids of every provider locked (named in the request or holding a replaced allocation), ascending */
  locked: number[];
  idByUuid: Map<string, number>;
  uuidById: Map<number, string>;
}

/** Locks every provider the write touches in id order; a named provider that does not exist is a NotFound. */
async function lockProviders(
  db: Queryable,
  input: Validated,
  oldRows: { providerId: number }[],
  path: ConsumerPath,
): Promise<LockedProviders> {
  const named = [...new Set(input.consumers.flatMap((c) => c.allocations.map((a) => a.providerUuid)))];
  const { rows } = await db.query<{ id: number; uuid: string }>(
    'SELECT id, uuid FROM resource_providers WHERE uuid = ANY($1::uuid[]) OR id = ANY($2::int[]) ORDER BY id FOR UPDATE',
    [named, [...new Set(oldRows.map((r) => r.providerId))]],
  );
  const idByUuid = new Map(rows.map((p) => [p.uuid, p.id]));
  noteProviders(
    db,
    rows.map((p) => p.uuid),
  );
  for (const [c, consumer] of input.consumers.entries()) {
    for (const [a, allocation] of consumer.allocations.entries()) {
      if (!idByUuid.has(allocation.providerUuid)) {
        throw new NotFoundError(
          'ResourceProvider',
          allocation.providerUuid,
          `${path(c)}allocations[${a}].providerUuid`,
        );
      }
    }
  }
  return { locked: rows.map((p) => p.id), idByUuid, uuidById: new Map(rows.map((p) => [p.id, p.uuid])) };
}

interface RequestedRow {
  consumerIndex: number;
  providerId: number;
  classId: number;
  amount: number;
  field: string;
}

function requestedRows(
  input: Validated,
  providers: LockedProviders,
  classIdByName: Map<string, number>,
  path: ConsumerPath,
): RequestedRow[] {
  return input.consumers.flatMap((consumer, c) =>
    consumer.allocations.flatMap((allocation, a) =>
      allocation.resources.map((resource, r) => ({
        consumerIndex: c,
        providerId: providers.idByUuid.get(allocation.providerUuid)!,
        classId: classIdByName.get(resource.resourceClass)!,
        amount: resource.amount,
        field: `${path(c)}allocations[${a}].resources[${r}]`,
      })),
    ),
  );
}

/** Locks the inventories of every (provider, class) pair in id order, keyed by pair. */
async function lockInventories(
  db: Queryable,
  pairs: { providerId: number; classId: number }[],
): Promise<Map<string, InventoryRow>> {
  const { rows } = await db.query<InventoryRow>(
    `SELECT i.id, i.provider_id AS "providerId", i.resource_class_id AS "classId", i.capacity, i.used,
            i.min_unit AS "minUnit", i.max_unit AS "maxUnit", i.step_size AS "stepSize"
       FROM inventories i JOIN unnest($1::int[], $2::int[]) AS p(provider_id, class_id)
         ON i.provider_id = p.provider_id AND i.resource_class_id = p.class_id
      ORDER BY i.id FOR UPDATE OF i`,
    [pairs.map((p) => p.providerId), pairs.map((p) => p.classId)],
  );
  return new Map(rows.map((i) => [pairKey(i.providerId, i.classId), i]));
}

/** The shared fit rule on the locked rows: unit rules per amount, capacity on the sum per pair. */
function checkFit(
  newRows: RequestedRow[],
  pairs: { providerId: number; classId: number; change: number }[],
  inventoryByPair: Map<string, InventoryRow>,
  nameOf: { provider: (id: number) => string; class: (id: number) => string },
): void {
  for (const row of newRows) {
    const inventory = inventoryByPair.get(pairKey(row.providerId, row.classId));
    const className = nameOf.class(row.classId);
    const providerUuid = nameOf.provider(row.providerId);
    if (!inventory) {
      throw new InvalidInputError(
        `${row.field}.resourceClass`,
        'inventory-exists',
        `${row.field}.resourceClass: provider ${providerUuid} has no ${className} inventory`,
      );
    }
    const violation = unitViolation(inventory, row.amount);
    if (violation) {
      throw new InvalidInputError(
        `${row.field}.amount`,
        `${violation.rule}:${violation.limit}`,
        `${row.field}.amount: ${row.amount} ${className} breaks ${violation.rule} ${violation.limit} on provider ${providerUuid}`,
      );
    }
  }
  for (const pair of pairs) {
    if (pair.change === 0) continue;
    const inventory = inventoryByPair.get(pairKey(pair.providerId, pair.classId))!;
    if (capacityViolation(inventory, pair.change)) {
      throw new CapacityExceededError(
        nameOf.provider(pair.providerId),
        nameOf.class(pair.classId),
        pair.change,
        inventory.used,
        inventory.capacity,
      );
    }
  }
}

/**
 * Updates, deletes or creates each listed consumer. New consumers are inserted in uuid
 * order (two writes creating the same ones then queue instead of deadlocking); one another
 * writer created since the generation check is that writer's win: a generation conflict.
 */
async function writeConsumers(
  db: Queryable,
  input: Validated,
  consumerByUuid: Map<string, LockedConsumer>,
): Promise<{ results: ConsumerWriteResult[]; consumerIdByIndex: number[] }> {
  const results: ConsumerWriteResult[] = [];
  const consumerIdByIndex: number[] = [];
  const created: number[] = [];
  for (const [index, consumer] of input.consumers.entries()) {
    const existing = consumerByUuid.get(consumer.consumerUuid);
    const hasAllocations = consumer.allocations.length > 0;
    if (existing && !hasAllocations) {
      await db.query('DELETE FROM consumers WHERE id = $1', [existing.id]);
      results.push({ consumerUuid: consumer.consumerUuid, generation: null });
    } else if (existing) {
      await db.query('DELETE FROM allocations WHERE consumer_id = $1', [existing.id]);
      await db.query(
        `UPDATE consumers SET generation = generation + 1, project_id = $2, user_id = $3,
           consumer_type = COALESCE($4, consumer_type), updated_at = now() WHERE id = $1`,
        [existing.id, consumer.projectId, consumer.userId, consumer.consumerType ?? null],
      );
      consumerIdByIndex[index] = existing.id;
      results.push({ consumerUuid: consumer.consumerUuid, generation: existing.generation + 1 });
    } else {
      if (hasAllocations) created.push(index);
      results.push({ consumerUuid: consumer.consumerUuid, generation: hasAllocations ? 1 : null });
    }
  }
  created.sort((a, b) => input.consumers[a]!.consumerUuid.localeCompare(input.consumers[b]!.consumerUuid));
  for (const index of created) {
    const consumer = input.consumers[index]!;
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (uuid) DO NOTHING RETURNING id`,
      [consumer.consumerUuid, consumer.projectId, consumer.userId, consumer.consumerType ?? null],
    );
    if (!rows[0]) {
      const { rows: winner } = await db.query<{ generation: number }>(
        'SELECT generation FROM consumers WHERE uuid = $1',
        [consumer.consumerUuid],
      );
      throw new ConsumerGenerationConflictError(consumer.consumerUuid, null, winner[0]?.generation ?? null);
    }
    consumerIdByIndex[index] = rows[0].id;
  }
  return { results, consumerIdByIndex };
}

/** Removes all of a consumer's allocations (and so the consumer), generation-checked. */
export async function deleteAllocations(
  pool: pg.Pool,
  raw: z.input<typeof deleteAllocationsInput>,
  caller?: WriteCaller,
  options: WriteOptions = defaultWriteOptions,
): Promise<ConsumerWriteResult> {
  const input = parseInput(deleteAllocationsInput, raw);
  return writeTransaction(
    pool,
    async (db) => {
      const { rows } = await db.query<{ project_id: string; user_id: string }>(
        // Locked here, so the owner read is the one replaceAllocations checks (a concurrent re-own waits).
        'SELECT project_id, user_id FROM consumers WHERE uuid = $1 FOR UPDATE',
        [input.consumerUuid],
      );
      if (!rows[0]) throw new NotFoundError('Consumer', input.consumerUuid, 'consumerUuid');
      const [result] = await replaceAllocations(
        db,
        {
          consumers: [
            {
              consumerUuid: input.consumerUuid,
              consumerGeneration: input.consumerGeneration,
              projectId: rows[0].project_id,
              userId: rows[0].user_id,
              consumerType: null,
              allocations: [],
            },
          ],
        },
        singlePath,
        caller,
        options,
      );
      return result!;
    },
    defaultRetryPolicy,
    caller,
  );
}
