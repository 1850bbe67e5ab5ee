import * as ops from './generated/1.4/graphql.js';
import { PLACEMENT_API_VERSION } from './generated/1.4/version.js';
import { type PlacementClientOptions, PlacementTransport } from './transport.js';

// The typed documents, enums and result types of API 1.4, for `request` and for annotations.
export * from './generated/1.4/graphql.js';
export * from './transport.js';
export { PLACEMENT_API_VERSION };

/**
 * The typed client of the placement service in API 1.4 (PLACEMENT_API_VERSION), the newest
 * version this package speaks; `@placement-gateway/client/1.3`, `/1.2`, `/1.1` and `/1.0` pin the
 * older ones. One method per ready operation in client/operations/1.4/; each returns the operation's
 * root field, union results as discriminated unions on `__typename`. `request` runs any other
 * generated document. In 1.3 a placement request may carry `groups` and results carry their
 * `mappings`; 1.4 adds importPlacementState (ADMIN only).
 */
export class PlacementClient extends PlacementTransport {
  declare readonly apiVersion: typeof PLACEMENT_API_VERSION;

  constructor(options: PlacementClientOptions) {
    super(options, PLACEMENT_API_VERSION);
  }

  // Providers

  async listProviders(variables: ops.ListProvidersQueryVariables = {}) {
    return (await this.request(ops.ListProvidersDocument, variables)).resourceProviders;
  }

  /** null when no provider has this uuid. */
  async getProvider(uuid: string) {
    return (await this.request(ops.GetProviderDocument, { uuid })).resourceProvider;
  }

  /** null when no provider has this uuid. */
  async listProviderAllocations(variables: ops.ListProviderAllocationsQueryVariables) {
    return (await this.request(ops.ListProviderAllocationsDocument, variables)).resourceProvider;
  }

  async createProvider(input: ops.CreateResourceProviderInput) {
    return (await this.request(ops.CreateProviderDocument, { input })).createResourceProvider;
  }

  async updateProvider(input: ops.UpdateResourceProviderInput) {
    return (await this.request(ops.UpdateProviderDocument, { input })).updateResourceProvider;
  }

  async deleteProvider(input: ops.DeleteResourceProviderInput) {
    return (await this.request(ops.DeleteProviderDocument, { input })).deleteResourceProvider;
  }

  // Inventories

  /** null when no provider has this uuid. */
  async listInventories(providerUuid: string) {
    return (await this.request(ops.ListInventoriesDocument, { providerUuid })).resourceProvider;
  }

  async setInventories(input: ops.SetInventoriesInput) {
    return (await this.request(ops.SetInventoriesDocument, { input })).setInventories;
  }

  async upsertInventory(input: ops.UpsertInventoryInput) {
    return (await this.request(ops.UpsertInventoryDocument, { input })).upsertInventory;
  }

  async deleteInventory(input: ops.DeleteInventoryInput) {
    return (await this.request(ops.DeleteInventoryDocument, { input })).deleteInventory;
  }

  // Traits and resource classes

  async listTraits(variables: ops.ListTraitsQueryVariables = {}) {
    return (await this.request(ops.ListTraitsDocument, variables)).traits;
  }

  async createTrait(input: ops.CreateTraitInput) {
    return (await this.request(ops.CreateTraitDocument, { input })).createTrait;
  }

  async deleteTrait(input: ops.DeleteTraitInput) {
    return (await this.request(ops.DeleteTraitDocument, { input })).deleteTrait;
  }

  async setProviderTraits(input: ops.SetProviderTraitsInput) {
    return (await this.request(ops.SetProviderTraitsDocument, { input })).setProviderTraits;
  }

  async listResourceClasses(variables: ops.ListResourceClassesQueryVariables = {}) {
    return (await this.request(ops.ListResourceClassesDocument, variables)).resourceClasses;
  }

  async createResourceClass(input: ops.CreateResourceClassInput) {
    return (await this.request(ops.CreateResourceClassDocument, { input })).createResourceClass;
  }

  async deleteResourceClass(input: ops.DeleteResourceClassInput) {
    return (await this.request(ops.DeleteResourceClassDocument, { input })).deleteResourceClass;
  }

