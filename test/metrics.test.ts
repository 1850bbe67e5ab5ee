import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_OPERATIONS } from '../src/http/prometheus.js';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

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
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
});

async function metricsText(): Promise<string> {
  const response = await env.gateway.fetch('http://localhost/metrics');
  expect(response.status).toBe(200);
  return response.text();
}

function sample(text: string, line: RegExp): number {
  const match = text.split('\n').find((l) => line.test(l));
  return match ? Number(match.split(' ').pop()) : 0;
}

describe('Prometheus metrics', () => {
  it('counts typed errors by code, transactions and pool state', async () => {
    const before = sample(await metricsText(), /^placement_typed_errors_total\{code="INVALID_INPUT"\}/);
    const bad = await env.gql<{ createResourceProvider: { code?: string } }>(
      `mutation { createResourceProvider(input: {name: ""}) { ${ERROR_FIELDS} } }`,
    );
    expect(bad.data?.createResourceProvider.code).toBe('INVALID_INPUT');
    const text = await metricsText();
    expect(sample(text, /^placement_typed_errors_total\{code="INVALID_INPUT"\}/)).toBe(before + 1);
    expect(text).toMatch(/^placement_transactions\{outcome="committed"\} \d+/m);
    expect(text).toMatch(/^placement_db_pool_connections\{state="total"\} \d+/m);
    expect(text).toMatch(/graphql_yoga_http_duration/);
  });

  it('times Placement REST calls by method, route template and status (never the raw path)', async () => {
    const series = (route: string, status: number) =>
      new RegExp(
        `^placement_rest_request_duration_seconds_count\\{method="GET",route="${route}",status="${status}"\\}`,
      );
    const text = await metricsText();
    const before = [sample(text, series('/resource_providers/{uuid}', 404)), sample(text, series('unmatched', 404))];
    const headers = { 'x-auth-token': TEST_ADMIN_TOKEN, 'openstack-api-version': 'placement 1.39' };
    const missing = await fetch(`${base}/placement/resource_providers/${randomUUID()}`, { headers });
    expect(missing.status).toBe(404);
    expect((await fetch(`${base}/placement/no_such_route`, { headers })).status).toBe(404);
    const after = await metricsText();
    expect([sample(after, series('/resource_providers/{uuid}', 404)), sample(after, series('unmatched', 404))]).toEqual(
      before.map((n) => n + 1),
    );
    expect(after).not.toMatch(
      /placement_rest_request_duration_seconds_count\{[^}]*route="\/resource_providers\/[0-9a-f]{8}-/,
    );
  });

  it('shows the claim pool once a claim has used it', async () => {
    expect(sample(await metricsText(), /^placement_db_claim_pool_connections\{state="total"\}/)).toBe(0);
    await hostWith(env, 'metrics-host', { VCPU: 4 });
    const claimed = await env.gql<{
      claim: { __typename: string };
    }>(`mutation { claim(input: { consumers: [{ consumerUuid: "${randomUUID()}", projectId: "p", userId: "u" }],
      request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }, alternates: 0 }) { __typename } }`);
    expect(claimed.errors).toBeUndefined();
    expect(claimed.data?.claim.__typename).toBe('ClaimPayload');
    expect(sample(await metricsText(), /^placement_db_claim_pool_connections\{state="total"\}/)).toBeGreaterThanOrEqual(
      1,
    );
  });
});

/** Metric series (sample lines) in a /metrics body. */
const seriesCount = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

const word = () => randomBytes(6).toString('hex');

/** One request with a client-chosen operation name, URL query string and alias, over a real socket. */
async function randomRequest(i: number): Promise<void> {
  const name = `Op${i}_${word()}`;
  // Half succeed, half fail in execution (an invalid uuid), so the error counter sees new aliases and paths too.
  const field = i % 2 === 0 ? '__typename' : `a${word()}: resourceProvider(uuid: "x${i}") { uuid }`;
  const response = await fetch(`${base}/graphql?x=${word()}${'z'.repeat(i % 200)}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...bearer(TEST_ADMIN_TOKEN),
    },
    body: JSON.stringify({ query: `query ${name} { ${field} }`, operationName: name }),
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

describe('metric labels are bounded', () => {
  it('1 000 requests with random operation names, query strings and aliases add no series', async () => {
    // Every kind of request once, so each bounded series exists before counting.
    for (let i = 0; i < 20; i++) await randomRequest(i);
    const before = await metricsText();
    for (let i = 20; i < 1_020; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => randomRequest(i + k)));
    const after = await metricsText();
    expect(seriesCount(after)).toBe(seriesCount(before));
    expect(after).not.toMatch(/Op\d+_/);
    expect(after).not.toMatch(/x=/);
    expect(after).toMatch(
      /^graphql_yoga_http_duration_count\{operationName="other",operationType="query",method="POST",statusCode="200"\} \d+/m,
    );
  });

  it("keeps the names of the client's own operations", async () => {
    expect(KNOWN_OPERATIONS.has('ListCells')).toBe(true);
    const response = await env.gql('query ListCells { cells(first: 1) { totalCount } }');
    expect(response.errors).toBeUndefined();
    expect(await metricsText()).toMatch(
      /^graphql_envelop_request_duration_count\{operationName="ListCells",operationType="query"\} 1$/m,
    );
  });
});
