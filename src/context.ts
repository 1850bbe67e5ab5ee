import type { Actor } from './auth/actor.js';
import type { Database } from './db.js';
import type { RequestLoaders } from './loaders.js';
import type { ApiVersion, VersionBehaviour } from './versions.js';

/** Per-request context. The database handle travels here so one process can serve several databases (tests). */
export interface Context {
  db: Database;
  /** The authenticated caller (src/auth/actor.ts); every executed request has one. */
  actor: Actor;
  /** The request's id (src/http/request-id.ts), echoed in X-Request-Id and recorded with every write. */
  requestId: string;
  /** The API version serving this request, and the numbers that belong to it. */
  apiVersion: ApiVersion;
  behaviour: VersionBehaviour;
  /** Batches by-uuid lookups made while resolving one request (src/loaders.ts). */
  loaders: RequestLoaders;
}
