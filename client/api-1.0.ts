import { PLACEMENT_API_VERSION } from './generated/1.0/version.js';
import { type PlacementClientOptions, PlacementTransport } from './transport.js';

// The typed documents, enums and result types of API 1.0, generated from its frozen schema.
export * from './generated/1.0/graphql.js';
export * from './transport.js';
export { PLACEMENT_API_VERSION };

/**
 * A client pinned to API 1.0, for integrations written against it: it sends
 * `Placement-API-Version: 1.0` and runs the 1.0 documents exported here with `request`, e.g.
 * `await client.request(ListProvidersDocument, { first: 10 })`. New code uses the default
 * entry (`@placement-gateway/client`, the newest version), which also has one method per operation.
 */
export class PlacementClient extends PlacementTransport {
  declare readonly apiVersion: typeof PLACEMENT_API_VERSION;

  constructor(options: PlacementClientOptions) {
    super(options, PLACEMENT_API_VERSION);
  }
}
