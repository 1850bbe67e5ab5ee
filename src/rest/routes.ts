import { listAllocationCandidates } from './handlers/allocation-candidates.js';
import {
  deleteForConsumer,
  listForConsumer,
  listForProvider,
  setAllocations,
  setForConsumer,
} from './handlers/allocations.js';
import {
  createClass,
  deleteClass,
  ensureClass,
  listClasses,
  renameClass,
  showClass,
} from './handlers/resource-classes.js';
import { home } from './handlers/root.js';
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
};
