import type pg from 'pg';

/**
 * Whether the role the gateway connected as is a PostgreSQL superuser. A superuser can run
 * shell commands on the database host (`COPY … TO PROGRAM`), so anything that gets SQL through
 * the gateway would too: the gateway should connect as a role that only owns its database.
 */
export async function connectedAsSuperuser(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ rolsuper: boolean }>(
    'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
  );
  return rows[0]?.rolsuper === true;
}

export const SUPERUSER_WARNING =
  'the gateway connects to PostgreSQL as a superuser; give DATABASE_URL a role that owns only the placement database (see docs/OPERATIONS.md)';
