/**
 * Opens the database (SQLite file or PostgreSQL), registers the models and applies migrations.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Transaction } from 'sequelize';
import { Sequelize } from 'sequelize-typescript';
import { describeError, ServiceDeckError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type DatabaseLocation, describeLocation, parseDatabaseUrl, redactUrl } from './database-url.js';
import { migrateUp } from './migrator.js';
import {
  ALL_MODELS,
  ApiToken,
  AuditLog,
  ChangeLog,
  HealthHistory,
  Instance,
  ServiceConfiguration,
  ServiceConfigVersion,
  ServiceRegistry,
} from './models/index.js';

/** How to open the database. */
export interface DatabaseOptions {
  /** SQLite path or PostgreSQL URL (see `parseDatabaseUrl`). Default: `servicedeck.db` in `cwd`. */
  readonly url?: string;
  /** Directory relative SQLite paths are resolved against (default: `process.cwd()`). */
  readonly cwd?: string;
  /** Where to log (SQL is logged at debug level). */
  readonly logger?: Logger;
  /** Apply pending migrations on open (default true). */
  readonly migrate?: boolean;
  /** Maximum pool size for PostgreSQL (default 10). */
  readonly poolSize?: number;
}

/** The per-database copies of the models. */
export interface Repositories {
  readonly registry: typeof ServiceRegistry;
  readonly configuration: typeof ServiceConfiguration;
  readonly configVersions: typeof ServiceConfigVersion;
  readonly audit: typeof AuditLog;
  readonly health: typeof HealthHistory;
  readonly instances: typeof Instance;
  readonly changes: typeof ChangeLog;
  readonly apiTokens: typeof ApiToken;
}

/** An open servicedeck database. */
export interface Database {
  readonly sequelize: Sequelize;
  readonly location: DatabaseLocation;
  readonly dialect: DatabaseLocation['dialect'];
  /** Model repositories bound to this database (several databases may be open in one process). */
  readonly repos: Repositories;
  /** Runs `work` in a transaction; on SQLite it takes the write lock up front. */
  transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** Milliseconds SQLite waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

function requireDriver(dialect: 'sqlite' | 'postgres'): object {
  const name = dialect === 'sqlite' ? 'sqlite3' : 'pg';
  const require = createRequire(import.meta.url);
  try {
    return require(name) as object;
  } catch (error) {
    throw new ServiceDeckError(
      'SD_ERR_DATABASE_DRIVER_MISSING',
      `The ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} driver "${name}" cannot be loaded: ${describeError(error)}.`,
      { cause: error, hint: `Install it next to @servicedeck/core (pnpm add ${name}).` },
    );
  }
}

/**
 * Opens a database, checks the connection and (by default) applies pending migrations.
 *
 * @throws ServiceDeckError `SD_ERR_DATABASE_URL_INVALID`, `SD_ERR_DATABASE_DRIVER_MISSING`,
 *   `SD_ERR_DATABASE_UNAVAILABLE` or `SD_ERR_MIGRATION_FAILED`.
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  const url = options.url ?? 'sqlite:servicedeck.db';
  const location = parseDatabaseUrl(url, options.cwd);
  const dialectModule = requireDriver(location.dialect);
  const logging = (sql: string): void => logger.debug('sql', { sql });
  const common = {
    repositoryMode: true,
    models: ALL_MODELS,
    logging,
    dialectModule,
  } as const;
  let sequelize: Sequelize;
  if (location.dialect === 'sqlite') {
    await mkdir(path.dirname(location.storage), { recursive: true }).catch((error: unknown) => {
      throw new ServiceDeckError(
        'SD_ERR_DATABASE_UNAVAILABLE',
        `Cannot create the directory of the database (${describeLocation(location)}): ${describeError(error)}.`,
        { cause: error, details: { url: redactUrl(url) }, hint: 'Choose a path in a writable directory.' },
      );
    });
    sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite' as const,
      storage: location.storage,
      transactionType: Transaction.TYPES.IMMEDIATE,
      hooks: {
        afterConnect: async (connection: unknown) => {
          const db = connection as {
            configure(option: 'busyTimeout', value: number): void;
            exec(sql: string, callback: (error: Error | null) => void): void;
          };
          db.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
          await new Promise<void>((resolve, reject) =>
            db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;', (error) =>
              error ? reject(error) : resolve(),
            ),
          );
        },
      },
    });
  } else {
    sequelize = new Sequelize(location.url, {
      ...common,
      dialect: 'postgres',
      pool: { max: options.poolSize ?? 10, min: 0, idle: 10_000 },
    });
  }
  try {
    await sequelize.authenticate();
  } catch (error) {
    await sequelize.close().catch(() => undefined);
    throw new ServiceDeckError(
      'SD_ERR_DATABASE_UNAVAILABLE',
      `Cannot open the database (${describeLocation(location)}): ${describeError(error)}.`,
      {
        cause: error,
        details: { url: redactUrl(url) },
        hint:
          location.dialect === 'postgres'
            ? 'Check that PostgreSQL is running and the URL, user and password are right.'
            : 'Check that the directory exists and is writable.',
      },
    );
  }
  const database: Database = {
    sequelize,
    location,
    dialect: location.dialect,
    repos: {
      registry: sequelize.getRepository(ServiceRegistry),
      configuration: sequelize.getRepository(ServiceConfiguration),
      configVersions: sequelize.getRepository(ServiceConfigVersion),
      audit: sequelize.getRepository(AuditLog),
      health: sequelize.getRepository(HealthHistory),
      instances: sequelize.getRepository(Instance),
      changes: sequelize.getRepository(ChangeLog),
      apiTokens: sequelize.getRepository(ApiToken),
    },
    transaction: (work) => sequelize.transaction((transaction) => work(transaction)),
    close: () => sequelize.close(),
  };
  if (options.migrate !== false) {
    try {
      await migrateUp(sequelize, logger);
    } catch (error) {
      await sequelize.close().catch(() => undefined);
      throw error;
    }
  }
  return database;
}
