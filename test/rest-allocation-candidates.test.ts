/**
 * GET /allocation_candidates against the real Placement 8.0: the same world on both sides
 * (same uuids), the same query at a microversion, the same answer (allocation requests
 * compared as a set: Placement's order is its Python set's order; with `limit`, the count
 * and membership in Placement's full answer).
 */
import { describe, expect, it } from 'vitest';
import { uuidOf, type WorldSpec } from './support/candidate-world.js';
import { type CandidatesAnswer, candidatesSides, type Json } from './support/candidates-sides.js';

/** The body, or for an error only its detail past webob's explanation (request ids differ). */
async function answerOf(response: Response): Promise<CandidatesAnswer> {
  const body = (await response.json()) as Json;
  if (response.status !== 200) {
    const detail = (body as { errors: { detail: string }[] }).errors[0]!.detail;
    return { status: response.status, body: detail.slice(detail.indexOf('\n\n ') + 3).replace(/ {2}$/, '') };
  }
  return { status: 200, body };
}

/** Order-free form: requests sorted, mapping and trait lists sorted. */
function normalize(body: Json): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const requests = (body.allocation_requests as { [key: string]: Json }[]).map((r) => {
    const out: { [key: string]: Json } = { ...r };
    if (Array.isArray(r.allocations))
      out.allocations = [...r.allocations].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    if (r.mappings)
      out.mappings = Object.fromEntries(
        Object.entries(r.mappings as { [k: string]: string[] }).map(([k, v]) => [k, [...v].sort()]),
      );
    return sortKeys(out);
  });
  const summaries = Object.fromEntries(
    Object.entries(body.provider_summaries as { [k: string]: { [key: string]: Json } }).map(([k, s]) => [
      k,
      sortKeys(s.traits ? { ...s, traits: [...(s.traits as string[])].sort() } : s),
    ]),
  );
  return {
    allocation_requests: requests.map((r) => JSON.stringify(r)).sort(),
    provider_summaries: sortKeys(summaries),
  };
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k]!)]),
  );
}

function describeWorld(name: string, spec: WorldSpec, cases: [query: string, version: string][]) {
  describe(name, () => {
    const sides = candidatesSides(spec, answerOf);

    it.each(cases)('%s @%s', async (rawQuery, version) => {
      const query = rawQuery.replace(/\{(\w+)\}/g, (_, label: string) => uuidOf(label));
      const [theirs, ours] = await sides.ask(query, version);
      expect(ours.status).toBe(theirs.status);
      const limit = new URLSearchParams(query).get('limit');
      if (theirs.status !== 200 || limit === null) {
        expect(normalize(ours.body)).toEqual(normalize(theirs.body));
        return;
      }
      // With a limit: as many requests as Placement gives, each one of Placement's full answer.
      const unlimited = query.replace(/(^|&)limit=\d+/, '');
      const full = normalize((await sides.askPlacement(unlimited, version)).body) as {
        allocation_requests: string[];
      };
      const mine = normalize(ours.body) as { allocation_requests: string[] };
      const theirsLimited = normalize(theirs.body) as { allocation_requests: string[] };
      expect(mine.allocation_requests.length).toBe(theirsLimited.allocation_requests.length);
      for (const r of mine.allocation_requests) expect(full.allocation_requests).toContain(r);
    });
  });
}

const FLAT: WorldSpec = {
  customTraits: ['CUSTOM_GOLD'],
  providers: [
    {
      name: 'cn1',
      inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 100 } },
      traits: ['HW_CPU_X86_AVX2'],
      aggregates: ['agg1'],
    },
    {
      name: 'cn2',
      inventories: {
        VCPU: { total: 4, allocation_ratio: 2 },
        MEMORY_MB: { total: 2048, reserved: 512 },
        DISK_GB: { total: 50, step_size: 10 },
      },
      traits: ['CUSTOM_GOLD'],
    },
    {
      name: 'cn3',
      inventories: { VCPU: { total: 2 }, MEMORY_MB: { total: 1024, max_unit: 256 } },
      aggregates: ['agg2'],
    },
  ],
  allocations: [{ consumer: 'vm1', allocations: { cn1: { VCPU: 6, MEMORY_MB: 1024 } } }],
};

