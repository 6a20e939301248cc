import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../../tests/support/databases.js';
import { silentLogger } from '../../src/logger.js';
import { type Database, openDatabase } from '../../src/persistence/database.js';
import { MIGRATIONS_TABLE, migrateDown, migrateUp, migrationStatus } from '../../src/persistence/migrator.js';

const TABLES = [
  'api_token',
  'audit_log',
  'change_log',
  'health_history',
  'service_config_version',
  'service_configuration',
  'service_registry',
  'servicedeck_instance',
];

async function tableNames(db: Database): Promise<string[]> {
  const names = (await db.sequelize.getQueryInterface().showAllTables()) as (
    | string
    | { tableName: string }
  )[];
  return names
    .map((n) => (typeof n === 'string' ? n : n.tableName))
    .filter((n) => n !== MIGRATIONS_TABLE)
    .sort();
}

async function indexNames(db: Database, table: string): Promise<string[]> {
  const indexes = (await db.sequelize.getQueryInterface().showIndex(table)) as { name: string }[];
  return indexes.map((i) => i.name).sort();
}

describe.each(DIALECTS)('migrations on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await testDb?.cleanup();
    db = undefined;
  });

  it.skipIf(skip)('GIVEN an empty database THEN opening it creates every table, key and index', async () => {
    testDb = await createTestDatabase(dialect);
    db = await openDatabase({ url: testDb.url });
    expect(await tableNames(db)).toEqual(TABLES);
    expect(await indexNames(db, 'service_configuration')).toEqual(
      expect.arrayContaining(['idx_service_config_service', 'uq_service_config']),
    );
    expect(await migrationStatus(db.sequelize)).toEqual([
      { name: '0001-initial-schema', applied: true },
      { name: '0002-api-tokens', applied: true },
    ]);
  });

  it.skipIf(skip)(
    'GIVEN a migrated database THEN migrating again changes nothing and keeps the data',
    async () => {
      testDb = await createTestDatabase(dialect);
      db = await openDatabase({ url: testDb.url });
      await db.repos.registry.create({ id: 'kept', name: 'Kept', serviceType: 'internal', metadata: {} });
      await db.close();
      db = await openDatabase({ url: testDb.url });
      expect(await migrateUp(db.sequelize, silentLogger)).toEqual([]);
      expect((await db.repos.registry.findAll()).map((r) => r.id)).toEqual(['kept']);
    },
  );

  it.skipIf(skip)(
    'GIVEN two processes migrating the same empty database at once THEN both succeed and it migrates once',
    async () => {
      testDb = await createTestDatabase(dialect);
      const url = testDb.url;
      const [a, b] = await Promise.all([openDatabase({ url }), openDatabase({ url })]);
      try {
        const rows = await a.sequelize.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`, {
          type: QueryTypes.SELECT,
        });
        expect(rows).toEqual([{ name: '0001-initial-schema' }, { name: '0002-api-tokens' }]);
      } finally {
        await a.close();
        await b.close();
      }
    },
  );

  it.skipIf(skip)(
    'GIVEN the unique key THEN a second value for the same service and key is refused',
    async () => {
      testDb = await createTestDatabase(dialect);
      db = await openDatabase({ url: testDb.url });
      await db.repos.registry.create({ id: 'svc', name: 'Svc', serviceType: 'internal', metadata: {} });
      await db.repos.configuration.create({ serviceId: 'svc', configKey: 'url', configValue: '"a"' });
      await expect(
        db.repos.configuration.create({ serviceId: 'svc', configKey: 'url', configValue: '"b"' }),
      ).rejects.toThrow();
      await db.repos.registry.destroy({ where: { id: 'svc' } });
      expect(await db.repos.configuration.count()).toBe(0);
    },
  );

  it.skipIf(skip)(
    'GIVEN a migration reverted THEN the tables are gone and migrating up restores them',
    async () => {
      testDb = await createTestDatabase(dialect);
      db = await openDatabase({ url: testDb.url });
      expect(await migrateDown(db.sequelize, silentLogger)).toEqual(['0002-api-tokens']);
      expect(await tableNames(db)).toEqual(TABLES.filter((t) => t !== 'api_token'));
      expect(await migrateDown(db.sequelize, silentLogger)).toEqual(['0001-initial-schema']);
      expect(await tableNames(db)).toEqual([]);
      expect(await migrateUp(db.sequelize, silentLogger)).toEqual(['0001-initial-schema', '0002-api-tokens']);
      expect(await tableNames(db)).toEqual(TABLES);
    },
  );
});

describe('redactUrl', () => {
  it('GIVEN a URL with a password anywhere THEN the password is hidden and the rest kept', async () => {
    const { redactUrl } = await import('../../src/persistence/database-url.js');
    expect(redactUrl('postgres://bot:s3cr@t@db:5432/bot')).toBe('postgres://bot:***@db:5432/bot');
    expect(redactUrl('postgres://db/bot?user=bot&password=hunter2&sslmode=require')).toBe(
      'postgres://db/bot?user=bot&password=***&sslmode=require',
    );
    expect(redactUrl('sqlite:servicedeck.db')).toBe('sqlite:servicedeck.db');
  });
});

describe('openDatabase errors', () => {
  it('GIVEN an unsupported URL scheme THEN it says which forms are accepted', async () => {
    await expect(openDatabase({ url: 'mysql://root@localhost/db' })).rejects.toMatchObject({
      code: 'SD_ERR_DATABASE_URL_INVALID',
      message:
        'Database URL "mysql://root@localhost/db" is invalid: the scheme "mysql" is not supported. Use a SQLite file path (sqlite:servicedeck.db) or a PostgreSQL URL (postgres://user@host:5432/db).',
    });
  });

  it('GIVEN PostgreSQL that does not answer THEN the error names the server, hides the password and says what to check', async () => {
    const error = await openDatabase({ url: 'postgres://bot:hunter2@127.0.0.1:1/servicedeck' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'SD_ERR_DATABASE_UNAVAILABLE',
      details: { url: 'postgres://bot:***@127.0.0.1:1/servicedeck' },
    });
    expect((error as Error).message).toMatch(
      /^Cannot open the database \(PostgreSQL 127\.0\.0\.1:1\/servicedeck\): .*ECONNREFUSED.*\. Check that PostgreSQL is running and the URL, user and password are right\.$/,
    );
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('GIVEN a SQLite path whose directory cannot be created THEN the error names the path and what to do', async () => {
    const testDb = await createTestDatabase('sqlite');
    try {
      const blocker = path.join(testDb.dir, 'a-file');
      await writeFile(blocker, 'not a directory');
      const storage = path.join(blocker, 'servicedeck.db');
      const error = await openDatabase({ url: `sqlite:${storage}` }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SD_ERR_DATABASE_UNAVAILABLE' });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Cannot create the directory of the database \\(SQLite ${storage}\\): EEXIST: file already exists, mkdir .*Choose a path in a writable directory\\.$`,
        ),
      );
    } finally {
      await testDb.cleanup();
    }
  });
});
