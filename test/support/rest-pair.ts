/**
 * Differential REST testing: one call sent to the real OpenStack Placement and to our gateway's
 * REST API (`/placement`), both responses normalised, and every difference between them listed.
 *
 * Normalising keeps what a Placement client can rely on and masks what each server picks alone:
 * - uuids a server generated get stable names (`<uuid-1>`, `<uuid-2>`, …) in the order that
 *   side first showed them; uuids the caller sent stay as they are. A call may name a generated
 *   uuid (`<uuid-1>` in its path, query or body): each side gets its own uuid of that name.
 * - request ids (`req-…`, `request_id`) and timestamps are masked;
 * - the headers that matter: content-type, location (path only, our mount prefix stripped),
 *   openstack-api-version, vary, cache-control, allow (on 405s), and whether last-modified and
 *   x-openstack-request-id are present;
 * - link hrefs lose our mount prefix (Placement mounted at `/placement` writes it, as ours
 *   does: Placement builds them from SCRIPT_NAME).
 * - arrays of names that Placement documents as sets (`traits`, `aggregates`) are sorted, and so
 *   are `allocation_requests` (Placement's order follows its generated uuids: two Placements
 *   given the same calls list them in different orders) and the provider lists of their
 *   `mappings` (python sets), and so are comma-separated runs of uuids in error texts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestEnv, type TestEnv } from './harness.js';
import { type RealPlacement, startRealPlacement } from './real-placement.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** One REST call, as Placement's API reference writes it (path from Placement's root). */
export interface RestCall {
  method: HttpMethod;
  /** From Placement's root, query included: `/resource_providers?name=a`. May name generated uuids (`<uuid-1>`). */
  path: string;
  /** `1.20` or `latest` sends `OpenStack-API-Version: placement <version>`; absent: no version header (1.0). */
  version?: string;
  /** Sent as JSON (content-type application/json); generated uuid names in strings are substituted. */
  body?: unknown;
  /** Sent as is instead of `body` (malformed JSON, wrong types); names are substituted here too. */
  rawBody?: string;
  /** Extra headers (a raw version header, another content-type, …); they win over the defaults. */
  headers?: Record<string, string>;
  /** `none` sends no X-Auth-Token (default: each side's admin token). */
  auth?: 'admin' | 'none';
  /** Send the body with no Content-Type header at all (as bytes: fetch labels a string text/plain). */
  omitContentType?: boolean;
}

/** A server under comparison: where its Placement root is, and the admin token it accepts. */
export interface PairSide {
  label: string;
  /** Placement's root on this server, no trailing slash: `http://127.0.0.1:8778` or `http://…/placement`. */
  baseUrl: string;
  adminToken: string;
}

export interface NormalisedResponse {
  status: number;
  headers: Record<string, string | boolean | null>;
  /** Parsed JSON, the raw text when the body is not JSON, null when empty. */
  body: unknown;
}

export interface Difference {
  /** `status`, `header location`, `body.errors[0].detail`, … */
  where: string;
  placement: unknown;
  ours: unknown;
}

export interface PairResult {
  call: RestCall;
  placement: NormalisedResponse;
  ours: NormalisedResponse;
  differences: Difference[];
}

