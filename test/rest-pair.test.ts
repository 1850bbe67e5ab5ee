import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_DIFFERENCES } from './rest-diff-allowlist.js';
import { type RealPlacement, startRealPlacement } from './support/real-placement.js';
import { formatDifference, type RestCall, RestPair } from './support/rest-pair.js';
import { SequenceGenerator } from './support/rest-sequences.js';

/**
 * The differential harness checked on two real Placements: identical servers fed the same calls
 * show no difference (generated uuids, request ids, hosts and timestamps are normalised away),
 * and servers whose state differs show it (status, body, headers).
 */
let a: RealPlacement;
let b: RealPlacement;
beforeAll(async () => {
  [a, b] = await Promise.all([startRealPlacement(), startRealPlacement()]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

function pairOf(first: RealPlacement, second: RealPlacement): RestPair {
  return new RestPair(
    { label: 'placement', baseUrl: first.url, adminToken: 'admin' },
    { label: 'ours', baseUrl: second.url, adminToken: 'admin' },
  );
}

/** Direct to one server, outside the pair (to make the two differ). */
async function direct(server: RealPlacement, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      'x-auth-token': 'admin',
      'openstack-api-version': 'placement latest',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('RestPair on two real Placements', () => {
  it('finds no difference between identical servers (uuids, request ids, hosts normalised)', async () => {
    const pair = pairOf(a, b);
    const calls: RestCall[] = [
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/', version: '1.15' },
      { method: 'POST', path: '/resource_providers', version: '1.20', body: { name: 'first' } },
      { method: 'POST', path: '/resource_providers', version: '1.20', body: { name: 'second' } },
      {
        method: 'POST',
        path: '/resource_providers',
        version: '1.20',
        body: { name: 'child', parent_provider_uuid: '<uuid-1>' },
      },
      {
        method: 'POST',
        path: '/resource_providers',
        version: '1.20',
        body: { name: 'mine', uuid: '5a1b2c3d-0000-4000-8000-000000000001' },
      },
      { method: 'GET', path: '/resource_providers', version: '1.20' },
      { method: 'GET', path: '/resource_providers?in_tree=<uuid-1>', version: '1.20' },
      {
        method: 'PUT',
        path: '/resource_providers/<uuid-2>/inventories',
        version: '1.20',
        body: { resource_provider_generation: 0, inventories: { VCPU: { total: 8 } } },
      },
      {
        method: 'PUT',
        path: '/resource_providers/<uuid-2>/inventories',
        version: '1.20',
        body: { resource_provider_generation: 0, inventories: { VCPU: { total: 4 } } },
      },
      { method: 'GET', path: '/resource_providers/99999999-9999-4999-8999-999999999999', version: '1.20' },
      { method: 'POST', path: '/resource_providers', version: '1.20', body: { nam: 'x' } },
      { method: 'GET', path: '/resource_providers', version: '1.99' },
      { method: 'GET', path: '/resource_providers', auth: 'none' },
      { method: 'PUT', path: '/traits/CUSTOM_BOTH', version: '1.6' },
      {
        method: 'PUT',
        path: '/resource_providers/<uuid-2>/traits',
        version: '1.6',
        body: { resource_provider_generation: 1, traits: ['CUSTOM_BOTH', 'HW_CPU_X86_AVX2'] },
      },
    ];
    const { results, differences } = await pair.scenario(calls);
    expect(differences.map((d) => formatDifference(d.call, d.difference))).toEqual([]);
    // The names are what the pair says they are: generated uuids named in order, the caller's kept.
    expect(results[2]!.placement.body).toMatchObject({ uuid: '<uuid-1>', name: 'first' });
    expect(results[2]!.placement.headers.location).toBe('/resource_providers/<uuid-1>');
    expect(results[4]!.ours.body).toMatchObject({ parent_provider_uuid: '<uuid-1>', root_provider_uuid: '<uuid-1>' });
    expect(results[5]!.ours.body).toMatchObject({ uuid: '5a1b2c3d-0000-4000-8000-000000000001' });
    expect(results[8]!.placement.status).toBe(200);
    expect(results[9]!.placement.status).toBe(409);
    expect(results[11]!.placement.body).toMatchObject({ errors: [{ request_id: '<request-id>' }] });
    expect(results[15]!.placement.headers['x-openstack-request-id']).toBe(true);
  });

  it('finds no difference on random sequences either, and the sequences mostly do real work', async () => {
    const pair = pairOf(a, b);
    const found: string[] = [];
    const schemaRepr = ALLOWED_DIFFERENCES.find((entry) => entry.id === 'jsonschema-repr')!;
    const statuses = new Map<string, number>();
    for (let sequence = 0; sequence < 3; sequence++) {
      const generator = new SequenceGenerator(77 + sequence, `p${sequence}`);
      for (let step = 0; step < 60; step++) {
        const call = generator.next();
        const result = await pair.send(call);
        generator.observe(call, result.placement);
        const key = `${call.kind} ${result.placement.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        // Python's pprint of the failing instance sorts by the real uuids: the tail after the message differs.
        for (const difference of result.differences) {
          if (!schemaRepr.matches(call, difference, result)) found.push(formatDifference(call, difference));
        }
      }
    }
    console.log(
      [...statuses]
        .sort()
        .map(([key, n]) => `${key}: ${n}`)
        .join('\n'),
    );
    expect(found).toEqual([]);
    const succeeded = [...statuses].filter(([key]) => / 2\d\d$/.test(key)).reduce((sum, [, n]) => sum + n, 0);
    // Invalid calls are a minority: most of a sequence acts on things that exist.
    expect(succeeded).toBeGreaterThan(180 * 0.5);
  }, 300_000);

  it('shows a path only one side serves, a body only one side has, and a header that differs', async () => {
    const pair = pairOf(a, b);
    expect((await direct(b, 'PUT', '/traits/CUSTOM_ONLY_OURS')).status).toBe(201);
    expect((await direct(b, 'POST', '/resource_providers', { name: 'only-ours' })).status).toBe(200);

    const trait = await pair.send({ method: 'GET', path: '/traits/CUSTOM_ONLY_OURS', version: '1.6' });
    expect(trait.differences).toContainEqual({ where: 'status', placement: 404, ours: 204 });

    const list = await pair.send({ method: 'GET', path: '/resource_providers?name=only-ours', version: '1.14' });
    expect(list.differences.map((d) => d.where)).toContain('body.resource_providers[0]');

    // A 404 carries a JSON error document, a 204 no body and no content-type.
    expect(trait.differences.map((d) => d.where)).toEqual(['status', 'header content-type', 'body']);
    const mixed = await new RestPair(pair.placement, { ...pair.ours, baseUrl: `${b.url}/nowhere` }).send({
      method: 'GET',
      path: '/',
    });
    expect(mixed.differences.map((d) => d.where)).toContain('status');
  });
});
