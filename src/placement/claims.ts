import { createHash } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { replaceAllocations } from './allocations.js';
import {
  type Candidate,
  type Explanation,
  explainPlacement,
  MAX_LIMIT,
  parseHostSubsetSize,
  parsePlacementRequest,
  pickFromSubset,
  type RequestLookupRow,
  type ResolvedRequest,
  requestLookup,
  resolvedFrom,
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
import { fitsSql, freeShareSql, shareBoundsSet } from './fit.js';
import {
  defaultRetryPolicy,
  prepared,
  type Queryable,
  type RetryPolicy,
  serializable,
  singleStatementSerializable,
  withClient,
} from './transactions.js';
import { externalId, int32, parseInput, referenceName, resourceAmount, uuidString } from './validation.js';

/**
 * Nothing could be claimed; carries what was tried and, for claims, a way to explain why
 * hosts were rejected. The explanation scans every host, so it is computed only when asked
 * for (a scheduler that only checks the error code does not pay for it).
 */
export class NoValidHostError extends PlacementError {
  readonly code = 'NO_VALID_HOST';
  constructor(
    readonly consumerUuid: string,
    readonly hostsTried: string[],
    readonly explain: (() => Promise<Explanation>) | null,
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

const idempotencyKey = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(255, { message: 'at most 255 characters' });

const claimSchema = z.object({
  consumers: z
    .array(consumerSchema)
    .min(1, { message: 'list at least one consumer' })
    .max(100, { message: 'at most 100 consumers per claim' }),
  request: z.unknown(),
  alternates: int32(0).max(100, { message: 'at most 100 alternates' }),
  candidates: z
    .array(uuidString)
    .min(1, { message: 'an explicit candidate list needs at least one provider' })
    .max(MAX_LIMIT)
    .nullish(),
  weigher: z.enum(['SPREAD', 'PACK']).nullish(),
  hostSubsetSize: z.number().nullish(),
  idempotencyKey: idempotencyKey.nullish(),
});
export type ClaimInput = z.input<typeof claimSchema>;

const allocationRequestSchema = z
  .array(
    z.object({
      providerUuid: uuidString,
      resources: z.array(resourceAmount).min(1).max(50),
    }),
  )
  .min(1, { message: 'an alternate needs at least one allocation' })
  // One allocation per serving provider, and a request has at most 50 classes.
  .max(50, { message: 'at most 50 allocations per alternate' });

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
  return (
    error instanceof CapacityExceededError ||
    (error instanceof InvalidInputError && /^(minUnit|maxUnit|stepSize)/.test(error.rule))
  );
}

interface StoredResult {
  operation: string;
  request_hash: string;
  response: unknown;
}

async function replayed<T>(
  db: Queryable,
  key: string | null | undefined,
  operation: string,
  hash: string,
): Promise<T | null> {
  if (!key) return null;
  const { rows } = await db.query<StoredResult>(
    'SELECT operation, request_hash, response FROM idempotency_keys WHERE key = $1',
    [key],
  );
  return rows[0] ? storedAnswer<T>(rows[0], operation, hash) : null;
}

/** The answer stored under a key, when the key was used for this same request. */
function storedAnswer<T>(row: StoredResult, operation: string, hash: string): T {
  if (row.operation !== operation || row.request_hash !== hash) {
    throw new InvalidInputError(
      'idempotencyKey',
      'same-request',
      'idempotencyKey: this key was used for a different request; use a new key',
    );
  }
  return row.response as T;
}

async function remember(
  db: Queryable,
  key: string | null | undefined,
  operation: string,
  hash: string,
  response: unknown,
): Promise<void> {
  if (!key) return;
  await db.query('INSERT INTO idempotency_keys (key, operation, request_hash, response) VALUES ($1, $2, $3, $4)', [
    key,
    operation,
    hash,
    JSON.stringify(response),
  ]);
}

type HostAttempt = { claimed: true } | { rejected: true } | { busy: true } | { consumerExists: true };

type ClaimConsumer = z.output<typeof consumerSchema>;

/** Where a host attempt runs: alone as its own transaction, or inside the caller's transaction. */
type ClaimRunner =
  | { alone: pg.Pool; policy: RetryPolicy; remember?: { key: string; hash: string; response: unknown } }
  | { inside: Queryable };

/**
 * The narrow claim, one statement: lock the host's providers (SKIP LOCKED: a host another
 * claimer holds right now is reported busy, not queued behind), re-check the shared fit
 * rule on every requested inventory, and only when all fit create the consumer, move the
 * usage counters, write the allocation rows, bump the providers' generations and
 * free-share bounds and (alone, with a key) store the idempotent answer. All or nothing
 * inside the statement, so a rejected host leaves nothing. Run alone it is a whole
 * SERIALIZABLE transaction in one round trip.
 */
async function claimOnHost(
  runner: ClaimRunner,
  consumer: ClaimConsumer,
  allocations: AllocationRequest[],
  classIds: Map<string, number>,
  locks: 'skip' | 'wait' = 'skip',
): Promise<HostAttempt> {
  const providerUuids: string[] = [];
  const rowClassIds: number[] = [];
  const amounts: number[] = [];
  for (const a of allocations) {
    for (const r of a.resources) {
      providerUuids.push(a.providerUuid);
      rowClassIds.push(classIds.get(r.resourceClass)!);
      amounts.push(r.amount);
    }
  }
  const providers = [...new Set(providerUuids)];
  const remember = 'alone' in runner ? runner.remember : undefined;
  const values: unknown[] = [
    providerUuids,
    rowClassIds,
    amounts,
    providers,
    amounts.length,
    consumer.consumerUuid,
    consumer.projectId,
    consumer.userId,
    consumer.consumerType ?? null,
  ];
  if (remember) values.push(remember.key, remember.hash, JSON.stringify(remember.response));
  const statement = prepared(claimStatement(locks, remember !== undefined), values);
  // The consumer's existence is not read here (a read would widen the transaction's
  // predicate locks): the unique index refuses a second insert, reported as consumerExists.
  let result: ClaimRow;
  try {
    result =
      'alone' in runner
        ? (await singleStatementSerializable<ClaimRow>(runner.alone, statement, runner.policy))[0]!
        : (await runner.inside.query<ClaimRow>(statement)).rows[0]!;
  } catch (error) {
    // The consumer exists (created since the up-front check, e.g. by a replay of this call).
    if ((error as { code?: string; constraint?: string }).constraint === 'consumers_uuid_key')
      return { consumerExists: true };
    throw error;
  }
  if (result.fitting === amounts.length) return { claimed: true };
  return result.locked < providers.length ? { busy: true } : { rejected: true };
}

interface ClaimRow {
  locked: number;
  fitting: number;
  isolation: string;
}

/**
 * The claim statement's text: one per lock mode and idempotency, so each is prepared once
 * per connection. Values: $1–$3 the rows (provider uuid, class id, amount), $4 the distinct
 * provider uuids, $5 the row count, $6–$9 the consumer (uuid, project, user, type), with a
 * key $10–$12 (key, request hash, answer). Exported for the test that runs it at another
 * isolation level.
 */
export function claimStatement(locks: 'skip' | 'wait', remember: boolean): string {
  const shareAfter = freeShareSql('i', 'coalesce(f.amount, 0)');
  return `WITH req AS (SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[]) AS r(provider_uuid, class_id, amount)),
       locked AS (
         SELECT p.id, p.uuid FROM resource_providers p
          WHERE p.uuid = ANY($4::uuid[])
          ORDER BY p.id FOR UPDATE${locks === 'skip' ? ' SKIP LOCKED' : ''}),
       fitting AS (
         SELECT i.id, i.provider_id, i.resource_class_id, req.amount
           FROM req JOIN locked ON locked.uuid = req.provider_uuid
           JOIN inventories i ON i.provider_id = locked.id AND i.resource_class_id = req.class_id
          WHERE ${fitsSql('i', 'req.amount')}
          FOR UPDATE OF i),
       -- writes happen only when every row fits, and only at SERIALIZABLE (the level is also reported)
       complete AS (SELECT count(*) = $5 AND current_setting('transaction_isolation') = 'serializable' AS ok FROM fitting),
       consumer AS (
         INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation)
         SELECT $6, $7, $8, $9, 1 FROM complete WHERE complete.ok RETURNING id),
       moved AS (UPDATE inventories i SET used = i.used + f.amount FROM fitting f, complete WHERE complete.ok AND i.id = f.id RETURNING 1),
       allocated AS (
         INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
         SELECT (SELECT id FROM consumer), f.provider_id, f.resource_class_id, f.amount FROM fitting f, complete WHERE complete.ok RETURNING 1),
       -- the statement reads inventories as they were before it, so the bounds add the amounts
       bumped AS (
         UPDATE resource_providers p SET generation = p.generation + 1, ${shareBoundsSet(shareAfter, 'LEFT JOIN fitting f ON f.id = i.id')}
           FROM complete WHERE complete.ok AND p.id IN (SELECT id FROM locked) RETURNING 1)${
             remember
               ? `,
       remembered AS (
         INSERT INTO idempotency_keys (key, operation, request_hash, response)
         -- after the consumer's insert, so a concurrent replay trips on the consumer first
         SELECT $10, 'claim', $11, $12::jsonb FROM consumer RETURNING 1)`
               : ''
           }
       SELECT (SELECT count(*)::int FROM locked) AS locked,
              (SELECT count(*)::int FROM fitting) AS fitting,
              current_setting('transaction_isolation') AS isolation`;
}

function alternatesFrom(list: Candidate[], cellUuid: string | null, exclude: Set<string>, count: number): Alternate[] {
  return list
    .filter((c) => c.cellUuid === cellUuid && !exclude.has(c.rootUuid))
    .slice(0, count)
    .map((c) => ({ providerUuid: c.rootUuid, cellUuid: c.cellUuid, allocations: allocationRequestOf(c) }));
}

/** One entry of the walk: a host that fits now, or one the caller listed that does not. */
type WalkEntry = { uuid: string; candidate: Candidate | null };

/** Retries of one host attempt before the host counts as contended and goes to the back. */
const HOST_ATTEMPT_POLICY: RetryPolicy = { ...defaultRetryPolicy, maxAttempts: 3 };

/**
 * claim: for each consumer in order, walk the weighed list and claim on the first host
 * that still fits (the shared fit rule, re-checked in the write); then pick up to
 * `alternates` more hosts of the chosen host's cell from the same weighed order.
 *
 * The search runs first, read-only: inside SERIALIZABLE its wide reads would make every
 * concurrent claim conflict. A single consumer's claim is one short SERIALIZABLE
 * transaction per host attempt (a fresh snapshot each time, so racing claimers rarely
 * conflict); several consumers share one transaction, so they are placed all or none. A
 * busy or contended host is tried again after the others; only when no host could be
 * claimed is the answer NoValidHost, and only when contention, not capacity, stopped every
 * attempt is it the retryable RetryLimitExceeded.
 */
export async function claim(
  pool: pg.Pool,
  raw: ClaimInput,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<Selection[]> {
  const input = parseInput(claimSchema, raw);
  const request = parsePlacementRequest(input.request);
  const subset = parseHostSubsetSize(input.hostSubsetSize);
  const weigher: Weigher = input.weigher ?? 'SPREAD';
  const seen = new Set<string>();
  input.consumers.forEach((c, i) => {
    if (seen.has(c.consumerUuid))
      throw new InvalidInputError(
        `consumers[${i}].consumerUuid`,
        'unique',
        `consumers[${i}].consumerUuid: listed twice`,
      );
    seen.add(c.consumerUuid);
  });
  // Only a keyed call is ever compared with a stored one (hashing costs a little on every claim).
  const hash = input.idempotencyKey ? requestHash('claim', { ...input, request }) : '';
  const replay = () => withClient(pool, (db) => replayed<Selection[]>(db, input.idempotencyKey, 'claim', hash));

  // Enough of the weighed list for every consumer, its alternates and some losers.
  const searchLimit = Math.min(MAX_LIMIT, Math.max(subset, input.consumers.length * (input.alternates + 1) + 10));
  const searched = await withClient(pool, async (db) => {
    // One round trip answers, in one snapshot: was this key used (a replay), does a consumer
    // exist already (claims are for new consumers; the write re-checks it), and the names.
    const lookup = requestLookup(request);
    // One consumer (the usual claim) is looked up by `=`: with `= ANY(array)` the generic
    // plan is costed for 10 elements and PostgreSQL would plan the statement on every call.
    const single = input.consumers.length === 1;
    const { rows } = await db.query<
      RequestLookupRow & { existing: { uuid: string; generation: number }[] | null; replay: StoredResult | null }
    >(
      prepared(
        `SELECT names.*,
                (SELECT json_agg(json_build_object('uuid', uuid, 'generation', generation)) FROM consumers
                  WHERE ${single ? 'uuid = $6::uuid' : 'uuid = ANY($6::uuid[])'}) AS existing,
                (SELECT json_build_object('operation', operation, 'request_hash', request_hash, 'response', response) FROM idempotency_keys WHERE key = $7) AS replay
           FROM (${lookup.sql}) names`,
        [
          ...lookup.values,
          single ? input.consumers[0]!.consumerUuid : input.consumers.map((c) => c.consumerUuid),
          input.idempotencyKey ?? null,
        ],
      ),
    );
    const row = rows[0]!;
    // The key and the consumers commit together, so one snapshot sees both or neither.
    if (row.replay) return { replayedNow: storedAnswer<Selection[]>(row.replay, 'claim', hash) };
    const generations = new Map((row.existing ?? []).map((c) => [c.uuid, c.generation]));
    const first = input.consumers.find((c) => generations.has(c.consumerUuid));
    if (first)
      throw new ConsumerGenerationConflictError(first.consumerUuid, null, generations.get(first.consumerUuid)!);
    const resolved = resolvedFrom(request, row);
    return { resolved, list: await weighedList(db, resolved, input.candidates ?? null, weigher, searchLimit) };
  });
  if ('replayedNow' in searched) return searched.replayedNow!;
  const { resolved, list } = searched;
  // Every fitting host seen so far, in weighed order (alternates come from here).
  const fitting = list.flatMap((e) => (e.candidate ? [e.candidate] : []));
  const classIds = new Map(resolved.classNames.map((name, i) => [name, resolved.classIds[i]!]));

  /** Same-cell alternates from the weighed list; when it runs short, the chosen host's cell is searched. */
  const alternatesFor = async (candidate: Candidate, exclude: Set<string>): Promise<Alternate[]> => {
    const fromList = alternatesFrom(fitting, candidate.cellUuid, exclude, input.alternates);
    if (fromList.length >= input.alternates || input.candidates) return fromList;
    const more = await withClient(pool, async (db) =>
      searchCandidates(
        db,
        { ...resolved, cellId: await cellIdOf(db, candidate.cellUuid) },
        {
          limit: input.alternates + exclude.size,
          weigher,
          excludeRoots: [...exclude],
        },
      ),
    );
    return alternatesFrom(more, candidate.cellUuid, exclude, input.alternates);
  };

  /**
   * When every host of a server-computed page was taken by racing claimers, the hosts past
   * the page may still have room: the next page, without the hosts already seen. Empty when
   * the caller gave the list or the page was the whole answer.
   */
  let pageWasFull = !input.candidates && list.length >= searchLimit;
  const nextPage = async (seenHosts: Iterable<string>): Promise<WalkEntry[]> => {
    if (!pageWasFull) return [];
    const more = await withClient(pool, (db) =>
      searchCandidates(db, resolved, { limit: searchLimit, weigher, excludeRoots: [...seenHosts] }),
    );
    pageWasFull = more.length >= searchLimit;
    fitting.push(...more);
    return more.map((c) => ({ uuid: c.rootUuid, candidate: c }));
  };

  const consumerConflict = async (consumer: ClaimConsumer): Promise<never> => {
    // A replayed key whose first call is just committing lands here: answer as the first call did.
    const replayedNow = await replay();
    if (replayedNow) throw new ReplayedResult(replayedNow);
    const { rows } = await pool.query<{ generation: number }>('SELECT generation FROM consumers WHERE uuid = $1', [
      consumer.consumerUuid,
    ]);
    throw new ConsumerGenerationConflictError(consumer.consumerUuid, null, rows[0]?.generation ?? null);
  };

  try {
    if (input.consumers.length === 1) {
      const consumer = input.consumers[0]!;
      return [await claimOne(consumer)];
    }
    return await claimAll();
  } catch (error) {
    if (error instanceof ReplayedResult) return error.selections;
    if (error instanceof NoValidHostError) {
      throw new NoValidHostError(
        error.consumerUuid,
        error.hostsTried,
        () => explainPlacement(pool, request),
        error.message,
      );
    }
    throw error;
  }

  /** One consumer: each host attempt is its own short transaction. */
  async function claimOne(consumer: ClaimConsumer): Promise<Selection> {
    const queue = [...pickFromSubset(list, subset)];
    const tried: string[] = [];
    const requeued = new Set<string>();
    let contended = 0;
    for (;;) {
      if (queue.length === 0) queue.push(...(await nextPage(tried)));
      const entry = queue.shift();
      if (!entry) break;
      if (!requeued.has(entry.uuid)) tried.push(entry.uuid);
      const candidate = entry.candidate;
      if (!candidate) continue; // listed by the caller but does not fit now
      const selection: Selection = {
        consumerUuid: consumer.consumerUuid,
        consumerGeneration: 1,
        providerUuid: candidate.rootUuid,
        cellUuid: candidate.cellUuid,
        allocations: allocationRequestOf(candidate),
        alternates: await alternatesFor(candidate, new Set([...tried, candidate.rootUuid])),
        hostsTried: tried.length,
      };
      let attempt: HostAttempt | { contended: true };
      try {
        // Second visit of a busy host: wait for its lock instead of skipping it again, with
        // the full retry budget (a host with room must not be given up while it only stays
        // contended). First visit: a few quick retries, then the host goes to the back.
        const secondVisit = requeued.has(entry.uuid);
        const remember = input.idempotencyKey ? { key: input.idempotencyKey, hash, response: [selection] } : undefined;
        attempt = await claimOnHost(
          { alone: pool, policy: secondVisit ? policy : HOST_ATTEMPT_POLICY, remember },
          consumer,
          selection.allocations,
          classIds,
          secondVisit ? 'wait' : 'skip',
        );
      } catch (error) {
        if (!(error instanceof RetryLimitExceededError)) throw error;
        attempt = { contended: true };
      }
      if ('claimed' in attempt) return selection;
      if ('consumerExists' in attempt) await consumerConflict(consumer);
      if ('busy' in attempt || 'contended' in attempt) {
        if (!requeued.has(entry.uuid)) {
          requeued.add(entry.uuid);
          queue.push(entry);
        } else contended++;
      }
    }
    // Hosts that stayed busy may still have room: that is not NoValidHost.
    if (contended > 0) throw new RetryLimitExceededError(contended);
    throw noValidHost(consumer, tried);
  }

  /** Several consumers: one transaction, so they are all placed or none is. */
  async function claimAll(): Promise<Selection[]> {
    const orderings = input.consumers.map(() => pickFromSubset(list, subset));
    return serializable(
      pool,
      async (db) => {
        const previous = await replayed<Selection[]>(db, input.idempotencyKey, 'claim', hash);
        if (previous) return previous;
        const chosen = new Set<string>();
        const placed: { consumer: ClaimConsumer; candidate: Candidate; tried: string[] }[] = [];
        for (const [index, consumer] of input.consumers.entries()) {
          const queue = orderings[index]!.filter((e) => !chosen.has(e.uuid));
          const tried: string[] = [];
          const requeued = new Set<string>();
          let success: Candidate | null = null;
          while (!success) {
            if (queue.length === 0) queue.push(...(await nextPage([...chosen, ...tried])));
            const entry = queue.shift();
            if (!entry) break;
            if (!requeued.has(entry.uuid)) tried.push(entry.uuid);
            if (!entry.candidate) continue;
            const attempt = await claimOnHost({ inside: db }, consumer, allocationRequestOf(entry.candidate), classIds);
            if ('claimed' in attempt) success = entry.candidate;
            else if ('consumerExists' in attempt) await consumerConflict(consumer);
            else if ('busy' in attempt && !requeued.has(entry.uuid)) {
              requeued.add(entry.uuid);
              queue.push(entry);
            } else if ('busy' in attempt) {
              // Still busy: restart the call with a fresh snapshot rather than give up on a host with room.
              throw Object.assign(new Error(`host ${entry.uuid} stayed busy`), { code: '40001' });
            }
          }
          // The transaction rolls back: nothing this call claimed survives.
          if (!success) throw noValidHost(consumer, tried);
          chosen.add(success.rootUuid);
          placed.push({ consumer, candidate: success, tried });
        }
        const result: Selection[] = [];
        for (const { consumer, candidate, tried } of placed) {
          result.push({
            consumerUuid: consumer.consumerUuid,
            consumerGeneration: 1,
            providerUuid: candidate.rootUuid,
            cellUuid: candidate.cellUuid,
            allocations: allocationRequestOf(candidate),
            // Read-only lookups on the pool, not on this transaction: they would widen its reads.
            alternates: await alternatesFor(candidate, new Set([...chosen, ...tried])),
            hostsTried: tried.length,
          });
        }
        await remember(db, input.idempotencyKey, 'claim', hash, result);
        return result;
      },
      policy,
    );
  }
}

/** A replay discovered mid-call: unwinds to return the stored answer. */
class ReplayedResult extends Error {
  constructor(readonly selections: Selection[]) {
    super('idempotent replay');
  }
}

function noValidHost(consumer: ClaimConsumer, tried: string[]): NoValidHostError {
  return new NoValidHostError(
    consumer.consumerUuid,
    tried,
    null,
    tried.length === 0
      ? `no host can take the request for consumer ${consumer.consumerUuid}`
      : `none of the ${tried.length} hosts tried could take the request for consumer ${consumer.consumerUuid}`,
  );
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

/** The server's weighed list, or the caller's list in the caller's order (hosts that do not fit now stay, to be counted as tried). */
async function weighedList(
  db: Queryable,
  resolved: ResolvedRequest,
  callerList: string[] | null,
  weigher: Weigher,
  limit: number,
): Promise<WalkEntry[]> {
  if (!callerList)
    return (await searchCandidates(db, resolved, { limit, weigher })).map((c) => ({ uuid: c.rootUuid, candidate: c }));
  const found = await searchCandidates(db, resolved, { limit: callerList.length, weigher, onlyRoots: callerList });
  const byUuid = new Map(found.map((c) => [c.rootUuid, c]));
  return [...new Set(callerList)].map((uuid) => ({ uuid, candidate: byUuid.get(uuid) ?? null }));
}

/** An alternate that cannot take the consumer; thrown to roll its attempt back. */
class AlternateRejected extends Error {}

interface RescheduledConsumer {
  consumerUuid: string;
  projectId: string;
  userId: string;
  consumerType: string | null;
}

/** Locks the consumer and checks its generation; the identity its allocations are rewritten under. */
async function lockConsumerForReschedule(
  db: Queryable,
  input: { consumerUuid: string; consumerGeneration: number },
): Promise<RescheduledConsumer> {
  const { rows } = await db.query<{
    project_id: string;
    user_id: string;
    consumer_type: string | null;
    generation: number;
  }>('SELECT project_id, user_id, consumer_type, generation FROM consumers WHERE uuid = $1 FOR UPDATE', [
    input.consumerUuid,
  ]);
  const consumer = rows[0];
  if (!consumer) throw new NotFoundError('Consumer', input.consumerUuid, 'consumerUuid');
  if (consumer.generation !== input.consumerGeneration) {
    throw new ConsumerGenerationConflictError(input.consumerUuid, input.consumerGeneration, consumer.generation);
  }
  return {
    consumerUuid: input.consumerUuid,
    projectId: consumer.project_id,
    userId: consumer.user_id,
    consumerType: consumer.consumer_type,
  };
}

/**
 * Tries the alternates in order, each in its own SERIALIZABLE transaction that releases the
 * consumer's current allocations and writes the alternate's in one atomic step, as claims
 * take one transaction per host. A transaction then reads only the consumer, its hosts and
 * one alternate, so writers racing on the other alternates cannot make it fail
 * serialization (one transaction over every alternate did, under contention). The consumer
 * generation, checked in each attempt, keeps the sequence safe against other writers. When
 * none fits the consumer is left with no allocations and NoValidHost says what was tried.
 */
export async function reschedule(
  pool: pg.Pool,
  raw: RescheduleInput,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<Selection> {
  const input = parseInput(rescheduleSchema, raw);
  const hash = requestHash('reschedule', input);
  const tried: string[] = [];
  for (const [index, alternate] of input.alternates.entries()) {
    tried.push(alternate.providerUuid);
    try {
      return await serializable(
        pool,
        async (db) => {
          const previous = await replayed<Selection>(db, input.idempotencyKey, 'reschedule', hash);
          if (previous) return previous;
          const identity = await lockConsumerForReschedule(db, input);
          let written;
          try {
            [written] = await replaceAllocations(db, {
              consumers: [
                { ...identity, consumerGeneration: input.consumerGeneration, allocations: alternate.allocations },
              ],
            });
          } catch (error) {
            if (hostRejected(error) || error instanceof NotFoundError) throw new AlternateRejected();
            throw error;
          }
          const remaining = input.alternates.slice(index + 1);
          const cells = await cellsOf(db, [alternate.providerUuid, ...remaining.map((a) => a.providerUuid)]);
          const selection: Selection = {
            consumerUuid: input.consumerUuid,
            consumerGeneration: written!.generation!,
            providerUuid: alternate.providerUuid,
            cellUuid: cells.get(alternate.providerUuid) ?? null,
            allocations: alternate.allocations,
            alternates: remaining.map((a) => ({
              providerUuid: a.providerUuid,
              cellUuid: cells.get(a.providerUuid) ?? null,
              allocations: a.allocations,
            })),
            hostsTried: tried.length,
          };
          await remember(db, input.idempotencyKey, 'reschedule', hash, selection);
          return selection;
        },
        policy,
      );
    } catch (error) {
      if (!(error instanceof AlternateRejected)) throw error;
    }
  }
  // Every alternate failed: the consumer ends with nothing claimed.
  const previous = await serializable(
    pool,
    async (db) => {
      const replay = await replayed<Selection>(db, input.idempotencyKey, 'reschedule', hash);
      if (replay) return replay;
      const identity = await lockConsumerForReschedule(db, input);
      await replaceAllocations(db, {
        consumers: [{ ...identity, consumerGeneration: input.consumerGeneration, allocations: [] }],
      });
      return null;
    },
    policy,
  );
  if (previous) return previous;
  throw new NoValidHostError(
    input.consumerUuid,
    tried,
    null,
    tried.length === 0
      ? `no alternates were given; consumer ${input.consumerUuid} now holds no allocations`
      : `none of the ${tried.length} alternates could take consumer ${input.consumerUuid}; it now holds no allocations`,
  );
}
