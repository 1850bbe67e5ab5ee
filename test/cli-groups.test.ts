import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupPolicy, requestGroup } from '../cli/parse.js';
import { createProvider, ERROR_FIELDS, hostWith, setInventories } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';
import { type ProcessResult, runProcess } from './support/run-process.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * The request-group options of `placement candidates|claim|explain` (API 1.3): the `--group`
 * syntax parsed on its own, bad values refused with exit 2 naming the option before any
 * request, and real runs of the compiled CLI against a real gateway over HTTP.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(
  root,
  'cli',
  (JSON.parse(readFileSync(path.join(root, 'cli/package.json'), 'utf8')) as { bin: { placement: string } }).bin
    .placement,
);

let env: TestEnv;
let server: Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  env = await createTestEnv();
  server = createServer((request, response) => {
    if (request.url?.startsWith('/graphql')) requests++;
    return env.gateway(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
});

function placement(...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, PLACEMENT_URL: url, PLACEMENT_TOKEN: TEST_ADMIN_TOKEN },
  });
}

describe('--group NAME:CLASS=N,…;clauses', () => {
  it('parses classes and every clause; repeated anyOf/memberOf add lists; repeating the option adds groups', () => {
    const first = requestGroup(
      'nic:SRIOV_NET_VF=2,NET_BW_EGR_KILOBIT_PER_SEC=1000;required=CUSTOM_PHYSNET_A,HW_NIC_SRIOV;forbidden=CUSTOM_SLOW;anyOf=A|B;anyOf=C;memberOf=agg1|agg2;forbiddenAggregates=agg3',
    );
    expect(first).toEqual([
      {
        name: 'nic',
        resources: [
          { resourceClass: 'SRIOV_NET_VF', amount: 2 },
          { resourceClass: 'NET_BW_EGR_KILOBIT_PER_SEC', amount: 1000 },
        ],
        requiredTraits: ['CUSTOM_PHYSNET_A', 'HW_NIC_SRIOV'],
        forbiddenTraits: ['CUSTOM_SLOW'],
        anyOfTraits: [['A', 'B'], ['C']],
        memberOf: [['agg1', 'agg2']],
        forbiddenAggregates: ['agg3'],
      },
    ]);
    expect(requestGroup('numa_1:VCPU=2, MEMORY_MB=1024', first).map((g) => g.name)).toEqual(['nic', 'numa_1']);
  });

  it('NAME: alone is a resourceless group (its trait condition is checked by the service)', () => {
    expect(requestGroup('accel:;required=CUSTOM_FPGA')).toEqual([
      { name: 'accel', resources: [], requiredTraits: ['CUSTOM_FPGA'] },
    ]);
  });

  it.each([
    ['no colon', 'nicSRIOV_NET_VF=1', 'is not NAME:CLASS=N'],
    ['a bad name', 'n i c:VCPU=1', 'is not a group name'],
    ['CLASS:N instead of CLASS=N', 'nic:VCPU:1', '"VCPU:1" in group nic is not CLASS=N'],
    ['a negative amount', 'nic:VCPU=-1', '"VCPU=-1" in group nic is not CLASS=N'],
    ['an unknown clause', 'nic:VCPU=1;requires=X', '"requires=X" in group nic is not a known clause'],
    ['an empty trait list', 'nic:VCPU=1;required=', '"required=" needs names'],
    ['an empty any-of member', 'nic:VCPU=1;anyOf=A||B', '"anyOf=A||B" needs names'],
  ])('refuses %s with InvalidArgumentError', (_case, value, message) => {
    expect(() => requestGroup(value)).toThrow(InvalidArgumentError);
    expect(() => requestGroup(value)).toThrow(message);
  });

  it('--group-policy takes none or isolate, in any case', () => {
    expect(groupPolicy('isolate')).toBe('ISOLATE');
    expect(groupPolicy('None')).toBe('NONE');
    expect(() => groupPolicy('strict')).toThrow('"strict" is not none or isolate.');
  });
});

describe('the compiled CLI', () => {
  it('bad --group, --group-policy or no resources at all: exit 2 naming the option, nothing sent', async () => {
    const before = requests;
    const badGroup = await placement('candidates', '--group', 'nic:VCPU:1');
    expect(badGroup.code).toBe(2);
    expect(badGroup.stderr).toContain("option '--group <spec>' argument 'nic:VCPU:1' is invalid.");
    expect(badGroup.stderr).toContain('"VCPU:1" in group nic is not CLASS=N');
    const badPolicy = await placement('explain', '--resources', 'VCPU:1', '--group-policy', 'strict');
    expect(badPolicy.code).toBe(2);
    expect(badPolicy.stderr).toContain("option '--group-policy <policy>' argument 'strict' is invalid.");
    const nothing = await placement('candidates', '--required', 'CUSTOM_X');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("required option '--resources <amounts>' not specified (or give a --group)");
    expect(requests).toBe(before);
  });
});

