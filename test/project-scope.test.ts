import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { createTestEnv, type GqlClient, type TestEnv } from './support/harness.js';

/**
 * Project scoping and re-own (docs/OPERATIONS.md, "Access control"): a caller confined to a
 * project sees and writes only that project's consumers; only ADMIN changes an existing
 * consumer's projectId or userId. Refusals change nothing; the engine checks under the
 * consumer's row lock, which the race at the end exercises.
 */

const HEAD = '1.2';
let env: TestEnv;
let host: { uuid: string; generation: number };
let admin: GqlClient;
let alphaScheduler: GqlClient;
let alphaReader: GqlClient;
let scheduler: GqlClient;

interface Refusal {
  __typename: string;
  code?: string;
  forbiddenReason?: string;
  inputField?: string | null;
  requiredRole?: string | null;
}

const SET = `mutation($input: SetAllocationsInput!) {
  setAllocations(input: $input) {
    __typename
    ... on AllocationsPayload { consumers { consumerUuid generation } }
    ... on Forbidden { code forbiddenReason inputField requiredRole message }
    ... on Error { code message }
  }
}`;

function setInput(uuid: string, generation: number | null, projectId: string, userId: string, vcpu: number) {
  return {
    consumerUuid: uuid,
    consumerGeneration: generation,
    projectId,
    userId,
    allocations: vcpu === 0 ? [] : [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: vcpu }] }],
  };
}

async function set(client: GqlClient, input: ReturnType<typeof setInput>, version = HEAD): Promise<Refusal> {
  const reply = await client.gql<{ setAllocations: Refusal }>(SET, { input }, version);
  expect(reply.errors, JSON.stringify(reply.errors)).toBeUndefined();
  return reply.data!.setAllocations;
}

/** A consumer written by ADMIN: its uuid at generation 1. */
async function consumerOf(projectId: string, userId = 'u1', vcpu = 1): Promise<string> {
  const uuid = randomUUID();
  expect((await set(admin, setInput(uuid, null, projectId, userId, vcpu))).__typename).toBe('AllocationsPayload');
  return uuid;
}

async function consumerRow(uuid: string) {
  const [row] = await env.sql<{ project_id: string; user_id: string; generation: number; used: string | null }>(
    `SELECT c.project_id, c.user_id, c.generation, (SELECT sum(used)::text FROM allocations WHERE consumer_id = c.id) AS used
       FROM consumers c WHERE c.uuid = $1`,
    [uuid],
  );
  return row;
}

/** Usage counters equal the allocation rows, and nothing is over capacity. */
async function expectCountersConsistent(): Promise<void> {
  const drift = await env.sql(
    `SELECT i.id FROM inventories i
       LEFT JOIN allocations a ON a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id
      GROUP BY i.id, i.used HAVING i.used <> coalesce(sum(a.used), 0)`,
  );
  expect(drift).toEqual([]);
}

beforeAll(async () => {
  env = await createTestEnv({ poolMax: 8 });
  admin = env.as(env.adminToken);
  alphaScheduler = env.as(await env.createToken('SCHEDULER', { name: 'alpha-scheduler', projectId: 'alpha' }));
  alphaReader = env.as(await env.createToken('READER', { name: 'alpha-reader', projectId: 'alpha' }));
  scheduler = env.as(await env.createToken('SCHEDULER', { name: 'any-project-scheduler' }));
  host = await hostWith(env, 'scope-host', { VCPU: 100_000 });
});
afterAll(async () => env?.close());

