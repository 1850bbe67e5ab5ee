import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type DocumentNode, Kind, parse, type SelectionSetNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../src/versions.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { fencedBlocks, README, section } from './support/readme.js';

/**
 * The README's five-minute tour, run as written: every ```graphql block in order (a ```json
 * block right after one is its variables), each pasted into the README's own curl recipe and
 * run by bash with real curl against a gateway process on a fresh database. `<name uuid>`
 * placeholders get the uuid an earlier step returned for the object called `name`. No step
 * may answer an error or a typed Error member. Then the tour's warnings are checked: a
 * replayed idempotency key returns the stored answer, and an empty alternates list releases
 * the claim.
 */

const run = promisify(execFile);
const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Step {
  index: number;
  query: string;
  variables?: string;
}

interface Reply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

const tour = section(README, 'Five-minute tour');
const blocks = fencedBlocks(tour);
const [recipe, example] = blocks.filter((b) => b.lang === 'sh');
const tokenStep = blocks.find((b) => b.lang === 'sh' && b.body.includes('tokens create'));
const steps: Step[] = blocks.flatMap((block, i) => {
  if (block.lang !== 'graphql') return [];
  const next = blocks[i + 1];
  const variables = next?.lang === 'json' && next.before.trim() === '' ? next.body : undefined;
  return [{ index: i, query: block.body, variables }];
});

let env: TestEnv;
let gateway: GatewayProcess;
let workDir: string;

beforeAll(async () => {
  env = await createTestEnv(2);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'readme-tour-'));
  // A database without tokens, as on a first start: the gateway writes .data/admin-token in
  // the folder the recipe runs in, and the recipe reads it.
  await env.sql('DELETE FROM api_tokens');
  gateway = await startGatewayProcess({
    databaseUrl: env.url,
    env: { PLACEMENT_ADMIN_TOKEN: '', DATA_DIR: path.join(workDir, '.data') },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await env?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The recipe as the README prints it, pointed at the test's gateway instead of port 4000. */
function served(script: string): string {
  expect(script).toContain('http://localhost:4000/graphql');
  return script.replaceAll('http://localhost:4000', gateway.url);
}

/** Runs the README's recipe, then `invocation`, through bash in the work directory; parses what curl printed. */
async function viaCurl(invocation: string): Promise<Reply> {
  const { stdout } = await run('bash', ['-c', `${served(recipe!.body)}${invocation}`], { cwd: workDir });
  try {
    return JSON.parse(stdout) as Reply;
  } catch {
    throw new Error(`curl printed no JSON:\n${stdout}`);
  }
}

/** The README's example invocation with `query` pasted between its heredoc lines, and the variables file when there is one. */
function invocationFor(query: string, variablesFile?: string): string {
  const [first, ...rest] = example!.body.split('\n');
  expect(first).toBe("gql <<'EOF'");
  expect(rest.at(-2)).toBe('EOF');
  const command = variablesFile ? `gql ${variablesFile} <<'EOF'` : first!;
  return `${command}\n${query}EOF\n`;
}

/** name → uuid of every object with both, in every answer so far. */
const uuidsByName = new Map<string, string>();

function collectUuids(value: unknown): void {
  if (Array.isArray(value)) for (const item of value) collectUuids(item);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.name === 'string' && typeof record.uuid === 'string') uuidsByName.set(record.name, record.uuid);
    for (const child of Object.values(record)) collectUuids(child);
  }
}

function fillPlaceholders(text: string): string {
  const filled = text.replaceAll(/<([^<>\s][^<>]*) uuid>/g, (placeholder, name: string) => {
    const uuid = uuidsByName.get(name);
    if (!uuid) throw new Error(`${placeholder}: no earlier step returned a uuid for "${name}"`);
    return uuid;
  });
  expect(filled, 'a placeholder the reader cannot fill').not.toMatch(/<[^<>\n]+>/);
  return filled;
}

/** Typed errors anywhere in an answer: objects carrying an Error's `code` and `message`. */
function errorMembers(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(errorMembers);
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.code === 'string' && typeof record.message === 'string') return [record];
  return Object.values(record).flatMap(errorMembers);
}

/** Whether a selection set (through named fragments) has `... on Error { code message }`. */
function selectsError(selectionSet: SelectionSetNode, document: DocumentNode): boolean {
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const fields = selection.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
      if (selection.typeCondition?.name.value === 'Error' && fields.includes('code') && fields.includes('message'))
        return true;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      return fragment?.kind === Kind.FRAGMENT_DEFINITION && selectsError(fragment.selectionSet, document);
    }
    return false;
  });
}

