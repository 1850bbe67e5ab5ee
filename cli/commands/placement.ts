import { randomUUID } from 'node:crypto';
import type { Command, OptionValues } from '@commander-js/extra-typings';
import {
  type AlternateInput,
  type ExplanationFieldsFragment,
  isTypedError,
  type PlacementRequest,
  type ResourceAmountInput,
  type SelectionFieldsFragment,
} from '@placement-gateway/client';
import { refusalFromTypedError, UsageError } from '../errors.js';
import { plural, renderFields, renderTable } from '../format.js';
import {
  type GroupOption,
  groupPolicy,
  groups,
  integer,
  list,
  positiveInteger,
  repeatable,
  requestGroup,
  resources,
  weigher,
} from '../parse.js';
import type { Program } from '../session.js';
import { consumerGeneration, found, payload, Session } from '../session.js';

interface RequestOptions {
  resources?: ResourceAmountInput[];
  required?: string[];
  forbidden?: string[];
  anyOf?: string[][];
  memberOf?: string[][];
  forbiddenAggregates?: string[];
  inTree?: string;
  cell?: string;
  group?: GroupOption[];
  groupPolicy?: 'NONE' | 'ISOLATE';
  sameSubtree?: string[][];
  rootRequired?: string[];
  rootForbidden?: string[];
}

/** The flags of a placement request, shared by candidates, explain and claim. */
function withRequestOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
) {
  return command
    .option(
      '--resources <amounts>',
      'what is needed, e.g. VCPU:2,MEMORY_MB:4096 (required unless a --group allocates something)',
      resources,
    )
    .option('--required <traits>', 'the host carries all of these traits (comma-separated, repeatable)', list)
    .option('--forbidden <traits>', 'the host carries none of these traits', list)
    .option('--any-of <traits>', 'the host carries at least one of these; repeat for more groups', groups)
    .option('--member-of <aggregates>', 'the host is in one of these aggregates; repeat to AND groups', groups)
    .option('--forbidden-aggregates <aggregates>', 'the host is in none of these aggregates', list)
    .option('--in-tree <uuid>', 'only the tree containing this provider')
    .option('--cell <uuid>', 'only hosts in this cell')
    .option(
      '--group <spec>',
      'a request group served by one provider: NAME:CLASS=N,CLASS=N[;required=T1,T2][;forbidden=T][;anyOf=T1|T2][;memberOf=AGG1|AGG2][;forbiddenAggregates=AGG] (repeatable; NAME: alone is resourceless)',
      requestGroup,
    )
    .option(
      '--group-policy <policy>',
      'none, or isolate: each group on its own provider (needed with 2+ groups)',
      groupPolicy,
    )
    .option(
      '--same-subtree <groups>',
      'these groups under one provider of the tree (comma-separated, repeatable)',
      groups,
    )
    .option('--root-required <traits>', 'the host (root provider) carries all of these traits', list)
    .option('--root-forbidden <traits>', 'the host (root provider) carries none of these traits', list);
}

function requestFrom(options: RequestOptions): PlacementRequest {
  if (!options.resources && !options.group)
    throw new UsageError("required option '--resources <amounts>' not specified (or give a --group)");
  return {
    // With groups only, the top-level group is empty; the service checks that some group allocates.
    resources: options.resources ?? [],
    requiredTraits: options.required,
    forbiddenTraits: options.forbidden,
    anyOfTraits: options.anyOf,
    memberOf: options.memberOf,
    forbiddenAggregates: options.forbiddenAggregates,
    inTree: options.inTree,
    cell: options.cell,
    groups: options.group,
    groupPolicy: options.groupPolicy,
    sameSubtree: options.sameSubtree,
    rootRequiredTraits: options.rootRequired,
    rootForbiddenTraits: options.rootForbidden,
  };
}

type AllocationRequest = ReadonlyArray<{
  providerUuid: string;
  resources: ReadonlyArray<{ resourceClass: string; amount: number }>;
}>;

/** `VCPU:2,MEMORY_MB:4096`, prefixed with the provider when it is not the host itself. */
function describeAllocation(host: string, request: AllocationRequest): string {
  return request
    .map((part) => {
      const amounts = part.resources.map((r) => `${r.resourceClass}:${r.amount}`).join(',');
      return part.providerUuid === host ? amounts : `${part.providerUuid}=${amounts}`;
    })
    .join(' ');
}

type Mappings = ReadonlyArray<{ group: string; providerUuids: ReadonlyArray<string> }>;

/**
 * `net-a=<uuid> net-b=<uuid>`: which provider serves each request group (API 1.3), or
 * undefined when the request had no groups (its one mapping, the top-level group, says
 * nothing the allocation does not). The top-level group is shown as `-`.
 */
