import { createHash } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { replaceAllocations } from './allocations.js';
import { fitsSql, freeShareSql } from './fit.js';
import {
  type Candidate,
  type Explanation,
  type ResolvedRequest,
  explainPlacement,
  MAX_LIMIT,
  parseHostSubsetSize,
  parsePlacementRequest,
  pickFromSubset,
  resolveRequest,
  searchCandidates,
  type Weigher,
} from './candidates.js';
import {
  CapacityExceededError,
  ConsumerGenerationConflictError,
  InvalidInputError,
  NotFoundError,
  PlacementError,
  RetryLimitExceededError,
} from './errors.js';
import { defaultRetryPolicy, isRetryable, transactionStats, type Queryable, type RetryPolicy } from './transactions.js';
import { externalId, int32, parseInput, referenceName, uuidString } from './validation.js';

/** Nothing could be claimed; carries what was tried and, for claims, why hosts were rejected. */
export class NoValidHostError extends PlacementError {
  readonly code = 'NO_VALID_HOST';
  constructor(
    readonly consumerUuid: string,
    readonly hostsTried: string[],
    readonly explanation: Explanation | null,
    message: string,
  ) {
    super(message);
  }
}

/** What to claim where: provider → class → amount (the shape setAllocations takes). */
export interface AllocationRequest {
  providerUuid: string;
  resources: { resourceClass: string; amount: number }[];
}

export interface Alternate {
  providerUuid: string;
  cellUuid: string | null;
  allocations: AllocationRequest[];
}

export interface Selection {
  consumerUuid: string;
  consumerGeneration: number;
  providerUuid: string;
  cellUuid: string | null;
  allocations: AllocationRequest[];
  alternates: Alternate[];
  hostsTried: number;
}

export function allocationRequestOf(candidate: Candidate): AllocationRequest[] {
  const byProvider = new Map<string, AllocationRequest>();
  for (const s of candidate.serving) {
    const entry = byProvider.get(s.providerUuid) ?? { providerUuid: s.providerUuid, resources: [] };
    entry.resources.push({ resourceClass: s.resourceClass, amount: s.amount });
    byProvider.set(s.providerUuid, entry);
  }
  return [...byProvider.values()];
}

const consumerSchema = z.object({
  consumerUuid: uuidString,
  projectId: externalId('projectId'),
  userId: externalId('userId'),
  consumerType: referenceName('consumer type').nullish(),
});

const idempotencyKey = z.string().min(1, { message: 'must not be empty' }).max(255, { message: 'at most 255 characters' });

const claimSchema = z.object({
  consumers: z.array(consumerSchema).min(1, { message: 'list at least one consumer' }).max(100, { message: 'at most 100 consumers per claim' }),
  request: z.unknown(),
  alternates: int32(0).max(100, { message: 'at most 100 alternates' }),
  candidates: z.array(uuidString).min(1, { message: 'an explicit candidate list needs at least one provider' }).max(MAX_LIMIT).nullish(),
  weigher: z.enum(['SPREAD', 'PACK']).nullish(),
  hostSubsetSize: z.number().nullish(),
  idempotencyKey: idempotencyKey.nullish(),
});
export type ClaimInput = z.input<typeof claimSchema>;

const allocationRequestSchema = z.array(
  z.object({
    providerUuid: uuidString,
    resources: z.array(z.object({ resourceClass: referenceName('resource class'), amount: int32(1) })).min(1).max(50),
  }),
).min(1, { message: 'an alternate needs at least one allocation' });

const rescheduleSchema = z.object({
  consumerUuid: uuidString,
  consumerGeneration: int32(0),
  alternates: z
    .array(z.object({ providerUuid: uuidString, allocations: allocationRequestSchema }))
    .max(100, { message: 'at most 100 alternates' }),
  idempotencyKey: idempotencyKey.nullish(),
});
export type RescheduleInput = z.input<typeof rescheduleSchema>;

function requestHash(operation: string, input: unknown): string {
  return createHash('sha256').update(operation).update(JSON.stringify(input)).digest('hex');
}

