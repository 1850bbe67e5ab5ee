import { type ImportPlacementStateMutation, PlacementClient } from '@placement-gateway/client';
import type { ImportBatch } from './batches.js';

/**
 * importPlacementState arrived in API 1.4: the typed client's default entry speaks it
 * (client/operations/1.4/import.graphql), so a gateway serving 1.4 takes the import as it is
 * started by default. An older gateway answers UNSUPPORTED_API_VERSION (run.ts says so).
 */
export const IMPORT_API_VERSION = '1.4';

export type ImportResult = ImportPlacementStateMutation['importPlacementState'];
export type ImportPayload = Extract<ImportResult, { __typename: 'ImportPlacementStatePayload' }>;
export type ImportChange = ImportPayload['changes'][number];

export async function sendImport(
  options: { url: string; token: string | undefined; timeoutMs: number },
  batches: readonly ImportBatch[],
  dryRun: boolean,
): Promise<ImportResult> {
  const client = new PlacementClient({ url: options.url, token: options.token, timeoutMs: options.timeoutMs });
  return client.importPlacementState({ batches: [...batches], dryRun });
}
