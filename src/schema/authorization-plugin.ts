import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  PothosSchemaError,
  type SchemaTypes,
} from '@pothos/core';
import { requiredRole } from './authorization.js';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Gives every root field the scope-auth rule of its row in ROOT_FIELD_RULES
 * (`authScopes: { role: <least role> }`), read by @pothos/plugin-scope-auth when it wraps the
 * resolver. A root field without a row fails the schema build.
 */
export class RootFieldRulesPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (!ROOT_TYPES.has(fieldConfig.parentType)) return fieldConfig;
    const role = requiredRole(fieldConfig.parentType, fieldConfig.name);
    if (!role)
      throw new PothosSchemaError(
        `${fieldConfig.parentType}.${fieldConfig.name} has no authorization rule; add it to ROOT_FIELD_RULES in src/schema/authorization.ts`,
      );
    const pothosOptions = { ...fieldConfig.pothosOptions, authScopes: { role } } as typeof fieldConfig.pothosOptions;
    return { ...fieldConfig, pothosOptions } as PothosOutputFieldConfig<Types>;
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      rootFieldRules: RootFieldRulesPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin('rootFieldRules', RootFieldRulesPlugin);

export default 'rootFieldRules' as const;
