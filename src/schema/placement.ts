import { builder } from '../builder.js';
import {
  allocationCandidates,
  type Candidate,
  type Explanation,
  explainPlacement,
  parseLimit,
} from '../placement/candidates.js';
import {
  type AllocationRequest,
  type Alternate,
  allocationRequestOf,
  claim,
  NoValidHostError,
  reschedule,
  type Selection,
} from '../placement/claims/index.js';
import { InvalidInputError, NotFoundError } from '../placement/errors.js';
import { since } from '../versions.js';
import { ProviderAllocationInput } from './allocations.js';
import { claimCost, EXPLAIN_BASE_COST, explainCost } from './cost.js';
import { ErrorInterface, mutationErrors } from './errors.js';
import { ResourceAmountInput } from './inputs.js';
import { describedFrom } from './versioning.js';
import { writeCaller } from './write-caller.js';

const WeigherEnum = builder.enumType('Weigher', {
  values: {
    SPREAD: {
      description: 'Most free first: highest mean free share (capacity − used) / capacity over the requested classes.',
    },
    PACK: { description: 'Least free first: lowest mean free share over the requested classes.' },
  } as const,
});

// Granular request groups (docs/SEMANTICS.md, "Granular request groups"), since 1.3: these types exist only from 1.3 on.
const from13 = since('1.3');

const GroupPolicyEnum = builder.enumType('GroupPolicy', {
  subGraphs: from13,
  description: 'How the numbered groups of a request may share providers. Since 1.3.',
  values: {
    NONE: { description: 'No constraint: two groups may be served by the same provider.' },
    ISOLATE: {
      description:
        'Every numbered group (resourceless ones included) on a different provider. The top-level (unnumbered) resources are exempt.',
    },
  } as const,
});

const RequestGroupInput = builder.inputType('RequestGroup', {
  subGraphs: from13,
  description:
    "A numbered request group (Placement's granular `resources<N>`): served wholly by ONE provider, a member of the host's tree or a sharing provider in an aggregate with the host. Its traits and aggregates are checked on that provider. Since 1.3.",
  fields: (t) => ({
    name: t.string({
      required: true,
      description:
        'Unique in the request; 1–64 characters from A–Z a–z 0–9 _ -. Mappings name the group by it (the top-level group is "").',
    }),
    resources: t.field({
      type: [ResourceAmountInput],
      required: true,
      description:
        'What this group allocates on its provider, distinct classes, at most 50. Empty makes a resourceless group: it allocates nothing but must find a provider with its traits or aggregates (it then needs requiredTraits, anyOfTraits or memberOf).',
    }),
    requiredTraits: t.stringList({ description: "The group's provider carries all of these." }),
    forbiddenTraits: t.stringList({ description: "The group's provider carries none of these." }),
    anyOfTraits: t.field({
      type: t.listRef(t.listRef('String')),
      description: "Each inner list: the group's provider carries at least one.",
    }),
    memberOf: t.field({
      type: t.listRef(t.listRef('String')),
      description: "Each inner list (aggregate UUIDs) is any-of for the group's provider; the lists are ANDed.",
    }),
    forbiddenAggregates: t.stringList({ description: "The group's provider is in none of these aggregates." }),
  }),
});

