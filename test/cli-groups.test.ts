import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupPolicy, requestGroup } from '../cli/parse.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
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
  env = await createTestEnv({ access: { serveHead: true } });
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
