/**
 * Seeded random sequences of Placement REST calls over every endpoint (providers, inventories,
 * traits, aggregates, resource classes, allocations, candidates, usages, reshaper), valid and
 * invalid, at many microversions, with current and stale generations.
 *
 * The generator is interactive: it learns what exists (providers, their generations, consumers,
 * custom traits and classes) from the real Placement's normalised responses, so most calls act
 * on real things and generations are current unless it chose a stale one. Randomness comes from
 * fast-check's seeded `gen()` (the same seed gives the same sequence against the same Placement).
 */
import fc from 'fast-check';
import type { HttpMethod, NormalisedResponse, RestCall } from './rest-pair.js';

type Gen = fc.GeneratorValue;

const LATEST_MINOR = 39;
const STANDARD_CLASSES = ['VCPU', 'MEMORY_MB', 'DISK_GB', 'SRIOV_NET_VF'] as const;
const STANDARD_TRAITS = [
  'HW_CPU_X86_AVX2',
  'HW_CPU_X86_SSE',
  'STORAGE_DISK_SSD',
  'COMPUTE_VOLUME_MULTI_ATTACH',
] as const;
const UUID_IN_PATH = /^\/resource_providers\/([^/?]+)/;

interface Provider {
  /** What calls use: a caller uuid, or `<uuid-N>` for one Placement generated. */
  ref: string;
  name: string;
  /** Last generation Placement showed; null when a call changed it without saying (resync first). */
  generation: number | null;
  parent: string | null;
  /** Classes Placement last showed in its inventory (allocations mostly ask for these). */
  classes: string[];
}

interface Consumer {
  uuid: string;
  generation: number | null;
  project: string;
  user: string;
}

/** What the generator believes Placement holds, from Placement's own answers. */
interface Model {
  providers: Provider[];
  consumers: Consumer[];
  traits: string[];
  classes: string[];
  aggregates: string[];
}

/** A call and why the generator made it (printed with differences). */
export interface GeneratedCall extends RestCall {
  kind: string;
}

/** fast-check leans towards edge values by default; a sequence wants plain uniform draws. */
function unbiasedInt(min: number, max: number): fc.Arbitrary<number> {
  return fc.noBias(fc.integer({ min, max }));
}

function unbiasedUuid(): fc.Arbitrary<string> {
  return fc.noBias(fc.uuid({ version: 4 }));
}

/** Placement microversions as `1.N`. */
function v(minor: number): string {
  return `1.${minor}`;
}

export class SequenceGenerator {
  private readonly g: Gen;
  private readonly model: Model = { providers: [], consumers: [], traits: [], classes: [], aggregates: [] };
  private serial = 0;

  /** `prefix` keeps names of different sequences apart on the shared servers. */
  constructor(
    seed: number,
    private readonly prefix: string,
  ) {
    [this.g] = fc.sample(fc.gen(), { seed, numRuns: 1 }) as [Gen];
  }

  private int(min: number, max: number): number {
    return this.g(unbiasedInt, min, max);
  }

