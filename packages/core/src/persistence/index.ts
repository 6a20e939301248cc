export { type CatalogEntry, CatalogStore, type CatalogSyncResult } from './catalog-store.js';
export { type Database, type DatabaseOptions, openDatabase, type Repositories } from './database.js';
export {
  type DatabaseLocation,
  DEFAULT_SQLITE_FILE,
  describeLocation,
  parseDatabaseUrl,
  redactUrl,
} from './database-url.js';
export { MIGRATIONS, type Migration, type MigrationContext } from './migrations/index.js';
export {
  MIGRATIONS_TABLE,
  type MigrationState,
  migrateDown,
  migrateUp,
  migrationStatus,
} from './migrator.js';
export {
  ApiToken,
  AuditLog,
  ChangeLog,
  HealthHistory,
  Instance,
  ServiceConfiguration,
  ServiceConfigVersion,
  ServiceRegistry,
} from './models/index.js';
