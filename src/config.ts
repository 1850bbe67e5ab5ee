import { z } from 'zod';
import type { JwtSettings } from './auth/jwt.js';
import { type ProxySettings, parseTrustedProxies } from './auth/proxy.js';
import { parseRoleMap } from './auth/role-map.js';
import { SECRET_PATTERN } from './auth/secret.js';
import { parseOrigins } from './http/cross-site.js';
import { defaultGatewayLimits } from './http/limits.js';
import { defaultServerTimeouts } from './http/server-timeouts.js';

/** A setting with a bad value; the message names each bad setting, its rule and what it got. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ConfigError';
  }
}

// Each check of a setting carries the same rule text, so every failure reads
// `<NAME> <rule>, got "<value>"` whichever check caught it.
function integer(min: number, max: number) {
  const rule = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^-?\d+$/, rule)
    .transform(Number)
    .pipe(z.number().min(min, rule).max(max, rule));
}

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
  .refine((value) => URL.canParse(value), 'must be a postgres:// or postgresql:// URL');

// A comma list of origins (scheme://host[:port]); `*` and `null` are refused: origins are trusted one by one.
/**
 * A setting read by `parse`, which answers the value or a sentence saying what is wrong;
 * the config error then says what was expected and that sentence.
 */
function parsedSetting<T>(parse: (value: string) => T | string, expected: string) {
  return z.string().transform((value, ctx) => {
    const parsed = parse(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: `must be ${expected} (${parsed})` });
      return z.NEVER;
    }
    return parsed;
  });
}

const corsOrigins = parsedSetting(parseOrigins, 'a comma list of origins like https://ops.example.com');

// --- Identity providers: JWT bearer tokens and trusted proxy headers (docs/OPERATIONS.md, "Access control").
// Each is off unless configured: JWT by JWT_ISSUER + JWT_JWKS_URL + JWT_AUDIENCE, proxies by TRUSTED_PROXIES.

const roleMap = (caseInsensitive: boolean) =>
  parsedSetting((value) => parseRoleMap(value, { caseInsensitive }), 'a comma list of name=ADMIN|SCHEDULER|READER');

const isLoopback = (hostname: string) =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

// The keys that sign every identity: https, except on this machine (a test or a sidecar issuer).
const jwksUrl = z
  .string()
  .refine((value) => URL.canParse(value), 'must be an https:// URL')
  .transform((value) => new URL(value))
  .refine(
    (url) => url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)),
    'must be an https:// URL (http:// only for localhost)',
  );

const commaList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .refine((items) => items.length > 0, 'must list at least one value');

const trustedProxies = parsedSetting(
  parseTrustedProxies,
  'a comma list of IP addresses and networks like 10.0.0.5, 10.1.0.0/16, fd00::/8',
);

const DEFAULT_JWT_ROLE_MAP = 'placement-admin=ADMIN,placement-scheduler=SCHEDULER,placement-reader=READER';
const DEFAULT_PROXY_ROLE_MAP = 'admin=ADMIN,service=SCHEDULER,reader=READER,member=READER';

const identitySettings = {
  JWT_ISSUER: z.string().optional(),
  JWT_JWKS_URL: jwksUrl.optional(),
  // Comma list; a token must name one of them in `aud`. Required with JWT: a token the issuer minted for another service must not pass here.
  JWT_AUDIENCE: commaList.optional(),
  JWT_ROLES_CLAIM: z.string().default('roles'),
  JWT_ROLE_MAP: roleMap(false).prefault(DEFAULT_JWT_ROLE_MAP),
  // Unset: JWT callers are confined to no project.
  JWT_PROJECT_CLAIM: z.string().optional(),
  JWT_CLOCK_TOLERANCE_SECONDS: integer(0, 600).default(30),
  JWT_JWKS_TIMEOUT_MS: integer(100, 60_000).default(5_000),
  JWT_JWKS_COOLDOWN_SECONDS: integer(1, 3_600).default(30),
  JWT_JWKS_MAX_AGE_SECONDS: integer(10, 86_400).default(600),
  // Unset: identity headers are never believed.
  TRUSTED_PROXIES: trustedProxies.optional(),
  PROXY_ROLE_MAP: roleMap(true).prefault(DEFAULT_PROXY_ROLE_MAP),
};

/** JWT bearer tokens are on when JWT_ISSUER and JWT_JWKS_URL are set (JWT_AUDIENCE too; loadConfig checks). */
export function jwtSettingsOf(config: Config): JwtSettings | null {
  if (config.JWT_ISSUER === undefined || config.JWT_JWKS_URL === undefined || config.JWT_AUDIENCE === undefined)
    return null;
  return {
    issuer: config.JWT_ISSUER,
    audiences: config.JWT_AUDIENCE,
    jwksUrl: config.JWT_JWKS_URL,
    rolesClaim: config.JWT_ROLES_CLAIM,
    roleMap: config.JWT_ROLE_MAP,
    projectClaim: config.JWT_PROJECT_CLAIM ?? null,
    clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
    jwksTimeoutMs: config.JWT_JWKS_TIMEOUT_MS,
    jwksCooldownSeconds: config.JWT_JWKS_COOLDOWN_SECONDS,
    jwksMaxAgeSeconds: config.JWT_JWKS_MAX_AGE_SECONDS,
  };
}

