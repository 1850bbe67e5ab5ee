import {
  AlreadyExistsError,
  InUseError,
  InvalidInputError,
  NotFoundError,
  ProviderHasChildrenError,
} from '../../placement/errors.js';
import { findProviderView, listProviderViews, type ProviderView } from '../../placement/provider-views.js';
import { createProvider, deleteProvider, updateProvider } from '../../placement/providers.js';
import { readValidJson } from '../body.js';
import type { RestContext, RestHandler } from '../context.js';
import { ErrorCode, RestError } from '../errors.js';
import { atLeast } from '../microversion.js';
import { canonicalUuid, memberOfParams, requiredParams, resourcesParam, storedUuid, validateQuery } from '../query.js';
import {
  GET_RPS_SCHEMA_1_0,
  GET_RPS_SCHEMA_1_3,
  GET_RPS_SCHEMA_1_4,
  GET_RPS_SCHEMA_1_14,
  GET_RPS_SCHEMA_1_18,
  POST_RESOURCE_PROVIDER_SCHEMA,
  POST_RP_SCHEMA_V1_14,
  PUT_RESOURCE_PROVIDER_SCHEMA,
  PUT_RP_SCHEMA_V1_14,
} from '../schemas.js';
import { latest, locationOf } from './links.js';
import { providerNotFound, providerUrl, serializeProvider } from './provider-links.js';

// handlers/resource_provider.py

/** A provider that must exist (ResourceProvider.get_by_uuid). */
export async function existingProvider(ctx: RestContext, uuid: string): Promise<ProviderView> {
  // Placement looks the path's text up as written: another spelling of a uuid names no provider.
  const provider = storedUuid(uuid) === null ? null : await findProviderView(ctx.db.pool, uuid);
  if (!provider) throw providerNotFound(uuid);
  return provider;
}

const duplicateName = (detail: string) => new RestError(409, detail, { code: ErrorCode.DUPLICATE_NAME });

interface ProviderBody {
  name: string;
  uuid?: string;
  parent_provider_uuid?: string | null;
}

export const createProviderHandler: RestHandler = async (ctx) => {
  const schema = atLeast(ctx.version, 1, 14) ? POST_RP_SCHEMA_V1_14 : POST_RESOURCE_PROVIDER_SCHEMA;
  const data = await readValidJson<ProviderBody>(ctx, schema);
  const uuid = data.uuid ? canonicalUuid(data.uuid) : crypto.randomUUID();
  const cannotCreate = (reason: string) =>
    new RestError(
      400,
      `Unable to create resource provider "${data.name}", ${uuid}: Object action create failed because: ${reason}`,
    );
  // The parent is looked up as written (ResourceProvider._create_in_db, before the insert).
  const parent = data.parent_provider_uuid ?? null;
  if (parent !== null && storedUuid(parent) === null) throw cannotCreate('parent provider UUID does not exist.');
  try {
    await createProvider(ctx.db.pool, { uuid, name: data.name, parentProviderUuid: parent }, ctx.caller(ctx.operation));
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      throw duplicateName(
        `Conflicting resource provider ${error.field === 'uuid' ? `uuid: ${uuid}` : `name: ${data.name}`} already exists.`,
      );
    if (error instanceof NotFoundError && error.field === 'parentProviderUuid')
      throw cannotCreate('parent provider UUID does not exist.');
    if (error instanceof InvalidInputError && error.rule === 'not-self')
      throw cannotCreate(
        'parent provider UUID cannot be same as UUID. Please set parent provider UUID to None if there is no parent.',
      );
    // Placement's ResourceProvider.create refuses an empty name in these words; other names our
    // engine refuses and Placement takes (control characters) are a 400 too, not a 500.
    if (error instanceof InvalidInputError && error.field === 'name')
      throw cannotCreate(data.name === '' ? 'name is required' : `${error.message}.`);
    throw error;
  }
  const location = { location: locationOf(ctx, providerUrl(ctx, uuid)) };
  if (!atLeast(ctx.version, 1, 20)) return { status: 201, headers: location };
  const provider = await existingProvider(ctx, uuid);
  // 1.20 sends Last-Modified and Cache-Control whatever the 1.15 rule says.
  return {
    status: 200,
    body: serializeProvider(ctx, provider),
    headers: { ...location, 'last-modified': provider.createdAt.toUTCString(), 'cache-control': 'no-cache' },
  };
};

export const showProvider: RestHandler = async (ctx) => {
  const provider = await existingProvider(ctx, ctx.params.uuid!);
  return { status: 200, body: serializeProvider(ctx, provider), lastModified: provider.updatedAt };
};

