import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import {
  credentialsFile,
  type EmbeddedCredentials,
  GATEWAY_DATABASE,
  GATEWAY_ROLE,
  LEGACY_SUPERUSER_PASSWORD,
  localUrl,
  SUPERUSER,
  scramSecret,
  writeCredentials,
} from './embedded-postgres-credentials.js';

/**
 * Provisioning of the embedded cluster, as its superuser, on every start (idempotent): the
 * superuser's password is the credentials file's (data folders from earlier versions still
 * had `postgres`: changed once here), and the gateway's role `placement` (no superuser, no
 * CREATEDB/CREATEROLE) owns the `placement` database and every object in it, so migrations
 * and requests run with an owner's rights and nothing more: no `COPY … TO PROGRAM`, no
 * server files, no other database's data.
 */

/** Neither the credentials file's superuser password nor the old default opens the cluster. */
export class SuperuserPasswordUnknownError extends Error {
  constructor(readonly file: string) {
    super(
      `the embedded PostgreSQL refuses the superuser password in ${file} (was the file replaced or the password ` +
        `changed by hand?); put the current superuser password in its "superuserPassword", or move the data folder away`,
    );
    this.name = 'SuperuserPasswordUnknownError';
  }
}

const INVALID_PASSWORD = '28P01';

/** A connected client, or undefined when the server refused the password. */
async function tryConnect(url: string): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    if ((error as { code?: unknown }).code === INVALID_PASSWORD) return undefined;
    throw error;
  }
}

/**
 * The superuser, connected to the `postgres` database, with the file's password. Until a
 * start has applied it, the cluster may still have the password a rotation replaced, or the
 * old default of folders made by earlier versions: logged in with that one, the superuser
 * gets the file's password now (and a rotation's leftover leaves the file). `onChanged` is
 * told so.
 */
