import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type pg from 'pg';
import { classifyDatabaseError, RETRY_AFTER_SECONDS } from './database-errors.js';

/**
 * GET /ready: 200 when the database answers `SELECT 1` through the gateway's own pool, else
 * 503 naming the fault (DATABASE_UNAVAILABLE, or DATABASE_BUSY when no pooled connection
 * came free in time). The body never carries the driver's message (addresses, ports).
 */
export function useDatabaseReadiness(pool: pg.Pool, endpoint = '/ready'): Plugin {
  return useReadinessCheck({
    endpoint,
    check: async ({ fetchAPI }) => {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch (error) {
        const code = classifyDatabaseError(error) ?? 'DATABASE_UNAVAILABLE';
        return new fetchAPI.Response(JSON.stringify({ ready: false, code }), {
          status: 503,
          headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(RETRY_AFTER_SECONDS) },
        });
      }
    },
  });
}
