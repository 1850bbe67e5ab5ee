import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_DIFFERENCES, type AllowedDifference } from './rest-diff-allowlist.js';
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
 * or fails the test. REST_DIFF_SEED, REST_DIFF_SEQUENCES and REST_DIFF_LENGTH change the run;
 * the seed is printed so a failing run can be replayed.
 */
const SEED = Number(process.env.REST_DIFF_SEED ?? 1313);
const SEQUENCES = Number(process.env.REST_DIFF_SEQUENCES ?? 4);
const LENGTH = Number(process.env.REST_DIFF_LENGTH ?? 40);

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
  it(`seed ${SEED}: ${SEQUENCES} sequences of ${LENGTH} calls answer as Placement does`, async () => {
    const unexplained: Found[] = [];
    const allowedCounts = new Map<string, number>();
    const kinds = new Set<string>();
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      const generator = new SequenceGenerator(SEED + sequence, `s${sequence}`);
      for (let step = 0; step < LENGTH; step++) {
        const call = generator.next();
        kinds.add(call.kind);
        const result = await servers.pair.send(call);
        generator.observe(call, result.placement);
        for (const difference of result.differences) {
          const found = { call, kind: call.kind, sequence, step, difference };
          const entry = allowance(found, result);
          if (entry === undefined) unexplained.push(found);
          else allowedCounts.set(entry.id, (allowedCounts.get(entry.id) ?? 0) + 1);
        }
      }
    }

    const report = [`REST differential, seed ${SEED}, ${SEQUENCES}×${LENGTH} calls. Allowed differences:`];
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

    const reached = FAMILIES.filter((family) => [...kinds].some((kind) => kind.includes(family)));
    expect(reached).toEqual([...FAMILIES]);
    expect(unexplained.length, `${unexplained.length} unexplained differences (see the report above)`).toBe(0);
  }, 600_000);
});
