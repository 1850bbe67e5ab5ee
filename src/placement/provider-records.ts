/**
 * The CTEs `traits_of` (names, in name order), `aggregates_of` (uuid text) and
 * `inventories_of` (`inventory`, a JSON expression over inventory `i` and its class `rc`, in
 * class id order) of the providers whose ids the CTE `source` lists in its `id` column, each
 * keyed by `provider_id`. Each provider's rows are read by index (LATERAL, OFFSET 0 keeps it
 * so): where sharing pools' aggregates hold thousands of hosts the planner guessed thousands
 * of providers for ~100 and hashed every inventory and provider row instead (285 ms against
 * ~10 ms at 100 000 hosts). One join over the providers each, not a subquery per provider
 * (which scanned the trait catalogue once per provider).
 */
export function providerRecordsSql(source: string, inventory: string): string {
  return `traits_of AS (
  SELECT w.id AS provider_id, array_agg(t.name ORDER BY t.name) AS names
    FROM ${source} w CROSS JOIN LATERAL (SELECT pt.trait_id FROM provider_traits pt WHERE pt.provider_id = w.id OFFSET 0) pt
    JOIN traits t ON t.id = pt.trait_id
   GROUP BY w.id),
aggregates_of AS (
  SELECT w.id AS provider_id, array_agg(a.uuid::text) AS uuids
    FROM ${source} w CROSS JOIN LATERAL (SELECT pa.aggregate_id FROM provider_aggregates pa WHERE pa.provider_id = w.id OFFSET 0) pa
    JOIN aggregates a ON a.id = pa.aggregate_id
   GROUP BY w.id),
inventories_of AS (
  SELECT w.id AS provider_id, json_agg(${inventory} ORDER BY rc.id) AS list
    FROM ${source} w CROSS JOIN LATERAL (SELECT * FROM inventories i WHERE i.provider_id = w.id OFFSET 0) i
    JOIN resource_classes rc ON rc.id = i.resource_class_id
   GROUP BY w.id)`;
}
