// Classifies the changes between two schemas with graphql-inspector and fails on a breaking one.
//   npm run schema:diff                 unreleased head (schema.graphql) against the latest frozen version
//   npm run schema:diff -- 1.0 1.1      any two frozen versions (or "head")
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { LATEST_VERSION } from '../src/versions.js';

export interface ClassifiedChanges {
  /** Breaking changes nobody approved: the check fails on any. */
  breaking: Change[];
  /** Breaking changes listed in INTENDED_BREAKING_CHANGES. */
  intended: Change[];
  dangerous: Change[];
  safe: Change[];
}

/**
 * Breaking changes the next version makes on purpose, each with why (docs/API-VERSIONS.md has
 * them in the changelog). A breaking change is approved only by its exact path here; clients
 * keep the old behaviour by asking for the version they were written against.
 */
export const INTENDED_BREAKING_CHANGES: readonly { path: string; reason: string }[] = [
  {
    path: 'DeleteResourceProviderInput.generation',
    reason:
      '1.2 requires the provider generation: a delete must name the state it was decided on (issue 10); optional in 1.0/1.1.',
  },
  {
    path: 'UpdateResourceProviderInput.generation',
    reason:
      '1.2 requires the provider generation: an update must name the state it was decided on (issue 10); optional in 1.0/1.1.',
  },
];

export async function classifySchemaChanges(oldSdl: string, newSdl: string): Promise<ClassifiedChanges> {
  const changes = await diff(buildSchema(oldSdl), buildSchema(newSdl));
  const approved = new Set(INTENDED_BREAKING_CHANGES.map((c) => c.path));
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  return {
    breaking: breaking.filter((c) => !approved.has(c.path ?? '')),
    intended: breaking.filter((c) => approved.has(c.path ?? '')),
    dangerous: changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous),
    safe: changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking),
  };
}

export function schemaText(version: string): string {
  const file = version === 'head' ? '../schema.graphql' : `../schema/versions/${version}.graphql`;
  return readFileSync(new URL(file, import.meta.url), 'utf8');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [from = LATEST_VERSION, to = 'head'] = process.argv.slice(2);
  const changes = await classifySchemaChanges(schemaText(from), schemaText(to));
  for (const [label, list] of Object.entries(changes)) {
    for (const change of list as Change[])
      process.stdout.write(`${label.padEnd(9)} ${change.path ?? ''}: ${change.message}\n`);
  }
  process.stdout.write(
    `${from} → ${to}: ${changes.breaking.length} breaking, ${changes.intended.length} intended breaking, ${changes.dangerous.length} dangerous, ${changes.safe.length} safe\n`,
  );
  if (changes.breaking.length > 0) process.exit(1);
}
