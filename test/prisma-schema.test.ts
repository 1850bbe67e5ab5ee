import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { getDatamodel } from '../src/generated/pothos-types.js';
import { migrate } from '../src/migrate.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * schema.prisma is the data model of record, but the database is built by the plain SQL
 * migrations (prisma migrate cannot run here). This suite proves the two agree, the way
 * `prisma migrate diff` would on a machine with the schema engine.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const migrationsDir = path.join(root, 'prisma/migrations');
const schemaText = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');

interface ParsedField {
  name: string;
  column: string;
  nativeType?: string; // e.g. "Uuid", "Timestamptz"
}
interface ParsedModel {
  name: string;
  table: string;
  fields: Map<string, ParsedField>;
}

/** The parts of schema.prisma the DMMF export lacks: @@map / @map names and @db native types. */
function parsePrismaSchema(text: string): Map<string, ParsedModel> {
  const models = new Map<string, ParsedModel>();
  const blocks = text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm);
  for (const [, name, body] of blocks) {
    const model: ParsedModel = { name: name!, table: name!, fields: new Map() };
    for (const raw of body!.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        const map = /^@@map\(\s*"([^"]+)"\s*\)/.exec(line);
        if (map) model.table = map[1]!;
        continue;
      }
      const field = /^(\w+)\s+\S+/.exec(line);
      if (!field) continue;
      const column = /@map\(\s*"([^"]+)"\s*\)/.exec(line)?.[1] ?? field[1]!;
      const nativeType = /@db\.(\w+)/.exec(line)?.[1];
      model.fields.set(field[1]!, { name: field[1]!, column, nativeType });
    }
    models.set(model.name, model);
  }
  return models;
}

/** information_schema.columns.data_type for a Prisma scalar on PostgreSQL (native type wins). */
function expectedDataType(prismaType: string, nativeType: string | undefined): string {
  const native: Record<string, string> = {
    Uuid: 'uuid',
    Text: 'text',
    VarChar: 'character varying',
    Char: 'character',
    Timestamptz: 'timestamp with time zone',
    Timestamp: 'timestamp without time zone',
    Date: 'date',
    Integer: 'integer',
    SmallInt: 'smallint',
    BigInt: 'bigint',
    DoublePrecision: 'double precision',
    Real: 'real',
    Decimal: 'numeric',
    JsonB: 'jsonb',
    Json: 'json',
  };
  if (nativeType) {
    const type = native[nativeType];
    if (!type) throw new Error(`test does not know native type @db.${nativeType}; add it to the map`);
    return type;
  }
  const defaults: Record<string, string> = {
    Int: 'integer',
    BigInt: 'bigint',
    String: 'text',
    Boolean: 'boolean',
    Float: 'double precision',
    DateTime: 'timestamp without time zone', // Prisma's default is timestamp(3) without time zone
    Decimal: 'numeric',
    Json: 'jsonb',
    Bytes: 'bytea',
  };
  const type = defaults[prismaType];
  if (!type) throw new Error(`test does not know Prisma scalar ${prismaType}; add it to the map`);
  return type;
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_generated: 'ALWAYS' | 'NEVER';
  is_identity: 'YES' | 'NO';
}

const datamodel = getDatamodel().datamodel.models;
const parsed = parsePrismaSchema(schemaText);

let env: TestEnv;
let columns: ColumnRow[];
const columnsOf = (table: string) =>
  new Map(columns.filter((c) => c.table_name === table).map((c) => [c.column_name, c]));

