-- API tokens (docs/OPERATIONS.md, "Access control"). A token is a random secret the caller
-- sends as `Authorization: Bearer pgw_…`; only its SHA-256 is stored. A plain, unsalted
-- hash is enough here because the secret carries 256 random bits: nothing can be guessed
-- from the hash, and a salted slow hash would cost every request a KDF run for no gain.
CREATE TYPE "api_token_role" AS ENUM ('ADMIN', 'SCHEDULER', 'READER');

CREATE TABLE "api_tokens" (
  "id" BIGSERIAL NOT NULL,
  "name" TEXT NOT NULL,
  "role" "api_token_role" NOT NULL,
  "project_id" TEXT,
  "secret_hash" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_used_at" TIMESTAMPTZ(6),
  "revoked_at" TIMESTAMPTZ(6),
  CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "api_tokens_secret_hash_length" CHECK (octet_length("secret_hash") = 32),
  CONSTRAINT "api_tokens_name_rule" CHECK ("name" ~ '^[a-z0-9][a-z0-9._-]{0,62}$')
);

-- Verification is one lookup by hash.
CREATE UNIQUE INDEX "api_tokens_secret_hash_key" ON "api_tokens"("secret_hash");
-- A name is unique among live tokens; a revoked token's name may be reused.
CREATE UNIQUE INDEX "api_tokens_live_name_key" ON "api_tokens"("name") WHERE "revoked_at" IS NULL;
