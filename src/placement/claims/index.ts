import type { ClaimPools } from '../../db.js';
import { explainPlacement, parseHostSubsetSize, parsePlacementRequest } from '../candidates.js';
import { assertMayWriteConsumer } from '../consumer-access.js';
import { defaultRetryPolicy, type RetryPolicy } from '../transactions.js';
import { parseInput } from '../validation.js';
import type { WriteCaller } from '../write-caller.js';
import { callerKeyOf, requestHash } from './idempotency.js';
import { type ClaimInput, claimSchema } from './input.js';
import { claimAll, claimOne } from './place.js';
import { planClaim } from './plan.js';
import { NoValidHostError, type Selection } from './selection.js';

export { HostCannotTakeError, HostStayedBusyError } from './errors.js';
export {
  DEFAULT_RETENTION_HOURS,
  PURGE_BATCH_SQL,
  type PurgeSchedule,
  purgeExpiredKeys,
  scheduleKeyPurge,
} from './idempotency.js';
export type { ClaimInput, RescheduleInput } from './input.js';
export { reschedule } from './reschedule.js';
export {
  type AllocationRequest,
  type Alternate,
  allocationRequestOf,
  NoValidHostError,
  type Selection,
} from './selection.js';
export { claimStatement } from './statement.js';

/**
 * claim: for each consumer in order, walk the weighed list and claim on the first host
 * that still fits (the shared fit rule, re-checked in the write); then pick up to
 * `alternates` more hosts of the chosen host's cell from the same weighed order.
 *
 * The search runs first, read-only (plan.ts): inside SERIALIZABLE its wide reads would make
 * every concurrent claim conflict. A single consumer's claim is one short SERIALIZABLE
 * transaction per host attempt; several consumers share one transaction, so they are
 * placed all or none (place.ts). Each consumer walks the list with its own HostWalk
 * (walk.ts). Only when no host could be claimed is the answer NoValidHost, and only when
 * contention, not capacity, stopped every attempt is it the retryable RetryLimitExceeded.
 *
 * With a `caller`, the claim that commits appends one audit event naming every consumer it
 * placed and every provider it wrote, in its own transaction; the idempotency key is the caller's.
 */
export async function claim(
  db: ClaimPools,
  raw: ClaimInput,
  policy: RetryPolicy = defaultRetryPolicy,
  caller?: WriteCaller,
): Promise<Selection[]> {
  const input = parseInput(claimSchema, raw);
  // Claims create consumers: each must be recorded under the caller's project, if it is confined to one.
  for (const [index, consumer] of input.consumers.entries())
    assertMayWriteConsumer(caller, consumer.consumerUuid, null, consumer, `consumers[${index}].`);
  const request = parsePlacementRequest(input.request);
  const subset = parseHostSubsetSize(input.hostSubsetSize);
  // Only a keyed call is ever compared with a stored one (hashing costs a little on every claim).
  const hash = input.idempotencyKey ? requestHash('claim', { ...input, request }) : '';
  const looked = await planClaim(db, input, request, subset, hash, policy, { caller, callerKey: callerKeyOf(caller) });
  if ('replayed' in looked) return looked.replayed;
  const { plan } = looked;
  try {
    const [only] = input.consumers;
    return only && input.consumers.length === 1 ? await claimOne(plan, only) : await claimAll(plan);
  } catch (error) {
    if (!(error instanceof NoValidHostError)) throw error;
    // The explanation, computed only when a client selects it.
    throw new NoValidHostError(
      error.consumerUuid,
      error.hostsTried,
      () => explainPlacement(db.pool, request),
      error.message,
    );
  }
}
