import type pg from 'pg';
import { replaceAllocations } from '../allocations.js';
import { audited, noteConsumers } from '../audit/trail.js';
import { assertMayWriteConsumer } from '../consumer-access.js';
import { CapacityExceededError, ConsumerGenerationConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { defaultRetryPolicy, type Queryable, type RetryPolicy, serializable } from '../transactions.js';
import { parseInput } from '../validation.js';
import type { WriteCaller } from '../write-caller.js';
import { HostCannotTakeError } from './errors.js';
import { callerKeyOf, remember, replayed, requestHash } from './idempotency.js';
import { type ParsedReschedule, type RescheduleInput, rescheduleSchema } from './input.js';
import { NoValidHostError, type Selection, unnumberedMappingsOf } from './selection.js';

/**
 * What a reschedule answers, as stored under its key: the new selection, or NoValidHost
 * (which also commits: the consumer was released). Rows stored before NoValidHost was
 * stored are a bare Selection, which this shape still reads.
 */
type RescheduleAnswer = Selection | { noValidHost: { consumerUuid: string; hostsTried: string[] } };

/**
 * Tries the alternates in order, each in its own SERIALIZABLE transaction that releases the
 * consumer's current allocations and writes the alternate's in one atomic step, as claims
 * take one transaction per host. A transaction then reads only the consumer, its hosts and
 * one alternate, so writers racing on the other alternates cannot make it fail
 * serialization. The consumer generation, checked in each attempt, keeps the sequence safe
 * against other writers. An alternate the write refuses (no room, no such inventory, a unit
 * rule, a provider gone) is skipped. When none fits the consumer is left with no
 * allocations and NoValidHost says what was tried; with a key, that answer is stored too.
 *
 * With a `caller`, the transaction that commits the move (or the release) appends one audit
 * event; a replay changes nothing and appends none. Keys are the caller's own.
 */
export async function reschedule(
  pool: pg.Pool,
  raw: RescheduleInput,
  policy: RetryPolicy = defaultRetryPolicy,
  caller?: WriteCaller,
): Promise<Selection> {
  const input = parseInput(rescheduleSchema, raw);
  const call: RescheduleCall = {
    input,
    hash: requestHash('reschedule', input),
    caller,
    callerKey: callerKeyOf(caller),
  };
  const attempt = async (work: (tx: Queryable) => Promise<RescheduleAnswer>) => {
    try {
      return await serializable(pool, audited(caller, work), policy);
    } catch (error) {
      if (error instanceof Replayed) return error.answer;
      throw error;
    }
  };
  for (const index of input.alternates.keys()) {
    try {
      return answered(await attempt((tx) => moveTo(tx, call, index)));
    } catch (error) {
      if (!(error instanceof HostCannotTakeError)) throw error;
    }
  }
  return answered(await attempt((tx) => releaseAll(tx, call)));
}

interface RescheduleCall {
  input: ParsedReschedule;
  hash: string;
  caller: WriteCaller | undefined;
  callerKey: string;
}

/** The key's stored answer, found inside an attempt: rolls it back (it wrote nothing, and appends no event). */
class Replayed extends Error {
  constructor(readonly answer: RescheduleAnswer) {
    super('idempotent replay');
  }
}

async function throwIfReplayed(tx: Queryable, call: RescheduleCall): Promise<void> {
  const previous = await replayed<RescheduleAnswer>(
    tx,
    call.input.idempotencyKey,
    call.callerKey,
    'reschedule',
    call.hash,
  );
  if (previous) throw new Replayed(previous);
}

/** A stored or fresh answer as the caller gets it: the selection, or NoValidHost thrown. */
function answered(answer: RescheduleAnswer): Selection {
  if (!('noValidHost' in answer)) return answer;
  const { consumerUuid, hostsTried } = answer.noValidHost;
  throw new NoValidHostError(
    consumerUuid,
    hostsTried,
    null,
    hostsTried.length === 0
      ? `no alternates were given; consumer ${consumerUuid} now holds no allocations`
      : `none of the ${hostsTried.length} alternates could take consumer ${consumerUuid}; it now holds no allocations`,
  );
}

/** One attempt: the consumer's allocations replaced by alternate `index`'s, or HostCannotTake (rolled back). */
async function moveTo(tx: Queryable, call: RescheduleCall, index: number): Promise<RescheduleAnswer> {
  await throwIfReplayed(tx, call);
  const { input } = call;
  const alternate = input.alternates[index] as ParsedReschedule['alternates'][number];
  const generation = await writeAllocations(tx, call, alternate.allocations, alternate.providerUuid);
  const remaining = input.alternates.slice(index + 1);
  const cells = await cellsOf(tx, [alternate.providerUuid, ...remaining.map((a) => a.providerUuid)]);
  const selection: Selection = {
    consumerUuid: input.consumerUuid,
    consumerGeneration: generation ?? 0,
    providerUuid: alternate.providerUuid,
    cellUuid: cells.get(alternate.providerUuid) ?? null,
    allocations: alternate.allocations,
    mappings: alternate.mappings ?? unnumberedMappingsOf(alternate.allocations),
    alternates: remaining.map((a) => ({
      providerUuid: a.providerUuid,
      cellUuid: cells.get(a.providerUuid) ?? null,
      allocations: a.allocations,
      mappings: a.mappings ?? unnumberedMappingsOf(a.allocations),
    })),
    hostsTried: index + 1,
  };
  await remember(tx, input.idempotencyKey, call.callerKey, 'reschedule', call.hash, selection);
  return selection;
}

/** Every alternate failed: the consumer ends with nothing claimed, and (with a key) that answer is kept. */
async function releaseAll(tx: Queryable, call: RescheduleCall): Promise<RescheduleAnswer> {
  await throwIfReplayed(tx, call);
  const { input } = call;
  await writeAllocations(tx, call, [], null);
  const answer = {
    noValidHost: { consumerUuid: input.consumerUuid, hostsTried: input.alternates.map((a) => a.providerUuid) },
  };
  await remember(tx, input.idempotencyKey, call.callerKey, 'reschedule', call.hash, answer);
  return answer;
}

/**
 * Locks the consumer, checks its generation and rewrites its allocations; the consumer's
 * generation after the write (null when it holds nothing and is gone). A typed refusal of
 * the alternate's allocations by the writer becomes HostCannotTake: the input itself was
 * validated before, so such a refusal is about what the alternate's providers hold now.
 */
async function writeAllocations(
  tx: Queryable,
  call: RescheduleCall,
  allocations: ParsedReschedule['alternates'][number]['allocations'],
  providerUuid: string | null,
): Promise<number | null> {
  const { input } = call;
  const identity = await lockConsumer(tx, input, call.caller);
  try {
    const [written] = await replaceAllocations(
      tx,
      { consumers: [{ ...identity, consumerGeneration: input.consumerGeneration, allocations }] },
      undefined,
      call.caller,
    );
    return written?.generation ?? null;
  } catch (error) {
    if (providerUuid !== null && refusesHost(error)) throw new HostCannotTakeError(providerUuid, error);
    throw error;
  }
}

function refusesHost(error: unknown): error is Error {
  return error instanceof CapacityExceededError || error instanceof InvalidInputError || error instanceof NotFoundError;
}

interface RescheduledConsumer {
  consumerUuid: string;
  projectId: string;
  userId: string;
  consumerType: string | null;
}

/** Locks the consumer and checks its generation; the identity its allocations are rewritten under. */
async function lockConsumer(
  tx: Queryable,
  input: { consumerUuid: string; consumerGeneration: number },
  caller: WriteCaller | undefined,
): Promise<RescheduledConsumer> {
  const { rows } = await tx.query<{
    project_id: string;
    user_id: string;
    consumer_type: string | null;
    generation: number;
  }>('SELECT project_id, user_id, consumer_type, generation FROM consumers WHERE uuid = $1 FOR UPDATE', [
    input.consumerUuid,
  ]);
  const consumer = rows[0];
  if (!consumer) throw new NotFoundError('Consumer', input.consumerUuid, 'consumerUuid');
  // Under the row lock and before the generation, as every allocation write checks it.
  const owner = { projectId: consumer.project_id, userId: consumer.user_id };
  assertMayWriteConsumer(caller, input.consumerUuid, owner, owner);
  noteConsumers(tx, [input.consumerUuid]);
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

async function cellsOf(tx: Queryable, providerUuids: string[]): Promise<Map<string, string | null>> {
  const { rows } = await tx.query<{ provider: string; cell: string | null }>(
    'SELECT p.uuid AS provider, c.uuid AS cell FROM resource_providers p LEFT JOIN cells c ON c.id = p.cell_id WHERE p.uuid = ANY($1::uuid[])',
    [providerUuids],
  );
  return new Map(rows.map((r) => [r.provider, r.cell]));
}
