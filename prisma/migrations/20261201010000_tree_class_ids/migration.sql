-- Tree search without a topology cliff. A root that has descendants carries the classes
-- its tree holds inventory of (its own and its descendants', sorted); every other provider
-- carries an empty array. The tree search finds the trees that could serve a request through a GIN
-- index on this column (`tree_class_ids @> classes`), so flat hosts never enter it and its
-- cost follows the trees that hold the requested classes, whatever else the database holds.
ALTER TABLE "resource_providers" ADD COLUMN "tree_class_ids" INTEGER[] NOT NULL DEFAULT '{}';

-- Recomputes one root's tree_class_ids. The root row is locked first, so writers to one
-- tree refresh it one after another and each recompute (a later statement, hence a later
-- snapshot under READ COMMITTED) sees what the previous one committed; under SERIALIZABLE,
-- the locked row and the reads make conflicting writers fail and retry.
CREATE FUNCTION "placement_refresh_tree_class_ids"(root integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  fresh integer[];
BEGIN
  PERFORM 1 FROM resource_providers WHERE id = root FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT CASE WHEN r.parent_provider_id IS NULL
                   AND EXISTS (SELECT 1 FROM resource_providers d WHERE d.root_provider_id = r.id AND d.id <> r.id)
              THEN coalesce((SELECT array_agg(DISTINCT i.resource_class_id ORDER BY i.resource_class_id)
                               FROM resource_providers m JOIN inventories i ON i.provider_id = m.id
                              WHERE m.root_provider_id = r.id), '{}')
              ELSE '{}'
         END
    INTO fresh
    FROM resource_providers r WHERE r.id = root;
  UPDATE resource_providers SET tree_class_ids = fresh WHERE id = root AND tree_class_ids <> fresh;
END $$;

-- Inventories added or removed: refresh the trees they belong to (once per tree and statement).
CREATE FUNCTION "placement_inventories_tree_class_ids"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM placement_refresh_tree_class_ids(roots.id)
     FROM (SELECT DISTINCT p.root_provider_id AS id
             FROM changed c JOIN resource_providers p ON p.id = c.provider_id
            ORDER BY 1) roots;
  RETURN NULL;
END $$;

CREATE TRIGGER "inventories_tree_class_ids_insert" AFTER INSERT ON "inventories"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION placement_inventories_tree_class_ids();
CREATE TRIGGER "inventories_tree_class_ids_delete" AFTER DELETE ON "inventories"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION placement_inventories_tree_class_ids();

-- A provider added under a root, removed from one, or moved between trees: refresh the old
-- and the new root, and the provider itself (a root that became a child empties its set, a
-- child that became a root fills one when it has descendants).
CREATE FUNCTION "placement_providers_tree_class_ids"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM placement_refresh_tree_class_ids(OLD.root_provider_id);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM placement_refresh_tree_class_ids(NEW.root_provider_id);
    PERFORM placement_refresh_tree_class_ids(NEW.id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "resource_providers_tree_class_ids_insert" AFTER INSERT ON "resource_providers"
  FOR EACH ROW WHEN (NEW.parent_provider_id IS NOT NULL) EXECUTE FUNCTION placement_providers_tree_class_ids();
CREATE TRIGGER "resource_providers_tree_class_ids_delete" AFTER DELETE ON "resource_providers"
  FOR EACH ROW WHEN (OLD.parent_provider_id IS NOT NULL) EXECUTE FUNCTION placement_providers_tree_class_ids();
-- The column list keeps claims (which update bounds and generations) from firing it.
CREATE TRIGGER "resource_providers_tree_class_ids_move" AFTER UPDATE OF "parent_provider_id", "root_provider_id" ON "resource_providers"
  FOR EACH ROW WHEN (OLD.parent_provider_id IS DISTINCT FROM NEW.parent_provider_id OR OLD.root_provider_id IS DISTINCT FROM NEW.root_provider_id)
  EXECUTE FUNCTION placement_providers_tree_class_ids();

UPDATE "resource_providers" r SET "tree_class_ids" = coalesce(
    (SELECT array_agg(DISTINCT i.resource_class_id ORDER BY i.resource_class_id)
       FROM resource_providers m JOIN inventories i ON i.provider_id = m.id
      WHERE m.root_provider_id = r.id), '{}')
 WHERE r.parent_provider_id IS NULL
   AND EXISTS (SELECT 1 FROM resource_providers d WHERE d.root_provider_id = r.id AND d.id <> r.id);

CREATE INDEX "resource_providers_tree_class_ids_idx" ON "resource_providers" USING GIN ("tree_class_ids") WHERE cardinality("tree_class_ids") > 0;
