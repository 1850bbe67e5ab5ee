import type { CandidateRequest, CandidateResult } from '../../placement/rest-candidates/index.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The response body of GET /allocation_candidates, shaped by version as Placement's
 * handler shapes it: allocation requests as a list of providers before 1.12 and keyed by
 * provider after, mappings from 1.34; summaries with the requested classes only before
 * 1.27 (every class after), traits from 1.17, parent and root uuids from 1.29.
 */
export function renderCandidates(result: CandidateResult, request: CandidateRequest, minor: number): Json {
  const allocationRequests = result.allocationRequests.map((areq) => {
    const byProvider = new Map<string, { [rc: string]: number }>();
    for (const r of areq.resources) {
      const resources = byProvider.get(r.providerUuid) ?? {};
      resources[r.resourceClass] = r.amount;
      byProvider.set(r.providerUuid, resources);
    }
    if (minor < 12)
      return {
        allocations: [...byProvider].map(([uuid, resources]) => ({ resource_provider: { uuid }, resources })),
      };
    const out: { [key: string]: Json } = {
      allocations: Object.fromEntries([...byProvider].map(([uuid, resources]) => [uuid, { resources }])),
    };
    if (minor >= 34) out.mappings = Object.fromEntries(areq.mappings);
    return out;
  });
  const requested = new Set(request.groups.flatMap((g) => g.resources.map(([c]) => c)));
  const summaries: { [uuid: string]: Json } = {};
  for (const s of result.providerSummaries) {
    const summary: { [key: string]: Json } = {
      resources: Object.fromEntries(
        s.resources
          .filter((r) => minor >= 27 || requested.has(r.resourceClass))
          .map((r) => [r.resourceClass, { capacity: r.capacity, used: r.used }]),
      ),
    };
    if (minor >= 17) summary.traits = s.traits;
    if (minor >= 29) {
      summary.parent_provider_uuid = s.parentUuid;
      summary.root_provider_uuid = s.rootUuid;
    }
    summaries[s.uuid] = summary;
  }
  return { allocation_requests: allocationRequests, provider_summaries: summaries };
}
