import { Option } from '@commander-js/extra-typings';
import type { InventoryFieldsFragment, ResourceProviderFilter } from '@placement-gateway/client';
import { decimal, percent, plural, renderFields, renderTable } from '../format.js';
import { decimalNumber, groups, integer, list, positiveInteger, resources } from '../parse.js';
import type { Program } from '../session.js';
import { collectPages, found, payload, providerGeneration, Session } from '../session.js';

/** Page size of provider listings: the service's maximum for this connection. */
const PROVIDER_PAGE = 100;

export function renderInventories(inventories: readonly InventoryFieldsFragment[]): string {
  if (inventories.length === 0) return '(no inventory)';
  return renderTable(inventories, [
    { header: 'CLASS', value: (i) => i.resourceClass },
    { header: 'TOTAL', value: (i) => i.total, align: 'right' },
    { header: 'RESERVED', value: (i) => i.reserved, align: 'right' },
    { header: 'RATIO', value: (i) => decimal(i.allocationRatio, 2), align: 'right' },
    { header: 'CAPACITY', value: (i) => i.capacity, align: 'right' },
    { header: 'USED', value: (i) => i.used, align: 'right' },
    { header: 'FREE', value: (i) => i.free, align: 'right' },
    { header: 'UTIL', value: (i) => percent(i.utilization), align: 'right' },
    { header: 'MIN', value: (i) => i.minUnit, align: 'right' },
    { header: 'MAX', value: (i) => i.maxUnit, align: 'right' },
    { header: 'STEP', value: (i) => i.stepSize, align: 'right' },
  ]);
}

