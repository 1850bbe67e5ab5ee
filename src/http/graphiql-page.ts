import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

const gzipAsync = promisify(gzip);

/** Whether an Accept-Encoding header admits gzip (a `q=0` refuses it; `*` admits it). */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  let admitted = false;
  for (const entry of header.split(',')) {
    const [coding = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (coding === 'gzip' || coding === 'x-gzip') return weight > 0;
    if (coding === '*') admitted = weight > 0;
  }
  return admitted;
}

export interface CachedGraphiQLPage<Options> {
  /** The renderer yoga calls for each page request: renders on the first call, then reuses the page. */
  render(options?: Options): string;
  /** Serves the page gzipped (and 304 on a matching ETag) to clients that accept it. */
  plugin: Plugin;
}

/**
 * GraphiQL's page inlines its whole bundle (it must work offline), 9 MB. Rendered per request
 * it cost ~60 ms of CPU, and it went out uncompressed (security probe M3). The page depends
 * only on settings fixed at start-up, so it is rendered once and gzipped once (in zlib's
 * thread pool, off the event loop); a browser then gets about a fifth of the bytes from
 * memory, and a revalidation with its ETag gets 304 and no body.
 */
export function cachedGraphiQLPage<Options>(renderPage: (options?: Options) => string): CachedGraphiQLPage<Options> {
  let page: { html: string; etag: string; gzipped: Promise<Uint8Array<ArrayBuffer>> } | undefined;
  const render = (options?: Options): string => {
    if (!page) {
      const html = renderPage(options);
      const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
      page = { html, etag, gzipped: gzipAsync(html).then((b) => new Uint8Array(b)) };
    }
    return page.html;
  };
  const plugin: Plugin = {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      if (!page || request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
      const headers = {
        'content-type': 'text/html; charset=utf-8',
        etag: page.etag,
        // Revalidate each time (cheap with the ETag): a restart with other settings changes the page.
        'cache-control': 'no-cache',
        vary: 'accept-encoding',
      };
      if (request.headers.get('if-none-match') === page.etag) {
        setResponse(new fetchAPI.Response(null, { status: 304, headers }));
      } else if (acceptsGzip(request.headers.get('accept-encoding'))) {
        setResponse(new fetchAPI.Response(await page.gzipped, { headers: { ...headers, 'content-encoding': 'gzip' } }));
      } else {
        setResponse(new fetchAPI.Response(page.html, { headers }));
      }
    },
  };
  return { render, plugin };
}
