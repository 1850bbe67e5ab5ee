/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AlternateInput = {
  /** The alternate's allocationRequest, as returned. */
  allocations: Array<ProviderAllocationInput>;
  /** The alternate's mappings, as returned; echoed in the Selection when this alternate is claimed. Since 1.3. */
  mappings?: Array<GroupMappingInput> | null | undefined;
  providerUuid: string;
};

/** What a token may do: ADMIN everything, SCHEDULER reads and allocation writes, READER reads. */
export type ApiTokenRole =
  | 'ADMIN'
  | 'READER'
  | 'SCHEDULER';

export type ClaimConsumerInput = {
  consumerType?: string | null | undefined;
  /** A new consumer (it must not hold allocations yet). */
  consumerUuid: string;
  projectId: string;
  userId: string;
};

export type ClaimInput = {
  /** How many alternates (same cell as the chosen host) to return per consumer, 0…100. */
  alternates: number;
  /** A weighed host list the caller already has; otherwise the server searches. */
  candidates?: Array<string> | null | undefined;
  /** One or more; all are placed or none. */
  consumers: Array<ClaimConsumerInput>;
  /** Pick the first host at random among the best k. */
  hostSubsetSize?: number | null | undefined;
  /** Replaying the same key returns the original result and claims nothing new. */
  idempotencyKey?: string | null | undefined;
  /** What each consumer needs. */
  request: PlacementRequest;
  /** Default SPREAD. */
  weigher?: Weigher | null | undefined;
};

/** One consumer's allocations inside moveAllocations. */
export type ConsumerAllocationsInput = {
  /** The complete new set; empty removes them all. */
  allocations: Array<ProviderAllocationInput>;
  /** Required: the consumer's current generation, or explicit null when the consumer must not exist yet. */
  consumerGeneration?: number | null | undefined;
  /** E.g. INSTANCE, MIGRATION; kept when omitted. */
  consumerType?: string | null | undefined;
  consumerUuid: string;
  projectId: string;
  userId: string;
};

export type CreateAggregateInput = {
  /** 1–255 characters, unique. */
  name: string;
  /** Generated when omitted. */
  uuid?: string | null | undefined;
};

export type CreateApiTokenInput = {
  /** 1–63 characters: lower-case letters, digits, ".", "_", "-", starting with a letter or digit; unique among live tokens. */
  name: string;
  /** Confines a SCHEDULER or READER token to one project; must be null for ADMIN. */
  projectId?: string | null | undefined;
  role: ApiTokenRole;
};

export type CreateCellInput = {
  /** 1–255 characters, unique. */
  name: string;
  /** Generated when omitted. */
  uuid?: string | null | undefined;
};

export type CreateResourceClassInput = {
  /** CUSTOM_[A-Z0-9_]+, at most 255 characters. */
  name: string;
};

export type CreateResourceProviderInput = {
  /** Cell of a root provider; children always share their parent's cell. */
  cellUuid?: string | null | undefined;
  /** 1–200 characters, unique. */
  name: string;
  /** Makes this provider a child in the parent's tree (and cell). */
  parentProviderUuid?: string | null | undefined;
  /** Generated when omitted. Dashed or dashless; stored lower-case dashed. */
  uuid?: string | null | undefined;
};

export type CreateTraitInput = {
  /** CUSTOM_[A-Z0-9_]+, at most 255 characters. */
  name: string;
};

export type DeleteAggregateInput = {
  uuid: string;
};

export type DeleteAllocationsInput = {
  consumerGeneration: number;
  consumerUuid: string;
};

export type DeleteCellInput = {
  uuid: string;
};

export type DeleteInventoryInput = {
  generation: number;
  providerUuid: string;
  resourceClass: string;
};

export type DeleteResourceClassInput = {
  /** A custom class no inventory uses. */
  name: string;
};

export type DeleteResourceProviderInput = {
  /** The generation read last: the delete applies only at it (required since 1.2). */
  generation: number;
  uuid: string;
};

export type DeleteTraitInput = {
  /** A custom trait no provider carries. */
  name: string;
};

/** ROLE: the caller’s role is too low. PROJECT: it belongs to another project than the caller’s. REOWN: it would change an existing consumer’s projectId or userId, which only ADMIN may. */
export type ForbiddenReason =
  | 'PROJECT'
  | 'REOWN'
  | 'ROLE';

/** A mapping as returned (GroupMapping), echoed back with an alternate. Since 1.3. */
export type GroupMappingInput = {
  group: string;
  providerUuids: Array<string>;
};

/** How the numbered groups of a request may share providers. Since 1.3. */
export type GroupPolicy =
  /** Every numbered group (resourceless ones included) on a different provider. The top-level (unnumbered) resources are exempt. */
  | 'ISOLATE'
  /** No constraint: two groups may be served by the same provider. */
  | 'NONE';

export type ImportAction =
  | 'CREATE'
  | 'REMOVE'
  | 'UPDATE';

export type ImportAllocationInput = {
  providerUuid: string;
  resourceClass: string;
  used: number;
};

/** One atomic step. Applied in this order whatever the order of its fields: resourceClasses, traits, providers, consumers, prune, pruneCatalogue. */
export type ImportBatchInput = {
  /** At most 1000. */
  consumers?: Array<ImportConsumerInput> | null | undefined;
  /** Parents before children; at most 1000. */
  providers?: Array<ImportProviderInput> | null | undefined;
  prune?: ImportPruneInput | null | undefined;
  pruneCatalogue?: ImportPruneCatalogueInput | null | undefined;
  /** Classes to have (added when missing). */
  resourceClasses?: Array<string> | null | undefined;
  /** Traits to have (added when missing). */
  traits?: Array<string> | null | undefined;
};

/** A consumer as the source has it; its allocations are replaced, without the fit rule. */
export type ImportConsumerInput = {
  allocations: Array<ImportAllocationInput>;
  /** null for none (Placement shows it as "unknown"). */
  consumerType?: string | null | undefined;
  /** The source's consumer generation, set as it is. */
  generation: number;
  projectId: string;
  userId: string;
  uuid: string;
};

export type ImportInventoryInput = {
  allocationRatio: number;
  maxUnit: number;
  minUnit: number;
  reserved: number;
  resourceClass: string;
  stepSize: number;
  total: number;
};

export type ImportKind =
  | 'CONSUMER'
  | 'PROVIDER'
  | 'RESOURCE_CLASS'
  | 'TRAIT';

export type ImportPlacementStateInput = {
  /** Each batch commits on its own. */
  batches: Array<ImportBatchInput>;
  /** Apply every batch in one transaction, report the changes, and roll back. */
  dryRun?: boolean | null | undefined;
};

/** A provider as the source has it; its inventories, traits and aggregates are replaced. */
export type ImportProviderInput = {
  /** Aggregate uuids; unknown ones are created. */
  aggregates: Array<string>;
  /** The source's generation, set as it is. */
  generation: number;
  inventories: Array<ImportInventoryInput>;
  name: string;
  /** Listed earlier in the same or an earlier batch, or already here. */
  parentProviderUuid?: string | null | undefined;
  traits: Array<string>;
  uuid: string;
};

