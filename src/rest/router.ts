import type { RestHandler } from './context.js';
import type { PolicyName } from './policy.js';

/** One method of a route: the policy rule it enforces, and what it needs of the request. */
export interface RouteMethod {
  /** Placement's policy rule name; null only for the version document (`GET /`, no auth either). */
  policy: PolicyName | null;
  /** Refuses with 415 unless the body is application/json (util.require_content). */
  requireJson?: boolean;
  /** Refuses with 406 an Accept that excludes application/json (util.check_accept). */
  checkAccept?: boolean;
  handler: RestHandler;
  /** First microversion serving it (microversion.version_handler); earlier ones answer 404. */
  since?: string;
  /** Last microversion serving it; later ones answer 404 (or the next variant serves them). */
  until?: string;
  /** What a version outside since…until gets: 404, or 405 (version_handler's status_code). */
  outsideStatus?: 404 | 405;
}

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
/** A method is one handler, or variants by microversion range (PUT /resource_classes/{name} 1.2–1.6 and 1.7+). */
export type RouteTable = Record<string, Partial<Record<Method, RouteMethod | readonly RouteMethod[]>>>;

interface CompiledRoute {
  path: string;
  pattern: RegExp;
  names: string[];
  methods: Partial<Record<Method, RouteMethod | readonly RouteMethod[]>>;
  allow: string;
}

export type RouteMatch =
  | { kind: 'found'; pattern: string; variants: readonly RouteMethod[]; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'not-found' };

/**
 * Placement's routes (placement/handler.py ROUTE_DECLARATIONS): `{name}` matches one path
 * segment; a path that matches with another method is 405 with `Allow` listing the route's
 * methods in declaration order; anything else 404.
 */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(table: RouteTable) {
    this.routes = Object.entries(table).map(([path, methods]) => {
      const names: string[] = [];
      const source = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { path, pattern: new RegExp(`^${source}$`), names, methods, allow: Object.keys(methods).join(', ') };
    });
  }

  /** `path` is Placement's PATH_INFO (the mount stripped), still percent-encoded. */
  match(method: string, path: string): RouteMatch {
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (const [index, name] of route.names.entries()) {
        const decoded = safeDecode(found[index + 1]!);
        if (decoded === null) return { kind: 'not-found' };
        params[name] = decoded;
      }
      const target = route.methods[method as Method];
      if (!target) return { kind: 'method-not-allowed', allow: route.allow };
      return {
        kind: 'found',
        pattern: route.path,
        variants: Array.isArray(target) ? target : [target as RouteMethod],
        params,
      };
    }
    return { kind: 'not-found' };
  }
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
