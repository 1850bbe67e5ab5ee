import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLACEMENT_API_VERSION } from '@placement-gateway/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, refusalFromTypedError } from '../cli/errors.js';
import { openDatabase } from '../src/db.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { hostWith } from './support/fixtures.js';
import { freePort } from './support/free-port.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';
import { type ProcessResult, runProcess } from './support/run-process.js';
import { TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * The real `placement` CLI, compiled (the bin of cli/package.json, a child process; vitest's
 * global setup builds it first) against a real gateway
 * served over node:http on a fresh database: tables, --json, errors on stderr, exit codes.
 * What the CLI wrote is checked in SQL, not only through its own output.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Run = ProcessResult;

function run(command: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return runProcess(command, args, {
    cwd: root,
    env: { ...process.env, PLACEMENT_URL: url, PLACEMENT_TOKEN: TEST_ADMIN_TOKEN, ...extraEnv },
  });
}

/** The bin that `npm install` links as `placement`: plain JavaScript running the compiled CLI. */
const bin = path.join(
  root,
  'cli',
  (JSON.parse(readFileSync(path.join(root, 'cli/package.json'), 'utf8')) as CliPackage).bin.placement,
);
interface CliPackage {
  bin: { placement: string };
}

const placement = (...args: string[]) => run(process.execPath, [bin, ...args]);

/** Runs a command that must succeed and returns its stdout. */
async function ok(...args: string[]): Promise<string> {
  const result = await placement(...args);
  expect(result.stderr, `placement ${args.join(' ')}`).toBe('');
  expect(result.code, `placement ${args.join(' ')}`).toBe(0);
  return result.stdout;
}

async function json<T>(...args: string[]): Promise<T> {
  return JSON.parse(await ok('--json', ...args)) as T;
}

/** The cell of `column` in each data row, cut at the header's start (left-aligned columns). */
function column(table: string, header: string): string[] {
  const [head, ...rows] = table.trimEnd().split('\n');
  const start = head!.indexOf(header);
  expect(start, `column ${header} in ${head}`).toBeGreaterThanOrEqual(0);
  return rows.map((row) =>
    row
      .slice(start)
      .split(/\s{2,}/)[0]!
      .trim(),
  );
}

let env: TestEnv;
let server: Server;
let url: string;
const versionHeaders: Array<string | undefined> = [];
let tmp: string;

beforeAll(async () => {
  env = await createTestEnv();
  // The gateway itself, served as `npm start` serves it; the wrapper only records the version header.
  server = createServer((request, response) => {
    if (request.url?.startsWith('/graphql'))
      versionHeaders.push(request.headers['placement-api-version'] as string | undefined);
    return env.gateway(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'placement-cli-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('placement CLI', () => {
  const world = { cell: '', hosts: {} as Record<string, string> };
  const instance = randomUUID();

  it('prints help and its API version, exit 0', async () => {
    const help = await ok('--help');
    for (const command of [
      'providers',
      'inventory',
      'traits',
      'aggregates',
      'cells',
      'allocations',
      'usages',
      'candidates',
      'explain',
      'claim',
      'reschedule',
      'tokens',
    ]) {
      expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(await ok('--version')).toBe(`placement CLI, API ${PLACEMENT_API_VERSION}\n`);
  });

  it('builds a world: cells, providers, inventories, traits, aggregates (written as asked, checked in SQL)', async () => {
    expect(await ok('cells', 'create', 'cell-a')).toMatch(/^created cell cell-a [0-9a-f-]{36}\n$/);
    world.cell = (await json<{ cells: Array<{ uuid: string; name: string }> }>('cells', 'list')).cells[0]!.uuid;
    const created = await json<{ uuid: string; name: string; generation: number }>(
      'providers',
      'create',
      'host-1',
      '--cell',
      world.cell,
    );
    expect(created).toMatchObject({ name: 'host-1', generation: 0 });
    world.hosts['host-1'] = created.uuid;
    await ok('inventory', 'set', created.uuid, 'VCPU', '--total', '8', '--ratio', '2');
    const memory = await ok('inventory', 'set', created.uuid, 'MEMORY_MB', '--total', '16384', '--reserved', '1024');
    expect(memory.split('\n')[0]).toBe('host-1 (generation 2)');
    // The other hosts are the same shape; made through the API directly to keep this file quick.
    for (const name of ['host-2', 'host-3']) {
      const host = await hostWith(
        env,
        name,
        { VCPU: { total: 8, allocationRatio: 2 }, MEMORY_MB: { total: 16384, reserved: 1024 } },
        { cellUuid: world.cell },
      );
      world.hosts[name] = host.uuid;
    }
    const traits = await ok('traits', 'set', world.hosts['host-1']!, 'HW_CPU_X86_AVX2', 'STORAGE_DISK_SSD');
    expect(traits).toBe('host-1 (generation 3) has HW_CPU_X86_AVX2, STORAGE_DISK_SSD\n');
    const aggregate = randomUUID();
    expect(await ok('aggregates', 'set', world.hosts['host-2']!, aggregate)).toBe(
      `host-2 (generation 2) is in ${aggregate}\n`,
    );

    const inventories = await env.sql(
      `SELECT p.name, rc.name AS class, i.total, i.reserved, i.allocation_ratio::float AS ratio
         FROM inventories i JOIN resource_providers p ON p.id = i.provider_id JOIN resource_classes rc ON rc.id = i.resource_class_id
        ORDER BY p.name, rc.name`,
    );
    expect(inventories).toHaveLength(6);
    expect(inventories[1]).toEqual({ name: 'host-1', class: 'VCPU', total: 8, reserved: 0, ratio: 2 });
    expect(inventories[0]).toEqual({ name: 'host-1', class: 'MEMORY_MB', total: 16384, reserved: 1024, ratio: 1 });
    expect(await env.sql('SELECT count(*)::int AS n FROM provider_aggregates')).toEqual([{ n: 1 }]);
  });

  it('lists providers and shows one as aligned tables', async () => {
    const list = await ok('providers', 'list');
    const table = list.trimEnd().split('\n').slice(0, -1).join('\n');
    expect(column(table, 'NAME')).toEqual(['host-1', 'host-2', 'host-3']);
    expect(column(table, 'UUID')).toEqual([world.hosts['host-1'], world.hosts['host-2'], world.hosts['host-3']]);
    expect(column(table, 'CELL')).toEqual(['cell-a', 'cell-a', 'cell-a']);
    expect(column(table, 'USAGE (used/capacity)')[0]).toBe('MEMORY_MB 0/15360, VCPU 0/16');
    expect(list.trimEnd().split('\n').at(-1)).toBe('3 providers');

    const limited = await json<{ totalCount: number; providers: unknown[] }>('providers', 'list', '--limit', '2');
    expect(limited.totalCount).toBe(3);
    expect(limited.providers).toHaveLength(2);

    const show = await ok('providers', 'show', world.hosts['host-1']!);
    expect(show).toContain(`uuid:       ${world.hosts['host-1']}`);
    expect(show).toContain('traits:     HW_CPU_X86_AVX2, STORAGE_DISK_SSD');
    const inventoryTable = show.slice(show.indexOf('CLASS'));
    expect(column(inventoryTable, 'CLASS')).toEqual(['MEMORY_MB', 'VCPU']);
    // Numbers are right-aligned: each value ends where its header ends.
    const [head, memory] = inventoryTable.split('\n');
    const capacityEnd = head!.indexOf('CAPACITY') + 'CAPACITY'.length;
    expect(memory!.slice(0, capacityEnd).trimEnd().endsWith(' 15360')).toBe(true);
    expect(memory!.slice(0, capacityEnd).length).toBe(capacityEnd);
  });

  it('finds candidates with the request flags, as a table and as JSON', async () => {
    const table = await ok('candidates', '--resources', 'VCPU:2,MEMORY_MB:4096', '--required', 'HW_CPU_X86_AVX2');
    expect(column(table.trimEnd().split('\n').slice(0, -1).join('\n'), 'HOST')).toEqual(['host-1']);
    expect(table).toContain('VCPU FREE/CAP');
    expect(table.trimEnd().endsWith('1 candidate')).toBe(true);

    const all = await json<{ candidates: Array<{ providerUuid: string; weight: number }> }>(
      'candidates',
      '--resources',
      'VCPU:2',
      '--forbidden',
      'HW_CPU_X86_AVX2',
      '--cell',
      world.cell,
      '--limit',
      '5',
    );
    expect(all.candidates.map((c) => c.providerUuid).sort()).toEqual(
      [world.hosts['host-2'], world.hosts['host-3']].sort(),
    );
    expect(all.candidates.every((c) => c.weight === 1)).toBe(true);
  });

  it('explains which constraint eliminated the hosts', async () => {
    const explanation = await ok('explain', '--resources', 'VCPU:100', '--required', 'STORAGE_DISK_SSD');
    expect(explanation.split('\n')[0]).toBe('3 hosts considered, 0 remain');
    const table = explanation.slice(explanation.indexOf('STEP'));
    expect(column(table, 'CONSTRAINT')).toContain('MISSING_REQUIRED_TRAIT');
    expect(column(table, 'CONSTRAINT')).toContain('NOT_ENOUGH_CAPACITY');
  });

  it('claims with alternates, reschedules from the claim JSON, and the database agrees', async () => {
    const claimFile = path.join(tmp, 'claim.json');
    const claimed = await ok(
      '--json',
      'claim',
      '--consumer',
      instance,
      '--project',
      'proj',
      '--user',
      'ops',
      '--type',
      'INSTANCE',
      '--resources',
      'VCPU:2,MEMORY_MB:4096',
      '--alternates',
      '2',
      '--idempotency-key',
      `cli-${instance}`,
    );
    await writeFile(claimFile, claimed);
    const selection = JSON.parse(claimed).selections[0];
    expect(selection.consumerUuid).toBe(instance);
    expect(selection.alternates).toHaveLength(2);
    const firstHost: string = selection.providerUuid;

    const shown = await ok('allocations', 'show', instance);
    expect(shown).toContain('project:    proj');
    expect(shown).toContain('generation: 1');
    expect(column(shown.slice(shown.indexOf('PROVIDER')), 'PROVIDER UUID')).toEqual([firstHost, firstHost]);

    const moved = await ok('reschedule', instance, '--alternates-file', claimFile);
    const target: string = selection.alternates[0].providerUuid;
    expect(moved.split('\n')[0]).toMatch(new RegExp(`^moved consumer ${instance} to host-\\d \\(${target}\\)$`));
    expect(moved).toContain('consumer generation: 2');

    const rows = await env.sql(
      `SELECT p.uuid::text AS provider, rc.name AS class, a.used, c.generation
         FROM allocations a JOIN consumers c ON c.id = a.consumer_id
         JOIN resource_providers p ON p.id = a.provider_id JOIN resource_classes rc ON rc.id = a.resource_class_id
        WHERE c.uuid = $1 ORDER BY rc.name`,
      [instance],
    );
    expect(rows).toEqual([
      { provider: target, class: 'MEMORY_MB', used: 4096, generation: 2 },
      { provider: target, class: 'VCPU', used: 2, generation: 2 },
    ]);

    const usages = await ok('usages', '--project', 'proj');
    expect(usages.split('\n')[0]).toBe('1 consumer');
    expect(column(usages.slice(usages.indexOf('CLASS')), 'CLASS')).toEqual(['MEMORY_MB', 'VCPU']);
    await assertPlacementInvariants(env);
  });

  it('sets and deletes allocations by hand (reading the consumer generation when none is given)', async () => {
    const consumer = randomUUID();
    const host = world.hosts['host-3']!;
    const written = await json<{ consumers: Array<{ generation: number }> }>(
      'allocations',
      'set',
      consumer,
      '--project',
      'proj',
      '--user',
      'ops',
      '--allocation',
      `${host}=VCPU:1,MEMORY_MB:512`,
    );
    expect(written.consumers[0]!.generation).toBe(1);
    await ok('allocations', 'set', consumer, '--project', 'proj', '--user', 'ops', '--allocation', `${host}=VCPU:3`);
    expect(
      await env.sql('SELECT a.used FROM allocations a JOIN consumers c ON c.id = a.consumer_id WHERE c.uuid = $1', [
        consumer,
      ]),
    ).toEqual([{ used: 3 }]);
    expect(await ok('allocations', 'delete', consumer)).toBe(`deleted the allocations of consumer ${consumer}\n`);
    expect(await env.sql('SELECT 1 FROM consumers WHERE uuid = $1', [consumer])).toEqual([]);
  });

  it('reports typed errors in plain words with field and rule, exit 1, nothing written', async () => {
    const host = world.hosts['host-2']!;
    const invalid = await placement('inventory', 'set', host, 'VCPU', '--total', '0');
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/^error: .* \[INVALID_INPUT\]$/m);
    expect(invalid.stderr).toContain('  field: inventory.total\n');
    expect(invalid.stderr).toContain('  rule: min:1\n');
    expect(
      await env.sql(
        `SELECT i.total FROM inventories i JOIN resource_providers p ON p.id = i.provider_id JOIN resource_classes rc ON rc.id = i.resource_class_id WHERE p.uuid = $1 AND rc.name = 'VCPU'`,
        [host],
      ),
    ).toEqual([{ total: 8 }]);

    const conflict = await placement('traits', 'set', host, 'HW_CPU_X86_SSE', '--generation', '0');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/\[GENERATION_CONFLICT\]/);
    expect(conflict.stderr).toContain('  expected: 0\n');
    expect(conflict.stderr).toMatch(/ {2}actual: \d+\n/);

    const missing = await placement('traits', 'set', host, 'CUSTOM_NOT_THERE');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[NOT_FOUND\]/);
    expect(missing.stderr).toContain('  field: traits[0]\n');

    const busyCell = await placement('cells', 'delete', world.cell);
    expect(busyCell.code).toBe(1);
    expect(busyCell.stderr).toMatch(/\[IN_USE\]/);

    const unknown = await placement('providers', 'show', randomUUID());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: provider [0-9a-f-]{36} not found\n$/);

    // An argument the service rejects before running the query: a GraphQL error with extensions.
    const malformed = await placement('providers', 'show', 'not-a-uuid');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/\[INVALID_INPUT\]/);
    expect(malformed.stderr).toContain('  rule: uuid\n');
  });

  it('prints the typed error as JSON on stdout too with --json', async () => {
    const result = await placement('--json', 'cells', 'create', 'cell-a');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      __typename: 'AlreadyExists',
      code: 'ALREADY_EXISTS',
      field: 'name',
      value: 'cell-a',
    });
    expect(result.stderr).toMatch(/\[ALREADY_EXISTS\]/);
  });

  it('explains a NoValidHost claim on stderr, exit 1, nothing claimed', async () => {
    const before = await env.sql('SELECT count(*)::int AS n FROM consumers');
    const result = await placement('claim', '--project', 'proj', '--user', 'ops', '--resources', 'VCPU:64');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/\[NO_VALID_HOST\]/);
    expect(result.stderr).toContain('3 hosts considered, 0 remain');
    expect(result.stderr).toMatch(/NOT_ENOUGH_CAPACITY\s+VCPU:64\s+3/);
    expect(await env.sql('SELECT count(*)::int AS n FROM consumers')).toEqual(before);
  });

  it('rejects a malformed command line with exit 2 before calling the service', async () => {
    const requestsBefore = versionHeaders.length;
    const badResources = await placement('candidates', '--resources', 'VCPU=2');
    expect(badResources.code).toBe(2);
    expect(badResources.stderr).toContain('"VCPU=2" is not CLASS:AMOUNT');
    const unknownCommand = await placement('frobnicate');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
    const missingOption = await placement('claim', '--resources', 'VCPU:1');
    expect(missingOption.code).toBe(2);
    expect(missingOption.stderr).toContain("required option '--project <id>' not specified");
    const noAlternates = await placement('reschedule', instance);
    expect(noAlternates.code).toBe(2);
    expect(noAlternates.stderr).toContain('give the alternates');
    const badLimit = await placement('providers', 'list', '--limit', 'ten');
    expect(badLimit.code).toBe(2);
    expect(versionHeaders.length).toBe(requestsBefore);
  });

  it('exits 3 when the service cannot be reached or the URL is not its GraphQL endpoint', async () => {
    const down = await placement('--url', `http://127.0.0.1:${await freePort()}/graphql`, 'cells', 'list');
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:\d+\/graphql: ECONNREFUSED/);
    const wrongPath = await run(process.execPath, [bin, 'cells', 'list'], {
      PLACEMENT_URL: url.replace('/graphql', '/nope'),
    });
    expect(wrongPath.code).toBe(3);
    expect(wrongPath.stderr).toContain('answered HTTP 404');
  });

  it('exits 4 when the service answers that retrying later can help (its database is down)', async () => {
    // A real gateway whose database is a port nothing listens on: it answers 503, retryable.
    const deadDb = openDatabase(`postgres://placement@127.0.0.1:${await freePort()}/placement`, 2, 2_000);
    const gateway = createServer(createGateway(deadDb, createLogger('silent')));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const port = (gateway.address() as AddressInfo).port;
      const result = await placement('--url', `http://127.0.0.1:${port}/graphql`, 'cells', 'list');
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toMatch(/^error: The database is unavailable.*\[DATABASE_UNAVAILABLE\]$/m);
      expect(result.stderr).toContain('  retryable: true\n');
      expect(result.stderr).toMatch(/ {2}retry after: \d+ s\n/);
    } finally {
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      await deadDb.close();
    }
  });

  it('sent Placement-API-Version with every request', () => {
    expect(versionHeaders.length).toBeGreaterThan(20);
    expect(new Set(versionHeaders)).toEqual(new Set([PLACEMENT_API_VERSION]));
  });

  it('runs as `npx placement` and `npm run placement --` from the repository', async () => {
    // Offline: the bin must come from this package, never from a registry.
    const viaNpx = await run('npx', ['--offline', 'placement', '--json', 'cells', 'list'], {
      npm_config_offline: 'true',
    });
    expect(viaNpx.code, viaNpx.stderr).toBe(0);
    expect(JSON.parse(viaNpx.stdout).cells[0].name).toBe('cell-a');
    const viaScript = await run('npm', ['run', '--silent', 'placement', '--', '--version']);
    expect(viaScript.code, viaScript.stderr).toBe(0);
    expect(viaScript.stdout).toBe(`placement CLI, API ${PLACEMENT_API_VERSION}\n`);
  });
});

