/**
 * `servicedeck db status` and `servicedeck db migrate`: which schema migrations the database has, and
 * applying the pending ones (each in its own transaction, under a lock shared with every other process).
 */
import { existsSync } from 'node:fs';
import {
  type Database,
  describeLocation,
  type MigrationState,
  migrateUp,
  migrationStatus,
  openDatabase,
  parseDatabaseUrl,
} from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { withProgress } from '../output/progress.js';
import { renderTable } from '../output/table.js';

/** Options of the `db` commands. */
export interface DbOptions {
  readonly json?: boolean;
}

/** The documented `--json` shape of `db status` and `db migrate`. */
export interface DbJson {
  readonly database: string;
  readonly migrations: MigrationState[];
  readonly pending: number;
  /** `db migrate` only: the migrations it applied now. */
  readonly applied?: string[];
}

async function open(context: CommandContext, mustExist: boolean): Promise<Database> {
  const { settings, io, logger } = context;
  const location = parseDatabaseUrl(settings.database, io.cwd);
  if (mustExist && location.dialect === 'sqlite' && !existsSync(location.storage)) {
    throw new CliError(
      `There is no database at ${location.storage}: nothing to report. Create it with servicedeck db migrate (or servicedeck up), or pass --database.`,
      EXIT.failed,
    );
  }
  return openDatabase({ url: settings.database, cwd: io.cwd, logger, migrate: false });
}

function render(context: CommandContext, json: DbJson): void {
  const { style } = context;
  context.print(`Database: ${json.database}`);
  context.print(
    renderTable(
      ['MIGRATION', 'STATE'],
      json.migrations.map((m) => [
        m.name,
        m.applied ? style('green', 'applied') : style('yellow', 'pending'),
      ]),
      (head) => style('bold', head),
    ),
  );
}

/** Prints every migration and whether it is applied; exit 0 either way. */
export async function dbStatus(context: CommandContext, options: DbOptions = {}): Promise<number> {
  const database = await open(context, true);
  try {
    const migrations = await migrationStatus(database.sequelize);
    const pending = migrations.filter((m) => !m.applied).length;
    const json: DbJson = { database: describeLocation(database.location), migrations, pending };
    if (options.json) {
      context.print(JSON.stringify(json, null, 2));
      return EXIT.ok;
    }
    render(context, json);
    context.print(
      pending === 0
        ? '\nUp to date.'
        : `\n${pending} pending migration${pending === 1 ? '' : 's'}: run servicedeck db migrate (servicedeck up also applies them).`,
    );
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

/** Applies the pending migrations and prints what was applied. */
export async function dbMigrate(context: CommandContext, options: DbOptions = {}): Promise<number> {
  const database = await open(context, false);
  try {
    const applied = await withProgress(context, 'migrating…', () =>
      migrateUp(database.sequelize, context.logger),
    );
    const migrations = await migrationStatus(database.sequelize);
    const json: DbJson = {
      database: describeLocation(database.location),
      migrations,
      pending: migrations.filter((m) => !m.applied).length,
      applied,
    };
    if (options.json) {
      context.print(JSON.stringify(json, null, 2));
      return EXIT.ok;
    }
    render(context, json);
    context.print(
      applied.length === 0
        ? '\nAlready up to date: nothing applied.'
        : `\nApplied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.`,
    );
    return EXIT.ok;
  } finally {
    await database.close();
  }
}