export interface ScenarioResult {
  results: PairResult[];
  /** Every difference of every call, with the call it came from. */
  differences: { call: RestCall; index: number; difference: Difference }[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const UUID_NAME = /<uuid-\d+>/g;
/**
 * A comma-separated run of uuids in an error text: Placement writes the providers of one error
 * in the order of their real uuids, which normalising does not keep.
 */
const UUID_RUN = /(?:<uuid-\d+>|[0-9a-f]{8}-[0-9a-f-]{27})(?:, (?:<uuid-\d+>|[0-9a-f]{8}-[0-9a-f-]{27}))+/gi;
const REQUEST_ID = /req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g;
/** Keys whose arrays of names are sets in Placement's API reference (their order carries nothing). */
const SET_KEYS = new Set(['traits', 'aggregates']);
/**
 * An allocation request's `mappings`: request group suffix → providers that satisfied it. Placement
 * keeps each list as a python set (objects/allocation_candidate.py), so its order follows string
 * hashing, which differs from one Placement process to the next: compared as sets.
 */
const MAPPINGS = 'mappings';
/** An array of objects whose order Placement does not keep from one server to the next. */
const UNORDERED_OBJECTS = 'allocation_requests';
/** Headers compared by value; last-modified and the request id only by presence. */
const VALUE_HEADERS = ['content-type', 'location', 'openstack-api-version', 'vary', 'cache-control', 'allow'] as const;
const PRESENCE_HEADERS = ['last-modified', 'x-openstack-request-id'] as const;

/**
 * One side's view of uuids: which it generated (named in order of appearance) and which the
 * caller sent (kept verbatim on both sides).
 */
export class UuidNames {
  private readonly names = new Map<string, string>();
  private readonly uuids = new Map<string, string>();
  private count = 0;

  constructor(private readonly callerUuids: Set<string>) {}

  /** The name of a uuid this side showed, given on first sight; caller uuids stay themselves. */
  name(uuid: string): string {
    const key = uuid.toLowerCase();
    if (this.callerUuids.has(key)) return key;
    let name = this.names.get(key);
    if (name === undefined) {
      this.count += 1;
      name = `<uuid-${this.count}>`;
      this.names.set(key, name);
      this.uuids.set(name, key);
    }
    return name;
  }

  /** The text with every `<uuid-N>` this side knows replaced by its own uuid. */
  substitute(text: string): string {
    return text.replace(UUID_NAME, (name) => this.uuids.get(name) ?? name);
  }
}

/** Two servers and the uuid names each has shown so far; `send` and `scenario` compare them. */
export class RestPair {
  private readonly callerUuids = new Set<string>();
  private readonly placementNames = new UuidNames(this.callerUuids);
  private readonly ourNames = new UuidNames(this.callerUuids);

  constructor(
    readonly placement: PairSide,
    readonly ours: PairSide,
  ) {}

  /** Sends the call to both (Placement first, then ours: one after the other, never racing). */
  async send(call: RestCall): Promise<PairResult> {
    this.rememberCallerUuids(call);
    const placement = await this.sendTo(this.placement, this.placementNames, call);
    const ours = await this.sendTo(this.ours, this.ourNames, call);
    return { call, placement, ours, differences: compare(placement, ours) };
  }

  /** Runs the calls in order, collecting every difference (a difference does not stop it). */
  async scenario(calls: readonly RestCall[]): Promise<ScenarioResult> {
    const results: PairResult[] = [];
    const differences: ScenarioResult['differences'] = [];
    for (const [index, call] of calls.entries()) {
      const result = await this.send(call);
      results.push(result);
      for (const difference of result.differences) differences.push({ call, index, difference });
    }
    return { results, differences };
  }

  private rememberCallerUuids(call: RestCall): void {
    const text = `${call.path} ${call.rawBody ?? ''} ${call.body === undefined ? '' : JSON.stringify(call.body)}`;
    for (const uuid of text.match(UUID) ?? []) this.callerUuids.add(uuid.toLowerCase());
  }

  private async sendTo(side: PairSide, names: UuidNames, call: RestCall): Promise<NormalisedResponse> {
    const headers: Record<string, string> = {};
    if (call.auth !== 'none') headers['x-auth-token'] = side.adminToken;
    if (call.version !== undefined) headers['openstack-api-version'] = `placement ${call.version}`;
    let body: string | undefined;
    if (call.rawBody !== undefined) body = names.substitute(call.rawBody);
    else if (call.body !== undefined) body = names.substitute(JSON.stringify(call.body));
    if (body !== undefined && call.omitContentType !== true) headers['content-type'] = 'application/json';
    Object.assign(headers, call.headers ?? {});
    const response = await fetch(`${side.baseUrl}${names.substitute(call.path)}`, {
      method: call.method,
      headers,
      body: body !== undefined && call.omitContentType === true ? new TextEncoder().encode(body) : body,
      redirect: 'manual',
    });
    return normaliseResponse(response.status, response.headers, await response.text(), side, names);
  }
}

/** The mount prefix of a side (`/placement` for ours, empty for a Placement at its root). */
function mountPrefix(side: PairSide): string {
  return new URL(side.baseUrl).pathname.replace(/\/$/, '');
}

function stripPrefix(path: string, prefix: string): string {
  if (prefix === '') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

function normaliseResponse(
  status: number,
  raw: Headers,
  text: string,
  side: PairSide,
  names: UuidNames,
): NormalisedResponse {
  const prefix = mountPrefix(side);
  const headers: NormalisedResponse['headers'] = {};
  for (const name of VALUE_HEADERS) {
    let value = raw.get(name);
    if (value !== null && name === 'location') {
      const url = new URL(value, side.baseUrl);
      value = stripPrefix(url.pathname, prefix) + url.search;
    }
    headers[name] = value === null ? null : normaliseString(value, names);
  }
  for (const name of PRESENCE_HEADERS) headers[name] = raw.has(name);
  let body: unknown = null;
  if (text !== '') {
    try {
      body = normaliseValue(JSON.parse(text), names, prefix, undefined);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      body = normaliseString(text, names);
    }
  }
  return { status, headers, body };
}

/** A text with request ids and timestamps masked, uuids named by `names` (the CLI test uses it too). */
export function normaliseString(text: string, names: UuidNames): string {
  return text
    .replace(REQUEST_ID, '<request-id>')
    .replace(ISO_TIMESTAMP, '<timestamp>')
    .replace(UUID, (uuid) => names.name(uuid))
    .replace(UUID_RUN, (run) => run.split(', ').sort().join(', '));
}

/** Walks JSON in document order (so uuid names follow order of appearance), normalising as it goes. */
function normaliseValue(value: unknown, names: UuidNames, prefix: string, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (key === 'request_id') return '<request-id>';
    const stripped = key === 'href' ? stripPrefix(value, prefix) : value;
    return normaliseString(stripped, names);
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => normaliseValue(item, names, prefix, undefined));
    if (key !== undefined && SET_KEYS.has(key) && items.every((item) => typeof item === 'string')) {
      return [...(items as string[])].sort();
    }
    if (key === UNORDERED_OBJECTS) {
      return items
        .map((item) => [JSON.stringify(item), item] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, item]) => item);
    }
    return items;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Keys can be uuids too (allocations by provider, provider summaries).
      const normalised = normaliseValue(v, names, prefix, k);
      out[typeof k === 'string' ? normaliseString(k, names) : k] =
        key === MAPPINGS && Array.isArray(normalised) ? [...normalised].sort() : normalised;
    }
    return out;
  }
  return value;
}

