import { z } from 'zod';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import {
  type ConsumerWriteResult,
  deleteAllocations,
  writeAllocations,
  writeConsumerAllocations,
} from '../placement/allocations.js';
import { assertMayReadProject, visibleProject } from '../placement/consumer-access.js';
import { usages } from '../placement/usages.js';
import { parseInput, uuidString } from '../placement/validation.js';
import { asQueryError, mutationErrors } from './errors.js';
import { ResourceAmountInput } from './inputs.js';
import { writeCaller } from './write-caller.js';

/** The consumer `uuid` as the caller may see it: any, or only its own project's when it is confined. */
function visibleConsumer(uuid: string, ctx: Context): { uuid: string; projectId?: string } {
  const projectId = visibleProject(ctx.actor);
  return projectId === null ? { uuid } : { uuid, projectId };
}

builder.prismaNode('Consumer', {
  id: { field: 'uuid' },
  // node(id:) answers null for a consumer that is gone, as for every other node type, and for one
  // of another project than a confined caller's (src/placement/consumer-access.ts).
  nullable: true,
  findUnique: (uuid, ctx) => visibleConsumer(uuid, ctx),
  description: 'Who holds allocations (an instance, a migration). It exists while it has allocations.',
  fields: (t) => ({
    uuid: t.expose('uuid', { type: 'UUID' }),
    projectId: t.exposeString('projectId'),
    userId: t.exposeString('userId'),
    consumerType: t.exposeString('consumerType', { nullable: true }),
    generation: t.exposeInt('generation', { description: "Concurrency token for this consumer's allocations." }),
    allocations: t.relation('allocations', {
      query: { orderBy: [{ providerId: 'asc' }, { resourceClass: { name: 'asc' } }] },
    }),
  }),
});

builder.prismaObject('Allocation', {
  description: 'An amount of one resource class held by a consumer on a provider.',
  fields: (t) => ({
    consumer: t.relation('consumer'),
    resourceProvider: t.relation('provider'),
    resourceClass: t.string({
      select: { resourceClass: { select: { name: true } } },
      resolve: (a) => a.resourceClass.name,
    }),
    amount: t.exposeInt('used'),
  }),
});

const UsageRow = builder.objectRef<{ resourceClass: string; used: number }>('Usage').implement({
  fields: (t) => ({ resourceClass: t.exposeString('resourceClass'), used: t.expose('used', { type: 'SafeInt' }) }),
});
const UsageReport = builder
  .objectRef<{ consumerCount: number; usages: { resourceClass: string; used: number }[] }>('UsageReport')
  .implement({
    fields: (t) => ({
      consumerCount: t.exposeInt('consumerCount'),
      usages: t.field({
        type: [UsageRow],
        resolve: (r) => r.usages,
        description: 'Per resource class, sorted by name.',
      }),
    }),
  });

builder.queryFields((t) => ({
  consumer: t.prismaField({
    type: 'Consumer',
    nullable: true,
    args: { uuid: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      asQueryError(async () => {
        // An invalid uuid is an input error, as for resourceProvider(uuid:); a valid unknown one is null,
        // and so is one of another project than a confined caller's.
        const { uuid } = parseInput(z.object({ uuid: uuidString }), { uuid: args.uuid });
        return ctx.db.prisma.consumer.findUnique({ ...query, where: visibleConsumer(uuid, ctx) });
      }),
  }),
  usages: t.field({
    type: UsageReport,
    description: 'Total usage of a project, optionally narrowed to a user and a consumer type.',
    args: {
      projectId: t.arg.string({ required: true }),
      userId: t.arg.string(),
      consumerType: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      asQueryError(() => {
        assertMayReadProject(ctx.actor, args.projectId, 'projectId');
        return usages(ctx.db.pool, args);
      }),
  }),
}));

export const ProviderAllocationInput = builder.inputType('ProviderAllocationInput', {
  fields: (t) => ({
    providerUuid: t.string({ required: true }),
    resources: t.field({ type: [ResourceAmountInput], required: true }),
  }),
});

/** One consumer's complete allocations: the input of setAllocations and each entry of moveAllocations. */
const consumerAllocationsFields = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      consumerUuid: t.string({ required: true }),
      consumerGeneration: t.int({
        description:
          "Required: the consumer's current generation, or explicit null when the consumer must not exist yet.",
      }),
      projectId: t.string({ required: true }),
      userId: t.string({ required: true }),
      consumerType: t.string({ description: 'E.g. INSTANCE, MIGRATION; kept when omitted.' }),
      allocations: t.field({
        type: [ProviderAllocationInput],
        required: true,
        description: 'The complete new set; empty removes them all.',
      }),
    }),
  });