export const updateProviderHandler: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const current = await existingProvider(ctx, uuid);
  const schema = atLeast(ctx.version, 1, 14) ? PUT_RP_SCHEMA_V1_14 : PUT_RESOURCE_PROVIDER_SCHEMA;
  const data = await readValidJson<ProviderBody>(ctx, schema);
  const saveFailed = (reason: string, action = 'update') =>
    new RestError(400, `Unable to save resource provider ${uuid}: Object action ${action} failed because: ${reason}`);
  const reparenting = atLeast(ctx.version, 1, 37);
  let parent: string | null | undefined;
  if (data.parent_provider_uuid !== undefined && data.parent_provider_uuid !== current.parentUuid) {
    parent = data.parent_provider_uuid;
    if (parent !== null && current.parentUuid !== null && !reparenting)
      throw saveFailed('re-parenting a provider is not currently allowed.');
    if (parent === null && !reparenting) throw saveFailed('un-parenting a provider is not currently allowed.');
    if (parent !== null && storedUuid(parent) === null)
      throw saveFailed('parent provider UUID does not exist.', 'create');
  }
  try {
    await updateProvider(
      ctx.db.pool,
      { uuid, name: data.name, parentProviderUuid: parent, keepGeneration: true },
      ctx.caller(ctx.operation),
    );
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      throw duplicateName(`Conflicting resource provider ${data.name} already exists.`);
    if (error instanceof NotFoundError && error.field === 'parentProviderUuid')
      throw saveFailed('parent provider UUID does not exist.', 'create');
    if (error instanceof NotFoundError) throw providerNotFound(uuid);
    if (error instanceof InvalidInputError && (error.rule === 'not-self' || error.rule === 'no-loop'))
      throw saveFailed('creating loop in the provider tree is not allowed.');
    if (error instanceof InvalidInputError && error.field === 'name') throw saveFailed(`${error.message}.`);
    throw error;
  }
  const provider = await existingProvider(ctx, uuid);
  // Placement sends the updated_at it loaded before the save. Its root providers get one at
  // creation (root_provider_id is set by a second UPDATE); a child created under its parent has
  // none until its first update or generation bump (ours keeps updated_at = created_at till then).
  const neverUpdated = current.parentUuid !== null && current.updatedAt.getTime() === current.createdAt.getTime();
  return {
    status: 200,
    body: serializeProvider(ctx, provider),
    lastModified: neverUpdated ? null : current.updatedAt,
  };
};

export const deleteProviderHandler: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const notFound = () => new RestError(404, `No resource provider with uuid ${uuid} found for delete`);
  // Placement looks the path's text up as written: another spelling of a uuid names no provider.
  if (storedUuid(uuid) === null) throw notFound();
  try {
    await deleteProvider(ctx.db.pool, { uuid }, ctx.caller(ctx.operation));
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound();
    if (error instanceof ProviderHasChildrenError)
      throw new RestError(409, `Unable to delete parent resource provider ${uuid}: It has child resource providers.`, {
        code: ErrorCode.PROVIDER_CANNOT_DELETE_PARENT,
      });
    if (error instanceof InUseError)
      throw new RestError(409, `Unable to delete resource provider ${uuid}: Resource provider has allocations.`, {
        code: ErrorCode.PROVIDER_IN_USE,
      });
    throw error;
  }
  return { status: 204 };
};

function listSchema(ctx: RestContext) {
  if (atLeast(ctx.version, 1, 18)) return GET_RPS_SCHEMA_1_18;
  if (atLeast(ctx.version, 1, 14)) return GET_RPS_SCHEMA_1_14;
  if (atLeast(ctx.version, 1, 4)) return GET_RPS_SCHEMA_1_4;
  if (atLeast(ctx.version, 1, 3)) return GET_RPS_SCHEMA_1_3;
  return GET_RPS_SCHEMA_1_0;
}

export const listProviders: RestHandler = async (ctx) => {
  const query = validateQuery(ctx, listSchema(ctx));
  const memberOf =
    'member_of' in query
      ? memberOfParams(ctx, { multiple: atLeast(ctx.version, 1, 24), forbidden: atLeast(ctx.version, 1, 32) })
      : undefined;
  const required =
    'required' in query
      ? requiredParams(ctx, { forbidden: atLeast(ctx.version, 1, 22), anyOf: atLeast(ctx.version, 1, 39) })
      : undefined;
  const resources = 'resources' in query ? resourcesParam(query.resources!) : undefined;
  // in_tree is looked up as written: another spelling names no tree, an empty list before the
  // other filters are looked at (Placement's _get_all_by_filters_from_db returns [] there).
  const spelledOtherwise = query.in_tree !== undefined && storedUuid(query.in_tree) === null;
  let providers: ProviderView[];
  try {
    providers = spelledOtherwise
      ? []
      : await listProviderViews(ctx.db.pool, {
          name: query.name,
          uuid: query.uuid,
          inTree: query.in_tree,
          memberOf: memberOf?.required,
          forbiddenAggregates: memberOf?.forbidden,
          resources,
          requiredTraits: required?.required,
          forbiddenTraits: required?.forbidden,
        });
  } catch (error) {
    if (error instanceof NotFoundError && error.resourceType === 'ResourceClass')
      throw new RestError(
        400,
        `Invalid resource class in resources parameter: No such resource class ${error.identifier}.`,
      );
    if (error instanceof NotFoundError && error.resourceType === 'Trait')
      throw new RestError(400, `Invalid trait(s) in "required" parameter: No such trait(s): ${error.identifier}.`);
    throw error;
  }
  return {
    status: 200,
    body: { resource_providers: providers.map((provider) => serializeProvider(ctx, provider)) },
    lastModified: latest(providers.map((provider) => provider.updatedAt)),
  };
};