/** Every difference between two normalised responses: status, headers, then the body, path by path. */
export function compare(placement: NormalisedResponse, ours: NormalisedResponse): Difference[] {
  const out: Difference[] = [];
  if (placement.status !== ours.status) out.push({ where: 'status', placement: placement.status, ours: ours.status });
  for (const name of [...VALUE_HEADERS, ...PRESENCE_HEADERS]) {
    if (placement.headers[name] !== ours.headers[name]) {
      out.push({ where: `header ${name}`, placement: placement.headers[name], ours: ours.headers[name] });
    }
  }
  diffValues('body', placement.body, ours.body, out);
  return out;
}

function diffValues(where: string, a: unknown, b: unknown, out: Difference[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length) out.push({ where: `${where}[${i}]`, placement: undefined, ours: b[i] });
      else if (i >= b.length) out.push({ where: `${where}[${i}]`, placement: a[i], ours: undefined });
      else diffValues(`${where}[${i}]`, a[i], b[i], out);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const child = `${where}.${key}`;
      if (!(key in a)) out.push({ where: child, placement: undefined, ours: b[key] });
      else if (!(key in b)) out.push({ where: child, placement: a[key], ours: undefined });
      else diffValues(child, a[key], b[key], out);
    }
    return;
  }
  if (a !== b) out.push({ where, placement: a, ours: b });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One line per difference, for test output and /work/wt/rest-diffs.md-style reports. */
export function describeCall(call: RestCall): string {
  const extra = call.headers === undefined ? '' : ` ${JSON.stringify(call.headers)}`;
  return `${call.method} ${call.path} @${call.version ?? 'none'}${extra}`;
}

export function formatDifference(call: RestCall, difference: Difference): string {
  const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));
  return `${describeCall(call)}: ${difference.where}: placement ${show(difference.placement)} / ours ${show(difference.ours)}`;
}

/** A real Placement and our gateway (served over a real socket, REST at /placement), paired. */
export interface PairedServers {
  pair: RestPair;
  env: TestEnv;
  placement: RealPlacement;
  /** Our gateway's origin (`http://127.0.0.1:PORT`); REST is under `/placement`. */
  gatewayOrigin: string;
  close(): Promise<void>;
}

/** Starts a fresh Placement (empty SQLite) and a fresh gateway (empty database) and pairs them. */
export async function startPairedServers(): Promise<PairedServers> {
  const [env, placement] = await Promise.all([createTestEnv(4), startRealPlacement()]);
  const server: Server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gatewayOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pair = new RestPair(
    { label: 'placement', baseUrl: placement.url, adminToken: 'admin' },
    { label: 'ours', baseUrl: `${gatewayOrigin}/placement`, adminToken: env.adminToken },
  );
  return {
    pair,
    env,
    placement,
    gatewayOrigin,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([env.close(), placement.stop()]);
    },
  };
}
