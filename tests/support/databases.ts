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

function workerDatabaseName(suffix = ''): string {
  return `servicedeck_test_w${process.env.VITEST_POOL_ID ?? '0'}${suffix}`;
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
