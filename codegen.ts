import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The typed client is generated from one frozen API version, never from the moving head
 * (schema.graphql): what the client selects is then guaranteed to exist, unchanged, on
 * every server that serves this version. `npm run client:generate` rewrites
 * client/generated/; test/client-codegen.test.ts fails when it is stale.
 */
export const CLIENT_SCHEMA_FILE = 'schema/versions/1.1.graphql';
/** The version the client speaks, sent as `Placement-API-Version` on every request. */
export const CLIENT_API_VERSION = path.basename(CLIENT_SCHEMA_FILE, '.graphql');

const config: CodegenConfig = {
  schema: CLIENT_SCHEMA_FILE,
  documents: ['client/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'client/generated/': {
      preset: 'client',
      presetConfig: {
        // Results are plain data for scripts and the CLI, not components: no masking.
        fragmentMasking: false,
      },
      config: {
        // Documents are sent as strings with fetch; no graphql-js needed at runtime.
        documentMode: 'string',
        // ESM with NodeNext resolution needs explicit .js extensions.
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        // Union results select __typename explicitly (client/operations), which makes it a
        // required literal on every member: a discriminated union. Elsewhere it stays optional,
        // because it is not selected and so not in the data.
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        strictScalars: true,
        scalars: {
          UUID: 'string',
          SafeInt: 'number',
          DateTime: 'string',
        },
      },
    },
    'client/generated/version.ts': {
      plugins: [
        {
          add: {
            content: [
              '/* eslint-disable */',
              `/** The API version this client was generated from (${CLIENT_SCHEMA_FILE}); sent as Placement-API-Version. */`,
              `export const PLACEMENT_API_VERSION = '${CLIENT_API_VERSION}' as const;`,
            ].join('\n'),
          },
        },
      ],
    },
  },
};

export default config;
