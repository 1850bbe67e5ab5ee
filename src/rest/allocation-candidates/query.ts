import type { CandidateGroup, CandidateRequest, GroupPolicy } from '../../placement/rest-candidates/index.js';
import { ErrorCode, RestError } from '../errors.js';
import { isUuidLike } from '../json-schema.js';
import { pyValueRepr } from '../pformat.js';
import { memberOfValues, requiredValues, resourcesParam } from '../query.js';
import { queryValidationError } from './query-schema.js';

/**
 * The GET /allocation_candidates query string parsed as Placement 8.0 parses it
 * (placement/lib.py RequestGroup.dict_from_request and RequestWideParams.from_request,
 * placement/util.py normalize_*), version by version, with its error texts and codes.
 */

/** A 400 with Placement's text and code. */
const badQuery = (detail: string, code: ErrorCode = ErrorCode.DEFAULT) => new RestError(400, detail, { code });
const BAD_VALUE = ErrorCode.QUERYPARAM_BAD_VALUE;
const MISSING_VALUE = ErrorCode.QUERYPARAM_MISSING_VALUE;
const DUPLICATE_KEY = ErrorCode.ILLEGAL_DUPLICATE_QUERYPARAM;
const pyList = (items: string[]) => pyValueRepr(items);

const KEY = (pat: string) => new RegExp(`^(resources|required|member_of|in_tree)(${pat})?$`);
const KEY_PATTERN = KEY('[1-9][0-9]*');
const KEY_PATTERN_1_33 = KEY('[a-zA-Z0-9_-]{1,64}');

/** `entries`: the decoded query pairs in order; `minor`: the microversion 1.minor (≥ 10). */
export function parseCandidateQuery(entries: [string, string][], minor: number): CandidateRequest {
  const last = new Map<string, string>();
  for (const [k, v] of entries) last.set(k, v);
  const invalid = queryValidationError(last, minor);
  if (invalid !== null) throw badQuery(`Invalid query string parameters: ${invalid}`);
  const all = (key: string) => entries.filter(([k]) => k === key).map(([, v]) => v);

  const limitValues = all('limit');
  const limit = limitValues.length > 0 ? Number.parseInt(limitValues[0]!, 10) : null;
  const policyValues = all('group_policy');
  const groupPolicy = policyValues.length > 0 ? (policyValues[0] as GroupPolicy) : null;
  const { rootRequired, rootForbidden } = parseRootRequired(all('root_required'));
  const sameSubtrees = all('same_subtree').map((value) => {
    const suffixes = [...new Set(value.split(',').map((s) => s.trim()))];
    if (suffixes.includes(''))
      throw badQuery('Empty string (unsuffixed group) can not be specified in `same_subtree` ', BAD_VALUE);
    return suffixes;
  });

  const groups = parseGroups(entries, minor, all);
  const bySuffix = new Map(groups.map((g) => [g.suffix, g]));
  if (minor >= 36) {
    const resourceless = groups.filter((g) => g.resources.length === 0).map((g) => g.suffix);
    const inSubtrees = new Set(sameSubtrees.flat());
    if (resourceless.length === groups.length)
      throw badQuery('There must be at least one resources or resources[$S] parameter.', MISSING_VALUE);
    const bad = resourceless.filter((s) => !inSubtrees.has(s));
    if (bad.length > 0)
      throw badQuery(
        `Resourceless suffixed group request should be specified in \`same_subtree\` query param: bad group(s) - ${pyList(bad)}.`,
        BAD_VALUE,
      );
    const unknown = [...inSubtrees].filter((s) => !bySuffix.has(s));
    if (unknown.length > 0)
      throw badQuery(
        `Real suffixes should be specified in \`same_subtree\`: ${pyList(unknown)} not found in ${pyList([...bySuffix.keys()])}.`,
        BAD_VALUE,
      );
  } else {
    checkOrphans(groups);
  }
  if (minor >= 22) checkForbidden(groups);
  if (groupPolicy === null && groups.filter((g) => g.suffix !== '').length > 1)
    throw badQuery('The "group_policy" parameter is required when specifying more than one "resources{N}" parameter.');
  return { groups, limit, groupPolicy, rootRequired, rootForbidden, sameSubtrees, nestedAware: minor >= 29 };
}

