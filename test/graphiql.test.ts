import { gunzipSync } from 'node:zlib';
import { Kind, parse, validate } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_AUTHORIZATION_PLACEHOLDER } from '../src/gateway.js';
import { acceptsGzip } from '../src/http/graphiql-page.js';
import { schema, schemas } from '../src/schema/index.js';
import { isAtLeast, LATEST_VERSION, SERVED_VERSIONS, VERSION_HEADER } from '../src/versions.js';
import { hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * GraphiQL must work offline: the page served at GET /graphql may load nothing from another
 * host. Only what the browser would fetch counts: tag attributes (src, href, …), CSS url()
 * and @import. URL strings inside the inlined GraphiQL bundle (SVG namespaces, docs links)
 * are not loads; they are checked only against a list of well-known CDN hosts.
 */

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const CDN_HOSTS =
  /\b(unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|cdn\.skypack\.dev|fonts\.googleapis\.com|fonts\.gstatic\.com|raw\.githubusercontent\.com)\b/gi;
// Attributes through which a browser fetches something; <a href> is navigation, not a load.
const LOADING_ATTRIBUTES = new Set([
  'src',
  'href',
  'srcset',
  'poster',
  'data',
  'action',
  'formaction',
  'background',
  'manifest',
  'icon',
]);

interface Load {
  where: string;
  url: string;
}

/** A URL that makes the browser contact another host (absolute http(s) or protocol-relative). */
function isRemote(url: string): boolean {
  const trimmed = url.trim();
  if (!/^(https?:)?\/\//i.test(trimmed)) return false;
  try {
    return !LOCAL_HOSTS.has(new URL(trimmed, 'http://localhost/').hostname.toLowerCase());
  } catch {
    return true; // unparsable absolute URL: treat as remote, let a human look
  }
}

function cssLoads(css: string, where: string): Load[] {
  const loads: Load[] = [];
  for (const match of css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)/gi)) {
    loads.push({ where: `${where} url()`, url: match[1] ?? match[2] ?? match[3] ?? '' });
  }
  for (const match of css.matchAll(/@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^\s;)]+))/gi)) {
    loads.push({ where: `${where} @import`, url: match[1] ?? match[2] ?? match[3] ?? '' });
  }
  return loads;
}

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    attributes.set(match[1]!.toLowerCase(), match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

/**
 * Everything the HTML document itself would load: walks the tags, skipping the bodies of
 * <script> (inline JS is not markup) and reading the bodies of <style> as CSS.
 */
function documentLoads(html: string): { loads: Load[]; tags: string[]; inlineScripts: number; styles: number } {
  const loads: Load[] = [];
  const tags: string[] = [];
  let inlineScripts = 0;
  let styles = 0;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const start = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(lt, lt + 64));
    if (!start) {
      i = lt + 1;
      continue;
    }
    // The tag ends at the first '>' outside a quoted attribute value (values can be huge data: URLs).
    let end = lt + start[0].length;
    for (let quote = ''; end < html.length; end++) {
      const c = html[end]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    const name = start[1]!.toLowerCase();
    const attributes = parseAttributes(html.slice(lt + start[0].length, end));
    tags.push(name);
    i = end + 1;
    for (const [attribute, value] of attributes) {
      if (LOADING_ATTRIBUTES.has(attribute) && name !== 'a') {
        for (const url of attribute === 'srcset'
          ? value.split(',').map((s) => s.trim().split(/\s+/)[0] ?? '')
          : [value]) {
          loads.push({ where: `<${name} ${attribute}>`, url });
        }
      }
      if (attribute === 'style') loads.push(...cssLoads(value, `<${name} style>`));
    }
    if (name === 'script' || name === 'style') {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      const body = html.slice(i, close === -1 ? html.length : close);
      if (name === 'style') {
        styles++;
        loads.push(...cssLoads(body, '<style>'));
      } else if (!attributes.has('src')) {
        inlineScripts++;
      }
      i = close === -1 ? html.length : close;
    }
  }
  return { loads, tags, inlineScripts, styles };
}

function remoteLoads(html: string): Load[] {
  return documentLoads(html).loads.filter((load) => isRemote(load.url));
}

function cdnMentions(html: string): string[] {
  return [...new Set([...html.matchAll(CDN_HOSTS)].map((m) => m[0].toLowerCase()))];
}

async function graphiqlPage(fetchFn: (request: Request) => Response | Promise<Response>): Promise<Response> {
  return fetchFn(new Request('http://localhost/graphql', { headers: { accept: 'text/html' } }));
}

let env: TestEnv;
let response: Response;
let html: string;

