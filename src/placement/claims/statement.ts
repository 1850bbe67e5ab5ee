import type pg from 'pg';
import { APPEND_COLUMNS, appendParameters, auditValues, WriteChanges } from '../audit/trail.js';
import { RetryLimitExceededError } from '../errors.js';
import { fitsSql, freeShareSql, shareBoundsSet } from '../fit.js';
import { prepared, type Queryable, type RetryPolicy, singleStatementSerializable } from '../transactions.js';
import type { WriteCaller } from '../write-caller.js';
import { isKeyTaken } from './idempotency.js';
import type { ClaimConsumer } from './input.js';
import type { AllocationRequest } from './selection.js';

/**
 * How one attempt on a host ended:
 * - `claimed`: written;
 * - `busy`: another claimer holds the host's rows right now (or kept conflicting);
 * - `cannot-take`: the host no longer fits;
 * - `taken`: the consumer, or the idempotency key, was created since the call looked
 *   (a concurrent replay of this call, or a reuse): answer from the stored result.
 */
export type HostAttempt = 'claimed' | 'busy' | 'cannot-take' | 'taken';

/** Where an attempt runs: alone as its own transaction on the claim pool, or inside the caller's transaction. */
export type ClaimRunner =
  | {
      alone: pg.Pool;
      policy: RetryPolicy;
      remember?: { key: string; callerKey: string; hash: string; response: unknown };
      /** Appends the audit event for this consumer's claim in the same statement. */
      audit?: WriteCaller;
    }
  | { inside: Queryable };

interface ClaimRow {
  locked: number;
  fitting: number;
  isolation: string;
}

/**
 * The narrow claim, one statement: lock the host's providers (SKIP LOCKED: a host another
 * claimer holds right now is reported busy, not queued behind), re-check the shared fit
 * rule on every requested inventory, and only when all fit create the consumer, move the
 * usage counters, write the allocation rows, bump the providers' generations and
 * free-share bounds and (alone, with a key) store the idempotent answer. All or nothing
 * inside the statement, so a rejected host leaves nothing. Run alone it is a whole
 * SERIALIZABLE transaction in one round trip.
 */
export async function claimOnHost(
  runner: ClaimRunner,
  consumer: ClaimConsumer,
  allocations: AllocationRequest[],
  classIds: ReadonlyMap<string, number>,
  locks: 'skip' | 'wait' = 'skip',
): Promise<HostAttempt> {
  const rows = statementRows(allocations, classIds);
  const remember = 'alone' in runner ? runner.remember : undefined;
  const audit = 'alone' in runner ? runner.audit : undefined;
  const values: unknown[] = [
    rows.providerUuids,
    rows.classIds,
    rows.amounts,
    rows.providers,
    rows.amounts.length,
    consumer.consumerUuid,
    consumer.projectId,
    consumer.userId,
    consumer.consumerType ?? null,
  ];
  if (remember) values.push(remember.key, remember.hash, JSON.stringify(remember.response), remember.callerKey);
  if (audit) values.push(...auditValues(audit, claimChanges(rows.providers, consumer.consumerUuid)));
  const statement = prepared(claimStatement(locks, remember !== undefined, audit !== undefined), values);
  let result: ClaimRow | undefined;
  try {
    result =
      'alone' in runner ? await runAlone(runner.alone, statement, runner.policy) : await runInside(runner, statement);
  } catch (error) {
    // The consumer's existence is not read here (a read would widen the transaction's
    // predicate locks): the unique index refuses a second insert.
    if (isConsumerTaken(error) || isKeyTaken(error)) return 'taken';
    throw error;
  }
  if (!result) return 'busy'; // kept conflicting through a few quick retries
  if (result.fitting === rows.amounts.length) return 'claimed';
  return result.locked < rows.providers.length ? 'busy' : 'cannot-take';
}

function claimChanges(providers: string[], consumerUuid: string): WriteChanges {
  const changes = new WriteChanges();
  for (const uuid of providers) changes.providers.add(uuid);
  changes.consumers.add(consumerUuid);
  return changes;
}

