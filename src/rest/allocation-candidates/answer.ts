import type pg from 'pg';
import { NotFoundError } from '../../placement/errors.js';
import { placementCandidates } from '../../placement/rest-candidates/index.js';
import { withClient } from '../../placement/transactions.js';
import { CandidateQueryError, parseCandidateQuery } from './query.js';
import { renderCandidates } from './render.js';

/**
 * GET /allocation_candidates at microversion 1.`minor`: the parsed query, Placement's
 * enumeration, the body shaped for the version. Unknown classes and traits are 400s with
 * Placement's texts (its handler turns ResourceClassNotFound and TraitNotFound into them).
 */
export async function allocationCandidatesBody(pool: pg.Pool, entries: [string, string][], minor: number) {
  const request = parseCandidateQuery(entries, minor);
  try {
    const result = await withClient(pool, (db) => placementCandidates(db, request));
    return renderCandidates(result, request, minor);
  } catch (error) {
    if (error instanceof NotFoundError && error.resourceType === 'ResourceClass')
      throw new CandidateQueryError(
        `Invalid resource class in resources parameter: No such resource class ${error.identifier}.`,
      );
    if (error instanceof NotFoundError && error.resourceType === 'Trait')
      throw new CandidateQueryError(`No such trait(s): ${error.identifier}.`);
    throw error;
  }
}
