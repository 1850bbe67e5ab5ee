import { maxWeightAssignment } from './matching.js';

/**
 * The best assignment of a request's groups to one host's providers (its tree and the
 * root's sharing partners), found directly instead of enumerating every combination:
 * branch and bound over the groups, where each node's bound is a relaxation (ISOLATE:
 * a maximum-weight matching of the remaining numbered groups; otherwise each remaining
 * group on its own best provider). When the relaxation's own assignment is valid it is
 * the best below that node and the node closes; identical groups are placed in provider
 * order only. A host whose groups do not compete closes at the first node, so the work
 * follows providers × groups, not the number of combinations.
 */

export interface TreeInventory {
  capacity: number;
  used: number;
  minUnit: number;
  maxUnit: number;
  stepSize: number;
}

export interface TreeProvider {
  uuid: string;
  /** null for the root and for sharing providers (each its own subtree). */
  parentUuid: string | null;
  /** For the unnumbered group: 0 the root, 1 a descendant, 2 a sharing provider. */
  preference: number;
  traitIds: ReadonlySet<number>;
  aggregates: ReadonlySet<string>;
  inventories: ReadonlyMap<number, TreeInventory>;
}

/** Something placed on one provider: an unnumbered class, or a numbered group (possibly resourceless). */
export interface Demand {
  group: string;
  numbered: boolean;
  classIds: readonly number[];
  amounts: readonly number[];
  /** The group's trait and aggregate filters, on the serving provider. */
  accepts: (provider: TreeProvider) => boolean;
  /** Equal for demands that are interchangeable (same resources, filters and sameSubtree lists). */
  signature: string;
}

export interface AssignmentProblem {
  demands: readonly Demand[];
  providers: readonly TreeProvider[];
  isolate: boolean;
  /** Lists of demand indexes whose providers must lie in one subtree rooted at one of them. */
  sameSubtree: readonly (readonly number[])[];
}

export interface Assignment {
  /** The provider index of each demand. */
  providers: number[];
  /** Σ over the rows of (capacity − used) / capacity. */
  shareSum: number;
}

/** Share sums closer than this are equal (float noise of summing in another order; scores keep 12 decimals). */
const EPSILON = 1e-13;
/** Search nodes per host before the best assignment found so far is taken as the answer. */
const NODE_BUDGET = 200_000;

interface Option {
  provider: number;
  share: number;
  /** The unnumbered group's preference for this provider (0 for numbered groups): smaller is better, before any share. */
  preference: number;
}

export function freeShare(inventory: TreeInventory): number {
  return (inventory.capacity - inventory.used) / inventory.capacity;
}

/** Whether `amount` more on this inventory can still fit when more is added later (capacity and maxUnit only grow stricter). */
function roomFor(inventory: TreeInventory | undefined, load: number): boolean {
  return inventory !== undefined && inventory.used + load <= inventory.capacity && load <= inventory.maxUnit;
}

/** Whether the provider passes the demand's filters and has room for each of its amounts on its own. */
export function servesAlone(demand: Demand, provider: TreeProvider): boolean {
  return (
    demand.accepts(provider) &&
    demand.classIds.every((classId, c) => roomFor(provider.inventories.get(classId), demand.amounts[c]!))
  );
}

/** The one fit rule on a provider's total for a class: what the claim writes. */
export function fitsTotal(inventory: TreeInventory, total: number): boolean {
  return (
    inventory.used + total <= inventory.capacity &&
    total >= inventory.minUnit &&
    total <= inventory.maxUnit &&
    total % inventory.stepSize === 0
  );
}

/** Providers in `list` all lie in one subtree rooted at one of them. */
export function inOneSubtree(list: readonly TreeProvider[], byUuid: ReadonlyMap<string, TreeProvider>): boolean {
  const distinct = [...new Map(list.map((p) => [p.uuid, p])).values()];
  if (distinct.length <= 1) return true;
  const ancestorsOf = (p: TreeProvider) => {
    const out = new Set<string>();
    for (let at: TreeProvider | undefined = p; at; at = at.parentUuid ? byUuid.get(at.parentUuid) : undefined)
      out.add(at.uuid);
    return out;
  };
  const sets = distinct.map(ancestorsOf);
  return distinct.some((candidate) => sets.every((ancestors) => ancestors.has(candidate.uuid)));
}

