import { appendAuditEvent, WriteChanges } from '../audit/trail.js';
import { type Candidate, pickFromSubset, searchCandidates } from '../candidates.js';
import { ConsumerGenerationConflictError, RetryLimitExceededError } from '../errors.js';
import { defaultRetryPolicy, type Queryable, type RetryPolicy, serializable, withClient } from '../transactions.js';
import { HostStayedBusyError } from './errors.js';
import { isKeyTaken, remember, replayed } from './idempotency.js';
import type { ClaimConsumer } from './input.js';
import { type ClaimPlan, walkOf } from './plan.js';
import { type Alternate, allocationRequestOf, noValidHost, type Selection } from './selection.js';
import { claimOnHost } from './statement.js';
import type { HostWalk, WalkStep } from './walk.js';

/** Retries of one host attempt before the host counts as contended and goes to the back. */
const HOST_ATTEMPT_POLICY: RetryPolicy = { ...defaultRetryPolicy, maxAttempts: 3 };

/**
 * One consumer: each host attempt is its own short SERIALIZABLE transaction (one statement
 * on the claim pool). A busy host goes to the back once; on its second visit the attempt
 * waits for its lock with the full retry budget. Only when contention, not capacity,
 * stopped every attempt is the answer the retryable RetryLimitExceeded.
 */
export async function claimOne(plan: ClaimPlan, consumer: ClaimConsumer): Promise<Selection[]> {
  const walk = walkOf(plan, pickFromSubset([...plan.list], plan.subset), new Set());
  let contended = 0;
  for (let step = await walk.next(); step; step = await walk.next()) {
    const selection = await selectionOf(plan, consumer, step.candidate, walk, new Set([step.uuid]));
    const secondVisit = walk.isSecondVisit(step);
    const key = plan.input.idempotencyKey;
    const outcome = await claimOnHost(
      {
        alone: plan.db.claimPool,
        policy: secondVisit ? plan.policy : HOST_ATTEMPT_POLICY,
        remember: key ? { key, callerKey: plan.callerKey, hash: plan.hash, response: [selection] } : undefined,
        audit: plan.caller,
      },
      consumer,
      selection.allocations,
      plan.classIds,
      secondVisit ? 'wait' : 'skip',
    );
    if (outcome === 'claimed') return [selection];
    if (outcome === 'taken') return answerForTaken(plan, consumer);
    if (outcome === 'cannot-take' && (await lookAgain(plan, walk, step))) continue;
    if (outcome === 'busy' && !walk.requeue(step)) contended++;
  }
  // Hosts that stayed busy may still have room: that is not NoValidHost.
  if (contended > 0) throw new RetryLimitExceededError(contended);
  throw noValidHost(consumer.consumerUuid, walk.tried);
}

/**
 * A host served by several providers that could not take the claim as searched (a racer
 * took the chosen providers) may fit on others of its tree: it is searched alone, on the
 * pool, and attempted once more with what fits now. Without this, two claims racing for
 * one host with room for both could leave the second with NoValidHost.
 */
async function lookAgain(plan: ClaimPlan, walk: HostWalk, step: WalkStep): Promise<boolean> {
  const providers = new Set(step.candidate.serving.map((s) => s.providerUuid));
  if (providers.size < 2) return false;
  const [fresh] = await withClient(plan.db.pool, (client) =>
    searchCandidates(client, plan.resolved, { limit: 1, weigher: plan.weigher, onlyRoots: [step.uuid] }),
  );
  return fresh !== undefined && walk.retryFresh({ uuid: step.uuid, candidate: fresh });
}

/** A replay found while the call runs: unwinds the transaction to return the stored answer. */
class Replayed extends Error {
  constructor(readonly selections: Selection[]) {
    super('idempotent replay');
  }
}

/**
 * Several consumers: one SERIALIZABLE transaction, so they are all placed (each on a
 * different host) or none is. Every attempt of the transaction builds its walks afresh; a
 * host that stays busy through both visits restarts the transaction (HostStayedBusy).
 */
export async function claimAll(plan: ClaimPlan): Promise<Selection[]> {
  const orderings = plan.input.consumers.map(() => pickFromSubset([...plan.list], plan.subset));
  try {
    return await serializable(
      plan.db.pool,
      async (tx) => {
        const previous = await replayed<Selection[]>(tx, plan.input.idempotencyKey, plan.callerKey, 'claim', plan.hash);
        if (previous) return previous;
        const chosen = new Set<string>();
        const placed: { consumer: ClaimConsumer; candidate: Candidate; walk: HostWalk }[] = [];
        for (const [index, consumer] of plan.input.consumers.entries()) {
          const walk = walkOf(plan, orderings[index] ?? [], new Set(chosen));
          const candidate = await claimInside(tx, plan, consumer, walk);
          chosen.add(candidate.rootUuid);
          placed.push({ consumer, candidate, walk });
        }
        const result: Selection[] = [];
        for (const { consumer, candidate, walk } of placed)
          result.push(await selectionOf(plan, consumer, candidate, walk, chosen));
        await remember(tx, plan.input.idempotencyKey, plan.callerKey, 'claim', plan.hash, result);
        if (plan.caller) await appendAuditEvent(tx, plan.caller, changesOf(result));
        return result;
      },
      plan.policy,
    );
  } catch (error) {
    if (error instanceof Replayed) return error.selections;
    if (isKeyTaken(error)) return answerForTaken(plan, null);
    throw error;
  }
}

