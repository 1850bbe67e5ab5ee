import type { Context } from '../context.js';
import type { WriteCaller } from '../placement/write-caller.js';

/** The caller every mutation resolver hands to the engine write it asks for. */
export function writeCaller(ctx: Context, operation: string): WriteCaller {
  return { actor: ctx.actor, requestId: ctx.requestId, operation, apiVersion: ctx.apiVersion };
}
