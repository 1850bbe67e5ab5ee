import { z } from 'zod';
import { builder } from '../builder.js';
import type { Prisma } from '../generated/prisma/client.js';
import { createResourceClass, deleteResourceClass } from '../placement/resource-classes.js';
import { createTrait, deleteTrait, setProviderTraits } from '../placement/traits.js';
import { parseInput, referenceName } from '../placement/validation.js';
import { asQueryError, mutationErrors } from './errors.js';
import { ResourceProviderPayload } from './providers.js';
import { writeCaller } from './write-caller.js';

builder.prismaNode('ResourceClass', {
  id: { field: 'name' },
  nullable: true,
  description: 'A kind of interchangeable unit. Standard classes are fixed; custom ones are named CUSTOM_*.',
  fields: (t) => ({
    name: t.exposeString('name'),
    standard: t.exposeBoolean('standard'),
  }),
});

builder.prismaNode('Trait', {
  id: { field: 'name' },
  nullable: true,
  description:
    'A qualitative capability a provider has or lacks. Standard traits are fixed; custom ones are named CUSTOM_*.',
  fields: (t) => ({
    name: t.exposeString('name'),
    standard: t.exposeBoolean('standard'),
  }),
});

const TraitFilter = builder.inputType('TraitFilter', {
  fields: (t) => ({
    namePrefix: t.string({ description: 'Only names starting with this, e.g. HW_CPU_ or CUSTOM_.' }),
    associated: t.boolean({
      description: 'true: only traits some provider carries; false: only traits no provider carries.',
    }),
  }),
});

builder.queryFields((t) => ({
  resourceClasses: t.prismaConnection(
    {
      type: 'ResourceClass',
      cursor: 'name',
      totalCount: (_connection, _args, ctx) => ctx.db.prisma.resourceClass.count(),
      defaultSize: (_args, ctx) => ctx.behaviour.catalogueDefaultPageSize,
      maxSize: (_args, ctx) => ctx.behaviour.catalogueMaxPageSize,
      description: 'Resource classes ordered by name.',
      resolve: (query, _root, _args, ctx) =>
        ctx.db.prisma.resourceClass.findMany({ ...query, orderBy: { name: 'asc' } }),
    },
    { name: 'ResourceClassConnection' },
    { name: 'ResourceClassEdge' },
  ),
  traits: t.prismaConnection(
    {
      type: 'Trait',
      cursor: 'name',
      totalCount: (_connection, args, ctx) =>
        asQueryError(async () => ctx.db.prisma.trait.count({ where: traitWhere(args.filter) })),
      defaultSize: (_args, ctx) => ctx.behaviour.catalogueDefaultPageSize,
      maxSize: (_args, ctx) => ctx.behaviour.catalogueMaxPageSize,
      description: 'Traits ordered by name.',
      args: { filter: t.arg({ type: TraitFilter }) },
      resolve: (query, _root, args, ctx) =>
        asQueryError(async () =>
          ctx.db.prisma.trait.findMany({ ...query, where: traitWhere(args.filter), orderBy: { name: 'asc' } }),
        ),
    },
    { name: 'TraitConnection' },
    { name: 'TraitEdge' },
  ),
}));

function traitWhere(
  filter: { namePrefix?: string | null; associated?: boolean | null } | null | undefined,
): Prisma.TraitWhereInput {
  const where: Prisma.TraitWhereInput = {};
  if (filter?.namePrefix) {
    parseInput(z.object({ namePrefix: referenceName('trait') }), { namePrefix: filter.namePrefix }, 'filter');
    // startsWith becomes LIKE: escape `_` (the only LIKE wildcard a valid name can hold) so it matches itself.
    where.name = { startsWith: filter.namePrefix.replace(/_/g, '\\_') };
  }
  if (filter?.associated === true) where.providers = { some: {} };
  if (filter?.associated === false) where.providers = { none: {} };
  return where;
}

const NameInput = (name: string, what: string) =>
  builder.inputType(name, { fields: (t) => ({ name: t.string({ required: true, description: what }) }) });

const CreateResourceClassInput = NameInput('CreateResourceClassInput', 'CUSTOM_[A-Z0-9_]+, at most 255 characters.');
const DeleteResourceClassInput = NameInput('DeleteResourceClassInput', 'A custom class no inventory uses.');
const CreateTraitInput = NameInput('CreateTraitInput', 'CUSTOM_[A-Z0-9_]+, at most 255 characters.');
const DeleteTraitInput = NameInput('DeleteTraitInput', 'A custom trait no provider carries.');

const ResourceClassPayload = builder.objectRef<{ id: number; name: string }>('ResourceClassPayload').implement({
  fields: (t) => ({
    createdResourceClass: t.prismaField({
      description: 'Named so that it never clashes with `CapacityExceeded.resourceClass: String` in one selection.',
      type: 'ResourceClass',
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.resourceClass.findUniqueOrThrow({ ...query, where: { id: payload.id } }),
    }),
  }),
});
const TraitPayload = builder.objectRef<{ id: number; name: string }>('TraitPayload').implement({
  fields: (t) => ({
    trait: t.prismaField({
      type: 'Trait',
      resolve: (query, payload, _args, ctx) =>
        ctx.db.prisma.trait.findUniqueOrThrow({ ...query, where: { id: payload.id } }),
    }),
  }),
});
const DeletedNamePayload = builder.objectRef<{ name: string }>('DeletedNamePayload').implement({
  fields: (t) => ({ deletedName: t.exposeString('name') }),
});

const SetProviderTraitsInput = builder.inputType('SetProviderTraitsInput', {
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    generation: t.int({ required: true }),
    traits: t.stringList({ required: true, description: 'The complete new set of trait names.' }),
  }),
});

builder.mutationFields((t) => ({
  createResourceClass: t.field({
    type: ResourceClassPayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: CreateResourceClassInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createResourceClass(ctx.db.pool, input.name, writeCaller(ctx, 'createResourceClass')),
  }),
  deleteResourceClass: t.field({
    type: DeletedNamePayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: DeleteResourceClassInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      deleteResourceClass(ctx.db.pool, input.name, writeCaller(ctx, 'deleteResourceClass')),
  }),
  createTrait: t.field({
    type: TraitPayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: CreateTraitInput, required: true }) },
    resolve: (_root, { input }, ctx) => createTrait(ctx.db.pool, input.name, writeCaller(ctx, 'createTrait')),
  }),
  deleteTrait: t.field({
    type: DeletedNamePayload,
    errors: mutationErrors,
    args: { input: t.arg({ type: DeleteTraitInput, required: true }) },
    resolve: (_root, { input }, ctx) => deleteTrait(ctx.db.pool, input.name, writeCaller(ctx, 'deleteTrait')),
  }),
  setProviderTraits: t.field({
    type: ResourceProviderPayload,
    errors: mutationErrors,
    description: "Replaces a provider's traits (generation-checked).",
    args: { input: t.arg({ type: SetProviderTraitsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      providerId: (await setProviderTraits(ctx.db.pool, input, writeCaller(ctx, 'setProviderTraits'))).id,
    }),
  }),
}));