describeWorld('flat hosts', FLAT, [
  ['resources=VCPU:1', '1.10'],
  ['resources=VCPU:1,MEMORY_MB:256', '1.12'],
  ['resources=VCPU:2,MEMORY_MB:512', '1.17'],
  ['resources=VCPU:1,DISK_GB:10', '1.26'],
  ['resources=VCPU:1,DISK_GB:10', '1.27'],
  ['resources=VCPU:1&required=CUSTOM_GOLD', '1.29'],
  ['resources=VCPU:1&required=!CUSTOM_GOLD', '1.39'],
  ['resources=VCPU:1&required=in:CUSTOM_GOLD,HW_CPU_X86_AVX2', '1.39'],
  // A flat world: the unnumbered group's filters narrow the engine's host search (with a limit, and beside a numbered group).
  ['resources=VCPU:1&required=CUSTOM_GOLD&limit=1', '1.39'],
  ['resources=VCPU:1&required=!CUSTOM_GOLD&member_of=in:{agg1},{agg2}&limit=1', '1.39'],
  ['resources=VCPU:1&required=HW_CPU_X86_AVX2&resources1=MEMORY_MB:128&group_policy=none', '1.39'],
  ['resources=VCPU:1&member_of={agg1}', '1.21'],
  ['resources=VCPU:1&member_of=in:{agg1},{agg2}', '1.24'],
  ['resources=VCPU:1&member_of=!{agg1}', '1.32'],
  ['resources=DISK_GB:15', '1.39'],
  ['resources=MEMORY_MB:300', '1.39'],
  ['resources=VCPU:1&limit=2', '1.16'],
  ['resources1=VCPU:1&resources2=MEMORY_MB:128&group_policy=isolate', '1.25'],
  ['resources1=VCPU:1&resources2=MEMORY_MB:128&group_policy=none', '1.34'],
  ['resources=VCPU:1&root_required=CUSTOM_GOLD', '1.35'],
  ['resources=VCPU:1&root_required=!CUSTOM_GOLD', '1.35'],
  ['resources=VCPU:1&in_tree={cn2}', '1.31'],
  ['resources=VCPUX:1', '1.39'],
  ['resources=VCPU:1&required=CUSTOM_NOPE', '1.39'],
  // A later group's unknown name is looked up only when every earlier group has candidates alone.
  ['resources=VCPU:1&required=COMPUTE_VOLUME_MULTI_ATTACH&resources1=CUSTOM_NOPE:1&group_policy=none', '1.39'],
  ['resources=VCPU:100&resources1=CUSTOM_NOPE:1&group_policy=none', '1.39'],
  ['resources=VCPU:1&resources1=CUSTOM_NOPE:1&group_policy=none', '1.39'],
  ['resources=VCPU:100&resources1=MEMORY_MB:1&required1=CUSTOM_NOPE&group_policy=none', '1.39'],
  ['resources=VCPU:1&resources1=MEMORY_MB:1&required1=CUSTOM_NOPE&group_policy=none', '1.39'],
  ['resources=VCPU:0', '1.39'],
  ['resources=VCPU', '1.39'],
  ['resources=', '1.39'],
  ['resources=VCPU:x', '1.39'],
  ['', '1.10'],
  ['', '1.39'],
  ['resources=VCPU:1&limit=0', '1.39'],
  ['resources=VCPU:1&limit=', '1.39'],
  ['resources=VCPU:1&foo=1&bar=2', '1.39'],
  ['resources=VCPU:1&foo=1', '1.20'],
  ['resources=VCPU:1&group_policy=x', '1.39'],
  ['resources=VCPU:1&required=A,!A', '1.39'],
  ['resources=VCPU:1&required=!A', '1.21'],
  ['resources=VCPU:1&required=in:A', '1.38'],
  ['resources1=VCPU:1&resources2=VCPU:1', '1.39'],
  ['resources=VCPU:1&member_of=x', '1.39'],
  ['resources=VCPU:1&member_of={agg1},{agg2}', '1.39'],
  ['resources=VCPU:1&member_of={agg1}&member_of={agg2}', '1.23'],
  ['resources=VCPU:1&member_of=!{agg1}', '1.31'],
  ['resources=VCPU:1&in_tree=x', '1.39'],
  ['resources=VCPU:1&root_required=A&root_required=B', '1.39'],
  ['resources=VCPU:1&root_required=CUSTOM_GOLD,!CUSTOM_GOLD', '1.39'],
  ['resources=VCPU:1&same_subtree=,1', '1.39'],
  ['required=CUSTOM_GOLD', '1.39'],
  ['required=CUSTOM_GOLD', '1.30'],
  ['resources=VCPU:1&required1=CUSTOM_GOLD', '1.30'],
  ['resources=VCPU:1&member_of1={agg1}', '1.30'],
  ['resources=VCPU:1&resources_X=MEMORY_MB:1', '1.33'],
  ['resources=VCPU:1&resources_X=MEMORY_MB:1', '1.32'],
  ['resources=VCPU:1&required_X=CUSTOM_GOLD&same_subtree=_X', '1.36'],
  ['resources=VCPU:1&required_X=CUSTOM_GOLD', '1.36'],
  ['resources=VCPU:1&same_subtree=_Y', '1.36'],
]);

const SHARING: WorldSpec = {
  providers: [
    { name: 'cn1', inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 } }, aggregates: ['aggS'] },
    {
      name: 'cn2',
      inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 20 } },
      aggregates: ['aggS'],
    },
    { name: 'cn3', inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 200 } } },
    {
      name: 'ss1',
      inventories: { DISK_GB: { total: 1000 } },
      traits: ['MISC_SHARES_VIA_AGGREGATE'],
      aggregates: ['aggS'],
    },
    {
      name: 'ss2',
      inventories: { IPV4_ADDRESS: { total: 10 } },
      traits: ['MISC_SHARES_VIA_AGGREGATE', 'CUSTOM_NET'],
      aggregates: ['aggS'],
    },
  ],
  customTraits: ['CUSTOM_NET'],
};

