import { z } from 'zod';
import { builder, versionedPageSize } from '../builder.js';
import { visibleProject } from '../placement/consumer-access.js';
import { createProvider, deleteProvider, updateProvider } from '../placement/providers.js';
import { type ProviderFilter, parseProviderFilter, providerCount, providerIdsPage } from '../placement/search.js';
import { parseInput, uuidString } from '../placement/validation.js';
import { asQueryError, mutationErrors } from './errors.js';
import { ResourceAmountInput } from './inputs.js';
import { deprecatedFrom, requiredFrom } from './versioning.js';
import { writeCaller } from './write-caller.js';

builder.prismaNode('ResourceProvider', {
  id: { field: 'uuid' },
  // node(id:)/nodes(ids:) answer null for an id that names nothing (Relay), not an error.
  nullable: true,
  description: 'Anything with capacity: a compute host, a storage pool, a NIC, a NUMA node.',
  fields: (t) => ({
    uuid: t.expose('uuid', { type: 'UUID' }),
    name: t.exposeString('name'),
    generation: t.exposeInt('generation', {
      description:
        'Concurrency token guarding inventories, traits and aggregates; bumped by every write to them and by allocation writes.',
    }),
    cell: t.relation('cell', { nullable: true }),
    parent: t.relation('parent', { nullable: true }),
    root: t.relation('root', { description: "Top of this provider's tree (itself for a root)." }),
    children: t.relation('children', { query: { orderBy: { name: 'asc' } } }),
    inventories: t.relation('inventories', { query: { orderBy: { resourceClass: { name: 'asc' } } } }),
    traits: t.stringList({
      description: 'Trait names, sorted.',
      select: { traits: { select: { trait: { select: { name: true } } } } },
      resolve: (provider) => provider.traits.map((pt) => pt.trait.name).sort(),
    }),
    usages: t.field({
      type: [ProviderUsage],
      description: 'Usage per class with inventory (0 when unused), sorted by class name.',
      // Duplicates inventories' `used`; kept for 1.0 clients until its removal version.
      ...deprecatedFrom({
        since: '1.1',
        replacement: '`inventories { resourceClass used }`',
        removedIn: '2.0',
        removalDate: '2027-11-24',
      }),
      select: {
        inventories: {
          select: { used: true, resourceClass: { select: { name: true } } },
          orderBy: { resourceClass: { name: 'asc' } },
        },
      },
      resolve: (provider) =>
        provider.inventories.map((i) => ({ resourceClass: i.resourceClass.name, used: Number(i.used) })),
    }),
    allocations: t.relatedConnection(
      'allocations',
      {
        cursor: 'id',
        totalCount: true,
        ...versionedPageSize,
        // A confined caller sees only its project's allocations here (and counts only them).
        query: (_args, ctx) => {
          const projectId = visibleProject(ctx.actor);
          return { orderBy: { id: 'asc' }, ...(projectId === null ? {} : { where: { consumer: { projectId } } }) };
        },
      },
      { name: 'ProviderAllocationConnection' },
      { name: 'ProviderAllocationEdge' },
    ),
  }),
});

export const ProviderUsage = builder.objectRef<{ resourceClass: string; used: number }>('ProviderUsage').implement({
  fields: (t) => ({
    resourceClass: t.exposeString('resourceClass'),
    used: t.expose('used', { type: 'SafeInt' }),
  }),
});

const ResourceProviderFilter = builder.inputType('ResourceProviderFilter', {
  description: 'All given conditions must hold.',
  fields: (t) => ({
    name: t.string({ description: 'Exact name.' }),
    uuid: t.string({ description: 'UUID, dashed or not.' }),
    cellUuid: t.string(),
    inTree: t.string({ description: 'UUID of any provider in the tree; matches every member of that tree.' }),
    requiredTraits: t.stringList({ description: 'Providers carrying all of these.' }),
    forbiddenTraits: t.stringList({ description: 'Providers carrying none of these.' }),
    memberOf: t.field({
      type: t.listRef(t.listRef('String')),
      description: 'Each inner list is any-of (aggregate UUIDs); the lists are ANDed.',
    }),
    resources: t.field({
      type: [ResourceAmountInput],
      description: 'Providers whose own inventory can take all these amounts now (the fit rule).',
    }),
  }),
});

