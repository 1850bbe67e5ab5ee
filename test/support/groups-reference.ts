/**
 * A brute-force reference for granular request groups (GROUPS-SPEC, issue 11), written
 * from the spec and independent of the engine: for each host it enumerates EVERY assignment
 * (each unnumbered class and each numbered group → one provider of the host's tree or a
 * sharing partner of its root), keeps the valid ones, and picks the best by the spec's
 * lexicographic objective. `checkAssignment` is the validity rule itself, so it also judges
 * the assignment the engine chose.
 */
import { SHARING, type SnapInventory, type SnapProvider } from './placement-world.js';

export interface RefResource {
  resourceClass: string;
  amount: number;
}

/** The trait and aggregate filters a group (or the root) carries. */
export interface RefFilters {
  requiredTraits?: string[];
  forbiddenTraits?: string[];
  anyOfTraits?: string[][];
  memberOf?: string[][];
  forbiddenAggregates?: string[];
}

export interface RefGroup extends RefFilters {
  name: string;
  resources: RefResource[];
}

/** The engine's request with groups, as far as the reference reads it. */
export interface RefRequest extends RefFilters {
  resources: RefResource[];
  groups?: RefGroup[];
  groupPolicy?: 'NONE' | 'ISOLATE';
  sameSubtree?: string[][];
  rootRequiredTraits?: string[];
  rootForbiddenTraits?: string[];
}

/** One thing to place: an unnumbered class (group "") or a whole numbered group. */
export type Item =
  | { kind: 'class'; resourceClass: string; amount: number }
  | { kind: 'group'; group: RefGroup; index: number };

/** Which provider serves each item, in `items` order. */
export type Assignment = SnapProvider[];

export interface RefRow {
  group: string;
  providerUuid: string;
  resourceClass: string;
  amount: number;
  capacity: number;
  used: number;
}

export interface Objective {
  /** Σ over unnumbered rows of root 0 / descendant 1 / sharing 2: smaller is better. */
  preference: number;
  /** Σ over all rows of the free share before the claim: larger is better. */
  shares: number;
}

export interface RefCandidate extends Objective {
  uuid: string;
  /** Mean free share over the rows, rounded to 12 decimals. */
  score: number;
  rows: RefRow[];
  /** Assignments enumerated (the product of the items' options) and how many were valid. */
  enumerated: number;
  valid: number;
}

export const shareOf = (inv: SnapInventory) => (inv.capacity - inv.used) / inv.capacity;
export const round12 = (x: number) => Math.round(x * 1e12) / 1e12;

const fitsSum = (inv: SnapInventory, sum: number) =>
  inv.used + sum <= inv.capacity && sum >= inv.minUnit && sum <= inv.maxUnit && sum % inv.stepSize === 0;

/** The filters on one provider: required all, forbidden none, each anyOf list ≥ 1, each memberOf list ≥ 1, no forbidden aggregate. */
export function passesFilters(p: SnapProvider, f: RefFilters): boolean {
  return (
    (f.requiredTraits ?? []).every((t) => p.traits.has(t)) &&
    !(f.forbiddenTraits ?? []).some((t) => p.traits.has(t)) &&
    (f.anyOfTraits ?? []).every((list) => list.some((t) => p.traits.has(t))) &&
    (f.memberOf ?? []).every((list) => list.some((a) => p.aggregates.has(a))) &&
    !(f.forbiddenAggregates ?? []).some((a) => p.aggregates.has(a))
  );
}

/** The root filters: the unnumbered group's filters and rootRequired/rootForbidden, all on the host. */
export function passesRootFilters(root: SnapProvider, r: RefRequest): boolean {
  return (
    passesFilters(root, r) &&
    passesFilters(root, { requiredTraits: r.rootRequiredTraits, forbiddenTraits: r.rootForbiddenTraits })
  );
}

export function itemsOf(r: RefRequest): Item[] {
  return [
    ...r.resources.map((res): Item => ({ kind: 'class', ...res })),
    ...(r.groups ?? []).map((group, index): Item => ({ kind: 'group', group, index })),
  ];
}

