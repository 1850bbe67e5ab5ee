// allocationCandidates(limit: 1000) through HTTP, selecting only each candidate's uuid (the
// baseline) and then each candidate's host with its traits, inventories and cell, both in
// the same run against the same gateway and data. The nested fields load through per-request
// DataLoaders (src/loaders.ts); the ratio shows what they cost on top of the search itself.
// Needs a seeded database with at least `limit` hosts that have free VCPU. Not a test:
// nothing here asserts a target.
import { postJson } from './http-client.js';

const SELECTIONS = {
  baseline: 'providerUuid',
  nested: `providerUuid
    resourceProvider { uuid name generation traits inventories { resourceClass total used free } }
    cell { uuid name }`,
} as const;

const query = (selection: string) => `query($limit: Int) {
  allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }, limit: $limit) {
    __typename
    ... on AllocationCandidates { candidates { ${selection} } }
    ... on Error { code message }
  }
}`;

export interface LatencyRow {
  requests: number;
  candidates: number;
  responseKiB: number;
  p50: number;
  p95: number;
  max: number;
}

export interface NestedCandidatesFigures {
  limit: number;
  baselineMs: LatencyRow;
  nestedMs: LatencyRow;
  /** nested p50 ÷ baseline p50 */
  ratioP50: number;
}

interface CandidatesReply {
  data?: { allocationCandidates?: { __typename: string; candidates?: unknown[]; message?: string } };
  errors?: { message: string }[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const round = (n: number) => Math.round(n * 10) / 10;

async function timeSelection(url: string, selection: string, limit: number, requests: number): Promise<LatencyRow> {
  const document = query(selection);
  const once = async () => {
    const started = performance.now();
    const reply = (await postJson(url, { query: document, variables: { limit } })) as CandidatesReply;
    const elapsed = performance.now() - started;
    const candidates = reply.data?.allocationCandidates?.candidates;
    if (!candidates) throw new Error(`allocationCandidates failed: ${JSON.stringify(reply).slice(0, 500)}`);
    return { elapsed, candidates: candidates.length, bytes: JSON.stringify(reply).length };
  };
  for (let i = 0; i < 3; i++) await once(); // warm-up: plans, JIT, pool
  const latencies: number[] = [];
  let last = { candidates: 0, bytes: 0 };
  for (let i = 0; i < requests; i++) {
    const run = await once();
    latencies.push(run.elapsed);
    last = run;
  }
  latencies.sort((a, b) => a - b);
  return {
    requests,
    candidates: last.candidates,
    responseKiB: Math.round(last.bytes / 1024),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    max: round(latencies.at(-1) ?? Number.NaN),
  };
}

/**
 * Candidate search without and then with nested host fields, one request at a time, each
 * after its own warm-up.
 * `url` is the gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql.
 */
export async function benchNestedCandidates(
  url: string,
  requests = 20,
  limit = 1000,
): Promise<NestedCandidatesFigures> {
  const baselineMs = await timeSelection(url, SELECTIONS.baseline, limit, requests);
  const nestedMs = await timeSelection(url, SELECTIONS.nested, limit, requests);
  return { limit, baselineMs, nestedMs, ratioP50: Math.round((nestedMs.p50 / baselineMs.p50) * 100) / 100 };
}

/** Prints the figures as bench/run.ts prints its own sections. */
export function printNestedCandidates(figures: NestedCandidatesFigures): void {
  console.log(`candidates (HTTP, limit ${figures.limit}, providerUuid only) ms`, figures.baselineMs);
  console.log(
    `candidates (HTTP, limit ${figures.limit}, + host traits, inventories, cell via DataLoader) ms`,
    figures.nestedMs,
  );
  console.log('nested ÷ baseline (p50)', figures.ratioP50);
}
