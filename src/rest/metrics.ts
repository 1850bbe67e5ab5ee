import { Histogram } from 'prom-client';
import { engineRegistry } from '../metrics.js';
import { Router, type RouteTable } from './router.js';

/** Placement REST calls by method, route template (never the raw path: uuids would make every call a series) and status. */
const restRequestDuration = new Histogram({
  name: 'placement_rest_request_duration_seconds',
  help: 'Placement REST API requests under /placement, by method, route template and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [engineRegistry],
});

/** What the REST plugin reports once a response is ready. */
export type RestObserver = (method: string, pathname: string, status: number, seconds: number) => void;

/** An observer that labels each request with its route template (`/resource_providers/{uuid}`), or `unmatched`. */
export function restRequestObserver(routes: RouteTable, mount: string): RestObserver {
  const router = new Router(routes);
  return (method, pathname, status, seconds) => {
    const match = router.match(method, pathname.slice(mount.length));
    const route = match.kind === 'found' ? match.pattern : 'unmatched';
    // Node's HTTP parser accepts only the standard methods, so the label stays bounded.
    restRequestDuration.observe({ method, route, status: String(status) }, seconds);
  };
}
