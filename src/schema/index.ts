import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from '../builder.js';
import { API_VERSIONS, type ApiVersion, HEAD_VERSION } from '../versions.js';
import { applyVersionMetadata } from './versioning.js';
import './scalars.js';
import './errors.js';
import './providers.js';
import './inventories.js';
import './catalogue.js';
import './cells.js';
import './allocations.js';
import './placement.js';
import './tokens.js';
import './forbidden.js';
import './audit.js';
import './import.js';

builder.queryType({ description: 'Read the resource model.' });
builder.mutationType({ description: 'Every mutation takes one `input` and returns its payload or a typed `Error`.' });

/** One executable schema per version, all from this one code base. */
export const schemas = Object.fromEntries(
  API_VERSIONS.map((version) => [
    version,
    applyVersionMetadata(builder.toSchema({ subGraph: version, sortSchema: true }), version),
  ]),
) as Record<ApiVersion, GraphQLSchema>;

/** The unreleased head (schema.graphql). */
export const schema = schemas[HEAD_VERSION];

/** A version's contract: schema/versions/<version>.graphql (and schema.graphql for the head) is exactly this text. */
export function printSortedSchema(version: ApiVersion = HEAD_VERSION): string {
  return `${printSchema(lexicographicSortSchema(schemas[version]))}\n`;
}
