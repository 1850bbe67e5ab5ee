import { Option } from '@commander-js/extra-typings';
import { positiveInteger } from '../parse.js';
import type { GlobalOptions, Program } from '../session.js';

/** The import's own options, after `import` (where `--token` is the source's: see main.ts). */
export type ImportOptions = {
  from: string;
  token: string;
  gatewayUrl?: string;
  gatewayToken?: string;
  dryRun: boolean;
  json: boolean;
  batchSize: number;
};

export function addImportCommand(program: Program): void {
  program
    .command('import')
    .summary('copy an OpenStack Placement here through its REST API (re-runnable: it syncs)')
    .description(
      [
        "Copy an OpenStack Placement into this service through its REST API: custom classes and traits, provider trees, inventories, traits, aggregates, consumers and allocations, with their generations. Re-runnable: it syncs (creates, updates, and removes what the source no longer has). Afterwards every provider's usage is compared with the source's (exit 1 naming any that differ).",
        "Here --token is the SOURCE Placement's token (X-Auth-Token). This service's token is --gateway-token or PLACEMENT_TOKEN (or the local .data/admin-token), its address --gateway-url or PLACEMENT_URL. Needs an ADMIN token, and a gateway serving API 1.4.",
      ].join('\n\n'),
    )
    .requiredOption('--from <url>', 'the source Placement API, e.g. http://controller:8778 (or its /placement)')
    .requiredOption('--token <token>', "the source Placement's token, sent as X-Auth-Token (an admin there)")
    .addOption(new Option('--gateway-url <url>', 'GraphQL endpoint of this service (default: --url)'))
    .addOption(
      new Option(
        '--gateway-token <secret>',
        "this service's ADMIN token (default: PLACEMENT_TOKEN, .data/admin-token)",
      ),
    )
    .option('--dry-run', 'print what would be created, changed and removed; write nothing', false)
    .option('--json', 'print the changes (and any usage mismatch) as JSON', false)
    .addOption(
      new Option('--batch-size <n>', 'providers or consumers per atomic batch').argParser(positiveInteger).default(100),
    )
    .action(async (options: ImportOptions, command) => {
      const globals = (command.parent?.opts() ?? {}) as GlobalOptions;
      // Loaded only here: the source reader validates with zod, which costs every other command ~0.2 s to load.
      const { runImport } = await import('./import/run.js');
      await runImport(options, globals);
    });
}
