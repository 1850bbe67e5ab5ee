/**
 * The scheduler loop, end to end, on the typed client:
 *
 *   1. ask for allocation candidates (weighed hosts that fit the request now);
 *   2. claim the best of them for a new instance, asking for same-cell alternates;
 *   3. "build" the instance on the chosen host — here the build always fails, to show step 4;
 *   4. reschedule: hand the alternates back, and the service moves the claim to the first one
 *      that still fits, releasing the failed host in the same atomic write;
 *   5. show where the instance's allocations ended up.
 *
 * Run it against a service that has a few hosts with VCPU and MEMORY_MB, or add
 * --demo-world to create a cell of three such hosts first (fixed uuids, so a second run
 * reuses them):
 *
 *   npx tsx examples/scheduler-loop.ts [url] [--demo-world]   (or PLACEMENT_URL; default localhost:4000)
 *
 * The client sends PLACEMENT_TOKEN as its bearer token: a SCHEDULER token is enough for the
 * loop, --demo-world creates hosts and needs an ADMIN one (e.g. PLACEMENT_TOKEN=$(cat .data/admin-token)).
 *
 * Exit code 0 when the instance ends up on an alternate, 1 when the service refused a step
 * (e.g. no valid host), 3 when it cannot be reached.
 */
import { randomUUID } from 'node:crypto';
import {
  type AlternateInput,
  isTypedError,
  PlacementClient,
  PlacementClientError,
  type PlacementRequest,
  type ResourceAmountInput,
} from '@placement-gateway/client';

const args = process.argv.slice(2);
const demoWorld = args.includes('--demo-world');
const url = args.find((a) => !a.startsWith('--')) ?? process.env.PLACEMENT_URL ?? 'http://localhost:4000/graphql';

/** What one instance of a small flavor needs. */
const request: PlacementRequest = {
  resources: [
    { resourceClass: 'VCPU', amount: 2 },
    { resourceClass: 'MEMORY_MB', amount: 4096 },
  ],
};

const log = (line: string) => process.stdout.write(`${line}\n`);
const amounts = (resources: readonly ResourceAmountInput[]) =>
  resources.map((r) => `${r.resourceClass}:${r.amount}`).join(',');

/** Stops the loop at a step the service refused, saying which and why. */
class StepRefused extends Error {}

