import type pg from 'pg';

/** A provider's inventory of one class, as Placement's REST API shows it. */
export interface InventoryView {
  resourceClass: string;
  total: number;
  reserved: number;
  minUnit: number;
  maxUnit: number;
  stepSize: number;
  allocationRatio: number;
  used: number;
}

/** A provider's inventories, in the order they were created. */
export async function providerInventories(pool: pg.Pool, providerId: number): Promise<InventoryView[]> {
  const { rows } = await pool.query<InventoryView>(
    `SELECT rc.name AS "resourceClass", i.total, i.reserved, i.min_unit AS "minUnit", i.max_unit AS "maxUnit",
            i.step_size AS "stepSize", i.allocation_ratio AS "allocationRatio", i.used::int AS used
       FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
      WHERE i.provider_id = $1 ORDER BY i.id`,
    [providerId],
  );
  return rows;
}
