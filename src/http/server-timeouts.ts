import type { ServerOptions } from 'node:http';

/** How long Node's HTTP server waits for a client's request to arrive; README ("Limits"). */
export interface ServerTimeouts {
  /** The request line and headers must arrive within this; otherwise 408 and the socket closes. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; otherwise 408 and the socket closes. */
  requestTimeoutMs: number;
}

// Node's own defaults are 60 s and 300 s: a client trickling a body would hold its socket that long.
export const defaultServerTimeouts: ServerTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 15_000 };

/**
 * Options for `http.createServer`. Node checks the timeouts every
 * `connectionsCheckingInterval` (30 s by default), lowered here so a slow client is dropped
 * close to the setting; `headersTimeout` may not exceed `requestTimeout`.
 */
export function serverOptions(timeouts: ServerTimeouts): ServerOptions {
  return {
    headersTimeout: Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs),
    requestTimeout: timeouts.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeoutMs),
  };
}
