import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { RequestDeadlineExceeded } from '../deadline.js';
import { pagingInputError } from './paging-errors.js';

/**
 * Database faults a client can do something about: wait and retry. Each travels as a GraphQL
 * error with `extensions: { code, retryable: true }` and HTTP 503 + Retry-After, instead of
 * the masked "Unexpected error." that every other internal failure gets. README ("Errors")
 * and docs/OPERATIONS.md describe them.
 */
export type DatabaseFault = 'DATABASE_UNAVAILABLE' | 'DATABASE_BUSY' | 'DATABASE_TIMEOUT';

/** Seconds a client is told to wait before retrying (Retry-After). */
export const RETRY_AFTER_SECONDS = 1;

const MESSAGES: Record<DatabaseFault, string> = {
  DATABASE_UNAVAILABLE:
    'The database is unavailable; retry shortly. A mutation interrupted this way may or may not have been applied: retry it with the same idempotencyKey or generation, which makes the retry safe.',
  DATABASE_BUSY: 'The database is busy (no connection free in time); retry shortly.',
  DATABASE_TIMEOUT:
    'A database statement ran past its time limit (or the request past its deadline) and was cancelled; nothing was written. Retry shortly.',
};

// Socket errors from node:net while connecting or talking to PostgreSQL.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// SQLSTATE 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up / shutting down).
const SERVER_GOING_AWAY = new Set(['57P01', '57P02', '57P03']);
// Prisma's own codes for the same faults: can't reach, timed out reaching, server closed the connection / pool timeout, too many connections.
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1017']);
const PRISMA_BUSY = new Set(['P2024', 'P2037']);
// The Prisma pg adapter's names for socket faults (meta.driverAdapterError.cause.kind).
const ADAPTER_UNAVAILABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);

// node-postgres raises these without a code (pg/lib/client.js, pg-pool/index.js).
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // unexpectedly, or due to connection timeout while connecting
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Query read timeout/,
];
const BUSY_MESSAGES = [/^timeout exceeded when trying to connect/];

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function classifyOne(error: ErrorLike): DatabaseFault | null {
  // REQUEST_DEADLINE_MS spent before a connection was handed out (src/deadline.ts).
  if (error instanceof RequestDeadlineExceeded) return 'DATABASE_TIMEOUT';
  const codes = [error.code, error.originalCode].filter((c): c is string => typeof c === 'string');
  for (const code of codes) {
    if (SOCKET_CODES.has(code) || SERVER_GOING_AWAY.has(code) || code.startsWith('08') || PRISMA_UNAVAILABLE.has(code))
      return 'DATABASE_UNAVAILABLE';
    if (code === '53300' || PRISMA_BUSY.has(code)) return 'DATABASE_BUSY'; // 53300: too_many_connections
    if (code === '57014') return 'DATABASE_TIMEOUT'; // query_canceled: statement_timeout (or a cancel by an operator)
  }
  if (typeof error.kind === 'string') {
    if (ADAPTER_UNAVAILABLE.has(error.kind)) return 'DATABASE_UNAVAILABLE';
    if (error.kind === 'TooManyConnections') return 'DATABASE_BUSY';
  }
  if (typeof error.message === 'string') {
    const message = error.message;
    if (UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return 'DATABASE_UNAVAILABLE';
    if (BUSY_MESSAGES.some((m) => m.test(message))) return 'DATABASE_BUSY';
  }
  return null;
}

/**
 * Which database fault `error` is, if any. Walks the whole chain, because the fault arrives
 * wrapped: GraphQLError.originalError, Error.cause, and Prisma's
 * meta.driverAdapterError.cause (where the pg adapter keeps the SQLSTATE).
 */
export function classifyDatabaseError(error: unknown): DatabaseFault | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null || seen.has(next)) continue;
    seen.add(next);
    const candidate = next as ErrorLike;
    const fault = classifyOne(candidate);
    if (fault) return fault;
    queue.push(candidate.originalError, candidate.cause, candidate.meta?.driverAdapterError);
  }
  return null;
}

/** The client-facing error for a database fault: retryable, HTTP 503, Retry-After. */
export function databaseFaultError(fault: DatabaseFault, located?: GraphQLError): GraphQLError {
  return new GraphQLError(MESSAGES[fault], {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: {
      code: fault,
      retryable: true,
      // Read by yoga for the response status and headers; not sent in the body.
      http: { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
    },
  });
}

/**
 * yoga's `maskedErrors.maskError`: database faults become their retryable error (yoga logs
 * the original), bad connection arguments an INVALID_INPUT, everything else is masked as yoga
 * does by default.
 */
export function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  const fault = classifyDatabaseError(error);
  if (fault) return databaseFaultError(fault, error instanceof GraphQLError ? error : undefined);
  const paging = pagingInputError(error);
  if (paging) return paging;
  return yogaMaskError(error, message, isDev);
}
