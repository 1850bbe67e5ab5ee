import { PlacementClientError } from '@placement-gateway/client';
import { SourceError } from './commands/import/errors.js';

/**
 * Exit codes, documented in docs/CLIENT.md. Scripts branch on them, so they never change
 * meaning: 1 the service answered and refused, 2 the command line was wrong, 3 the service
 * could not be reached (or something that is not the service answered), 4 the service is
 * busy or cannot serve right now and says retrying can help, 5 a bug in the CLI.
 */
export const EXIT = {
  ok: 0,
  refused: 1,
  usage: 2,
  unreachable: 3,
  retryLater: 4,
  internal: 5,
} as const;

/** A command line the CLI cannot turn into a request (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The service answered and said no: a typed error, a NoValidHost, or something missing.
 * `detail` lines say what exactly (the field and rule of an InvalidInput, the generations of
 * a conflict); `result` is what --json prints to stdout.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  readonly detail: ReadonlyArray<readonly [string, string]>;
  readonly result: unknown;
  /** A block printed after the detail, e.g. the explanation of a NoValidHost. */
  readonly extra: string | undefined;
  /** The service said the same call can succeed later (exit 4 instead of 1). */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: {
      detail?: ReadonlyArray<readonly [string, string]>;
      result?: unknown;
      extra?: string;
      retryable?: boolean;
    } = {},
  ) {
    super(message);
    this.detail = options.detail ?? [];
    this.result = options.result;
    this.extra = options.extra;
    this.retryable = options.retryable ?? false;
  }
}

/** Fields every typed error has, or that only matter to programs. */
const NOT_DETAIL = new Set(['__typename', 'code', 'message', 'explanation']);

/** `expectedConsumerGeneration` → `expected consumer generation`. */
function words(fieldName: string): string {
  return fieldName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

const FORBIDDEN_HINT = '(nothing was changed; use a token with that role: --token or PLACEMENT_TOKEN)';

/**
 * What a FORBIDDEN refusal says beyond its message: the role the operation needs and the
 * token's. The same words whether it came as a GraphQL error (its extensions) or as a typed
 * error member of a result union (its fields), so scripts and people see one shape.
 */
function forbiddenDetail(fields: Record<string, unknown>): Array<readonly [string, string]> {
  const detail: Array<readonly [string, string]> = [];
  if (typeof fields.requiredRole === 'string') detail.push(['required role', fields.requiredRole]);
  if (typeof fields.role === 'string') detail.push(['token role', fields.role]);
  return detail;
}

/** A typed error (any member of a result union with `code` and `message`) in plain words. */
export function refusalFromTypedError(
  error: { __typename: string; code: string; message: string },
  extra?: string,
): Refusal {
  if (error.code === 'FORBIDDEN')
    return new Refusal(`${error.message} [${error.code}]`, {
      detail: forbiddenDetail(error),
      result: error,
      extra: `  ${FORBIDDEN_HINT}`,
    });
  const detail: Array<readonly [string, string]> = [];
  for (const [key, value] of Object.entries(error)) {
    if (NOT_DETAIL.has(key) || value === undefined) continue;
    detail.push([
      words(key),
      Array.isArray(value) ? value.join(', ') || '(none)' : value === null ? 'none' : String(value),
    ]);
  }
  // RetryLimitExceeded says retryable: nothing was written and the same call can succeed later.
  const retryable = 'retryable' in error && error.retryable === true;
  return new Refusal(`${error.message} [${error.code}]`, { detail, result: error, extra, retryable });
}

/** The exit code and the stderr text for anything a command threw. */
export function describeFailure(error: unknown): { exitCode: number; lines: string[] } {
  if (error instanceof UsageError) {
    return { exitCode: EXIT.usage, lines: [`error: ${error.message}`, `(see placement --help)`] };
  }
  if (error instanceof Refusal) {
    const lines = [`error: ${error.message}`, ...error.detail.map(([key, value]) => `  ${key}: ${value}`)];
    if (error.extra) lines.push(error.extra);
    return { exitCode: error.retryable ? EXIT.retryLater : EXIT.refused, lines };
  }
  if (error instanceof PlacementClientError) {
    if (error.kind === 'graphql') {
      const lines = [`error: ${error.message}${error.code ? ` [${error.code}]` : ''}`];
      if (error.field) lines.push(`  field: ${error.field}`);
      if (error.rule) lines.push(`  rule: ${error.rule}`);
      if (error.retryable !== undefined) lines.push(`  retryable: ${error.retryable}`);
      if (error.retryAfterSeconds !== undefined) lines.push(`  retry after: ${error.retryAfterSeconds} s`);
      if (error.code === 'UNAUTHENTICATED')
        lines.push('  (set a token with --token or PLACEMENT_TOKEN; a local gateway wrote one to .data/admin-token)');
      if (error.code === 'FORBIDDEN') {
        lines.push(...forbiddenDetail(error.errors[0]?.extensions ?? {}).map(([key, value]) => `  ${key}: ${value}`));
        lines.push(`  ${FORBIDDEN_HINT}`);
      }
      return { exitCode: error.retryable ? EXIT.retryLater : EXIT.refused, lines };
    }
    const hint =
      error.kind === 'network'
        ? '  (is the service running there? set its address with --url or PLACEMENT_URL)'
        : '  (is that the GraphQL endpoint of the service, e.g. http://host:4000/graphql? set it with --url or PLACEMENT_URL)';
    return { exitCode: EXIT.unreachable, lines: [`error: ${error.message}`, hint] };
  }
  if (error instanceof SourceError) {
    // The source of `placement import`: a token it refuses is a refusal; anything else means
    // it could not be read as a Placement at all.
    const refused = error.kind === 'http' && (error.status === 401 || error.status === 403);
    const hint =
      error.kind === 'http'
        ? '  (nothing was written)'
        : '  (nothing was written; is --from the address of the Placement API, e.g. http://controller:8778?)';
    return { exitCode: refused ? EXIT.refused : EXIT.unreachable, lines: [`error: ${error.message}`, hint] };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { exitCode: EXIT.internal, lines: [`internal error (a bug in the CLI, please report it):`, text] };
}
