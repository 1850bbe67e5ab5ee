import type pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import { claimPoolOf, transactionStats } from './placement/transactions.js';

/**
 * Process-wide engine metrics. Each gateway serves them merged with its own HTTP/GraphQL
 * metrics (usePrometheus) at /metrics.
 */
export const engineRegistry = new Registry();

export const typedErrors = new Counter({
  name: 'placement_typed_errors_total',
  help: 'Typed errors returned by mutations, by code',
  labelNames: ['code'],
  registers: [engineRegistry],
});

new Gauge({
  name: 'placement_transactions',
  help: 'SERIALIZABLE transactions: committed, retried after a serialization failure or deadlock, and given up after the retry cap',
  labelNames: ['outcome'],
  registers: [engineRegistry],
  collect() {
    this.set({ outcome: 'committed' }, transactionStats.committed);
    this.set({ outcome: 'retried' }, transactionStats.retried);
    this.set({ outcome: 'exhausted' }, transactionStats.exhausted);
  },
});

/** A gauge of one pool's connections by state; a pool not created yet reads 0. */
function poolGauge(registry: Registry, name: string, help: string, poolOf: () => pg.Pool | undefined): void {
  new Gauge({
    name,
    help,
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pool = poolOf();
      this.set({ state: 'total' }, pool?.totalCount ?? 0);
      this.set({ state: 'idle' }, pool?.idleCount ?? 0);
      this.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
    },
  });
}

/** Per-gateway pool gauges (each gateway has its own pools). */
export function poolRegistry(pool: pg.Pool): Registry {
  const registry = new Registry();
  poolGauge(registry, 'placement_db_pool_connections', 'Database pool connections by state', () => pool);
  poolGauge(
    registry,
    'placement_db_claim_pool_connections',
    'Claim pool connections by state (SERIALIZABLE by default; created by the first claim, up to DB_POOL_MAX more)',
    () => claimPoolOf(pool),
  );
  return registry;
}

export const deprecatedUsageCounter = new Counter({
  name: 'placement_deprecated_usage_total',
  help: 'Operations that touched a deprecated field, argument, input field or enum value, by API version and member',
  labelNames: ['version', 'member'],
  registers: [engineRegistry],
});
