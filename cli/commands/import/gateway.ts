import { API_VERSION_HEADER, PlacementClientError } from '@placement-gateway/client';
import type { ImportBatch } from './batches.js';

/**
 * importPlacementState is in the unreleased head API (1.4): the typed client speaks released
 * versions only (docs/CLIENT.md, "Compatibility"), so this one request is sent here, with the
 * head's version header, and fails as the client does (PlacementClientError) when the gateway
 * does not serve the head.
 */
export const IMPORT_API_VERSION = '1.4';

export interface ImportChange {
  action: 'CREATE' | 'UPDATE' | 'REMOVE';
  kind: 'RESOURCE_CLASS' | 'TRAIT' | 'PROVIDER' | 'CONSUMER';
  id: string;
  detail: string;
}

interface TypedError {
  __typename: string;
  code: string;
  message: string;
  field?: string;
  rule?: string;
  resourceType?: string;
  identifier?: string;
  reason?: string;
}

export type ImportResult =
  | { __typename: 'ImportPlacementStatePayload'; dryRun: boolean; batches: number; changes: ImportChange[] }
  | TypedError;

const IMPORT_DOCUMENT = `mutation ImportPlacementState($input: ImportPlacementStateInput!) {
  importPlacementState(input: $input) {
    __typename
    ... on ImportPlacementStatePayload { dryRun batches changes { action kind id detail } }
    ... on Error { code message }
    ... on InvalidInput { field rule }
    ... on NotFound { resourceType identifier field }
    ... on InUse { resourceType identifier reason }
    ... on Forbidden { requiredRole role }
  }
}`;

export async function sendImport(
  options: { url: string; token: string | undefined; timeoutMs: number },
  batches: readonly ImportBatch[],
  dryRun: boolean,
): Promise<ImportResult> {
  const headers = new Headers({
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    [API_VERSION_HEADER]: IMPORT_API_VERSION,
  });
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  let response: Response;
  let text: string;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: IMPORT_DOCUMENT, variables: { input: { batches, dryRun } } }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await response.text();
  } catch (cause) {
    const reason =
      cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    throw new PlacementClientError('network', `cannot reach ${options.url}: ${reason}`, { cause });
  }
  let body: {
    data?: { importPlacementState?: ImportResult } | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new PlacementClientError(
      'http',
      `${options.url} answered HTTP ${response.status} without a GraphQL response`,
      {
        status: response.status,
      },
    );
  }
  if (body.errors?.length) {
    throw new PlacementClientError('graphql', body.errors[0]!.message, {
      status: response.status,
      errors: body.errors,
    });
  }
  const result = body.data?.importPlacementState;
  if (!result) throw new PlacementClientError('http', `${options.url} answered HTTP ${response.status} with no data`);
  return result;
}
