#!/usr/bin/env node
// The `placement` command. It runs the compiled CLI (dist/, built by `tsc -b` on install and
// on pack): plain JavaScript starts in a fraction of the time a TypeScript loader needs. This
// file is checked in, not built, so npm can link it as the bin before the build has run.
import { run } from '../dist/main.js';

// exitCode, not exit(): stdout drains fully when it is a pipe.
process.exitCode = await run(process.argv.slice(2));