describe('placement CLI: the token', () => {
  it('without one: exit 1, UNAUTHENTICATED, and where to get one', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'placement-cli-no-token-'));
    try {
      const result = await run(process.execPath, [bin, 'cells', 'list'], { PLACEMENT_TOKEN: '', DATA_DIR: empty });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('[UNAUTHENTICATED]');
      expect(result.stderr).toContain('--token or PLACEMENT_TOKEN');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('falls back to <DATA_DIR>/admin-token, and --token wins over PLACEMENT_TOKEN', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'placement-cli-token-file-'));
    try {
      await writeFile(path.join(dataDir, 'admin-token'), `${TEST_ADMIN_TOKEN}\n`, { mode: 0o600 });
      const fromFile = await run(process.execPath, [bin, 'cells', 'list'], { PLACEMENT_TOKEN: '', DATA_DIR: dataDir });
      expect([fromFile.code, fromFile.stderr]).toEqual([0, '']);
      const bogus = 'pgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      const flag = await run(process.execPath, [bin, '--token', TEST_ADMIN_TOKEN, 'cells', 'list'], {
        PLACEMENT_TOKEN: bogus,
      });
      expect([flag.code, flag.stderr]).toEqual([0, '']);
      const env = await run(process.execPath, [bin, 'cells', 'list'], { PLACEMENT_TOKEN: bogus, DATA_DIR: dataDir });
      expect(env.code).toBe(1); // the environment wins over the file
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('placement tokens', () => {
  interface TokenJson {
    id: string;
    name: string;
    role: string;
    projectId: string | null;
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
  }

  /** The CLI run with another token than the test's ADMIN one. */
  const placementAs = (secret: string, ...args: string[]) =>
    run(process.execPath, [bin, ...args], { PLACEMENT_TOKEN: secret });

  it('create → list shows it → the secret works as a bearer → revoke → it gets 401', async () => {
    const created = await ok('tokens', 'create', '--name', 'cli-scheduler', '--role', 'SCHEDULER', '--project', 'demo');
    const [summary, secretLine, ...rest] = created.trimEnd().split('\n');
    expect(summary).toMatch(/^created token cli-scheduler \(id \d+\): role SCHEDULER, project demo$/);
    expect(secretLine).toMatch(/^secret: pgw_\S+$/);
    expect(rest).toEqual([]);
    const secret = secretLine!.slice('secret: '.length);
    // Only the hash is stored: the secret itself is nowhere in the database.
    const [row] = await env.sql<{ role: string; project_id: string; stored: boolean }>(
      `SELECT role, project_id, strpos(row_to_json(t)::text, $2) > 0 AS stored FROM api_tokens t WHERE name = $1`,
      ['cli-scheduler', secret],
    );
    expect(row).toEqual({ role: 'SCHEDULER', project_id: 'demo', stored: false });

    const listed = await ok('tokens', 'list');
    const table = listed.trimEnd().split('\n').slice(0, -1).join('\n');
    expect(column(table, 'NAME')).toContain('cli-scheduler');
    const line = table.split('\n').find((l) => l.startsWith('cli-scheduler'))!;
    expect(line).toMatch(/ SCHEDULER +demo +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +- +-$/);
    expect(listed).not.toContain(secret);

    // The secret works: a SCHEDULER reads and claims, and the listing then shows it was used.
    const cells = await placementAs(secret, '--json', 'cells', 'list');
    expect([cells.code, cells.stderr]).toEqual([0, '']);
    expect(JSON.parse(cells.stdout).cells[0].name).toBe('cell-a');
    const used = await json<{ tokens: TokenJson[] }>('tokens', 'list');
    expect(used.tokens.find((t) => t.name === 'cli-scheduler')?.lastUsedAt).toEqual(expect.any(String));

    expect(await ok('tokens', 'revoke', 'cli-scheduler')).toMatch(
      /^revoked token cli-scheduler \(id \d+\): role SCHEDULER, project demo\n$/,
    );
    const refused = await placementAs(secret, 'cells', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[UNAUTHENTICATED]');
    const raw = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${secret}`,
        'placement-api-version': PLACEMENT_API_VERSION,
      },
      body: JSON.stringify({ query: '{ cells { totalCount } }' }),
    });
    expect(raw.status).toBe(401);

    // Revoked tokens leave the default listing; --all shows them with the time of revocation.
    expect(column((await ok('tokens', 'list')).trimEnd(), 'NAME')).not.toContain('cli-scheduler');
    const all = await json<{ totalCount: number; tokens: TokenJson[] }>('tokens', 'list', '--all');
    expect(all.tokens.find((t) => t.name === 'cli-scheduler')?.revokedAt).toEqual(expect.any(String));
    expect(all.totalCount).toBe(all.tokens.length);
  });

  it('--json prints the payload with the secret; --quiet only the secret; revoke takes an id', async () => {
    const created = await json<{ __typename: string; secret: string; token: TokenJson }>(
      'tokens',
      'create',
      '--name',
      'cli-json',
      '--role',
      'reader',
    );
    expect(created).toMatchObject({
      __typename: 'CreateApiTokenPayload',
      secret: expect.stringMatching(/^pgw_/),
      token: { name: 'cli-json', role: 'READER', projectId: null, revokedAt: null },
    });
    const quiet = await ok('tokens', 'create', '--name', 'cli-quiet', '--role', 'READER', '-q');
    expect(quiet).toMatch(/^pgw_\S+\n$/);
    const reads = await placementAs(quiet.trim(), 'cells', 'list');
    expect([reads.code, reads.stderr]).toEqual([0, '']);

    const revoked = await json<TokenJson>('tokens', 'revoke', created.token.id);
    expect(revoked).toMatchObject({ id: created.token.id, name: 'cli-json', revokedAt: expect.any(String) });
    expect(
      await env.sql('SELECT revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE name = $1', ['cli-json']),
    ).toEqual([{ revoked: true }]);
    const missing = await placement('tokens', 'revoke', 'no-such-token');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[NOT_FOUND\]/);
  });

  it('on a terminal, warns once that the secret is shown only now', async () => {
    // script(1) gives the CLI a pseudo-terminal as stdout and stderr, as a person's shell would.
    const command = [process.execPath, bin, 'tokens', 'create', '--name', 'cli-tty', '--role', 'READER']
      .map((word) => `'${word}'`)
      .join(' ');
    const result = await run('script', ['-qec', command, '/dev/null']);
    expect(result.code, result.stdout).toBe(0);
    const lines = result.stdout.split(/\r?\n/).filter(Boolean);
    expect(lines.filter((l) => l.includes('shown only now'))).toEqual([
      'note: the secret is shown only now (the service keeps only its hash); store it now',
    ]);
    expect(lines.some((l) => /^secret: pgw_/.test(l))).toBe(true);
    // Without a terminal (every other test here) there is no such line.
    const piped = await placement('tokens', 'create', '--name', 'cli-piped', '--role', 'READER');
    expect(piped.stderr).toBe('');
  });

  it('a READER token is refused with FORBIDDEN, told which role is needed, and nothing is created', async () => {
    const reader = (await ok('tokens', 'create', '--name', 'cli-reader', '--role', 'READER', '-q')).trim();
    const before = await env.sql('SELECT count(*)::int AS n FROM api_tokens');
    for (const args of [
      ['tokens', 'create', '--name', 'cli-escalate', '--role', 'ADMIN'],
      ['tokens', 'list'],
      ['tokens', 'revoke', 'cli-reader'],
    ]) {
      const refused = await placementAs(reader, ...args);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^error: \w+ needs role ADMIN or higher; .* has role READER \[FORBIDDEN\]$/m);
      expect(refused.stderr).toContain('  required role: ADMIN\n');
      expect(refused.stderr).toContain('  token role: READER\n');
    }
    expect(await env.sql('SELECT count(*)::int AS n FROM api_tokens')).toEqual(before);
    expect(await env.sql('SELECT revoked_at FROM api_tokens WHERE name = $1', ['cli-reader'])).toEqual([
      { revoked_at: null },
    ]);
  });

  it('refuses a bad role or a missing option with exit 2 before calling the service', async () => {
    const requestsBefore = versionHeaders.length;
    const badRole = await placement('tokens', 'create', '--name', 'cli-owner', '--role', 'OWNER');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('"OWNER" is not a role; roles are ADMIN, SCHEDULER, READER.');
    const noRole = await placement('tokens', 'create', '--name', 'cli-owner');
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain("required option '--role <role>' not specified");
    const noName = await placement('tokens', 'revoke');
    expect(noName.code).toBe(2);
    expect(versionHeaders.length).toBe(requestsBefore);
    expect(await env.sql('SELECT 1 FROM api_tokens WHERE name = $1', ['cli-owner'])).toEqual([]);
  });
});

describe('placement CLI: FORBIDDEN as a typed error member', () => {
  it('prints the same role lines as the GraphQL error does (a mutation union may carry Forbidden)', () => {
    const member = {
      __typename: 'Forbidden',
      code: 'FORBIDDEN',
      message: 'createApiToken needs role ADMIN or higher; the token "r" has role READER',
      requiredRole: 'ADMIN',
      role: 'READER',
    };
    expect(describeFailure(refusalFromTypedError(member))).toEqual({
      exitCode: 1,
      lines: [
        `error: ${member.message} [FORBIDDEN]`,
        '  required role: ADMIN',
        '  token role: READER',
        '  (nothing was changed; use a token with that role: --token or PLACEMENT_TOKEN)',
      ],
    });
  });
});
