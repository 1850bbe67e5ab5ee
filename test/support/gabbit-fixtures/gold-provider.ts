/**
 * Not one of Placement's fixtures: the steps allocation-bad-class.yaml and
 * resource-class-in-use.yaml both open with (a generated provider with VCPU 24 and the custom
 * class CUSTOM_GOLD 5). Played as steps of the YAML, so their statuses and answers are compared.
 */
import { location, type Playback, read } from '../gabbit-playback.js';

/** Plays the steps; the provider's uuid as Placement's answer names it (a generated uuid's name). */
export async function goldProvider(run: Playback): Promise<string> {
  const created = await run.call('POST', '/resource_providers', { status: 201, body: { name: 'an rp' } });
  const rp = read(await run.call('GET', location(created)), 'uuid') as string;
  await run.call('PUT', '/resource_classes/CUSTOM_GOLD', { status: 201 });
  await run.call('PUT', `/resource_providers/${rp}/inventories`, {
    body: { resource_provider_generation: 0, inventories: { VCPU: { total: 24 }, CUSTOM_GOLD: { total: 5 } } },
  });
  return rp;
}