/** Every custom class and trait the source has: custom ones here that are not listed are removed. */
export type ImportPruneCatalogueInput = {
  keepResourceClasses: Array<string>;
  keepTraits: Array<string>;
};

/** The providers and consumers the source has with a uuid in [fromUuid, toUuid): the ones here in that range that are not listed are removed (a stale provider with its subtree). At most 20000 of each. */
export type ImportPruneInput = {
  /** Inclusive lower bound; null: from the first uuid. */
  fromUuid?: string | null | undefined;
  keepConsumers: Array<string>;
  keepProviders: Array<string>;
  /** Exclusive upper bound; null: to the last uuid. */
  toUuid?: string | null | undefined;
};

/** Integers are SafeInt on the wire so that out-of-range values get a typed InvalidInput; the rules are those of Placement. */
export type InventoryInput = {
  /** > 0 and ≤ 10000; default 1.0 */
  allocationRatio?: number | null | undefined;
  /** minUnit … 2147483647; default 2147483647 */
  maxUnit?: number | null | undefined;
  /** 1 … maxUnit; default 1 */
  minUnit?: number | null | undefined;
  /** 0 … total; default 0 */
  reserved?: number | null | undefined;
  resourceClass: string;
  /** ≥ 1; default 1 */
  stepSize?: number | null | undefined;
  /** 1 … 2147483647 */
  total: number;
};

export type MoveAllocationsInput = {
  /** Every listed consumer is rewritten in one atomic write. */
  consumers: Array<ConsumerAllocationsInput>;
};

/** What a host must offer. Traits and aggregates are checked on the candidate's root provider (the host); each class is served by one provider of its tree or a sharing provider. */
export type PlacementRequest = {
  /** Each inner list: the host carries at least one. */
  anyOfTraits?: Array<Array<string>> | null | undefined;
  /** Only hosts in this cell (UUID). */
  cell?: string | null | undefined;
  /** The host is in none of these aggregates. */
  forbiddenAggregates?: Array<string> | null | undefined;
  /** The host carries none of these. */
  forbiddenTraits?: Array<string> | null | undefined;
  /** Required with 2 or more groups: ISOLATE puts each numbered group on its own provider. Since 1.3. */
  groupPolicy?: GroupPolicy | null | undefined;
  /** Numbered request groups, at most 32, each served wholly by one provider of the host's tree or a sharing provider. With 2 or more, `groupPolicy` is required. Since 1.3. */
  groups?: Array<RequestGroup> | null | undefined;
  /** Only the tree containing this provider. */
  inTree?: string | null | undefined;
  /** Each inner list (aggregate UUIDs) is any-of; the lists are ANDed. */
  memberOf?: Array<Array<string>> | null | undefined;
  /** The host carries all of these. */
  requiredTraits?: Array<string> | null | undefined;
  /** The top-level (unnumbered) group: each class served by one provider of the host's tree or a sharing provider, its traits and aggregates checked on the host. Class names must exist, at most 50, distinct. At least one, unless a group of `groups` allocates something (then it may be empty). */
  resources: Array<ResourceAmountInput>;
  /** The host (root provider) carries none of these. Since 1.3. */
  rootForbiddenTraits?: Array<string> | null | undefined;
  /** The host (root provider) carries all of these, whatever serves the groups. Since 1.3. */
  rootRequiredTraits?: Array<string> | null | undefined;
  /** Each inner list names groups of this request (1–32, no repeats; at most 20 lists): one of the providers serving them is an ancestor-or-self of all the others (a sharing provider is its own root). Since 1.3. */
  sameSubtree?: Array<Array<string>> | null | undefined;
};

export type ProviderAllocationInput = {
  providerUuid: string;
  resources: Array<ResourceAmountInput>;
};

/** A numbered request group (Placement's granular `resources<N>`): served wholly by ONE provider, a member of the host's tree or a sharing provider in an aggregate with the host. Its traits and aggregates are checked on that provider. Since 1.3. */
export type RequestGroup = {
  /** Each inner list: the group's provider carries at least one. */
  anyOfTraits?: Array<Array<string>> | null | undefined;
  /** The group's provider is in none of these aggregates. */
  forbiddenAggregates?: Array<string> | null | undefined;
  /** The group's provider carries none of these. */
  forbiddenTraits?: Array<string> | null | undefined;
  /** Each inner list (aggregate UUIDs) is any-of for the group's provider; the lists are ANDed. */
  memberOf?: Array<Array<string>> | null | undefined;
  /** Unique in the request; 1–64 characters from A–Z a–z 0–9 _ -. Mappings name the group by it (the top-level group is ""). */
  name: string;
  /** The group's provider carries all of these. */
  requiredTraits?: Array<string> | null | undefined;
  /** What this group allocates on its provider, distinct classes, at most 50. Empty makes a resourceless group: it allocates nothing but must find a provider with its traits or aggregates (it then needs requiredTraits, anyOfTraits or memberOf). */
  resources: Array<ResourceAmountInput>;
};

export type RescheduleInput = {
  /** Tried in order. */
  alternates: Array<AlternateInput>;
  consumerGeneration: number;
  consumerUuid: string;
  idempotencyKey?: string | null | undefined;
};

export type ResourceAmountInput = {
  amount: number;
  resourceClass: string;
};

/** All given conditions must hold. */
export type ResourceProviderFilter = {
  cellUuid?: string | null | undefined;
  /** Providers carrying none of these. */
  forbiddenTraits?: Array<string> | null | undefined;
  /** UUID of any provider in the tree; matches every member of that tree. */
  inTree?: string | null | undefined;
  /** Each inner list is any-of (aggregate UUIDs); the lists are ANDed. */
  memberOf?: Array<Array<string>> | null | undefined;
  /** Exact name. */
  name?: string | null | undefined;
  /** Providers carrying all of these. */
  requiredTraits?: Array<string> | null | undefined;
  /** Providers whose own inventory can take all these amounts now (the fit rule). */
  resources?: Array<ResourceAmountInput> | null | undefined;
  /** UUID, dashed or not. */
  uuid?: string | null | undefined;
};

/** Exactly one of id and name (a live token). */
export type RevokeApiTokenInput = {
  id?: string | number | null | undefined;
  name?: string | null | undefined;
};

/** Replace one consumer's allocations. */
export type SetAllocationsInput = {
  /** The complete new set; empty removes them all. */
  allocations: Array<ProviderAllocationInput>;
  /** Required: the consumer's current generation, or explicit null when the consumer must not exist yet. */
  consumerGeneration?: number | null | undefined;
  /** E.g. INSTANCE, MIGRATION; kept when omitted. */
  consumerType?: string | null | undefined;
  consumerUuid: string;
  projectId: string;
  userId: string;
};

export type SetInventoriesInput = {
  /** The provider's current generation. */
  generation: number;
  /** The complete new set; classes left out are removed. */
  inventories: Array<InventoryInput>;
  providerUuid: string;
};

export type SetProviderAggregatesInput = {
  /** The complete new set of aggregate UUIDs; unknown ones are created. */
  aggregates: Array<string>;
  generation: number;
  providerUuid: string;
};

export type SetProviderTraitsInput = {
  generation: number;
  providerUuid: string;
  /** The complete new set of trait names. */
  traits: Array<string>;
};

