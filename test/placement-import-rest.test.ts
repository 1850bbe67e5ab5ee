import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { differingGets, providerPaths, runImport, serveImportTarget } from './support/import-compare.js';
import { placementWriter, populateSourceWorld, type SourceWorld } from './support/placement-source.js';
import { type RealPlacement, startRealPlacement } from './support/real-placement.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * After `placement import`, every GET of Placement's REST API answers on our /placement as it
 * does on the source (test/support/import-compare.ts says what may differ), at the newest
 * microversion and at a few older ones whose bodies differ.
 */

let source: RealPlacement;
let env: TestEnv;
let target: Awaited<ReturnType<typeof serveImportTarget>>;
let world: SourceWorld;

beforeAll(async () => {
  [source, env] = await Promise.all([startRealPlacement(), createTestEnv({ poolMax: 4 })]);
  target = await serveImportTarget(env);
  world = await populateSourceWorld(placementWriter(source.url));
  await runImport(source.url, target.origin);
}, 180_000);

afterAll(async () => {
  await target?.close();
  await env?.close();
  await source?.stop();
});

function paths(): string[] {
  const providers = [world.compute1, world.numa0, world.pf0, world.compute2, world.storage, world.spare];
  return [
    '/resource_providers',
    `/resource_providers?in_tree=${world.compute1}`,
    `/resource_providers?member_of=${world.aggregate}`,
    '/resource_providers?required=CUSTOM_RACK_A',
    '/resource_providers?resources=VCPU:1',
    '/resource_classes',
    '/resource_classes/CUSTOM_FPGA_X',
    '/traits?name=startswith:CUSTOM_',
    '/traits?associated=true',
    ...providers.flatMap(providerPaths),
    `/resource_providers/${world.compute1}/inventories/VCPU`,
    `/resource_providers/${world.storage}/inventories/DISK_GB`,
    `/allocations/${world.instance}`,
    `/allocations/${world.migration}`,
    `/allocations/${world.untyped}`,
    '/usages?project_id=p1',
    '/usages?project_id=p1&user_id=u2',
    '/usages?project_id=p2',
  ];
}

describe('after placement import, our REST API answers every GET as the source does', () => {
  for (const version of ['1.39', '1.38', '1.28', '1.14']) {
    it(`at ${version}`, async () => {
      const sides = {
        source: { url: source.url, token: 'admin' },
        ours: { url: `${target.origin}/placement`, token: TEST_ADMIN_TOKEN },
      };
      expect(await differingGets(sides, paths(), version)).toEqual([]);
    });
  }
});
