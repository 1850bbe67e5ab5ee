import { describe, expect, it } from 'vitest';
import { ConfigError, jwtSettingsOf, loadConfig, proxySettingsOf } from '../src/config.js';

/** The message loadConfig throws for `env`, or undefined when it accepts it. */
function problem(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
}

const integers: [name: string, min: number, max: number][] = [
  ['PORT', 1, 65535],
  ['EMBEDDED_PG_PORT', 1, 65535],
  ['DB_POOL_MAX', 1, 1000],
  ['DB_ACQUIRE_TIMEOUT_MS', 100, 600_000],
  ['DB_STATEMENT_TIMEOUT_MS', 0, 3_600_000],
  ['MAX_INFLIGHT_REQUESTS', 1, 100_000],
  ['MAX_REQUEST_BYTES', 1024, 1_073_741_824],
  ['MAX_DOCUMENT_TOKENS', 100, 1_000_000],
  ['MAX_ALIASES', 0, 10_000],
];

describe('integer settings', () => {
  for (const [name, min, max] of integers) {
    it(`${name}: every bad value reads "${name} must be an integer from ${min} to ${max}, got …"`, () => {
      for (const bad of ['abc', '1.5', '1e3', '0x10', ' 5', String(min - 1), String(max + 1), '1MB']) {
        expect(problem({ [name]: bad })).toBe(
          `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(bad)}`,
        );
      }
      expect(loadConfig({ [name]: String(min) })[name as 'PORT']).toBe(min);
      expect(loadConfig({ [name]: String(max) })[name as 'PORT']).toBe(max);
    });
  }
});

describe('other settings', () => {
  it('LOG_LEVEL lists the levels', () => {
    expect(problem({ LOG_LEVEL: 'verbose' })).toBe(
      'LOG_LEVEL must be one of debug, info, warn, error, silent, got "verbose"',
    );
  });

  it('DATABASE_URL must be a postgres URL, and a password is not echoed', () => {
    expect(problem({ DATABASE_URL: 'not-a-url' })).toBe(
      'DATABASE_URL must be a postgres:// or postgresql:// URL, got "not-a-url"',
    );
    expect(problem({ DATABASE_URL: 'mysql://admin:s3cret@db/placement' })).toBe(
      'DATABASE_URL must be a postgres:// or postgresql:// URL, got "mysql://admin:***@db/placement"',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5433/placement' }).DATABASE_URL).toBe(
      'postgresql://u:p@db:5433/placement',
    );
  });

  it('several bad settings are all named, on one line', () => {
    const message = problem({ PORT: '0', DB_POOL_MAX: 'many' });
    expect(message).toBe(
      'PORT must be an integer from 1 to 65535, got "0"; DB_POOL_MAX must be an integer from 1 to 1000, got "many"',
    );
    expect(message).not.toContain('\n');
  });
});

describe('an empty variable', () => {
  it('means unset: every setting takes its default', () => {
    const names = [...integers.map(([name]) => name), 'HOST', 'DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL'];
    const empty = Object.fromEntries(names.map((name) => [name, '']));
    expect(loadConfig(empty)).toEqual(loadConfig({}));
    expect(loadConfig({ PORT: '' }).PORT).toBe(4000);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '' }).DB_STATEMENT_TIMEOUT_MS).toBe(30_000);
    expect(loadConfig({ MAX_ALIASES: '' }).MAX_ALIASES).toBe(20);
  });
});

describe('identity provider settings (JWT_*, TRUSTED_PROXIES, PROXY_ROLE_MAP)', () => {
  const jwt = {
    JWT_ISSUER: 'https://sso.example.com/realms/ops',
    JWT_JWKS_URL: 'https://sso.example.com/realms/ops/protocol/openid-connect/certs',
    JWT_AUDIENCE: 'placement-gateway',
  };

  it('off unless configured', () => {
    const config = loadConfig({});
    expect(jwtSettingsOf(config)).toBeNull();
    expect(proxySettingsOf(config)).toBeNull();
  });

  it('JWT: issuer, key set and audience go together; defaults for the rest', () => {
    expect(problem({ JWT_ISSUER: jwt.JWT_ISSUER })).toBe(
      'JWT_JWKS_URL must be set when JWT bearer tokens are on (JWT_ISSUER, JWT_JWKS_URL and JWT_AUDIENCE go together), got nothing; ' +
        'JWT_AUDIENCE must be set when JWT bearer tokens are on (JWT_ISSUER, JWT_JWKS_URL and JWT_AUDIENCE go together), got nothing',
    );
    const settings = jwtSettingsOf(loadConfig(jwt));
    expect(settings).toMatchObject({
      issuer: jwt.JWT_ISSUER,
      audiences: ['placement-gateway'],
      rolesClaim: 'roles',
      projectClaim: null,
      clockToleranceSeconds: 30,
      jwksCooldownSeconds: 30,
    });
    expect(settings?.jwksUrl.href).toBe(jwt.JWT_JWKS_URL);
    expect(Object.fromEntries(settings?.roleMap ?? [])).toEqual({
      'placement-admin': 'ADMIN',
      'placement-scheduler': 'SCHEDULER',
      'placement-reader': 'READER',
    });
  });

  it('JWT_JWKS_URL must be https (http only on localhost)', () => {
    expect(problem({ ...jwt, JWT_JWKS_URL: 'http://sso.example.com/certs' })).toBe(
      'JWT_JWKS_URL must be an https:// URL (http:// only for localhost), got "http://sso.example.com/certs"',
    );
    expect(problem({ ...jwt, JWT_JWKS_URL: 'http://127.0.0.1:8080/certs' })).toBeUndefined();
  });

  it('role maps: name=ROLE with our roles, no name mapped twice', () => {
    expect(problem({ JWT_ROLE_MAP: 'ops=ROOT' })).toBe(
      'JWT_ROLE_MAP must be a comma list of name=ADMIN|SCHEDULER|READER ("ROOT" in "ops=ROOT" is not one of ADMIN, SCHEDULER, READER), got "ops=ROOT"',
    );
    expect(problem({ PROXY_ROLE_MAP: 'admin=ADMIN,Admin=READER' })).toBe(
      'PROXY_ROLE_MAP must be a comma list of name=ADMIN|SCHEDULER|READER ("Admin" is mapped to both ADMIN and READER), got "admin=ADMIN,Admin=READER"',
    );
    expect(problem({ PROXY_ROLE_MAP: 'admin' })).toMatch(/"admin" is not name=ROLE/);
  });

  it('TRUSTED_PROXIES: addresses and networks, IPv4 and IPv6', () => {
    const proxy = proxySettingsOf(loadConfig({ TRUSTED_PROXIES: '10.0.0.5, 172.16.0.0/12, fd00::/8' }));
    expect(proxy?.trusted.entries).toEqual(['10.0.0.5', '172.16.0.0/12', 'fd00::/8']);
    expect(Object.fromEntries(proxy?.roleMap ?? [])).toEqual({
      admin: 'ADMIN',
      service: 'SCHEDULER',
      reader: 'READER',
      member: 'READER',
    });
    expect(problem({ TRUSTED_PROXIES: 'proxy.internal' })).toMatch(
      /^TRUSTED_PROXIES must be a comma list of IP addresses and networks .*"proxy.internal" is not an IPv4 or IPv6 address/,
    );
    expect(problem({ TRUSTED_PROXIES: 'fd00::/129' })).toMatch(/prefix length outside 0–128/);
  });
});
