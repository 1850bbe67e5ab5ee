import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by commands that talk to a database; the project
// applies migrations itself (scripts/migrate.ts), so generate works without one.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
