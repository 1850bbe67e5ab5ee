import { isRole, ROLES, type Role } from './actor.js';

/**
 * How an identity provider's role names (JWT role claims, Keystone roles) become our roles.
 * Parsed from a setting `name=ROLE,name=ROLE,…` (JWT_ROLE_MAP, PROXY_ROLE_MAP).
 */
export type RoleMap = ReadonlyMap<string, Role>;

/** Parses `name=ROLE,…`; answers the map, or a sentence saying what is wrong (for the config error). */
export function parseRoleMap(value: string, options: { caseInsensitive: boolean }): RoleMap | string {
  const map = new Map<string, Role>();
  for (const entry of value.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const at = trimmed.lastIndexOf('=');
    const name = trimmed.slice(0, at).trim();
    const role = trimmed.slice(at + 1).trim();
    if (at <= 0 || name === '') return `"${trimmed}" is not name=ROLE`;
    if (!isRole(role)) return `"${role}" in "${trimmed}" is not one of ${ROLES.join(', ')}`;
    const key = options.caseInsensitive ? name.toLowerCase() : name;
    const earlier = map.get(key);
    if (earlier !== undefined && earlier !== role) return `"${name}" is mapped to both ${earlier} and ${role}`;
    map.set(key, role);
  }
  if (map.size === 0) return 'maps no name to a role';
  return map;
}

/** The most powerful role any of `names` maps to (ADMIN before SCHEDULER before READER), or null. */
export function strongestRole(
  map: RoleMap,
  names: Iterable<string>,
  options: { caseInsensitive: boolean },
): Role | null {
  let best: Role | null = null;
  for (const name of names) {
    const role = map.get(options.caseInsensitive ? name.toLowerCase() : name);
    if (role !== undefined && (best === null || ROLES.indexOf(role) < ROLES.indexOf(best))) best = role;
  }
  return best;
}

/** Whether a project id taken from an identity provider is one we can store and compare (as externalId allows). */
export function isProjectId(value: string): boolean {
  return value.length >= 1 && value.length <= 255 && !/[\p{Cc}\p{Cf}]/u.test(value);
}
