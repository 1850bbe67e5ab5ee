/**
 * GET /allocation_candidates with sharing providers and traits, against the real Placement 8.0.
 *
 * Placement checks the unnumbered group's required and forbidden traits per combination of
 * providers (allocation_candidate._check_traits_for_alloc_request): the providers that give
 * the group's resources together carry every required trait, none of them a forbidden one; a
 * root or sibling that gives nothing does not count. REST does the same (enumerate.ts
 * multipleProviders): every case of the first block is answered identically.
 *
 * One difference is kept and pinned down exactly (the ONE_ANCHOR cases, docs/SEMANTICS.md):
 * when the unnumbered group is served by sharing providers alone, Placement keeps that part
 * (each distinct one) at ONE anchor only. Its per-anchor partial requests go into a Python
 * set (_alloc_candidates_multiple_providers) and AllocationRequest's __eq__/__hash__ ignore
 * the anchor, so the copies for the other anchors are dropped; the one kept is the first
 * tree in the iteration order of a set of (provider id, root id, class id) tuples: it
 * depends on internal ids (creation order), and may be the sharing provider's own root,
 * which no numbered group can join. REST lists the part at every anchor. The check:
 * Placement's answer is ours with each such part kept at one anchor (or none), every other
 * request and every summary of the kept trees equal.
 */
import { describe, expect, it } from 'vitest';
import { STANDARD_TRAIT_SHARING } from '../src/placement/catalogue.js';
import { uuidOf, type WorldSpec } from './support/candidate-world.js';
import { candidatesSides, type Json } from './support/candidates-sides.js';

interface CandidatesBody {
  allocation_requests: { allocations: Json; mappings?: Json }[];
  provider_summaries: { [uuid: string]: Json };
}

/** Lists sorted (their order is Placement's set order), keys sorted: JSON text compares. */
function stable(value: Json): Json {
  if (Array.isArray(value)) return value.map(stable).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, stable(value[k]!)]),
  );
}

/** Providers a request takes from: object form (1.12+) or list form (before). */
function providersOf(request: { allocations: Json }): string[] {
  const a = request.allocations;
  if (Array.isArray(a)) return a.map((row) => (row as { resource_provider: { uuid: string } }).resource_provider.uuid);
  return Object.keys(a as object);
}

/** The world's shape by uuid: each provider's root, and which providers share. */
function shapeOf(spec: WorldSpec) {
  const parent = new Map(spec.providers.map((p) => [p.name, p.parent]));
  const rootName = (name: string): string => {
    const up = parent.get(name);
    return up === undefined ? name : rootName(up);
  };
  const root = new Map(spec.providers.map((p) => [uuidOf(p.name), uuidOf(rootName(p.name))]));
  const sharing = new Set(
    spec.providers.filter((p) => p.traits?.includes(STANDARD_TRAIT_SHARING)).map((p) => uuidOf(p.name)),
  );
  return { root, sharing };
}

/**
 * Placement's answer, read from ours: each sharing-only unnumbered part (the sharing
 * providers a request takes from beside its own tree's) kept at one anchor, the root of the
 * request's other providers, or at none; the summaries of the trees the kept requests use.
 * Null when no choice of anchors gives Placement's requests.
 */
function oneAnchorEach(ours: CandidatesBody, theirs: CandidatesBody, spec: WorldSpec): CandidatesBody | null {
  const { root, sharing } = shapeOf(spec);
  const text = (r: Json) => JSON.stringify(stable(r));
  const partOf = (r: { allocations: Json }) => {
    const uuids = providersOf(r);
    const own = uuids.filter((u) => !sharing.has(u));
    const shared = uuids.filter((u) => sharing.has(u)).sort();
    return own.length === 0 || shared.length === 0 ? null : { key: shared.join(','), anchor: root.get(own[0]!)! };
  };
  const theirTexts = new Set(theirs.allocation_requests.map((r) => text(r as unknown as Json)));
  const byPart = new Map<string, Map<string, string[]>>();
  const kept: CandidatesBody['allocation_requests'] = [];
  for (const r of ours.allocation_requests) {
    const part = partOf(r);
    if (part === null) {
      kept.push(r);
      continue;
    }
    const anchors = byPart.get(part.key) ?? new Map<string, string[]>();
    anchors.set(part.anchor, [...(anchors.get(part.anchor) ?? []), text(r as unknown as Json)]);
    byPart.set(part.key, anchors);
  }
  for (const anchors of byPart.values()) {
    // Placement's requests with this part are all of ours at one anchor, or there are none.
    const present = [...anchors].filter(([, texts]) => texts.some((t) => theirTexts.has(t)));
    if (present.length > 1) return null;
    const [, texts] = present[0] ?? [null, []];
    for (const t of texts) kept.push(JSON.parse(t) as CandidatesBody['allocation_requests'][number]);
  }
  const trees = new Set(kept.flatMap((r) => providersOf(r).map((u) => root.get(u)!)));
  const summaries = Object.entries(ours.provider_summaries).filter(([uuid]) => trees.has(root.get(uuid)!));
  return { allocation_requests: kept, provider_summaries: Object.fromEntries(summaries) };
}

