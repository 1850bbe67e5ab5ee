/**
 * The predicate-lock settings claims depend on (src/database-settings.ts): the embedded
 * server runs with them, and a server below them is named, setting by setting, in the
 * start-up warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREDICATE_LOCK_SETTINGS, predicateLockSettingsOf, settingsBelowAdvice } from '../src/database-settings.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv(2);
});
afterAll(async () => env?.close());

describe('predicate-lock settings', () => {
  it('the embedded server runs with every advised value', async () => {
    const current = await predicateLockSettingsOf(env.db.pool);
    expect(current).toEqual(PREDICATE_LOCK_SETTINGS);
    expect(settingsBelowAdvice(current)).toEqual([]);
  });

  it("names each setting below the advice with PostgreSQL's default and the value wanted", () => {
    expect(settingsBelowAdvice({ max_pred_locks_per_page: 2, max_pred_locks_per_transaction: 64 })).toEqual([
      'max_pred_locks_per_page=2 (want ≥ 64)',
      'max_pred_locks_per_transaction=64 (want ≥ 256)',
    ]);
    expect(settingsBelowAdvice({ max_pred_locks_per_page: 128, max_pred_locks_per_transaction: 256 })).toEqual([]);
  });
});
