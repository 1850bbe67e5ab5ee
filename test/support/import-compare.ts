/**
 * Compares GETs of Placement's REST API on an importer's source with the same GETs on our
 * /placement after `placement import`: the uuids are the same on both sides, so nothing is
 * mapped; request ids and the mount prefix of links are the only differences allowed, and
 * lists whose order Placement leaves to its database are sorted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import type { TestEnv } from './harness.js';
import { runProcess } from './run-process.js';
import { TEST_ADMIN_TOKEN } from './test-token.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI_BIN = path.join(ROOT, 'cli', 'bin', 'placement.js');

export interface GetAnswer {
  status: number;
  body: unknown;
}

export async function getNormalised(base: string, token: string, urlPath: string, version: string): Promise<GetAnswer> {
  const response = await fetch(`${base}${urlPath}`, {
    headers: { 'x-auth-token': token, 'openstack-api-version': `placement ${version}`, accept: 'application/json' },
  });
  const text = await response.text();
  const body = JSON.parse(text, (key, value) => {
    if (key === 'request_id') return '<request id>';
    if (key === 'href' && typeof value === 'string') return value.replace(/^\/placement/, '');
    // Placement leaves the order of these lists to its database.
    if ((key === 'traits' || key === 'aggregates') && Array.isArray(value)) return [...value].sort();
    if (key === 'resource_providers' && Array.isArray(value))
      return [...value].sort((a, b) => String(a.uuid).localeCompare(String(b.uuid)));
    return value;
  }) as unknown;
  return { status: response.status, body };
}

/** The GETs that show one provider: itself, its inventories, traits, aggregates, usages and allocations. */
export function providerPaths(uuid: string): string[] {
  return [
    `/resource_providers/${uuid}`,
    `/resource_providers/${uuid}/inventories`,
    `/resource_providers/${uuid}/traits`,
    `/resource_providers/${uuid}/aggregates`,
    `/resource_providers/${uuid}/usages`,
    `/resource_providers/${uuid}/allocations`,
  ];
}

export interface ImportSides {
  source: { url: string; token: string };
  ours: { url: string; token: string };
}

/** Every path whose answers differ, with both answers (empty: identical). */
export async function differingGets(
  sides: ImportSides,
  paths: readonly string[],
  version: string,
): Promise<{ urlPath: string; theirs: GetAnswer; ours: GetAnswer }[]> {
  const differences: { urlPath: string; theirs: GetAnswer; ours: GetAnswer }[] = [];
  for (const urlPath of paths) {
    const theirs = await getNormalised(sides.source.url, sides.source.token, urlPath, version);
    const ours = await getNormalised(sides.ours.url, sides.ours.token, urlPath, version);
    // JSON objects are compared as objects: key order is the serialiser's, not the answer's.
    if (!isDeepStrictEqual(ours, theirs)) differences.push({ urlPath, theirs, ours });
  }
  return differences;
}

/** A gateway served over HTTP for `placement import` to write into; its origin and how to stop it. */
export async function serveImportTarget(env: TestEnv): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((request, response) => env.gateway(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs the real CLI's `placement import --from <source>` into the gateway at `origin` (as admin); it must succeed. */
export async function runImport(sourceUrl: string, origin: string): Promise<void> {
  const imported = await runProcess(process.execPath, [CLI_BIN, 'import', '--from', sourceUrl, '--token', 'admin'], {
    cwd: ROOT,
    env: { ...process.env, PLACEMENT_URL: `${origin}/graphql`, PLACEMENT_TOKEN: TEST_ADMIN_TOKEN },
  });
  expect(imported.code, imported.stderr).toBe(0);
}
