import { PlacementClient, PlacementClientError } from '@placement-gateway/client';
import { Refusal, refusalFromTypedError } from '../../errors.js';
import { type GlobalOptions, resolveToken } from '../../session.js';
import type { ImportOptions } from '../import.js';
import { importBatches } from './batches.js';
import { IMPORT_API_VERSION, type ImportChange, type ImportResult, sendImport } from './gateway.js';
import { PlacementSource, type SourceState } from './source.js';

/** Providers whose usage here differs from the source's after the import (exit 1, naming them). */
export class UsageMismatch extends Refusal {}

/** `placement import`: read the source, send the batches, print the changes, check the usages. */
export async function runImport(options: ImportOptions, globals: GlobalOptions): Promise<void> {
  const json = options.json || globals.json;
  const timeoutMs = globals.timeout ?? 30_000;
  const gateway = {
    url: options.gatewayUrl ?? globals.url,
    token: options.gatewayToken ?? resolveToken(globals),
    timeoutMs,
  };
  // An empty import first: a gateway that is unreachable, refuses the token or its role, or
  // does not serve the head API fails now, before the whole source is read.
  await probeGateway(gateway);
  const source = new PlacementSource(options.from, options.token, timeoutMs);
  const state = await source.read();
  const batches = importBatches(state, options.batchSize);
  const log = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  log(
    `source ${options.from} (microversion ${state.version}): ${state.providers.length} providers, ${state.consumers.length} consumers`,
  );
  const changes: ImportChange[] = [];
  if (options.dryRun) {
    changes.push(...payload(await sendImport(gateway, batches, true)).changes);
  } else {
    for (const batch of batches) changes.push(...payload(await sendImport(gateway, [batch], false)).changes);
  }
  const mismatches = options.dryRun ? [] : await verifyUsages(source, state, gateway);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ dryRun: options.dryRun, changes, usageMismatches: mismatches }, null, 2)}\n`,
    );
  } else {
    for (const change of changes) process.stdout.write(`${describeChange(change)}\n`);
    const verb = options.dryRun ? 'would change' : 'changed';
    process.stdout.write(
      `${changes.length === 0 ? 'no differences' : `${verb} ${summary(changes)}`}${options.dryRun ? ' (dry run: nothing written)' : ''}\n`,
    );
  }
  if (mismatches.length > 0) {
    throw new UsageMismatch(`usage differs from the source on ${mismatches.length} provider(s)`, {
      detail: mismatches.map((m) => [m.providerUuid, m.difference] as const),
    });
  }
}

async function probeGateway(gateway: { url: string; token: string | undefined; timeoutMs: number }): Promise<void> {
  try {
    payload(await sendImport(gateway, [], false));
  } catch (error) {
    if (error instanceof PlacementClientError && error.code === 'UNSUPPORTED_API_VERSION')
      throw new Refusal(
        `the gateway at ${gateway.url} does not serve API ${IMPORT_API_VERSION}, which has importPlacementState`,
        {
          detail: [['gateway answer', error.message]],
          extra: `  (the importer needs the unreleased head API until ${IMPORT_API_VERSION} is released; nothing was written)`,
        },
      );
    throw error;
  }
}

function payload(result: ImportResult): Extract<ImportResult, { __typename: 'ImportPlacementStatePayload' }> {
  if (result.__typename === 'ImportPlacementStatePayload' && 'changes' in result) return result;
  throw refusalFromTypedError(result as { __typename: string; code: string; message: string });
}

const ACTION_WORD = { CREATE: 'create', UPDATE: 'update', REMOVE: 'remove' } as const;
const KIND_WORD = {
  RESOURCE_CLASS: 'resource class',
  TRAIT: 'trait',
  PROVIDER: 'provider',
  CONSUMER: 'consumer',
} as const;

/** `update provider <uuid>: generation 3 → 5; +trait CUSTOM_A`. */
function describeChange(change: ImportChange): string {
  return `${ACTION_WORD[change.action]} ${KIND_WORD[change.kind]} ${change.id}${change.detail ? `: ${change.detail}` : ''}`;
}

/** `2 created, 1 updated, 1 removed`. */
function summary(changes: readonly ImportChange[]): string {
  const count = (action: ImportChange['action']) => changes.filter((c) => c.action === action).length;
  return `${count('CREATE')} created, ${count('UPDATE')} updated, ${count('REMOVE')} removed`;
}

export interface UsageMismatchRow {
  providerUuid: string;
  difference: string;
}

/**
 * Every source provider's usage (GET /resource_providers/{uuid}/usages) against ours (the
 * `used` of each inventory, read through GraphQL): the proof the copy holds what the source does.
 */
export async function verifyUsages(
  source: PlacementSource,
  state: SourceState,
  gateway: { url: string; token: string | undefined; timeoutMs: number },
): Promise<UsageMismatchRow[]> {
  const theirs = await source.usages(state.providers.map((p) => p.uuid));
  const client = new PlacementClient({ url: gateway.url, token: gateway.token, timeoutMs: gateway.timeoutMs });
  const mismatches: UsageMismatchRow[] = [];
  for (const provider of state.providers) {
    const ours = await client.listInventories(provider.uuid);
    const source = theirs.get(provider.uuid) ?? {};
    const here = Object.fromEntries((ours?.inventories ?? []).map((i) => [i.resourceClass, i.used]));
    const classes = [...new Set([...Object.keys(source), ...Object.keys(here)])].sort();
    const differing = classes.filter((c) => (source[c] ?? 0) !== (here[c] ?? 0));
    if (!ours) mismatches.push({ providerUuid: provider.uuid, difference: 'missing here' });
    else if (differing.length > 0)
      mismatches.push({
        providerUuid: provider.uuid,
        difference: differing.map((c) => `${c} source ${source[c] ?? 0}, here ${here[c] ?? 0}`).join('; '),
      });
  }
  return mismatches;
}
