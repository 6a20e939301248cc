/**
 * How a process learns that another one changed something: on PostgreSQL a dedicated LISTEN connection
 * (reconnecting with backoff), on SQLite a poll of the cheap revision counter. Either way the process
 * then reads `change_log` for everything newer than the last revision it saw, so a missed notification
 * (sent while disconnected) is never a missed change; a slow periodic resync covers the rest.
 */
import { createRequire } from 'node:module';
import type { Client } from 'pg';
import { type Logger, silentLogger } from '../logger.js';
import { CHANGE_CHANNEL, latestRevision } from '../persistence/changes.js';
import type { Database } from '../persistence/database.js';

/** Options of the change feed. */
export interface ChangeFeedOptions {
  /** Milliseconds between polls of the revision counter on SQLite (default 500). */
  readonly pollIntervalMs?: number;
  /** Milliseconds between full resyncs whatever happens (default 60 000). */
  readonly resyncIntervalMs?: number;
  /** First and largest reconnection delay of the PostgreSQL listener (default 250 and 30 000 ms). */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly logger?: Logger;
}

/** Calls `wake` whenever changes may be waiting. */
export class ChangeFeed {
  private readonly logger: Logger;
  private timers: NodeJS.Timeout[] = [];
  private client: Client | undefined;
  private stopped = false;
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectedOnce = false;
  /** Times the PostgreSQL listener (re)connected. */
  public connections = 0;

  public constructor(
    private readonly db: Database,
    private readonly wake: (reason: string) => void,
    private readonly options: ChangeFeedOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.reconnectDelay = options.reconnectMinMs ?? 250;
  }

  /** Starts listening (PostgreSQL) or polling (SQLite), and the periodic resync. */
  public async start(lastSeen: () => number): Promise<void> {
    this.stopped = false;
    const resync = setInterval(() => this.wake('periodic resync'), this.options.resyncIntervalMs ?? 60_000);
    resync.unref();
    this.timers.push(resync);
    if (this.db.dialect === 'postgres') {
      await this.connect();
      return;
    }
    let polling = false;
    const poll = setInterval(() => {
      if (polling) return;
      polling = true;
      latestRevision(this.db)
        .then((revision) => {
          if (revision > lastSeen()) this.wake('revision counter moved');
        })
        .catch((error: unknown) => this.logger.warn('revision poll failed', { error }))
        .finally(() => {
          polling = false;
        });
    }, this.options.pollIntervalMs ?? 500);
    poll.unref();
    this.timers.push(poll);
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.db.location.dialect !== 'postgres') return;
    const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
    const client = new pg.Client({ connectionString: this.db.location.url });
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL) this.wake('notification');
    });
    const lost = (error?: Error): void => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn('change listener disconnected; reconnecting', { error, inMs: this.reconnectDelay });
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    this.connections += 1;
    this.reconnectDelay = this.options.reconnectMinMs ?? 250;
    if (this.connectedOnce) this.logger.info('change listener reconnected');
    this.connectedOnce = true;
    // Whatever was notified while disconnected is lost: read the log.
    this.wake('listener connected');
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const delay = this.reconnectDelay * (0.8 + Math.random() * 0.4);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.reconnectMaxMs ?? 30_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** The PostgreSQL backend pid of the listener connection (for tests and diagnostics). */
  public get listenerPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  /** Stops listening and polling. */
  public async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
