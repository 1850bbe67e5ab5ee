import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/**
 * The API versions this client package speaks: one set of operation documents each
 * (client/operations/<version>/), generated from that version's frozen schema. The last one
 * is the package's default entry. docs/CLIENT.md, "Compatibility".
 */
export const SUPPORTED_API_VERSIONS = ['1.0', '1.1', '1.2', '1.3', '1.4'] as const;

export type SupportedApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];

/** The request header that selects the API version; the server answers in that version. */
export const API_VERSION_HEADER = 'Placement-API-Version';

export interface PlacementClientOptions {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /**
   * The API token, sent as `Authorization: Bearer <token>`. Default: the PLACEMENT_TOKEN
   * environment variable (in Node), unless `headers` carries an Authorization header.
   */
  token?: string;
  /** Sent with every request; cannot override the version header. */
  headers?: Record<string, string>;
  /** A fetch implementation (default: the global one), e.g. to add tracing or a proxy. */
  fetch?: typeof fetch;
  /** Abort a request that has not answered after this long (default: no limit). */
  timeoutMs?: number;
}

/** One entry of a GraphQL response's `errors`, as the server sends it. */
export interface GraphQLErrorBody {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/**
 * `network`: no HTTP answer (refused, DNS, reset, timeout). `http`: an answer that is not a
 * GraphQL response (a proxy's 502, a wrong path). `graphql`: the server answered with
 * GraphQL errors (a malformed query argument, an unsupported API version, a masked failure).
 */
export type PlacementClientErrorKind = 'network' | 'http' | 'graphql';

/**
 * Everything that is not a typed result. Typed errors (NotFound, GenerationConflict, …) are
 * *returned* as members of the result unions; only failures outside the schema are thrown.
 */
export class PlacementClientError extends Error {
  override readonly name = 'PlacementClientError';
  readonly kind: PlacementClientErrorKind;
  /** HTTP status, when there was an HTTP answer. */
  readonly status: number | undefined;
  /** `extensions.code` of the first GraphQL error (e.g. INVALID_INPUT), when given. */
  readonly code: string | undefined;
  /** `extensions.field` and `extensions.rule` of an INVALID_INPUT argument error. */
  readonly field: string | undefined;
  readonly rule: string | undefined;
  /** `extensions.retryable`, when the server says whether retrying can help. */
  readonly retryable: boolean | undefined;
  /** Seconds to wait before retrying, from the Retry-After header (e.g. of a 503). */
  readonly retryAfterSeconds: number | undefined;
  /** All GraphQL errors of the response (empty for network and http failures). */
  readonly errors: readonly GraphQLErrorBody[];

  constructor(
    kind: PlacementClientErrorKind,
    message: string,
    details: {
      status?: number;
      errors?: readonly GraphQLErrorBody[];
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.errors = details.errors ?? [];
    const extensions = this.errors[0]?.extensions ?? {};
    this.code = typeof extensions.code === 'string' ? extensions.code : undefined;
    this.field = typeof extensions.field === 'string' ? extensions.field : undefined;
    this.rule = typeof extensions.rule === 'string' ? extensions.rule : undefined;
    this.retryable = typeof extensions.retryable === 'boolean' ? extensions.retryable : undefined;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** A member of a result union that is a typed error (every one has `code` and `message`). */
export type TypedErrorOf<T> = Extract<T, { code: string; message: string }>;
/** The members of a result union that are not typed errors: the payload. */
export type PayloadOf<T> = Exclude<T, { code: string; message: string }>;

/** True when a union result is one of the typed errors rather than the payload. */
export function isTypedError<T extends { __typename: string }>(result: T): result is TypedErrorOf<T> {
  return 'code' in result && 'message' in result;
}

/** A generated typed document (string mode): its text, and its result and variables types. */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

interface GraphQLResponseBody<TResult> {
  data?: TResult | null;
  errors?: GraphQLErrorBody[];
}

/**
 * Sends typed documents to a placement service in one API version: the version header on
 * every request, errors outside the schema thrown as PlacementClientError. Each version's
 * PlacementClient extends it.
 */
export class PlacementTransport {
  readonly url: string;
  readonly apiVersion: SupportedApiVersion;
  private readonly headers: Headers;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number | undefined;

  constructor(options: PlacementClientOptions, apiVersion: SupportedApiVersion) {
    this.url = options.url;
    this.apiVersion = apiVersion;
    // Headers.set replaces case-insensitively: a caller's headers cannot make the client speak
    // a version it has no documents for, nor change how the body is encoded.
    this.headers = new Headers(options.headers);
    this.headers.set('content-type', 'application/json');
    this.headers.set('accept', 'application/graphql-response+json, application/json');
    this.headers.set(API_VERSION_HEADER, apiVersion);
    const token = options.token ?? (this.headers.has('authorization') ? undefined : environmentToken());
    if (token) this.headers.set('authorization', `Bearer ${token}`);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs;
  }

  /** Runs one typed document; throws PlacementClientError unless the server returned data without errors. */
  async request<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify({ query: document.toString(), variables }),
        signal: this.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.timeoutMs),
      });
      // The body is read inside the try too: a reset or timeout mid-answer is a network failure.
      text = await response.text();
    } catch (cause) {
      throw new PlacementClientError('network', `cannot reach ${this.url}: ${describeCause(cause)}`, { cause });
    }
    let body: GraphQLResponseBody<TResult> | undefined;
    try {
      body = JSON.parse(text) as GraphQLResponseBody<TResult>;
    } catch {
      body = undefined;
    }
    if (!body || typeof body !== 'object' || (!('data' in body) && !Array.isArray(body.errors))) {
      throw new PlacementClientError(
        'http',
        `${this.url} answered HTTP ${response.status} ${response.statusText} without a GraphQL response`,
        { status: response.status, retryAfterSeconds: retryAfter(response.headers.get('retry-after')) },
      );
    }
    if (body.errors && body.errors.length > 0) {
      const first = body.errors[0]!;
      const more = body.errors.length > 1 ? ` (and ${body.errors.length - 1} more)` : '';
      throw new PlacementClientError('graphql', `${first.message}${more}`, {
        status: response.status,
        errors: body.errors,
        retryAfterSeconds: retryAfter(response.headers.get('retry-after')),
      });
    }
    if (body.data == null) {
      throw new PlacementClientError('http', `${this.url} answered HTTP ${response.status} with no data`, {
        status: response.status,
      });
    }
    return body.data;
  }
}

/** PLACEMENT_TOKEN where there is a process environment (Node), else nothing (browsers). */
function environmentToken(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.PLACEMENT_TOKEN || undefined;
}

/** Retry-After in seconds (the service sends delta-seconds, not HTTP dates). */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    // undici wraps the socket error (ECONNREFUSED, ENOTFOUND) in `cause`.
    const inner = cause.cause;
    if (inner instanceof Error) {
      const code = 'code' in inner && typeof inner.code === 'string' ? inner.code : undefined;
      return code ? `${code} (${inner.message})` : inner.message;
    }
    if (cause.name === 'TimeoutError') return 'no answer before the timeout';
    return cause.message;
  }
  return String(cause);
}
