import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

/**
 * claim and reschedule through the GraphQL pipeline on a real database. Every test builds
 * its own little world around a fresh custom resource class, so requests only ever match
 * that test's hosts; effects are checked in SQL.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());
afterEach(() => assertPlacementInvariants(env));

const AMOUNTS = 'providerUuid resources { resourceClass amount }';
const SELECTION = `consumerUuid consumerGeneration providerUuid cellUuid hostsTried
  allocations { ${AMOUNTS} }
  alternates { providerUuid cellUuid allocationRequest { ${AMOUNTS} } }`;
const NO_VALID_HOST = `... on NoValidHost { consumerUuid hostsTried explanation { providersConsidered remaining steps { constraint detail eliminated } } }`;
const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) {
  ${ERROR_FIELDS} ... on RetryLimitExceeded { attempts } ${NO_VALID_HOST}
  ... on ClaimPayload { selections { ${SELECTION} } } } }`;
const RESCHEDULE = `mutation($input: RescheduleInput!) { reschedule(input: $input) {
  ${ERROR_FIELDS} ... on RetryLimitExceeded { attempts } ${NO_VALID_HOST}
  ... on ReschedulePayload { selection { ${SELECTION} } } } }`;
const CANDIDATES = `query($request: PlacementRequest!, $limit: Int, $weigher: Weigher) {
  allocationCandidates(request: $request, limit: $limit, weigher: $weigher) {
    __typename ... on AllocationCandidates { candidates { providerUuid cellUuid weight allocationRequest { ${AMOUNTS} } } }
    ... on Error { code message } } }`;

interface Candidate {
  providerUuid: string;
  cellUuid: string | null;
  weight: number;
  allocationRequest: { providerUuid: string; resources: { resourceClass: string; amount: number }[] }[];
}

interface Amounts {
  providerUuid: string;
  resources: { resourceClass: string; amount: number }[];
}

interface Alternate {
  providerUuid: string;
  cellUuid: string | null;
  allocationRequest: Amounts[];
}

/** One SELECTION. */
interface Selection {
  consumerUuid: string;
  consumerGeneration: number;
  providerUuid: string;
  cellUuid: string | null;
  hostsTried: number;
  allocations: Amounts[];
  alternates: Alternate[];
}

/**
 * What these tests read from a claim's or reschedule's answer: a ClaimPayload (one selection per
 * consumer, so at least one), a ReschedulePayload, NoValidHost, or a typed error (its other
 * fields, from ERROR_FIELDS, are only compared whole).
 */
interface Answer {
  __typename: string;
  selections: [Selection, ...Selection[]];
  selection: Selection;
  explanation: { remaining: number; steps: { constraint: string; detail: string; eliminated: number }[] };
  [field: string]: unknown;
}

async function claimOf(input: Record<string, unknown>): Promise<Answer> {
  const result = await env.gql<{ claim: Answer }>(CLAIM, { input });
  expect(result.errors).toBeUndefined();
  return result.data!.claim;
}

async function rescheduleOf(input: Record<string, unknown>): Promise<Answer> {
  const result = await env.gql<{ reschedule: Answer }>(RESCHEDULE, { input });
  expect(result.errors).toBeUndefined();
  return result.data!.reschedule;
}

async function candidatesOf(request: Record<string, unknown>, limit = 1000, weigher = 'SPREAD'): Promise<Candidate[]> {
  const result = await env.gql<{ allocationCandidates: { __typename: string; candidates: Candidate[] } }>(CANDIDATES, {
    request,
    limit,
    weigher,
  });
  expect(result.errors).toBeUndefined();
  expect(result.data!.allocationCandidates.__typename).toBe('AllocationCandidates');
  return result.data!.allocationCandidates.candidates;
}

async function createCell(name: string): Promise<string> {
  const result = await env.gql<{ createCell: { cell: { uuid: string } } }>(
    `mutation($input: CreateCellInput!) { createCell(input: $input) { ${ERROR_FIELDS} ... on CellPayload { cell { uuid } } } }`,
    {
      input: { name },
    },
  );
  return result.data!.createCell.cell.uuid;
}

