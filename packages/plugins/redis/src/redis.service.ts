/**
 * The Redis service: an ioredis client built from the registry's configuration, lent to the bot as
 * `client`, checked with PING and INFO, rebuilt on a configuration change and closed on disable. Works
 * with Valkey too: it only uses commands both have.
 */
import {
  type HealthCheckResult,
  inject,
  SERVICE_CONTEXT,
  Service,
  type ServiceContext,
} from '@servicedeck/core';
import { ClientService, settlesWithin, untilAborted } from '@servicedeck/plugin-kit';
import { Redis } from 'ioredis';
import { REDIS_CONFIG_SCHEMA, type RedisConfig } from './config.js';
import { DISCONNECT_TIMEOUT_MS, type RedisTarget, toTarget } from './connection.js';
import { describeRedisError, type RedisFailure } from './errors.js';
import { healthyResult, parseInfo, serverFacts } from './info.js';
import { REDIS_PLUGIN_VERSION } from './version.js';
import { nextEvent } from './wait.js';

/** How long `disable()` lets QUIT wait for the replies still due before it drops the connection. */
const QUIT_TIMEOUT_MS = 2_000;

/** What the service knows about a client it built. */
interface ClientState {
  readonly target: RedisTarget;
  readonly config: RedisConfig;
  /** The last error of the connection attempt under way, or of the last one when none is. */
  lastError: Error | undefined;
  /** The words last logged for a connection error, so a reconnect loop logs each reason once. */
  logged: string | undefined;
}

/**
 * A Redis (or Valkey) client for the bot. Configure it with `url` or `host`; see {@link RedisConfig}.
 *
 * @example
 * ```ts
 * await manager.getService<RedisService>('redis').client.set('greeting', 'hello', 'EX', 60);
 * ```
 */
@Service({
  id: 'redis',
  name: 'Redis',
  description: 'A Redis or Valkey client for the bot, checked with PING, the server version and memory use.',
  type: 'external',
  version: REDIS_PLUGIN_VERSION,
  tags: ['cache', 'redis', 'valkey'],
  configSchema: REDIS_CONFIG_SCHEMA,
  healthCheck: { timeoutMs: 10_000 },
})
export class RedisService extends ClientService<RedisConfig, Redis> {
  private readonly states = new WeakMap<Redis, ClientState>();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  /** Creates the client. It connects in the background and reconnects by itself; nothing waits here. */
  protected createClient(config: RedisConfig): Redis {
    const target = toTarget(config);
    const client = new Redis(target.options);
    const state: ClientState = { target, config, lastError: undefined, logged: undefined };
    client.on('error', (error: Error) => {
      state.lastError = error;
      const failure = this.failure(error, state);
      if (failure.message === state.logged) return;
      state.logged = failure.message;
      this.logger.warn('connection error; reconnecting', { reason: failure.message, code: failure.code });
    });
    // Errors from here on concern this connection: its login and its readiness.
    client.on('connect', () => {
      state.lastError = undefined;
    });
    client.on('ready', () => {
      if (state.logged !== undefined) this.logger.info('connection ready again', { server: target.where });
      state.lastError = undefined;
      state.logged = undefined;
    });
    this.states.set(client, state);
    this.logger.debug('client created', { server: target.where, db: target.options.db });
    return client;
  }

  /**
   * Closes the client: QUIT (the replies still due arrive first) within {@link QUIT_TIMEOUT_MS}, then a
   * disconnect that also stops reconnecting. No socket or timer is left.
   */
  protected async closeClient(client: Redis): Promise<void> {
    if (client.status === 'end') return;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    if (client.status === 'ready') {
      const quit = client.quit();
      if (
        (await settlesWithin(quit, QUIT_TIMEOUT_MS)) &&
        (await settlesWithin(ended, DISCONNECT_TIMEOUT_MS))
      ) {
        return;
      }
    }
    client.disconnect();
    // A socket that does not close is destroyed by ioredis after DISCONNECT_TIMEOUT_MS; its timer runs
    // out within this wait.
    await settlesWithin(ended, DISCONNECT_TIMEOUT_MS + 100);
  }

