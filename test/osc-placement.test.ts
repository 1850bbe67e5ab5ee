import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseString, type PairedServers, startPairedServers, UuidNames } from './support/rest-pair.js';

/**
 * The `openstack` CLI (osc-placement 4.0) against the real Placement and against our /placement:
 * the same commands print the same thing once generated uuids are named.
 *
 * Tokens: osc 6 with `--os-auth-type none` always sends `X-Auth-Token: notused` and refuses
 * `--os-token` (FixedEndpointPlugin takes no token); keystoneauth's token_endpoint is called
 * `admin_token` here: `--os-auth-type admin_token --os-endpoint URL --os-token TOKEN` sends
 * TOKEN as X-Auth-Token, so each side gets its own admin token that way.
 *
 * Each side's commands run in one Python process (test/support/osc-batch.py: a fresh osc shell
 * per command, osc's cached clients dropped between them); its output was checked identical to
 * one /usr/bin/openstack process per command, at a tenth of the time.
 */
/** Debian's Python, whose dist-packages hold python3-openstackclient and osc-placement (scripts/ensure-placement.sh installs them). */
const PYTHON = '/usr/bin/python3';
const OSC_BATCH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'osc-batch.py');

let servers: PairedServers;
beforeAll(async () => {
  servers = await startPairedServers();
}, 180_000);
afterAll(async () => servers?.close());

interface Side {
  endpoint: string;
  token: string;
  names: UuidNames;
}

interface Printed {
  exit: number;
  stdout: string;
  stderr: string;
}

/** osc's environment without the caller's OS_* settings (a developer's cloud must not leak in). */
function cliEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('OS_')) env[key] = value;
  return env;
}

/**
 * One side's `openstack` commands, run by test/support/osc-batch.py in one Python process
 * (each command a fresh osc shell, as /usr/bin/openstack runs it): start-up is paid once.
 */
class OscSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private failure: Error | undefined;

  constructor(private readonly side: Side) {
    this.child = spawn(PYTHON, [OSC_BATCH], { env: cliEnvironment() });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
    this.child.stderr.resume();
    this.child.on('error', (error) => {
      this.failure = error;
    });
  }

  async run(args: readonly string[]): Promise<Printed> {
    const { side } = this;
    const argv = [
      '--os-auth-type',
      'admin_token',
      '--os-endpoint',
      side.endpoint,
      '--os-token',
      side.token,
      ...args.map((arg) => side.names.substitute(arg)),
    ];
    this.child.stdin.write(`${JSON.stringify(argv)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`osc-batch.py ended early (exit ${this.child.exitCode}, ${this.failure})`);
    const printed = JSON.parse(next.value) as Printed;
    return {
      exit: printed.exit,
      stdout:
        printed.exit === 0
          ? sortTraitCells(normaliseString(printed.stdout, side.names))
          : normaliseString(printed.stdout, side.names),
      stderr: normaliseString(printed.stderr, side.names),
    };
  }

  close(): void {
    this.child.stdin.end();
  }
}

/**
 * `allocation candidate list -f json` prints a provider's traits as one comma-joined cell, in the
 * order the server listed them: Placement's is its database's row order (no ORDER BY), a set to
 * clients; sorted here as rest-pair.ts sorts `traits` arrays.
 */
function sortTraitCells(stdout: string): string {
  return stdout.replace(/("traits": ")([^"]*)(")/g, (_all, open: string, list: string, close: string) => {
    return `${open}${list.split(',').sort().join(',')}${close}`;
  });
}

/** The commands, in order; `<uuid-N>` is the N-th provider uuid the side printed. */
const COMMANDS: readonly (readonly string[])[] = [
  ['resource', 'provider', 'create', 'osc-rp1', '-f', 'json'],
  ['--os-placement-api-version', '1.14', 'resource', 'provider', 'create', 'osc-rp2', '--parent-provider', '<uuid-1>'],
  ['resource', 'provider', 'list'],
  ['--os-placement-api-version', '1.14', 'resource', 'provider', 'list', '-f', 'json'],
  ['resource', 'provider', 'show', '<uuid-1>'],
  ['--os-placement-api-version', '1.14', 'resource', 'provider', 'show', '<uuid-2>', '-f', 'json'],
  ['resource', 'provider', 'set', '<uuid-1>', '--name', 'osc-rp1-renamed'],
  ['resource', 'provider', 'show', '<uuid-1>', '-f', 'json'],
  [
    'resource',
    'provider',
    'inventory',
    'set',
    '<uuid-1>',
    '--resource',
    'VCPU=8',
    '--resource',
    'VCPU:allocation_ratio=4',
    '--resource',
    'MEMORY_MB=4096',
    '--resource',
    'MEMORY_MB:step_size=128',
    '--resource',
    'DISK_GB=200',
  ],
  ['resource', 'provider', 'inventory', 'list', '<uuid-1>'],
  ['resource', 'provider', 'inventory', 'list', '<uuid-1>', '-f', 'json'],
  ['resource', 'provider', 'inventory', 'show', '<uuid-1>', 'VCPU'],
  ['resource', 'provider', 'inventory', 'show', '<uuid-1>', 'VGPU'],
  ['resource', 'provider', 'inventory', 'delete', '<uuid-1>', '--resource-class', 'DISK_GB'],
  ['resource', 'provider', 'inventory', 'list', '<uuid-1>'],
  ['--os-placement-api-version', '1.6', 'trait', 'create', 'CUSTOM_OSC_TRAIT'],
  ['--os-placement-api-version', '1.6', 'trait', 'list', '--name', 'startswith:CUSTOM_'],
  // Placement lists traits in its database's order (the standard ones as os-traits' set gave them): sorted here.
  ['--os-placement-api-version', '1.6', 'trait', 'list', '--sort-column', 'name', '-f', 'json'],
  [
    '--os-placement-api-version',
    '1.6',
    'resource',
    'provider',
    'trait',
    'set',
    '<uuid-1>',
    '--trait',
    'CUSTOM_OSC_TRAIT',
    '--trait',
    'HW_CPU_X86_AVX2',
    '--sort-column',
    'name',
  ],
  ['--os-placement-api-version', '1.6', 'resource', 'provider', 'trait', 'list', '<uuid-1>', '--sort-column', 'name'],
  ['--os-placement-api-version', '1.6', 'resource', 'provider', 'trait', 'set', '<uuid-1>', '--trait', 'CUSTOM_NOPE'],
  ['--os-placement-api-version', '1.10', 'allocation', 'candidate', 'list', '--resource', 'VCPU=2'],
  [
    '--os-placement-api-version',
    '1.17',
    'allocation',
    'candidate',
    'list',
    '--resource',
    'VCPU=2',
    '--resource',
    'MEMORY_MB=256',
    '--required',
    'HW_CPU_X86_AVX2',
    '-f',
    'json',
  ],
  ['--os-placement-api-version', '1.10', 'allocation', 'candidate', 'list', '--resource', 'VCPU=64'],
  ['resource', 'provider', 'usage', 'show', '<uuid-1>'],
  ['--os-placement-api-version', '1.9', 'resource', 'provider', 'usage', 'show', '<uuid-1>', '-f', 'json'],
  ['resource', 'provider', 'show', '99999999-9999-4999-8999-999999999999'],
  // A parent with a child cannot go (409 on both); the child first, then the parent.
  ['resource', 'provider', 'delete', '<uuid-1>'],
  ['resource', 'provider', 'delete', '<uuid-2>'],
  ['resource', 'provider', 'delete', '<uuid-1>'],
  ['resource', 'provider', 'list', '-f', 'json'],
];

describe('osc-placement against Placement and against ours', () => {
  it('prints the same for resource provider, inventory, trait, candidate and usage commands', async () => {
    const callerUuids = new Set(['99999999-9999-4999-8999-999999999999']);
    const placement: Side = { endpoint: servers.placement.url, token: 'admin', names: new UuidNames(callerUuids) };
    const ours: Side = {
      endpoint: `${servers.gatewayOrigin}/placement`,
      token: servers.env.adminToken,
      names: new UuidNames(callerUuids),
    };
    const differences: string[] = [];
    const failed: string[] = [];
    const sessions = [new OscSession(placement), new OscSession(ours)] as const;
    try {
      for (const command of COMMANDS) {
        // Both at once: the two servers share nothing.
        const [theirs, mine] = await Promise.all([sessions[0].run(command), sessions[1].run(command)]);
        if (theirs.exit !== 0) failed.push(`${command.join(' ')}: ${theirs.stderr.trim()}`);
        if (JSON.stringify(theirs) !== JSON.stringify(mine)) {
          differences.push(
            `openstack ${command.join(' ')}\n  placement: ${JSON.stringify(theirs)}\n  ours:      ${JSON.stringify(mine)}`,
          );
        }
      }
    } finally {
      for (const session of sessions) session.close();
    }
    if (differences.length > 0) console.log(differences.join('\n'));
    // The script does real work on Placement: all but the four error cases succeed there.
    expect(failed.map((line) => line.split(':')[0])).toEqual([
      'resource provider inventory show <uuid-1> VGPU',
      '--os-placement-api-version 1.6 resource provider trait set <uuid-1> --trait CUSTOM_NOPE',
      'resource provider show 99999999-9999-4999-8999-999999999999',
      'resource provider delete <uuid-1>',
    ]);
    expect(differences, `${differences.length} commands print differently`).toEqual([]);
  }, 180_000);
});
