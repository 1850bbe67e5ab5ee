import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role, roleAtLeast } from '../src/auth/actor.js';
import { POLICY_RULES } from '../src/rest/policy.js';
import type { Method, RouteMethod } from '../src/rest/router.js';
import { ROUTES } from '../src/rest/routes.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

// Every REST route (src/rest/routes.ts) with every role, a project-confined token and no token:
// refused exactly when Placement's policy mapped to our roles (src/rest/policy.ts) says so.
let env: TestEnv;
const tokens = new Map<Role, string>();

beforeAll(async () => {
  env = await createTestEnv(4);
  tokens.set('ADMIN', env.adminToken);
  tokens.set('SCHEDULER', await env.createToken('SCHEDULER'));
  tokens.set('READER', await env.createToken('READER'));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const PARAMS: Record<string, string> = {
  uuid: 'dddddddd-0000-4000-8000-000000000001',
  consumer_uuid: 'dddddddd-0000-4000-8000-000000000002',
  name: 'CUSTOM_MATRIX',
  resource_class: 'VCPU',
};

interface Case {
  method: Method;
  path: string;
  version: string;
  route: RouteMethod;
}

const cases: Case[] = Object.entries(ROUTES).flatMap(([pattern, methods]) =>
  Object.entries(methods).flatMap(([method, target]) =>
    (Array.isArray(target) ? target : [target as RouteMethod]).map((route) => ({
      method: method as Method,
      path:
        pattern.replace(/\{(\w+)\}/g, (_m, name: string) => PARAMS[name] ?? name) +
        (pattern === '/usages' ? '?project_id=p1' : ''),
      version: route.until ?? '1.39',
      route,
    })),
  ),
);

async function call(c: Case, token: string | null): Promise<{ status: number; detail: string }> {
  const headers: Record<string, string> = { 'openstack-api-version': `placement ${c.version}` };
  if (token !== null) headers['x-auth-token'] = token;
  let body: string | undefined;
  if (c.method === 'PUT' || c.method === 'POST') {
    headers['content-type'] = 'application/json';
    body = '{}';
  }
  const response = await env.gateway.fetch(`http://localhost/placement${c.path}`, { method: c.method, headers, body });
  const text = await response.text();
  const detail = response.headers.get('content-type') === 'application/json' ? text : '';
  return { status: response.status, detail };
}

describe('REST role matrix', () => {
  it('covers every route of the table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(Object.keys(ROUTES).length);
  });

  it.each(cases.map((c) => [`${c.method} ${c.path} @${c.version}`, c] as const))('%s', async (_label, c) => {
    const policy = c.route.policy;
    for (const role of ['ADMIN', 'SCHEDULER', 'READER'] as const) {
      const answer = await call(c, tokens.get(role)!);
      const allowed = policy === null || roleAtLeast(role, POLICY_RULES[policy]);
      const refusal =
        policy !== null && answer.status === 403 && answer.detail.includes(`Policy does not allow ${policy}`);
      expect({ role, refused: refusal }).toEqual({ role, refused: !allowed });
    }
    const anonymous = await call(c, null);
    expect(anonymous.status).toBe(policy === null ? 200 : 401);
  });

  it('confines /usages to a project-confined caller’s own project', async () => {
    const confined = await env.createToken('READER', { projectId: 'p1' });
    const usages = (project: string) =>
      env.gateway.fetch(`http://localhost/placement/usages?project_id=${project}`, {
        headers: { 'x-auth-token': confined, 'openstack-api-version': 'placement 1.9' },
      });
    expect((await usages('p1')).status).toBe(200);
    const other = await usages('p2');
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('Policy does not allow placement:usages to be performed.');
  });
});
