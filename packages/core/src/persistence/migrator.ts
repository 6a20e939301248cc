/**
 * Runs the schema migrations with umzug. Each migration runs in its own transaction together with the
 * record that it ran, so a failed migration leaves nothing behind; on PostgreSQL an advisory lock keeps
 * two processes from migrating at once, and on SQLite the immediate transaction does.
 */

import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { Umzug, type UmzugStorage } from 'umzug';
import { describeError, ServiceDeckError } from '../errors.js';
import type { Logger } from '../logger.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** The table that records which migrations ran. */
export const MIGRATIONS_TABLE = 'servicedeck_migrations';

/** Arbitrary constant identifying servicedeck's migration lock among PostgreSQL advisory locks. */
const ADVISORY_LOCK_KEY = 727_263_001;

/** The state of one migration. */
export interface MigrationState {
  readonly name: string;
  readonly applied: boolean;
}

async function ensureMigrationsTable(sequelize: Sequelize): Promise<void> {
  await sequelize.getQueryInterface().createTable(MIGRATIONS_TABLE, {
    name: { type: 'VARCHAR(255)', primaryKey: true, allowNull: false },
    applied_at: {
      type: sequelize.getDialect() === 'postgres' ? 'TIMESTAMPTZ' : 'DATETIME',
      allowNull: false,
    },
  });
}

async function appliedNames(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`, {
    type: QueryTypes.SELECT,
  });
  return rows.map((row) => row.name);
}

function storageFor(sequelize: Sequelize): UmzugStorage {
  return {
    // Recording happens inside the migration's own transaction (see `runInTransaction`).
    async logMigration() {},
    async unlogMigration({ name }) {
      await sequelize.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = :name`, { replacements: { name } });
    },
    executed: () => appliedNames(sequelize),
  };
}

async function runInTransaction(sequelize: Sequelize, migration: Migration, logger: Logger): Promise<void> {
  const dialect = sequelize.getDialect() === 'postgres' ? 'postgres' : 'sqlite';
  await sequelize.transaction(async (transaction) => {
    // Another process may have applied it between the pending check and this transaction.
    const [row] = await sequelize.query(`SELECT name FROM ${MIGRATIONS_TABLE} WHERE name = :name`, {
      replacements: { name: migration.name },
      type: QueryTypes.SELECT,
      transaction,
    });
    if (row) return;
    await migration.up({ queryInterface: sequelize.getQueryInterface(), transaction, dialect });
    await sequelize.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, applied_at) VALUES (:name, :at)`, {
      replacements: { name: migration.name, at: new Date() },
      transaction,
    });
    logger.info('migration applied', { migration: migration.name });
  });
}

function createUmzug(sequelize: Sequelize, logger: Logger): Umzug<Record<string, never>> {
  return new Umzug({
    migrations: MIGRATIONS.map((migration) => ({
      name: migration.name,
      up: () => runInTransaction(sequelize, migration, logger),
      down: () =>
        sequelize.transaction(async (transaction) => {
          const dialect = sequelize.getDialect() === 'postgres' ? 'postgres' : 'sqlite';
          await migration.down({ queryInterface: sequelize.getQueryInterface(), transaction, dialect });
        }),
    })),
    context: {},
    storage: storageFor(sequelize),
    logger: undefined,
  });
}

async function withMigrationLock<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'postgres') return work();
  // A session-level lock held on one dedicated pooled connection while the migrations run on others.
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options: object): Promise<{ query(sql: string): Promise<unknown> }>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = await manager.getConnection({ type: 'write' });
  try {
    await connection.query(`SELECT pg_advisory_lock(${ADVISORY_LOCK_KEY})`);
    try {
      return await work();
    } finally {
      await connection.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`);
    }
  } finally {
    await manager.releaseConnection(connection);
  }
}

/**
 * Applies every pending migration. Idempotent: on a migrated database it does nothing.
 *
 * @returns the names of the migrations applied by this call.
 * @throws ServiceDeckError `SD_ERR_MIGRATION_FAILED` naming the migration and the database's reason.
 */
export async function migrateUp(sequelize: Sequelize, logger: Logger): Promise<string[]> {
  try {
    return await withMigrationLock(sequelize, async () => {
      await ensureMigrationsTable(sequelize);
      const applied = await createUmzug(sequelize, logger).up();
      return applied.map((m) => m.name);
    });
  } catch (error) {
    const failed = (error as { migration?: { name?: string } }).migration?.name;
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw new ServiceDeckError(
      'SD_ERR_MIGRATION_FAILED',
      `Database migration ${failed ? `"${failed}" ` : ''}failed: ${describeError(cause)}; the database was left as it was before it.`,
      { cause: error, details: failed ? { migration: failed } : {}, hint: 'Fix the cause and start again.' },
    );
  }
}

/** Reverts the last `count` applied migrations (for maintenance and tests). */
export async function migrateDown(sequelize: Sequelize, logger: Logger, count = 1): Promise<string[]> {
  return withMigrationLock(sequelize, async () => {
    await ensureMigrationsTable(sequelize);
    const reverted = await createUmzug(sequelize, logger).down({ step: count });
    return reverted.map((m) => m.name);
  });
}

/** Every known migration and whether it was applied. Reads only: a new database has every one pending. */
export async function migrationStatus(sequelize: Sequelize): Promise<MigrationState[]> {
  const tables = (await sequelize.getQueryInterface().showAllTables()).map((table) =>
    typeof table === 'string' ? table : (table as { tableName: string }).tableName,
  );
  const applied = new Set(tables.includes(MIGRATIONS_TABLE) ? await appliedNames(sequelize) : []);
  return MIGRATIONS.map((m) => ({ name: m.name, applied: applied.has(m.name) }));
}
