import type pg from 'pg';
import { generateSecret, hashSecret } from '../../src/auth/secret.js';

/**
 * The ADMIN secret every test client of this file sends by default: TestEnv inserts it into its
 * database, gateway processes get it as PLACEMENT_ADMIN_TOKEN, postGraphQL sends it. One per
 * test file (vitest loads modules per file), random each run.
 */
export const TEST_ADMIN_TOKEN = generateSecret();

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** Makes `secret` a live ADMIN token of the database behind `pool` (idempotent). */
export async function insertAdminToken(db: pg.Pool | pg.Client, secret: string = TEST_ADMIN_TOKEN): Promise<void> {
  await db.query(
    `INSERT INTO api_tokens (name, role, secret_hash) VALUES ($1, 'ADMIN', $2) ON CONFLICT (secret_hash) DO NOTHING`,
    [`test-admin-${hashSecret(secret).toString('hex').slice(0, 8)}`, hashSecret(secret)],
  );
}
