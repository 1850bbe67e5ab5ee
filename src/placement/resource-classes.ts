import type pg from 'pg';
import { createCustom, deleteCustom, findCatalogueEntry, listCatalogue, renameCustom } from './catalogue-entries.js';
import type { WriteCaller } from './write-caller.js';

export const createResourceClass = (pool: pg.Pool, name: unknown, caller?: WriteCaller) =>
  createCustom(pool, 'resource_classes', name, caller);
export const deleteResourceClass = (pool: pg.Pool, name: unknown, caller?: WriteCaller) =>
  deleteCustom(pool, 'resource_classes', name, 'inventories', 'providers have inventory of it', caller);
export const listResourceClasses = (pool: pg.Pool) => listCatalogue(pool, 'resource_classes');
export const findResourceClass = (pool: pg.Pool, name: string) => findCatalogueEntry(pool, 'resource_classes', name);
export const renameResourceClass = (pool: pg.Pool, from: string, to: unknown, caller?: WriteCaller) =>
  renameCustom(pool, 'resource_classes', from, to, caller);