describe('reads by a caller confined to a project', () => {
  let alpha: string;
  let beta: string;
  beforeAll(async () => {
    alpha = await consumerOf('alpha');
    beta = await consumerOf('beta');
  });

  for (const [name, client] of [
    ['READER', () => alphaReader],
    ['SCHEDULER', () => alphaScheduler],
  ] as const) {
    it(`${name}: consumer(uuid) of another project is null, its own is there`, async () => {
      const q = 'query($u: String!) { consumer(uuid: $u) { uuid projectId } }';
      expect((await client().gql(q, { u: alpha }, HEAD)).data).toEqual({
        consumer: { uuid: alpha, projectId: 'alpha' },
      });
      expect((await client().gql(q, { u: beta }, HEAD)).data).toEqual({ consumer: null });
    });

    it(`${name}: node/nodes answer null for another project's consumer`, async () => {
      const ids = [encodeGlobalID('Consumer', alpha), encodeGlobalID('Consumer', beta)];
      const reply = await client().gql(
        'query($ids: [ID!]!, $one: ID!) { nodes(ids: $ids) { ... on Consumer { uuid } } node(id: $one) { id } }',
        { ids, one: ids[1] },
        HEAD,
      );
      expect(reply.errors).toBeUndefined();
      expect(reply.data).toEqual({ nodes: [{ uuid: alpha }, null], node: null });
    });

    it(`${name}: usages of another project are FORBIDDEN (PROJECT), its own answer`, async () => {
      const refused = await client().gql('{ usages(projectId: "beta") { consumerCount } }', {}, HEAD);
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors?.map((e) => e.extensions)).toEqual([
        expect.objectContaining({ code: 'FORBIDDEN', reason: 'PROJECT', field: 'projectId' }),
      ]);
      const own = await client().gql<{ usages: { consumerCount: number } }>(
        '{ usages(projectId: "alpha") { consumerCount } }',
        {},
        HEAD,
      );
      expect(own.data?.usages.consumerCount).toBeGreaterThanOrEqual(1);
    });

    it(`${name}: a provider's allocations list only its project's consumers`, async () => {
      const q = `query($u: String!) { resourceProvider(uuid: $u) { allocations(first: 100) {
        totalCount edges { node { consumer { uuid projectId } } } } } }`;
      type Page = {
        resourceProvider: {
          allocations: { totalCount: number; edges: { node: { consumer: { projectId: string } } }[] };
        };
      };
      const confined = await client().gql<Page>(q, { u: host.uuid }, HEAD);
      expect(confined.errors).toBeUndefined();
      const projects = confined.data!.resourceProvider.allocations.edges.map((e) => e.node.consumer.projectId);
      expect(new Set(projects)).toEqual(new Set(['alpha']));
      expect(confined.data!.resourceProvider.allocations.totalCount).toBe(projects.length);
      const all = await admin.gql<Page>(q, { u: host.uuid }, HEAD);
      expect(all.data!.resourceProvider.allocations.edges.map((e) => e.node.consumer.projectId)).toContain('beta');
    });
  }
});

