import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';

// The gateway's cross-cutting duties on REST calls: audit events named after the route, the
// body size limit, Placement's request id header.
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv(4);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const rest = (path: string, init: { method?: string; body?: string; version?: string } = {}) =>
  env.gateway.fetch(`http://localhost/placement${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'x-auth-token': env.adminToken,
      'openstack-api-version': `placement ${init.version ?? '1.39'}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body,
  });

describe('REST guards', () => {
  it('audits a successful write under its route, with the request id Placement clients see, and a refused one not at all', async () => {
    const uuid = 'eeeeeeee-0000-4000-8000-000000000001';
    const created = await rest('/resource_providers', {
      method: 'POST',
      body: JSON.stringify({ name: 'audited', uuid }),
    });
    expect(created.status).toBe(200);
    const requestId = created.headers.get('x-openstack-request-id');
    expect(requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(requestId).toBe(`req-${created.headers.get('x-request-id')}`);
    const duplicate = await rest('/resource_providers', { method: 'POST', body: JSON.stringify({ name: 'audited' }) });
    expect(duplicate.status).toBe(409);
    const events = await env.sql<{ operation: string; request_id: string; api_version: string }>(
      "SELECT operation, request_id, api_version FROM audit_events WHERE operation LIKE 'POST /placement/%'",
    );
    expect(events).toEqual([
      { operation: 'POST /placement/resource_providers', request_id: requestId, api_version: '1.39' },
    ]);
  });

  it('refuses a body over MAX_REQUEST_BYTES with 413 before parsing it', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(1_100_000) });
    const response = await rest('/resource_providers', { method: 'POST', body });
    expect(response.status).toBe(413);
    const { errors } = (await response.json()) as { errors: { title: string }[] };
    expect(errors[0]?.title).toBe('Request Entity Too Large');
  });
});
