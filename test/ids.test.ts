import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { setProviderAggregates } from '../src/placement/aggregates.js';
import { writeConsumerAllocations } from '../src/placement/allocations.js';
import { setInventories, upsertInventory } from '../src/placement/inventories.js';
import { createProvider } from '../src/placement/providers.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * Ids that grow with traffic are bigint, and no write draws ids for rows it does not
 * create: the sequences' positions are read from pg_sequences before and after.
 */
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv(4);
});
afterAll(async () => {
  await env?.close();
});

/** How far a sequence has handed out ids (with a cache: how far it has reserved them). */
async function sequencePosition(name: string): Promise<number> {
  const [row] = await env.sql<{ position: number }>(
    'SELECT coalesce(last_value, 0) AS position FROM pg_sequences WHERE sequencename = $1',
    [name],
  );
  return row!.position;
}

async function hostWithInventories() {
  const provider = await createProvider(env.db.pool, { name: `ids-${randomUUID().slice(0, 8)}` });
  const inventories = [
    { resourceClass: 'VCPU', total: 64 },
    { resourceClass: 'MEMORY_MB', total: 65536 },
    { resourceClass: 'DISK_GB', total: 1000 },
  ];
  const { provider: after } = await setInventories(env.db.pool, {
    providerUuid: provider.uuid,
    generation: 0,
    inventories,
  });
  return { uuid: after.uuid, generation: after.generation, inventories };
}

describe('ids that never run out', () => {
  it('consumer, inventory and aggregate ids (and their references) are bigint, as are their sequences', async () => {
    const columns = await env.sql<{ column: string; type: string }>(
      `SELECT table_name || '.' || column_name AS column, data_type AS type FROM information_schema.columns
        WHERE table_schema = 'public' AND (table_name, column_name) IN
          (('consumers', 'id'), ('allocations', 'consumer_id'), ('allocations', 'id'), ('inventories', 'id'),
           ('aggregates', 'id'), ('provider_aggregates', 'aggregate_id'))
        ORDER BY 1`,
    );
    expect(columns.map((c) => `${c.column} ${c.type}`)).toEqual([
      'aggregates.id bigint',
      'allocations.consumer_id bigint',
      'allocations.id bigint',
      'consumers.id bigint',
      'inventories.id bigint',
      'provider_aggregates.aggregate_id bigint',
    ]);
    const sequences = await env.sql<{ name: string; type: string; cache: number }>(
      `SELECT sequencename AS name, data_type::text AS type, cache_size::int AS cache FROM pg_sequences
        WHERE sequencename IN ('consumers_id_seq', 'inventories_id_seq', 'aggregates_id_seq', 'allocations_id_seq')
        ORDER BY 1`,
    );
    expect(sequences).toEqual([
      { name: 'aggregates_id_seq', type: 'bigint', cache: 1 },
      { name: 'allocations_id_seq', type: 'bigint', cache: 1 },
      { name: 'consumers_id_seq', type: 'bigint', cache: 1 },
      { name: 'inventories_id_seq', type: 'bigint', cache: 1 },
    ]);
  });

  it('re-setting unchanged inventories, or upserting an existing class, draws no inventory id', async () => {
    const host = await hostWithInventories();
    const before = await sequencePosition('inventories_id_seq');
    let generation = host.generation;
    for (let i = 0; i < 5; i++) {
      ({
        provider: { generation },
      } = await setInventories(env.db.pool, { providerUuid: host.uuid, generation, inventories: host.inventories }));
    }
    ({
      provider: { generation },
    } = await upsertInventory(env.db.pool, {
      providerUuid: host.uuid,
      generation,
      inventory: { resourceClass: 'VCPU', total: 65 },
    }));
    expect(await sequencePosition('inventories_id_seq')).toBe(before);
    // a new class takes exactly one
    await upsertInventory(env.db.pool, {
      providerUuid: host.uuid,
      generation,
      inventory: { resourceClass: 'PCPU', total: 8 },
    });
    expect(await sequencePosition('inventories_id_seq')).toBe(before + 1);
  });

  it('setProviderAggregates draws an aggregate id only for an aggregate it creates', async () => {
    const host = await hostWithInventories();
    const aggregates = Array.from({ length: 50 }, () => randomUUID());
    const start = await sequencePosition('aggregates_id_seq');
    let generation = host.generation;
    ({ generation } = await setProviderAggregates(env.db.pool, { providerUuid: host.uuid, generation, aggregates }));
    expect(await sequencePosition('aggregates_id_seq')).toBe(start + 50);
    for (let i = 0; i < 3; i++) {
      ({ generation } = await setProviderAggregates(env.db.pool, { providerUuid: host.uuid, generation, aggregates }));
    }
    ({ generation } = await setProviderAggregates(env.db.pool, {
      providerUuid: host.uuid,
      generation,
      aggregates: [...aggregates.slice(0, 10), randomUUID()],
    }));
    expect(await sequencePosition('aggregates_id_seq')).toBe(start + 51);
  });

  it('each new connection takes one consumer id per consumer it creates, not a block', async () => {
    const host = await hostWithInventories();
    const before = await sequencePosition('consumers_id_seq');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      // a fresh pool each time: a connection that opens, creates one consumer and closes
      const db = openDatabase(env.url, 1);
      try {
        const consumerUuid = randomUUID();
        await writeConsumerAllocations(db.pool, {
          consumerUuid,
          consumerGeneration: null,
          projectId: 'ids',
          userId: 'ids',
          allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
        });
        const [row] = await env.sql<{ id: number }>('SELECT id FROM consumers WHERE uuid = $1', [consumerUuid]);
        ids.push(row!.id);
      } finally {
        await db.close();
      }
    }
    expect(await sequencePosition('consumers_id_seq')).toBe(before + 5);
    // Spread over the key space (consecutive claims fill different index pages), exact as JS numbers.
    for (const id of ids) expect(Number.isSafeInteger(id) && id >= 2 ** 52).toBe(true);
    const gaps = ids.slice(1).map((id, i) => Math.abs(id - ids[i]!));
    for (const gap of gaps) expect(gap).toBeGreaterThan(2 ** 40);
  });
});
