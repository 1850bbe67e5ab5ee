import { readFile } from 'node:fs/promises';
import type { AlternateInput, ProviderAllocationInput } from '@placement-gateway/client';
import { z } from 'zod';
import { UsageError } from './errors.js';

/** An allocation request as the service returned it (with __typename), or as a user wrote it. */
type AllocationRequest = ReadonlyArray<{
  providerUuid: string;
  resources: ReadonlyArray<{ resourceClass: string; amount: number }>;
}>;

/** An allocation request as the service returned it (with __typename), as an input again. */
function toAllocationInputs(request: AllocationRequest): ProviderAllocationInput[] {
  return request.map((part) => ({
    providerUuid: part.providerUuid,
    resources: part.resources.map(({ resourceClass, amount }) => ({ resourceClass, amount })),
  }));
}

const allocationRequestSchema = z.array(
  z.object({
    providerUuid: z.string(),
    resources: z.array(z.object({ resourceClass: z.string(), amount: z.number().int() })),
  }),
);
const mappingsSchema = z.array(z.object({ group: z.string(), providerUuids: z.array(z.string()) }));
/** `mappings` (API 1.3) is carried back so the new Selection says which provider serves which group. */
const alternateSchema = z.object({
  providerUuid: z.string(),
  allocationRequest: allocationRequestSchema,
  mappings: mappingsSchema.optional(),
});
const selectionSchema = z.object({ consumerUuid: z.string(), alternates: z.array(alternateSchema) });
/** What `claim --json` or `reschedule --json` printed, or a bare list of alternates. */
const alternatesFileSchema = z.union([
  z.array(alternateSchema),
  z.object({ selections: z.array(selectionSchema) }),
  z.object({ selection: selectionSchema }),
]);

/** The alternates of `consumerUuid` in a file (or stdin for "-") written by `placement --json claim`. */
export async function alternatesFromFile(path: string, consumerUuid: string): Promise<AlternateInput[]> {
  let parsed: z.infer<typeof alternatesFileSchema>;
  try {
    const text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
    parsed = alternatesFileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new UsageError(
      `--alternates-file ${path}: expected the JSON printed by "placement --json claim" or a list of ` +
        `{ providerUuid, allocationRequest, mappings? } (${error instanceof z.ZodError ? z.prettifyError(error).replaceAll('\n', '; ') : (error as Error).message})`,
    );
  }
  let alternates: z.infer<typeof alternateSchema>[];
  if (Array.isArray(parsed)) {
    alternates = parsed;
  } else {
    const selections = 'selections' in parsed ? parsed.selections : [parsed.selection];
    const selection = selections.find((s) => s.consumerUuid.toLowerCase() === consumerUuid.toLowerCase());
    if (!selection) throw new UsageError(`--alternates-file ${path} has no selection for consumer ${consumerUuid}`);
    alternates = selection.alternates;
  }
  return alternates.map((a) => ({
    providerUuid: a.providerUuid,
    allocations: toAllocationInputs(a.allocationRequest),
    ...(a.mappings ? { mappings: a.mappings } : {}),
  }));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
