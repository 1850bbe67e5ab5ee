import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { PLACEMENT_API_VERSION } from '@placement-gateway/client';
import { addAllocationsCommands, addUsagesCommand } from './commands/allocations.js';
import { addClassesCommands, addTraitsCommands } from './commands/catalogue.js';
import { addImportCommand } from './commands/import.js';
import { addPlacementCommands } from './commands/placement.js';
import {
  addAggregatesCommands,
  addCellsCommands,
  addInventoryCommands,
  addProvidersCommands,
} from './commands/providers.js';
import { addTokensCommands } from './commands/tokens.js';
import { describeFailure, EXIT, Refusal } from './errors.js';
import { positiveInteger } from './parse.js';
import { DEFAULT_URL, type Program } from './session.js';

/** Root options that take a value: skipped when looking for the subcommand's name. */
const VALUED_ROOT_OPTIONS = new Set(['--url', '--token', '--timeout']);

/** The subcommand `argv` names: its first word that is neither an option nor a root option's value. */
function subcommandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUED_ROOT_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

function buildProgram(positionalOptions = false): Program {
  const program = new Command('placement')
    .description(`Operate a placement service (speaks API ${PLACEMENT_API_VERSION}).`)
    .version(`placement CLI, API ${PLACEMENT_API_VERSION}`, '-V, --version')
    .addOption(new Option('--url <url>', 'GraphQL endpoint of the service').env('PLACEMENT_URL').default(DEFAULT_URL))
    .addOption(
      new Option('--token <secret>', 'API token (default: <DATA_DIR or ./.data>/admin-token when it exists)').env(
        'PLACEMENT_TOKEN',
      ),
    )
    .option('--json', 'print results as JSON (for scripts)', false)
    .addOption(
      new Option('--timeout <ms>', 'give up on a request after this long').argParser(positiveInteger).default(30_000),
    )
    .showHelpAfterError('(add --help for usage)')
    // Throw instead of exiting, so every failure goes through one exit-code mapping; set
    // before the commands are added, which inherit it.
    .exitOverride();
  // `placement import --token` is the source Placement's token (the syntax), while the
  // root's --token is ours: for that command only, root options count only before its name.
  if (positionalOptions) program.enablePositionalOptions();
  addProvidersCommands(program);
  addInventoryCommands(program);
  addTraitsCommands(program);
  addClassesCommands(program);
  addAggregatesCommands(program);
  addCellsCommands(program);
  addAllocationsCommands(program);
  addUsagesCommand(program);
  addPlacementCommands(program);
  addTokensCommands(program);
  addImportCommand(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram(subcommandOf(argv) === 'import');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help / version asked for).
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    const json = program.opts().json;
    if (json && error instanceof Refusal && error.result !== undefined) {
      // Scripts get the typed error as data too; the plain words still go to stderr.
      process.stdout.write(`${JSON.stringify(error.result, null, 2)}\n`);
    }
    const failure = describeFailure(error);
    process.stderr.write(`${failure.lines.join('\n')}\n`);
    return failure.exitCode;
  }
}
