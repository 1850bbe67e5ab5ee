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

export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
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
      '(research_context.limit_results), an order that follows the generated uuids: two real Placements given ' +
      'the same calls list allocation_requests in different orders (test/rest-pair.test.ts), so which ones a ' +
      'limit keeps is not comparable. The counts must match: as many allocation requests and provider summaries.',
    matches(call, difference, result) {
      if (!call.path.startsWith('/allocation_candidates?') || !/[?&]limit=/.test(call.path)) return false;
      if (!/^body\.(allocation_requests|provider_summaries)\b/.test(difference.where)) return false;
      const sizes = (body: unknown) => {
        const record = (body ?? {}) as { allocation_requests?: unknown[]; provider_summaries?: object };
        return [record.allocation_requests?.length, Object.keys(record.provider_summaries ?? {}).length];
      };
      const [a, b] = [sizes(result.placement.body), sizes(result.ours.body)];
      return result.placement.status === 200 && a[0] === b[0] && a[1] === b[1];
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
