import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, type LogRecord } from '@servicedeck/core';
import type { PostgresService } from '@servicedeck/plugin-postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, type RemindersService, shutdownOnSignals, startBot } from '../src/index.js';
import { createDatabase, PG_HOST, PG_PORT, postgresOn } from './support.js';

/** A database of this test process's own (dropped afterwards, or by the suite's clean-up if it dies). */
const DATABASE = `servicedeck_test_p${process.pid}_bot`;
const NOT_CONFIGURED = 'not configured: either url, or host and database, is required';

let dropDatabase: (() => Promise<void>) | undefined;
let admin: PostgresService | undefined;
const bots: Bot[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  dropDatabase = await createDatabase(DATABASE);
  admin = await postgresOn(DATABASE);
});
afterAll(async () => {
  await admin?.disable();
  await dropDatabase?.();
});
afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.shutdown();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

let counter = 0;

/** A registry of the test's own (a SQLite file and a key file in a temporary directory) and a table name. */
async function setUp(): Promise<{ dir: string; table: string; applicationName: string }> {
  counter += 1;
  const dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-bot-'));
  dirs.push(dir);
  return { dir, table: `reminders_t${counter}`, applicationName: `sd-bot-${process.pid}-${counter}` };
}

/** Starts the bot the way production does, with the environment of the test. */
async function start(dir: string, table: string, logs: LogRecord[] = []): Promise<Bot> {
  const bot = await startBot({
    cwd: dir,
    env: {
      SERVICEDECK_DATABASE_URL: `sqlite:${path.join(dir, 'registry.db')}`,
      // A setting of the bot's own service, given by the environment.
      SERVICEDECK_SVC_REMINDERS__TABLE: table,
    },
    logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
    health: { schedule: false },
  });
  bots.push(bot);
  return bot;
}

/** Points the bot's postgres service at the test database, as an operator would. */
function configurePostgres(bot: Bot, applicationName: string) {
  return bot.manager.updateConfig(
    'postgres',
    { host: PG_HOST, port: PG_PORT, database: DATABASE, user: 'postgres', applicationName },
    { actor: 'operator', adapter: 'test' },
  );
}

async function backends(applicationName: string): Promise<number> {
  const { rows } = await (admin as PostgresService).client.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  );
  return rows[0]?.count ?? -1;
}

