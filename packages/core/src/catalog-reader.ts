/**
 * Reads the catalog straight from the database with the bare driver (sqlite3 or pg), without the ORM,
 * discovery or any service: what `servicedeck list` needs to answer in a fraction of a second. It only
 * reads; it never creates a database or migrates one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describeError, ServiceDeckError } from './errors.js';
import type { CatalogEntry } from './persistence/catalog-store.js';
import {
  type DatabaseLocation,
  describeLocation,
  parseDatabaseUrl,
  redactUrl,
} from './persistence/database-url.js';
import type { ServiceStatus, ServiceType } from './types.js';

/** The message of a service in the catalog that no process running services has recorded a status for. */
export const NOT_RUN_YET = 'not run yet: no servicedeck process has started since it was discovered';

/** A row of `service_registry` as the driver returns it. */
interface RegistryRow {
  id: string;
  name: string;
  description: string;
  service_type: string;
  status: string;
  status_message: string | null;
  enabled: boolean | number;
  version: string | null;
  metadata: string | { dependencies?: string[]; tags?: string[] } | null;
  source: string | null;
  missing: boolean | number;
  last_health_check: string | Date | null;
  config_version: number;
  revision: number;
  created_at: string | Date;
  updated_at: string | Date;
}

const QUERY = `SELECT id, name, description, service_type, status, status_message, enabled, version, metadata,
  source, missing, last_health_check, config_version, revision, created_at, updated_at
  FROM service_registry ORDER BY id`;

/** A SQLite `DATETIME` as Sequelize stores it (`2026-11-23 21:30:00.000 +00:00`), or a driver's Date. */
function toDate(value: string | Date): Date {
  if (value instanceof Date) return value;
  return new Date(value.replace(' ', 'T').replace(' ', ''));
}

function toEntry(row: RegistryRow): CatalogEntry {
  const metadata = (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : (row.metadata ?? {})) as {
    dependencies?: string[];
    tags?: string[];
  };
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.service_type as ServiceType,
    version: row.version,
    enabled: Boolean(row.enabled),
    status: row.status as ServiceStatus,
    statusMessage: row.status_message,
    missing: Boolean(row.missing),
    source: row.source,
    dependencies: metadata.dependencies ?? [],
    tags: metadata.tags ?? [],
    lastHealthCheck: row.last_health_check === null ? null : toDate(row.last_health_check),
    configVersion: Number(row.config_version),
    revision: Number(row.revision),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function toProcesses(rows: readonly InstanceRow[], heartbeatMs: number, now = Date.now()): RegistryProcesses {
  let running = 0;
  let lastSeenAt: Date | null = null;
  for (const row of rows) {
    const seen = toDate(row.last_seen_at);
    const details = (typeof row.details === 'string' ? JSON.parse(row.details) : (row.details ?? {})) as {
      stoppedAt?: string;
    };
    if (!details.stoppedAt && now - seen.getTime() <= 3 * heartbeatMs) running += 1;
    if (!lastSeenAt || seen > lastSeenAt) lastSeenAt = seen;
  }
  return { running, lastSeenAt };
}

function unavailable(location: DatabaseLocation, url: string, error: unknown): ServiceDeckError {
  const text = describeError(error);
  if (/no such table|does not exist/i.test(text)) {
    return new ServiceDeckError(
      'SD_ERR_DATABASE_UNAVAILABLE',
      `${describeLocation(location)} holds no servicedeck catalog yet.`,
      {
        cause: error,
        details: { url: redactUrl(url), catalog: 'missing' },
        hint: 'Start servicedeck (servicedeck up, or the bot) once against it, or check --database.',
      },
    );
  }
  return new ServiceDeckError(
    'SD_ERR_DATABASE_UNAVAILABLE',
    `Cannot read the catalog from ${describeLocation(location)}: ${text}.`,
    {
      cause: error,
      details: { url: redactUrl(url) },
      hint: 'Check the database URL and that the server is up.',
    },
  );
}

/** A row of `servicedeck_instance`. */
interface InstanceRow {
  last_seen_at: string | Date;
  details: string | { stoppedAt?: string } | null;
}

const INSTANCES = 'SELECT last_seen_at, details FROM servicedeck_instance';

/** What the processes running services (the bot's, `servicedeck up`) are doing, from their heartbeats. */
export interface RegistryProcesses {
  /** How many are running: heartbeating, not stopped. */
  readonly running: number;
  /** When any of them was last heard from, or null when none ever ran on this database. */
  readonly lastSeenAt: Date | null;
}

/** The catalog and the processes that keep it up to date. */
export interface RegistrySnapshot {
  readonly services: CatalogEntry[];
  readonly processes: RegistryProcesses;
}

type SqliteModule = {
  OPEN_READONLY: number;
  Database: new (
    file: string,
    mode: number,
    callback: (error: Error | null) => void,
  ) => {
    configure(option: 'busyTimeout', value: number): void;
    all(sql: string, callback: (error: Error | null, rows: unknown[]) => void): void;
    close(callback: (error: Error | null) => void): void;
  };
};

type PgModule = {
  Client: new (options: {
    connectionString: string;
    connectionTimeoutMillis: number;
  }) => {
    connect(): Promise<void>;
    query<R>(sql: string): Promise<{ rows: R[] }>;
    end(): Promise<void>;
  };
};

async function readSqlite(storage: string): Promise<[RegistryRow[], InstanceRow[]]> {
  const sqlite = createRequire(import.meta.url)('sqlite3') as SqliteModule;
  const db = await new Promise<InstanceType<SqliteModule['Database']>>((resolve, reject) => {
    const opened = new sqlite.Database(storage, sqlite.OPEN_READONLY, (error) =>
      error ? reject(error) : resolve(opened),
    );
  });
  try {
    db.configure('busyTimeout', 10_000);
    const all = <R>(sql: string): Promise<R[]> =>
      new Promise<R[]>((resolve, reject) =>
        db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as unknown as R[]))),
      );
    return [await all<RegistryRow>(QUERY), await all<InstanceRow>(INSTANCES)];
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

