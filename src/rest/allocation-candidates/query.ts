import type { CandidateGroup, CandidateRequest, GroupPolicy } from '../../placement/rest-candidates/index.js';
import { ErrorCode, RestError } from '../errors.js';
import { pyValueRepr } from '../pformat.js';
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

/** oslo's is_uuid_like: 32 hex digits once 'urn:', 'uuid:', outer braces and dashes are dropped. */
export function isUuidLike(value: string): boolean {
  const bare = value
    .replaceAll('urn:', '')
    .replaceAll('uuid:', '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replaceAll('-', '');
  return /^[0-9a-fA-F]{32}$/.test(bare);
}

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
  const { required, forbidden } = parseTraits(values[0]!, true, false);
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
    if (prefix === 'resources') group.resources = parseResources(value);
    else if (prefix === 'required') {
      const { required, forbidden } = parseRequiredParams(all(key), minor);
      group.requiredTraits = required;
      group.forbiddenTraits = forbidden;
    } else if (prefix === 'member_of') {
      const { required, forbidden } = parseMemberOfParams(all(key), minor, suffix);
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

const RESOURCES_FORM =
  'Badly formed resources parameter. Expected resources query string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024.';

/** util.normalize_resources_qs_param: a later amount of a class replaces an earlier one. */
function parseResources(value: string): [string, number][] {
  if (value.trim() === '') throw badQuery(`${RESOURCES_FORM} Got: empty string.`);
  const amounts = new Map<string, number>();
  for (const part of value.split(',')) {
    const pieces = part.split(':');
    if (pieces.length !== 2) throw badQuery(`${RESOURCES_FORM} Got: ${part}.`);
    const [name, raw] = pieces as [string, string];
    const amount = pythonInt(raw);
    if (amount === null) throw badQuery(`Requested resource ${name} expected positive integer amount. Got: ${raw}.`);
    if (amount < 1) throw badQuery(`Requested resource ${name} requires amount >= 1. Got: ${amount}.`);
    amounts.set(name, amount);
  }
  return [...amounts];
}

/** Python's int(str): optional sign, digits and underscores between digits, surrounding whitespace. */
function pythonInt(raw: string): number | null {
  const text = raw.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(text)) return null;
  return Number.parseInt(text.replace(/_/g, ''), 10);
}

/** util.normalize_traits_qs_params: before 1.39 only the last `required` counts. */
function parseRequiredParams(values: string[], minor: number): { required: string[][]; forbidden: string[] } {
  const anyTraits = minor >= 39;
  const used = anyTraits ? values : values.slice(-1);
  const required: string[][] = [];
  const forbidden = new Set<string>();
  for (const value of used) {
    const parsed = parseTraits(value, minor >= 22, anyTraits);
    required.push(...parsed.required);
    for (const t of parsed.forbidden) forbidden.add(t);
  }
  return { required, forbidden: [...forbidden] };
}

/** util.normalize_traits_qs_param: `A,!B` or (1.39+) `in:A,B`. */
function parseTraits(
  value: string,
  allowForbidden: boolean,
  allowAny: boolean,
): { required: string[][]; forbidden: string[] } {
  if (value.startsWith('in:')) {
    if (!allowAny)
      throw badQuery(
        `Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39. Got: ${value}`,
      );
    const anyOf = [
      ...new Set(
        value
          .slice(3)
          .split(',')
          .map((s) => s.trim()),
      ),
    ];
    if (anyOf.some((t) => t === ''))
      throw badQuery(
        `Invalid query string parameters: Expected 'required' parameter value of the form: in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: ${value}`,
      );
    if (anyOf.some((t) => t.startsWith('!')))
      throw badQuery(
        `Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' does not support forbidden traits. Got: ${value}`,
      );
    return { required: [anyOf], forbidden: [] };
  }
  const traits = value.split(',').map((s) => s.trim());
  const forbidden = [...new Set(traits.filter((t) => t.startsWith('!')).map((t) => t.replace(/^!+/, '')))];
  if ([...forbidden, ...traits].some((t) => t === '')) {
    const form = allowForbidden ? 'HW_CPU_X86_VMX,!CUSTOM_MAGIC' : 'HW_CPU_X86_VMX,CUSTOM_MAGIC';
    throw badQuery(
      `Invalid query string parameters: Expected 'required' parameter value of the form: ${form}. Got an empty trait in: ${value}`,
    );
  }
  if (forbidden.length > 0 && !allowForbidden)
    throw badQuery(
      `Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: ${value}`,
    );
  return { required: traits.filter((t) => !t.startsWith('!')).map((t) => [t]), forbidden };
}

/** util.normalize_member_of_qs_params: several from 1.24, forbidden (`!`) from 1.32. */
function parseMemberOfParams(
  values: string[],
  minor: number,
  suffix: string,
): { required: string[][]; forbidden: string[] } {
  if (minor < 24 && values.length > 1) throw badQuery(`Multiple member_of${suffix} parameters are not supported`);
  const required: string[][] = [];
  const forbidden = new Set<string>();
  for (const value of values) {
    if (value.includes(',') && !(value.startsWith('in:') || value.startsWith('!in:')))
      throw badQuery(
        `Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword using the valid microversion. Got: ${value}`,
      );
    let req: string[] = [];
    let forb: string[] = [];
    if (value.startsWith('!in:')) forb = value.slice(4).split(',');
    else if (value.startsWith('!')) forb = [value.slice(1)];
    else if (value.startsWith('in:')) req = value.slice(3).split(',');
    else req = [value];
    for (const uuid of [...req, ...forb])
      if (!isUuidLike(uuid))
        throw badQuery(
          `Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: ${uuid}`,
        );
    if (req.length > 0) required.push([...new Set(req)]);
    if (forb.length > 0) {
      if (minor < 32)
        throw badQuery(`Forbidden member_of${suffix} parameters are not supported in the specified microversion`);
      for (const f of forb) forbidden.add(f);
    }
  }
  return { required, forbidden: [...forbidden] };
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
