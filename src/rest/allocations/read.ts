import type pg from 'pg';
import { RestError } from '../errors.js';
import { isUuidLike } from '../json-schema.js';
import { storedUuid } from '../query.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ReadAnswer {
  body: Json;
  /** The newest allocation's creation time (Placement's Last-Modified), null when there is none. */
  lastModified: Date | null;
}

interface ConsumerAllocationRow {
  provider: string;
  generation: number;
  resourceClass: string;
  used: number;
  projectId: string;
  userId: string;
  consumerGeneration: number;
  consumerType: string | null;
  createdAt: Date;
}

/** GET /allocations/{consumer_uuid}: by provider, with project and user from 1.12, generation 1.28, type 1.38. */
export async function consumerAllocations(pool: pg.Pool, consumerUuid: string, minor: number): Promise<ReadAnswer> {
  const uuid = storedUuid(consumerUuid);
  const { rows } =
    uuid === null
      ? { rows: [] as ConsumerAllocationRow[] }
      : await pool.query<ConsumerAllocationRow>(
          `SELECT p.uuid AS provider, p.generation, rc.name AS "resourceClass", a.used, c.project_id AS "projectId",
                  c.user_id AS "userId", c.generation AS "consumerGeneration", c.consumer_type AS "consumerType",
                  a.created_at AS "createdAt"
             FROM consumers c JOIN allocations a ON a.consumer_id = c.id
             JOIN resource_providers p ON p.id = a.provider_id JOIN resource_classes rc ON rc.id = a.resource_class_id
            WHERE c.uuid = $1 ORDER BY a.id`,
          [uuid],
        );
  const allocations: { [provider: string]: { resources: { [rc: string]: number }; generation: number } } = {};
  for (const row of rows) {
    const entry = allocations[row.provider] ?? { resources: {}, generation: row.generation };
    entry.resources[row.resourceClass] = row.used;
    allocations[row.provider] = entry;
  }
  const body: { [key: string]: Json } = { allocations };
  const first = rows[0];
  if (first && minor >= 12) {
    body.project_id = first.projectId;
    body.user_id = first.userId;
    if (minor >= 28) body.consumer_generation = first.consumerGeneration;
    if (minor >= 38) body.consumer_type = first.consumerType ?? 'unknown';
  }
  return { body, lastModified: newest(rows.map((r) => r.createdAt)) };
}

/** GET /resource_providers/{uuid}/allocations: by consumer, with the provider's generation. */
export async function providerAllocations(pool: pg.Pool, providerUuid: string, minor: number): Promise<ReadAnswer> {
  const uuid = isUuidLike(providerUuid) ? storedUuid(providerUuid) : null;
  const provider =
    uuid === null
      ? null
      : (
          await pool.query<{ id: number; generation: number }>(
            'SELECT id, generation FROM resource_providers WHERE uuid = $1',
            [uuid],
          )
        ).rows[0];
  if (!provider)
    throw new RestError(
      404,
      `Resource provider '${providerUuid}' not found: No resource provider with uuid ${providerUuid} found`,
    );
  const { rows } = await pool.query<{
    consumer: string;
    resourceClass: string;
    used: number;
    consumerGeneration: number;
    createdAt: Date;
  }>(
    `SELECT c.uuid AS consumer, rc.name AS "resourceClass", a.used, c.generation AS "consumerGeneration",
            a.created_at AS "createdAt"
       FROM allocations a JOIN consumers c ON c.id = a.consumer_id JOIN resource_classes rc ON rc.id = a.resource_class_id
      WHERE a.provider_id = $1 ORDER BY a.id`,
    [provider.id],
  );
  const allocations: { [consumer: string]: { [key: string]: Json } } = {};
  for (const row of rows) {
    const entry: { [key: string]: Json } = allocations[row.consumer] ?? { resources: {} };
    (entry.resources as { [rc: string]: number })[row.resourceClass] = row.used;
    if (minor >= 28) entry.consumer_generation = row.consumerGeneration;
    allocations[row.consumer] = entry;
  }
  return {
    body: { allocations, resource_provider_generation: provider.generation },
    lastModified: newest(rows.map((r) => r.createdAt)),
  };
}

function newest(dates: Date[]): Date | null {
  return dates.reduce<Date | null>((a, b) => (a === null || b > a ? b : a), null);
}
