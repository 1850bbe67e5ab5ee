import type pg from 'pg';

/**
 * PostgreSQL settings claims depend on. A claim is a SERIALIZABLE statement, and PostgreSQL
 * turns a transaction's row-level predicate (SIRead) locks into one lock on the whole heap
 * page once it holds more than `max_pred_locks_per_page` on that page (default 2). A host's
 * providers and inventories sit together on one page with their neighbours', so a claim on
 * a tree of providers would lock its neighbours' rows too, and claims on hosts that share
 * nothing would fail each other with serialization errors. The embedded server starts with
 * these; a server of your own needs them in postgresql.conf (docs/OPERATIONS.md).
 */
export const PREDICATE_LOCK_SETTINGS = {
  max_pred_locks_per_page: 64,
  // Row-level locks take more entries of the shared lock table than page locks did.
  max_pred_locks_per_transaction: 256,
} as const;

/** The server flags that apply PREDICATE_LOCK_SETTINGS (`-c name=value`). */
export function predicateLockFlags(): string[] {
  return Object.entries(PREDICATE_LOCK_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

/** The settings below PREDICATE_LOCK_SETTINGS, as `name=current (want ≥ value)`; empty when all suffice. */
export function settingsBelowAdvice(current: Readonly<Record<string, number>>): string[] {
  return Object.entries(PREDICATE_LOCK_SETTINGS).flatMap(([name, wanted]) => {
    const value = current[name];
    return value !== undefined && value < wanted ? [`${name}=${value} (want ≥ ${wanted})`] : [];
  });
}

/** The server's values of the settings in PREDICATE_LOCK_SETTINGS. */
export async function predicateLockSettingsOf(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ name: string; setting: string }>(
    'SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])',
    [Object.keys(PREDICATE_LOCK_SETTINGS)],
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.setting)]));
}

export const PREDICATE_LOCK_WARNING =
  'PostgreSQL predicate-lock settings are below what concurrent claims need; claims on unrelated hosts will retry each other (see docs/OPERATIONS.md, "PostgreSQL settings")';
