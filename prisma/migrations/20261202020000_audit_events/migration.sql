-- The audit trail (docs/OPERATIONS.md, "Audit trail"): one row per successful mutation,
-- appended in the same transaction as the change it records, so a row exists exactly when
-- the change committed. Rows are purged after AUDIT_RETENTION_DAYS.
CREATE TABLE "audit_events" (
  "id" BIGINT GENERATED ALWAYS AS IDENTITY,
  "at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
  "operation" TEXT NOT NULL,
  "request_id" TEXT NOT NULL,
  "api_version" TEXT,
  "actor_kind" TEXT NOT NULL,
  "actor_name" TEXT NOT NULL,
  "actor_role" TEXT NOT NULL,
  "actor_project" TEXT,
  -- The API token the caller used (kind 'token'); not a foreign key, so an event outlives
  -- nothing it names and a token's row can never be kept alive by its history.
  "token_id" BIGINT,
  -- What a mutation changed that is neither a provider nor a consumer (a token's name, a
  -- resource class, a trait, a cell), when it changed such a thing.
  "subject" TEXT,
  "provider_uuids" UUID[] NOT NULL DEFAULT '{}',
  "consumer_uuids" UUID[] NOT NULL DEFAULT '{}',
  CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- Listing is newest first by id (the order events were appended), keyset-paged on id; each
-- filter has an index that yields its events in that order. since/until and the purge use "at".
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");
CREATE INDEX "audit_events_operation_id_idx" ON "audit_events"("operation", "id");
CREATE INDEX "audit_events_actor_name_id_idx" ON "audit_events"("actor_name", "id");
CREATE INDEX "audit_events_provider_uuids_idx" ON "audit_events" USING GIN ("provider_uuids");
CREATE INDEX "audit_events_consumer_uuids_idx" ON "audit_events" USING GIN ("consumer_uuids");
