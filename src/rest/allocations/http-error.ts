/** A Placement error answer: status, Placement's detail text, its error code. */
export class PlacementAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string = 'placement.undefined_code',
  ) {
    super(detail);
  }
}

export const CONCURRENT_UPDATE = 'placement.concurrent_update';
