/**
 * The pool's life outside pg's own API: which connections it holds (so a stuck shutdown can close them),
 * a shutdown bounded in time, and work that stops when an `AbortSignal` aborts.
 */
import type { Logger } from '@servicedeck/core';
import { settlesWithin } from '@servicedeck/plugin-kit';
import pg from 'pg';

/** A pool, and every connection it has open or is opening. */
export interface TrackedPool {
  readonly pool: pg.Pool;
  /** Connections from the moment they start connecting until they end. */
  readonly open: ReadonlySet<pg.Client>;
  /** The connections among them that completed their login. */
  readonly connected: WeakSet<pg.ClientBase>;
}

/**
 * Creates a pool whose connections are known from the moment they start connecting until they end, so
 * that a shutdown can close one that is still connecting or that the bot never released.
 */
export function createTrackedPool(options: pg.PoolConfig): TrackedPool {
  const open = new Set<pg.Client>();
  class TrackedClient extends pg.Client {
    public constructor(config?: pg.ClientConfig) {
      super(config);
      open.add(this);
      this.once('end', () => open.delete(this));
    }
  }
  const pool = new pg.Pool({ ...options, Client: TrackedClient as unknown as new () => pg.ClientBase });
  const connected = new WeakSet<pg.ClientBase>();
  pool.on('connect', (client) => connected.add(client));
  return { pool, open, connected };
}

/**
 * Closes one connection now. A logged-in one says goodbye (an idle one emits no error the bot would have
 * to catch; a running query fails with "Connection terminated"); one still connecting has its socket
 * destroyed, so that whoever waits for it gets an error instead of waiting forever.
 */
function closeNow(client: pg.Client, connected: WeakSet<pg.ClientBase>): Promise<unknown> {
  if (connected.has(client)) return client.end();
  client.connection.stream.destroy();
  return Promise.resolve();
}

/**
 * Ends a pool: idle connections close at once, borrowed ones when they are released. Connections still
 * borrowed (or still connecting) after `timeoutMs` are closed anyway (their queries fail with "Connection
 * terminated"), so a connection the bot never releases cannot hold `disable()` forever.
 */
export async function endPool(
  { pool, open, connected }: TrackedPool,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const ending = pool.ending ? Promise.resolve() : pool.end();
  if (!(await settlesWithin(ending, timeoutMs))) {
    logger.warn('connections still borrowed when the pool closed; closing them', {
      borrowed: open.size,
      waitedMs: timeoutMs,
    });
    await Promise.all([...open].map((client) => settlesWithin(closeNow(client, connected), 1_000)));
  }
}

/**
 * Waits for `work`, or rejects with the signal's reason as soon as it aborts, after calling `onAbort`
 * to stop the work. `onLate` receives a result that arrives after the abort, to release it.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
  onAbort: () => void,
  onLate: (value: T) => void = () => undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let aborted = false;
    const abort = (): void => {
      aborted = true;
      onAbort();
      reject(signal.reason);
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        if (aborted) onLate(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        if (!aborted) reject(error);
      },
    );
  });
}
