import { builder, versionedPageSize } from '../builder.js';
import { createAggregate, deleteAggregate, setProviderAggregates } from '../placement/aggregates.js';
import { createCell, deleteCell } from '../placement/cells.js';
import { mutationErrors } from './errors.js';
import { ResourceProviderPayload } from './providers.js';
import { writeCaller } from './write-caller.js';

builder.prismaNode('Cell', {
  id: { field: 'uuid' },
  nullable: true,
  description:
    'A failure and scale domain. A provider tree is in at most one cell; claims and alternates stay inside one.',
  fields: (t) => ({
    uuid: t.expose('uuid', { type: 'UUID' }),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    providerCount: t.relationCount('providers'),
  }),
});

const AggregateRef = builder.prismaNode('Aggregate', {
  id: { field: 'uuid' },
  nullable: true,
  description: 'A group of providers, used by memberOf filters and sharing providers.',
  fields: (t) => ({
    uuid: t.expose('uuid', { type: 'UUID' }),
    name: t.exposeString('name', { nullable: true }),
    providerCount: t.relationCount('providers'),
  }),
});

builder.prismaObjectField('ResourceProvider', 'aggregates', (t) =>
  t.field({
    type: [AggregateRef],
    description: 'Aggregates this provider is a member of, by uuid.',
    select: (_args, _ctx, nestedSelection) => ({
      aggregates: { select: { aggregate: nestedSelection(true) }, orderBy: { aggregate: { uuid: 'asc' } } },
    }),
    resolve: (provider) => provider.aggregates.map((pa) => pa.aggregate),
  }),
);

builder.queryFields((t) => ({
  cells: t.prismaConnection(
    {
      type: 'Cell',
      cursor: 'name',
      totalCount: (_connection, _args, ctx) => ctx.db.prisma.cell.count(),
      ...versionedPageSize,
      description: 'Cells ordered by name.',
      resolve: (query, _root, _args, ctx) => ctx.db.prisma.cell.findMany({ ...query, orderBy: { name: 'asc' } }),
    },
    { name: 'CellConnection' },
    { name: 'CellEdge' },
  ),
  aggregates: t.prismaConnection(
    {
      type: 'Aggregate',
      cursor: 'uuid',
      totalCount: (_connection, _args, ctx) => ctx.db.prisma.aggregate.count(),
      ...versionedPageSize,
      description: 'Aggregates ordered by uuid.',
      resolve: (query, _root, _args, ctx) => ctx.db.prisma.aggregate.findMany({ ...query, orderBy: { uuid: 'asc' } }),
    },
    { name: 'AggregateConnection' },
    { name: 'AggregateEdge' },
  ),
}));

const CreateNamedInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      name: t.string({ required: true, description: '1–255 characters, unique.' }),
      uuid: t.string({ description: 'Generated when omitted.' }),
    }),
  });
const UuidInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ uuid: t.string({ required: true }) }) });

const CellPayload = builder.objectRef<{ id: number }>('CellPayload').implement({
  fields: (t) => ({
    cell: t.prismaField({
      type: 'Cell',
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.cell.findUniqueOrThrow({ ...query, where: { id: payload.id } }),
    }),
  }),
});
const AggregatePayload = builder.objectRef<{ id: number }>('AggregatePayload').implement({
  fields: (t) => ({
    aggregate: t.prismaField({
      type: 'Aggregate',
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.aggregate.findUniqueOrThrow({ ...query, where: { id: payload.id } }),
    }),
  }),
});
const DeletedUuidPayload = builder.objectRef<{ uuid: string }>('DeletedUuidPayload').implement({
  fields: (t) => ({ deletedUuid: t.expose('uuid', { type: 'UUID' }) }),
});

const SetProviderAggregatesInput = builder.inputType('SetProviderAggregatesInput', {
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    generation: t.int({ required: true }),
    aggregates: t.stringList({
      required: true,
      description: 'The complete new set of aggregate UUIDs; unknown ones are created.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createCell: t.field({
    type: CellPayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: CreateNamedInput('CreateCellInput'), required: true }) },
    resolve: (_root, { input }, ctx) => createCell(ctx.db.pool, input, writeCaller(ctx, 'createCell')),
  }),
  deleteCell: t.field({
    type: DeletedUuidPayload,
    errors: mutationErrors,
    description: 'Refused while any provider is in the cell.',
    args: { input: t.arg({ type: UuidInput('DeleteCellInput'), required: true }) },
    resolve: (_root, { input }, ctx) => deleteCell(ctx.db.pool, input, writeCaller(ctx, 'deleteCell')),
  }),
  createAggregate: t.field({
    type: AggregatePayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: CreateNamedInput('CreateAggregateInput'), required: true }) },
    resolve: (_root, { input }, ctx) => createAggregate(ctx.db.pool, input, writeCaller(ctx, 'createAggregate')),
  }),
  deleteAggregate: t.field({
    type: DeletedUuidPayload,
    errors: mutationErrors,
    description: 'Refused while any provider is a member.',
    args: { input: t.arg({ type: UuidInput('DeleteAggregateInput'), required: true }) },
    resolve: (_root, { input }, ctx) => deleteAggregate(ctx.db.pool, input, writeCaller(ctx, 'deleteAggregate')),
  }),
  setProviderAggregates: t.field({
    type: ResourceProviderPayload,
    errors: mutationErrors,
    description: "Replaces a provider's aggregates (generation-checked).",
    args: { input: t.arg({ type: SetProviderAggregatesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      providerId: (await setProviderAggregates(ctx.db.pool, input, writeCaller(ctx, 'setProviderAggregates'))).id,
    }),
  }),
}));
