/**
 * The health check's probe and its message: `SELECT 1` on a connection of the pool (or on a connection
 * of its own when the pool is full, so the check measures the server rather than the queue), the server
 * version, and the pool's use.
 */
import type { HealthCheckResult } from '@servicedeck/core';
import pg from 'pg';
import type { PostgresTarget } from './connection.js';
import { untilAborted } from './pool.js';

/** How much of the pool is in use. */
export interface PoolUse {
  /** Connections open. */
  readonly total: number;
  /** Open connections nobody borrowed. */
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
  /** The most connections the pool opens. */
  readonly max: number;
}

/** The pool's use now. */
export function poolUse(pool: pg.Pool, max: number): PoolUse {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max };
}

/** Whether no connection is free and no other can be opened. */
export function isSaturated(use: PoolUse): boolean {
  return use.total >= use.max && use.idle === 0;
}

/** `pool 1/10 in use`, or a warning when the pool is full or callers are waiting. */
export function describePoolUse(use: PoolUse): string {
  const inUse = `${use.total - use.idle}/${use.max} in use`;
  const waiting = use.waiting > 0 ? `, ${use.waiting} waiting for a connection` : '';
  if (isSaturated(use) || use.waiting > 0) return `warning: pool saturated, ${inUse}${waiting}`;
  return `pool ${inUse}`;
}

/** What one probe measured. */
export interface ProbeResult {
  /** Milliseconds `SELECT 1` took, connection excluded. */
  readonly latencyMs: number;
  /** `server_version` as the server reports it (`15.20 (Debian 15.20-0+deb12u1)`). */
  readonly serverVersion: string;
  /** Whether the probe used a connection of its own because the pool was full. */
  readonly ownConnection: boolean;
}

/** A connection borrowed for the probe, and how to give it back (with an error: close it). */
interface Borrowed {
  readonly client: pg.ClientBase;
  readonly done: (error?: Error) => void;
}

async function borrow(
  pool: pg.Pool,
  target: PostgresTarget,
  own: boolean,
  signal: AbortSignal,
): Promise<Borrowed> {
  if (own) {
    const client = new pg.Client(target.pool);
    const done = (): void => {
      void client.end().catch(() => undefined);
    };
    await untilAborted(client.connect(), signal, done);
    return { client, done };
  }
  const client = await untilAborted(
    pool.connect(),
    signal,
    () => undefined,
    (late) => late.release(),
  );
  return { client, done: (error) => client.release(error ?? false) };
}

/**
 * Runs `SELECT 1` and reads the server version, stopping (and closing the connection) when `signal`
 * aborts.
 */
export async function probe(
  pool: pg.Pool,
  target: PostgresTarget,
  use: PoolUse,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const ownConnection = isSaturated(use);
  const { client, done } = await borrow(pool, target, ownConnection, signal);
  // A connection that dies while borrowed emits `error`; without a listener that would end the process.
  const onError = (): void => undefined;
  client.on('error', onError);
  let failure: Error | undefined;
  try {
    const kill = (): void => {
      failure = new Error('health check aborted');
    };
    const started = performance.now();
    await untilAborted(client.query('SELECT 1'), signal, kill);
    const latencyMs = Math.round(performance.now() - started);
    const { rows } = await untilAborted(
      client.query<{ version: string }>("SELECT current_setting('server_version') AS version"),
      signal,
      kill,
    );
    return { latencyMs, serverVersion: rows[0]?.version ?? 'unknown', ownConnection };
  } catch (error) {
    failure ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.off('error', onError);
    done(failure);
  }
}

/** The `active` result of a probe: `SELECT 1 in 2 ms; PostgreSQL 15.20; pool 1/10 in use`. */
export function healthyResult(result: ProbeResult, use: PoolUse): HealthCheckResult {
  const version = result.serverVersion.split(' ')[0] ?? result.serverVersion;
  return {
    status: 'active',
    message: `SELECT 1 in ${result.latencyMs} ms; PostgreSQL ${version}; ${describePoolUse(use)}`,
    details: {
      latencyMs: result.latencyMs,
      serverVersion: result.serverVersion,
      poolTotal: use.total,
      poolIdle: use.idle,
      poolWaiting: use.waiting,
      poolMax: use.max,
      saturated: isSaturated(use) || use.waiting > 0,
    },
  };
}
