/** The real Placement 8.0 the differential tests compare against starts, answers as 1.39 and stops. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealPlacement, startRealPlacement } from './support/real-placement.js';

let placement: RealPlacement;
beforeAll(async () => {
  placement = await startRealPlacement();
}, 60_000);
afterAll(async () => placement?.stop());

describe('real Placement 8.0', () => {
  it('serves its version document and, for the admin token, an empty provider list at 1.39', async () => {
    const root = await fetch(`${placement.url}/`);
    expect(await root.json()).toMatchObject({ versions: [{ id: 'v1.0', max_version: '1.39', min_version: '1.0' }] });
    const list = await fetch(`${placement.url}/resource_providers`, {
      headers: { 'x-auth-token': 'admin', 'openstack-api-version': 'placement latest' },
    });
    expect(list.status).toBe(200);
    expect(list.headers.get('openstack-api-version')).toBe('placement 1.39');
    expect(await list.json()).toEqual({ resource_providers: [] });
  });

  it('refuses a call without a token (noauth2 still wants one)', async () => {
    expect((await fetch(`${placement.url}/resource_providers`)).status).toBe(401);
  });
});