export const PlacementRequestInput = builder.inputType('PlacementRequest', {
  description:
    "What a host must offer. Traits and aggregates are checked on the candidate's root provider (the host); each class is served by one provider of its tree or a sharing provider.",
  fields: (t) => ({
    resources: t.field({
      type: [ResourceAmountInput],
      required: true,
      description: 'At least one; class names must exist.',
      ...describedFrom(
        '1.3',
        "The top-level (unnumbered) group: each class served by one provider of the host's tree or a sharing provider, its traits and aggregates checked on the host. Class names must exist, at most 50, distinct. At least one, unless a group of `groups` allocates something (then it may be empty).",
      ),
    }),
    requiredTraits: t.stringList({ description: 'The host carries all of these.' }),
    forbiddenTraits: t.stringList({ description: 'The host carries none of these.' }),
    anyOfTraits: t.field({
      type: t.listRef(t.listRef('String')),
      description: 'Each inner list: the host carries at least one.',
    }),
    memberOf: t.field({
      type: t.listRef(t.listRef('String')),
      description: 'Each inner list (aggregate UUIDs) is any-of; the lists are ANDed.',
    }),
    forbiddenAggregates: t.stringList({ description: 'The host is in none of these aggregates.' }),
    inTree: t.string({ description: 'Only the tree containing this provider.' }),
    cell: t.string({ description: 'Only hosts in this cell (UUID).' }),
    groups: t.field({
      type: [RequestGroupInput],
      subGraphs: from13,
      description:
        "Numbered request groups, at most 32, each served wholly by one provider of the host's tree or a sharing provider. With 2 or more, `groupPolicy` is required. Since 1.3.",
    }),
    groupPolicy: t.field({
      type: GroupPolicyEnum,
      subGraphs: from13,
      description: 'Required with 2 or more groups: ISOLATE puts each numbered group on its own provider. Since 1.3.',
    }),
    sameSubtree: t.field({
      type: t.listRef(t.listRef('String')),
      subGraphs: from13,
      description:
        'Each inner list names groups of this request (1–32, no repeats; at most 20 lists): one of the providers serving them is an ancestor-or-self of all the others (a sharing provider is its own root). Since 1.3.',
    }),
    rootRequiredTraits: t.stringList({
      subGraphs: from13,
      description: 'The host (root provider) carries all of these, whatever serves the groups. Since 1.3.',
    }),
    rootForbiddenTraits: t.stringList({
      subGraphs: from13,
      description: 'The host (root provider) carries none of these. Since 1.3.',
    }),
  }),
});

const ResourceAmount = builder.objectRef<{ resourceClass: string; amount: number }>('ResourceAmount').implement({
  fields: (t) => ({ resourceClass: t.exposeString('resourceClass'), amount: t.exposeInt('amount') }),
});

const ProviderAllocationRequest = builder.objectRef<AllocationRequest>('ProviderAllocationRequest').implement({
  description:
    'Part of an allocation request: what to claim on one provider. Feed it back to claim, reschedule or setAllocations as is.',
  fields: (t) => ({
    providerUuid: t.expose('providerUuid', { type: 'UUID' }),
    resources: t.field({ type: [ResourceAmount], resolve: (a) => a.resources }),
  }),
});

const GroupMapping = builder.objectRef<Candidate['mappings'][number]>('GroupMapping').implement({
  subGraphs: from13,
  description:
    'Which providers serve a request group: "" (the top-level resources) first when it has any, with its distinct providers in the order of its classes; then each group of `groups`, in request order, with its one provider (a resourceless group too). Since 1.3.',
  fields: (t) => ({
    group: t.exposeString('group', { description: 'The group\'s name; "" for the top-level (unnumbered) resources.' }),
    providerUuids: t.field({ type: ['UUID'], resolve: (m) => m.providerUuids }),
  }),
});

const GroupMappingInput = builder.inputType('GroupMappingInput', {
  subGraphs: from13,
  description: 'A mapping as returned (GroupMapping), echoed back with an alternate. Since 1.3.',
  fields: (t) => ({
    group: t.string({ required: true }),
    providerUuids: t.stringList({ required: true }),
  }),
});

const mappingsDescription =
  "Which providers serve each request group (Placement's `mappings`): feed it back with the allocation request. Since 1.3.";

const CandidateSummary = builder.objectRef<Candidate['serving'][number]>('CandidateSummary').implement({
  description: 'The serving inventory of one requested class, before the claim.',
  fields: (t) => ({
    group: t.exposeString('group', {
      subGraphs: from13,
      description:
        'The request group this row serves: "" for the top-level resources, else the group\'s name. Since 1.3.',
    }),
    providerUuid: t.expose('providerUuid', { type: 'UUID' }),
    resourceClass: t.exposeString('resourceClass'),
    capacity: t.expose('capacity', { type: 'SafeInt' }),
    used: t.expose('used', { type: 'SafeInt' }),
    free: t.field({ type: 'SafeInt', resolve: (s) => Math.max(0, s.capacity - s.used) }),
  }),
});

