/**
 * The vocabulary of servicedeck: service types, statuses, metadata and the interface every managed
 * service implements.
 */

/** How a service relates to the bot. */
export const ServiceType = {
  /** Built into the bot (moderation, hot reload, emoji manager…). */
  Internal: 'internal',
  /** A third-party integration (Sentry, GitHub, Redis…). */
  External: 'external',
  /** A thin wrapper around an external API (Godbolt, TLDR…). */
  Wrapper: 'wrapper',
} as const;
/** One of {@link ServiceType}'s values. */
export type ServiceType = (typeof ServiceType)[keyof typeof ServiceType];
/** Every service type, in display order. */
export const SERVICE_TYPES: readonly ServiceType[] = Object.values(ServiceType);

/** The observed operational status of a service in this process. */
export const ServiceStatus = {
  /** Running and healthy. */
  Active: 'active',
  /** Disabled, not configured, or waiting for a dependency. */
  Inactive: 'inactive',
  /** Failed to start or failing its health checks. */
  Error: 'error',
  /** Not determined yet. */
  Unknown: 'unknown',
} as const;
/** One of {@link ServiceStatus}'s values. */
export type ServiceStatus = (typeof ServiceStatus)[keyof typeof ServiceStatus];
/** Every service status. */
export const SERVICE_STATUSES: readonly ServiceStatus[] = Object.values(ServiceStatus);

/** A JSON value, as stored in configuration and metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** A JSON Schema (draft 2020-12) document describing a service's configuration. */
export type ConfigSchema = { [key: string]: unknown };

/** How and how often a service is health-checked. All fields are optional in metadata. */
export interface HealthCheckSettings {
  /** Milliseconds between scheduled checks (default 30 000, minimum 1 000). */
  readonly intervalMs: number;
  /** Milliseconds after which a check counts as failed (default 5 000). */
  readonly timeoutMs: number;
  /** Consecutive failures before the status turns `error` (default 3). */
  readonly failureThreshold: number;
  /** Consecutive successes before the status returns to `active` (default 1). */
  readonly successThreshold: number;
}

/** The metadata a service declares, before defaults are applied. */
export interface ServiceMetadataInput {
  /**
   * Unique id: lowercase letters and digits, in words joined by single dashes or underscores, starting
   * with a letter (`github`, `redis-cache`, `wolfram_alpha`).
   */
  readonly id: string;
  /** Human-readable name. */
  readonly name: string;
  /** What the service does, in one or two sentences. */
  readonly description?: string;
  /** How the service relates to the bot. */
  readonly type: ServiceType;
  /** The service's version (semver recommended). */
  readonly version?: string | null;
  /** Ids of services this one needs running first. */
  readonly dependencies?: readonly string[];
  /** JSON Schema (2020-12) of the service's configuration. */
  readonly configSchema?: ConfigSchema | null;
  /** Health-check settings; unset fields take the defaults. */
  readonly healthCheck?: Partial<HealthCheckSettings>;
  /** Free-form labels for filtering (`"database"`, `"core"`). */
  readonly tags?: readonly string[];
  /** Whether configuration changes can be applied without a restart (default true). */
  readonly liveConfig?: boolean;
  /** Whether the service starts enabled the first time it is discovered (default true). */
  readonly enabledByDefault?: boolean;
  /**
   * What happens to this service when one of its dependencies is reloaded (default `restart`):
   * `restart` stops it before the dependency is replaced and starts it again with the new instance
   * injected; `notify` keeps it running and calls its `dependencyReloaded()` with the new instance.
   */
  readonly onDependencyReload?: DependencyReloadPolicy;
}

/** How a service follows the reload of one of its dependencies; see `onDependencyReload`. */
export type DependencyReloadPolicy = 'restart' | 'notify';

/** Validated service metadata with every default applied. Plain data, never behaviour. */
export interface ServiceMetadata {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly type: ServiceType;
  readonly version: string | null;
  readonly dependencies: readonly string[];
  readonly configSchema: ConfigSchema | null;
  readonly healthCheck: HealthCheckSettings;
  readonly tags: readonly string[];
  readonly liveConfig: boolean;
  readonly enabledByDefault: boolean;
  readonly onDependencyReload: DependencyReloadPolicy;
}

/** What a health check found. A bare {@link ServiceStatus} is accepted as shorthand. */
export interface HealthCheckResult {
  /** The status the check observed. */
  readonly status: ServiceStatus;
  /** A short explanation in words an operator understands ("connection refused"). */
  readonly message?: string;
  /** Extra facts worth showing (server version, remaining quota…). */
  readonly details?: Readonly<Record<string, JsonValue>>;
}

/**
 * The protocol every service managed by servicedeck implements. Methods may be synchronous or return
 * promises. See `BaseService` for a class with sensible defaults.
 */
export interface ServiceInterface {
  /**
   * Checks the service's health. Throwing counts as a failed check with the error's message; a check
   * that outlasts its timeout counts as failed, and `signal` aborts then so the check can stop its work.
   */
  healthCheck(
    signal?: AbortSignal,
  ): Promise<HealthCheckResult | ServiceStatus> | HealthCheckResult | ServiceStatus;
  /** Returns the service's metadata. */
  getMetadata(): ServiceMetadata | ServiceMetadataInput;
  /** Starts the service: connect, create clients, schedule work. */
  enable(): Promise<void> | void;
  /** Stops the service: close clients, clear timers. Must leave nothing running. */
  disable(): Promise<void> | void;
  /** Returns the configuration the service is currently using. */
  getConfig(): Promise<JsonObject> | JsonObject;
  /**
   * Applies a complete, validated configuration. Called with the effective configuration before the
   * first `enable()` and again on every accepted change.
   */
  updateConfig(config: JsonObject): Promise<void> | void;
  /**
   * Called, when the metadata says `onDependencyReload: 'notify'`, after the dependency `id` was reloaded
   * (or restored after a failed reload): drop every reference to the old instance and use `instance`.
   * A service that declares `notify` without this method is restarted instead.
   */
  dependencyReloaded?(id: string, instance: ServiceInterface): Promise<void> | void;
}
