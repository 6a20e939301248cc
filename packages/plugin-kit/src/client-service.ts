/**
 * A service that owns one live client built from its configuration: created on `enable`, rebuilt and
 * verified on `updateConfig` (the old client stays in use when the new one does not work), closed on
 * `disable`, and lent to the bot's code through `client`.
 */
import type { Logger, ServiceContext } from '@servicedeck/core';
import {
  BaseService,
  describeError,
  type HealthCheckResult,
  type JsonObject,
  ServiceDeckError,
  type ServiceMetadata,
  type ServiceStatus,
  silentLogger,
} from '@servicedeck/core';

/** Whether two JSON values are equal, whatever the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (key) =>
        Object.hasOwn(b, key) &&
        sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}

/** A check result with the status spelled out (a bare status is turned into one). */
function asResult(result: HealthCheckResult | ServiceStatus): HealthCheckResult {
  return typeof result === 'string' ? { status: result } : result;
}

/**
 * Extend this for an integration that holds a connection, a pool or an SDK client. Implement
 * {@link ClientService.createClient}, {@link ClientService.closeClient} and
 * {@link ClientService.checkClient}; the lifecycle is handled here:
 *
 * - `enable()` creates the client from the current configuration. A client that reconnects by itself
 *   should not wait for its server here: the service starts, and its health check says what is wrong until
 *   the server is back.
 * - `updateConfig()` while enabled creates a new client and checks it; only a client whose check is not
 *   `error` replaces the old one, which is then closed. Otherwise the new client is closed, the old one
 *   stays in use, and the error says why. The same settings again keep the client in use.
 * - `disable()` closes the client; `client` then throws `SD_ERR_SERVICE_NOT_RUNNING`.
 * - `healthCheck()` is `inactive` ("disabled") without a client and turns anything `checkClient` throws
 *   into an `error` result with {@link ClientService.describeFailure}'s words.
 *
 * @typeParam TConfig - the validated configuration (schema defaults applied by core).
 * @typeParam TClient - the client the bot uses.
 */
export abstract class ClientService<TConfig extends JsonObject, TClient> extends BaseService<TConfig> {
  /** The service's logger (silent when constructed outside a manager). */
  protected readonly logger: Logger;
  private current: TClient | undefined;
  private metadata: ServiceMetadata | undefined;
  /** Serialises enable, disable and configuration changes. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  protected constructor(context?: ServiceContext) {
    super();
    this.logger = context?.logger ?? silentLogger;
  }

  /**
   * Builds a client from a validated configuration. Throw an `Error` whose message says what is wrong
   * ("invalid private key: …"); release whatever was acquired before throwing.
   */
  protected abstract createClient(config: TConfig): Promise<TClient> | TClient;

  /** Closes a client cleanly: no socket, timer or listener may remain. Must not throw for a broken client. */
  protected abstract closeClient(client: TClient): Promise<void> | void;

