/**
 * Who is calling, as every authenticator reports it. This is the contract between
 * authentication (src/auth/authenticator.ts, src/http/authentication.ts) and everything that
 * decides or records by caller: authorization (src/schema/authorization.ts), project scoping,
 * the audit trail. Each request that executes has exactly one (`Context.actor`).
 */
export interface Actor {
  /** Which authenticator vouched for the caller. */
  kind: ActorKind;
  role: Role;
  /** The project the caller is confined to, or null for every project. */
  projectId: string | null;
  /** The API token's name, the JWT subject, or the user a trusted proxy named. */
  name: string;
  /** The api_tokens row, for kind 'token'. */
  tokenId?: bigint;
}

/** The authenticators that can vouch for a caller (src/auth/authenticator.ts, jwt.ts, proxy.ts). */
export const ACTOR_KINDS = ['token', 'jwt', 'proxy'] as const;

export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Roles, most powerful first. Each role may do everything the roles after it may. */
export const ROLES = ['ADMIN', 'SCHEDULER', 'READER'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether `role` grants everything `required` grants (ADMIN ⊇ SCHEDULER ⊇ READER). */
export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) <= ROLES.indexOf(required);
}
