import type { Actor } from '../auth/actor.js';

/**
 * Who asks for an engine write, handed from the API layer to every write function as its
 * last parameter and on to where the write's transaction runs.
 *
 * - `actor` decides what the write may touch: a project-confined caller writes only its own
 *   project's consumers, and only ADMIN may re-own a consumer (src/placement/consumer-access.ts).
 * - `actor`, `requestId` and `operation` are what the audit trail records, in the write's
 *   own transaction, so a change and its record commit or roll back together.
 *
 * Absent (`undefined`) means an internal write: tests, the bench, start-up and maintenance
 * calling the engine directly. Such a write is unrestricted and not audited; every write the
 * API performs passes a caller (src/schema/write-caller.ts builds it from the request).
 */
export interface WriteCaller {
  actor: Actor;
  /** The request's id (src/http/request-id.ts): the incoming X-Request-Id or a generated UUID. */
  requestId: string;
  /** The GraphQL root field that asked for the write, e.g. 'setAllocations'. */
  operation: string;
  /** The API version the request used; recorded by the audit trail. */
  apiVersion?: string;
}
