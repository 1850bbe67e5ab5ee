import type { Database } from './db.js';

/** Per-request context. The database handle travels here so one process can serve several databases (tests). */
export interface Context {
  db: Database;
}
