import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_PURGE_BATCH_SQL, purgeExpiredAuditEvents } from '../src/placement/audit/retention.js';
import { ROOT_FIELD_RULES } from '../src/schema/authorization.js';
import { VERSION_HEADER } from '../src/versions.js';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type GqlClient, type TestEnv } from './support/harness.js';

/**
 * The audit trail (docs/OPERATIONS.md, "Audit trail"): every successful mutation appends one
 * event in its own transaction, naming who, which operation, the request id and the
 * providers/consumers it changed; refused, failed and replayed mutations append none.
 * auditEvents reads them (1.2, ADMIN). Idempotency keys are the caller's own.
 */
let env: TestEnv;
let scheduler: GqlClient;
let schedulerName: string;
beforeAll(async () => {
  env = await createTestEnv();
  schedulerName = `audit-scheduler-${randomUUID().slice(0, 8)}`;
  scheduler = env.as(await env.createToken('SCHEDULER', { name: schedulerName }));
});
afterAll(async () => env?.close());

interface EventRow {
  operation: string;
  request_id: string;
  api_version: string | null;
  actor_kind: string;
  actor_name: string;
  actor_role: string;
  actor_project: string | null;
  token_id: string | null;
  subject: string | null;
  provider_uuids: string[];
  consumer_uuids: string[];
}

const EVENT_COLUMNS = `operation, request_id, api_version, actor_kind, actor_name, actor_role, actor_project,
  token_id::text, subject, provider_uuids::text[], consumer_uuids::text[]`;

async function eventCount(): Promise<number> {
  const [row] = await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
  return row?.n ?? 0;
}