/** One host as the reference sees it: its tree, its sharing partners, and ancestry. */
export class HostView {
  /** Tree members (root first), then sharing partners: every provider an item may go to. */
  readonly servers: SnapProvider[];
  private readonly serverIds: Set<number>;
  private readonly chains = new Map<number, Set<number>>();

  constructor(
    readonly root: SnapProvider,
    world: SnapProvider[],
  ) {
    const byId = new Map(world.map((p) => [p.id, p]));
    const members = world.filter((p) => p.rootId === root.id && p.id !== root.id);
    // outside the tree, with the sharing trait, in an aggregate with the root
    const partners = world.filter(
      (p) => p.rootId !== root.id && p.traits.has(SHARING) && [...p.aggregates].some((a) => root.aggregates.has(a)),
    );
    this.servers = [root, ...members, ...partners];
    this.serverIds = new Set(this.servers.map((p) => p.id));
    for (const p of [root, ...members]) {
      const chain = new Set<number>();
      for (let q: SnapProvider | undefined = p; q; q = q.parentId === null ? undefined : byId.get(q.parentId))
        chain.add(q.id);
      this.chains.set(p.id, chain);
    }
    // a sharing partner is its own root
    for (const p of partners) this.chains.set(p.id, new Set([p.id]));
  }

  serves(p: SnapProvider): boolean {
    return this.serverIds.has(p.id);
  }

  /** Ids of the provider's ancestors and itself, within the host's view. */
  ancestorsOrSelf(p: SnapProvider): Set<number> {
    return this.chains.get(p.id)!;
  }

  /** For an unnumbered class: root 0, descendant 1, sharing partner 2. */
  preferenceOf(p: SnapProvider): number {
    return p.id === this.root.id ? 0 : p.rootId === this.root.id ? 1 : 2;
  }
}

/** The rows an assignment writes, in the spec's order (unnumbered classes, then each group's classes). */
export function rowsOf(items: Item[], assignment: Assignment): RefRow[] {
  const rows: RefRow[] = [];
  items.forEach((item, i) => {
    const p = assignment[i]!;
    const resources =
      item.kind === 'class' ? [{ resourceClass: item.resourceClass, amount: item.amount }] : item.group.resources;
    const group = item.kind === 'class' ? '' : item.group.name;
    for (const { resourceClass, amount } of resources) {
      const inv = p.inventories.get(resourceClass);
      rows.push({
        group,
        providerUuid: p.uuid,
        resourceClass,
        amount,
        capacity: inv?.capacity ?? Number.NaN,
        used: inv?.used ?? Number.NaN,
      });
    }
  });
  return rows;
}

/**
 * Why an assignment of `items` on `root`'s host is invalid, or null when it is valid
 * (GROUPS-SPEC "Rules"). The root filters are the caller's (they do not depend on the assignment).
 */
export function checkAssignment(
  host: HostView,
  request: RefRequest,
  items: Item[],
  assignment: Assignment,
): string | null {
  if (assignment.length !== items.length) return `assignment of ${assignment.length} for ${items.length} items`;
  const sums = new Map<string, { provider: SnapProvider; resourceClass: string; sum: number }>();
  for (const [i, item] of items.entries()) {
    const p = assignment[i]!;
    if (!host.serves(p)) return `${p.uuid} is neither in the tree nor a sharing partner`;
    if (item.kind === 'group' && !passesFilters(p, item.group))
      return `group ${item.group.name}: traits/aggregates fail on ${p.uuid}`;
    const resources = item.kind === 'class' ? [item] : item.group.resources;
    for (const { resourceClass, amount } of resources) {
      if (!p.inventories.has(resourceClass)) return `${p.uuid} has no ${resourceClass}`;
      const key = `${p.id}/${resourceClass}`;
      const entry = sums.get(key) ?? { provider: p, resourceClass, sum: 0 };
      entry.sum += amount;
      sums.set(key, entry);
    }
  }
  for (const { provider, resourceClass, sum } of sums.values())
    if (!fitsSum(provider.inventories.get(resourceClass)!, sum))
      return `${sum} of ${resourceClass} does not fit on ${provider.uuid}`;
  const groupProvider = new Map<string, SnapProvider>();
  items.forEach((item, i) => {
    if (item.kind === 'group') groupProvider.set(item.group.name, assignment[i]!);
  });
  if (request.groupPolicy === 'ISOLATE') {
    const ids = [...groupProvider.values()].map((p) => p.id);
    if (new Set(ids).size !== ids.length) return 'ISOLATE: two groups on one provider';
  }
  for (const list of request.sameSubtree ?? []) {
    const set = [...new Map(list.map((name) => [groupProvider.get(name)!.id, groupProvider.get(name)!])).values()];
    const chains = set.map((p) => host.ancestorsOrSelf(p));
    if (!set.some((top) => chains.every((chain) => chain.has(top.id)))) return `sameSubtree ${list.join(',')}`;
  }
  return null;
}