/** An assignment's worth, lexicographic: the unnumbered preferences' sum (smaller first), then the share sum. */
interface Key {
  preference: number;
  share: number;
}

function add(key: Key, option: Option): void {
  key.preference += option.preference;
  key.share += option.share;
}

/** Whether `a` is strictly better than `b` (shares within EPSILON are equal). */
function better(a: Key, b: Key): boolean {
  if (a.preference !== b.preference) return a.preference < b.preference;
  return a.share > b.share + EPSILON;
}

class Search {
  private readonly order: number[];
  private readonly options: Option[][];
  /** For each position in `order`: the position of the previous interchangeable demand, or −1. */
  private readonly twinOf: number[];
  private readonly chosen: number[];
  /** Option index chosen at each position (for the twin rule). */
  private readonly chosenOption: number[];
  private readonly loads: Map<number, number>[];
  private readonly taken: Uint16Array;
  private readonly byUuid: Map<string, TreeProvider>;
  best: Assignment | null = null;
  private bestKey: Key = { preference: Number.POSITIVE_INFINITY, share: 0 };
  private nodes = 0;

  constructor(private readonly problem: AssignmentProblem) {
    const { demands, providers } = problem;
    this.byUuid = new Map(providers.map((p) => [p.uuid, p]));
    this.options = demands.map((d) => this.optionsOf(d));
    // Most constrained first; interchangeable demands next to each other.
    this.order = demands
      .map((_, i) => i)
      .sort(
        (a, b) =>
          this.options[a]!.length - this.options[b]!.length ||
          (demands[a]!.signature < demands[b]!.signature
            ? -1
            : demands[a]!.signature > demands[b]!.signature
              ? 1
              : 0) ||
          a - b,
      );
    this.twinOf = this.order.map((d, at) =>
      at > 0 && demands[d]!.numbered && demands[this.order[at - 1]!]!.signature === demands[d]!.signature ? at - 1 : -1,
    );
    this.chosen = new Array<number>(demands.length).fill(-1);
    this.chosenOption = new Array<number>(demands.length).fill(-1);
    this.loads = providers.map(() => new Map<number, number>());
    this.taken = new Uint16Array(providers.length);
  }

  private optionsOf(d: Demand): Option[] {
    const out: Option[] = [];
    this.problem.providers.forEach((p, index) => {
      if (!servesAlone(d, p)) return;
      const share = d.classIds.reduce((sum, classId) => sum + freeShare(p.inventories.get(classId)!), 0);
      out.push({ provider: index, share, preference: d.numbered ? 0 : p.preference });
    });
    // Best first; provider order breaks ties so the search is deterministic.
    return out.sort((a, b) => a.preference - b.preference || b.share - a.share || a.provider - b.provider);
  }

  run(): Assignment | null {
    if (this.options.some((o) => o.length === 0)) return null;
    this.visit(0, { preference: 0, share: 0 });
    return this.best;
  }

  /** Whether demand d can go on option o given what positions before it hold. */
  private canTake(d: number, o: Option): boolean {
    const demand = this.problem.demands[d]!;
    if (this.problem.isolate && demand.numbered && this.taken[o.provider]! > 0) return false;
    const provider = this.problem.providers[o.provider]!;
    const load = this.loads[o.provider]!;
    for (let c = 0; c < demand.classIds.length; c++) {
      const classId = demand.classIds[c]!;
      if (!roomFor(provider.inventories.get(classId), (load.get(classId) ?? 0) + demand.amounts[c]!)) return false;
    }
    return true;
  }

  private place(d: number, o: Option, sign: 1 | -1): void {
    const demand = this.problem.demands[d]!;
    const load = this.loads[o.provider]!;
    for (const [c, classId] of demand.classIds.entries())
      load.set(classId, (load.get(classId) ?? 0) + sign * demand.amounts[c]!);
    if (demand.numbered) this.taken[o.provider]! += sign;
    this.chosen[d] = sign > 0 ? o.provider : -1;
  }

