import {
  AlreadyExistsError,
  GenerationConflictError,
  InUseError,
  InvalidInputError,
  NotFoundError,
} from '../../placement/errors.js';
import {
  createTrait,
  deleteTrait,
  findTrait,
  listTraits,
  providerTraits,
  setProviderTraits,
  type TraitFilters,
} from '../../placement/traits.js';
import { readValidJson } from '../body.js';
import type { RestContext, RestHandler } from '../context.js';
import { ErrorCode, RestError } from '../errors.js';
import { schemaError } from '../json-schema.js';
import { validateQuery } from '../query.js';
import { CUSTOM_TRAIT, LIST_TRAIT_SCHEMA, SET_TRAITS_FOR_RP_SCHEMA } from '../schemas.js';
import { latest, locationOf } from './links.js';
import { existingProvider } from './providers.js';

// handlers/trait.py

const traitUrl = (ctx: RestContext, name: string) => `${ctx.mount}/traits/${name}`;

function nameFilter(value: string): TraitFilters {
  const colon = value.indexOf(':');
  if (colon < 0)
    throw new RestError(
      400,
      `Badly formatted name parameter. Expected name query string parameter in form: ?name=[in|startswith]:[name1,name2|prefix]. Got: "${value}"`,
    );
  const op = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  if (op === 'in') return { names: rest.split(',') };
  if (op === 'startswith') return { prefix: rest };
  return {};
}

export const listTraitsHandler: RestHandler = async (ctx) => {
  const query = validateQuery(ctx, LIST_TRAIT_SCHEMA);
  let filters: TraitFilters = query.name === undefined ? {} : nameFilter(query.name);
  if (query.associated !== undefined) {
    const associated = query.associated.toLowerCase();
    if (associated !== 'true' && associated !== 'false')
      throw new RestError(400, 'The query parameter "associated" only accepts "true" or "false"');
    filters = { ...filters, associated: associated === 'true' };
  }
  const traits = await listTraits(ctx.db.pool, filters);
  return {
    status: 200,
    body: { traits: traits.map((trait) => trait.name) },
    lastModified: latest(traits.map((trait) => trait.createdAt)),
  };
};

export const showTrait: RestHandler = async (ctx) => {
  const trait = await findTrait(ctx.db.pool, ctx.params.name!);
  if (!trait) throw new RestError(404, `No such trait(s): ${ctx.params.name}.`);
  return { status: 204, lastModified: trait.createdAt };
};

export const putTrait: RestHandler = async (ctx) => {
  const name = ctx.params.name!;
  if (schemaError(name, CUSTOM_TRAIT) !== null)
    throw new RestError(
      400,
      'The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix "CUSTOM_" and use following characters: "A"-"Z", "0"-"9" and "_"',
    );
  let trait = await findTrait(ctx.db.pool, name);
  let status = 204;
  if (!trait) {
    try {
      await createTrait(ctx.db.pool, name, ctx.caller(ctx.operation));
      status = 201;
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
    trait = await findTrait(ctx.db.pool, name);
  }
  return {
    status,
    headers: { location: locationOf(ctx, traitUrl(ctx, name)) },
    lastModified: trait?.createdAt ?? new Date(),
  };
};

export const deleteTraitHandler: RestHandler = async (ctx) => {
  const name = ctx.params.name!;
  try {
    await deleteTrait(ctx.db.pool, name, ctx.caller(ctx.operation));
  } catch (error) {
    if (error instanceof NotFoundError) throw new RestError(404, `No such trait(s): ${name}.`);
    if (error instanceof InvalidInputError) throw new RestError(400, `Cannot delete standard trait ${name}.`);
    if (error instanceof InUseError) throw new RestError(409, `The trait ${name} is in use by a resource provider.`);
    throw error;
  }
  return { status: 204 };
};

export const listProviderTraits: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const provider = await existingProvider(ctx, uuid).catch((error: unknown) => {
    if (error instanceof RestError && error.status === 404)
      throw new RestError(
        404,
        `No resource provider with uuid ${uuid} found: No resource provider with uuid ${uuid} found`,
      );
    throw error;
  });
  const traits = await providerTraits(ctx.db.pool, provider.id);
  return {
    status: 200,
    body: { traits: traits.map((trait) => trait.name), resource_provider_generation: provider.generation },
    lastModified: latest(traits.map((trait) => trait.createdAt)),
  };
};

const concurrentUpdate = () =>
  new RestError(409, "Resource provider's generation already changed. Please update the generation and try again.", {
    code: ErrorCode.CONCURRENT_UPDATE,
  });

export const setProviderTraitsHandler: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const data = await readValidJson<{ traits: string[]; resource_provider_generation: number }>(
    ctx,
    SET_TRAITS_FOR_RP_SCHEMA,
  );
  const provider = await existingProvider(ctx, uuid);
  if (provider.generation !== data.resource_provider_generation) throw concurrentUpdate();
  const known = new Set((await listTraits(ctx.db.pool, { names: data.traits })).map((trait) => trait.name));
  const unknown = [...new Set(data.traits)].filter((name) => !known.has(name));
  if (unknown.length) throw new RestError(400, `No such trait ${unknown.join(', ')}`);
  let generation: number;
  try {
    ({ generation } = await setProviderTraits(
      ctx.db.pool,
      { providerUuid: uuid, generation: data.resource_provider_generation, traits: data.traits },
      ctx.caller(ctx.operation),
    ));
  } catch (error) {
    if (error instanceof GenerationConflictError) throw concurrentUpdate();
    throw error;
  }
  const traits = await listTraits(ctx.db.pool, { names: data.traits });
  return {
    status: 200,
    body: { traits: traits.map((trait) => trait.name), resource_provider_generation: generation },
    lastModified: latest(traits.map((trait) => trait.createdAt)),
  };
};

export const deleteProviderTraits: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const provider = await existingProvider(ctx, uuid);
  try {
    await setProviderTraits(
      ctx.db.pool,
      { providerUuid: uuid, generation: provider.generation, traits: [] },
      ctx.caller(ctx.operation),
    );
  } catch (error) {
    if (error instanceof GenerationConflictError)
      throw new RestError(
        409,
        `Another thread concurrently updated the resource provider data. Please retry your update`,
        { code: ErrorCode.CONCURRENT_UPDATE },
      );
    throw error;
  }
  return { status: 204 };
};
