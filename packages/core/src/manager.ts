/**
 * The `ServiceRegistryManager`: the one facade every adapter (Discord, CLI, web) calls. It discovers
 * services, checks the dependency graph, syncs the catalog to the database, constructs services through
 * tsyringe and starts them in dependency order, and stops them in reverse.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import path from 'node:path';
import { type DependencyContainer, container as globalContainer } from 'tsyringe';
import { NOT_RUN_YET } from './catalog-reader.js';
import {
  type ConfigChangeOptions,
  type ConfigUpdateResult,
  Configuration,
  type ConfigVersionEntry,
  type LiveService,
  type ResolvedConfig,
  type ServiceConfigView,
} from './config/configuration.js';
import type { Keyring } from './config/keyring.js';
import { type DiscoveryProblem, describeSource, type ServiceDefinition } from './definition.js';
import { type DiscoveryOptions, type DiscoveryResult, discoverServices } from './discovery/discovery.js';
import { definitionsOf } from './discovery/module-loader.js';
import { describeError, ServiceDeckError } from './errors.js';
import { checkDependencyGraph } from './graph.js';
import { rootCause } from './health/causes.js';
import { HealthMonitor } from './health/monitor.js';
import type { HealthCheckRecord, HealthEvents, StatusChange } from './health/types.js';

import { SERVICE_CONTEXT, type ServiceContext, serviceToken } from './injection.js';
import { type LifecyclePlan, type PlanNode, planDisable, planEnable } from './lifecycle/plan.js';
import {
  importFresh,
  locateSyntaxError,
  type ReloadDependent,
  type ReloadResult,
  type ReloadStage,
  reloadScope,
} from './lifecycle/reload.js';
import { type Logger, silentLogger } from './logger.js';
import { normalizeMetadata } from './metadata.js';
import {
  type Actor,
  type AuditEntry,
  type AuditFilter,
  AuditStore,
  actorOf,
} from './persistence/audit-store.js';
import { type CatalogEntry, CatalogStore } from './persistence/catalog-store.js';
import { type Change, changesSince, recordChange } from './persistence/changes.js';
import { ConfigStore } from './persistence/config-store.js';
import { type Database, type DatabaseOptions, openDatabase } from './persistence/database.js';
import { HealthHistoryStore, type HealthRetention, type Uptime } from './persistence/health-store.js';
import { type InstanceInfo, InstanceStore } from './persistence/instance-store.js';
import {
  type ApiTokenInfo,
  type ApiTokenScope,
  ApiTokenStore,
  type CreatedApiToken,
} from './persistence/token-store.js';
import { ProcessHealthService } from './process-health.service.js';
import { ChangeFeed, type ChangeFeedOptions } from './sync/change-feed.js';
import { withTimeout } from './timeout.js';
import type {
  JsonObject,
  ServiceInterface,
  ServiceMetadata,
  ServiceMetadataInput,
  ServiceStatus,
  ServiceType,
} from './types.js';
import { SERVICEDECK_VERSION } from './version.js';

/** Options of a {@link ServiceRegistryManager}. */
export interface ServiceRegistryManagerOptions {
  /** The database: options to open one, or one already open (then the caller closes it). */
  readonly database?: DatabaseOptions | Database;
  /** Where to discover services. `root` defaults to the working directory. */
  readonly discovery?: Partial<DiscoveryOptions>;
  /** Structured logger (default: silent). */
  readonly logger?: Logger;
  /** Parent container for the services' child containers (default: a child of tsyringe's global one). */
  readonly container?: DependencyContainer;
  /** This process's id among the bot's processes (default: host, pid and a random suffix). */
  readonly instanceId?: string;
  /** Throw on any discovery problem instead of reporting it and skipping the service (default false). */
  readonly strict?: boolean;
  /** Milliseconds a service's `enable()` may take (default 30 000). */
  readonly enableTimeoutMs?: number;
  /** Milliseconds a service's `disable()` may take during shutdown (default 10 000). */
  readonly disableTimeoutMs?: number;
  /** Milliseconds a disable waits for the service's work in flight (`withService`) to finish (default 10 000). */
  readonly drainTimeoutMs?: number;
  /** Health monitoring. */
  readonly health?: HealthOptions;
  /** Register the built-in `process` service (event loop, memory, uptime of this process; default true). */
  readonly processHealth?: boolean;
  /** Configuration: environment overrides, master keys. */
  readonly config?: ConfigOptions;
  /** This process among the bot's processes. */
  readonly instance?: {
    /** discord.js shard ids this process runs. */
    readonly shardIds?: readonly number[];
    /** Milliseconds between heartbeats (default 15 000); three missed make the instance `gone`. */
    readonly heartbeatMs?: number;
  };
  /** Following changes made by other processes sharing the database (default: on). */
  readonly sync?: ChangeFeedOptions & { readonly enabled?: boolean };
  /**
   * `run` (default): this process runs the enabled services, checks their health and records their status.
   * `control`: this process only manages the registry — catalog, desired state, configuration, audit —
   * for a CLI, a dashboard or a script beside the bot. It constructs no service, runs no health check,
   * registers no instance and leaves the statuses the running bot recorded as they are; its enables,
   * disables and configuration changes are stored, and the processes that run services apply them
   * through their change feed.
   */
  readonly mode?: ManagerMode;
}

/** What a manager tells its listeners. */
export interface ManagerEvents extends HealthEvents {
  /**
   * A change of desired state (a service enabled or disabled, new settings, a catalog sync) was applied,
   * made by this process or another; emitted once the change feed has applied it, in revision order.
   */
  change: [change: Change];
}

/** How a manager takes part: running services, or only controlling the registry. */
export type ManagerMode = 'run' | 'control';

/** Configuration options of a {@link ServiceRegistryManager}. */
export interface ConfigOptions {
  /** Environment for `SERVICEDECK_<SERVICE>_<KEY>` overrides and master keys (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory the key file path is relative to (default: the working directory). */
  readonly cwd?: string;
  /** Master keys given directly instead of `SERVICEDECK_MASTER_KEY` or the key file. */
  readonly keyring?: Keyring;
  /** Milliseconds a service's `updateConfig()` may take when a change is applied (default 30 000). */
  readonly applyTimeoutMs?: number;
}

/** Health-monitoring options of a {@link ServiceRegistryManager}. */
export interface HealthOptions {
  /** Run scheduled checks (default true). On-demand checks work either way. */
  readonly schedule?: boolean;
  /** The most checks running at once (default 1 024). */
  readonly concurrency?: number;
  /** Milliseconds an on-demand result is reused (default 5 000). */
  readonly cacheTtlMs?: number;
  /** How long and how much history is kept (default 7 days, 1 000 results per service). */
  readonly retention?: Partial<HealthRetention>;
  /** Milliseconds between history batch writes (default 1 000). */
  readonly flushIntervalMs?: number;
}

/** Options of {@link ServiceRegistryManager.checkHealth}. */
export interface CheckHealthOptions {
  /** Check even if a result younger than the cache TTL exists (default false). */
  readonly fresh?: boolean;
}

/** Filters of {@link ServiceRegistryManager.listServices}. */
export interface ListServicesFilter {
  /** Only services of this type. */
  readonly type?: ServiceType;
  /** Only services whose desired state is enabled (and that were discovered). */
  readonly enabledOnly?: boolean;
}

/** A service as adapters show it: catalog data, desired state and what this process observes. */
export interface ServiceSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly type: ServiceType;
  readonly version: string | null;
  readonly dependencies: readonly string[];
  readonly tags: readonly string[];
  /** Desired state, shared by every process. */
  readonly enabled: boolean;
  /** Observed status in this process. */
  readonly status: ServiceStatus;
  /** Why the service has its status. */
  readonly statusMessage: string | null;
  /** Whether a live instance runs in this process. */
  readonly running: boolean;
  /** True when the service was in the catalog but not discovered this time. */
  readonly missing: boolean;
  /** Where it was discovered. */
  readonly source: string | null;
  readonly lastHealthCheck: Date | null;
  /** Milliseconds the last check in this process took, or null when none ran here. */
  readonly latencyMs: number | null;
}

/** What discovery found, for `servicedeck discover` and start-up logs. */
export interface DiscoveryReport {
  /** Services that will be constructed, dependencies first. */
  readonly services: readonly { readonly metadata: ServiceMetadata; readonly source: string }[];
  /** Everything skipped, with the reason. */
  readonly problems: readonly DiscoveryProblem[];
  /** Plugin packages found and the files imported. */
  readonly packages: DiscoveryResult['packages'];
  readonly files: DiscoveryResult['files'];
}

/**
 * The source of a catalog entry, from the description the catalog stores (`describeSource`), for a
 * service whose module did not load in this process.
 */
function sourceOfEntry(described: string | null): ServiceDefinition['source'] | undefined {
  if (!described) return undefined;
  const plugin = /^(.+) \(package (.+)\)$/.exec(described);
  if (plugin) {
    return {
      kind: 'plugin',
      file: plugin[1] as string,
      packageName: plugin[2] as string,
      packageVersion: null,
    };
  }
  if (path.isAbsolute(described)) return { kind: 'glob', file: described };
  if (described === 'registerService()') return { kind: 'registered' };
  return { kind: 'builtin' };
}

/** A service that comes from a module file. */
type FileSource = Extract<ServiceDefinition['source'], { file: string }>;

/** Whether a source is a module file (a plugin's or one of the bot's glob files), which can be reloaded. */
function isFileSource(source: ServiceDefinition['source'] | undefined): source is FileSource {
  return source?.kind === 'plugin' || source?.kind === 'glob';
}

/** Where a service's code comes from: its definition, or for one whose module did not load, its catalog entry. */
function sourceOf(runtime: RuntimeEntry): ServiceDefinition['source'] | undefined {
  return runtime.definition?.source ?? sourceOfEntry(runtime.entry.source);
}

/** A sentence as a clause of another: without its final full stop. */
function clause(text: string): string {
  return text.trim().replace(/\.$/, '');
}