/** Trusted proxy headers are on when TRUSTED_PROXIES is set. */
export function proxySettingsOf(config: Config): ProxySettings | null {
  if (config.TRUSTED_PROXIES === undefined) return null;
  return { trusted: config.TRUSTED_PROXIES, roleMap: config.PROXY_ROLE_MAP };
}

// JWT settings come as a set: half a configuration would silently accept nothing, or too much.
function jwtSettingsTogether(config: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const on = config.JWT_ISSUER !== undefined || config.JWT_JWKS_URL !== undefined;
  if (!on) return;
  for (const name of ['JWT_ISSUER', 'JWT_JWKS_URL', 'JWT_AUDIENCE'])
    if (config[name] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'must be set when JWT bearer tokens are on (JWT_ISSUER, JWT_JWKS_URL and JWT_AUDIENCE go together)',
      });
}

const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const flag = z.enum(['true', 'false'], 'must be true or false').transform((value) => value === 'true');

// Every setting comes from the environment; README.md lists them.
const envSchema = z
  .object({
    PORT: integer(1, 65535).default(4000),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: postgresUrl.optional(),
    // Unset means `<cwd>/.data` (see dataDirOf); kept apart so the embedded server knows it may relocate it.
    DATA_DIR: z.string().optional(),
    EMBEDDED_PG_PORT: integer(1, 65535).default(54329),
    DB_POOL_MAX: integer(1, 1000).default(20),
    DB_ACQUIRE_TIMEOUT_MS: integer(100, 600_000).default(10_000),
    // 0 turns the statement timeout off.
    DB_STATEMENT_TIMEOUT_MS: integer(0, 3_600_000).default(30_000),
    MAX_INFLIGHT_REQUESTS: integer(1, 100_000).default(defaultGatewayLimits.maxInflightRequests),
    MAX_REQUEST_BYTES: integer(1024, 1_073_741_824).default(defaultGatewayLimits.maxRequestBytes),
    MAX_DOCUMENT_TOKENS: integer(100, 1_000_000).default(defaultGatewayLimits.maxDocumentTokens),
    MAX_ALIASES: integer(0, 10_000).default(defaultGatewayLimits.maxAliases),
    // Exposure and abuse limits (src/http/cross-site.ts, caller-budget, deadline; README "Limits").
    CORS_ORIGINS: corsOrigins.default([]),
    GRAPHIQL: flag.default(true),
    INTROSPECTION: flag.default(true),
    PER_CALLER_MAX_IN_FLIGHT: integer(1, 100_000).default(defaultGatewayLimits.perCallerMaxInflight),
    REQUEST_DEADLINE_MS: integer(100, 3_600_000).default(defaultGatewayLimits.requestDeadlineMs),
    HEADERS_TIMEOUT_MS: integer(1_000, 600_000).default(defaultServerTimeouts.headersTimeoutMs),
    REQUEST_TIMEOUT_MS: integer(1_000, 3_600_000).default(defaultServerTimeouts.requestTimeoutMs),
    // How long a claim's idempotency key (and its stored answer) is kept; docs/OPERATIONS.md.
    IDEMPOTENCY_RETENTION_HOURS: integer(1, 8760).default(24),
    // How long audit events are kept (docs/OPERATIONS.md, "Audit trail"); older ones are purged in batches.
    AUDIT_RETENTION_DAYS: integer(1, 36500).default(90),
    // A secret that is a live ADMIN token (docs/OPERATIONS.md, "Access control"); unset: start-up writes <DATA_DIR>/admin-token.
    PLACEMENT_ADMIN_TOKEN: z
      .string()
      .regex(SECRET_PATTERN, 'must be "pgw_" followed by 32 to 256 random characters from A-Z a-z 0-9 _ -')
      .optional(),
    // /metrics answers only with a valid bearer token (any role) when true.
    METRICS_REQUIRE_TOKEN: flag.default(false),
    LOG_LEVEL: z.enum(logLevels, `must be one of ${logLevels.join(', ')}`).default('info'),
    ...identitySettings,
  })
  .superRefine(jwtSettingsTogether);

export type Config = z.infer<typeof envSchema>;

/** Hides the password of a URL-like value before it is echoed in an error. */
function redact(name: string, value: string): string {
  if (name === 'PLACEMENT_ADMIN_TOKEN') return `${value.slice(0, 4)}*** (${value.length} characters)`;
  return name === 'DATABASE_URL' ? value.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@') : value;
}

/** Reads the settings; an empty variable counts as unset. Throws ConfigError naming every bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(given);
  if (parsed.success) return parsed.data;
  const problems = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0]);
    if (problems.has(name)) continue;
    const got = given[name] === undefined ? 'nothing' : JSON.stringify(redact(name, String(given[name])));
    problems.set(name, `${name} ${issue.message}, got ${got}`);
  }
  throw new ConfigError([...problems.values()]);
}
