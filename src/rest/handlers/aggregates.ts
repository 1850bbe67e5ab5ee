import { providerAggregateUuids, setProviderAggregates } from '../../placement/aggregates.js';
import { GenerationConflictError } from '../../placement/errors.js';
import { readValidJson } from '../body.js';
import type { RestContext, RestHandler, RestResult } from '../context.js';
import { ErrorCode, RestError } from '../errors.js';
import { atLeast } from '../microversion.js';
import { PUT_AGGREGATES_SCHEMA_V1_1, PUT_AGGREGATES_SCHEMA_V1_19 } from '../schemas.js';
import { existingProvider } from './providers.js';

// handlers/aggregate.py: a list before 1.19; from 1.19 an object with the provider generation.

function send(ctx: RestContext, aggregates: string[], generation: number): RestResult {
  const body: Record<string, unknown> = { aggregates };
  if (atLeast(ctx.version, 1, 19)) body.resource_provider_generation = generation;
  return { status: 200, body, lastModified: new Date() };
}

export const listAggregates: RestHandler = async (ctx) => {
  const provider = await existingProvider(ctx, ctx.params.uuid!);
  return send(ctx, await providerAggregateUuids(ctx.db.pool, provider.id), provider.generation);
};

const concurrentUpdate = () =>
  new RestError(409, "Resource provider's generation already changed. Please update the generation and try again.", {
    code: ErrorCode.CONCURRENT_UPDATE,
  });

export const setAggregates: RestHandler = async (ctx) => {
  const uuid = ctx.params.uuid!;
  const withGeneration = atLeast(ctx.version, 1, 19);
  const provider = await existingProvider(ctx, uuid);
  let aggregates: string[];
  let expected = provider.generation;
  if (withGeneration) {
    const data = await readValidJson<{ aggregates: string[]; resource_provider_generation: number }>(
      ctx,
      PUT_AGGREGATES_SCHEMA_V1_19,
    );
    if (data.resource_provider_generation !== provider.generation) throw concurrentUpdate();
    aggregates = data.aggregates;
    expected = data.resource_provider_generation;
  } else {
    aggregates = await readValidJson<string[]>(ctx, PUT_AGGREGATES_SCHEMA_V1_1);
  }
  let generation: number;
  try {
    ({ generation } = await setProviderAggregates(
      ctx.db.pool,
      { providerUuid: uuid, generation: expected, aggregates, keepGeneration: !withGeneration },
      ctx.caller(ctx.operation),
    ));
  } catch (error) {
    if (error instanceof GenerationConflictError)
      throw new RestError(
        409,
        'Update conflict: Another thread concurrently updated the resource provider data. Please retry your update',
        { code: ErrorCode.CONCURRENT_UPDATE },
      );
    throw error;
  }
  // Placement echoes the uuids as sent.
  return send(ctx, aggregates, generation);
};
