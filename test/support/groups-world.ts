import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { expect } from 'vitest';
import { setProviderAggregates } from '../../src/placement/aggregates.js';
import { writeAllocations } from '../../src/placement/allocations.js';
import type { Candidate } from '../../src/placement/candidates.js';
import { allocationRequestOf } from '../../src/placement/claims/index.js';
import { setInventories } from '../../src/placement/inventories.js';
import { createProvider } from '../../src/placement/providers.js';
import { createResourceClass } from '../../src/placement/resource-classes.js';
import { createTrait, setProviderTraits } from '../../src/placement/traits.js';

/**
 * Provider trees for the granular-group tests, built through the engine's own writes, and
 * the ways those tests read candidates back: by provider NAME, so an expectation reads like
 * Placement's gabbits (`numa1`, `pf1_1`) instead of uuids.
 */

/** An inventory: a total, or the full spec. */
export type InventorySpec =
  | number
  | {
      total: number;
      reserved?: number;
      minUnit?: number;
      maxUnit?: number;
      stepSize?: number;
      allocationRatio?: number;
    };

export interface NodeSpec {
  name: string;
  inventories?: Record<string, InventorySpec>;
  traits?: string[];
  /** Aggregate names (resolved to uuids per world). */
  aggregates?: string[];
  children?: NodeSpec[];
}

export interface World {
  /** name → uuid */
  uuid: (name: string) => string;
  /** uuid → name */
  name: (uuid: string) => string;
  /** aggregate name → uuid */
  aggregate: (name: string) => string;
  /** uuid → parent uuid (null for a root) */
  parentOf: Map<string, string | null>;
  /** Names of the providers in build order. */
  names: string[];
}

let serial = 0;
/**
 * Uuids rising in build order (one prefix per world), so roots tie-break in the order they
 * are listed: the weigher breaks ties on the root uuid.
 */
function nextUuid(prefix: string): string {
  serial += 1;
  return `${prefix}-0000-4000-8000-${serial.toString(16).padStart(12, '0')}`;
}

/** Custom traits and classes the worlds use; each created once per database. */
export async function createCatalogue(pool: pg.Pool, names: { traits?: string[]; classes?: string[] }): Promise<void> {
  for (const t of names.traits ?? []) await createTrait(pool, t);
  for (const c of names.classes ?? []) await createResourceClass(pool, c);
}

/** Builds every tree of `roots` (parents before children), in the order given. */
export async function buildWorld(pool: pg.Pool, roots: NodeSpec[]): Promise<World> {
  const prefix = randomUUID().slice(0, 8);
  const byName = new Map<string, string>();
  const byUuid = new Map<string, string>();
  const aggregates = new Map<string, string>();
  const parentOf = new Map<string, string | null>();
  const names: string[] = [];
  const aggregateUuid = (name: string) => {
    const known = aggregates.get(name);
    if (known) return known;
    const uuid = randomUUID();
    aggregates.set(name, uuid);
    return uuid;
  };
  const build = async (node: NodeSpec, parent: string | null): Promise<void> => {
    const uuid = nextUuid(prefix);
    const created = await createProvider(pool, {
      name: `${node.name}-${prefix}`,
      uuid,
      ...(parent ? { parentProviderUuid: parent } : {}),
    });
    let generation = created.generation;
    byName.set(node.name, uuid);
    byUuid.set(uuid, node.name);
    parentOf.set(uuid, parent);
    names.push(node.name);
    const inventories = Object.entries(node.inventories ?? {}).map(([resourceClass, spec]) =>
      typeof spec === 'number' ? { resourceClass, total: spec } : { resourceClass, ...spec },
    );
    if (inventories.length)
      generation = (await setInventories(pool, { providerUuid: uuid, generation, inventories })).provider.generation;
    if (node.traits?.length)
      generation = (await setProviderTraits(pool, { providerUuid: uuid, generation, traits: node.traits })).generation;
    if (node.aggregates?.length)
      await setProviderAggregates(pool, {
        providerUuid: uuid,
        generation,
        aggregates: node.aggregates.map(aggregateUuid),
      });
    for (const child of node.children ?? []) await build(child, uuid);
  };
  for (const root of roots) await build(root, null);
  const lookup = (map: Map<string, string>, what: string) => (key: string) => {
    const value = map.get(key);
    if (value === undefined) throw new Error(`no ${what} ${key} in this world`);
    return value;
  };
  return {
    uuid: lookup(byName, 'provider named'),
    name: lookup(byUuid, 'provider with uuid'),
    aggregate: (name) => aggregateUuid(name),
    parentOf,
    names,
  };
}

