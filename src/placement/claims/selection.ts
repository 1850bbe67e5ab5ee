import type { Candidate, Explanation, GroupMapping } from '../candidates.js';
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
  /** Which providers serve each request group (Placement's mappings). */
  mappings: GroupMapping[];
}

export interface Selection {
  consumerUuid: string;
  consumerGeneration: number;
  providerUuid: string;
  cellUuid: string | null;
  allocations: AllocationRequest[];
  mappings: GroupMapping[];
  alternates: Alternate[];
  hostsTried: number;
}

/** What a claim on the candidate writes: per provider, per class, the sum of the rows of every group served there. */
export function allocationRequestOf(candidate: Candidate): AllocationRequest[] {
  const byProvider = new Map<string, AllocationRequest>();
  for (const s of candidate.serving) {
    const entry = byProvider.get(s.providerUuid) ?? { providerUuid: s.providerUuid, resources: [] };
    const same = entry.resources.find((r) => r.resourceClass === s.resourceClass);
    if (same) same.amount += s.amount;
    else entry.resources.push({ resourceClass: s.resourceClass, amount: s.amount });
    byProvider.set(s.providerUuid, entry);
  }
  return [...byProvider.values()];
}

/** Mappings for allocations given without them (a reschedule alternate): everything is the unnumbered group's. */
export function unnumberedMappingsOf(allocations: readonly AllocationRequest[]): GroupMapping[] {
  return allocations.length > 0 ? [{ group: '', providerUuids: allocations.map((a) => a.providerUuid) }] : [];
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
