import type { ApiTokenFieldsFragment } from '@placement-gateway/client';
import { plural, renderTable } from '../format.js';
import { tokenRole } from '../parse.js';
import type { Program } from '../session.js';
import { collectPages, payload, Session } from '../session.js';

/** Page size of the token listing: the service's maximum for connections. */
const TOKEN_PAGE = 100;

/** A timestamp to the second, in UTC: `2026-12-02T01:07:33Z`. */
function timestamp(value: string | null): string | null {
  return value === null ? null : value.replace(/\.\d+Z$/, 'Z');
}

function describeToken(token: ApiTokenFieldsFragment): string {
  return `token ${token.name} (id ${token.id}): role ${token.role}, ${token.projectId === null ? 'every project' : `project ${token.projectId}`}`;
}

function renderTokens(tokens: readonly ApiTokenFieldsFragment[], totalCount: number): string {
  const table = renderTable(tokens, [
    { header: 'NAME', value: (t) => t.name },
    { header: 'ID', value: (t) => t.id, align: 'right' },
    { header: 'ROLE', value: (t) => t.role },
    { header: 'PROJECT', value: (t) => t.projectId },
    { header: 'CREATED', value: (t) => timestamp(t.createdAt) },
    { header: 'LAST USED', value: (t) => timestamp(t.lastUsedAt) },
    { header: 'REVOKED', value: (t) => timestamp(t.revokedAt) },
  ]);
  return `${table}\n${plural(totalCount, 'token')}`;
}

export function addTokensCommands(program: Program): void {
  const tokens = program.command('tokens').description('API tokens (needs an ADMIN token): create, list, revoke');

  tokens
    .command('create')
    .description('create a token and print its secret, the only time it is shown')
    .requiredOption('--name <name>', 'lower-case letters, digits, ".", "_", "-"; unique among live tokens')
    .requiredOption(
      '--role <role>',
      'ADMIN (everything), SCHEDULER (reads, claims, allocation writes) or READER (reads)',
      tokenRole,
    )
    .option('--project <id>', 'confine a SCHEDULER or READER token to one project')
    .option('-q, --quiet', 'print only the secret, e.g. for PLACEMENT_TOKEN=$(placement tokens create … -q)')
    .action(async (options, command) => {
      const session = Session.of(command);
      const created = payload(
        await session.client.createApiToken({ name: options.name, role: options.role, projectId: options.project }),
      );
      // A person at a terminal is told once; scripts capturing stdout are not.
      if (process.stdout.isTTY && !session.json)
        process.stderr.write('note: the secret is shown only now (the service keeps only its hash); store it now\n');
      if (options.quiet && !session.json) process.stdout.write(`${created.secret}\n`);
      else session.output(created, () => `created ${describeToken(created.token)}\nsecret: ${created.secret}`);
    });

  tokens
    .command('list')
    .description('tokens in creation order (live ones unless --all); never their secrets')
    .option('--all', 'include revoked tokens')
    .action(async (options, command) => {
      const session = Session.of(command);
      const includeRevoked = options.all === true;
      const { nodes, totalCount } = await collectPages(
        (first, after) => session.client.listApiTokens({ first, after, includeRevoked }),
        TOKEN_PAGE,
      );
      session.output({ totalCount, tokens: nodes }, () => renderTokens(nodes, totalCount));
    });

  tokens
    .command('revoke')
    .description('revoke a live token: the next request made with it gets 401')
    .argument('<name-or-id>', 'the token name, or its id (a name wins when a live token has that name)')
    .action(async (nameOrId, _options, command) => {
      const session = Session.of(command);
      let result = await session.client.revokeApiToken({ name: nameOrId });
      // Ids are digits; names may be digits too, so a name is tried first.
      if (result.__typename === 'NotFound' && /^\d+$/.test(nameOrId))
        result = await session.client.revokeApiToken({ id: nameOrId });
      const { token } = payload(result);
      session.output(token, () => `revoked ${describeToken(token)}`);
    });
}
