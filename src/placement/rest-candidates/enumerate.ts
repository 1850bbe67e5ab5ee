import { capacityViolation, type InventoryState, unitViolation } from '../fit.js';
import type { CandidateGroup, CandidateRequest } from './request.js';
import type { World, WorldProvider } from './world.js';

/**
 * Placement's enumeration (placement/objects/allocation_candidate.py), host by host: every
 * group gets its list of partial allocation requests anchored at the host, the lists are
 * multiplied, and each combination that passes group_policy, same_subtree and the summed
 * capacity check is one allocation request. Placement lists every combination; so do we.
 */

/** A partial or merged allocation request: rows by provider id, and which providers serve each suffix. */
export interface Areq {
  rows: { providerId: number; resourceClass: string; amount: number }[];
  mappings: Map<string, Set<number>>;
}

export interface EnumerationContext {
  world: World;
  request: CandidateRequest;
  /** Class ids by name: Placement multiplies the unnumbered group's classes in id order. */
  classIds: Map<string, number>;
  /** The root of each group's in_tree provider (absent: no in_tree). */
  inTreeRoots: Map<string, number>;
}

/** An amount a provider can take on its own: the one fit rule. */
function fits(p: WorldProvider, resourceClass: string, amount: number): boolean {
  const inv = p.inventories.get(resourceClass);
  return inv !== undefined && unitViolation(inv, amount) === null && capacityViolation(inv, amount) === null;
}

const hasAllOf = (have: Set<string>, anyOf: string[][]) => anyOf.every((set) => set.some((x) => have.has(x)));
const hasAnyOf = (have: Set<string>, names: string[]) => names.some((x) => have.has(x));

/** Sharing provider id → the roots it anchors (roots of providers sharing one of its aggregates), within the world. */
function sharingAnchors(world: World): Map<number, Set<number>> {
  const rootsByAggregate = new Map<string, Set<number>>();
  for (const p of world.providers.values()) {
    for (const a of p.aggregates) {
      const roots = rootsByAggregate.get(a) ?? new Set<number>();
      roots.add(p.rootId);
      rootsByAggregate.set(a, roots);
    }
  }
  const out = new Map<number, Set<number>>();
  for (const id of world.sharingIds) {
    const anchors = new Set<number>();
    for (const a of world.providers.get(id)!.aggregates) for (const r of rootsByAggregate.get(a) ?? []) anchors.add(r);
    out.set(id, anchors);
  }
  return out;
}

