import type pg from 'pg';
import { fitsSql } from './fit.js';
import { parsePlacementRequest, resolveRequest } from './request.js';
import { rootConditions } from './search/filters.js';
import { explainGroups } from './search/groups/explain.js';
import { Params } from './sql.js';
import { type Queryable, withClient } from './transactions.js';

export interface ExplanationStep {
  constraint: string;
  detail: string;
  eliminated: number;
  /** The request group the step is about ('' the unnumbered group's classes), or null for a step on the host. */
  group: string | null;
}

export interface Explanation {
  providersConsidered: number;
  steps: ExplanationStep[];
  remaining: number;
}

/**
 * For an operator: how many root providers each constraint eliminated, applied in order
 * (cell, tree, traits, aggregates, then per class: no inventory, not enough free), and how
 * many remain. `remaining` equals the number of candidates an unlimited search returns.
 */
export async function explainPlacement(pool: pg.Pool, rawRequest: unknown): Promise<Explanation> {
  const request = parsePlacementRequest(rawRequest);
  return withClient(pool, async (client) => {
    const r = await resolveRequest(client, request);
    if (r.groups.length > 0) return explainGroups(client, r);
    const params = new Params();
    const traitNames = new Map((request.requiredTraits ?? []).map((t, i) => [r.requiredTraitIds[i]!, t]));
    const conditions: ExplainCondition[] = rootConditions(r, params, { traits: traitNames }, true);
    // Per class: some provider serving the host has the class, and one of those fits. The
    // servers are the host itself, or (with trees or sharing providers in the data) its tree
    // members and sharing partners: indexed probes per host, never a join over every inventory.
    const sharingTrait = r.nested ? params.add(r.sharingTraitId) : '';
    const serves = (classId: string, fit: string) => {
      if (!r.nested)
        return `EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = p.id AND i.resource_class_id = ${classId}${fit})`;
      const members = `EXISTS (SELECT 1 FROM resource_providers m JOIN inventories i ON i.provider_id = m.id
                   WHERE m.root_provider_id = p.id AND i.resource_class_id = ${classId}${fit})`;
      const partners = `EXISTS (SELECT 1 FROM provider_aggregates root_pa
                   JOIN provider_aggregates share_pa ON share_pa.aggregate_id = root_pa.aggregate_id
                   JOIN provider_traits st ON st.provider_id = share_pa.provider_id AND st.trait_id = ${sharingTrait}
                   JOIN inventories i ON i.provider_id = share_pa.provider_id AND i.resource_class_id = ${classId}
                  WHERE root_pa.provider_id = p.id${fit})`;
      return `(${members} OR ${partners})`;
    };
    r.classIds.forEach((id, index) => {
      const classId = params.add(id);
      const fit = ` AND ${fitsSql('i', params.add(r.amounts[index]!))}`;
      conditions.push({ label: r.classNames[index]!, constraint: 'NO_INVENTORY', sql: serves(classId, ''), group: '' });
      conditions.push({
        label: `${r.classNames[index]!}:${r.amounts[index]!}`,
        constraint: 'NOT_ENOUGH_CAPACITY',
        sql: serves(classId, fit),
        group: '',
      });
    });
    const counted = await countSteps(client, conditions, params);
    return { providersConsidered: counted.total, steps: counted.steps, remaining: counted.remaining };
  });
}

/** A step of the explanation as a condition on root `p`. */
export interface ExplainCondition {
  label: string;
  constraint: string;
  sql: string;
  group?: string;
}

/** How many roots each condition eliminates among those that passed the ones before it, in one scan. */
export async function countSteps(
  db: Queryable,
  conditions: readonly ExplainCondition[],
  params: Params,
): Promise<{ total: number; remaining: number; steps: ExplanationStep[] }> {
  const counts = conditions.map((c, i) => {
    const before = conditions.slice(0, i).map((x) => `(${x.sql})`);
    // IS NOT TRUE, not NOT: a condition that is NULL (a root with no cell) fails the filter too.
    return `count(*) FILTER (WHERE ${[...before, `(${c.sql}) IS NOT TRUE`].join(' AND ')})::int AS c${i}`;
  });
  const all = conditions.map((c) => `(${c.sql})`).join(' AND ') || 'true';
  const { rows } = await db.query<Record<string, number>>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${all})::int AS remaining${counts.length ? `, ${counts.join(', ')}` : ''}
       FROM resource_providers p WHERE p.parent_provider_id IS NULL`,
    params.values,
  );
  const row = rows[0]!;
  return {
    total: row.total!,
    remaining: row.remaining!,
    steps: conditions.map((c, i) => ({
      constraint: c.constraint,
      detail: c.label,
      eliminated: row[`c${i}`]!,
      group: c.group ?? null,
    })),
  };
}
