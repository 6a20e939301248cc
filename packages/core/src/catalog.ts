/**
 * `@servicedeck/core/catalog`: the parts of core that load in a few milliseconds — reading the catalog
 * with the bare database driver, settings, logging, errors and the vocabulary — for tools that must answer
 * at once (`servicedeck list`). It imports neither the ORM, the dependency container nor any service.
 *
 * @packageDocumentation
 */
export {
  NOT_RUN_YET,
  type RegistryProcesses,
  type RegistrySnapshot,
  readCatalog,
  readRegistry,
} from './catalog-reader.js';
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
export type { CatalogEntry } from './persistence/catalog-store.js';
export {
  type DatabaseLocation,
  describeLocation,
  parseDatabaseUrl,
  redactUrl,
} from './persistence/database-url.js';
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
export {
  type JsonObject,
  type JsonValue,
  SERVICE_STATUSES,
  SERVICE_TYPES,
  ServiceStatus,
  ServiceType,
} from './types.js';
export { SERVICEDECK_VERSION } from './version.js';
