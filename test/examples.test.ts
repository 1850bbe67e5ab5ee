import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLACEMENT_API_VERSION } from '@placement-gateway/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { freePort } from './support/free-port.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import { type ProcessResult, runProcess } from './support/run-process.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * examples/scheduler-loop.ts as a user runs it: its own process, over HTTP, against a real
 * gateway on a fresh database. What it claims and moves is then checked in SQL.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function runExample(url: string, ...flags: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, ['--import', 'tsx', 'examples/scheduler-loop.ts', url, ...flags], {
    cwd: root,
    env: { ...process.env, PLACEMENT_URL: '', PLACEMENT_TOKEN: TEST_ADMIN_TOKEN },
  });
}

let env: TestEnv;
let server: Server;
let url: string;

beforeAll(async () => {
  env = await createTestEnv();
  server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
});

describe('examples/scheduler-loop.ts', () => {
  it('says the service refused, exit 1, when no host can take the request (nothing written)', async () => {
    const run = await runExample(url);
    expect(run.stderr).toContain('refused: no host can take the request');
    expect(run.code).toBe(1);
    expect(await env.sql('SELECT count(*)::int AS n FROM consumers')).toEqual([{ n: 0 }]);
  });

  it('exits 3 when the service cannot be reached', async () => {
    const run = await runExample(`http://127.0.0.1:${await freePort()}/graphql`);
    expect(run.stderr).toMatch(/^network error: cannot reach/m);
    expect(run.code).toBe(3);
  });

  it('claims, fails the build, reschedules to an alternate, and shows the final allocations', async () => {
    const cell = await env.gql<{ createCell: { cell: { uuid: string } } }>(
      `mutation { createCell(input: { name: "example-cell" }) { ${ERROR_FIELDS} ... on CellPayload { cell { uuid } } } }`,
    );
    const cellUuid: string = cell.data!.createCell.cell.uuid;
    const hosts = new Map<string, string>();
    for (const name of ['example-1', 'example-2', 'example-3']) {
      const host = await hostWith(env, name, { VCPU: 8, MEMORY_MB: 16384 }, { cellUuid });
      hosts.set(host.uuid, name);
    }

    const run = await runExample(url);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`placement service ${url} (API ${PLACEMENT_API_VERSION})`);
    expect(run.stdout).toContain('1. candidates for VCPU:2,MEMORY_MB:4096: 3');
    expect(run.stdout).toContain('(simulated)');

    const claimed = /^2\. claimed instance (\S+) on (\S+) (\S+) \(consumer generation 1\)$/m.exec(run.stdout);
    const moved = /^4\. rescheduled instance (\S+) to (\S+) (\S+) \(consumer generation 2\)$/m.exec(run.stdout);
    expect(claimed, run.stdout).not.toBeNull();
    expect(moved, run.stdout).not.toBeNull();
    const [, instance, , failedHost] = claimed!;
    const [, movedInstance, , newHost] = moved!;
    expect(movedInstance).toBe(instance);
    expect(newHost).not.toBe(failedHost);
    expect(hosts.has(failedHost!) && hosts.has(newHost!)).toBe(true);
    expect(run.stdout).toContain(`on the failed host ${hosts.get(failedHost!)}: nothing (released)`);

    // The database holds exactly the rescheduled claim: one consumer, generation 2, on the new host.
    const consumers = await env.sql('SELECT uuid::text, generation, project_id, user_id, consumer_type FROM consumers');
    expect(consumers).toEqual([
      { uuid: instance, generation: 2, project_id: 'demo', user_id: 'scheduler-example', consumer_type: 'INSTANCE' },
    ]);
    const allocations = await env.sql(
      `SELECT p.uuid::text AS provider, rc.name AS class, a.used
         FROM allocations a JOIN resource_providers p ON p.id = a.provider_id
         JOIN resource_classes rc ON rc.id = a.resource_class_id
        ORDER BY rc.name`,
    );
    expect(allocations).toEqual([
      { provider: newHost, class: 'MEMORY_MB', used: 4096 },
      { provider: newHost, class: 'VCPU', used: 2 },
    ]);
    const failedHostUsage = await env.sql(
      `SELECT COALESCE(sum(i.used), 0)::int AS used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id WHERE p.uuid = $1`,
      [failedHost],
    );
    expect(failedHostUsage).toEqual([{ used: 0 }]);
    await assertPlacementInvariants(env);
    await assertNoOvercommit(env);
  });

  it('--demo-world creates its cell and three hosts once, and a second run reuses them', async () => {
    const demo = await createTestEnv();
    const demoServer = createServer(demo.gateway);
    await new Promise<void>((resolve) => demoServer.listen(0, '127.0.0.1', resolve));
    const demoUrl = `http://127.0.0.1:${(demoServer.address() as AddressInfo).port}/graphql`;
    try {
      for (const round of [1, 2]) {
        const run = await runExample(demoUrl, '--demo-world');
        expect(run.stderr, `round ${round}`).toBe('');
        expect(run.code, `round ${round}`).toBe(0);
        expect(run.stdout).toContain(
          'demo world: cell example-cell with example-host-1, example-host-2, example-host-3',
        );
        expect(run.stdout).toMatch(/^4\. rescheduled instance /m);
      }
      const world = await demo.sql(
        `SELECT p.name, c.name AS cell, count(i.*)::int AS inventories FROM resource_providers p
           JOIN cells c ON c.id = p.cell_id LEFT JOIN inventories i ON i.provider_id = p.id GROUP BY p.name, c.name ORDER BY p.name`,
      );
      expect(world).toEqual(
        [1, 2, 3].map((n) => ({ name: `example-host-${n}`, cell: 'example-cell', inventories: 2 })),
      );
      expect(await demo.sql('SELECT count(*)::int AS n FROM consumers')).toEqual([{ n: 2 }]);
      await assertPlacementInvariants(demo);
      await assertNoOvercommit(demo);
    } finally {
      await new Promise<void>((resolve) => demoServer.close(() => resolve()));
      await demo.close();
    }
  });
});
