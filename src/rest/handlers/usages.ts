import { providerInventories } from '../../placement/inventory-views.js';
import { usageTotals } from '../../placement/usage-views.js';
import type { RestHandler } from '../context.js';
import { RestError } from '../errors.js';
import { atLeast } from '../microversion.js';
import { policyRefusal } from '../policy.js';
import { validateQuery } from '../query.js';
import { GET_USAGES_SCHEMA_1_9, GET_USAGES_SCHEMA_V1_38 } from '../schemas.js';
import { existingProvider } from './providers.js';

// handlers/usage.py

/** GET /resource_providers/{uuid}/usages: used per class the provider has inventory of. */
export const providerUsages: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const provider = await existingProvider(ctx, uuid).catch((error: unknown) => {
    if (error instanceof RestError && error.status === 404)
      throw new RestError(
        404,
        `No resource provider with uuid ${uuid} found: No resource provider with uuid ${uuid} found`,
      );
    throw error;
  });
  const usages: Record<string, number> = {};
  for (const view of await providerInventories(ctx.db.pool, provider.id)) usages[view.resourceClass] = view.used;
  return {
    status: 200,
    body: { resource_provider_generation: provider.generation, usages },
    lastModified: new Date(),
  };
};

/**
 * GET /usages (1.9): a project's (and user's) totals; from 1.38 grouped by consumer type with
 * consumer counts. A project-confined caller may ask only about its own project (Placement's
 * project_reader rule), checked before the query is validated, as Placement does.
 */
export const totalUsages: RestHandler = async (ctx) => {
  const projectId = ctx.url.searchParams.get('project_id');
  const actor = ctx.actor;
  if (actor?.projectId != null && actor.projectId !== projectId) throw policyRefusal('placement:usages');
  const byType = atLeast(ctx.version, 1, 38);
  const query = validateQuery(ctx, byType ? GET_USAGES_SCHEMA_V1_38 : GET_USAGES_SCHEMA_1_9);
  const totals = await usageTotals(ctx.db.pool, {
    projectId: query.project_id!,
    userId: query.user_id,
    consumerType: query.consumer_type,
    byType,
  });
  if (!byType) {
    const usages: Record<string, number> = {};
    for (const total of totals) usages[total.resourceClass] = total.used;
    return { status: 200, body: { usages }, lastModified: new Date() };
  }
  const usages: Record<string, Record<string, number>> = {};
  for (const total of totals) {
    // Placement's Usage names consumers without a type by NULL_CONSUMER_TYPE_ALIAS ("unknown").
    const key = total.consumerType ?? 'unknown';
    const group = usages[key] ?? {};
    usages[key] = group;
    group[total.resourceClass] = total.used;
    group.consumer_count = total.consumerCount;
  }
  return { status: 200, body: { usages }, lastModified: new Date() };
};