beforeAll(async () => {
  env = await createTestEnv(2);
  response = await graphiqlPage((request) => env.gateway.fetch(request));
  html = await response.text();
});
afterAll(async () => env?.close());

describe('GraphiQL page', () => {
  it('GET /graphql with accept: text/html serves the GraphiQL page', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toMatch(/^\s*<!doctype html>/i);
    expect(html).toContain('<title>placement-gateway</title>');
    // The GraphiQL bundle is in the page itself and renders into #root with our default query.
    expect(html).toContain('YogaGraphiQL.renderYogaGraphiQL');
    expect(html).toContain('<div id="root"></div>');
    expect(html).toContain('resourceProviders(first: 10)');
    expect(html.length).toBeGreaterThan(1_000_000);
  });

  it('loads nothing from a non-local host (tags, CSS url(), @import)', () => {
    const { loads, tags, inlineScripts, styles } = documentLoads(html);
    // The walk really saw the document: head, the favicon link, the inline style and scripts.
    expect(tags).toEqual(expect.arrayContaining(['html', 'head', 'title', 'link', 'style', 'body', 'div', 'script']));
    expect(inlineScripts).toBeGreaterThanOrEqual(1);
    expect(styles).toBeGreaterThanOrEqual(1);
    expect(loads.length).toBeGreaterThan(10); // the favicon and the fonts/images inlined in CSS
    expect(loads.filter((l) => isRemote(l.url))).toEqual([]);
    // everything it does load is inline data
    for (const load of loads) expect(load.url, load.where).toMatch(/^(data:|blob:|#|$)/);
  });

  it('does not mention any CDN host anywhere, inline scripts included', () => {
    expect(cdnMentions(html)).toEqual([]);
  });

  it('Monaco web workers come from blobs of inlined code, not from URLs', () => {
    expect(html).toContain('URL.createObjectURL');
    expect(html).toMatch(/getWorkerUrl:\s*function\s*\(moduleId, label\)\s*\{\s*return workers\[label\];/);
    expect(html).not.toMatch(/importScripts\(\s*["'`]https?:/);
  });
});

describe('GraphiQL page delivery (rendered once, gzipped once)', () => {
  const page = (headers: Record<string, string>) =>
    env.gateway.fetch('http://localhost/graphql', { headers: { accept: 'text/html', ...headers } });

  it('a browser accepting gzip gets the same page in under a third of the bytes, with an ETag', async () => {
    const zipped = await page({ 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('accept-encoding');
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(html.length / 3);
    expect(gunzipSync(bytes).toString('utf8')).toBe(html);
    expect(zipped.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
  });

  it('a client that does not accept gzip gets the plain page with the same ETag', async () => {
    const plain = await page({ 'accept-encoding': 'gzip;q=0, identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(html);
    expect(plain.headers.get('etag')).toBe(response.headers.get('etag'));
  });

  it('a revalidation with the ETag gets 304 and no body', async () => {
    const etag = response.headers.get('etag')!;
    const revalidated = await page({ 'if-none-match': etag, 'accept-encoding': 'gzip' });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect((await page({ 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('reads Accept-Encoding as RFC 9110 says (q=0 refuses, * admits)', () => {
    expect([null, '', 'identity', 'br', 'gzip;q=0', 'GZIP; q=0.0', '*;q=0'].map(acceptsGzip)).toEqual(
      Array(7).fill(false),
    );
    expect(['gzip', 'br, gzip;q=0.5', '*', 'x-gzip', 'deflate, *;q=0.1'].map(acceptsGzip)).toEqual(Array(5).fill(true));
  });
});

/** The options the page hands to GraphiQL (defaultQuery, headers), as the browser would read them. */
function graphiqlOptions(page: string): { defaultQuery: string; headers: string } {
  const match = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),\s*\);/.exec(page);
  if (!match) throw new Error('the page does not call renderYogaGraphiQL with an options object');
  return JSON.parse(match[1]!) as { defaultQuery: string; headers: string };
}

describe('the document GraphiQL opens with', () => {
  it('is valid against the schema of the version GraphiQL sends', () => {
    const { defaultQuery, headers } = graphiqlOptions(html);
    const version = (JSON.parse(headers) as Record<string, string>)[VERSION_HEADER];
    expect(version).toBe(LATEST_VERSION);
    expect(validate(schemas[LATEST_VERSION], parse(defaultQuery))).toEqual([]);
  });

  it('is a tour starter: hosts with inventories and usage, candidates and an explanation', () => {
    const document = parse(graphiqlOptions(html).defaultQuery);
    const operations = document.definitions.flatMap((d) =>
      d.kind === Kind.OPERATION_DEFINITION
        ? [[d.name?.value, d.selectionSet.selections.map((s) => s.kind === Kind.FIELD && s.name.value)]]
        : [],
    );
    expect(operations).toEqual([
      ['Hosts', ['resourceProviders', 'usages']],
      ['Candidates', ['allocationCandidates', 'explainPlacement']],
    ]);
    expect(graphiqlOptions(html).defaultQuery).toMatch(/^# /); // opens with a comment that explains what to do
  });

  it('starts its Headers tab with an Authorization placeholder, which alone is refused with 401', async () => {
    const headers = JSON.parse(graphiqlOptions(html).headers) as Record<string, string>;
    expect(headers.Authorization).toBe(GRAPHIQL_AUTHORIZATION_PLACEHOLDER);
    const response = await env.gateway.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(401);
  });

  it('runs: each operation answers data and no errors, with the headers GraphiQL sends once the token is pasted', async () => {
    await hostWith(env, 'graphiql-host', { VCPU: 8, MEMORY_MB: 8192 });
    const { defaultQuery, headers } = graphiqlOptions(html);
    // What README tells a user to do: replace the placeholder with the admin token.
    const pasted = { ...(JSON.parse(headers) as Record<string, string>), Authorization: `Bearer ${env.adminToken}` };
    for (const operationName of ['Hosts', 'Candidates']) {
      const response = await env.gateway.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...pasted },
        body: JSON.stringify({ query: defaultQuery, operationName }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      expect(body.errors, operationName).toBeUndefined();
      expect(JSON.stringify(body.data), operationName).toContain('graphiql-host');
    }
  });

  it('is not valid against a version before 1.1 (it shows 1.1 fields), which is why GraphiQL sends the header', () => {
    const older = SERVED_VERSIONS.filter((v) => v !== LATEST_VERSION);
    expect(older).toContain('1.0');
    for (const version of older)
      expect(validate(schemas[version], parse(graphiqlOptions(html).defaultQuery)).map((e) => e.message)).toEqual(
        isAtLeast(version, '1.1') ? [] : [expect.stringContaining('utilization')],
      );
  });
});

describe('the check itself', () => {
  it('flags the CDN-based GraphiQL that graphql-yoga serves without @graphql-yoga/render-graphiql', async () => {
    // Same schema, yoga's default GraphiQL renderer: it pulls GraphiQL from unpkg.com.
    const cdnYoga = createYoga({ schema, graphqlEndpoint: '/graphql', landingPage: false, logging: false });
    const cdnHtml = await (await graphiqlPage((request) => cdnYoga.fetch(request))).text();
    const remote = remoteLoads(cdnHtml);
    expect(remote.map((l) => new URL(l.url).hostname)).toContain('unpkg.com');
    expect(remote.some((l) => l.where === '<script src>')).toBe(true);
    expect(remote.some((l) => l.where === '<link href>')).toBe(true);
    expect(cdnMentions(cdnHtml)).toContain('unpkg.com');
  });

  it('recognises script, link, CSS url() and @import loads, quoted or not, and ignores local ones', () => {
    const page = `<!doctype html><html><head>
      <link rel=stylesheet href=https://cdn.jsdelivr.net/npm/graphiql/graphiql.min.css>
      <link rel="icon" href="//example.org/favicon.ico">
      <link rel="stylesheet" href="http://localhost:4000/local.css">
      <style>@import url("https://fonts.googleapis.com/css?family=Inter"); @import 'http://127.0.0.1/x.css';
        .a { background: url(https://evil.example/a.png) } .b { background: url('data:image/png;base64,AAAA') }</style>
      <script src='https://unpkg.com/graphiql/graphiql.min.js'></script>
      <script>const ns = "http://www.w3.org/2000/svg"; document.body.innerHTML = '<img src="https://in-a-string.example/">';</script>
      </head><body><a href="https://github.com/">docs</a><div style="background:url(//cdn.example/b.png)"></div></body></html>`;
    expect(
      remoteLoads(page)
        .map((l) => `${l.where} ${l.url}`)
        .sort(),
    ).toEqual(
      [
        '<div style> url() //cdn.example/b.png',
        '<link href> //example.org/favicon.ico',
        '<link href> https://cdn.jsdelivr.net/npm/graphiql/graphiql.min.css',
        '<script src> https://unpkg.com/graphiql/graphiql.min.js',
        '<style> @import https://fonts.googleapis.com/css?family=Inter',
        '<style> url() https://evil.example/a.png',
        '<style> url() https://fonts.googleapis.com/css?family=Inter',
      ].sort(),
    );
  });
});
