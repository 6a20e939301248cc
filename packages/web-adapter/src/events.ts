/**
 * The live stream: status changes, health checks, changes of desired state (toggles, settings, reloads —
 * made by any process) and audit entries, numbered and kept in a ring so a client that reconnects with
 * `Last-Event-ID` gets exactly what it missed. A client whose last event is no longer kept (or that was
 * connected to an earlier run of the server) first gets a `reset` event: reload the state, then follow.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  type AuditEntry,
  type Change,
  describeError,
  type HealthCheckRecord,
  type Logger,
  type ServiceRegistryManager,
  type StatusChange,
} from '@servicedeck/core';

/** Kinds of events on the stream. */
export type LiveEventType = 'status' | 'check' | 'change' | 'audit';

/** One event on the stream. */
export interface LiveEvent {
  /** `<run>-<sequence>`: unique per server run, increasing. */
  readonly id: string;
  readonly type: LiveEventType;
  readonly data: Record<string, unknown>;
}

/** Options of the {@link EventJournal}. */
export interface EventJournalOptions {
  /** Events kept for clients that reconnect (default 10 000). */
  readonly capacity?: number;
  /** Milliseconds between looks at the audit log for entries of other processes (default 2 000). */
  readonly auditPollMs?: number;
  /** Milliseconds between keep-alive comments on idle streams (default 15 000). */
  readonly heartbeatMs?: number;
  /** A client whose unsent output exceeds this many bytes is disconnected (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Called with each new audit entry (of any process) as it is read, before it is published. */
  readonly onAudit?: (entry: AuditEntry) => void;
  readonly logger: Logger;
}

interface Client {
  readonly response: ServerResponse;
  readonly types: ReadonlySet<LiveEventType>;
}

const iso = (date: Date | null | undefined): string | null => (date ? new Date(date).toISOString() : null);

/** Milliseconds an audit id missing below a seen one is waited for before it is taken as never coming. */
const AUDIT_GAP_WAIT_MS = 30_000;

/** Collects the manager's events into a numbered ring and fans them out to connected clients. */
export class EventJournal {
  /** Identifies this run: ids of another run are not comparable. */
  public readonly run = randomBytes(4).toString('hex');
  private readonly ring: LiveEvent[] = [];
  private sequence = 0;
  private readonly clients = new Set<Client>();
  /** Every audit entry at or below this id has been published (or its id was never committed). */
  private auditLowWater = 0;
  /** Ids above the low-water mark already published. */
  private readonly auditSeen = new Set<number>();
  /** Ids above the low-water mark not seen yet although a higher one was, and since when (ms). */
  private readonly auditGaps = new Map<number, number>();
  private auditTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private auditReading: Promise<void> | undefined;
  private readonly capacity: number;
  private readonly maxBufferedBytes: number;

  private readonly onStatus = (change: StatusChange): void => {
    this.publish('status', {
      serviceId: change.service,
      from: change.from,
      to: change.to,
      cause: change.cause,
      message: change.message,
      at: iso(change.at),
    });
  };
  private readonly onCheck = (record: HealthCheckRecord): void => {
    this.publish('check', {
      serviceId: record.serviceId,
      status: record.status,
      latencyMs: record.latencyMs,
      message: record.message,
      cause: record.cause,
      checkedAt: iso(record.checkedAt),
    });
  };
  private readonly onChange = (change: Change): void => {
    let enabled: boolean | null = null;
    let service: Record<string, unknown> | null = null;
    try {
      if (change.id !== '*') {
        enabled = this.manager.isEnabled(change.id);
        const info = this.manager.getServiceInfo(change.id);
        service = { ...info, lastHealthCheck: iso(info.lastHealthCheck) };
      }
    } catch {
      // A service not in this process's catalog.
    }
    // The service as it is now (status included: a toggle changes it without a health check).
    this.publish('change', {
      kind: change.kind,
      serviceId: change.id,
      revision: change.revision,
      enabled,
      service,
    });
    this.readAudit();
  };

  public constructor(
    private readonly manager: ServiceRegistryManager,
    private readonly options: EventJournalOptions,
  ) {
    this.capacity = options.capacity ?? 10_000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  }