/** How a failed reload's message names the step that failed. */
const STAGE_WORDS: Record<ReloadStage, string> = {
  load: 'while loading its code',
  validate: 'while checking its new code',
  start: 'while starting the new version',
  health: "at the new version's first health check",
  dependents: 'while restarting or notifying the services that depend on it',
};

/** The lifecycle state of the manager. */
export type ManagerState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Who asks for a lifecycle change, and whether only to see the plan. */
export interface LifecycleOptions extends Actor {
  /** Return the plan without changing anything. */
  readonly dryRun?: boolean;
}

/** What happened to one service of a plan. */
export interface LifecycleOutcome {
  readonly serviceId: string;
  readonly action: 'enable' | 'disable';
  readonly result: 'ok' | 'failed';
  /** The status the service ended in, and why. */
  readonly status: ServiceStatus;
  readonly message: string | null;
}

/** The plan of an enable or disable, and (unless a dry run) what happened to each service. */
export interface LifecycleResult {
  readonly plan: LifecyclePlan;
  readonly dryRun: boolean;
  readonly outcomes: readonly LifecycleOutcome[];
  /**
   * `here`: the services were started or stopped in this process. `recorded`: a manager in `control` mode
   * stored the desired state; the processes running services apply it, and each outcome's status is the
   * one they last recorded.
   */
  readonly applied: 'here' | 'recorded';
}

interface RuntimeEntry {
  entry: CatalogEntry;
  definition: ServiceDefinition | undefined;
  instance: ServiceInterface | undefined;
  status: ServiceStatus;
  statusMessage: string | null;
  /** The configuration version the live instance was given. */
  appliedConfigVersion: number | undefined;
  /** Calls through `withService` in flight. */
  inFlight: number;
  /** Resolved when `inFlight` drops to zero while draining. */
  drained: (() => void) | undefined;
  /** Settles when the reload replacing (or restarting) this service's instance is over. */
  reloading: Promise<void> | undefined;
}

/**
 * The facade over the registry. Create one per bot process, `start()` it, and `shutdown()` it on exit.
 *
 * @example
 * ```ts
 * const manager = new ServiceRegistryManager({ database: { url: 'sqlite:servicedeck.db' } });
 * await manager.start();
 * if (manager.isEnabled('github')) await manager.getService<GitHubService>('github').client.rest…;
 * ```
 */
export class ServiceRegistryManager {
  /** This process's id among the bot's processes. */
  public readonly instanceId: string;
  private readonly options: ServiceRegistryManagerOptions;
  private readonly logger: Logger;
  private readonly container: DependencyContainer;
  private readonly registered: ServiceDefinition[] = [];
  private readonly runtime = new Map<string, RuntimeEntry>();
  private discovered:
    | { result: DiscoveryResult; ordered: ServiceDefinition[]; problems: DiscoveryProblem[] }
    | undefined;
  private startWaves: string[][] = [];
  private db: Database | undefined;
  private catalog: CatalogStore | undefined;
  private currentState: ManagerState = 'created';
  private monitor: HealthMonitor | undefined;
  private configuration: Configuration | undefined;
  private feed: ChangeFeed | undefined;
  private lastRevision = 0;
  private syncing: Promise<void> | undefined;
  /** Serializes changes to live services: lifecycle actions, configuration changes, resyncs. */
  private lane: Promise<unknown> = Promise.resolve();
  private instances: InstanceStore | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private syncAgain = false;
  private audit: AuditStore | undefined;
  private tokens: ApiTokenStore | undefined;
  private history: HealthHistoryStore | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly statusWrites = new Set<Promise<unknown>>();
  /** Status changes and check results; see {@link HealthEvents}. */
  public readonly events = new EventEmitter<ManagerEvents>();

