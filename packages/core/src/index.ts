/**
 * `@servicedeck/core`: the service registry of servicedeck. It knows nothing of Discord, terminals or HTTP;
 * adapters call the {@link ServiceRegistryManager} facade.
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { BaseService } from './base-service.js';
export {
  describeSource,
  type DiscoveryProblem,
  type ServiceClass,
  type ServiceDefinition,
  type ServiceSource,
} from './definition.js';
export {
  discoverServices,
  type DiscoveredFile,
  type DiscoveryOptions,
  type DiscoveryResult,
} from './discovery/discovery.js';
export { findPluginPackages, type PluginMarker, type PluginPackage } from './discovery/plugin-packages.js';
export {
  ERROR_CODES,
  ServiceDeckError,
  describeError,
  isServiceDeckError,
  type ErrorCategory,
  type ErrorCode,
  type ErrorDetails,
  type ServiceDeckErrorOptions,
} from './errors.js';
export { checkDependencyGraph, dependentsOf, type GraphCheck } from './graph.js';
export { SERVICE_CONTEXT, serviceToken, type ServiceContext } from './injection.js';
export {
  createLogger,
  silentLogger,
  type LogFields,
  type LogLevel,
  type LogRecord,
  type LogSink,
  type Logger,
  type LoggerOptions,
} from './logger.js';
export {
  ServiceRegistryManager,
  type DiscoveryReport,
  type ListServicesFilter,
  type ManagerState,
  type ServiceRegistryManagerOptions,
  type ServiceSummary,
} from './manager.js';
export {
  DEFAULT_HEALTH_CHECK,
  MIN_HEALTH_CHECK_INTERVAL_MS,
  SERVICE_ID_PATTERN,
  SERVICE_METADATA,
  Service,
  getDeclaredMetadata,
  normalizeMetadata,
} from './metadata.js';
export {
  CatalogStore,
  DEFAULT_SQLITE_FILE,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  describeLocation,
  migrateDown,
  migrateUp,
  migrationStatus,
  openDatabase,
  parseDatabaseUrl,
  redactUrl,
  type CatalogEntry,
  type CatalogSyncResult,
  type Database,
  type DatabaseLocation,
  type DatabaseOptions,
  type MigrationState,
} from './persistence/index.js';
export { checkConfig, compileConfigSchema, type ConfigCheck, type ConfigProblem } from './schema.js';
export {
  SERVICE_STATUSES,
  SERVICE_TYPES,
  ServiceStatus,
  ServiceType,
  type ConfigSchema,
  type HealthCheckResult,
  type HealthCheckSettings,
  type JsonObject,
  type JsonValue,
  type ServiceInterface,
  type ServiceMetadata,
  type ServiceMetadataInput,
} from './types.js';
export { inject, injectable } from 'tsyringe';
