/**
 * The real Placement and our gateway holding the same candidate world (candidate-world.ts),
 * asked the same GET /allocation_candidates: the setup the REST candidate tests share.
 */
import { afterAll, beforeAll } from 'vitest';
import { buildInOurs, buildInPlacement, uuidOf, type WorldSpec } from './candidate-world.js';
import { createTestEnv, type TestEnv } from './harness.js';
import { type RealPlacement, startRealPlacement } from './real-placement.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CandidatesAnswer {
  status: number;
  body: Json;
}

/** The status and the JSON body as sent. */
export async function rawAnswer(response: Response): Promise<CandidatesAnswer> {
  return { status: response.status, body: (await response.json()) as Json };
}

export interface CandidatesSides {
  /** Our side's test environment (its database, for checks in SQL). */
  env(): TestEnv;
  /** The same query at `version` to Placement and to ours, `{label}` written as the label's uuid: [Placement's, ours]. */
  ask(rawQuery: string, version: string): Promise<[CandidatesAnswer, CandidatesAnswer]>;
  /** Placement's answer alone. */
  askPlacement(rawQuery: string, version: string): Promise<CandidatesAnswer>;
}

/** Starts both sides with `spec` built in each, in the calling describe's hooks; `read` turns a response into an answer. */
export function candidatesSides(
  spec: WorldSpec,
  read: (response: Response) => Promise<CandidatesAnswer> = rawAnswer,
): CandidatesSides {
  let placement: RealPlacement;
  let env: TestEnv;
  beforeAll(async () => {
    [placement, env] = await Promise.all([startRealPlacement(), createTestEnv(4)]);
    await Promise.all([buildInPlacement(placement, spec), buildInOurs(env, spec)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([placement?.stop(), env?.close()]);
  });
  const query = (raw: string) => raw.replace(/\{(\w+)\}/g, (_, label: string) => uuidOf(label));
  const askPlacement = async (raw: string, version: string) =>
    read(
      await fetch(`${placement.url}/allocation_candidates?${query(raw)}`, {
        headers: { 'x-auth-token': 'admin', 'openstack-api-version': `placement ${version}` },
      }),
    );
  const askOurs = async (raw: string, version: string) =>
    read(
      await env.gateway.fetch(`http://localhost/placement/allocation_candidates?${query(raw)}`, {
        headers: { 'x-auth-token': env.adminToken, 'openstack-api-version': `placement ${version}` },
      }),
    );
  return {
    env: () => env,
    ask: (raw, version) => Promise.all([askPlacement(raw, version), askOurs(raw, version)]),
    askPlacement,
  };
}
