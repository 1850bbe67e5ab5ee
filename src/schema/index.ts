import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from '../builder.js';
import './scalars.js';
import './errors.js';
import './providers.js';
import './inventories.js';
import './catalogue.js';
import './cells.js';
import './allocations.js';
import './placement.js';

builder.queryType({ description: 'Read the resource model.' });
builder.mutationType({ description: 'Every mutation takes one `input` and returns its payload or a typed `Error`.' });

export const schema = builder.toSchema({ sortSchema: true });

/** The checked-in contract: schema.graphql is exactly this text. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
