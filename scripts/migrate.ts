// Applies migrations and seeds the catalogue on DATABASE_URL (what `npm start` also does on boot).
import { openDatabase } from '../src/db.js';
import { migrate } from '../src/migrate.js';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('DATABASE_URL is not set (npm start migrates the embedded database by itself)\n');
  process.exit(2);
}
const db = openDatabase(url);
try {
  const { applied } = await migrate(db.pool);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
} finally {
  await db.close();
}