/** One host with VCPU, and a child PF with the physnet trait and VFs. */
async function sriovHost(): Promise<{ host: string; pf: string }> {
  await env.gql('mutation { createTrait(input: { name: "CUSTOM_PHYSNET_A" }) { __typename } }');
  const host = await hostWith(env, 'cli-sriov', { VCPU: 8 });
  const pf = await createProvider(env, { name: 'cli-sriov-pf', parentProviderUuid: host.uuid });
  const { generation } = await setInventories(env, pf.uuid, pf.generation, [
    { resourceClass: 'SRIOV_NET_VF', total: 4 },
  ]);
  const traits = await env.gql<{ setProviderTraits: { __typename: string } }>(
    `mutation { setProviderTraits(input: { providerUuid: "${pf.uuid}", generation: ${generation}, traits: ["CUSTOM_PHYSNET_A"] }) { ${ERROR_FIELDS} } }`,
  );
  expect(traits.data?.setProviderTraits.__typename).toBe('ResourceProviderPayload');
  return { host: host.uuid, pf: pf.uuid };
}

describe('the compiled CLI against a real gateway', () => {
  const group = 'net-a:SRIOV_NET_VF=1;required=CUSTOM_PHYSNET_A';
  let world: { host: string; pf: string };
  beforeAll(async () => {
    world = await sriovHost();
  });

  it('candidates --group: a column per group class and the MAPPINGS column; --json has the mappings', async () => {
    const table = await placement('candidates', '--resources', 'VCPU:2', '--group', group);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const [head, row] = table.stdout.split('\n');
    expect(head).toMatch(/VCPU FREE\/CAP\s+net-a\/SRIOV_NET_VF FREE\/CAP\s+MAPPINGS$/);
    expect(row).toMatch(new RegExp(`8/8\\s+4/4\\s+-=${world.host} net-a=${world.pf}$`));
    const json = await placement('--json', 'candidates', '--resources', 'VCPU:2', '--group', group);
    expect(JSON.parse(json.stdout).candidates[0].mappings).toEqual([
      { group: '', providerUuids: [world.host] },
      { group: 'net-a', providerUuids: [world.pf] },
    ]);
  });

  it('claim --group places the VF on the PF and prints the mappings; the rows are in SQL', async () => {
    const consumer = '0c5fd7e4-51a5-4c3e-9d5a-2d8e2b7a9f10';
    const claimed = await placement(
      'claim',
      '--consumer',
      consumer,
      '--project',
      'p',
      '--user',
      'u',
      '--resources',
      'VCPU:2',
      '--group',
      group,
      '--alternates',
      '0',
    );
    expect(claimed.stderr).toBe('');
    expect(claimed.code).toBe(0);
    expect(claimed.stdout).toMatch(new RegExp(`^mappings: +-=${world.host} net-a=${world.pf}$`, 'm'));
    const rows = await env.sql<{ provider: string; cls: string; used: number }>(
      `SELECT p.uuid::text AS provider, rc.name AS cls, a.used::int AS used FROM allocations a
         JOIN consumers c ON c.id = a.consumer_id JOIN resource_providers p ON p.id = a.provider_id
         JOIN resource_classes rc ON rc.id = a.resource_class_id WHERE c.uuid = $1 ORDER BY cls`,
      [consumer],
    );
    expect(rows).toEqual([
      { provider: world.pf, cls: 'SRIOV_NET_VF', used: 1 },
      { provider: world.host, cls: 'VCPU', used: 2 },
    ]);
    await assertPlacementInvariants(env);
  });

  it('explain --group: a GROUP column, (host) for host steps, the group for its own', async () => {
    const result = await placement(
      'explain',
      '--resources',
      'VCPU:1',
      '--root-required',
      'CUSTOM_PHYSNET_A',
      '--group',
      'net-a:SRIOV_NET_VF=100;required=CUSTOM_PHYSNET_A',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [summary, head, ...rows] = result.stdout.trimEnd().split('\n');
    expect(summary).toMatch(/hosts? considered, 0 remain$/);
    expect(head).toMatch(/^STEP\s+GROUP\s+CONSTRAINT\s+DETAIL\s+ELIMINATED$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^\s*\d+\s+\(host\)\s+MISSING_ROOT_REQUIRED_TRAIT\s+CUSTOM_PHYSNET_A\s+\d+$/),
    );
    expect(rows).toContainEqual(expect.stringMatching(/^\s*\d+\s+net-a\s+GROUP_UNSATISFIED\s+net-a\s+\d+$/));
  });

  it('a service refusal of a grouped request: exit 1 with the field and rule', async () => {
    const result = await placement('candidates', '--group', 'a:VCPU=1', '--group', 'b:VCPU=1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[INVALID_INPUT]');
    expect(result.stderr).toContain('  field: request.groupPolicy\n');
    expect(result.stderr).toContain('  rule: required-with-groups\n');
  });
});