describeWorld('sharing providers', SHARING, [
  ['resources=VCPU:1,DISK_GB:10', '1.39'],
  ['resources=VCPU:1,DISK_GB:10', '1.28'],
  ['resources=VCPU:1,DISK_GB:100', '1.39'],
  ['resources=VCPU:1,DISK_GB:10,IPV4_ADDRESS:1', '1.39'],
  ['resources=DISK_GB:10', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_NET', '1.39'],
  ['resources=VCPU:1,IPV4_ADDRESS:1&required=!CUSTOM_NET', '1.39'],
  ['resources=VCPU:1&resources1=DISK_GB:10', '1.39'],
  ['resources1=VCPU:1&resources2=DISK_GB:10&group_policy=isolate', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&member_of={aggS}', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&limit=2', '1.39'],
]);

const NUMA: WorldSpec = {
  customTraits: ['CUSTOM_PHYSNET_A', 'CUSTOM_PHYSNET_B'],
  providers: [
    { name: 'host', inventories: { DISK_GB: { total: 100 } }, traits: ['HW_CPU_X86_AVX2'] },
    { name: 'numa0', parent: 'host', inventories: { VCPU: { total: 4 }, MEMORY_MB: { total: 2048 } } },
    { name: 'numa1', parent: 'host', inventories: { VCPU: { total: 4 }, MEMORY_MB: { total: 2048 } } },
    { name: 'pf0', parent: 'numa0', inventories: { SRIOV_NET_VF: { total: 4 } }, traits: ['CUSTOM_PHYSNET_A'] },
    { name: 'pf1', parent: 'numa1', inventories: { SRIOV_NET_VF: { total: 4 } }, traits: ['CUSTOM_PHYSNET_B'] },
    { name: 'host2', inventories: { VCPU: { total: 2 }, MEMORY_MB: { total: 1024 }, DISK_GB: { total: 10 } } },
  ],
};

describeWorld('NUMA trees', NUMA, [
  ['resources=VCPU:1', '1.39'],
  ['resources=VCPU:1,MEMORY_MB:512', '1.39'],
  ['resources=VCPU:1,DISK_GB:5', '1.39'],
  ['resources=VCPU:1,DISK_GB:5', '1.28'],
  ['resources=VCPU:1,DISK_GB:5', '1.12'],
  ['resources=VCPU:1,SRIOV_NET_VF:1', '1.39'],
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_A', '1.39'],
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=!CUSTOM_PHYSNET_A', '1.39'],
  ['resources1=VCPU:1,MEMORY_MB:512&resources2=VCPU:1,MEMORY_MB:512&group_policy=isolate', '1.39'],
  ['resources1=VCPU:1,MEMORY_MB:512&resources2=VCPU:1,MEMORY_MB:512&group_policy=none', '1.39'],
  ['resources1=VCPU:3&resources2=VCPU:3&group_policy=none', '1.39'],
  [
    'resources_cpu=VCPU:1&resources_net=SRIOV_NET_VF:1&required_net=CUSTOM_PHYSNET_A&group_policy=none&same_subtree=_cpu,_net',
    '1.39',
  ],
  ['resources_cpu=VCPU:1&resources_net=SRIOV_NET_VF:1&group_policy=isolate&same_subtree=_cpu,_net', '1.39'],
  [
    'resources=DISK_GB:1&required_numa=HW_CPU_X86_AVX2&resources_net=SRIOV_NET_VF:1&group_policy=none&same_subtree=_numa,_net',
    '1.39',
  ],
  ['resources=VCPU:1&root_required=HW_CPU_X86_AVX2', '1.39'],
  ['resources=VCPU:1&in_tree={numa1}', '1.39'],
  ['resources=VCPU:1&resources1=SRIOV_NET_VF:1&in_tree1={pf1}', '1.39'],
  ['resources1=VCPU:1&resources2=VCPU:1&group_policy=none&limit=3', '1.39'],
  ['resources=VCPU:1,MEMORY_MB:512&limit=1', '1.39'],
  ['required_root=HW_CPU_X86_AVX2&resources_vf=SRIOV_NET_VF:1&same_subtree=_root,_vf&group_policy=none', '1.36'],
  ['required_a=CUSTOM_PHYSNET_A&resources_vf=SRIOV_NET_VF:1&same_subtree=_a,_vf&group_policy=isolate', '1.39'],
  ['resources=DISK_GB:1&resources_vf=SRIOV_NET_VF:1&required_vf=CUSTOM_PHYSNET_B&group_policy=none', '1.34'],
  ['resources=DISK_GB:1&resources1=VCPU:1&resources2=SRIOV_NET_VF:1&group_policy=isolate', '1.25'],
  ['resources=VCPU:2,SRIOV_NET_VF:2&required=CUSTOM_PHYSNET_A,HW_CPU_X86_AVX2', '1.39'],
  ['resources=VCPU:1&member_of={nowhere}', '1.39'],
  ['resources=VCPU:1&resources1=VCPU:1&in_tree1={host2}&group_policy=none', '1.39'],
]);
