import DataLoader from 'dataloader';
import type { Cell, Consumer, Prisma, PrismaClient, ResourceProvider } from './generated/prisma/client.js';

/** The Prisma selection Pothos hands a field for what the client selected beneath it. */
interface Selection<Include, Select> {
  include?: Include;
  select?: Select;
}

/** The selection plus `uuid`, which the batch needs to hand each row back to its caller. */
function withUuid<Include, Select>(query: Selection<Include, Select>): Selection<Include, Select> {
  return query.select ? { ...query, select: { ...query.select, uuid: true } } : query;
}

/**
 * Per-request batching of rows looked up by uuid outside a Prisma relation (a candidate's
 * host and cell, a selection's consumer…): every lookup of one model with one selection made
 * in the same tick becomes one `findMany … WHERE uuid IN (…)`, so a list of 1 000 candidates
 * costs the same statements as a list of 10. One loader per model and selection, because
 * each selection loads different relations; caching lasts one request only.
 */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(private readonly prisma: PrismaClient) {}

  provider(
    query: Selection<Prisma.ResourceProviderInclude, Prisma.ResourceProviderSelect>,
    uuid: string,
  ): Promise<ResourceProvider | null> {
    return this.loader<ResourceProvider>('ResourceProvider', query, (uuids) =>
      this.prisma.resourceProvider.findMany({ ...withUuid(query), where: { uuid: { in: uuids } } }),
    ).load(uuid);
  }

  cell(query: Selection<Prisma.CellInclude, Prisma.CellSelect>, uuid: string): Promise<Cell | null> {
    return this.loader<Cell>('Cell', query, (uuids) =>
      this.prisma.cell.findMany({ ...withUuid(query), where: { uuid: { in: uuids } } }),
    ).load(uuid);
  }

  consumer(query: Selection<Prisma.ConsumerInclude, Prisma.ConsumerSelect>, uuid: string): Promise<Consumer | null> {
    return this.loader<Consumer>('Consumer', query, (uuids) =>
      this.prisma.consumer.findMany({ ...withUuid(query), where: { uuid: { in: uuids } } }),
    ).load(uuid);
  }

  private loader<Row extends { uuid: string }>(
    model: string,
    query: object,
    findMany: (uuids: string[]) => Promise<Row[]>,
  ): DataLoader<string, Row | null> {
    const key = `${model} ${JSON.stringify(query)}`;
    const existing = this.loaders.get(key);
    if (existing) return existing as DataLoader<string, Row | null>;
    const loader = new DataLoader<string, Row | null>(async (uuids) => {
      const rows = await findMany([...uuids]);
      const byUuid = new Map(rows.map((row) => [row.uuid, row]));
      return uuids.map((uuid) => byUuid.get(uuid) ?? null);
    });
    this.loaders.set(key, loader as DataLoader<string, unknown>);
    return loader;
  }
}
