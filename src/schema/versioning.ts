import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLNonNull, type GraphQLSchema, isNonNullType } from 'graphql';
import { type ApiVersion, isAtLeast } from '../versions.js';

/**
 * Per-version metadata the sub-graph plugin does not cover: deprecations (a member is
 * deprecated from one version on, never retroactively in a released version) and enum values
 * added or removed in a version. Both travel in the members' `extensions`.
 */
export interface ApiDeprecation {
  /** The first version in which the member is deprecated. */
  since: ApiVersion;
  /** What to use instead, as a client would write it. */
  replacement: string;
  /** The version that no longer has the member, and the earliest date that version ships. */
  removedIn: string;
  removalDate: string;
}

export interface ApiVersionRange {
  since?: ApiVersion;
  /** The first version without the member. */
  until?: string;
}

interface VersionExtensions {
  [key: string]: unknown;
  apiDeprecation?: ApiDeprecation;
  apiVersions?: ApiVersionRange;
  apiRequired?: { since: ApiVersion; description: string };
  apiDescription?: { since: ApiVersion; description: string };
}

/**
 * Input-field options for a field optional until `since` and required (non-null) from it on,
 * with the description it has from then (an intended breaking change: scripts/schema-diff.ts,
 * INTENDED_BREAKING_CHANGES). The GraphQL layer still accepts it absent in older versions.
 */
export function requiredFrom(since: ApiVersion, description: string): { extensions: VersionExtensions } {
  return { extensions: { apiRequired: { since, description } } };
}

export function deprecationReason(d: ApiDeprecation): string {
  return `Use ${d.replacement} instead. Deprecated in ${d.since}; removed in ${d.removedIn}, not before ${d.removalDate}.`;
}

/**
 * Field or input-field options for a member whose meaning widens in `since` (a list that may
 * be empty from then on, a constraint list that grows): it has `description` from that
 * version on, while the released versions keep the frozen one in the member's own `description`.
 */
export function describedFrom(since: ApiVersion, description: string): { extensions: VersionExtensions } {
  return { extensions: { apiDescription: { since, description } } };
}

/** Field, argument or enum-value options marking a member deprecated from `since` on. */
export function deprecatedFrom(deprecation: ApiDeprecation): { extensions: VersionExtensions } {
  return { extensions: { apiDeprecation: deprecation } };
}

/** Enum-value options for a value that exists only in a range of versions. */
export function enumValueIn(range: ApiVersionRange): { extensions: VersionExtensions } {
  return { extensions: { apiVersions: range } };
}

/**
 * Object-type options for a type that exists only in a range of versions although shared
 * code references it in every version (a union member added in a version: the sub-graph
 * plugin keeps union members as written). Before its range it is removed from the schema,
 * and from every union listing it.
 */
export function typeIn(range: ApiVersionRange): { extensions: VersionExtensions } {
  return { extensions: { apiVersions: range } };
}

function inRange(version: ApiVersion, range: ApiVersionRange | undefined): boolean {
  if (!range) return true;
  if (range.since && !isAtLeast(version, range.since)) return false;
  if (range.until && isAtLeast(version, range.until as ApiVersion)) return false;
  return true;
}

function reasonFor(version: ApiVersion, extensions: VersionExtensions | null | undefined): string | undefined {
  const d = extensions?.apiDeprecation;
  return d && isAtLeast(version, d.since) ? deprecationReason(d) : undefined;
}

/** Applies the per-version deprecations and enum-value ranges to one version's schema. */
export function applyVersionMetadata(schema: GraphQLSchema, version: ApiVersion): GraphQLSchema {
  const member = <T extends { extensions?: unknown; deprecationReason?: string | null; description?: unknown }>(
    config: T,
  ): T => {
    const extensions = config.extensions as VersionExtensions | undefined;
    const described = extensions?.apiDescription;
    const current =
      described && isAtLeast(version, described.since) ? { ...config, description: described.description } : config;
    if (!extensions?.apiDeprecation) return current;
    return { ...current, deprecationReason: reasonFor(version, extensions) };
  };
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: member,
    [MapperKind.INTERFACE_FIELD]: member,
    [MapperKind.INPUT_OBJECT_FIELD]: (config) => {
      const required = (config.extensions as VersionExtensions | undefined)?.apiRequired;
      if (!required || !isAtLeast(version, required.since) || isNonNullType(config.type)) return member(config);
      return member({ ...config, type: new GraphQLNonNull(config.type), description: required.description });
    },
    [MapperKind.ARGUMENT]: member,
    [MapperKind.OBJECT_TYPE]: (type) =>
      inRange(version, (type.extensions as VersionExtensions | undefined)?.apiVersions) ? type : null,
    [MapperKind.ENUM_VALUE]: (config) => {
      const extensions = config.extensions as VersionExtensions | undefined;
      if (!inRange(version, extensions?.apiVersions)) return null;
      return member(config);
    },
  });
}
