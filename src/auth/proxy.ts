import { BlockList, isIP } from 'node:net';
import type { Logger } from '../logger.js';
import type { Actor } from './actor.js';
import { AuthenticationError, type Authenticator, NoRoleError } from './authenticator.js';
import { isProjectId, type RoleMap, strongestRole } from './role-map.js';

/**
 * Identity headers set by a trusted proxy in front of the gateway, the way OpenStack's
 * keystonemiddleware sets them after validating a Keystone token (TRUSTED_PROXIES, PROXY_ROLE_MAP).
 */
export interface ProxySettings {
  /** Peers whose identity headers are believed (TRUSTED_PROXIES). */
  trusted: TrustedProxies;
  /** Keystone role name (case-insensitive) → our role (PROXY_ROLE_MAP); the most powerful wins. */
  roleMap: RoleMap;
}

/** The headers, as keystonemiddleware names them. */
export const PROXY_HEADERS = {
  roles: 'x-roles',
  projectId: 'x-project-id',
  userId: 'x-user-id',
  identityStatus: 'x-identity-status',
} as const;

/** Addresses and networks (IPv4 and IPv6, CIDR) whose identity headers are believed; node:net's BlockList matches them. */
export interface TrustedProxies {
  /** As configured, for the start-up log line. */
  readonly entries: readonly string[];
  has(address: string): boolean;
}

/**
 * Parses TRUSTED_PROXIES: a comma list of addresses (`10.0.0.5`, `::1`) and networks
 * (`10.0.0.0/8`, `fd00::/8`). Answers the set, or a sentence naming the bad entry.
 */
export function parseTrustedProxies(value: string): TrustedProxies | string {
  const list = new BlockList();
  const entries: string[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined)
      return `"${entry}" is not an IPv4 or IPv6 address or network (address/prefix)`;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address, type);
    } else {
      const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
      if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128)))
        return `"${entry}" has a prefix length outside 0–${family === 4 ? 32 : 128}`;
      list.addSubnet(address, bits, type);
    }
    entries.push(entry);
  }
  if (entries.length === 0) return 'lists no address';
  return {
    entries,
    has(address) {
      const family = isIP(address);
      if (family === 0) return false;
      // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; BlockList matches those against IPv4 rules too.
      return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

// Remembered addresses for the "ignored identity headers" warning: once per address, bounded memory.
const WARNED_ADDRESSES_MAX = 1024;

function carriesIdentityHeaders(headers: Headers): boolean {
  return Object.values(PROXY_HEADERS).some((name) => headers.has(name));
}

/**
 * Believes X-User-Id / X-Roles / X-Project-Id (and X-Identity-Status) only when the TCP peer
 * is a trusted proxy. From any other peer those headers are ignored (null: the request needs
 * another credential), and a warning names that peer once: a client forging them is either
 * misconfigured or probing. From a trusted proxy: X-Identity-Status other than `Confirmed`
 * (keystonemiddleware's delay_auth_decision) or no X-User-Id is a 401; no mapped role a 403.
 */
export function proxyAuthenticator(settings: ProxySettings, logger: Logger): Authenticator {
  const warned = new Set<string>();
  return {
    name: 'trusted-proxy',
    async authenticate(request, peer) {
      const { headers } = request;
      if (!carriesIdentityHeaders(headers)) return null;
      const address = peer.address;
      if (address === undefined || !settings.trusted.has(address)) {
        const who = address ?? 'in-process';
        if (!warned.has(who)) {
          if (warned.size >= WARNED_ADDRESSES_MAX) warned.clear();
          warned.add(who);
          logger.warn('ignored identity headers from an address not in TRUSTED_PROXIES', {
            address: who,
            headers: Object.values(PROXY_HEADERS).filter((name) => headers.has(name)),
          });
        }
        return null;
      }
      const status = headers.get(PROXY_HEADERS.identityStatus);
      if (status !== null && status.trim().toLowerCase() !== 'confirmed')
        throw new AuthenticationError('the trusted proxy did not confirm the identity (X-Identity-Status)');
      const user = headers.get(PROXY_HEADERS.userId)?.trim() ?? '';
      if (user === '') throw new AuthenticationError('the trusted proxy sent identity headers without X-User-Id');
      const names = (headers.get(PROXY_HEADERS.roles) ?? '').split(',').map((name) => name.trim());
      const role = strongestRole(settings.roleMap, names, { caseInsensitive: true });
      if (role === null)
        throw new NoRoleError(`user "${user}" holds no role this gateway maps in X-Roles (PROXY_ROLE_MAP)`);
      const actor: Actor = { kind: 'proxy', role, projectId: null, name: user };
      const project = headers.get(PROXY_HEADERS.projectId)?.trim() ?? '';
      // ADMIN acts on every project, as an ADMIN API token does.
      if (project === '' || role === 'ADMIN') return actor;
      if (!isProjectId(project))
        throw new AuthenticationError('the trusted proxy sent an X-Project-Id that is not a project id');
      return { ...actor, projectId: project };
    },
  };
}
