import type pg from 'pg';
import { z } from 'zod';
import { CapacityExceededError, ConsumerGenerationConflictError, InvalidInputError, NotFoundError } from './errors.js';
import { capacityViolation, type InventoryState, shareBoundsSet, unitViolation } from './fit.js';
import { resourceClassIds } from './lookups.js';
import { defaultRetryPolicy, type Queryable, type RetryPolicy, serializable } from './transactions.js';
import { externalId, int32, parseInput, referenceName, resourceAmount, uuidString } from './validation.js';

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

/**
 * Replaces the allocations of every listed consumer in one SERIALIZABLE transaction:
 * consumer generations checked, unit rules checked per amount, capacity checked on the sum
 * per (provider, class), usage counters moved by the delta, provider generations bumped.
 * A consumer left with no allocations is removed.
 */
export async function writeAllocations(
  pool: pg.Pool,
  raw: z.input<typeof writeAllocationsInput>,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<ConsumerWriteResult[]> {
  const input = parseInput(writeAllocationsInput, raw);
  assertNoDuplicates(input, listPath);
  return serializable(pool, (db) => replaceAllocations(db, input, listPath), policy);
}

/** The same write for one consumer given on its own; error fields are paths inside that consumer. */
export async function writeConsumerAllocations(
  pool: pg.Pool,
  raw: ConsumerAllocationsInput,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<ConsumerWriteResult> {
  const input: Validated = { consumers: [parseInput(consumerAllocations, raw)] };
  assertNoDuplicates(input, singlePath);
  const [result] = await serializable(pool, (db) => replaceAllocations(db, input, singlePath), policy);
  return result!;
}

/** The write itself, inside the caller's SERIALIZABLE transaction (also used by reschedule). */
export async function replaceAllocations(
  db: Queryable,
  input: Validated,
  path: ConsumerPath = listPath,
): Promise<ConsumerWriteResult[]> {
  // 1. consumers, locked in uuid order, generations checked
  const uuids = input.consumers.map((c) => c.consumerUuid);
  const { rows: existingConsumers } = await db.query<{ id: number; uuid: string; generation: number }>(
    'SELECT id, uuid, generation FROM consumers WHERE uuid = ANY($1::uuid[]) ORDER BY uuid FOR UPDATE',
    [uuids],
  );
  const consumerByUuid = new Map(existingConsumers.map((c) => [c.uuid, c]));
  for (const consumer of input.consumers) {
    const actual = consumerByUuid.get(consumer.consumerUuid)?.generation ?? null;
    if (actual !== consumer.consumerGeneration) {
      throw new ConsumerGenerationConflictError(consumer.consumerUuid, consumer.consumerGeneration, actual);
    }
  }

  // 2. providers and classes named in the request
  const providerUuids = [...new Set(input.consumers.flatMap((c) => c.allocations.map((a) => a.providerUuid)))];
  const { rows: providers } = await db.query<{ id: number; uuid: string }>(
    'SELECT id, uuid FROM resource_providers WHERE uuid = ANY($1::uuid[])',
    [providerUuids],
  );
  const providerIdByUuid = new Map(providers.map((p) => [p.uuid, p.id]));
  const providerUuidById = new Map(providers.map((p) => [p.id, p.uuid]));
  // each class name with the input field that first names it, for a NotFound on that field
  const classFieldByName = new Map<string, string>();
  input.consumers.forEach((consumer, c) =>
    consumer.allocations.forEach((allocation, a) =>
      allocation.resources.forEach((resource, r) => {
        if (!classFieldByName.has(resource.resourceClass)) {
          classFieldByName.set(resource.resourceClass, `${path(c)}allocations[${a}].resources[${r}].resourceClass`);
        }
      }),
    ),
  );
  const classNames = [...classFieldByName.keys()];
  const classIdByName = await resourceClassIds(db, classNames, (index) => classFieldByName.get(classNames[index]!)!);
  const classNameById = new Map([...classIdByName].map(([name, id]) => [id, name]));

  interface Row {
    consumerIndex: number;
    providerId: number;
    classId: number;
    amount: number;
    field: string;
  }
  const newRows: Row[] = [];
  input.consumers.forEach((consumer, c) => {
    consumer.allocations.forEach((allocation, a) => {
      const providerId = providerIdByUuid.get(allocation.providerUuid);
      if (providerId === undefined) {
        throw new NotFoundError(
          'ResourceProvider',
          allocation.providerUuid,
          `${path(c)}allocations[${a}].providerUuid`,
        );
      }
      allocation.resources.forEach((resource, r) => {
        newRows.push({
          consumerIndex: c,
          providerId,
          classId: classIdByName.get(resource.resourceClass)!,
          amount: resource.amount,
          field: `${path(c)}allocations[${a}].resources[${r}]`,
        });
      });
    });
  });

  // 3. current allocations of these consumers (they are being replaced)
  const consumerIds = existingConsumers.map((c) => c.id);
  const { rows: oldRows } = await db.query<{ providerId: number; classId: number; used: number }>(
    `SELECT provider_id AS "providerId", resource_class_id AS "classId", sum(used)::bigint AS used
       FROM allocations WHERE consumer_id = ANY($1::int[]) GROUP BY provider_id, resource_class_id`,
    [consumerIds],
  );

  const delta = new Map<string, { providerId: number; classId: number; change: number }>();
  for (const row of oldRows) delta.set(pairKey(row.providerId, row.classId), { ...row, change: -row.used });
  for (const row of newRows) {
    const key = pairKey(row.providerId, row.classId);
    const entry = delta.get(key) ?? { providerId: row.providerId, classId: row.classId, change: 0 };
    entry.change += row.amount;
    delta.set(key, entry);
  }

  // 4. providers touched (old or new rows), then their inventories, each locked in id order.
  // Provider before inventory is the order inventory writes take too (they lock the provider
  // to check its generation, then write its inventories); the reverse order deadlocks.
  const pairs = [...delta.values()];
  const touched = [...new Set(pairs.map((p) => p.providerId))].sort((a, b) => a - b);
  if (touched.length > 0) {
    await db.query('SELECT id FROM resource_providers WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [touched]);
  }
  const { rows: inventories } = await db.query<InventoryRow>(
    `SELECT i.id, i.provider_id AS "providerId", i.resource_class_id AS "classId", i.capacity, i.used,
            i.min_unit AS "minUnit", i.max_unit AS "maxUnit", i.step_size AS "stepSize"
       FROM inventories i JOIN unnest($1::int[], $2::int[]) AS p(provider_id, class_id)
         ON i.provider_id = p.provider_id AND i.resource_class_id = p.class_id
      ORDER BY i.id FOR UPDATE OF i`,
    [pairs.map((p) => p.providerId), pairs.map((p) => p.classId)],
  );
  const inventoryByPair = new Map(inventories.map((i) => [pairKey(i.providerId, i.classId), i]));
  for (const row of newRows) {
    const inventory = inventoryByPair.get(pairKey(row.providerId, row.classId));
    const className = classNameById.get(row.classId)!;
    const providerUuid = providerUuidById.get(row.providerId)!;
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
        providerUuidById.get(pair.providerId)!,
        classNameById.get(pair.classId)!,
        pair.change,
        inventory.used,
        inventory.capacity,
      );
    }
  }
  const changed = pairs.filter((p) => p.change !== 0);
  if (changed.length > 0) {
    await db.query(
      `UPDATE inventories i SET used = i.used + d.change
         FROM unnest($1::int[], $2::bigint[]) AS d(id, change) WHERE i.id = d.id`,
      [changed.map((p) => inventoryByPair.get(pairKey(p.providerId, p.classId))!.id), changed.map((p) => p.change)],
    );
  }

  // 5. consumers and allocation rows
  const results: ConsumerWriteResult[] = [];
  const consumerIdByIndex: number[] = [];
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
    } else if (hasAllocations) {
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation) VALUES ($1, $2, $3, $4, 1) RETURNING id`,
        [consumer.consumerUuid, consumer.projectId, consumer.userId, consumer.consumerType ?? null],
      );
      consumerIdByIndex[index] = rows[0]!.id;
      results.push({ consumerUuid: consumer.consumerUuid, generation: 1 });
    } else {
      results.push({ consumerUuid: consumer.consumerUuid, generation: null });
    }
  }
  if (newRows.length > 0) {
    await db.query(
      `INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
       SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::int[])`,
      [
        newRows.map((r) => consumerIdByIndex[r.consumerIndex]!),
        newRows.map((r) => r.providerId),
        newRows.map((r) => r.classId),
        newRows.map((r) => r.amount),
      ],
    );
  }

  // 6. every provider the write touched (old or new rows) moves to a new generation
  if (touched.length > 0) {
    await db.query(
      `UPDATE resource_providers p SET generation = generation + 1, ${shareBoundsSet()} WHERE id = ANY($1::int[])`,
      [touched],
    );
  }
  return results;
}

/** Removes all of a consumer's allocations (and so the consumer), generation-checked. */
export async function deleteAllocations(
  pool: pg.Pool,
  raw: z.input<typeof deleteAllocationsInput>,
): Promise<ConsumerWriteResult> {
  const input = parseInput(deleteAllocationsInput, raw);
  return serializable(pool, async (db) => {
    const { rows } = await db.query<{ project_id: string; user_id: string }>(
      'SELECT project_id, user_id FROM consumers WHERE uuid = $1',
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
    );
    return result!;
  });
}