/** What a committed multi-consumer claim changed: every consumer, and the providers of their allocations. */
function changesOf(selections: readonly Selection[]): WriteChanges {
  const changes = new WriteChanges();
  for (const selection of selections) {
    changes.consumers.add(selection.consumerUuid);
    for (const allocation of selection.allocations) changes.providers.add(allocation.providerUuid);
  }
  return changes;
}

/** Walks one consumer's hosts inside the call's transaction until one takes it. */
async function claimInside(tx: Queryable, plan: ClaimPlan, consumer: ClaimConsumer, walk: HostWalk) {
  for (let step = await walk.next(); step; step = await walk.next()) {
    const outcome = await claimOnHost({ inside: tx }, consumer, allocationRequestOf(step.candidate), plan.classIds);
    if (outcome === 'claimed') return step.candidate;
    if (outcome === 'taken') throw new Replayed(await answerForTaken(plan, consumer));
    if (outcome === 'cannot-take' && (await lookAgain(plan, walk, step))) continue;
    if (outcome === 'busy') stillBusy(walk, step);
  }
  // The transaction rolls back: nothing this call claimed survives.
  throw noValidHost(consumer.consumerUuid, walk.tried);
}

function stillBusy(walk: HostWalk, step: WalkStep): void {
  // Still busy on its second visit: restart with a fresh snapshot rather than give up on a host with room.
  if (!walk.requeue(step)) throw new HostStayedBusyError(step.uuid);
}

/**
 * The consumer or the key appeared since the lookup. A replay of this call that committed
 * first: answer what it answered. Otherwise the consumer exists: claims are for new consumers.
 */
async function answerForTaken(plan: ClaimPlan, consumer: ClaimConsumer | null): Promise<Selection[]> {
  const stored = await replayed<Selection[]>(
    plan.db.pool,
    plan.input.idempotencyKey,
    plan.callerKey,
    'claim',
    plan.hash,
  );
  if (stored) return stored;
  const uuids = consumer ? [consumer.consumerUuid] : plan.input.consumers.map((c) => c.consumerUuid);
  const { rows } = await plan.db.pool.query<{ uuid: string; generation: number }>(
    'SELECT uuid, generation FROM consumers WHERE uuid = ANY($1::uuid[]) LIMIT 1',
    [uuids],
  );
  // Neither a stored answer nor an existing consumer: the key's other holder was just purged; retry.
  if (!rows[0]) throw new RetryLimitExceededError(1);
  throw new ConsumerGenerationConflictError(rows[0].uuid, null, rows[0].generation);
}

/** The answer for a consumer placed on `candidate`: its allocations and same-cell alternates. */
async function selectionOf(
  plan: ClaimPlan,
  consumer: ClaimConsumer,
  candidate: Candidate,
  walk: HostWalk,
  exclude: ReadonlySet<string>,
): Promise<Selection> {
  return {
    consumerUuid: consumer.consumerUuid,
    consumerGeneration: 1,
    providerUuid: candidate.rootUuid,
    cellUuid: candidate.cellUuid,
    allocations: allocationRequestOf(candidate),
    mappings: candidate.mappings,
    // Read-only lookups on the pool, never on a claim transaction: they would widen its reads.
    alternates: await alternatesFor(plan, walk, candidate, new Set([...exclude, ...walk.tried, candidate.rootUuid])),
    hostsTried: walk.tried.length,
  };
}

/** Same-cell alternates from the hosts the walk has seen; when they run short, the chosen host's cell is searched. */
async function alternatesFor(
  plan: ClaimPlan,
  walk: HostWalk,
  candidate: Candidate,
  exclude: Set<string>,
): Promise<Alternate[]> {
  const count = plan.input.alternates;
  const fromList = alternatesFrom(walk.seen(), candidate.cellUuid, exclude, count);
  if (fromList.length >= count || plan.input.candidates) return fromList;
  const more = await withClient(plan.db.pool, async (client) =>
    searchCandidates(
      client,
      { ...plan.resolved, cellId: await cellIdOf(client, candidate.cellUuid) },
      { limit: count + exclude.size, weigher: plan.weigher, excludeRoots: [...exclude] },
    ),
  );
  return alternatesFrom(more, candidate.cellUuid, exclude, count);
}

function alternatesFrom(
  list: readonly Candidate[],
  cellUuid: string | null,
  exclude: Set<string>,
  count: number,
): Alternate[] {
  return list
    .filter((c) => c.cellUuid === cellUuid && !exclude.has(c.rootUuid))
    .slice(0, count)
    .map((c) => ({
      providerUuid: c.rootUuid,
      cellUuid: c.cellUuid,
      allocations: allocationRequestOf(c),
      mappings: c.mappings,
    }));
}

async function cellIdOf(client: Queryable, cellUuid: string | null): Promise<number | null> {
  if (!cellUuid) return null;
  const { rows } = await client.query<{ id: number }>('SELECT id FROM cells WHERE uuid = $1', [cellUuid]);
  return rows[0]?.id ?? null;
}
