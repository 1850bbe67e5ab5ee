-- A host's own classes, on the host. The flat walk tests them on the walk index entry (like
-- the traits), so a request for a class that few or no hosts hold themselves (PCPU that
-- only NUMA children carry) skips the other hosts on the index alone, instead of probing
-- every host's inventories in bound order. Sorted ids of the provider's own inventories,
-- on every provider, kept by a trigger on inventories (inserts and deletes change the set;
-- updates never do). Inventory writers hold the provider's row lock, so one provider's
-- set is refreshed by one writer at a time.
ALTER TABLE "resource_providers" ADD COLUMN "class_ids" INTEGER[] NOT NULL DEFAULT '{}';

CREATE FUNCTION "placement_inventories_class_ids"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE resource_providers p SET class_ids = fresh.ids
    FROM (SELECT c.id, coalesce((SELECT array_agg(i.resource_class_id ORDER BY i.resource_class_id)
                                   FROM inventories i WHERE i.provider_id = c.id), '{}') AS ids
            FROM (SELECT DISTINCT provider_id AS id FROM changed) c) fresh
   WHERE p.id = fresh.id AND p.class_ids <> fresh.ids;
  RETURN NULL;
END $$;

CREATE TRIGGER "inventories_class_ids_insert" AFTER INSERT ON "inventories"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION placement_inventories_class_ids();
CREATE TRIGGER "inventories_class_ids_delete" AFTER DELETE ON "inventories"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION placement_inventories_class_ids();

UPDATE "resource_providers" p SET "class_ids" = i.ids
  FROM (SELECT provider_id, array_agg(resource_class_id ORDER BY resource_class_id) AS ids FROM inventories GROUP BY provider_id) i
 WHERE i.provider_id = p.id;

-- The walk indexes, each with class_ids added to what the walk tests on the entry alone.
DROP INDEX "resource_providers_spread1_walk_idx";
CREATE INDEX "resource_providers_spread1_walk_idx" ON "resource_providers"("cell_id", (-("spread_bounds"[1])), "uuid") INCLUDE ("id", "spread_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[1] IS NOT NULL;
DROP INDEX "resource_providers_spread1_walk_all_idx";
CREATE INDEX "resource_providers_spread1_walk_all_idx" ON "resource_providers"((-("spread_bounds"[1])), "uuid") INCLUDE ("id", "cell_id", "spread_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[1] IS NOT NULL;
DROP INDEX "resource_providers_pack1_walk_idx";
CREATE INDEX "resource_providers_pack1_walk_idx" ON "resource_providers"("cell_id", ("pack_bounds"[1]), "uuid") INCLUDE ("id", "pack_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[1] IS NOT NULL;
DROP INDEX "resource_providers_pack1_walk_all_idx";
CREATE INDEX "resource_providers_pack1_walk_all_idx" ON "resource_providers"(("pack_bounds"[1]), "uuid") INCLUDE ("id", "cell_id", "pack_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[1] IS NOT NULL;
DROP INDEX "resource_providers_spread2_walk_idx";
CREATE INDEX "resource_providers_spread2_walk_idx" ON "resource_providers"("cell_id", (-("spread_bounds"[2])), "uuid") INCLUDE ("id", "spread_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[2] IS NOT NULL;
DROP INDEX "resource_providers_spread2_walk_all_idx";
CREATE INDEX "resource_providers_spread2_walk_all_idx" ON "resource_providers"((-("spread_bounds"[2])), "uuid") INCLUDE ("id", "cell_id", "spread_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[2] IS NOT NULL;
DROP INDEX "resource_providers_pack2_walk_idx";
CREATE INDEX "resource_providers_pack2_walk_idx" ON "resource_providers"("cell_id", ("pack_bounds"[2]), "uuid") INCLUDE ("id", "pack_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[2] IS NOT NULL;
DROP INDEX "resource_providers_pack2_walk_all_idx";
CREATE INDEX "resource_providers_pack2_walk_all_idx" ON "resource_providers"(("pack_bounds"[2]), "uuid") INCLUDE ("id", "cell_id", "pack_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[2] IS NOT NULL;
DROP INDEX "resource_providers_spread3_walk_idx";
CREATE INDEX "resource_providers_spread3_walk_idx" ON "resource_providers"("cell_id", (-("spread_bounds"[3])), "uuid") INCLUDE ("id", "spread_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[3] IS NOT NULL;
DROP INDEX "resource_providers_spread3_walk_all_idx";
CREATE INDEX "resource_providers_spread3_walk_all_idx" ON "resource_providers"((-("spread_bounds"[3])), "uuid") INCLUDE ("id", "cell_id", "spread_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[3] IS NOT NULL;
DROP INDEX "resource_providers_pack3_walk_idx";
CREATE INDEX "resource_providers_pack3_walk_idx" ON "resource_providers"("cell_id", ("pack_bounds"[3]), "uuid") INCLUDE ("id", "pack_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[3] IS NOT NULL;
DROP INDEX "resource_providers_pack3_walk_all_idx";
CREATE INDEX "resource_providers_pack3_walk_all_idx" ON "resource_providers"(("pack_bounds"[3]), "uuid") INCLUDE ("id", "cell_id", "pack_bounds", "trait_ids", "class_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[3] IS NOT NULL;
