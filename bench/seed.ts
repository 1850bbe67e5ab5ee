import type pg from 'pg';
import { shareBoundsSet } from '../src/placement/fit.js';

export interface SeedOptions {
  providers: number;
  cells: number;
  /** Custom traits in the catalogue used by the bench (each provider carries a few). */
  traits: number;
  /** Providers tagged CUSTOM_BENCH_HOT form the hot spot. */
  hotSpot: number;
}

/**
 * Set-based seeding straight in SQL (seconds for 100 000 providers): cells, providers with
 * VCPU / MEMORY_MB / DISK_GB inventories and some usage, custom traits, a hot spot.
 * Deterministic: provider i gets the same data on every run.
 */
export async function seed(pool: pg.Pool, options: SeedOptions): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO cells (uuid, name) SELECT gen_random_uuid(), 'cell-' || g FROM generate_series(1, $1) g`,
      [options.cells],
    );
    await client.query(
      `INSERT INTO traits (name) SELECT 'CUSTOM_BENCH_T' || g FROM generate_series(1, $1) g
       UNION ALL SELECT 'CUSTOM_BENCH_HOT'`,
      [options.traits],
    );
    await client.query(
      `WITH next AS (SELECT nextval(pg_get_serial_sequence('resource_providers', 'id'))::int AS id, g FROM generate_series(1, $1) g)
       INSERT INTO resource_providers (id, uuid, name, cell_id, root_provider_id)
       SELECT next.id, gen_random_uuid(), 'host-' || lpad(g::text, 6, '0'),
              (SELECT id FROM cells ORDER BY id OFFSET (g % $2) LIMIT 1), next.id
         FROM next`,
      [options.providers, options.cells],
    );
    // 64 VCPU × 4.0, 256 GiB RAM, 2 TB disk; some hosts partly used (usage without
    // allocation rows would break the invariant, so usage is seeded as real allocations below).
    await client.query(
      `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, allocation_ratio)
       SELECT p.id, rc.id,
              CASE rc.name WHEN 'VCPU' THEN 64 WHEN 'MEMORY_MB' THEN 262144 ELSE 2000 END,
              CASE rc.name WHEN 'MEMORY_MB' THEN 4096 ELSE 0 END,
              CASE rc.name WHEN 'VCPU' THEN 4.0 ELSE 1.0 END
         FROM resource_providers p CROSS JOIN resource_classes rc
        WHERE rc.name IN ('VCPU', 'MEMORY_MB', 'DISK_GB')`,
    );
    // Each provider carries ~8 of the bench traits, chosen by hashing its id.
    await client.query(
      `INSERT INTO provider_traits (provider_id, trait_id)
       SELECT DISTINCT p.id, t.id
         FROM resource_providers p
         CROSS JOIN generate_series(0, 7) k
         JOIN traits t ON t.name = 'CUSTOM_BENCH_T' || (1 + abs(hashint4(p.id * 8 + k)) % $1)`,
      [options.traits],
    );
    await client.query(
      `INSERT INTO provider_traits (provider_id, trait_id)
       SELECT p.id, (SELECT id FROM traits WHERE name = 'CUSTOM_BENCH_HOT')
         FROM resource_providers p ORDER BY p.id LIMIT $1`,
      [options.hotSpot],
    );
    await client.query(
      `UPDATE resource_providers p SET trait_ids = t.ids
         FROM (SELECT provider_id, array_agg(trait_id ORDER BY trait_id) AS ids FROM provider_traits GROUP BY provider_id) t
        WHERE t.provider_id = p.id`,
    );
    // Existing load: one consumer per provider on 3 of 4 providers, of varying size.
    await client.query(
      `INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation)
       SELECT gen_random_uuid(), 'bench-seed', 'seed', 'INSTANCE', 1
         FROM resource_providers p WHERE p.id % 4 <> 0 ORDER BY p.id`,
    );
    await client.query(
      `WITH pairs AS (
         SELECT p.id AS provider_id, c.id AS consumer_id, row_number() OVER () AS n
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM resource_providers WHERE id % 4 <> 0) p
           JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM consumers WHERE project_id = 'bench-seed') c ON c.rn = p.rn)
       INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
       SELECT pairs.consumer_id, pairs.provider_id, rc.id,
              CASE rc.name WHEN 'VCPU' THEN 1 + abs(hashint4(pairs.provider_id)) % 200
                           WHEN 'MEMORY_MB' THEN 1024 * (1 + abs(hashint4(pairs.provider_id + 1)) % 200)
                           ELSE 10 * (1 + abs(hashint4(pairs.provider_id + 2)) % 150) END
         FROM pairs CROSS JOIN resource_classes rc WHERE rc.name IN ('VCPU', 'MEMORY_MB', 'DISK_GB')`,
    );
    await client.query(
      `UPDATE inventories i SET used = a.total
         FROM (SELECT provider_id, resource_class_id, sum(used) AS total FROM allocations GROUP BY 1, 2) a
        WHERE i.provider_id = a.provider_id AND i.resource_class_id = a.resource_class_id`,
    );
    await client.query(`UPDATE resource_providers p SET ${shareBoundsSet()}`);
    await client.query('COMMIT');
    // Seeding rewrote every provider row a few times: reclaim that before measuring.
    await client.query('VACUUM ANALYZE');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
