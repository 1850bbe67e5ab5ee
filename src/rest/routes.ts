import { listAggregates, setAggregates } from './handlers/aggregates.js';
import { listAllocationCandidates } from './handlers/allocation-candidates.js';
import {
  deleteForConsumer,
  listForConsumer,
  listForProvider,
  setAllocations,
  setForConsumer,
} from './handlers/allocations.js';
import {
  createInventory,
  deleteInventories,
  deleteInventoryHandler,
  listInventories,
  setInventoriesHandler,
  showInventory,
  updateInventory,
} from './handlers/inventories.js';
import {
  createProviderHandler,
  deleteProviderHandler,
  listProviders,
  showProvider,
  updateProviderHandler,
} from './handlers/providers.js';
import { reshapeHandler } from './handlers/reshaper.js';
import {
  createClass,
  deleteClass,
  ensureClass,
  listClasses,
  renameClass,
  showClass,
} from './handlers/resource-classes.js';
import { home } from './handlers/root.js';
import {
  deleteProviderTraits,
  deleteTraitHandler,
  listProviderTraits,
  listTraitsHandler,
  putTrait,
  setProviderTraitsHandler,
  showTrait,
} from './handlers/traits.js';
import { providerUsages, totalUsages } from './handlers/usages.js';
import type { RouteTable } from './router.js';

/**
 * Placement's routes (placement/handler.py), each method with its policy rule and request
 * checks, one line per method. Methods in Placement's declaration order: the 405's Allow
 * header lists them so.
 */
export const ROUTES: RouteTable = {
  '/': { GET: { policy: null, handler: home } },
  '': { GET: { policy: null, handler: home } },
  '/resource_classes': {
    GET: { policy: 'placement:resource_classes:list', since: '1.2', checkAccept: true, handler: listClasses },
    POST: { policy: 'placement:resource_classes:create', since: '1.2', requireJson: true, handler: createClass },
  },
  '/resource_classes/{name}': {
    GET: { policy: 'placement:resource_classes:show', since: '1.2', checkAccept: true, handler: showClass },
    PUT: [
      {
        policy: 'placement:resource_classes:update',
        since: '1.2',
        until: '1.6',
        requireJson: true,
        handler: renameClass,
      },
      { policy: 'placement:resource_classes:update', since: '1.7', handler: ensureClass },
    ],
    DELETE: { policy: 'placement:resource_classes:delete', since: '1.2', handler: deleteClass },
  },
  '/resource_providers': {
    GET: { policy: 'placement:resource_providers:list', checkAccept: true, handler: listProviders },
    POST: { policy: 'placement:resource_providers:create', requireJson: true, handler: createProviderHandler },
  },
  '/resource_providers/{uuid}': {
    GET: { policy: 'placement:resource_providers:show', checkAccept: true, handler: showProvider },
    DELETE: { policy: 'placement:resource_providers:delete', handler: deleteProviderHandler },
    PUT: { policy: 'placement:resource_providers:update', requireJson: true, handler: updateProviderHandler },
  },
  '/resource_providers/{uuid}/inventories': {
    GET: { policy: 'placement:resource_providers:inventories:list', checkAccept: true, handler: listInventories },
    POST: { policy: 'placement:resource_providers:inventories:create', requireJson: true, handler: createInventory },
    PUT: {
      policy: 'placement:resource_providers:inventories:update',
      requireJson: true,
      handler: setInventoriesHandler,
    },
    DELETE: {
      policy: 'placement:resource_providers:inventories:delete',
      since: '1.5',
      outsideStatus: 405,
      handler: deleteInventories,
    },
  },
  '/resource_providers/{uuid}/inventories/{resource_class}': {
    GET: { policy: 'placement:resource_providers:inventories:show', checkAccept: true, handler: showInventory },
    PUT: { policy: 'placement:resource_providers:inventories:update', requireJson: true, handler: updateInventory },
    DELETE: { policy: 'placement:resource_providers:inventories:delete', handler: deleteInventoryHandler },
  },
  '/resource_providers/{uuid}/usages': {
    GET: { policy: 'placement:resource_providers:usages', checkAccept: true, handler: providerUsages },
  },
  '/resource_providers/{uuid}/aggregates': {
    GET: {
      policy: 'placement:resource_providers:aggregates:list',
      since: '1.1',
      checkAccept: true,
      handler: listAggregates,
    },
    PUT: {
      policy: 'placement:resource_providers:aggregates:update',
      since: '1.1',
      requireJson: true,
      handler: setAggregates,
    },
  },
  '/traits': {
    GET: { policy: 'placement:traits:list', since: '1.6', checkAccept: true, handler: listTraitsHandler },
  },
  '/traits/{name}': {
    GET: { policy: 'placement:traits:show', since: '1.6', handler: showTrait },
    PUT: { policy: 'placement:traits:update', since: '1.6', handler: putTrait },
    DELETE: { policy: 'placement:traits:delete', since: '1.6', handler: deleteTraitHandler },
  },
  '/resource_providers/{uuid}/traits': {
    GET: {
      policy: 'placement:resource_providers:traits:list',
      since: '1.6',
      checkAccept: true,
      handler: listProviderTraits,
    },
    PUT: {
      policy: 'placement:resource_providers:traits:update',
      since: '1.6',
      requireJson: true,
      handler: setProviderTraitsHandler,
    },
    DELETE: { policy: 'placement:resource_providers:traits:delete', since: '1.6', handler: deleteProviderTraits },
  },
  '/usages': {
    GET: { policy: 'placement:usages', since: '1.9', checkAccept: true, handler: totalUsages },
  },
  '/resource_providers/{uuid}/allocations': {
    GET: { policy: 'placement:resource_providers:allocations:list', checkAccept: true, handler: listForProvider },
  },
  '/allocations': {
    POST: { policy: 'placement:allocations:manage', since: '1.13', requireJson: true, handler: setAllocations },
  },
  '/allocations/{consumer_uuid}': {
    GET: { policy: 'placement:allocations:list', checkAccept: true, handler: listForConsumer },
    PUT: { policy: 'placement:allocations:update', requireJson: true, handler: setForConsumer },
    DELETE: { policy: 'placement:allocations:delete', handler: deleteForConsumer },
  },
  '/allocation_candidates': {
    GET: {
      policy: 'placement:allocation_candidates:list',
      since: '1.10',
      checkAccept: true,
      handler: listAllocationCandidates,
    },
  },
  '/reshaper': {
    POST: { policy: 'placement:reshaper:reshape', since: '1.30', requireJson: true, handler: reshapeHandler },
  },
};
