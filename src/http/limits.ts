import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type InflightGauge, type InflightSlots, useInflightLimit } from './inflight-limit.js';
import { useRequestDeadline } from './request-deadline.js';

/** Per-process bounds on what one request may ask for; README ("Limits") lists them. */
export interface GatewayLimits {
  /** GraphQL requests worked on at once; more get 503 SERVER_BUSY + Retry-After. */
  maxInflightRequests: number;
  /** Request body size; larger bodies get 413 REQUEST_ENTITY_TOO_LARGE before any parsing. */
  maxRequestBytes: number;
  /** Lexical tokens in one GraphQL document; the parser stops at the limit. */
  maxDocumentTokens: number;
  /** Aliased fields in one operation (each alias can repeat a costly field or mutation). */
  maxAliases: number;
  /** GraphQL requests one caller (credential, else address) has in flight; more get 429 CALLER_BUSY. */
  perCallerMaxInflight: number;
  /** Time budget shared by every database statement of one request; past it, DATABASE_TIMEOUT. */
  requestDeadlineMs: number;
}

export const defaultGatewayLimits: GatewayLimits = {
  maxInflightRequests: 200,
  maxRequestBytes: 1_048_576,
  maxDocumentTokens: 2_000,
  maxAliases: 20,
  // Well below the default pool (DB_POOL_MAX 20): one caller never holds every connection.
  perCallerMaxInflight: 8,
  requestDeadlineMs: 10_000,
};

/**
 * The request guards, in the order they bite: the deadline (from arrival), the in-flight
 * bounds (once the body has arrived), then the document's token count (while parsing), then
 * aliases (while validating). The body size limit is yoga's own `maxRequestBodySize`, set by
 * the gateway; `gauge` counts requests in flight for readiness.
 */
export function limitPlugins(
  limits: GatewayLimits,
  graphqlEndpoint: string,
  gauge: InflightGauge,
  slots?: InflightSlots,
): Plugin[] {
  const rejected = (code: string) => ({
    // armor throws a plain GraphQLError; give it a stable code and a 400 like other bad documents.
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        Object.assign(error.extensions, { code, http: { status: 400 } });
      },
    ],
  });
  return [
    useRequestDeadline(limits.requestDeadlineMs, graphqlEndpoint),
    useInflightLimit({
      max: limits.maxInflightRequests,
      perCaller: limits.perCallerMaxInflight,
      endpoint: graphqlEndpoint,
      gauge,
      slots,
    }),
    useCloseAfterTooLarge(),
    maxTokensPlugin({ n: limits.maxDocumentTokens, ...rejected('DOCUMENT_TOO_LARGE') }) as Plugin,
    maxAliasesPlugin({ n: limits.maxAliases, ...rejected('TOO_MANY_ALIASES') }) as Plugin,
  ];
}

/**
 * A body refused as too large (413) is not read to its end: the connection is closed after
 * the answer. Otherwise the HTTP server would keep reading and discarding whatever the client
 * still streams (without bound for a chunked body), and the client's next request on that
 * connection would be read from the middle of the old body.
 */
function useCloseAfterTooLarge(): Plugin {
  return {
    onResponse({ response }) {
      if (response.status === 413) response.headers.set('connection', 'close');
    },
  };
}
