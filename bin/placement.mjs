#!/usr/bin/env node
// The `placement` command. The CLI is TypeScript; tsx compiles it on load (scoped to this
// import, so nothing else in the process is affected).
import { tsImport } from 'tsx/esm/api';

const { run } = await tsImport('../cli/main.ts', import.meta.url);
// exitCode, not exit(): stdout drains fully when it is a pipe.
process.exitCode = await run(process.argv.slice(2));
