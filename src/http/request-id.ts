import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What a client or a proxy may choose as an id: short, printable, safe in logs and headers. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

const ids = new WeakMap<Request, string>();

/** The id of a request the plugin has seen; the GraphQL context and the audit trail read it. */
export function requestIdOf(request: Request): string {
  const id = ids.get(request);
  // Unreachable: the plugin runs first, in onRequest, for every request.
  if (!id) throw new Error('request reached execution without a request id');
  return id;
}

/** The incoming X-Request-Id when it is well-formed (so a proxy's id runs through), else a fresh UUID. */
export function chooseRequestId(incoming: string | null): string {
  return incoming !== null && WELL_FORMED.test(incoming) ? incoming : randomUUID();
}

/**
 * Gives every request an id and echoes it in the response's X-Request-Id, on every answer of
 * the GraphQL endpoint including early refusals (401, 413, 503), so a client can quote it and
 * an operator can find the request in logs and in the audit trail. First among our plugins, so
 * everything after it can read the id. (yoga answers /health itself, before any plugin.)
 */
export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      ids.set(request, chooseRequestId(request.headers.get(REQUEST_ID_HEADER)));
    },
    onResponse({ request, response }) {
      const id = ids.get(request);
      if (id) response.headers.set(REQUEST_ID_HEADER, id);
    },
  };
}