  /** The relaxation below position `at`: each remaining demand's option (or null: nothing fits), and their summed key. */
  private relax(at: number): { picks: Map<number, Option>; key: Key } | null {
    const picks = new Map<number, Option>();
    const key: Key = { preference: 0, share: 0 };
    const matched: number[] = [];
    for (let i = at; i < this.order.length; i++) {
      const d = this.order[i]!;
      if (this.problem.isolate && this.problem.demands[d]!.numbered) {
        matched.push(d);
        continue;
      }
      const option = this.options[d]!.find((o) => this.canTake(d, o));
      if (!option) return null;
      picks.set(d, option);
      add(key, option);
    }
    if (matched.length > 0) {
      const columns = this.problem.providers.length;
      const weights = matched.map((d) => {
        const row = new Array<number | null>(columns).fill(null);
        for (const o of this.options[d]!) if (this.canTake(d, o)) row[o.provider] = o.share;
        return row;
      });
      const assignment = maxWeightAssignment(weights, columns);
      if (!assignment) return null;
      matched.forEach((d, i) => {
        const option = this.options[d]!.find((o) => o.provider === assignment[i])!;
        picks.set(d, option);
        add(key, option);
      });
    }
    return { picks, key };
  }

  private visit(at: number, key: Key): void {
    if (++this.nodes > NODE_BUDGET && this.best) return;
    const relaxed = this.relax(at);
    if (!relaxed) return;
    const bound = { preference: key.preference + relaxed.key.preference, share: key.share + relaxed.key.share };
    if (!better(bound, this.bestKey)) return;
    const completion = [...this.chosen];
    for (const [d, o] of relaxed.picks) completion[d] = o.provider;
    if (assignmentIsValid(this.problem, completion, this.byUuid)) {
      this.record(completion, bound);
      return;
    }
    if (at === this.order.length) return;
    const d = this.order[at]!;
    const twin = this.twinOf[at]!;
    const from = twin >= 0 ? this.chosenOption[this.order[twin]!]! : 0;
    const options = this.options[d]!;
    for (let i = from; i < options.length; i++) {
      const o = options[i]!;
      if (!this.canTake(d, o)) continue;
      this.place(d, o, 1);
      this.chosenOption[d] = i;
      this.visit(at + 1, { preference: key.preference + o.preference, share: key.share + o.share });
      this.place(d, o, -1);
      this.chosenOption[d] = -1;
    }
  }

  private record(completion: number[], key: Key): void {
    const shareSum = completion.reduce((sum, p, d) => {
      const demand = this.problem.demands[d]!;
      const provider = this.problem.providers[p]!;
      return sum + demand.classIds.reduce((s, classId) => s + freeShare(provider.inventories.get(classId)!), 0);
    }, 0);
    this.best = { providers: completion, shareSum };
    this.bestKey = key;
  }
}

/** Whether a complete assignment (a provider index per demand) satisfies every rule. */
export function assignmentIsValid(
  problem: AssignmentProblem,
  completion: readonly number[],
  byUuid: ReadonlyMap<string, TreeProvider> = new Map(problem.providers.map((p) => [p.uuid, p])),
): boolean {
  const totals = new Map<string, { inventory: TreeInventory; total: number }>();
  const numberedOn = new Set<number>();
  for (const [d, demand] of problem.demands.entries()) {
    const p = completion[d]!;
    const provider = problem.providers[p];
    if (!provider || !demand.accepts(provider)) return false;
    if (problem.isolate && demand.numbered) {
      if (numberedOn.has(p)) return false;
      numberedOn.add(p);
    }
    for (const [c, classId] of demand.classIds.entries()) {
      const inventory = provider.inventories.get(classId);
      if (!inventory) return false;
      const key = `${p}/${classId}`;
      const entry = totals.get(key) ?? { inventory, total: 0 };
      entry.total += demand.amounts[c]!;
      totals.set(key, entry);
    }
  }
  for (const { inventory, total } of totals.values()) if (!fitsTotal(inventory, total)) return false;
  return problem.sameSubtree.every((list) =>
    inOneSubtree(
      list.map((d) => problem.providers[completion[d]!]!),
      byUuid,
    ),
  );
}

/** The best valid assignment, or null when the host cannot take the request. */
export function bestAssignment(problem: AssignmentProblem): Assignment | null {
  return new Search(problem).run();
}
