import type { Candidate, Explanation } from '../candidates.js';
import { PlacementError } from '../errors.js';

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

export function noValidHost(consumerUuid: string, tried: string[]): NoValidHostError {
  return new NoValidHostError(
    consumerUuid,
    tried,
    null,
    tried.length === 0
      ? `no host can take the request for consumer ${consumerUuid}`
      : `none of the ${tried.length} hosts tried could take the request for consumer ${consumerUuid}`,
  );
}
