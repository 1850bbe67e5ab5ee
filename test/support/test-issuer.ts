import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import type { JwtSettings } from '../../src/auth/jwt.js';
import { parseRoleMap, type RoleMap } from '../../src/auth/role-map.js';

/** One signing key of the test issuer. */
export interface IssuerKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function issuerKey(alg: IssuerKey['alg']): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export const TEST_AUDIENCE = 'placement-gateway';
export const TEST_ROLE_MAP = parseRoleMap(
  'placement-admin=ADMIN,placement-scheduler=SCHEDULER,placement-reader=READER',
  { caseInsensitive: false },
) as RoleMap;

/**
 * A real OIDC-style issuer for tests: key pairs made with jose, the public half served as a
 * JWKS by a node:http server on 127.0.0.1, real signed tokens. What it publishes, and whether
 * it answers at all, can be changed while a test runs.
 */
export interface TestIssuer {
  issuer: string;
  jwksUrl: URL;
  /** Keys published in the JWKS (the first signs by default). */
  published: IssuerKey[];
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /** Answer the JWKS with this HTTP status instead (null: serve it). */
  failWith(status: number | null): void;
  /** Signs `claims` (iss, aud, sub, iat, exp 5 min unless given) with `key`. */
  sign(claims: JWTPayload, options?: { key?: IssuerKey; expiresIn?: string | number }): Promise<string>;
  /** Settings for a gateway that trusts this issuer, with `overrides`. */
  settings(overrides?: Partial<JwtSettings>): JwtSettings;
  close(): Promise<void>;
}

export async function startTestIssuer(keys: IssuerKey[]): Promise<TestIssuer> {
  let fetches = 0;
  let failure: number | null = null;
  const published = [...keys];
  const server: Server = createServer((req, res) => {
    if (req.url !== '/protocol/openid-connect/certs') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    if (failure !== null) {
      res.writeHead(failure, { 'content-type': 'text/plain' }).end('identity provider trouble');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realms/placement`;
  const jwksUrl = new URL(`${base}/protocol/openid-connect/certs`);
  return {
    issuer,
    jwksUrl,
    published,
    fetches: () => fetches,
    failWith(status) {
      failure = status;
    },
    async sign(claims, options = {}) {
      const key = options.key ?? published[0];
      if (!key) throw new Error('the test issuer has no key to sign with');
      const jwt = new SignJWT({ iss: issuer, aud: TEST_AUDIENCE, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuedAt();
      if (claims.exp === undefined) jwt.setExpirationTime(options.expiresIn ?? '5m');
      return jwt.sign(key.privateKey);
    },
    settings(overrides = {}) {
      return {
        issuer,
        audiences: [TEST_AUDIENCE],
        jwksUrl,
        rolesClaim: 'realm_access.roles',
        roleMap: TEST_ROLE_MAP,
        projectClaim: 'project_id',
        clockToleranceSeconds: 0,
        jwksTimeoutMs: 2_000,
        jwksCooldownSeconds: 0,
        jwksMaxAgeSeconds: 600,
        ...overrides,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
