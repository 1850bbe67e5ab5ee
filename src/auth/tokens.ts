import type pg from 'pg';
import { z } from 'zod';
import { noteSubject } from '../placement/audit/trail.js';
import { AlreadyExistsError, InUseError, NotFoundError } from '../placement/errors.js';
import { defaultRetryPolicy } from '../placement/transactions.js';
import { externalId, parseInput } from '../placement/validation.js';
import type { WriteCaller } from '../placement/write-caller.js';
import { writeTransaction } from '../placement/write-transaction.js';
import type { Actor, Role } from './actor.js';
import { generateSecret, hashSecret, isTokenSecret } from './secret.js';

// API tokens (docs/OPERATIONS.md, "Access control"). Verification is one indexed lookup by
// hash per request and nothing is cached: a revocation takes effect on the next request.

/** Name of the token start-up creates on a database without one (src/auth/bootstrap.ts). */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap-admin';

/** last_used_at is refreshed at most this often per token, so verification stays a read. */
const LAST_USED_PRECISION = '1 minute';

export interface ApiTokenRecord {
  id: bigint;
  name: string;
  role: Role;
  projectId: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  project_id: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, role, project_id, created_at, last_used_at, revoked_at';

function toRecord(row: TokenRow): ApiTokenRecord {
  return {
    id: BigInt(row.id),
    name: row.name,
    role: row.role,
    projectId: row.project_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * The live token a secret belongs to, as an Actor, or null. One indexed lookup; the same
 * statement refreshes last_used_at when it is older than LAST_USED_PRECISION.
 */
export async function verifyApiToken(pool: pg.Pool, secret: string): Promise<Actor | null> {
  if (!isTokenSecret(secret)) return null;
  const { rows } = await pool.query<Pick<TokenRow, 'id' | 'name' | 'role' | 'project_id'>>({
    name: 'verify-api-token',
    text: `WITH hit AS (SELECT id, name, role, project_id FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL),
                touched AS (UPDATE api_tokens t SET last_used_at = now() FROM hit
                             WHERE t.id = hit.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '${LAST_USED_PRECISION}'))
           SELECT id, name, role, project_id FROM hit`,
    values: [hashSecret(secret)],
  });
  const row = rows[0];
  if (!row) return null;
  return { kind: 'token', role: row.role, projectId: row.project_id, name: row.name, tokenId: BigInt(row.id) };
}

/** 1–63 characters: lower-case letters, digits, `.`, `_`, `-`; starts with a letter or digit (also a CHECK in the table). */
export const TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const createInput = z
  .object({
    name: z
      .string()
      .min(1, { message: 'name must not be empty' })
      .max(63, { message: 'name is at most 63 characters' })
      .regex(TOKEN_NAME_PATTERN, {
        message: 'name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit',
      }),
    role: z.enum(['ADMIN', 'SCHEDULER', 'READER']),
    projectId: externalId('projectId').nullish(),
  })
  .superRefine((input, ctx) => {
    // An admin acts on every project; a project on an ADMIN token would promise a confinement it does not have.
    if (input.role === 'ADMIN' && input.projectId != null)
      ctx.addIssue({
        code: 'custom',
        path: ['projectId'],
        message: 'projectId: an ADMIN token acts on every project; leave projectId null',
        params: { rule: 'null-for-ADMIN' },
      });
  });

export type CreateApiTokenInput = z.input<typeof createInput>;

export interface CreatedApiToken {
  token: ApiTokenRecord;
  /** The only time the secret exists outside the caller: it is not stored. */
  secret: string;
}

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string; constraint?: string }).code === '23505' &&
  (error as { constraint?: string }).constraint === constraint;

async function insertToken(
  db: pg.ClientBase | pg.Pool,
  input: { name: string; role: Role; projectId: string | null },
  secret: string,
): Promise<ApiTokenRecord> {
  try {
    const { rows } = await db.query<TokenRow>(
      `INSERT INTO api_tokens (name, role, project_id, secret_hash) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [input.name, input.role, input.projectId, hashSecret(secret)],
    );
    return toRecord(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error, 'api_tokens_live_name_key'))
      throw new AlreadyExistsError('api token', 'name', input.name);
    throw error;
  }
}

/** A new token with a fresh secret. Bad input: InvalidInputError; a live token of that name: AlreadyExistsError. */
export async function createApiToken(
  pool: pg.Pool,
  raw: CreateApiTokenInput,
  caller?: WriteCaller,
): Promise<CreatedApiToken> {
  const input = parseInput(createInput, raw);
  const secret = generateSecret();
  // A write transaction although one statement: the audit trail records the caller in it.
  const token = await writeTransaction(
    pool,
    async (db) => {
      const created = await insertToken(
        db,
        { name: input.name, role: input.role, projectId: input.projectId ?? null },
        secret,
      );
      noteSubject(db, `api token ${created.name}`);
      return created;
    },
    defaultRetryPolicy,
    caller,
  );
  return { token, secret };
}

const revokeInput = z
  .object({
    id: z
      .string()
      .regex(/^[1-9]\d{0,18}$/, { message: 'id: a token id' })
      .nullish(),
    name: z.string().nullish(),
  })
  .superRefine((input, ctx) => {
    if ((input.id == null) === (input.name == null))
      ctx.addIssue({
        code: 'custom',
        path: [input.id == null ? 'id' : 'name'],
        message: 'give exactly one of id and name',
        params: { rule: 'exactly-one-of:id,name' },
      });
  });

export type RevokeApiTokenInput = z.input<typeof revokeInput>;

// Serialises revocations so two concurrent ones cannot both remove "the other" last admin.
const REVOKE_LOCK = 0x70677700;

/**
 * Revokes a live token by id or name. The last live ADMIN token cannot be revoked (InUseError):
 * nobody could create tokens afterwards.
 */
export async function revokeApiToken(
  pool: pg.Pool,
  raw: RevokeApiTokenInput,
  caller?: WriteCaller,
): Promise<ApiTokenRecord> {
  const input = parseInput(revokeInput, raw);
  const field = input.id != null ? 'id' : 'name';
  const identifier = (input.id ?? input.name)!;
  return writeTransaction(
    pool,
    async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [REVOKE_LOCK]);
      const { rows } = await db.query<TokenRow>(
        `SELECT ${COLUMNS} FROM api_tokens WHERE ${field === 'id' ? 'id = $1::bigint' : 'name = $1'} AND revoked_at IS NULL FOR UPDATE`,
        [identifier],
      );
      const token = rows[0];
      if (!token) throw new NotFoundError('api token', identifier, field);
      if (token.role === 'ADMIN') {
        const others = await db.query(
          `SELECT 1 FROM api_tokens WHERE role = 'ADMIN' AND revoked_at IS NULL AND id <> $1 LIMIT 1`,
          [token.id],
        );
        if (others.rowCount === 0)
          throw new InUseError('api token', token.name, 'it is the last live ADMIN token; create another one first');
      }
      const revoked = await db.query<TokenRow>(
        `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [token.id],
      );
      noteSubject(db, `api token ${token.name}`);
      return toRecord(revoked.rows[0]!);
    },
    defaultRetryPolicy,
    caller,
  );
}

