import {
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyResult,
  jwtVerify,
  type KeyObject,
} from 'jose';
import type { Actor } from './actor.js';
import {
  AuthenticationError,
  type Authenticator,
  IdentityProviderUnavailableError,
  NoRoleError,
} from './authenticator.js';
import { isProjectId, type RoleMap, strongestRole } from './role-map.js';
import { SECRET_PREFIX } from './secret.js';

/** JWT bearer tokens from one issuer (JWT_* settings, docs/OPERATIONS.md "Access control"). */
export interface JwtSettings {
  /** The `iss` every token must carry (JWT_ISSUER). */
  issuer: string;
  /** Accepted `aud` values; a token must name one of them (JWT_AUDIENCE). */
  audiences: readonly string[];
  /** Where the issuer publishes its signing keys (JWT_JWKS_URL). */
  jwksUrl: URL;
  /** The claim holding role names: a top-level name, else a dotted path such as `realm_access.roles` (JWT_ROLES_CLAIM). */
  rolesClaim: string;
  /** Role name in the token → our role (JWT_ROLE_MAP); the most powerful mapped role wins. */
  roleMap: RoleMap;
  /** The claim holding the project the caller is confined to; null: tokens confine to no project (JWT_PROJECT_CLAIM). */
  projectClaim: string | null;
  /** Leeway for `exp`/`nbf`/`iat` against clock skew, in seconds (JWT_CLOCK_TOLERANCE_SECONDS). */
  clockToleranceSeconds: number;
  /** How long one JWKS fetch may take (JWT_JWKS_TIMEOUT_MS). */
  jwksTimeoutMs: number;
  /** A token with an unknown key id refetches the JWKS at most this often (JWT_JWKS_COOLDOWN_SECONDS). */
  jwksCooldownSeconds: number;
  /** The JWKS is refetched when older than this, whatever the tokens say (JWT_JWKS_MAX_AGE_SECONDS). */
  jwksMaxAgeSeconds: number;
}

// JWS compact serialisation: header.payload.signature, each base64url and non-empty.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The bearer credential of an Authorization header when it has a JWT's shape and is no API token; else null. */
export function bearerJwt(header: string | null): string | null {
  const credential = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1];
  if (credential === undefined || credential.startsWith(SECRET_PREFIX) || !COMPACT_JWS.test(credential)) return null;
  return credential;
}

type KeyGetter = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyObject | CryptoKey | Uint8Array>;

/**
 * The issuer's keys, fetched and cached by jose's createRemoteJWKSet: refetched when older than
 * the max age, or when a token names a key id the cached set lacks (key rotation) but at most
 * once per cooldown, so a stream of forged key ids cannot make the gateway hammer the issuer.
 * A failure to obtain the set is the identity provider's fault, not the caller's: it becomes
 * IdentityProviderUnavailableError; a set without the token's key stays the token's problem.
 */
function issuerKeys(settings: JwtSettings): KeyGetter {
  const jwks = createRemoteJWKSet(settings.jwksUrl, {
    timeoutDuration: settings.jwksTimeoutMs,
    cooldownDuration: settings.jwksCooldownSeconds * 1000,
    cacheMaxAge: settings.jwksMaxAgeSeconds * 1000,
  });
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      )
        throw error;
      throw new IdentityProviderUnavailableError(
        `the issuer's signing keys could not be fetched from ${settings.jwksUrl.origin}${settings.jwksUrl.pathname}: ${reason(error)}`,
        { cause: error },
      );
    }
  };
}

function reason(error: unknown): string {
  if (error instanceof errors.JWKSTimeout) return 'timed out';
  if (error instanceof errors.JWKSInvalid) return 'the answer is not a JSON Web Key Set';
  if (error instanceof errors.JOSEError) return error.message;
  // fetch's TypeError('fetch failed') keeps the network error (ECONNREFUSED, ENOTFOUND, …) in its cause.
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' ? `unreachable (${cause})` : 'unreachable';
}

