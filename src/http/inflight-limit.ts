import type { Plugin } from 'graphql-yoga';
import { authenticatedActor } from './authentication.js';
import { callerKey } from './caller-identity.js';
import { RETRY_AFTER_SECONDS } from './database-errors.js';
import { earlyErrorResponse } from './early-error.js';

export interface InflightLimitOptions {
  /** Requests to `endpoint` served at once; one more is refused at once with 503. */
  max: number;
  /** Requests one caller (src/http/caller-identity.ts) may have served at once; one more gets 429. */
  perCaller: number;
  /** Only this path is limited: health, readiness and metrics must answer under load. */
  endpoint: string;
  /** Shared with readiness (src/http/readiness.ts), which reports saturation. */
  gauge: InflightGauge;
  /** The slots to take (shared with the REST API); default: slots of this plugin's own. */
  slots?: InflightSlots;
}

/** How many GraphQL requests the process is working on, and its bound. */
export class InflightGauge {
  current = 0;
  constructor(readonly max: number) {}
  get saturated(): boolean {
    return this.current >= this.max;
  }
}

/**
 * Bounds the GraphQL requests one process works on at once, and those of one caller. A
 * request counts from the moment its body has fully arrived (a client trickling its body
 * holds a socket, bounded by REQUEST_TIMEOUT_MS, but no slot). Past the process bound a
 * request is answered at once with 503 SERVER_BUSY, past the caller's with 429 CALLER_BUSY,
 * both with Retry-After, instead of queueing behind the database pool: one caller cannot
 * hold every pooled connection, and an overloaded gateway sheds load.
 *
 * Hand-written: yoga and envelop have rate limiters (per field, per identity) but no
 * concurrency bound.
 */
/**
 * The slots of the in-flight bounds, shared by everything the bounds cover (GraphQL through
 * useInflightLimit, the REST API through src/rest/service.ts), so a caller's budget counts
 * both APIs. `refusal` says whether one more request may start; `admit` takes a slot and
 * answers the function that gives it back (once, however often it is called).
 */
export class InflightSlots {
  private readonly byCaller = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly perCaller: number,
    readonly gauge: InflightGauge,
  ) {}

  /** Why one more request of `key` (null: in-process, no per-caller budget) may not start, or null. */
  refusal(key: string | null): { status: 503 | 429; code: 'SERVER_BUSY' | 'CALLER_BUSY'; message: string } | null {
    if (this.gauge.current >= this.max)
      return {
        status: 503,
        code: 'SERVER_BUSY',
        message: `The gateway is at its limit of ${this.max} requests in flight; retry shortly.`,
      };
    if (key !== null && (this.byCaller.get(key) ?? 0) >= this.perCaller)
      return {
        status: 429,
        code: 'CALLER_BUSY',
        message: `This caller already has ${this.perCaller} requests in flight; retry shortly.`,
      };
    return null;
  }

  admit(key: string | null): () => void {
    this.gauge.current++;
    if (key !== null) this.byCaller.set(key, (this.byCaller.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.gauge.current--;
      if (key === null) return;
      const left = (this.byCaller.get(key) ?? 1) - 1;
      if (left === 0) this.byCaller.delete(key);
      else this.byCaller.set(key, left);
    };
  }
}

export function useInflightLimit({ max, perCaller, endpoint, gauge, slots: shared }: InflightLimitOptions): Plugin {
  const slots = shared ?? new InflightSlots(max, perCaller, gauge);
  // Requests to `endpoint`, with their server context: the caller is known once authentication
  // (a later onRequest hook) has run, which it has by the time the body is parsed.
  const callers = new WeakMap<Request, unknown>();
  // A request is released exactly once, from whichever comes first: its handler settling
  // (covers handlers that throw) or its response (covers responses ended early by a later hook).
  const releases = new WeakMap<Request, () => void>();

  const refusal = (key: string | null, fetchAPI: { Response: typeof Response }): Response | null => {
    const refused = slots.refusal(key);
    return refused && busy(fetchAPI, refused.status, refused.code, refused.message);
  };

  const admit = (request: Request, key: string | null): void => {
    releases.set(request, slots.admit(key));
  };

  return {
    onRequest({ request, url, serverContext, requestHandler, setRequestHandler }) {
      if (url.pathname !== endpoint) return;
      callers.set(request, serverContext);
      setRequestHandler(async (req, context) => {
        try {
          return await requestHandler(req, context);
        } finally {
          releases.get(request)?.();
        }
      });
    },
    // The slot is taken once the parser has read the whole body: wrap the chosen parser.
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!callers.has(request) || requestParser === undefined) return;
      // null: in-process, no per-caller budget.
      const key = callerKey(request, callers.get(request), authenticatedActor(request));
      setRequestParser(async (req) => {
        const parsed = await requestParser(req);
        if (isResponse(parsed)) return parsed;
        const refused = refusal(key, fetchAPI);
        if (refused) return refused;
        admit(request, key);
        return parsed;
      });
    },
    onResponse({ request }) {
      releases.get(request)?.();
    },
  };
}

function busy(fetchAPI: { Response: typeof Response }, status: number, code: string, message: string): Response {
  return earlyErrorResponse(
    fetchAPI,
    status,
    message,
    { code, retryable: true },
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}

/** A parser may answer with a Response instead of parameters (yoga's own isResponse check). */
function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value;
}
