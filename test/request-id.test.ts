import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseRequestId } from '../src/http/request-id.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/** Every answer carries X-Request-Id: the client's when well-formed, else a fresh UUID. Over a real socket. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let env: TestEnv;
let server: Server;
let base: string;

beforeAll(async () => {
  env = await createTestEnv(4);
  server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await env?.close();
});

async function post(headers: Record<string, string>): Promise<Response> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ cells(first: 1) { totalCount } }' }),
  });
  await response.body?.cancel();
  return response;
}

const authorized = () => ({ authorization: `Bearer ${env.adminToken}` });

describe('X-Request-Id', () => {
  it('echoes a well-formed incoming id', async () => {
    for (const id of ['req-1', 'a.b:c_d-e', 'x'.repeat(128)]) {
      const response = await post({ ...authorized(), 'x-request-id': id });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe(id);
    }
  });

  it('generates a UUID when the header is absent', async () => {
    const first = await post(authorized());
    const second = await post(authorized());
    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('replaces a malformed id with a UUID', async () => {
    for (const id of ['x'.repeat(129), 'has space', 'semi;colon', 'ünïcode', '<script>']) {
      const response = await post({ ...authorized(), 'x-request-id': id });
      const echoed = response.headers.get('x-request-id');
      expect(echoed, id).toMatch(UUID);
    }
  });

  it('is on early refusals too (401 before parsing)', async () => {
    const response = await post({ 'x-request-id': 'anonymous-probe' });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('anonymous-probe');
  });

  it('chooses by the documented rule', () => {
    expect(chooseRequestId('abc')).toBe('abc');
    expect(chooseRequestId('')).toMatch(UUID);
    expect(chooseRequestId(null)).toMatch(UUID);
  });
});
