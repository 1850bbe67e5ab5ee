import type pg from 'pg';
import { createCustom, deleteCustom } from './catalogue-entries.js';

export const createResourceClass = (pool: pg.Pool, name: unknown) => createCustom(pool, 'resource_classes', name);
export const deleteResourceClass = (pool: pg.Pool, name: unknown) =>
  deleteCustom(pool, 'resource_classes', name, 'inventories', 'providers have inventory of it');
