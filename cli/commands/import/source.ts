import type { ImportInventoryInput } from '@placement-gateway/client';
import { z } from 'zod';
import { SourceError } from './errors.js';

/**
 * Reads an OpenStack Placement through its REST API (the API Nova and osc-placement speak),
 * at the newest microversion it offers: what `placement import` copies. Responses are checked
 * with zod, so a server that is not Placement fails with a clear error instead of a wrong copy.
 */

/** Oldest microversion with what the copy needs: parents (1.14), consumer generations (1.28). */
export const MIN_SOURCE_VERSION = '1.28';

/** A provider's inventory of one class: exactly what the import sends the gateway for it. */
export type SourceInventory = ImportInventoryInput;

export interface SourceProvider {
  uuid: string;
  name: string;
  parentProviderUuid: string | null;
  generation: number;
  inventories: SourceInventory[];
  traits: string[];
  aggregates: string[];
}

export interface SourceConsumer {
  uuid: string;
  projectId: string;
  userId: string;
  consumerType: string | null;
  generation: number;
  allocations: { providerUuid: string; resourceClass: string; used: number }[];
}

export interface SourceState {
  version: string;
  resourceClasses: string[];
  traits: string[];
  /** Parents before children. */
  providers: SourceProvider[];
  consumers: SourceConsumer[];
}

const root = z.object({
  versions: z.array(z.object({ max_version: z.string(), status: z.string().optional() })).min(1),
});
const classes = z.object({ resource_classes: z.array(z.object({ name: z.string() })) });
const traits = z.object({ traits: z.array(z.string()) });
const providers = z.object({
  resource_providers: z.array(
    z.object({
      uuid: z.string(),
      name: z.string(),
      generation: z.number(),
      parent_provider_uuid: z.string().nullish(),
    }),
  ),
});
const inventories = z.object({
  ...{ resource_provider_generation: z.number() },
  inventories: z.record(
    z.string(),
    z.object({
      total: z.number(),
      reserved: z.number(),
      min_unit: z.number(),
      max_unit: z.number(),
      step_size: z.number(),
      allocation_ratio: z.number(),
    }),
  ),
});
const generation = { resource_provider_generation: z.number() };
const providerTraits = z.object({ traits: z.array(z.string()), ...generation });
const aggregates = z.object({ aggregates: z.array(z.string()), ...generation });
const providerAllocations = z.object({ allocations: z.record(z.string(), z.unknown()), ...generation });
/** Reads of one provider that disagree on its generation are repeated up to this many times. */
const CONSISTENT_READ_ATTEMPTS = 5;
const consumerAllocations = z.object({
  allocations: z.record(z.string(), z.object({ resources: z.record(z.string(), z.number()), generation: z.number() })),
  project_id: z.string().optional(),
  user_id: z.string().optional(),
  consumer_generation: z.number().nullish(),
  consumer_type: z.string().nullish(),
});
const usages = z.object({ usages: z.record(z.string(), z.number()) });

