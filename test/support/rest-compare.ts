/**
 * Differential calls for the REST layer's own tests: the same request to the real Placement
 * (token `admin`) and to our /placement (an ADMIN API token in X-Auth-Token), answered as
 * comparable records: status, the headers that matter, the body with request ids dropped,
 * our mount prefix removed from links and Location, and generated uuids mapped by order of
 * appearance (uuids the test chose itself stay as they are).
 */
import type { TestEnv } from './harness.js';
import type { RealPlacement } from './real-placement.js';

export interface CallOptions {
  version?: string;
  body?: unknown;
  /** Sent as is (a malformed document); sets content-type application/json unless headers say otherwise. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Tokens for each side; defaults: 'admin' and the env's admin token. null: none. */
  theirToken?: string | null;
  ourToken?: string | null;
}

export interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
}

const COMPARED_HEADERS = [
  'openstack-api-version',
  'vary',
  'allow',
  'content-type',
  'location',
  'cache-control',
  'last-modified',
] as const;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** One side's answer, normalised: Last-Modified only as present/absent, mount prefix gone. */
async function answer(response: Response, mount: string): Promise<Answer> {
  const headers: Record<string, string | null> = {};
  for (const name of COMPARED_HEADERS) headers[name] = response.headers.get(name);
  if (headers['last-modified'] !== null) headers['last-modified'] = '<date>';
  const location = headers.location;
  if (location) headers.location = new URL(location).pathname.replace(mount, '');
  const text = await response.text();
  let body: unknown = text;
  if (text !== '' && (headers['content-type'] ?? '').startsWith('application/json')) {
    body = JSON.parse(text, (key, value) => {
      if (key === 'request_id') return '<request id>';
      if (key === 'href' && typeof value === 'string') return value.replace(mount, '');
      // Placement leaves the order of these lists to the database: compared as sets.
      if ((key === 'traits' || key === 'aggregates') && Array.isArray(value)) return [...value].sort();
      return value;
    });
  }
  return { status: response.status, headers, body };
}

/** Maps uuids not in `fixed` to <uuid-1>, <uuid-2>… in order of appearance, per side. */
export function mapUuids(value: unknown, fixed: ReadonlySet<string>): unknown {
  const seen = new Map<string, string>();
  const text = JSON.stringify(value).replace(UUID, (uuid) => {
    const lower = uuid.toLowerCase();
    if (fixed.has(lower)) return lower;
    if (!seen.has(lower)) seen.set(lower, `<uuid-${seen.size + 1}>`);
    return seen.get(lower)!;
  });
  return JSON.parse(text);
}

export class RestPair {
  readonly fixedUuids = new Set<string>();

  constructor(
    readonly env: TestEnv,
    readonly real: RealPlacement,
  ) {}

  private init(token: string | null, options: CallOptions, method: string): RequestInit {
    const headers: Record<string, string> = {};
    if (token !== null) headers['x-auth-token'] = token;
    if (options.version !== undefined) headers['openstack-api-version'] = `placement ${options.version}`;
    let body: string | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      body = options.rawBody ?? JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    return { method, headers, body };
  }

  async theirs(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const token = options.theirToken === undefined ? 'admin' : options.theirToken;
    return answer(await fetch(`${this.real.url}${path}`, this.init(token, options, method)), '');
  }

  async ours(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const token = options.ourToken === undefined ? this.env.adminToken : options.ourToken;
    const response = await this.env.gateway.fetch(
      `http://localhost/placement${path}`,
      this.init(token, options, method),
    );
    return answer(response, '/placement');
  }

  /** Both answers, uuids mapped; Placement's first (its state changes first). */
  async both(method: string, path: string, options: CallOptions = {}): Promise<{ theirs: unknown; ours: unknown }> {
    const theirs = await this.theirs(method, path, options);
    const ours = await this.ours(method, path, options);
    return { theirs: mapUuids(theirs, this.fixedUuids), ours: mapUuids(ours, this.fixedUuids) };
  }
}

/** One call of a scenario: method, path, options. */
export type Step = [method: string, path: string, options?: CallOptions];

/**
 * Plays each step on both sides and collects the steps whose answers differ (with both
 * answers), so one failing test shows every difference of the scenario at once.
 */
export async function differences(pair: RestPair, steps: readonly Step[]): Promise<unknown[]> {
  const found: unknown[] = [];
  for (const [method, path, options] of steps) {
    const { theirs, ours } = await pair.both(method, path, options);
    if (JSON.stringify(theirs) !== JSON.stringify(ours))
      found.push({ step: `${method} ${path} ${JSON.stringify(options ?? {})}`, theirs, ours });
  }
  return found;
}

/** JSON with object keys sorted: Placement's dicts and ours may list keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}
