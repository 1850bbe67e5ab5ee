import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, type HttpResult, postGraphQL, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { lockTable, untilSessionsWaitingForLock } from './support/table-lock.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * Slow clients over real sockets: many connections trickling a body (or headers) must
 * neither fill the in-flight limit nor stay open past HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS,
 * and /ready must report a gateway that really is saturated.
 */

let env: TestEnv;
/** Five requests in flight; 1 s for headers, 2 s for a whole request. */
let tight: GatewayProcess;
/** Three requests in flight, nothing times out on its own. */
let small: GatewayProcess;
const MAX_INFLIGHT = 5;
const REQUEST_TIMEOUT_MS = 2_000;

beforeAll(async () => {
  env = await createTestEnv(4);
  [tight, small] = await Promise.all([
    startGatewayProcess({
      databaseUrl: env.url,
      env: {
        MAX_INFLIGHT_REQUESTS: String(MAX_INFLIGHT),
        HEADERS_TIMEOUT_MS: '1000',
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      },
    }),
    startGatewayProcess({
      databaseUrl: env.url,
      env: { MAX_INFLIGHT_REQUESTS: '3', DB_STATEMENT_TIMEOUT_MS: '0', REQUEST_DEADLINE_MS: '60000' },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([tight?.stop(), small?.stop()]);
  await env?.close();
});

/** A socket that sends `head`, then one byte of `trickle` every 100 ms; resolves when the server closes it. */
function trickler(
  url: string,
  head: string,
  trickle: string,
): { closed: Promise<{ reply: string; ms: number }>; answered: Promise<string>; destroy(): void } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const start = performance.now();
  let reply = '';
  let sent = 0;
  socket.on('connect', () => socket.write(head));
  const timer = setInterval(() => {
    if (socket.writable) socket.write(trickle[sent++ % trickle.length]!);
  }, 100);
  let onAnswer: (head: string) => void = () => undefined;
  const answered = new Promise<string>((resolve) => {
    onAnswer = resolve;
  });
  socket.on('data', (chunk) => {
    reply += chunk.toString();
    onAnswer(reply);
  });
  socket.on('error', () => undefined);
  const closed = new Promise<{ reply: string; ms: number }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ reply, ms: performance.now() - start });
    });
  });
  return { closed, answered, destroy: () => socket.destroy() };
}

const host = (url: string) => new URL(url).host;
const bodyHead = (url: string) =>
  `POST /graphql HTTP/1.1\r\nHost: ${host(url)}\r\nauthorization: Bearer ${TEST_ADMIN_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"query":"`;

/** Every trickler was dropped with 408 once REQUEST_TIMEOUT_MS passed. */
async function expectAllTimedOut(slow: ReturnType<typeof trickler>[]): Promise<void> {
  const closed = await Promise.all(slow.map((s) => s.closed));
  for (const { reply, ms } of closed) {
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    // Generous: Node checks the timeouts about once a second.
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 8_000);
  }
}

describe('slow clients', () => {
  it('many connections trickling bodies take no in-flight slot, and are dropped with 408 after REQUEST_TIMEOUT_MS', async () => {
    const slow = Array.from({ length: MAX_INFLIGHT * 6 }, () => trickler(tight.url, bodyHead(tight.url), '          '));
    try {
      await sleep(500);
      const answered = await postGraphQL<{ __typename: string }>(tight.url, '{ __typename }');
      expect(answered.status, JSON.stringify(answered.body)).toBe(200);
      expect(answered.body.data?.__typename).toBe('Query');
      expect((await fetch(`${tight.url}/ready`)).status).toBe(200);
      await expectAllTimedOut(slow);
    } finally {
      for (const s of slow) s.destroy();
    }
  });

  it('many connections trickling REST bodies take no in-flight slot either, and are dropped with 408', async () => {
    // POST /resource_providers reads its body first: were the slot taken before the body, these would hold all five.
    const head = `POST /placement/resource_providers HTTP/1.1\r\nHost: ${host(tight.url)}\r\nx-auth-token: ${TEST_ADMIN_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"name":"`;
    const slow = Array.from({ length: MAX_INFLIGHT * 6 }, () => trickler(tight.url, head, 'aaaaaaaaaa'));
    try {
      await sleep(500);
      const listed = await fetch(`${tight.url}/placement/resource_providers`, {
        headers: { 'x-auth-token': TEST_ADMIN_TOKEN, 'openstack-api-version': 'placement 1.39' },
      });
      expect(listed.status, await listed.clone().text()).toBe(200);
      expect(((await listed.json()) as { resource_providers: unknown[] }).resource_providers).toBeInstanceOf(Array);
      expect((await fetch(`${tight.url}/ready`)).status).toBe(200);
      await expectAllTimedOut(slow);
    } finally {
      for (const s of slow) s.destroy();
    }
  });

  it('an anonymous connection trickling a body is answered 401 at once, before its body arrives', async () => {
    const anonymousHead = bodyHead(tight.url).replace(/authorization: [^\r]*\r\n/, '');
    const slow = trickler(tight.url, anonymousHead, '          ');
    try {
      const start = performance.now();
      expect(await slow.answered).toMatch(/^HTTP\/1\.1 401/);
      expect(performance.now() - start).toBeLessThan(REQUEST_TIMEOUT_MS);
    } finally {
      slow.destroy();
    }
  });

  it('a connection trickling its headers is dropped with 408 after HEADERS_TIMEOUT_MS', async () => {
    const head = `POST /graphql HTTP/1.1\r\nHost: ${host(tight.url)}\r\nx-slow: `;
    const slow = trickler(tight.url, head, 'aaaaaaaaaa');
    try {
      const { reply, ms } = await slow.closed;
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 8_000);
    } finally {
      slow.destroy();
    }
  });
});

describe('readiness reflects saturation', () => {
  it('with every in-flight slot taken, /ready answers 503 SATURATED and GraphQL 503 SERVER_BUSY; 200 again once they finish', async () => {
    const lock = await lockTable(env.url, 'aggregates');
    let held: Promise<HttpResult>[] = [];
    try {
      held = Array.from({ length: 3 }, () => postGraphQL(small.url, '{ aggregates(first: 1) { totalCount } }'));
      await untilSessionsWaitingForLock(env, 3);
      const ready = await fetch(`${small.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, code: 'SATURATED' });
      expect(ready.headers.get('retry-after')).toBe('1');
      const refused = await postGraphQL(small.url, '{ __typename }');
      expect(refused.status).toBe(503);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('SERVER_BUSY');
      // Liveness is not readiness: the process is alive.
      expect((await fetch(`${small.url}/health`)).status).toBe(200);
    } finally {
      await lock.release();
    }
    for (const result of await Promise.all(held)) expect(result.status).toBe(200);
    expect((await fetch(`${small.url}/ready`)).status).toBe(200);
  });
});