export function addProvidersCommands(program: Program): void {
  const providers = program.command('providers').description('resource providers (hosts and their nested providers)');

  providers
    .command('list')
    .description('providers ordered by name, with usage per class (used/capacity)')
    .option('--name <name>', 'exact name')
    .option('--cell <uuid>', 'only providers in this cell')
    .option('--in-tree <uuid>', 'only the tree containing this provider')
    .option('--required <traits>', 'carrying all of these traits (comma-separated, repeatable)', list)
    .option('--forbidden <traits>', 'carrying none of these traits', list)
    .option('--member-of <aggregates>', 'in any of these aggregates; repeat to AND groups', groups)
    .option(
      '--resources <amounts>',
      'whose own inventory fits these amounts now, e.g. VCPU:2,MEMORY_MB:4096',
      resources,
    )
    .option('--limit <n>', 'at most this many providers (default: all)', positiveInteger)
    .action(async (options, command) => {
      const session = Session.of(command);
      const filter: ResourceProviderFilter = {
        name: options.name,
        cellUuid: options.cell,
        inTree: options.inTree,
        requiredTraits: options.required,
        forbiddenTraits: options.forbidden,
        memberOf: options.memberOf,
        resources: options.resources,
      };
      const { nodes, totalCount } = await collectPages(
        (first, after) => session.client.listProviders({ first, after, filter }),
        PROVIDER_PAGE,
        options.limit,
      );
      session.output({ totalCount, providers: nodes }, () => {
        const table = renderTable(nodes, [
          { header: 'NAME', value: (p) => p.name },
          { header: 'UUID', value: (p) => p.uuid },
          { header: 'GEN', value: (p) => p.generation, align: 'right' },
          { header: 'CELL', value: (p) => p.cell?.name },
          { header: 'PARENT', value: (p) => p.parent?.name },
          {
            header: 'USAGE (used/capacity)',
            value: (p) => p.inventories.map((i) => `${i.resourceClass} ${i.used}/${i.capacity}`).join(', '),
          },
        ]);
        const shown =
          nodes.length < totalCount ? `${nodes.length} of ${totalCount} providers` : plural(totalCount, 'provider');
        return `${table}\n${shown}`;
      });
    });

  providers
    .command('show')
    .description('one provider: inventories, traits, aggregates, tree')
    .argument('<uuid>', 'provider uuid')
    .action(async (uuid, _options, command) => {
      const session = Session.of(command);
      const provider = found(await session.client.getProvider(uuid), `provider ${uuid} not found`);
      session.output(provider, () =>
        [
          renderFields([
            ['name', provider.name],
            ['uuid', provider.uuid],
            ['generation', provider.generation],
            ['cell', provider.cell ? `${provider.cell.name} (${provider.cell.uuid})` : null],
            ['parent', provider.parent ? `${provider.parent.name} (${provider.parent.uuid})` : null],
            ['root', `${provider.root.name} (${provider.root.uuid})`],
            ['children', provider.children.map((c) => c.name).join(', ')],
            ['traits', provider.traits.join(', ')],
            ['aggregates', provider.aggregates.map((a) => a.name ?? a.uuid).join(', ')],
          ]),
          '',
          renderInventories(provider.inventories),
        ].join('\n'),
      );
    });

  providers
    .command('allocations')
    .description('the allocations held on one provider, by consumer')
    .argument('<uuid>', 'provider uuid')
    .option('--limit <n>', 'at most this many allocations (default: all)', positiveInteger)
    .action(async (uuid, options, command) => {
      const session = Session.of(command);
      let name = uuid;
      const { nodes, totalCount } = await collectPages(
        async (first, after) => {
          const provider = found(
            await session.client.listProviderAllocations({ uuid, first, after }),
            `provider ${uuid} not found`,
          );
          name = provider.name;
          return provider.allocations;
        },
        PROVIDER_PAGE,
        options.limit,
      );
      session.output({ totalCount, allocations: nodes }, () =>
        [
          `${name}: ${plural(totalCount, 'allocation')}`,
          renderTable(nodes, [
            { header: 'CONSUMER', value: (a) => a.consumer.uuid },
            { header: 'PROJECT', value: (a) => a.consumer.projectId },
            { header: 'USER', value: (a) => a.consumer.userId },
            { header: 'TYPE', value: (a) => a.consumer.consumerType },
            { header: 'CLASS', value: (a) => a.resourceClass },
            { header: 'AMOUNT', value: (a) => a.amount, align: 'right' },
          ]),
        ].join('\n'),
      );
    });

  providers
    .command('create')
    .description('create a provider')
    .argument('<name>', '1–200 characters, unique')
    .option('--uuid <uuid>', 'its uuid (default: generated)')
    .option('--cell <uuid>', 'cell of a root provider')
    .option('--parent <uuid>', 'make it a child of this provider (and its cell)')
    .action(async (name, options, command) => {
      const session = Session.of(command);
      const { resourceProvider: p } = payload(
        await session.client.createProvider({
          name,
          uuid: options.uuid,
          cellUuid: options.cell,
          parentProviderUuid: options.parent,
        }),
      );
      session.output(p, () => `created provider ${p.name} ${p.uuid} (generation ${p.generation})`);
    });

  providers
    .command('update')
    .description('rename, move to another cell, or re-parent a provider')
    .argument('<uuid>', 'provider uuid')
    .option('--name <name>', 'new name')
    .addOption(new Option('--cell <uuid>', 'move the provider (and its tree) to this cell'))
    .addOption(new Option('--no-cell', 'take the provider out of its cell'))
    .addOption(new Option('--parent <uuid>', 'new parent provider'))
    .addOption(new Option('--no-parent', 'make the provider a root'))
    .option('--generation <n>', 'apply only at this generation (default: the current one)', integer)
    .action(async (uuid, options, command) => {
      const session = Session.of(command);
      // Omitted keeps, --no-x sends an explicit null (which clears), --x <uuid> sets.
      const cellUuid: string | null | undefined = options.cell === false ? null : options.cell;
      const parentProviderUuid: string | null | undefined = options.parent === false ? null : options.parent;
      const { resourceProvider: p } = payload(
        await session.client.updateProvider({
          uuid,
          name: options.name,
          cellUuid,
          parentProviderUuid,
          // The API needs the state the change was decided on; without --generation, the current one.
          generation: await providerGeneration(session, uuid, options.generation),
        }),
      );
      session.output(p, () => `updated provider ${p.name} ${p.uuid} (generation ${p.generation})`);
    });

  providers
    .command('delete')
    .description('delete a provider (refused while it has allocations or children)')
    .argument('<uuid>', 'provider uuid')
    .option('--generation <n>', 'apply only at this generation (default: the current one)', integer)
    .action(async (uuid, options, command) => {
      const session = Session.of(command);
      const generation = await providerGeneration(session, uuid, options.generation);
      const result = payload(await session.client.deleteProvider({ uuid, generation }));
      session.output(result, () => `deleted provider ${result.deletedUuid}`);
    });
}

