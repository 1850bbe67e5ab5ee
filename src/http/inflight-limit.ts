import type { Plugin } from 'graphql-yoga';
import { RETRY_AFTER_SECONDS } from './database-errors.js';
import { earlyErrorResponse } from './early-error.js';

export interface InflightLimitOptions {
  /** Requests to `endpoint` served at once; one more is refused at once with 503. */
  max: number;
  /** Only this path is limited: health, readiness and metrics must answer under load. */
  endpoint: string;
}

/**
 * Bounds the GraphQL requests one process works on at once. Past the bound a request is
 * answered immediately with 503 + Retry-After (code SERVER_BUSY) instead of queueing
 * behind the database pool, so an overloaded gateway sheds load and its latency stays
 * bounded; a load balancer or client retries elsewhere or later.
 *
 * Hand-written: yoga and envelop have rate limiters (per field, per identity) but no
 * concurrency bound.
 */
export function useInflightLimit({ max, endpoint }: InflightLimitOptions): Plugin {
  let inflight = 0;
  // A request is released exactly once, from whichever comes first: its handler settling
  // (covers handlers that throw) or its response (covers responses ended early by a later hook).
  const releases = new WeakMap<Request, () => void>();
  return {
    onRequest({ request, url, endResponse, requestHandler, setRequestHandler, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      if (inflight >= max) {
        // Unread request bodies are discarded by the HTTP server; nothing was parsed or run.
        endResponse(
          earlyErrorResponse(
            fetchAPI,
            503,
            `The gateway is at its limit of ${max} requests in flight; retry shortly.`,
            { code: 'SERVER_BUSY', retryable: true },
            { 'retry-after': String(RETRY_AFTER_SECONDS) },
          ),
        );
        return;
      }
      inflight++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inflight--;
      };
      releases.set(request, release);
      setRequestHandler(async (req, context) => {
        try {
          return await requestHandler(req, context);
        } finally {
          release();
        }
      });
    },
    onResponse({ request }) {
      releases.get(request)?.();
    },
  };
}