describe('writes by a SCHEDULER confined to a project', () => {
  it('rewrites its own project’s consumer and creates new ones in its project', async () => {
    const own = await consumerOf('alpha');
    expect((await set(alphaScheduler, setInput(own, 1, 'alpha', 'u1', 2))).__typename).toBe('AllocationsPayload');
    const created = randomUUID();
    expect((await set(alphaScheduler, setInput(created, null, 'alpha', 'u9', 1))).__typename).toBe(
      'AllocationsPayload',
    );
    expect(await consumerRow(created)).toMatchObject({ project_id: 'alpha', user_id: 'u9' });
  });

  it('may not touch another project’s consumer (Forbidden PROJECT, nothing written)', async () => {
    const other = await consumerOf('beta');
    const before = await consumerRow(other);
    for (const input of [setInput(other, 1, 'beta', 'u1', 5), setInput(other, 1, 'alpha', 'u1', 5)]) {
      expect(await set(alphaScheduler, input)).toMatchObject({
        __typename: 'Forbidden',
        code: 'FORBIDDEN',
        forbiddenReason: 'PROJECT',
        inputField: 'consumerUuid',
        requiredRole: null,
      });
    }
    const deleted = await alphaScheduler.gql<{ deleteAllocations: Refusal }>(
      `mutation($u: String!) { deleteAllocations(input: { consumerUuid: $u, consumerGeneration: 1 }) {
        __typename ... on Forbidden { forbiddenReason } } }`,
      { u: other },
      HEAD,
    );
    expect(deleted.data?.deleteAllocations).toEqual({ __typename: 'Forbidden', forbiddenReason: 'PROJECT' });
    const rescheduled = await alphaScheduler.gql<{ reschedule: Refusal }>(
      `mutation($input: RescheduleInput!) { reschedule(input: $input) { __typename ... on Forbidden { forbiddenReason } } }`,
      {
        input: {
          consumerUuid: other,
          consumerGeneration: 1,
          alternates: [
            {
              providerUuid: host.uuid,
              allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 7 }] }],
            },
          ],
        },
      },
      HEAD,
    );
    expect(rescheduled.data?.reschedule).toEqual({ __typename: 'Forbidden', forbiddenReason: 'PROJECT' });
    expect(await consumerRow(other)).toEqual(before);
  });

  it('may not create a consumer in another project, by setAllocations or claim', async () => {
    const uuid = randomUUID();
    expect(await set(alphaScheduler, setInput(uuid, null, 'beta', 'u1', 1))).toMatchObject({
      __typename: 'Forbidden',
      forbiddenReason: 'PROJECT',
      inputField: 'projectId',
    });
    const claimed = await alphaScheduler.gql<{ claim: Refusal }>(
      `mutation($input: ClaimInput!) { claim(input: $input) { __typename ... on Forbidden { forbiddenReason inputField } } }`,
      {
        input: {
          consumers: [{ consumerUuid: uuid, projectId: 'beta', userId: 'u1' }],
          request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
          alternates: 0,
        },
      },
      HEAD,
    );
    expect(claimed.errors, JSON.stringify(claimed.errors)).toBeUndefined();
    expect(claimed.data?.claim).toEqual({
      __typename: 'Forbidden',
      forbiddenReason: 'PROJECT',
      inputField: 'consumers[0].projectId',
    });
    expect(await consumerRow(uuid)).toBeUndefined();
  });

  it('claiming a uuid another project holds is Forbidden, not a conflict that shows its generation', async () => {
    const other = await consumerOf('beta');
    const claimed = await alphaScheduler.gql<{ claim: Refusal }>(
      `mutation($input: ClaimInput!) { claim(input: $input) { __typename ... on Forbidden { forbiddenReason inputField } } }`,
      {
        input: {
          consumers: [{ consumerUuid: other, projectId: 'alpha', userId: 'u1' }],
          request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
          alternates: 0,
        },
      },
      HEAD,
    );
    expect(claimed.data?.claim).toEqual({
      __typename: 'Forbidden',
      forbiddenReason: 'PROJECT',
      inputField: 'consumers[0].consumerUuid',
    });
    expect(await consumerRow(other)).toMatchObject({ project_id: 'beta', generation: 1, used: '1' });
  });

  it('moveAllocations with one foreign consumer among its own writes none of them', async () => {
    const own = await consumerOf('alpha');
    const other = await consumerOf('beta');
    const reply = await alphaScheduler.gql<{ moveAllocations: Refusal }>(
      `mutation($input: MoveAllocationsInput!) { moveAllocations(input: $input) { __typename ... on Forbidden { forbiddenReason inputField } } }`,
      { input: { consumers: [setInput(own, 1, 'alpha', 'u1', 0), setInput(other, 1, 'beta', 'u1', 9)] } },
      HEAD,
    );
    expect(reply.data?.moveAllocations).toMatchObject({ __typename: 'Forbidden', forbiddenReason: 'PROJECT' });
    expect(await consumerRow(own)).toMatchObject({ generation: 1, used: '1' });
    expect(await consumerRow(other)).toMatchObject({ generation: 1, used: '1' });
  });

  it('in 1.0 and 1.1 the same refusal is a FORBIDDEN GraphQL error', async () => {
    const other = await consumerOf('beta');
    for (const version of ['1.0', '1.1']) {
      const reply = await alphaScheduler.gql<{ setAllocations: unknown }>(
        'mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { __typename } }',
        { input: setInput(other, 1, 'beta', 'u1', 4) },
        version,
      );
      expect(reply.data?.setAllocations ?? null, JSON.stringify(reply)).toBeNull();
      expect(reply.errors?.[0]?.message, JSON.stringify(reply)).toContain('project');
      expect(reply.errors?.map((e) => e.extensions)).toEqual([
        expect.objectContaining({
          code: 'FORBIDDEN',
          reason: 'PROJECT',
          operation: 'setAllocations',
          role: 'SCHEDULER',
        }),
      ]);
    }
    expect(await consumerRow(other)).toMatchObject({ generation: 1, used: '1' });
  });
});