/** A test's own world: a fresh custom class (so searches only see its hosts) and ordered uuids. */
async function world() {
  const tag = randomBytes(4).toString('hex');
  const cls = `CUSTOM_T${tag.toUpperCase()}`;
  const created = await env.gql<{ createResourceClass: { createdResourceClass: { name: string } } }>(
    `mutation($input: CreateResourceClassInput!) { createResourceClass(input: $input) { ${ERROR_FIELDS} ... on ResourceClassPayload { createdResourceClass { name } } } }`,
    {
      input: { name: cls },
    },
  );
  expect(created.data!.createResourceClass.createdResourceClass.name).toBe(cls);
  /** Provider uuids that sort in n order: the weigher breaks ties on the root's uuid. */
  const id = (n: number) => `${tag}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const host = async (n: number, cellUuid: string | null, total: number, extra: Record<string, number> = {}) =>
    (
      await hostWith(
        env,
        `${tag}-host-${n}`,
        { [cls]: total, ...extra },
        { uuid: id(n), ...(cellUuid ? { cellUuid } : {}) },
      )
    ).uuid;
  const request = (amount = 1, extra: Record<string, unknown> = {}) => ({
    resources: [{ resourceClass: cls, amount }],
    ...extra,
  });
  const consumer = (consumerUuid: string = randomUUID()) => ({
    consumerUuid,
    projectId: `project-${tag}`,
    userId: `user-${tag}`,
  });
  const cell = (name: string) => createCell(`${tag}-${name}`);
  const want = (providerUuid: string, amount = 1) => [{ providerUuid, resources: [{ resourceClass: cls, amount }] }];
  return { tag, cls, id, host, request, consumer, cell, want };
}

/** Uses `amount` of the class on a provider through a filler consumer (to weigh or fill hosts). */
async function fill(providerUuid: string, cls: string, amount: number): Promise<string> {
  const consumerUuid = randomUUID();
  const result = await env.gql<{ setAllocations: { __typename: string } }>(
    `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { ${ERROR_FIELDS} ... on AllocationsPayload { consumers { generation } } } }`,
    {
      input: {
        consumerUuid,
        consumerGeneration: null,
        projectId: 'filler',
        userId: 'filler',
        allocations: [{ providerUuid, resources: [{ resourceClass: cls, amount }] }],
      },
    },
  );
  expect(result.data!.setAllocations.__typename).toBe('AllocationsPayload');
  return consumerUuid;
}

async function used(providerUuid: string, cls: string): Promise<number> {
  const rows = await env.sql<{ used: number }>(
    `SELECT i.used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id JOIN resource_classes rc ON rc.id = i.resource_class_id
      WHERE p.uuid = $1 AND rc.name = $2`,
    [providerUuid, cls],
  );
  return rows[0]!.used;
}

async function rowsOf(consumerUuid: string): Promise<{ provider: string; name: string; used: number }[]> {
  return env.sql(
    `SELECT p.uuid AS provider, rc.name, a.used FROM allocations a JOIN consumers c ON c.id = a.consumer_id
       JOIN resource_providers p ON p.id = a.provider_id JOIN resource_classes rc ON rc.id = a.resource_class_id
      WHERE c.uuid = $1 ORDER BY p.uuid, rc.name`,
    [consumerUuid],
  );
}

async function consumerRow(consumerUuid: string): Promise<{ generation: number } | undefined> {
  return (await env.sql<{ generation: number }>('SELECT generation FROM consumers WHERE uuid = $1', [consumerUuid]))[0];
}

/** An alternate as reschedule takes it back. */
const asInput = (alternate: Alternate) => ({
  providerUuid: alternate.providerUuid,
  allocations: alternate.allocationRequest,
});
const asAlternate = (c: Candidate) => ({
  providerUuid: c.providerUuid,
  cellUuid: c.cellUuid,
  allocationRequest: c.allocationRequest,
});

describe('claim: alternates', () => {
  it("are in the chosen host's cell, never the chosen host, at most N, in weighed order, each with its allocation request", async () => {
    const w = await world();
    const [east, west] = [await w.cell('east'), await w.cell('west')];
    // Interleaved weights across both cells: the fill sets each host's free share.
    const layout: [number, string, number][] = [
      [1, east, 0],
      [2, west, 1],
      [3, east, 2],
      [4, west, 3],
      [5, east, 4],
      [6, west, 5],
      [7, east, 6],
      [8, west, 7],
      [9, east, 8],
      [10, west, 9],
      [11, east, 10],
      [12, east, 11],
    ];
    for (const [n, cell, usage] of layout) {
      const uuid = await w.host(n, cell, 20);
      if (usage) await fill(uuid, w.cls, usage);
    }
    for (const [round, alternates] of [3, 2, 5, 1, 10, 4].entries()) {
      const overall = await candidatesOf(w.request(2));
      const consumer = w.consumer();
      const payload = await claimOf({ consumers: [consumer], request: w.request(2), alternates });
      expect(payload.__typename).toBe('ClaimPayload');
      const [selection] = payload.selections;
      // The best host of the weighed list was claimed, first try.
      expect(selection).toMatchObject({
        consumerUuid: consumer.consumerUuid,
        consumerGeneration: 1,
        providerUuid: overall[0]!.providerUuid,
        cellUuid: overall[0]!.cellUuid,
        hostsTried: 1,
      });
      expect(selection.allocations).toEqual(overall[0]!.allocationRequest);
      // Reference: allocationCandidates for the same request restricted to the chosen cell, minus the chosen host.
      const inCell = await candidatesOf(w.request(2, { cell: selection.cellUuid }));
      const expected = inCell
        .filter((c) => c.providerUuid !== selection.providerUuid)
        .slice(0, alternates)
        .map(asAlternate);
      expect(selection.alternates, `round ${round}`).toEqual(expected);
      expect(selection.alternates.length).toBe(Math.min(alternates, inCell.length - 1));
      for (const alternate of selection.alternates) {
        expect(alternate.cellUuid).toBe(selection.cellUuid);
        expect(alternate.providerUuid).not.toBe(selection.providerUuid);
        expect(alternate.allocationRequest).toEqual(w.want(alternate.providerUuid, 2));
      }
      expect(await rowsOf(consumer.consumerUuid)).toEqual([{ provider: selection.providerUuid, name: w.cls, used: 2 }]);
    }
  });

  it('follow the PACK weigher too: least free first, in the chosen cell', async () => {
    const w = await world();
    const [east, west] = [await w.cell('east'), await w.cell('west')];
    for (const [n, cell, usage] of [
      [1, east, 1],
      [2, west, 9],
      [3, east, 5],
      [4, east, 7],
      [5, west, 3],
      [6, east, 2],
    ] as const) {
      await fill(await w.host(n, cell, 10), w.cls, usage);
    }
    const overall = await candidatesOf(w.request(), 1000, 'PACK');
    expect(overall.map((c) => c.providerUuid)).toEqual([w.id(2), w.id(4), w.id(3), w.id(5), w.id(6), w.id(1)]);
    const payload = await claimOf({ consumers: [w.consumer()], request: w.request(), alternates: 2, weigher: 'PACK' });
    const [selection] = payload.selections;
    expect(selection.providerUuid).toBe(w.id(2));
    expect(selection.alternates.map((a) => a.providerUuid)).toEqual([w.id(5)]);
    const again = (await claimOf({ consumers: [w.consumer()], request: w.request(), alternates: 2, weigher: 'PACK' }))
      .selections[0];
    expect(again.providerUuid).toBe(w.id(4));
    expect(again.alternates.map((a) => a.providerUuid)).toEqual([w.id(3), w.id(6)]);
  });

  it('alternates: 0 gives none, and the claim still happens', async () => {
    const w = await world();
    const cell = await w.cell('c');
    for (let n = 1; n <= 4; n++) await w.host(n, cell, 4);
    const consumer = w.consumer();
    const payload = await claimOf({ consumers: [consumer], request: w.request(), alternates: 0 });
    expect(payload.__typename).toBe('ClaimPayload');
    expect(payload.selections[0]).toMatchObject({ providerUuid: w.id(1), alternates: [], hostsTried: 1 });
    expect(await rowsOf(consumer.consumerUuid)).toEqual([{ provider: w.id(1), name: w.cls, used: 1 }]);
  });

  it("when the first page of the weighed list runs out of same-cell hosts, the chosen host's cell is searched", async () => {
    const w = await world();
    const [small, big] = [await w.cell('small'), await w.cell('big')];
    // All hosts are empty (equal weight), so the order is the uuid order: the chosen host
    // (small cell) first, then 30 hosts of the big cell, then the rest of the small cell.
    await w.host(0, small, 4);
    for (let n = 1; n <= 30; n++) await w.host(n, big, 4);
    for (let n = 31; n <= 35; n++) await w.host(n, small, 4);
    const overall = await candidatesOf(w.request());
    expect(overall.map((c) => c.providerUuid)).toEqual(Array.from({ length: 36 }, (_, n) => w.id(n)));

    const payload = await claimOf({ consumers: [w.consumer()], request: w.request(), alternates: 3 });
    const [selection] = payload.selections;
    expect(selection).toMatchObject({ providerUuid: w.id(0), cellUuid: small, hostsTried: 1 });
    expect(selection.alternates).toEqual(
      [31, 32, 33].map((n) => ({ providerUuid: w.id(n), cellUuid: small, allocationRequest: w.want(w.id(n)) })),
    );
    // Asking for more than the cell has gives all of its other hosts.
    const all = (await claimOf({ consumers: [w.consumer()], request: w.request(), alternates: 20, candidates: null }))
      .selections[0];
    expect(all.providerUuid).toBe(w.id(1)); // host 0 now has less free share than the empty ones
    expect(all.alternates.map((a) => a.providerUuid)).toEqual(Array.from({ length: 20 }, (_, i) => w.id(i + 2)));
    const smallAgain = (
      await claimOf({ consumers: [w.consumer()], request: w.request(), alternates: 20, weigher: 'PACK' })
    ).selections[0];
    // PACK: the fullest first (host 0, then host 1 with one used each); host 0 is in the small cell.
    expect(smallAgain.providerUuid).toBe(w.id(0));
    expect(smallAgain.alternates.map((a) => a.providerUuid)).toEqual([31, 32, 33, 34, 35].map(w.id));
  });

  it('requests restricted to a cell only ever choose and return hosts of that cell', async () => {
    const w = await world();
    const [a, b] = [await w.cell('a'), await w.cell('b')];
    for (let n = 1; n <= 6; n++) await w.host(n, n % 2 ? a : b, 4);
    const payload = await claimOf({
      consumers: [w.consumer(), w.consumer()],
      request: w.request(1, { cell: b }),
      alternates: 5,
    });
    for (const selection of payload.selections) {
      expect(selection.cellUuid).toBe(b);
      expect(selection.alternates.every((x) => x.cellUuid === b)).toBe(true);
    }
    expect(payload.selections.map((s) => s.providerUuid)).toEqual([w.id(2), w.id(4)]);
  });
});

describe('claim: explicit candidates', () => {
  it("follows the caller's order, and alternates come from the caller's list in its order", async () => {
    const w = await world();
    const cell = await w.cell('c');
    const other = await w.cell('other');
    for (let n = 1; n <= 5; n++) await w.host(n, cell, 4);
    await w.host(6, other, 4);
    const candidates = [w.id(4), w.id(6), w.id(2), w.id(5), w.id(1)];
    const payload = await claimOf({ consumers: [w.consumer()], request: w.request(), alternates: 2, candidates });
    const [selection] = payload.selections;
    expect(selection).toMatchObject({ providerUuid: w.id(4), cellUuid: cell, hostsTried: 1 });
    expect(selection.alternates).toEqual(
      [w.id(2), w.id(5)].map((p) => ({ providerUuid: p, cellUuid: cell, allocationRequest: w.want(p) })),
    );
    // Hosts not on the caller's list are never used, even with room and a better weight.
    const only = await claimOf({
      consumers: [w.consumer()],
      request: w.request(),
      alternates: 5,
      candidates: [w.id(5)],
    });
    expect(only.selections[0]).toMatchObject({ providerUuid: w.id(5), alternates: [] });
  });

  it('skips caller-listed hosts that do not fit, and hostsTried counts them', async () => {
    const w = await world();
    const cell = await w.cell('c');
    for (let n = 1; n <= 3; n++) await w.host(n, cell, 4);
    await fill(w.id(3), w.cls, 4); // full
    const before = await used(w.id(3), w.cls);
    const payload = await claimOf({
      consumers: [w.consumer()],
      request: w.request(),
      alternates: 1,
      candidates: [w.id(3), w.id(1), w.id(2)],
    });
    expect(payload.__typename).toBe('ClaimPayload');
    const [selection] = payload.selections;
    expect(selection.providerUuid).toBe(w.id(1));
    expect(selection.alternates.map((a) => a.providerUuid)).toEqual([w.id(2)]);
    expect(await used(w.id(3), w.cls)).toBe(before);
    // The full host was the first on the caller's list and was discarded: two hosts tried.
    expect(selection.hostsTried).toBe(2);
  });

  it('all caller-listed hosts full: NoValidHost naming them, nothing claimed', async () => {
    const w = await world();
    const cell = await w.cell('c');
    for (let n = 1; n <= 3; n++) await w.host(n, cell, 2);
    await fill(w.id(1), w.cls, 2);
    await fill(w.id(2), w.cls, 2);
    const consumer = w.consumer();
    const before = await snapshot(env);
    const payload = await claimOf({
      consumers: [consumer],
      request: w.request(),
      alternates: 1,
      candidates: [w.id(2), w.id(1)],
    });
    expect(payload).toMatchObject({
      __typename: 'NoValidHost',
      code: 'NO_VALID_HOST',
      consumerUuid: consumer.consumerUuid,
    });
    expect(await snapshot(env)).toBe(before);
    expect(payload.hostsTried).toEqual([w.id(2), w.id(1)]);
  });

  it('a host that no longer fits at claim time is discarded and the next one tried (hostsTried 2)', async () => {
    // Hosts 1 and 2 take their disk from one sharing provider that fits only one claim; the
    // weighed list still offers host 2 to the second consumer, whose write then fails on it.
    const w = await world();
    const cell = await w.cell('c');
    const disk = `CUSTOM_D${w.tag.toUpperCase()}`;
    await env.gql(`mutation { createResourceClass(input: {name: "${disk}"}) { __typename } }`);
    const aggregate = randomUUID();
    const setAggregates = async (uuid: string, generation: number) => {
      const r = await env.gql<{ setProviderAggregates: { resourceProvider: { generation: number } } }>(
        `mutation($input: SetProviderAggregatesInput!) { setProviderAggregates(input: $input) { ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { generation } } } }`,
        {
          input: { providerUuid: uuid, generation, aggregates: [aggregate] },
        },
      );
      return r.data!.setProviderAggregates.resourceProvider.generation as number;
    };
    const h1 = await hostWith(env, `${w.tag}-h1`, { [w.cls]: 4 }, { uuid: w.id(1), cellUuid: cell });
    const h2 = await hostWith(env, `${w.tag}-h2`, { [w.cls]: 4 }, { uuid: w.id(2), cellUuid: cell });
    await hostWith(env, `${w.tag}-h3`, { [w.cls]: 4, [disk]: 100 }, { uuid: w.id(3), cellUuid: cell });
    const shared = await hostWith(env, `${w.tag}-shared`, { [disk]: 100 }, { uuid: w.id(9) });
    await setAggregates(h1.uuid, h1.generation);
    await setAggregates(h2.uuid, h2.generation);
    const generation = await setAggregates(shared.uuid, shared.generation);
    const traits = await env.gql<{ setProviderTraits: { __typename: string } }>(
      `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { __typename } }`,
      {
        input: { providerUuid: shared.uuid, generation, traits: ['MISC_SHARES_VIA_AGGREGATE'] },
      },
    );
    expect(traits.data!.setProviderTraits.__typename).toBe('ResourceProviderPayload');

    const request = {
      resources: [
        { resourceClass: w.cls, amount: 1 },
        { resourceClass: disk, amount: 60 },
      ],
    };
    const listed = await candidatesOf(request);
    expect(listed.map((c) => c.providerUuid)).toEqual([w.id(1), w.id(2), w.id(3)]);
    expect(listed[1]!.allocationRequest).toEqual([
      { providerUuid: w.id(2), resources: [{ resourceClass: w.cls, amount: 1 }] },
      { providerUuid: w.id(9), resources: [{ resourceClass: disk, amount: 60 }] },
    ]);
    const [first, second] = [w.consumer(), w.consumer()];
    const payload = await claimOf({ consumers: [first, second], request, alternates: 2 });
    expect(payload.__typename).toBe('ClaimPayload');
    const [a, b] = payload.selections;
    expect(a).toMatchObject({ providerUuid: w.id(1), hostsTried: 1 });
    expect(a.allocations).toEqual(listed[0]!.allocationRequest);
    expect(b).toMatchObject({ providerUuid: w.id(3), hostsTried: 2 });
    expect(b!.allocations).toEqual([
      {
        providerUuid: w.id(3),
        resources: [
          { resourceClass: w.cls, amount: 1 },
          { resourceClass: disk, amount: 60 },
        ],
      },
    ]);
    // Host 2 was tried and discarded: it is not an alternate of the second consumer.
    expect(b!.alternates.map((x) => x.providerUuid)).not.toContain(w.id(2));
    expect(await rowsOf(first.consumerUuid)).toEqual(
      [
        { provider: w.id(1), name: w.cls, used: 1 },
        { provider: w.id(9), name: disk, used: 60 },
      ].sort((x, y) => x.provider.localeCompare(y.provider)),
    );
    expect(await rowsOf(second.consumerUuid)).toEqual(
      [
        { provider: w.id(3), name: disk, used: 60 },
        { provider: w.id(3), name: w.cls, used: 1 },
      ].sort((x, y) => x.name.localeCompare(y.name)),
    );
    expect(await used(w.id(9), disk)).toBe(60);
    expect(await used(w.id(2), w.cls)).toBe(0);
  });
});

describe('claim: several consumers', () => {
  it('all or nothing: 3 consumers where only 2 fit → NoValidHost and nothing claimed by the call', async () => {
    const w = await world();
    const cell = await w.cell('c');
    await w.host(1, cell, 1);
    await w.host(2, cell, 1);
    const consumers = [w.consumer(), w.consumer(), w.consumer()];
    const before = await snapshot(env);
    const payload = await claimOf({ consumers, request: w.request(), alternates: 1 });
    expect(payload).toMatchObject({
      __typename: 'NoValidHost',
      code: 'NO_VALID_HOST',
      consumerUuid: consumers[2]!.consumerUuid,
    });
    expect(payload.explanation).toMatchObject({ providersConsidered: expect.any(Number), remaining: 2 });
    expect(await snapshot(env)).toBe(before);
    expect(
      await env.sql('SELECT uuid FROM consumers WHERE uuid = ANY($1::uuid[])', [consumers.map((c) => c.consumerUuid)]),
    ).toEqual([]);
    expect([await used(w.id(1), w.cls), await used(w.id(2), w.cls)]).toEqual([0, 0]);
  });

  it('success places each consumer on a distinct host, in weighed order, even where one host could take two', async () => {
    const w = await world();
    const cell = await w.cell('c');
    for (let n = 1; n <= 5; n++) await w.host(n, cell, 10);
    const consumers = [w.consumer(), w.consumer(), w.consumer()];
    const payload = await claimOf({ consumers, request: w.request(2), alternates: 2 });
    expect(payload.__typename).toBe('ClaimPayload');
    const selections = payload.selections;
    expect(selections.map((s) => s.consumerUuid)).toEqual(consumers.map((c) => c.consumerUuid));
    expect(selections.map((s) => s.providerUuid)).toEqual([w.id(1), w.id(2), w.id(3)]);
    for (const [i, s] of selections.entries()) {
      expect(s.consumerGeneration).toBe(1);
      expect(s.alternates.length).toBeLessThanOrEqual(2);
      expect(s.alternates.map((a) => a.providerUuid)).not.toContain(s.providerUuid);
      expect(await rowsOf(consumers[i]!.consumerUuid)).toEqual([{ provider: s.providerUuid, name: w.cls, used: 2 }]);
    }
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => used(w.id(n), w.cls)))).toEqual([2, 2, 2, 0, 0]);
  });

  it('when the call has more consumers than hosts, it fails as a whole (distinct hosts)', async () => {
    const w = await world();
    const cell = await w.cell('c');
    await w.host(1, cell, 100);
    const before = await snapshot(env);
    const consumers = [w.consumer(), w.consumer()];
    const payload = await claimOf({ consumers, request: w.request(), alternates: 0 });
    expect(payload).toMatchObject({ __typename: 'NoValidHost', consumerUuid: consumers[1]!.consumerUuid });
    expect(await snapshot(env)).toBe(before);
  });
});

describe('claim: idempotency', () => {
  it('the same key replayed returns the same selections and claims nothing new', async () => {
    const w = await world();
    const cell = await w.cell('c');
    for (let n = 1; n <= 4; n++) await w.host(n, cell, 4);
    const key = `claim-${w.tag}`;
    const input = { consumers: [w.consumer(), w.consumer()], request: w.request(), alternates: 2, idempotencyKey: key };
    const first = await claimOf(input);
    expect(first.__typename).toBe('ClaimPayload');
    const before = await snapshot(env);
    const replay = await claimOf(input);
    expect(replay).toEqual(first);
    expect(await snapshot(env)).toBe(before);
    expect(await env.sql('SELECT operation FROM idempotency_keys WHERE key = $1', [key])).toEqual([
      { operation: 'claim' },
    ]);
    // A different key for the same consumers is a new claim: they exist already.
    const fresh = await claimOf({ ...input, idempotencyKey: `${key}-other` });
    expect(fresh).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      consumerUuid: input.consumers[0]!.consumerUuid,
      expectedConsumerGeneration: null,
      actualConsumerGeneration: 1,
    });
    expect(await snapshot(env)).toBe(before);
  });

  it('the same key with a different request → InvalidInput on idempotencyKey, nothing changed', async () => {
    const w = await world();
    const cell = await w.cell('c');
    for (let n = 1; n <= 3; n++) await w.host(n, cell, 4);
    const key = `claim-${w.tag}`;
    const consumer = w.consumer();
    expect(
      (await claimOf({ consumers: [consumer], request: w.request(), alternates: 1, idempotencyKey: key })).__typename,
    ).toBe('ClaimPayload');
    const before = await snapshot(env);
    for (const changed of [
      { consumers: [consumer], request: w.request(2), alternates: 1, idempotencyKey: key },
      { consumers: [consumer], request: w.request(), alternates: 2, idempotencyKey: key },
      { consumers: [w.consumer()], request: w.request(), alternates: 1, idempotencyKey: key },
    ]) {
      expect(await claimOf(changed)).toMatchObject({
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'idempotencyKey',
      });
    }
    // A claim key replayed on reschedule is a different operation.
    const resched = await rescheduleOf({
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 1,
      alternates: [],
      idempotencyKey: key,
    });
    expect(resched).toMatchObject({ __typename: 'InvalidInput', field: 'idempotencyKey' });
    expect(await snapshot(env)).toBe(before);
  });

  it('10 concurrent calls with one key claim exactly once and all answer the same', async () => {
    const w = await world();
    const cell = await w.cell('c');
    for (let n = 1; n <= 5; n++) await w.host(n, cell, 10);
    const consumer = w.consumer();
    const input = { consumers: [consumer], request: w.request(3), alternates: 2, idempotencyKey: `claim-${w.tag}` };
    const payloads = await Promise.all(Array.from({ length: 10 }, () => claimOf(input)));
    const types = payloads.map((p) => p.__typename);
    expect(types).toEqual(Array(10).fill('ClaimPayload'));
    for (const p of payloads) expect(p).toEqual(payloads[0]);
    const total = (await Promise.all([1, 2, 3, 4, 5].map((n) => used(w.id(n), w.cls)))).reduce((a, b) => a + b, 0);
    expect(total).toBe(3);
    expect(await rowsOf(consumer.consumerUuid)).toEqual([
      { provider: payloads[0]!.selections[0].providerUuid, name: w.cls, used: 3 },
    ]);
    expect(await consumerRow(consumer.consumerUuid)).toEqual({ generation: 1 });
  });
});

describe('claim: refusals', () => {
  it('a consumer that already holds allocations → ConsumerGenerationConflict, nothing changed', async () => {
    const w = await world();
    const cell = await w.cell('c');
    await w.host(1, cell, 10);
    const holder = await fill(w.id(1), w.cls, 1);
    const before = await snapshot(env);
    const payload = await claimOf({
      consumers: [w.consumer(), w.consumer(holder)],
      request: w.request(),
      alternates: 0,
    });
    expect(payload).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      code: 'CONSUMER_GENERATION_CONFLICT',
      consumerUuid: holder,
      expectedConsumerGeneration: null,
      actualConsumerGeneration: 1,
    });
    expect(await snapshot(env)).toBe(before);
  });

  it('no host fits → NoValidHost with an explanation and no hosts tried', async () => {
    const w = await world();
    const cell = await w.cell('c');
    await w.host(1, cell, 4);
    const consumer = w.consumer();
    const before = await snapshot(env);
    const payload = await claimOf({ consumers: [consumer], request: w.request(5), alternates: 3 });
    expect(payload).toMatchObject({ __typename: 'NoValidHost', consumerUuid: consumer.consumerUuid, hostsTried: [] });
    expect(payload.explanation.remaining).toBe(0);
    expect(payload.explanation.steps).toContainEqual({
      constraint: 'NOT_ENOUGH_CAPACITY',
      detail: `${w.cls}:5`,
      eliminated: 1,
    });
    expect(await snapshot(env)).toBe(before);
  });

  const badInputs: [string, (w: Awaited<ReturnType<typeof world>>) => Record<string, unknown>, string, string?][] = [
    [
      'alternates < 0',
      (w) => ({ consumers: [w.consumer()], request: w.request(), alternates: -1 }),
      'alternates',
      'min:0',
    ],
    [
      'alternates > 100',
      (w) => ({ consumers: [w.consumer()], request: w.request(), alternates: 101 }),
      'alternates',
      'max:100',
    ],
    ['no consumers', (w) => ({ consumers: [], request: w.request(), alternates: 1 }), 'consumers', 'min:1'],
    [
      'a consumer listed twice',
      (w) => {
        const c = w.consumer();
        return { consumers: [c, w.consumer(), { ...c }], request: w.request(), alternates: 1 };
      },
      'consumers[2].consumerUuid',
      'unique',
    ],
    [
      'a non-uuid consumer',
      (w) => ({ consumers: [w.consumer(), w.consumer('not-a-uuid')], request: w.request(), alternates: 1 }),
      'consumers[1].consumerUuid',
      'uuid',
    ],
    [
      'an empty projectId',
      (w) => ({ consumers: [{ ...w.consumer(), projectId: '' }], request: w.request(), alternates: 1 }),
      'consumers[0].projectId',
    ],
    [
      'no resources',
      (w) => ({ consumers: [w.consumer()], request: { resources: [] }, alternates: 1 }),
      'request.resources',
      'min:1',
    ],
    [
      'amount 0',
      (w) => ({ consumers: [w.consumer()], request: w.request(0), alternates: 1 }),
      'request.resources[0].amount',
      'min:1',
    ],
    [
      'a lower-case class name',
      (w) => ({
        consumers: [w.consumer()],
        request: { resources: [{ resourceClass: 'vcpu', amount: 1 }] },
        alternates: 1,
      }),
      'request.resources[0].resourceClass',
    ],
    [
      'a class requested twice',
      (w) => ({
        consumers: [w.consumer()],
        request: {
          resources: [
            { resourceClass: w.cls, amount: 1 },
            { resourceClass: w.cls, amount: 2 },
          ],
        },
        alternates: 1,
      }),
      'request.resources[1].resourceClass',
      'unique',
    ],
    [
      'a trait both required and forbidden',
      (w) => ({
        consumers: [w.consumer()],
        request: w.request(1, { requiredTraits: ['HW_CPU_X86_AVX2'], forbiddenTraits: ['HW_CPU_X86_AVX2'] }),
        alternates: 1,
      }),
      'request.forbiddenTraits[0]',
    ],
    [
      'a non-uuid cell',
      (w) => ({ consumers: [w.consumer()], request: w.request(1, { cell: 'nope' }), alternates: 1 }),
      'request.cell',
      'uuid',
    ],
    [
      'hostSubsetSize 0',
      (w) => ({ consumers: [w.consumer()], request: w.request(), alternates: 1, hostSubsetSize: 0 }),
      'hostSubsetSize',
      'min:1',
    ],
    [
      'an empty candidate list',
      (w) => ({ consumers: [w.consumer()], request: w.request(), alternates: 1, candidates: [] }),
      'candidates',
    ],
    [
      'a non-uuid candidate',
      (w) => ({ consumers: [w.consumer()], request: w.request(), alternates: 1, candidates: [w.id(1), 'x'] }),
      'candidates[1]',
      'uuid',
    ],
    [
      'an empty idempotencyKey',
      (w) => ({ consumers: [w.consumer()], request: w.request(), alternates: 1, idempotencyKey: '' }),
      'idempotencyKey',
    ],
  ];
  it.each(badInputs)('%s → InvalidInput naming the field, nothing changed', async (_label, build, field, rule) => {
    const w = await world();
    const cell = await w.cell('c');
    await w.host(1, cell, 10);
    await w.host(2, cell, 10);
    const before = await snapshot(env);
    const payload = await claimOf(build(w));
    expect(payload).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field,
      ...(rule ? { rule } : {}),
    });
    expect(await snapshot(env)).toBe(before);
    expect(await env.sql('SELECT key FROM idempotency_keys WHERE key = $1', [''])).toEqual([]);
  });

  it('unknown names in the request → NotFound naming the field, nothing changed', async () => {
    const w = await world();
    const cell = await w.cell('c');
    await w.host(1, cell, 10);
    const before = await snapshot(env);
    expect(
      await claimOf({
        consumers: [w.consumer()],
        request: { resources: [{ resourceClass: 'CUSTOM_NO_SUCH_CLASS', amount: 1 }] },
        alternates: 1,
      }),
    ).toMatchObject({
      __typename: 'NotFound',
      resourceType: 'ResourceClass',
      field: 'request.resources[0].resourceClass',
    });
    expect(
      await claimOf({ consumers: [w.consumer()], request: w.request(1, { cell: randomUUID() }), alternates: 1 }),
    ).toMatchObject({
      __typename: 'NotFound',
      resourceType: 'Cell',
      field: 'request.cell',
    });
    expect(await snapshot(env)).toBe(before);
  });

  it('GraphQL-level type errors (alternates missing) are request errors, not claims', async () => {
    const w = await world();
    const result = await env.gql(CLAIM, { input: { consumers: [w.consumer()], request: w.request() } });
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(result.data ?? null).toBeNull();
  });
});

describe('claim: hostSubsetSize', () => {
  it('claims one of the best k hosts; alternates stay in its cell and exclude it', async () => {
    const w = await world();
    const [a, b] = [await w.cell('a'), await w.cell('b')];
    for (let n = 1; n <= 8; n++) await w.host(n, n <= 4 ? a : b, 100);
    // Distinct weights: host n has n used.
    for (let n = 1; n <= 8; n++) await fill(w.id(n), w.cls, n);
    const chosen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const best = (await candidatesOf(w.request())).slice(0, 3).map((c) => c.providerUuid);
      const [s] = (await claimOf({ consumers: [w.consumer()], request: w.request(), alternates: 3, hostSubsetSize: 3 }))
        .selections;
      expect(best).toContain(s.providerUuid);
      chosen.add(s.providerUuid);
      expect(s.alternates.map((x) => x.providerUuid)).not.toContain(s.providerUuid);
      expect(s.alternates.every((x) => x.cellUuid === s.cellUuid)).toBe(true);
    }
    expect(chosen.size).toBeGreaterThan(1);
  });
});

describe('reschedule', () => {
  /** A claimed consumer on host 1 of a cell with hosts 1..n (host n+1.. in another cell). */
  async function claimed(w: Awaited<ReturnType<typeof world>>, hosts: number, alternates: number) {
    const cell = await w.cell('c');
    const other = await w.cell('other');
    for (let n = 1; n <= hosts; n++) await w.host(n, cell, 4);
    await w.host(hosts + 1, other, 4);
    const consumer = w.consumer();
    const payload = await claimOf({ consumers: [consumer], request: w.request(2), alternates });
    expect(payload.__typename).toBe('ClaimPayload');
    const selection = payload.selections[0];
    expect(selection.providerUuid).toBe(w.id(1));
    expect(selection.alternates.map((a) => a.providerUuid)).toEqual(
      Array.from({ length: alternates }, (_, i) => w.id(i + 2)),
    );
    return { cell, consumer, selection };
  }

  it('walks the alternates in order: the first is full → the second is chosen (hostsTried 2), the rest returned, the old host released', async () => {
    const w = await world();
    const { cell, consumer, selection } = await claimed(w, 5, 4);
    await fill(w.id(2), w.cls, 3); // first alternate can no longer take 2
    expect(await used(w.id(1), w.cls)).toBe(2);
    const payload = await rescheduleOf({
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 1,
      alternates: selection.alternates.map(asInput),
    });
    expect(payload.__typename).toBe('ReschedulePayload');
    expect(payload.selection).toEqual({
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 2,
      providerUuid: w.id(3),
      cellUuid: cell,
      hostsTried: 2,
      allocations: w.want(w.id(3), 2),
      alternates: [4, 5].map((n) => ({ providerUuid: w.id(n), cellUuid: cell, allocationRequest: w.want(w.id(n), 2) })),
    });
    expect(await used(w.id(1), w.cls)).toBe(0);
    expect(await used(w.id(2), w.cls)).toBe(3);
    expect(await used(w.id(3), w.cls)).toBe(2);
    expect(await rowsOf(consumer.consumerUuid)).toEqual([{ provider: w.id(3), name: w.cls, used: 2 }]);
    expect(await consumerRow(consumer.consumerUuid)).toEqual({ generation: 2 });

    // The remaining alternates feed the next reschedule: the first of them fits now.
    const next = await rescheduleOf({
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 2,
      alternates: payload.selection.alternates.map(asInput),
    });
    expect(next.selection).toMatchObject({
      providerUuid: w.id(4),
      consumerGeneration: 3,
      hostsTried: 1,
      alternates: [{ providerUuid: w.id(5) }],
    });
    expect(await used(w.id(3), w.cls)).toBe(0);
    expect(await used(w.id(4), w.cls)).toBe(2);
  });

  it('a stale consumer generation → ConsumerGenerationConflict, nothing changed', async () => {
    const w = await world();
    const { consumer, selection } = await claimed(w, 3, 2);
    const before = await snapshot(env);
    for (const generation of [0, 2, 7]) {
      const payload = await rescheduleOf({
        consumerUuid: consumer.consumerUuid,
        consumerGeneration: generation,
        alternates: selection.alternates.map(asInput),
      });
      expect(payload).toMatchObject({
        __typename: 'ConsumerGenerationConflict',
        code: 'CONSUMER_GENERATION_CONFLICT',
        consumerUuid: consumer.consumerUuid,
        expectedConsumerGeneration: generation,
        actualConsumerGeneration: 1,
      });
    }
    expect(await snapshot(env)).toBe(before);
  });

  it('an unknown consumer → NotFound on consumerUuid, nothing changed', async () => {
    const w = await world();
    const { selection } = await claimed(w, 2, 1);
    const before = await snapshot(env);
    const unknown = randomUUID();
    const payload = await rescheduleOf({
      consumerUuid: unknown,
      consumerGeneration: 1,
      alternates: selection.alternates.map(asInput),
    });
    expect(payload).toMatchObject({
      __typename: 'NotFound',
      code: 'NOT_FOUND',
      resourceType: 'Consumer',
      identifier: unknown,
      field: 'consumerUuid',
    });
    expect(await snapshot(env)).toBe(before);
  });

  it('all alternates failing → NoValidHost naming them, and the consumer ends with no allocations', async () => {
    const w = await world();
    const { consumer, selection } = await claimed(w, 3, 2);
    await fill(w.id(2), w.cls, 3);
    await fill(w.id(3), w.cls, 4);
    const payload = await rescheduleOf({
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 1,
      alternates: selection.alternates.map(asInput),
    });
    expect(payload).toMatchObject({
      __typename: 'NoValidHost',
      code: 'NO_VALID_HOST',
      consumerUuid: consumer.consumerUuid,
      hostsTried: [w.id(2), w.id(3)],
    });
    expect(await consumerRow(consumer.consumerUuid)).toBeUndefined();
    expect(await rowsOf(consumer.consumerUuid)).toEqual([]);
    expect(await used(w.id(1), w.cls)).toBe(0);
    expect(await used(w.id(2), w.cls)).toBe(3);
    expect(await used(w.id(3), w.cls)).toBe(4);
    // The consumer is gone: a second attempt finds nothing.
    expect(
      await rescheduleOf({ consumerUuid: consumer.consumerUuid, consumerGeneration: 1, alternates: [] }),
    ).toMatchObject({ __typename: 'NotFound' });
  });

  it('no alternates at all → NoValidHost and the consumer is released', async () => {
    const w = await world();
    const { consumer } = await claimed(w, 2, 1);
    const payload = await rescheduleOf({ consumerUuid: consumer.consumerUuid, consumerGeneration: 1, alternates: [] });
    expect(payload).toMatchObject({ __typename: 'NoValidHost', hostsTried: [] });
    expect(await consumerRow(consumer.consumerUuid)).toBeUndefined();
    expect(await used(w.id(1), w.cls)).toBe(0);
  });

  it('an alternate whose provider is gone is skipped', async () => {
    const w = await world();
    const { consumer, selection } = await claimed(w, 3, 2);
    const ghost = { providerUuid: randomUUID(), allocations: w.want(randomUUID(), 2) };
    const payload = await rescheduleOf({
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 1,
      alternates: [ghost, ...selection.alternates.map(asInput)],
    });
    expect(payload.selection).toMatchObject({
      providerUuid: w.id(2),
      hostsTried: 2,
      alternates: [{ providerUuid: w.id(3) }],
    });
  });

  it('replaying the same key returns the same selection and changes nothing; a different input with it is refused', async () => {
    const w = await world();
    const { consumer, selection } = await claimed(w, 4, 3);
    const key = `resched-${w.tag}`;
    const input = {
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 1,
      alternates: selection.alternates.map(asInput),
      idempotencyKey: key,
    };
    const first = await rescheduleOf(input);
    expect(first.selection).toMatchObject({ providerUuid: w.id(2), consumerGeneration: 2 });
    const before = await snapshot(env);
    expect(await rescheduleOf(input)).toEqual(first);
    expect(await snapshot(env)).toBe(before);
    expect(await rescheduleOf({ ...input, alternates: input.alternates.slice(1) })).toMatchObject({
      __typename: 'InvalidInput',
      field: 'idempotencyKey',
    });
    expect(await snapshot(env)).toBe(before);
    expect(await env.sql('SELECT operation FROM idempotency_keys WHERE key = $1', [key])).toEqual([
      { operation: 'reschedule' },
    ]);
  });

  it.each([
    ['one allocation listing the class twice', [[1, 1]], 'alternates[0].allocations[0].resources[1].resourceClass'],
    ['two allocations on the same provider', [[1], [1]], 'alternates[0].allocations[1].resources[0].resourceClass'],
  ])(
    'an alternate with a (provider, class) listed twice (%s) → InvalidInput naming it, nothing changed',
    async (_label, shape, field) => {
      const w = await world();
      const { consumer } = await claimed(w, 2, 1);
      const before = await snapshot(env);
      const allocations = shape.map((amounts) => ({
        providerUuid: w.id(2),
        resources: amounts.map((amount) => ({ resourceClass: w.cls, amount })),
      }));
      const payload = await rescheduleOf({
        consumerUuid: consumer.consumerUuid,
        consumerGeneration: 1,
        alternates: [{ providerUuid: w.id(2), allocations }],
      });
      expect(payload).toMatchObject({ __typename: 'InvalidInput', code: 'INVALID_INPUT', field, rule: 'unique' });
      expect(await snapshot(env)).toBe(before);
      expect(await rowsOf(consumer.consumerUuid)).toEqual([{ provider: w.id(1), name: w.cls, used: 2 }]);
    },
  );

  it('an alternate without inventory of a requested class is skipped like a full one, and the next alternate is tried', async () => {
    const w = await world();
    const { cell, consumer, selection } = await claimed(w, 3, 2);
    // Host 2 has no VCPU inventory at all; host 3 takes the plain request.
    const lacking = {
      providerUuid: w.id(2),
      allocations: [
        {
          providerUuid: w.id(2),
          resources: [
            { resourceClass: w.cls, amount: 2 },
            { resourceClass: 'VCPU', amount: 1 },
          ],
        },
      ],
    };
    const payload = await rescheduleOf({
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 1,
      alternates: [lacking, asInput(selection.alternates[1]!)],
    });
    expect(payload.__typename).toBe('ReschedulePayload');
    expect(payload.selection).toMatchObject({
      providerUuid: w.id(3),
      cellUuid: cell,
      consumerGeneration: 2,
      hostsTried: 2,
      alternates: [],
    });
    expect(await rowsOf(consumer.consumerUuid)).toEqual([{ provider: w.id(3), name: w.cls, used: 2 }]);
    expect(await used(w.id(2), w.cls)).toBe(0);
  });

  it('a keyed reschedule replayed after NoValidHost answers NoValidHost again, and changes nothing', async () => {
    const w = await world();
    const { consumer, selection } = await claimed(w, 3, 2);
    await fill(w.id(2), w.cls, 3);
    await fill(w.id(3), w.cls, 4);
    const input = {
      consumerUuid: consumer.consumerUuid,
      consumerGeneration: 1,
      alternates: selection.alternates.map(asInput),
      idempotencyKey: `resched-nvh-${w.tag}`,
    };
    const first = await rescheduleOf(input);
    expect(first).toMatchObject({
      __typename: 'NoValidHost',
      consumerUuid: consumer.consumerUuid,
      hostsTried: [w.id(2), w.id(3)],
    });
    expect(await consumerRow(consumer.consumerUuid)).toBeUndefined();
    const before = await snapshot(env);
    // The first call committed (it released the consumer): its retry answers what it did.
    const { explanation: _first, ...firstAnswer } = first;
    const { explanation: _again, ...again } = await rescheduleOf(input);
    expect(again).toEqual(firstAnswer);
    expect(await snapshot(env)).toBe(before);
  });

  it.each([
    ['a non-uuid consumer', { consumerUuid: 'x', consumerGeneration: 1, alternates: [] }, 'consumerUuid'],
    [
      'a negative generation',
      { consumerUuid: randomUUID(), consumerGeneration: -1, alternates: [] },
      'consumerGeneration',
    ],
    [
      'an alternate without allocations',
      {
        consumerUuid: randomUUID(),
        consumerGeneration: 1,
        alternates: [{ providerUuid: randomUUID(), allocations: [] }],
      },
      'alternates[0].allocations',
    ],
    [
      'a zero amount',
      {
        consumerUuid: randomUUID(),
        consumerGeneration: 1,
        alternates: [
          {
            providerUuid: randomUUID(),
            allocations: [{ providerUuid: randomUUID(), resources: [{ resourceClass: 'VCPU', amount: 0 }] }],
          },
        ],
      },
      'alternates[0].allocations[0].resources[0].amount',
    ],
  ])('%s → InvalidInput naming the field', async (_label, input, field) => {
    const before = await snapshot(env);
    expect(await rescheduleOf(input)).toMatchObject({ __typename: 'InvalidInput', field });
    expect(await snapshot(env)).toBe(before);
  });
});

/**
 * A claim holds one pooled connection for its transaction; anything it needs besides must not
 * wait for a second one, or a pool exhausted by claims waits forever (pg's pool has no
 * acquire timeout). A pool of one makes that deterministic.
 */
describe('claim on a pool of one connection', () => {
  async function withSinglePool(
    work: (gql: (input: unknown) => Promise<Answer>, single: TestEnv) => Promise<void>,
  ): Promise<void> {
    const single = await createTestEnv(1);
    const gql = async (input: unknown) => {
      const result = await Promise.race([
        single.gql<{ claim: Answer }>(CLAIM, { input }),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error('no answer in 10 s: the claim waits for a second pooled connection')),
            10_000,
          ),
        ),
      ]);
      expect(result.errors).toBeUndefined();
      return result.data!.claim;
    };
    try {
      await work(gql, single);
    } finally {
      // A call stuck waiting for a second connection would keep pool.end() waiting forever.
      await Promise.race([single.close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
  }
  const vcpu = (amount: number, alternates: number) => ({
    consumers: [{ consumerUuid: randomUUID(), projectId: 'p', userId: 'u' }],
    request: { resources: [{ resourceClass: 'VCPU', amount }] },
    alternates,
  });

  it('NoValidHost (with its explanation) answers', async () => {
    await withSinglePool(async (gql, single) => {
      await hostWith(single, 'small', { VCPU: 4 });
      expect(await gql(vcpu(5, 1))).toMatchObject({
        __typename: 'NoValidHost',
        hostsTried: [],
        explanation: { providersConsidered: 1, remaining: 0 },
      });
    });
  });

  it('alternates that need the cell search answer', async () => {
    await withSinglePool(async (gql, single) => {
      const cell = async (name: string) =>
        (
          await single.gql<{ createCell: { cell: { uuid: string } } }>(
            `mutation { createCell(input: {name: "${name}"}) { ... on CellPayload { cell { uuid } } } }`,
          )
        ).data!.createCell.cell.uuid;
      const [small, big] = [await cell('small'), await cell('big')];
      // The chosen host's cell-mate ranks below 14 hosts of another cell (equal weights, uuid order).
      const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      await hostWith(single, 'first', { VCPU: 4 }, { cellUuid: small, uuid: id(0) });
      for (let n = 1; n <= 14; n++) await hostWith(single, `big-${n}`, { VCPU: 4 }, { cellUuid: big, uuid: id(n) });
      await hostWith(single, 'last', { VCPU: 4 }, { cellUuid: small, uuid: id(99) });
      const payload = await gql(vcpu(1, 3));
      expect(payload.selections[0]).toMatchObject({
        providerUuid: id(0),
        alternates: [{ providerUuid: id(99), cellUuid: small }],
      });
    });
  });
});