const VCPU_MEM = { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 } };

/** The world rest-cliff found the difference in, with traits on a root, a child, a flat host and two pools. */
const TREES: WorldSpec = {
  customTraits: ['CUSTOM_FAST', 'CUSTOM_SLOW', 'CUSTOM_ROOT', 'CUSTOM_KID'],
  providers: [
    { name: 't1', aggregates: ['aggP'], traits: ['CUSTOM_ROOT'] },
    { name: 't1-n0', parent: 't1', inventories: VCPU_MEM, traits: ['HW_NUMA_ROOT', 'CUSTOM_KID'] },
    { name: 't1-n1', parent: 't1', inventories: VCPU_MEM, traits: ['HW_NUMA_ROOT'] },
    { name: 'f2', inventories: VCPU_MEM, aggregates: ['aggP'], traits: ['CUSTOM_ROOT'] },
    { name: 'f3', inventories: VCPU_MEM, aggregates: ['aggQ'] },
    { name: 'f4', inventories: { ...VCPU_MEM, DISK_GB: { total: 100 } }, traits: ['CUSTOM_KID'] },
    {
      name: 'poolP',
      inventories: { DISK_GB: { total: 1000 } },
      traits: [STANDARD_TRAIT_SHARING, 'CUSTOM_FAST'],
      aggregates: ['aggP'],
    },
    {
      name: 'poolQ',
      inventories: { DISK_GB: { total: 1000 } },
      traits: [STANDARD_TRAIT_SHARING, 'CUSTOM_SLOW'],
      aggregates: ['aggQ'],
    },
  ],
  allocations: [{ consumer: 'vm1', allocations: { 't1-n0': { VCPU: 6 }, poolP: { DISK_GB: 900 } } }],
};

/** The same without a tree: Placement takes the same sharing path (a sharing provider exists). */
const FLAT: WorldSpec = {
  customTraits: ['CUSTOM_FAST', 'CUSTOM_SLOW', 'CUSTOM_ROOT', 'CUSTOM_KID'],
  providers: TREES.providers.filter((p) => p.parent === undefined && p.name !== 't1'),
  allocations: [{ consumer: 'vm1', allocations: { f2: { VCPU: 6 }, poolP: { DISK_GB: 900 } } }],
};

/**
 * Six hosts and a disk pool in one aggregate, the pool created sixth: Placement's one anchor
 * for the pool's part is then the pool's own root (ids 1…7, the tuple (6, 6, DISK_GB) first in
 * its set), which no numbered group can join, so it answers nothing where ours lists six.
 */
const SIX_HOSTS: WorldSpec = {
  providers: [
    ...['f1', 'f2', 'f3', 'f4', 'f5'].map((name) => ({ name, inventories: VCPU_MEM, aggregates: ['aggP'] })),
    {
      name: 'poolP',
      inventories: { DISK_GB: { total: 1000 } },
      traits: [STANDARD_TRAIT_SHARING],
      aggregates: ['aggP'],
    },
    { name: 'f7', inventories: VCPU_MEM, aggregates: ['aggP'] },
  ],
};

