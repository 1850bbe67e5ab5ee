import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProcessResult, runProcess } from './run-process.js';

/**
 * A project outside this repository, as an integrator has one: its own folder under the
 * system temp dir, its own package.json and node_modules, the workspace packages installed
 * from the tarballs `npm pack` makes (copies, not links to this checkout).
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The environment of an integrator's shell, not of this test run: without npm's variables
 * (`npm test` exports npm_config_local_prefix and friends, which would make an npm started in
 * the outside project act on this repository) and vitest's (NODE_ENV=test silences codegen).
 */
export function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|vitest)/i.test(key) && key !== 'NODE_ENV'),
  );
  return { ...env, ...extra };
}

/** Runs a command that must succeed; fails with its output otherwise. */
export async function mustRun(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = outsideEnv(),
): Promise<ProcessResult> {
  const result = await runProcess(command, args, { cwd, env });
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** The version of a package as this repository installed it (so npm finds it in its cache). */
export async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'));
  return (manifest as { version: string }).version;
}

/** `npm pack` of workspace packages into `destination`; returns the tarball paths by package name. */
export async function packWorkspaces(
  workspaces: readonly string[],
  destination: string,
): Promise<Record<string, string>> {
  const args = ['pack', '--json', '--pack-destination', destination, ...workspaces.flatMap((w) => ['-w', w])];
  const { stdout } = await mustRun('npm', args, repoRoot);
  const packed = JSON.parse(stdout) as Array<{ name: string; filename: string }>;
  return Object.fromEntries(packed.map((p) => [p.name, path.join(destination, p.filename)]));
}

/** A fresh ESM TypeScript project (package.json, tsconfig.json compiling src/ to dist/). */
export async function createOutsideProject(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'outside-project', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          rootDir: 'src',
          outDir: 'dist',
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  await mkdir(path.join(dir, 'src'));
  return dir;
}

/** `npm install` from the cache where it can (the registry otherwise), no audit, no funding notes. */
export function npmInstall(dir: string, specs: readonly string[]): Promise<ProcessResult> {
  return mustRun('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], dir);
}

/** The outside project's own TypeScript compiler over its tsconfig.json. */
export function compile(dir: string): Promise<ProcessResult> {
  return mustRun(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], dir);
}
