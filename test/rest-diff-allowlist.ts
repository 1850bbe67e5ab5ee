/**
 * Differences from the real Placement 8.0 that the differential test (test/rest-diff.test.ts)
 * accepts, each with its reason. The test prints this list and how often each entry matched;
 * every other difference fails it. Keep entries narrow: match the call and the difference,
 * never a whole endpoint.
 */
import type { Difference, PairResult, RestCall } from './support/rest-pair.js';

export interface AllowedDifference {
  id: string;
  reason: string;
  matches(call: RestCall, difference: Difference, result: PairResult): boolean;
}

const SCHEMA_TAIL = /\s+Failed validating[\s\S]*$/;

/** Placement's detail up to python's repr of the schema (`…JSON does not validate: 'name' is a required property`). */
function schemaMessage(detail: unknown): string | null {
  if (typeof detail !== 'string' || !detail.includes('JSON does not validate: ')) return null;
  return detail.replace(SCHEMA_TAIL, '').trimEnd();
}

interface LimitedAnswer {
  requests: number;
  summaries: number;
  /** Whether the summaries are exactly the providers of the used trees; null when roots are not shown (< 1.14). */
  trees: boolean | null;
}

/** An allocation_candidates body seen as a limit shapes it (both allocation_requests forms). */
function limitedAnswer(body: unknown): LimitedAnswer {
  const record = (body ?? {}) as {
    allocation_requests?: { allocations: Record<string, unknown> | { resource_provider: { uuid: string } }[] }[];
    provider_summaries?: Record<string, { root_provider_uuid?: string }>;
  };
  const requests = record.allocation_requests ?? [];
  const summaries = record.provider_summaries ?? {};
  const used = requests.flatMap((request) =>
    Array.isArray(request.allocations)
      ? request.allocations.map((allocation) => allocation.resource_provider.uuid)
      : Object.keys(request.allocations),
  );
  const entries = Object.entries(summaries);
  if (entries.some(([, summary]) => summary.root_provider_uuid === undefined))
    return { requests: requests.length, summaries: entries.length, trees: null };
  const usedRoots = new Set(used.map((uuid) => summaries[uuid]?.root_provider_uuid));
  const summaryRoots = new Set(entries.map(([, summary]) => summary.root_provider_uuid));
  const trees =
    !usedRoots.has(undefined) &&
    usedRoots.size === summaryRoots.size &&
    [...usedRoots].every((root) => summaryRoots.has(root));
  return { requests: requests.length, summaries: entries.length, trees };
}

/** The names of a "No such trait A, B" / "No such trait(s): A, B." detail, sorted, with the text around them. */
function missingTraits(detail: unknown): { text: string; names: string } | null {
  if (typeof detail !== 'string') return null;
  const match = /^([\s\S]*No such trait(?:\(s\):)? )([A-Za-z0-9_, ]+?)(\.?\s*)$/.exec(detail);
  if (match === null) return null;
  const names = (match[2] ?? '').split(', ').sort().join(', ');
  return { text: `${match[1]}<names>${match[3]}`, names };
}

