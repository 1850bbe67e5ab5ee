import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

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
