/**
 * Consumer uuids in other spellings than the canonical lower-case dashed one, against the real
 * Placement 8.0 (handlers/allocation.py, schemas/allocation.py, objects/consumer.py).
 *
 * Paths: `PUT /allocations/{consumer}` takes any spelling uuid.UUID() takes (is_uuid_like, then
 * str(uuid.UUID(...))) and writes the canonical consumer; `GET` and `DELETE` look the path's
 * text up, so another spelling finds nothing (an empty body; a 404). Ours answers the same.
 *
 * Keys of `POST /allocations` and of the reshaper's `allocations`: the schema's pattern
 * `^[0-9a-fA-F-]{36}$` refuses braced and dash-less keys (400 on both), and Placement keeps a
 * key's text as the consumer's uuid. An upper-case key is therefore a consumer of its own there,
 * beside the canonical one. Ours keeps one consumer per uuid (the database's uuid column, shared
 * with GraphQL): such a key names the canonical consumer. That difference is kept and pinned
 * here call by call, and so are the keys ours refuses where Placement writes a consumer: a key
 * that is no uuid (36 hex digits, 36 dashes) and two keys naming one uuid (docs/SEMANTICS.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatDifference,
  type HttpMethod,
  type NormalisedResponse,
  type PairedServers,
  type PairSide,
  type RestCall,
  startPairedServers,
} from './support/rest-pair.js';

let servers: PairedServers;

beforeAll(async () => {
  servers = await startPairedServers();
}, 180_000);

afterAll(async () => {
  await servers?.close();
});

/**
 * One call; `kept` pins a difference kept on purpose: what each side answers, as `seen` shows it.
 * Every call without `kept` must answer exactly as Placement does.
 */
interface Step {
  call: RestCall;
  kept?: { placement: string; ours: string };
}

const step = (
  method: HttpMethod,
  path: string,
  options: Omit<RestCall, 'method' | 'path'> = {},
  kept?: Step['kept'],
): Step => ({ call: { method, path, ...options }, kept });

/** The status, and for a body listing allocations how many entries it has: `200 1`, `204`. */
function seen(response: NormalisedResponse): string {
  const body = response.body as { allocations?: Record<string, unknown> } | null;
  return body?.allocations === undefined
    ? String(response.status)
    : `${response.status} ${Object.keys(body.allocations).length}`;
}

/** Runs the steps on both servers: every unpinned call answers alike, every pinned one as pinned. */
async function run(steps: Step[]): Promise<NormalisedResponse[]> {
  const result = await servers.pair.scenario(steps.map((s) => s.call));
  const unexpected: string[] = [];
  for (const [i, r] of result.results.entries()) {
    const kept = steps[i]!.kept;
    if (kept === undefined) unexpected.push(...r.differences.map((d) => `#${i} ${formatDifference(r.call, d)}`));
    else if (seen(r.placement) !== kept.placement || seen(r.ours) !== kept.ours)
      unexpected.push(
        `#${i} ${r.call.method} ${r.call.path}: pinned placement ${kept.placement} / ours ${kept.ours}, ` +
          `got placement ${seen(r.placement)} / ours ${seen(r.ours)}`,
      );
  }
  expect(unexpected).toEqual([]);
  return result.results.map((r) => r.placement);
}

/**
 * The consumer keys of a provider's allocations as the server wrote them: the pair's
 * normalising lower-cases uuids the caller sent, which would hide the spelling.
 */
async function listedConsumers(side: PairSide, provider: string): Promise<string[]> {
  const response = await fetch(`${side.baseUrl}/resource_providers/${provider}/allocations`, {
    headers: { 'x-auth-token': side.adminToken, 'openstack-api-version': 'placement 1.38' },
  });
  const body = (await response.json()) as { allocations: Record<string, unknown> };
  return Object.keys(body.allocations).sort();
}

async function listedOnBoth(provider: string): Promise<{ placement: string[]; ours: string[] }> {
  return {
    placement: await listedConsumers(servers.pair.placement, provider),
    ours: await listedConsumers(servers.pair.ours, provider),
  };
}