/** The settings name a secret that must be a live ADMIN token, but that token was revoked. */
export class RevokedBootstrapSecretError extends Error {
  constructor() {
    super('PLACEMENT_ADMIN_TOKEN is a token that was revoked; set a new secret');
    this.name = 'RevokedBootstrapSecretError';
  }
}

// One start-up at a time decides about the bootstrap token, whatever number of gateways start together.
const BOOTSTRAP_LOCK = 0x70677701;

export type BootstrapOutcome =
  | { action: 'none' }
  | { action: 'created'; token: ApiTokenRecord }
  | { action: 'replaced'; token: ApiTokenRecord; revoked: string };

/**
 * Makes sure an admin can get in. With `secret` (PLACEMENT_ADMIN_TOKEN): that secret is a live
 * ADMIN token named bootstrap-admin afterwards; a previous live bootstrap-admin with another
 * secret is revoked (rotation by changing the setting). Without: when no live token exists,
 * a new bootstrap-admin is created and its secret handed to `deliver` before the transaction
 * commits, so a secret that could not be delivered never becomes the only live token.
 */
export async function ensureBootstrapToken(
  pool: pg.Pool,
  options: { secret?: string; deliver: (secret: string) => Promise<void> },
): Promise<BootstrapOutcome> {
  return writeTransaction(pool, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
    if (options.secret !== undefined) return ensureConfiguredSecret(db, options.secret);
    const live = await db.query('SELECT 1 FROM api_tokens WHERE revoked_at IS NULL LIMIT 1');
    if (live.rowCount) return { action: 'none' };
    const secret = generateSecret();
    const token = await insertToken(db, { name: BOOTSTRAP_TOKEN_NAME, role: 'ADMIN', projectId: null }, secret);
    await options.deliver(secret);
    return { action: 'created', token };
  });
}

async function ensureConfiguredSecret(db: pg.ClientBase, secret: string): Promise<BootstrapOutcome> {
  const existing = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE secret_hash = $1`, [
    hashSecret(secret),
  ]);
  const found = existing.rows[0];
  if (found?.revoked_at) throw new RevokedBootstrapSecretError();
  if (found) return { action: 'none' };
  const previous = await db.query<{ name: string }>(
    `UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING name`,
    [BOOTSTRAP_TOKEN_NAME],
  );
  const token = await insertToken(db, { name: BOOTSTRAP_TOKEN_NAME, role: 'ADMIN', projectId: null }, secret);
  return previous.rowCount
    ? { action: 'replaced', token, revoked: BOOTSTRAP_TOKEN_NAME }
    : { action: 'created', token };
}
