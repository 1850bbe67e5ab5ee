import type { Plugin } from 'graphql-yoga';
import { peerAddress } from '../http/caller-identity.js';
import type { RestApi } from './service.js';

/** Where the gateway serves Placement's REST API: `/placement/…` is Placement's `/…`. */
export const REST_MOUNT = '/placement';

/**
 * Serves every path under REST_MOUNT with the REST API, before GraphQL's own plugins look at
 * the request: REST has Placement's authentication, errors and headers, not GraphQL's.
 */
export function useRestApi(api: RestApi): Plugin {
  return {
    async onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== REST_MOUNT && !url.pathname.startsWith(`${REST_MOUNT}/`)) return;
      endResponse(await api(request, url, { address: peerAddress(serverContext) }, serverContext));
    },
  };
}
