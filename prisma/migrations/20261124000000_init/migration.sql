-- Resource model. Constraint and index names follow Prisma's conventions so that
-- `prisma migrate diff` against schema.prisma stays quiet on a machine with the engine.

CREATE TABLE "cells" (
    "id" SERIAL NOT NULL,
    "uuid" UUID NOT NULL,
    "name" TEXT COLLATE "C" NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "cells_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "cells_uuid_key" ON "cells"("uuid");
CREATE UNIQUE INDEX "cells_name_key" ON "cells"("name");

CREATE TABLE "resource_providers" (
    "id" SERIAL NOT NULL,
    "uuid" UUID NOT NULL,
    "name" TEXT COLLATE "C" NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "cell_id" INTEGER,
    "parent_provider_id" INTEGER,
    "root_provider_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "resource_providers_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "resource_providers_name_length" CHECK (char_length("name") BETWEEN 1 AND 200),
    CONSTRAINT "resource_providers_not_own_parent" CHECK ("parent_provider_id" IS DISTINCT FROM "id")
);
CREATE UNIQUE INDEX "resource_providers_uuid_key" ON "resource_providers"("uuid");
CREATE UNIQUE INDEX "resource_providers_name_key" ON "resource_providers"("name");
CREATE INDEX "resource_providers_cell_id_idx" ON "resource_providers"("cell_id");
CREATE INDEX "resource_providers_parent_provider_id_idx" ON "resource_providers"("parent_provider_id");
CREATE INDEX "resource_providers_root_provider_id_idx" ON "resource_providers"("root_provider_id");

CREATE TABLE "resource_classes" (
    "id" SERIAL NOT NULL,
    "name" TEXT COLLATE "C" NOT NULL,
    "standard" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "resource_classes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "resource_classes_name_format" CHECK ("name" ~ '^[A-Z0-9_]+$' AND char_length("name") <= 255)
);
CREATE UNIQUE INDEX "resource_classes_name_key" ON "resource_classes"("name");

CREATE TABLE "traits" (
    "id" SERIAL NOT NULL,
    "name" TEXT COLLATE "C" NOT NULL,
    "standard" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "traits_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "traits_name_format" CHECK ("name" ~ '^[A-Z0-9_]+$' AND char_length("name") <= 255)
);
CREATE UNIQUE INDEX "traits_name_key" ON "traits"("name");

CREATE TABLE "provider_traits" (
    "provider_id" INTEGER NOT NULL,
    "trait_id" INTEGER NOT NULL,
    CONSTRAINT "provider_traits_pkey" PRIMARY KEY ("provider_id","trait_id")
);
CREATE INDEX "provider_traits_trait_id_idx" ON "provider_traits"("trait_id");

CREATE TABLE "aggregates" (
    "id" SERIAL NOT NULL,
    "uuid" UUID NOT NULL,
    "name" TEXT COLLATE "C",
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "aggregates_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "aggregates_uuid_key" ON "aggregates"("uuid");
CREATE UNIQUE INDEX "aggregates_name_key" ON "aggregates"("name");

CREATE TABLE "provider_aggregates" (
    "provider_id" INTEGER NOT NULL,
    "aggregate_id" INTEGER NOT NULL,
    CONSTRAINT "provider_aggregates_pkey" PRIMARY KEY ("provider_id","aggregate_id")
);
CREATE INDEX "provider_aggregates_aggregate_id_idx" ON "provider_aggregates"("aggregate_id");

CREATE TABLE "inventories" (
    "id" SERIAL NOT NULL,
    "provider_id" INTEGER NOT NULL,
    "resource_class_id" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "min_unit" INTEGER NOT NULL DEFAULT 1,
    "max_unit" INTEGER NOT NULL DEFAULT 2147483647,
    "step_size" INTEGER NOT NULL DEFAULT 1,
    "allocation_ratio" DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    -- capacity = floor((total - reserved) * allocation_ratio), the one definition of it
    "capacity" BIGINT NOT NULL GENERATED ALWAYS AS (floor(("total" - "reserved") * "allocation_ratio")::bigint) STORED,
    -- usage counter: sum of allocations.used for this (provider, class), kept in step by every allocation write
    "used" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "inventories_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "inventories_total_positive" CHECK ("total" >= 1),
    CONSTRAINT "inventories_reserved_range" CHECK ("reserved" >= 0 AND "reserved" <= "total"),
    CONSTRAINT "inventories_units" CHECK ("min_unit" >= 1 AND "max_unit" >= "min_unit" AND "step_size" >= 1),
    CONSTRAINT "inventories_ratio_positive" CHECK ("allocation_ratio" > 0),
    CONSTRAINT "inventories_used_nonnegative" CHECK ("used" >= 0)
);
CREATE UNIQUE INDEX "inventories_provider_id_resource_class_id_key" ON "inventories"("provider_id", "resource_class_id");
CREATE INDEX "inventories_resource_class_id_idx" ON "inventories"("resource_class_id");

CREATE TABLE "consumers" (
    "id" SERIAL NOT NULL,
    "uuid" UUID NOT NULL,
    "project_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "consumer_type" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "consumers_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "consumers_uuid_key" ON "consumers"("uuid");
CREATE INDEX "consumers_project_id_user_id_idx" ON "consumers"("project_id", "user_id");

CREATE TABLE "allocations" (
    "id" BIGSERIAL NOT NULL,
    "consumer_id" INTEGER NOT NULL,
    "provider_id" INTEGER NOT NULL,
    "resource_class_id" INTEGER NOT NULL,
    "used" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "allocations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "allocations_used_positive" CHECK ("used" >= 1)
);
CREATE UNIQUE INDEX "allocations_consumer_id_provider_id_resource_class_id_key" ON "allocations"("consumer_id", "provider_id", "resource_class_id");
CREATE INDEX "allocations_provider_id_resource_class_id_idx" ON "allocations"("provider_id", "resource_class_id");

ALTER TABLE "resource_providers" ADD CONSTRAINT "resource_providers_cell_id_fkey" FOREIGN KEY ("cell_id") REFERENCES "cells"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "resource_providers" ADD CONSTRAINT "resource_providers_parent_provider_id_fkey" FOREIGN KEY ("parent_provider_id") REFERENCES "resource_providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "resource_providers" ADD CONSTRAINT "resource_providers_root_provider_id_fkey" FOREIGN KEY ("root_provider_id") REFERENCES "resource_providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "provider_traits" ADD CONSTRAINT "provider_traits_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "resource_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "provider_traits" ADD CONSTRAINT "provider_traits_trait_id_fkey" FOREIGN KEY ("trait_id") REFERENCES "traits"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "provider_aggregates" ADD CONSTRAINT "provider_aggregates_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "resource_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "provider_aggregates" ADD CONSTRAINT "provider_aggregates_aggregate_id_fkey" FOREIGN KEY ("aggregate_id") REFERENCES "aggregates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "inventories" ADD CONSTRAINT "inventories_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "resource_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inventories" ADD CONSTRAINT "inventories_resource_class_id_fkey" FOREIGN KEY ("resource_class_id") REFERENCES "resource_classes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_consumer_id_fkey" FOREIGN KEY ("consumer_id") REFERENCES "consumers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "resource_providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_resource_class_id_fkey" FOREIGN KEY ("resource_class_id") REFERENCES "resource_classes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