export function addInventoryCommands(program: Program): void {
  const inventory = program.command('inventory').alias('inventories').description("a provider's inventories");

  inventory
    .command('list')
    .description('inventories of one provider: capacity, usage, utilization, unit rules')
    .argument('<provider>', 'provider uuid')
    .action(async (providerUuid, _options, command) => {
      const session = Session.of(command);
      const provider = found(await session.client.listInventories(providerUuid), `provider ${providerUuid} not found`);
      session.output(
        provider,
        () => `${provider.name} (generation ${provider.generation})\n${renderInventories(provider.inventories)}`,
      );
    });

  inventory
    .command('set')
    .description('add or replace the inventory of one class')
    .argument('<provider>', 'provider uuid')
    .argument('<class>', 'resource class, e.g. VCPU or CUSTOM_…')
    .requiredOption('--total <n>', '1 … 2147483647', integer)
    .option('--reserved <n>', '0 … total (default 0)', integer)
    .option('--ratio <x>', 'allocation ratio, > 0 and ≤ 10000 (default 1.0)', decimalNumber)
    .option('--min-unit <n>', 'smallest amount one allocation may take (default 1)', integer)
    .option('--max-unit <n>', 'largest amount one allocation may take (default 2147483647)', integer)
    .option('--step-size <n>', 'allocations are multiples of this (default 1)', integer)
    .option('--generation <n>', "the provider's generation (default: its current one)", integer)
    .action(async (providerUuid, resourceClass, options, command) => {
      const session = Session.of(command);
      const generation = await providerGeneration(session, providerUuid, options.generation);
      const result = payload(
        await session.client.upsertInventory({
          providerUuid,
          generation,
          inventory: {
            resourceClass,
            total: options.total,
            reserved: options.reserved,
            allocationRatio: options.ratio,
            minUnit: options.minUnit,
            maxUnit: options.maxUnit,
            stepSize: options.stepSize,
          },
        }),
      );
      session.output(result, () =>
        [
          ...result.warnings.map((warning) => `warning: ${warning}`),
          `${result.resourceProvider.name} (generation ${result.resourceProvider.generation})`,
          renderInventories(result.resourceProvider.inventories),
        ].join('\n'),
      );
    });

  inventory
    .command('delete')
    .description('remove the inventory of one class (refused while allocated)')
    .argument('<provider>', 'provider uuid')
    .argument('<class>', 'resource class')
    .option('--generation <n>', "the provider's generation (default: its current one)", integer)
    .action(async (providerUuid, resourceClass, options, command) => {
      const session = Session.of(command);
      const generation = await providerGeneration(session, providerUuid, options.generation);
      const result = payload(await session.client.deleteInventory({ providerUuid, generation, resourceClass }));
      session.output(
        result,
        () =>
          `deleted ${resourceClass} from ${result.resourceProvider.name} (generation ${result.resourceProvider.generation})\n` +
          renderInventories(result.resourceProvider.inventories),
      );
    });
}

