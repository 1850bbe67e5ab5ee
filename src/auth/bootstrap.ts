import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { type BootstrapOutcome, ensureBootstrapToken } from './tokens.js';

/** Where start-up leaves a generated admin secret, and where the CLI looks for one. */
export function adminTokenFile(dataDir: string): string {
  return path.join(dataDir, 'admin-token');
}

/** Writes the secret readable by this user only (0600), atomically: a reader never sees half a file. */
export async function writeAdminTokenFile(file: string, secret: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${secret}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/**
 * Start-up's part of access control: PLACEMENT_ADMIN_TOKEN becomes a live ADMIN token, or on a
 * database without any live token a new one is written to `file`.
 */
export async function bootstrapAdminToken(
  pool: pg.Pool,
  options: { configuredSecret?: string; file: string },
): Promise<BootstrapOutcome> {
  return ensureBootstrapToken(pool, {
    secret: options.configuredSecret,
    deliver: (secret) => writeAdminTokenFile(options.file, secret),
  });
}