/** Why jose refused a token, in words for the 401 (never the token itself). */
function refusal(error: unknown): string | null {
  if (error instanceof errors.JWTExpired) return 'the bearer token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return 'the bearer token was issued by another issuer than JWT_ISSUER';
      case 'aud':
        return 'the bearer token is meant for another audience than JWT_AUDIENCE';
      case 'nbf':
        return 'the bearer token is not valid yet (nbf)';
      case 'iat':
        return 'the bearer token has an unusable iat claim';
      default:
        return `the bearer token's "${error.claim}" claim is invalid (${error.reason})`;
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the bearer token has a bad signature';
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'the bearer token is signed with a key the issuer does not publish (unknown kid)';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'the bearer token matches no single key of the issuer';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'the bearer token uses a signing algorithm this gateway does not accept';
  if (error instanceof errors.JOSEError) return 'the bearer token is not a well-formed signed JWT';
  return null;
}

/** A claim by its exact name, else by a dotted path (`realm_access.roles`). Names may contain dots (`https://x.io/roles`). */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Role names from a claim: a list of strings, or one string of names separated by spaces or commas. */
function roleNames(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

async function verify(token: string, keys: KeyGetter, settings: JwtSettings): Promise<JWTVerifyResult> {
  const options = {
    issuer: settings.issuer,
    audience: [...settings.audiences],
    clockTolerance: settings.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  try {
    return await jwtVerify(token, keys, options);
  } catch (error) {
    // A token without `kid` while the issuer publishes several usable keys (mid-rotation):
    // try each, as jose documents; a signature that none verifies is a bad signature.
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error) {
      try {
        return await jwtVerify(token, key, options);
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/**
 * `Authorization: Bearer <JWT>` from the configured issuer, verified with jose against the
 * issuer's JWKS: signature, `iss`, `aud`, `exp` (required), `nbf`, with the clock tolerance.
 * The caller is the `sub`; its role is the most powerful one JWT_ROLE_MAP gives any name in
 * the roles claim; its project is the project claim (ADMIN acts on every project, as an ADMIN
 * API token does). Bearers that are API tokens or not JWT-shaped are left to others (null).
 */
export function jwtAuthenticator(settings: JwtSettings): Authenticator {
  const keys = issuerKeys(settings);
  return {
    name: 'jwt',
    async authenticate(request) {
      const token = bearerJwt(request.headers.get('authorization'));
      if (token === null) return null;
      let payload: JWTPayload;
      try {
        ({ payload } = await verify(token, keys, settings));
      } catch (error) {
        const why = refusal(error);
        if (why === null) throw error;
        if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'sub' && error.reason === 'missing')
          throw new AuthenticationError('the bearer token has no "sub" claim naming the caller');
        throw new AuthenticationError(why);
      }
      const subject = payload.sub;
      if (typeof subject !== 'string' || subject === '')
        throw new AuthenticationError('the bearer token has no "sub" claim naming the caller');
      const role = strongestRole(settings.roleMap, roleNames(claimAt(payload, settings.rolesClaim)), {
        caseInsensitive: false,
      });
      if (role === null)
        throw new NoRoleError(
          `the token of "${subject}" carries no role this gateway maps in its "${settings.rolesClaim}" claim (JWT_ROLE_MAP)`,
        );
      const actor: Actor = { kind: 'jwt', role, projectId: null, name: subject };
      if (settings.projectClaim === null || role === 'ADMIN') return actor;
      const project = claimAt(payload, settings.projectClaim);
      if (project === undefined) return actor;
      if (typeof project !== 'string' || !isProjectId(project))
        throw new AuthenticationError(
          `the bearer token's "${settings.projectClaim}" claim is not a project id (a string of 1 to 255 characters)`,
        );
      return { ...actor, projectId: project };
    },
  };
}
