/**
 * Steps of Placement's allocation-candidates gabbits for the gabbit player (./gabbit-playback.ts):
 * each `GET /allocation_candidates` step also checks how many allocation requests Placement
 * answered, as the YAML does, and fixtures are shared between read-only scenarios.
 *
 * A `limit` below the number of candidates is compared apart (`limited` steps): which ones
 * Placement keeps follows its python set order, which changes from process to process, so
 * the two answers may or may not differ from run to run. Such a step asserts instead that
 * both keep as many requests and that every request and provider summary of ours is one of
 * Placement's answer to the same query without `limit` (stricter than the allow-list's
 * `candidates-limit-choice`, and the same every run).
 */

import { type CallOptions, expectSame, gabbitPair, Playback } from './gabbit-playback.js';
import { resetPair } from './pair-reset.js';
import type { HttpMethod, PairResult, RestCall, RestPair } from './rest-pair.js';

/**
 * What Placement's YAML expects of a call: its status and, for candidates, how many allocation
 * requests. Checked on the real Placement, so a scenario that drifted from the upstream test
 * (a wrong fixture, a mistyped query) fails even when both servers agree.
 */
export interface Expectation {
  status: number;
  requests?: number;
  /** A `limited` step: the same query without `limit`, whose Placement answer ours must be part of. */
  unlimitedPath?: string;
}

export type Step = [HttpMethod, string, Omit<RestCall, 'method' | 'path'>, Expectation];

/** Query parameters in the order given; an array repeats its key (`member_of=a&member_of=b`). */
export type Query = Record<string, string | readonly string[]>;

/** `key=value&…` written as is (Placement's query syntax `!`, `:` and `,` needs no escaping). */
export function queryString(query: Query): string {
  return Object.entries(query)
    .flatMap(([key, value]) => (typeof value === 'string' ? [value] : value).map((v) => `${key}=${v}`))
    .join('&');
}

function candidatesPath(query: Query | string): string {
  const text = typeof query === 'string' ? query : queryString(query);
  return `/allocation_candidates${text === '' ? '' : `?${text}`}`;
}

/** `GET /allocation_candidates?…` at a microversion, answered 200 with `requests` allocation requests. */
export function candidates(version: string, query: Query | string, requests: number): Step {
  return ['GET', candidatesPath(query), { version }, { status: 200, requests }];
}

/** A `limit` that keeps `requests` of more candidates: compared as part of Placement's whole answer. */
export function limited(version: string, query: string, requests: number): Step {
  const unlimited = query.replace(/(^|&)limit=[^&]*/g, '').replace(/^&/, '');
  return [
    'GET',
    candidatesPath(query),
    { version },
    { status: 200, requests, unlimitedPath: candidatesPath(unlimited) },
  ];
}

/** `GET /allocation_candidates?…` at a microversion, refused with `status` (400 unless told). */
export function refused(version: string, query: Query | string, status = 400): Step {
  return ['GET', candidatesPath(query), { version }, { status }];
}

function requestCount(result: PairResult): number | undefined {
  return (result.placement.body as { allocation_requests?: unknown[] } | null)?.allocation_requests?.length;
}

/**
 * Plays the steps (no default headers: each step says what it sends) and asserts: Placement's
 * statuses and request counts as the YAML expects, no difference left once the named allowances
 * are applied, and each named allowance used. Returns the steps' answers for further checks.
 */
export async function expectSameAnswers(
  pair: RestPair,
  steps: readonly Step[],
  allowances: readonly string[] = [],
): Promise<PairResult[]> {
  const run = new Playback(pair, { headers: {} });
  const results: PairResult[] = [];
  for (const [method, path, options, expected] of steps) {
    const limitedStep = expected.unlimitedPath !== undefined;
    const call: CallOptions = { ...options, status: expected.status, compare: !limitedStep };
    const result = await run.call(method, path, call);
    results.push(result);
    const requests = requestCount(result);
    if (expected.requests !== undefined && requests !== expected.requests)
      run.note(`${method} ${path}: Placement answered ${requests} requests, the YAML expects ${expected.requests}`);
    if (expected.unlimitedPath !== undefined) {
      const whole = await pair.send({ method: 'GET', path: expected.unlimitedPath, ...options });
      for (const problem of partOfWhole(path, result.ours.body, whole.placement.body, expected)) run.note(problem);
    }
  }
  expectSame(run, allowances);
  return results;
}

interface CandidatesBody {
  allocation_requests?: unknown[];
  provider_summaries?: Record<string, unknown>;
}

/** JSON with object keys sorted: two servers may write an object's keys in different orders. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Why our limited answer is not `expected.requests` requests and summaries out of Placement's whole answer (empty when it is). */
function partOfWhole(path: string, ours: unknown, whole: unknown, expected: Expectation): string[] {
  const mine = (ours ?? {}) as CandidatesBody;
  const all = (whole ?? {}) as CandidatesBody;
  const out: string[] = [];
  if (mine.allocation_requests?.length !== expected.requests)
    out.push(`${path}: ours kept ${mine.allocation_requests?.length} requests, not ${expected.requests}`);
  const wholeRequests = new Set((all.allocation_requests ?? []).map(canonical));
  for (const request of mine.allocation_requests ?? [])
    if (!wholeRequests.has(canonical(request)))
      out.push(`${path}: ours keeps ${canonical(request)}, not in Placement's answer`);
  for (const [uuid, summary] of Object.entries(mine.provider_summaries ?? {}))
    if (canonical(summary) !== canonical(all.provider_summaries?.[uuid]))
      out.push(`${path}: ours summarises ${uuid} as ${canonical(summary)}, Placement's answer does not`);
  return out;
}

type Fixture<T> = (pair: RestPair) => Promise<T>;

/**
 * Each scenario starts from its fixture on empty servers, as Placement's YAML files do. A
 * scenario that only reads (GET /allocation_candidates) leaves the fixture as it found it, so
 * the next scenario on the same fixture takes it as it is instead of emptying and rebuilding.
 */
export class FixtureState {
  private kept: Fixture<unknown> | null = null;

  constructor(private readonly pair: () => RestPair) {}

  /** The fixture for a scenario that changes nothing (kept for the next one on it). */
  async readOnly(fixture: Fixture<unknown>): Promise<void> {
    if (this.kept === fixture) return;
    await resetPair(this.pair());
    await fixture(this.pair());
    this.kept = fixture;
  }

  /** The fixture, freshly built, for a scenario that writes (rebuilt for whatever comes next). */
  async writable<T>(fixture: Fixture<T>): Promise<T> {
    this.kept = null;
    await resetPair(this.pair());
    return fixture(this.pair());
  }

  /** Empty servers (Placement's APIFixture). */
  async empty(): Promise<void> {
    this.kept = null;
    await resetPair(this.pair());
  }
}

/**
 * The pair of a candidates test file and its fixture state: the servers are emptied and the
 * fixture rebuilt by `fixtures` (only when a test needs another one or wrote), not before each test.
 */
export function candidatesPair(): { pair: () => RestPair; fixtures: FixtureState } {
  const { pair } = gabbitPair({ emptyEach: false });
  return { pair, fixtures: new FixtureState(pair) };
}