/** Failures that mean "this host cannot take it now": discard it and try the next. */
function hostRejected(error: unknown): boolean {
  return error instanceof CapacityExceededError || (error instanceof InvalidInputError && /^(minUnit|maxUnit|stepSize)/.test(error.rule));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One SERIALIZABLE transaction for a whole call, so several consumers are all-or-nothing
 * and an idempotency record commits with its claims. Host attempts run in savepoints: a
 * host that no longer fits is rolled back alone. A serialization failure restarts the call
 * (jittered backoff, capped); the host that was being claimed then counts as contended.
 */
async function inCallTransaction<T>(
  pool: pg.Pool,
  policy: RetryPolicy,
  work: (db: Queryable, attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const result = await work(client, attempt);
      await client.query('COMMIT');
      transactionStats.committed++;
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (!isRetryable(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        transactionStats.exhausted++;
        throw new RetryLimitExceededError(attempt);
      }
      transactionStats.retried++;
    } finally {
      client.release(broken);
    }
    await sleep(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
  }
}

async function replayed<T>(db: Queryable, key: string | null | undefined, operation: string, hash: string): Promise<T | null> {
  if (!key) return null;
  const { rows } = await db.query<{ operation: string; request_hash: string; response: T }>(
    'SELECT operation, request_hash, response FROM idempotency_keys WHERE key = $1',
    [key],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.operation !== operation || row.request_hash !== hash) {
    throw new InvalidInputError('idempotencyKey', 'same-request', 'idempotencyKey: this key was used for a different request; use a new key');
  }
  return row.response;
}

async function remember(db: Queryable, key: string | null | undefined, operation: string, hash: string, response: unknown): Promise<void> {
  if (!key) return;
  await db.query('INSERT INTO idempotency_keys (key, operation, request_hash, response) VALUES ($1, $2, $3, $4)', [key, operation, hash, JSON.stringify(response)]);
}

type HostAttempt = { claimed: true } | { rejected: true } | { busy: true };

/**
 * The narrow claim: one statement that locks the host's providers (SKIP LOCKED, so a host
 * another claimer holds right now is reported busy instead of queued behind), re-checks the
 * shared fit rule on every requested inventory, and only when all of them fit moves the
 * usage counters, writes the allocation rows and bumps the provider generations. All or
 * nothing inside the statement, so a rejected host needs no savepoint.
 */
async function claimOnHost(db: Queryable, consumerId: number, allocations: AllocationRequest[], classIds: Map<string, number>): Promise<HostAttempt> {
  const rows = allocations.flatMap((a) => a.resources.map((r) => ({ provider: a.providerUuid, classId: classIds.get(r.resourceClass)!, amount: r.amount })));
  const providers = [...new Set(rows.map((r) => r.provider))];
  const { rows: result } = await db.query<{ locked: number; fitting: number }>(
    `WITH req AS (SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[]) AS r(provider_uuid, class_id, amount)),
     locked AS (SELECT p.id, p.uuid FROM resource_providers p WHERE p.uuid = ANY($4::uuid[]) ORDER BY p.id FOR UPDATE SKIP LOCKED),
     fitting AS (
       SELECT i.id, i.provider_id, i.resource_class_id, req.amount
         FROM req JOIN locked ON locked.uuid = req.provider_uuid
         JOIN inventories i ON i.provider_id = locked.id AND i.resource_class_id = req.class_id
        WHERE ${fitsSql('i', 'req.amount')}
        FOR UPDATE OF i),
     complete AS (SELECT count(*) = $5 AS ok FROM fitting),
     moved AS (UPDATE inventories i SET used = i.used + f.amount FROM fitting f, complete WHERE complete.ok AND i.id = f.id RETURNING 1),
     allocated AS (
       INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
       SELECT $6, f.provider_id, f.resource_class_id, f.amount FROM fitting f, complete WHERE complete.ok RETURNING 1),
     -- the statement reads inventories as they were before it, so the bounds add the amounts
     bumped AS (
       UPDATE resource_providers p SET generation = p.generation + 1,
         free_share_max = (SELECT max(${freeShareSql('i', 'coalesce(f.amount, 0)')}) FROM inventories i LEFT JOIN fitting f ON f.id = i.id WHERE i.provider_id = p.id AND i.capacity > 0),
         free_share_min = (SELECT min(${freeShareSql('i', 'coalesce(f.amount, 0)')}) FROM inventories i LEFT JOIN fitting f ON f.id = i.id WHERE i.provider_id = p.id AND i.capacity > 0)
         FROM complete WHERE complete.ok AND p.id IN (SELECT id FROM locked) RETURNING 1)
     SELECT (SELECT count(*)::int FROM locked) AS locked, (SELECT count(*)::int FROM fitting) AS fitting`,
    [rows.map((r) => r.provider), rows.map((r) => r.classId), rows.map((r) => r.amount), providers, rows.length, consumerId],
  );
  const { locked, fitting } = result[0]!;
  if (fitting === rows.length) return { claimed: true };
  return locked < providers.length ? { busy: true } : { rejected: true };
}

/** Creates the consumer a claim is for; one that already exists is a generation conflict (claims are for new consumers). */
async function createClaimConsumer(db: Queryable, consumer: z.output<typeof consumerSchema>): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation) VALUES ($1, $2, $3, $4, 1)
     ON CONFLICT (uuid) DO NOTHING RETURNING id`,
    [consumer.consumerUuid, consumer.projectId, consumer.userId, consumer.consumerType ?? null],
  );
  if (rows[0]) return rows[0].id;
  const existing = await db.query<{ generation: number }>('SELECT generation FROM consumers WHERE uuid = $1', [consumer.consumerUuid]);
  throw new ConsumerGenerationConflictError(consumer.consumerUuid, null, existing.rows[0]?.generation ?? 0);
}

function alternatesFrom(list: Candidate[], cellUuid: string | null, exclude: Set<string>, count: number): Alternate[] {
  return list
    .filter((c) => c.cellUuid === cellUuid && !exclude.has(c.rootUuid))
    .slice(0, count)
    .map((c) => ({ providerUuid: c.rootUuid, cellUuid: c.cellUuid, allocations: allocationRequestOf(c) }));
}

/** Runs `work` on a pooled connection outside any explicit transaction (read committed). */
async function withClient<T>(pool: pg.Pool, work: (db: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/**
 * claim: for each consumer in order, walk the weighed list and claim on the first host
 * that still fits (the shared fit rule, re-checked in the write); then pick up to
 * `alternates` more hosts of the chosen host's cell from the same weighed order.
 *
 * The search runs before the transaction, read-only: inside SERIALIZABLE its wide reads
 * would make every concurrent claim conflict. The transaction only touches the hosts it
 * claims, each attempt in a savepoint; a busy host is put back at the end of the walk.
 */
export async function claim(pool: pg.Pool, raw: ClaimInput, policy: RetryPolicy = defaultRetryPolicy): Promise<Selection[]> {
  const input = parseInput(claimSchema, raw);
  const request = parsePlacementRequest(input.request);
  const subset = parseHostSubsetSize(input.hostSubsetSize);
  const weigher: Weigher = input.weigher ?? 'SPREAD';
  const seen = new Set<string>();
  input.consumers.forEach((c, i) => {
    if (seen.has(c.consumerUuid)) throw new InvalidInputError(`consumers[${i}].consumerUuid`, 'unique', `consumers[${i}].consumerUuid: listed twice`);
    seen.add(c.consumerUuid);
  });
  const hash = requestHash('claim', { ...input, request });

  const earlier = await withClient(pool, (db) => replayed<Selection[]>(db, input.idempotencyKey, 'claim', hash));
  if (earlier) return earlier;
  const { resolved, list } = await withClient(pool, async (db) => {
    const resolved = await resolveRequest(db, request);
    // Enough of the weighed list for every consumer, its alternates and some losers.
    const searchLimit = Math.min(MAX_LIMIT, Math.max(subset, input.consumers.length * (input.alternates + 1) + 10));
    return { resolved, list: await weighedList(db, resolved, input.candidates ?? null, weigher, searchLimit) };
  });
  const orderings = input.consumers.map(() => pickFromSubset(list, subset));

  const selections = await inCallTransaction(pool, policy, async (db) => {
    const previous = await replayed<Selection[]>(db, input.idempotencyKey, 'claim', hash);
    if (previous) return previous;
    const chosen = new Set<string>();
    const placed: { consumer: (typeof input.consumers)[number]; candidate: Candidate; generation: number; tried: string[] }[] = [];
    const classIds = new Map(resolved.classNames.map((name, i) => [name, resolved.classIds[i]!]));
    for (const [index, consumer] of input.consumers.entries()) {
      const consumerId = await createClaimConsumer(db, consumer);
      const queue = orderings[index]!.filter((c) => !chosen.has(c.rootUuid));
      const tried: string[] = [];
      const requeued = new Set<string>();
      let success: { candidate: Candidate; generation: number } | null = null;
      while (queue.length > 0 && !success) {
        const candidate = queue.shift()!;
        if (!requeued.has(candidate.rootUuid)) tried.push(candidate.rootUuid);
        const attempt = await claimOnHost(db, consumerId, allocationRequestOf(candidate), classIds);
        if ('claimed' in attempt) success = { candidate, generation: 1 };
        else if ('busy' in attempt && !requeued.has(candidate.rootUuid)) {
          // Another claimer holds it right now: try it again after the others.
          requeued.add(candidate.rootUuid);
          queue.push(candidate);
        } else if ('busy' in attempt) {
          // Busy twice: if this call gives up now it might answer NoValidHost while the host
          // still has room, so restart the call (a serialization retry) to look again.
          throw Object.assign(new Error(`host ${candidate.rootUuid} stayed busy`), { code: '40001' });
        }
      }
      if (!success) {
        // The transaction rolls back: nothing this call claimed survives.
        throw new NoValidHostError(
          consumer.consumerUuid,
          tried,
          null,
          tried.length === 0
            ? `no host can take the request for consumer ${consumer.consumerUuid}`
            : `none of the ${tried.length} hosts tried could take the request for consumer ${consumer.consumerUuid}`,
        );
      }
      chosen.add(success.candidate.rootUuid);
      placed.push({ consumer, ...success, tried });
    }
    const result: Selection[] = [];
    for (const { consumer, candidate, generation, tried } of placed) {
      result.push({
        consumerUuid: consumer.consumerUuid,
        consumerGeneration: generation,
        providerUuid: candidate.rootUuid,
        cellUuid: candidate.cellUuid,
        allocations: allocationRequestOf(candidate),
        alternates: await alternatesFor(candidate, new Set([...chosen, ...tried])),
        hostsTried: tried.length,
      });
    }
    await remember(db, input.idempotencyKey, 'claim', hash, result);
    return result;
  }).catch(async (error: unknown) => {
    if (error instanceof NoValidHostError) {
      const explanation = await explainPlacement(pool, request).catch(() => null);
      throw new NoValidHostError(error.consumerUuid, error.hostsTried, explanation, error.message);
    }
    throw error;
  });
  return selections;

  /** Same-cell alternates from the weighed list; when it runs short, the chosen host's cell is searched (outside the transaction). */
  async function alternatesFor(candidate: Candidate, exclude: Set<string>): Promise<Alternate[]> {
    const fromList = alternatesFrom(list, candidate.cellUuid, exclude, input.alternates);
    if (fromList.length >= input.alternates || input.candidates) return fromList;
    const more = await withClient(pool, async (db) =>
      searchCandidates(db, { ...resolved, cellId: await cellIdOf(db, candidate.cellUuid) }, {
        limit: input.alternates + exclude.size,
        weigher,
        excludeRoots: [...exclude],
      }),
    );
    return alternatesFrom(more, candidate.cellUuid, exclude, input.alternates);
  }
}

async function cellsOf(db: Queryable, providerUuids: string[]): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ provider: string; cell: string | null }>(
    'SELECT p.uuid AS provider, c.uuid AS cell FROM resource_providers p LEFT JOIN cells c ON c.id = p.cell_id WHERE p.uuid = ANY($1::uuid[])',
    [providerUuids],
  );
  return new Map(rows.map((r) => [r.provider, r.cell]));
}

async function cellIdOf(db: Queryable, cellUuid: string | null): Promise<number | null> {
  if (!cellUuid) return null;
  const { rows } = await db.query<{ id: number }>('SELECT id FROM cells WHERE uuid = $1', [cellUuid]);
  return rows[0]?.id ?? null;
}

/** The server's weighed list, or the caller's list in the caller's order (hosts that do not fit now drop out). */
async function weighedList(
  db: Queryable,
  resolved: ResolvedRequest,
  callerList: string[] | null,
  weigher: Weigher,
  limit: number,
): Promise<Candidate[]> {
  if (!callerList) return searchCandidates(db, resolved, { limit, weigher });
  const found = await searchCandidates(db, resolved, { limit: callerList.length, weigher, onlyRoots: callerList });
  const byUuid = new Map(found.map((c) => [c.rootUuid, c]));
  return callerList.flatMap((uuid) => (byUuid.has(uuid) ? [byUuid.get(uuid)!] : []));
}

/**
 * reschedule: release the consumer's allocations and claim the first alternate that still
 * fits, in order, in one transaction. When none fits the consumer is left with no
 * allocations and NoValidHost says what was tried.
 */
export async function reschedule(pool: pg.Pool, raw: RescheduleInput, policy: RetryPolicy = defaultRetryPolicy): Promise<Selection> {
  const input = parseInput(rescheduleSchema, raw);
  const hash = requestHash('reschedule', input);
  const outcome = await inCallTransaction<{ selection: Selection } | { failure: string[] }>(pool, policy, async (db) => {
    const previous = await replayed<Selection>(db, input.idempotencyKey, 'reschedule', hash);
    if (previous) return { selection: previous };
    const { rows } = await db.query<{ project_id: string; user_id: string; consumer_type: string | null; generation: number }>(
      'SELECT project_id, user_id, consumer_type, generation FROM consumers WHERE uuid = $1 FOR UPDATE',
      [input.consumerUuid],
    );
    const consumer = rows[0];
    if (!consumer) throw new NotFoundError('Consumer', input.consumerUuid, 'consumerUuid');
    if (consumer.generation !== input.consumerGeneration) {
      throw new ConsumerGenerationConflictError(input.consumerUuid, input.consumerGeneration, consumer.generation);
    }
    const identity = { consumerUuid: input.consumerUuid, projectId: consumer.project_id, userId: consumer.user_id, consumerType: consumer.consumer_type };
    const tried: string[] = [];
    for (const [index, alternate] of input.alternates.entries()) {
      tried.push(alternate.providerUuid);
      await db.query('SAVEPOINT host_attempt');
      try {
        // Replacing the consumer's allocations releases the failed host in the same write.
        const [written] = await replaceAllocations(db, {
          consumers: [{ ...identity, consumerGeneration: input.consumerGeneration, allocations: alternate.allocations }],
        });
        await db.query('RELEASE SAVEPOINT host_attempt');
        const remaining = input.alternates.slice(index + 1);
        const cells = await cellsOf(db, [alternate.providerUuid, ...remaining.map((a) => a.providerUuid)]);
        const selection: Selection = {
          consumerUuid: input.consumerUuid,
          consumerGeneration: written!.generation!,
          providerUuid: alternate.providerUuid,
          cellUuid: cells.get(alternate.providerUuid) ?? null,
          allocations: alternate.allocations,
          alternates: remaining.map((a) => ({ providerUuid: a.providerUuid, cellUuid: cells.get(a.providerUuid) ?? null, allocations: a.allocations })),
          hostsTried: tried.length,
        };
        await remember(db, input.idempotencyKey, 'reschedule', hash, selection);
        return { selection };
      } catch (error) {
        if (!(hostRejected(error) || error instanceof NotFoundError)) throw error;
        await db.query('ROLLBACK TO SAVEPOINT host_attempt');
      }
    }
    // Every alternate failed: the consumer ends with nothing claimed.
    await replaceAllocations(db, { consumers: [{ ...identity, consumerGeneration: input.consumerGeneration, allocations: [] }] });
    return { failure: tried };
  });
  if ('failure' in outcome) {
    throw new NoValidHostError(
      input.consumerUuid,
      outcome.failure,
      null,
      outcome.failure.length === 0
        ? `no alternates were given; consumer ${input.consumerUuid} now holds no allocations`
        : `none of the ${outcome.failure.length} alternates could take consumer ${input.consumerUuid}; it now holds no allocations`,
    );
  }
  return outcome.selection;
}