async function eventsOf(requestId: string): Promise<EventRow[]> {
  return env.sql<EventRow>(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE request_id = $1`, [requestId]);
}

/**
 * Sends one mutation over the gateway's HTTP pipeline with its own X-Request-Id; returns the
 * result and the events recorded under that id. `client` defaults to the admin.
 */
async function mutate<T>(
  query: string,
  variables: Record<string, unknown>,
  client: GqlClient = env,
  version = '1.2',
): Promise<{ data: T; events: EventRow[]; requestId: string }> {
  const requestId = `audit-${randomUUID()}`;
  const response = await client.post({ query, variables }, { 'x-request-id': requestId, [VERSION_HEADER]: version });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  expect(response.headers.get('x-request-id')).toBe(requestId);
  return { data: body.data as T, events: await eventsOf(requestId), requestId };
}

const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) { ${ERROR_FIELDS}
  ... on ClaimPayload { selections { consumerUuid providerUuid consumerGeneration } } } }`;
const RESCHEDULE = `mutation($input: RescheduleInput!) { reschedule(input: $input) { ${ERROR_FIELDS}
  ... on ReschedulePayload { selection { consumerUuid providerUuid consumerGeneration } } } }`;

interface ClaimResult {
  claim: { __typename: string; selections?: { consumerUuid: string; providerUuid: string }[] };
}

/** A fresh custom class on `hosts` hosts of `slots` each; the class name and host uuids. */
async function world(hosts: number, slots: number): Promise<{ cls: string; uuids: string[] }> {
  const cls = `CUSTOM_AUDIT_${randomUUID().slice(0, 8).toUpperCase()}`;
  await env.gql(`mutation { createResourceClass(input: {name: "${cls}"}) { __typename } }`);
  const uuids: string[] = [];
  for (let n = 0; n < hosts; n++) uuids.push((await hostWith(env, `${cls}-${n}`, { [cls]: slots })).uuid);
  return { cls, uuids };
}

function claimInput(cls: string, consumers: string[], extra: Record<string, unknown> = {}) {
  return {
    consumers: consumers.map((consumerUuid) => ({ consumerUuid, projectId: 'p-audit', userId: 'u' })),
    request: { resources: [{ resourceClass: cls, amount: 1 }] },
    alternates: 0,
    ...extra,
  };
}

describe('every successful mutation appends exactly one event', () => {
  it('createResourceProvider and setInventories: the admin, the operation, the provider, the request id', async () => {
    const created = await mutate<{
      createResourceProvider: { resourceProvider: { uuid: string; generation: number } };
    }>(
      `mutation($input: CreateResourceProviderInput!) { createResourceProvider(input: $input) {
         ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { uuid generation } } } }`,
      { input: { name: `audit-rp-${randomUUID()}` } },
    );
    const uuid = created.data.createResourceProvider.resourceProvider.uuid;
    expect(created.events).toHaveLength(1);
    const [event] = created.events;
    expect(event).toMatchObject({
      operation: 'createResourceProvider',
      request_id: created.requestId,
      actor_kind: 'token',
      actor_role: 'ADMIN',
      actor_project: null,
      provider_uuids: [uuid],
      consumer_uuids: [],
    });
    expect(event?.token_id).toMatch(/^\d+$/);
    const [admin] = await env.sql<{ name: string }>('SELECT name FROM api_tokens WHERE id = $1::bigint', [
      event?.token_id,
    ]);
    expect(event?.actor_name).toBe(admin?.name);

    const inventories = await mutate<{ setInventories: { __typename: string } }>(
      `mutation($input: SetInventoriesInput!) { setInventories(input: $input) { __typename } }`,
      { input: { providerUuid: uuid, generation: 0, inventories: [{ resourceClass: 'VCPU', total: 4 }] } },
    );
    expect(inventories.data.setInventories.__typename).toBe('InventoriesPayload');
    expect(inventories.events.map((e) => [e.operation, e.provider_uuids])).toEqual([['setInventories', [uuid]]]);
  });

  it('claim (one consumer, in the claim statement) and claim (several, one transaction): consumers and providers', async () => {
    const { cls, uuids } = await world(3, 4);
    const one = randomUUID();
    const single = await mutate<ClaimResult>(CLAIM, { input: claimInput(cls, [one]) }, scheduler);
    const chosen = single.data.claim.selections?.[0]?.providerUuid;
    expect(chosen && uuids.includes(chosen)).toBe(true);
    expect(single.events).toHaveLength(1);
    expect(single.events[0]).toMatchObject({
      operation: 'claim',
      actor_name: schedulerName,
      actor_role: 'SCHEDULER',
      provider_uuids: [chosen],
      consumer_uuids: [one],
    });

    const many = [randomUUID(), randomUUID(), randomUUID()];
    const multi = await mutate<ClaimResult>(CLAIM, { input: claimInput(cls, many) }, scheduler);
    const hosts = (multi.data.claim.selections ?? []).map((s) => s.providerUuid);
    expect(hosts).toHaveLength(3);
    expect(multi.events).toHaveLength(1);
    expect([...(multi.events[0]?.consumer_uuids ?? [])].sort()).toEqual([...many].sort());
    expect([...(multi.events[0]?.provider_uuids ?? [])].sort()).toEqual([...hosts].sort());
  });

  it('setAllocations, reschedule, deleteAllocations: the consumer and every provider its allocations left or joined', async () => {
    const { cls, uuids } = await world(2, 4);
    const [a, b] = uuids as [string, string];
    const consumer = randomUUID();
    const set = await mutate<{ setAllocations: { __typename: string } }>(
      `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { __typename } }`,
      {
        input: {
          consumerUuid: consumer,
          consumerGeneration: null,
          projectId: 'p-audit',
          userId: 'u',
          allocations: [{ providerUuid: a, resources: [{ resourceClass: cls, amount: 1 }] }],
        },
      },
      scheduler,
    );
    expect(set.data.setAllocations.__typename).toBe('AllocationsPayload');
    expect(set.events.map((e) => [e.operation, e.provider_uuids, e.consumer_uuids])).toEqual([
      ['setAllocations', [a], [consumer]],
    ]);

    const moved = await mutate<{ reschedule: { __typename: string } }>(
      RESCHEDULE,
      {
        input: {
          consumerUuid: consumer,
          consumerGeneration: 1,
          alternates: [
            { providerUuid: b, allocations: [{ providerUuid: b, resources: [{ resourceClass: cls, amount: 1 }] }] },
          ],
        },
      },
      scheduler,
    );
    expect(moved.data.reschedule.__typename).toBe('ReschedulePayload');
    expect(moved.events).toHaveLength(1);
    expect(moved.events[0]?.operation).toBe('reschedule');
    expect(moved.events[0]?.consumer_uuids).toEqual([consumer]);
    expect([...(moved.events[0]?.provider_uuids ?? [])].sort()).toEqual([a, b].sort());

    const deleted = await mutate<{ deleteAllocations: { __typename: string } }>(
      `mutation($input: DeleteAllocationsInput!) { deleteAllocations(input: $input) { __typename } }`,
      { input: { consumerUuid: consumer, consumerGeneration: 2 } },
      scheduler,
    );
    expect(deleted.data.deleteAllocations.__typename).not.toMatch(/Error|Conflict|NotFound/);
    expect(deleted.events.map((e) => [e.operation, e.provider_uuids, e.consumer_uuids])).toEqual([
      ['deleteAllocations', [b], [consumer]],
    ]);
  });

  it('catalogue and token mutations name their subject; a token event never holds its secret', async () => {
    const cls = `CUSTOM_AUDIT_SUBJECT_${randomUUID().slice(0, 8).toUpperCase()}`;
    const created = await mutate(`mutation { createResourceClass(input: {name: "${cls}"}) { __typename } }`, {});
    expect(created.events.map((e) => [e.operation, e.subject])).toEqual([['createResourceClass', cls]]);

    const name = `audit-made-${randomUUID().slice(0, 8)}`;
    const token = await mutate<{ createApiToken: { secret: string } }>(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on CreateApiTokenPayload { secret } } }`,
      { input: { name, role: 'READER', projectId: 'p-audit' } },
    );
    const secret = token.data?.createApiToken?.secret;
    expect(secret).toMatch(/^pgw_/);
    expect(token.events.map((e) => [e.operation, e.subject])).toEqual([['createApiToken', `api token ${name}`]]);
    const [leak] = await env.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE position($1 in row_to_json(audit_events)::text) > 0`,
      [secret],
    );
    expect(leak?.n).toBe(0);

    const revoked = await mutate(
      `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { __typename } }`,
      { input: { name } },
    );
    expect(revoked.events.map((e) => [e.operation, e.subject])).toEqual([['revokeApiToken', `api token ${name}`]]);
  });
});