function statementRows(allocations: AllocationRequest[], classIds: ReadonlyMap<string, number>) {
  const providerUuids: string[] = [];
  const rowClassIds: number[] = [];
  const amounts: number[] = [];
  for (const a of allocations) {
    for (const r of a.resources) {
      const classId = classIds.get(r.resourceClass);
      if (classId === undefined) throw new Error(`resource class ${r.resourceClass} was not resolved`);
      providerUuids.push(a.providerUuid);
      rowClassIds.push(classId);
      amounts.push(r.amount);
    }
  }
  return { providerUuids, classIds: rowClassIds, amounts, providers: [...new Set(providerUuids)] };
}

async function runAlone(claimPool: pg.Pool, statement: pg.QueryConfig, policy: RetryPolicy) {
  try {
    return (await singleStatementSerializable<ClaimRow>(claimPool, statement, policy))[0];
  } catch (error) {
    if (error instanceof RetryLimitExceededError) return undefined;
    throw error;
  }
}

async function runInside(runner: { inside: Queryable }, statement: pg.QueryConfig) {
  return (await runner.inside.query<ClaimRow>(statement)).rows[0];
}

function isConsumerTaken(error: unknown): boolean {
  return (error as { constraint?: string } | null)?.constraint === 'consumers_uuid_key';
}

/**
 * The claim statement's text: one per lock mode and idempotency, so each is prepared once
 * per connection. Values: $1–$3 the rows (provider uuid, class id, amount), $4 the distinct
 * provider uuids, $5 the row count, $6–$9 the consumer (uuid, project, user, type), with a
 * key $10–$13 (key, request hash, answer, caller key), then, audited, the event's columns
 * (src/placement/audit/trail.ts auditValues). The consumer id is whatever the consumers table
 * draws (no cast). Exported for the test that runs it at another isolation level.
 */
export function claimStatement(locks: 'skip' | 'wait', remember: boolean, audit = false): string {
  const shareAfter = freeShareSql('i', 'coalesce(f.amount, 0)');
  return `WITH req AS (SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[]) AS r(provider_uuid, class_id, amount)),
       locked AS (
         SELECT p.id, p.uuid FROM resource_providers p
          WHERE p.uuid = ANY($4::uuid[])
          ORDER BY p.id FOR UPDATE${locks === 'skip' ? ' SKIP LOCKED' : ''}),
       fitting AS (
         SELECT i.id, i.provider_id, i.resource_class_id, req.amount
           FROM req JOIN locked ON locked.uuid = req.provider_uuid
           JOIN inventories i ON i.provider_id = locked.id AND i.resource_class_id = req.class_id
          WHERE ${fitsSql('i', 'req.amount')}
          FOR UPDATE OF i),
       -- writes happen only when every row fits, and only at SERIALIZABLE (the level is also reported)
       complete AS (SELECT count(*) = $5 AND current_setting('transaction_isolation') = 'serializable' AS ok FROM fitting),
       consumer AS (
         INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation)
         SELECT $6, $7, $8, $9, 1 FROM complete WHERE complete.ok RETURNING id),
       moved AS (UPDATE inventories i SET used = i.used + f.amount FROM fitting f, complete WHERE complete.ok AND i.id = f.id RETURNING 1),
       allocated AS (
         INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
         SELECT (SELECT id FROM consumer), f.provider_id, f.resource_class_id, f.amount FROM fitting f, complete WHERE complete.ok RETURNING 1),
       -- the statement reads inventories as they were before it, so the bounds add the amounts
       bumped AS (
         UPDATE resource_providers p SET generation = p.generation + 1, ${shareBoundsSet(shareAfter, 'LEFT JOIN fitting f ON f.id = i.id')}
           FROM complete WHERE complete.ok AND p.id IN (SELECT id FROM locked) RETURNING 1)${
             remember
               ? `,
       remembered AS (
         INSERT INTO idempotency_keys (caller_key, key, operation, request_hash, response)
         -- after the consumer's insert, so a concurrent replay trips on the consumer first
         SELECT $13, $10, 'claim', $11, $12::jsonb FROM consumer RETURNING 1)`
               : ''
           }${
             audit
               ? `,
       -- the audit event, only when the consumer was created: it commits with the claim or not at all
       audited AS (
         INSERT INTO audit_events (${APPEND_COLUMNS})
         SELECT ${appendParameters(remember ? 14 : 10)} FROM consumer RETURNING 1)`
               : ''
           }
       SELECT (SELECT count(*)::int FROM locked) AS locked,
              (SELECT count(*)::int FROM fitting) AS fitting,
              current_setting('transaction_isolation') AS isolation`;
}