export type TraitFilter = {
  /** true: only traits some provider carries; false: only traits no provider carries. */
  associated?: boolean | null | undefined;
  /** Only names starting with this, e.g. HW_CPU_ or CUSTOM_. */
  namePrefix?: string | null | undefined;
};

export type UpdateResourceProviderInput = {
  /** New cell of a root provider and its whole tree; explicit null removes it. Omit to keep. */
  cellUuid?: string | null | undefined;
  /** The generation read last: the update applies only at it (required since 1.2). */
  generation: number;
  name?: string | null | undefined;
  /** New parent; explicit null makes the provider a root. Omit to keep. */
  parentProviderUuid?: string | null | undefined;
  uuid: string;
};

export type UpsertInventoryInput = {
  generation: number;
  inventory: InventoryInput;
  providerUuid: string;
};

export type Weigher =
  /** Least free first: lowest mean free share over the requested classes. */
  | 'PACK'
  /** Most free first: highest mean free share (capacity − used) / capacity over the requested classes. */
  | 'SPREAD';

export type ConsumerFieldsFragment = { uuid: string, projectId: string, userId: string, consumerType: string | null, generation: number, allocations: Array<{ resourceClass: string, amount: number, resourceProvider: { uuid: string, name: string } }> };

export type AllocationsResultFragment = { consumers: Array<{ consumerUuid: string, generation: number | null, consumer: { uuid: string, projectId: string, userId: string, consumerType: string | null, generation: number, allocations: Array<{ resourceClass: string, amount: number, resourceProvider: { uuid: string, name: string } }> } | null }> };

export type GetConsumerQueryVariables = Exact<{
  uuid: string;
}>;


export type GetConsumerQuery = { consumer: { uuid: string, projectId: string, userId: string, consumerType: string | null, generation: number, allocations: Array<{ resourceClass: string, amount: number, resourceProvider: { uuid: string, name: string } }> } | null };

export type SetAllocationsMutationVariables = Exact<{
  input: SetAllocationsInput;
}>;


export type SetAllocationsMutation = { setAllocations:
    | { __typename: 'AllocationsPayload', consumers: Array<{ consumerUuid: string, generation: number | null, consumer: { uuid: string, projectId: string, userId: string, consumerType: string | null, generation: number, allocations: Array<{ resourceClass: string, amount: number, resourceProvider: { uuid: string, name: string } }> } | null }> }
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type DeleteAllocationsMutationVariables = Exact<{
  input: DeleteAllocationsInput;
}>;


export type DeleteAllocationsMutation = { deleteAllocations:
    | { __typename: 'AllocationsPayload', consumers: Array<{ consumerUuid: string, generation: number | null, consumer: { uuid: string, projectId: string, userId: string, consumerType: string | null, generation: number, allocations: Array<{ resourceClass: string, amount: number, resourceProvider: { uuid: string, name: string } }> } | null }> }
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type MoveAllocationsMutationVariables = Exact<{
  input: MoveAllocationsInput;
}>;


export type MoveAllocationsMutation = { moveAllocations:
    | { __typename: 'AllocationsPayload', consumers: Array<{ consumerUuid: string, generation: number | null, consumer: { uuid: string, projectId: string, userId: string, consumerType: string | null, generation: number, allocations: Array<{ resourceClass: string, amount: number, resourceProvider: { uuid: string, name: string } }> } | null }> }
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type UsagesQueryVariables = Exact<{
  projectId: string;
  userId?: string | null | undefined;
  consumerType?: string | null | undefined;
}>;


export type UsagesQuery = { usages: { consumerCount: number, usages: Array<{ resourceClass: string, used: number }> } };

export type ListTraitsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TraitFilter | null | undefined;
}>;


export type ListTraitsQuery = { traits: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { name: string, standard: boolean } }> } };

export type CreateTraitMutationVariables = Exact<{
  input: CreateTraitInput;
}>;


export type CreateTraitMutation = { createTrait:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
    | { __typename: 'TraitPayload', trait: { name: string, standard: boolean } }
   };

export type DeleteTraitMutationVariables = Exact<{
  input: DeleteTraitInput;
}>;


export type DeleteTraitMutation = { deleteTrait:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'DeletedNamePayload', deletedName: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type SetProviderTraitsMutationVariables = Exact<{
  input: SetProviderTraitsInput;
}>;


export type SetProviderTraitsMutation = { setProviderTraits:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'ResourceProviderPayload', resourceProvider: { uuid: string, name: string, generation: number, traits: Array<string> } }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type ListResourceClassesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListResourceClassesQuery = { resourceClasses: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { name: string, standard: boolean } }> } };

export type CreateResourceClassMutationVariables = Exact<{
  input: CreateResourceClassInput;
}>;


export type CreateResourceClassMutation = { createResourceClass:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'ResourceClassPayload', createdResourceClass: { name: string, standard: boolean } }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type DeleteResourceClassMutationVariables = Exact<{
  input: DeleteResourceClassInput;
}>;


export type DeleteResourceClassMutation = { deleteResourceClass:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'DeletedNamePayload', deletedName: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type ListCellsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListCellsQuery = { cells: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { uuid: string, name: string, providerCount: number, createdAt: string } }> } };

export type CreateCellMutationVariables = Exact<{
  input: CreateCellInput;
}>;


export type CreateCellMutation = { createCell:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'CellPayload', cell: { uuid: string, name: string, providerCount: number, createdAt: string } }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type DeleteCellMutationVariables = Exact<{
  input: DeleteCellInput;
}>;


export type DeleteCellMutation = { deleteCell:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'DeletedUuidPayload', deletedUuid: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type ListAggregatesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListAggregatesQuery = { aggregates: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { uuid: string, name: string | null, providerCount: number } }> } };

export type CreateAggregateMutationVariables = Exact<{
  input: CreateAggregateInput;
}>;


export type CreateAggregateMutation = { createAggregate:
    | { __typename: 'AggregatePayload', aggregate: { uuid: string, name: string | null, providerCount: number } }
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type DeleteAggregateMutationVariables = Exact<{
  input: DeleteAggregateInput;
}>;


export type DeleteAggregateMutation = { deleteAggregate:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'DeletedUuidPayload', deletedUuid: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type SetProviderAggregatesMutationVariables = Exact<{
  input: SetProviderAggregatesInput;
}>;


export type SetProviderAggregatesMutation = { setProviderAggregates:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'ResourceProviderPayload', resourceProvider: { uuid: string, name: string, generation: number, aggregates: Array<{ uuid: string, name: string | null }> } }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

type TypedError_AlreadyExists_Fragment = { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string };

type TypedError_CapacityExceeded_Fragment = { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string };

type TypedError_ConsumerGenerationConflict_Fragment = { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string };

type TypedError_Forbidden_Fragment = { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string };

type TypedError_GenerationConflict_Fragment = { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string };

type TypedError_InUse_Fragment = { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string };

type TypedError_InvalidInput_Fragment = { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string };

type TypedError_NoValidHost_Fragment = { __typename: 'NoValidHost', consumerUuid: string, hostsTried: Array<string>, code: string, message: string };

type TypedError_NotFound_Fragment = { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string };

type TypedError_RetryLimitExceeded_Fragment = { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string };

export type TypedErrorFragment =
  | TypedError_AlreadyExists_Fragment
  | TypedError_CapacityExceeded_Fragment
  | TypedError_ConsumerGenerationConflict_Fragment
  | TypedError_Forbidden_Fragment
  | TypedError_GenerationConflict_Fragment
  | TypedError_InUse_Fragment
  | TypedError_InvalidInput_Fragment
  | TypedError_NoValidHost_Fragment
  | TypedError_NotFound_Fragment
  | TypedError_RetryLimitExceeded_Fragment
;

export type PageInfoFieldsFragment = { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null };

export type ImportPlacementStateMutationVariables = Exact<{
  input: ImportPlacementStateInput;
}>;


export type ImportPlacementStateMutation = { importPlacementState:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'ImportPlacementStatePayload', dryRun: boolean, batches: number, changes: Array<{ action: ImportAction, kind: ImportKind, id: string, detail: string }> }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type ListInventoriesQueryVariables = Exact<{
  providerUuid: string;
}>;


export type ListInventoriesQuery = { resourceProvider: { uuid: string, name: string, generation: number, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }> } | null };

export type InventoriesResultFragment = { warnings: Array<string>, resourceProvider: { uuid: string, name: string, generation: number, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }> } };

