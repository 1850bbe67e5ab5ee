import { pyRepr } from './python.js';

/**
 * Placement's microversions (placement/microversion.py) and the way its microversion_parse
 * middleware reads them from `OpenStack-API-Version`, including Python's int() parsing and
 * error texts, so a bad header is refused exactly as Placement refuses it.
 */
export const MIN_VERSION = '1.0';
export const MAX_VERSION = '1.39';
const MAX_MINOR = 39;

export const SERVICE_TYPE = 'placement';
export const STANDARD_HEADER = 'openstack-api-version';

export interface Microversion {
  major: number;
  minor: number;
}

/** The header could not be parsed (400) or names a version not served (406); `detail` is Placement's. */
export class MicroversionError extends Error {
  constructor(
    readonly status: 400 | 406,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'MicroversionError';
  }
}

export function formatVersion(version: Microversion): string {
  return `${version.major}.${version.minor}`;
}

/** Whether `version` is at least major.minor (microversion_parse's `matches((major, minor))`). */
export function atLeast(version: Microversion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** Whether `version` lies within [min, max] (both inclusive, each "X.Y"). */
export function within(version: Microversion, min: string, max: string = MAX_VERSION): boolean {
  const [minMajor, minMinor] = min.split('.').map(Number) as [number, number];
  const [maxMajor, maxMinor] = max.split('.').map(Number) as [number, number];
  return atLeast(version, minMajor, minMinor) && !atLeast(version, maxMajor, maxMinor + 1);
}

/** The version string requested for `placement`, or null (microversion_parse.check_standard_header). */
function requestedVersion(headers: Headers): string | null {
  const header = headers.get(STANDARD_HEADER);
  if (header === null) return null;
  for (const value of header.split(',').reverse()) {
    const parts = value.trim().split(/\s+/);
    if (parts.length < 2 || parts[0] === '') continue;
    const [service = ''] = parts;
    if (service.toLowerCase() === SERVICE_TYPE) return value.trim().slice(service.length).trim();
  }
  return null;
}

// Python's int(): surrounding whitespace, a sign, digits with single underscores between them.
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

function pyInt(text: string, original: string): number {
  if (!PY_INT.test(text)) {
    throw new MicroversionError(
      400,
      `Invalid microversion: invalid version string: ${original}; invalid literal for int() with base 10: ${pyRepr(text)}`,
    );
  }
  return Number.parseInt(text.replace(/_/g, '').trim(), 10);
}

/**
 * The microversion of a request: none asked for is 1.0, `latest` is 1.39. Throws
 * MicroversionError with Placement's status and detail for a malformed or unserved one.
 */
export function negotiateVersion(headers: Headers): Microversion {
  const asked = requestedVersion(headers) ?? MIN_VERSION;
  const text = asked === 'latest' ? MAX_VERSION : asked;
  const dot = text.indexOf('.');
  const major = pyInt(dot < 0 ? text : text.slice(0, dot), text);
  if (dot < 0) {
    throw new MicroversionError(
      400,
      `Invalid microversion: invalid version string: ${text}; Version.__new__() missing 1 required positional argument: 'minor'`,
    );
  }
  const minor = pyInt(text.slice(dot + 1), text);
  if (major !== 1 || minor < 0 || minor > MAX_MINOR) {
    throw new MicroversionError(406, `Invalid microversion: Unacceptable version header: ${text}`);
  }
  return { major, minor };
}