function* product<T>(lists: T[][]): Generator<T[]> {
  if (lists.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = lists;
  for (const item of first!) for (const tail of product(rest)) yield [item, ...tail];
}

export class Enumeration {
  private readonly anchorsOf: Map<number, Set<number>>;
  private readonly treeOf = new Map<number, WorldProvider[]>();
  private readonly numberedCount: number;

  constructor(private readonly ctx: EnumerationContext) {
    this.anchorsOf = sharingAnchors(ctx.world);
    for (const p of ctx.world.providers.values()) {
      const tree = this.treeOf.get(p.rootId) ?? [];
      tree.push(p);
      this.treeOf.set(p.rootId, tree);
    }
    this.numberedCount = ctx.request.groups.filter((g) => g.suffix !== '').length;
  }

  /** root_required: the anchor's own traits. */
  private anchorOk(rootId: number): boolean {
    const root = this.ctx.world.providers.get(rootId);
    if (!root) return false;
    const { rootRequired, rootForbidden } = this.ctx.request;
    return rootRequired.every((t) => root.traits.has(t)) && !hasAnyOf(root.traits, rootForbidden);
  }

  private anchors(p: WorldProvider): Set<number> {
    return this.anchorsOf.get(p.id) ?? new Set();
  }

  /** Whether `p` alone serves group `g` (Placement's get_provider_ids_matching). */
  private servesAlone(p: WorldProvider, g: CandidateGroup): boolean {
    if (g.resources.length === 0) {
      // Without resources only a positive filter selects providers; in_tree does not apply.
      if (g.requiredTraits.length === 0 && g.memberOf.length === 0) return false;
    } else {
      const treeRoot = this.ctx.inTreeRoots.get(g.suffix);
      if (treeRoot !== undefined && p.rootId !== treeRoot) return false;
      if (!g.resources.every(([c, amount]) => fits(p, c, amount))) return false;
    }
    return (
      hasAllOf(p.traits, g.requiredTraits) &&
      !hasAnyOf(p.traits, g.forbiddenTraits) &&
      hasAllOf(p.aggregates, g.memberOf) &&
      !hasAnyOf(p.aggregates, g.forbiddenAggregates)
    );
  }

  /** Single-provider requests for a group at one anchor: its tree's providers, and sharing providers anchored there. */
  private singleProvider(g: CandidateGroup, anchor: number): Areq[] {
    if (!this.anchorOk(anchor)) return [];
    const out: Areq[] = [];
    const add = (p: WorldProvider) =>
      out.push({
        rows: g.resources.map(([resourceClass, amount]) => ({ providerId: p.id, resourceClass, amount })),
        mappings: new Map([[g.suffix, new Set([p.id])]]),
      });
    for (const p of this.treeOf.get(anchor) ?? []) if (this.servesAlone(p, g)) add(p);
    for (const id of this.ctx.world.sharingIds) {
      const s = this.ctx.world.providers.get(id)!;
      if (s.rootId !== anchor && this.anchors(s).has(anchor) && this.servesAlone(s, g)) add(s);
    }
    return out;
  }

  /** The unnumbered group when trees or sharing exist: one provider per class from the tree or a sharing partner. */
  private multipleProviders(g: CandidateGroup, anchor: number): Areq[] {
    if (g.resources.length === 0 || !this.anchorOk(anchor)) return [];
    const world = this.ctx.world;
    const root = world.providers.get(anchor)!;
    const treeRoot = this.ctx.inTreeRoots.get(g.suffix);
    if (treeRoot !== undefined && treeRoot !== anchor) return [];
    const perClass: { resourceClass: string; amount: number; providers: WorldProvider[] }[] = [];
    for (const [resourceClass, amount] of g.resources) {
      const found = new Map<number, WorldProvider>();
      for (const p of this.treeOf.get(anchor) ?? []) if (fits(p, resourceClass, amount)) found.set(p.id, p);
      if (treeRoot === undefined) {
        for (const id of world.sharingIds) {
          const s = world.providers.get(id)!;
          if (g.memberOf.length > 0 && !hasAllOf(s.aggregates, g.memberOf)) continue;
          if (this.anchors(s).has(anchor) && fits(s, resourceClass, amount)) found.set(s.id, s);
        }
      }
      // Aggregates on the root span the tree: the provider or its anchor must be in them.
      const providers = [...found.values()].filter(
        (p) =>
          (g.memberOf.length === 0 || hasAllOf(p.aggregates, g.memberOf) || hasAllOf(root.aggregates, g.memberOf)) &&
          !hasAnyOf(p.aggregates, g.forbiddenAggregates) &&
          !hasAnyOf(root.aggregates, g.forbiddenAggregates),
      );
      if (providers.length === 0) return [];
      perClass.push({ resourceClass, amount, providers });
    }
    const classId = (c: string) => this.ctx.classIds.get(c) ?? Number.MAX_SAFE_INTEGER;
    perClass.sort((a, b) => classId(a.resourceClass) - classId(b.resourceClass));
    const out: Areq[] = [];
    const seen = new Set<string>();
    for (const combo of product(perClass.map((c) => c.providers))) {
      // The combination's providers together carry the required traits; none has a forbidden one.
      // Only providers that give a resource count, not the root or a sibling (Placement's
      // _check_traits_for_alloc_request, the same whether the database has trees, sharing or both).
      // Placement then keeps a combination of sharing providers alone at one anchor only (a set of
      // anchor-blind AllocationRequests, picked by id hash order): not followed, see docs/SEMANTICS.md.
      const traits = new Set<string>();
      let forbidden = false;
      for (const p of combo) {
        if (hasAnyOf(p.traits, g.forbiddenTraits)) forbidden = true;
        for (const t of p.traits) traits.add(t);
      }
      if (forbidden || !hasAllOf(traits, g.requiredTraits)) continue;
      const areq: Areq = {
        rows: combo.map((p, i) => ({
          providerId: p.id,
          resourceClass: perClass[i]!.resourceClass,
          amount: perClass[i]!.amount,
        })),
        mappings: new Map([[g.suffix, new Set(combo.map((p) => p.id))]]),
      };
      const key = areqKey(areq);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(areq);
      }
    }
    return out;
  }

  private groupAt(g: CandidateGroup, anchor: number): Areq[] {
    const { world } = this.ctx;
    const single = g.suffix !== '' || !(world.hasTrees || world.hasSharing);
    return single ? this.singleProvider(g, anchor) : this.multipleProviders(g, anchor);
  }

  /** Every allocation request anchored at `anchor`, in product order. */
  *at(anchor: number): Generator<Areq> {
    const lists: Areq[][] = [];
    for (const g of this.ctx.request.groups) {
      const list = this.groupAt(g, anchor);
      if (list.length === 0) return;
      lists.push(list);
    }
    for (const combo of product(lists)) {
      if (!this.satisfiesPolicy(combo) || !this.satisfiesSameSubtree(combo)) continue;
      const merged = consolidate(combo);
      if (this.exceedsCapacity(merged)) continue;
      yield merged;
    }
  }

  private satisfiesPolicy(combo: Areq[]): boolean {
    if (this.ctx.request.groupPolicy !== 'isolate') return true;
    const providers = new Set<number>();
    for (const areq of combo)
      for (const [suffix, ids] of areq.mappings) if (suffix !== '') for (const id of ids) providers.add(id);
    return providers.size === this.numberedCount;
  }

  private satisfiesSameSubtree(combo: Areq[]): boolean {
    for (const suffixes of this.ctx.request.sameSubtrees) {
      const ids = new Set<number>();
      for (const areq of combo) for (const s of suffixes) for (const id of areq.mappings.get(s) ?? []) ids.add(id);
      if (!this.inOneSubtree(ids)) return false;
    }
    return true;
  }

  /** Placement's _check_same_subtree: one of the providers is an ancestor (or itself) of all the others. */
  private inOneSubtree(ids: Set<number>): boolean {
    if (ids.size <= 1) return true;
    const chains = [...ids].map((id) => this.ancestorsOf(id));
    return [...ids].some((id) => chains.every((chain) => chain.has(id)));
  }

  /** A provider and every provider above it. */
  private ancestorsOf(id: number): Set<number> {
    const out = new Set<number>();
    let p = this.ctx.world.providers.get(id);
    while (p) {
      out.add(p.id);
      p = p.parentId === null ? undefined : this.ctx.world.providers.get(p.parentId);
    }
    return out;
  }

  /**
   * Placement's final check on the merged request: used + amount ≤ capacity and amount ≤
   * max_unit per (provider, class). It does not re-check min_unit and step_size on a sum
   * (docs/SEMANTICS.md, "Placement REST API").
   */
  private exceedsCapacity(areq: Areq): boolean {
    return areq.rows.some((row) => {
      const inv: InventoryState | undefined = this.ctx.world.providers
        .get(row.providerId)!
        .inventories.get(row.resourceClass);
      return inv === undefined || capacityViolation(inv, row.amount) !== null || row.amount > inv.maxUnit;
    });
  }
}

/** Sums rows of the same provider and class; unions mappings (Placement's _consolidate_allocation_requests). */
function consolidate(areqs: Areq[]): Areq {
  const rows = new Map<string, { providerId: number; resourceClass: string; amount: number }>();
  const mappings = new Map<string, Set<number>>();
  for (const areq of areqs) {
    for (const row of areq.rows) {
      const key = `${row.providerId}:${row.resourceClass}`;
      const existing = rows.get(key);
      if (existing) existing.amount += row.amount;
      else rows.set(key, { ...row });
    }
    for (const [suffix, ids] of areq.mappings) {
      const set = mappings.get(suffix) ?? new Set<number>();
      for (const id of ids) set.add(id);
      mappings.set(suffix, set);
    }
  }
  return { rows: [...rows.values()], mappings };
}

/** Placement compares allocation requests as sets of rows plus mappings. */
export function areqKey(areq: Areq): string {
  const rows = areq.rows.map((r) => `${r.providerId}:${r.resourceClass}:${r.amount}`).sort();
  const mappings = [...areq.mappings].map(([s, ids]) => `${s}=${[...ids].sort((a, b) => a - b).join(',')}`).sort();
  return `${rows.join(' ')}|${mappings.join(' ')}`;
}