export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
  {
    id: 'missing-traits-order',
    reason:
      'Placement names the unknown traits of a request in the order of a python set (set(asked) - set(found) in ' +
      'handlers/trait.py), which follows string hashes randomised per process: two runs of Placement disagree. ' +
      'The same names, in any order, and the same text around them must match.',
    matches(_call, difference) {
      if (!/^body\.errors\[\d+\]\.detail$/.test(difference.where)) return false;
      const [a, b] = [missingTraits(difference.placement), missingTraits(difference.ours)];
      return a !== null && b !== null && a.text === b.text && a.names === b.names;
    },
  },
  {
    id: 'jsonschema-repr',
    reason:
      "Placement's JSON validation detail ends with python's pprint of the failing schema and instance " +
      "(\"Failed validating 'required' in schema: {…} On instance: {…}\"); pprint sorts an instance's keys, and " +
      'keys that are generated provider uuids sort differently on each server. The message up to there must match.',
    matches(_call, difference) {
      if (!/^body\.errors\[\d+\]\.detail$/.test(difference.where)) return false;
      const placement = schemaMessage(difference.placement);
      return placement !== null && placement === schemaMessage(difference.ours);
    },
  },
  {
    id: 'candidates-limit-choice',
    reason:
      'With limit below the number of candidates Placement keeps the first ones in the order it built them ' +
      '(research_context.limit_results), and it builds them in a python set of AllocationRequest objects whose ' +
      'hashes mix resource class strings (randomised per process): two real Placements given the same calls ' +
      'keep different ones (test/rest-pair.test.ts). So which candidates a limit keeps is not comparable, and ' +
      'neither is the number of provider summaries (Placement keeps every provider of the kept trees). Must ' +
      'match: the number of allocation requests, and on each side the summaries are exactly the providers ' +
      'of the trees its allocation requests use (before 1.14, which shows no roots: the same number of summaries).',
    matches(call, difference, result) {
      if (!call.path.startsWith('/allocation_candidates?') || !/[?&]limit=/.test(call.path)) return false;
      if (!/^body\.(allocation_requests|provider_summaries)\b/.test(difference.where)) return false;
      if (result.placement.status !== 200 || result.ours.status !== 200) return false;
      const [placement, ours] = [limitedAnswer(result.placement.body), limitedAnswer(result.ours.body)];
      if (placement.requests !== ours.requests) return false;
      // A provider both sides summarise must be summarised alike.
      const summary = /^body\.provider_summaries\.[^.]+(.*)$/.exec(difference.where);
      if (summary && (summary[1] !== '' || (difference.placement !== undefined && difference.ours !== undefined)))
        return false;
      if (placement.trees === null || ours.trees === null) return placement.summaries === ours.summaries;
      return placement.trees && ours.trees;
    },
  },
  {
    id: 'inventory-values-engine-refuses',
    reason:
      'Inventory values Placement takes and our engine refuses on purpose (docs/SEMANTICS.md "Placement REST API"): ' +
      'allocation_ratio 0 (1.26+) or above 10000, min_unit above max_unit. Both APIs share one state, and the ' +
      "database's positive-ratio check and GraphQL's inventory contract stay. Ours answers 400 \"Bad inventory " +
      '<class> for resource provider <uuid>: <field> …" where Placement writes the inventory; only that call.',
    matches(call, _difference, result) {
      const write =
        (call.method === 'PUT' || call.method === 'POST') &&
        (/^\/resource_providers\/[^/]+\/inventories(\/[^/?]+)?$/.test(call.path) || call.path === '/reshaper');
      if (!write || result.ours.status !== 400 || ![200, 201, 204].includes(result.placement.status)) return false;
      const detail = (result.ours.body as { errors?: { detail?: string }[] } | null)?.errors?.[0]?.detail ?? '';
      return /Bad inventory \S+ for resource provider \S+: (allocation_ratio|min_unit) /.test(detail);
    },
  },
  {
    id: 'inventory-duplicate-database-text',
    reason:
      "A second POST of one class to a provider's inventories: both answer 409 placement.concurrent_update, but " +
      "Placement's detail quotes its database driver's IntegrityError (SQLite's text here; MySQL's differs), " +
      'which no client can rely on. Status and code must match.',
    matches(call, difference, result) {
      if (call.method !== 'POST' || !/^\/resource_providers\/[^/]+\/inventories$/.test(call.path)) return false;
      if (!/^body\.errors\[0\]\.detail$/.test(difference.where)) return false;
      const code = (body: unknown) => (body as { errors?: { code?: string }[] } | null)?.errors?.[0]?.code;
      return (
        result.placement.status === 409 &&
        result.ours.status === 409 &&
        code(result.placement.body) === code(result.ours.body) &&
        String(difference.placement).includes('IntegrityError')
      );
    },
  },
  {
    id: 'placement-isolate-shared-class-aliasing',
    reason:
      'With group_policy=isolate, when the unnumbered group and a numbered group ask for the same class, Placement ' +
      '8.0 (and master) reuses allocation request rows across combinations: copy_arr_if_needed copies a row only for ' +
      "group_policy=none, so _consolidate_allocation_requests adds one group's amount into the row another " +
      'combination still holds. Its answer then lists amounts larger than asked (FPGA 2 on a provider of 1) and ' +
      'drops valid combinations. Ours lists every valid combination with the amounts asked (a Placement bug, not ' +
      "copied: a client claiming Placement's inflated request gets a 409).",
    matches(call, difference, result) {
      if (call.method !== 'GET' || !call.path.startsWith('/allocation_candidates?')) return false;
      if (!/^body\.(allocation_requests|provider_summaries)\b/.test(difference.where)) return false;
      if (result.placement.status !== 200 || result.ours.status !== 200) return false;
      const query = new URLSearchParams(call.path.slice(call.path.indexOf('?') + 1));
      if (query.get('group_policy') !== 'isolate') return false;
      const classes = (value: string | null) => (value ?? '').split(',').map((r) => r.split(':')[0]);
      const unnumbered = new Set(classes(query.get('resources')).filter((c) => c !== ''));
      return [...query.keys()].some(
        (key) => /^resources[_0-9a-zA-Z-]+$/.test(key) && classes(query.get(key)).some((c) => unnumbered.has(c)),
      );
    },
  },
];