export function objectiveOf(host: HostView, items: Item[], assignment: Assignment): Objective {
  let preference = 0;
  items.forEach((item, i) => {
    if (item.kind === 'class') preference += host.preferenceOf(assignment[i]!);
  });
  let shares = 0;
  for (const row of rowsOf(items, assignment)) shares += (row.capacity - row.used) / row.capacity;
  return { preference, shares };
}

/** Lexicographic: fewer preference points first, then more free share. Negative when `a` is better. */
export function compareObjectives(a: Objective, b: Objective): number {
  if (a.preference !== b.preference) return a.preference - b.preference;
  return b.shares - a.shares;
}

/**
 * Every provider an item could go to, narrowed only by conditions every valid assignment
 * meets (so no valid assignment is lost): a tree member or sharing partner, the group's
 * filters, an inventory of each class whose capacity and maxUnit admit at least this amount
 * (the merged sum is never smaller). minUnit and stepSize are NOT used here: they apply to the sum.
 */
function optionsOf(host: HostView, item: Item): SnapProvider[] {
  const resources = item.kind === 'class' ? [item] : item.group.resources;
  return host.servers.filter(
    (p) =>
      (item.kind === 'class' || passesFilters(p, item.group)) &&
      resources.every(({ resourceClass, amount }) => {
        const inv = p.inventories.get(resourceClass);
        return inv !== undefined && inv.used + amount <= inv.capacity && amount <= inv.maxUnit;
      }),
  );
}

/** The host's best valid assignment by brute force, or null when there is none (or the root filters fail). */
export function bestOnHost(host: HostView, request: RefRequest): RefCandidate | null {
  if (!passesRootFilters(host.root, request)) return null;
  const items = itemsOf(request);
  const options = items.map((item) => optionsOf(host, item));
  let best: { assignment: Assignment; objective: Objective } | null = null;
  let enumerated = 0;
  let valid = 0;
  const assignment: Assignment = [];
  const visit = (i: number): void => {
    if (i === items.length) {
      enumerated++;
      if (checkAssignment(host, request, items, assignment) !== null) return;
      valid++;
      const objective = objectiveOf(host, items, assignment);
      if (best === null || compareObjectives(objective, best.objective) < 0)
        best = { assignment: [...assignment], objective };
      return;
    }
    for (const p of options[i]!) {
      assignment[i] = p;
      visit(i + 1);
    }
    assignment.length = i;
  };
  visit(0);
  const found = best as { assignment: Assignment; objective: Objective } | null;
  if (found === null) return null;
  const rows = rowsOf(items, found.assignment);
  return {
    uuid: host.root.uuid,
    ...found.objective,
    score: round12(found.objective.shares / rows.length),
    rows,
    enumerated,
    valid,
  };
}

/** Every host of the world (each root), viewed once per world. */
export function hostViews(world: SnapProvider[]): HostView[] {
  return world.filter((p) => p.parentId === null).map((root) => new HostView(root, world));
}

/** Every candidate host, in weighed order: score (SPREAD highest, PACK lowest), then root uuid. */
export function referenceCandidates(
  hosts: HostView[],
  request: RefRequest,
  weigher: 'SPREAD' | 'PACK',
): RefCandidate[] {
  const candidates = hosts.map((host) => bestOnHost(host, request)).filter((c): c is RefCandidate => c !== null);
  return candidates.sort((a, b) => {
    if (a.score !== b.score) return weigher === 'PACK' ? a.score - b.score : b.score - a.score;
    return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
  });
}