async function connectAsSuperuser(
  port: number,
  credentials: EmbeddedCredentials,
  dataDir: string,
  onChanged: () => void,
): Promise<pg.Client> {
  const candidates = [credentials.superuserPassword, credentials.previousSuperuserPassword, LEGACY_SUPERUSER_PASSWORD];
  for (const [index, password] of candidates.entries()) {
    if (password === undefined) continue;
    const client = await tryConnect(localUrl(port, SUPERUSER, password, 'postgres'));
    if (!client) continue;
    try {
      if (index > 0) {
        // The file already holds the new password: a crash from here on retries this same change.
        const secret = client.escapeLiteral(scramSecret(credentials.superuserPassword));
        await client.query(`ALTER ROLE ${SUPERUSER} PASSWORD ${secret}`);
        onChanged();
      }
      if (credentials.previousSuperuserPassword !== undefined) {
        const { previousSuperuserPassword: _applied, ...applied } = credentials;
        await writeCredentials(dataDir, applied);
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }
  throw new SuperuserPasswordUnknownError(credentialsFile(dataDir));
}

const GATEWAY_ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

/** Gives the gateway role every object of schema public that another role owns (tables carry their indexes, triggers and serial sequences). */
const HAND_OVER_OBJECTS = `
DO $$
DECLARE statement text;
BEGIN
  FOR statement IN
    SELECT format('ALTER TABLE %s OWNER TO ${GATEWAY_ROLE}', c.oid::regclass)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND c.relowner <> '${GATEWAY_ROLE}'::regrole
    UNION ALL
    SELECT format('ALTER SEQUENCE %s OWNER TO ${GATEWAY_ROLE}', c.oid::regclass)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> '${GATEWAY_ROLE}'::regrole
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
    UNION ALL
    SELECT format('ALTER ROUTINE %s OWNER TO ${GATEWAY_ROLE}', p.oid::regprocedure)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND p.proowner <> '${GATEWAY_ROLE}'::regrole
    UNION ALL
    SELECT format('ALTER TYPE %s OWNER TO ${GATEWAY_ROLE}', t.oid::regtype)
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'm') AND t.typowner <> '${GATEWAY_ROLE}'::regrole
  LOOP
    EXECUTE statement;
  END LOOP;
END $$`;

/** A `placement` database made by an earlier version (owned by the superuser) becomes the gateway role's, objects first. */
async function handOverDatabase(superuser: pg.Client, port: number, credentials: EmbeddedCredentials): Promise<void> {
  const inDatabase = new pg.Client({
    connectionString: localUrl(port, SUPERUSER, credentials.superuserPassword, GATEWAY_DATABASE),
  });
  inDatabase.on('error', () => undefined);
  await inDatabase.connect();
  try {
    await inDatabase.query(HAND_OVER_OBJECTS);
  } finally {
    await inDatabase.end();
  }
  // Last: a crash before this line finds the database still foreign and hands over again.
  await superuser.query(`ALTER DATABASE ${GATEWAY_DATABASE} OWNER TO ${GATEWAY_ROLE}`);
}

/**
 * Folders from earlier versions were made with pg_hba method `password` (the password crosses
 * the socket in clear text): it becomes `scram-sha-256`, as new folders have. Idempotent.
 */
async function hbaToScram(superuser: pg.Client): Promise<boolean> {
  const { rows } = await superuser.query<{ file: string }>(`SELECT current_setting('hba_file') AS file`);
  const file = rows[0]!.file;
  const text = await readFile(file, 'utf8');
  const upgraded = text
    .split('\n')
    .map((line) => (/^\s*#/.test(line) ? line : line.replace(/(\s)password(\s*)$/, '$1scram-sha-256$2')))
    .join('\n');
  if (upgraded === text) return false;
  // Rewritten in place: the file keeps its owner (the postgres system user as root) and mode.
  await writeFile(file, upgraded);
  await superuser.query('SELECT pg_reload_conf()');
  return true;
}

export interface ProvisionOutcome {
  /** The superuser still had an earlier password (a rotation's, or the `postgres` of earlier versions), and now has the file's. */
  superuserPasswordChanged: boolean;
  /** The `placement` database was the superuser's and is now the gateway role's. */
  handedOverDatabase: boolean;
  /** pg_hba.conf asked for clear-text passwords and now asks for SCRAM. */
  scramAuthentication: boolean;
}

/** Brings the cluster to the credentials file's passwords and the gateway role's ownership. */
export async function provisionEmbedded(
  port: number,
  credentials: EmbeddedCredentials,
  dataDir: string,
): Promise<ProvisionOutcome> {
  const outcome: ProvisionOutcome = {
    superuserPasswordChanged: false,
    handedOverDatabase: false,
    scramAuthentication: false,
  };
  const superuser = await connectAsSuperuser(port, credentials, dataDir, () => {
    outcome.superuserPasswordChanged = true;
  });
  try {
    const secret = superuser.escapeLiteral(scramSecret(credentials.gatewayPassword));
    const role = await superuser.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [GATEWAY_ROLE]);
    const verb = role.rowCount === 0 ? 'CREATE' : 'ALTER';
    // ALTER too: attributes and password follow this code and the file (a rotated gateway password takes effect here).
    await superuser.query(`${verb} ROLE ${GATEWAY_ROLE} ${GATEWAY_ROLE_ATTRIBUTES} PASSWORD ${secret}`);
    const database = await superuser.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [GATEWAY_DATABASE],
    );
    const owner = database.rows[0]?.owner;
    if (owner === undefined) {
      await superuser.query(`CREATE DATABASE ${GATEWAY_DATABASE} OWNER ${GATEWAY_ROLE}`);
    } else if (owner !== GATEWAY_ROLE) {
      await handOverDatabase(superuser, port, credentials);
      outcome.handedOverDatabase = true;
    }
    outcome.scramAuthentication = await hbaToScram(superuser);
  } finally {
    await superuser.end();
  }
  return outcome;
}