export function addAggregatesCommands(program: Program): void {
  const aggregates = program
    .command('aggregates')
    .description('groups of providers (memberOf filters, sharing providers)');

  aggregates
    .command('list')
    .description('aggregates ordered by uuid')
    .action(async (_options, command) => {
      const session = Session.of(command);
      const { nodes, totalCount } = await collectPages(
        (first, after) => session.client.listAggregates({ first, after }),
        PROVIDER_PAGE,
      );
      session.output(
        { totalCount, aggregates: nodes },
        () =>
          `${renderTable(nodes, [
            { header: 'UUID', value: (a) => a.uuid },
            { header: 'NAME', value: (a) => a.name },
            { header: 'PROVIDERS', value: (a) => a.providerCount, align: 'right' },
          ])}\n${plural(totalCount, 'aggregate')}`,
      );
    });

  aggregates
    .command('create')
    .description('create an aggregate')
    .argument('<name>', '1–255 characters, unique')
    .option('--uuid <uuid>', 'its uuid (default: generated)')
    .action(async (name, options, command) => {
      const session = Session.of(command);
      const { aggregate } = payload(await session.client.createAggregate({ name, uuid: options.uuid }));
      session.output(aggregate, () => `created aggregate ${aggregate.name} ${aggregate.uuid}`);
    });

  aggregates
    .command('delete')
    .description('delete an aggregate (refused while a provider is a member)')
    .argument('<uuid>', 'aggregate uuid')
    .action(async (uuid, _options, command) => {
      const session = Session.of(command);
      const result = payload(await session.client.deleteAggregate({ uuid }));
      session.output(result, () => `deleted aggregate ${result.deletedUuid}`);
    });

  aggregates
    .command('set')
    .description("replace a provider's aggregates (unknown uuids are created; none clears them)")
    .argument('<provider>', 'provider uuid')
    .argument('[aggregates...]', 'aggregate uuids, the complete new set')
    .option('--generation <n>', "the provider's generation (default: its current one)", integer)
    .action(async (providerUuid, uuids, options, command) => {
      const session = Session.of(command);
      const generation = await providerGeneration(session, providerUuid, options.generation);
      const { resourceProvider: p } = payload(
        await session.client.setProviderAggregates({ providerUuid, generation, aggregates: uuids }),
      );
      session.output(
        p,
        () =>
          `${p.name} (generation ${p.generation}) is in ${p.aggregates.length === 0 ? 'no aggregate' : p.aggregates.map((a) => a.name ?? a.uuid).join(', ')}`,
      );
    });
}

export function addCellsCommands(program: Program): void {
  const cells = program
    .command('cells')
    .description('failure and scale domains; claims and alternates stay inside one');

  cells
    .command('list')
    .description('cells ordered by name')
    .action(async (_options, command) => {
      const session = Session.of(command);
      const { nodes, totalCount } = await collectPages(
        (first, after) => session.client.listCells({ first, after }),
        PROVIDER_PAGE,
      );
      session.output(
        { totalCount, cells: nodes },
        () =>
          `${renderTable(nodes, [
            { header: 'NAME', value: (c) => c.name },
            { header: 'UUID', value: (c) => c.uuid },
            { header: 'PROVIDERS', value: (c) => c.providerCount, align: 'right' },
            { header: 'CREATED', value: (c) => c.createdAt },
          ])}\n${plural(totalCount, 'cell')}`,
      );
    });

  cells
    .command('create')
    .description('create a cell')
    .argument('<name>', '1–255 characters, unique')
    .option('--uuid <uuid>', 'its uuid (default: generated)')
    .action(async (name, options, command) => {
      const session = Session.of(command);
      const { cell } = payload(await session.client.createCell({ name, uuid: options.uuid }));
      session.output(cell, () => `created cell ${cell.name} ${cell.uuid}`);
    });

  cells
    .command('delete')
    .description('delete a cell (refused while a provider is in it)')
    .argument('<uuid>', 'cell uuid')
    .action(async (uuid, _options, command) => {
      const session = Session.of(command);
      const result = payload(await session.client.deleteCell({ uuid }));
      session.output(result, () => `deleted cell ${result.deletedUuid}`);
    });
}
