import { z } from 'zod';
import { LATEST_VERSION, VERSION_BEHAVIOUR } from '../versions.js';
import { STANDARD_TRAIT_SHARING } from './catalogue.js';
import { NotFoundError } from './errors.js';
import { prepared, type Queryable } from './transactions.js';
import { distinctResourceAmounts, parseInput, referenceName, uuidString } from './validation.js';

/** The engine's candidate limits come from the version behaviour table: its largest cap, the latest default. */
export const MAX_LIMIT = Math.max(...Object.values(VERSION_BEHAVIOUR).map((b) => b.candidateMaxLimit));
export const DEFAULT_LIMIT = VERSION_BEHAVIOUR[LATEST_VERSION].candidateDefaultLimit;

export type Weigher = 'SPREAD' | 'PACK';

/** Trait and aggregate filters: the unnumbered group's (checked on the host) and each group's (on its provider). */
const filterFields = {
  requiredTraits: z.array(referenceName('trait')).max(100).nullish(),
  forbiddenTraits: z.array(referenceName('trait')).max(100).nullish(),
  anyOfTraits: z
    .array(z.array(referenceName('trait')).min(1, { message: 'an any-of group needs at least one trait' }).max(100))
    .max(20)
    .nullish(),
  memberOf: z
    .array(z.array(uuidString).min(1, { message: 'a memberOf group needs at least one aggregate' }).max(100))
    .max(20)
    .nullish(),
  forbiddenAggregates: z.array(uuidString).max(100).nullish(),
};

/** Group names: what mappings and sameSubtree call a group ('' is the unnumbered group's, as in Placement). */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_GROUPS = 32;

const requestGroupSchema = z.object({
  name: z.string().regex(GROUP_NAME_PATTERN, { message: 'letters, digits, _ and -, 1 to 64 characters' }),
  /** Empty: a resourceless group, which needs a provider with its traits or aggregates. */
  resources: distinctResourceAmounts(50, 0),
  ...filterFields,
});
export type RequestGroupInput = z.output<typeof requestGroupSchema>;

type IssueSink = z.RefinementCtx;

/** A trait both required and forbidden in one place can never match. */
function refuseRequiredAndForbidden(
  ctx: IssueSink,
  path: (string | number)[],
  required: readonly string[] | null | undefined,
  forbidden: readonly string[] | null | undefined,
  forbiddenField: string,
) {
  const wanted = new Set(required ?? []);
  (forbidden ?? []).forEach((t, i) => {
    if (wanted.has(t))
      ctx.addIssue({
        code: 'custom',
        path: [...path, forbiddenField, i],
        message: `${t} is both required and forbidden`,
        params: { rule: 'not-also-required' },
      });
  });
}

const placementRequestSchema = z
  .object({
    // Empty only when a group carries resources (checked below).
    resources: distinctResourceAmounts(50, 0),
    ...filterFields,
    inTree: uuidString.nullish(),
    cell: uuidString.nullish(),
    groups: z
      .array(requestGroupSchema)
      .max(MAX_GROUPS, { message: `at most ${MAX_GROUPS} groups` })
      .nullish(),
    groupPolicy: z.enum(['NONE', 'ISOLATE']).nullish(),
    sameSubtree: z
      .array(z.array(z.string()).min(1, { message: 'name at least one group' }).max(MAX_GROUPS))
      .max(20)
      .nullish(),
    rootRequiredTraits: z.array(referenceName('trait')).max(100).nullish(),
    rootForbiddenTraits: z.array(referenceName('trait')).max(100).nullish(),
  })
  .superRefine((request, ctx) => {
    const groups = request.groups ?? [];
    if (request.resources.length === 0 && !groups.some((g) => g.resources.length > 0))
      ctx.addIssue({
        code: 'custom',
        path: ['resources'],
        message: groups.length > 0 ? 'list at least one resource (here or in a group)' : 'list at least one resource',
        params: { rule: 'min:1' },
      });
    refuseRequiredAndForbidden(ctx, [], request.requiredTraits, request.forbiddenTraits, 'forbiddenTraits');
    refuseRequiredAndForbidden(ctx, [], request.rootRequiredTraits, request.rootForbiddenTraits, 'rootForbiddenTraits');
    checkGroups(request, ctx);
  });