function describeMappings(mappings: Mappings): string | undefined {
  if (mappings.every((m) => m.group === '')) return undefined;
  return mappings.map((m) => `${m.group || '-'}=${m.providerUuids.join('+')}`).join(' ');
}

function renderExplanation(explanation: ExplanationFieldsFragment): string {
  // The GROUP column only when a step is about a numbered request group ('' is the top-level one).
  const grouped = explanation.steps.some((step) => step.group);
  return [
    `${plural(explanation.providersConsidered, 'host')} considered, ${explanation.remaining} remain`,
    renderTable(
      explanation.steps.map((step, index) => ({ ...step, index: index + 1 })),
      [
        { header: 'STEP', value: (s) => s.index, align: 'right' },
        ...(grouped ? [{ header: 'GROUP', value: (s: { group: string | null }) => s.group ?? '(host)' }] : []),
        { header: 'CONSTRAINT', value: (s) => s.constraint },
        { header: 'DETAIL', value: (s) => s.detail },
        { header: 'ELIMINATED', value: (s) => s.eliminated, align: 'right' },
      ],
    ),
  ].join('\n');
}

/** `headline` says what happened, e.g. "claimed … on" or "moved … to". */
export function renderSelection(
  selection: SelectionFieldsFragment,
  headline: (consumer: string, host: string) => string,
): string {
  const host = `${selection.resourceProvider?.name ?? selection.providerUuid} (${selection.providerUuid})`;
  const lines = [
    headline(selection.consumerUuid, host),
    renderFields([
      ['cell', selection.cellUuid],
      ['consumer generation', selection.consumerGeneration],
      ['hosts tried', selection.hostsTried],
      ['allocation', describeAllocation(selection.providerUuid, selection.allocations)],
      ...(describeMappings(selection.mappings) ? [['mappings', describeMappings(selection.mappings)] as const] : []),
    ]),
  ];
  const mappedAlternates = selection.alternates.some((a) => describeMappings(a.mappings));
  if (selection.alternates.length === 0) {
    lines.push('no alternates');
  } else {
    lines.push(
      `alternates (same cell, weighed order):`,
      renderTable(
        selection.alternates.map((alternate, index) => ({ ...alternate, rank: index + 1 })),
        [
          { header: '#', value: (a) => a.rank, align: 'right' },
          { header: 'HOST', value: (a) => a.resourceProvider?.name },
          { header: 'UUID', value: (a) => a.providerUuid },
          { header: 'ALLOCATION', value: (a) => describeAllocation(a.providerUuid, a.allocationRequest) },
          ...(mappedAlternates
            ? [{ header: 'MAPPINGS', value: (a: { mappings: Mappings }) => describeMappings(a.mappings) }]
            : []),
        ],
      ),
    );
  }
  return lines.join('\n');
}

