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

-- Bounds on each host's weight, kept in step by every write that changes inventories or
-- usage: spread_bounds[k] is the mean of its k largest free shares (capacity − used) /
-- capacity, pack_bounds[k] the mean of its k smallest (k = 1..3). A request of k classes
-- weighs a host by a mean of k shares, which lies between the two, so the search walks
-- hosts in bound order (SPREAD: spread_bounds[k] descending, PACK: pack_bounds[k]
-- ascending, ties by uuid) and stops once no unseen host can beat the best `limit` found:
-- the work follows the hosts returned, not the hosts stored.
ALTER TABLE "resource_providers" ADD COLUMN "spread_bounds" DOUBLE PRECISION[] NOT NULL DEFAULT '{}';
ALTER TABLE "resource_providers" ADD COLUMN "pack_bounds" DOUBLE PRECISION[] NOT NULL DEFAULT '{}';
UPDATE "resource_providers" p SET
  "spread_bounds" = (SELECT coalesce(array_agg(m ORDER BY k), '{}') FROM (
      SELECT row_number() OVER w AS k, avg(s) OVER w AS m
        FROM (SELECT ((i.capacity - i.used)::float8 / i.capacity) AS s FROM inventories i WHERE i.provider_id = p.id AND i.capacity > 0) shares
      WINDOW w AS (ORDER BY s DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) means WHERE k <= 3),
  "pack_bounds" = (SELECT coalesce(array_agg(m ORDER BY k), '{}') FROM (
      SELECT row_number() OVER w AS k, avg(s) OVER w AS m
        FROM (SELECT ((i.capacity - i.used)::float8 / i.capacity) AS s FROM inventories i WHERE i.provider_id = p.id AND i.capacity > 0) shares
      WINDOW w AS (ORDER BY s ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) means WHERE k <= 3);

-- Rare traits (a GPU trait on 50 of 100 000 hosts) are found through this index rather
-- than by walking the bound-ordered index; the planner picks by the traits' frequencies.
CREATE INDEX "resource_providers_root_trait_ids_idx" ON "resource_providers" USING GIN ("trait_ids") WHERE "parent_provider_id" IS NULL;

-- Walk keys, one per weigher and class count, with and without a cell: one ascending key
-- then uuid, so a batch continues with a row comparison (key, uuid) > (…). INCLUDE lets
-- the walk test cell and trait filters on the index entry alone (an index-only scan).
CREATE INDEX "resource_providers_spread1_walk_idx" ON "resource_providers"("cell_id", (-("spread_bounds"[1])), "uuid") INCLUDE ("id", "spread_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[1] IS NOT NULL;
CREATE INDEX "resource_providers_spread1_walk_all_idx" ON "resource_providers"((-("spread_bounds"[1])), "uuid") INCLUDE ("id", "cell_id", "spread_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[1] IS NOT NULL;
CREATE INDEX "resource_providers_pack1_walk_idx" ON "resource_providers"("cell_id", ("pack_bounds"[1]), "uuid") INCLUDE ("id", "pack_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[1] IS NOT NULL;
CREATE INDEX "resource_providers_pack1_walk_all_idx" ON "resource_providers"(("pack_bounds"[1]), "uuid") INCLUDE ("id", "cell_id", "pack_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[1] IS NOT NULL;
CREATE INDEX "resource_providers_spread2_walk_idx" ON "resource_providers"("cell_id", (-("spread_bounds"[2])), "uuid") INCLUDE ("id", "spread_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[2] IS NOT NULL;
CREATE INDEX "resource_providers_spread2_walk_all_idx" ON "resource_providers"((-("spread_bounds"[2])), "uuid") INCLUDE ("id", "cell_id", "spread_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[2] IS NOT NULL;
CREATE INDEX "resource_providers_pack2_walk_idx" ON "resource_providers"("cell_id", ("pack_bounds"[2]), "uuid") INCLUDE ("id", "pack_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[2] IS NOT NULL;
CREATE INDEX "resource_providers_pack2_walk_all_idx" ON "resource_providers"(("pack_bounds"[2]), "uuid") INCLUDE ("id", "cell_id", "pack_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[2] IS NOT NULL;
CREATE INDEX "resource_providers_spread3_walk_idx" ON "resource_providers"("cell_id", (-("spread_bounds"[3])), "uuid") INCLUDE ("id", "spread_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[3] IS NOT NULL;
CREATE INDEX "resource_providers_spread3_walk_all_idx" ON "resource_providers"((-("spread_bounds"[3])), "uuid") INCLUDE ("id", "cell_id", "spread_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "spread_bounds"[3] IS NOT NULL;
CREATE INDEX "resource_providers_pack3_walk_idx" ON "resource_providers"("cell_id", ("pack_bounds"[3]), "uuid") INCLUDE ("id", "pack_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[3] IS NOT NULL;
CREATE INDEX "resource_providers_pack3_walk_all_idx" ON "resource_providers"(("pack_bounds"[3]), "uuid") INCLUDE ("id", "cell_id", "pack_bounds", "trait_ids", "parent_provider_id") WHERE "parent_provider_id" IS NULL AND "pack_bounds"[3] IS NOT NULL;

-- Claims rewrite a host's inventory and provider rows on every claim: leave room on each
-- page so those updates can stay on the page (HOT) when no indexed column changes.
ALTER TABLE "inventories" SET (fillfactor = 80);
ALTER TABLE "resource_providers" SET (fillfactor = 80);