  private chance(p: number): boolean {
    return this.int(0, 9999) < p * 10000;
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  private uuid(): string {
    return this.g(unbiasedUuid);
  }

  private fresh(label: string): string {
    this.serial += 1;
    return `${this.prefix}-${label}${this.serial}`;
  }

  /** A fresh custom trait or class name (`CUSTOM_S0_T7`). */
  private customName(label: string): string {
    this.serial += 1;
    return `CUSTOM_${this.prefix}_${label}${this.serial}`.toUpperCase().replace(/-/g, '_');
  }

  /** A version at or above `min` mostly; sometimes below (the route or field does not exist yet), latest, none or bad. */
  private version(min: number): { version?: string; headers?: Record<string, string> } {
    const roll = this.int(0, 99);
    if (roll < 62) return { version: v(this.int(min, LATEST_MINOR)) };
    if (roll < 72) return { version: 'latest' };
    if (roll < 80 && min > 0) return { version: v(this.int(0, min - 1)) };
    if (roll < 86) return min === 0 ? {} : { version: v(this.int(min, LATEST_MINOR)) };
    if (roll < 90) return { version: this.pick(['1.40', '2.0', '0.9', '1.a', '1']) };
    if (roll < 93)
      return { headers: { 'openstack-api-version': this.pick(['compute 2.1', 'placement', 'PLACEMENT 1.5']) } };
    if (roll < 95) return { headers: { 'x-openstack-placement-api-version': v(this.int(0, LATEST_MINOR)) } };
    return { version: v(this.int(min, LATEST_MINOR)) };
  }

  /** One of the providers (a made-up uuid now and then: not found). */
  private provider(): Provider | null {
    if (this.model.providers.length === 0 || this.chance(0.05)) return null;
    return this.pick(this.model.providers);
  }

  private providerRef(): string {
    return this.provider()?.ref ?? this.uuid();
  }

  private className(): string {
    const custom = this.model.classes;
    if (custom.length > 0 && this.chance(0.3)) return this.pick(custom);
    if (this.chance(0.04)) return this.pick(['CUSTOM_NOPE', 'lower_case', 'BOGUS']);
    return this.pick(STANDARD_CLASSES);
  }

  private traitName(): string {
    const custom = this.model.traits;
    if (custom.length > 0 && this.chance(0.4)) return this.pick(custom);
    if (this.chance(0.05)) return this.pick(['CUSTOM_UNKNOWN_TRAIT', 'not-a-trait']);
    return this.pick(STANDARD_TRAITS);
  }

  private aggregate(): string {
    if (this.model.aggregates.length === 0 || this.chance(0.3)) {
      const uuid = this.uuid();
      this.model.aggregates.push(uuid);
      return uuid;
    }
    return this.pick(this.model.aggregates);
  }

  /** The generation to send: the known one mostly, a stale or future one sometimes. */
  private generation(known: number | null): number {
    const base = known ?? 0;
    if (this.chance(0.12)) return this.pick([base - 1, base + 1, base + 5].filter((g) => g >= 0));
    return base;
  }

  /** Breaks a valid body the way clients do: a missing or extra key, a wrong type, nothing. */
  private mutate(body: Record<string, unknown>): unknown {
    const keys = Object.keys(body);
    const roll = this.int(0, 5);
    if (roll === 0 && keys.length > 0) {
      const { [this.pick(keys)]: _dropped, ...rest } = body;
      return rest;
    }
    if (roll === 1) return { ...body, bogus: true };
    if (roll === 2 && keys.length > 0) return { ...body, [this.pick(keys)]: this.pick(['x', -1, null, [], {}]) };
    if (roll === 3) return {};
    if (roll === 4) return [];
    return 'not an object';
  }

  private withBody(call: GeneratedCall, body: Record<string, unknown>): GeneratedCall {
    if (this.chance(0.03)) return { ...call, rawBody: '{"truncated": ' };
    return { ...call, body: this.chance(0.14) ? this.mutate(body) : body };
  }

  /** The next call. Resyncs a provider or consumer whose generation it no longer knows first. */
  next(): GeneratedCall {
    const stale = this.model.providers.find((p) => p.generation === null);
    if (stale !== undefined && this.chance(0.8)) {
      return { kind: 'provider.resync', method: 'GET', path: `/resource_providers/${stale.ref}`, version: 'latest' };
    }
    const consumer = this.model.consumers.find((c) => c.generation === null);
    if (consumer !== undefined && this.chance(0.8)) {
      return { kind: 'allocations.resync', method: 'GET', path: `/allocations/${consumer.uuid}`, version: 'latest' };
    }
    const makers: [number, () => GeneratedCall][] = [
      [this.model.providers.length < 3 ? 30 : 8, () => this.createProvider()],
      [6, () => this.listProviders()],
      [4, () => this.showProvider()],
      [3, () => this.updateProvider()],
      [2, () => this.deleteProvider()],
      [10, () => this.putInventories()],
      [4, () => this.inventoryOne()],
      [3, () => this.getInventories()],
      [2, () => this.deleteInventories()],
      [4, () => this.traitsGlobal()],
      [5, () => this.providerTraits()],
      [4, () => this.providerAggregates()],
      [4, () => this.resourceClasses()],
      [10, () => this.putAllocations()],
      [3, () => this.postAllocations()],
      [4, () => this.getAllocations()],
      [2, () => this.deleteAllocations()],
      [7, () => this.candidates()],
      [4, () => this.usages()],
      [2, () => this.reshaper()],
      [1, () => this.oddRequest()],
    ];
    const total = makers.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.int(0, total - 1);
    for (const [weight, make] of makers) {
      if (roll < weight) return make();
      roll -= weight;
    }
    return makers[0]![1]();
  }

  private createProvider(): GeneratedCall {
    const body: Record<string, unknown> = {
      name:
        this.model.providers.length > 0 && this.chance(0.08) ? this.pick(this.model.providers).name : this.fresh('rp'),
    };
    if (this.chance(0.5)) body.uuid = this.chance(0.04) ? 'not-a-uuid' : this.uuid();
    const parent = this.chance(0.35) ? this.provider() : null;
    if (parent !== null) body.parent_provider_uuid = parent.ref;
    return this.withBody(
      { kind: 'provider.create', method: 'POST', path: '/resource_providers', ...this.version(this.pick([0, 14, 20])) },
      body,
    );
  }

  private listProviders(): GeneratedCall {
    const filters: string[] = [];
    const p = this.provider();
    if (this.chance(0.2) && p !== null) filters.push(`name=${encodeURIComponent(p.name)}`);
    if (this.chance(0.15)) filters.push(`uuid=${this.providerRef()}`);
    if (this.chance(0.2)) filters.push(`resources=${this.className()}:${this.int(1, 4)}`);
    if (this.chance(0.15)) filters.push(`member_of=${this.chance(0.3) ? 'in:' : ''}${this.aggregate()}`);
    if (this.chance(0.15)) filters.push(`in_tree=${this.providerRef()}`);
    if (this.chance(0.15)) filters.push(`required=${this.chance(0.3) ? '!' : ''}${this.traitName()}`);
    if (this.chance(0.03)) filters.push('bogus=1');
    const query = filters.length > 0 ? `?${filters.join('&')}` : '';
    return { kind: 'provider.list', method: 'GET', path: `/resource_providers${query}`, ...this.version(0) };
  }

  private showProvider(): GeneratedCall {
    return {
      kind: 'provider.show',
      method: 'GET',
      path: `/resource_providers/${this.providerRef()}`,
      ...this.version(0),
    };
  }

  private updateProvider(): GeneratedCall {
    const p = this.provider();
    const body: Record<string, unknown> = { name: this.chance(0.8) ? this.fresh('renamed') : (p?.name ?? 'x') };
    if (this.chance(0.3)) body.parent_provider_uuid = this.chance(0.3) ? null : this.providerRef();
    return this.withBody(
      {
        kind: 'provider.update',
        method: 'PUT',
        path: `/resource_providers/${p?.ref ?? this.uuid()}`,
        ...this.version(0),
      },
      body,
    );
  }

  private deleteProvider(): GeneratedCall {
    return {
      kind: 'provider.delete',
      method: 'DELETE',
      path: `/resource_providers/${this.providerRef()}`,
      ...this.version(0),
    };
  }

  private inventory(): Record<string, unknown> {
    const total = this.int(1, 64);
    const inventory: Record<string, unknown> = { total };
    if (this.chance(0.3)) inventory.reserved = this.int(0, this.chance(0.1) ? total + 1 : total);
    // Not 0: Placement takes it and we refuse it on purpose (docs/SEMANTICS.md), after which the
    // two states differ for the rest of the sequence; test/rest-fixes.test.ts pins that refusal.
    // -1 is refused by both.
    if (this.chance(0.2)) inventory.allocation_ratio = this.pick([1, 1.5, 16, -1]);
    if (this.chance(0.2)) inventory.max_unit = this.int(1, total);
    // Never above max_unit, for the same reason as allocation_ratio 0 (rest-fixes pins that refusal too);
    // the draw stays the same, so other seeds keep their calls.
    if (this.chance(0.1)) inventory.min_unit = Math.min(this.int(1, 3), Number(inventory.max_unit ?? 3));
    if (this.chance(0.1)) inventory.step_size = this.int(1, 2);
    if (this.chance(0.04)) inventory.total = this.pick([0, -1, 'many']);
    return inventory;
  }

  private putInventories(): GeneratedCall {
    const p = this.provider();
    const inventories: Record<string, unknown> = {};
    for (let i = this.int(this.chance(0.05) ? 0 : 1, 3); i > 0; i--) inventories[this.className()] = this.inventory();
    return this.withBody(
      {
        kind: 'inventories.put',
        method: 'PUT',
        path: `/resource_providers/${p?.ref ?? this.uuid()}/inventories`,
        ...this.version(0),
      },
      { resource_provider_generation: this.generation(p?.generation ?? 0), inventories },
    );
  }

  private inventoryOne(): GeneratedCall {
    const p = this.provider();
    const ref = p?.ref ?? this.uuid();
    const rc = this.className();
    const body = { resource_provider_generation: this.generation(p?.generation ?? 0), ...this.inventory() };
    if (this.chance(0.5)) {
      return this.withBody(
        {
          kind: 'inventory.put',
          method: 'PUT',
          path: `/resource_providers/${ref}/inventories/${rc}`,
          ...this.version(0),
        },
        body,
      );
    }
    return this.withBody(
      { kind: 'inventory.post', method: 'POST', path: `/resource_providers/${ref}/inventories`, ...this.version(0) },
      { resource_class: rc, ...body },
    );
  }

  private getInventories(): GeneratedCall {
    const ref = this.providerRef();
    const path = this.chance(0.5)
      ? `/resource_providers/${ref}/inventories`
      : `/resource_providers/${ref}/inventories/${this.className()}`;
    return { kind: 'inventories.get', method: 'GET', path, ...this.version(0) };
  }

  private deleteInventories(): GeneratedCall {
    const ref = this.providerRef();
    if (this.chance(0.5)) {
      return {
        kind: 'inventories.delete',
        method: 'DELETE',
        path: `/resource_providers/${ref}/inventories`,
        ...this.version(5),
      };
    }
    return {
      kind: 'inventory.delete',
      method: 'DELETE',
      path: `/resource_providers/${ref}/inventories/${this.className()}`,
      ...this.version(0),
    };
  }

  private traitsGlobal(): GeneratedCall {
    const roll = this.int(0, 5);
    if (roll === 0) {
      const name = this.chance(0.9) ? this.customName('T') : 'CUSTOM_lower';
      return { kind: 'trait.create', method: 'PUT', path: `/traits/${name}`, ...this.version(6) };
    }
    if (roll === 1)
      return { kind: 'trait.show', method: 'GET', path: `/traits/${this.traitName()}`, ...this.version(6) };
    if (roll === 2)
      return { kind: 'trait.delete', method: 'DELETE', path: `/traits/${this.traitName()}`, ...this.version(6) };
    const filters = [
      '',
      `?name=startswith:CUSTOM_${this.prefix.toUpperCase()}`,
      `?name=in:${this.traitName()},${this.traitName()}`,
      '?associated=true',
      '?associated=false',
      '?name=bogus:x',
    ];
    return { kind: 'trait.list', method: 'GET', path: `/traits${this.pick(filters)}`, ...this.version(6) };
  }

  private providerTraits(): GeneratedCall {
    const p = this.provider();
    const path = `/resource_providers/${p?.ref ?? this.uuid()}/traits`;
    const roll = this.int(0, 3);
    if (roll === 0) return { kind: 'provider.traits.get', method: 'GET', path, ...this.version(6) };
    if (roll === 1) return { kind: 'provider.traits.delete', method: 'DELETE', path, ...this.version(6) };
    const traits = [...new Set(Array.from({ length: this.int(0, 3) }, () => this.traitName()))];
    return this.withBody(
      { kind: 'provider.traits.put', method: 'PUT', path, ...this.version(6) },
      { resource_provider_generation: this.generation(p?.generation ?? 0), traits },
    );
  }

  private providerAggregates(): GeneratedCall {
    const p = this.provider();
    const path = `/resource_providers/${p?.ref ?? this.uuid()}/aggregates`;
    if (this.chance(0.4)) return { kind: 'provider.aggregates.get', method: 'GET', path, ...this.version(1) };
    const aggregates = Array.from({ length: this.int(0, 2) }, () => this.aggregate());
    const call: GeneratedCall = { kind: 'provider.aggregates.put', method: 'PUT', path, ...this.version(1) };
    // Before 1.19 the body is the list itself; from 1.19 an object with the generation.
    const minor =
      call.version === undefined || call.version === 'latest' ? LATEST_MINOR : Number(call.version.split('.')[1]);
    if (minor < 19 && this.chance(0.85)) return { ...call, body: aggregates };
    return this.withBody(call, { aggregates, resource_provider_generation: this.generation(p?.generation ?? 0) });
  }

  private resourceClasses(): GeneratedCall {
    const roll = this.int(0, 5);
    if (roll === 0) {
      const name = this.chance(0.9) ? this.customName('C') : this.pick(['VCPU', 'CUSTOM_lower', 'NOT_CUSTOM']);
      return this.withBody(
        { kind: 'class.create', method: 'POST', path: '/resource_classes', ...this.version(2) },
        { name },
      );
    }
    if (roll === 1) {
      const name = this.chance(0.8) ? this.customName('C') : this.className();
      return { kind: 'class.put', method: 'PUT', path: `/resource_classes/${name}`, ...this.version(7) };
    }
    if (roll === 2)
      return { kind: 'class.show', method: 'GET', path: `/resource_classes/${this.className()}`, ...this.version(2) };
    if (roll === 3)
      return {
        kind: 'class.delete',
        method: 'DELETE',
        path: `/resource_classes/${this.className()}`,
        ...this.version(2),
      };
    return { kind: 'class.list', method: 'GET', path: '/resource_classes', ...this.version(2) };
  }

  private consumer(): Consumer {
    if (this.model.consumers.length === 0 || this.chance(0.3)) {
      return {
        uuid: this.uuid(),
        generation: null,
        project: this.pick(['proj-a', 'proj-b']),
        user: this.pick(['user-a', 'user-b']),
      };
    }
    return this.pick(this.model.consumers);
  }

  /** Resources on one to two providers, by class: mostly small amounts of what a provider has. */
  private allocationResources(): { ref: string; resources: Record<string, number> }[] {
    const out: { ref: string; resources: Record<string, number> }[] = [];
    const stocked = this.model.providers.filter((p) => p.classes.length > 0);
    for (let i = this.int(1, 2); i > 0; i--) {
      const resources: Record<string, number> = {};
      const provider = stocked.length > 0 && this.chance(0.8) ? this.pick(stocked) : this.provider();
      for (let j = this.int(1, 2); j > 0; j--) {
        const rc =
          provider !== null && provider.classes.length > 0 && this.chance(0.85)
            ? this.pick(provider.classes)
            : this.className();
        resources[rc] = this.chance(0.04) ? 0 : this.int(1, this.chance(0.8) ? 2 : 8);
      }
      out.push({ ref: provider?.ref ?? this.uuid(), resources });
    }
    return out;
  }

  private minorOf(call: RestCall): number {
    if (call.version === undefined) return call.headers === undefined ? 0 : LATEST_MINOR;
    if (call.version === 'latest') return LATEST_MINOR;
    const minor = Number(call.version.split('.')[1]);
    return Number.isInteger(minor) ? minor : LATEST_MINOR;
  }

  /** The allocation body in the shape of the call's microversion (list before 1.12, then dict, generation from 1.28). */
  private allocationBody(minor: number, consumer: Consumer, empty: boolean): Record<string, unknown> {
    const allocations = empty ? [] : this.allocationResources();
    if (minor < 12 && !this.chance(0.1)) {
      const body: Record<string, unknown> = {
        allocations: allocations.map((a) => ({ resource_provider: { uuid: a.ref }, resources: a.resources })),
      };
      if (minor >= 8 || this.chance(0.2)) Object.assign(body, { project_id: consumer.project, user_id: consumer.user });
      return body;
    }
    const body: Record<string, unknown> = {
      allocations: Object.fromEntries(allocations.map((a) => [a.ref, { resources: a.resources }])),
      project_id: consumer.project,
      user_id: consumer.user,
    };
    if (minor >= 28 || this.chance(0.1)) {
      body.consumer_generation =
        consumer.generation === null && this.chance(0.85) ? null : this.generation(consumer.generation);
    }
    if (minor >= 38 && this.chance(0.7)) body.consumer_type = this.pick(['INSTANCE', 'MIGRATION', 'lower']);
    return body;
  }

  private putAllocations(): GeneratedCall {
    const consumer = this.consumer();
    if (!this.model.consumers.includes(consumer)) this.model.consumers.push(consumer);
    const call: GeneratedCall = {
      kind: 'allocations.put',
      method: 'PUT',
      path: `/allocations/${consumer.uuid}`,
      ...this.version(0),
    };
    return this.withBody(call, this.allocationBody(this.minorOf(call), consumer, this.chance(0.05)));
  }

  private postAllocations(): GeneratedCall {
    const call: GeneratedCall = { kind: 'allocations.post', method: 'POST', path: '/allocations', ...this.version(13) };
    const minor = Math.max(this.minorOf(call), 13);
    const body: Record<string, unknown> = {};
    for (let i = this.int(1, 2); i > 0; i--) {
      const consumer = this.consumer();
      if (!this.model.consumers.includes(consumer)) this.model.consumers.push(consumer);
      body[consumer.uuid] = this.allocationBody(minor, consumer, this.chance(0.15));
    }
    return this.withBody(call, body);
  }

  private getAllocations(): GeneratedCall {
    if (this.chance(0.4)) {
      return {
        kind: 'provider.allocations',
        method: 'GET',
        path: `/resource_providers/${this.providerRef()}/allocations`,
        ...this.version(0),
      };
    }
    return { kind: 'allocations.get', method: 'GET', path: `/allocations/${this.consumer().uuid}`, ...this.version(0) };
  }

  private deleteAllocations(): GeneratedCall {
    return {
      kind: 'allocations.delete',
      method: 'DELETE',
      path: `/allocations/${this.consumer().uuid}`,
      ...this.version(0),
    };
  }

  private candidates(): GeneratedCall {
    const resources = () =>
      [...new Set(Array.from({ length: this.int(1, 2) }, () => this.className()))]
        .map((rc) => `${rc}:${this.int(1, 4)}`)
        .join(',');
    const params: string[] = [];
    if (this.chance(0.9)) params.push(`resources=${resources()}`);
    if (this.chance(0.3)) params.push(`limit=${this.int(this.chance(0.05) ? 0 : 1, 5)}`);
    if (this.chance(0.25)) params.push(`required=${this.chance(0.3) ? '!' : ''}${this.traitName()}`);
    if (this.chance(0.2)) params.push(`member_of=${this.aggregate()}`);
    if (this.chance(0.25)) {
      const suffix = this.pick(['1', '2', '_NIC', '_ACCEL']);
      params.push(`resources${suffix}=${resources()}`);
      if (this.chance(0.5)) params.push(`required${suffix}=${this.traitName()}`);
      if (this.chance(0.7)) params.push(`group_policy=${this.pick(['none', 'isolate', 'bogus'])}`);
    }
    if (this.chance(0.1)) params.push(`in_tree=${this.providerRef()}`);
    if (this.chance(0.1)) params.push(`root_required=${this.traitName()}`);
    return {
      kind: 'candidates',
      method: 'GET',
      path: `/allocation_candidates?${params.join('&')}`,
      ...this.version(10),
    };
  }

  private usages(): GeneratedCall {
    if (this.chance(0.5)) {
      return {
        kind: 'provider.usages',
        method: 'GET',
        path: `/resource_providers/${this.providerRef()}/usages`,
        ...this.version(0),
      };
    }
    const consumer = this.consumer();
    const query = this.pick([
      `?project_id=${consumer.project}`,
      `?project_id=${consumer.project}&user_id=${consumer.user}`,
      '',
      `?project_id=${consumer.project}&consumer_type=${this.pick(['INSTANCE', 'all', 'unknown'])}`,
    ]);
    return { kind: 'usages', method: 'GET', path: `/usages${query}`, ...this.version(9) };
  }

  private reshaper(): GeneratedCall {
    const providers = this.model.providers.slice(0, this.int(1, 2));
    const inventories: Record<string, unknown> = {};
    for (const p of providers) {
      inventories[p.ref] = {
        resource_provider_generation: this.generation(p.generation),
        inventories: { [this.className()]: this.inventory() },
      };
    }
    const consumer = this.consumer();
    const allocations: Record<string, unknown> = {};
    if (this.chance(0.7)) allocations[consumer.uuid] = this.allocationBody(LATEST_MINOR, consumer, false);
    return this.withBody(
      { kind: 'reshaper', method: 'POST', path: '/reshaper', ...this.version(30) },
      { inventories, allocations },
    );
  }

  /** Requests no client should make: unknown paths, methods a route does not take, odd content types. */
  private oddRequest(): GeneratedCall {
    const roll = this.int(0, 4);
    const method: HttpMethod = this.pick(['PATCH', 'POST', 'DELETE']);
    if (roll === 0)
      return {
        kind: 'odd.path',
        method: 'GET',
        path: this.pick(['/nowhere', '/resource_providers/x/y', '/traits/']),
        ...this.version(0),
      };
    if (roll === 1) return { kind: 'odd.method', method, path: '/resource_classes', ...this.version(2) };
    if (roll === 2) {
      return {
        kind: 'odd.content-type',
        method: 'POST',
        path: '/resource_providers',
        rawBody: `{"name": "${this.fresh('ct')}"}`,
        headers: { 'content-type': 'text/plain' },
        ...this.version(20),
      };
    }
    if (roll === 3) return { kind: 'odd.root', method: 'GET', path: '/', ...this.version(0) };
    return { kind: 'odd.no-token', method: 'GET', path: '/resource_providers', auth: 'none', ...this.version(0) };
  }

  /** Learns from Placement's answer (normalised, so generated uuids are `<uuid-N>` as calls use them). */
  observe(call: GeneratedCall, placement: NormalisedResponse): void {
    const body = isRecord(placement.body) ? placement.body : {};
    const ok = placement.status >= 200 && placement.status < 300;
    const pathRef = UUID_IN_PATH.exec(call.path)?.[1];
    const known = pathRef === undefined ? undefined : this.model.providers.find((p) => p.ref === pathRef);
    if (call.kind === 'provider.create' && ok) {
      const location = typeof placement.headers.location === 'string' ? placement.headers.location : '';
      const ref = typeof body.uuid === 'string' ? body.uuid : (UUID_IN_PATH.exec(location)?.[1] ?? null);
      const sent = isRecord(call.body) ? call.body : {};
      if (ref !== null) {
        this.model.providers.push({
          ref,
          name: String(sent.name),
          generation: 0,
          parent: typeof sent.parent_provider_uuid === 'string' ? sent.parent_provider_uuid : null,
          classes: [],
        });
      }
      return;
    }
    if (call.kind === 'provider.delete' && ok && known !== undefined) {
      this.model.providers = this.model.providers.filter((p) => p !== known);
      return;
    }
    if (call.kind === 'provider.update' && ok && known !== undefined && typeof body.name === 'string')
      known.name = body.name;
    if (call.kind === 'trait.create' && ok) this.model.traits.push(call.path.slice('/traits/'.length));
    if (call.kind === 'class.create' && ok && isRecord(call.body)) this.model.classes.push(String(call.body.name));
    if (call.kind === 'class.put' && ok) this.model.classes.push(call.path.slice('/resource_classes/'.length));
    if (known !== undefined && call.method !== 'GET' && ok) {
      // A write on the provider: the generation moved; the answer says where to, or we resync.
      known.generation =
        typeof body.resource_provider_generation === 'number' ? body.resource_provider_generation : null;
    } else if (known !== undefined && typeof body.resource_provider_generation === 'number') {
      known.generation = body.resource_provider_generation;
    } else if (known !== undefined && call.kind === 'provider.resync' && typeof body.generation === 'number') {
      known.generation = body.generation;
    } else if (known !== undefined && call.kind === 'provider.resync' && placement.status === 404) {
      this.model.providers = this.model.providers.filter((p) => p !== known);
    }
    if (known !== undefined && isRecord(body.inventories) && call.kind === 'inventories.put') {
      known.classes = Object.keys(body.inventories);
    } else if (known !== undefined && isRecord(body.inventories) && call.path.endsWith('/inventories')) {
      known.classes = Object.keys(body.inventories);
    }
    if (call.kind === 'provider.show' && known !== undefined && typeof body.generation === 'number')
      known.generation = body.generation;
    this.observeAllocations(call, placement, body, ok);
  }

  private observeAllocations(
    call: GeneratedCall,
    placement: NormalisedResponse,
    body: Record<string, unknown>,
    ok: boolean,
  ): void {
    const writes = ['allocations.put', 'allocations.post', 'allocations.delete', 'reshaper'];
    if (writes.includes(call.kind) && (ok || placement.status === 409)) {
      // Allocation writes move the generations of what they name without saying: resync those.
      const named = `${call.path} ${JSON.stringify(call.body ?? null)}`;
      for (const p of this.model.providers) if (named.includes(p.ref)) p.generation = null;
      for (const c of this.model.consumers) if (named.includes(c.uuid)) c.generation = null;
    }
    if (call.kind === 'allocations.resync' || call.kind === 'allocations.get') {
      const uuid = call.path.slice('/allocations/'.length);
      const consumer = this.model.consumers.find((c) => c.uuid === uuid);
      if (consumer === undefined) return;
      if (typeof body.consumer_generation === 'number') consumer.generation = body.consumer_generation;
      else if (call.kind === 'allocations.resync')
        this.model.consumers = this.model.consumers.filter((c) => c !== consumer);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
