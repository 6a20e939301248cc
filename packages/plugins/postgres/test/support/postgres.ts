/** The machine's PostgreSQL for tests, and settings that give each test its own connections. */
import { createLogger, type LogRecord, normalizeMetadata, type ServiceContext } from '@servicedeck/core';
import pg from 'pg';
import { PostgresService } from '../../src/index.js';

/** The real server every test talks to (trust authentication, database `test`). */
export const PG_PORT = 5432;
export const ADMIN_URL =
  process.env.SERVICEDECK_TEST_PG_URL ?? `postgres://postgres@127.0.0.1:${PG_PORT}/test`;

let counter = 0;

/** An `application_name` no other test uses, to find this test's connections in pg_stat_activity. */
export function uniqueApplicationName(): string {
  counter += 1;
  return `sd-pg-${process.pid}-${counter}`;
}

/** Runs `work` with a connection of the administrator, closed afterwards. */
export async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, application_name: 'sd-pg-test-admin' });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** How many connections carrying `applicationName` the server has. */
export function backends(applicationName: string): Promise<number> {
  return withAdmin(async (admin) => {
    const { rows } = await admin.query<{ count: string }>(
      'SELECT count(*) FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return Number(rows[0]?.count);
  });
}

/** How many statements carrying `applicationName` the server is running now. */
export function runningQueries(applicationName: string): Promise<number> {
  return withAdmin(async (admin) => {
    const { rows } = await admin.query<{ count: string }>(
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
      [applicationName],
    );
    return Number(rows[0]?.count);
  });
}

/** Polls an asynchronous condition every 25 ms until it holds, or fails after `timeoutMs`. */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Ends every connection carrying `applicationName`, as a server restart or an administrator would. */
export function terminateBackends(applicationName: string): Promise<number> {
  return withAdmin(async (admin) => {
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return rowCount ?? 0;
  });
}

/** A service context whose logger records every line in `logs`. */
export function contextLoggingTo(logs: LogRecord[]): ServiceContext {
  const metadata = normalizeMetadata(new PostgresService().getMetadata(), 'test');
  const logger = createLogger({ level: 'debug', sink: (record) => logs.push(record) }).child({
    service: 'postgres',
  });
  return { id: 'postgres', metadata, logger };
}
