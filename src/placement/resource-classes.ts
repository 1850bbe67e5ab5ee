import type pg from 'pg';
import { createCustom, deleteCustom } from './catalogue-entries.js';
import type { WriteCaller } from './write-caller.js';

export const createResourceClass = (pool: pg.Pool, name: unknown, caller?: WriteCaller) =>
  createCustom(pool, 'resource_classes', name, caller);
export const deleteResourceClass = (pool: pg.Pool, name: unknown, caller?: WriteCaller) =>
  deleteCustom(pool, 'resource_classes', name, 'inventories', 'providers have inventory of it', caller);