describe('the other mutations, one event each', () => {
  it('provider, inventory, trait, aggregate, cell and catalogue writes and moveAllocations name what they changed', async () => {
    const generationOf = async (uuid: string) =>
      (await env.sql<{ generation: number }>('SELECT generation FROM resource_providers WHERE uuid = $1', [uuid]))[0]
        ?.generation;
    const { uuids } = await world(2, 4);
    const [p, q] = uuids as [string, string];
    const suffix = randomUUID().slice(0, 8).toUpperCase();
    const trait = `CUSTOM_AUDIT_T_${suffix}`;
    const aggregate = randomUUID();
    const cell = randomUUID();
    const consumer = randomUUID();
    const steps: [string, string, () => Promise<Record<string, unknown>>, string[], string | null][] = [
      [
        'updateResourceProvider',
        `mutation($input: UpdateResourceProviderInput!) { updateResourceProvider(input: $input) { __typename } }`,
        async () => ({ uuid: p, generation: await generationOf(p), name: `audit-renamed-${suffix}` }),
        [p],
        null,
      ],
      [
        'upsertInventory',
        `mutation($input: UpsertInventoryInput!) { upsertInventory(input: $input) { __typename } }`,
        async () => ({
          providerUuid: p,
          generation: await generationOf(p),
          inventory: { resourceClass: 'MEMORY_MB', total: 1024 },
        }),
        [p],
        null,
      ],
      [
        'deleteInventory',
        `mutation($input: DeleteInventoryInput!) { deleteInventory(input: $input) { __typename } }`,
        async () => ({ providerUuid: p, generation: await generationOf(p), resourceClass: 'MEMORY_MB' }),
        [p],
        null,
      ],
      [
        'createTrait',
        `mutation($input: CreateTraitInput!) { createTrait(input: $input) { __typename } }`,
        async () => ({ name: trait }),
        [],
        trait,
      ],
      [
        'setProviderTraits',
        `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { __typename } }`,
        async () => ({ providerUuid: p, generation: await generationOf(p), traits: [trait] }),
        [p],
        null,
      ],
      [
        'createAggregate',
        `mutation($input: CreateAggregateInput!) { createAggregate(input: $input) { __typename } }`,
        async () => ({ uuid: aggregate, name: `audit-agg-${suffix}` }),
        [],
        aggregate,
      ],
      [
        'setProviderAggregates',
        `mutation($input: SetProviderAggregatesInput!) { setProviderAggregates(input: $input) { __typename } }`,
        async () => ({ providerUuid: p, generation: await generationOf(p), aggregates: [aggregate] }),
        [p],
        null,
      ],
      [
        'createCell',
        `mutation($input: CreateCellInput!) { createCell(input: $input) { __typename } }`,
        async () => ({ uuid: cell, name: `audit-cell-${suffix}` }),
        [],
        cell,
      ],
      [
        'deleteCell',
        `mutation($input: DeleteCellInput!) { deleteCell(input: $input) { __typename } }`,
        async () => ({ uuid: cell }),
        [],
        cell,
      ],
      [
        'setAllocations',
        `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { __typename } }`,
        async () => ({
          consumerUuid: consumer,
          consumerGeneration: null,
          projectId: 'p-audit',
          userId: 'u',
          allocations: [{ providerUuid: p, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
        }),
        [p],
        null,
      ],
      [
        'moveAllocations',
        `mutation($input: MoveAllocationsInput!) { moveAllocations(input: $input) { __typename } }`,
        async () => ({
          consumers: [
            {
              consumerUuid: consumer,
              consumerGeneration: 1,
              projectId: 'p-audit',
              userId: 'u',
              allocations: [{ providerUuid: q, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
            },
          ],
        }),
        [p, q],
        null,
      ],
    ];
    // world() gave its hosts a custom class only: VCPU for the allocation steps.
    for (const uuid of [p, q]) {
      await env.gql(`mutation($input: UpsertInventoryInput!) { upsertInventory(input: $input) { __typename } }`, {
        input: {
          providerUuid: uuid,
          generation: await generationOf(uuid),
          inventory: { resourceClass: 'VCPU', total: 4 },
        },
      });
    }
    for (const [operation, query, input, providers, subject] of steps) {
      const step = await mutate<Record<string, { __typename: string }>>(query, { input: await input() });
      expect(step.data[operation]?.__typename, operation).toMatch(/Payload$/);
      expect(step.events, operation).toHaveLength(1);
      const [event] = step.events;
      expect(event?.operation).toBe(operation);
      expect([...(event?.provider_uuids ?? [])].sort(), operation).toEqual([...providers].sort());
      if (subject !== null) expect(event?.subject, operation).toBe(subject);
    }
    // Now p holds nothing: the remaining deletes.
    const deletes: [string, string, Record<string, unknown>, string[], string | null][] = [
      [
        'deleteResourceProvider',
        `mutation($input: DeleteResourceProviderInput!) { deleteResourceProvider(input: $input) { __typename } }`,
        { uuid: p, generation: await generationOf(p) },
        [p],
        null,
      ],
      [
        'deleteAggregate',
        `mutation($input: DeleteAggregateInput!) { deleteAggregate(input: $input) { __typename } }`,
        { uuid: aggregate },
        [],
        aggregate,
      ],
      [
        'deleteTrait',
        `mutation($input: DeleteTraitInput!) { deleteTrait(input: $input) { __typename } }`,
        { name: trait },
        [],
        trait,
      ],
    ];
    for (const [operation, query, input, providers, subject] of deletes) {
      const step = await mutate<Record<string, { __typename: string }>>(query, { input });
      expect(step.data[operation]?.__typename, operation).toMatch(/Payload$/);
      expect(
        step.events.map((e) => [e.operation, e.provider_uuids, e.subject]),
        operation,
      ).toEqual([[operation, providers, subject]]);
    }
    const cls = `CUSTOM_AUDIT_DEL_${suffix}`;
    await env.gql(`mutation { createResourceClass(input: {name: "${cls}"}) { __typename } }`);
    const dropped = await mutate(`mutation { deleteResourceClass(input: {name: "${cls}"}) { __typename } }`, {});
    expect(dropped.events.map((e) => [e.operation, e.subject])).toEqual([['deleteResourceClass', cls]]);
  });

  it('importPlacementState (1.4): one event per committed batch, naming the providers it wrote', async () => {
    const host = randomUUID();
    const inventory = {
      resourceClass: 'VCPU',
      total: 2,
      reserved: 0,
      minUnit: 1,
      maxUnit: 2,
      stepSize: 1,
      allocationRatio: 1,
    };
    const provider = {
      uuid: host,
      name: `audit-import-${host.slice(0, 8)}`,
      generation: 3,
      inventories: [inventory],
      traits: [],
      aggregates: [],
    };
    const imported = await mutate<{ importPlacementState: { __typename: string } }>(
      `mutation($input: ImportPlacementStateInput!) { importPlacementState(input: $input) { __typename } }`,
      { input: { batches: [{ providers: [provider] }] } },
      env,
      '1.4',
    );
    expect(imported.data.importPlacementState.__typename).toBe('ImportPlacementStatePayload');
    expect(imported.events).toEqual([
      expect.objectContaining({
        operation: 'importPlacementState',
        api_version: '1.4',
        actor_role: 'ADMIN',
        provider_uuids: [host],
      }),
    ]);
  });

  it('every mutation of the API has appeared in the trail by now (this file exercises each one)', async () => {
    const seen = new Set(
      (await env.sql<{ operation: string }>('SELECT DISTINCT operation FROM audit_events')).map((r) => r.operation),
    );
    const missing = Object.keys(ROOT_FIELD_RULES.Mutation).filter((operation) => !seen.has(operation));
    expect(missing).toEqual([]);
  });
});

describe('mutations that change nothing append nothing', () => {
  it('a refused call (FORBIDDEN), a typed failure, a NoValidHost and a keyed replay append no event', async () => {
    const reader = env.as(await env.createToken('READER'));
    const { cls } = await world(1, 1);
    const before = await eventCount();

    const refused = await mutate<{ createResourceProvider: unknown }>(
      `mutation { createResourceProvider(input: {name: "audit-refused-${randomUUID()}"}) { __typename } }`,
      {},
      reader,
    );
    expect(refused.events).toEqual([]);

    const taken = `audit-taken-${randomUUID()}`;
    await env.gql(`mutation { createResourceProvider(input: {name: "${taken}"}) { __typename } }`);
    const afterCreate = await eventCount();
    const duplicate = await mutate<{ createResourceProvider: { __typename: string } }>(
      `mutation { createResourceProvider(input: {name: "${taken}"}) { __typename } }`,
      {},
    );
    expect(duplicate.data.createResourceProvider.__typename).toBe('AlreadyExists');
    expect(duplicate.events).toEqual([]);

    const key = `audit-key-${randomUUID()}`;
    const input = claimInput(cls, [randomUUID()], { idempotencyKey: key });
    const first = await mutate<ClaimResult>(CLAIM, { input }, scheduler);
    expect(first.data.claim.__typename).toBe('ClaimPayload');
    expect(first.events).toHaveLength(1);
    const replay = await mutate<ClaimResult>(CLAIM, { input }, scheduler);
    expect(replay.data.claim).toEqual(first.data.claim);
    expect(replay.events).toEqual([]);

    const full = await mutate<ClaimResult>(CLAIM, { input: claimInput(cls, [randomUUID()]) }, scheduler);
    expect(full.data.claim.__typename).toBe('NoValidHost');
    expect(full.events).toEqual([]);

    // The only events since `before`: the provider created, then the first claim.
    expect(afterCreate).toBe(before + 1);
    expect(await eventCount()).toBe(before + 2);
  });

  it("the event is written in the change's own transaction: when it cannot be written, the change does not commit", async () => {
    const { cls } = await world(2, 4);
    await env.sql(
      `ALTER TABLE audit_events ADD CONSTRAINT audit_test_refuses CHECK (operation NOT IN ('claim', 'createResourceProvider')) NOT VALID`,
    );
    try {
      const name = `audit-never-${randomUUID()}`;
      const provider = await env.gql(`mutation { createResourceProvider(input: {name: "${name}"}) { __typename } }`);
      expect(provider.errors?.length).toBeGreaterThan(0);
      expect(await env.sql('SELECT 1 FROM resource_providers WHERE name = $1', [name])).toEqual([]);
      const one = randomUUID();
      const several = [randomUUID(), randomUUID()];
      for (const consumers of [[one], several]) {
        const claimed = await scheduler.gql<ClaimResult>(CLAIM, { input: claimInput(cls, consumers) });
        expect(claimed.data?.claim ?? null).toBeNull();
      }
      expect(await env.sql('SELECT 1 FROM consumers WHERE uuid = ANY($1::uuid[])', [[one, ...several]])).toEqual([]);
    } finally {
      await env.sql('ALTER TABLE audit_events DROP CONSTRAINT audit_test_refuses');
    }
  });

  it('racing claimers: exactly one event per committed claim, counted in SQL', async () => {
    const { cls } = await world(3, 4); // 12 slots for 30 consumers
    const consumers = Array.from({ length: 30 }, () => randomUUID());
    const results = await Promise.all(
      consumers.map((c) => scheduler.gql<ClaimResult>(CLAIM, { input: claimInput(cls, [c]) })),
    );
    const placed = results.filter((r) => r.data?.claim.__typename === 'ClaimPayload').length;
    expect(placed).toBe(12);
    const [row] = await env.sql<{ events: number; consumers: number; committed: number }>(
      `SELECT (SELECT count(*)::int FROM audit_events WHERE operation = 'claim' AND consumer_uuids && $1::uuid[]) AS events,
              (SELECT count(DISTINCT c)::int FROM audit_events, unnest(consumer_uuids) c
                WHERE operation = 'claim' AND c = ANY($1::uuid[])) AS consumers,
              (SELECT count(*)::int FROM consumers WHERE uuid = ANY($1::uuid[])) AS committed`,
      [consumers],
    );
    expect(row).toEqual({ events: 12, consumers: 12, committed: 12 });
  });

  it('racing writers on one provider generation: one event per write that committed', async () => {
    const { uuids } = await world(1, 1);
    const provider = uuids[0] as string;
    const [{ generation } = { generation: -1 }] = await env.sql<{ generation: number }>(
      'SELECT generation FROM resource_providers WHERE uuid = $1',
      [provider],
    );
    const countFor = async () =>
      (
        await env.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_events WHERE operation = 'setInventories' AND provider_uuids @> ARRAY[$1::uuid]`,
          [provider],
        )
      )[0]?.n ?? 0;
    const before = await countFor();
    const writes = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        env.gql<{ setInventories: { __typename: string } }>(
          `mutation($input: SetInventoriesInput!) { setInventories(input: $input) { __typename } }`,
          { input: { providerUuid: provider, generation, inventories: [{ resourceClass: 'VCPU', total: n + 1 }] } },
        ),
      ),
    );
    const committed = writes.filter((w) => w.data?.setInventories.__typename === 'InventoriesPayload').length;
    expect(committed).toBe(1);
    expect(await countFor()).toBe(before + 1);
  });
});

const AUDIT_EVENTS = `query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at operation requestId apiVersion subject providerUuids consumerUuids
      actor { kind name role projectId tokenId } } } } }`;

interface AuditEventsResult {
  auditEvents: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        id: string;
        at: string;
        operation: string;
        requestId: string;
        apiVersion: string | null;
        providerUuids: string[];
        consumerUuids: string[];
        actor: { kind: string; name: string; role: string; projectId: string | null; tokenId: string | null };
      };
    }[];
  };
}

async function auditEvents(variables: Record<string, unknown>, client: GqlClient = env) {
  return client.gql<AuditEventsResult>(AUDIT_EVENTS, variables, '1.2');
}

describe('auditEvents', () => {
  it('filters by operation, actor, provider, consumer and time, newest first, keyset-paged with totalCount', async () => {
    const { cls, uuids } = await world(2, 10);
    const consumers = Array.from({ length: 5 }, () => randomUUID());
    for (const c of consumers) await scheduler.gql(CLAIM, { input: claimInput(cls, [c]) });

    const byActor = await auditEvents({ filter: { actor: schedulerName, operation: 'claim' }, first: 100 });
    expect(byActor.errors).toBeUndefined();
    const ids = byActor.data?.auditEvents.edges.map((e) => BigInt(e.node.id)) ?? [];
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect([...ids].sort((x, y) => (y > x ? 1 : y < x ? -1 : 0))).toEqual(ids); // newest first
    for (const { node } of byActor.data?.auditEvents.edges ?? []) {
      expect(node.actor).toMatchObject({ kind: 'TOKEN', name: schedulerName, role: 'SCHEDULER' });
      expect(node.operation).toBe('claim');
    }

    const [lastConsumer] = consumers.slice(-1);
    const byConsumer = await auditEvents({ filter: { consumerUuid: lastConsumer } });
    expect(byConsumer.data?.auditEvents.totalCount).toBe(1);
    expect(byConsumer.data?.auditEvents.edges[0]?.node.consumerUuids).toEqual([lastConsumer]);

    // Paging the events of this world's hosts, two at a time: every event once, in order, no gaps.
    const filter = { providerUuid: uuids[0] };
    const all = await auditEvents({ filter, first: 100 });
    const expected = all.data?.auditEvents.edges.map((e) => e.node.id) ?? [];
    expect(all.data?.auditEvents.totalCount).toBe(expected.length);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const next: Awaited<ReturnType<typeof auditEvents>> = await auditEvents({ filter, first: 2, after });
      expect(next.data?.auditEvents.totalCount).toBe(expected.length);
      seen.push(...(next.data?.auditEvents.edges.map((e) => e.node.id) ?? []));
      if (!next.data?.auditEvents.pageInfo.hasNextPage) break;
      after = next.data.auditEvents.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);

    const at = new Date(byConsumer.data?.auditEvents.edges[0]?.node.at ?? 0);
    const window = await auditEvents({
      filter: {
        consumerUuid: lastConsumer,
        since: new Date(at.getTime() - 1000),
        until: new Date(at.getTime() + 1000),
      },
    });
    expect(window.data?.auditEvents.totalCount).toBe(1);
    const later = await auditEvents({ filter: { consumerUuid: lastConsumer, since: new Date(at.getTime() + 1000) } });
    expect(later.data?.auditEvents.totalCount).toBe(0);
  });

  it('bad filters and page sizes are InvalidInput naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: { since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' } }, 'filter.until'],
      [{ filter: { providerUuid: 'not-a-uuid' } }, 'filter.providerUuid'],
      [{ filter: { consumerUuid: '1234' } }, 'filter.consumerUuid'],
      [{ first: 100_000 }, 'first'],
    ];
    for (const [variables, field] of cases) {
      const result = await auditEvents(variables);
      expect(result.data?.auditEvents ?? null, JSON.stringify(variables)).toBeNull();
      expect(result.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'INVALID_INPUT', field });
    }
  });

  it('a negative first is INVALID_INPUT naming the paging arguments', async () => {
    const result = await env.gql(`{ auditEvents(first: -1) { totalCount } }`, {}, '1.2');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
  });

  it('is for ADMIN only, and exists only from 1.2', async () => {
    const refused = await auditEvents({}, scheduler);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const old = await env.gql(`{ auditEvents { totalCount } }`, {}, '1.1');
    expect(old.errors?.[0]?.message).toMatch(/auditEvents/);
  });
});

describe('idempotency keys are scoped to the caller', () => {
  it("another caller's claim with the same key neither sees the first answer nor is blocked by it; the first caller replays as before", async () => {
    const { cls } = await world(4, 2);
    // Unconfined like the first caller, so only the key's scope stands between them.
    const other = env.as(await env.createToken('SCHEDULER'));
    const key = `shared-key-${randomUUID()}`;
    const mine = claimInput(cls, [randomUUID()], { idempotencyKey: key });
    const theirs = claimInput(cls, [randomUUID()], { idempotencyKey: key });

    const first = await scheduler.gql<ClaimResult>(CLAIM, { input: mine });
    expect(first.data?.claim.__typename).toBe('ClaimPayload');
    // The same key from another caller, for another consumer: a new claim of its own.
    const second = await other.gql<ClaimResult>(CLAIM, { input: theirs });
    expect(second.data?.claim.__typename).toBe('ClaimPayload');
    expect(second.data?.claim.selections?.[0]?.consumerUuid).toBe(theirs.consumers[0]?.consumerUuid);
    // The very same request from the other caller is not answered from the first caller's key.
    const copy = await other.gql<ClaimResult>(CLAIM, { input: mine });
    expect(copy.data?.claim.__typename).not.toBe('ClaimPayload');
    // The first caller's replay answers what it answered, and writes nothing more.
    const before = await eventCount();
    const replay = await scheduler.gql<ClaimResult>(CLAIM, { input: mine });
    expect(replay.data?.claim).toEqual(first.data?.claim);
    expect(await eventCount()).toBe(before);
    const keys = await env.sql<{ caller_key: string }>('SELECT caller_key FROM idempotency_keys WHERE key = $1', [key]);
    expect(keys).toHaveLength(2);
  });

  it("a keyed reschedule replayed by another caller does not get the first caller's answer", async () => {
    const { cls, uuids } = await world(2, 4);
    const [a, b] = uuids as [string, string];
    const consumer = randomUUID();
    await scheduler.gql(CLAIM, { input: { ...claimInput(cls, [consumer]), candidates: [a] } });
    const input = {
      consumerUuid: consumer,
      consumerGeneration: 1,
      alternates: [
        { providerUuid: b, allocations: [{ providerUuid: b, resources: [{ resourceClass: cls, amount: 1 }] }] },
      ],
      idempotencyKey: `reschedule-${randomUUID()}`,
    };
    type Answer = { reschedule: { __typename: string; selection?: { providerUuid: string } } };
    const first = await scheduler.gql<Answer>(RESCHEDULE, { input });
    expect(first.data?.reschedule.__typename).toBe('ReschedulePayload');
    // Another unconfined scheduler (only the key's scope keeps the answer from it), and one
    // confined to another project (who may not see the consumer at all).
    for (const options of [{}, { projectId: 'p-stranger' }]) {
      const stranger = env.as(await env.createToken('SCHEDULER', options));
      const replayed = await stranger.gql<Answer>(RESCHEDULE, { input });
      expect(replayed.data?.reschedule.__typename).not.toBe('ReschedulePayload');
      expect(replayed.data?.reschedule.selection).toBeUndefined();
    }
    // The owner's replay still answers.
    const again = await scheduler.gql<Answer>(RESCHEDULE, { input });
    expect(again.data?.reschedule).toEqual(first.data?.reschedule);
  });
});

describe('retention', () => {
  it('the purge deletes events older than the retention in batches and keeps younger ones', async () => {
    const marker = `purge-${randomUUID()}`;
    await env.sql(
      `INSERT INTO audit_events (at, operation, request_id, actor_kind, actor_name, actor_role)
       SELECT now() - make_interval(days => d), 'test', $1, 'token', 'old', 'ADMIN'
         FROM unnest(ARRAY[91, 91, 91, 120, 365, 89, 1]) AS d`,
      [marker],
    );
    expect(await purgeExpiredAuditEvents(env.db.pool, 90, 2)).toBe(5);
    const left = await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1', [
      marker,
    ]);
    expect(left[0]?.n).toBe(2);
  });

  it('a purge batch held open blocks no audited write', async () => {
    const marker = `held-${randomUUID()}`;
    await env.sql(
      `INSERT INTO audit_events (at, operation, request_id, actor_kind, actor_name, actor_role)
       SELECT now() - interval '200 days', 'test', $1, 'token', 'old', 'ADMIN' FROM generate_series(1, 3)`,
      [marker],
    );
    const holder = await env.db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(AUDIT_PURGE_BATCH_SQL, [90, 1000]);
      const write = env.gql<{ createResourceProvider: { __typename: string } }>(
        `mutation { createResourceProvider(input: {name: "audit-during-purge-${randomUUID()}"}) { __typename } }`,
      );
      const answer = await Promise.race([
        write,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('write waited for the purge')), 10_000).unref(),
        ),
      ]);
      expect(answer.data?.createResourceProvider.__typename).toBe('ResourceProviderPayload');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });
});
