-- Idempotency keys are scoped to the caller who used them (issue 10): one caller can neither
-- read another's stored answer nor be refused because another took the key first. The
-- caller key is what src/placement/claims/idempotency.ts `callerKeyOf` derives from the
-- caller's identity; '' is the engine's own (internal, unauthenticated) calls. Keys stored
-- before this migration belonged to no known caller and stay under ''.
ALTER TABLE "idempotency_keys" ADD COLUMN "caller_key" TEXT NOT NULL DEFAULT '';
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_pkey";
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller_key", "key");
