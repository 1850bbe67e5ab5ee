import { createHash, randomBytes } from 'node:crypto';

/**
 * API token secrets: `pgw_` + 32 random bytes in base64url. Only SHA-256(secret) is stored:
 * the secret has 256 bits of entropy, so an unsalted fast hash can be neither reversed nor
 * guessed, and a slow salted hash would cost every request a KDF run for nothing.
 */
export const SECRET_PREFIX = 'pgw_';
// Generated secrets have 43 characters after the prefix; an operator's own (PLACEMENT_ADMIN_TOKEN) at least 32.
export const SECRET_PATTERN = /^pgw_[A-Za-z0-9_-]{32,256}$/;

export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Whether `secret` has the shape of an API token secret (a setting or a header is checked with this). */
export function isTokenSecret(secret: string): boolean {
  return SECRET_PATTERN.test(secret);
}

/**
 * The API token secret in an Authorization header, or null when the header carries no bearer
 * credential of this format (another authenticator, e.g. JWT, may understand it).
 */
export function bearerSecret(header: string | null): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const credential = match?.[1];
  return credential?.startsWith(SECRET_PREFIX) ? credential : null;
}
