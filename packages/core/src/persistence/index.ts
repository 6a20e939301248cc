export { CatalogStore, type CatalogEntry, type CatalogSyncResult } from './catalog-store.js';
export { openDatabase, type Database, type DatabaseOptions, type Repositories } from './database.js';
export {
  DEFAULT_SQLITE_FILE,
  describeLocation,
  parseDatabaseUrl,
  redactUrl,
  type DatabaseLocation,
} from './database-url.js';
export { MIGRATIONS_TABLE, migrateDown, migrateUp, migrationStatus, type MigrationState } from './migrator.js';
export { MIGRATIONS, type Migration, type MigrationContext } from './migrations/index.js';
export {
  AuditLog,
  ChangeLog,
  HealthHistory,
  Instance,
  ServiceConfigVersion,
  ServiceConfiguration,
  ServiceRegistry,
} from './models/index.js';