const AllocationCandidate = builder.objectRef<Candidate>('AllocationCandidate').implement({
  description: 'A host (root provider) that can take the request now, with exactly what to claim.',
  fields: (t) => ({
    providerUuid: t.expose('rootUuid', { type: 'UUID' }),
    resourceProvider: t.prismaField({
      type: 'ResourceProvider',
      resolve: async (query, c, _args, ctx) => {
        const provider = await ctx.loaders.provider(query, c.rootUuid);
        // Deleted between the search and this read: an internal error, as a missing row was before.
        if (!provider) throw new Error(`candidate host ${c.rootUuid} no longer exists`);
        return provider;
      },
    }),
    cellUuid: t.expose('cellUuid', { type: 'UUID', nullable: true }),
    cell: t.prismaField({
      type: 'Cell',
      nullable: true,
      resolve: (query, c, _args, ctx) => (c.cellUuid ? ctx.loaders.cell(query, c.cellUuid) : null),
    }),
    weight: t.exposeFloat('score', {
      description: 'Mean free share over the requested classes, 0…1; the weigher orders by it.',
    }),
    allocationRequest: t.field({ type: [ProviderAllocationRequest], resolve: (c) => allocationRequestOf(c) }),
    summary: t.field({
      type: [CandidateSummary],
      resolve: (c) => c.serving,
      description: 'One entry per requested class, in request order.',
      ...describedFrom(
        '1.3',
        "One entry per (group, class): the top-level classes in request order, then each group's classes, groups in request order. A resourceless group has none.",
      ),
    }),
    mappings: t.field({
      type: [GroupMapping],
      subGraphs: from13,
      description: mappingsDescription,
      resolve: (c) => c.mappings,
    }),
  }),
});

const AllocationCandidates = builder.objectRef<{ candidates: Candidate[] }>('AllocationCandidates').implement({
  fields: (t) => ({ candidates: t.field({ type: [AllocationCandidate], resolve: (r) => r.candidates }) }),
});

const ExplanationStep = builder.objectRef<Explanation['steps'][number]>('ExplanationStep').implement({
  fields: (t) => ({
    constraint: t.exposeString('constraint', {
      description:
        'WRONG_CELL, NOT_IN_TREE, MISSING_REQUIRED_TRAIT, HAS_FORBIDDEN_TRAIT, NO_ANY_OF_TRAIT, NOT_MEMBER_OF, IN_FORBIDDEN_AGGREGATE, NO_INVENTORY, NOT_ENOUGH_CAPACITY',
      ...describedFrom(
        '1.3',
        'WRONG_CELL, NOT_IN_TREE, MISSING_REQUIRED_TRAIT, HAS_FORBIDDEN_TRAIT, MISSING_ROOT_REQUIRED_TRAIT, HAS_ROOT_FORBIDDEN_TRAIT, NO_ANY_OF_TRAIT, NOT_MEMBER_OF, IN_FORBIDDEN_AGGREGATE, NO_INVENTORY, NOT_ENOUGH_CAPACITY; with groups also GROUP_UNSATISFIED (no single provider of the tree or sharing partners can serve the group alone; detail: its name), COMBINED_CAPACITY (the groups fit alone but not together), GROUP_POLICY_ISOLATE, SAME_SUBTREE (detail: the list joined by ",").',
      ),
    }),
    detail: t.exposeString('detail', {
      description: 'The trait, aggregate list or class (class:amount) this step checked.',
    }),
    eliminated: t.exposeInt('eliminated', { description: 'Hosts still in the running that this step removed.' }),
    group: t.exposeString('group', {
      subGraphs: from13,
      nullable: true,
      description:
        'The request group this step is about ("" for the top-level resources); null for a step about the host as a whole. Since 1.3.',
    }),
  }),
});

const PlacementExplanation = builder.objectRef<Explanation>('PlacementExplanation').implement({
  description: 'Why hosts were rejected: constraints applied in order, each with the hosts it removed.',
  fields: (t) => ({
    providersConsidered: t.exposeInt('providersConsidered', { description: 'Root providers (hosts) in the database.' }),
    steps: t.field({ type: [ExplanationStep], resolve: (e) => e.steps }),
    remaining: t.exposeInt('remaining', {
      description: 'Hosts that pass every constraint: the candidates an unlimited search returns.',
    }),
  }),
});

