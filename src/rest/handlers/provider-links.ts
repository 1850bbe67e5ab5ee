import type { ProviderView } from '../../placement/provider-views.js';
import type { RestContext } from '../context.js';
import { RestError } from '../errors.js';
import { atLeast } from '../microversion.js';

/** util.resource_provider_url. */
export const providerUrl = (ctx: RestContext, uuid: string) => `${ctx.mount}/resource_providers/${uuid}`;

/** handlers/resource_provider.py _serialize_provider: links by version, tree uuids from 1.14. */
export function serializeProvider(ctx: RestContext, provider: ProviderView): Record<string, unknown> {
  const url = providerUrl(ctx, provider.uuid);
  const rels = ['inventories', 'usages'];
  if (atLeast(ctx.version, 1, 1)) rels.push('aggregates');
  if (atLeast(ctx.version, 1, 6)) rels.push('traits');
  if (atLeast(ctx.version, 1, 11)) rels.push('allocations');
  const data: Record<string, unknown> = {
    uuid: provider.uuid,
    name: provider.name,
    generation: provider.generation,
    links: [{ rel: 'self', href: url }, ...rels.map((rel) => ({ rel, href: `${url}/${rel}` }))],
  };
  if (atLeast(ctx.version, 1, 14)) {
    data.parent_provider_uuid = provider.parentUuid;
    data.root_provider_uuid = provider.rootUuid;
  }
  return data;
}

/** exception.NotFound from ResourceProvider.get_by_uuid, turned into a 404 by PlacementHandler (no vary). */
export function providerNotFound(uuid: string): RestError {
  return new RestError(404, `No resource provider with uuid ${uuid} found`, { vary: false });
}
