import type { CandidateRequest, CandidateResult } from '../../placement/rest-candidates/index.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * The response body of GET /allocation_candidates, shaped by version as Placement's
 * handler shapes it: allocation requests as a list of providers before 1.12 and keyed by
 * provider after, mappings from 1.34; summaries with the requested classes only before
 * 1.27 (every class after), traits from 1.17, parent and root uuids from 1.29.
 * Objects are filled in place (no entry lists): a body holds every listed provider's summary.
 */
export function renderCandidates(result: CandidateResult, request: CandidateRequest, minor: number): Json {
  const allocationRequests: Json[] = [];
  for (const areq of result.allocationRequests) {
    // Per provider, its classes in the order the request lists them.
    const byProvider: { [uuid: string]: JsonObject } = {};
    for (const r of areq.resources) {
      const resources = byProvider[r.providerUuid] ?? {};
      resources[r.resourceClass] = r.amount;
      byProvider[r.providerUuid] = resources;
    }
    if (minor < 12) {
      const allocations: Json[] = [];
      for (const uuid in byProvider) allocations.push({ resource_provider: { uuid }, resources: byProvider[uuid]! });
      allocationRequests.push({ allocations });
      continue;
    }
    const allocations: JsonObject = {};
    for (const uuid in byProvider) allocations[uuid] = { resources: byProvider[uuid]! };
    const out: JsonObject = { allocations };
    if (minor >= 34) out.mappings = Object.fromEntries(areq.mappings);
    allocationRequests.push(out);
  }
  const requested = minor >= 27 ? null : new Set(request.groups.flatMap((g) => g.resources.map(([c]) => c)));
  const summaries: JsonObject = {};
  for (const s of result.providerSummaries) {
    const resources: JsonObject = {};
    for (const r of s.resources)
      if (requested === null || requested.has(r.resourceClass))
        resources[r.resourceClass] = { capacity: r.capacity, used: r.used };
    const summary: JsonObject = { resources };
    if (minor >= 17) summary.traits = s.traits;
    if (minor >= 29) {
      summary.parent_provider_uuid = s.parentUuid;
      summary.root_provider_uuid = s.rootUuid;
    }
    summaries[s.uuid] = summary;
  }
  return { allocation_requests: allocationRequests, provider_summaries: summaries };
}
