import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The embedded PostgreSQL's passwords: generated on first start, kept in one file of the data
 * folder (mode 0600, owned by the user running the gateway; outside PGDATA, which the postgres
 * system user owns), reused on every later start.
 */

/** The cluster's bootstrap superuser: provisioning only, the gateway never connects as it. */
export const SUPERUSER = 'postgres';
/** The role the gateway connects as: no superuser, owns the `placement` database and its objects. */
export const GATEWAY_ROLE = 'placement';
export const GATEWAY_DATABASE = 'placement';
/** The superuser password of data folders created before passwords were generated. */
export const LEGACY_SUPERUSER_PASSWORD = 'postgres';

export const CREDENTIALS_FILE = 'postgres-credentials.json';

export interface EmbeddedCredentials {
  superuserPassword: string;
  gatewayPassword: string;
  /**
   * Set by a rotation until the next start has applied it: the password the cluster's
   * superuser still has. Start-up logs in with it, changes it, and drops it from the file.
   */
  previousSuperuserPassword?: string;
}

/** The credentials file cannot be read or does not hold what it should. */
export class CredentialsFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`embedded PostgreSQL credentials file ${file}: ${reason}`);
    this.name = 'CredentialsFileError';
  }
}

export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, CREDENTIALS_FILE);
}

function generatePassword(): string {
  // base64url: safe in connection strings and SQL literals without escaping.
  return randomBytes(24).toString('base64url');
}

function isPassword(value: unknown): value is string {
  // Printable ASCII: SCRAM's SASLprep leaves it as it is, so scramSecret needs no normalising.
  return typeof value === 'string' && value.length >= 16 && /^[\x21-\x7e]+$/.test(value);
}

async function readCredentials(file: string): Promise<EmbeddedCredentials | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new CredentialsFileError(file, error.message);
  });
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialsFileError(file, 'is not JSON');
  }
  const { superuserPassword, gatewayPassword, previousSuperuserPassword } = (parsed ?? {}) as Record<string, unknown>;
  const previousOk = previousSuperuserPassword === undefined || isPassword(previousSuperuserPassword);
  if (!isPassword(superuserPassword) || !isPassword(gatewayPassword) || !previousOk) {
    throw new CredentialsFileError(
      file,
      'needs "superuserPassword" and "gatewayPassword" (and, when present, "previousSuperuserPassword"), each at least 16 printable ASCII characters',
    );
  }
  // Someone loosened it (a copy, an editor): nobody but the gateway's user may read it.
  await chmod(file, 0o600);
  return previousSuperuserPassword === undefined
    ? { superuserPassword, gatewayPassword }
    : { superuserPassword, gatewayPassword, previousSuperuserPassword };
}

/** Writes the file whole (mode 0600) through a temporary file renamed into place: a crash never leaves half a file. */
export async function writeCredentials(dataDir: string, credentials: EmbeddedCredentials): Promise<void> {
  const file = credentialsFile(dataDir);
  const staging = `${file}.partial-${process.pid}`;
  try {
    await writeFile(staging, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(staging, file);
  } finally {
    await rm(staging, { force: true });
  }
}

/** The data folder's credentials: read from its file, else generated and written. */
export async function loadOrCreateCredentials(dataDir: string): Promise<EmbeddedCredentials> {
  const existing = await readCredentials(credentialsFile(dataDir));
  if (existing) return existing;
  const credentials: EmbeddedCredentials = {
    superuserPassword: generatePassword(),
    gatewayPassword: generatePassword(),
  };
  await writeCredentials(dataDir, credentials);
  return credentials;
}

/** There is no credentials file to rotate in that folder. */
export class NoCredentialsFileError extends Error {
  constructor(readonly file: string) {
    super(`no embedded PostgreSQL credentials file at ${file} (has the gateway started on this DATA_DIR?)`);
    this.name = 'NoCredentialsFileError';
  }
}

/**
 * New passwords for both roles, written to the file; the next start applies them (the
 * gateway may keep running until then: its open connections stay valid). The password the
 * superuser still has is kept as `previousSuperuserPassword` until a start has changed it,
 * so rotating twice before a start loses nothing.
 */
export async function rotateCredentials(dataDir: string): Promise<EmbeddedCredentials> {
  const file = credentialsFile(dataDir);
  const current = await readCredentials(file);
  if (!current) throw new NoCredentialsFileError(file);
  const rotated: EmbeddedCredentials = {
    superuserPassword: generatePassword(),
    gatewayPassword: generatePassword(),
    previousSuperuserPassword: current.previousSuperuserPassword ?? current.superuserPassword,
  };
  await writeCredentials(dataDir, rotated);
  return rotated;
}

/**
 * The SCRAM-SHA-256 secret PostgreSQL stores for `password` (RFC 5802/7677, 4096 iterations,
 * its own format): sent in ALTER ROLE instead of the password, so the clear text never
 * reaches the server's statements or logs.
 */
export function scramSecret(password: string): string {
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** postgres://role:password@127.0.0.1:port/database */
export function localUrl(port: number, role: string, password: string, database: string): string {
  return `postgres://${encodeURIComponent(role)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
