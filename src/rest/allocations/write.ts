import type pg from 'pg';
import { type ConsumerAllocationsInput, deleteAllocations, writeAllocations } from '../../placement/allocations.js';
import { STANDARD_RESOURCE_CLASSES } from '../../placement/catalogue.js';
import {
  CapacityExceededError,
  ConsumerGenerationConflictError,
  InvalidInputError,
  NotFoundError,
  RetryLimitExceededError,
} from '../../placement/errors.js';
import type { WriteCaller } from '../../placement/write-caller.js';
import { ErrorCode, RestError } from '../errors.js';
import { isUuidLike } from '../json-schema.js';
import { pySetOrder } from '../python-set.js';
import { canonicalUuid, storedUuid } from '../query.js';

/** One consumer's body (dict form; the handler turns the pre-1.12 list form into it). */
export interface ConsumerBody {
  allocations: { [providerUuid: string]: { resources: { [resourceClass: string]: number } } };
  project_id?: string;
  user_id?: string;
  consumer_generation?: number | null;
  consumer_type?: string;
}

/** Placement's incomplete_consumer_project_id / _user_id: what pre-1.8 writes record. */
const MISSING_ID = '00000000-0000-0000-0000-000000000000';
/** Before 1.28 Placement checks no consumer generation: a write that lost a race to another is tried again. */
const UNCHECKED_ATTEMPTS = 5;

const concurrent = () =>
  new RestError(
    409,
    'Inventory and/or allocations changed while attempting to allocate: Another thread concurrently updated the data. Please retry your update',
    { code: ErrorCode.CONCURRENT_UPDATE },
  );

interface Facts {
  generations: Map<string, number>;
  providers: Set<string>;
  /** provider → the classes it has inventory of. */
  classesOf: Map<string, Set<string>>;
  /** class name → the id Placement would have given it (placementClassId). */
  classIds: Map<string, number>;
}

/** Placement's first custom resource class id (ResourceClass.MIN_CUSTOM_RESOURCE_CLASS_ID). */
const FIRST_CUSTOM_CLASS_ID = 10000;

/**
 * The id Placement's database gives a class, which orders the classes in its messages: a
 * standard class's index in os-resource-classes, a custom one's 10000 + (the max custom id
 * then) + 1. Our ids are plain sequence numbers, so a custom class counts as 10000 + how many
 * custom classes are older: the same as Placement's until a custom class other than the newest
 * is deleted (Placement then leaves a gap).
 */
function placementClassId(row: { name: string; standard: boolean; olderCustom: number }): number {
  if (row.standard) return (STANDARD_RESOURCE_CLASSES as readonly string[]).indexOf(row.name);
  return FIRST_CUSTOM_CLASS_ID + row.olderCustom;
}

async function facts(pool: pg.Pool, consumers: string[], providers: string[], classes: string[]): Promise<Facts> {
  const canonical = providers.map(storedUuid).filter((u): u is string => u !== null);
  const { rows } = await pool.query<{
    consumers: { uuid: string; generation: number }[] | null;
    providers: { uuid: string; classes: string[] }[] | null;
    classes: { name: string; standard: boolean; olderCustom: number }[] | null;
  }>(
    `SELECT (SELECT json_agg(json_build_object('uuid', uuid, 'generation', generation)) FROM consumers
              WHERE uuid = ANY($1::uuid[])) AS consumers,
            (SELECT json_agg(json_build_object('uuid', p.uuid, 'classes',
                ARRAY(SELECT rc.name FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
                       WHERE i.provider_id = p.id)))
               FROM resource_providers p WHERE p.uuid = ANY($2::uuid[])) AS providers,
            (SELECT json_agg(json_build_object('name', rc.name, 'standard', rc.standard, 'olderCustom',
                (SELECT count(*) FROM resource_classes c WHERE NOT c.standard AND c.id < rc.id)))
               FROM resource_classes rc WHERE rc.name = ANY($3::text[])) AS classes`,
    [consumers, canonical, classes],
  );
  const row = rows[0]!;
  return {
    generations: new Map((row.consumers ?? []).map((c) => [c.uuid, c.generation])),
    providers: new Set((row.providers ?? []).map((p) => p.uuid)),
    classesOf: new Map((row.providers ?? []).map((p) => [p.uuid, new Set(p.classes)])),
    classIds: new Map((row.classes ?? []).map((c) => [c.name, placementClassId(c)])),
  };
}

/** Consumer generation as Placement's ensure_consumer checks it (1.28+). */
function checkGeneration(given: number | null | undefined, actual: number | undefined): void {
  if (actual !== undefined && actual !== given)
    throw new RestError(409, `consumer generation conflict - expected ${actual} but got ${given ?? 'None'}`, {
      code: ErrorCode.CONCURRENT_UPDATE,
    });
  if (actual === undefined && given !== null && given !== undefined)
    throw new RestError(409, `consumer generation conflict - expected null but got ${given}`, {
      code: ErrorCode.CONCURRENT_UPDATE,
    });
}

