// The source's failures, in a module without zod so that the CLI's exit-code mapping
// (cli/errors.ts) can know them without loading the source reader.

/** The source Placement could not be read: unreachable, it answered an error, or it is not Placement. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly kind: 'network' | 'http' | 'format',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
