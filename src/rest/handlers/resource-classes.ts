import { AlreadyExistsError, InUseError, InvalidInputError, NotFoundError } from '../../placement/errors.js';
import {
  createResourceClass,
  deleteResourceClass,
  findResourceClass,
  listResourceClasses,
  renameResourceClass,
} from '../../placement/resource-classes.js';
import { readValidJson, validJson } from '../body.js';
import type { RestContext, RestHandler, RestResult } from '../context.js';
import { RestError } from '../errors.js';
import { POST_RC_SCHEMA_V1_2, PUT_RC_SCHEMA_V1_2 } from '../schemas.js';
import { latest, locationOf } from './links.js';

// handlers/resource_class.py

const classUrl = (ctx: RestContext, name: string) => `${ctx.mount}/resource_classes/${name}`;
const serialize = (ctx: RestContext, name: string) => ({ name, links: [{ rel: 'self', href: classUrl(ctx, name) }] });

/** exception.ResourceClassNotFound, turned into a 404 by PlacementHandler (hence no vary). */
const notFound = (name: string) => new RestError(404, `No such resource class ${name}.`, { vary: false });

export const listClasses: RestHandler = async (ctx) => {
  const rows = await listResourceClasses(ctx.db.pool);
  return {
    status: 200,
    body: { resource_classes: rows.map((row) => serialize(ctx, row.name)) },
    lastModified: latest(rows.map((row) => row.createdAt)),
  };
};

export const showClass: RestHandler = async (ctx) => {
  const row = await findResourceClass(ctx.db.pool, ctx.params.name!);
  if (!row) throw notFound(ctx.params.name!);
  // Standard classes have no timestamp in Placement: now.
  return { status: 200, body: serialize(ctx, row.name), lastModified: row.standard ? new Date() : row.createdAt };
};

export const createClass: RestHandler = async (ctx) => {
  const { name } = await readValidJson<{ name: string }>(ctx, POST_RC_SCHEMA_V1_2);
  try {
    await createResourceClass(ctx.db.pool, name, ctx.caller(ctx.operation));
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      throw new RestError(409, `Conflicting resource class already exists: ${name}`);
    throw error;
  }
  return { status: 201, headers: { location: locationOf(ctx, classUrl(ctx, name)) } };
};

/** PUT 1.2–1.6: renames a custom class. */
export const renameClass: RestHandler = async (ctx) => {
  const from = ctx.params.name!;
  const { name } = await readValidJson<{ name: string }>(ctx, PUT_RC_SCHEMA_V1_2);
  try {
    await renameResourceClass(ctx.db.pool, from, name, ctx.caller(ctx.operation));
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(from);
    if (error instanceof AlreadyExistsError) throw new RestError(409, `Resource class already exists: ${name}`);
    if (error instanceof InvalidInputError) throw new RestError(400, `Cannot update standard resource class ${from}`);
    throw error;
  }
  return { status: 200, body: serialize(ctx, name) };
};

/** PUT 1.7+: bodiless create-or-confirm (201 created, 204 already there). */
export const ensureClass: RestHandler = async (ctx) => {
  const name = ctx.params.name!;
  // Placement validates the path's name with the body schema, as the document {"name": name}.
  validJson({ name }, PUT_RC_SCHEMA_V1_2);
  const existing = await findResourceClass(ctx.db.pool, name);
  let status = 204;
  if (!existing) {
    try {
      await createResourceClass(ctx.db.pool, name, ctx.caller(ctx.operation));
      status = 201;
    } catch (error) {
      // Someone created it meanwhile: it exists, as asked.
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
  }
  return { status, headers: { location: locationOf(ctx, classUrl(ctx, name)) } } satisfies RestResult;
};

export const deleteClass: RestHandler = async (ctx) => {
  const name = ctx.params.name!;
  try {
    await deleteResourceClass(ctx.db.pool, name, ctx.caller(ctx.operation));
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(name);
    if (error instanceof InvalidInputError)
      throw new RestError(400, `Error in delete resource class: Cannot delete standard resource class ${name}.`);
    if (error instanceof InUseError)
      throw new RestError(
        409,
        `Error in delete resource class: Cannot delete resource class ${name}. Class is in use in inventory.`,
      );
    throw error;
  }
  return { status: 204 };
};