const DASHED_UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const upper = (uuid: string) => uuid.toUpperCase();
const braced = (uuid: string) => `{${uuid}}`;
const dashless = (uuid: string) => uuid.replace(/-/g, '');
/** The spellings Python's uuid.UUID() takes besides the canonical one (urn:uuid: for the paths only). */
const FORMS = [upper, braced, dashless];

const consumer = (n: number) => `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`;
const provider = (n: number) => `dddddddd-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A provider with 1000 VCPU (generation 1 after its inventory). */
function providerSteps(uuid: string): Step[] {
  return [
    step('POST', '/resource_providers', { version: '1.20', body: { name: `p-${uuid}`, uuid } }),
    step('PUT', `/resource_providers/${uuid}/inventories`, {
      body: { resource_provider_generation: 0, inventories: { VCPU: { total: 1000 } } },
    }),
  ];
}

/** One consumer's allocation body at `minor` (the list form before 1.12). */
function allocationBody(minor: number, rp: string, amount: number, generation: number | null): Record<string, unknown> {
  if (minor < 12) {
    const list = { allocations: [{ resource_provider: { uuid: rp }, resources: { VCPU: amount } }] };
    return minor >= 8 ? { ...list, project_id: 'p', user_id: 'u' } : list;
  }
  const body: Record<string, unknown> = {
    allocations: { [rp]: { resources: { VCPU: amount } } },
    project_id: 'p',
    user_id: 'u',
  };
  if (minor >= 28) body.consumer_generation = generation;
  if (minor >= 38) body.consumer_type = 'INSTANCE';
  return body;
}

const minorOf = (version: string) => Number(version.split('.')[1]);

/** A reshaper call giving `rp` (generation 0, no inventory yet) 8 VCPU and `key`'s allocation on it. */
function reshape(version: string, rp: string, key: string): Step['call'] {
  return {
    method: 'POST',
    path: '/reshaper',
    version,
    body: {
      inventories: { [rp]: { resource_provider_generation: 0, inventories: { VCPU: { total: 8 } } } },
      allocations: { [key]: allocationBody(Math.max(minorOf(version), 28), rp, 1, null) },
    },
  };
}

describe('consumer uuid spellings in paths', () => {
  it('PUT takes every spelling as the canonical consumer, GET and DELETE find only the canonical one, as Placement (1.0, 1.12, 1.28, 1.38)', async () => {
    const rp = provider(1);
    const steps: Step[] = [...providerSteps(rp)];
    const placementSeen: string[] = [];
    let n = 1;
    for (const version of ['1.0', '1.12', '1.28', '1.38']) {
      const minor = minorOf(version);
      for (const [f, form] of [...FORMS, (u: string) => `urn:uuid:${u}`].entries()) {
        const c = consumer(n++);
        const other = FORMS[(f + 1) % FORMS.length]!;
        steps.push(
          step('PUT', `/allocations/${form(c)}`, { version, body: allocationBody(minor, rp, 1, null) }),
          step('GET', `/allocations/${c}`, { version }),
          step('GET', `/allocations/${form(c)}`, { version }),
          // Written again in another spelling: the same consumer (its generation is 1 from 1.28).
          step('PUT', `/allocations/${other(c)}`, { version, body: allocationBody(minor, rp, 2, 1) }),
          step('GET', `/allocations/${c}`, { version }),
          step('DELETE', `/allocations/${form(c)}`, { version }),
          step('DELETE', `/allocations/${other(c)}`, { version }),
          step('DELETE', `/allocations/${c}`, { version }),
          step('GET', `/allocations/${c}`, { version }),
        );
        placementSeen.push('204', '200 1', '200 0', '204', '200 1', '404', '404', '204', '200 0');
      }
    }
    // A consumer written in an upper-case path is listed canonical on both.
    const last = consumer(n);
    steps.push(step('PUT', `/allocations/${upper(last)}`, { version: '1.38', body: allocationBody(38, rp, 1, null) }));
    // A path that is no uuid: 400 for PUT, nothing found for GET and DELETE.
    steps.push(
      step('PUT', '/allocations/not-a-uuid', { version: '1.38', body: allocationBody(38, rp, 1, null) }),
      step('GET', '/allocations/not-a-uuid', { version: '1.38' }),
      step('DELETE', '/allocations/not-a-uuid', { version: '1.38' }),
    );
    placementSeen.push('204', '400', '200 0', '404');

    const placement = await run(steps);
    // The calls reached what they probe (204s, 404s, empty and non-empty bodies), not an earlier refusal.
    expect(placement.slice(2).map(seen)).toEqual(placementSeen);
    expect(await listedOnBoth(rp)).toEqual({ placement: [last], ours: [last] });
  }, 120_000);
});

describe('consumer uuid spellings as keys of POST /allocations and the reshaper', () => {
  it('refuses braced and dash-less keys with the schema, as Placement (POST 1.13, 1.28, 1.38; reshaper 1.30, 1.38)', async () => {
    const rp = provider(2);
    const steps: Step[] = [...providerSteps(rp)];
    let n = 100;
    for (const version of ['1.13', '1.28', '1.38']) {
      for (const form of [braced, dashless]) {
        const c = consumer(n++);
        const body = { [form(c)]: allocationBody(Math.max(minorOf(version), 12), rp, 1, null) };
        steps.push(
          step('POST', '/allocations', { version, body }),
          step('GET', `/allocations/${c}`, { version }),
          step('GET', `/resource_providers/${rp}/allocations`, { version }),
        );
      }
    }
    let r = 20;
    for (const version of ['1.30', '1.38']) {
      for (const form of [braced, dashless]) {
        const [c, target] = [consumer(n++), provider(r++)];
        steps.push(
          ...providerSteps(target).slice(0, 1),
          { call: reshape(version, target, form(c)) },
          step('GET', `/allocations/${c}`, { version }),
          step('GET', `/resource_providers/${target}/allocations`, { version }),
        );
      }
    }
    const placement = await run(steps);
    const refusals = placement.filter((p) => p.status === 400);
    expect(refusals).toHaveLength(10);
    for (const refusal of refusals)
      expect(JSON.stringify(refusal.body)).toContain("does not match any of the regexes: '^[0-9a-fA-F-]{36}$'");
  }, 120_000);

  it('an upper-case key names the canonical consumer here, a consumer of its own in Placement (kept: one consumer per uuid)', async () => {
    const rp = provider(3);
    const steps: Step[] = [...providerSteps(rp)];
    const uppers: string[] = [];
    let n = 200;
    // No consumer of that uuid yet: the write answers alike; the reads follow the stored text.
    for (const version of ['1.13', '1.28', '1.38']) {
      const c = consumer(n++);
      uppers.push(upper(c));
      steps.push(
        step('POST', '/allocations', {
          version,
          body: { [upper(c)]: allocationBody(Math.max(minorOf(version), 12), rp, 1, null) },
        }),
        step('GET', `/allocations/${c}`, { version }, { placement: '200 0', ours: '200 1' }),
        step('GET', `/allocations/${upper(c)}`, { version }, { placement: '200 1', ours: '200 0' }),
      );
    }
    let r = 30;
    for (const version of ['1.30', '1.38']) {
      const [c, target] = [consumer(n++), provider(r++)];
      steps.push(
        ...providerSteps(target).slice(0, 1),
        { call: reshape(version, target, upper(c)) },
        step('GET', `/allocations/${c}`, { version }, { placement: '200 0', ours: '200 1' }),
        step('GET', `/allocations/${upper(c)}`, { version }, { placement: '200 1', ours: '200 0' }),
        step('DELETE', `/allocations/${upper(c)}`, { version }, { placement: '204', ours: '404' }),
        step('DELETE', `/allocations/${c}`, { version }, { placement: '404', ours: '204' }),
      );
    }
    await run(steps);
    const listed = await listedOnBoth(rp);
    expect(listed).toEqual({ placement: uppers.sort(), ours: uppers.map((u) => u.toLowerCase()).sort() });

    // The canonical consumer exists: Placement's upper-case key is a new consumer (generation
    // null, its amounts added to the canonical one's); here it is the canonical consumer.
    const c = consumer(n++);
    const usages = step('GET', `/resource_providers/${rp}/usages`);
    await run([
      step('PUT', `/allocations/${c}`, { version: '1.28', body: allocationBody(28, rp, 1, null) }),
      usages,
      step(
        'POST',
        '/allocations',
        { version: '1.28', body: { [upper(c)]: allocationBody(28, rp, 2, 1) } },
        { placement: '409', ours: '204' },
      ),
      step(
        'POST',
        '/allocations',
        { version: '1.28', body: { [upper(c)]: allocationBody(28, rp, 2, null) } },
        { placement: '204', ours: '409' },
      ),
      // Before 1.28 no generation is checked: Placement adds a consumer, ours replaces the amounts.
      step('POST', '/allocations', { version: '1.13', body: { [upper(c)]: allocationBody(13, rp, 4, null) } }),
      step('DELETE', `/allocations/${c}`),
      step('DELETE', `/allocations/${upper(c)}`, {}, { placement: '204', ours: '404' }),
    ]);
  }, 120_000);

  it('refuses a key that is no uuid and two keys naming one uuid, which Placement writes as consumers (kept: consumers are uuids, one per uuid)', async () => {
    const rp = provider(4);
    await run(providerSteps(rp));
    const c = consumer(300);
    const misplaced = `${dashless(c).slice(0, 12)}-${dashless(c).slice(12, 16)}-${dashless(c).slice(16)}--`;
    const refused: [RestCall, string][] = [
      [
        {
          method: 'POST',
          path: '/allocations',
          version: '1.28',
          body: { [`${dashless(c)}abcd`]: allocationBody(28, rp, 1, null) },
        },
        `Malformed consumer_uuid: ${dashless(c)}abcd`,
      ],
      [
        {
          method: 'POST',
          path: '/allocations',
          version: '1.28',
          body: { ['-'.repeat(36)]: allocationBody(28, rp, 1, null) },
        },
        `Malformed consumer_uuid: ${'-'.repeat(36)}`,
      ],
      [
        {
          method: 'POST',
          path: '/allocations',
          version: '1.38',
          body: { [c]: allocationBody(38, rp, 1, null), [upper(c)]: allocationBody(38, rp, 2, null) },
        },
        `Consumer ${c} is named twice, as '${c}' and as '${upper(c)}'`,
      ],
      [
        reshape('1.30', provider(40), 'f'.repeat(36)),
        `malformed reshaper data: Malformed consumer_uuid: ${'f'.repeat(36)}`,
      ],
    ];
    await run(providerSteps(provider(40)).slice(0, 1));
    for (const [call, detail] of refused) {
      const result = await servers.pair.send(call);
      expect([result.placement.status, result.ours.status]).toEqual([204, 400]);
      const errors = (result.ours.body as { errors: { detail: string }[] }).errors;
      // The pair's normalising lower-cases the uuids the caller sent, in texts too.
      expect(errors[0]!.detail).toContain(detail.replace(DASHED_UUID, (uuid) => uuid.toLowerCase()));
    }
    // A key uuid.UUID() takes with its dashes elsewhere names the canonical consumer, as upper case does.
    const write = await servers.pair.send({
      method: 'POST',
      path: '/allocations',
      version: '1.28',
      body: { [misplaced]: allocationBody(28, rp, 1, null) },
    });
    expect([write.placement.status, write.ours.status]).toEqual([204, 204]);
    // Placement wrote every refused key as a consumer, and both keys of the duplicate.
    const placementConsumers = [`${dashless(c)}abcd`, '-'.repeat(36), c, upper(c), misplaced].sort();
    expect(await listedOnBoth(rp)).toEqual({ placement: placementConsumers, ours: [c] });
  }, 120_000);
});
