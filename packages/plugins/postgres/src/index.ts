/**
 * `@servicedeck/plugin-postgres`: a servicedeck service that owns the bot's PostgreSQL connection pool.
 * servicedeck discovers it through the `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */
export type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
export { POSTGRES_CONFIG_SCHEMA, type PostgresConfig, type PostgresSslMode } from './config.js';
export {
  describePostgresError,
  type PostgresFailure,
  type PostgresFailureContext,
  type PostgresFailureKind,
} from './errors.js';
export { PostgresService } from './postgres.service.js';
export { POSTGRES_PLUGIN_VERSION } from './version.js';
