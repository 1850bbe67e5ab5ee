import type pg from 'pg';
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { withClient } from '../transactions.js';
import { parseInput, uuidString } from '../validation.js';

/** The audit trail's filter, as a client gives it (every member optional, all ANDed). */
export interface AuditFilterInput {
  since?: Date | string | null;
  until?: Date | string | null;
  operation?: string | null;
  actor?: string | null;
  providerUuid?: string | null;
  consumerUuid?: string | null;
}

const instant = z.coerce.date({ message: 'must be a date-time' });

const auditFilterSchema = z.object({
  since: instant.nullish(),
  until: instant.nullish(),
  operation: z.string().min(1, { message: 'must not be empty' }).max(200).nullish(),
  actor: z.string().min(1, { message: 'must not be empty' }).max(300).nullish(),
  providerUuid: uuidString.nullish(),
  consumerUuid: uuidString.nullish(),
});

export type AuditFilter = z.output<typeof auditFilterSchema>;

/** Checks a filter: each value, then that the window is not inverted. Fields are named `filter.<member>`. */
export function parseAuditFilter(raw: AuditFilterInput | null | undefined): AuditFilter {
  const filter = parseInput(auditFilterSchema, raw ?? {}, 'filter');
  if (filter.since && filter.until && filter.until < filter.since) {
    throw new InvalidInputError('filter.until', 'not-before-since', 'filter.until: must not be before filter.since');
  }
  return filter;
}

export interface AuditEventRow {
  id: bigint;
  at: Date;
  operation: string;
  requestId: string;
  apiVersion: string | null;
  actorKind: string;
  actorName: string;
  actorRole: string;
  actorProject: string | null;
  tokenId: bigint | null;
  subject: string | null;
  providerUuids: string[];
  consumerUuids: string[];
}

/** The WHERE clause for `filter` with its values from `$first` on. */
function conditions(filter: AuditFilter, values: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (filter.since) add((p) => `at >= ${p}`, filter.since);
  if (filter.until) add((p) => `at <= ${p}`, filter.until);
  if (filter.operation) add((p) => `operation = ${p}`, filter.operation);
  if (filter.actor) add((p) => `actor_name = ${p}`, filter.actor);
  if (filter.providerUuid) add((p) => `provider_uuids @> ARRAY[${p}::uuid]`, filter.providerUuid);
  if (filter.consumerUuid) add((p) => `consumer_uuids @> ARRAY[${p}::uuid]`, filter.consumerUuid);
  return where;
}

export interface AuditPage {
  /** Rows wanted: positive forward (newest first, after `afterId`), negative backward (before `beforeId`). */
  take: number;
  afterId?: bigint;
  beforeId?: bigint;
}

/**
 * A page of events, newest first (by id: the order they were appended). Keyset-paged on the
 * id, so a page costs the same however deep it is.
 */
export async function auditEventsPage(pool: pg.Pool, filter: AuditFilter, page: AuditPage): Promise<AuditEventRow[]> {
  return withClient(pool, async (client) => {
    const values: unknown[] = [];
    const where = conditions(filter, values);
    if (page.afterId !== undefined) {
      values.push(page.afterId.toString());
      where.push(`id < $${values.length}`);
    }
    if (page.beforeId !== undefined) {
      values.push(page.beforeId.toString());
      where.push(`id > $${values.length}`);
    }
    const backward = page.take < 0;
    values.push(Math.abs(page.take));
    const { rows } = await client.query<AuditEventRow & { id: string; tokenId: string | null }>(
      `SELECT id::text AS id, at, operation, request_id AS "requestId", api_version AS "apiVersion",
              actor_kind AS "actorKind", actor_name AS "actorName", actor_role AS "actorRole",
              actor_project AS "actorProject", token_id::text AS "tokenId", subject,
              provider_uuids::text[] AS "providerUuids", consumer_uuids::text[] AS "consumerUuids"
         FROM audit_events WHERE ${where.join(' AND ') || 'true'}
        ORDER BY id ${backward ? 'ASC' : 'DESC'} LIMIT $${values.length}`,
      values,
    );
    const events = rows.map((r) => ({
      ...r,
      id: BigInt(r.id),
      tokenId: r.tokenId === null ? null : BigInt(r.tokenId),
    }));
    return backward ? events.reverse() : events;
  });
}

/** How many events the filter matches. */
export async function auditEventCount(pool: pg.Pool, filter: AuditFilter): Promise<number> {
  const values: unknown[] = [];
  const where = conditions(filter, values);
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events WHERE ${where.join(' AND ') || 'true'}`,
    values,
  );
  return rows[0]?.n ?? 0;
}
