import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { isTypedError, type PayloadOf, PlacementClient } from '@placement-gateway/client';
import { Refusal, refusalFromTypedError } from './errors.js';

export const DEFAULT_URL = 'http://localhost:4000/graphql';

// A type alias, not an interface: commander's option records need an index signature.
export type GlobalOptions = {
  url: string;
  token?: string;
  json: boolean;
  timeout: number;
};

/** The root `placement` command, with the global options every subcommand sees. */
export type Program = Command<[], GlobalOptions>;

/** Where a gateway started in this folder leaves its first admin token: `<DATA_DIR or ./.data>/admin-token`. */
export function localAdminTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DATA_DIR || path.resolve('.data'), 'admin-token');
}

/** --token (or PLACEMENT_TOKEN), else the local admin-token file when there is one, else none (the server answers 401). */
export function resolveToken(options: GlobalOptions): string | undefined {
  if (options.token) return options.token;
  try {
    return readFileSync(localAdminTokenFile(), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** What every command works with: the client for --url, and where and how to print. */
export class Session {
  readonly client: PlacementClient;
  readonly json: boolean;

  constructor(options: GlobalOptions) {
    this.client = new PlacementClient({ url: options.url, timeoutMs: options.timeout, token: resolveToken(options) });
    this.json = options.json;
  }

  /** The session of a subcommand's action: its global options are the root's. */
  static of(command: { optsWithGlobals(): GlobalOptions }): Session {
    return new Session(command.optsWithGlobals());
  }

  /** Prints `human()` for people, or `data` as JSON with --json. */
  output(data: unknown, human: () => string): void {
    process.stdout.write(`${this.json ? JSON.stringify(data, null, 2) : human()}\n`);
  }
}

/** The payload of a union result, or a Refusal carrying the typed error. */
export function payload<T extends { __typename: string }>(result: T): PayloadOf<T> {
  if (isTypedError(result)) throw refusalFromTypedError(result);
  return result as PayloadOf<T>;
}

/** A null lookup result as a refusal that says what was missing (--json prints null). */
export function found<T>(value: T | null | undefined, notFound: string): T {
  if (value == null) throw new Refusal(notFound, { result: null });
  return value;
}

interface Page<Node> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: ReadonlyArray<{ node: Node }>;
}

/** Follows a connection's cursors until `limit` nodes (or all of them) are read. */
export async function collectPages<Node>(
  fetchPage: (first: number, after: string | undefined) => Promise<Page<Node>>,
  pageSize: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ nodes: Node[]; totalCount: number }> {
  const nodes: Node[] = [];
  let after: string | undefined;
  let totalCount = 0;
  while (nodes.length < limit) {
    const page = await fetchPage(Math.min(pageSize, limit - nodes.length), after);
    totalCount = page.totalCount;
    nodes.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
    after = page.pageInfo.endCursor;
  }
  return { nodes, totalCount };
}

/**
 * The provider's current generation, for writes where the operator gave none: the write then
 * applies to the state just read, and a concurrent change still fails as GenerationConflict.
 */
export async function providerGeneration(
  session: Session,
  providerUuid: string,
  given: number | undefined,
): Promise<number> {
  if (given !== undefined) return given;
  const provider = await session.client.listInventories(providerUuid);
  return found(provider, `provider ${providerUuid} not found`).generation;
}

/** The consumer's current generation, or null when it holds nothing (a new consumer). */
export async function consumerGeneration(
  session: Session,
  consumerUuid: string,
  given: number | undefined,
): Promise<number | null> {
  if (given !== undefined) return given;
  const consumer = await session.client.getConsumer(consumerUuid);
  return consumer?.generation ?? null;
}
