/**
 * The role matrix of rest-alloc's REST routes: each route × ADMIN, SCHEDULER, READER and no
 * token. A role below the route's rule (src/rest/policy.ts) gets Placement's 403 and writes
 * nothing; no token is 401; a role at or above it is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role, roleAtLeast } from '../src/auth/actor.js';
import { POLICY_RULES, type PolicyName } from '../src/rest/policy.js';
import { buildInOurs, uuidOf } from './support/candidate-world.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

const host = uuidOf('role-host');
const consumer = uuidOf('role-consumer');
const body = (generation: number | null) => ({
  allocations: { [host]: { resources: { VCPU: 1 } } },
  project_id: uuidOf('p'),
  user_id: uuidOf('u'),
  consumer_generation: generation,
  consumer_type: 'INSTANCE',
});

interface Row {
  method: string;
  path: string;
  rule: PolicyName;
  body?: unknown;
}

const ROWS: Row[] = [
  { method: 'GET', path: '/allocation_candidates?resources=VCPU:1', rule: 'placement:allocation_candidates:list' },
  { method: 'GET', path: `/allocations/${consumer}`, rule: 'placement:allocations:list' },
  {
    method: 'GET',
    path: `/resource_providers/${host}/allocations`,
    rule: 'placement:resource_providers:allocations:list',
  },
  { method: 'PUT', path: `/allocations/${consumer}`, rule: 'placement:allocations:update', body: body(null) },
  {
    method: 'POST',
    path: '/allocations',
    rule: 'placement:allocations:manage',
    body: { [uuidOf('other')]: body(null) },
  },
  { method: 'DELETE', path: `/allocations/${consumer}`, rule: 'placement:allocations:delete' },
  {
    method: 'POST',
    path: '/reshaper',
    rule: 'placement:reshaper:reshape',
    body: {
      inventories: { [host]: { resource_provider_generation: 1, inventories: { VCPU: { total: 8 } } } },
      allocations: {},
    },
  },
];

let env: TestEnv;
const tokens = new Map<Role, string>();
beforeAll(async () => {
  env = await createTestEnv(4);
  await buildInOurs(env, { providers: [{ name: 'role-host', inventories: { VCPU: { total: 8 } } }] });
  for (const role of ROLES) tokens.set(role, role === 'ADMIN' ? env.adminToken : await env.createToken(role));
}, 60_000);
afterAll(async () => env?.close());

async function call(row: Row, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'openstack-api-version': 'placement 1.39' };
  if (token !== null) headers['x-auth-token'] = token;
  if (row.body !== undefined) headers['content-type'] = 'application/json';
  return env.gateway.fetch(`http://localhost/placement${row.path}`, {
    method: row.method,
    headers,
    body: row.body === undefined ? undefined : JSON.stringify(row.body),
  });
}

const state = async () =>
  env.sql(
    `SELECT (SELECT count(*) FROM allocations)::int AS allocations, (SELECT count(*) FROM consumers)::int AS consumers,
            (SELECT sum(generation) FROM resource_providers)::int AS generations,
            (SELECT count(*) FROM inventories)::int AS inventories`,
  );

describe.each(ROWS)('$method $path', (row) => {
  it.each([...ROLES, 'anonymous' as const])('as %s', async (caller) => {
    const before = await state();
    const response = await call(row, caller === 'anonymous' ? null : tokens.get(caller)!);
    if (caller === 'anonymous') {
      expect(response.status).toBe(401);
    } else if (!roleAtLeast(caller, POLICY_RULES[row.rule])) {
      expect(response.status).toBe(403);
      const doc = (await response.json()) as { errors: { detail: string }[] };
      expect(doc.errors[0]!.detail).toContain(`Policy does not allow ${row.rule} to be performed.`);
    } else {
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
      return;
    }
    expect(await state()).toEqual(before);
  });
});