describe('the example bot', () => {
  it('GIVEN postgres is not configured THEN reminders waits for it; configured THEN reminders starts, creates its table and works', async () => {
    const { dir, table, applicationName } = await setUp();
    const bot = await start(dir, table);
    const { manager } = bot;

    expect((await manager.listServices()).map((s) => s.id)).toEqual(['postgres', 'process', 'reminders']);
    expect(manager.problems).toEqual([]);
    expect(manager.getServiceInfo('postgres')).toMatchObject({
      type: 'external',
      status: 'inactive',
      statusMessage: NOT_CONFIGURED,
      source: expect.stringContaining('@servicedeck/plugin-postgres'),
    });
    expect(manager.getServiceInfo('reminders')).toMatchObject({
      type: 'internal',
      dependencies: ['postgres'],
      status: 'inactive',
      statusMessage: `waiting for "postgres" (${NOT_CONFIGURED})`,
      running: false,
      source: expect.stringContaining(path.join('src', 'services', 'reminders.service.ts')),
    });
    expect(() => manager.getService<RemindersService>('reminders')).toThrow(
      expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }),
    );

    expect((await configurePostgres(bot, applicationName)).applied).toBe('started');
    expect(manager.getServiceInfo('reminders')).toMatchObject({ running: true });
    expect(await manager.getConfig('reminders')).toMatchObject({ values: { table } });
    const { rows } = await (admin as PostgresService).client.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_name = $1',
      [table],
    );
    expect(rows).toEqual([{ name: table }]);

    const reminders = manager.getService<RemindersService>('reminders');
    const now = new Date();
    const past = await reminders.add({
      userId: 'u1',
      text: 'water the plants',
      dueAt: new Date(now.getTime() - 60_000),
    });
    const future = await reminders.add({
      userId: 'u1',
      text: 'stand-up',
      dueAt: new Date(now.getTime() + 3_600_000),
    });
    expect(past).toEqual({
      id: expect.any(Number),
      userId: 'u1',
      text: 'water the plants',
      dueAt: new Date(now.getTime() - 60_000),
      createdAt: expect.any(Date),
      completedAt: null,
    });
    expect((await reminders.due(now)).map((r) => r.id)).toEqual([past.id]);
    expect((await reminders.pendingFor('u1')).map((r) => r.text)).toEqual(['water the plants', 'stand-up']);

    const overdue = await manager.checkHealth('reminders', { fresh: true });
    expect(overdue.status).toBe('active');
    expect(overdue.message).toMatch(
      /^2 pending; warning: 1 overdue, the oldest due (\d{2}:\d{2}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC; counted in \d+ ms$/,
    );

    expect(await reminders.complete(past.id)).toBe(true);
    expect(await reminders.complete(past.id)).toBe(false);
    expect(await reminders.due(now)).toEqual([]);
    expect((await reminders.pendingFor('u1')).map((r) => r.id)).toEqual([future.id]);
    expect(await manager.checkHealth('reminders', { fresh: true })).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/^1 pending; counted in \d+ ms$/),
    });
  });

  it('GIVEN reminders is enabled again THEN its table and data are kept; GIVEN its table is gone THEN its check is an error in words', async () => {
    const { dir, table, applicationName } = await setUp();
    const bot = await start(dir, table);
    const { manager } = bot;
    await configurePostgres(bot, applicationName);
    await manager
      .getService<RemindersService>('reminders')
      .add({ userId: 'u2', text: 'keep me', dueAt: new Date(Date.now() + 60_000) });

    const actor = { actor: 'operator', adapter: 'test' };
    await manager.disableService('reminders', actor);
    expect(manager.getServiceInfo('reminders')).toMatchObject({
      status: 'inactive',
      statusMessage: 'disabled',
    });
    await manager.enableService('reminders', actor);
    const reminders = manager.getService<RemindersService>('reminders');
    expect((await reminders.pendingFor('u2')).map((r) => r.text)).toEqual(['keep me']);

    await (admin as PostgresService).client.query(`DROP TABLE "${table}"`);
    expect(await manager.checkHealth('reminders', { fresh: true })).toMatchObject({
      status: 'error',
      message: `table "${table}" unreachable: relation "${table}" does not exist (42P01)`,
    });
  });

  it('GIVEN postgres is disabled THEN it is refused while reminders depends on it, and with cascade both stop, reminders first', async () => {
    const { dir, table, applicationName } = await setUp();
    const bot = await start(dir, table);
    const { manager } = bot;
    await configurePostgres(bot, applicationName);
    await manager
      .getService<RemindersService>('reminders')
      .add({ userId: 'u3', text: 'survive', dueAt: new Date(Date.now() + 60_000) });
    expect(await backends(applicationName)).toBeGreaterThan(0);

    const actor = { actor: 'operator', adapter: 'test' };
    await expect(manager.disableService('postgres', actor)).rejects.toMatchObject({
      code: 'SD_ERR_DEPENDENTS_ENABLED',
      message: expect.stringMatching(
        /^Cannot disable "postgres": "reminders" depends on it and is enabled\./,
      ),
      details: { dependents: ['reminders'] },
    });
    expect(manager.getServiceInfo('reminders').running).toBe(true);

    const result = await manager.disableService('postgres', { ...actor, cascade: true });
    expect(result.outcomes.map((o) => [o.serviceId, o.action, o.result])).toEqual([
      ['reminders', 'disable', 'ok'],
      ['postgres', 'disable', 'ok'],
    ]);
    for (const id of ['reminders', 'postgres']) {
      expect(manager.getServiceInfo(id)).toMatchObject({
        status: 'inactive',
        statusMessage: 'disabled',
        running: false,
      });
      expect(manager.isEnabled(id)).toBe(false);
    }
    expect(() => manager.getService('reminders')).toThrow(
      expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }),
    );
    expect(await backends(applicationName)).toBe(0);

    const enabled = await manager.enableService('reminders', { ...actor, withDependencies: true });
    expect(enabled.outcomes.map((o) => [o.serviceId, o.result])).toEqual([
      ['postgres', 'ok'],
      ['reminders', 'ok'],
    ]);
    const reminders = manager.getService<RemindersService>('reminders');
    expect((await reminders.pendingFor('u3')).map((r) => r.text)).toEqual(['survive']);
  });

  it('GIVEN SIGTERM THEN the bot stops every service and closes its pool; started again, it finds its settings in the registry', async () => {
    const { dir, table, applicationName } = await setUp();
    const logs: LogRecord[] = [];
    const bot = await start(dir, table, logs);
    await configurePostgres(bot, applicationName);
    const signals = new EventEmitter();
    shutdownOnSignals(bot, signals);

    signals.emit('SIGTERM');
    await bot.shutdown();
    expect(bot.manager.state).toBe('stopped');
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(await backends(applicationName)).toBe(0);
    const stops = logs.filter((r) => r.message === 'service stopped').map((r) => r.fields.service);
    expect(stops.indexOf('reminders')).toBeLessThan(stops.indexOf('postgres'));

    const again = await start(dir, table);
    expect(again.manager.getServiceInfo('postgres').running).toBe(true);
    expect(again.manager.getServiceInfo('reminders').running).toBe(true);
    expect(await again.manager.getService<RemindersService>('reminders').due()).toEqual([]);
  });
});
