/**
 * Real databases for tests: a fresh SQLite file, and a PostgreSQL database of this worker's own (keyed by
 * VITEST_POOL_ID) emptied before each use. With CI=true a missing PostgreSQL is a failure, not a skip.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The dialects every database test runs against. */
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** The PostgreSQL server tests use; its database must exist and the user may create databases. */
export const TEST_PG_ADMIN_URL =
  process.env.SERVICEDECK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgAvailable: Promise<string | undefined> | undefined;

/** Why PostgreSQL is unavailable, or undefined when it answers. */
export function postgresUnavailable(): Promise<string | undefined> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${TEST_PG_ADMIN_URL} is unavailable: ${(error as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

/** Whether tests of `dialect` must be skipped here (never under CI, where they fail instead). */
export async function shouldSkip(dialect: Dialect): Promise<boolean> {
  if (dialect !== 'postgres') return false;
  const reason = await postgresUnavailable();
  if (!reason) return false;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: PostgreSQL is required).`);
  console.warn(`skipping PostgreSQL tests: ${reason}`);
  return true;
}

/** Every test databases' name starts with this; the global setup drops leftovers. */
export const TEST_DATABASE_PREFIX = 'servicedeck_test_';

/**
 * A database of this test process's own: vitest runs each test file in its own process, and a process id
 * is never shared by two running processes (a pool slot id can be, while the previous file's process
 * is still finishing).
 */
function workerDatabaseName(suffix = ''): string {
  return `${TEST_DATABASE_PREFIX}p${process.pid}${suffix}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops the test databases of test processes that are no longer running (so a run never drops the
 * databases of another run going on at the same time).
 */
export async function dropStaleTestDatabases(): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${TEST_DATABASE_PREFIX}%`],
    );
    for (const { datname } of rows) {
      const pid = Number(/_p(\d+)/.exec(datname)?.[1]);
      if (Number.isInteger(pid) && processAlive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

function urlFor(database: string): string {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function ensurePostgresDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } catch (error) {
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
  return url;
}

/** A database for one test: its URL and how to clean it up. */
export interface TestDatabase {
  readonly dialect: Dialect;
  readonly url: string;
  /** A directory of the test's own (holds the SQLite file). */
  readonly dir: string;
  cleanup(): Promise<void>;
}

/**
 * A fresh, empty database of `dialect`. `slot` gives a test a second independent PostgreSQL database.
 */
export async function createTestDatabase(dialect: Dialect, slot = 0): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), `servicedeck-${dialect}-`));
  const url =
    dialect === 'sqlite'
      ? `sqlite:${path.join(dir, 'servicedeck.db')}`
      : await ensurePostgresDatabase(workerDatabaseName(slot === 0 ? '' : `_${slot}`));
  return {
    dialect,
    url,
    dir,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