/** Constraint columns (in key order) by constraint type, from the catalog. */
async function constraints(
  type: 'p' | 'u' | 'f',
): Promise<{ table: string; columns: string[]; target: string | null; targetColumns: string[] }[]> {
  const rows = await env.sql<{
    table: string;
    columns: string[];
    target: string | null;
    target_columns: string[] | null;
  }>(
    `SELECT c.conrelid::regclass::text AS table,
            array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
            CASE WHEN c.confrelid = 0 THEN NULL ELSE c.confrelid::regclass::text END AS target,
            array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS target_columns
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.contype = $1`,
    [type],
  );
  return rows.map((r) => ({
    table: r.table.replace(/"/g, ''),
    columns: r.columns,
    target: r.target?.replace(/"/g, '') ?? null,
    targetColumns: r.target_columns ?? [],
  }));
}

/** Unique indexes (including those backing constraints), columns in key order. */
async function uniqueIndexes(): Promise<{ table: string; columns: string[] }[]> {
  return env.sql(
    `SELECT t.relname AS table,
            array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS columns
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND i.indisunique AND i.indpred IS NULL`,
  );
}

beforeAll(async () => {
  env = await createTestEnv(4);
  columns = await env.sql<ColumnRow>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, is_generated, is_identity
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
});
afterAll(async () => env?.close());

describe('schema.prisma ↔ generated DMMF', () => {
  it('the generated Pothos datamodel is current with schema.prisma (same models, same fields)', () => {
    expect([...parsed.keys()].sort()).toEqual(Object.keys(datamodel).sort());
    for (const [name, model] of Object.entries(datamodel)) {
      expect([...parsed.get(name)!.fields.keys()], `fields of ${name} (run \`npm run generate\`)`).toEqual(
        model.fields.map((f) => f.name),
      );
    }
  });
});

describe('schema.prisma ↔ migrated database', () => {
  it('every model maps to a table and every table (but _prisma_migrations) is a model', async () => {
    const tables = (
      await env.sql<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      )
    ).map((r) => r.table_name);
    const modelTables = [...parsed.values()].map((m) => m.table);
    expect(modelTables.length).toBeGreaterThan(0);
    expect(tables.filter((t) => t !== '_prisma_migrations').sort()).toEqual([...modelTables].sort());
    expect(tables).toContain('_prisma_migrations');
  });

  it('every scalar field is a column of a compatible type and the same nullability', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [modelName, model] of Object.entries(datamodel)) {
      const info = parsed.get(modelName)!;
      const cols = columnsOf(info.table);
      for (const field of model.fields) {
        if (field.kind === 'object') continue; // relation fields have no column
        const { column, nativeType } = info.fields.get(field.name)!;
        const where = `${modelName}.${field.name} → ${info.table}.${column}`;
        const col = cols.get(column);
        if (!col) {
          problems.push(`${where}: column missing`);
          continue;
        }
        checked++;
        if (field.isList) {
          // A scalar list is a PostgreSQL array of the element's type (udt_name is `_` + element type).
          const element: Record<string, string> = {
            Int: '_int4',
            BigInt: '_int8',
            String: '_text',
            Boolean: '_bool',
            Float: '_float8',
          };
          // A native type names the element instead (`String[] @db.Uuid` is uuid[]).
          const expectedElement = nativeType === 'Uuid' ? '_uuid' : element[field.type];
          if (col.data_type !== 'ARRAY' || col.udt_name !== expectedElement) {
            problems.push(
              `${where}: ${field.type}[] expects an ARRAY of ${expectedElement ?? '?'}, column is ${col.data_type} ${col.udt_name}`,
            );
          }
        } else {
          const expected = field.kind === 'enum' ? 'USER-DEFINED' : expectedDataType(field.type, nativeType);
          if (col.data_type !== expected)
            problems.push(
              `${where}: ${field.type}${nativeType ? ` @db.${nativeType}` : ''} expects ${expected}, column is ${col.data_type}`,
            );
        }
        const nullable = col.is_nullable === 'YES';
        if (nullable === field.isRequired)
          problems.push(
            `${where}: Prisma says ${field.isRequired ? 'required' : 'optional'}, column is ${nullable ? 'NULL' : 'NOT NULL'}`,
          );
        // An identity column draws its value as autoincrement() does, without a column default.
        const dbHasDefault = col.column_default !== null || col.is_generated === 'ALWAYS' || col.is_identity === 'YES';
        if (field.hasDefaultValue !== dbHasDefault)
          problems.push(
            `${where}: Prisma @default ${field.hasDefaultValue ? 'present' : 'absent'}, database default ${dbHasDefault ? 'present' : 'absent'}`,
          );
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('every column belongs to a field of its model', () => {
    const problems: string[] = [];
    for (const info of parsed.values()) {
      const scalarColumns = new Set(
        datamodel[info.name]!.fields.filter((f) => f.kind !== 'object').map((f) => info.fields.get(f.name)!.column),
      );
      for (const column of columnsOf(info.table).keys()) {
        if (!scalarColumns.has(column)) problems.push(`${info.table}.${column} has no field in model ${info.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the dbgenerated capacity column is a stored generated column', () => {
    expect(columnsOf('inventories').get('capacity')).toMatchObject({ is_generated: 'ALWAYS', data_type: 'bigint' });
  });

  it('primary keys, unique constraints and foreign keys match @id, @unique, @@unique and relations', async () => {
    const primaryKeys = await constraints('p');
    const foreignKeys = await constraints('f');
    const uniques = await uniqueIndexes();
    const key = (table: string, cols: string[]) => `${table}(${cols.join(',')})`;
    const uniqueSet = new Set(uniques.map((u) => key(u.table, u.columns)));
    const problems: string[] = [];
    let relations = 0;
    for (const [modelName, model] of Object.entries(datamodel)) {
      const info = parsed.get(modelName)!;
      const col = (field: string) => info.fields.get(field)!.column;
      // primary key: a single @id field, or @@id([...])
      const idFields = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
      const pk = primaryKeys.find((p) => p.table === info.table);
      if (!pk || key(pk.table, pk.columns) !== key(info.table, idFields.map(col))) {
        problems.push(
          `${modelName}: primary key ${key(info.table, idFields.map(col))}, database has ${pk ? key(pk.table, pk.columns) : 'none'}`,
        );
      }
      // @unique fields and @@unique groups
      const uniqueGroups = [
        ...model.fields.filter((f) => f.isUnique).map((f) => [f.name]),
        ...model.uniqueIndexes.map((u) => [...u.fields]),
      ];
      for (const group of uniqueGroups) {
        if (!uniqueSet.has(key(info.table, group.map(col))))
          problems.push(`${modelName}: no unique index on ${key(info.table, group.map(col))}`);
      }
      // relations that own the foreign key: relationFromFields → FK to the target model's table
      for (const field of model.fields) {
        if (field.kind !== 'object' || !field.relationFromFields?.length) continue;
        relations++;
        const target = parsed.get(field.type)!.table;
        const fromColumns = field.relationFromFields.map(col);
        const fk = foreignKeys.find(
          (f) => f.table === info.table && key(f.table, f.columns) === key(info.table, fromColumns),
        );
        if (!fk) problems.push(`${modelName}.${field.name}: no foreign key on ${key(info.table, fromColumns)}`);
        else if (fk.target !== target)
          problems.push(`${modelName}.${field.name}: foreign key points at ${fk.target}, expected ${target}`);
      }
    }
    expect(problems).toEqual([]);
    expect(relations).toBeGreaterThanOrEqual(12);
    // no foreign key in the database that the model does not declare
    expect(foreignKeys.length).toBe(relations);
  });
});

describe('migrations', () => {
  const folders = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it('folders follow Prisma layout: <timestamp>_<name>/migration.sql', () => {
    expect(folders.length).toBeGreaterThan(0);
    for (const name of folders) expect(name).toMatch(/^\d{14}_\w+$/);
    expect(readFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(
      /provider\s*=\s*"postgresql"/,
    );
  });

  it('_prisma_migrations has one finished row per folder with the sha256 of its migration.sql', async () => {
    const rows = await env.sql<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const row of rows) {
      const sql = readFileSync(path.join(migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum, row.migration_name).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at, row.migration_name).toBeInstanceOf(Date);
      expect(row.rolled_back_at, row.migration_name).toBeNull();
      expect(row.applied_steps_count, row.migration_name).toBe(1);
    }
  });

  it('running migrate() again applies nothing and changes no row', async () => {
    const before = await env.sql(`SELECT * FROM _prisma_migrations ORDER BY migration_name`);
    const classesBefore = await env.sql(`SELECT count(*)::int AS n FROM resource_classes`);
    const result = await migrate(env.db.pool);
    expect(result.applied).toEqual([]);
    expect(await env.sql(`SELECT * FROM _prisma_migrations ORDER BY migration_name`)).toEqual(before);
    // the seed is idempotent too
    expect(await env.sql(`SELECT count(*)::int AS n FROM resource_classes`)).toEqual(classesBefore);
  });

  it('refuses to run when an applied migration was edited afterwards (checksum differs)', async () => {
    const name = folders[0]!;
    await env.sql(`UPDATE _prisma_migrations SET checksum = $2 WHERE migration_name = $1`, [name, '0'.repeat(64)]);
    try {
      await expect(migrate(env.db.pool)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'));
      await env.sql(`UPDATE _prisma_migrations SET checksum = $2 WHERE migration_name = $1`, [
        name,
        createHash('sha256').update(sql).digest('hex'),
      ]);
    }
    expect((await migrate(env.db.pool)).applied).toEqual([]);
  });

  it('concurrent migrate() calls on an empty database apply each migration exactly once', async () => {
    const adminUrl = inject('adminUrl');
    const database = `placement_migrate_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const dbs = [openDatabase(url.toString(), 2), openDatabase(url.toString(), 2), openDatabase(url.toString(), 2)];
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db.pool)));
      // exactly one caller applied everything; the others waited on the advisory lock and found it done
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, folders.length]);
      const rows = await dbs[0]!.pool.query(`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`);
      expect(rows.rows.map((r) => r.migration_name)).toEqual(folders);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });
});
