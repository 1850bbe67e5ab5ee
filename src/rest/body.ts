import type { RestContext } from './context.js';
import { RestError } from './errors.js';
import { type JsonSchema, schemaError } from './json-schema.js';
import { PythonJsonError, parsePythonJson } from './python-json.js';

/**
 * The request's bytes, read before the request takes an in-flight slot (src/rest/service.ts):
 * a client trickling its body holds a socket, bounded by REQUEST_TIMEOUT_MS, but no slot, as
 * on /graphql. A body over the limit is not kept; the handler answers 413 when it asks for the
 * body, so Placement's order of checks (a missing provider's 404 first) stays.
 */
export type RequestBody = { bytes: Uint8Array } | { tooLarge: true };

export async function readRequestBody(request: Request, maxBytes: number): Promise<RequestBody> {
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > maxBytes) return { tooLarge: true };
  const bytes = new Uint8Array(await request.arrayBuffer());
  return bytes.byteLength > maxBytes ? { tooLarge: true } : { bytes };
}

/**
 * The request body as Placement's util.extract_json reads it: Python's json.loads, a parse
 * failure a 400 "Malformed JSON: <Python's message>". (The content type was checked by the
 * route's requireJson, as util.require_content does.)
 */
export function readJsonBody(ctx: RestContext): unknown {
  if ('tooLarge' in ctx.body)
    throw new RestError(413, `The request body is larger than this gateway's limit of ${ctx.maxBodyBytes} bytes.`);
  const text = new TextDecoder().decode(ctx.body.bytes);
  try {
    return parsePythonJson(text);
  } catch (error) {
    if (error instanceof PythonJsonError) throw new RestError(400, `Malformed JSON: ${error.message}`);
    throw error;
  }
}

/**
 * webob's req.content_type: the header up to its first `;`, '' when absent. As written: webob
 * neither lowercases nor trims it, so Placement refuses `APPLICATION/JSON` with a 415.
 */
export function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!;
}

/** util.extract_json: the body parsed, then validated against Placement's schema (400 "JSON does not validate: …"). */
export async function readValidJson<T>(ctx: RestContext, schema: JsonSchema): Promise<T> {
  return validJson<T>(readJsonBody(ctx), schema);
}

/** Validates an already parsed document as util.extract_json does. */
export function validJson<T>(data: unknown, schema: JsonSchema): T {
  const problem = schemaError(data, schema);
  if (problem !== null) throw new RestError(400, `JSON does not validate: ${problem}`);
  return data as T;
}

/**
 * The CONTENT_TYPE webob's 415 template quotes: the header as sent, or `None` when there is none
 * (Placement's require_content sets the missing type to the string 'None').
 */
export function contentTypeForTemplate(request: Request): string {
  return request.headers.get('content-type') || 'None';
}