export type SetInventoriesMutationVariables = Exact<{
  input: SetInventoriesInput;
}>;


export type SetInventoriesMutation = { setInventories:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'InventoriesPayload', warnings: Array<string>, resourceProvider: { uuid: string, name: string, generation: number, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }> } }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type UpsertInventoryMutationVariables = Exact<{
  input: UpsertInventoryInput;
}>;


export type UpsertInventoryMutation = { upsertInventory:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'InventoriesPayload', warnings: Array<string>, resourceProvider: { uuid: string, name: string, generation: number, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }> } }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type DeleteInventoryMutationVariables = Exact<{
  input: DeleteInventoryInput;
}>;


export type DeleteInventoryMutation = { deleteInventory:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'InventoriesPayload', warnings: Array<string>, resourceProvider: { uuid: string, name: string, generation: number, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }> } }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type AllocationRequestFieldsFragment = { providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> };

export type ExplanationFieldsFragment = { providersConsidered: number, remaining: number, steps: Array<{ constraint: string, detail: string, eliminated: number, group: string | null }> };

export type GroupMappingFieldsFragment = { group: string, providerUuids: Array<string> };

export type SelectionFieldsFragment = { consumerUuid: string, consumerGeneration: number, providerUuid: string, cellUuid: string | null, hostsTried: number, resourceProvider: { name: string } | null, allocations: Array<{ providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> }>, mappings: Array<{ group: string, providerUuids: Array<string> }>, alternates: Array<{ providerUuid: string, cellUuid: string | null, resourceProvider: { name: string } | null, allocationRequest: Array<{ providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> }>, mappings: Array<{ group: string, providerUuids: Array<string> }> }> };

export type AllocationCandidatesQueryVariables = Exact<{
  request: PlacementRequest;
  limit?: number | null | undefined;
  weigher?: Weigher | null | undefined;
  hostSubsetSize?: number | null | undefined;
}>;


export type AllocationCandidatesQuery = { allocationCandidates:
    | { __typename: 'AllocationCandidates', candidates: Array<{ providerUuid: string, cellUuid: string | null, weight: number, cell: { name: string } | null, resourceProvider: { name: string }, allocationRequest: Array<{ providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> }>, summary: Array<{ group: string, resourceClass: string, providerUuid: string, capacity: number, used: number, free: number }>, mappings: Array<{ group: string, providerUuids: Array<string> }> }> }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
   };

export type ExplainPlacementQueryVariables = Exact<{
  request: PlacementRequest;
}>;


export type ExplainPlacementQuery = { explainPlacement:
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'PlacementExplanation', providersConsidered: number, remaining: number, steps: Array<{ constraint: string, detail: string, eliminated: number, group: string | null }> }
   };

export type ClaimMutationVariables = Exact<{
  input: ClaimInput;
  explain?: boolean;
}>;


export type ClaimMutation = { claim:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ClaimPayload', selections: Array<{ consumerUuid: string, consumerGeneration: number, providerUuid: string, cellUuid: string | null, hostsTried: number, resourceProvider: { name: string } | null, allocations: Array<{ providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> }>, mappings: Array<{ group: string, providerUuids: Array<string> }>, alternates: Array<{ providerUuid: string, cellUuid: string | null, resourceProvider: { name: string } | null, allocationRequest: Array<{ providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> }>, mappings: Array<{ group: string, providerUuids: Array<string> }> }> }> }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NoValidHost', consumerUuid: string, hostsTried: Array<string>, code: string, message: string, explanation?: { providersConsidered: number, remaining: number, steps: Array<{ constraint: string, detail: string, eliminated: number, group: string | null }> } | null }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type RescheduleMutationVariables = Exact<{
  input: RescheduleInput;
}>;


export type RescheduleMutation = { reschedule:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NoValidHost', consumerUuid: string, hostsTried: Array<string>, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'ReschedulePayload', selection: { consumerUuid: string, consumerGeneration: number, providerUuid: string, cellUuid: string | null, hostsTried: number, resourceProvider: { name: string } | null, allocations: Array<{ providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> }>, mappings: Array<{ group: string, providerUuids: Array<string> }>, alternates: Array<{ providerUuid: string, cellUuid: string | null, resourceProvider: { name: string } | null, allocationRequest: Array<{ providerUuid: string, resources: Array<{ resourceClass: string, amount: number }> }>, mappings: Array<{ group: string, providerUuids: Array<string> }> }> } }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type InventoryFieldsFragment = { resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number };

export type ProviderSummaryFragment = { uuid: string, name: string, generation: number, cell: { uuid: string, name: string } | null, parent: { uuid: string, name: string } | null };

export type ProviderDetailFragment = { traits: Array<string>, uuid: string, name: string, generation: number, root: { uuid: string, name: string }, children: Array<{ uuid: string, name: string }>, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }>, aggregates: Array<{ uuid: string, name: string | null }>, cell: { uuid: string, name: string } | null, parent: { uuid: string, name: string } | null };

export type ListProvidersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ResourceProviderFilter | null | undefined;
}>;


export type ListProvidersQuery = { resourceProviders: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { uuid: string, name: string, generation: number, inventories: Array<{ resourceClass: string, capacity: number, used: number, free: number }>, cell: { uuid: string, name: string } | null, parent: { uuid: string, name: string } | null } }> } };

export type GetProviderQueryVariables = Exact<{
  uuid: string;
}>;


export type GetProviderQuery = { resourceProvider: { traits: Array<string>, uuid: string, name: string, generation: number, root: { uuid: string, name: string }, children: Array<{ uuid: string, name: string }>, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }>, aggregates: Array<{ uuid: string, name: string | null }>, cell: { uuid: string, name: string } | null, parent: { uuid: string, name: string } | null } | null };

export type ListProviderAllocationsQueryVariables = Exact<{
  uuid: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListProviderAllocationsQuery = { resourceProvider: { uuid: string, name: string, allocations: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { resourceClass: string, amount: number, consumer: { uuid: string, projectId: string, userId: string, consumerType: string | null, generation: number } } }> } } | null };