/** Group rules: unique names, a policy for two or more, known names in sameSubtree, resourceless groups that select something. */
function checkGroups(
  request: { groups?: RequestGroupInput[] | null; groupPolicy?: string | null; sameSubtree?: string[][] | null },
  ctx: IssueSink,
) {
  const groups = request.groups ?? [];
  const names = new Set<string>();
  groups.forEach((g, i) => {
    if (names.has(g.name))
      ctx.addIssue({
        code: 'custom',
        path: ['groups', i, 'name'],
        message: `group ${g.name} is named twice`,
        params: { rule: 'unique' },
      });
    names.add(g.name);
    const selects = (g.requiredTraits?.length ?? 0) + (g.anyOfTraits?.length ?? 0) + (g.memberOf?.length ?? 0) > 0;
    if (g.resources.length === 0 && !selects)
      ctx.addIssue({
        code: 'custom',
        path: ['groups', i],
        message: 'a group without resources needs requiredTraits, anyOfTraits or memberOf to select its provider',
        params: { rule: 'resourceless-needs-trait' },
      });
    refuseRequiredAndForbidden(ctx, ['groups', i], g.requiredTraits, g.forbiddenTraits, 'forbiddenTraits');
  });
  if (groups.length >= 2 && !request.groupPolicy)
    ctx.addIssue({
      code: 'custom',
      path: ['groupPolicy'],
      message: 'is required with two or more groups (NONE or ISOLATE)',
      params: { rule: 'required-with-groups' },
    });
  (request.sameSubtree ?? []).forEach((list, i) => {
    const seen = new Set<string>();
    list.forEach((name, j) => {
      if (!names.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['sameSubtree', i, j],
          message: `${name} is not a group of this request`,
          params: { rule: 'known-group' },
        });
      else if (seen.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['sameSubtree', i, j],
          message: `${name} is listed twice`,
          params: { rule: 'unique' },
        });
      seen.add(name);
    });
  });
}

export type PlacementRequestInput = z.input<typeof placementRequestSchema>;
export type PlacementRequest = z.output<typeof placementRequestSchema>;

export function parsePlacementRequest(raw: unknown, prefix = 'request'): PlacementRequest {
  return parseInput(placementRequestSchema, raw, prefix);
}

/** A count from 1 to `max`; absent means `fallback`. */
const countUpTo = (max: number) =>
  z
    .number()
    .int({ message: 'must be a whole number' })
    .min(1, { message: 'must be at least 1' })
    .max(max, { message: `must be at most ${max}` })
    .nullish();

/** `bounds` narrows the engine's default and maximum (an API version's own numbers). */
export function parseLimit(
  limit: number | null | undefined,
  field = 'limit',
  bounds: { defaultLimit: number; maxLimit: number } = { defaultLimit: DEFAULT_LIMIT, maxLimit: MAX_LIMIT },
): number {
  return parseInput(countUpTo(Math.min(bounds.maxLimit, MAX_LIMIT)), limit, field) ?? bounds.defaultLimit;
}

export function parseHostSubsetSize(size: number | null | undefined, field = 'hostSubsetSize'): number {
  return parseInput(countUpTo(MAX_LIMIT), size, field) ?? 1;
}

/** What the unnumbered group and each numbered group resolve to: classes, amounts and filters, by id. */
export interface ResolvedFilters {
  classIds: number[];
  classNames: string[];
  amounts: number[];
  requiredTraitIds: number[];
  forbiddenTraitIds: number[];
  anyOfTraitIds: number[][];
  memberOf: string[][];
  forbiddenAggregates: string[];
}

/** A request with every name resolved to ids; unknown classes, traits, cells, trees are errors. */
export interface ResolvedRequest extends ResolvedFilters {
  request: PlacementRequest;
  cellId: number | null;
  inTreeRootId: number | null;
  sharingTraitId: number;
  /** Traits checked on the host besides the unnumbered group's (rootRequiredTraits, rootForbiddenTraits). */
  rootRequiredTraitIds: number[];
  rootForbiddenTraitIds: number[];
  /** The numbered groups, in request order; empty for a request without groups. */
  groups: ResolvedGroup[];
  groupPolicy: 'NONE' | 'ISOLATE';
  /** sameSubtree lists as indexes into `groups`. */
  sameSubtree: number[][];
  /** Whether any provider has a parent or the sharing trait; without either, only flat candidates exist. */
  nested: boolean;
}

/** A numbered group with its names resolved: served wholly by one provider, which its filters are checked on. */
export interface ResolvedGroup extends ResolvedFilters {
  name: string;
}

/** What the name-resolving query answers for one request (see requestLookup). */
export interface RequestLookupRow {
  classes: { id: number; name: string }[] | null;
  traits: { id: number; name: string }[] | null;
  cell: number | null;
  root: number | null;
  nested: boolean;
}

/**
 * The query that resolves every name of a request, as SQL text that never changes (so it
 * is prepared once per connection) and its five values. Callers that need more facts in
 * the same round trip (claims: does the consumer exist, was the key used) select from it.
 */