function checkProviders(body: ConsumerBody, f: Facts): void {
  for (const provider of Object.keys(body.allocations))
    if (!f.providers.has(storedUuid(provider) ?? ''))
      throw new RestError(400, `Allocation for resource provider '${provider}' that does not exist.`);
}

/**
 * Placement's first capacity check: a provider with no inventory of any class the write
 * names is "invalid inventory" for all of them, the classes in the order of Python's set of
 * their ids (allocation._check_capacity_exceeded joins `set(rc_ids)`).
 */
function checkInventoriesExist(bodies: ConsumerBody[], f: Facts): void {
  const classes = [
    ...new Set(bodies.flatMap((b) => Object.values(b.allocations).flatMap((a) => Object.keys(a.resources)))),
  ];
  if (classes.some((c) => !f.classIds.has(c))) return;
  const missing = [...new Set(bodies.flatMap((b) => Object.keys(b.allocations)))].filter(
    (p) => !classes.some((c) => f.classesOf.get(p)?.has(c)),
  );
  if (missing.length > 0) {
    const byId = new Map(classes.map((c) => [f.classIds.get(c)!, c]));
    const classText = pySetOrder(byId.keys())
      .map((id) => byId.get(id)!)
      .join(', ');
    throw new RestError(
      409,
      `Unable to allocate inventory: Inventory for '${classText}' on resource provider '${missing.join(', ')}' invalid.`,
    );
  }
}

function engineConsumer(
  uuid: string,
  body: ConsumerBody,
  generation: number | null,
  minor: number,
): ConsumerAllocationsInput {
  return {
    consumerUuid: uuid,
    consumerGeneration: generation,
    projectId: body.project_id ?? MISSING_ID,
    userId: body.user_id ?? MISSING_ID,
    consumerType: minor >= 38 ? (body.consumer_type ?? null) : null,
    allocations: Object.entries(body.allocations).map(([providerUuid, a]) => ({
      providerUuid,
      resources: Object.entries(a.resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
    })),
  };
}

/** The engine's refusals as Placement words them; `notFoundPrefix` differs between PUT and POST. */
export function placementError(error: unknown, inputs: ConsumerAllocationsInput[], notFoundPrefix: string): unknown {
  if (error instanceof NotFoundError && error.resourceType === 'ResourceClass')
    return new RestError(400, `${notFoundPrefix}No such resource class ${error.identifier}.`);
  if (error instanceof NotFoundError && error.resourceType === 'ResourceProvider')
    return new RestError(400, `Allocation for resource provider '${error.identifier}' that does not exist.`);
  if (error instanceof CapacityExceededError)
    return new RestError(
      409,
      `Unable to allocate inventory: Unable to create allocation for '${error.resourceClass}' on resource provider '${error.providerUuid}'. The requested amount would exceed the capacity.`,
    );
  if (error instanceof InvalidInputError) {
    const at = /^consumers\[(\d+)\]\.allocations\[(\d+)\]\.resources\[(\d+)\]/.exec(error.field);
    const row = at ? inputs[Number(at[1])]?.allocations[Number(at[2])] : undefined;
    const resource = at && row ? row.resources[Number(at[3])] : undefined;
    if (row && resource) {
      if (error.rule === 'inventory-exists')
        return new RestError(
          409,
          `Unable to allocate inventory: Inventory for '${resource.resourceClass}' on resource provider '${row.providerUuid}' invalid.`,
        );
      if (/^(minUnit|maxUnit|stepSize):/.test(error.rule))
        return new RestError(
          409,
          `Unable to allocate inventory: Unable to create allocation for '${resource.resourceClass}' on resource provider '${row.providerUuid}'. The requested amount would violate inventory constraints.`,
        );
    }
  }
  if (error instanceof RetryLimitExceededError) return concurrent();
  return error;
}

/**
 * Writes consumers' allocations as Placement's PUT and POST do: generations checked from
 * 1.28 (before, the current one is used, and a lost race is tried again), providers must
 * exist, then the engine's write (one transaction, the one fit rule, no over-commit).
 */
/**
 * The checks Placement makes before its write (consumer generations from 1.28, providers
 * exist, providers hold some named class), then the engine inputs. `inventoryCheck` is off
 * for the reshaper, whose inventories change in the same transaction.
 */
export async function prepareConsumers(
  pool: pg.Pool,
  bodies: [string, ConsumerBody][],
  minor: number,
  inventoryCheck = true,
): Promise<ConsumerAllocationsInput[]> {
  const providers = [...new Set(bodies.flatMap(([, b]) => Object.keys(b.allocations)))];
  const classes = [
    ...new Set(bodies.flatMap(([, b]) => Object.values(b.allocations).flatMap((a) => Object.keys(a.resources)))),
  ];
  const f = await facts(
    pool,
    bodies.map(([u]) => u),
    providers,
    classes,
  );
  for (const [uuid, body] of bodies) {
    if (minor >= 28) checkGeneration(body.consumer_generation, f.generations.get(uuid));
    checkProviders(body, f);
  }
  if (inventoryCheck)
    checkInventoriesExist(
      bodies.map(([, b]) => b),
      f,
    );
  return bodies.map(([uuid, body]) =>
    engineConsumer(
      uuid,
      body,
      minor >= 28 ? (body.consumer_generation ?? null) : (f.generations.get(uuid) ?? null),
      minor,
    ),
  );
}

/** A consumer generation the engine found changed meanwhile, in Placement's words. */
export function generationConflict(error: ConsumerGenerationConflictError): RestError {
  return new RestError(
    409,
    error.actual === null
      ? `consumer generation conflict - expected null but got ${error.expected}`
      : `consumer generation conflict - expected ${error.actual} but got ${error.expected ?? 'None'}`,
    { code: ErrorCode.CONCURRENT_UPDATE },
  );
}

async function writeConsumers(
  pool: pg.Pool,
  bodies: [string, ConsumerBody][],
  minor: number,
  caller: WriteCaller | undefined,
  notFoundPrefix: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const inputs = await prepareConsumers(pool, bodies, minor);
    try {
      await writeAllocations(pool, { consumers: inputs }, undefined, caller, { generations: 'written' });
      return;
    } catch (error) {
      if (error instanceof ConsumerGenerationConflictError) {
        if (minor >= 28) throw generationConflict(error);
        if (attempt < UNCHECKED_ATTEMPTS) continue;
        throw concurrent();
      }
      throw placementError(error, inputs, notFoundPrefix);
    }
  }
}