export type CreateProviderMutationVariables = Exact<{
  input: CreateResourceProviderInput;
}>;


export type CreateProviderMutation = { createResourceProvider:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'ResourceProviderPayload', resourceProvider: { traits: Array<string>, uuid: string, name: string, generation: number, root: { uuid: string, name: string }, children: Array<{ uuid: string, name: string }>, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }>, aggregates: Array<{ uuid: string, name: string | null }>, cell: { uuid: string, name: string } | null, parent: { uuid: string, name: string } | null } }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type UpdateProviderMutationVariables = Exact<{
  input: UpdateResourceProviderInput;
}>;


export type UpdateProviderMutation = { updateResourceProvider:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'ResourceProviderPayload', resourceProvider: { traits: Array<string>, uuid: string, name: string, generation: number, root: { uuid: string, name: string }, children: Array<{ uuid: string, name: string }>, inventories: Array<{ resourceClass: string, total: number, reserved: number, minUnit: number, maxUnit: number, stepSize: number, allocationRatio: number, capacity: number, used: number, free: number, utilization: number }>, aggregates: Array<{ uuid: string, name: string | null }>, cell: { uuid: string, name: string } | null, parent: { uuid: string, name: string } | null } }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type DeleteProviderMutationVariables = Exact<{
  input: DeleteResourceProviderInput;
}>;


export type DeleteProviderMutation = { deleteResourceProvider:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'DeleteResourceProviderPayload', deletedUuid: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type ApiTokenFieldsFragment = { id: string, name: string, role: ApiTokenRole, projectId: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null };

export type ListApiTokensQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  includeRevoked?: boolean | null | undefined;
}>;


export type ListApiTokensQuery = { apiTokens: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, role: ApiTokenRole, projectId: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } }> } };

export type CreateApiTokenMutationVariables = Exact<{
  input: CreateApiTokenInput;
}>;