  public constructor(options: ServiceRegistryManagerOptions = {}) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.container = options.container ?? globalContainer.createChildContainer();
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    if (options.processHealth !== false) {
      this.registered.push({
        metadata: new ProcessHealthService().getMetadata(),
        source: { kind: 'builtin' },
        serviceClass: ProcessHealthService,
      });
    }
  }

  /** The manager's lifecycle state. */
  /** Whether this manager only controls the registry (`mode: 'control'`) and runs no service. */
  public get controlOnly(): boolean {
    return this.options.mode === 'control';
  }

  public get state(): ManagerState {
    return this.currentState;
  }

  /** The open database (after `start()`). */
  public get database(): Database {
    if (!this.db) throw this.stateError('use the database');
    return this.db;
  }

  /** Everything discovery and the graph check skipped, with reasons. */
  public get problems(): readonly DiscoveryProblem[] {
    return this.discovered?.problems ?? [];
  }

  private stateError(action: string): ServiceDeckError {
    const hint =
      this.currentState === 'created'
        ? 'Call start() first.'
        : this.currentState === 'stopped'
          ? 'Create a new manager; this one was shut down.'
          : `Wait until the manager is running (it is ${this.currentState}).`;
    return new ServiceDeckError(
      'SD_ERR_MANAGER_STATE',
      `Cannot ${action} while the manager is ${this.currentState}.`,
      {
        details: { state: this.currentState },
        hint,
      },
    );
  }

  /**
   * Registers a service instance explicitly (the third discovery source). Must be called before `start()`.
   *
   * @param instance - the live service.
   * @param metadata - its metadata; defaults to `instance.getMetadata()`.
   * @throws ServiceDeckError `SD_ERR_REGISTRATION_CLOSED` after start, `SD_ERR_INVALID_METADATA`,
   *   `SD_ERR_INVALID_CONFIG_SCHEMA`, or `SD_ERR_DUPLICATE_SERVICE` when the id is already registered.
   */
  public registerService(instance: ServiceInterface, metadata?: ServiceMetadataInput): void {
    if (this.currentState !== 'created' || this.discovered) {
      throw new ServiceDeckError(
        'SD_ERR_REGISTRATION_CLOSED',
        `Cannot register a service after ${this.discovered ? 'discovery ran' : `the manager is ${this.currentState}`}.`,
        { hint: 'Call registerService() before discoverServices() and start().' },
      );
    }
    const normalized = normalizeMetadata(metadata ?? instance.getMetadata(), 'registerService()');
    if (this.registered.some((d) => d.metadata.id === normalized.id && d.source.kind === 'registered')) {
      throw new ServiceDeckError(
        'SD_ERR_DUPLICATE_SERVICE',
        `Service "${normalized.id}" is already registered.`,
        {
          details: { serviceId: normalized.id },
          hint: 'Register each service once, with a unique id.',
        },
      );
    }
    // A registration replaces a built-in service of the same id (to configure it differently, say).
    const builtin = this.registered.findIndex((d) => d.metadata.id === normalized.id);
    if (builtin >= 0) this.registered.splice(builtin, 1);
    this.registered.push({ metadata: normalized, source: { kind: 'registered' }, instance });
  }

  /**
   * Discovers services from plugin packages, the host's globs and explicit registrations, and checks the
   * dependency graph. Runs once; `start()` calls it if it was not called before.
   */
  public async discoverServices(): Promise<DiscoveryReport> {
    if (!this.discovered) {
      const discovery: DiscoveryOptions = { root: process.cwd(), ...this.options.discovery };
      const result = await discoverServices(discovery, this.registered);
      const graph = checkDependencyGraph(result.definitions);
      const problems = [...result.problems, ...graph.problems];
      for (const problem of problems) {
        this.logger.warn('service skipped', {
          service: problem.serviceId,
          origin: problem.origin,
          code: problem.error.code,
          reason: problem.error.message,
        });
      }
      this.discovered = { result, ordered: graph.ordered, problems };
    }
    const { result, ordered, problems } = this.discovered;
    return {
      services: ordered.map((d) => ({ metadata: d.metadata, source: describeSource(d.source) })),
      problems,
      packages: result.packages,
      files: result.files,
    };
  }

  /**
   * Opens the database (applying migrations), discovers services, syncs the catalog and starts every
   * enabled, configured service in dependency order (independent services concurrently).
   *
   * @throws ServiceDeckError `SD_ERR_MANAGER_STATE` when already started; database errors; in strict
   *   mode the first discovery problem.
   */
  public async start(): Promise<void> {
    if (this.currentState !== 'created') throw this.stateError('start');
    this.currentState = 'starting';
    try {
      await this.discoverServices();
      const discovered = this.discovered as NonNullable<typeof this.discovered>;
      if (this.options.strict && discovered.problems.length > 0) {
        const [first] = discovered.problems as [DiscoveryProblem];
        throw new ServiceDeckError(
          first.error.code,
          `${discovered.problems.length} service problem(s) found in strict mode: ${discovered.problems.map((p) => p.error.message).join(' | ')}`,
          { cause: first.error, details: { problems: discovered.problems.map((p) => p.error.toJSON()) } },
        );
      }
      const database = this.options.database;
      this.db =
        database && 'sequelize' in database
          ? database
          : await openDatabase({ ...(database as DatabaseOptions | undefined), logger: this.logger });
      this.catalog = new CatalogStore(this.db, this.instanceId);
      this.audit = new AuditStore(this.db, this.instanceId);
      this.tokens = new ApiTokenStore(this.db);
      this.configuration = new Configuration(this.db, new ConfigStore(this.db), this.audit, {
        ...this.options.config,
        logger: this.logger,
        instanceId: this.instanceId,
      });
      const sync = await this.catalog.sync(discovered.ordered);
      this.lastRevision = sync.revision;
      this.logger.info('catalog synced', {
        services: sync.entries.length,
        added: sync.added.length,
        updated: sync.updated.length,
        missing: sync.missing.length,
      });
      const definitions = new Map(discovered.ordered.map((d) => [d.metadata.id, d]));
      const problemsById = new Map(
        discovered.problems.filter((p) => p.serviceId).map((p) => [p.serviceId, p]),
      );
      for (const entry of sync.entries) {
        const definition = definitions.get(entry.id);
        const problem = problemsById.get(entry.id);
        this.runtime.set(entry.id, {
          entry,
          definition,
          instance: undefined,
          appliedConfigVersion: undefined,
          inFlight: 0,
          drained: undefined,
          reloading: undefined,
          status: problem
            ? 'error'
            : entry.missing
              ? 'inactive'
              : this.controlOnly
                ? entry.status
                : 'unknown',
          statusMessage: problem
            ? problem.error.message
            : entry.missing
              ? 'missing: not found by discovery'
              : this.controlOnly
                ? (entry.statusMessage ?? (entry.status === 'unknown' ? NOT_RUN_YET : null))
                : null,
        });
      }
      this.startWaves = this.computeWaves(discovered.ordered);
      if (!this.controlOnly) {
        await this.registerInstance();
        const configs = await this.config.resolveAll(discovered.ordered.map((d) => d.metadata));
        for (const wave of this.startWaves) {
          await Promise.all(wave.map((id) => this.startOne(id, configs.get(id))));
        }
        await this.persistStatuses();
        await this.startHealth();
      }
      this.currentState = 'running';
      if (this.options.sync?.enabled !== false) {
        this.feed = new ChangeFeed(this.db, (reason) => this.wake(reason), {
          ...this.options.sync,
          logger: this.logger,
        });
        await this.feed.start(() => this.lastRevision);
      }
      const running = [...this.runtime.values()].filter((r) => r.instance).length;
      this.logger.info('servicedeck started', {
        instance: this.instanceId,
        mode: this.controlOnly ? 'control' : 'run',
        services: this.runtime.size,
        running,
      });
    } catch (error) {
      this.currentState = 'stopping';
      await this.feed?.stop();
      if (this.heartbeat) clearInterval(this.heartbeat);
      await this.stopHealth();
      await this.stopAll();
      await this.instances?.stopped().catch(() => undefined);
      await this.closeDatabase();
      this.currentState = 'stopped';
      throw error;
    }
  }

  /** Groups services into waves: each wave's dependencies are all in earlier waves. */
  private computeWaves(ordered: readonly ServiceDefinition[]): string[][] {
    const level = new Map<string, number>();
    const waves: string[][] = [];
    for (const { metadata } of ordered) {
      const depth = Math.max(-1, ...metadata.dependencies.map((dep) => level.get(dep) ?? -1)) + 1;
      level.set(metadata.id, depth);
      const wave = waves[depth] ?? [];
      wave.push(metadata.id);
      waves[depth] = wave;
    }
    return waves;
  }

  private async registerInstance(): Promise<void> {
    this.instances = new InstanceStore(this.database, this.instanceId);
    await this.instances.register({
      hostname: hostname(),
      pid: process.pid,
      shardIds: this.options.instance?.shardIds ?? [],
      version: SERVICEDECK_VERSION,
      lastRevision: this.lastRevision,
    });
    const beat = setInterval(() => {
      void this.instances
        ?.heartbeat(this.lastRevision)
        .catch((error: unknown) => this.logger.warn('heartbeat not recorded', { error }));
    }, this.heartbeatMs);
    beat.unref();
    this.heartbeat = beat;
  }

  private get heartbeatMs(): number {
    return this.options.instance?.heartbeatMs ?? 15_000;
  }

  /**
   * Every process running a manager against this database (bot shards, hosts, the CLI), with its last
   * heartbeat; one that stopped or missed three heartbeats is `gone`.
   */
  public async listInstances(): Promise<InstanceInfo[]> {
    this.assertRunning('list instances');
    this.instances ??= new InstanceStore(this.database, this.instanceId);
    return this.instances.list(this.heartbeatMs);
  }

  private setObserved(runtime: RuntimeEntry, status: ServiceStatus, message: string | null): void {
    runtime.status = status;
    runtime.statusMessage = message;
  }

  /** Constructs, configures and enables one service, recording why when it does not start. */
  private async startOne(
    id: string,
    config: { resolved?: ResolvedConfig; version: number; error?: ServiceDeckError } | undefined,
  ): Promise<void> {
    const runtime = this.runtime.get(id);
    const definition = runtime?.definition;
    if (!runtime || !definition) return;
    const { metadata } = definition;
    const log = this.logger.child({ service: id });
    if (runtime.instance) return;
    if (!runtime.entry.enabled) {
      this.setObserved(runtime, 'inactive', 'disabled');
      return;
    }
    const blocked = metadata.dependencies.filter((dep) => !this.runtime.get(dep)?.instance);
    if (blocked.length > 0) {
      const reasons = blocked.map(
        (dep) => `"${dep}" (${this.runtime.get(dep)?.statusMessage ?? 'not running'})`,
      );
      this.setObserved(runtime, 'inactive', `waiting for ${reasons.join(', ')}`);
      log.info('service not started: dependency not running', { dependencies: blocked });
      return;
    }
    if (!config?.resolved) {
      const reason = config?.error?.message ?? 'its configuration could not be read';
      this.setObserved(runtime, 'error', reason);
      log.error('service not started: configuration unreadable', { error: config?.error });
      return;
    }
    const check = config.resolved;
    if (check.problems.length > 0) {
      const detail = check.problems.map((p) => p.message).join(', ');
      this.setObserved(runtime, 'inactive', `not configured: ${detail}`);
      log.info('service not started: not configured', { problems: check.problems });
      return;
    }
    let instance: ServiceInterface;
    try {
      instance = definition.instance ?? this.construct(definition, log);
    } catch (error) {
      const reason = describeError(error);
      const undeclared = /unregistered dependency token: "servicedeck:service:([^"]+)"/.exec(reason)?.[1];
      const untyped = reason.includes('TypeInfo not known');
      const wrapped = new ServiceDeckError(
        'SD_ERR_SERVICE_CONSTRUCTION_FAILED',
        undeclared
          ? `Cannot construct service "${id}": it injects service "${undeclared}" without declaring it as a dependency.`
          : `Cannot construct service "${id}": ${reason}.`,
        {
          cause: error,
          details: { serviceId: id },
          hint: undeclared
            ? `Add "${undeclared}" to the dependencies in its metadata.`
            : untyped
              ? 'Its constructor takes parameters but the class is not injectable: decorate it with @Service() (or @injectable()), or give it a constructor without parameters.'
              : 'Check its constructor and the tokens it injects.',
        },
      );
      this.setObserved(runtime, 'error', wrapped.message);
      log.error('service construction failed', { error: wrapped });
      return;
    }
    const enableTimeoutMs = this.options.enableTimeoutMs ?? 30_000;
    const disableTimeoutMs = this.options.disableTimeoutMs ?? 10_000;
    const starting = (async () => {
      await instance.updateConfig(check.config);
      await instance.enable();
    })();
    try {
      await withTimeout(
        () => starting,
        enableTimeoutMs,
        () => new Error(`enable() did not finish within ${enableTimeoutMs} ms`),
      );
    } catch (error) {
      const wrapped = new ServiceDeckError(
        'SD_ERR_SERVICE_ENABLE_FAILED',
        `Service "${id}" failed to start: ${describeError(error)}.`,
        {
          cause: error,
          details: { serviceId: id },
        },
      );
      this.setObserved(runtime, 'error', wrapped.message);
      log.error('service failed to start', { error: wrapped });
      // A start that timed out may still be acquiring: let it settle (within the disable timeout) so that
      // disable() releases everything it got. disable() must tolerate a partial start.
      await withTimeout(
        () => starting,
        disableTimeoutMs,
        () => new Error('timeout'),
      ).catch(() => undefined);
      await withTimeout(
        () => instance.disable(),
        disableTimeoutMs,
        () => new Error('timeout'),
      ).catch(() => undefined);
      return;
    }
    runtime.instance = instance;
    runtime.appliedConfigVersion = config.version;
    this.setObserved(runtime, 'unknown', 'started; not checked yet');
    log.info('service started', { version: metadata.version });
  }

  private construct(definition: ServiceDefinition, logger: Logger): ServiceInterface {
    const { metadata } = definition;
    const child = this.container.createChildContainer();
    const context: ServiceContext = { id: metadata.id, metadata, logger };
    child.register(SERVICE_CONTEXT, { useValue: context });
    for (const dep of metadata.dependencies) {
      child.register(serviceToken(dep), { useValue: this.runtime.get(dep)?.instance });
    }
    return child.resolve(definition.serviceClass as NonNullable<ServiceDefinition['serviceClass']>);
  }

  private async persistStatuses(): Promise<void> {
    const changed = [...this.runtime.entries()]
      .filter(([, r]) => r.entry.status !== r.status || r.entry.statusMessage !== r.statusMessage)
      .map(([id, r]) => ({ id, status: r.status, message: r.statusMessage }));
    if (changed.length === 0) return;
    await this.database.transaction((transaction) =>
      (this.catalog as CatalogStore).setStatuses(changed, transaction),
    );
  }

  /** Starts the health monitor over every running service, and history with its retention. */
  private async startHealth(): Promise<void> {
    const options = this.options.health ?? {};
    const history = new HealthHistoryStore(this.database, {
      ...(options.retention === undefined ? {} : { retention: options.retention }),
      ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
      logger: this.logger,
    });
    const monitor = new HealthMonitor({
      instanceId: this.instanceId,
      logger: this.logger,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }),
    });
    monitor.on('check', (record) => {
      history.add(record);
      this.events.emit('check', record);
    });
    monitor.on('statusChange', (change) => this.onStatusChange(change));
    this.history = history;
    this.monitor = monitor;
    for (const id of this.startWaves.flat()) this.trackHealth(id);
    await history.prune().catch((error: unknown) => this.logger.warn('health history not pruned', { error }));
    this.pruneTimer = setInterval(
      () => {
        void history
          .prune()
          .catch((error: unknown) => this.logger.warn('health history not pruned', { error }));
      },
      60 * 60 * 1000,
    );
    this.pruneTimer.unref();
    if (options.schedule !== false) monitor.start();
  }

  /**
   * Starts every enabled service that was only waiting for a dependency that runs now (a dependency that
   * was just enabled, or just configured), dependencies first, and records their statuses.
   */
  private async startWaiting(): Promise<void> {
    const started: string[] = [];
    for (const id of this.startWaves.flat()) {
      const runtime = this.runtime.get(id);
      const metadata = runtime?.definition?.metadata;
      if (!runtime || !metadata || runtime.instance || !runtime.entry.enabled || runtime.entry.missing)
        continue;
      if (!runtime.statusMessage?.startsWith('waiting for')) continue;
      if (!metadata.dependencies.every((dep) => this.runtime.get(dep)?.instance)) continue;
      await this.startOne(id, await this.config.resolveOne(metadata));
      this.trackHealth(id);
      started.push(id);
    }
    if (started.length === 0) return;
    await this.saveStatuses(started);
  }

  /** Puts a running service under the health monitor. */
  private trackHealth(id: string, checkAtOnce = true): void {
    const runtime = this.runtime.get(id);
    const instance = runtime?.instance;
    const monitor = this.monitor;
    if (!monitor || !runtime?.definition || !instance) return;
    const { metadata } = runtime.definition;
    monitor.track(id, {
      check: (signal) => instance.healthCheck(signal),
      settings: metadata.healthCheck,
      dependencies: metadata.dependencies,
    });
    // A service started while the manager runs (enabled, configured, or its dependency back) is checked at
    // once, so its status says how it is now rather than "not checked yet" until its first scheduled check.
    if (checkAtOnce && this.currentState === 'running') {
      void monitor
        .checkNow(id, true)
        ?.catch((error: unknown) => this.logger.warn('first check failed to run', { service: id, error }));
    }
  }

  private onStatusChange(change: StatusChange): void {
    const runtime = this.runtime.get(change.service);
    if (!runtime?.instance) return;
    this.setObserved(runtime, change.to, change.message);
    this.events.emit('statusChange', change);
    const catalog = this.catalog as CatalogStore;
    const write = catalog
      .setStatuses([{ id: change.service, status: change.to, message: change.message }])
      .catch((error: unknown) => this.logger.warn('status not saved', { service: change.service, error }));
    // Shutdown waits for these, so the last statuses a process saw are recorded before the database closes.
    this.statusWrites.add(write);
    void write.finally(() => this.statusWrites.delete(write));
  }

  private async stopHealth(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    await this.monitor?.stop();
    await this.history?.close();
  }

  /** A record for a service that is not checked (not running), from what this process knows of it. */
  private unchecked(runtime: RuntimeEntry): HealthCheckRecord {
    return {
      serviceId: runtime.entry.id,
      instanceId: this.instanceId,
      status: runtime.status,
      latencyMs: null,
      message: runtime.statusMessage,
      cause: null,
      checkedAt: new Date(),
    };
  }

  /**
   * Checks one service now (seed name), through the monitor's concurrency bound. A result younger than
   * the cache TTL is reused unless `fresh`. A service that is not running is not checked: its record
   * says why (disabled, not configured…).
   *
   * @throws ServiceDeckError `SD_ERR_SERVICE_NOT_FOUND`.
   */
  public async checkHealth(id: string, options: CheckHealthOptions = {}): Promise<HealthCheckRecord> {
    const runtime = this.runtimeOf(id);
    // A check asked for during a reload checks the instance that runs once it is over.
    if (runtime.reloading) await runtime.reloading;
    const pending = runtime.instance ? this.monitor?.checkNow(id, options.fresh ?? false) : undefined;
    return pending ? await pending : this.unchecked(runtime);
  }

  /** Checks every service in the catalog now (seed name), all through the concurrency bound. */
  public async checkAllHealth(options: CheckHealthOptions = {}): Promise<Map<string, HealthCheckRecord>> {
    const services = await this.listServices();
    const records = new Map(
      (await Promise.all(services.map((s) => this.checkHealth(s.id, options)))).map((r) => [r.serviceId, r]),
    );
    // Checks of one sweep run side by side: a failure's cause is the deepest dependency failing in it too.
    for (const [id, record] of records) {
      if (record.status !== 'error' || record.cause) continue;
      const cause = rootCause(
        id,
        (dep) => this.runtime.get(dep)?.definition?.metadata.dependencies ?? [],
        (dep) => records.get(dep)?.status === 'error',
      );
      if (cause) records.set(id, { ...record, cause });
    }
    return records;
  }

  /** The last `limit` health results of a service, newest first. */
  public async healthHistory(id: string, limit = 20): Promise<HealthCheckRecord[]> {
    this.runtimeOf(id);
    return this.historyStore().recent(id, limit);
  }

  /** The share of checks that found a service `active` over the last `windowMs` (default 24 h). */
  public async uptime(id: string, windowMs = 24 * 60 * 60 * 1000): Promise<Uptime> {
    this.runtimeOf(id);
    return this.historyStore().uptime(id, new Date(Date.now() - windowMs));
  }

  /** The health history: the monitor's store, or (in `control` mode, which checks nothing) one to read. */
  private historyStore(): HealthHistoryStore {
    this.history ??= new HealthHistoryStore(this.database, { logger: this.logger });
    return this.history;
  }

  private get config(): Configuration {
    if (!this.configuration || (this.currentState !== 'running' && this.currentState !== 'starting')) {
      throw this.stateError('manage configuration');
    }
    return this.configuration;
  }

  /** Refuses an operation unless the manager is running. */
  private assertRunning(action: string): void {
    if (this.currentState !== 'running') throw this.stateError(action);
  }

  /** The definition of a service that can be configured (discovered this time). */
  private configurable(id: string): { runtime: RuntimeEntry; metadata: ServiceMetadata } {
    const runtime = this.runtimeOf(id);
    if (!runtime.definition) {
      throw new ServiceDeckError(
        'SD_ERR_SERVICE_MISSING',
        `Service "${id}" was not found by discovery this time, so its settings cannot be read or changed.`,
        { details: { serviceId: id }, hint: 'Install its plugin again; its stored settings were kept.' },
      );
    }
    return { runtime, metadata: runtime.definition.metadata };
  }

  /** How a configuration change reaches one service's live instance. */
  private live(id: string, runtime: RuntimeEntry): LiveService {
    return {
      recordOnly: this.controlOnly,
      running: () => runtime.instance !== undefined,
      apply: async (config) => {
        await runtime.instance?.updateConfig(config);
      },
      checkHealth: async () => this.monitor?.checkNow(id, true),
      appliedVersion: (version) => {
        runtime.appliedConfigVersion = version;
      },
      startIfWaiting: async () => {
        if (
          this.currentState !== 'running' ||
          this.controlOnly ||
          runtime.instance ||
          !runtime.entry.enabled ||
          !runtime.definition
        ) {
          return false;
        }
        const config = await this.config.resolveOne(runtime.definition.metadata);
        await this.startOne(id, config);
        this.trackHealth(id);
        await this.saveStatuses([id]);
        if (runtime.instance) await this.startWaiting();
        return runtime.instance !== undefined;
      },
    };
  }

  /**
   * A service's configuration for display: effective values with secrets redacted, where each comes
   * from (stored, default, environment override), the stored version, and what is invalid.
   */
  public async getConfig(id: string): Promise<ServiceConfigView> {
    const { runtime, metadata } = this.configurable(id);
    return this.config.view(metadata, runtime.instance ? runtime.appliedConfigVersion : undefined);
  }

  /**
   * Changes a service's settings: `patch` is merged into the stored settings (`null` removes one), the
   * result is validated, stored as a new version with an audit entry, and applied to the running service.
   * If the service rejects it or fails its health check right after, the previous settings are restored.
   *
   * @throws ServiceDeckError `SD_ERR_CONFIG_INVALID` (every invalid field listed; nothing stored),
   *   `SD_ERR_CONFIG_CONFLICT` (the stored version is newer than `expectedVersion`),
   *   `SD_ERR_CONFIG_APPLY_FAILED` (rejected and restored), `SD_ERR_SECRET_KEY_MISSING`.
   */
  public async updateConfig(
    id: string,
    patch: JsonObject,
    options: ConfigChangeOptions,
  ): Promise<ConfigUpdateResult> {
    const { runtime, metadata } = this.configurable(id);
    const result = await this.exclusive(() =>
      this.config.update(metadata, patch, options, this.live(id, runtime)),
    );
    this.logger.info('configuration changed', {
      service: id,
      version: result.version,
      applied: result.applied,
      actor: options.actor,
    });
    return result;
  }

  /** A service's configuration versions, newest first, with their changes (secrets redacted). */
  public async configHistory(id: string, limit = 50): Promise<ConfigVersionEntry[]> {
    const { metadata } = this.configurable(id);
    return this.config.history(metadata, limit);
  }

  /**
   * Makes an earlier configuration version current again, as a new version, applied like any change.
   *
   * @throws ServiceDeckError `SD_ERR_CONFIG_VERSION_NOT_FOUND`, and those of {@link updateConfig}.
   */
  public async rollbackConfig(
    id: string,
    version: number,
    options: ConfigChangeOptions,
  ): Promise<ConfigUpdateResult> {
    const { runtime, metadata } = this.configurable(id);
    return this.exclusive(() => this.config.rollback(metadata, version, options, this.live(id, runtime)));
  }

  /**
   * Re-encrypts every stored secret with a new master key in one transaction. With a key file the key is
   * generated; with `SERVICEDECK_MASTER_KEY` pass `newKey`.
   */
  public async rotateKeys(
    options: Actor & { newKey?: Uint8Array },
  ): Promise<{ keyId: string; reencrypted: number }> {
    const result = await this.exclusive(() => this.config.rotateKeys(actorOf(options), options.newKey));
    this.logger.info('master key rotated', { keyId: result.keyId, reencrypted: result.reencrypted });
    return result;
  }

  /** Audit entries, newest first. */
  public async auditLog(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    this.assertRunning('read the audit log');
    if (!this.audit) throw this.stateError('read the audit log');
    return this.audit.list(filter);
  }

  /**
   * Creates an API token for automation (the web adapter's HTTP API), audited as `token.create`. The
   * returned `token` is shown this once; only its hash is stored.
   *
   * @throws ServiceDeckError `SD_ERR_CONFIG_INVALID` for an empty name or an unknown scope.
   */
  public async createApiToken(
    options: Actor & { name: string; scope: ApiTokenScope },
  ): Promise<CreatedApiToken> {
    const [tokens, audit] = this.tokenStores('create an API token');
    const created = await tokens.create(options.name, options.scope, options.actor);
    await audit.record({
      ...actorOf(options),
      action: 'token.create',
      result: 'ok',
      details: { tokenId: created.info.id, name: created.info.name, scope: created.info.scope },
    });
    this.logger.info('API token created', { tokenId: created.info.id, scope: created.info.scope });
    return created;
  }

  /** Every API token (never the tokens themselves), newest first. */
  public async listApiTokens(): Promise<ApiTokenInfo[]> {
    return this.tokenStores('list API tokens')[0].list();
  }

  /**
   * Revokes an API token, audited as `token.revoke`; requests with it are refused from now on.
   *
   * @throws ServiceDeckError `SD_ERR_API_TOKEN_NOT_FOUND`.
   */
  public async revokeApiToken(id: number, options: Actor): Promise<ApiTokenInfo> {
    const [tokens, audit] = this.tokenStores('revoke an API token');
    const revoked = await tokens.revoke(id);
    if (!revoked) {
      throw new ServiceDeckError('SD_ERR_API_TOKEN_NOT_FOUND', `No API token ${id}.`, {
        details: { tokenId: id },
        hint: 'List the tokens to see their ids.',
      });
    }
    await audit.record({
      ...actorOf(options),
      action: 'token.revoke',
      result: 'ok',
      details: { tokenId: id, name: revoked.name },
    });
    this.logger.info('API token revoked', { tokenId: id });
    return revoked;
  }

  /** The API token's record when the token is valid and not revoked (its use is recorded), else undefined. */
  public async authenticateApiToken(token: string): Promise<ApiTokenInfo | undefined> {
    return this.tokenStores('check an API token')[0].authenticate(token);
  }

  /**
   * A one-time login link token for the dashboard (`servicedeck web login`): valid for one session, for
   * a limited time. Audited as `login.create`.
   */
  public async createLoginToken(options: Actor): Promise<string> {
    const [tokens, audit] = this.tokenStores('create a login token');
    const token = await tokens.createLogin(options.actor);
    await audit.record({ ...actorOf(options), action: 'login.create', result: 'ok' });
    return token;
  }

  /**
   * Spends a login token: who created it, when it was valid (unused, younger than `ttlMs`), else
   * undefined. A token is spent by its first use, valid or not.
   */
  public async redeemLoginToken(
    token: string,
    ttlMs = 15 * 60_000,
  ): Promise<{ createdBy: string } | undefined> {
    return this.tokenStores('check a login token')[0].redeemLogin(token, ttlMs);
  }

  private tokenStores(doing: string): [ApiTokenStore, AuditStore] {
    this.assertRunning(doing);
    if (!this.tokens || !this.audit) throw this.stateError(doing);
    return [this.tokens, this.audit];
  }

  /**
   * Records an action an adapter refused (the user may not do it) in the audit log, with result `denied`.
   * `action` names what was attempted (`enable`, `config.update`…); `reason` says why it was refused.
   */
  public async recordRefusal(
    entry: Actor & { action: string; serviceId?: string | null; reason: string },
  ): Promise<void> {
    this.assertRunning('record a refusal');
    if (!this.audit) throw this.stateError('record a refusal');
    await this.audit.record({
      ...actorOf(entry),
      action: entry.action,
      serviceId: entry.serviceId ?? null,
      result: 'denied',
      details: { reason: entry.reason },
    });
    this.logger.warn('action refused', {
      action: entry.action,
      service: entry.serviceId ?? undefined,
      actor: entry.actor,
      adapter: entry.adapter,
      reason: entry.reason,
    });
  }

  /**
   * Runs `work` with a service's live instance, counted as in flight: disabling the service waits for it
   * (up to the drain timeout) before calling `disable()`.
   *
   * @throws ServiceDeckError `SD_ERR_SERVICE_NOT_FOUND` or `SD_ERR_SERVICE_NOT_RUNNING`.
   */
  public async withService<T extends ServiceInterface, R>(
    id: string,
    work: (service: T) => Promise<R> | R,
  ): Promise<R> {
    const pending = this.runtimeOf(id).reloading;
    // During a reload, work waits for the swap and then runs with the new instance (or the restored one).
    if (pending) await pending;
    const service = this.getService<T>(id);
    const runtime = this.runtime.get(id) as RuntimeEntry;
    runtime.inFlight += 1;
    try {
      return await work(service);
    } finally {
      runtime.inFlight -= 1;
      if (runtime.inFlight === 0) runtime.drained?.();
    }
  }

  private planNodes(): Map<string, PlanNode> {
    return new Map(
      [...this.runtime.values()].map((r) => [
        r.entry.id,
        {
          id: r.entry.id,
          enabled: r.entry.enabled,
          missing: r.entry.missing || !r.definition,
          dependencies: r.definition?.metadata.dependencies ?? r.entry.dependencies,
        },
      ]),
    );
  }

  /**
   * Enables a service at run time: persists the desired state, then starts it (and, with
   * `withDependencies`, its disabled dependencies first). With `dryRun`, only returns the plan.
   *
   * @throws ServiceDeckError `SD_ERR_DEPENDENCIES_DISABLED` listing them (unless `withDependencies`),
   *   `SD_ERR_SERVICE_MISSING`, `SD_ERR_SERVICE_NOT_FOUND`.
   */
  public async enableService(
    id: string,
    options: LifecycleOptions & { withDependencies?: boolean },
  ): Promise<LifecycleResult> {
    this.runtimeOf(id);
    return this.exclusive(() =>
      this.execute(planEnable(id, this.planNodes(), options.withDependencies ?? false), options),
    );
  }

  /**
   * Disables a service at run time: persists the desired state, then stops it after its work in flight
   * (and, with `cascade`, its enabled dependents first). With `dryRun`, only returns the plan.
   *
   * @throws ServiceDeckError `SD_ERR_DEPENDENTS_ENABLED` listing them (unless `cascade`), `SD_ERR_SERVICE_NOT_FOUND`.
   */
  public async disableService(
    id: string,
    options: LifecycleOptions & { cascade?: boolean },
  ): Promise<LifecycleResult> {
    this.runtimeOf(id);
    return this.exclusive(() =>
      this.execute(planDisable(id, this.planNodes(), options.cascade ?? false), options),
    );
  }

  private async execute(plan: LifecyclePlan, options: LifecycleOptions): Promise<LifecycleResult> {
    const actor = actorOf(options);
    const applied = this.controlOnly ? 'recorded' : 'here';
    if (options.dryRun || plan.steps.length === 0)
      return { plan, dryRun: options.dryRun ?? false, outcomes: [], applied };
    const enabled = plan.action === 'enable';
    const ids = plan.steps.map((step) => step.serviceId);
    // The desired state of every service in the plan changes in one transaction.
    await this.database.transaction(async (transaction) => {
      const revision = await recordChange(this.database, 'state', plan.target, this.instanceId, transaction);
      await this.database.repos.registry.update({ enabled, revision }, { where: { id: ids }, transaction });
    });
    for (const id of ids) {
      const runtime = this.runtime.get(id) as RuntimeEntry;
      runtime.entry = { ...runtime.entry, enabled };
    }
    if (this.controlOnly) return this.recordOnly(plan, actor);
    const outcomes: LifecycleOutcome[] = [];
    let failed: string | undefined;
    for (const step of plan.steps) {
      const runtime = this.runtime.get(step.serviceId) as RuntimeEntry;
      let error: ServiceDeckError | undefined;
      if (enabled && failed) {
        // A dependency in the plan did not start: the services after it wait for it.
        this.setObserved(runtime, 'inactive', `waiting for "${failed}" (it failed to start)`);
        error = new ServiceDeckError(
          'SD_ERR_SERVICE_ENABLE_FAILED',
          `Not started: "${failed}", earlier in the plan, failed to start.`,
          {
            details: { serviceId: step.serviceId, failed },
          },
        );
      } else if (enabled) {
        const config = await this.config.resolveOne(runtime.definition?.metadata as ServiceMetadata);
        await this.startOne(step.serviceId, config);
        this.trackHealth(step.serviceId);
        if (!runtime.instance) {
          error = new ServiceDeckError(
            'SD_ERR_SERVICE_ENABLE_FAILED',
            runtime.statusMessage ?? `Service "${step.serviceId}" failed to start.`,
            { details: { serviceId: step.serviceId } },
          );
          failed = step.serviceId;
        }
      } else {
        error = await this.stopOne(step.serviceId, 'disabled');
      }
      const outcome: LifecycleOutcome = {
        serviceId: step.serviceId,
        action: step.action,
        result: error ? 'failed' : 'ok',
        status: runtime.status,
        message: runtime.statusMessage,
      };
      outcomes.push(outcome);
      await this.saveStatuses([step.serviceId]);
      await (this.audit as AuditStore).record({
        ...actor,
        action: step.action,
        serviceId: step.serviceId,
        result: outcome.result,
        details: {
          plan: plan.target,
          status: runtime.status,
          ...(error ? { reason: error.message } : {}),
        },
      });
      this.logger.info(`service ${step.action}d`, {
        service: step.serviceId,
        result: outcome.result,
        actor: options.actor,
      });
    }
    if (enabled) await this.startWaiting();
    return { plan, dryRun: false, outcomes, applied };
  }

  /** The audit and outcomes of a plan whose desired state a `control` manager stored for others to apply. */
  private async recordOnly(plan: LifecyclePlan, actor: Actor): Promise<LifecycleResult> {
    const outcomes: LifecycleOutcome[] = [];
    for (const step of plan.steps) {
      const runtime = this.runtime.get(step.serviceId) as RuntimeEntry;
      await (this.audit as AuditStore).record({
        ...actor,
        action: step.action,
        serviceId: step.serviceId,
        result: 'ok',
        details: { plan: plan.target, applied: 'recorded' },
      });
      outcomes.push({
        serviceId: step.serviceId,
        action: step.action,
        result: 'ok',
        status: runtime.status,
        message: runtime.statusMessage,
      });
      this.logger.info(`service ${step.action} recorded`, { service: step.serviceId, actor: actor.actor });
    }
    return { plan, dryRun: false, outcomes, applied: 'recorded' };
  }

  /**
   * Replaces a service's code at run time: its module file is imported afresh (a new module instance),
   * the new metadata, configuration schema, dependency graph and current settings are checked, the old
   * instance is stopped after its work in flight, the new one is started with the current settings and
   * checked once, and the services depending on it are restarted or notified (as their
   * `onDependencyReload` asks). Calls through `withService` during the swap wait for it and then use the
   * new instance. If any step fails, the previous code keeps running (it is started again if it had been
   * stopped) and the result says where and why. Audited as `reload`; other processes sharing the database
   * reload the service too. A manager in `control` mode loads and checks the new code and records the
   * reload for the running processes.
   *
   * @throws ServiceDeckError `SD_ERR_SERVICE_NOT_FOUND`, `SD_ERR_SERVICE_MISSING`, or
   *   `SD_ERR_RELOAD_UNSUPPORTED` for a service registered in code or built in (it has no file to load).
   */
  public async reloadService(id: string, options: Actor): Promise<ReloadResult> {
    this.reloadableFile(id);
    const result = await this.exclusive(() => this.reloadNow(id, actorOf(options), null));
    this.logger[result.result === 'ok' ? 'info' : 'warn']('service reloaded', {
      service: id,
      result: result.result,
      stage: result.stage ?? undefined,
      reason: result.error?.reason,
      version: result.version,
      durationMs: result.durationMs,
      actor: options.actor,
    });
    return result;
  }

  /**
   * The module file a service's code comes from, for reloads and the watch mode.
   *
   * @throws ServiceDeckError `SD_ERR_SERVICE_NOT_FOUND`, `SD_ERR_SERVICE_MISSING`, `SD_ERR_RELOAD_UNSUPPORTED`.
   */
  public reloadableFile(id: string): string {
    return this.reloadSource(id).file;
  }

  /**
   * Where a service's code is loaded from again: its definition's file, or for a service whose module
   * could not be loaded when this process discovered services, the file the catalog recorded for it.
   */
  private reloadSource(id: string, runtime: RuntimeEntry = this.runtimeOf(id)): FileSource {
    const source = sourceOf(runtime);
    if (!source) {
      throw new ServiceDeckError(
        'SD_ERR_SERVICE_MISSING',
        `Service "${id}" was not found by discovery this time, and the catalog records no file for it, so there is no code to reload.`,
        { details: { serviceId: id }, hint: 'Install its plugin again and restart servicedeck.' },
      );
    }
    if (!isFileSource(source)) {
      throw new ServiceDeckError(
        'SD_ERR_RELOAD_UNSUPPORTED',
        `Service "${id}" cannot be reloaded: it comes from ${describeSource(source)}, not from a module file.`,
        {
          details: { serviceId: id, source: describeSource(source) },
          hint: 'Restart the bot to load its new code, or ship it as a plugin package or a service glob file.',
        },
      );
    }
    return source;
  }

  /** Every service whose code comes from a module file, by file, with the source (for the watch mode). */
  public reloadableSources(): Map<string, { ids: string[]; kind: 'plugin' | 'glob' }> {
    this.assertRunning('list service files');
    const files = new Map<string, { ids: string[]; kind: 'plugin' | 'glob' }>();
    for (const [id, runtime] of this.runtime) {
      // A service whose module did not load at start is watched at the file the catalog recorded.
      const source = sourceOf(runtime);
      if (!isFileSource(source)) continue;
      const known = files.get(source.file);
      files.set(source.file, { ids: [...(known?.ids ?? []), id], kind: source.kind });
    }
    return files;
  }

  /** Loads a service's definition afresh from its file; a problem is returned as a reload failure. */
  private async loadAgain(
    id: string,
    source: FileSource,
  ): Promise<{ definition: ServiceDefinition } | { stage: ReloadStage; error: unknown }> {
    const { file } = source;
    let namespace: Record<string, unknown>;
    const scope = reloadScope(source);
    try {
      namespace = await importFresh(file, scope);
    } catch (error) {
      if (!(error instanceof SyntaxError)) return { stage: 'load', error };
      const where = await locateSyntaxError(file, scope, error);
      return { stage: 'load', error: where ? new SyntaxError(where, { cause: error }) : error };
    }
    const { definitions, problems } = definitionsOf(namespace, file, source);
    const definition = definitions.find((d) => d.metadata.id === id);
    if (definition) return { definition };
    const problem = problems.find((p) => p.serviceId === id) ?? problems[0];
    return {
      stage: 'validate',
      error: problem?.error ?? new Error(`${file} no longer exports service "${id}"`),
    };
  }

  /** The definitions of every service this process loaded code for. */
  private loadedDefinitions(): ServiceDefinition[] {
    return [...this.runtime.values()]
      .map((r) => r.definition)
      .filter((d): d is ServiceDefinition => d !== undefined);
  }

  /** Why the new definition cannot replace the current one (graph, dependencies not running), if it cannot. */
  private graphProblem(id: string, definition: ServiceDefinition, running: boolean): string | undefined {
    const others = this.loadedDefinitions().filter((d) => d.metadata.id !== id);
    const graph = checkDependencyGraph([...others, definition]);
    const problem = graph.problems.find((p) => p.serviceId === id) ?? graph.problems[0];
    if (problem) return problem.error.reason;
    if (!running) return undefined;
    const stopped = definition.metadata.dependencies.filter((dep) => !this.runtime.get(dep)?.instance);
    if (stopped.length === 0) return undefined;
    return `it now depends on ${stopped.map((dep) => `"${dep}"`).join(', ')}, which ${stopped.length === 1 ? 'does' : 'do'} not run here (${stopped.map((dep) => this.runtime.get(dep)?.statusMessage ?? 'not running').join('; ')}); start ${stopped.length === 1 ? 'it' : 'them'} first`;
  }

  /**
   * The running services to restart or notify when `id` is replaced: a dependent that asks to be notified
   * (and can be) keeps its instance; one that is restarted passes the question on to its own dependents.
   */
  private reloadDependents(id: string): { restart: string[]; notify: string[] } {
    const restart: string[] = [];
    const notify: string[] = [];
    const queue = [id];
    const seen = new Set([id]);
    while (queue.length > 0) {
      const changed = queue.shift() as string;
      for (const [otherId, other] of this.runtime) {
        if (seen.has(otherId) || !other.instance || !other.definition) continue;
        if (!other.definition.metadata.dependencies.includes(changed)) continue;
        seen.add(otherId);
        if (
          other.definition.metadata.onDependencyReload === 'notify' &&
          typeof other.instance.dependencyReloaded === 'function'
        ) {
          notify.push(otherId);
        } else {
          restart.push(otherId);
          queue.push(otherId);
        }
      }
    }
    const order = this.startWaves.flat();
    restart.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    return { restart, notify };
  }

  /** Starts one service with its stored settings and puts it under the health monitor. */
  private async startWithStoredConfig(id: string): Promise<boolean> {
    const runtime = this.runtime.get(id) as RuntimeEntry;
    if (!runtime.definition) return false;
    // Not `this.config`: a reload queued before shutdown finishes while the manager is stopping.
    const config = await (this.configuration as Configuration).resolveOne(runtime.definition.metadata);
    await this.startOne(id, config);
    this.trackHealth(id);
    return runtime.instance !== undefined;
  }

  /**
   * Tells each dependent that keeps running which instances to use now: for every dependency of it that
   * was replaced (the reloaded service, or a service restarted with it), `dependencyReloaded(dep, instance)`
   * with that dependency's running instance.
   */
  private async notifyDependents(
    notify: readonly string[],
    replaced: ReadonlySet<string>,
  ): Promise<ReloadDependent[]> {
    const outcomes: ReloadDependent[] = [];
    const timeoutMs = this.options.enableTimeoutMs ?? 30_000;
    for (const dependent of notify) {
      const runtime = this.runtime.get(dependent);
      const target = runtime?.instance;
      if (!target?.dependencyReloaded || !runtime?.definition) continue;
      const deps = runtime.definition.metadata.dependencies.filter((dep) => replaced.has(dep));
      try {
        for (const dep of deps) {
          const instance = this.runtime.get(dep)?.instance;
          if (!instance) throw new Error(`"${dep}" does not run`);
          await withTimeout(
            async () => target.dependencyReloaded?.(dep, instance),
            timeoutMs,
            () => new Error(`dependencyReloaded() did not finish within ${timeoutMs} ms`),
          );
        }
        outcomes.push({ serviceId: dependent, action: 'notified', result: 'ok', message: null });
      } catch (error) {
        outcomes.push({
          serviceId: dependent,
          action: 'notified',
          result: 'failed',
          message: `dependencyReloaded() failed: ${describeError(error)}`,
        });
      }
    }
    return outcomes;
  }

  /**
   * One reload, inside the lane. `requested` is the revision of a reload another process recorded (then
   * nothing is recorded again), or null for a reload asked of this manager.
   */
  private async reloadNow(id: string, actor: Actor, requested: number | null): Promise<ReloadResult> {
    const startedAt = performance.now();
    const runtime = this.runtime.get(id) as RuntimeEntry;
    // Undefined for a service whose module did not load when this process discovered services.
    const previous = runtime.definition;
    const source = this.reloadSource(id, runtime);
    const { file } = source;
    const previousVersion = previous?.metadata.version ?? runtime.entry.version;
    const previousStatus = runtime.status;
    const wasRunning = runtime.instance !== undefined;
    const applied = this.controlOnly ? 'recorded' : 'here';
    const dependents: ReloadDependent[] = [];
    let oldDisableError: string | undefined;

    const finish = async (
      outcome: { stage: ReloadStage; reason: string; cause?: unknown; rolledBack?: boolean } | undefined,
      version: string | null,
      revision: number | null,
    ): Promise<ReloadResult> => {
      const afterFailure = (rolledBack: boolean): string => {
        if (!rolledBack) return wasRunning ? 'the previous version keeps running' : 'nothing was changed';
        return runtime.instance
          ? 'the previous version was started again'
          : `the previous version could not be started again (${clause(runtime.statusMessage ?? 'not running')})`;
      };
      const error = outcome
        ? new ServiceDeckError(
            'SD_ERR_RELOAD_FAILED',
            `Reload of "${id}" failed ${STAGE_WORDS[outcome.stage]}: ${clause(outcome.reason)}; ${afterFailure(outcome.rolledBack ?? false)}.`,
            {
              cause: outcome.cause,
              details: { serviceId: id, stage: outcome.stage, file },
              hint: 'Fix the code (or the settings) and reload again.',
            },
          )
        : null;
      const result: ReloadResult = {
        serviceId: id,
        result: error ? 'failed' : 'ok',
        applied,
        revision: revision ?? requested,
        previousVersion,
        version,
        stage: outcome?.stage ?? null,
        error,
        rolledBack: outcome?.rolledBack ?? false,
        running: runtime.instance !== undefined,
        status: runtime.status,
        message: runtime.statusMessage,
        dependents,
        durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
      };
      await (this.audit as AuditStore).record({
        ...actor,
        action: 'reload',
        serviceId: id,
        result: result.result,
        details: {
          revision: result.revision,
          previousVersion,
          version: result.version,
          file,
          applied,
          ...(error && outcome ? { stage: outcome.stage, reason: error.reason } : {}),
          rolledBack: result.rolledBack,
          ...(oldDisableError ? { previousDisableFailed: oldDisableError } : {}),
          dependents: dependents.map((d) => ({ ...d })),
          durationMs: result.durationMs,
        },
      });
      return result;
    };

    const loaded = await this.loadAgain(id, source);
    if (!('definition' in loaded)) {
      return finish(
        { stage: loaded.stage, reason: describeError(loaded.error), cause: loaded.error },
        previousVersion,
        null,
      );
    }
    const next = loaded.definition;
    const graph = this.graphProblem(id, next, wasRunning && runtime.entry.enabled);
    if (graph) return finish({ stage: 'validate', reason: graph }, previousVersion, null);
    const configuration = this.configuration as Configuration;
    const config = await configuration.resolveOne(next.metadata);
    const fits = (entry: typeof config): boolean =>
      entry?.resolved !== undefined && entry.resolved.problems.length === 0;
    // The stored settings must fit the new code when it is to replace code that runs: here, or (for a
    // manager in control mode, which runs nothing) in the processes that will apply the reload, going by
    // the status they recorded (`inactive`: disabled, not configured or waiting, so nothing to replace).
    const mustFit =
      wasRunning || (this.controlOnly && runtime.entry.enabled && runtime.status !== 'inactive');
    if (mustFit && !fits(config)) {
      const detail =
        config?.error?.message ?? config?.resolved?.problems.map((p) => p.message).join(', ') ?? '';
      return finish(
        { stage: 'validate', reason: `its current settings do not fit the new code: ${detail}` },
        previousVersion,
        null,
      );
    }

    if (this.controlOnly) {
      runtime.definition = next;
      runtime.entry = { ...runtime.entry, missing: false };
      const revision = await (this.catalog as CatalogStore).recordReload(next);
      return finish(undefined, next.metadata.version, revision);
    }

    if (!wasRunning) {
      // Nothing runs to replace: the new code is the one used from now on, and starts if it can.
      const before = { entry: runtime.entry, status: runtime.status, message: runtime.statusMessage };
      runtime.definition = next;
      runtime.entry = { ...runtime.entry, missing: false };
      this.setObserved(runtime, 'inactive', runtime.entry.enabled ? null : 'disabled');
      if (runtime.entry.enabled) {
        await this.startOne(id, config);
        this.trackHealth(id);
        if (!runtime.instance && runtime.status === 'error') {
          const reason = runtime.statusMessage ?? 'it failed to start';
          runtime.definition = previous;
          runtime.entry = before.entry;
          this.setObserved(runtime, before.status, before.message);
          return finish({ stage: 'start', reason }, previousVersion, null);
        }
        await this.saveStatuses([id]);
        if (runtime.instance) await this.startWaiting();
      }
      return this.completeReload(previous, next, requested, finish);
    }

    const { restart, notify } = this.reloadDependents(id);
    const replaced = new Set([id, ...restart]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gated: RuntimeEntry[] = [];
    const hold = (each: string): void => {
      const entry = this.runtime.get(each) as RuntimeEntry;
      entry.reloading = gate;
      gated.push(entry);
    };
    try {
      for (const dependent of [...restart].reverse()) {
        hold(dependent);
        await this.stopOne(dependent, `restarting: "${id}" is reloading`);
      }
      // Held only now: work still running in the dependents above may call this service while they drain.
      hold(id);
      const stopError = await this.stopOne(id, 'reloading');
      if (stopError) {
        // Its disable() failed: whatever it still holds stays with it. The reload goes on (the instance is
        // out of use either way), and the audit entry says so.
        oldDisableError = stopError.reason;
      }
      runtime.definition = next;
      let failure: { stage: ReloadStage; reason: string } | undefined;
      await this.startOne(id, config);
      if (!runtime.instance) {
        failure = { stage: 'start', reason: runtime.statusMessage ?? 'it failed to start' };
      } else {
        this.trackHealth(id, false);
        const record = await this.monitor?.checkNow(id, true);
        if (record?.status === 'error' && previousStatus !== 'error') {
          failure = {
            stage: 'health',
            reason: `its first health check failed: ${record.message ?? 'error'}`,
          };
        }
      }
      if (!failure) {
        for (const dependent of restart) {
          const ok = await this.startWithStoredConfig(dependent);
          const message = ok ? null : (this.runtime.get(dependent)?.statusMessage ?? 'it failed to start');
          dependents.push({
            serviceId: dependent,
            action: 'restarted',
            result: ok ? 'ok' : 'failed',
            message,
          });
        }
        dependents.push(...(await this.notifyDependents(notify, replaced)));
        const broken = dependents.find((d) => d.result === 'failed');
        if (broken) failure = { stage: 'dependents', reason: `"${broken.serviceId}" ${broken.message}` };
      }
      if (failure) {
        // Back to the previous code: the new instance and the dependents started with it are stopped, and
        // everything that ran before is started again as it was.
        for (const dependent of [...restart].reverse())
          await this.stopOne(dependent, `restarting: "${id}" is reloading`);
        await this.stopOne(id, 'reload failed');
        runtime.definition = previous;
        await this.startWithStoredConfig(id);
        for (const dependent of restart) await this.startWithStoredConfig(dependent);
        const stranded: string[] = [];
        if (runtime.instance) {
          await this.notifyDependents(notify, replaced);
        } else {
          // The previous version did not start again: the dependents told to keep running would hold a
          // stopped instance, so they stop and wait for it like the restarted ones.
          for (const dependent of notify) {
            await this.stopOne(dependent, `restarting: "${id}" is reloading`);
            const entry = this.runtime.get(dependent) as RuntimeEntry;
            this.setObserved(
              entry,
              'inactive',
              `waiting for "${id}" (${runtime.statusMessage ?? 'not running'})`,
            );
            stranded.push(dependent);
          }
        }
        await this.saveStatuses([id, ...restart, ...stranded]);
        return finish({ ...failure, rolledBack: true }, previousVersion, null);
      }
      await this.saveStatuses([id, ...restart]);
      return this.completeReload(previous, next, requested, finish);
    } finally {
      for (const each of gated) if (each.reloading === gate) each.reloading = undefined;
      release();
    }
  }

  /** Records a successful reload (unless another process recorded it) and puts the new code in the start order. */
  private async completeReload(
    previous: ServiceDefinition | undefined,
    next: ServiceDefinition,
    requested: number | null,
    finish: (outcome: undefined, version: string | null, revision: number | null) => Promise<ReloadResult>,
  ): Promise<ReloadResult> {
    if (previous?.metadata.dependencies.join() !== next.metadata.dependencies.join()) {
      this.startWaves = this.computeWaves(checkDependencyGraph(this.loadedDefinitions()).ordered);
    }
    const revision = requested === null ? await (this.catalog as CatalogStore).recordReload(next) : null;
    return finish(undefined, next.metadata.version, revision);
  }

  /** Records the statuses this process observes now for `ids`. */
  private async saveStatuses(ids: readonly string[]): Promise<void> {
    await (this.catalog as CatalogStore).setStatuses(
      ids.map((each) => {
        const runtime = this.runtime.get(each) as RuntimeEntry;
        return { id: each, status: runtime.status, message: runtime.statusMessage };
      }),
    );
  }

  /** Runs `work` after every change to live services queued before it, and before those queued after. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lane.then(work, work);
    this.lane = run.catch(() => undefined);
    return run;
  }

  /** Runs a resync now, or once more after the one running (several wakes in a row sync once or twice). */
  private wake(reason: string): void {
    if (this.currentState !== 'running') return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.logger.debug('resync', { reason });
    this.syncing = this.exclusive(() => this.resyncNow())
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.warn('resync failed; retrying at the next change or resync', { error }),
      )
      .finally(() => {
        this.syncing = undefined;
        if (this.syncAgain) {
          this.syncAgain = false;
          this.wake('changes during the last resync');
        }
      });
  }

  /**
   * Applies every change of desired state made since the last revision seen — by this process or any
   * other: services enabled or disabled elsewhere are started or stopped here, and new settings are
   * handed to running services. Returns the revision reached.
   */
  public resync(): Promise<number> {
    return this.exclusive(() => this.resyncNow());
  }

  private async resyncNow(): Promise<number> {
    const catalog = this.catalog as CatalogStore;
    const changes = await changesSince(this.database, this.lastRevision, 10_000);
    if (changes.length === 0) return this.lastRevision;
    const upTo = (changes.at(-1) as { revision: number }).revision;
    const entries = await catalog.changedSince(this.lastRevision);
    const order = this.startWaves.flat();
    const rank = (id: string): number => {
      const at = order.indexOf(id);
      return at < 0 ? order.length : at;
    };
    const toStart: string[] = [];
    const toStop: string[] = [];
    const toConfigure: string[] = [];
    for (const entry of entries) {
      const runtime = this.runtime.get(entry.id);
      if (!runtime) continue;
      const before = runtime.entry;
      runtime.entry = { ...entry, missing: before.missing };
      if (this.controlOnly) {
        if (!before.missing && runtime.definition)
          this.setObserved(runtime, entry.status, entry.statusMessage);
        continue;
      }
      if (entry.enabled && !before.enabled) toStart.push(entry.id);
      else if (!entry.enabled && before.enabled) toStop.push(entry.id);
      else if (runtime.instance && (runtime.appliedConfigVersion ?? 0) < entry.configVersion)
        toConfigure.push(entry.id);
      // New settings may be what a waiting ("not configured") service needed. A service that failed here
      // is not retried just because a change was recorded.
      else if (entry.enabled && !runtime.instance && entry.configVersion !== before.configVersion)
        toStart.push(entry.id);
    }
    for (const id of toStop.sort((a, b) => rank(b) - rank(a))) {
      await this.stopOne(id, 'disabled');
      this.logger.info('service disabled by another process', { service: id });
    }
    for (const id of toStart.sort((a, b) => rank(a) - rank(b))) {
      const runtime = this.runtime.get(id) as RuntimeEntry;
      if (!runtime.definition || runtime.instance) continue;
      const config = await this.config.resolveOne(runtime.definition.metadata);
      await this.startOne(id, config);
      this.trackHealth(id);
    }
    for (const id of toConfigure) await this.applyStoredConfig(id);
    if (toStart.length > 0) await this.startWaiting();
    if (!this.controlOnly) await this.applyReloads(changes);
    const touched = [...toStop, ...toStart, ...toConfigure];
    if (touched.length > 0) {
      await this.saveStatuses(touched);
    }
    this.lastRevision = upTo;
    // Applied: listeners (the dashboard's live stream) read the state after the change.
    for (const change of changes) this.events.emit('change', change);
    await this.instances
      ?.heartbeat(upTo)
      .catch((error: unknown) => this.logger.warn('instance not updated', { error }));
    return upTo;
  }

  /**
   * Reloads here the services other processes reloaded (or asked to reload, from the CLI), each once for
   * its newest request, and audits the outcome in this process.
   */
  private async applyReloads(changes: readonly Change[]): Promise<void> {
    const requests = new Map<string, number>();
    for (const change of changes) {
      if (change.kind === 'reload' && change.instanceId !== this.instanceId)
        requests.set(change.id, change.revision);
    }
    for (const [id, revision] of requests) {
      const runtime = this.runtime.get(id);
      // Not reloadable here: unknown to this process, or registered in code in it.
      if (!runtime || !isFileSource(sourceOf(runtime))) continue;
      const result = await this.reloadNow(id, { actor: 'servicedeck', adapter: 'sync' }, revision);
      this.logger[result.result === 'ok' ? 'info' : 'warn']('service reloaded as another process asked', {
        service: id,
        revision,
        result: result.result,
        stage: result.stage ?? undefined,
        reason: result.error?.reason,
      });
    }
  }

  /** Hands a running service the stored settings another process changed (when it applies them live). */
  private async applyStoredConfig(id: string): Promise<void> {
    const runtime = this.runtime.get(id) as RuntimeEntry;
    const instance = runtime.instance;
    if (!instance || !runtime.definition?.metadata.liveConfig) return;
    const entry = await this.config.resolveOne(runtime.definition.metadata);
    if (!entry?.resolved || entry.resolved.problems.length > 0) {
      this.logger.warn('settings changed elsewhere are not valid here; keeping the current ones', {
        service: id,
        problems: entry?.resolved?.problems,
        error: entry?.error,
      });
      return;
    }
    try {
      await instance.updateConfig(entry.resolved.config);
      runtime.appliedConfigVersion = entry.version;
      this.logger.info('settings changed by another process applied', {
        service: id,
        version: entry.version,
      });
    } catch (error) {
      this.logger.error('settings changed by another process were rejected here', { service: id, error });
    }
  }

  /** Disables every running service, dependents before their dependencies. Never throws. */
  private async stopAll(): Promise<void> {
    for (const wave of [...this.startWaves].reverse()) {
      await Promise.all(wave.map((id) => this.stopOne(id, 'stopped')));
    }
  }

  /**
   * Stops one running service: its health checks stop, new `withService` calls are refused, work in
   * flight finishes (or the drain timeout passes), then `disable()` runs within its timeout.
   *
   * @returns the error of a failed `disable()`, if any (the service is then in `error`).
   */
  private async stopOne(id: string, reason: string): Promise<ServiceDeckError | undefined> {
    const runtime = this.runtime.get(id);
    if (!runtime?.instance) return undefined;
    const instance = runtime.instance;
    runtime.instance = undefined;
    this.monitor?.untrack(id);
    if (runtime.inFlight > 0) {
      const drainMs = this.options.drainTimeoutMs ?? 10_000;
      await withTimeout(
        () =>
          new Promise<void>((resolve) => {
            runtime.drained = resolve;
          }),
        drainMs,
        () => new Error('drain timeout'),
      ).catch(() =>
        this.logger.warn('work still in flight after the drain timeout', {
          service: id,
          inFlight: runtime.inFlight,
        }),
      );
      runtime.drained = undefined;
    }
    const timeoutMs = this.options.disableTimeoutMs ?? 10_000;
    try {
      await withTimeout(
        () => instance.disable(),
        timeoutMs,
        () => new Error(`disable() did not finish within ${timeoutMs} ms`),
      );
      this.setObserved(runtime, 'inactive', reason);
      this.logger.info('service stopped', { service: id });
      return undefined;
    } catch (error) {
      const wrapped = new ServiceDeckError(
        'SD_ERR_SERVICE_DISABLE_FAILED',
        `Service "${id}" failed to stop: ${describeError(error)}.`,
        {
          cause: error,
          details: { serviceId: id },
        },
      );
      this.setObserved(runtime, 'error', wrapped.message);
      this.logger.error('service failed to stop', { service: id, error: wrapped });
      return wrapped;
    }
  }

  private async closeDatabase(): Promise<void> {
    const database = this.options.database;
    const owned = !(database && 'sequelize' in database);
    if (this.db && owned) await this.db.close().catch(() => undefined);
  }

  /**
   * Stops every running service in reverse dependency order, each within its timeout, then closes the
   * database if the manager opened it. Safe to call twice.
   */
  public async shutdown(): Promise<void> {
    if (this.currentState === 'stopped' || this.currentState === 'stopping') return;
    if (this.currentState !== 'running') throw this.stateError('shut down');
    this.currentState = 'stopping';
    await this.feed?.stop();
    await this.syncing;
    // Lifecycle actions and configuration changes already under way finish first.
    await this.lane;
    await this.stopHealth();
    await Promise.allSettled([...this.statusWrites]);
    await this.stopAll();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.instances
      ?.stopped()
      .catch((error: unknown) => this.logger.warn('could not record instance shutdown', { error }));
    await this.closeDatabase();
    this.currentState = 'stopped';
    this.logger.info('servicedeck stopped', { instance: this.instanceId });
  }

  private runtimeOf(id: string): RuntimeEntry {
    this.assertRunning('look up services');
    const runtime = this.runtime.get(id);
    if (!runtime) {
      const known = [...this.runtime.keys()];
      throw new ServiceDeckError('SD_ERR_SERVICE_NOT_FOUND', `No service "${id}" in the catalog.`, {
        details: { serviceId: id },
        hint:
          known.length > 0
            ? `Known services: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.`
            : 'No services were discovered.',
      });
    }
    return runtime;
  }

  /**
   * The live instance of a service, for the bot's own code.
   *
   * @throws ServiceDeckError `SD_ERR_SERVICE_NOT_FOUND`, or `SD_ERR_SERVICE_NOT_RUNNING` with the reason.
   */
  public getService<T extends ServiceInterface = ServiceInterface>(id: string): T {
    const runtime = this.runtimeOf(id);
    if (!runtime.instance) {
      throw new ServiceDeckError(
        'SD_ERR_SERVICE_NOT_RUNNING',
        `Service "${id}" is not running (${runtime.statusMessage ?? runtime.status}).`,
        {
          details: { serviceId: id, status: runtime.status },
          hint: 'Check manager.isEnabled(id) before using a service.',
        },
      );
    }
    return runtime.instance as T;
  }

  private summarize(runtime: RuntimeEntry): ServiceSummary {
    const { entry } = runtime;
    const metadata = runtime.definition?.metadata;
    return {
      id: entry.id,
      name: metadata?.name ?? entry.name,
      description: metadata?.description ?? entry.description,
      type: metadata?.type ?? entry.type,
      version: metadata?.version ?? entry.version,
      dependencies: metadata?.dependencies ?? entry.dependencies,
      tags: metadata?.tags ?? entry.tags,
      enabled: entry.enabled,
      status: runtime.status,
      statusMessage: runtime.statusMessage,
      running: runtime.instance !== undefined,
      missing: entry.missing,
      source: entry.source,
      lastHealthCheck: this.monitor?.health(entry.id)?.last?.checkedAt ?? entry.lastHealthCheck,
      latencyMs: this.monitor?.health(entry.id)?.last?.latencyMs ?? null,
    };
  }

  /** One service's summary. @throws ServiceDeckError `SD_ERR_SERVICE_NOT_FOUND`. */
  public getServiceInfo(id: string): ServiceSummary {
    return this.summarize(this.runtimeOf(id));
  }

  /** Every service in the catalog, by id, optionally filtered by type or desired state. */
  public async listServices(filter: ListServicesFilter = {}): Promise<ServiceSummary[]> {
    this.assertRunning('list services');
    return [...this.runtime.values()]
      .map((runtime) => this.summarize(runtime))
      .filter(
        (s) =>
          (filter.type === undefined || s.type === filter.type) &&
          (!filter.enabledOnly || (s.enabled && !s.missing)),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Whether a service is enabled: a synchronous in-memory lookup, cheap enough for every command.
   * Unknown and missing services are not enabled.
   */
  public isEnabled(id: string): boolean {
    const runtime = this.runtime.get(id);
    return runtime?.entry.enabled === true && !runtime.entry.missing;
  }
}
