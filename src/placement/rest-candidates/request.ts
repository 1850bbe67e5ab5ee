/**
 * GET /allocation_candidates as Placement models it (placement/lib.py RequestGroup and
 * RequestWideParams): request groups keyed by suffix, in the order their suffix first
 * appears in the query string ('' is the unnumbered group), and the request-wide
 * parameters. The REST layer parses the query string into this; the engine enumerates it.
 */
export interface CandidateGroup {
  /** '' for the unnumbered group (resources may come from several providers of one tree). */
  suffix: string;
  /** Class and amount, in the order the query string names them. */
  resources: [resourceClass: string, amount: number][];
  /** AND of ORs: each inner list needs one of its traits. */
  requiredTraits: string[][];
  forbiddenTraits: string[];
  /** AND of ORs of aggregate uuids. */
  memberOf: string[][];
  forbiddenAggregates: string[];
  inTree: string | null;
}

export type GroupPolicy = 'none' | 'isolate';

export interface CandidateRequest {
  groups: CandidateGroup[];
  limit: number | null;
  groupPolicy: GroupPolicy | null;
  /** root_required: traits the anchor (root) must have, and must not have. */
  rootRequired: string[];
  rootForbidden: string[];
  /** same_subtree: lists of suffixes. */
  sameSubtrees: string[][];
  /** Microversion 1.29+: an allocation request may use several providers of one tree. */
  nestedAware: boolean;
}

/** One row of an allocation request: `amount` of a class from one provider. */
export interface RequestedResource {
  providerUuid: string;
  resourceClass: string;
  amount: number;
}

export interface AllocationRequest {
  resources: RequestedResource[];
  /** suffix → providers serving that group. */
  mappings: Map<string, string[]>;
}

export interface SummaryResource {
  resourceClass: string;
  capacity: number;
  used: number;
}

export interface ProviderSummary {
  uuid: string;
  parentUuid: string | null;
  rootUuid: string;
  resources: SummaryResource[];
  traits: string[];
}

export interface CandidateResult {
  allocationRequests: AllocationRequest[];
  providerSummaries: ProviderSummary[];
}
