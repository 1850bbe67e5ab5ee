-- Surrogate ids that grow with traffic become bigint, and their sequences too: consumers
-- (one per claim), inventories (one per provider and class, again after each delete and
-- re-add) and aggregates (created on first mention by setProviderAggregates), with the
-- columns that reference them. allocations.id is bigint since the first migration.
-- Provider, cell, resource class and trait ids stay integer: they count things an operator
-- registers (hosts, cells, catalogue entries), which int4 covers for centuries of churn,
-- and the engine's SQL passes them as int[] (trait_ids is an int[] copy of trait ids).
--
-- Rewrites consumers, allocations, inventories, aggregates and provider_aggregates under an
-- exclusive lock: on a large existing database, apply it in a maintenance window.
ALTER TABLE "allocations" ALTER COLUMN "consumer_id" TYPE BIGINT;
ALTER TABLE "consumers" ALTER COLUMN "id" TYPE BIGINT;
ALTER TABLE "provider_aggregates" ALTER COLUMN "aggregate_id" TYPE BIGINT;
ALTER TABLE "aggregates" ALTER COLUMN "id" TYPE BIGINT;
ALTER TABLE "inventories" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "inventories_id_seq" AS BIGINT;
ALTER SEQUENCE "aggregates_id_seq" AS BIGINT;

-- Consumer ids: one sequence value at a time again (a connection that closed lost the rest
-- of its 500-id block, 20261124020000_consumer_id_blocks), each spread over the key space.
--
-- A claim inserts its consumer and, in the same SERIALIZABLE statement, allocation rows
-- whose foreign-key check reads the consumers_pkey leaf page holding the new id: claims
-- whose ids share a leaf page conflict (a read/write dependency each way) and one retries.
-- Sequential ids all land on the rightmost page. So the id is the n-th value of a Weyl
-- sequence instead: 2^52 + (n × K mod 2^52) with K odd (⌊2^52 × (√5 − 1)/2⌋ | 1), a
-- bijection of n, so ids never collide and need no retry; consecutive n land far apart in
-- the index (the leaf pages split the key space evenly); ids of existing rows (< 2^31) lie
-- below 2^52; and every id stays below 2^53, exact as a JavaScript number.
ALTER SEQUENCE "consumers_id_seq" AS BIGINT CACHE 1;
ALTER TABLE "consumers" ALTER COLUMN "id" SET DEFAULT
  (4503599627370496 + (nextval('consumers_id_seq')::numeric * 2783377641436329) % 4503599627370496)::bigint;
