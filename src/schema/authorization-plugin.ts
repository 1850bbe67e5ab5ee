import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  PothosSchemaError,
  type SchemaTypes,
} from '@pothos/core';
import { errorTypeMap, wrapErrorIfMatches } from '@pothos/plugin-errors';
import type { GraphQLFieldResolver } from 'graphql';
import type { Context } from '../context.js';
import { ForbiddenError } from '../placement/errors.js';
import { answersTypedForbidden, forbiddenGraphQLError, requiredRole, roleRefusal } from './authorization.js';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * A mutation refused by scope-auth for lack of role, from 1.2 on: its union's `Forbidden`
 * member, registered as the errors plugin registers a caught error so the union resolves it.
 * Before 1.2 the FORBIDDEN GraphQL error scope-auth made is thrown as is.
 */
function refusedMutation(
  _parent: unknown,
  _args: unknown,
  ctx: Context,
  info: { fieldName: string },
  error: Error,
): unknown {
  if (!answersTypedForbidden(ctx.apiVersion)) throw error;
  return wrapErrorIfMatches(roleRefusal(ctx.actor, 'Mutation', info.fieldName), [ForbiddenError]);
}

function isCaughtForbidden(value: unknown): value is ForbiddenError {
  return typeof value === 'object' && value !== null && errorTypeMap.get(value) === ForbiddenError;
}

/**
 * Gives every root field the scope-auth rule of its row in ROOT_FIELD_RULES
 * (`authScopes: { role: <least role> }`), read by @pothos/plugin-scope-auth when it wraps the
 * resolver. A root field without a row fails the schema build.
 *
 * Mutations also get their refusal's shape by API version: scope-auth's `unauthorizedResolver`
 * answers the typed `Forbidden` in 1.2, and a `Forbidden` the engine raised (a project or
 * re-own refusal, caught into the union by the errors plugin, which this wraps) becomes the
 * FORBIDDEN GraphQL error in 1.0/1.1, whose frozen unions have no such member.
 */
export class RootFieldRulesPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (!ROOT_TYPES.has(fieldConfig.parentType)) return fieldConfig;
    const role = requiredRole(fieldConfig.parentType, fieldConfig.name);
    if (!role)
      throw new PothosSchemaError(
        `${fieldConfig.parentType}.${fieldConfig.name} has no authorization rule; add it to ROOT_FIELD_RULES in src/schema/authorization.ts`,
      );
    const mutation = fieldConfig.parentType === 'Mutation';
    const pothosOptions = {
      ...fieldConfig.pothosOptions,
      authScopes: { role },
      ...(mutation ? { unauthorizedResolver: refusedMutation } : {}),
    } as typeof fieldConfig.pothosOptions;
    return { ...fieldConfig, pothosOptions } as PothosOutputFieldConfig<Types>;
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.parentType !== 'Mutation') return resolver;
    return async (parent, args, context, info) => {
      const result: unknown = await resolver(parent, args, context, info);
      const ctx = context as Context;
      // The errors plugin hands a caught error on as a proxy registered in errorTypeMap (instanceof
      // does not see through it); that registration is also how its union resolves the member.
      if (isCaughtForbidden(result) && !answersTypedForbidden(ctx.apiVersion))
        throw forbiddenGraphQLError(result, ctx.actor, info.fieldName);
      return result;
    };
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