/** The path's consumer uuid as Placement takes it: uuid-like, else 400; then str(uuid.UUID(...)). */
export function consumerUuidOf(raw: string): string {
  if (!isUuidLike(raw)) throw new RestError(400, `Malformed consumer_uuid: ${raw}`);
  return canonicalUuid(raw);
}

/** PUT /allocations/{consumer_uuid} with a validated body; `consumerUuid` from consumerUuidOf. */
export async function putAllocations(
  pool: pg.Pool,
  consumerUuid: string,
  body: ConsumerBody,
  minor: number,
  caller?: WriteCaller,
): Promise<void> {
  await writeConsumers(
    pool,
    [[consumerUuid, body]],
    minor,
    caller,
    `Unable to allocate inventory for consumer ${consumerUuid}: `,
  );
}

/**
 * The consumer keys of `POST /allocations` and of the reshaper's `allocations`, each as the
 * consumer it names here. Placement's schema lets through any 36 hex digits and dashes and keeps
 * the key's text, so an upper-case key is a consumer of its own there. Ours are uuids, one
 * consumer per uuid: a key is taken as str(uuid.UUID(key)); a key that is no uuid, or a second
 * key naming the same uuid, is refused (`prefix`: the reshaper's "malformed reshaper data: ").
 */
export function consumerEntries(body: { [key: string]: ConsumerBody }, prefix = ''): [string, ConsumerBody][] {
  const keyOf = new Map<string, string>();
  return Object.entries(body).map(([key, consumer]): [string, ConsumerBody] => {
    if (!isUuidLike(key)) throw new RestError(400, `${prefix}Malformed consumer_uuid: ${key}`);
    const uuid = canonicalUuid(key);
    const earlier = keyOf.get(uuid);
    if (earlier !== undefined)
      throw new RestError(400, `${prefix}Consumer ${uuid} is named twice, as '${earlier}' and as '${key}'`);
    keyOf.set(uuid, key);
    return [uuid, consumer];
  });
}

/** POST /allocations (1.13+) with a validated body: every consumer in one transaction. */
export async function postAllocations(
  pool: pg.Pool,
  body: { [consumerKey: string]: ConsumerBody },
  minor: number,
  caller?: WriteCaller,
): Promise<void> {
  await writeConsumers(pool, consumerEntries(body), minor, caller, 'Unable to allocate inventory ');
}

/** DELETE /allocations/{consumer_uuid}: every allocation of the consumer, which then disappears. */
export async function removeAllocations(pool: pg.Pool, consumerUuid: string, caller?: WriteCaller): Promise<void> {
  const notFound = () => new RestError(404, `No allocations for consumer '${consumerUuid}'`);
  const uuid = storedUuid(consumerUuid);
  if (uuid === null) throw notFound();
  for (let attempt = 1; ; attempt++) {
    const { rows } = await pool.query<{ generation: number }>('SELECT generation FROM consumers WHERE uuid = $1', [
      uuid,
    ]);
    if (!rows[0]) throw notFound();
    try {
      await deleteAllocations(pool, { consumerUuid: uuid, consumerGeneration: rows[0].generation }, caller, {
        generations: 'none',
      });
      return;
    } catch (error) {
      if (error instanceof NotFoundError && error.resourceType === 'Consumer') throw notFound();
      if (error instanceof ConsumerGenerationConflictError && attempt < UNCHECKED_ATTEMPTS) continue;
      if (error instanceof ConsumerGenerationConflictError || error instanceof RetryLimitExceededError)
        throw concurrent();
      throw error;
    }
  }
}
