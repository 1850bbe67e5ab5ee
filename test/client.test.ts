import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AllocationCandidatesDocument,
  ImportPlacementStateDocument,
  isTypedError,
  ListApiTokensDocument,
  ListInventoriesDocument,
  PLACEMENT_API_VERSION,
  PlacementClient,
  PlacementClientError,
} from '@placement-gateway/client';
import * as api10 from '@placement-gateway/client/1.0';
import * as api11 from '@placement-gateway/client/1.1';
import * as api12 from '@placement-gateway/client/1.2';
import * as api13 from '@placement-gateway/client/1.3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { freePort } from './support/free-port.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * The typed client over real HTTP against a served gateway: what is returned (payloads and
 * typed errors as discriminated unions), what is thrown (PlacementClientError), and the
 * version header it sends whatever the caller passes.
 */

let env: TestEnv;
let server: Server;
let url: string;
const versionHeaders: Array<string | undefined> = [];

beforeAll(async () => {
  env = await createTestEnv();
  server = createServer((request, response) => {
    versionHeaders.push(request.headers['placement-api-version'] as string | undefined);
    return env.gateway(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
});

describe('PlacementClient', () => {
  it('returns payloads and typed errors as discriminated unions', async () => {
    const client = new PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    const created = await client.createCell({ name: 'client-cell' });
    expect(created.__typename).toBe('CellPayload');
    if (created.__typename !== 'CellPayload') throw new Error('unreachable');
    expect(created.cell.name).toBe('client-cell');

    const duplicate = await client.createCell({ name: 'client-cell' });
    expect(isTypedError(duplicate)).toBe(true);
    expect(duplicate).toMatchObject({
      __typename: 'AlreadyExists',
      code: 'ALREADY_EXISTS',
      field: 'name',
      value: 'client-cell',
    });

    const provider = await client.createProvider({ name: 'client-host', cellUuid: created.cell.uuid });
    if (provider.__typename !== 'ResourceProviderPayload') throw new Error(`createProvider: ${provider.__typename}`);
    const invalid = await client.setInventories({
      providerUuid: provider.resourceProvider.uuid,
      generation: provider.resourceProvider.generation,
      inventories: [{ resourceClass: 'VCPU', total: 4, reserved: 5 }],
    });
    expect(invalid).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: 'inventories[0].reserved',
    });

    expect(await client.getConsumer(randomUUID())).toBeNull();
  });

  it('speaks its generated version even when the caller passes another one', async () => {
    const client = new PlacementClient({
      token: TEST_ADMIN_TOKEN,
      url,
      headers: { 'placement-api-version': '1.0', 'x-request-id': 'test' },
    });
    const before = versionHeaders.length;
    // Inventory.utilization exists from 1.1 on: a 1.0 request could not select it.
    const page = await client.listProviders({ first: 5 });
    expect(page.edges.map((edge) => edge.node.name)).toEqual(['client-host']);
    const inventories = await client.listInventories(page.edges[0]!.node.uuid);
    expect(inventories?.inventories).toEqual([]);
    expect(versionHeaders.slice(before)).toEqual([PLACEMENT_API_VERSION, PLACEMENT_API_VERSION]);
  });

  it('the 1.0 entry speaks 1.0 with the 1.0 documents; a 1.1 document is refused there', async () => {
    const host = await hostWith(env, 'client-host-10', { VCPU: 4 });
    const pinned = new api10.PlacementClient({
      token: TEST_ADMIN_TOKEN,
      url,
      headers: { 'placement-api-version': '1.1' },
    });
    expect(pinned.apiVersion).toBe('1.0');
    const before = versionHeaders.length;
    const inventories = await pinned.request(api10.ListInventoriesDocument, { providerUuid: host.uuid });
    // The same operation without what 1.1 added.
    expect(inventories.resourceProvider?.inventories).toEqual([
      expect.objectContaining({ resourceClass: 'VCPU', total: 4, used: 0, free: 4 }),
    ]);
    expect(inventories.resourceProvider?.inventories[0]).not.toHaveProperty('utilization');
    const latest = await new PlacementClient({ token: TEST_ADMIN_TOKEN, url }).listInventories(host.uuid);
    expect(latest?.inventories[0]).toMatchObject({ ...inventories.resourceProvider?.inventories[0], utilization: 0 });

    const refused = await pinned.request(ListInventoriesDocument, { providerUuid: host.uuid }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlacementClientError);
    expect((refused as PlacementClientError).message).toContain('Cannot query field "utilization" on type "Inventory"');
    expect(versionHeaders.slice(before)).toEqual(['1.0', PLACEMENT_API_VERSION, '1.0']);
  });

  it('manages API tokens (1.2): create, list, the secret works as a bearer, revoke', async () => {
    const admin = new PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    const created = await admin.createApiToken({ name: 'client-reader', role: 'READER', projectId: 'p1' });
    if (created.__typename !== 'CreateApiTokenPayload') throw new Error(`createApiToken: ${created.__typename}`);
    expect(created.token).toMatchObject({ name: 'client-reader', role: 'READER', projectId: 'p1', revokedAt: null });
    expect(created.secret).toMatch(/^pgw_/);

    const listed = await admin.listApiTokens();
    expect(listed.edges.map((edge) => edge.node.name)).toContain('client-reader');
    expect(await new PlacementClient({ token: created.secret, url }).listCells()).toMatchObject({
      totalCount: expect.any(Number),
    });

    const revoked = await admin.revokeApiToken({ name: 'client-reader' });
    if (revoked.__typename !== 'ApiTokenPayload') throw new Error(`revokeApiToken: ${revoked.__typename}`);
    expect(revoked.token.revokedAt).not.toBeNull();
    const refused = await new PlacementClient({ token: created.secret, url }).listCells().catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'graphql', status: 401, code: 'UNAUTHENTICATED' });
  });

  it('the 1.1 entry keeps its methods and speaks 1.1; a 1.2 document is refused there', async () => {
    const pinned = new api11.PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    expect(pinned.apiVersion).toBe('1.1');
    const before = versionHeaders.length;
    const page = await pinned.listProviders({ first: 1 });
    expect(page.totalCount).toBeGreaterThan(0);
    const refused = await pinned.request(ListApiTokensDocument, {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlacementClientError);
    expect((refused as PlacementClientError).message).toContain('Cannot query field "apiTokens" on type "Query"');
    expect(versionHeaders.slice(before)).toEqual(['1.1', '1.1']);
  });

  it('speaks 1.4 by default: importPlacementState is typed; the 1.3 entry keeps its methods and is told 1.4 has it', async () => {
    const client = new PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    expect(client.apiVersion).toBe('1.4');
    const trait = `CUSTOM_CLIENT_IMPORT_${randomUUID().slice(0, 8).toUpperCase()}`;
    const before = versionHeaders.length;
    // A dry run: the change is reported and rolled back.
    const result = await client.importPlacementState({ batches: [{ traits: [trait] }], dryRun: true });
    if (result.__typename !== 'ImportPlacementStatePayload') throw new Error(`import: ${result.__typename}`);
    expect(result.dryRun).toBe(true);
    expect(result.batches).toBe(0);
    expect(result.changes).toEqual([expect.objectContaining({ action: 'CREATE', kind: 'TRAIT', id: trait })]);
    expect(await env.sql('SELECT name FROM traits WHERE name = $1', [trait])).toEqual([]);

    const pinned = new api13.PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    expect(pinned.apiVersion).toBe('1.3');
    const traits = await pinned.listTraits({ first: 1 });
    expect(traits.totalCount).toBeGreaterThan(0);
    const refused = await pinned
      .request(ImportPlacementStateDocument, { input: { batches: [], dryRun: true } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'graphql', code: 'GRAPHQL_VALIDATION_FAILED' });
    // 1.3 has neither the mutation nor its input type: validation names the type first.
    expect((refused as PlacementClientError).message).toContain('Unknown type "ImportPlacementStateInput"');
    expect(versionHeaders.slice(before)).toEqual(['1.4', '1.3', '1.3']);
  });

  it("a grouped request's candidates carry typed mappings (from 1.3); the 1.2 entry is told 1.3 has them", async () => {
    const client = new PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    const host = await hostWith(env, 'client-groups-host', { VCPU: 4, MEMORY_MB: 2048 });
    const variables = {
      request: {
        resources: [{ resourceClass: 'VCPU', amount: 1 }],
        groups: [{ name: 'mem', resources: [{ resourceClass: 'MEMORY_MB', amount: 512 }] }],
      },
    };
    const result = await client.allocationCandidates(variables);
    if (result.__typename !== 'AllocationCandidates') throw new Error(`allocationCandidates: ${result.__typename}`);
    const candidate = result.candidates.find((c) => c.providerUuid === host.uuid);
    expect(candidate?.mappings).toEqual([
      { group: '', providerUuids: [host.uuid] },
      { group: 'mem', providerUuids: [host.uuid] },
    ]);
    expect(candidate?.summary.map((s) => [s.group, s.resourceClass])).toEqual([
      ['', 'VCPU'],
      ['mem', 'MEMORY_MB'],
    ]);

    const pinned = new api12.PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    expect(pinned.apiVersion).toBe('1.2');
    const before = versionHeaders.length;
    const old = await pinned.allocationCandidates({ request: { resources: variables.request.resources } });
    if (old.__typename !== 'AllocationCandidates') throw new Error(`allocationCandidates: ${old.__typename}`);
    expect(old.candidates.map((c) => c.providerUuid)).toContain(host.uuid);
    const refused = await pinned.request(AllocationCandidatesDocument, variables).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'graphql', code: 'GRAPHQL_VALIDATION_FAILED' });
    expect((refused as PlacementClientError).message).toContain('exists from 1.3; send `Placement-API-Version: 1.3`');
    expect(versionHeaders.slice(before)).toEqual(['1.2', '1.2']);
  });

  it('throws GraphQL errors with their code, field, rule and HTTP status', async () => {
    const client = new PlacementClient({ token: TEST_ADMIN_TOKEN, url });
    const error = await client.getProvider('not-a-uuid').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlacementClientError);
    expect(error).toMatchObject({ kind: 'graphql', code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' });
    expect((error as PlacementClientError).status).toBeTypeOf('number');
  });

  it('throws network and non-GraphQL answers as their own kinds', async () => {
    const down = await new PlacementClient({
      token: TEST_ADMIN_TOKEN,
      url: `http://127.0.0.1:${await freePort()}/graphql`,
    })
      .listCells()
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ kind: 'network', status: undefined });
    expect((down as Error).message).toContain('ECONNREFUSED');

    const wrongPath = await new PlacementClient({ token: TEST_ADMIN_TOKEN, url: url.replace('/graphql', '/metrics') })
      .listCells()
      .catch((e: unknown) => e);
    expect(wrongPath).toBeInstanceOf(PlacementClientError);
    expect(wrongPath).toMatchObject({ kind: 'http' });
  });
});