  /** Starts following the manager (the audit log from its newest entry on). */
  public async start(): Promise<void> {
    const [newest] = await this.manager.auditLog({ limit: 1 });
    this.auditLowWater = newest?.id ?? 0;
    this.manager.events.on('statusChange', this.onStatus);
    this.manager.events.on('check', this.onCheck);
    this.manager.events.on('change', this.onChange);
    this.auditTimer = setInterval(() => this.readAudit(), this.options.auditPollMs ?? 2_000);
    this.auditTimer.unref();
    this.heartbeat = setInterval(() => this.ping(), this.options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Stops following and closes every stream. */
  public async stop(): Promise<void> {
    this.manager.events.off('statusChange', this.onStatus);
    this.manager.events.off('check', this.onCheck);
    this.manager.events.off('change', this.onChange);
    clearInterval(this.auditTimer);
    clearInterval(this.heartbeat);
    await this.auditReading;
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  /** Reads audit entries newer than the last seen (any process's), one read at a time. */
  public readAudit(): Promise<void> {
    this.auditReading ??= (async () => {
      try {
        const entries = await this.manager.auditLog({ afterId: this.auditLowWater, limit: 500 });
        for (const entry of entries.reverse()) {
          if (this.auditSeen.has(entry.id)) continue;
          this.auditSeen.add(entry.id);
          this.auditGaps.delete(entry.id);
          this.options.onAudit?.(entry);
          this.publish('audit', auditData(entry));
        }
        this.advanceAuditLowWater(Date.now());
      } catch (error) {
        this.options.logger.warn('could not read the audit log for the live stream', {
          error: describeError(error),
        });
      } finally {
        this.auditReading = undefined;
      }
    })();
    return this.auditReading;
  }

  /**
   * Moves the low-water mark past every id seen. On PostgreSQL, entries written by two processes at once
   * can become visible out of id order, so an id missing below a seen one is waited for, for a while
   * (an id whose transaction rolled back never comes).
   */
  private advanceAuditLowWater(now: number): void {
    const highest = Math.max(this.auditLowWater, ...this.auditSeen);
    for (let id = this.auditLowWater + 1; id < highest; id += 1) {
      if (!this.auditSeen.has(id) && !this.auditGaps.has(id)) this.auditGaps.set(id, now);
    }
    for (;;) {
      const next = this.auditLowWater + 1;
      const gapSince = this.auditGaps.get(next);
      if (this.auditSeen.delete(next)) {
        this.auditLowWater = next;
      } else if (gapSince !== undefined && now - gapSince >= AUDIT_GAP_WAIT_MS) {
        this.auditGaps.delete(next);
        this.auditLowWater = next;
      } else {
        return;
      }
    }
  }

  /** Adds an event and sends it to every client that follows its type. */
  public publish(type: LiveEventType, data: Record<string, unknown>): LiveEvent {
    this.sequence += 1;
    const event: LiveEvent = { id: `${this.run}-${this.sequence}`, type, data };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    if (this.clients.size > 0) {
      const frame = formatEvent(event);
      for (const client of this.clients) if (client.types.has(type)) this.send(client, frame);
    }
    return event;
  }

  /**
   * Streams to `response`: what was missed since `lastEventId` (or a `reset` when that is not possible),
   * then every new event of `types`, until the client goes away.
   */
  public follow(
    response: ServerResponse,
    lastEventId: string | undefined,
    types: ReadonlySet<LiveEventType>,
  ): void {
    const client: Client = { response, types };
    response.write(`retry: 2000\n\n`);
    if (lastEventId !== undefined) {
      const missed = this.since(lastEventId);
      if (missed === undefined) {
        response.write(
          formatEvent({ id: this.lastId(), type: 'reset' as LiveEventType, data: { reason: 'gap' } }),
        );
      } else {
        for (const event of missed) if (types.has(event.type)) response.write(formatEvent(event));
      }
    }
    this.clients.add(client);
    const drop = (): void => {
      this.clients.delete(client);
    };
    response.on('close', drop);
    response.on('error', drop);
  }

  /** The events after `id`, or undefined when they are not all kept (another run, or evicted). */
  public since(id: string): LiveEvent[] | undefined {
    const [run, seq] = id.split('-');
    const sequence = Number(seq);
    if (run !== this.run || !Number.isInteger(sequence) || sequence > this.sequence) return undefined;
    const oldest = this.sequence - this.ring.length + 1;
    if (sequence < oldest - 1) return undefined;
    return this.ring.slice(sequence - oldest + 1);
  }

  /** The id of the newest event (or of "nothing yet"). */
  public lastId(): string {
    return `${this.run}-${this.sequence}`;
  }

  /** Connected clients. */
  public get connected(): number {
    return this.clients.size;
  }

  private send(client: Client, frame: string): void {
    const { response } = client;
    if (response.writableLength > this.maxBufferedBytes) {
      // A client that does not read: better to drop it (it reconnects and resumes) than to buffer forever.
      this.clients.delete(client);
      response.destroy();
      return;
    }
    response.write(frame);
  }

  private ping(): void {
    for (const client of this.clients) this.send(client, ': keep-alive\n\n');
  }
}

/** An audit entry as the stream and the API show it. */
export function auditData(entry: AuditEntry): Record<string, unknown> {
  return {
    id: entry.id,
    actor: entry.actor,
    adapter: entry.adapter,
    origin: entry.origin,
    action: entry.action,
    serviceId: entry.serviceId,
    result: entry.result,
    details: entry.details,
    instanceId: entry.instanceId,
    at: iso(entry.at),
  };
}

/** One event in the `text/event-stream` format. */
export function formatEvent(event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
