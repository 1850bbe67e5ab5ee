import { expect } from 'vitest';
import type { TestEnv } from './harness.js';

/** Shapes of the placement mutations' answers, as the fault and scale-out tests select them. */
export interface ResourceAmount {
  resourceClass: string;
  amount: number;
}
export interface ProviderAllocation {
  providerUuid: string;
  resources: ResourceAmount[];
}
export interface AlternateOut {
  providerUuid: string;
  allocationRequest: ProviderAllocation[];
}
export interface SelectionOut {
  consumerUuid: string;
  consumerGeneration: number;
  providerUuid: string;
  allocations: ProviderAllocation[];
  alternates: AlternateOut[];
}

const ALLOCATIONS = 'providerUuid resources { resourceClass amount }';
const SELECTION = `consumerUuid consumerGeneration providerUuid allocations { ${ALLOCATIONS} }
  alternates { providerUuid allocationRequest { ${ALLOCATIONS} } }`;

export const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) { __typename
  ... on ClaimPayload { selections { ${SELECTION} } }
  ... on Error { code message } } }`;

export const RESCHEDULE = `mutation($input: RescheduleInput!) { reschedule(input: $input) { __typename
  ... on ReschedulePayload { selection { ${SELECTION} } }
  ... on Error { code message } } }`;

export const SET_ALLOCATIONS = `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { __typename
  ... on AllocationsPayload { consumers { consumerUuid generation } }
  ... on Error { code message } } }`;

/** `provider/class=amount` lines, sorted: one consumer's allocations in a comparable form. */
export function allocationLines(allocations: ProviderAllocation[]): string[] {
  return allocations.flatMap((a) => a.resources.map((r) => `${a.providerUuid}/${r.resourceClass}=${r.amount}`)).sort();
}

/** Every consumer in the database with its generation and allocation lines. */
export async function consumersInDatabase(
  env: Pick<TestEnv, 'sql'>,
): Promise<Map<string, { generation: number; lines: string[] }>> {
  const rows = await env.sql<{ consumer: string; generation: number; provider: string; class: string; used: number }>(
    `SELECT c.uuid::text AS consumer, c.generation, p.uuid::text AS provider, rc.name AS class, a.used
       FROM consumers c
       JOIN allocations a ON a.consumer_id = c.id
       JOIN resource_providers p ON p.id = a.provider_id
       JOIN resource_classes rc ON rc.id = a.resource_class_id`,
  );
  const consumers = new Map<string, { generation: number; lines: string[] }>();
  for (const row of rows) {
    const entry = consumers.get(row.consumer) ?? { generation: row.generation, lines: [] };
    entry.lines.push(`${row.provider}/${row.class}=${row.used}`);
    consumers.set(row.consumer, entry);
  }
  for (const entry of consumers.values()) entry.lines.sort();
  return consumers;
}

/**
 * What the clients were told, against what the database holds: every consumer a client
 * last saw alive holds exactly those allocations at that generation; every consumer a
 * client saw fail or go is absent; and nothing else exists.
 */
export async function assertDatabaseMatchesAcknowledged(
  env: Pick<TestEnv, 'sql'>,
  live: Map<string, { generation: number; allocations: ProviderAllocation[] }>,
  absent: Iterable<string>,
): Promise<void> {
  const stored = await consumersInDatabase(env);
  for (const [uuid, expected] of live) {
    expect(stored.get(uuid), `acknowledged consumer ${uuid}`).toEqual({
      generation: expected.generation,
      lines: allocationLines(expected.allocations),
    });
  }
  for (const uuid of absent) {
    expect(stored.has(uuid), `consumer ${uuid} whose write failed or which was removed`).toBe(false);
  }
  const unexpected = [...stored.keys()].filter((uuid) => !live.has(uuid));
  expect(unexpected, 'consumers nobody was told about').toEqual([]);
}
