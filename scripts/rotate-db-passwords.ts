// New passwords for the embedded PostgreSQL's superuser and gateway role, written to
// <DATA_DIR>/postgres-credentials.json; the next `npm start` on that folder applies them.
import path from 'node:path';
import { credentialsFile, NoCredentialsFileError, rotateCredentials } from '../src/embedded-postgres-credentials.js';

const dataDir = path.resolve(process.argv[2] ?? process.env.DATA_DIR ?? '.data');
try {
  await rotateCredentials(dataDir);
  process.stdout.write(
    `new passwords written to ${credentialsFile(dataDir)}; restart the gateway to apply them (until then it keeps working)\n`,
  );
} catch (error) {
  if (!(error instanceof NoCredentialsFileError)) throw error;
  process.stderr.write(
    `${error.message}\nas root the default data folder may have moved: the gateway's start-up log names it (dataDir)\n`,
  );
  process.exit(2);
}