describe('re-own: only ADMIN changes an existing consumer’s projectId or userId', () => {
  it('a SCHEDULER of every project gets Forbidden (REOWN) and changes nothing', async () => {
    const uuid = await consumerOf('alpha', 'u1');
    for (const [input, field] of [
      [setInput(uuid, 1, 'beta', 'u1', 2), 'projectId'],
      [setInput(uuid, 1, 'alpha', 'u2', 2), 'userId'],
    ] as const) {
      expect(await set(scheduler, input)).toMatchObject({
        __typename: 'Forbidden',
        forbiddenReason: 'REOWN',
        requiredRole: 'ADMIN',
        inputField: field,
      });
    }
    expect(await consumerRow(uuid)).toMatchObject({ project_id: 'alpha', user_id: 'u1', generation: 1, used: '1' });
    // The same owner is no re-own.
    expect((await set(scheduler, setInput(uuid, 1, 'alpha', 'u1', 2))).__typename).toBe('AllocationsPayload');
  });

  it('ADMIN may re-own', async () => {
    const uuid = await consumerOf('alpha', 'u1');
    expect((await set(admin, setInput(uuid, 1, 'beta', 'u7', 1))).__typename).toBe('AllocationsPayload');
    expect(await consumerRow(uuid)).toMatchObject({ project_id: 'beta', user_id: 'u7', generation: 2 });
  });
});

describe('race: a confined SCHEDULER rewriting while ADMIN re-owns the same consumer', () => {
  /** The scheduler's loop: re-read the generation (null once it cannot see the consumer) and write, until an answer other than a generation conflict. */
  async function schedulerKeepsWriting(uuid: string): Promise<string> {
    for (;;) {
      const seen = await alphaScheduler.gql<{ consumer: { generation: number } | null }>(
        'query($u: String!) { consumer(uuid: $u) { generation } }',
        { u: uuid },
        HEAD,
      );
      const answer = await set(
        alphaScheduler,
        setInput(uuid, seen.data?.consumer?.generation ?? null, 'alpha', 'u1', 2),
      );
      if (answer.code !== 'CONSUMER_GENERATION_CONFLICT') return answer.forbiddenReason ?? answer.__typename;
    }
  }

  async function adminReowns(uuid: string): Promise<void> {
    for (let generation = 1; ; ) {
      const answer = await set(admin, setInput(uuid, generation, 'beta', 'u2', 3));
      if (answer.__typename === 'AllocationsPayload') return;
      expect(answer.code).toBe('CONSUMER_GENERATION_CONFLICT');
      generation = (await consumerRow(uuid))!.generation;
    }
  }

  it('never lets the scheduler write a consumer once it belongs to another project', async () => {
    const outcomes = new Set<string>();
    const consumers: string[] = [];
    for (let round = 0; round < 12; round++) consumers.push(await consumerOf('alpha', 'u1'));
    await Promise.all(
      consumers.map(async (uuid) => {
        const [outcome] = await Promise.all([schedulerKeepsWriting(uuid), adminReowns(uuid)]);
        outcomes.add(outcome);
        expect(['AllocationsPayload', 'PROJECT']).toContain(outcome);
      }),
    );
    // ADMIN's write is the last to land on every consumer: re-owned, with ADMIN's amount.
    const rows = await env.sql<{ project_id: string; user_id: string; used: string }>(
      `SELECT c.project_id, c.user_id, sum(a.used)::text AS used FROM consumers c JOIN allocations a ON a.consumer_id = c.id
        WHERE c.uuid = ANY($1::uuid[]) GROUP BY c.id`,
      [consumers],
    );
    expect(rows).toHaveLength(consumers.length);
    for (const row of rows) expect(row).toEqual({ project_id: 'beta', user_id: 'u2', used: '3' });
    await expectCountersConsistent();
  });
});