function parseRootRequired(values: string[]): { rootRequired: string[]; rootForbidden: string[] } {
  if (values.length === 0) return { rootRequired: [], rootForbidden: [] };
  if (values.length > 1) throw badQuery("Query parameter 'root_required' may be specified only once.", DUPLICATE_KEY);
  const { required, forbidden } = requiredValues([values[0]!], { forbidden: true, anyOf: false });
  const rootRequired = [...new Set(required.map((set) => set[0]!))];
  const conflicts = forbidden.filter((t) => rootRequired.includes(t));
  if (conflicts.length > 0)
    throw badQuery(
      `Conflicting required and forbidden traits found in root_required: ${conflicts.sort().join(', ')}`,
      BAD_VALUE,
    );
  return { rootRequired, rootForbidden: forbidden };
}

/** Groups in the order their suffix first appears; each key's values as Placement reads them. */
function parseGroups(entries: [string, string][], minor: number, all: (key: string) => string[]): CandidateGroup[] {
  const pattern = minor >= 33 ? KEY_PATTERN_1_33 : KEY_PATTERN;
  const groups = new Map<string, CandidateGroup>();
  for (const [key, value] of entries) {
    const match = pattern.exec(key);
    if (!match) continue;
    const prefix = match[1]!;
    const suffix = match[2] ?? '';
    let group = groups.get(suffix);
    if (!group) {
      group = {
        suffix,
        resources: [],
        requiredTraits: [],
        forbiddenTraits: [],
        memberOf: [],
        forbiddenAggregates: [],
        inTree: null,
      };
      groups.set(suffix, group);
    }
    if (prefix === 'resources') group.resources = [...resourcesParam(value)];
    else if (prefix === 'required') {
      const { required, forbidden } = requiredValues(all(key), { forbidden: minor >= 22, anyOf: minor >= 39 });
      group.requiredTraits = required;
      group.forbiddenTraits = forbidden;
    } else if (prefix === 'member_of') {
      const { required, forbidden } = memberOfValues(
        all(key),
        { multiple: minor >= 24, forbidden: minor >= 32 },
        suffix,
      );
      group.memberOf = required;
      group.forbiddenAggregates = forbidden;
    } else {
      const tree = value.trim();
      if (!isUuidLike(tree))
        throw badQuery(
          `Invalid query string parameters: Expected 'in_tree' parameter to be a format of uuid. Got: ${value}`,
        );
      group.inTree = tree;
    }
  }
  return [...groups.values()];
}

/** Before 1.36 every group needs resources (RequestGroup._check_for_orphans). */
function checkOrphans(groups: CandidateGroup[]): void {
  const traitOrphans = groups.filter((g) => g.requiredTraits.length > 0 && g.resources.length === 0);
  if (traitOrphans.length > 0)
    throw badQuery(
      `All traits parameters must be associated with resources.  Found the following orphaned traits keys: ${traitOrphans.map((g) => `required${g.suffix}`).join(', ')}`,
    );
  const aggOrphans = groups.filter(
    (g) => g.resources.length === 0 && (g.memberOf.length > 0 || g.forbiddenAggregates.length > 0),
  );
  if (aggOrphans.length > 0)
    throw badQuery(
      `All member_of parameters must be associated with resources. Found the following orphaned member_of keys: ${aggOrphans.map((g) => `member_of${g.suffix}`).join(', ')}`,
    );
  if (!groups.every((g) => g.resources.length > 0)) throw badQuery('All request groups must specify resources.');
  if (groups.length === 0) throw badQuery('At least one request group (`resources` or `resources{$S}`) is required.');
}

/** A required set whose every trait is also forbidden can never match (1.22+). */
function checkForbidden(groups: CandidateGroup[]): void {
  const conflicts: string[] = [];
  for (const g of groups)
    for (const anyOf of g.requiredTraits)
      if (anyOf.every((t) => g.forbiddenTraits.includes(t)))
        conflicts.push(`required${g.suffix}: (${[...anyOf].sort().join(', ')})`);
  if (conflicts.length > 0)
    throw badQuery(
      `Conflicting required and forbidden traits found in the following traits keys: ${conflicts.sort().join(', ')}`,
    );
}
