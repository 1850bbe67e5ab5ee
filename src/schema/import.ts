import { builder } from '../builder.js';
import { type ImportResult, importPlacementState } from '../placement/import/index.js';
import { since } from '../versions.js';
import { mutationErrors } from './errors.js';
import { writeCaller } from './write-caller.js';

// importPlacementState (since 1.4): the write behind `placement import` (docs/CLIENT.md). ADMIN
// only (src/schema/authorization.ts): it sets generations, which no other write can.

const from14 = since('1.4');

const ImportInventoryInput = builder.inputType('ImportInventoryInput', {
  subGraphs: from14,
  fields: (t) => ({
    resourceClass: t.string({ required: true }),
    total: t.field({ type: 'SafeInt', required: true }),
    reserved: t.field({ type: 'SafeInt', required: true }),
    minUnit: t.field({ type: 'SafeInt', required: true }),
    maxUnit: t.field({ type: 'SafeInt', required: true }),
    stepSize: t.field({ type: 'SafeInt', required: true }),
    allocationRatio: t.float({ required: true }),
  }),
});

const ImportProviderInput = builder.inputType('ImportProviderInput', {
  subGraphs: from14,
  description: 'A provider as the source has it; its inventories, traits and aggregates are replaced.',
  fields: (t) => ({
    uuid: t.string({ required: true }),
    name: t.string({ required: true }),
    parentProviderUuid: t.string({ description: 'Listed earlier in the same or an earlier batch, or already here.' }),
    generation: t.int({ required: true, description: "The source's generation, set as it is." }),
    inventories: t.field({ type: [ImportInventoryInput], required: true }),
    traits: t.stringList({ required: true }),
    aggregates: t.stringList({ required: true, description: 'Aggregate uuids; unknown ones are created.' }),
  }),
});

const ImportAllocationInput = builder.inputType('ImportAllocationInput', {
  subGraphs: from14,
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    resourceClass: t.string({ required: true }),
    used: t.field({ type: 'SafeInt', required: true }),
  }),
});

const ImportConsumerInput = builder.inputType('ImportConsumerInput', {
  subGraphs: from14,
  description: 'A consumer as the source has it; its allocations are replaced, without the fit rule.',
  fields: (t) => ({
    uuid: t.string({ required: true }),
    projectId: t.string({ required: true }),
    userId: t.string({ required: true }),
    consumerType: t.string({ description: 'null for none (Placement shows it as "unknown").' }),
    generation: t.int({ required: true, description: "The source's consumer generation, set as it is." }),
    allocations: t.field({ type: [ImportAllocationInput], required: true }),
  }),
});

const ImportPruneInput = builder.inputType('ImportPruneInput', {
  subGraphs: from14,
  description:
    'The providers and consumers the source has with a uuid in [fromUuid, toUuid): the ones here in that range that are not listed are removed (a stale provider with its subtree). At most 20000 of each.',
  fields: (t) => ({
    keepProviders: t.stringList({ required: true }),
    keepConsumers: t.stringList({ required: true }),
    fromUuid: t.string({ description: 'Inclusive lower bound; null: from the first uuid.' }),
    toUuid: t.string({ description: 'Exclusive upper bound; null: to the last uuid.' }),
  }),
});

const ImportPruneCatalogueInput = builder.inputType('ImportPruneCatalogueInput', {
  subGraphs: from14,
  description: 'Every custom class and trait the source has: custom ones here that are not listed are removed.',
  fields: (t) => ({
    keepResourceClasses: t.stringList({ required: true }),
    keepTraits: t.stringList({ required: true }),
  }),
});

const ImportBatchInput = builder.inputType('ImportBatchInput', {
  subGraphs: from14,
  description:
    'One atomic step. Applied in this order whatever the order of its fields: resourceClasses, traits, providers, consumers, prune, pruneCatalogue.',
  fields: (t) => ({
    resourceClasses: t.stringList({ description: 'Classes to have (added when missing).' }),
    traits: t.stringList({ description: 'Traits to have (added when missing).' }),
    providers: t.field({ type: [ImportProviderInput], description: 'Parents before children; at most 1000.' }),
    consumers: t.field({ type: [ImportConsumerInput], description: 'At most 1000.' }),
    prune: t.field({ type: ImportPruneInput }),
    pruneCatalogue: t.field({ type: ImportPruneCatalogueInput }),
  }),
});

const ImportPlacementStateInput = builder.inputType('ImportPlacementStateInput', {
  subGraphs: from14,
  fields: (t) => ({
    batches: t.field({ type: [ImportBatchInput], required: true, description: 'Each batch commits on its own.' }),
    dryRun: t.boolean({
      defaultValue: false,
      description: 'Apply every batch in one transaction, report the changes, and roll back.',
    }),
  }),
});

const ImportAction = builder.enumType('ImportAction', {
  subGraphs: from14,
  values: ['CREATE', 'UPDATE', 'REMOVE'] as const,
});
const ImportKind = builder.enumType('ImportKind', {
  subGraphs: from14,
  values: ['RESOURCE_CLASS', 'TRAIT', 'PROVIDER', 'CONSUMER'] as const,
});

const ImportChange = builder.objectRef<ImportResult['changes'][number]>('ImportChange').implement({
  subGraphs: from14,
  fields: (t) => ({
    action: t.field({ type: ImportAction, resolve: (change) => change.action }),
    kind: t.field({ type: ImportKind, resolve: (change) => change.kind }),
    id: t.exposeString('id', { description: 'A provider or consumer uuid, a class or trait name.' }),
    detail: t.exposeString('detail', { description: 'What differed, e.g. "generation 3 → 5; +trait CUSTOM_A".' }),
  }),
});

const ImportPlacementStatePayload = builder.objectRef<ImportResult>('ImportPlacementStatePayload').implement({
  subGraphs: from14,
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun'),
    batches: t.exposeInt('batches', { description: 'Batches committed (0 in a dry run).' }),
    changes: t.field({ type: [ImportChange], resolve: (result) => result.changes }),
  }),
});

const importErrors = { ...mutationErrors, union: { subGraphs: from14 }, result: { subGraphs: from14 } };

builder.mutationFields((t) => ({
  importPlacementState: t.field({
    type: ImportPlacementStatePayload,
    subGraphs: from14,
    errors: importErrors,
    description:
      "Makes this service's state equal to an OpenStack Placement's, batch by batch, generations included (what `placement import` sends). Since 1.4.",
    args: { input: t.arg({ type: ImportPlacementStateInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      importPlacementState(ctx.db.pool, input, writeCaller(ctx, 'importPlacementState')),
  }),
}));
