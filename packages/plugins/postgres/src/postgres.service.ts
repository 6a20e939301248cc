/**
 * The PostgreSQL service: a `pg.Pool` built from the registry's configuration, lent to the bot as
 * `client`, checked with `SELECT 1`, the server version and the pool's use, rebuilt on a configuration
 * change and ended on disable.
 */
import {
  type HealthCheckResult,
  inject,
  SERVICE_CONTEXT,
  Service,
  type ServiceContext,
} from '@servicedeck/core';
import { ClientService } from '@servicedeck/plugin-kit';
import type pg from 'pg';
import { POSTGRES_CONFIG_SCHEMA, type PostgresConfig } from './config.js';
import { type PostgresTarget, toTarget } from './connection.js';
import { describePostgresError } from './errors.js';
import { healthyResult, poolUse, probe } from './health.js';
import { createTrackedPool, endPool, type TrackedPool } from './pool.js';
import { POSTGRES_PLUGIN_VERSION } from './version.js';

/** What the service knows about a pool it built. */
interface PoolState {
  readonly target: PostgresTarget;
  readonly config: PostgresConfig;
  readonly tracked: TrackedPool;
}

/**
 * A PostgreSQL connection pool for the bot. Configure it with `url`, or `host` and `database`; see
 * {@link PostgresConfig}.
 *
 * @example
 * ```ts
 * const { rows } = await manager.getService<PostgresService>('postgres').client.query('SELECT now()');
 * ```
 */
@Service({
  id: 'postgres',
  name: 'PostgreSQL',
  description:
    'A PostgreSQL connection pool for the bot, checked with SELECT 1, the server version and how full the pool is.',
  type: 'external',
  version: POSTGRES_PLUGIN_VERSION,
  tags: ['database', 'postgres', 'sql'],
  configSchema: POSTGRES_CONFIG_SCHEMA,
  healthCheck: { timeoutMs: 10_000 },
})
export class PostgresService extends ClientService<PostgresConfig, pg.Pool> {
  private readonly pools = new WeakMap<pg.Pool, PoolState>();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  /** Builds a pool; it connects on first use, so a server that is down does not stop the service. */
  protected createClient(config: PostgresConfig): pg.Pool {
    const target = toTarget(config);
    const tracked = createTrackedPool(target.pool);
    const { pool } = tracked;
    // An idle connection the server ends (restart, pg_terminate_backend) is reported here; pg-pool has
    // already dropped it. Without a listener the `error` event would end the process.
    pool.on('error', (error) => {
      const failure = describePostgresError(error, { where: target.where });
      this.logger.warn('idle connection lost', { reason: failure.message, code: failure.code });
    });
    this.pools.set(pool, { target, config, tracked });
    this.logger.debug('pool created', { server: target.where, database: target.database, max: config.max });
    return pool;
  }

  /** Ends the pool within `closeTimeoutMs`, then closes whatever connection is still borrowed. */
  protected async closeClient(pool: pg.Pool): Promise<void> {
    const state = this.pools.get(pool);
    if (!state) return;
    await endPool(state.tracked, state.config.closeTimeoutMs, this.logger);
    this.logger.debug('pool closed', { server: state.target.where });
  }

  /** `SELECT 1`, the server version and the pool's use; every failure is an `error` result in words. */
  protected async checkClient(
    pool: pg.Pool,
    config: PostgresConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const state = this.pools.get(pool) as PoolState;
    const { where } = state.target;
    const use = poolUse(pool, config.max);
    const started = performance.now();
    try {
      return healthyResult(await probe(pool, state.target, use, signal), use);
    } catch (error) {
      if (signal.aborted) {
        return {
          status: 'error',
          message: `no answer from ${where} within ${Math.round(performance.now() - started)} ms`,
          details: { reason: 'timeout' },
        };
      }
      const failure = describePostgresError(error, {
        where,
        connectionTimeoutMs: config.connectionTimeoutMs,
      });
      return {
        status: 'error',
        message: failure.message,
        details: { reason: failure.kind, ...(failure.code === undefined ? {} : { code: failure.code }) },
      };
    }
  }

  /** Words for what pg threw, naming the configured server. */
  protected override describeFailure(error: unknown): string {
    const state = this.enabled ? this.pools.get(this.client) : undefined;
    if (!state) return describePostgresError(error, { where: 'the server' }).message;
    const { where } = state.target;
    return describePostgresError(error, { where, connectionTimeoutMs: state.config.connectionTimeoutMs })
      .message;
  }

  /**
   * Describes an error of the pool or of a query in words (`authentication failed for user "bot"
   * (28P01)`, `query canceled: statement timeout (57014)`), for the bot's logs and replies.
   */
  public explain(error: unknown): string {
    return this.describeFailure(error);
  }
}