/** Placement's name for "no consumer type" (placement/objects/consumer_type.py). */
const NULL_CONSUMER_TYPE = 'unknown';

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of the results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class PlacementSource {
  private version = '1.0';

  constructor(
    readonly url: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  private async get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const target = `${this.url.replace(/\/+$/, '')}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(target, {
        headers: {
          'x-auth-token': this.token,
          'openstack-api-version': `placement ${this.version}`,
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      const reason =
        cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
      throw new SourceError('network', `cannot reach the Placement at ${this.url}: ${reason}`);
    }
    if (!response.ok) {
      const detail = placementErrorDetail(text);
      const hint =
        response.status === 401 || response.status === 403
          ? ' (check --token: it must be an admin token of that Placement)'
          : '';
      throw new SourceError(
        'http',
        `the Placement at ${this.url} answered GET ${path} with HTTP ${response.status}${detail ? `: ${detail}` : ''}${hint}`,
        response.status,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SourceError('format', `${target} did not answer JSON: is --from the Placement API's URL?`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new SourceError('format', `${target} did not answer as Placement does: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** Picks the newest microversion the source offers (refusing one older than MIN_SOURCE_VERSION). */
  async connect(): Promise<string> {
    const { versions } = await this.get('/', root);
    const max = versions[0]!.max_version;
    if (compareVersions(max, MIN_SOURCE_VERSION) < 0)
      throw new SourceError(
        'format',
        `the Placement at ${this.url} speaks up to ${max}; the import needs ${MIN_SOURCE_VERSION} or later`,
      );
    this.version = max;
    // The root answers without a token (Placement's policy): check the token now, before any work.
    await this.get('/resource_classes', classes);
    return max;
  }

  /** Everything the copy needs, read with at most `parallel` requests at a time. */
  async read(parallel = 8): Promise<SourceState> {
    const version = await this.connect();
    const classNames = (await this.get('/resource_classes', classes)).resource_classes.map((c) => c.name);
    const traitNames = (await this.get('/traits', traits)).traits;
    const listed = (await this.get('/resource_providers', providers)).resource_providers;
    const withDetail = await mapLimit(listed, parallel, (rp) => this.provider(rp));
    const consumerUuids = [...new Set(withDetail.flatMap((p) => p.consumers))].sort();
    const consumers = await mapLimit(consumerUuids, parallel, (uuid) => this.consumer(uuid));
    return {
      version,
      resourceClasses: classNames,
      traits: traitNames,
      providers: parentsFirst(withDetail.map(({ consumers: _, ...provider }) => provider)),
      consumers: consumers.filter((c): c is SourceConsumer => c !== null),
    };
  }

  /**
   * One provider's inventories, traits, aggregates and consumers, read again while the four
   * answers name different generations (the provider changed between them): one consistent
   * state, whose generation is the one copied.
   */
  private async provider(rp: {
    uuid: string;
    name: string;
    parent_provider_uuid?: string | null;
  }): Promise<SourceProvider & { consumers: string[] }> {
    const base = `/resource_providers/${rp.uuid}`;
    for (let attempt = 1; ; attempt++) {
      const inv = await this.get(`${base}/inventories`, inventories);
      const rpTraits = await this.get(`${base}/traits`, providerTraits);
      const rpAggregates = await this.get(`${base}/aggregates`, aggregates);
      const allocated = await this.get(`${base}/allocations`, providerAllocations);
      const generations = new Set(
        [inv, rpTraits, rpAggregates, allocated].map((answer) => answer.resource_provider_generation),
      );
      if (generations.size > 1 && attempt < CONSISTENT_READ_ATTEMPTS) continue;
      if (generations.size > 1)
        throw new SourceError('format', `provider ${rp.uuid} kept changing while it was read; run the import again`);
      return {
        uuid: rp.uuid,
        name: rp.name,
        parentProviderUuid: rp.parent_provider_uuid ?? null,
        generation: inv.resource_provider_generation,
        inventories: Object.entries(inv.inventories)
          .map(([resourceClass, i]) => ({
            resourceClass,
            total: i.total,
            reserved: i.reserved,
            minUnit: i.min_unit,
            maxUnit: i.max_unit,
            stepSize: i.step_size,
            allocationRatio: i.allocation_ratio,
          }))
          .sort((a, b) => a.resourceClass.localeCompare(b.resourceClass)),
        traits: [...rpTraits.traits].sort(),
        aggregates: [...rpAggregates.aggregates].sort(),
        consumers: Object.keys(allocated.allocations),
      };
    }
  }

  private async consumer(uuid: string): Promise<SourceConsumer | null> {
    const body = await this.get(`/allocations/${uuid}`, consumerAllocations);
    const allocations = Object.entries(body.allocations).flatMap(([providerUuid, { resources }]) =>
      Object.entries(resources).map(([resourceClass, used]) => ({ providerUuid, resourceClass, used })),
    );
    // Gone between the provider's listing and this read: nothing to copy.
    if (allocations.length === 0) return null;
    const type = body.consumer_type ?? null;
    return {
      uuid,
      projectId: body.project_id ?? '',
      userId: body.user_id ?? '',
      consumerType: type === NULL_CONSUMER_TYPE ? null : type,
      generation: body.consumer_generation ?? 0,
      allocations: allocations.sort((a, b) =>
        `${a.providerUuid}/${a.resourceClass}`.localeCompare(`${b.providerUuid}/${b.resourceClass}`),
      ),
    };
  }

  /** Each provider's usage per class (GET /resource_providers/{uuid}/usages), for the check after the import. */
  async usages(uuids: readonly string[], parallel = 8): Promise<Map<string, Record<string, number>>> {
    const all = await mapLimit(uuids, parallel, async (uuid) => {
      return [uuid, (await this.get(`/resource_providers/${uuid}/usages`, usages)).usages] as const;
    });
    return new Map(all);
  }
}

/** The error text of Placement's JSON error document, when the body is one. */
function placementErrorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { title?: string; detail?: string }[] };
    const first = body.errors?.[0];
    return (first?.detail ?? first?.title ?? '').replace(/\s+/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Providers ordered so that each parent comes before its children (Placement lists them in id order, usually so already). */
export function parentsFirst<P extends { uuid: string; parentProviderUuid: string | null }>(list: readonly P[]): P[] {
  const byUuid = new Map(list.map((p) => [p.uuid, p]));
  const placed = new Set<string>();
  const ordered: P[] = [];
  const place = (p: P) => {
    if (placed.has(p.uuid)) return;
    placed.add(p.uuid);
    const parent = p.parentProviderUuid ? byUuid.get(p.parentProviderUuid) : undefined;
    if (parent) place(parent);
    ordered.push(p);
  };
  for (const p of list) place(p);
  return ordered;
}
