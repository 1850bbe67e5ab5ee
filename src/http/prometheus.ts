import { readdirSync, readFileSync } from 'node:fs';
import { createCounter, createHistogram, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { Kind, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';

/**
 * Every label value of the HTTP/GraphQL metrics comes from a bounded set, so that clients
 * cannot grow /metrics (and the process) by sending new operation names, URLs or aliases:
 * an operation name is kept only when it is one of the client's documents (client/operations),
 * otherwise it is `other`; the URL and the error path (which holds aliases and list indices)
 * are not labels at all.
 */

const OPERATIONS_DIR = new URL('../../client/operations/', import.meta.url);

/** Names of the operations the shipped client sends; read once, a missing folder gives none. */
function clientOperationNames(): ReadonlySet<string> {
  const names = new Set<string>();
  let files: string[];
  try {
    // One folder per API version the client speaks (client/operations/<version>/).
    files = readdirSync(OPERATIONS_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.graphql'));
  } catch {
    return names;
  }
  for (const file of files) {
    for (const definition of parse(readFileSync(new URL(file, OPERATIONS_DIR), 'utf8')).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
    }
  }
  return names;
}

export const KNOWN_OPERATIONS = clientOperationNames();
export const OTHER_OPERATION = 'other';
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);

export function operationLabel(name: string | undefined): string {
  if (!name || name === 'Anonymous') return 'Anonymous';
  return KNOWN_OPERATIONS.has(name) ? name : OTHER_OPERATION;
}

function operationTypeLabel(type: string | undefined): string {
  return type && OPERATION_TYPES.has(type) ? type : 'unknown';
}

interface OperationParams {
  operationName?: string;
  operationType?: string;
}

const operationLabels = (params: OperationParams) => ({
  operationName: operationLabel(params.operationName),
  operationType: operationTypeLabel(params.operationType),
});

/** yoga's Prometheus plugin serving `registry` at `endpoint`, with bounded labels only. */
export function usePrometheusBounded(registry: Registry, endpoint: string): Plugin {
  return usePrometheus({
    endpoint,
    registry,
    metrics: {
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_yoga_http_duration',
          help: 'Time spent on HTTP connection',
          labelNames: ['operationName', 'operationType', 'method', 'statusCode'],
        },
        fillLabelsFn: (params: OperationParams, { request, response }: { request: Request; response: Response }) => ({
          ...operationLabels(params),
          // Node's HTTP parser accepts only the standard methods, so this stays bounded.
          method: request.method,
          statusCode: response.status,
        }),
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time spent on running the GraphQL operation from parse to execute',
          labelNames: ['operationName', 'operationType'],
        },
        fillLabelsFn: operationLabels,
        phases: ['execute', 'subscribe'],
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Errors reported from all phases, by operation and phase',
          labelNames: ['operationName', 'operationType', 'phase'],
        },
        fillLabelsFn: (params: OperationParams & { errorPhase?: string }) => ({
          ...operationLabels(params),
          phase: params.errorPhase ?? 'unknown',
        }),
        phases: ['parse', 'validate', 'context', 'execute', 'subscribe'],
      }),
      // Deprecated members are counted by placement_deprecated_usage_total (fields, arguments,
      // input fields and enum values, per API version); this one would walk each document again.
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_schema_change: false,
    },
  });
}
