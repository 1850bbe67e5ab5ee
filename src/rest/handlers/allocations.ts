import { consumerAllocations, providerAllocations } from '../allocations/read.js';
import {
  ALLOCATION_SCHEMA,
  ALLOCATION_SCHEMA_V1_8,
  ALLOCATION_SCHEMA_V1_12,
  ALLOCATION_SCHEMA_V1_28,
  ALLOCATION_SCHEMA_V1_34,
  ALLOCATION_SCHEMA_V1_38,
  POST_ALLOCATIONS_V1_13,
  POST_ALLOCATIONS_V1_28,
  POST_ALLOCATIONS_V1_34,
  POST_ALLOCATIONS_V1_38,
} from '../allocations/schemas.js';
import {
  type ConsumerBody,
  consumerUuidOf,
  postAllocations,
  putAllocations,
  removeAllocations,
} from '../allocations/write.js';
import { readValidJson } from '../body.js';
import type { RestContext, RestHandler } from '../context.js';
import type { JsonSchema } from '../json-schema.js';

// handlers/allocation.py

export const listForConsumer: RestHandler = async (ctx) => {
  const answer = await consumerAllocations(ctx.db.pool, ctx.params.consumer_uuid!, ctx.version.minor);
  return { status: 200, body: answer.body, lastModified: answer.lastModified ?? new Date() };
};

export const listForProvider: RestHandler = async (ctx) => {
  const answer = await providerAllocations(ctx.db.pool, ctx.params.uuid!, ctx.version.minor);
  return { status: 200, body: answer.body, lastModified: answer.lastModified ?? new Date() };
};

/** The pre-1.12 list form, as Placement turns it into the dict form (a provider named twice: the last wins). */
interface ListBody {
  allocations: { resource_provider: { uuid: string }; resources: Record<string, number> }[];
  project_id?: string;
  user_id?: string;
}

function putSchema(minor: number): JsonSchema {
  if (minor >= 38) return ALLOCATION_SCHEMA_V1_38;
  if (minor >= 34) return ALLOCATION_SCHEMA_V1_34;
  if (minor >= 28) return ALLOCATION_SCHEMA_V1_28;
  if (minor >= 12) return ALLOCATION_SCHEMA_V1_12;
  if (minor >= 8) return ALLOCATION_SCHEMA_V1_8;
  return ALLOCATION_SCHEMA;
}

async function consumerBody(ctx: RestContext): Promise<ConsumerBody> {
  const minor = ctx.version.minor;
  if (minor >= 12) return readValidJson<ConsumerBody>(ctx, putSchema(minor));
  const list = await readValidJson<ListBody>(ctx, putSchema(minor));
  const allocations: ConsumerBody['allocations'] = {};
  for (const a of list.allocations) allocations[a.resource_provider.uuid] = { resources: a.resources };
  return { allocations, project_id: list.project_id, user_id: list.user_id };
}

export const setForConsumer: RestHandler = async (ctx) => {
  // Placement checks the consumer uuid before it reads the body.
  const consumer = consumerUuidOf(ctx.params.consumer_uuid!);
  const body = await consumerBody(ctx);
  await putAllocations(
    ctx.db.pool,
    consumer,
    body,
    ctx.version.minor,
    ctx.caller('PUT /placement/allocations/{consumer_uuid}'),
  );
  return { status: 204 };
};

export const setAllocations: RestHandler = async (ctx) => {
  const minor = ctx.version.minor;
  const schema =
    minor >= 38
      ? POST_ALLOCATIONS_V1_38
      : minor >= 34
        ? POST_ALLOCATIONS_V1_34
        : minor >= 28
          ? POST_ALLOCATIONS_V1_28
          : POST_ALLOCATIONS_V1_13;
  const body = await readValidJson<Record<string, ConsumerBody>>(ctx, schema);
  await postAllocations(ctx.db.pool, body, minor, ctx.caller('POST /placement/allocations'));
  return { status: 204 };
};

export const deleteForConsumer: RestHandler = async (ctx) => {
  await removeAllocations(
    ctx.db.pool,
    ctx.params.consumer_uuid!,
    ctx.caller('DELETE /placement/allocations/{consumer_uuid}'),
  );
  return { status: 204 };
};
