-- Candidate search and claims.

-- Claim-type mutations remember their result under the caller's idempotency key, written in
-- the same transaction as the claim, so a retried request returns the original answer.
CREATE TABLE "idempotency_keys" (
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- Each provider's trait ids, sorted: a copy of provider_traits kept in step by the only
-- writer (setProviderTraits), so trait filters are an in-row array test instead of a probe
-- per trait and provider. provider_traits stays the source of truth.
ALTER TABLE "resource_providers" ADD COLUMN "trait_ids" INTEGER[] NOT NULL DEFAULT '{}';
UPDATE "resource_providers" p SET "trait_ids" = t.ids
  FROM (SELECT provider_id, array_agg(trait_id ORDER BY trait_id) AS ids FROM provider_traits GROUP BY provider_id) t
 WHERE t.provider_id = p.id;

-- Bounds of each provider's free shares (capacity − used) / capacity over its own
-- inventories, kept in step by every write that changes inventories or usage. A candidate's
-- weight is a mean of such shares, so the search walks hosts in bound order (SPREAD: max
-- descending, PACK: min ascending, ties by uuid) and stops once no unseen host can beat
-- the best `limit` found: the work follows the hosts returned, not the hosts stored.
ALTER TABLE "resource_providers" ADD COLUMN "free_share_max" DOUBLE PRECISION;
ALTER TABLE "resource_providers" ADD COLUMN "free_share_min" DOUBLE PRECISION;
UPDATE "resource_providers" p SET
  "free_share_max" = (SELECT max(((i.capacity - i.used)::float8 / i.capacity)) FROM inventories i WHERE i.provider_id = p.id AND i.capacity > 0),
  "free_share_min" = (SELECT min(((i.capacity - i.used)::float8 / i.capacity)) FROM inventories i WHERE i.provider_id = p.id AND i.capacity > 0);
-- Rare traits (a GPU trait on 50 of 100 000 hosts) are found through this index rather
-- than by walking the bound-ordered index; the planner picks by the traits' frequencies.
CREATE INDEX "resource_providers_root_trait_ids_idx" ON "resource_providers" USING GIN ("trait_ids") WHERE "parent_provider_id" IS NULL;

-- Walk keys: SPREAD walks -free_share_max ascending, PACK free_share_min ascending, then
-- uuid; one direction, so a batch continues with a row comparison (key, uuid) > (…).
-- INCLUDE lets the walk test cell and trait filters on the index entry alone (an
-- index-only scan), visiting the table only for hosts that pass.
CREATE INDEX "resource_providers_spread_walk_idx" ON "resource_providers"("cell_id", (-"free_share_max"), "uuid") INCLUDE ("id", "free_share_max", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "free_share_max" IS NOT NULL;
CREATE INDEX "resource_providers_pack_walk_idx" ON "resource_providers"("cell_id", "free_share_min", "uuid") INCLUDE ("id", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "free_share_min" IS NOT NULL;
CREATE INDEX "resource_providers_spread_walk_all_idx" ON "resource_providers"((-"free_share_max"), "uuid") INCLUDE ("id", "cell_id", "free_share_max", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "free_share_max" IS NOT NULL;
CREATE INDEX "resource_providers_pack_walk_all_idx" ON "resource_providers"("free_share_min", "uuid") INCLUDE ("id", "cell_id", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "free_share_min" IS NOT NULL;
-- Inventory probes by provider, class with the fit columns at hand.
CREATE INDEX "inventories_provider_class_fit_idx" ON "inventories"("provider_id", "resource_class_id") INCLUDE ("capacity", "used", "min_unit", "max_unit", "step_size");