  /**
   * Checks a client against its server with the real protocol. Return `active`, or `error` with a message
   * in words; throwing is reported through {@link ClientService.describeFailure}. Stop when `signal`
   * aborts.
   */
  protected abstract checkClient(
    client: TClient,
    config: TConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult | ServiceStatus> | HealthCheckResult | ServiceStatus;

  /**
   * Called when a client becomes the live one — after `enable()` created it, or after it replaced the
   * previous client — before the previous one is closed. Override it for SDKs with a process-wide current
   * client (Sentry) to install it there. The default does nothing.
   */
  protected activateClient(_client: TClient): Promise<void> | void {}

  /**
   * Words for what a check or a client threw. The default is the error's message; override it to
   * recognise the client library's errors ("authentication failed").
   */
  protected describeFailure(error: unknown): string {
    return describeError(error);
  }

  /** The name used in error messages: the metadata's name. */
  protected get displayName(): string {
    return this.getMetadata().name;
  }

  /** The declared metadata, validated once. */
  public override getMetadata(): ServiceMetadata {
    this.metadata ??= super.getMetadata();
    return this.metadata;
  }

  /** Whether the service is enabled and holds a client. */
  public get enabled(): boolean {
    return this.current !== undefined;
  }

  /**
   * The live client, for the bot's code. Fetch it for each use rather than keeping it: a configuration
   * change replaces it.
   *
   * @throws ServiceDeckError `SD_ERR_SERVICE_NOT_RUNNING` while the service is disabled.
   */
  public get client(): TClient {
    const client = this.current;
    if (client === undefined) {
      const { id } = this.getMetadata();
      throw new ServiceDeckError(
        'SD_ERR_SERVICE_NOT_RUNNING',
        `The ${this.displayName} service is disabled or not configured; its client is not available.`,
        {
          details: { serviceId: id },
          hint: `Check manager.isEnabled('${id}') before using the service, or enable and configure it.`,
        },
      );
    }
    return client;
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Creates the client from the configuration applied last. */
  public override enable(): Promise<void> {
    return this.serialised(async () => {
      if (this.current !== undefined) return;
      const client = await this.createClient(this.config);
      try {
        await this.activateClient(client);
      } catch (error) {
        await this.closeQuietly(client);
        throw error;
      }
      this.current = client;
      this.logger.debug('client created');
    });
  }

  /** Closes the client. Safe after a failed or partial start, and when already disabled. */
  public override disable(): Promise<void> {
    return this.serialised(async () => {
      const client = this.current;
      this.current = undefined;
      if (client !== undefined) await this.closeQuietly(client);
    });
  }

  /**
   * Applies a validated configuration. While enabled, a new client is built and checked first; the old
   * client is closed only once the new one works.
   *
   * @throws Error when the new client cannot be created or its check fails; the old client stays in use.
   */
  public override updateConfig(config: JsonObject): Promise<void> {
    return this.serialised(async () => {
      const next = config as TConfig;
      if (this.current === undefined) {
        super.updateConfig(next);
        return;
      }
      // The same settings again (the manager re-applies the previous ones after a rejected change) keep the
      // client that works.
      if (sameJson(next, this.config)) return;
      let client: TClient;
      try {
        client = await this.createClient(next);
      } catch (error) {
        throw new Error(
          `the new settings were not applied: ${this.describeFailure(error)}; the previous client is still in use`,
          { cause: error },
        );
      }
      const verdict = await this.runCheck(client, next, AbortSignal.timeout(this.checkTimeoutMs()));
      if (verdict.status === 'error') {
        await this.closeQuietly(client);
        throw new Error(
          `the new settings were not applied: ${verdict.message ?? 'its check failed'}; the previous client is still in use`,
        );
      }
      const previous = this.current;
      try {
        await this.activateClient(client);
      } catch (error) {
        await this.closeQuietly(client);
        if (previous !== undefined) await this.activateClient(previous);
        throw new Error(
          `the new settings were not applied: ${this.describeFailure(error)}; the previous client is still in use`,
          { cause: error },
        );
      }
      this.current = client;
      super.updateConfig(next);
      this.logger.info('client rebuilt with new settings');
      if (previous !== undefined) await this.closeQuietly(previous);
    });
  }

  /**
   * Checks the live client. Never throws: a thrown error is an `error` result in words, and a check that
   * raced a configuration change is run again on the new client.
   */
  public override async healthCheck(signal?: AbortSignal): Promise<HealthCheckResult> {
    const client = this.current;
    if (client === undefined) return { status: 'inactive', message: 'disabled' };
    const abort = signal ?? AbortSignal.timeout(this.checkTimeoutMs());
    const result = await this.runCheck(client, this.config, abort);
    const now = this.current;
    if (result.status === 'error' && now !== client) {
      if (now === undefined) return { status: 'inactive', message: 'disabled' };
      return this.runCheck(now, this.config, abort);
    }
    return result;
  }

  private async runCheck(client: TClient, config: TConfig, signal: AbortSignal): Promise<HealthCheckResult> {
    try {
      return asResult(await this.checkClient(client, config, signal));
    } catch (error) {
      return { status: 'error', message: this.describeFailure(signal.aborted ? signal.reason : error) };
    }
  }

  private checkTimeoutMs(): number {
    return this.getMetadata().healthCheck.timeoutMs;
  }

  private async closeQuietly(client: TClient): Promise<void> {
    try {
      await this.closeClient(client);
    } catch (error) {
      this.logger.warn('client did not close cleanly', { error });
    }
  }
}
