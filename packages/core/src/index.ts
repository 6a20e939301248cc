/**
 * `@servicedeck/core`: the service registry of servicedeck. It knows nothing of Discord, terminals or HTTP;
 * adapters call the {@link ServiceRegistryManager} facade.
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { inject, injectable } from 'tsyringe';
export { BaseService } from './base-service.js';
export {
  NOT_RUN_YET,
  type RegistryProcesses,
  type RegistrySnapshot,
  readCatalog,
  readRegistry,
} from './catalog-reader.js';
export {
  type ConfigApplied,
  type ConfigChangeOptions,
  type ConfigField,
  type ConfigSource,
  type ConfigUpdateResult,
  Configuration,
  type ConfigVersionEntry,
  type ServiceConfigView,
} from './config/configuration.js';
export { type ConfigChange, envVarName, REDACTED, secretKeys } from './config/fields.js';
export { DEFAULT_KEY_FILE, generateKey, KEY_ENV, Keyring, type KeySource, keyId } from './config/keyring.js';
export {
  type DiscoveryProblem,
  describeSource,
  type ServiceClass,
  type ServiceDefinition,
  type ServiceSource,
} from './definition.js';
export {
  type DiscoveredFile,
  type DiscoveryOptions,
  type DiscoveryResult,
  discoverServices,
} from './discovery/discovery.js';
export { findPluginPackages, type PluginMarker, type PluginPackage } from './discovery/plugin-packages.js';
export {
  describeError,
  ERROR_CODES,
  type ErrorCategory,
  type ErrorCode,
  type ErrorDetails,
  isServiceDeckError,
  ServiceDeckError,
  type ServiceDeckErrorOptions,
} from './errors.js';
export { checkDependencyGraph, type GraphCheck } from './graph.js';
export { HealthMonitor, type HealthMonitorOptions } from './health/monitor.js';
export { Semaphore } from './health/semaphore.js';
export { applyOutcome, type CheckOutcome, outcomeOf, type ThresholdState } from './health/thresholds.js';
export type {
  HealthCheckRecord,
  HealthEvents,
  HealthTarget,
  ServiceHealth,
  StatusChange,
} from './health/types.js';
export { SERVICE_CONTEXT, type ServiceContext, serviceToken } from './injection.js';
export type { LifecyclePlan, PlanStep } from './lifecycle/plan.js';
export {
  RELOAD_QUERY,
  RELOAD_STAGES,
  type ReloadDependent,
  type ReloadResult,
  type ReloadStage,
} from './lifecycle/reload.js';
export {
  ServiceWatcher,
  type ServiceWatcherEvents,
  type ServiceWatcherOptions,
} from './lifecycle/watcher.js';
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogRecord,
  type LogSink,
  silentLogger,
} from './logger.js';
export {
  type CheckHealthOptions,
  type ConfigOptions,
  type DiscoveryReport,
  type HealthOptions,
  type LifecycleOptions,
  type LifecycleOutcome,
  type LifecycleResult,
  type ListServicesFilter,
  type ManagerEvents,
  type ManagerMode,
  type ManagerState,
  ServiceRegistryManager,
  type ServiceRegistryManagerOptions,
  type ServiceSummary,
} from './manager.js';
export {
  DEFAULT_HEALTH_CHECK,
  getDeclaredMetadata,
  MIN_HEALTH_CHECK_INTERVAL_MS,
  normalizeMetadata,
  SERVICE_ID_PATTERN,
  SERVICE_METADATA,
  Service,
} from './metadata.js';
export {
  type Actor,
  type AuditEntry,
  type AuditFilter,
  type AuditResult,
  actorOf,
} from './persistence/audit-store.js';
export { CHANGE_CHANNEL, type Change, type ChangeKind } from './persistence/changes.js';
export {
  DEFAULT_HEALTH_RETENTION,
  type HealthHistoryOptions,
  HealthHistoryStore,
  type HealthRetention,
  type Uptime,
} from './persistence/health-store.js';
export {
  type CatalogEntry,
  CatalogStore,
  type CatalogSyncResult,
  type Database,
  type DatabaseLocation,
  type DatabaseOptions,
  DEFAULT_SQLITE_FILE,
  describeLocation,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  type MigrationState,
  migrateDown,
  migrateUp,
  migrationStatus,
  openDatabase,
  parseDatabaseUrl,
  redactUrl,
} from './persistence/index.js';
export type { InstanceInfo } from './persistence/instance-store.js';
export {
  API_TOKEN_PREFIX,
  type ApiTokenInfo,
  type ApiTokenScope,
  type CreatedApiToken,
  LOGIN_TOKEN_PREFIX,
} from './persistence/token-store.js';
export {
  PROCESS_SERVICE_ID,
  type ProcessHealthConfig,
  ProcessHealthService,
} from './process-health.service.js';
export { type ConfigCheck, type ConfigProblem, checkConfig, compileConfigSchema } from './schema.js';
export {
  CONFIG_FILE_NAME,
  DISCORD_ENV,
  type DiscordAllowlist,
  type DiscordSettings,
  resolveSettings,
  SETTINGS_ENV,
  type ServiceDeckSettings,
  type SettingOrigin,
  type SettingOverrides,
  WEB_ENV,
  type WebSettings,
} from './settings.js';
export { ChangeFeed, type ChangeFeedOptions } from './sync/change-feed.js';
export {
  type ConfigSchema,
  type DependencyReloadPolicy,
  type HealthCheckResult,
  type HealthCheckSettings,
  type JsonObject,
  type JsonValue,
  SERVICE_STATUSES,
  SERVICE_TYPES,
  type ServiceInterface,
  type ServiceMetadata,
  type ServiceMetadataInput,
  ServiceStatus,
  ServiceType,
} from './types.js';
export { SERVICEDECK_VERSION } from './version.js';
