/**
 * Plays one of Placement's functional tests (a gabbi YAML file), re-expressed call by call, on a
 * REST pair: each call goes to the real Placement and to our gateway, and every difference is
 * kept. Like gabbi, a playback has defaults (the file's microversion and request headers) that a
 * call may override, each call has the status the YAML expects (checked on Placement's answer),
 * and later calls may read values from earlier answers (gabbi's $RESPONSE, $HISTORY, $LOCATION):
 * they read Placement's normalised answer, where a generated uuid is a name (`<uuid-7>`) that
 * each side turns back into its own uuid when the name is sent.
 *
 * Calls are made one by one (`call`), or as a list of steps with their statuses (`play`).
 * Candidates-specific steps (request counts, `limit`) are in ./gabbit-candidates.ts.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { ALLOWED_DIFFERENCES } from '../rest-diff-allowlist.js';
import { resetPair } from './pair-reset.js';
import {
  describeCall,
  formatDifference,
  type HttpMethod,
  type PairedServers,
  type PairResult,
  type RestCall,
  type RestPair,
  startPairedServers,
} from './rest-pair.js';

export interface PlaybackDefaults {
  /** The file's `openstack-api-version` default (absent: none is sent, as 1.0). */
  version?: string;
  /** The file's default request headers besides the token and the version (accept, content-type). */
  headers?: Record<string, string>;
}

export type CallOptions = Omit<RestCall, 'method' | 'path'> & {
  /**
   * The status the YAML expects (gabbi's default: 200). Checked against Placement's answer, so a
   * re-expression that drifts from the upstream test (both servers refusing a mistyped call
   * alike) fails instead of comparing the wrong thing.
   */
  status?: number;
  /** Send no Accept header even though the file's defaults have one. */
  omitAccept?: boolean;
  /**
   * False: the answers are not compared here (the caller checks them another way, e.g. a
   * `limit` whose choice follows python's set order); the status is still checked.
   */
  compare?: boolean;
};

export type FixedStep = [HttpMethod, string, CallOptions?];
/** A step, or one built from the answers of the steps played before it in the same `play`. */
export type Step = FixedStep | ((results: readonly PairResult[]) => FixedStep);

/** What a playback found: differences no allowance covers, and which allowances matched. */
export interface PlaybackOutcome {
  unexpected: string[];
  /** Ids of the allowances (test/rest-diff-allowlist.ts) that covered at least one difference. */
  allowed: string[];
}

/** gabbi's default request headers in Placement's functional tests: JSON in, JSON out. */
export const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' } as const;

export class Playback {
  private readonly compared: PairResult[] = [];
  private readonly problems: string[] = [];

  constructor(
    readonly pair: RestPair,
    private readonly defaults: PlaybackDefaults = {},
  ) {}

  /** Sends one call to both servers with the defaults applied; its result, for later calls to read. */
  async call(method: HttpMethod, path: string, options: CallOptions = {}): Promise<PairResult> {
    const { status = 200, omitAccept = false, compare = true, ...rest } = options;
    const { accept: _accept, ...withoutAccept } = this.defaults.headers ?? {};
    const headers = { ...(omitAccept ? withoutAccept : this.defaults.headers), ...rest.headers };
    // `version: undefined` given on purpose sends no version header, as gabbi does then.
    const call: RestCall = { method, path, version: this.defaults.version, ...rest, headers };
    const result = await this.pair.send(call);
    if (compare) this.compared.push(result);
    if (result.placement.status !== status) {
      this.problems.push(
        `${describeCall(call)}: Placement answered ${result.placement.status}, the YAML expects ${status}`,
      );
    }
    return result;
  }

  /**
   * Plays steps in order, the i-th expecting the i-th status, and returns their answers. A step
   * written as a function reads the answers of the steps before it.
   */
  async play(steps: readonly Step[], statuses: readonly number[]): Promise<PairResult[]> {
    if (steps.length !== statuses.length)
      this.problems.push(`${steps.length} steps but ${statuses.length} expected statuses`);
    const played: PairResult[] = [];
    for (const [index, step] of steps.entries()) {
      const [method, path, options = {}] = typeof step === 'function' ? step(played) : step;
      played.push(await this.call(method, path, { status: statuses[index], ...options }));
    }
    return played;
  }

