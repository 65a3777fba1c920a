/** A state store a team shares: a PostgreSQL database, through kysely's PostgresDialect and `pg`
 *  (the driver that dialect is built for). Loaded only when a project's state is a postgres:// URL
 *  (`await import`), so a project on SQLite never loads `pg`.
 *
 *  What differs from SQLite is all here: the connection (TLS as the URL's sslmode asks, with the CA
 *  settings of the environment), the advisory-lock guard (postgres-guard.ts), and no backups of the
 *  store (a server keeps its own: pg_dump, replicas). The migrations are the same, with postgresDdl. */
import { Kysely, PostgresDialect, type DatabaseConnection, type Driver, type PostgresDialectConfig } from 'kysely';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { tlsTrust } from '../net/tls-trust.js';
import { KyselyStateStore, type StoreOptions } from './kysely-store.js';
import { maskUrl } from './location.js';
import { migrateToLatest } from './migrate.js';
import { postgresDdl } from './migrations/index.js';
import { advisoryGuard } from './postgres-guard.js';
import type { Database } from './schema.js';
import { StateUnavailable } from './unavailable.js';

/** Beyond this an unreachable server is reported instead of waited for (a URL's connect_timeout wins). */
const CONNECT_TIMEOUT_MS = 10_000;
/** Connections of the store's queries (a command runs one transaction at a time; the lock has its own). */
const POOL_SIZE = 4;

export type StoreOpenOptions = Omit<StoreOptions, 'guard' | 'backUp'>;

export async function openPostgresStore(url: string, options: StoreOpenOptions = {}): Promise<KyselyStateStore> {
  const name = maskUrl(url);
  const config = clientConfig(url, name);
  // allowExitOnIdle: an idle connection never keeps a finished command alive (as an open SQLite file does not).
  const pool = new pg.Pool({ ...config, max: POOL_SIZE, allowExitOnIdle: true });
  pool.on('error', () => undefined); // an idle connection the server dropped: the next query reports it
  const db = new Kysely<Database>({ dialect: new UserFacingPostgresDialect({ pool }, name) });
  try {
    const outcome = await migrateToLatest(db, postgresDdl);
    if (outcome.kind === 'failed') {
      if (outcome.error instanceof StateUnavailable) throw outcome.error;
      // No migration named: it never got as far (no connection, no login), which the error says by itself.
      throw unavailable(name, outcome.error, outcome.migration === undefined ? '' : `preparing it (migration ${outcome.migration}) failed: `);
    }
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error instanceof StateUnavailable ? error : unavailable(name, error);
  }
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client(config);
    client.on('error', () => undefined); // a dropped lock connection fails its next query, and the lock is gone with it
    try {
      await client.connect();
    } catch (error) {
      throw unavailable(name, error);
    }
    return client;
  };
  return new KyselyStateStore(db, { ...options, guard: advisoryGuard(connect) });
}

/** pg's own reading of the URL (sslmode included), with gaia's CA trust on any TLS it asks for. */
function clientConfig(url: string, name: string): pg.ClientConfig {
  let config: pg.ClientConfig;
  try {
    if (!/^postgres(ql)?:\/\/[^/]*[^/:@]/i.test(url)) throw new Error('expected postgres://user:password@host:port/database');
    config = parseIntoClientConfig(url);
  } catch (error) {
    throw new StateUnavailable(name, `it is not a PostgreSQL URL this gaia can use: ${messageOf(error)}`, 'set settings.state or GAIA_STATE_URL to postgres://user:password@host:port/database (sslmode=… as libpq takes it)');
  }
  const ssl = config.ssl;
  // The trust is read only for TLS: making its context costs ~65 ms with the system's CA bundle.
  const secureContext = ssl ? tlsTrust().secureContext : undefined;
  return {
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...config,
    // The URL's own TLS settings (sslrootcert, rejectUnauthorized for no-verify) win over the context's CAs.
    ...(ssl && secureContext ? { ssl: { secureContext, ...(typeof ssl === 'object' ? ssl : {}) } } : {}),
    keepAlive: true,
  };
}

/** What the server or the network said, as a fact for the user, with what to check. */
function unavailable(name: string, error: unknown, prefix = ''): StateUnavailable {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = `${prefix}${messageOf(error)}${typeof code === 'string' ? ` (${code})` : ''}`;
  return new StateUnavailable(name, reason, hintFor(typeof code === 'string' ? code : undefined));
}

function hintFor(code: string | undefined): string {
  if (code === '28P01' || code === '28000') return 'check the user and password in the URL (or PGPASSWORD), and the server\'s pg_hba.conf';
  if (code === '3D000') return 'create the database (createdb), or point the URL at one that exists';
  if (code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)$/.test(code)) {
    return 'check that the server runs and that the host and port in the URL are right; nothing was changed';
  }
  return 'check the URL (settings.state or GAIA_STATE_URL) and that the server takes connections from here; nothing was changed';
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return message;
  // An AggregateError (every address of a host refused) has an empty message: its parts say it.
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.length) return errors.map(messageOf).join('; ');
  return String(error);
}

/** A connection that cannot be made (the server went away, stopped taking connections) or that broke
 *  under a query is a fact about the server for the user, named with the masked URL, in any command:
 *  not an "internal error". Errors of SQL itself (a constraint) pass unchanged. */
class UserFacingPostgresDialect extends PostgresDialect {
  readonly #name: string;

  constructor(config: PostgresDialectConfig, name: string) {
    super(config);
    this.#name = name;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const name = this.#name;
    const acquire = driver.acquireConnection.bind(driver);
    const wrapped = new WeakSet<DatabaseConnection>(); // the driver hands out the same connection again
    driver.acquireConnection = async () => {
      let connection: DatabaseConnection;
      try {
        connection = await acquire();
      } catch (error) {
        throw unavailable(name, error);
      }
      if (!wrapped.has(connection)) {
        wrapped.add(connection);
        const execute = connection.executeQuery.bind(connection);
        connection.executeQuery = async (query) => {
          try {
            return await execute(query);
          } catch (error) {
            throw isConnectionLoss(error) ? unavailable(name, error) : error;
          }
        };
      }
      return connection;
    };
    return driver;
  }
}

/** No SQLSTATE, or one of class 08 (connection exception) or 57P (the server shutting down, or crashed). */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return /connection|terminated|timeout/i.test(messageOf(error));
  return /^(08|57P)/.test(code) || /^E[A-Z]+$/.test(code); // E…: a socket's (ECONNRESET, EPIPE)
}
