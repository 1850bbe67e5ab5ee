import { plural, renderTable } from '../format.js';
import { integer } from '../parse.js';
import type { Program } from '../session.js';
import { collectPages, payload, providerGeneration, Session } from '../session.js';

/** Page size of the catalogue listings: the service's maximum for traits and classes. */
const CATALOGUE_PAGE = 500;

function renderCatalogue(
  nodes: ReadonlyArray<{ name: string; standard: boolean }>,
  totalCount: number,
  noun: string,
  nouns?: string,
): string {
  const table = renderTable(nodes, [
    { header: 'NAME', value: (n) => n.name },
    { header: 'KIND', value: (n) => (n.standard ? 'standard' : 'custom') },
  ]);
  return `${table}\n${plural(totalCount, noun, nouns)}`;
}

export function addTraitsCommands(program: Program): void {
  const traits = program
    .command('traits')
    .description('qualitative capabilities; standard ones are fixed, custom ones are CUSTOM_*');

  traits
    .command('list')
    .description('traits ordered by name')
    .option('--prefix <prefix>', 'only names starting with this, e.g. HW_CPU_ or CUSTOM_')
    .option('--associated', 'only traits some provider carries')
    .option('--unassociated', 'only traits no provider carries')
    .action(async (options, command) => {
      const session = Session.of(command);
      const associated: boolean | undefined = options.associated ? true : options.unassociated ? false : undefined;
      const filter = { namePrefix: options.prefix, associated };
      const { nodes, totalCount } = await collectPages(
        (first, after) => session.client.listTraits({ first, after, filter }),
        CATALOGUE_PAGE,
      );
      session.output({ totalCount, traits: nodes }, () => renderCatalogue(nodes, totalCount, 'trait'));
    });

  traits
    .command('create')
    .description('create a custom trait')
    .argument('<name>', 'CUSTOM_[A-Z0-9_]+')
    .action(async (name, _options, command) => {
      const session = Session.of(command);
      const { trait } = payload(await session.client.createTrait({ name }));
      session.output(trait, () => `created trait ${trait.name}`);
    });

  traits
    .command('delete')
    .description('delete a custom trait no provider carries')
    .argument('<name>', 'trait name')
    .action(async (name, _options, command) => {
      const session = Session.of(command);
      const result = payload(await session.client.deleteTrait({ name }));
      session.output(result, () => `deleted trait ${result.deletedName}`);
    });

  traits
    .command('set')
    .description("replace a provider's traits (none clears them)")
    .argument('<provider>', 'provider uuid')
    .argument('[traits...]', 'trait names, the complete new set')
    .option('--generation <n>', "the provider's generation (default: its current one)", integer)
    .action(async (providerUuid, names, options, command) => {
      const session = Session.of(command);
      const generation = await providerGeneration(session, providerUuid, options.generation);
      const { resourceProvider: p } = payload(
        await session.client.setProviderTraits({ providerUuid, generation, traits: names }),
      );
      session.output(
        p,
        () => `${p.name} (generation ${p.generation}) has ${p.traits.length === 0 ? 'no traits' : p.traits.join(', ')}`,
      );
    });
}

export function addClassesCommands(program: Program): void {
  const classes = program
    .command('classes')
    .alias('resource-classes')
    .description('resource classes: kinds of interchangeable units (VCPU, MEMORY_MB, CUSTOM_…)');

  classes
    .command('list')
    .description('resource classes ordered by name')
    .action(async (_options, command) => {
      const session = Session.of(command);
      const { nodes, totalCount } = await collectPages(
        (first, after) => session.client.listResourceClasses({ first, after }),
        CATALOGUE_PAGE,
      );
      session.output({ totalCount, resourceClasses: nodes }, () =>
        renderCatalogue(nodes, totalCount, 'resource class', 'resource classes'),
      );
    });

  classes
    .command('create')
    .description('create a custom resource class')
    .argument('<name>', 'CUSTOM_[A-Z0-9_]+')
    .action(async (name, _options, command) => {
      const session = Session.of(command);
      const { createdResourceClass: created } = payload(await session.client.createResourceClass({ name }));
      session.output(created, () => `created resource class ${created.name}`);
    });

  classes
    .command('delete')
    .description('delete a custom resource class no inventory uses')
    .argument('<name>', 'class name')
    .action(async (name, _options, command) => {
      const session = Session.of(command);
      const result = payload(await session.client.deleteResourceClass({ name }));
      session.output(result, () => `deleted resource class ${result.deletedName}`);
    });
}
