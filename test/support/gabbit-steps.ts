/**
 * Plays a re-expressed Placement functional test (a gabbi YAML file) on a REST pair: steps as
 * `[method, path, options]`, with the YAML's defaults (its Accept header and microversion; the
 * admin token is the pair's own), and steps that need an earlier response ($LOCATION,
 * $RESPONSE in the YAML) written as functions of the results so far.
 */
import { ALLOWED_DIFFERENCES } from '../rest-diff-allowlist.js';
import { formatDifference, type HttpMethod, type PairResult, type RestCall, type RestPair } from './rest-pair.js';

export type StepOptions = Omit<RestCall, 'method' | 'path'> & {
  /** Send no Accept header even though the YAML's defaults have one. */
  omitAccept?: boolean;
};
export type FixedStep = [HttpMethod, string, StepOptions?];
/** A step, or one built from the results of the steps before it (gabbi's $LOCATION / $RESPONSE). */
export type Step = FixedStep | ((results: readonly PairResult[]) => FixedStep);

export interface GabbitDefaults {
  /** The YAML's default microversion (`latest`, `1.15`, …); absent: no version header unless a step sets one. */
  version?: string;
  /** The YAML's default Accept header; absent: none (a step may still send one). */
  accept?: string;
  /** Other headers the YAML sends on every call (its `content-type`, even on a GET). */
  headers?: Record<string, string>;
}

export interface GabbitOutcome {
  results: PairResult[];
  /** Differences no allowance covers, one line each. */
  unexplained: string[];
  /** Ids of allowances that covered at least one difference. */
  allowancesUsed: string[];
}

/** Plays the steps in order on both servers; a difference does not stop it. */
export async function playGabbit(
  pair: RestPair,
  steps: readonly Step[],
  defaults: GabbitDefaults = {},
): Promise<GabbitOutcome> {
  const results: PairResult[] = [];
  const unexplained: string[] = [];
  const used = new Set<string>();
  for (const step of steps) {
    const [method, path, { omitAccept = false, ...options } = {}] = typeof step === 'function' ? step(results) : step;
    const accept: Record<string, string> =
      defaults.accept === undefined || omitAccept ? {} : { accept: defaults.accept };
    const call: RestCall = {
      method,
      path,
      ...(defaults.version === undefined ? {} : { version: defaults.version }),
      ...options,
      headers: { ...accept, ...defaults.headers, ...options.headers },
    };
    const result = await pair.send(call);
    results.push(result);
    for (const difference of result.differences) {
      const allowance = ALLOWED_DIFFERENCES.find((a) => a.matches(call, difference, result));
      if (allowance === undefined) unexplained.push(formatDifference(call, difference));
      else used.add(allowance.id);
    }
  }
  return { results, unexplained, allowancesUsed: [...used].sort() };
}

/** The Location header path (normalised, so generated uuids are named) of one earlier result. */
export function locationOf(result: PairResult | undefined): string {
  const location = result?.placement.headers.location;
  if (typeof location !== 'string') throw new Error('the step this one follows answered no Location');
  return location;
}

/** A field of an earlier result's JSON body (Placement's side, normalised). */
export function bodyField(result: PairResult | undefined, ...path: (string | number)[]): string {
  let value: unknown = result?.placement.body;
  for (const key of path) value = (value as Record<string | number, unknown> | null)?.[key];
  if (typeof value !== 'string') throw new Error(`no string at ${path.join('.')} in the earlier response`);
  return value;
}

/** The statuses Placement answered, in order: a scenario asserts them against the YAML's expectations. */
export function placementStatuses(outcome: GabbitOutcome): number[] {
  return outcome.results.map((r) => r.placement.status);
}

/** A fixture's setup failed on a server, or the two servers disagreed about it. */
export class FixtureSetupError extends Error {
  constructor(call: RestCall, detail: string) {
    super(`fixture setup ${call.method} ${call.path}: ${detail}`);
    this.name = 'FixtureSetupError';
  }
}

/**
 * Sends a fixture's setup calls to both servers; each must succeed on both, with no difference
 * (a fixture that silently failed would make every scenario after it meaningless).
 */
export async function setUp(pair: RestPair, calls: readonly RestCall[]): Promise<void> {
  for (const call of calls) {
    const result = await pair.send({ ...call, headers: { accept: 'application/json', ...call.headers } });
    const status = result.placement.status;
    if (status >= 300 || result.ours.status >= 300)
      throw new FixtureSetupError(call, `placement ${status}, ours ${result.ours.status}`);
    const [first] = result.differences;
    if (first !== undefined) throw new FixtureSetupError(call, formatDifference(call, first));
  }
}
