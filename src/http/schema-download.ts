import type { Plugin } from 'graphql-yoga';
import { printSortedSchema } from '../schema/index.js';
import { SERVED_VERSIONS } from '../versions.js';

/** The SDL of each served version by path, printed once on first use (a released version never changes). */
let texts: Map<string, string> | undefined;

function sdlFor(prefix: string, pathname: string): string | undefined {
  texts ??= new Map(SERVED_VERSIONS.map((version) => [`${version}.graphql`, printSortedSchema(version)]));
  return texts.get(pathname.slice(prefix.length));
}

/**
 * GET /schema/<version>.graphql: the SDL of a served version, the same text as its frozen
 * schema/versions/<version>.graphql. For code generators and other languages: no
 * introspection (and so no version header to forget) and no checkout needed (docs/CLIENT.md).
 */
export function useSchemaDownload(prefix = '/schema/'): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(prefix)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      const sdl = sdlFor(prefix, url.pathname);
      if (sdl === undefined) {
        const known = SERVED_VERSIONS.map((version) => `${prefix}${version}.graphql`).join(', ');
        endResponse(new fetchAPI.Response(`not a served version; try ${known}\n`, { status: 404 }));
        return;
      }
      endResponse(
        new fetchAPI.Response(sdl, {
          headers: {
            'content-type': 'application/graphql; charset=utf-8',
            // Released versions are frozen: the text at this path never changes.
            'cache-control': 'public, max-age=86400',
          },
        }),
      );
    },
  };
}
