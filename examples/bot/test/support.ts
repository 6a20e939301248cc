/**
 * The machine's PostgreSQL for the bot's tests, reached through the postgres plugin itself: a database
 * of this test process's own, created and dropped here.
 */
import { checkConfig } from '@servicedeck/core';
import { POSTGRES_CONFIG_SCHEMA, PostgresService } from '@servicedeck/plugin-postgres';

export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;

/** A PostgresService on database `database` of the machine's server, enabled. */
export async function postgresOn(
  database: string,
  applicationName = 'sd-bot-test-admin',
): Promise<PostgresService> {
  const { config, problems } = checkConfig(
    POSTGRES_CONFIG_SCHEMA,
    { host: PG_HOST, port: PG_PORT, database, user: 'postgres', applicationName },
    'postgres',
  );
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  const service = new PostgresService();
  await service.updateConfig(config);
  await service.enable();
  return service;
}

/** Creates a database of this test process's own; the returned function drops it. */
export async function createDatabase(name: string): Promise<() => Promise<void>> {
  const admin = await postgresOn('test');
  try {
    await admin.client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.disable();
  }
  return async () => {
    const dropper = await postgresOn('test');
    try {
      await dropper.client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await dropper.disable();
    }
  };
}