/** Answered identically: no sharing-only unnumbered part meets a numbered group. */
const SAME: [query: string, version: string][] = [
  // trait on the sharing provider, on a flat host that gives VCPU, on a root that gives nothing, on a child
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_FAST', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_ROOT', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_KID', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_FAST,CUSTOM_KID', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=in:CUSTOM_FAST,CUSTOM_SLOW', '1.39'],
  // forbidden: on the sharing provider, on a child, beside a required one
  ['resources=VCPU:1,DISK_GB:10&required=!CUSTOM_FAST', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=!CUSTOM_KID', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_ROOT,!CUSTOM_SLOW', '1.39'],
  // member_of with traits
  ['resources=VCPU:1,DISK_GB:10&member_of={aggP}&required=CUSTOM_FAST', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&member_of={aggQ}&required=!CUSTOM_FAST', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&member_of=!{aggP}&required=CUSTOM_SLOW', '1.39'],
  // a sharing-only unnumbered group alone: the final set makes the anchors one anyway
  ['resources=DISK_GB:10&required=CUSTOM_FAST', '1.39'],
  ['resources=DISK_GB:10&required=!CUSTOM_FAST', '1.39'],
  // numbered groups: one provider each, a sharing provider at every anchor it reaches
  ['resources1=VCPU:1&resources2=DISK_GB:10&required2=CUSTOM_FAST&group_policy=none', '1.39'],
  ['resources1=VCPU:1&required1=CUSTOM_KID&resources2=DISK_GB:10&required2=!CUSTOM_FAST&group_policy=isolate', '1.39'],
  ['resources=VCPU:1&required=CUSTOM_KID&resources1=DISK_GB:10&required1=CUSTOM_FAST&group_policy=none', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_FAST&resources1=MEMORY_MB:128&group_policy=none', '1.39'],
  // before nested-aware answers and mappings (1.25), before forbidden traits and member_of (1.17)
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_FAST', '1.25'],
  ['resources=VCPU:1,DISK_GB:10&required=!CUSTOM_FAST', '1.25'],
  ['resources1=VCPU:1&resources2=DISK_GB:10&required2=CUSTOM_FAST&group_policy=none', '1.25'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_FAST', '1.17'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_KID', '1.17'],
];

/** The unnumbered group (DISK_GB only) served by sharing providers alone, beside a numbered group. */
const ONE_ANCHOR: [query: string, version: string][] = [
  ['resources=DISK_GB:10&resources1=VCPU:1&required=CUSTOM_FAST&group_policy=none', '1.39'],
  ['resources=DISK_GB:10&resources1=VCPU:1&group_policy=none', '1.39'],
  ['resources=DISK_GB:10&resources1=VCPU:1&required=!CUSTOM_FAST&group_policy=none', '1.39'],
  ['resources=DISK_GB:10&resources1=VCPU:1&required1=CUSTOM_KID&group_policy=none', '1.39'],
  ['resources=DISK_GB:10&member_of={aggP}&resources1=VCPU:1&group_policy=none', '1.39'],
  ['resources=DISK_GB:10&resources1=VCPU:1&required=CUSTOM_FAST&group_policy=none', '1.25'],
];

function describeWorld(name: string, spec: WorldSpec, same = SAME, oneAnchor = ONE_ANCHOR) {
  describe(name, () => {
    const { ask } = candidatesSides(spec);

    it.each(same)('same answer: %s @%s', async (query, version) => {
      const [theirs, ours] = await ask(query, version);
      expect(ours.status).toBe(theirs.status);
      expect(stable(ours.body)).toEqual(stable(theirs.body));
    });

    it.each(oneAnchor)('Placement keeps the sharing-only part at one anchor: %s @%s', async (query, version) => {
      const [theirs, ours] = await ask(query, version);
      expect([ours.status, theirs.status]).toEqual([200, 200]);
      const expected = oneAnchorEach(
        ours.body as unknown as CandidatesBody,
        theirs.body as unknown as CandidatesBody,
        spec,
      );
      expect(stable(expected as unknown as Json)).toEqual(stable(theirs.body));
    });
  });
}

describeWorld('sharing providers and traits, trees in the database', TREES);
describeWorld('sharing providers and traits, no tree in the database', FLAT);
describeWorld(
  'a pool whose own root is the one anchor Placement keeps',
  SIX_HOSTS,
  [['resources=DISK_GB:10,VCPU:1', '1.39']],
  [
    ['resources=DISK_GB:10&resources1=VCPU:1&group_policy=none', '1.39'],
    ['resources=DISK_GB:10&resources1=VCPU:1&group_policy=none', '1.25'],
  ],
);
