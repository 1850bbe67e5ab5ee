import { RetryableContention } from '../transactions.js';

/**
 * A host's rows stayed locked by other claimers on both visits of one walk: the claim
 * transaction runs again from a fresh snapshot (the retry policy recognises it; metrics
 * count it as `host_busy`, apart from serialization retries).
 */
export class HostStayedBusyError extends RetryableContention {
  constructor(readonly providerUuid: string) {
    super(`host ${providerUuid} stayed busy`);
  }
}

/**
 * A host (or reschedule alternate) cannot take the request now: the write refused it
 * (not enough room, no inventory of a class, a unit rule, a provider that is gone). The
 * attempt rolls back and the next host is tried. `reason` is the writer's typed error.
 */
export class HostCannotTakeError extends Error {
  constructor(
    readonly providerUuid: string,
    readonly reason: Error,
  ) {
    super(`host ${providerUuid} cannot take it: ${reason.message}`);
  }
}
