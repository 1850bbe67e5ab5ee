import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type pg from 'pg';
import { classifyDatabaseError, RETRY_AFTER_SECONDS } from './database-errors.js';
import type { InflightGauge } from './inflight-limit.js';

/** What makes a gateway "not ready" besides an unreachable database. */
export interface Saturation {
  /** GraphQL requests in flight and their bound (src/http/inflight-limit.ts). */
  inflight: InflightGauge;
}

/**
 * GET /ready: 200 when the database answers `SELECT 1` through the gateway's own pool and
 * the gateway has room, else 503 naming why: DATABASE_UNAVAILABLE, DATABASE_BUSY (no pooled
 * connection came free in time), or SATURATED (every in-flight slot taken, or more requests
 * queued for a connection than the pool holds), so a load balancer sends work elsewhere.
 * The body never carries the driver's message (addresses, ports).
 */
export function useDatabaseReadiness(pool: pg.Pool, endpoint = '/ready', saturation?: Saturation): Plugin {
  return useReadinessCheck({
    endpoint,
    check: async ({ fetchAPI }) => {
      const notReady = (code: string) =>
        new fetchAPI.Response(JSON.stringify({ ready: false, code }), {
          status: 503,
          headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(RETRY_AFTER_SECONDS) },
        });
      if (saturation && (saturation.inflight.saturated || pool.waitingCount > pool.options.max)) {
        return notReady('SATURATED');
      }
      try {
        await pool.query('SELECT 1');
        return true;
      } catch (error) {
        return notReady(classifyDatabaseError(error) ?? 'DATABASE_UNAVAILABLE');
      }
    },
  });
}
