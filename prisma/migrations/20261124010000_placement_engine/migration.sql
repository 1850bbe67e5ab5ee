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
CREATE INDEX "resource_providers_root_trait_ids_idx" ON "resource_providers" USING GIN ("trait_ids") WHERE "parent_provider_id" IS NULL;

-- Candidate search starts from the roots of one cell.
CREATE INDEX "resource_providers_roots_by_cell_idx" ON "resource_providers"("cell_id", "id") WHERE "parent_provider_id" IS NULL;
-- Inventory probes by provider, class with the fit columns at hand.
CREATE INDEX "inventories_provider_class_fit_idx" ON "inventories"("provider_id", "resource_class_id") INCLUDE ("capacity", "used", "min_unit", "max_unit", "step_size");