builder.objectType(NoValidHostError, {
  name: 'NoValidHost',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NoValidHostError,
  fields: (t) => ({
    consumerUuid: t.expose('consumerUuid', { type: 'UUID' }),
    hostsTried: t.field({ type: ['UUID'], resolve: (e) => e.hostsTried, description: 'Hosts attempted, in order.' }),
    explanation: t.field({
      type: PlacementExplanation,
      nullable: true,
      description: 'Why hosts were rejected (claims only; computed when selected, it scans every host).',
      complexity: EXPLAIN_BASE_COST,
      resolve: (e) => (e.explain ? e.explain() : null),
    }),
  }),
});

const queryErrors = { types: [InvalidInputError, NotFoundError] };

builder.queryFields((t) => ({
  allocationCandidates: t.field({
    type: AllocationCandidates,
    errors: queryErrors,
    description: 'Hosts that can take the request right now, in weighed order. No match is an empty list.',
    args: {
      request: t.arg({ type: PlacementRequestInput, required: true }),
      limit: t.arg.int({ description: '1…1000, default 50.' }),
      weigher: t.arg({ type: WeigherEnum, defaultValue: 'SPREAD' }),
      hostSubsetSize: t.arg.int({
        description: 'k > 1 puts one of the best k first, chosen at random (non-deterministic by design).',
      }),
    },
    resolve: async (_root, args, ctx) => {
      // The default and the cap are part of the request's API version.
      const { candidateDefaultLimit: defaultLimit, candidateMaxLimit: maxLimit } = ctx.behaviour;
      const limit = parseLimit(args.limit, 'limit', { defaultLimit, maxLimit });
      return { candidates: await allocationCandidates(ctx.db.pool, { ...args, limit }) };
    },
  }),
  explainPlacement: t.field({
    type: PlacementExplanation,
    errors: queryErrors,
    description: 'Why no (or few) valid hosts: how many hosts each constraint eliminated.',
    args: { request: t.arg({ type: PlacementRequestInput, required: true }) },
    complexity: (args) => explainCost(args),
    resolve: (_root, args, ctx) => explainPlacement(ctx.db.pool, args.request),
  }),
}));

const AlternateRef = builder.objectRef<Alternate>('Alternate').implement({
  description: "A host of the chosen host's cell that could take the request (not claimed).",
  fields: (t) => ({
    providerUuid: t.expose('providerUuid', { type: 'UUID' }),
    resourceProvider: t.prismaField({
      type: 'ResourceProvider',
      nullable: true,
      resolve: (query, a, _args, ctx) => ctx.loaders.provider(query, a.providerUuid),
    }),
    cellUuid: t.expose('cellUuid', { type: 'UUID', nullable: true }),
    allocationRequest: t.field({ type: [ProviderAllocationRequest], resolve: (a) => a.allocations }),
    mappings: t.field({
      type: [GroupMapping],
      subGraphs: from13,
      description: `${mappingsDescription} Pass it with the alternate to reschedule.`,
      resolve: (a) => a.mappings,
    }),
  }),
});

const SelectionRef = builder.objectRef<Selection>('Selection').implement({
  description: 'Where a consumer was claimed, what was claimed, and the alternates to try if the build fails.',
  fields: (t) => ({
    consumerUuid: t.expose('consumerUuid', { type: 'UUID' }),
    consumerGeneration: t.exposeInt('consumerGeneration'),
    consumer: t.prismaField({
      type: 'Consumer',
      nullable: true,
      description: 'The consumer as it is now (null once its allocations are gone).',
      resolve: (query, s, _args, ctx) => ctx.loaders.consumer(query, s.consumerUuid),
    }),
    providerUuid: t.expose('providerUuid', { type: 'UUID' }),
    resourceProvider: t.prismaField({
      type: 'ResourceProvider',
      nullable: true,
      resolve: (query, s, _args, ctx) => ctx.loaders.provider(query, s.providerUuid),
    }),
    cellUuid: t.expose('cellUuid', { type: 'UUID', nullable: true }),
    allocations: t.field({
      type: [ProviderAllocationRequest],
      resolve: (s) => s.allocations,
      description: 'What was claimed.',
    }),
    alternates: t.field({
      type: [AlternateRef],
      resolve: (s) => s.alternates,
      description: "In weighed order, all in the chosen host's cell.",
    }),
    hostsTried: t.exposeInt('hostsTried', { description: 'Hosts attempted before (and including) the chosen one.' }),
    mappings: t.field({
      type: [GroupMapping],
      subGraphs: from13,
      description:
        'Which providers serve each request group of what was claimed. For reschedule, the mappings given with the alternate that was claimed; without them, one "" mapping of its allocation\'s providers. Since 1.3.',
      resolve: (s) => s.mappings,
    }),
  }),
});

