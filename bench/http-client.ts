import http from 'node:http';
import { generateSecret } from '../src/auth/secret.js';

/**
 * The ADMIN token every bench request sends: PLACEMENT_TOKEN when set (a gateway you started),
 * else a fresh secret that the bench's own gateways get as PLACEMENT_ADMIN_TOKEN.
 */
export const BENCH_TOKEN = process.env.PLACEMENT_TOKEN || generateSecret();
export const benchAuthorization = { authorization: `Bearer ${BENCH_TOKEN}` };

// The bench's own HTTP client runs on the same cores as the gateway and PostgreSQL, so it
// should cost little: node:http on a keep-alive agent takes well under half the CPU per
// request that fetch (undici) does here, CPU otherwise taken from the system under test.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs a JSON body with the bench's bearer token and parses the JSON answer (any status). */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  return sendJson('POST', url, body, { ...benchAuthorization, ...headers }).then((answer) => answer.body);
}

/** Any method, a JSON body or none, only the given headers; the status and the parsed answer (null when empty). */
export function sendJson(
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        agent,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length }),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: response.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) });
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