  /** Adds the results of a fixture's calls, so their differences count too; each must succeed. */
  include(results: readonly PairResult[]): void {
    this.compared.push(...results);
    for (const { call, placement } of results) {
      if (placement.status >= 300)
        this.problems.push(`${describeCall(call)}: fixture call answered ${placement.status}`);
    }
  }

  /** Records a mismatch found by a check of the caller's own (counts, limited answers). */
  note(problem: string): void {
    this.problems.push(problem);
  }

  /**
   * Every difference so far, split into those no allowance covers and the allowances used; the
   * calls where Placement did not answer the YAML's status count as unexpected too.
   */
  outcome(): PlaybackOutcome {
    const unexpected: string[] = [...this.problems];
    const allowed = new Set<string>();
    for (const result of this.compared) {
      for (const difference of result.differences) {
        const entry = ALLOWED_DIFFERENCES.find((e) => e.matches(result.call, difference, result));
        if (entry === undefined) unexpected.push(formatDifference(result.call, difference));
        else allowed.add(entry.id);
      }
    }
    return { unexpected, allowed: [...allowed].sort() };
  }
}

/** A value in Placement's normalised answer, by a path of keys and indexes; throws when absent. */
export function read(result: PairResult | undefined, ...path: (string | number)[]): unknown {
  if (result === undefined) throw new Error(`no earlier answer to read ${path.join('.')} from`);
  let value: unknown = result.placement.body;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !(key in value)) {
      throw new Error(`no ${path.join('.')} in Placement's answer to ${result.call.method} ${result.call.path}`);
    }
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** A string in Placement's normalised answer (a uuid or name to put in a later path). */
export function readText(result: PairResult | undefined, ...path: (string | number)[]): string {
  const value = read(result, ...path);
  if (typeof value !== 'string') throw new Error(`${path.join('.')} in Placement's answer is not a string`);
  return value;
}

/** The path of Placement's location header (gabbi's $LOCATION), generated uuids as names. */
export function location(result: PairResult | undefined): string {
  const value = result?.placement.headers.location;
  if (typeof value !== 'string') throw new Error(`no location in Placement's answer to ${result?.call.path}`);
  return value;
}

/** The href of a provider's link of one relation (`inventories`, …) in Placement's answer. */
export function link(result: PairResult, rel: string): string {
  const links = read(result, 'links') as { rel: string; href: string }[];
  const found = links.find((l) => l.rel === rel);
  if (found === undefined) throw new Error(`no ${rel} link in Placement's answer to ${result.call.path}`);
  return found.href;
}

export interface GabbitPair {
  /** The pair of the file (started before all tests). */
  pair(): RestPair;
  /** A playback on the pair with the YAML's defaults (`accept: application/json` unless headers are given). */
  playback(defaults?: PlaybackDefaults): Playback;
}

/**
 * Registers, in the calling test file, one pair of servers for the whole file (started before
 * all, closed after), by default emptied before each test as each upstream YAML starts from an
 * empty database; `emptyEach: false` leaves that to the file (gabbit-candidates' FixtureState,
 * which keeps a read-only fixture from one test to the next).
 */
export function gabbitPair({ emptyEach = true }: { emptyEach?: boolean } = {}): GabbitPair {
  let servers: PairedServers | undefined;
  beforeAll(async () => {
    servers = await startPairedServers();
  }, 120_000);
  afterAll(async () => {
    await servers?.close();
  });
  if (emptyEach) {
    beforeEach(async () => {
      if (servers !== undefined) await resetPair(servers.pair);
    }, 60_000);
  }
  const pair = (): RestPair => {
    if (servers === undefined) throw new Error('the paired servers did not start');
    return servers.pair;
  };
  return {
    pair,
    playback(defaults = {}) {
      return new Playback(pair(), { ...defaults, headers: defaults.headers ?? { accept: 'application/json' } });
    },
  };
}

/**
 * Asserts a playback found no difference but those the listed allowances cover: each of
 * `allowances` must cover one (else it hides nothing), each of `sometimes` may (an allowance for
 * something that depends on generated uuids, e.g. python's pprint sorting them, so it shows in
 * some runs and not in others).
 */
export function expectSame(run: Playback, allowances: readonly string[] = [], sometimes: readonly string[] = []): void {
  const outcome = run.outcome();
  expect(outcome.unexpected).toEqual([]);
  expect(outcome.allowed.filter((id) => !sometimes.includes(id))).toEqual([...allowances].sort());
}
