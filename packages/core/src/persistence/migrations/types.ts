import type { QueryInterface, Transaction } from 'sequelize';

/** What a migration step receives: every call must pass `transaction`, so a failed step leaves nothing. */
export interface MigrationContext {
  readonly queryInterface: QueryInterface;
  readonly transaction: Transaction;
  readonly dialect: 'sqlite' | 'postgres';
}

/** One schema migration, written to run on SQLite and PostgreSQL alike. */
export interface Migration {
  /** Unique, sortable name (`0001-initial-schema`). */
  readonly name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}