const ClaimConsumerInput = builder.inputType('ClaimConsumerInput', {
  fields: (t) => ({
    consumerUuid: t.string({ required: true, description: 'A new consumer (it must not hold allocations yet).' }),
    projectId: t.string({ required: true }),
    userId: t.string({ required: true }),
    consumerType: t.string(),
  }),
});

const ClaimInput = builder.inputType('ClaimInput', {
  fields: (t) => ({
    consumers: t.field({
      type: [ClaimConsumerInput],
      required: true,
      description: 'One or more; all are placed or none.',
    }),
    request: t.field({ type: PlacementRequestInput, required: true, description: 'What each consumer needs.' }),
    alternates: t.int({
      required: true,
      description: 'How many alternates (same cell as the chosen host) to return per consumer, 0…100.',
    }),
    candidates: t.stringList({
      description: 'A weighed host list the caller already has; otherwise the server searches.',
    }),
    weigher: t.field({ type: WeigherEnum, description: 'Default SPREAD.' }),
    hostSubsetSize: t.int({ description: 'Pick the first host at random among the best k.' }),
    idempotencyKey: t.string({
      description: 'Replaying the same key returns the original result and claims nothing new.',
    }),
  }),
});

const AlternateInput = builder.inputType('AlternateInput', {
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    allocations: t.field({
      type: [ProviderAllocationInput],
      required: true,
      description: "The alternate's allocationRequest, as returned.",
    }),
    mappings: t.field({
      type: [GroupMappingInput],
      subGraphs: from13,
      description:
        "The alternate's mappings, as returned; echoed in the Selection when this alternate is claimed. Since 1.3.",
    }),
  }),
});

const RescheduleInput = builder.inputType('RescheduleInput', {
  fields: (t) => ({
    consumerUuid: t.string({ required: true }),
    consumerGeneration: t.int({ required: true }),
    alternates: t.field({ type: [AlternateInput], required: true, description: 'Tried in order.' }),
    idempotencyKey: t.string(),
  }),
});

const ClaimPayload = builder.objectRef<{ selections: Selection[] }>('ClaimPayload').implement({
  fields: (t) => ({
    selections: t.field({
      type: [SelectionRef],
      resolve: (p) => p.selections,
      description: 'One per consumer, in input order.',
    }),
  }),
});
const ReschedulePayload = builder.objectRef<{ selection: Selection }>('ReschedulePayload').implement({
  fields: (t) => ({ selection: t.field({ type: SelectionRef, resolve: (p) => p.selection }) }),
});

const claimErrors = { types: [...mutationErrors.types, NoValidHostError] };

builder.mutationFields((t) => ({
  claim: t.field({
    type: ClaimPayload,
    errors: claimErrors,
    description: 'Claim capacity for one or more new consumers on the first fitting hosts, with same-cell alternates.',
    args: { input: t.arg({ type: ClaimInput, required: true }) },
    complexity: ({ input }) => claimCost(input),
    resolve: async (_root, { input }, ctx) => ({
      selections: await claim(ctx.db, input, undefined, writeCaller(ctx, 'claim')),
    }),
  }),
  reschedule: t.field({
    type: ReschedulePayload,
    errors: claimErrors,
    description:
      "Release the consumer's claim and claim the first alternate that still fits; when none does, the consumer holds nothing.",
    args: { input: t.arg({ type: RescheduleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      selection: await reschedule(ctx.db.pool, input, undefined, writeCaller(ctx, 'reschedule')),
    }),
  }),
}));
