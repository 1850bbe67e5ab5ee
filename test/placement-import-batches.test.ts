import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importBatches, pruneBatches } from '../cli/commands/import/batches.js';
import type { SourceState } from '../cli/commands/import/source.js';

/** How `placement import` cuts a source's state into importPlacementState batches. */

function state(providers: number, consumers: number, shared: string[] = []): SourceState {
  const provider = (uuid: string) => ({
    uuid,
    name: uuid,
    parentProviderUuid: null,
    generation: 1,
    inventories: [],
    traits: [],
    aggregates: [],
  });
  const consumer = (uuid: string) => ({
    uuid,
    projectId: 'p',
    userId: 'u',
    consumerType: null,
    generation: 1,
    allocations: [],
  });
  return {
    version: '1.39',
    resourceClasses: ['VCPU', 'CUSTOM_A'],
    traits: ['HW_CPU_X86_AVX', 'CUSTOM_T'],
    providers: [...Array.from({ length: providers }, () => randomUUID()), ...shared].map(provider),
    consumers: [...Array.from({ length: consumers }, () => randomUUID()), ...shared].map(consumer),
  };
}

describe('removal ranges', () => {
  it('cover every uuid exactly once, in consecutive ranges open at both ends', () => {
    const shared = randomUUID();
    const source = state(23, 31, [shared]);
    const batches = pruneBatches(source, 10);
    const ranges = batches.map((b) => b.prune!);
    expect(ranges).toHaveLength(6); // 55 distinct uuids (one is both a provider and a consumer)
    expect(ranges[0]!.fromUuid).toBeNull();
    expect(ranges.at(-1)!.toUuid).toBeNull();
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.fromUuid).toBe(ranges[i - 1]!.toUuid);
    expect(ranges.flatMap((r) => r.keepProviders).sort()).toEqual(source.providers.map((p) => p.uuid).sort());
    expect(ranges.flatMap((r) => r.keepConsumers).sort()).toEqual(source.consumers.map((c) => c.uuid).sort());
    for (const r of ranges)
      for (const uuid of [...r.keepProviders, ...r.keepConsumers]) {
        if (r.fromUuid) expect(uuid >= r.fromUuid).toBe(true);
        if (r.toUuid) expect(uuid < r.toUuid).toBe(true);
      }
  });

  it('an empty source is one range over everything (so everything here is removed)', () => {
    expect(pruneBatches(state(0, 0), 10)).toEqual([
      { prune: { keepProviders: [], keepConsumers: [], fromUuid: null, toUuid: null } },
    ]);
  });
});

describe('batches', () => {
  it('catalogue, providers, consumers, removals, catalogue removals: in that order, chunked', () => {
    const source = state(5, 3);
    const batches = importBatches(source, 2);
    expect(batches.map((b) => Object.keys(b).join('+'))).toEqual([
      'resourceClasses+traits',
      'providers',
      'providers',
      'providers',
      'consumers',
      'consumers',
      'prune',
      'pruneCatalogue',
    ]);
    expect(batches[0]).toEqual({ resourceClasses: ['CUSTOM_A'], traits: ['CUSTOM_T'] });
    expect(batches.at(-1)).toEqual({ pruneCatalogue: { keepResourceClasses: ['CUSTOM_A'], keepTraits: ['CUSTOM_T'] } });
  });
});