export function requestLookup(request: PlacementRequest): { sql: string; values: unknown[] } {
  const filters = [request, ...(request.groups ?? [])];
  const traitNames = [
    ...new Set([
      ...filters.flatMap((f) => [
        ...(f.requiredTraits ?? []),
        ...(f.forbiddenTraits ?? []),
        ...(f.anyOfTraits ?? []).flat(),
      ]),
      ...(request.rootRequiredTraits ?? []),
      ...(request.rootForbiddenTraits ?? []),
      STANDARD_TRAIT_SHARING,
    ]),
  ];
  const classNames = [...new Set(filters.flatMap((f) => f.resources.map((r) => r.resourceClass)))];
  return {
    sql: REQUEST_LOOKUP_SQL,
    values: [classNames, traitNames, request.cell ?? null, request.inTree ?? null, STANDARD_TRAIT_SHARING],
  };
}

const REQUEST_LOOKUP_SQL = `SELECT (SELECT json_agg(json_build_object('id', id, 'name', name)) FROM resource_classes WHERE name = ANY($1::text[])) AS classes,
            (SELECT json_agg(json_build_object('id', id, 'name', name)) FROM traits WHERE name = ANY($2::text[])) AS traits,
            (SELECT id FROM cells WHERE uuid = $3::uuid) AS cell,
            (SELECT root_provider_id FROM resource_providers WHERE uuid = $4::uuid) AS root,
            EXISTS (SELECT 1 FROM resource_providers WHERE parent_provider_id IS NOT NULL)
              OR EXISTS (SELECT 1 FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE t.name = $5) AS nested`;

/** Resolves every name in one round trip; the first unknown one is a NotFound naming its field. */
export async function resolveRequest(
  db: Queryable,
  request: PlacementRequest,
  prefix = 'request',
): Promise<ResolvedRequest> {
  const lookup = requestLookup(request);
  const { rows } = await db.query<RequestLookupRow>(prepared(lookup.sql, lookup.values));
  return resolvedFrom(request, rows[0]!, prefix);
}

/** The request with its names replaced by the looked-up ids; the first unknown name is a NotFound naming its field. */
export function resolvedFrom(request: PlacementRequest, row: RequestLookupRow, prefix = 'request'): ResolvedRequest {
  const classIdByName = new Map((row.classes ?? []).map((c) => [c.name, c.id]));
  const traitIdByName = new Map((row.traits ?? []).map((t) => [t.name, t.id]));
  const classId = (name: string, field: string) => {
    const id = classIdByName.get(name);
    if (id === undefined) throw new NotFoundError('ResourceClass', name, field);
    return id;
  };
  const traitId = (name: string, field: string) => {
    const id = traitIdByName.get(name);
    if (id === undefined) throw new NotFoundError('Trait', name, field);
    return id;
  };
  const traitList = (names: readonly string[] | null | undefined, field: string) =>
    (names ?? []).map((t, i) => traitId(t, `${field}[${i}]`));
  const filtersOf = (f: RequestGroupInput | PlacementRequest, at: string): ResolvedFilters => ({
    classNames: f.resources.map((r) => r.resourceClass),
    classIds: f.resources.map((r, i) => classId(r.resourceClass, `${at}.resources[${i}].resourceClass`)),
    amounts: f.resources.map((r) => r.amount),
    requiredTraitIds: traitList(f.requiredTraits, `${at}.requiredTraits`),
    forbiddenTraitIds: traitList(f.forbiddenTraits, `${at}.forbiddenTraits`),
    anyOfTraitIds: (f.anyOfTraits ?? []).map((group, g) => traitList(group, `${at}.anyOfTraits[${g}]`)),
    memberOf: f.memberOf ?? [],
    forbiddenAggregates: f.forbiddenAggregates ?? [],
  });
  const unnumbered = filtersOf(request, prefix);
  const groups = (request.groups ?? []).map((g, i) => ({ name: g.name, ...filtersOf(g, `${prefix}.groups[${i}]`) }));
  const rootRequiredTraitIds = traitList(request.rootRequiredTraits, `${prefix}.rootRequiredTraits`);
  const rootForbiddenTraitIds = traitList(request.rootForbiddenTraits, `${prefix}.rootForbiddenTraits`);
  if (request.cell && row.cell === null) throw new NotFoundError('Cell', request.cell, `${prefix}.cell`);
  if (request.inTree && row.root === null)
    throw new NotFoundError('ResourceProvider', request.inTree, `${prefix}.inTree`);
  const groupIndex = new Map(groups.map((g, i) => [g.name, i]));
  return {
    request,
    ...unnumbered,
    cellId: row.cell,
    inTreeRootId: row.root,
    sharingTraitId: traitId(STANDARD_TRAIT_SHARING, 'catalogue'),
    rootRequiredTraitIds,
    rootForbiddenTraitIds,
    groups,
    groupPolicy: request.groupPolicy ?? 'NONE',
    sameSubtree: (request.sameSubtree ?? []).map((list) => list.map((name) => groupIndex.get(name)!)),
    nested: row.nested,
  };
}
