import type { RestContext } from './context.js';
import { RestError } from './errors.js';
import { type JsonSchema, schemaError } from './json-schema.js';
import { PythonJsonError, parsePythonJson } from './python-json.js';

/**
 * The request body as Placement's util.extract_json reads it: Python's json.loads, a parse
 * failure a 400 "Malformed JSON: <Python's message>". (The content type was checked by the
 * route's requireJson, as util.require_content does.)
 */
export async function readJsonBody(ctx: RestContext): Promise<unknown> {
  const tooLarge = () =>
    new RestError(413, `The request body is larger than this gateway's limit of ${ctx.maxBodyBytes} bytes.`);
  const length = Number(ctx.request.headers.get('content-length') ?? 0);
  if (length > ctx.maxBodyBytes) throw tooLarge();
  const bytes = new Uint8Array(await ctx.request.arrayBuffer());
  if (bytes.byteLength > ctx.maxBodyBytes) throw tooLarge();
  const text = new TextDecoder().decode(bytes);
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
  return validJson<T>(await readJsonBody(ctx), schema);
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