  // Cells and aggregates

  async listCells(variables: ops.ListCellsQueryVariables = {}) {
    return (await this.request(ops.ListCellsDocument, variables)).cells;
  }

  async createCell(input: ops.CreateCellInput) {
    return (await this.request(ops.CreateCellDocument, { input })).createCell;
  }

  async deleteCell(input: ops.DeleteCellInput) {
    return (await this.request(ops.DeleteCellDocument, { input })).deleteCell;
  }

  async listAggregates(variables: ops.ListAggregatesQueryVariables = {}) {
    return (await this.request(ops.ListAggregatesDocument, variables)).aggregates;
  }

  async createAggregate(input: ops.CreateAggregateInput) {
    return (await this.request(ops.CreateAggregateDocument, { input })).createAggregate;
  }

  async deleteAggregate(input: ops.DeleteAggregateInput) {
    return (await this.request(ops.DeleteAggregateDocument, { input })).deleteAggregate;
  }

  async setProviderAggregates(input: ops.SetProviderAggregatesInput) {
    return (await this.request(ops.SetProviderAggregatesDocument, { input })).setProviderAggregates;
  }

  // Consumers, allocations, usages

  /** null when the consumer holds no allocations (it does not exist then). */
  async getConsumer(uuid: string) {
    return (await this.request(ops.GetConsumerDocument, { uuid })).consumer;
  }

  async setAllocations(input: ops.SetAllocationsInput) {
    return (await this.request(ops.SetAllocationsDocument, { input })).setAllocations;
  }

  async deleteAllocations(input: ops.DeleteAllocationsInput) {
    return (await this.request(ops.DeleteAllocationsDocument, { input })).deleteAllocations;
  }

  async moveAllocations(input: ops.MoveAllocationsInput) {
    return (await this.request(ops.MoveAllocationsDocument, { input })).moveAllocations;
  }

  async usages(variables: ops.UsagesQueryVariables) {
    return (await this.request(ops.UsagesDocument, variables)).usages;
  }

  // Placement: the scheduler loop

  async allocationCandidates(variables: ops.AllocationCandidatesQueryVariables) {
    return (await this.request(ops.AllocationCandidatesDocument, variables)).allocationCandidates;
  }

  async explainPlacement(request: ops.PlacementRequest) {
    return (await this.request(ops.ExplainPlacementDocument, { request })).explainPlacement;
  }

  /**
   * `explain: true` fills NoValidHost.explanation; it scans every host, so ask for it when a
   * person will read it, not in a hot scheduler loop.
   */
  async claim(input: ops.ClaimInput, options: { explain?: boolean } = {}) {
    return (await this.request(ops.ClaimDocument, { input, explain: options.explain ?? false })).claim;
  }

  async reschedule(input: ops.RescheduleInput) {
    return (await this.request(ops.RescheduleDocument, { input })).reschedule;
  }

  // API tokens (from 1.2; the service allows them to ADMIN tokens only)

  async listApiTokens(variables: ops.ListApiTokensQueryVariables = {}) {
    return (await this.request(ops.ListApiTokensDocument, variables)).apiTokens;
  }

  /** The payload's `secret` is shown this once: the service keeps only its hash. */
  async createApiToken(input: ops.CreateApiTokenInput) {
    return (await this.request(ops.CreateApiTokenDocument, { input })).createApiToken;
  }

  /** By `{ id }` or `{ name }`: the next request with that token gets 401. */
  async revokeApiToken(input: ops.RevokeApiTokenInput) {
    return (await this.request(ops.RevokeApiTokenDocument, { input })).revokeApiToken;
  }

  // Import (from 1.4; the service allows it to ADMIN tokens only)

  /**
   * Makes the service's state equal to an OpenStack Placement's, batch by batch, generations
   * included: what `placement import` sends. `dryRun: true` reports the changes and writes nothing.
   */
  async importPlacementState(input: ops.ImportPlacementStateInput) {
    return (await this.request(ops.ImportPlacementStateDocument, { input })).importPlacementState;
  }
}
