import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds the workspace packages (client/, cli/) once before any test file runs: the CLI,
 * example and package tests run the compiled JavaScript, which must match the sources. `tsc -b`
 * rebuilds only what changed, so this is quick when `npm install` already built them.
 */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'cli'], {
    cwd: root,
    stdio: 'inherit',
  });
}
