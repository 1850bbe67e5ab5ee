import path from 'node:path';
import { z } from 'zod';
import { defaultGatewayLimits } from './http/limits.js';

// Every setting comes from the environment; README.md lists them.
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(path.resolve(process.cwd(), '.data')),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(20),
  DB_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // 0 turns the statement timeout off.
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  MAX_INFLIGHT_REQUESTS: z.coerce.number().int().min(1).max(100_000).default(defaultGatewayLimits.maxInflightRequests),
  MAX_REQUEST_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(defaultGatewayLimits.maxRequestBytes),
  MAX_DOCUMENT_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(defaultGatewayLimits.maxDocumentTokens),
  MAX_ALIASES: z.coerce.number().int().min(0).max(10_000).default(defaultGatewayLimits.maxAliases),
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().min(1).max(8760).default(24),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Config = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
