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

const placementRequestSchema = z
  .object({
    resources: distinctResourceAmounts(50),
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
    inTree: uuidString.nullish(),
    cell: uuidString.nullish(),
  })
  .superRefine((request, ctx) => {
    const required = new Set(request.requiredTraits ?? []);
    (request.forbiddenTraits ?? []).forEach((t, i) => {
      if (required.has(t)) {
        ctx.addIssue({
          code: 'custom',
          path: ['forbiddenTraits', i],
          message: `${t} is both required and forbidden`,
          params: { rule: 'not-also-required' },
        });
      }
    });
  });

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

/** A request with every name resolved to ids; unknown classes, traits, cells, trees are errors. */
export interface ResolvedRequest {
  request: PlacementRequest;
  classIds: number[];
  classNames: string[];
  amounts: number[];
  requiredTraitIds: number[];
  forbiddenTraitIds: number[];
  anyOfTraitIds: number[][];
  memberOf: string[][];
  forbiddenAggregates: string[];
  cellId: number | null;
  inTreeRootId: number | null;
  sharingTraitId: number;
  /** Whether any provider has a parent or the sharing trait; without either, only flat candidates exist. */
  nested: boolean;
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
  const required = request.requiredTraits ?? [];
  const forbidden = request.forbiddenTraits ?? [];
  const anyOf = request.anyOfTraits ?? [];
  const traitNames = [...new Set([...required, ...forbidden, ...anyOf.flat(), STANDARD_TRAIT_SHARING])];
  return {
    sql: REQUEST_LOOKUP_SQL,
    values: [
      request.resources.map((r) => r.resourceClass),
      traitNames,
      request.cell ?? null,
      request.inTree ?? null,
      STANDARD_TRAIT_SHARING,
    ],
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
  const classNames = request.resources.map((r) => r.resourceClass);
  const required = request.requiredTraits ?? [];
  const forbidden = request.forbiddenTraits ?? [];
  const anyOf = request.anyOfTraits ?? [];
  const classIds = new Map((row.classes ?? []).map((c) => [c.name, c.id]));
  const traitIdByName = new Map((row.traits ?? []).map((t) => [t.name, t.id]));
  const classId = (name: string, i: number) => {
    const id = classIds.get(name);
    if (id === undefined) throw new NotFoundError('ResourceClass', name, `${prefix}.resources[${i}].resourceClass`);
    return id;
  };
  const traitId = (name: string, field: string) => {
    const id = traitIdByName.get(name);
    if (id === undefined) throw new NotFoundError('Trait', name, field);
    return id;
  };
  const resolvedClassIds = classNames.map(classId);
  const requiredTraitIds = required.map((t, i) => traitId(t, `${prefix}.requiredTraits[${i}]`));
  const forbiddenTraitIds = forbidden.map((t, i) => traitId(t, `${prefix}.forbiddenTraits[${i}]`));
  const anyOfTraitIds = anyOf.map((group, g) => group.map((t, i) => traitId(t, `${prefix}.anyOfTraits[${g}][${i}]`)));
  if (request.cell && row.cell === null) throw new NotFoundError('Cell', request.cell, `${prefix}.cell`);
  if (request.inTree && row.root === null)
    throw new NotFoundError('ResourceProvider', request.inTree, `${prefix}.inTree`);
  return {
    request,
    classIds: resolvedClassIds,
    classNames,
    amounts: request.resources.map((r) => r.amount),
    requiredTraitIds,
    forbiddenTraitIds,
    anyOfTraitIds,
    memberOf: request.memberOf ?? [],
    forbiddenAggregates: request.forbiddenAggregates ?? [],
    cellId: row.cell,
    inTreeRootId: row.root,
    sharingTraitId: traitId(STANDARD_TRAIT_SHARING, 'catalogue'),
    nested: row.nested,
  };
}
