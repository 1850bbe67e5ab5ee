import type { Actor } from '../auth/actor.js';
import type { Database } from '../db.js';
import type { WriteCaller } from '../placement/write-caller.js';
import type { RequestBody } from './body.js';
import type { Microversion } from './microversion.js';

/** One REST request as a handler sees it: already authenticated, versioned and routed. */
export interface RestContext {
  request: Request;
  url: URL;
  /** The route's path variables, URL-decoded ({uuid}, {name}, {resource_class}). */
  params: Readonly<Record<string, string>>;
  version: Microversion;
  /** The authenticated caller; null only at the root (`GET /`), which Placement serves to anyone. */
  actor: Actor | null;
  /** Placement's `req-<uuid>` id, echoed in x-openstack-request-id and in error documents. */
  requestId: string;
  db: Database;
  /** Where the REST API is mounted (`/placement`): Placement's SCRIPT_NAME, the prefix of its links. */
  mount: string;
  /** The gateway's request body limit (MAX_REQUEST_BYTES): larger bodies are refused with 413. */
  maxBodyBytes: number;
  /** The body, already read (before the in-flight slot was taken); src/rest/body.ts parses it. */
  body: RequestBody;
  /** The route as the audit trail names REST operations: `PUT /placement/resource_providers/{uuid}`. */
  operation: string;
  /** Who the engine's writes are for (audit trail, project checks), recorded under `operation`. */
  caller(operation: string): WriteCaller;
}

/** What a handler answers; the pipeline adds the version, vary and request id headers. */
export interface RestResult {
  status: number;
  /** Serialised as Python's json.dumps would (src/rest/python.ts); absent: no body. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * From 1.15, Last-Modified with this time and Cache-Control: no-cache; null sends only the
   * Cache-Control (Placement's answer when there was nothing to take a time from).
   */
  lastModified?: Date | null;
}

export type RestHandler = (ctx: RestContext) => Promise<RestResult>;
