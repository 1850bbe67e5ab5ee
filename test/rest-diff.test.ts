import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_DIFFERENCES, type AllowedDifference } from './rest-diff-allowlist.js';
import { resetPair } from './support/pair-reset.js';
import {
  type Difference,
  describeCall,
  formatDifference,
  type PairedServers,
  type RestCall,
  startPairedServers,
} from './support/rest-pair.js';
import { SequenceGenerator } from './support/rest-sequences.js';

/**
 * Random sequences of REST calls, valid and invalid, sent to the real Placement 8.0 and to our
 * /placement: every difference is either in test/rest-diff-allowlist.ts (printed with its reason)
 * or fails the test. Each seed is its own test, on both servers emptied first (resetPair), so a
 * seed replays alone exactly as it ran here: REST_DIFF_SEED=99 runs one seed (8 sequences unless
 * REST_DIFF_SEQUENCES says otherwise), REST_DIFF_SEEDS=1,2,3 several. By default three seeds of
 * 3 sequences, about as many calls as one seed of 8. REST_DIFF_LENGTH, REST_DIFF_TRACE and
 * REST_DIFF_DUMP change the run further; each test's name carries its seed.
 */
const SEEDS = (process.env.REST_DIFF_SEEDS ?? process.env.REST_DIFF_SEED ?? '1313,99,4242')
  .split(',')
  .map((seed) => Number(seed.trim()));
const SEQUENCES = Number(process.env.REST_DIFF_SEQUENCES ?? (process.env.REST_DIFF_SEED === undefined ? 3 : 8));
const LENGTH = Number(process.env.REST_DIFF_LENGTH ?? 60);
// Sequence i of seed S replays generator S + i: two seeds closer than SEQUENCES would replay a
// generator on servers that already saw it, and Placement keeps what resetPair cannot empty (a
// consumer written with no allocations stays, generation 0; /work/wt/rest-diffs.md).
for (const [i, a] of SEEDS.entries())
  for (const b of SEEDS.slice(i + 1))
    if (Math.abs(a - b) < SEQUENCES)
      throw new Error(`REST_DIFF_SEEDS ${a} and ${b} share generators: pick seeds at least ${SEQUENCES} apart`);
/** REST_DIFF_TRACE=1 prints every call and both statuses (to find what led to a difference). */
const TRACE = process.env.REST_DIFF_TRACE === '1';
/** REST_DIFF_DUMP=<file> writes every unexplained difference there in full, one JSON per line (the last seed's, with several). */
const DUMP = process.env.REST_DIFF_DUMP;

/** Endpoint families the generator must reach in every run (keeps it honest). */
const FAMILIES = [
  'provider',
  'inventor',
  'trait',
  'aggregates',
  'class',
  'allocations',
  'candidates',
  'usages',
  'reshaper',
] as const;

let servers: PairedServers;
beforeAll(async () => {
  servers = await startPairedServers();
}, 180_000);
afterAll(async () => servers?.close());

interface Found {
  call: RestCall;
  kind: string;
  sequence: number;
  step: number;
  difference: Difference;
}

/** The call's shape without its particulars: `GET /resource_providers/{uuid}/traits?required`. */
function template(call: RestCall): string {
  const [path = '', query] = call.path.split('?');
  const shape = path.replace(/<uuid-\d+>|[0-9a-f]{8}-[0-9a-f-]{27}/gi, '{uuid}');
  const keys = query === undefined ? '' : `?${[...new URLSearchParams(query).keys()].join('&')}`;
  return `${call.method} ${shape}${keys}`;
}

function allowance(found: Found, result: Parameters<AllowedDifference['matches']>[2]): AllowedDifference | undefined {
  return ALLOWED_DIFFERENCES.find((entry) => entry.matches(found.call, found.difference, result));
}

describe('REST differential: random sequences against the real Placement', () => {
  // Call kinds every seed reached, for the family check after the last one.
  const kinds = new Set<string>();
  let seedsRun = 0;

  it.each(SEEDS)(
    `seed %i: ${SEQUENCES} sequences of ${LENGTH} calls answer as Placement does`,
    async (seed) => {
      if (seedsRun++ > 0) await resetPair(servers.pair);
      const unexplained: Found[] = [];
      const allowedCounts = new Map<string, number>();
      for (let sequence = 0; sequence < SEQUENCES; sequence++) {
        const generator = new SequenceGenerator(seed + sequence, `s${sequence}`);
        for (let step = 0; step < LENGTH; step++) {
          const call = generator.next();
          kinds.add(call.kind);
          const result = await servers.pair.send(call);
          generator.observe(call, result.placement);
          if (TRACE) {
            const line = `s${sequence}#${step} ${describeCall(call)} ${JSON.stringify(call.body ?? call.rawBody ?? null).slice(0, 300)}`;
            console.log(
              `${line}\n  -> placement ${result.placement.status} ours ${result.ours.status} (${result.differences.length} differences)`,
            );
          }
          for (const difference of result.differences) {
            const found = { call, kind: call.kind, sequence, step, difference };
            const entry = allowance(found, result);
            if (entry === undefined) unexplained.push(found);
            else allowedCounts.set(entry.id, (allowedCounts.get(entry.id) ?? 0) + 1);
          }
        }
      }

      const report = [`REST differential, seed ${seed}, ${SEQUENCES}×${LENGTH} calls. Allowed differences:`];
      for (const entry of ALLOWED_DIFFERENCES) {
        report.push(`  [${entry.id}] matched ${allowedCounts.get(entry.id) ?? 0}×: ${entry.reason}`);
      }
      // One line per kind of difference (call shape and where), with the versions it showed at and a first example.
      const groups = new Map<string, Found[]>();
      for (const found of unexplained) {
        const key = `${template(found.call)} ${found.difference.where.replace(/\[\d+\]/g, '[]')}`;
        groups.set(key, [...(groups.get(key) ?? []), found]);
      }
      report.push(`Unexplained: ${unexplained.length} differences in ${groups.size} kinds.`);
      for (const [key, list] of groups) {
        const first = list[0]!;
        const versions = [...new Set(list.map((f) => f.call.version ?? (f.call.headers ? 'header' : 'none')))];
        report.push(
          `  ${key} (${list.length}× @${versions.slice(0, 8).join(',')}; first s${first.sequence}#${first.step})`,
        );
        report.push(`    ${formatDifference(first.call, first.difference).slice(0, 700)}`);
      }
      console.log(report.join('\n'));
      if (DUMP !== undefined) {
        await writeFile(DUMP, unexplained.map((found) => `${JSON.stringify(found)}\n`).join(''));
      }

      expect(unexplained.length, `${unexplained.length} unexplained differences (see the report above)`).toBe(0);
    },
    600_000,
  );

  it(`the seeds ${SEEDS.join(', ')} reach every endpoint family`, () => {
    const reached = FAMILIES.filter((family) => [...kinds].some((kind) => kind.includes(family)));
    expect(reached).toEqual([...FAMILIES]);
  });
});