/** A new consumer holding `resources` on one provider (usage the fixtures start with). */
export async function use(pool: pg.Pool, providerUuid: string, resources: Record<string, number>): Promise<string> {
  const consumerUuid = randomUUID();
  await writeAllocations(pool, {
    consumers: [
      {
        consumerUuid,
        consumerGeneration: null,
        projectId: 'fixture',
        userId: 'fixture',
        allocations: [
          {
            providerUuid,
            resources: Object.entries(resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
          },
        ],
      },
    ],
  });
  return consumerUuid;
}

/** `provider-name/CLASS=amount` lines, sorted: an allocation request in a comparable form. */
export function lines(
  world: World,
  allocations: { providerUuid: string; resources: { resourceClass: string; amount: number }[] }[],
): string[] {
  return allocations
    .flatMap((a) => a.resources.map((r) => `${world.name(a.providerUuid)}/${r.resourceClass}=${r.amount}`))
    .sort();
}

/** mappings as { group: [provider names] }, in the engine's order. */
export function mappingNames(
  world: World,
  mappings: { group: string; providerUuids: string[] }[],
): Record<string, string[]> {
  return Object.fromEntries(mappings.map((m) => [m.group, m.providerUuids.map((u) => world.name(u))]));
}

/** A candidate as the tests compare it: host name, mappings and allocation by name, score. */
export interface Described {
  host: string;
  mappings: Record<string, string[]>;
  allocation: string[];
  score: number;
}

export function describeCandidate(world: World, candidate: Candidate): Described {
  return {
    host: world.name(candidate.rootUuid),
    mappings: mappingNames(world, candidate.mappings),
    allocation: lines(world, allocationRequestOf(candidate)),
    score: candidate.score,
  };
}

/** The score rule: the mean of the rows' free shares, rounded to 12 decimals. */
export function scoreOf(...shares: number[]): number {
  const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
  return Math.round(mean * 1e12) / 1e12;
}

/** A group of the request, as the tests write it. */
export interface GroupSpec {
  name: string;
  resources: { resourceClass: string; amount: number }[];
  requiredTraits?: string[];
  forbiddenTraits?: string[];
  anyOfTraits?: string[][];
  memberOf?: string[][];
  forbiddenAggregates?: string[];
}

export interface GroupedRequest {
  resources: { resourceClass: string; amount: number }[];
  groups?: GroupSpec[];
  groupPolicy?: 'NONE' | 'ISOLATE';
  sameSubtree?: string[][];
  requiredTraits?: string[];
  forbiddenTraits?: string[];
  rootRequiredTraits?: string[];
  rootForbiddenTraits?: string[];
  memberOf?: string[][];
  cell?: string;
}

/** `{ VCPU: 1, MEMORY_MB: 1024 }` → the request's resource list, in that order. */
export const res = (amounts: Record<string, number>) =>
  Object.entries(amounts).map(([resourceClass, amount]) => ({ resourceClass, amount }));

/**
 * What every grouped candidate must satisfy, whatever assignment was chosen (GROUPS-SPEC):
 * - serving rows: the unnumbered classes in request order (group ""), then each numbered
 *   group's classes in request order, each with the requested amount;
 * - a numbered group's rows all on its one mapped provider; the "" mapping lists the
 *   unnumbered rows' distinct providers in class order (absent when it has no resources);
 * - mappings list every numbered group in request order;
 * - the allocation request is the per-(provider, class) sum of the rows;
 * - the score is the rounded mean of the rows' free shares;
 * - ISOLATE: numbered groups on pairwise different providers;
 * - sameSubtree: one provider of each list's set is an ancestor-or-self of all of them.
 */
export function assertConsistent(world: World, request: GroupedRequest, candidate: Candidate): void {
  const groups = request.groups ?? [];
  const expectedRows = [
    ...request.resources.map((r) => ({ group: '', resourceClass: r.resourceClass, amount: r.amount })),
    ...groups.flatMap((g) =>
      g.resources.map((r) => ({ group: g.name, resourceClass: r.resourceClass, amount: r.amount })),
    ),
  ];
  expect(
    candidate.serving.map((s) => ({ group: s.group, resourceClass: s.resourceClass, amount: s.amount })),
    'serving rows in request order',
  ).toEqual(expectedRows);
  const unnumberedProviders = [...new Set(candidate.serving.filter((s) => s.group === '').map((s) => s.providerUuid))];
  const expectedGroups = [...(request.resources.length ? [''] : []), ...groups.map((g) => g.name)];
  expect(
    candidate.mappings.map((m) => m.group),
    'mappings: "" first when it has resources, then every numbered group in request order',
  ).toEqual(expectedGroups);
  const mapped = new Map(candidate.mappings.map((m) => [m.group, m.providerUuids]));
  if (request.resources.length) expect(mapped.get(''), 'the "" mapping').toEqual(unnumberedProviders);
  for (const g of groups) {
    const providers = mapped.get(g.name)!;
    expect(providers, `group ${g.name} on one provider`).toHaveLength(1);
    for (const row of candidate.serving.filter((s) => s.group === g.name))
      expect(world.name(row.providerUuid), `group ${g.name}'s ${row.resourceClass} on its mapped provider`).toBe(
        world.name(providers[0]!),
      );
  }
  const sums = new Map<string, number>();
  for (const s of candidate.serving) {
    const key = `${world.name(s.providerUuid)}/${s.resourceClass}`;
    sums.set(key, (sums.get(key) ?? 0) + s.amount);
  }
  expect(lines(world, allocationRequestOf(candidate)), 'allocation request = per-(provider, class) sums').toEqual(
    [...sums].map(([k, v]) => `${k}=${v}`).sort(),
  );
  if (candidate.serving.length)
    expect(candidate.score, 'score = mean free share of the rows').toBeCloseTo(
      scoreOf(...candidate.serving.map((s) => (s.capacity - s.used) / s.capacity)),
      11,
    );
  const groupProviders = groups.map((g) => mapped.get(g.name)![0]!);
  if (request.groupPolicy === 'ISOLATE')
    expect(new Set(groupProviders).size, 'ISOLATE: numbered groups on different providers').toBe(groups.length);
  for (const list of request.sameSubtree ?? []) {
    const set = [...new Set(list.map((name) => mapped.get(name)![0]!))];
    const anchor = set.find((p) => set.every((q) => isAncestorOrSelf(world, p, q)));
    expect(anchor, `sameSubtree ${list.join(',')}: one provider above all of ${set.map(world.name)}`).toBeDefined();
  }
}

export function isAncestorOrSelf(world: World, ancestor: string, of: string): boolean {
  for (let p: string | null | undefined = of; p; p = world.parentOf.get(p)) if (p === ancestor) return true;
  return false;
}
