import type { ConsumerFieldsFragment } from '@placement-gateway/client';
import { UsageError } from '../errors.js';
import { plural, renderFields, renderTable } from '../format.js';
import { integer, providerAllocation } from '../parse.js';
import type { Program } from '../session.js';
import { consumerGeneration, found, payload, Session } from '../session.js';

export function renderConsumer(consumer: ConsumerFieldsFragment): string {
  return [
    renderFields([
      ['consumer', consumer.uuid],
      ['project', consumer.projectId],
      ['user', consumer.userId],
      ['type', consumer.consumerType],
      ['generation', consumer.generation],
    ]),
    '',
    renderTable(consumer.allocations, [
      { header: 'PROVIDER', value: (a) => a.resourceProvider.name },
      { header: 'PROVIDER UUID', value: (a) => a.resourceProvider.uuid },
      { header: 'CLASS', value: (a) => a.resourceClass },
      { header: 'AMOUNT', value: (a) => a.amount, align: 'right' },
    ]),
  ].join('\n');
}

export function addAllocationsCommands(program: Program): void {
  const allocations = program.command('allocations').description("consumers' allocations");

  allocations
    .command('show')
    .description("a consumer's allocations")
    .argument('<consumer>', 'consumer uuid')
    .action(async (consumerUuid, _options, command) => {
      const session = Session.of(command);
      const consumer = found(
        await session.client.getConsumer(consumerUuid),
        `consumer ${consumerUuid} not found (a consumer exists while it holds allocations)`,
      );
      session.output(consumer, () => renderConsumer(consumer));
    });

  allocations
    .command('set')
    .description("replace a consumer's allocations")
    .argument('<consumer>', 'consumer uuid')
    .requiredOption('--project <id>', 'project id')
    .requiredOption('--user <id>', 'user id')
    .option('--type <type>', 'consumer type, e.g. INSTANCE or MIGRATION (kept when omitted)')
    .requiredOption(
      '--allocation <provider=amounts>',
      'what to hold on one provider, e.g. <uuid>=VCPU:2,MEMORY_MB:4096 (repeat for more providers)',
      providerAllocation,
    )
    .option(
      '--generation <n>',
      "the consumer's generation (default: its current one; none for a new consumer)",
      integer,
    )
    .option('--new', 'the consumer must not exist yet (consumer generation null)')
    .action(async (consumerUuid, options, command) => {
      const session = Session.of(command);
      if (options.new && options.generation !== undefined) throw new UsageError('give --new or --generation, not both');
      const generation = options.new ? null : await consumerGeneration(session, consumerUuid, options.generation);
      const result = payload(
        await session.client.setAllocations({
          consumerUuid,
          consumerGeneration: generation,
          projectId: options.project,
          userId: options.user,
          consumerType: options.type,
          allocations: options.allocation,
        }),
      );
      const written = result.consumers[0];
      session.output(result, () =>
        written?.consumer
          ? `wrote allocations (consumer generation ${written.generation})\n${renderConsumer(written.consumer)}`
          : 'wrote allocations',
      );
    });

  allocations
    .command('delete')
    .description("remove all of a consumer's allocations (and the consumer)")
    .argument('<consumer>', 'consumer uuid')
    .option('--generation <n>', "the consumer's generation (default: its current one)", integer)
    .action(async (consumerUuid, options, command) => {
      const session = Session.of(command);
      const generation = found(
        await consumerGeneration(session, consumerUuid, options.generation),
        `consumer ${consumerUuid} not found (a consumer exists while it holds allocations)`,
      );
      const result = payload(await session.client.deleteAllocations({ consumerUuid, consumerGeneration: generation }));
      session.output(result, () => `deleted the allocations of consumer ${consumerUuid}`);
    });
}

export function addUsagesCommand(program: Program): void {
  program
    .command('usages')
    .description("a project's total usage, optionally narrowed to a user and a consumer type")
    .requiredOption('--project <id>', 'project id')
    .option('--user <id>', 'user id')
    .option('--type <type>', 'consumer type, e.g. INSTANCE')
    .action(async (options, command) => {
      const session = Session.of(command);
      const report = await session.client.usages({
        projectId: options.project,
        userId: options.user,
        consumerType: options.type,
      });
      session.output(
        report,
        () =>
          `${plural(report.consumerCount, 'consumer')}\n${renderTable(report.usages, [
            { header: 'CLASS', value: (u) => u.resourceClass },
            { header: 'USED', value: (u) => u.used, align: 'right' },
          ])}`,
      );
    });
}
