import { InvalidInputError, NotFoundError } from '../../placement/errors.js';
import { placementCandidates } from '../../placement/rest-candidates/index.js';
import { withClient } from '../../placement/transactions.js';
import { parseCandidateQuery } from '../allocation-candidates/query.js';
import { renderCandidates } from '../allocation-candidates/render.js';
import type { RestHandler } from '../context.js';
import { RestError } from '../errors.js';

// handlers/allocation_candidate.py

/**
 * GET /allocation_candidates (1.10+): the query parsed as Placement parses it, every
 * allocation request Placement would list (src/placement/rest-candidates/), the body shaped
 * for the version. Unknown classes and traits are 400s with Placement's texts.
 */
export const listAllocationCandidates: RestHandler = async (ctx) => {
  const minor = ctx.version.minor;
  const request = parseCandidateQuery([...ctx.url.searchParams], minor);
  try {
    const result = await withClient(ctx.db.pool, (db) => placementCandidates(db, request, ctx.db.pool));
    return { status: 200, body: renderCandidates(result, request, minor), lastModified: new Date() };
  } catch (error) {
    if (error instanceof NotFoundError && error.resourceType === 'ResourceClass')
      throw new RestError(
        400,
        `Invalid resource class in resources parameter: No such resource class ${error.identifier}.`,
      );
    if (error instanceof NotFoundError && error.resourceType === 'Trait')
      throw new RestError(400, `No such trait(s): ${error.identifier}.`);
    // A request past the engine's input limits (more than 32 groups, 50 classes, 100 traits): Placement would take it.
    if (error instanceof InvalidInputError)
      throw new RestError(400, `Invalid query string parameters: ${error.message}`);
    throw error;
  }
};