export type CreateApiTokenMutation = { createApiToken:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'CreateApiTokenPayload', secret: string, token: { id: string, name: string, role: ApiTokenRole, projectId: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export type RevokeApiTokenMutationVariables = Exact<{
  input: RevokeApiTokenInput;
}>;


export type RevokeApiTokenMutation = { revokeApiToken:
    | { __typename: 'AlreadyExists', resourceType: string, field: string, value: string, code: string, message: string }
    | { __typename: 'ApiTokenPayload', token: { id: string, name: string, role: ApiTokenRole, projectId: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } }
    | { __typename: 'CapacityExceeded', providerUuid: string, resourceClass: string, requested: number, used: number, capacity: number, code: string, message: string }
    | { __typename: 'ConsumerGenerationConflict', consumerUuid: string, expectedConsumerGeneration: number | null, actualConsumerGeneration: number | null, code: string, message: string }
    | { __typename: 'Forbidden', forbiddenReason: ForbiddenReason, requiredRole: ApiTokenRole | null, role: ApiTokenRole, inputField: string | null, code: string, message: string }
    | { __typename: 'GenerationConflict', providerUuid: string, expected: number, actual: number, code: string, message: string }
    | { __typename: 'InUse', resourceType: string, identifier: string, reason: string, code: string, message: string }
    | { __typename: 'InvalidInput', field: string, rule: string, code: string, message: string }
    | { __typename: 'NotFound', resourceType: string, identifier: string, field: string, code: string, message: string }
    | { __typename: 'RetryLimitExceeded', attempts: number, retryable: boolean, code: string, message: string }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ConsumerFieldsFragmentDoc = new TypedDocumentString(`
    fragment ConsumerFields on Consumer {
  uuid
  projectId
  userId
  consumerType
  generation
  allocations {
    resourceClass
    amount
    resourceProvider {
      uuid
      name
    }
  }
}
    `, {"fragmentName":"ConsumerFields"}) as unknown as TypedDocumentString<ConsumerFieldsFragment, unknown>;
export const AllocationsResultFragmentDoc = new TypedDocumentString(`
    fragment AllocationsResult on AllocationsPayload {
  consumers {
    consumerUuid
    generation
    consumer {
      ...ConsumerFields
    }
  }
}
    fragment ConsumerFields on Consumer {
  uuid
  projectId
  userId
  consumerType
  generation
  allocations {
    resourceClass
    amount
    resourceProvider {
      uuid
      name
    }
  }
}`, {"fragmentName":"AllocationsResult"}) as unknown as TypedDocumentString<AllocationsResultFragment, unknown>;
export const TypedErrorFragmentDoc = new TypedDocumentString(`
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
    `, {"fragmentName":"TypedError"}) as unknown as TypedDocumentString<TypedErrorFragment, unknown>;
export const PageInfoFieldsFragmentDoc = new TypedDocumentString(`
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}
    `, {"fragmentName":"PageInfoFields"}) as unknown as TypedDocumentString<PageInfoFieldsFragment, unknown>;
export const InventoryFieldsFragmentDoc = new TypedDocumentString(`
    fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}
    `, {"fragmentName":"InventoryFields"}) as unknown as TypedDocumentString<InventoryFieldsFragment, unknown>;
export const InventoriesResultFragmentDoc = new TypedDocumentString(`
    fragment InventoriesResult on InventoriesPayload {
  warnings
  resourceProvider {
    uuid
    name
    generation
    inventories {
      ...InventoryFields
    }
  }
}
    fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}`, {"fragmentName":"InventoriesResult"}) as unknown as TypedDocumentString<InventoriesResultFragment, unknown>;
export const ExplanationFieldsFragmentDoc = new TypedDocumentString(`
    fragment ExplanationFields on PlacementExplanation {
  providersConsidered
  remaining
  steps {
    constraint
    detail
    eliminated
    group
  }
}
    `, {"fragmentName":"ExplanationFields"}) as unknown as TypedDocumentString<ExplanationFieldsFragment, unknown>;
export const AllocationRequestFieldsFragmentDoc = new TypedDocumentString(`
    fragment AllocationRequestFields on ProviderAllocationRequest {
  providerUuid
  resources {
    resourceClass
    amount
  }
}
    `, {"fragmentName":"AllocationRequestFields"}) as unknown as TypedDocumentString<AllocationRequestFieldsFragment, unknown>;
export const GroupMappingFieldsFragmentDoc = new TypedDocumentString(`
    fragment GroupMappingFields on GroupMapping {
  group
  providerUuids
}
    `, {"fragmentName":"GroupMappingFields"}) as unknown as TypedDocumentString<GroupMappingFieldsFragment, unknown>;
export const SelectionFieldsFragmentDoc = new TypedDocumentString(`
    fragment SelectionFields on Selection {
  consumerUuid
  consumerGeneration
  providerUuid
  resourceProvider {
    name
  }
  cellUuid
  hostsTried
  allocations {
    ...AllocationRequestFields
  }
  mappings {
    ...GroupMappingFields
  }
  alternates {
    providerUuid
    cellUuid
    resourceProvider {
      name
    }
    allocationRequest {
      ...AllocationRequestFields
    }
    mappings {
      ...GroupMappingFields
    }
  }
}
    fragment AllocationRequestFields on ProviderAllocationRequest {
  providerUuid
  resources {
    resourceClass
    amount
  }
}
fragment GroupMappingFields on GroupMapping {
  group
  providerUuids
}`, {"fragmentName":"SelectionFields"}) as unknown as TypedDocumentString<SelectionFieldsFragment, unknown>;
export const ProviderSummaryFragmentDoc = new TypedDocumentString(`
    fragment ProviderSummary on ResourceProvider {
  uuid
  name
  generation
  cell {
    uuid
    name
  }
  parent {
    uuid
    name
  }
}
    `, {"fragmentName":"ProviderSummary"}) as unknown as TypedDocumentString<ProviderSummaryFragment, unknown>;
export const ProviderDetailFragmentDoc = new TypedDocumentString(`
    fragment ProviderDetail on ResourceProvider {
  ...ProviderSummary
  root {
    uuid
    name
  }
  children {
    uuid
    name
  }
  inventories {
    ...InventoryFields
  }
  traits
  aggregates {
    uuid
    name
  }
}
    fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}
fragment ProviderSummary on ResourceProvider {
  uuid
  name
  generation
  cell {
    uuid
    name
  }
  parent {
    uuid
    name
  }
}`, {"fragmentName":"ProviderDetail"}) as unknown as TypedDocumentString<ProviderDetailFragment, unknown>;
export const ApiTokenFieldsFragmentDoc = new TypedDocumentString(`
    fragment ApiTokenFields on ApiToken {
  id
  name
  role
  projectId
  createdAt
  lastUsedAt
  revokedAt
}
    `, {"fragmentName":"ApiTokenFields"}) as unknown as TypedDocumentString<ApiTokenFieldsFragment, unknown>;
export const GetConsumerDocument = new TypedDocumentString(`
    query GetConsumer($uuid: String!) {
  consumer(uuid: $uuid) {
    ...ConsumerFields
  }
}
    fragment ConsumerFields on Consumer {
  uuid
  projectId
  userId
  consumerType
  generation
  allocations {
    resourceClass
    amount
    resourceProvider {
      uuid
      name
    }
  }
}`) as unknown as TypedDocumentString<GetConsumerQuery, GetConsumerQueryVariables>;
export const SetAllocationsDocument = new TypedDocumentString(`
    mutation SetAllocations($input: SetAllocationsInput!) {
  setAllocations(input: $input) {
    __typename
    ...AllocationsResult
    ...TypedError
  }
}
    fragment ConsumerFields on Consumer {
  uuid
  projectId
  userId
  consumerType
  generation
  allocations {
    resourceClass
    amount
    resourceProvider {
      uuid
      name
    }
  }
}
fragment AllocationsResult on AllocationsPayload {
  consumers {
    consumerUuid
    generation
    consumer {
      ...ConsumerFields
    }
  }
}
fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<SetAllocationsMutation, SetAllocationsMutationVariables>;
export const DeleteAllocationsDocument = new TypedDocumentString(`
    mutation DeleteAllocations($input: DeleteAllocationsInput!) {
  deleteAllocations(input: $input) {
    __typename
    ...AllocationsResult
    ...TypedError
  }
}
    fragment ConsumerFields on Consumer {
  uuid
  projectId
  userId
  consumerType
  generation
  allocations {
    resourceClass
    amount
    resourceProvider {
      uuid
      name
    }
  }
}
fragment AllocationsResult on AllocationsPayload {
  consumers {
    consumerUuid
    generation
    consumer {
      ...ConsumerFields
    }
  }
}
fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<DeleteAllocationsMutation, DeleteAllocationsMutationVariables>;
export const MoveAllocationsDocument = new TypedDocumentString(`
    mutation MoveAllocations($input: MoveAllocationsInput!) {
  moveAllocations(input: $input) {
    __typename
    ...AllocationsResult
    ...TypedError
  }
}
    fragment ConsumerFields on Consumer {
  uuid
  projectId
  userId
  consumerType
  generation
  allocations {
    resourceClass
    amount
    resourceProvider {
      uuid
      name
    }
  }
}
fragment AllocationsResult on AllocationsPayload {
  consumers {
    consumerUuid
    generation
    consumer {
      ...ConsumerFields
    }
  }
}
fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<MoveAllocationsMutation, MoveAllocationsMutationVariables>;
export const UsagesDocument = new TypedDocumentString(`
    query Usages($projectId: String!, $userId: String, $consumerType: String) {
  usages(projectId: $projectId, userId: $userId, consumerType: $consumerType) {
    consumerCount
    usages {
      resourceClass
      used
    }
  }
}
    `) as unknown as TypedDocumentString<UsagesQuery, UsagesQueryVariables>;
export const ListTraitsDocument = new TypedDocumentString(`
    query ListTraits($first: Int, $after: String, $filter: TraitFilter) {
  traits(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    edges {
      node {
        name
        standard
      }
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}`) as unknown as TypedDocumentString<ListTraitsQuery, ListTraitsQueryVariables>;
export const CreateTraitDocument = new TypedDocumentString(`
    mutation CreateTrait($input: CreateTraitInput!) {
  createTrait(input: $input) {
    __typename
    ... on TraitPayload {
      trait {
        name
        standard
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<CreateTraitMutation, CreateTraitMutationVariables>;
export const DeleteTraitDocument = new TypedDocumentString(`
    mutation DeleteTrait($input: DeleteTraitInput!) {
  deleteTrait(input: $input) {
    __typename
    ... on DeletedNamePayload {
      deletedName
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<DeleteTraitMutation, DeleteTraitMutationVariables>;
export const SetProviderTraitsDocument = new TypedDocumentString(`
    mutation SetProviderTraits($input: SetProviderTraitsInput!) {
  setProviderTraits(input: $input) {
    __typename
    ... on ResourceProviderPayload {
      resourceProvider {
        uuid
        name
        generation
        traits
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<SetProviderTraitsMutation, SetProviderTraitsMutationVariables>;
export const ListResourceClassesDocument = new TypedDocumentString(`
    query ListResourceClasses($first: Int, $after: String) {
  resourceClasses(first: $first, after: $after) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    edges {
      node {
        name
        standard
      }
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}`) as unknown as TypedDocumentString<ListResourceClassesQuery, ListResourceClassesQueryVariables>;
export const CreateResourceClassDocument = new TypedDocumentString(`
    mutation CreateResourceClass($input: CreateResourceClassInput!) {
  createResourceClass(input: $input) {
    __typename
    ... on ResourceClassPayload {
      createdResourceClass {
        name
        standard
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<CreateResourceClassMutation, CreateResourceClassMutationVariables>;
export const DeleteResourceClassDocument = new TypedDocumentString(`
    mutation DeleteResourceClass($input: DeleteResourceClassInput!) {
  deleteResourceClass(input: $input) {
    __typename
    ... on DeletedNamePayload {
      deletedName
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<DeleteResourceClassMutation, DeleteResourceClassMutationVariables>;
export const ListCellsDocument = new TypedDocumentString(`
    query ListCells($first: Int, $after: String) {
  cells(first: $first, after: $after) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    edges {
      node {
        uuid
        name
        providerCount
        createdAt
      }
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}`) as unknown as TypedDocumentString<ListCellsQuery, ListCellsQueryVariables>;
export const CreateCellDocument = new TypedDocumentString(`
    mutation CreateCell($input: CreateCellInput!) {
  createCell(input: $input) {
    __typename
    ... on CellPayload {
      cell {
        uuid
        name
        providerCount
        createdAt
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<CreateCellMutation, CreateCellMutationVariables>;
export const DeleteCellDocument = new TypedDocumentString(`
    mutation DeleteCell($input: DeleteCellInput!) {
  deleteCell(input: $input) {
    __typename
    ... on DeletedUuidPayload {
      deletedUuid
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<DeleteCellMutation, DeleteCellMutationVariables>;
export const ListAggregatesDocument = new TypedDocumentString(`
    query ListAggregates($first: Int, $after: String) {
  aggregates(first: $first, after: $after) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    edges {
      node {
        uuid
        name
        providerCount
      }
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}`) as unknown as TypedDocumentString<ListAggregatesQuery, ListAggregatesQueryVariables>;
export const CreateAggregateDocument = new TypedDocumentString(`
    mutation CreateAggregate($input: CreateAggregateInput!) {
  createAggregate(input: $input) {
    __typename
    ... on AggregatePayload {
      aggregate {
        uuid
        name
        providerCount
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<CreateAggregateMutation, CreateAggregateMutationVariables>;
export const DeleteAggregateDocument = new TypedDocumentString(`
    mutation DeleteAggregate($input: DeleteAggregateInput!) {
  deleteAggregate(input: $input) {
    __typename
    ... on DeletedUuidPayload {
      deletedUuid
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<DeleteAggregateMutation, DeleteAggregateMutationVariables>;
export const SetProviderAggregatesDocument = new TypedDocumentString(`
    mutation SetProviderAggregates($input: SetProviderAggregatesInput!) {
  setProviderAggregates(input: $input) {
    __typename
    ... on ResourceProviderPayload {
      resourceProvider {
        uuid
        name
        generation
        aggregates {
          uuid
          name
        }
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<SetProviderAggregatesMutation, SetProviderAggregatesMutationVariables>;
export const ImportPlacementStateDocument = new TypedDocumentString(`
    mutation ImportPlacementState($input: ImportPlacementStateInput!) {
  importPlacementState(input: $input) {
    __typename
    ...TypedError
    ... on ImportPlacementStatePayload {
      dryRun
      batches
      changes {
        action
        kind
        id
        detail
      }
    }
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<ImportPlacementStateMutation, ImportPlacementStateMutationVariables>;
export const ListInventoriesDocument = new TypedDocumentString(`
    query ListInventories($providerUuid: String!) {
  resourceProvider(uuid: $providerUuid) {
    uuid
    name
    generation
    inventories {
      ...InventoryFields
    }
  }
}
    fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}`) as unknown as TypedDocumentString<ListInventoriesQuery, ListInventoriesQueryVariables>;
export const SetInventoriesDocument = new TypedDocumentString(`
    mutation SetInventories($input: SetInventoriesInput!) {
  setInventories(input: $input) {
    __typename
    ...InventoriesResult
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment InventoriesResult on InventoriesPayload {
  warnings
  resourceProvider {
    uuid
    name
    generation
    inventories {
      ...InventoryFields
    }
  }
}
fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}`) as unknown as TypedDocumentString<SetInventoriesMutation, SetInventoriesMutationVariables>;
export const UpsertInventoryDocument = new TypedDocumentString(`
    mutation UpsertInventory($input: UpsertInventoryInput!) {
  upsertInventory(input: $input) {
    __typename
    ...InventoriesResult
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment InventoriesResult on InventoriesPayload {
  warnings
  resourceProvider {
    uuid
    name
    generation
    inventories {
      ...InventoryFields
    }
  }
}
fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}`) as unknown as TypedDocumentString<UpsertInventoryMutation, UpsertInventoryMutationVariables>;
export const DeleteInventoryDocument = new TypedDocumentString(`
    mutation DeleteInventory($input: DeleteInventoryInput!) {
  deleteInventory(input: $input) {
    __typename
    ...InventoriesResult
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment InventoriesResult on InventoriesPayload {
  warnings
  resourceProvider {
    uuid
    name
    generation
    inventories {
      ...InventoryFields
    }
  }
}
fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}`) as unknown as TypedDocumentString<DeleteInventoryMutation, DeleteInventoryMutationVariables>;
export const AllocationCandidatesDocument = new TypedDocumentString(`
    query AllocationCandidates($request: PlacementRequest!, $limit: Int, $weigher: Weigher, $hostSubsetSize: Int) {
  allocationCandidates(
    request: $request
    limit: $limit
    weigher: $weigher
    hostSubsetSize: $hostSubsetSize
  ) {
    __typename
    ... on AllocationCandidates {
      candidates {
        providerUuid
        cellUuid
        cell {
          name
        }
        weight
        resourceProvider {
          name
        }
        allocationRequest {
          ...AllocationRequestFields
        }
        summary {
          group
          resourceClass
          providerUuid
          capacity
          used
          free
        }
        mappings {
          ...GroupMappingFields
        }
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment AllocationRequestFields on ProviderAllocationRequest {
  providerUuid
  resources {
    resourceClass
    amount
  }
}
fragment GroupMappingFields on GroupMapping {
  group
  providerUuids
}`) as unknown as TypedDocumentString<AllocationCandidatesQuery, AllocationCandidatesQueryVariables>;
export const ExplainPlacementDocument = new TypedDocumentString(`
    query ExplainPlacement($request: PlacementRequest!) {
  explainPlacement(request: $request) {
    __typename
    ... on PlacementExplanation {
      ...ExplanationFields
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment ExplanationFields on PlacementExplanation {
  providersConsidered
  remaining
  steps {
    constraint
    detail
    eliminated
    group
  }
}`) as unknown as TypedDocumentString<ExplainPlacementQuery, ExplainPlacementQueryVariables>;
export const ClaimDocument = new TypedDocumentString(`
    mutation Claim($input: ClaimInput!, $explain: Boolean! = false) {
  claim(input: $input) {
    __typename
    ... on ClaimPayload {
      selections {
        ...SelectionFields
      }
    }
    ... on NoValidHost {
      explanation @include(if: $explain) {
        ...ExplanationFields
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment AllocationRequestFields on ProviderAllocationRequest {
  providerUuid
  resources {
    resourceClass
    amount
  }
}
fragment ExplanationFields on PlacementExplanation {
  providersConsidered
  remaining
  steps {
    constraint
    detail
    eliminated
    group
  }
}
fragment GroupMappingFields on GroupMapping {
  group
  providerUuids
}
fragment SelectionFields on Selection {
  consumerUuid
  consumerGeneration
  providerUuid
  resourceProvider {
    name
  }
  cellUuid
  hostsTried
  allocations {
    ...AllocationRequestFields
  }
  mappings {
    ...GroupMappingFields
  }
  alternates {
    providerUuid
    cellUuid
    resourceProvider {
      name
    }
    allocationRequest {
      ...AllocationRequestFields
    }
    mappings {
      ...GroupMappingFields
    }
  }
}`) as unknown as TypedDocumentString<ClaimMutation, ClaimMutationVariables>;
export const RescheduleDocument = new TypedDocumentString(`
    mutation Reschedule($input: RescheduleInput!) {
  reschedule(input: $input) {
    __typename
    ... on ReschedulePayload {
      selection {
        ...SelectionFields
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment AllocationRequestFields on ProviderAllocationRequest {
  providerUuid
  resources {
    resourceClass
    amount
  }
}
fragment GroupMappingFields on GroupMapping {
  group
  providerUuids
}
fragment SelectionFields on Selection {
  consumerUuid
  consumerGeneration
  providerUuid
  resourceProvider {
    name
  }
  cellUuid
  hostsTried
  allocations {
    ...AllocationRequestFields
  }
  mappings {
    ...GroupMappingFields
  }
  alternates {
    providerUuid
    cellUuid
    resourceProvider {
      name
    }
    allocationRequest {
      ...AllocationRequestFields
    }
    mappings {
      ...GroupMappingFields
    }
  }
}`) as unknown as TypedDocumentString<RescheduleMutation, RescheduleMutationVariables>;
export const ListProvidersDocument = new TypedDocumentString(`
    query ListProviders($first: Int, $after: String, $filter: ResourceProviderFilter) {
  resourceProviders(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    edges {
      node {
        ...ProviderSummary
        inventories {
          resourceClass
          capacity
          used
          free
        }
      }
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}
fragment ProviderSummary on ResourceProvider {
  uuid
  name
  generation
  cell {
    uuid
    name
  }
  parent {
    uuid
    name
  }
}`) as unknown as TypedDocumentString<ListProvidersQuery, ListProvidersQueryVariables>;
export const GetProviderDocument = new TypedDocumentString(`
    query GetProvider($uuid: String!) {
  resourceProvider(uuid: $uuid) {
    ...ProviderDetail
  }
}
    fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}
fragment ProviderSummary on ResourceProvider {
  uuid
  name
  generation
  cell {
    uuid
    name
  }
  parent {
    uuid
    name
  }
}
fragment ProviderDetail on ResourceProvider {
  ...ProviderSummary
  root {
    uuid
    name
  }
  children {
    uuid
    name
  }
  inventories {
    ...InventoryFields
  }
  traits
  aggregates {
    uuid
    name
  }
}`) as unknown as TypedDocumentString<GetProviderQuery, GetProviderQueryVariables>;
export const ListProviderAllocationsDocument = new TypedDocumentString(`
    query ListProviderAllocations($uuid: String!, $first: Int, $after: String) {
  resourceProvider(uuid: $uuid) {
    uuid
    name
    allocations(first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        node {
          resourceClass
          amount
          consumer {
            uuid
            projectId
            userId
            consumerType
            generation
          }
        }
      }
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}`) as unknown as TypedDocumentString<ListProviderAllocationsQuery, ListProviderAllocationsQueryVariables>;
export const CreateProviderDocument = new TypedDocumentString(`
    mutation CreateProvider($input: CreateResourceProviderInput!) {
  createResourceProvider(input: $input) {
    __typename
    ... on ResourceProviderPayload {
      resourceProvider {
        ...ProviderDetail
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}
fragment ProviderSummary on ResourceProvider {
  uuid
  name
  generation
  cell {
    uuid
    name
  }
  parent {
    uuid
    name
  }
}
fragment ProviderDetail on ResourceProvider {
  ...ProviderSummary
  root {
    uuid
    name
  }
  children {
    uuid
    name
  }
  inventories {
    ...InventoryFields
  }
  traits
  aggregates {
    uuid
    name
  }
}`) as unknown as TypedDocumentString<CreateProviderMutation, CreateProviderMutationVariables>;
export const UpdateProviderDocument = new TypedDocumentString(`
    mutation UpdateProvider($input: UpdateResourceProviderInput!) {
  updateResourceProvider(input: $input) {
    __typename
    ... on ResourceProviderPayload {
      resourceProvider {
        ...ProviderDetail
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment InventoryFields on Inventory {
  resourceClass
  total
  reserved
  minUnit
  maxUnit
  stepSize
  allocationRatio
  capacity
  used
  free
  utilization
}
fragment ProviderSummary on ResourceProvider {
  uuid
  name
  generation
  cell {
    uuid
    name
  }
  parent {
    uuid
    name
  }
}
fragment ProviderDetail on ResourceProvider {
  ...ProviderSummary
  root {
    uuid
    name
  }
  children {
    uuid
    name
  }
  inventories {
    ...InventoryFields
  }
  traits
  aggregates {
    uuid
    name
  }
}`) as unknown as TypedDocumentString<UpdateProviderMutation, UpdateProviderMutationVariables>;
export const DeleteProviderDocument = new TypedDocumentString(`
    mutation DeleteProvider($input: DeleteResourceProviderInput!) {
  deleteResourceProvider(input: $input) {
    __typename
    ... on DeleteResourceProviderPayload {
      deletedUuid
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}`) as unknown as TypedDocumentString<DeleteProviderMutation, DeleteProviderMutationVariables>;
export const ListApiTokensDocument = new TypedDocumentString(`
    query ListApiTokens($first: Int, $after: String, $includeRevoked: Boolean) {
  apiTokens(first: $first, after: $after, includeRevoked: $includeRevoked) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    edges {
      node {
        ...ApiTokenFields
      }
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  hasPreviousPage
  startCursor
  endCursor
}
fragment ApiTokenFields on ApiToken {
  id
  name
  role
  projectId
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<ListApiTokensQuery, ListApiTokensQueryVariables>;
export const CreateApiTokenDocument = new TypedDocumentString(`
    mutation CreateApiToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    __typename
    ... on CreateApiTokenPayload {
      secret
      token {
        ...ApiTokenFields
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment ApiTokenFields on ApiToken {
  id
  name
  role
  projectId
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<CreateApiTokenMutation, CreateApiTokenMutationVariables>;
export const RevokeApiTokenDocument = new TypedDocumentString(`
    mutation RevokeApiToken($input: RevokeApiTokenInput!) {
  revokeApiToken(input: $input) {
    __typename
    ... on ApiTokenPayload {
      token {
        ...ApiTokenFields
      }
    }
    ...TypedError
  }
}
    fragment TypedError on Error {
  __typename
  code
  message
  ... on InvalidInput {
    field
    rule
  }
  ... on NotFound {
    resourceType
    identifier
    field
  }
  ... on AlreadyExists {
    resourceType
    field
    value
  }
  ... on GenerationConflict {
    providerUuid
    expected
    actual
  }
  ... on ConsumerGenerationConflict {
    consumerUuid
    expectedConsumerGeneration
    actualConsumerGeneration
  }
  ... on InUse {
    resourceType
    identifier
    reason
  }
  ... on CapacityExceeded {
    providerUuid
    resourceClass
    requested
    used
    capacity
  }
  ... on RetryLimitExceeded {
    attempts
    retryable
  }
  ... on NoValidHost {
    consumerUuid
    hostsTried
  }
  ... on Forbidden {
    forbiddenReason
    requiredRole
    role
    inputField
  }
}
fragment ApiTokenFields on ApiToken {
  id
  name
  role
  projectId
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>;