import type { RestContext } from '../context.js';

/** webob makes a Location absolute against the request's host. */
export function locationOf(ctx: RestContext, path: string): string {
  return `${ctx.url.origin}${path}`;
}

/** util.pick_last_modified over rows: the newest time, or now when there is none. */
export function latest(times: readonly (Date | null)[]): Date {
  let newest: Date | null = null;
  for (const time of times) if (time && (!newest || time > newest)) newest = time;
  return newest ?? new Date();
}
