/**
 * Placement's error answers: the API-WG error document its webob exceptions render through
 * placement.util.json_error_formatter, with webob's explanation texts, so `detail` reads as
 * Placement's does.
 */

/** Placement's error codes (placement/errors.py), sent from microversion 1.23. */
export const ErrorCode = {
  DEFAULT: 'placement.undefined_code',
  INVENTORY_INUSE: 'placement.inventory.inuse',
  CONCURRENT_UPDATE: 'placement.concurrent_update',
  DUPLICATE_NAME: 'placement.duplicate_name',
  PROVIDER_IN_USE: 'placement.resource_provider.inuse',
  PROVIDER_CANNOT_DELETE_PARENT: 'placement.resource_provider.cannot_delete_parent',
  RESOURCE_PROVIDER_NOT_FOUND: 'placement.resource_provider.not_found',
  ILLEGAL_DUPLICATE_QUERYPARAM: 'placement.query.duplicate_key',
  QUERYPARAM_BAD_VALUE: 'placement.query.bad_value',
  QUERYPARAM_MISSING_VALUE: 'placement.query.missing_value',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

// webob.exc explanations, after strip_tags (newlines inside them became spaces).
const EXPLANATIONS: Record<number, string> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  409: 'There was a conflict when trying to complete your request.',
  413: 'The body of your request was too large for this server.',
  429: 'The client has sent too many requests in a given amount of time.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  503: 'The server is currently unavailable. Please try again at a later time.',
};

/** What the request looked like, for the templates that quote it (405, 406, 415). */
export interface ErrorEnvironment {
  method: string;
  contentType: string;
  /** The Accept header as Placement's request log leaves it: absent or "any type" become application/json. */
  accept: string;
}

/** Placement's request log makes a missing or any-type Accept application/json, so errors come as JSON. */
export function effectiveAccept(request: Request): string {
  const accept = request.headers.get('accept');
  return !accept || accept === '*/*' ? 'application/json' : accept;
}

/**
 * An error answer of the REST layer. `detail` is the message a handler passes to webob;
 * `vary`: whether Placement's answer carries `vary: openstack-api-version` (errors a handler
 * returns do; those raised past the handler, such as policy refusals and unknown paths, do not).
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly options: { code?: ErrorCode; vary?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'RestError';
  }
}

/** webob's strip_tags on a message: newlines become spaces, tags vanish. */
function stripTags(text: string): string {
  return text
    .replace(/\n/g, ' ')
    .replace(/\r/g, '')
    .replace(/<br.*?>/gis, '\n')
    .replace(/<!--|-->/g, '')
    .replace(/<.*?>/gs, '');
}

/** The `detail` of Placement's error document: webob's template for the status around the message. */
export function errorDetail(status: number, detail: string, env: ErrorEnvironment): string {
  const message = stripTags(detail);
  switch (status) {
    case 405:
      return `The method ${env.method} is not allowed for this resource. \n\n ${message}`;
    case 406:
      return `The resource could not be generated that was acceptable to your browser (content of type ${env.accept}. \n\n ${message}`;
    case 415:
      return `The request media type ${env.contentType} is not supported by this server. \n\n ${message}`;
    default:
      return `${EXPLANATIONS[status] ?? ''}\n\n ${message}  `;
  }
}

// webob.exc explanations as written, for the HTML page (which escapes but does not strip them).
const RAW_EXPLANATIONS: Record<number, string> = {
  400: 'The server could not comply with the request since\r\nit is either malformed or otherwise incorrect.\r\n',
  500: 'The server has either erred or is incapable of performing\r\nthe requested operation.\r\n',
};

/** webob's html_escape: Python's html.escape(quote=True), then non-ASCII as decimal character references. */
function htmlEscape(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
  let out = '';
  for (const char of escaped) {
    const code = char.codePointAt(0) ?? 0;
    out += code > 0x7f ? `&#${code};` : char;
  }
  return out;
}

/**
 * The page webob renders when the Accept header prefers text/html (html_body): the status's body
 * template with every value HTML-escaped, inside webob's html template.
 */
export function errorHtml(status: number, title: string, detail: string, env: ErrorEnvironment): string {
  const message = htmlEscape(detail);
  let body: string;
  switch (status) {
    case 405:
      body = `The method ${htmlEscape(env.method)} is not allowed for this resource. <br /><br />\n${message}`;
      break;
    case 406:
      body = `The resource could not be generated that was acceptable to your browser\n(content of type ${htmlEscape(env.accept)}. <br /><br />\n${message}`;
      break;
    case 415:
      body = `The request media type ${htmlEscape(env.contentType)} is not supported by this server.\n<br /><br />\n${message}`;
      break;
    default:
      body = `${htmlEscape(RAW_EXPLANATIONS[status] ?? EXPLANATIONS[status] ?? '')}<br /><br />\n${message}\n\n`;
  }
  const line = `${status} ${title}`;
  return `<html>\n <head>\n  <title>${line}</title>\n </head>\n <body>\n  <h1>${line}</h1>\n  ${body}\n </body>\n</html>`;
}

export interface ErrorDocumentEntry {
  status: number;
  title: string;
  detail: string;
  code?: string;
  request_id: string;
  max_version?: string;
  min_version?: string;
}
