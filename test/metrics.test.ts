import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

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
    const bad = await env.gql(`mutation { createResourceProvider(input: {name: ""}) { ${ERROR_FIELDS} } }`);
    expect(bad.data?.createResourceProvider.code).toBe('INVALID_INPUT');
    const text = await metricsText();
    expect(sample(text, /^placement_typed_errors_total\{code="INVALID_INPUT"\}/)).toBe(before + 1);
    expect(text).toMatch(/^placement_transactions\{outcome="committed"\} \d+/m);
    expect(text).toMatch(/^placement_db_pool_connections\{state="total"\} \d+/m);
    expect(text).toMatch(/graphql_yoga_http_duration/);
  });

  it('shows the claim pool once a claim has used it', async () => {
    expect(sample(await metricsText(), /^placement_db_claim_pool_connections\{state="total"\}/)).toBe(0);
    await hostWith(env, 'metrics-host', { VCPU: 4 });
    const claimed =
      await env.gql(`mutation { claim(input: { consumers: [{ consumerUuid: "${randomUUID()}", projectId: "p", userId: "u" }],
      request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }, alternates: 0 }) { __typename } }`);
    expect(claimed.errors).toBeUndefined();
    expect(claimed.data?.claim.__typename).toBe('ClaimPayload');
    expect(sample(await metricsText(), /^placement_db_claim_pool_connections\{state="total"\}/)).toBeGreaterThanOrEqual(
      1,
    );
  });
});
