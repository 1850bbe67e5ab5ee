import type pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ClaimPools } from './db.js';
import { transactionStats } from './placement/transactions.js';

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

// A counter read from transactionStats at scrape time (the engine's hot path only bumps a number).
new Counter({
  name: 'placement_transactions',
  help: 'SERIALIZABLE transactions: committed, retried after a serialization failure or deadlock, retried because a host stayed busy (host_busy), and given up after the retry cap',
  labelNames: ['outcome'],
  registers: [engineRegistry],
  collect() {
    this.reset();
    this.inc({ outcome: 'committed' }, transactionStats.committed);
    this.inc({ outcome: 'retried' }, transactionStats.retried);
    this.inc({ outcome: 'host_busy' }, transactionStats.hostBusy);
    this.inc({ outcome: 'exhausted' }, transactionStats.exhausted);
  },
});

/** A gauge of one pool's connections by state. */
function poolGauge(registry: Registry, name: string, help: string, pool: pg.Pool): void {
  new Gauge({
    name,
    help,
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}

/** Per-gateway pool gauges (each gateway has its own pools). */
export function poolRegistry(db: ClaimPools): Registry {
  const registry = new Registry();
  poolGauge(registry, 'placement_db_pool_connections', 'Database pool connections by state', db.pool);
  poolGauge(
    registry,
    'placement_db_claim_pool_connections',
    'Claim pool connections by state (SERIALIZABLE by default; opened by claims, up to DB_POOL_MAX more)',
    db.claimPool,
  );
  return registry;
}

export const deprecatedUsageCounter = new Counter({
  name: 'placement_deprecated_usage_total',
  help: 'Operations that touched a deprecated field, argument, input field or enum value, by API version and member',
  labelNames: ['version', 'member'],
  registers: [engineRegistry],
});