async function readPostgres(url: string): Promise<[RegistryRow[], InstanceRow[]]> {
  const pg = createRequire(import.meta.url)('pg') as PgModule;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return [(await client.query<RegistryRow>(QUERY)).rows, (await client.query<InstanceRow>(INSTANCES)).rows];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Every service in the catalog, by id, as the processes sharing the database last recorded it: desired
 * state, status and message, last check. Opens one read-only connection and closes it.
 *
 * @param url - a SQLite path or PostgreSQL URL (see `parseDatabaseUrl`).
 * @param cwd - the directory relative SQLite paths are resolved against.
 * @throws ServiceDeckError `SD_ERR_DATABASE_UNAVAILABLE` when there is no such database or no catalog in it
 *   (then `details.catalog` is `'missing'`), or it cannot be reached; `SD_ERR_DATABASE_URL_INVALID` for a
 *   malformed URL.
 */
export async function readCatalog(url: string, cwd: string = process.cwd()): Promise<CatalogEntry[]> {
  return (await readRegistry(url, cwd)).services;
}

/**
 * The catalog ({@link readCatalog}) and how many processes that run services are alive, from their
 * heartbeats: one that stopped or was not heard from for `3 × heartbeatMs` is not counted.
 *
 * @param heartbeatMs - the processes' heartbeat period (default 15 000, core's default).
 * @throws ServiceDeckError as {@link readCatalog}.
 */
export async function readRegistry(
  url: string,
  cwd: string = process.cwd(),
  heartbeatMs = 15_000,
): Promise<RegistrySnapshot> {
  const location = parseDatabaseUrl(url, cwd);
  if (location.dialect === 'sqlite' && !existsSync(location.storage)) {
    throw new ServiceDeckError(
      'SD_ERR_DATABASE_UNAVAILABLE',
      `There is no database at ${location.storage}.`,
      {
        details: { url: redactUrl(url), catalog: 'missing' },
        hint: 'Start servicedeck (servicedeck up, or the bot) once to create it, or check --database.',
      },
    );
  }
  try {
    const [rows, instances] =
      location.dialect === 'sqlite' ? await readSqlite(location.storage) : await readPostgres(location.url);
    return { services: rows.map(toEntry), processes: toProcesses(instances, heartbeatMs) };
  } catch (error) {
    throw unavailable(location, url, error);
  }
}