builder.queryFields((t) => ({
  resourceProviders: t.prismaConnection(
    {
      type: 'ResourceProvider',
      cursor: 'name',
      description: 'Providers ordered by name.',
      ...versionedPageSize,
      totalCount: (_connection, args, ctx) => asQueryError(() => providerCount(ctx.db.pool, providerFilter(args))),
      args: { filter: t.arg({ type: ResourceProviderFilter, required: false }) },
      // The engine picks the page's ids (every filter in one SQL statement); Prisma loads those rows.
      resolve: (query, _root, args, ctx) =>
        asQueryError(async () => {
          const { take, skip: _skip, cursor, ...load } = query;
          const name = cursor?.name;
          const ids = await providerIdsPage(ctx.db.pool, providerFilter(args), {
            take,
            ...(take < 0 ? { beforeName: name } : { afterName: name }),
          });
          return ctx.db.prisma.resourceProvider.findMany({
            ...load,
            where: { id: { in: ids } },
            orderBy: { name: 'asc' },
          });
        }),
    },
    { name: 'ResourceProviderConnection' },
    { name: 'ResourceProviderEdge' },
  ),
  resourceProvider: t.prismaField({
    type: 'ResourceProvider',
    nullable: true,
    args: { uuid: t.arg.string({ required: true, description: 'Dashed or dashless.' }) },
    resolve: (query, _root, args, ctx) =>
      asQueryError(async () => {
        const { uuid } = parseInput(z.object({ uuid: uuidString }), { uuid: args.uuid });
        return ctx.db.prisma.resourceProvider.findUnique({ ...query, where: { uuid } });
      }),
  }),
}));

// The page and its totalCount resolve separately; both use the filter parsed once per request.
const filterByArgs = new WeakMap<object, ProviderFilter>();
function providerFilter(args: { filter?: unknown }): ProviderFilter {
  let filter = filterByArgs.get(args);
  if (!filter) {
    filter = parseProviderFilter(args.filter);
    filterByArgs.set(args, filter);
  }
  return filter;
}

const CreateResourceProviderInput = builder.inputType('CreateResourceProviderInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1–200 characters, unique.' }),
    uuid: t.string({ description: 'Generated when omitted. Dashed or dashless; stored lower-case dashed.' }),
    parentProviderUuid: t.string({ description: "Makes this provider a child in the parent's tree (and cell)." }),
    cellUuid: t.string({ description: "Cell of a root provider; children always share their parent's cell." }),
  }),
});

const UpdateResourceProviderInput = builder.inputType('UpdateResourceProviderInput', {
  fields: (t) => ({
    uuid: t.string({ required: true }),
    generation: t.int({
      description: 'When given, the update applies only at this generation.',
      ...requiredFrom('1.2', 'The generation read last: the update applies only at it (required since 1.2).'),
    }),
    name: t.string(),
    parentProviderUuid: t.string({ description: 'New parent; explicit null makes the provider a root. Omit to keep.' }),
    cellUuid: t.string({
      description: 'New cell of a root provider and its whole tree; explicit null removes it. Omit to keep.',
    }),
  }),
});

const DeleteResourceProviderInput = builder.inputType('DeleteResourceProviderInput', {
  fields: (t) => ({
    uuid: t.string({ required: true }),
    generation: t.int({
      description: 'When given, the delete applies only at this generation.',
      ...requiredFrom('1.2', 'The generation read last: the delete applies only at it (required since 1.2).'),
    }),
  }),
});

export const ResourceProviderPayload = builder.objectRef<{ providerId: number }>('ResourceProviderPayload').implement({
  fields: (t) => ({
    resourceProvider: t.prismaField({
      type: 'ResourceProvider',
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.resourceProvider.findUniqueOrThrow({ ...query, where: { id: payload.providerId } }),
    }),
  }),
});

const DeleteResourceProviderPayload = builder.objectRef<{ uuid: string }>('DeleteResourceProviderPayload').implement({
  fields: (t) => ({ deletedUuid: t.expose('uuid', { type: 'UUID' }) }),
});

builder.mutationFields((t) => ({
  createResourceProvider: t.field({
    type: ResourceProviderPayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: CreateResourceProviderInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      providerId: (await createProvider(ctx.db.pool, input, writeCaller(ctx, 'createResourceProvider'))).id,
    }),
  }),
  updateResourceProvider: t.field({
    type: ResourceProviderPayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: UpdateResourceProviderInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      providerId: (await updateProvider(ctx.db.pool, input, writeCaller(ctx, 'updateResourceProvider'))).id,
    }),
  }),
  deleteResourceProvider: t.field({
    type: DeleteResourceProviderPayload,
    errors: mutationErrors,
    description:
      'Refused while the provider has allocations or children; removes its inventories, trait and aggregate links.',
    args: { input: t.arg({ type: DeleteResourceProviderInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      uuid: (await deleteProvider(ctx.db.pool, input, writeCaller(ctx, 'deleteResourceProvider'))).uuid,
    }),
  }),
}));