export function addPlacementCommands(program: Program): void {
  withRequestOptions(program.command('candidates'))
    .description('hosts that can take the request now, in weighed order, with what to claim')
    .option('--limit <n>', '1…1000 (default 50)', positiveInteger)
    .option('--weigher <name>', 'spread (emptiest first, default) or pack (fullest first)', weigher)
    .option('--subset <k>', 'put one of the best k first, at random', positiveInteger)
    .action(async (options, command) => {
      const session = Session.of(command);
      const request = requestFrom(options);
      const result = payload(
        await session.client.allocationCandidates({
          request,
          limit: options.limit,
          weigher: options.weigher,
          hostSubsetSize: options.subset,
        }),
      );
      session.output(result, () => {
        // One column per summary row: the top-level classes, then each group's (GROUP/CLASS), in request order.
        const wanted = [
          ...request.resources.map((r) => r.resourceClass),
          ...(options.group ?? []).flatMap((g) => g.resources.map((r) => `${g.name}/${r.resourceClass}`)),
        ];
        const classColumns = wanted.map((label, index) => ({
          header: `${label} FREE/CAP`,
          align: 'right' as const,
          value: (c: (typeof result.candidates)[number]) => {
            const summary = c.summary[index];
            return summary ? `${summary.free}/${summary.capacity}` : undefined;
          },
        }));
        const mappingColumn = options.group
          ? [{ header: 'MAPPINGS', value: (c: (typeof result.candidates)[number]) => describeMappings(c.mappings) }]
          : [];
        const table = renderTable(
          result.candidates.map((candidate, index) => ({ ...candidate, rank: index + 1 })),
          [
            { header: '#', value: (c) => c.rank, align: 'right' },
            { header: 'HOST', value: (c) => c.resourceProvider.name },
            { header: 'UUID', value: (c) => c.providerUuid },
            { header: 'CELL', value: (c) => c.cell?.name },
            { header: 'WEIGHT', value: (c) => c.weight.toFixed(3), align: 'right' },
            ...classColumns,
            ...mappingColumn,
          ],
        );
        return `${table}\n${plural(result.candidates.length, 'candidate')}`;
      });
    });

  withRequestOptions(program.command('explain'))
    .description('how many hosts each constraint of the request eliminates (scans every host)')
    .action(async (options, command) => {
      const session = Session.of(command);
      const explanation = payload(await session.client.explainPlacement(requestFrom(options)));
      session.output(explanation, () => renderExplanation(explanation));
    });

  withRequestOptions(program.command('claim'))
    .description('claim capacity for new consumers on the best fitting hosts, with same-cell alternates')
    .option(
      '--consumer <uuid>',
      'a new consumer (repeat to place several, all or none; default: one generated uuid)',
      repeatable,
    )
    .requiredOption('--project <id>', 'project id of the consumers')
    .requiredOption('--user <id>', 'user id of the consumers')
    .option('--type <type>', 'consumer type, e.g. INSTANCE')
    .option('--alternates <n>', 'alternates to return per consumer, 0…100', integer, 2)
    .option('--weigher <name>', 'spread (default) or pack', weigher)
    .option('--subset <k>', 'start on one of the best k hosts, at random (for racing schedulers)', positiveInteger)
    .option('--candidates <uuids>', 'try exactly these hosts, in this order, instead of searching', list)
    .option('--idempotency-key <key>', 'replaying the same key returns the original result and claims nothing new')
    .option('--no-explain', 'on NoValidHost, skip the explanation (it scans every host)')
    .action(async (options, command) => {
      const session = Session.of(command);
      const consumers: string[] = options.consumer ?? [randomUUID()];
      const result = await session.client.claim(
        {
          consumers: consumers.map((consumerUuid) => ({
            consumerUuid,
            projectId: options.project,
            userId: options.user,
            consumerType: options.type,
          })),
          request: requestFrom(options),
          alternates: options.alternates,
          weigher: options.weigher,
          hostSubsetSize: options.subset,
          candidates: options.candidates,
          idempotencyKey: options.idempotencyKey,
        },
        { explain: options.explain },
      );
      if (isTypedError(result)) {
        const explanation =
          result.__typename === 'NoValidHost' && result.explanation ? renderExplanation(result.explanation) : undefined;
        throw refusalFromTypedError(result, explanation);
      }
      session.output(result, () =>
        result.selections
          .map((selection) => renderSelection(selection, (consumer, host) => `claimed consumer ${consumer} on ${host}`))
          .join('\n\n'),
      );
    });

  program
    .command('reschedule')
    .description(
      'move a consumer whose build failed to the first alternate that still fits (its current claim is released)',
    )
    .argument('<consumer>', 'consumer uuid')
    .option(
      '--alternate <host>',
      'an alternate host, claimed with --resources on the host itself (repeatable, tried in order)',
      repeatable,
    )
    .option('--resources <amounts>', 'what to claim on each --alternate host, e.g. VCPU:2,MEMORY_MB:4096', resources)
    .option('--alternates-file <path>', 'alternates from the JSON of "placement --json claim" (or "-" for stdin)')
    .option('--generation <n>', "the consumer's generation (default: its current one)", integer)
    .option('--idempotency-key <key>', 'replaying the same key returns the original result')
    .action(async (consumerUuid, options, command) => {
      const session = Session.of(command);
      const hosts = options.alternate ?? [];
      const perHost = options.resources;
      let alternates: AlternateInput[];
      if (options.alternatesFile) {
        if (hosts.length > 0) throw new UsageError('give --alternate or --alternates-file, not both');
        // Loaded here, not at start-up: zod alone takes longer to load than the rest of the CLI.
        const { alternatesFromFile } = await import('../alternates-file.js');
        alternates = await alternatesFromFile(options.alternatesFile, consumerUuid);
      } else {
        if (hosts.length === 0)
          throw new UsageError('give the alternates: --alternate <host> --resources … or --alternates-file <path>');
        if (!perHost) throw new UsageError('--alternate needs --resources (what to claim on each host)');
        alternates = hosts.map((host) => ({
          providerUuid: host,
          allocations: [{ providerUuid: host, resources: perHost }],
        }));
      }
      const generation = found(
        await consumerGeneration(session, consumerUuid, options.generation),
        `consumer ${consumerUuid} not found (a consumer exists while it holds allocations)`,
      );
      const result = payload(
        await session.client.reschedule({
          consumerUuid,
          consumerGeneration: generation,
          alternates,
          idempotencyKey: options.idempotencyKey,
        }),
      );
      session.output(result, () =>
        renderSelection(result.selection, (consumer, host) => `moved consumer ${consumer} to ${host}`),
      );
    });
}