  /** PING, then INFO server, memory and replication; every failure is an `error` result in words. */
  protected async checkClient(
    client: Redis,
    _config: RedisConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const state = this.states.get(client) as ClientState;
    const started = performance.now();
    const wasReady = client.status === 'ready';
    try {
      if (!wasReady) {
        // Not connected: the last attempt's error says why; without one, wait for the attempt under way.
        if (client.status !== 'connect') {
          if (state.lastError) return this.errorResult(this.failure(state.lastError, state));
          await nextEvent(client, ['connect', 'ready'], signal);
        }
        // Connected, not ready yet: the server may still be loading its dataset.
        if (client.status === 'connect') {
          const loading = await this.loading(client, signal);
          if (loading) return loading;
          await nextEvent(client, ['ready'], signal);
        }
      }
      const pinged = performance.now();
      await untilAborted(client.ping(), signal);
      const latencyMs = Math.round(performance.now() - pinged);
      const replies = await untilAborted(
        Promise.all([client.info('server'), client.info('memory'), client.info('replication')]),
        signal,
      );
      return healthyResult(latencyMs, serverFacts(parseInfo(...replies)));
    } catch (error) {
      if (signal.aborted) {
        return {
          status: 'error',
          message: `no answer from ${state.target.where} within ${Math.round(performance.now() - started)} ms`,
          details: { reason: 'timeout' },
        };
      }
      // Before the client is ready, a command's error (NOAUTH) follows from the connection's (WRONGPASS).
      return this.errorResult(this.failure(!wasReady && state.lastError ? state.lastError : error, state));
    }
  }

  /**
   * While the connection is up but not ready, the server may be loading its dataset: INFO is answered
   * then, and says how far it got.
   */
  private async loading(client: Redis, signal: AbortSignal): Promise<HealthCheckResult | undefined> {
    const info = parseInfo(await untilAborted(client.info('persistence'), signal));
    if (info.get('loading') !== '1') return undefined;
    const percent = Number(info.get('loading_loaded_perc') ?? 0);
    const eta = Number(info.get('loading_eta_seconds') ?? 0);
    return {
      status: 'error',
      message: `the server is loading its dataset into memory (LOADING): ${Math.floor(percent)}% done, about ${eta} s left`,
      details: { reason: 'loading', code: 'LOADING', loadedPercent: percent, etaSeconds: eta },
    };
  }

  private failure(error: unknown, state: ClientState): RedisFailure {
    const { commandTimeoutMs } = state.config;
    const failure = describeRedisError(error, {
      where: state.target.where,
      ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
    });
    // A server without TLS does not answer a TLS handshake: the connection attempt just times out.
    if (state.target.options.tls && failure.code === 'ETIMEDOUT') {
      return { ...failure, message: `${failure.message}; is TLS enabled on the server?` };
    }
    return failure;
  }

  private errorResult(failure: RedisFailure): HealthCheckResult {
    return {
      status: 'error',
      message: failure.message,
      details: { reason: failure.kind, ...(failure.code === undefined ? {} : { code: failure.code }) },
    };
  }

  /** Words for what ioredis threw, naming the configured server. */
  protected override describeFailure(error: unknown): string {
    const state = this.enabled ? this.states.get(this.client) : undefined;
    return state
      ? this.failure(error, state).message
      : describeRedisError(error, { where: 'the server' }).message;
  }

  /**
   * Describes an error of a command in words (`the server is a read-only replica (READONLY)`,
   * `authentication failed: wrong username or password (WRONGPASS)`), for the bot's logs and replies.
   */
  public explain(error: unknown): string {
    return this.describeFailure(error);
  }
}
