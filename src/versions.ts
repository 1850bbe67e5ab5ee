/**
 * The API versions this code base knows. A released version is frozen: its schema is checked
 * in under schema/versions/<version>.graphql and never changes. The last entry is the
 * unreleased head the next release will freeze; it is printed to schema.graphql and is not
 * served. docs/API-VERSIONS.md has the policy and the changelog.
 */
export const API_VERSIONS = ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

export interface ReleasedVersion {
  version: ApiVersion;
  released: string;
  /** Served at least until this date (the support window, docs/API-VERSIONS.md). */
  supportedUntil: string;
}

/** Released versions, oldest first. Each one is served and has a frozen schema file. */
export const RELEASED_VERSIONS: readonly ReleasedVersion[] = [
  { version: '1.0', released: '2026-11-24', supportedUntil: '2027-11-24' },
  { version: '1.1', released: '2026-11-24', supportedUntil: '2027-11-24' },
  { version: '1.2', released: '2026-12-02', supportedUntil: '2027-12-02' },
  { version: '1.3', released: '2026-12-02', supportedUntil: '2027-12-02' },
  { version: '1.4', released: '2026-12-02', supportedUntil: '2027-12-02' },
];

export const SERVED_VERSIONS: readonly ApiVersion[] = RELEASED_VERSIONS.map((v) => v.version);
export const OLDEST_VERSION: ApiVersion = SERVED_VERSIONS[0]!;
export const LATEST_VERSION: ApiVersion = SERVED_VERSIONS[SERVED_VERSIONS.length - 1]!;
/** The unreleased head: schema.graphql, checked against LATEST_VERSION for breaking changes. */
export const HEAD_VERSION: ApiVersion = API_VERSIONS[API_VERSIONS.length - 1]!;

/** The request header naming the version; responses echo it with the version that served them. */
export const VERSION_HEADER = 'Placement-API-Version';

function compare(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Versions from `version` on (a member added in `version`). */
export function since(version: ApiVersion): ApiVersion[] {
  return API_VERSIONS.filter((v) => compare(v, version) >= 0);
}

export function isAtLeast(version: ApiVersion, minimum: ApiVersion): boolean {
  return compare(version, minimum) >= 0;
}

export type VersionSelection =
  | { ok: true; version: ApiVersion; defaulted: boolean }
  | { ok: false; requested: string; reason: 'malformed' | 'unsupported' };

/**
 * What a request's header selects. No header means the oldest served version, as Placement
 * does: a client that never heard of versions keeps the behaviour it was written against.
 */
export function selectVersion(
  header: string | null | undefined,
  served: readonly ApiVersion[] = SERVED_VERSIONS,
): VersionSelection {
  if (header == null || header.trim() === '') return { ok: true, version: OLDEST_VERSION, defaulted: true };
  const requested = header.trim();
  if (!/^\d{1,3}\.\d{1,3}$/.test(requested)) return { ok: false, requested, reason: 'malformed' };
  const version = served.find((v) => compare(v, requested) === 0);
  if (!version) return { ok: false, requested, reason: 'unsupported' };
  return { ok: true, version, defaulted: false };
}

/**
 * Behaviour that belongs to a version besides its schema: the numbers a client may rely on.
 * A later version may change them; a released version never does.
 */
export interface VersionBehaviour {
  /** Page size of the catalogue connections (classes, traits) when `first`/`last` is not given, and its cap. */
  catalogueDefaultPageSize: number;
  catalogueMaxPageSize: number;
  /** Page size of the other connections when `first`/`last` is not given, and its cap. */
  defaultPageSize: number;
  maxPageSize: number;
  /** allocationCandidates `limit`: default and maximum. */
  candidateDefaultLimit: number;
  candidateMaxLimit: number;
  /** `nodes(ids:)`: most ids per request. */
  maxNodeIds: number;
}

const BEHAVIOUR_1_0: VersionBehaviour = {
  catalogueDefaultPageSize: 100,
  catalogueMaxPageSize: 500,
  defaultPageSize: 20,
  maxPageSize: 100,
  candidateDefaultLimit: 50,
  candidateMaxLimit: 1000,
  maxNodeIds: 500,
};

export const VERSION_BEHAVIOUR: Record<ApiVersion, VersionBehaviour> = {
  '1.0': BEHAVIOUR_1_0,
  '1.1': BEHAVIOUR_1_0,
  '1.2': BEHAVIOUR_1_0,
  '1.3': BEHAVIOUR_1_0,
  '1.4': BEHAVIOUR_1_0,
  '1.5': BEHAVIOUR_1_0,
};