/** Root fields of the step's mutations that do not select `... on Error { code message }`. */
function mutationFieldsWithoutError(query: string): string[] {
  const document = parse(query);
  return document.definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'mutation') return [];
    return definition.selectionSet.selections.flatMap((field) =>
      field.kind === Kind.FIELD && !(field.selectionSet && selectsError(field.selectionSet, document))
        ? [field.alias?.value ?? field.name.value]
        : [],
    );
  });
}

/** Answers by step, in tour order. */
const answers: { step: Step; query: string; variables?: unknown; reply: Reply }[] = [];

function answerOf(field: string): { query: string; variables?: unknown; reply: Reply } {
  const answer = answers.find((a) => a.reply.data && field in a.reply.data);
  if (!answer) throw new Error(`no tour step answered ${field}`);
  return answer;
}

describe('the README tour', () => {
  it('is there: two hosts, a claim, a reschedule with variables, and the curl recipe', () => {
    expect(recipe?.body).toMatch(/^TOKEN=\$\(cat \.data\/admin-token\)\ngql\(\) \{/);
    expect(recipe?.body).toContain(`-H 'Placement-API-Version: ${LATEST_VERSION}'`);
    expect(example?.body).toMatch(/^gql <<'EOF'\n/);
    const text = steps.map((s) => s.query).join('\n');
    for (const needle of ['name: "compute-1"', 'name: "compute-2"', 'claim(', 'reschedule(', 'explainPlacement('])
      expect(text).toContain(needle);
    expect(steps.filter((s) => s.variables).map((s) => s.query)).toEqual([expect.stringContaining('reschedule(')]);
  });

  it("the README's own curl example runs as printed", async () => {
    const reply = await viaCurl(example!.body);
    expect(reply.errors).toBeUndefined();
    expect(reply.data).toEqual({ resourceClasses: { edges: expect.any(Array) } });
  });

  it('every mutation selects `... on Error { code message }`', () => {
    for (const step of steps) expect(mutationFieldsWithoutError(step.query), step.query).toEqual([]);
  });

  it('every step runs in order through the curl recipe, with no error and no typed Error member', async () => {
    for (const step of steps) {
      const query = fillPlaceholders(step.query);
      let variablesFile: string | undefined;
      let variables: unknown;
      if (step.variables) {
        const text = fillPlaceholders(step.variables);
        variables = JSON.parse(text);
        variablesFile = `step-${step.index}.json`;
        await writeFile(path.join(workDir, variablesFile), text);
      }
      const reply = await viaCurl(invocationFor(query, variablesFile));
      const what = `${query}\n→ ${JSON.stringify(reply)}`;
      expect(reply.errors, what).toBeUndefined();
      expect(reply.data, what).toBeTruthy();
      expect(errorMembers(reply.data), what).toEqual([]);
      collectUuids(reply.data);
      answers.push({ step, query, variables, reply });
    }
    expect(answers).toHaveLength(steps.length);
  });

  it('explainPlacement eliminates hosts, as the tour says', () => {
    const explanation = answerOf('explainPlacement').reply.data!.explainPlacement as {
      providersConsidered: number;
      remaining: number;
      steps: { constraint: string; eliminated: number }[];
    };
    expect(explanation.providersConsidered).toBe(2);
    expect(explanation.remaining).toBe(0);
    expect(explanation.steps.filter((s) => s.eliminated > 0).map((s) => s.constraint)).toEqual([
      'MISSING_REQUIRED_TRAIT',
      'NOT_ENOUGH_CAPACITY',
    ]);
  });

  it("claim picks compute-2 with compute-1 as alternate, and reschedule's variables are its alternates pasted as is", () => {
    const claim = answerOf('claim').reply.data!.claim as {
      selections: { resourceProvider: { name: string }; consumerGeneration: number; alternates: unknown[] }[];
    };
    const [selection] = claim.selections;
    expect(selection?.resourceProvider.name).toBe('compute-2');
    const reschedule = answerOf('reschedule');
    const input = (reschedule.variables as { input: { alternates: unknown[]; consumerGeneration: number } }).input;
    expect(input.alternates).toEqual(selection?.alternates);
    expect(input.consumerGeneration).toBe(selection?.consumerGeneration);
    expect(reschedule.reply.data).toEqual({
      reschedule: {
        selection: {
          providerUuid: uuidsByName.get('compute-1'),
          resourceProvider: { name: 'compute-1' },
          consumerGeneration: 2,
        },
      },
    });
  });
});

describe("the tour's warnings hold", () => {
  it('replaying the claim (idempotency key build-42) after the reschedule returns the stored answer and claims nothing', async () => {
    const claim = answerOf('claim');
    const allocationsBefore = await env.sql('SELECT count(*)::int AS n FROM allocations');
    const replay = await viaCurl(invocationFor(claim.query));
    expect(replay).toEqual(claim.reply);
    expect(await env.sql('SELECT count(*)::int AS n FROM allocations')).toEqual(allocationsBefore);
    const [consumer] = await env.sql<{ name: string }>(
      `SELECT p.name FROM allocations a JOIN consumers c ON c.id = a.consumer_id JOIN resource_providers p ON p.id = a.provider_id
        WHERE c.uuid = '7d3f1c0e-0000-4000-8000-000000000002' LIMIT 1`,
    );
    expect(consumer?.name).toBe('compute-1'); // still where reschedule moved it, not where the replay says
  });

  it('an empty alternates list releases the claim: NoValidHost, and the consumer holds nothing', async () => {
    const reschedule = answerOf('reschedule');
    const { input } = reschedule.variables as { input: Record<string, unknown> };
    await writeFile(
      path.join(workDir, 'empty.json'),
      JSON.stringify({ input: { ...input, consumerGeneration: 2, alternates: [] } }),
    );
    const reply = await viaCurl(invocationFor(reschedule.query, 'empty.json'));
    expect(reply.data).toEqual({
      reschedule: {
        hostsTried: [],
        code: 'NO_VALID_HOST',
        message: 'no alternates were given; consumer 7d3f1c0e-0000-4000-8000-000000000002 now holds no allocations',
      },
    });
    const consumer = await viaCurl(
      invocationFor('{ consumer(uuid: "7d3f1c0e-0000-4000-8000-000000000002") { generation } }\n'),
    );
    expect(consumer).toEqual({ data: { consumer: null } });
  });

  it('a 1.0 request for `utilization` gets the error the tour quotes', async () => {
    const quoted = '`utilization` exists from 1.1; send `Placement-API-Version: 1.1`';
    expect(tour).toContain(quoted);
    const lookAround = answerOf('usages');
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${(await readFile(path.join(workDir, '.data/admin-token'), 'utf8')).trim()}`,
      },
      body: JSON.stringify({ query: lookAround.query }),
    });
    const reply = (await response.json()) as Reply;
    expect(reply.errors?.map((e) => e.message)).toEqual([expect.stringContaining(quoted)]);
  });

  it('step 8 runs as printed: the CLI makes a SCHEDULER token from the admin token, and PLACEMENT_TOKEN carries it', async () => {
    expect(tokenStep?.body).toMatch(/^export PLACEMENT_TOKEN=\$\(npx placement tokens create /);
    // The reader's `npx placement` is this checkout's bin; the work directory is not the checkout.
    const script = tokenStep!.body.replaceAll(
      'npx placement ',
      `node ${path.join(repository, 'cli/bin/placement.js')} `,
    );
    const outcome = await run('bash', ['-c', script], {
      cwd: workDir,
      env: { ...process.env, PLACEMENT_URL: `${gateway.url}/graphql`, PLACEMENT_TOKEN: '', DATA_DIR: '' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    const { stdout, stderr } = outcome;
    // The candidates table, then the token listing; the refused create says why on stderr.
    expect(stdout).toMatch(/^#\s+HOST\s+UUID/m);
    expect(stdout).toMatch(/^tour-scheduler\s+\d+\s+SCHEDULER\s+-\s/m);
    expect(stderr).toMatch(
      /^error: createResourceProvider needs role ADMIN or higher; .* has role SCHEDULER \[FORBIDDEN\]$/m,
    );
    expect(stderr.split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(await env.sql(`SELECT role, revoked_at FROM api_tokens WHERE name = 'tour-scheduler'`)).toEqual([
      { role: 'SCHEDULER', revoked_at: null },
    ]);
    expect(await env.sql(`SELECT 1 FROM resource_providers WHERE name = 'compute-3'`)).toEqual([]);
  });
});
