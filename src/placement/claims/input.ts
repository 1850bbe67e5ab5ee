import { z } from 'zod';
import { MAX_LIMIT } from '../candidates.js';
import { MAX_GROUPS } from '../request.js';
import { externalId, int32, referenceName, resourceAmount, uuidString } from '../validation.js';

export const consumerSchema = z.object({
  consumerUuid: uuidString,
  projectId: externalId('projectId'),
  userId: externalId('userId'),
  consumerType: referenceName('consumer type').nullish(),
});
export type ClaimConsumer = z.output<typeof consumerSchema>;

const idempotencyKey = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(255, { message: 'at most 255 characters' });

export const claimSchema = z.object({
  consumers: z
    .array(consumerSchema)
    .min(1, { message: 'list at least one consumer' })
    .max(100, { message: 'at most 100 consumers per claim' })
    .superRefine((consumers, ctx) => {
      const seen = new Set<string>();
      consumers.forEach((c, i) => {
        if (seen.has(c.consumerUuid))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'consumerUuid'],
            message: 'listed twice',
            params: { rule: 'unique' },
          });
        seen.add(c.consumerUuid);
      });
    }),
  request: z.unknown(),
  alternates: int32(0).max(100, { message: 'at most 100 alternates' }),
  candidates: z
    .array(uuidString)
    .min(1, { message: 'an explicit candidate list needs at least one provider' })
    .max(MAX_LIMIT)
    .nullish(),
  weigher: z.enum(['SPREAD', 'PACK']).nullish(),
  hostSubsetSize: z.number().nullish(),
  idempotencyKey: idempotencyKey.nullish(),
});
export type ClaimInput = z.input<typeof claimSchema>;
export type ParsedClaim = z.output<typeof claimSchema>;

/** One alternate's allocations: one entry per serving provider, each (provider, class) once. */
const allocationRequestSchema = z
  .array(
    z.object({
      providerUuid: uuidString,
      resources: z.array(resourceAmount).min(1).max(50),
    }),
  )
  .min(1, { message: 'an alternate needs at least one allocation' })
  // One allocation per serving provider, and a request has at most 50 classes.
  .max(50, { message: 'at most 50 allocations per alternate' })
  .superRefine((allocations, ctx) => {
    const pairs = new Set<string>();
    allocations.forEach((allocation, a) => {
      allocation.resources.forEach((resource, r) => {
        const pair = `${allocation.providerUuid}/${resource.resourceClass}`;
        if (pairs.has(pair))
          ctx.addIssue({
            code: 'custom',
            path: [a, 'resources', r, 'resourceClass'],
            message: `${pair} is listed twice in this alternate`,
            params: { rule: 'unique' },
          });
        pairs.add(pair);
      });
    });
  });

/** A selection's mappings, carried back with an alternate so the new Selection says which provider serves which group. */
const mappingsSchema = z
  .array(
    z.object({
      group: z.string().regex(/^$|^[A-Za-z0-9_-]{1,64}$/, { message: "a group name, or '' for the unnumbered group" }),
      providerUuids: z.array(uuidString).min(1, { message: 'name at least one provider' }).max(50),
    }),
  )
  .max(MAX_GROUPS + 1);

export const rescheduleSchema = z.object({
  consumerUuid: uuidString,
  consumerGeneration: int32(0),
  alternates: z
    .array(
      z.object({ providerUuid: uuidString, allocations: allocationRequestSchema, mappings: mappingsSchema.nullish() }),
    )
    .max(100, { message: 'at most 100 alternates' }),
  idempotencyKey: idempotencyKey.nullish(),
});
export type RescheduleInput = z.input<typeof rescheduleSchema>;
export type ParsedReschedule = z.output<typeof rescheduleSchema>;
