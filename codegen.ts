import type { CodegenConfig } from '@graphql-codegen/cli';
import { preset as clientPreset } from '@graphql-codegen/client-preset';
import type { Types } from '@graphql-codegen/plugin-helpers';

/**
 * The API versions the typed client speaks (docs/CLIENT.md, "Compatibility"). Each one is
 * generated from its frozen schema (schema/versions/<v>.graphql), never from the moving head
 * (schema.graphql): what the client selects is then guaranteed to exist, unchanged, on every
 * server that serves that version. The last one is the package's default entry.
 * `npm run client:generate` rewrites client/generated/; test/client-codegen.test.ts fails when
 * it is stale.
 */
export const CLIENT_API_VERSIONS = ['1.0', '1.1', '1.2', '1.3', '1.4'] as const;

export type ClientApiVersion = (typeof CLIENT_API_VERSIONS)[number];

export const clientSchemaFile = (version: ClientApiVersion) => `schema/versions/${version}.graphql`;

/** The generated typed documents and types of one version. */
function versionOutputs(version: ClientApiVersion): Record<string, Types.ConfiguredOutput> {
  const schema = clientSchemaFile(version);
  return {
    [`client/generated/${version}/`]: {
      schema,
      documents: [`client/operations/${version}/*.graphql`],
      // The preset object, not the name 'client': the CLI package carries an older copy of the
      // preset that a name would resolve to when generate() runs as a library (the test).
      preset: clientPreset as Types.OutputPreset,
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
    [`client/generated/${version}/version.ts`]: {
      schema,
      plugins: [
        {
          add: {
            content: [
              '/* eslint-disable */',
              `/** The API version these documents were generated from (${schema}); sent as Placement-API-Version. */`,
              `export const PLACEMENT_API_VERSION = '${version}' as const;`,
            ].join('\n'),
          },
        },
      ],
    },
  };
}

// Each version's fragments keep their names (InventoryFieldsFragment …), so graphql-tag, which
// codegen uses inside, warns "fragment with name InventoryFields already exists" when the second
// version is generated. It is only a warning: each output is built from its own documents
// (test/client-codegen.test.ts and the 1.0 client test would catch a mix-up).
const config: CodegenConfig = {
  ignoreNoDocuments: false,
  generates: Object.assign({}, ...CLIENT_API_VERSIONS.map(versionOutputs)),
};

export default config;
