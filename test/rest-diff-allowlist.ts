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
      "Placement's JSON validation detail ends with python's repr of the failing schema and instance " +
      "(\"Failed validating 'required' in schema: {'additionalProperties': False, …}\"); ours gives the same " +
      'message up to there and no python dict dump.',
    matches(_call, difference) {
      if (!/^body\.errors\[\d+\]\.detail$/.test(difference.where)) return false;
      const placement = schemaMessage(difference.placement);
      return placement !== null && placement === schemaMessage(difference.ours);
    },
  },
];
