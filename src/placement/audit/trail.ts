import { prepared, type Queryable } from '../transactions.js';
import type { WriteCaller } from '../write-caller.js';

/** At most this many uuids of each kind are recorded per event (a claim may place many consumers). */
export const MAX_AUDITED_UUIDS = 1000;

/** What one write transaction changed, collected by the engine's lock and insert helpers as it goes. */
export class WriteChanges {
  readonly providers = new Set<string>();
  readonly consumers = new Set<string>();
  /** A thing changed that is neither a provider nor a consumer: a token's name, a class, a trait, a cell. */
  subject: string | null = null;
}

// The transaction each collector belongs to: helpers note changes on the connection they
// write with, so no engine function has to pass a collector along. Connections outside an
// audited write have none, and noting there does nothing.
const collectors = new WeakMap<Queryable, WriteChanges>();

export function noteProviders(db: Queryable, uuids: Iterable<string>): void {
  const changes = collectors.get(db);
  if (changes) for (const uuid of uuids) changes.providers.add(uuid);
}

export function noteConsumers(db: Queryable, uuids: Iterable<string>): void {
  const changes = collectors.get(db);
  if (changes) for (const uuid of uuids) changes.consumers.add(uuid);
}

export function noteSubject(db: Queryable, subject: string): void {
  const changes = collectors.get(db);
  if (changes) changes.subject = subject;
}

/**
 * `work` made audited: it runs with a fresh collector on its connection and, when it returns,
 * appends the event on that same connection, inside the transaction, before the caller
 * commits. A work that throws appends nothing (and its transaction rolls back); each retry
 * of a transaction runs this afresh, so only the attempt that commits leaves an event.
 * Without a caller, `work` itself.
 */
export function audited<T>(
  caller: WriteCaller | undefined,
  work: (db: Queryable) => Promise<T>,
): (db: Queryable) => Promise<T> {
  if (!caller) return work;
  return async (db) => {
    const changes = new WriteChanges();
    collectors.set(db, changes);
    try {
      const result = await work(db);
      await appendAuditEvent(db, caller, changes);
      return result;
    } finally {
      collectors.delete(db);
    }
  };
}

/** Column values of an event, in the order of APPEND_COLUMNS (also used by the claim statement). */
export function auditValues(caller: WriteCaller, changes: WriteChanges): unknown[] {
  const { actor } = caller;
  return [
    caller.operation,
    caller.requestId,
    caller.apiVersion ?? null,
    actor.kind,
    actor.name,
    actor.role,
    actor.projectId,
    actor.tokenId === undefined ? null : actor.tokenId.toString(),
    changes.subject,
    [...changes.providers].slice(0, MAX_AUDITED_UUIDS),
    [...changes.consumers].slice(0, MAX_AUDITED_UUIDS),
  ];
}

export const APPEND_COLUMNS = `operation, request_id, api_version, actor_kind, actor_name, actor_role, actor_project,
  token_id, subject, provider_uuids, consumer_uuids`;

/** The value list for APPEND_COLUMNS with parameters from `$first` on. */
export function appendParameters(first: number): string {
  const p = (n: number) => `$${first + n}`;
  return `${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}::bigint, ${p(8)}, ${p(9)}::uuid[], ${p(10)}::uuid[]`;
}

const APPEND_SQL = `INSERT INTO audit_events (${APPEND_COLUMNS}) VALUES (${appendParameters(1)})`;

/** Appends one event on `db`, which must be the transaction that made the change. */
export async function appendAuditEvent(db: Queryable, caller: WriteCaller, changes: WriteChanges): Promise<void> {
  await db.query(prepared(APPEND_SQL, auditValues(caller, changes)));
}
