import { ACTOR_KINDS, type ActorKind, isRole, type Role } from '../auth/actor.js';
import { builder, versionedPageSize } from '../builder.js';
import { type AuditFilter, auditEventCount, auditEventsPage, parseAuditFilter } from '../placement/audit/events.js';
import { InvalidInputError } from '../placement/errors.js';
import { since } from '../versions.js';
import { asQueryError } from './errors.js';
import { ApiTokenRoleEnum } from './tokens.js';

// The audit trail (docs/OPERATIONS.md, "Audit trail"), since 1.2, ADMIN only
// (src/schema/authorization.ts). Events are written by the engine in each write's own
// transaction (src/placement/audit/trail.ts); this file only reads them.

const from12 = since('1.2');

interface AuditActorShape {
  kind: ActorKind;
  name: string;
  role: Role;
  projectId: string | null;
  tokenId: bigint | null;
}

const AuditActorKindEnum = builder.enumType('AuditActorKind', {
  subGraphs: from12,
  description: 'How an audited caller authenticated. Since 1.2.',
  values: {
    TOKEN: { value: 'token', description: 'An API token (createApiToken).' },
    JWT: { value: 'jwt', description: 'A JWT from the configured issuer (JWT_ISSUER); the name is its subject.' },
    PROXY: {
      value: 'proxy',
      description: "A trusted proxy's identity headers (TRUSTED_PROXIES); the name is X-User-Id.",
    },
  } satisfies Record<Uppercase<ActorKind>, { value: ActorKind; description: string }>,
});

const AuditActor = builder.objectRef<AuditActorShape>('AuditActor').implement({
  subGraphs: from12,
  description: 'Who made an audited change. Since 1.2.',
  fields: (t) => ({
    kind: t.field({ type: AuditActorKindEnum, resolve: (actor) => actor.kind }),
    name: t.exposeString('name', { description: "The API token's name, the JWT subject or the proxy's user." }),
    role: t.field({ type: ApiTokenRoleEnum, description: 'The role the caller had.', resolve: (actor) => actor.role }),
    projectId: t.exposeString('projectId', {
      nullable: true,
      description: 'The project the caller was confined to; null for every project.',
    }),
    tokenId: t.id({
      nullable: true,
      description: 'The API token used (kind "token"), as apiTokens lists it.',
      resolve: (actor) => (actor.tokenId === null ? null : actor.tokenId.toString()),
    }),
  }),
});

builder.prismaObject('AuditEvent', {
  subGraphs: from12,
  description: 'One successful mutation, recorded in the same transaction as its change. Since 1.2.',
  fields: (t) => ({
    id: t.id({ select: { id: true }, resolve: (event) => event.id.toString() }),
    at: t.expose('at', { type: 'DateTime', description: 'When the change was made (its transaction began).' }),
    operation: t.exposeString('operation', { description: 'The mutation, e.g. "claim" or "createResourceProvider".' }),
    requestId: t.exposeString('requestId', {
      description: "The request's id (the X-Request-Id header it was sent or answered with).",
    }),
    apiVersion: t.exposeString('apiVersion', { nullable: true, description: 'The API version the request used.' }),
    actor: t.field({
      type: AuditActor,
      select: { actorKind: true, actorName: true, actorRole: true, actorProject: true, tokenId: true },
      resolve: (event) => ({
        kind: actorKind(event.actorKind),
        name: event.actorName,
        role: actorRole(event.actorRole),
        projectId: event.actorProject,
        tokenId: event.tokenId,
      }),
    }),
    subject: t.exposeString('subject', {
      nullable: true,
      description:
        'What changed when it is neither a provider nor a consumer: a resource class or trait name, a cell or aggregate uuid, "api token <name>".',
    }),
    providerUuids: t.expose('providerUuids', {
      type: ['UUID'],
      description: 'Providers the mutation changed (at most 1000).',
    }),
    consumerUuids: t.expose('consumerUuids', {
      type: ['UUID'],
      description: 'Consumers the mutation changed (at most 1000).',
    }),
  }),
});

// The columns are written only from an Actor (src/placement/audit/trail.ts); anything else is a corrupt row.
function actorKind(stored: string): ActorKind {
  if (!(ACTOR_KINDS as readonly string[]).includes(stored)) throw new Error(`audit_events.actor_kind ${stored}`);
  return stored as ActorKind;
}

function actorRole(stored: string): Role {
  if (!isRole(stored)) throw new Error(`audit_events.actor_role ${stored}`);
  return stored;
}

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  subGraphs: from12,
  description: 'Every member given must match (AND).',
  fields: (t) => ({
    since: t.field({ type: 'DateTime', description: 'Events at or after this instant.' }),
    until: t.field({ type: 'DateTime', description: 'Events at or before this instant; not before since.' }),
    operation: t.string({ description: 'The mutation name, e.g. "claim".' }),
    actor: t.string({ description: "The actor's name: an API token's name, a JWT subject or a proxy user." }),
    providerUuid: t.string({ description: 'Events that changed this provider.' }),
    consumerUuid: t.string({ description: 'Events that changed this consumer.' }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.prismaConnection(
    {
      type: 'AuditEvent',
      cursor: 'id',
      subGraphs: from12,
      description: 'The audit trail, newest first. ADMIN only. Since 1.2.',
      args: { filter: t.arg({ type: AuditEventFilter, required: false }) },
      ...versionedPageSize,
      totalCount: (_connection, args, ctx) => asQueryError(() => auditEventCount(ctx.db.pool, auditFilter(args))),
      // The engine picks the page's ids by keyset (no OFFSET); Prisma loads those rows.
      resolve: (query, _root, args, ctx) =>
        asQueryError(async () => {
          const filter = auditFilter(args);
          const limit = args.first ?? args.last;
          if (limit != null && limit > ctx.behaviour.maxPageSize) {
            const field = args.first != null ? 'first' : 'last';
            throw new InvalidInputError(
              field,
              'at-most-max-page-size',
              `${field}: must be at most ${ctx.behaviour.maxPageSize}`,
            );
          }
          const { take, skip: _skip, cursor, ...load } = query;
          const id = cursor?.id === undefined ? undefined : BigInt(cursor.id);
          const page = await auditEventsPage(ctx.db.pool, filter, {
            take,
            ...(id === undefined ? {} : take < 0 ? { beforeId: id } : { afterId: id }),
          });
          return ctx.db.prisma.auditEvent.findMany({
            ...load,
            where: { id: { in: page.map((e) => e.id) } },
            orderBy: { id: 'desc' },
          });
        }),
    },
    { name: 'AuditEventConnection', subGraphs: from12 },
    { name: 'AuditEventEdge', subGraphs: from12 },
  ),
}));

// The page and its totalCount resolve separately; both use the filter parsed once per request.
const filterByArgs = new WeakMap<object, AuditFilter>();
function auditFilter(args: { filter?: unknown }): AuditFilter {
  let filter = filterByArgs.get(args);
  if (!filter) {
    filter = parseAuditFilter(args.filter as Parameters<typeof parseAuditFilter>[0]);
    filterByArgs.set(args, filter);
  }
  return filter;
}