const SetAllocationsInput = consumerAllocationsFields('SetAllocationsInput', "Replace one consumer's allocations.");
const ConsumerAllocationsInput = consumerAllocationsFields(
  'ConsumerAllocationsInput',
  "One consumer's allocations inside moveAllocations.",
);

const MoveAllocationsInput = builder.inputType('MoveAllocationsInput', {
  fields: (t) => ({
    consumers: t.field({
      type: [ConsumerAllocationsInput],
      required: true,
      description: 'Every listed consumer is rewritten in one atomic write.',
    }),
  }),
});

const DeleteAllocationsInput = builder.inputType('DeleteAllocationsInput', {
  fields: (t) => ({
    consumerUuid: t.string({ required: true }),
    consumerGeneration: t.int({ required: true }),
  }),
});

const ConsumerWrite = builder.objectRef<ConsumerWriteResult>('ConsumerWrite').implement({
  fields: (t) => ({
    consumerUuid: t.expose('consumerUuid', { type: 'UUID' }),
    generation: t.exposeInt('generation', {
      nullable: true,
      description: 'null: the consumer has no allocations left and is gone.',
    }),
    consumer: t.prismaField({
      type: 'Consumer',
      nullable: true,
      resolve: (query, write, _args, ctx) => ctx.loaders.consumer(query, write.consumerUuid),
    }),
  }),
});

const AllocationsPayload = builder.objectRef<{ consumers: ConsumerWriteResult[] }>('AllocationsPayload').implement({
  fields: (t) => ({ consumers: t.field({ type: [ConsumerWrite], resolve: (p) => p.consumers }) }),
});

/** `consumerGeneration` must be present: absent and explicit null mean different things. */
function withRequiredGeneration<T extends { consumerGeneration?: number | null }>(consumer: T) {
  return { ...consumer, consumerGeneration: consumer.consumerGeneration } as T & { consumerGeneration: number | null };
}

builder.mutationFields((t) => ({
  setAllocations: t.field({
    type: AllocationsPayload,
    errors: mutationErrors,
    description: "Replaces one consumer's allocations atomically (consumer-generation-checked).",
    args: { input: t.arg({ type: SetAllocationsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      consumers: [
        await writeConsumerAllocations(
          ctx.db.pool,
          withRequiredGeneration(input),
          undefined,
          writeCaller(ctx, 'setAllocations'),
        ),
      ],
    }),
  }),
  moveAllocations: t.field({
    type: AllocationsPayload,
    errors: mutationErrors,
    description: "Rewrites several consumers' allocations in one atomic write, e.g. instance → migration consumer.",
    args: { input: t.arg({ type: MoveAllocationsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      consumers: await writeAllocations(
        ctx.db.pool,
        { consumers: input.consumers.map(withRequiredGeneration) },
        undefined,
        writeCaller(ctx, 'moveAllocations'),
      ),
    }),
  }),
  deleteAllocations: t.field({
    type: AllocationsPayload,
    errors: mutationErrors,
    description: "Removes all of a consumer's allocations (and the consumer).",
    args: { input: t.arg({ type: DeleteAllocationsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      consumers: [await deleteAllocations(ctx.db.pool, input, writeCaller(ctx, 'deleteAllocations'))],
    }),
  }),
}));
