import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createGateway, defaultGatewayExposure, type GatewayExposure } from '../src/gateway.js';
import { defaultGatewayLimits } from '../src/http/limits.js';
import { createLogger } from '../src/logger.js';
import { VERSION_HEADER } from '../src/versions.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * What a browser page on another site can make an operator's browser do, tried with real
 * requests on real sockets: CORS is off unless CORS_ORIGINS lists the page's origin, and the
 * "simple" POSTs a cross-site form sends are refused before anything is read. Also the
 * GRAPHIQL and INTROSPECTION settings.
 */

const LISTED = 'https://ops.example.com';
const EVIL = 'http://evil.example';

let env: TestEnv;
const servers: Server[] = [];

async function serve(exposure: Partial<GatewayExposure>): Promise<string> {
  const gateway = createGateway(env.db, createLogger('silent'), defaultGatewayLimits, {
    ...defaultGatewayExposure,
    ...exposure,
  });
  const server = createServer(gateway);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let closed: string;
let open: string;

beforeAll(async () => {
  env = await createTestEnv(4);
  closed = await serve({});
  open = await serve({ corsOrigins: [LISTED] });
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await env?.close();
});

function preflight(base: string, origin: string): Promise<Response> {
  return fetch(`${base}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': `content-type,${VERSION_HEADER.toLowerCase()}`,
    },
  });
}

const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS', () => {
  it('off by default: no origin, not even `null`, gets CORS headers on a preflight or a request', async () => {
    for (const origin of [EVIL, 'null', LISTED]) {
      expect(corsHeaders(await preflight(closed, origin)), origin).toEqual([]);
      const response = await fetch(`${closed}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(corsHeaders(response), origin).toEqual([]);
    }
  });

  it('CORS_ORIGINS: a listed origin is echoed alone, without credentials; any other origin and `null` get nothing', async () => {
    const allowed = await preflight(open, LISTED);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(allowed.headers.get('access-control-allow-headers')).toContain(VERSION_HEADER.toLowerCase());
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST');
    for (const origin of [EVIL, 'null', `${LISTED}.evil.example`, 'https://ops.example.com:8443']) {
      expect(corsHeaders(await preflight(open, origin)), origin).toEqual([]);
    }
    const response = await fetch(`${open}/graphql`, {
      method: 'POST',
      headers: { origin: LISTED, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(LISTED);
  });

  it('CORS_ORIGINS is validated: `*`, `null`, paths and other schemes are refused, naming the setting', () => {
    for (const bad of ['*', 'null', 'https://ops.example.com/app', 'ftp://ops.example.com', 'ops.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/^CORS_ORIGINS must be a comma list of origins/);
    }
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:3000/' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
  });
});

describe('cross-site simple requests', () => {
  const mutation = (name: string) => `mutation { createCell(input: { name: "${name}" }) { __typename } }`;
  const cellExists = async (name: string) => (await env.sql('SELECT 1 FROM cells WHERE name = $1', [name])).length > 0;

  async function expectRefused(response: Response, cell: string): Promise<void> {
    expect(response.status).toBe(415);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('CROSS_SITE_REQUEST_REFUSED');
    expect(await cellExists(cell)).toBe(false);
  }

  it('a form-encoded POST (an HTML form on any site) → 415, nothing runs', async () => {
    const response = await fetch(`${closed}/graphql`, {
      method: 'POST',
      headers: { origin: EVIL },
      body: new URLSearchParams({ query: mutation('evil-form') }),
    });
    await expectRefused(response, 'evil-form');
  });

  it('a multipart POST → 415, nothing runs', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutation('evil-multipart') }));
    form.set('map', '{}');
    const response = await fetch(`${closed}/graphql`, { method: 'POST', headers: { origin: EVIL }, body: form });
    await expectRefused(response, 'evil-multipart');
  });

  it('a text/plain POST → 415, nothing runs', async () => {
    const response = await fetch(`${closed}/graphql`, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: mutation('evil-text') }),
    });
    await expectRefused(response, 'evil-text');
  });

  it('a mutation over GET → 405, nothing runs; a JSON POST runs', async () => {
    // With a valid token: the method alone is refused.
    const response = await fetch(`${closed}/graphql?query=${encodeURIComponent(mutation('evil-get'))}`, {
      headers: bearer(TEST_ADMIN_TOKEN),
    });
    expect(response.status).toBe(405);
    expect(await cellExists('evil-get')).toBe(false);
    const json = await fetch(`${closed}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(TEST_ADMIN_TOKEN) },
      body: JSON.stringify({ query: mutation('json-cell') }),
    });
    expect(json.status).toBe(200);
    expect(await cellExists('json-cell')).toBe(true);
  });
});

describe('GRAPHIQL and INTROSPECTION', () => {
  const INTROSPECT = JSON.stringify({ query: '{ __schema { queryType { name } } }' });
  const post = (base: string, body: string) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(TEST_ADMIN_TOKEN) },
      body,
    });

  it('defaults (development): GraphiQL is served and introspection answers', async () => {
    const page = await fetch(`${closed}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('YogaGraphiQL');
    const reply = (await (await post(closed, INTROSPECT)).json()) as { data?: unknown };
    expect(reply.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('GRAPHIQL=false, INTROSPECTION=false: no page, introspection refused, the public SDL downloads still served', async () => {
    const locked = await serve({ graphiql: false, introspection: false });
    const page = await fetch(`${locked}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('YogaGraphiQL');
    const reply = (await (await post(locked, INTROSPECT)).json()) as { data?: unknown; errors?: unknown[] };
    expect(reply.data ?? null).toBeNull();
    expect(reply.errors?.length).toBeGreaterThan(0);
    const sdl = await fetch(`${locked}/schema/1.1.graphql`);
    expect(sdl.status).toBe(200);
    expect(await sdl.text()).toContain('type Query');
    // Ordinary queries are untouched.
    const plain = (await (await post(locked, JSON.stringify({ query: '{ __typename }' }))).json()) as {
      data?: unknown;
    };
    expect(plain.data).toEqual({ __typename: 'Query' });
  });

  it('the settings parse true/false and refuse anything else', () => {
    expect(loadConfig({}).GRAPHIQL).toBe(true);
    expect(loadConfig({}).INTROSPECTION).toBe(true);
    expect(loadConfig({ GRAPHIQL: 'false', INTROSPECTION: 'false' })).toMatchObject({
      GRAPHIQL: false,
      INTROSPECTION: false,
    });
    expect(() => loadConfig({ GRAPHIQL: 'no' })).toThrow(/GRAPHIQL must be true or false/);
  });
});
