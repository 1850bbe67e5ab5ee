/**
 * Writes to a real Placement through its REST API (as admin, at 1.39 unless told), as Nova and
 * osc-placement do: the tests of `placement import` build their source worlds with it.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';

export type PlacementWriter = ReturnType<typeof placementWriter>;

export function placementWriter(url: string) {
  async function rest(method: string, urlPath: string, body?: unknown, version = '1.39'): Promise<unknown> {
    const response = await fetch(`${url}${urlPath}`, {
      method,
      headers: {
        'x-auth-token': 'admin',
        'openstack-api-version': `placement ${version}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.ok, `${method} ${urlPath}: ${response.status} ${text}`).toBe(true);
    return text ? JSON.parse(text) : null;
  }

  async function rpGeneration(uuid: string): Promise<number> {
    return ((await rest('GET', `/resource_providers/${uuid}`)) as { generation: number }).generation;
  }

  async function createProvider(name: string, parent?: string): Promise<string> {
    const uuid = randomUUID();
    await rest('POST', '/resource_providers', { uuid, name, ...(parent ? { parent_provider_uuid: parent } : {}) });
    return uuid;
  }

  async function setInventories(uuid: string, inventories: Record<string, Record<string, number>>): Promise<void> {
    await rest('PUT', `/resource_providers/${uuid}/inventories`, {
      resource_provider_generation: await rpGeneration(uuid),
      inventories,
    });
  }

  async function setTraits(uuid: string, traits: string[]): Promise<void> {
    await rest('PUT', `/resource_providers/${uuid}/traits`, {
      resource_provider_generation: await rpGeneration(uuid),
      traits,
    });
  }

  async function setAggregates(uuid: string, aggregates: string[]): Promise<void> {
    await rest('PUT', `/resource_providers/${uuid}/aggregates`, {
      resource_provider_generation: await rpGeneration(uuid),
      aggregates,
    });
  }

  async function consumerGeneration(uuid: string): Promise<number | null> {
    const body = (await rest('GET', `/allocations/${uuid}`)) as { consumer_generation?: number };
    return body.consumer_generation ?? null;
  }

  async function allocate(
    consumer: string,
    allocations: Record<string, Record<string, number>>,
    owner: { project: string; user: string; type?: string },
  ): Promise<void> {
    // From 1.38 a consumer type is required: a consumer without one is written at 1.37 (Placement shows it as "unknown").
    await rest(
      'PUT',
      `/allocations/${consumer}`,
      {
        allocations: Object.fromEntries(Object.entries(allocations).map(([rp, resources]) => [rp, { resources }])),
        project_id: owner.project,
        user_id: owner.user,
        consumer_generation: await consumerGeneration(consumer),
        ...(owner.type ? { consumer_type: owner.type } : {}),
      },
      owner.type ? '1.39' : '1.37',
    );
  }

  return { rest, rpGeneration, createProvider, setInventories, setTraits, setAggregates, consumerGeneration, allocate };
}

export interface SourceWorld {
  compute1: string;
  numa0: string;
  pf0: string;
  compute2: string;
  storage: string;
  spare: string;
  aggregate: string;
  instance: string;
  migration: string;
  untyped: string;
}

/**
 * A provider tree three deep (compute1 → numa0 → pf0), a second host, a sharing provider in an
 * aggregate with both hosts, a spare provider; custom classes and traits (one unused) and a
 * standard trait of os-traits our catalogue lacks; consumers of type INSTANCE (generation 2),
 * MIGRATION and none, with allocations across providers.
 */
export async function populateSourceWorld(writer: PlacementWriter): Promise<SourceWorld> {
  const { rest, createProvider, setInventories, setTraits, setAggregates, allocate } = writer;
  const world: SourceWorld = {
    compute1: '',
    numa0: '',
    pf0: '',
    compute2: '',
    storage: '',
    spare: '',
    aggregate: randomUUID(),
    instance: randomUUID(),
    migration: randomUUID(),
    untyped: randomUUID(),
  };
  await rest('POST', '/resource_classes', { name: 'CUSTOM_FPGA_X' });
  await rest('POST', '/resource_classes', { name: 'CUSTOM_UNUSED_CLASS' });
  await rest('PUT', '/traits/CUSTOM_RACK_A');
  await rest('PUT', '/traits/CUSTOM_GOLD');
  world.compute1 = await createProvider('compute1');
  world.numa0 = await createProvider('compute1-numa0', world.compute1);
  world.pf0 = await createProvider('compute1-numa0-pf0', world.numa0);
  world.compute2 = await createProvider('compute2');
  world.storage = await createProvider('shared-storage');
  world.spare = await createProvider('spare');
  await setInventories(world.compute1, {
    VCPU: { total: 16, allocation_ratio: 4 },
    MEMORY_MB: { total: 32768, reserved: 512, step_size: 256 },
  });
  await setInventories(world.numa0, { VCPU: { total: 8 }, CUSTOM_FPGA_X: { total: 2, max_unit: 1 } });
  await setInventories(world.pf0, { SRIOV_NET_VF: { total: 8, min_unit: 1, max_unit: 4 } });
  await setInventories(world.compute2, { VCPU: { total: 8 }, MEMORY_MB: { total: 8192 } });
  await setInventories(world.storage, { DISK_GB: { total: 1000, reserved: 100, allocation_ratio: 1.5 } });
  await setTraits(world.compute1, ['HW_CPU_X86_AVX2', 'CUSTOM_RACK_A']);
  // A standard trait of os-traits that our smaller catalogue does not have.
  await setTraits(world.compute2, ['COMPUTE_ARCH_S390X', 'CUSTOM_GOLD']);
  await setTraits(world.storage, ['MISC_SHARES_VIA_AGGREGATE']);
  for (const rp of [world.compute1, world.compute2, world.storage]) await setAggregates(rp, [world.aggregate]);
  await allocate(
    world.instance,
    { [world.compute1]: { VCPU: 2, MEMORY_MB: 2048 }, [world.storage]: { DISK_GB: 20 } },
    { project: 'p1', user: 'u1', type: 'INSTANCE' },
  );
  // A second write: consumer generation 2.
  await allocate(
    world.instance,
    {
      [world.compute1]: { VCPU: 4, MEMORY_MB: 4096 },
      [world.numa0]: { CUSTOM_FPGA_X: 1 },
      [world.storage]: { DISK_GB: 40 },
    },
    { project: 'p1', user: 'u1', type: 'INSTANCE' },
  );
  await allocate(
    world.migration,
    { [world.compute2]: { VCPU: 1, MEMORY_MB: 512 } },
    {
      project: 'p1',
      user: 'u2',
      type: 'MIGRATION',
    },
  );
  await allocate(
    world.untyped,
    { [world.compute1]: { VCPU: 1 }, [world.pf0]: { SRIOV_NET_VF: 2 } },
    {
      project: 'p2',
      user: 'u3',
    },
  );

  return world;
}
