import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD_VERSION, SERVED_VERSIONS } from '../src/versions.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * GET /schema/<version>.graphql over real HTTP: each served version's SDL, byte for byte its
 * frozen file; nothing for the unreleased head or an unknown version; only GET and HEAD.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let env: TestEnv;
let server: Server;
let base: string;

beforeAll(async () => {
  env = await createTestEnv();
  server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
});

describe('GET /schema/<version>.graphql', () => {
  it('serves each released version exactly as its frozen schema file', async () => {
    expect(SERVED_VERSIONS.length).toBeGreaterThan(0);
    for (const version of SERVED_VERSIONS) {
      const response = await fetch(`${base}/schema/${version}.graphql`);
      expect(response.status, version).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/graphql; charset=utf-8');
      const frozen = await readFile(path.join(root, 'schema/versions', `${version}.graphql`), 'utf8');
      expect(await response.text(), version).toBe(frozen);
    }
  });

  it('answers 404 naming the served versions for the unreleased head and unknown versions', async () => {
    for (const name of [`${HEAD_VERSION}.graphql`, '9.9.graphql', '1.1', '', '1.1.graphql/x']) {
      const response = await fetch(`${base}/schema/${name}`);
      expect(response.status, name).toBe(404);
      expect(await response.text()).toContain(`/schema/${SERVED_VERSIONS[0]}.graphql`);
    }
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    const head = await fetch(`${base}/schema/1.1.graphql`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const post = await fetch(`${base}/schema/1.1.graphql`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