async function schedule(client: PlacementClient): Promise<void> {
  log(`placement service ${client.url} (API ${client.apiVersion})`);

  // 1. Candidates: which hosts can take the request right now, best first.
  const found = await client.allocationCandidates({ request, limit: 10 });
  if (isTypedError(found)) throw new StepRefused(`candidates: ${found.code}: ${found.message}`);
  log(`1. candidates for ${amounts(request.resources)}: ${found.candidates.length}`);
  for (const candidate of found.candidates) {
    log(`   ${candidate.resourceProvider.name} ${candidate.providerUuid} weight ${candidate.weight.toFixed(3)}`);
  }
  if (found.candidates.length === 0) throw new StepRefused('no host can take the request');

  // 2. Claim for a new instance on the first candidate that still fits, with two alternates
  //    of the same cell. Passing the list we already have saves the service a second search.
  const instance = randomUUID();
  const claimed = await client.claim({
    consumers: [{ consumerUuid: instance, projectId: 'demo', userId: 'scheduler-example', consumerType: 'INSTANCE' }],
    request,
    candidates: found.candidates.map((candidate) => candidate.providerUuid),
    alternates: 2,
    idempotencyKey: `build-${instance}`,
  });
  if (isTypedError(claimed)) throw new StepRefused(`claim: ${claimed.code}: ${claimed.message}`);
  const selection = claimed.selections[0]!;
  const chosen = selection.resourceProvider?.name ?? selection.providerUuid;
  log(
    `2. claimed instance ${instance} on ${chosen} ${selection.providerUuid} (consumer generation ${selection.consumerGeneration})`,
  );
  log(
    `   alternates: ${selection.alternates.map((a) => a.resourceProvider?.name ?? a.providerUuid).join(', ') || 'none'}`,
  );

  // 3. The build on the chosen host fails (simulated: a real scheduler would call the compute host here).
  log(`3. build failed on ${chosen} (simulated)`);
  if (selection.alternates.length === 0) throw new StepRefused('no alternates to reschedule to');

  // 4. Reschedule: the alternates go back exactly as the claim returned them.
  const alternates: AlternateInput[] = selection.alternates.map((alternate) => ({
    providerUuid: alternate.providerUuid,
    allocations: alternate.allocationRequest.map((part) => ({
      providerUuid: part.providerUuid,
      resources: part.resources.map(({ resourceClass, amount }) => ({ resourceClass, amount })),
    })),
  }));
  const moved = await client.reschedule({
    consumerUuid: instance,
    consumerGeneration: selection.consumerGeneration,
    alternates,
  });
  if (isTypedError(moved)) {
    // NoValidHost here means no alternate still fitted; the instance then holds nothing.
    throw new StepRefused(`reschedule: ${moved.code}: ${moved.message}`);
  }
  const final = moved.selection;
  log(
    `4. rescheduled instance ${instance} to ${final.resourceProvider?.name ?? final.providerUuid} ${final.providerUuid} (consumer generation ${final.consumerGeneration})`,
  );

  // 5. Where the instance's allocations are now, and what the failed host holds for it.
  const consumer = await client.getConsumer(instance);
  if (!consumer) throw new StepRefused(`instance ${instance} holds no allocations`);
  log(`5. final allocations of instance ${instance}:`);
  for (const allocation of consumer.allocations) {
    log(
      `   ${allocation.resourceProvider.name} ${allocation.resourceProvider.uuid} ${allocation.resourceClass} ${allocation.amount}`,
    );
  }
  const leftOnFailedHost = consumer.allocations.filter(
    (a) => a.resourceProvider.uuid === selection.providerUuid,
  ).length;
  log(
    `   on the failed host ${chosen}: ${leftOnFailedHost === 0 ? 'nothing (released)' : `${leftOnFailedHost} allocations`}`,
  );
}

const DEMO_CELL = '5c0e1d2a-0000-4000-8000-00000000ce11';
const DEMO_HOSTS = [1, 2, 3].map((n) => ({
  name: `example-host-${n}`,
  uuid: `5c0e1d2a-0000-4000-8000-00000000000${n}`,
}));

/** A cell with three hosts of 8 VCPU and 16 GiB, created once; later runs find them in place. */
async function createDemoWorld(client: PlacementClient): Promise<void> {
  const cell = await client.createCell({ name: 'example-cell', uuid: DEMO_CELL });
  if (isTypedError(cell) && cell.code !== 'ALREADY_EXISTS')
    throw new StepRefused(`demo cell: ${cell.code}: ${cell.message}`);
  for (const host of DEMO_HOSTS) {
    const created = await client.createProvider({ ...host, cellUuid: DEMO_CELL });
    if (isTypedError(created)) {
      if (created.code === 'ALREADY_EXISTS') continue;
      throw new StepRefused(`demo host ${host.name}: ${created.code}: ${created.message}`);
    }
    const stocked = await client.setInventories({
      providerUuid: host.uuid,
      generation: created.resourceProvider.generation,
      inventories: [
        { resourceClass: 'VCPU', total: 8 },
        { resourceClass: 'MEMORY_MB', total: 16384 },
      ],
    });
    if (isTypedError(stocked))
      throw new StepRefused(`demo inventory ${host.name}: ${stocked.code}: ${stocked.message}`);
  }
  log(`demo world: cell example-cell with ${DEMO_HOSTS.map((h) => h.name).join(', ')} (8 VCPU, 16384 MEMORY_MB each)`);
}

try {
  const client = new PlacementClient({ url, timeoutMs: 30_000 });
  if (demoWorld) await createDemoWorld(client);
  await schedule(client);
} catch (error) {
  if (error instanceof StepRefused) {
    process.stderr.write(`refused: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof PlacementClientError) {
    process.stderr.write(`${error.kind} error: ${error.message}${error.code ? ` [${error.code}]` : ''}\n`);
    process.exitCode = error.kind === 'graphql' ? 1 : 3;
  } else {
    throw error;
  }
}
